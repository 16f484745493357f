//! Negative tests: every tamper of a compat message fails with the single
//! authentication error (or the expiry error) and yields no plaintext;
//! malformed encodings give typed errors, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aiootp::compat::{Ciphertext, DecryptOptions, EncryptOptions, Key, OneTimePad, PyValue};
use aiootp::error::{CipherError, DecodeError};
use proptest::prelude::*;

fn pad() -> OneTimePad {
    OneTimePad::new(Key::new("a key for tamper tests"))
}

fn message(len: usize) -> (OneTimePad, Ciphertext, Vec<u8>) {
    let p = pad();
    let pt: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
    let ct = p
        .bytes_encrypt_with(&pt, &EncryptOptions::new().pid(7))
        .unwrap();
    (p, ct, pt)
}

fn opts() -> DecryptOptions {
    DecryptOptions::new().pid(7)
}

#[test]
fn every_bit_flip_of_the_bytes_form_fails_authentication() {
    let (p, ct, _) = message(300);
    let bytes = ct.to_bytes().unwrap();
    // Every byte of tag and salt, and a spread of bits through the blocks.
    let positions: Vec<usize> = (0..64).chain((64..bytes.len()).step_by(7)).collect();
    for pos in positions {
        for bit in [0u8, 3, 7] {
            let mut t = bytes.clone();
            t[pos] ^= 1 << bit;
            let forged = Ciphertext::from_bytes(&t).unwrap();
            assert_eq!(
                p.bytes_decrypt_with(&forged, &opts()),
                Err(CipherError::Authentication),
                "byte {pos} bit {bit}"
            );
        }
    }
}

#[test]
fn truncation_and_reordering_fail() {
    let (p, ct, pt) = message(1000);
    let bytes = ct.to_bytes().unwrap();
    assert_eq!(p.bytes_decrypt_with(&ct, &opts()).unwrap(), pt);
    // Dropping whole blocks keeps a valid length but breaks the tag.
    for n in 1..ct.block_count() {
        let t = &bytes[..bytes.len() - 256 * n];
        let forged = Ciphertext::from_bytes(t).unwrap();
        assert_eq!(
            p.bytes_decrypt_with(&forged, &opts()),
            Err(CipherError::Authentication)
        );
    }
    // Cutting inside a block is a length error before any crypto.
    for cut in [1usize, 100, 255] {
        assert_eq!(
            Ciphertext::from_bytes(&bytes[..bytes.len() - cut]),
            Err(DecodeError::InvalidLength)
        );
    }
    // Swapping two blocks.
    let mut t = bytes.clone();
    let (a, b) = t[64..].split_at_mut(256);
    a.swap_with_slice(&mut b[..256]);
    let forged = Ciphertext::from_bytes(&t).unwrap();
    assert_eq!(
        p.bytes_decrypt_with(&forged, &opts()),
        Err(CipherError::Authentication)
    );
    // Duplicating a block.
    let mut t = bytes.clone();
    t.extend_from_slice(&bytes[64..320]);
    let forged = Ciphertext::from_bytes(&t).unwrap();
    assert_eq!(
        p.bytes_decrypt_with(&forged, &opts()),
        Err(CipherError::Authentication)
    );
}

#[test]
fn wrong_key_pid_salt_and_ttl() {
    let (p, ct, _) = message(50);
    let other = OneTimePad::new(Key::new("another key"));
    assert_eq!(
        other.bytes_decrypt_with(&ct, &opts()),
        Err(CipherError::Authentication)
    );
    for pid in [
        PyValue::from(8i64),
        PyValue::from("7"),
        PyValue::from(7.0),
        PyValue::None,
    ] {
        assert_eq!(
            p.bytes_decrypt_with(&ct, &DecryptOptions::new().pid(pid)),
            Err(CipherError::Authentication)
        );
    }
    let mut value = ct.to_value();
    if let PyValue::Dict(entries) = &mut value {
        entries[2].1 =
            PyValue::from("2751ecdbe5031595c6334be6bf7751d8964c31053c3ae3a38b9e1991538a3f29");
    }
    let forged = Ciphertext::from_value(&value).unwrap();
    assert_eq!(
        p.bytes_decrypt_with(&forged, &opts()),
        Err(CipherError::Authentication)
    );

    let old = p
        .bytes_encrypt_with(b"x", &EncryptOptions::new().pid(7).time(1_000_000))
        .unwrap();
    assert_eq!(
        p.bytes_decrypt_with(&old, &opts().ttl(10).now(1_000_011)),
        Err(CipherError::Expired { seconds: 1 })
    );
    assert_eq!(
        p.bytes_decrypt_with(&old, &opts().ttl(10).now(1_000_011))
            .unwrap_err()
            .to_string(),
        "Timestamp expired by <1> seconds."
    );
    assert!(
        p.bytes_decrypt_with(&old, &opts().ttl(10).now(1_000_010))
            .is_ok()
    );
    assert!(
        p.bytes_decrypt_with(&old, &opts().ttl(10).now(999_000))
            .is_ok(),
        "future passes"
    );
    assert!(
        p.bytes_decrypt_with(&old, &opts()).is_ok(),
        "ttl 0: no limit"
    );
}

