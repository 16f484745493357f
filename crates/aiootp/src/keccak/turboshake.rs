//! TurboSHAKE256 (RFC 9861 §2): the sponge on Keccak-p\[1600, 12\] with a
//! rate of 136 bytes (capacity 512 bits) and a domain separation byte.

use std::num::NonZeroUsize;

use super::lanes::{self, Backend};

/// The rate of TurboSHAKE256, in bytes.
pub(super) const RATE: usize = 136;

/// The rounds of Keccak-p that TurboSHAKE uses (the last 12 of the 24).
pub(super) const ROUNDS: usize = 12;

/// The default domain separation byte of TurboSHAKE256 (RFC 9861 §2.2).
pub const TURBOSHAKE_DEFAULT_DOMAIN: u8 = 0x1F;

/// The absorbing half of a TurboSHAKE256 sponge, without its domain byte
/// (KT256 chooses the domain of its final node at the end).
#[derive(Clone)]
pub(super) struct Absorber {
    pub(super) state: [u64; 25],
    /// Bytes of the current block absorbed, 0..=[`RATE`] (permuted lazily).
    pub(super) pos: usize,
}

impl Absorber {
    pub(super) const fn new() -> Self {
        Self {
            state: [0; 25],
            pos: 0,
        }
    }

    /// Absorbs `data`.
    pub(super) fn absorb(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.pos == RATE {
                super::p1600(&mut self.state, ROUNDS);
                self.pos = 0;
            }
            if self.pos == 0
                && let Some((block, rest)) = data.split_first_chunk::<RATE>()
            {
                // A whole block: fixed offsets, no partial lanes.
                xor_block(&mut self.state, block);
                self.pos = RATE;
                data = rest;
                continue;
            }
            let n = data.len().min(RATE - self.pos);
            super::xor_in(&mut self.state, self.pos, &data[..n]);
            self.pos += n;
            data = &data[n..];
        }
    }

    /// Pads the state with `domain` (the rate holds `pos` < [`RATE`]
    /// bytes): permuted, its rate is the first output block.
    pub(super) fn pad(&mut self, domain: u8) {
        if self.pos == RATE {
            super::p1600(&mut self.state, ROUNDS);
            self.pos = 0;
        }
        self.state[self.pos / 8] ^= u64::from(domain) << (8 * (self.pos % 8));
        self.state[(RATE - 1) / 8] ^= 0x80 << (8 * ((RATE - 1) % 8));
    }

    /// Pads with `domain`, permutes, and returns the squeezing reader.
    pub(super) fn finish(mut self, domain: u8) -> TurboShake256Reader {
        self.pad(domain);
        TurboShake256Reader {
            state: self.state,
            pos: RATE,
        }
    }
}

/// XORs a whole block into the rate of `state`.
#[inline(always)]
pub(super) fn xor_block(state: &mut [u64; 25], block: &[u8; RATE]) {
    for (lane, word) in state.iter_mut().zip(block.as_chunks::<8>().0) {
        *lane ^= u64::from_le_bytes(*word);
    }
}

impl Drop for Absorber {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.state);
    }
}

/// Whether `domain` is a TurboSHAKE domain separation byte (0x01..=0x7F).
pub(super) const fn check_domain(domain: u8) {
    assert!(
        domain >= 0x01 && domain <= 0x7F,
        "TurboSHAKE domain byte outside 0x01..=0x7F"
    );
}

/// TurboSHAKE256 (RFC 9861): an extendable-output hash on
/// Keccak-p\[1600, 12\], with a domain separation byte.
///
/// **Hazardous material**: a building block of the AOT2 format. Absorb
/// with [`update`](Self::update) in any pieces, then
/// [`finalize_xof`](Self::finalize_xof) and [`squeeze`](TurboShake256Reader::squeeze)
/// any number of bytes, in any pieces: the output depends only on the
/// concatenated input, the domain byte and the total length read.
///
/// ```
/// use aiootp::keccak::{TurboShake256, turboshake256};
///
/// let mut h = TurboShake256::new(0x1F);
/// h.update(b"hello ");
/// h.update(b"world");
/// let mut reader = h.finalize_xof();
/// let mut out = [0u8; 64];
/// reader.squeeze(&mut out[..10]);
/// reader.squeeze(&mut out[10..]);
///
/// let mut one_shot = [0u8; 64];
/// turboshake256(b"hello world", 0x1F, &mut one_shot);
/// assert_eq!(out, one_shot);
/// ```
#[derive(Clone)]
pub struct TurboShake256 {
    sponge: Absorber,
    domain: u8,
}

impl TurboShake256 {
    /// A fresh hasher with domain separation byte `domain`
    /// ([`TURBOSHAKE_DEFAULT_DOMAIN`] = 0x1F when there is no need for one).
    ///
    /// # Panics
    /// If `domain` is outside 0x01..=0x7F (RFC 9861 §2.2): the domain byte
    /// is a constant of the calling protocol, never data.
    pub const fn new(domain: u8) -> Self {
        check_domain(domain);
        Self {
            sponge: Absorber::new(),
            domain,
        }
    }

    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        self.sponge.absorb(data);
    }

    /// Ends the input: the returned reader squeezes the output.
    pub fn finalize_xof(self) -> TurboShake256Reader {
        let Self { sponge, domain } = self;
        sponge.finish(domain)
    }

    /// Ends the input and writes the first `out.len()` bytes of output.
    pub fn finalize_into(self, out: &mut [u8]) {
        self.finalize_xof().squeeze(out);
    }
}

