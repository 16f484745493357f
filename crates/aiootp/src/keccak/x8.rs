//! Eight Keccak-p\[1600\] permutations in lockstep, and the choice of the
//! code that runs them.
//!
//! The rounds are the generated `round_x8` (portable, safe Rust that LLVM
//! vectorises: one `[u64; 8]` is one 512-bit vector). Compiled for the
//! x86-64 baseline it is slow (SSE2 has no 64-bit vector rotate); compiled
//! with AVX-512F each lane of the eight states is one register, rotates
//! are one instruction (`vprolq`) and chi's and theta's three-input
//! logic folds into `vpternlogq`. So on x86-64 the same code is also
//! compiled with AVX-512F enabled and chosen at run time when the CPU has
//! it, as `x4` does for AVX2. Calling that copy is an `unsafe` operation.
//!
//! The AVX-512 copy is the portable code compiled with other target
//! features, nothing more; the tests compare whatever this CPU dispatches
//! to with the scalar permutation, and the portable copy too. On a CPU
//! without AVX-512 (the development machine of this crate) the AVX-512
//! copy is compiled but never run.

use super::round::round_x8;

/// Applies the rounds with constants `rcs` to the transposed states `s`.
#[inline(always)]
fn rounds(s: &mut [[u64; 8]; 25], rcs: &[u64]) {
    let mut t = [[0u64; 8]; 25];
    let mut pairs = rcs.chunks_exact(2);
    for pair in &mut pairs {
        round_x8(s, &mut t, pair[0]);
        round_x8(&t, s, pair[1]);
    }
    if let [rc] = pairs.remainder() {
        round_x8(s, &mut t, *rc);
        *s = t;
    }
}

/// [`rounds`] for the compilation target's baseline features.
fn portable(s: &mut [[u64; 8]; 25], rcs: &[u64]) {
    rounds(s, rcs);
}

/// The portable copy, whatever the CPU has (tests compare both copies).
#[cfg(test)]
pub(super) fn portable_for_tests(s: &mut [[u64; 8]; 25], rcs: &[u64]) {
    portable(s, rcs);
}

/// [`rounds`] compiled with AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn avx512(s: &mut [[u64; 8]; 25], rcs: &[u64]) {
    rounds(s, rcs);
}

/// Whether this CPU runs the AVX-512 copy.
#[cfg(target_arch = "x86_64")]
pub(super) fn has_avx512() -> bool {
    std::is_x86_feature_detected!("avx512f")
}

/// Whether this CPU runs the AVX-512 copy (never off x86-64).
#[cfg(not(target_arch = "x86_64"))]
pub(super) fn has_avx512() -> bool {
    false
}

/// Applies the rounds with constants `rcs` to the eight transposed states
/// `s`, with the fastest code this CPU runs.
pub(super) fn permute(s: &mut [[u64; 8]; 25], rcs: &[u64]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: `avx512` only needs the AVX-512F instructions to exist,
        // and `has_avx512` has just detected them on this CPU.
        unsafe { avx512(s, rcs) };
        return;
    }
    portable(s, rcs);
}
