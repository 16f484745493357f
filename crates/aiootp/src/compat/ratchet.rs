//! The key ratchets and the `keys` / `bytes_keys` streams (spec
//! `cipher.md` §5–7).
//!
//! **Hazardous material.** These are raw keystreams: no padding, no
//! authentication. Encrypt with [`crate::OneTimePad`] instead; these exist
//! for interoperability and for the reference's low-level helpers.
//!
//! A stream is made from a key, a salt and a `pid`. Its first output is
//! taken with no entropy; every later output absorbs the `str` text of a
//! value the caller sends in ([`BytesKeyStream::send`]), and iterating
//! sends `None`, as Python's `for` does.

use crate::keccak::{Sha3_256, Sha3_512};

mod lockstep;
pub(crate) use lockstep::TagFeed;

use super::PyValue;
use super::key::{Key, Salt};
use super::pyvalue::repr_bytes;
use crate::error::{CipherError, Error};
use crate::random::to_hex;

/// One 128-byte output of a ratchet.
pub type Output = [u8; 128];

/// The three SHA3-512 states of a keypair ratchet and its seed.
#[derive(Clone)]
pub(crate) struct Ratchet {
    a: Sha3_512,
    b: Sha3_512,
    c: Sha3_512,
    seed: [u8; 64],
    /// The latest digest of `a`.
    r: [u8; 64],
}

fn digest(state: &Sha3_512) -> [u8; 64] {
    state.digest_so_far()
}

/// The initial digests of a keypair ratchet, for tests and vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatchetDigests {
    /// The text of the first preimage, `repr((key, salt, pid))`.
    pub preimage_0: String,
    /// The 64-byte seed.
    pub seed: [u8; 64],
    /// The digests of the three states after their set-up.
    pub kdf: [[u8; 64]; 3],
}

impl Ratchet {
    /// `keypair_ratchets(key, salt, pid)` from the `repr` texts of the three.
    pub(crate) fn new(key_repr: &str, salt_repr: &str, pid_repr: &str) -> Self {
        let mut pre =
            String::with_capacity(key_repr.len() + salt_repr.len() + pid_repr.len() + 300);
        pre.push('(');
        pre.push_str(key_repr);
        pre.push_str(", ");
        pre.push_str(salt_repr);
        pre.push_str(", ");
        pre.push_str(pid_repr);
        pre.push(')');
        let s0: [u8; 64] = Sha3_512::digest(pre.as_bytes());
        pre.pop();
        pre.push_str(", ");
        repr_bytes(&s0, &mut pre);
        pre.push(')');
        let seed: [u8; 64] = Sha3_512::digest(pre.as_bytes());
        zeroize::Zeroize::zeroize(&mut pre);

        let mut a = Sha3_512::new();
        a.update(seed);
        a.update(s0);
        let mut b = Sha3_512::new();
        b.update(digest(&a));
        b.update(s0);
        let mut c = Sha3_512::new();
        c.update(digest(&b));
        c.update(s0);
        Self {
            a,
            b,
            c,
            seed,
            r: [0; 64],
        }
    }

    /// The digests the reference's `keypair_ratchets` shows.
    pub(crate) fn digests(&self) -> ([u8; 64], [[u8; 64]; 3]) {
        (
            self.seed,
            [digest(&self.a), digest(&self.b), digest(&self.c)],
        )
    }

    /// The first output (the generator's start, entropy `None` not absorbed).
    pub(crate) fn first(&mut self, out: &mut [u8; 128]) {
        self.r = digest(&self.a);
        self.emit(out);
    }

    /// A later output after absorbing `entropy_text` (the `str` text of the
    /// value sent in).
    pub(crate) fn next_with(&mut self, entropy_text: &[u8], out: &mut [u8; 128]) {
        self.a.update(entropy_text);
        self.a.update(self.r);
        self.a.update(self.seed);
        self.r = digest(&self.a);
        self.emit(out);
    }

    fn emit(&mut self, out: &mut [u8; 128]) {
        self.b.update(self.r);
        self.c.update(self.r);
        let (hi, lo) = out.split_at_mut(64);
        hi.copy_from_slice(&digest(&self.b));
        lo.copy_from_slice(&digest(&self.c));
    }
}

impl Drop for Ratchet {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.seed);
        zeroize::Zeroize::zeroize(&mut self.r);
    }
}

/// The digests of `keypair_ratchets(key, salt, pid)` (hazmat; for
/// vectors and tests).
#[must_use]
pub fn keypair_ratchet_digests(key: &Key, salt: &Salt, pid: &PyValue) -> RatchetDigests {
    let pid_repr = pid.repr();
    let salt_repr = salt.repr();
    let ratchet = Ratchet::new(key.repr(), &salt_repr, &pid_repr);
    let (seed, kdf) = ratchet.digests();
    RatchetDigests {
        preimage_0: format!("({}, {}, {})", key.repr(), salt_repr, pid_repr),
        seed,
        kdf,
    }
}

