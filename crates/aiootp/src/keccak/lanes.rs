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

    /// The name of the environment variable that overrides
    /// [`Backend::detected`] (see there).
    pub const ENV_VAR: &'static str = "AIOOTP_KECCAK_BACKEND";

    /// The back end the library uses: the fastest on this CPU
    /// ([`Backend::X8`] with AVX-512F, [`Backend::X4`] with AVX2,
    /// [`Backend::Scalar`] otherwise), unless the environment variable
    /// [`AIOOTP_KECCAK_BACKEND`](Self::ENV_VAR) names another: `scalar`,
    /// `x4` or `x8` (read once, on the first call).
    ///
    /// The variable is a speed knob only, for measuring: every back end
    /// gives the same bytes, and one whose SIMD code this CPU cannot run
    /// runs its portable code (correct, slower). Other values are ignored.
    pub fn detected() -> Backend {
        static CHOSEN: std::sync::OnceLock<Backend> = std::sync::OnceLock::new();
        *CHOSEN.get_or_init(|| {
            std::env::var(Self::ENV_VAR)
                .ok()
                .and_then(|name| Self::from_name(&name))
                .unwrap_or_else(Self::fastest)
        })
    }

    /// The back end named `name` (`scalar`, `x4` or `x8`, any case,
    /// surrounding spaces ignored).
    fn from_name(name: &str) -> Option<Backend> {
        match name.trim().to_ascii_lowercase().as_str() {
            "scalar" => Some(Backend::Scalar),
            "x4" => Some(Backend::X4),
            "x8" => Some(Backend::X8),
            _ => None,
        }
    }

    /// The fastest back end on this CPU. Without AVX2 the scalar one:
    /// the CPUs without AVX2 are older or small cores, on which the SSE2
    /// copy of four lanes is not measured (on a Zen 3 core, which has
    /// AVX2, it costs 2.9 scalar permutations for the four).
    fn fastest() -> Backend {
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

    /// The states as four transposed states, when `N` is 4.
    fn as_x4(&mut self) -> Option<&mut [[u64; 4]; 25]> {
        if N != 4 {
            return None;
        }
        <&mut [[u64; 4]; 25]>::try_from(self.s.as_flattened_mut().as_chunks_mut::<4>().0).ok()
    }

    /// With four states (`N` = 4): permutes, then writes the rate of state
    /// `j` into `outs[j]` (XORs it in when `xor`), in one call of the x4
    /// code, and returns true. Otherwise does nothing and returns false.
    #[inline]
    fn permute_squeeze(&mut self, outs: &mut [&mut [u8; RATE]; 4], xor: bool) -> bool {
        match self.as_x4() {
            Some(s) => {
                super::x4::permute_squeeze(s, &super::RC[24 - ROUNDS..], outs, xor);
                true
            }
            None => false,
        }
    }

    /// XORs `data` into state `j` from byte `pos` on (`pos + data.len()`
    /// at most [`RATE`]).
    fn xor_bytes(&mut self, j: usize, pos: usize, data: &[u8]) {
        super::for_each_word(pos, data, |i, w| self.s[i][j] ^= w);
    }

    /// XORs `blocks[j]` into the rate of state `j`, for every `j`.
    #[inline(always)]
    fn xor_blocks(&mut self, blocks: &[&[u8; RATE]; N]) {
        for (i, lane) in self.s[..RATE / 8].iter_mut().enumerate() {
            for (word, block) in lane.iter_mut().zip(blocks) {
                *word ^= u64::from_le_bytes(block.as_chunks::<8>().0[i]);
            }
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
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(chunk);
                w ^= u64::from_le_bytes(bytes);
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
            let mut blocks: [&[u8; RATE]; N] = [&[0; RATE]; N];
            for (block, job) in blocks.iter_mut().zip(jobs.iter().flatten()) {
                if let Some(full) = job.block(b).0.first_chunk() {
                    *block = full;
                }
            }
            st.xor_blocks(&blocks);
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
        if let Some(mut blocks) = four_full_blocks(outs, off) {
            // A whole block out of each of four states: the common case.
            if st.permute_squeeze(&mut blocks, xor) {
                off += RATE;
                continue;
            }
        }
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

/// Decrypts and hashes in one pass: XORs into `data` (at most one
/// keystream block) the keystream `TurboSHAKE256(prefix ‖ le64(counter),
/// domain, data.len())` and absorbs the result into `node`, permuting the
/// keystream sponge and `node` together, in two lanes of the x4 code,
/// whenever both need a permutation (with a 136-byte rate both advance a
/// block per step, so all but the first and last steps pair up).
pub(super) fn xor_keystream_absorb(
    node: &mut Absorber,
    prefix: &[u8],
    domain: u8,
    counter: u64,
    data: &mut [u8],
) {
    let mut ks = Absorber::new();
    ks.absorb(prefix);
    ks.absorb(&counter.to_le_bytes());
    ks.pad(domain);
    // Lane 0: the keystream sponge; lane 1: `node`, whose rate holds `pos`
    // bytes.
    let mut st = LaneState::<4> { s: [[0u64; 4]; 25] };
    for ((lane, &k), &n) in st.s.iter_mut().zip(&ks.state).zip(&node.state) {
        lane[0] = k;
        lane[1] = n;
    }
    let mut pos = node.pos;
    // `data[..decrypted]` is plaintext, `data[..absorbed]` absorbed.
    let mut absorbed = 0;
    let mut decrypted = 0;
    let absorb = |st: &mut LaneState<4>, pos: &mut usize, plain: &[u8]| -> usize {
        let n = plain.len().min(RATE - *pos);
        st.xor_bytes(1, *pos, &plain[..n]);
        *pos += n;
        n
    };
    while decrypted < data.len() {
        absorbed += absorb(&mut st, &mut pos, &data[absorbed..decrypted]);
        if pos == RATE {
            // Both sponges need a permutation: together.
            st.permute();
            pos = 0;
            absorbed += absorb(&mut st, &mut pos, &data[absorbed..decrypted]);
        } else {
            // The keystream sponge alone (the first step).
            let mut one = [0u64; 25];
            for (w, lane) in one.iter_mut().zip(st.s.iter()) {
                *w = lane[0];
            }
            super::p1600(&mut one, ROUNDS);
            for (w, lane) in one.iter().zip(st.s.iter_mut()) {
                lane[0] = *w;
            }
            zeroize::Zeroize::zeroize(&mut one);
        }
        let n = (data.len() - decrypted).min(RATE);
        st.squeeze(0, &mut data[decrypted..decrypted + n], true);
        decrypted += n;
    }
    for (w, lane) in node.state.iter_mut().zip(st.s.iter()) {
        *w = lane[1];
    }
    node.pos = pos;
    node.absorb(&data[absorbed..]);
}

/// `outs[j][off..off + RATE]` for `j` in 0..4, if `outs` holds four
/// outputs that all reach that far.
fn four_full_blocks<'a>(outs: &'a mut [&mut [u8]], off: usize) -> Option<[&'a mut [u8; RATE]; 4]> {
    let [a, b, c, d] = outs else {
        return None;
    };
    let end = off.checked_add(RATE)?;
    let block = |o: &'a mut &mut [u8]| -> Option<&'a mut [u8; RATE]> {
        o.get_mut(off..end)?.try_into().ok()
    };
    Some([block(a)?, block(b)?, block(c)?, block(d)?])
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
    let mut blocks = out.chunks_mut(block_len.get());
    backend.for_groups(blocks.len(), |width, r| {
        let first = first.wrapping_add(r.start as u64);
        let mut outs: [&mut [u8]; 8] = Default::default();
        for (slot, block) in outs.iter_mut().zip(blocks.by_ref().take(r.len())) {
            *slot = block;
        }
        let outs = &mut outs[..r.len()];
        match width {
            8 => keystream_n::<8>(&base, domain, first, outs, xor),
            4 => keystream_n::<4>(&base, domain, first, outs, xor),
            _ => keystream_n::<1>(&base, domain, first, outs, xor),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_names() {
        assert_eq!(Backend::from_name("scalar"), Some(Backend::Scalar));
        assert_eq!(Backend::from_name(" X4\n"), Some(Backend::X4));
        assert_eq!(Backend::from_name("x8"), Some(Backend::X8));
        for other in ["", "x2", "avx2", "scalar x4"] {
            assert_eq!(Backend::from_name(other), None, "{other:?}");
        }
    }

    #[test]
    fn detected_is_stable() {
        // Read once: the same answer every time.
        assert_eq!(Backend::detected(), Backend::detected());
    }
}
