//! Replays every entry of the `hash` section of `tests/data/cipher.json`
//! (vectors made by Python aiootp 0.17.0, spec `cipher.md` §3 and §19):
//! the exact `repr` preimage text and the hex digest of `sha_256`,
//! `sha_512`, `sha_256_hmac` and `sha_512_hmac`.

mod common;

use aiootp::compat::pyvalue::repr_tuple;
use aiootp::compat::{PyValue, hash};
use common::typed::{field, items, load_data, text, typed, untyped};

fn preimage(args: &[PyValue]) -> String {
    let mut out = String::new();
    repr_tuple(args, &mut out);
    out
}

#[test]
fn hash_vectors() {
    let vectors = load_data("cipher.json");
    let entries = items(field(&vectors, "hash"));
    assert!(entries.len() >= 20, "only {} hash vectors", entries.len());
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for (i, entry) in entries.iter().enumerate() {
        let func = text(field(entry, "fn"));
        *seen.entry(func.to_owned()).or_default() += 1;
        let expected_hex = text(field(entry, "hex"));
        let expected_pre = text(field(entry, "preimage"));
        match func {
            "sha_256" | "sha_512" => {
                let args: Vec<PyValue> = items(field(entry, "args")).iter().map(typed).collect();
                // The typed convention round-trips.
                for (raw, value) in items(field(entry, "args")).iter().zip(&args) {
                    assert_eq!(typed(&untyped(value)).repr(), value.repr(), "entry {i}");
                    assert_eq!(untyped(value).repr(), raw.repr(), "entry {i}");
                }
                assert_eq!(preimage(&args), expected_pre, "entry {i} preimage");
                let got = if func == "sha_256" {
                    hash::sha_256(&args)
                } else {
                    hash::sha_512(&args)
                };
                assert_eq!(got, expected_hex, "entry {i} {func}");
                let direct = if func == "sha_256" {
                    hash::sha3_256_hex(expected_pre.as_bytes())
                } else {
                    hash::sha3_512_hex(expected_pre.as_bytes())
                };
                assert_eq!(direct, expected_hex, "entry {i} digest of preimage");
            }
            "sha_256_hmac" | "sha_512_hmac" => {
                let data = typed(field(entry, "data"));
                let key = typed(field(entry, "key"));
                let inner_pre = preimage(&[data.clone(), key.clone()]);
                assert_eq!(inner_pre, text(field(entry, "inner_preimage")), "entry {i}");
                let (inner, got) = if func == "sha_256_hmac" {
                    (
                        hash::sha_256(&[data.clone(), key.clone()]),
                        hash::sha_256_hmac(&data, &key),
                    )
                } else {
                    (
                        hash::sha_512(&[data.clone(), key.clone()]),
                        hash::sha_512_hmac(&data, &key),
                    )
                };
                assert_eq!(inner, text(field(entry, "inner_hex")), "entry {i} inner");
                assert_eq!(
                    preimage(&[PyValue::Str(inner), key.clone()]),
                    expected_pre,
                    "entry {i} outer preimage"
                );
                assert_eq!(got, expected_hex, "entry {i} {func}");
            }
            other => panic!("entry {i}: unknown fn {other:?}"),
        }
    }
    for func in ["sha_256", "sha_512", "sha_256_hmac", "sha_512_hmac"] {
        assert!(
            seen.get(func).copied().unwrap_or(0) > 0,
            "no {func} vectors: {seen:?}"
        );
    }
}
