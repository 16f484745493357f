#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The embedded `primes` table and the prime groups (spec `utilities.md`
//! §5.1, §5.4): every entry is a probable prime of its stated size
//! (Miller–Rabin, itself checked against Wycheproof's primality vectors),
//! the table has the reference's shape, and for sizes up to
//! [`EXTREMES_UP_TO`] bits `[0]` is the first and `[1]` the last prime of
//! its size.

use aiootp::data::groups::{DH_4096_GROUP_16, PRIME_GROUPS};
use aiootp::data::{prime_sizes, primes};
use num_bigint::BigUint;
use wycheproof::TestResult;

/// Sizes whose entries are also checked to be the extreme primes of their
/// size (a scan of every candidate between them and the size's bounds).
const EXTREMES_UP_TO: u32 = 520;

const SMALL_PRIMES: [u32; 54] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193,
    197, 199, 211, 223, 227, 229, 233, 239, 241, 251,
];

/// A uniformly random number in `[2, n - 2]` (`n > 4`), from the OS.
fn random_base(n: &BigUint) -> BigUint {
    let mut bytes = vec![0u8; n.bits().div_ceil(8) as usize + 16];
    aiootp::random::fill(&mut bytes).unwrap();
    BigUint::from_bytes_be(&bytes) % (n - 3u32) + 2u32
}

/// Miller–Rabin with base 2 and `rounds` random bases (random, so that no
/// composite built against fixed bases passes); trial division first.
fn is_probable_prime(n: &BigUint, rounds: usize) -> bool {
    for &p in &SMALL_PRIMES {
        if *n == BigUint::from(p) {
            return true;
        }
        if (n % p) == BigUint::ZERO {
            return false;
        }
    }
    if *n < BigUint::from(256u32) {
        // Not divisible by any prime below 256 and below 256: 0 or 1.
        return false;
    }
    let one = BigUint::from(1u32);
    let n_minus_1 = n - &one;
    let s = n_minus_1.trailing_zeros().unwrap_or(0);
    let d = &n_minus_1 >> s;
    let witness = |a: &BigUint| {
        let mut x = a.modpow(&d, n);
        if x == one || x == n_minus_1 {
            return false;
        }
        for _ in 1..s {
            x = &x * &x % n;
            if x == n_minus_1 {
                return false;
            }
        }
        true
    };
    if witness(&BigUint::from(2u32)) {
        return false;
    }
    (0..rounds).all(|_| !witness(&random_base(n)))
}

/// Random rounds for an entry of `bits` bits, after base 2. The entries
/// are not built to fool the test (the reference made them with sympy's
/// `nextprime` / `prevprime`), and for such numbers a single round already
/// errs with probability below 2^-80 from about 1000 bits on (Damgård,
/// Landrock, Pomerance 1993); the rounds below that are margin, and
/// fewer rounds above keep the 4096-bit entries cheap.
fn rounds_for(bits: u64) -> usize {
    match bits {
        0..1024 => 16,
        1024..2048 => 3,
        _ => 1,
    }
}

/// Random rounds for the Wycheproof set, which holds composites built to
/// pass fixed bases: each random round catches them with probability at
/// least 3/4, so 20 rounds leave 2^-40 per composite.
const ADVERSARIAL_ROUNDS: usize = 20;

#[test]
fn miller_rabin_agrees_with_wycheproof() {
    let set =
        wycheproof::primality::TestSet::load(wycheproof::primality::TestName::Primality).unwrap();
    let mut checked = 0;
    for group in &set.test_groups {
        for test in &group.tests {
            let bytes: &[u8] = &test.value;
            let negative = bytes.first().is_some_and(|&b| b & 0x80 != 0);
            let n = BigUint::from_bytes_be(bytes);
            // A prime passes every round, so rounds only matter for the
            // composites; the few large primes of the set (some with
            // thousands of squarings per round) get two.
            let rounds = match test.result {
                TestResult::Valid => 2,
                _ => ADVERSARIAL_ROUNDS,
            };
            let verdict = !negative && is_probable_prime(&n, rounds);
            match test.result {
                TestResult::Valid => assert!(verdict, "tc {}: {}", test.tc_id, test.comment),
                TestResult::Invalid => assert!(!verdict, "tc {}: {}", test.tc_id, test.comment),
                TestResult::Acceptable => {}
            }
            checked += 1;
        }
    }
    assert!(checked > 300);
}

