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

/// One lane's share of a KT256 batch: absorbing `data` into a state that
/// already holds `start` bytes of its current block, block by block.
struct Job<'a> {
    data: &'a [u8],
    start: usize,
    /// Steps that absorb a block up to its end (each then permuted).
    full: usize,
    /// A leaf: after the full blocks, its tail is padded with
    /// [`LEAF_DOMAIN`](super::kt256::LEAF_DOMAIN), permuted, and the
    /// chaining value read. Otherwise (the final node) the tail is left
    /// unpermuted.
    leaf: bool,
}

impl Job<'_> {
    fn new(data: &[u8], start: usize, leaf: bool) -> Job<'_> {
        let head = RATE - start;
        let full = if data.len() < head {
            0
        } else {
            1 + (data.len() - head) / RATE
        };
        Job {
            data,
            start,
            full,
            leaf,
        }
    }

    /// The data of block `b` (< `full`) and where it goes in the state.
    fn block(&self, b: usize) -> (&[u8], usize) {
        let head = RATE - self.start;
        if b == 0 {
            (&self.data[..head], self.start)
        } else {
            let at = head + (b - 1) * RATE;
            (&self.data[at..at + RATE], 0)
        }
    }

    /// The bytes after the full blocks, and where they go in the state.
    fn tail(&self) -> (&[u8], usize) {
        if self.full == 0 {
            (self.data, self.start)
        } else {
            (&self.data[RATE - self.start + (self.full - 1) * RATE..], 0)
        }
    }
}

/// Up to `N` independent pieces of KT256 in lockstep: the chaining values
/// `TurboSHAKE256(leaf, 0x0B, 64)` of `leaves` (each of 1 to 8192 bytes,
/// of any lengths; a shorter leaf's value is read as soon as its last
/// block is permuted) and, when `node` is given (then in lane 0, with
/// `leaves.len() < N`), the final node absorbing the rest of `S_0`.
fn batch_n<const N: usize>(
    node: Option<(&mut Absorber, &[u8])>,
    leaves: &[&[u8]],
    cvs: &mut [[u8; 64]],
) {
    debug_assert!(leaves.len() == cvs.len());
    let mut st = LaneState::<N> { s: [[0u64; N]; 25] };
    let mut jobs: [Option<Job<'_>>; N] = [const { None }; N];
    let (mut node, first_leaf) = match node {
        Some((absorber, data)) => {
            if absorber.pos == RATE {
                super::p1600(&mut absorber.state, ROUNDS);
                absorber.pos = 0;
            }
            for (lane, &w) in st.s.iter_mut().zip(absorber.state.iter()) {
                lane[0] = w;
            }
            jobs[0] = Some(Job::new(data, absorber.pos, false));
            (Some(absorber), 1)
        }
        None => (None, 0),
    };
    debug_assert!(first_leaf + leaves.len() <= N);
    for (slot, leaf) in jobs[first_leaf..].iter_mut().zip(leaves) {
        *slot = Some(Job::new(leaf, 0, true));
    }
    let steps = jobs
        .iter()
        .flatten()
        .map(|j| j.full + usize::from(j.leaf))
        .max()
        .unwrap_or(0);
    // Steps from which every lane takes a full, aligned block.
    let aligned_from = jobs
        .iter()
        .flatten()
        .map(|j| usize::from(j.start != 0))
        .max()
        .unwrap_or(0);
    let aligned_to = jobs
        .iter()
        .map(|j| j.as_ref().map_or(0, |j| j.full))
        .min()
        .unwrap_or(0);
    for b in 0..steps {
        if b >= aligned_from && b < aligned_to {
            // Every lane takes a full block: the common case.
            let mut blocks: [&[u8]; N] = [&[]; N];
            for (block, job) in blocks.iter_mut().zip(jobs.iter().flatten()) {
                *block = job.block(b).0;
            }
            for i in 0..RATE / 8 {
                for (lane, block) in st.s[i].iter_mut().zip(blocks) {
                    *lane ^= le64(block, 8 * i);
                }
            }
        } else {
            for (j, job) in jobs.iter().enumerate() {
                let Some(job) = job else { continue };
                if b < job.full {
                    let (block, at) = job.block(b);
                    st.xor_bytes(j, at, block);
                } else if b == job.full && job.leaf {
                    let (tail, at) = job.tail();
                    st.xor_bytes(j, at, tail);
                    st.pad(j, at + tail.len(), super::kt256::LEAF_DOMAIN);
                }
            }
        }
        st.permute();
        for (j, job) in jobs.iter().enumerate() {
            let Some(job) = job else { continue };
            if job.leaf && b == job.full {
                st.squeeze(j, &mut cvs[j - first_leaf], false);
            } else if !job.leaf
                && b + 1 == job.full
                && let Some(absorber) = node.as_deref_mut()
            {
                // The final node's last full block: its state leaves the
                // lane (which goes on permuting for the leaves).
                for (w, lane) in absorber.state.iter_mut().zip(st.s.iter()) {
                    *w = lane[0];
                }
                absorber.pos = 0;
            }
        }
    }
    // The final node's tail stays in its rate, unpermuted.
    if let (Some(absorber), Some(job)) = (node, &jobs[0]) {
        let (tail, at) = job.tail();
        debug_assert_eq!(at, absorber.pos);
        absorber.absorb(tail);
    }
}

/// The chaining values of `leaves` (see [`batch_n`]), grouped into lanes
/// as `backend` says.
pub(super) fn leaf_cvs(backend: Backend, leaves: &[&[u8]], cvs: &mut [[u8; 64]]) {
    backend.for_groups(leaves.len(), |width, r| {
        let (l, c) = (&leaves[r.clone()], &mut cvs[r]);
        match width {
            8 => batch_n::<8>(None, l, c),
            4 => batch_n::<4>(None, l, c),
            _ => batch_n::<1>(None, l, c),
        }
    });
}

/// Absorbs `data` (the rest of `S_0`) into the final node `node` and
/// computes the chaining values of `leaves` (fewer than the back end's
/// width), all in one group of lanes.
pub(super) fn node_and_leaf_cvs(
    backend: Backend,
    node: &mut Absorber,
    data: &[u8],
    leaves: &[&[u8]],
    cvs: &mut [[u8; 64]],
) {
    match backend.group_width(leaves.len() + 1) {
        8 => batch_n::<8>(Some((node, data)), leaves, cvs),
        4 => batch_n::<4>(Some((node, data)), leaves, cvs),
        _ => {
            node.absorb(data);
            leaf_cvs(backend, leaves, cvs);
        }
    }
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
