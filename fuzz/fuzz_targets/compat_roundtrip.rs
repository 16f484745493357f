//! Encryption of arbitrary plaintexts under the key `"k"` with a fixed
//! salt and clock, then:
//!
//! * `bytes_decrypt` gives the plaintext back, through every encoding;
//!   as in the reference, a plaintext holding the key-derived 32-byte
//!   padding marker comes back cut before it (the fuzzer finds the marker
//!   through its comparison tracing, so this case is modelled, not
//!   assumed away);
//! * `json_decrypt_value` agrees with strict UTF-8 decoding then
//!   `pyjson::loads` of the plaintext, as the reference's `json_decrypt`;
//! * the time-to-live is applied (`Expired` past it);
//! * one flipped bit anywhere in the bytes form (picked by the first two
//!   input bytes) fails authentication.
#![no_main]

use aiootp::compat::cipher::{
    bytes_decrypt, bytes_encrypt, json_decrypt_value, pad_bytes, padding_key, padding_marker,
};
use aiootp::compat::{Ciphertext, DecryptOptions, EncryptOptions, Key, PyValue, Salt, pyjson};
use aiootp::error::{CipherError, JsonError};
use libfuzzer_sys::fuzz_target;

/// A fixed valid salt, so that runs are reproducible.
const SALT: &str = "8a1f3c5e7b9d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a";
/// A fixed encryption time (seconds since the epoch).
const TIME: u64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let (flip, plaintext) = match data {
        [a, b, rest @ ..] => (usize::from(u16::from_be_bytes([*a, *b])), rest),
        _ => return,
    };
    let key = Key::new("k");
    let salt = Salt::parse(SALT).expect("the fixed salt is valid");
    let enc = EncryptOptions::new()
        .salt(salt.clone())
        .time(TIME)
        .parallel(false);
    let ct = bytes_encrypt(plaintext, &key, &enc).expect("encryption with a valid key and salt");
    aiootp_fuzz::check_ciphertext(&ct);

    // The reference's depad_bytes: `data[8:data.find(marker)]` of the
    // padded data, or `data[8:]` without a marker.
    let pk = padding_key(&key, &salt, &PyValue::from(0i64)).expect("valid key and salt");
    let marker = padding_marker(&pk);
    let padded = pad_bytes(plaintext, &pk, TIME);
    let cut = padded
        .windows(marker.len())
        .position(|w| w == marker)
        .unwrap_or(padded.len())
        .max(8);
    let expected = &padded[8..cut];
    assert!(plaintext.starts_with(expected));
    if !plaintext.windows(marker.len()).any(|w| w == marker) {
        assert_eq!(
            expected.len(),
            plaintext.len(),
            "marker outside the plaintext"
        );
    }

    let at = |now: u64, ttl: i64| DecryptOptions::new().now(now).ttl(ttl).parallel(false);
    let opened = bytes_decrypt(&ct, &key, &at(TIME, 0)).expect("own ciphertext must decrypt");
    assert_eq!(opened, expected, "decryption changed the plaintext");

    let bytes = ct.to_bytes().expect("own ciphertext has a bytes form");
    for reparsed in [
        Ciphertext::from_bytes(&bytes),
        Ciphertext::from_json(&ct.to_json()),
    ] {
        let reparsed = reparsed.expect("own encodings parse");
        let opened = bytes_decrypt(&reparsed, &key, &at(TIME, 0));
        assert_eq!(
            opened.as_deref(),
            Ok(expected),
            "re-encoding broke decryption"
        );
    }

    // The reference's json_decrypt: `json.loads(plaintext.decode())`,
    // strict UTF-8 first (so a BOM or an encoded surrogate is an error).
    let decrypted = json_decrypt_value(&ct, &key, &at(TIME, 0));
    match std::str::from_utf8(expected) {
        Ok(text) => match (decrypted, pyjson::loads(text)) {
            (Ok(a), Ok(b)) => assert_eq!(pyjson::dumps(&a), pyjson::dumps(&b)),
            (Err(CipherError::Json(a)), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("json_decrypt_value {a:?} but loads {b:?}"),
        },
        Err(_) => assert!(
            matches!(decrypted, Err(CipherError::Json(JsonError::Utf8(_)))),
            "json_decrypt_value of non-UTF-8 plaintext gave {decrypted:?}"
        ),
    }

    assert_eq!(
        bytes_decrypt(&ct, &key, &at(TIME + 10, 4)),
        Err(CipherError::Expired { seconds: 6 })
    );
    assert_eq!(
        bytes_decrypt(&ct, &key, &at(TIME + 4, 4)).as_deref(),
        Ok(expected)
    );

    let mut tampered = bytes;
    let bit = flip % (tampered.len() * 8);
    tampered[bit / 8] ^= 1 << (bit % 8);
    let tampered = Ciphertext::from_bytes(&tampered).expect("same length");
    assert_eq!(
        bytes_decrypt(&tampered, &key, &at(TIME, 0)),
        Err(CipherError::Authentication),
        "a flipped bit {bit} was not detected"
    );
});