#[test]
fn table_shape() {
    let sizes: Vec<u32> = prime_sizes().collect();
    let mut expected: Vec<u32> = (0..=257).collect();
    for top in [384u32, 512, 1024, 1536, 2048, 2560, 3072, 3584, 4096] {
        expected.extend([top - 1, top, top + 1]);
    }
    assert_eq!(sizes, expected);
    assert_eq!(sizes.len(), 285);
    assert!(primes(0).is_empty() && primes(1).is_empty());
    for bits in sizes.iter().copied().filter(|&b| b >= 2) {
        let list = primes(bits);
        assert_eq!(list.len(), 2, "primes({bits})");
        if bits > 2 {
            let (lo, hi) = (
                BigUint::from_bytes_be(list[0].to_be_bytes()),
                BigUint::from_bytes_be(list[1].to_be_bytes()),
            );
            assert!(lo < hi, "primes({bits})");
        }
    }
    for missing in [258u32, 300, 382, 386, 1000, 4098, u32::MAX] {
        assert!(primes(missing).is_empty(), "primes({missing})");
    }
    // The reference's quirk (spec §10.1 item 8) and the spec's examples.
    assert_eq!(primes(5)[0].to_u64(), Some(19));
    assert_eq!(primes(5)[1].to_u64(), Some(31));
    let p513 = BigUint::from_bytes_be(primes(513)[0].to_be_bytes());
    assert_eq!(p513, (BigUint::from(1u32) << 512u32) + 75u32);
    assert_eq!(primes(2048)[1].to_be_bytes().len(), 256);
}

#[test]
fn every_entry_is_a_probable_prime_of_its_size() {
    let mut count = 0;
    for bits in prime_sizes() {
        for p in primes(bits) {
            let n = BigUint::from_bytes_be(p.to_be_bytes());
            assert_eq!(n.to_string(), p.as_decimal(), "{p:?}");
            assert_eq!(p.to_string(), p.as_decimal());
            assert_eq!(n.bits(), u64::from(bits), "{p:?}");
            assert_eq!(p.bits(), bits);
            assert!(is_probable_prime(&n, rounds_for(n.bits())), "{p:?}");
            count += 1;
        }
    }
    assert_eq!(count, 2 * 283);
}

/// `[0]` is the first prime `>= 2^(k-1)` and `[1]` the last prime `< 2^k`
/// (but `primes(5)[0]` is 19, not 17).
#[test]
fn entries_are_the_extreme_primes_of_their_size() {
    for bits in prime_sizes().filter(|&b| (2..=EXTREMES_UP_TO).contains(&b)) {
        let list = primes(bits);
        let lo = BigUint::from_bytes_be(list[0].to_be_bytes());
        let hi = BigUint::from_bytes_be(list[1].to_be_bytes());
        let mut n = BigUint::from(1u32) << (bits - 1);
        while n < lo {
            let prime = is_probable_prime(&n, 1);
            if bits == 5 && n == BigUint::from(17u32) {
                assert!(prime);
            } else {
                assert!(!prime, "{n} is a smaller {bits}-bit prime than {lo}");
            }
            n += 1u32;
        }
        let mut n = (BigUint::from(1u32) << bits) - 1u32;
        while n > hi {
            assert!(
                !is_probable_prime(&n, 1),
                "{n} is a larger {bits}-bit prime than {hi}"
            );
            n -= 1u32;
        }
    }
}

#[test]
fn prime_groups_are_primes_of_their_size() {
    for g in PRIME_GROUPS.iter().chain([&DH_4096_GROUP_16]) {
        let p = BigUint::from_bytes_be(&g.modulus_be_bytes());
        assert_eq!(p.bits(), u64::from(g.bits()), "{g:?}");
        assert_eq!(p.to_str_radix(16), g.modulus_hex());
        assert!(is_probable_prime(&p, rounds_for(p.bits())), "{g:?}");
        assert!((2..=11).contains(&g.generator()));
    }
    // MOD_32 is the largest 32-bit prime (2^32 - 5), as the spec says.
    let mod32 = PRIME_GROUPS[0].to_u64().unwrap();
    assert_eq!(mod32, (1 << 32) - 5);
    assert!((mod32 + 1..1 << 32).all(|n| !is_probable_prime(&BigUint::from(n), 1)));
    // RFC 3526 groups are safe primes: (p - 1) / 2 is prime too.
    let p = BigUint::from_bytes_be(&DH_4096_GROUP_16.modulus_be_bytes());
    let q: BigUint = (&p - 1u32) >> 1u32;
    assert!(
        is_probable_prime(&q, 2),
        "the RFC 3526 prime is a safe prime"
    );
    assert_eq!(DH_4096_GROUP_16.generator(), 2);
}