/// The `bytes_keys` stream: endless 128-byte outputs.
///
/// Iterating sends `None` at every step; [`send`](Self::send) feeds a
/// value's `str` text into the ratchet before the next output, and
/// [`reset`](Self::reset) restarts the stream from its key, salt and pid.
pub struct BytesKeyStream {
    key: Key,
    salt: Salt,
    pid_repr: String,
    ratchet: Ratchet,
    started: bool,
}

impl std::fmt::Debug for BytesKeyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BytesKeyStream")
            .field("salt", &self.salt)
            .field("pid", &self.pid_repr)
            .field("started", &self.started)
            .finish_non_exhaustive()
    }
}

impl BytesKeyStream {
    /// A stream for `key`, `salt` (a fresh random one when `None`, as the
    /// reference draws) and `pid`.
    ///
    /// # Errors
    /// [`CipherError::MissingKey`] for an empty key; [`Error::Random`] if a
    /// salt cannot be drawn.
    pub fn new(key: &Key, salt: Option<&Salt>, pid: &PyValue) -> Result<Self, Error> {
        key.check()?;
        let salt = match salt {
            Some(s) if !s.as_str().is_empty() => s.clone(),
            _ => Salt::generate()?,
        };
        let pid_repr = pid.repr();
        let ratchet = Ratchet::new(key.repr(), &salt.repr(), &pid_repr);
        Ok(Self {
            key: key.clone(),
            salt,
            pid_repr,
            ratchet,
            started: false,
        })
    }

    /// The salt in use (the reference's `result(exit=True)`).
    #[must_use]
    pub fn salt(&self) -> &Salt {
        &self.salt
    }

    /// The next output, after absorbing the `str` text of `entropy`. The
    /// first output takes no entropy: sending anything but `None` first is
    /// an error, as in Python.
    ///
    /// # Errors
    /// [`CipherError::SendBeforeStart`] for a non-`None` first value.
    pub fn send(&mut self, entropy: &PyValue) -> Result<Output, CipherError> {
        if !self.started && *entropy != PyValue::None {
            return Err(CipherError::SendBeforeStart);
        }
        Ok(self.send_text(entropy.str_text().as_bytes()))
    }

    /// The next output after absorbing `entropy_text` as raw bytes (the
    /// first output ignores it).
    pub fn send_text(&mut self, entropy_text: &[u8]) -> Output {
        let mut out = [0u8; 128];
        if self.started {
            self.ratchet.next_with(entropy_text, &mut out);
        } else {
            self.ratchet.first(&mut out);
            self.started = true;
        }
        out
    }

    /// Restarts the stream from its key, salt and pid (the same outputs
    /// again; the reference draws a new salt only when none was given, and
    /// this type always keeps the salt it drew).
    pub fn reset(&mut self) {
        self.ratchet = Ratchet::new(self.key.repr(), &self.salt.repr(), &self.pid_repr);
        self.started = false;
    }
}

impl Iterator for BytesKeyStream {
    type Item = Output;

    fn next(&mut self) -> Option<Output> {
        Some(self.send_text(b"None"))
    }
}

/// The `keys` stream: the outputs of [`BytesKeyStream`] as 256
/// lowercase hex characters.
#[derive(Debug)]
pub struct KeyStream(BytesKeyStream);

impl KeyStream {
    /// As [`BytesKeyStream::new`].
    ///
    /// # Errors
    /// As [`BytesKeyStream::new`].
    pub fn new(key: &Key, salt: Option<&Salt>, pid: &PyValue) -> Result<Self, Error> {
        BytesKeyStream::new(key, salt, pid).map(Self)
    }

    /// The salt in use.
    #[must_use]
    pub fn salt(&self) -> &Salt {
        self.0.salt()
    }

    /// As [`BytesKeyStream::send`], in hex.
    ///
    /// # Errors
    /// As [`BytesKeyStream::send`].
    pub fn send(&mut self, entropy: &PyValue) -> Result<String, CipherError> {
        self.0.send(entropy).map(|o| to_hex(&o))
    }

    /// Restarts the stream.
    pub fn reset(&mut self) {
        self.0.reset();
    }
}

impl Iterator for KeyStream {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        self.0.next().map(|o| to_hex(&o))
    }
}

/// The cipher keystream of `xor` / `bytes_xor` (spec §7): 256-byte key
/// blocks, each two ratchet outputs made after absorbing the seed text
/// `sha_256(hex(output 0))`.
pub(crate) struct CipherKeystream {
    ratchet: Ratchet,
    seed_text: [u8; 64],
}

