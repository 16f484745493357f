#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Wycheproof X25519 and Ed25519 sets, and extra Ed25519 edge cases with
//! the verdicts of OpenSSL (the reference's backend), run through this
//! crate's wrappers — not through dalek directly.
//!
//! Expected results:
//! - Ed25519: Wycheproof's `valid` / `invalid` (the set has no
//!   `acceptable` cases). OpenSSL 4.0 via Python `cryptography` 47 agrees
//!   with all 151.
//! - X25519: the shared secret for `valid` and `acceptable` cases, except
//!   that an all-zero shared secret must be refused with
//!   `LowOrderPoint`, as OpenSSL refuses it (all 518 agree).
//! - `tests/data/ed25519_openssl_edges.json` (made by
//!   `interop/gen_ed25519_edges.py` with the reference's `cryptography`):
//!   small-order and non-canonical public keys and `R` values, `s >= L`,
//!   mixed-order keys. These separate ed25519-dalek's `verify` (what
//!   OpenSSL does) from `verify_strict`.
//!
//! Run with `--nocapture` to see the counts.

use aiootp::asymmetric::{Ed25519PublicKey, X25519, X25519PublicKey};
use aiootp::error::AsymmetricError;
use wycheproof::TestResult;

#[test]
fn wycheproof_ed25519() {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap();
    let (mut pass, mut total, mut valid) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for group in &set.test_groups {
        let pk = Ed25519PublicKey::from_bytes(&group.key.pk).unwrap();
        for test in &group.tests {
            total += 1;
            let expected_ok = match test.result {
                TestResult::Valid => true,
                TestResult::Invalid => false,
                TestResult::Acceptable => panic!("no acceptable Ed25519 cases expected"),
            };
            let got = pk.verify(&test.sig, &test.msg);
            if let Err(e) = &got {
                assert_eq!(e, &AsymmetricError::InvalidSignature);
            }
            if got.is_ok() == expected_ok {
                pass += 1;
                valid += usize::from(expected_ok);
            } else {
                failures.push(format!("tc {}: {} ({:?})", test.tc_id, test.comment, got));
            }
        }
    }
    println!(
        "wycheproof ed25519: {pass}/{total} pass ({valid} valid, {} invalid)",
        pass - valid
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(total, 151);
}

#[test]
fn wycheproof_x25519() {
    let set = wycheproof::xdh::TestSet::load(wycheproof::xdh::TestName::X25519).unwrap();
    let (mut pass, mut total, mut refused) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for group in &set.test_groups {
        for test in &group.tests {
            total += 1;
            assert_ne!(test.result, TestResult::Invalid, "tc {}", test.tc_id);
            let key = X25519::from_secret_bytes(&test.private_key).unwrap();
            let peer = X25519PublicKey::from_bytes(&test.public_key).unwrap();
            let got = key.exchange(&peer);
            let zero = test.shared_secret.iter().all(|&b| b == 0);
            let ok = match (&got, zero) {
                (Err(AsymmetricError::LowOrderPoint), true) => {
                    refused += 1;
                    true
                }
                (Ok(shared), false) => shared.expose_secret()[..] == test.shared_secret[..],
                _ => false,
            };
            if ok {
                pass += 1;
            } else {
                failures.push(format!("tc {}: {} ({:?})", test.tc_id, test.comment, got));
            }
        }
    }
    println!("wycheproof x25519: {pass}/{total} pass ({refused} refused as low order)");
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(total, 518);
    assert!(refused > 0);
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn openssl_ed25519_edge_cases() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/ed25519_openssl_edges.json"
    );
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = data["cases"].as_array().unwrap();
    let (mut pass, mut valid) = (0usize, 0usize);
    let mut failures = Vec::new();
    for c in cases {
        let field = |k: &str| unhex(c[k].as_str().unwrap());
        let pk = Ed25519PublicKey::from_bytes(&field("public_key")).unwrap();
        let expected_ok = match c["result"].as_str().unwrap() {
            "valid" => true,
            "invalid" => false,
            other => panic!("unexpected result {other}"),
        };
        let got = pk.verify(&field("signature"), &field("message"));
        if got.is_ok() == expected_ok {
            pass += 1;
            valid += usize::from(expected_ok);
        } else {
            failures.push(format!("{}: {:?}", c["comment"], got));
        }
    }
    println!(
        "openssl ed25519 edge cases: {pass}/{} pass ({valid} valid)",
        cases.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    // Some of the valid ones use small-order keys, which `verify_strict`
    // would refuse: the file must keep such cases.
    assert!(valid >= 10, "{valid}");
}
