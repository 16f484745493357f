//! AOT2 known-answer vectors (`tests/data/aot2_vectors.json`, written by
//! the independent Python implementation `interop/aot2_reference.py`):
//! every valid vector seals to the same bytes (one-shot on 1 and 3
//! threads, and streaming in uneven pieces) and opens back (one-shot and
//! streaming); every invalid vector fails with its error.
//!
//! `interop/check_aot2.py` runs `random_cases` with `AIOOTP_AOT2_CASES`
//! at a file of fresh random cases in the same format, and
//! `AIOOTP_AOT2_RUST_OUT` at a file where this test writes messages
//! sealed here with random salts, for the Python side to open.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};

use aiootp::aot2::{self, Aot2Key, Aot2Password, Opener, Options, hazmat};
use aiootp::compat::passcrypt::Passcrypt;
use aiootp::error::Aot2Error;
use serde_json::Value;
use sha2::Digest;

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

fn field<'a>(case: &'a Value, name: &str) -> &'a str {
    case[name]
        .as_str()
        .unwrap_or_else(|| panic!("field {name}"))
}

/// The key of a case: its key, or passcrypt of its password (checked
/// against the derived key the vector states).
fn key_of(case: &Value, salt: &[u8; 32]) -> Aot2Key {
    if let Some(k) = case.get("key") {
        return Aot2Key::from_hex(k.as_str().unwrap()).unwrap();
    }
    let s: Vec<u64> = case["passcrypt"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let password = Aot2Password::new(unhex(field(case, "password")))
        .unwrap()
        .with_settings(Passcrypt::new(s[0], s[1], s[2]).unwrap());
    let key = password.derive_key(salt).unwrap();
    assert_eq!(hex(key.expose_secret()), field(case, "derived_key"));
    if s[0] > 1024 {
        // Expensive settings (the default, 64 MiB): derived once only.
        return key;
    }
    // The password itself seals to the same bytes as its derived key.
    let data = data_of(case);
    let options = Options::new()
        .ctx(unhex(field(case, "ctx")))
        .now(case["timestamp"].as_u64().unwrap());
    let by_password = hazmat::seal_with_salt(&password, salt, &data, &options).unwrap();
    let by_key = hazmat::seal_with_salt(&key, salt, &data, &options).unwrap();
    assert_eq!(by_password, by_key);
    assert_eq!(aot2::open(&password, &by_key, &options).unwrap(), data);
    key
}

fn data_of(case: &Value) -> Vec<u8> {
    match case.get("data") {
        Some(d) => unhex(d.as_str().unwrap()),
        None => pattern(case["data_pattern"].as_u64().unwrap() as usize),
    }
}

fn message_matches(case: &Value, message: &[u8]) -> Result<(), String> {
    let len = case["message_len"].as_u64().unwrap() as usize;
    if message.len() != len {
        return Err(format!("length {} != {len}", message.len()));
    }
    if let Some(m) = case.get("message") {
        return (hex(message) == m.as_str().unwrap())
            .then_some(())
            .ok_or_else(|| "bytes differ".into());
    }
    let ok = hex(&message[..96]) == field(case, "message_head")
        && hex(&message[len - 96..]) == field(case, "message_tail")
        && hex(&sha2::Sha256::digest(message)) == field(case, "message_sha256");
    ok.then_some(()).ok_or_else(|| "bytes differ".into())
}

/// The full message of a case (sealed here when the vector holds only
/// its digest; `message_matches` has checked it).
fn stream_seal(key: &Aot2Key, salt: &[u8; 32], data: &[u8], options: &Options) -> Vec<u8> {
    let mut sealer = hazmat::sealer_with_salt(Vec::new(), key, salt, options).unwrap();
    // Uneven pieces: 1 byte, then 10_000, then the rest.
    let (a, rest) = data.split_at(data.len().min(1));
    let (b, c) = rest.split_at(rest.len().min(10_000));
    for piece in [a, b, c] {
        sealer.write_all(piece).unwrap();
    }
    sealer.finish().unwrap()
}

fn stream_open(key: &Aot2Key, message: &[u8], options: &Options) -> Result<Vec<u8>, Aot2Error> {
    let mut opener = Opener::new(message, key, options).map_err(|e| match e {
        aiootp::Error::Aot2(e) => e,
        other => panic!("{other}"),
    })?;
    let mut out = Vec::new();
    // Small reads, to cross the held-back padding window many times.
    let mut buf = [0u8; 1000];
    loop {
        match opener.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => {
                return Err(e
                    .get_ref()
                    .and_then(|e| e.downcast_ref::<Aot2Error>())
                    .cloned()
                    .unwrap());
            }
        }
    }
}