impl std::fmt::Debug for TurboShake256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurboShake256")
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

/// The output of a finalised [`TurboShake256`] (or
/// [`Kt256`](super::Kt256)), read in any pieces with
/// [`squeeze`](Self::squeeze).
#[derive(Clone)]
pub struct TurboShake256Reader {
    /// The state whose rate is the current output block.
    state: [u64; 25],
    /// Bytes of the current block already read ([`RATE`]: permute for
    /// the next).
    pos: usize,
}

impl TurboShake256Reader {
    /// Writes the next `out.len()` bytes of output.
    pub fn squeeze(&mut self, out: &mut [u8]) {
        let mut out = out;
        while !out.is_empty() {
            if self.pos == RATE {
                super::p1600(&mut self.state, ROUNDS);
                self.pos = 0;
            }
            let n = out.len().min(RATE - self.pos);
            super::read_bytes(&self.state, self.pos, &mut out[..n]);
            self.pos += n;
            out = &mut out[n..];
        }
    }
}

impl Drop for TurboShake256Reader {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.state);
    }
}

impl std::fmt::Debug for TurboShake256Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurboShake256Reader")
            .finish_non_exhaustive()
    }
}

/// `TurboSHAKE256(msg, domain, out.len())`: writes `out.len()` bytes of
/// output.
///
/// # Panics
/// If `domain` is outside 0x01..=0x7F (see [`TurboShake256::new`]).
pub fn turboshake256(msg: &[u8], domain: u8, out: &mut [u8]) {
    let mut h = TurboShake256::new(domain);
    h.update(msg);
    h.finalize_into(out);
}

/// Writes a counter-mode keystream into `out`: consecutive blocks of
/// `block_len` bytes (the last one possibly shorter), block `k` being
///
/// `TurboSHAKE256(prefix ‖ le64(first_counter + k), domain, block_len)`
///
/// (the counter as 8 little-endian bytes, wrapping modulo 2⁶⁴), truncated
/// to what `out` holds. The blocks are independent, so they are computed
/// four or eight at a time in SIMD lanes ([`Backend::detected`]); the
/// prefix's full 136-byte blocks are absorbed once for all.
///
/// **Hazardous material**: a keystream must never be used twice; AOT2
/// puts a key and a synthetic IV in `prefix`.
///
/// ```
/// use std::num::NonZeroUsize;
/// use aiootp::keccak::{turboshake256, turboshake256_keystream};
///
/// let block = NonZeroUsize::new(100).unwrap();
/// let mut ks = [0u8; 250];
/// turboshake256_keystream(b"key and iv", 0x0C, 7, block, &mut ks);
/// let mut third = [0u8; 50];
/// turboshake256(b"key and iv\x09\0\0\0\0\0\0\0", 0x0C, &mut third);
/// assert_eq!(ks[200..], third);
/// ```
///
/// # Panics
/// If `domain` is outside 0x01..=0x7F (see [`TurboShake256::new`]).
pub fn turboshake256_keystream(
    prefix: &[u8],
    domain: u8,
    first_counter: u64,
    block_len: NonZeroUsize,
    out: &mut [u8],
) {
    turboshake256_keystream_with(
        Backend::detected(),
        prefix,
        domain,
        first_counter,
        block_len,
        out,
    );
}

/// XORs into `data` the keystream of [`turboshake256_keystream`] (so
/// encrypts or decrypts in place, without a keystream buffer).
///
/// # Panics
/// If `domain` is outside 0x01..=0x7F (see [`TurboShake256::new`]).
pub fn turboshake256_xor_keystream(
    prefix: &[u8],
    domain: u8,
    first_counter: u64,
    block_len: NonZeroUsize,
    data: &mut [u8],
) {
    turboshake256_xor_keystream_with(
        Backend::detected(),
        prefix,
        domain,
        first_counter,
        block_len,
        data,
    );
}

/// [`turboshake256_keystream`] with the given lane [`Backend`] (the same
/// bytes whatever the back end; for tests and benchmarks).
///
/// # Panics
/// If `domain` is outside 0x01..=0x7F (see [`TurboShake256::new`]).
pub fn turboshake256_keystream_with(
    backend: Backend,
    prefix: &[u8],
    domain: u8,
    first_counter: u64,
    block_len: NonZeroUsize,
    out: &mut [u8],
) {
    check_domain(domain);
    lanes::keystream(
        backend,
        prefix,
        domain,
        first_counter,
        block_len,
        out,
        false,
    );
}

/// [`turboshake256_xor_keystream`] with the given lane [`Backend`].
///
/// # Panics
/// If `domain` is outside 0x01..=0x7F (see [`TurboShake256::new`]).
pub fn turboshake256_xor_keystream_with(
    backend: Backend,
    prefix: &[u8],
    domain: u8,
    first_counter: u64,
    block_len: NonZeroUsize,
    data: &mut [u8],
) {
    check_domain(domain);
    lanes::keystream(
        backend,
        prefix,
        domain,
        first_counter,
        block_len,
        data,
        true,
    );
}
