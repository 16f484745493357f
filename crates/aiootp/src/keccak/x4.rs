//! Four Keccak-p\[1600\] permutations in lockstep, and the choice of the
//! code that runs them.
//!
//! The rounds are the generated `round_x4` (portable, safe Rust that LLVM
//! vectorises). Compiled for the x86-64 baseline (SSE2, no 64-bit vector
//! rotate) four lanes cost three or more scalar permutations; compiled
//! with AVX2 they cost about 1.4 scalar permutations. So on x86-64 the
//! same code is also compiled with AVX2 enabled and chosen at run time
//! when the CPU has it. Calling that copy is an `unsafe` operation (the
//! crate's other one is the scalar permutation's BMI copy, `x1`).

use super::round::round_x4;

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

/// [`rounds`] for the compilation target's baseline features.
fn portable(s: &mut [[u64; 4]; 25], rcs: &[u64]) {
    rounds(s, rcs);
}

/// The portable copy, whatever the CPU has (tests compare both copies).
#[cfg(test)]
pub(super) fn portable_for_tests(s: &mut [[u64; 4]; 25], rcs: &[u64]) {
    portable(s, rcs);
}

/// [`rounds`] compiled with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn avx2(s: &mut [[u64; 4]; 25], rcs: &[u64]) {
    rounds(s, rcs);
}

/// Whether this CPU runs the AVX2 copy.
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

/// Whether four lanes cost well under two scalar permutations here (true
/// with AVX2); otherwise they cost three or more, and schedulers should
/// run fewer than four pending permutations one by one.
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