/// Checks one valid case every way; returns a description of the first
/// mismatch.
fn check_valid(case: &Value) -> Result<(), String> {
    let name = field(case, "name");
    let salt: [u8; 32] = unhex(field(case, "salt")).try_into().unwrap();
    let key = key_of(case, &salt);
    let data = data_of(case);
    let ts = case["timestamp"].as_u64().unwrap();
    let ctx = unhex(field(case, "ctx"));
    let options = Options::new().ctx(ctx).now(ts);
    for threads in [1, 3] {
        let sealed =
            hazmat::seal_with_salt(&key, &salt, &data, &options.clone().threads(threads)).unwrap();
        message_matches(case, &sealed).map_err(|e| format!("{name}: seal x{threads}: {e}"))?;
        let (opened, at) =
            aot2::open_with_timestamp(&key, &sealed, &options.clone().threads(threads))
                .map_err(|e| format!("{name}: open x{threads}: {e}"))?;
        if opened != data || at != ts {
            return Err(format!("{name}: open x{threads} gives other data"));
        }
    }
    let streamed = stream_seal(&key, &salt, &data, &options);
    message_matches(case, &streamed).map_err(|e| format!("{name}: Sealer: {e}"))?;
    let opened =
        stream_open(&key, &streamed, &options).map_err(|e| format!("{name}: Opener: {e}"))?;
    if opened != data {
        return Err(format!("{name}: Opener gives other data"));
    }
    Ok(())
}

fn expected_error(name: &str) -> Aot2Error {
    let mut words = name.split(' ');
    match (
        words.next(),
        words.next().map(|n| n.parse::<u64>().unwrap()),
    ) {
        (Some("authentication"), None) => Aot2Error::Authentication,
        (Some("expired"), Some(seconds)) => Aot2Error::Expired { seconds },
        (Some("future"), Some(seconds)) => Aot2Error::FromTheFuture { seconds },
        _ => panic!("unknown error {name}"),
    }
}

