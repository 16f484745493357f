//! Four Keccak-p\[1600\] permutations in lockstep, and the choice of the
//! code that runs them.
//!
//! The rounds are the generated `round_x4` (portable, safe Rust that LLVM
//! vectorises). Compiled for the x86-64 baseline (SSE2: two registers per
//! `[u64; 4]`, no 64-bit vector rotate) four lanes cost about 2.9 scalar
//! permutations on a Zen 3 core (1410 cycles); compiled with AVX2 (one
//! register per `[u64; 4]`, rotations by 8 and 56 as byte shuffles) about
//! 1.45 (680 cycles, 57 a round: 184 vector operations a round on four
//! vector pipes, two of which shift, cannot go below ~46). So on x86-64
//! the same code is also compiled with AVX2 enabled and chosen at run
//! time when the CPU has it.
//!
//! Squeezing (writing or XORing four 136-byte rates into four outputs
//! right after the permutation) is compiled the same two ways, together
//! with the permutation: with AVX2 it is 4×4 transposes in registers and
//! whole-vector loads and stores, 6% faster keystreams than the baseline
//! code after a separate call. (The same for absorbing was 3% slower than
//! XORing the blocks in with baseline code before the call, so absorbing
//! stays in `lanes`.) Calling the AVX2 copies is an `unsafe` operation
//! (the crate's other ones are the scalar permutation's BMI copy, `x1`,
//! and the AVX-512 copy of `x8`).

use super::round::round_x4;
use super::turboshake::RATE;

/// Applies the rounds with constants `rcs` to the transposed states `s`.
#[inline(always)]
fn rounds(s: &mut [[u64; 4]; 25], rcs: &[u64]) {
    let mut t = [[0u64; 4]; 25];
    let mut pairs = rcs.chunks_exact(2);
    for pair in &mut pairs {
        round_x4(s, &mut t, pair[0]);
        round_x4(&t, s, pair[1]);
    }
    if let [rc] = pairs.remainder() {
        round_x4(s, &mut t, *rc);
        *s = t;
    }
}

/// Writes the rate of state `j` into `outs[j]` (little-endian lanes), or
/// XORs it in when `xor`: four lanes at a time, so that the 4×4 block of
/// words is transposed in registers and each output gets whole vectors.
#[inline(always)]
fn squeeze_blocks(s: &[[u64; 4]; 25], outs: &mut [&mut [u8; RATE]; 4], xor: bool) {
    for (j, out) in outs.iter_mut().enumerate() {
        let (words, _) = out.as_chunks_mut::<8>();
        for (group, lanes) in words.chunks_mut(4).zip(s[..RATE / 8].chunks(4)) {
            let mut w = [0u64; 4];
            for ((w, bytes), lane) in w.iter_mut().zip(group.iter()).zip(lanes) {
                *w = if xor {
                    lane[j] ^ u64::from_le_bytes(*bytes)
                } else {
                    lane[j]
                };
            }
            for (bytes, w) in group.iter_mut().zip(w) {
                *bytes = w.to_le_bytes();
            }
        }
    }
}

/// [`rounds`] for the compilation target's baseline features.
fn portable(s: &mut [[u64; 4]; 25], rcs: &[u64]) {
    rounds(s, rcs);
}

/// The portable copy, whatever the CPU has (tests compare both copies).
#[cfg(test)]
pub(super) fn portable_for_tests(s: &mut [[u64; 4]; 25], rcs: &[u64]) {
    portable(s, rcs);
}

/// [`rounds`], then [`squeeze_blocks`], for the baseline features.
fn portable_squeeze(
    s: &mut [[u64; 4]; 25],
    rcs: &[u64],
    outs: &mut [&mut [u8; RATE]; 4],
    xor: bool,
) {
    rounds(s, rcs);
    squeeze_blocks(s, outs, xor);
}

/// [`rounds`] compiled with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn avx2(s: &mut [[u64; 4]; 25], rcs: &[u64]) {
    rounds(s, rcs);
}

/// [`portable_squeeze`] compiled with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn avx2_squeeze(s: &mut [[u64; 4]; 25], rcs: &[u64], outs: &mut [&mut [u8; RATE]; 4], xor: bool) {
    rounds(s, rcs);
    squeeze_blocks(s, outs, xor);
}

/// Whether this CPU runs the AVX2 copies.
#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
    std::is_x86_feature_detected!("avx2")
}

/// Applies the rounds with constants `rcs` to the four transposed states
/// `s`, with the fastest code this CPU runs.
pub(super) fn permute(s: &mut [[u64; 4]; 25], rcs: &[u64]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: `avx2` only needs the AVX2 instructions to exist, and
        // `has_avx2` has just detected them on this CPU.
        unsafe { avx2(s, rcs) };
        return;
    }
    portable(s, rcs);
}

/// Applies the rounds with constants `rcs`, then writes the rate of state
/// `j` into `outs[j]` (XORs it in when `xor`), with the fastest code this
/// CPU runs.
pub(super) fn permute_squeeze(
    s: &mut [[u64; 4]; 25],
    rcs: &[u64],
    outs: &mut [&mut [u8; RATE]; 4],
    xor: bool,
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: `avx2_squeeze` only needs the AVX2 instructions to
        // exist, and `has_avx2` has just detected them on this CPU.
        unsafe { avx2_squeeze(s, rcs, outs, xor) };
        return;
    }
    portable_squeeze(s, rcs, outs, xor);
}

/// Whether four lanes cost well under two scalar permutations here (true
/// with AVX2); otherwise they cost about three, and schedulers should run
/// fewer than four pending permutations one by one.
pub(super) fn is_cheap() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        has_avx2()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn squeezing_copies_agree(
            words in proptest::collection::vec(any::<u64>(), 100),
            out in proptest::collection::vec(any::<u8>(), 4 * RATE),
            xor in any::<bool>(),
        ) {
            // Whatever this CPU dispatches to against the portable copy,
            // and both against the permutation and a lane-by-lane read.
            let mut s = [[0u64; 4]; 25];
            for (w, x) in s.as_flattened_mut().iter_mut().zip(&words) {
                *w = *x;
            }
            let rcs = &super::super::RC[12..];
            let mut got = [out.clone(), out.clone()];
            let mut states = [s, s];
            for (k, (state, buf)) in states.iter_mut().zip(got.iter_mut()).enumerate() {
                let (a, rest) = buf.split_at_mut(RATE);
                let (b, rest) = rest.split_at_mut(RATE);
                let (c, d) = rest.split_at_mut(RATE);
                let mut outs: [&mut [u8; RATE]; 4] = [
                    a.try_into().unwrap(),
                    b.try_into().unwrap(),
                    c.try_into().unwrap(),
                    d.try_into().unwrap(),
                ];
                if k == 0 {
                    permute_squeeze(state, rcs, &mut outs, xor);
                } else {
                    portable_squeeze(state, rcs, &mut outs, xor);
                }
            }
            prop_assert_eq!(&got[0], &got[1]);
            prop_assert_eq!(states[0], states[1]);
            let mut want = out;
            permute(&mut s, rcs);
            prop_assert_eq!(s, states[0]);
            for (j, block) in want.chunks_mut(RATE).enumerate() {
                for (i, bytes) in block.chunks_mut(8).enumerate() {
                    for (b, k) in bytes.iter_mut().zip(s[i][j].to_le_bytes()) {
                        *b = if xor { *b ^ k } else { k };
                    }
                }
            }
            prop_assert_eq!(&got[0], &want);
        }
    }
}
