//! TurboSHAKE256 and KT256 (RFC 9861) and their lane back ends.
//!
//! - `rfc9861_vectors`: every TurboSHAKE256 and KT256 vector of RFC 9861
//!   §5 (`tests/data/rfc9861.txt`), KT256 on every [`Backend`];
//! - `pycryptodome_cases`: outputs computed by PyCryptodome's
//!   TurboSHAKE256 and a KT256 written on top of it
//!   (`tests/data/turboshake_pycryptodome.txt`, made by
//!   `interop/check_turboshake.py --write`; that script's live run points
//!   `AIOOTP_TURBOSHAKE_CASES` at a fresh file of random cases);
//! - proptests: every back end gives the scalar back end's bytes on random
//!   inputs and lengths, however the input and the output are split; the
//!   8-lane permutation is eight scalar permutations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::num::NonZeroUsize;

use aiootp::keccak::{
    Backend, Kt256, TurboShake256, kt256_with, p1600, p1600_x4, p1600_x8, turboshake256,
    turboshake256_keystream_with, turboshake256_xor_keystream_with,
};
use proptest::prelude::*;
use sha3::Digest;
use shake::{ExtendableOutput, Update, XofReader};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// RFC 9861's `ptn(n)`: byte `i` is `i mod 251`.
fn ptn(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// A vector file's `key=value` fields after the function name.
fn fields(line: &str) -> (&str, std::collections::HashMap<&str, &str>) {
    let mut words = line.split_whitespace();
    let func = words.next().expect("function");
    let map = words
        .map(|w| w.split_once('=').expect("key=value"))
        .collect();
    (func, map)
}

/// `empty`, `ptn(N)` or hex.
fn bytes_field(s: &str) -> Vec<u8> {
    if s == "empty" {
        Vec::new()
    } else if let Some(n) = s.strip_prefix("ptn(").and_then(|r| r.strip_suffix(')')) {
        ptn(n.parse().expect("ptn length"))
    } else {
        unhex(s)
    }
}

fn data_lines(name: &str) -> Vec<String> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    read_lines(&path)
}