/// The message of a splice vector: A (the data pattern) with the records
/// of B (A with one data byte flipped) at the given indices, both sealed
/// under the same key, salt, ctx and timestamp; checked against the
/// vector's length, head, tail and digest.
fn spliced_message(case: &Value, key: &Aot2Key) -> Vec<u8> {
    let recipe = &case["splice"];
    let salt: [u8; 32] = unhex(field(recipe, "salt")).try_into().unwrap();
    let a = pattern(recipe["data_pattern"].as_u64().unwrap() as usize);
    let mut b = a.clone();
    b[recipe["flip"].as_u64().unwrap() as usize] ^= 1;
    let options = Options::new()
        .ctx(unhex(field(case, "ctx")))
        .now(recipe["timestamp"].as_u64().unwrap());
    let ma = hazmat::seal_with_salt(key, &salt, &a, &options).unwrap();
    let mb = hazmat::seal_with_salt(key, &salt, &b, &options).unwrap();
    let swapped: Vec<u64> = recipe["records_of_b"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let mut message = salt.to_vec();
    for (i, (ra, rb)) in ma[32..]
        .chunks(aot2::RECORD_LEN)
        .zip(mb[32..].chunks(aot2::RECORD_LEN))
        .enumerate()
    {
        // The records of A and B at the same index each verify alone.
        message.extend_from_slice(if swapped.contains(&(i as u64)) {
            rb
        } else {
            ra
        });
    }
    message_matches(case, &message).unwrap_or_else(|e| panic!("{}: {e}", field(case, "name")));
    message
}

fn check_invalid(case: &Value) {
    let name = field(case, "name");
    let key = Aot2Key::from_hex(field(case, "key")).unwrap();
    let message = if case.get("splice").is_some() {
        spliced_message(case, &key)
    } else {
        unhex(field(case, "message"))
    };
    let mut options = Options::new().ctx(unhex(field(case, "ctx")));
    if let Some(ttl) = case.get("ttl") {
        options = options
            .ttl(ttl.as_u64().unwrap())
            .now(case["now"].as_u64().unwrap());
    }
    let want = expected_error(field(case, "error"));
    assert_eq!(
        aot2::open(&key, &message, &options),
        Err(want.clone()),
        "{name}"
    );
    assert_eq!(
        stream_open(&key, &message, &options),
        Err(want),
        "{name} (Opener)"
    );
}

fn vectors() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/aot2_vectors.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn valid_vectors() {
    let doc = vectors();
    let cases = doc["valid"].as_array().unwrap();
    assert!(cases.len() >= 15);
    for case in cases {
        check_valid(case).unwrap();
    }
}

#[test]
fn invalid_vectors() {
    let doc = vectors();
    let cases = doc["invalid"].as_array().unwrap();
    assert!(cases.len() >= 9);
    assert!(cases.iter().filter(|c| c.get("splice").is_some()).count() >= 2);
    for case in cases {
        check_invalid(case);
    }
}

/// The chain of the multi-chunk vectors: `TurboSHAKE256(tag_0 ‖ … ‖
/// tag_{m-2}, 0x43, 32)` over the tags in the message.
#[test]
fn chain_matches_vector() {
    let doc = vectors();
    let mut checked = Vec::new();
    for case in doc["valid"].as_array().unwrap() {
        let Some(chain) = case.get("chain") else {
            continue;
        };
        let salt: [u8; 32] = unhex(field(case, "salt")).try_into().unwrap();
        let key = key_of(case, &salt);
        let options = Options::new()
            .ctx(unhex(field(case, "ctx")))
            .now(case["timestamp"].as_u64().unwrap());
        let message = hazmat::seal_with_salt(&key, &salt, &data_of(case), &options).unwrap();
        let records: Vec<&[u8]> = message[32..].chunks(aot2::RECORD_LEN).collect();
        let mut tags = Vec::new();
        for r in &records[..records.len() - 1] {
            tags.extend_from_slice(&r[..aot2::TAG_LEN]);
        }
        let mut out = [0u8; 32];
        aiootp::keccak::turboshake256(&tags, 0x43, &mut out);
        assert_eq!(
            hex(&out),
            chain.as_str().unwrap(),
            "{}",
            field(case, "name")
        );
        checked.push(records.len());
    }
    // Messages of two chunks and of three or more.
    assert!(checked.contains(&2), "{checked:?}");
    assert!(checked.iter().any(|&m| m >= 3), "{checked:?}");
}

/// The first vector's intermediate values (the KDF halves) match.
#[test]
fn kdf_matches_vector() {
    let doc = vectors();
    let case = &doc["valid"][0];
    let key = Aot2Key::from_hex(field(case, "key")).unwrap();
    let salt: [u8; 32] = unhex(field(case, "salt")).try_into().unwrap();
    // k_mac ‖ k_enc = TurboSHAKE256(lp(label) ‖ lp(key) ‖ lp(salt) ‖ lp(ctx), 0x41, 128).
    let mut input = Vec::new();
    for f in [&b"aiootp aot2 kdf"[..], key.expose_secret(), &salt, b""] {
        input.extend_from_slice(&(f.len() as u64).to_le_bytes());
        input.extend_from_slice(f);
    }
    let mut out = [0u8; 128];
    aiootp::keccak::turboshake256(&input, 0x41, &mut out);
    assert_eq!(hex(&out[..64]), field(case, "k_mac"));
    assert_eq!(hex(&out[64..]), field(case, "k_enc"));
}

/// Random cases from `interop/check_aot2.py` (only when
/// `AIOOTP_AOT2_CASES` is set).
#[test]
fn random_cases() {
    let Ok(path) = std::env::var("AIOOTP_AOT2_CASES") else {
        return;
    };
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut failed = Vec::new();
    let mut passed = 0;
    let mut ours = Vec::new();
    for case in doc["valid"].as_array().unwrap() {
        match check_valid(case) {
            Ok(()) => passed += 1,
            Err(e) => failed.push(e),
        }
        // A message of ours with a random salt, one-shot and streamed,
        // for the Python side to open.
        let salt: [u8; 32] = unhex(field(case, "salt")).try_into().unwrap();
        let key = key_of(case, &salt);
        let options = Options::new()
            .ctx(unhex(field(case, "ctx")))
            .now(case["timestamp"].as_u64().unwrap());
        let data = data_of(case);
        let one_shot = aot2::seal(&key, &data, &options.clone().threads(2)).unwrap();
        let mut sealer = aot2::Sealer::new(Vec::new(), &key, &options).unwrap();
        sealer.write_all(&data).unwrap();
        let streamed = sealer.finish().unwrap();
        ours.push(serde_json::json!({
            "name": field(case, "name"),
            "one_shot": hex(&one_shot),
            "streamed": hex(&streamed),
        }));
    }
    for case in doc["invalid"].as_array().map_or(&[][..], |v| v) {
        check_invalid(case);
        passed += 1;
    }
    if let Ok(out) = std::env::var("AIOOTP_AOT2_RUST_OUT") {
        std::fs::write(out, serde_json::to_string(&ours).unwrap()).unwrap();
    }
    for f in &failed {
        println!("MISMATCH {f}");
    }
    println!("interop aot2: {passed} passed, {} failed", failed.len());
    assert!(failed.is_empty() && passed > 0);
}
