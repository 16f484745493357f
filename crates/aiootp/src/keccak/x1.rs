//! One Keccak-p\[1600\] permutation, and the choice of the code that runs
//! it.
//!
//! The rounds are the generated `round` (plane by plane, from one buffer
//! into another, theta's column parities carried from round to round;
//! two rounds per loop step so that the buffers swap roles without
//! copies, and LLVM keeps what it can of both in registers).
//! x86-64 CPUs with BMI1 have an and-not instruction (`andn`, chi's
//! `!b & c` in one step) and with BMI2 a non-destructive rotate (`rorx`);
//! the baseline has neither, so the code is also compiled with them
//! enabled and chosen at run time when the CPU has them. The x86-64
//! baseline copy runs the lane complemented rounds `round_lc` instead,
//! which need five NOTs a round rather than 25: faster without an and-not
//! instruction, slower with one. Other targets (which have an and-not
//! instruction) run `round`.
//!
//! On a Zen 3 core (core cycles, the least of many runs) Keccak-p\[1600,
//! 12\] takes about 490 cycles with the BMI copy (41 a round, ~200
//! instructions: the 130 ALU operations a round needs, which four ALUs
//! cannot run in fewer than 33 cycles, and loads, stores and spills),
//! 515 with the baseline one; Keccak-f\[1600\] about 930. That is as
//! fast as XKCP's lane complemented 64-bit code (~1000-1100 cycles for
//! 24 rounds on recent cores). Tried and dropped: recomputing C from the
//! 25 lanes each round instead of carrying it (7% fewer instructions,
//! fewer registers, 0.5-2% slower); unrolling the 12 rounds with
//! immediate constants (4% faster alone, 5-8% slower inside the sponges:
//! 10 KB of code crowds the op cache; all 24 rounds 15% slower even
//! alone); C as a tree; four rounds per loop step. Calling the BMI copy
//! is an `unsafe` operation.

use super::round::round;
#[cfg(target_arch = "x86_64")]
use super::round::{COMPLEMENTED, round_lc};

/// Defines `$name(s, rcs)`: applies the rounds with constants `rcs` to
/// `s`, with the generated round function `$round` (a macro rather than a
/// generic function so that the round is inlined into, and compiled with
/// the target features of, each copy).
macro_rules! rounds_with {
    ($(#[$attr:meta])* $name:ident, $round:ident) => {
        $(#[$attr])*
        #[inline(always)]
        fn $name(s: &mut [u64; 25], rcs: &[u64]) {
            let mut c = [0u64; 5];
            for (x, c) in c.iter_mut().enumerate() {
                *c = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20];
            }
            let mut t = [0u64; 25];
            let (pairs, rest) = rcs.as_chunks::<2>();
            for &[even, odd] in pairs {
                $round(s, &mut t, &mut c, even);
                $round(&t, s, &mut c, odd);
            }
            if let [rc] = rest {
                $round(s, &mut t, &mut c, *rc);
                *s = t;
            }
        }
    };
}

rounds_with!(
    /// Applies the rounds with constants `rcs` to `s` ([`round`]).
    rounds,
    round
);

rounds_with!(
    /// Applies the lane complemented rounds with constants `rcs` to `s`
    /// ([`round_lc`]; the lanes [`COMPLEMENTED`] stored inverted).
    #[cfg(target_arch = "x86_64")]
    rounds_lc,
    round_lc
);

/// Inverts the lanes [`COMPLEMENTED`] (its own inverse).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn complement(s: &mut [u64; 25]) {
    for i in COMPLEMENTED {
        s[i] = !s[i];
    }
}

/// The rounds for the compilation target's baseline features: lane
/// complemented on x86-64 (see the module).
#[cfg(target_arch = "x86_64")]
fn portable(s: &mut [u64; 25], rcs: &[u64]) {
    complement(s);
    rounds_lc(s, rcs);
    complement(s);
}

/// The rounds for the compilation target's baseline features.
#[cfg(not(target_arch = "x86_64"))]
fn portable(s: &mut [u64; 25], rcs: &[u64]) {
    rounds(s, rcs);
}

/// The portable copy, whatever the CPU has (tests compare both copies).
#[cfg(test)]
pub(super) fn portable_for_tests(s: &mut [u64; 25], rcs: &[u64]) {
    portable(s, rcs);
}

/// The rounds compiled with BMI1 and BMI2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "bmi1,bmi2")]
fn bmi(s: &mut [u64; 25], rcs: &[u64]) {
    rounds(s, rcs);
}

/// Whether this CPU runs the BMI copy, detected once: 0 not yet known,
/// 1 no, 2 yes.
#[cfg(target_arch = "x86_64")]
static HAS_BMI: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Whether this CPU runs the BMI copy (BMI1 and BMI2 both present).
#[cfg(target_arch = "x86_64")]
#[inline]
fn has_bmi() -> bool {
    use std::sync::atomic::Ordering::Relaxed;
    match HAS_BMI.load(Relaxed) {
        0 => {
            let yes =
                std::is_x86_feature_detected!("bmi1") && std::is_x86_feature_detected!("bmi2");
            HAS_BMI.store(if yes { 2 } else { 1 }, Relaxed);
            yes
        }
        known => known == 2,
    }
}

/// Applies the rounds with constants `rcs` (the last `rcs.len()` of
/// [`RC`](super::RC)) to `s`, with the fastest code this CPU runs.
#[inline]
pub(super) fn permute(s: &mut [u64; 25], rcs: &[u64]) {
    #[cfg(target_arch = "x86_64")]
    if has_bmi() {
        // SAFETY: `bmi` only needs the BMI1 and BMI2 instructions to exist,
        // and `has_bmi` has detected both on this CPU.
        unsafe { bmi(s, rcs) };
        return;
    }
    portable(s, rcs);
}
