//! TurboSHAKE256 on one, four or eight independent inputs at once: the
//! engine under KT256's leaves and the counter-mode keystream.
//!
//! A [`LaneState<N>`] is `N` TurboSHAKE256 states transposed (lane `i` of
//! state `j` at `[i][j]`), permuted together by [`p1600`](super::p1600),
//! [`p1600_x4`](super::p1600_x4) or [`p1600_x8`](super::p1600_x8) (each of
//! which picks its fastest code for this CPU). Which width to use is a
//! [`Backend`]: [`Backend::detected`] is the fastest on this CPU, and the
//! others exist so that tests and benchmarks can run every width on any
//! CPU. All widths give the same bytes.

use std::num::NonZeroUsize;

use super::turboshake::{Absorber, RATE, ROUNDS};

/// How many independent Keccak-p permutations the lane code runs at once.
///
/// **Hazardous material** (like the rest of [`keccak`](super)): the
/// choice changes the speed, never the output. [`Backend::detected`] is
/// what [`kt256`](super::kt256) and the keystream functions use; the
/// `_with` variants take one explicitly, for tests and benchmarks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// One permutation at a time ([`p1600`](super::p1600)).
    Scalar,
    /// Four at a time ([`p1600_x4`](super::p1600_x4); SIMD with AVX2).
    X4,
    /// Eight at a time ([`p1600_x8`](super::p1600_x8); SIMD with
    /// AVX-512F, otherwise portable code that is slower than [`Self::X4`]).
    X8,
}

impl Backend {
    /// Every back end, narrowest first.
    pub const ALL: [Backend; 3] = [Backend::Scalar, Backend::X4, Backend::X8];

    /// The fastest back end on this CPU: [`Backend::X8`] with AVX-512F,
    /// [`Backend::X4`] with AVX2, [`Backend::Scalar`] otherwise (without
    /// AVX2, four lanes cost more than four scalar permutations).
    pub fn detected() -> Backend {
        if super::x8::has_avx512() {
            Backend::X8
        } else if super::x4_is_cheap() {
            Backend::X4
        } else {
            Backend::Scalar
        }
    }

    /// How many lanes the next group of `remaining` (> 0) independent
    /// inputs should use: the widest this back end has, narrower for a
    /// small remainder (with AVX2, four lanes cost about 1.4 scalar
    /// permutations, so two or more inputs go through four lanes).
    fn group_width(self, remaining: usize) -> usize {
        match self {
            Backend::X8 if remaining > 4 => 8,
            Backend::X8 | Backend::X4 if remaining > 1 => 4,
            _ => 1,
        }
    }

    /// Calls `f(width, start..end)` for consecutive groups covering
    /// `0..count`, each of at most `width` items (see [`Self::group_width`]).
    fn for_groups(self, count: usize, mut f: impl FnMut(usize, std::ops::Range<usize>)) {
        let mut start = 0;
        while start < count {
            let width = self.group_width(count - start);
            let end = count.min(start + width);
            f(width, start..end);
            start = end;
        }
    }
}