fn read_lines(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// TurboSHAKE256 absorbing `msg` in pieces of `step` bytes and squeezing
/// `len` bytes in pieces of `out_step`.
fn turboshake_split(msg: &[u8], domain: u8, len: usize, step: usize, out_step: usize) -> Vec<u8> {
    let mut h = TurboShake256::new(domain);
    for piece in msg.chunks(step.max(1)) {
        h.update(piece);
    }
    let mut r = h.finalize_xof();
    let mut out = vec![0u8; len];
    for piece in out.chunks_mut(out_step.max(1)) {
        r.squeeze(piece);
    }
    out
}

#[test]
fn rfc9861_vectors() {
    let lines = data_lines("rfc9861.txt");
    let (mut ts, mut kt) = (0, 0);
    for line in &lines {
        let (func, f) = fields(line);
        let msg = bytes_field(f["M"]);
        let len: usize = f["L"].parse().unwrap();
        let want = unhex(f["out"]);
        let tail = |out: &[u8]| out[out.len() - want.len()..].to_vec();
        assert!(
            f.get("last")
                .is_none_or(|n| n.parse::<usize>().unwrap() == want.len())
        );
        match func {
            "TurboSHAKE256" => {
                let domain = u8::from_str_radix(f["D"], 16).unwrap();
                let mut out = vec![0u8; len];
                turboshake256(&msg, domain, &mut out);
                assert_eq!(hex(&tail(&out)), hex(&want), "{line}");
                let split = turboshake_split(&msg, domain, len, 1000, 77);
                assert_eq!(split, out, "{line} (split)");
                ts += 1;
            }
            "KT256" => {
                let custom = bytes_field(f["C"]);
                for backend in Backend::ALL {
                    let mut out = vec![0u8; len];
                    kt256_with(backend, &msg, &custom, &mut out);
                    assert_eq!(hex(&tail(&out)), hex(&want), "{line} ({backend:?})");
                }
                let mut h = Kt256::new(&custom);
                for piece in msg.chunks(5000) {
                    h.update(piece);
                }
                let mut out = vec![0u8; len];
                h.finalize_into(&mut out);
                assert_eq!(hex(&tail(&out)), hex(&want), "{line} (split)");
                kt += 1;
            }
            other => panic!("unknown function {other}"),
        }
    }
    // Every vector of the RFC's section 5 for these two functions.
    assert_eq!((ts, kt), (15, 18));
}

/// `SHAKE256(label ‖ decimal seed)[..len]`: the inputs of the PyCryptodome
/// cases (`interop/check_turboshake.py` makes them the same way).
fn expand(label: &str, seed: &str, len: usize) -> Vec<u8> {
    let mut x = shake::Shake256::default();
    x.update(label.as_bytes());
    x.update(seed.as_bytes());
    let mut out = vec![0u8; len];
    x.finalize_xof().read(&mut out);
    out
}

/// Checks the cases of a file made by `interop/check_turboshake.py`;
/// returns (passed, failed descriptions).
fn check_cases(lines: &[String]) -> (usize, Vec<String>) {
    let mut passed = 0;
    let mut failed = Vec::new();
    for line in lines {
        let (func, f) = fields(line);
        let seed = f["seed"];
        let msg = expand(
            "aiootp turboshake interop message ",
            seed,
            f["M"].parse().unwrap(),
        );
        let len: usize = f["L"].parse().unwrap();
        let mut outs = Vec::new();
        match func {
            "TurboSHAKE256" => {
                let domain = u8::from_str_radix(f["D"], 16).unwrap();
                let mut out = vec![0u8; len];
                turboshake256(&msg, domain, &mut out);
                outs.push(out);
            }
            "KT256" => {
                let custom = expand(
                    "aiootp turboshake interop custom ",
                    seed,
                    f["C"].parse().unwrap(),
                );
                for backend in Backend::ALL {
                    let mut out = vec![0u8; len];
                    kt256_with(backend, &msg, &custom, &mut out);
                    outs.push(out);
                }
            }
            "Keystream" => {
                let domain = u8::from_str_radix(f["D"], 16).unwrap();
                let first: u64 = f["first"].parse().unwrap();
                let block = NonZeroUsize::new(f["block"].parse().unwrap()).unwrap();
                for backend in Backend::ALL {
                    let mut out = vec![0u8; len];
                    turboshake256_keystream_with(backend, &msg, domain, first, block, &mut out);
                    outs.push(out);
                }
            }
            other => panic!("unknown function {other}"),
        }
        let want = f["sha3"].to_ascii_lowercase();
        let mut ok = true;
        for out in &outs {
            let got: String = sha3::Sha3_256::digest(out)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            ok &= got == want;
        }
        if ok {
            passed += 1;
        } else {
            failed.push(line.clone());
        }
    }
    (passed, failed)
}

#[test]
fn pycryptodome_cases() {
    let lines = data_lines("turboshake_pycryptodome.txt");
    assert!(lines.len() >= 100, "only {} cases", lines.len());
    for kind in ["TurboSHAKE256 ", "KT256 ", "Keystream "] {
        assert!(lines.iter().any(|l| l.starts_with(kind)), "no {kind}case");
    }
    let (passed, failed) = check_cases(&lines);
    assert!(failed.is_empty(), "{} failed: {failed:#?}", failed.len());
    assert_eq!(passed, lines.len());
    // The live run of interop/check_turboshake.py: fresh random cases.
    if let Ok(path) = std::env::var("AIOOTP_TURBOSHAKE_CASES") {
        let lines = read_lines(&path);
        let (passed, failed) = check_cases(&lines);
        for f in &failed {
            println!("MISMATCH {f}");
        }
        println!(
            "interop turboshake: {passed} passed, {} failed",
            failed.len()
        );
        assert!(failed.is_empty() && passed > 0);
    }
}

#[test]
fn domain_bytes_are_separated() {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    turboshake256(b"x", 0x1F, &mut a);
    turboshake256(b"x", 0x1E, &mut b);
    assert_ne!(a, b);
}

#[test]
#[should_panic(expected = "domain byte")]
fn domain_zero_is_refused() {
    let _ = TurboShake256::new(0x00);
}

#[test]
#[should_panic(expected = "domain byte")]
fn domain_above_7f_is_refused() {
    let mut out = [0u8; 8];
    turboshake256(b"", 0x80, &mut out);
}

#[test]
fn kt256_final_node_lane_at_every_offset() {
    // A first update of `head` bytes, then one long one: the rest of S_0
    // is absorbed in a lane next to the first leaves, from every position
    // in its block (0, mid-block, a full block, the last byte of S_0).
    let msg = noise(42, 9 * 8192 + 500);
    for head in [0, 1, 8, 77, 135, 136, 137, 272, 4000, 8191, 8192, 8193] {
        let mut want = [0u8; 48];
        kt256_with(Backend::Scalar, &msg, b"c", &mut want);
        for backend in Backend::ALL {
            let mut h = Kt256::with_backend(b"c", backend);
            h.update(&msg[..head]);
            h.update(&msg[head..]);
            let mut got = [0u8; 48];
            h.finalize_into(&mut got);
            assert_eq!(got, want, "head {head}, {backend:?}");
        }
    }
}

/// Deterministic bytes from a seed (xorshift; the inputs of the proptests,
/// cheaper than proptest's byte vectors at 100 KB).
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

/// Message lengths around the interesting edges: rate blocks, one chunk,
/// groups of four and eight leaves.
fn length() -> impl Strategy<Value = usize> {
    prop_oneof![
        0usize..600,
        8000usize..8400,
        (1usize..12, 0usize..5).prop_map(|(k, d)| k * 8192 + d - 2),
        0usize..140_000,
    ]
}

fn words() -> impl Strategy<Value = [u64; 25]> {
    proptest::array::uniform25(any::<u64>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn kt256_back_ends_agree_however_split(
        seed in any::<u64>(),
        len in length(),
        custom_len in prop_oneof![0usize..40, 8180usize..8200],
        out_len in 1usize..300,
        cuts in proptest::collection::vec(0usize..70_000, 0..6),
    ) {
        let msg = noise(seed, len);
        let custom = noise(!seed, custom_len);
        let mut want = vec![0u8; out_len];
        kt256_with(Backend::Scalar, &msg, &custom, &mut want);
        for backend in [Backend::X4, Backend::X8] {
            let mut got = vec![0u8; out_len];
            kt256_with(backend, &msg, &custom, &mut got);
            prop_assert_eq!(&got, &want, "{:?}", backend);
        }
        for backend in Backend::ALL {
            let mut h = Kt256::with_backend(&custom, backend);
            let mut rest = &msg[..];
            for &c in &cuts {
                let (piece, tail) = rest.split_at(c.min(rest.len()));
                h.update(piece);
                rest = tail;
            }
            h.update(rest);
            let mut r = h.finalize_xof();
            let mut got = vec![0u8; out_len];
            let (a, b) = got.split_at_mut(out_len / 3);
            r.squeeze(a);
            r.squeeze(b);
            prop_assert_eq!(&got, &want, "{:?} split", backend);
        }
    }

    #[test]
    fn turboshake_is_split_invariant(
        seed in any::<u64>(),
        len in 0usize..2000,
        domain in 1u8..=0x7F,
        out_len in 0usize..1000,
        step in 1usize..300,
        out_step in 1usize..300,
    ) {
        let msg = noise(seed, len);
        let mut want = vec![0u8; out_len];
        turboshake256(&msg, domain, &mut want);
        prop_assert_eq!(turboshake_split(&msg, domain, out_len, step, out_step), want);
    }

    #[test]
    fn keystream_blocks_are_turboshake_of_prefix_and_counter(
        seed in any::<u64>(),
        prefix_len in prop_oneof![0usize..300, 120usize..140],
        domain in 1u8..=0x7F,
        first in prop_oneof![0u64..100, Just(u64::MAX - 3)],
        block in 1usize..700,
        blocks in 0usize..20,
        short in 0usize..700,
    ) {
        let prefix = noise(seed, prefix_len);
        let block_len = NonZeroUsize::new(block).unwrap();
        let total = blocks * block + short % block;
        // The definition, block by block, with the scalar sponge.
        let mut want = vec![0u8; total];
        for (k, out) in want.chunks_mut(block).enumerate() {
            let mut input = prefix.clone();
            input.extend_from_slice(&first.wrapping_add(k as u64).to_le_bytes());
            turboshake256(&input, domain, out);
        }
        let data = noise(!seed, total);
        for backend in Backend::ALL {
            let mut got = vec![0u8; total];
            turboshake256_keystream_with(backend, &prefix, domain, first, block_len, &mut got);
            prop_assert_eq!(&got, &want, "{:?}", backend);
            let mut xored = data.clone();
            turboshake256_xor_keystream_with(backend, &prefix, domain, first, block_len, &mut xored);
            let expect: Vec<u8> = data.iter().zip(&want).map(|(d, k)| d ^ k).collect();
            prop_assert_eq!(xored, expect, "{:?} xor", backend);
        }
    }

    #[test]
    fn eight_lanes_are_eight_scalar_permutations(
        s in proptest::array::uniform8(words()),
        rounds in 0usize..=24,
    ) {
        let mut x8 = [[0u64; 8]; 25];
        let mut x4 = [[[0u64; 4]; 25]; 2];
        for (i, lane) in x8.iter_mut().enumerate() {
            for (j, w) in lane.iter_mut().enumerate() {
                *w = s[j][i];
                x4[j / 4][i][j % 4] = s[j][i];
            }
        }
        p1600_x8(&mut x8, rounds);
        p1600_x4(&mut x4[0], rounds);
        p1600_x4(&mut x4[1], rounds);
        for (j, state) in s.iter().enumerate() {
            let mut want = *state;
            p1600(&mut want, rounds);
            for (i, w) in want.iter().enumerate() {
                prop_assert_eq!(x8[i][j], *w);
                prop_assert_eq!(x4[j / 4][i][j % 4], *w);
            }
        }
    }
}
