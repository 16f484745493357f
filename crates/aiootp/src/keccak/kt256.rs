//! KT256 (RFC 9861 §3): KangarooTwelve's tree hash on TurboSHAKE256.
//!
//! `S = M ‖ C ‖ length_encode(|C|)`. Up to 8192 bytes, KT256 is
//! `TurboSHAKE256(S, 0x07, L)`. Longer, `S` is cut into 8192-byte chunks
//! `S_0, S_1, …, S_n`; each `S_i` (i ≥ 1) is a leaf whose 64-byte
//! chaining value is `TurboSHAKE256(S_i, 0x0B, 64)`, and the output is
//! `TurboSHAKE256(S_0 ‖ 03 00⁷ ‖ CV_1 ‖ … ‖ CV_n ‖ length_encode(n) ‖ FF FF,
//! 0x06, L)`.
//!
//! The leaves are independent: they are hashed four or eight at a time in
//! SIMD lanes (see [`Backend`]). The hasher absorbs `S_0` into the final
//! node as it comes, then keeps at most one group of leaves (8192 bytes
//! per lane) in a buffer; a long `update` hashes groups straight from the
//! caller's slice.

use super::lanes::{self, Backend};
use super::turboshake::{Absorber, TurboShake256Reader};

/// Bytes in a chunk of `S` (a leaf).
const CHUNK: usize = 8192;

/// Domain byte of the chaining values of leaves.
pub(super) const LEAF_DOMAIN: u8 = 0x0B;

/// Domain byte of a message of one chunk.
const SINGLE_DOMAIN: u8 = 0x07;

/// Domain byte of the final node of a tree.
const FINAL_DOMAIN: u8 = 0x06;

/// `length_encode(x)` (RFC 9861 §3.3): the big-endian bytes of `x`
/// without leading zeros, then their count; 0 is the single byte 0.
fn length_encode(x: u64, out: &mut [u8; 9]) -> &[u8] {
    let bytes = x.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    let n = 8 - skip;
    out[..n].copy_from_slice(&bytes[skip..]);
    out[n] = n as u8;
    &out[..=n]
}

/// KT256 (RFC 9861): a tree hash with 256-bit security, extendable
/// output and a customization string, parallel over 8 KiB leaves.
///
/// **Hazardous material**: a building block of the AOT2 format. The
/// output depends only on the concatenated input (however it is split
/// over [`update`](Self::update) calls), the customization string and the
/// total length read.
///
/// ```
/// use aiootp::keccak::{Kt256, kt256};
///
/// let data = vec![7u8; 100_000];
/// let mut h = Kt256::new(b"my protocol");
/// h.update(&data[..1000]);
/// h.update(&data[1000..]);
/// let mut out = [0u8; 32];
/// h.finalize_into(&mut out);
///
/// let mut one_shot = [0u8; 32];
/// kt256(&data, b"my protocol", &mut one_shot);
/// assert_eq!(out, one_shot);
/// ```
#[derive(Clone)]
pub struct Kt256 {
    /// The final node (or the single node), holding `S_0` and then the
    /// chaining values.
    node: Absorber,
    /// The customization string, absorbed at the end.
    custom: Custom,
    /// Bytes of `S_0` absorbed so far (up to [`CHUNK`]).
    first: usize,
    /// Whether `S` is longer than one chunk (the `03 00⁷` marker is in
    /// the node).
    tree: bool,
    /// Leaves absorbed into the node so far.
    leaves: u64,
    /// Pending leaf bytes, less than one group of [`CHUNK`]-byte leaves.
    buf: Vec<u8>,
    /// The lanes that hash leaves.
    backend: Backend,
}

impl Kt256 {
    /// A fresh hasher with customization string `customization` (may be
    /// empty), hashing leaves with [`Backend::detected`].
    pub fn new(customization: &[u8]) -> Self {
        Self::with_backend(customization, Backend::detected())
    }

    /// [`Kt256::new`] with the given lane [`Backend`] (the same output
    /// whatever the back end; for tests and benchmarks).
    pub fn with_backend(customization: &[u8], backend: Backend) -> Self {
        Self {
            node: Absorber::new(),
            custom: Custom::new(customization),
            first: 0,
            tree: false,
            leaves: 0,
            buf: Vec::new(),
            backend,
        }
    }

    /// Leaves per group: the back end's widest.
    fn group(&self) -> usize {
        match self.backend {
            Backend::Scalar => 1,
            Backend::X4 => 4,
            Backend::X8 => 8,
        }
    }

    /// Absorbs `data` (part of `M`).
    pub fn update(&mut self, data: &[u8]) {
        self.absorb(data);
    }