/// Reads the little-endian `u64` at `bytes[at..at + 8]`.
#[inline(always)]
fn le64(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

/// `N` TurboSHAKE256 states in the transposed layout (zeroized on drop:
/// keystream states hold key material).
pub(super) struct LaneState<const N: usize> {
    s: [[u64; N]; 25],
}

impl<const N: usize> LaneState<N> {
    /// `N` copies of `state`.
    fn broadcast(state: &[u64; 25]) -> Self {
        let mut s = [[0u64; N]; 25];
        for (lane, &word) in s.iter_mut().zip(state.iter()) {
            *lane = [word; N];
        }
        Self { s }
    }

    /// Keccak-p\[1600, 12\] on every state, through the permutation of
    /// width `N` (any other `N` runs state by state).
    #[inline]
    fn permute(&mut self) {
        let flat = self.s.as_flattened_mut();
        match N {
            8 => {
                if let Ok(s) = <&mut [[u64; 8]; 25]>::try_from(flat.as_chunks_mut::<8>().0) {
                    super::p1600_x8(s, ROUNDS);
                    return;
                }
            }
            4 => {
                if let Ok(s) = <&mut [[u64; 4]; 25]>::try_from(flat.as_chunks_mut::<4>().0) {
                    super::p1600_x4(s, ROUNDS);
                    return;
                }
            }
            1 => {
                if let Ok(s) = <&mut [u64; 25]>::try_from(flat) {
                    super::p1600(s, ROUNDS);
                    return;
                }
            }
            _ => {}
        }
        // Not reached for the widths above (the conversions cannot fail).
        for j in 0..N {
            let mut one = [0u64; 25];
            for (w, lane) in one.iter_mut().zip(self.s.iter()) {
                *w = lane[j];
            }
            super::p1600(&mut one, ROUNDS);
            for (w, lane) in one.iter().zip(self.s.iter_mut()) {
                lane[j] = *w;
            }
        }
    }

    /// XORs the full rate block `block` (136 bytes) into state `j`.
    #[inline(always)]
    fn xor_block(&mut self, j: usize, block: &[u8]) {
        for (i, lane) in self.s[..RATE / 8].iter_mut().enumerate() {
            lane[j] ^= le64(block, 8 * i);
        }
    }

    /// XORs `data` into state `j` from byte `pos` on (`pos + data.len()`
    /// at most [`RATE`]).
    fn xor_bytes(&mut self, j: usize, pos: usize, data: &[u8]) {
        for (k, &byte) in data.iter().enumerate() {
            let p = pos + k;
            self.s[p / 8][j] ^= u64::from(byte) << (8 * (p % 8));
        }
    }

    /// Pads state `j` whose rate holds `pos` (< [`RATE`]) bytes of the
    /// last block, with domain byte `domain`.
    fn pad(&mut self, j: usize, pos: usize, domain: u8) {
        self.s[pos / 8][j] ^= u64::from(domain) << (8 * (pos % 8));
        self.s[(RATE - 1) / 8][j] ^= 0x80 << (8 * ((RATE - 1) % 8));
    }

    /// Writes the first `out.len()` (≤ [`RATE`]) bytes of state `j`, or
    /// XORs them into `out` when `xor`.
    #[inline(always)]
    fn squeeze(&self, j: usize, out: &mut [u8], xor: bool) {
        let mut chunks = out.chunks_exact_mut(8);
        for (chunk, lane) in (&mut chunks).zip(self.s.iter()) {
            let mut w = lane[j];
            if xor {
                w ^= le64(chunk, 0);
            }
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        let done = out.len() - out.len() % 8;
        let rest = &mut out[done..];
        if !rest.is_empty() {
            let bytes = self.s[done / 8][j].to_le_bytes();
            for (o, b) in rest.iter_mut().zip(bytes) {
                *o = if xor { *o ^ b } else { b };
            }
        }
    }
}

impl<const N: usize> Drop for LaneState<N> {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(self.s.as_flattened_mut());
    }
}

/// The 64-byte chaining values `TurboSHAKE256(leaf, 0x0B, 64)` of up to
/// `N` leaves (each of 1 to 8192 bytes, of any lengths), in lockstep: a
/// shorter leaf's value is read as soon as its last block is permuted.
fn leaf_cvs_n<const N: usize>(leaves: &[&[u8]], cvs: &mut [[u8; 64]]) {
    debug_assert!(leaves.len() <= N && leaves.len() == cvs.len());
    let mut st = LaneState::<N> {
        s: [[0u64; N]; 25],
    };
    // Blocks before the last (padded) one, per leaf.
    let full = |leaf: &[u8]| leaf.len() / RATE;
    let all_full = leaves.iter().map(|l| full(l)).min().unwrap_or(0);
    let steps = leaves.iter().map(|l| full(l) + 1).max().unwrap_or(0);
    let lockstep = leaves.len() == N;
    for b in 0..steps {
        if lockstep && b < all_full {
            // Every state takes a full block: the common case.
            for i in 0..RATE / 8 {
                for (j, leaf) in leaves.iter().enumerate() {
                    st.s[i][j] ^= le64(leaf, b * RATE + 8 * i);
                }
            }
        } else {
            for (j, leaf) in leaves.iter().enumerate() {
                let f = full(leaf);
                if b < f {
                    st.xor_block(j, &leaf[b * RATE..(b + 1) * RATE]);
                } else if b == f {
                    let tail = &leaf[b * RATE..];
                    st.xor_bytes(j, 0, tail);
                    st.pad(j, tail.len(), super::kt256::LEAF_DOMAIN);
                }
            }
        }
        st.permute();
        for (j, leaf) in leaves.iter().enumerate() {
            if b == full(leaf) {
                st.squeeze(j, &mut cvs[j], false);
            }
        }
    }
}

/// The chaining values of `leaves` (see [`leaf_cvs_n`]), grouped into
/// lanes as `backend` says.
pub(super) fn leaf_cvs(backend: Backend, leaves: &[&[u8]], cvs: &mut [[u8; 64]]) {
    backend.for_groups(leaves.len(), |width, r| {
        let (l, c) = (&leaves[r.clone()], &mut cvs[r]);
        match width {
            8 => leaf_cvs_n::<8>(l, c),
            4 => leaf_cvs_n::<4>(l, c),
            _ => leaf_cvs_n::<1>(l, c),
        }
    });
}

/// Blocks `outs[k]` of the keystream for counters `first + k`, at most
/// `N` of them (see [`keystream`]), from `base`: the sponge with the
/// common prefix absorbed.
fn keystream_n<const N: usize>(
    base: &Absorber,
    domain: u8,
    first: u64,
    outs: &mut [&mut [u8]],
    xor: bool,
) {
    debug_assert!(outs.len() <= N);
    let mut st = LaneState::<N>::broadcast(&base.state);
    // Absorb the counters (in lockstep: the same length everywhere).
    let mut pos = base.pos;
    let mut k = 0;
    while k < 8 {
        if pos == RATE {
            st.permute();
            pos = 0;
        }
        let n = (8 - k).min(RATE - pos);
        for (j, _) in outs.iter().enumerate() {
            let ctr = first.wrapping_add(j as u64).to_le_bytes();
            st.xor_bytes(j, pos, &ctr[k..k + n]);
        }
        pos += n;
        k += n;
    }
    if pos == RATE {
        st.permute();
        pos = 0;
    }
    for j in 0..N {
        st.pad(j, pos, domain);
    }
    let longest = outs.iter().map(|o| o.len()).max().unwrap_or(0);
    let mut off = 0;
    while off < longest {
        st.permute();
        for (j, out) in outs.iter_mut().enumerate() {
            if off < out.len() {
                let end = out.len().min(off + RATE);
                st.squeeze(j, &mut out[off..end], xor);
            }
        }
        off += RATE;
    }
}

/// Writes (or XORs, when `xor`) into `out` the counter-mode keystream:
/// block `k` (`block_len` bytes, the last one possibly shorter) is
/// `TurboSHAKE256(prefix ‖ le64(first + k), domain, block_len)`, the
/// blocks grouped into lanes as `backend` says.
pub(super) fn keystream(
    backend: Backend,
    prefix: &[u8],
    domain: u8,
    first: u64,
    block_len: NonZeroUsize,
    out: &mut [u8],
    xor: bool,
) {
    let mut base = Absorber::new();
    base.absorb(prefix);
    let mut blocks: Vec<&mut [u8]> = out.chunks_mut(block_len.get()).collect();
    let count = blocks.len();
    backend.for_groups(count, |width, r| {
        let first = first.wrapping_add(r.start as u64);
        let outs = &mut blocks[r];
        match width {
            8 => keystream_n::<8>(&base, domain, first, outs, xor),
            4 => keystream_n::<4>(&base, domain, first, outs, xor),
            _ => keystream_n::<1>(&base, domain, first, outs, xor),
        }
    });
}