#[test]
fn malformed_dict_json_gives_typed_errors() {
    let (_, ct, _) = message(5);
    let good = ct.to_json();
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "json"),
        ("[]".into(), "not an object"),
        ("{\"salt\": \"00\", \"ciphertext\": []}".into(), "'hmac'"),
        ("{\"hmac\": \"00\", \"ciphertext\": []}".into(), "'salt'"),
        (
            "{\"hmac\": \"00\", \"salt\": \"00\"}".into(),
            "'ciphertext'",
        ),
        (
            good.replace("\"hmac\": \"", "\"hmac\": 5, \"x\": \""),
            "hmac",
        ),
        (
            "{\"hmac\": \"a\", \"salt\": \"b\", \"ciphertext\": [-1]}".into(),
            "negative",
        ),
        (
            "{\"hmac\": \"a\", \"salt\": \"b\", \"ciphertext\": [1.5]}".into(),
            "integers",
        ),
        (
            "{\"hmac\": \"a\", \"salt\": \"b\", \"ciphertext\": [\"1\"]}".into(),
            "integers",
        ),
        (
            format!(
                "{{\"hmac\": \"a\", \"salt\": \"b\", \"ciphertext\": [1{}]}}",
                "0".repeat(617)
            ),
            "too big",
        ),
        (good[..good.len() - 1].to_owned(), "json"),
    ];
    for (text, what) in cases {
        let err = Ciphertext::from_json(&text).expect_err(&text);
        let msg = err.to_string();
        assert!(!msg.is_empty(), "{what}: {msg}");
    }
}

#[test]
fn empty_and_missing_tags() {
    let (p, ct, _) = message(5);
    let mut value = ct.to_value();
    if let PyValue::Dict(entries) = &mut value {
        entries[1].1 = PyValue::from("");
    }
    let forged = Ciphertext::from_value(&value).unwrap();
    assert_eq!(
        p.bytes_decrypt_with(&forged, &opts()),
        Err(CipherError::MissingHmac)
    );
    let upper =
        Ciphertext::from_json(&ct.to_json().replace(ct.hmac(), &ct.hmac().to_uppercase())).unwrap();
    if upper.hmac() != ct.hmac() {
        assert_eq!(
            p.bytes_decrypt_with(&upper, &opts()),
            Err(CipherError::Authentication)
        );
    }
    // An empty key never verifies (the reference substitutes a random key).
    let empty = OneTimePad::new(Key::new(""));
    assert_eq!(
        empty.bytes_decrypt_with(&ct, &opts()),
        Err(CipherError::Authentication)
    );
}

#[test]
fn ascii_form_rejects_foreign_characters() {
    assert_eq!(
        Ciphertext::from_ascii("abc+"),
        Err(DecodeError::InvalidBase)
    );
    assert_eq!(Ciphertext::from_ascii("é"), Err(DecodeError::InvalidBase));
    assert_eq!(Ciphertext::from_ascii("-"), Err(DecodeError::InvalidLength));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn round_trip_in_every_encoding(data in proptest::collection::vec(any::<u8>(), 0..700), pid in any::<i64>()) {
        let p = pad();
        let ct = p.bytes_encrypt_with(&data, &EncryptOptions::new().pid(pid)).unwrap();
        let o = DecryptOptions::new().pid(pid);
        prop_assert_eq!(&p.bytes_decrypt_with(&Ciphertext::from_json(&ct.to_json()).unwrap(), &o).unwrap(), &data);
        prop_assert_eq!(&p.bytes_decrypt_with(&Ciphertext::from_bytes(&ct.to_bytes().unwrap()).unwrap(), &o).unwrap(), &data);
        if !ct.hmac().starts_with("00") {
            prop_assert_eq!(&p.bytes_decrypt_with(&Ciphertext::from_ascii(&ct.to_ascii().unwrap()).unwrap(), &o).unwrap(), &data);
        }
    }

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..1200)) {
        let p = pad();
        if let Ok(ct) = Ciphertext::from_bytes(&data) {
            prop_assert!(p.bytes_decrypt(&ct).is_err());
        }
        if let Ok(text) = std::str::from_utf8(&data) {
            let _ = Ciphertext::from_json(text);
            let _ = Ciphertext::from_ascii(text);
        }
    }
}