    /// Decrypts and absorbs: XORs into `data` the keystream of
    /// [`turboshake256_xor_keystream_with`](super::turboshake256_xor_keystream_with)`(backend,
    /// prefix, domain, first_counter, block_len, data)` (this hasher's
    /// back end), then absorbs the result as [`update`](Self::update)
    /// does. The same bytes as those two calls; faster when `data` fits
    /// one keystream block and the first 8 KiB chunk of `S` (a small AOT2
    /// record) and four lanes are cheap on this CPU ([`Backend::X4`] or
    /// [`Backend::X8`] with AVX2): the keystream sponge and this hasher's
    /// then take their permutations together, in two lanes of
    /// [`p1600_x4`](super::p1600_x4), instead of one after the other.
    ///
    /// # Panics
    /// If `domain` is outside 0x01..=0x7F (see
    /// [`TurboShake256::new`](super::TurboShake256::new)).
    pub fn update_xor_keystream(
        &mut self,
        prefix: &[u8],
        domain: u8,
        first_counter: u64,
        block_len: std::num::NonZeroUsize,
        data: &mut [u8],
    ) {
        let lockstep = self.backend != Backend::Scalar
            && super::x4_is_cheap()
            && !self.tree
            && data.len() <= block_len.get()
            && data.len() <= CHUNK - self.first;
        if lockstep {
            super::turboshake::check_domain(domain);
            lanes::xor_keystream_absorb(&mut self.node, prefix, domain, first_counter, data);
            self.first += data.len();
        } else {
            super::turboshake256_xor_keystream_with(
                self.backend,
                prefix,
                domain,
                first_counter,
                block_len,
                data,
            );
            self.update(data);
        }
    }

    /// Absorbs part of `S`.
    fn absorb(&mut self, mut data: &[u8]) {
        let group = self.group();
        let need = CHUNK - self.first;
        if self.first < CHUNK && group > 1 && data.len() >= need + (group - 1) * CHUNK {
            // The rest of S_0 and the first leaves are all here: the final
            // node absorbs S_0 in a lane next to them.
            let (s0, rest) = data.split_at(need);
            let (leaves, rest) = rest.split_at((group - 1) * CHUNK);
            let mut slots: [&[u8]; 8] = [&[]; 8];
            for (slot, leaf) in slots.iter_mut().zip(leaves.chunks(CHUNK)) {
                *slot = leaf;
            }
            let mut cvs = [[0u8; 64]; 8];
            let n = group - 1;
            lanes::node_and_leaf_cvs(self.backend, &mut self.node, s0, &slots[..n], &mut cvs[..n]);
            self.first = CHUNK;
            self.node.absorb(&[0x03, 0, 0, 0, 0, 0, 0, 0]);
            self.tree = true;
            self.absorb_cvs(&cvs[..n]);
            data = rest;
        }
        if self.first < CHUNK {
            let n = data.len().min(CHUNK - self.first);
            self.node.absorb(&data[..n]);
            self.first += n;
            data = &data[n..];
        }
        if data.is_empty() {
            return;
        }
        if !self.tree {
            self.node.absorb(&[0x03, 0, 0, 0, 0, 0, 0, 0]);
            self.tree = true;
        }
        let batch = self.group() * CHUNK;
        if !self.buf.is_empty() {
            let n = data.len().min(batch - self.buf.len());
            self.buf.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.buf.len() == batch {
                let buf = std::mem::take(&mut self.buf);
                self.hash_leaves(&buf);
                self.buf = buf;
                zeroize::Zeroize::zeroize(&mut self.buf);
            }
        }
        while data.len() >= batch {
            self.hash_leaves(&data[..batch]);
            data = &data[batch..];
        }
        if !data.is_empty() {
            if self.buf.capacity() < batch {
                self.buf.reserve_exact(batch);
            }
            self.buf.extend_from_slice(data);
        }
    }

    /// Hashes the leaves `data` cuts into (all of [`CHUNK`] bytes but the
    /// last) and absorbs their chaining values into the node.
    fn hash_leaves(&mut self, data: &[u8]) {
        let mut cvs = [[0u8; 64]; 8];
        for group in data.chunks(8 * CHUNK) {
            let mut leaves: [&[u8]; 8] = [&[]; 8];
            let mut n = 0;
            for (slot, leaf) in leaves.iter_mut().zip(group.chunks(CHUNK)) {
                *slot = leaf;
                n += 1;
            }
            let cvs = &mut cvs[..n];
            lanes::leaf_cvs(self.backend, &leaves[..n], cvs);
            self.absorb_cvs(cvs);
        }
    }

    /// Absorbs the chaining values of the next leaves into the node.
    fn absorb_cvs(&mut self, cvs: &[[u8; 64]]) {
        for cv in cvs {
            self.node.absorb(cv);
        }
        self.leaves += cvs.len() as u64;
    }

    /// Ends the input: the returned reader squeezes the output.
    pub fn finalize_xof(mut self) -> TurboShake256Reader {
        let custom = std::mem::take(&mut self.custom);
        self.absorb(custom.as_slice());
        let mut enc = [0u8; 9];
        self.absorb(length_encode(custom.as_slice().len() as u64, &mut enc));
        drop(custom);
        if !self.tree {
            return std::mem::replace(&mut self.node, Absorber::new()).finish(SINGLE_DOMAIN);
        }
        let mut buf = std::mem::take(&mut self.buf);
        if !buf.is_empty() {
            self.hash_leaves(&buf);
        }
        zeroize::Zeroize::zeroize(&mut buf);
        let mut enc = [0u8; 9];
        self.node.absorb(length_encode(self.leaves, &mut enc));
        self.node.absorb(&[0xFF, 0xFF]);
        std::mem::replace(&mut self.node, Absorber::new()).finish(FINAL_DOMAIN)
    }