impl CipherKeystream {
    pub(crate) fn new(key_repr: &str, salt_repr: &str, pid_repr: &str) -> Self {
        let mut ratchet = Ratchet::new(key_repr, salt_repr, pid_repr);
        let mut first = [0u8; 128];
        ratchet.first(&mut first);
        let seed_text = seed_text_of(&first);
        zeroize::Zeroize::zeroize(&mut first);
        Self { ratchet, seed_text }
    }

    /// The seed text (64 lowercase hex characters).
    pub(crate) fn seed_text(&self) -> &[u8; 64] {
        &self.seed_text
    }

    /// Writes the next 256-byte key block into `block`.
    pub(crate) fn next_block(&mut self, block: &mut [u8; 256]) {
        let (a, b) = block.split_at_mut(128);
        let mut out = [0u8; 128];
        self.ratchet.next_with(&self.seed_text, &mut out);
        a.copy_from_slice(&out);
        self.ratchet.next_with(&self.seed_text, &mut out);
        b.copy_from_slice(&out);
        zeroize::Zeroize::zeroize(&mut out);
    }

    /// XORs the next key block into `data` (exactly 256 bytes).
    pub(crate) fn xor_block(&mut self, data: &mut [u8]) {
        let mut k = [0u8; 256];
        self.next_block(&mut k);
        for (d, k) in data.iter_mut().zip(k.iter()) {
            *d ^= k;
        }
        zeroize::Zeroize::zeroize(&mut k);
    }
}

/// The keystream of the reference's `xor` / `bytes_xor` (hazmat:
/// unauthenticated, unpadded; a key, salt and pid must never be used for
/// two messages).
///
/// Each item is XORed with the next 256-byte key block (two ratchet
/// outputs made after absorbing the seed text); `xor` and `bytes_xor` of
/// the reference give the same results, so one type serves both.
pub struct XorStream(CipherKeystream);

impl std::fmt::Debug for XorStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("XorStream(***)")
    }
}

impl XorStream {
    /// The stream for `key`, `salt` and `pid` (no salt check, as in the
    /// reference).
    ///
    /// # Errors
    /// [`CipherError::MissingKey`] for an empty key.
    pub fn new(key: &Key, salt: &Salt, pid: &PyValue) -> Result<Self, CipherError> {
        key.check()?;
        Ok(Self(CipherKeystream::new(
            key.repr(),
            &salt.repr(),
            &pid.repr(),
        )))
    }

    /// XORs the next key block with `item`, a big-endian integer of at most
    /// 256 significant bytes (leading zero bytes are ignored), and returns
    /// the 256-byte result.
    ///
    /// # Errors
    /// [`CipherError::BlockTooLarge`] when the result exceeds 2048 bits
    /// (the reference's `Data MUST NOT exceed 256 bytes.`); the key block is
    /// consumed either way, as in the reference.
    pub fn xor(&mut self, item: &[u8]) -> Result<[u8; 256], CipherError> {
        let first = item.iter().position(|&b| b != 0).unwrap_or(item.len());
        let item = &item[first..];
        let mut block = [0u8; 256];
        self.0.next_block(&mut block);
        if item.len() > 256 {
            zeroize::Zeroize::zeroize(&mut block);
            return Err(CipherError::BlockTooLarge);
        }
        for (b, x) in block[256 - item.len()..].iter_mut().zip(item) {
            *b ^= x;
        }
        Ok(block)
    }
}

/// `sha_256(hex(first_output))`: SHA3-256 of the text `('<hex>',)`.
fn seed_text_of(first: &[u8; 128]) -> [u8; 64] {
    let mut h = Sha3_256::new();
    h.update(b"('");
    h.update(to_hex(first).as_bytes());
    h.update(b"',)");
    let d: [u8; 32] = h.finalize();
    let mut out = [0u8; 64];
    out.copy_from_slice(to_hex(&d).as_bytes());
    out
}

/// The cipher keystream's first output, seed text and first `n` key
/// blocks (hazmat; for vectors and tests).
pub fn cipher_keystream_blocks(
    key: &Key,
    salt: &Salt,
    pid: &PyValue,
    n: usize,
) -> (String, Vec<[u8; 256]>) {
    let mut ks = CipherKeystream::new(key.repr(), &salt.repr(), &pid.repr());
    let seed = String::from_utf8_lossy(ks.seed_text()).into_owned();
    let blocks = (0..n)
        .map(|_| {
            let mut b = [0u8; 256];
            ks.next_block(&mut b);
            b
        })
        .collect();
    (seed, blocks)
}
