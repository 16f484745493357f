//! The message tag (spec `cipher.md` §10–11): `sha_256_hmac(sha_512(C,
//! salt, pid), key)` where `C` is the list of ciphertext block integers,
//! hashed through its Python text `[d1, d2, ...]`.

use crate::keccak::{Sha3_256, Sha3_512, Sha3_512Sponge};

use super::bignum::be_to_decimal;
use crate::random::to_hex;

/// Streams the ciphertext blocks' decimal text into SHA3-512.
pub(crate) struct TagHasher {
    hash: Sha3_512,
    first: bool,
    digits: Vec<u8>,
}

impl TagHasher {
    pub(crate) fn new() -> Self {
        let mut hash = Sha3_512::new();
        hash.update(b"([");
        Self {
            hash,
            first: true,
            digits: Vec::with_capacity(640),
        }
    }

    /// Adds one 256-byte block (its big-endian integer's decimal text).
    pub(crate) fn push(&mut self, block: &[u8]) {
        let mut digits = std::mem::take(&mut self.digits);
        digits.clear();
        self.render(block, &mut digits);
        self.hash.update(&digits);
        self.digits = digits;
    }

    /// Appends the text that [`push`](Self::push) would hash for `block`
    /// to `out`, without hashing it: the caller absorbs it into
    /// [`sponge_mut`](Self::sponge_mut) (the lockstep engine).
    pub(crate) fn render(&mut self, block: &[u8], out: &mut Vec<u8>) {
        if !self.first {
            out.extend_from_slice(b", ");
        }
        self.first = false;
        be_to_decimal(block, out);
    }

    /// Renders the text of every block of `blocks` as [`push`](Self::push)
    /// would hash it, given whether a block came before.
    pub(crate) fn render_all(blocks: &[u8], after_first: bool, out: &mut Vec<u8>) {
        for (i, b) in blocks.chunks_exact(256).enumerate() {
            if after_first || i > 0 {
                out.extend_from_slice(b", ");
            }
            be_to_decimal(b, out);
        }
    }

    /// Records that a block was hashed (its text rendered elsewhere, by
    /// [`render_all`](Self::render_all)).
    pub(crate) fn set_started(&mut self) {
        self.first = false;
    }

    /// The SHA3-512 sponge, for the lockstep engine's resumable absorbing.
    pub(crate) fn sponge_mut(&mut self) -> &mut Sha3_512Sponge {
        self.hash.sponge_mut()
    }

    /// Adds every 256-byte block of `blocks`.
    #[cfg_attr(not(test), allow(dead_code))] // the plain path, kept as the tests' reference
    pub(crate) fn push_all(&mut self, blocks: &[u8]) {
        for b in blocks.chunks_exact(256) {
            self.push(b);
        }
    }

    /// The 64-character tag text for this salt, pid and key (`repr` texts).
    pub(crate) fn finish(mut self, salt_repr: &str, pid_repr: &str, key_repr: &str) -> String {
        self.hash.update(b"], ");
        self.hash.update(salt_repr.as_bytes());
        self.hash.update(b", ");
        self.hash.update(pid_repr.as_bytes());
        self.hash.update(b")");
        let x = to_hex(&self.hash.finalize());
        sha_256_hmac_of_hex(&x, key_repr)
    }
}

/// `sha_256_hmac(x, key)` for a hex text `x` and the key's `repr`.
pub(crate) fn sha_256_hmac_of_hex(x: &str, key_repr: &str) -> String {
    let inner = sha_256_pair(x, key_repr);
    sha_256_pair(&inner, key_repr)
}

/// The outer step of `sha_256_hmac`: `sha_256(inner, key)`.
pub(crate) fn sha_256_hmac_of_hex_inner(inner: &str, key_repr: &str) -> String {
    sha_256_pair(inner, key_repr)
}

/// `sha_256(x, key)` = SHA3-256 of `('<x>', <key repr>)` for a plain
/// ASCII `x` that needs no escaping (hex text).
fn sha_256_pair(x: &str, key_repr: &str) -> String {
    let mut h = Sha3_256::new();
    h.update(b"('");
    h.update(x.as_bytes());
    h.update(b"', ");
    h.update(key_repr.as_bytes());
    h.update(b")");
    to_hex(&h.finalize())
}