    /// Ends the input and writes the first `out.len()` bytes of output.
    pub fn finalize_into(self, out: &mut [u8]) {
        self.finalize_xof().squeeze(out);
    }
}

impl Drop for Kt256 {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.buf);
    }
}

/// Bytes of a customization string kept without an allocation.
const INLINE_CUSTOM: usize = 64;

/// A customization string: inline when short (the usual protocol label,
/// so that a small hash allocates nothing), otherwise on the heap.
/// Zeroized on drop.
#[derive(Clone)]
enum Custom {
    Inline {
        bytes: [u8; INLINE_CUSTOM],
        len: usize,
    },
    Heap(Vec<u8>),
}

impl Custom {
    fn new(custom: &[u8]) -> Self {
        if custom.len() <= INLINE_CUSTOM {
            let mut bytes = [0; INLINE_CUSTOM];
            bytes[..custom.len()].copy_from_slice(custom);
            Custom::Inline {
                bytes,
                len: custom.len(),
            }
        } else {
            Custom::Heap(custom.to_vec())
        }
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            Custom::Inline { bytes, len } => &bytes[..*len],
            Custom::Heap(v) => v,
        }
    }
}

impl Default for Custom {
    fn default() -> Self {
        Custom::Heap(Vec::new())
    }
}

impl Drop for Custom {
    fn drop(&mut self) {
        match self {
            Custom::Inline { bytes, len } => {
                zeroize::Zeroize::zeroize(&mut bytes[..(*len).min(INLINE_CUSTOM)]);
            }
            Custom::Heap(v) => zeroize::Zeroize::zeroize(v),
        }
    }
}

impl std::fmt::Debug for Kt256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kt256")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// `KT256(message, customization, out.len())`: writes `out.len()` bytes
/// of output. Leaves are hashed in SIMD lanes ([`Backend::detected`]).
pub fn kt256(message: &[u8], customization: &[u8], out: &mut [u8]) {
    kt256_with(Backend::detected(), message, customization, out);
}

/// [`kt256`] with the given lane [`Backend`] (the same output whatever
/// the back end; for tests and benchmarks).
pub fn kt256_with(backend: Backend, message: &[u8], customization: &[u8], out: &mut [u8]) {
    let mut h = Kt256::with_backend(customization, backend);
    h.update(message);
    h.finalize_into(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn noise(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 32) as u8
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn update_xor_keystream_is_xor_then_update(
            seed in any::<u64>(),
            head in prop_oneof![0usize..300, 8000usize..8200],
            len in prop_oneof![0usize..1500, 7900usize..8400, 8400usize..20000],
            prefix_len in prop_oneof![0usize..200, 120usize..140],
            block in prop_oneof![1usize..300, 8192usize..8193, 20000usize..20001],
            first in prop_oneof![0u64..4, Just(u64::MAX)],
            after in 0usize..300,
        ) {
            let head = noise(seed, head);
            let data = noise(!seed, len);
            let prefix = noise(seed ^ 7, prefix_len);
            let tail = noise(seed ^ 9, after);
            let block = std::num::NonZeroUsize::new(block).unwrap_or(std::num::NonZeroUsize::MIN);
            for backend in Backend::ALL {
                let mut want_data = data.clone();
                crate::keccak::turboshake256_xor_keystream_with(
                    backend, &prefix, 0x42, first, block, &mut want_data,
                );
                let mut h = Kt256::with_backend(b"custom", backend);
                h.update(&head);
                h.update(&want_data);
                h.update(&tail);
                let mut want = [0u8; 40];
                h.finalize_into(&mut want);

                let mut got_data = data.clone();
                let mut h = Kt256::with_backend(b"custom", backend);
                h.update(&head);
                h.update_xor_keystream(&prefix, 0x42, first, block, &mut got_data);
                h.update(&tail);
                let mut got = [0u8; 40];
                h.finalize_into(&mut got);
                prop_assert_eq!(&got_data, &want_data, "{:?}", backend);
                prop_assert_eq!(got, want, "{:?}", backend);
            }
        }
    }

    #[test]
    fn length_encode_matches_rfc_examples() {
        let mut b = [0u8; 9];
        assert_eq!(length_encode(0, &mut b), [0x00]);
        assert_eq!(length_encode(12, &mut b), [0x0C, 0x01]);
        assert_eq!(length_encode(65538, &mut b), [0x01, 0x00, 0x02, 0x03]);
        assert_eq!(
            length_encode(u64::MAX, &mut b),
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x08]
        );
    }
}
