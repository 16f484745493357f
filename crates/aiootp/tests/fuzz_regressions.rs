//! Inputs found by the fuzz targets in `fuzz/` (and their neighbours),
//! kept as plain tests so that they run with `cargo test`.
//!
//! Expected results are what Python aiootp 0.17.0 (CPython 3.8) does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aiootp::compat::cipher::{bytes_decrypt, bytes_encrypt, padding_key, padding_marker};
use aiootp::compat::{DecryptOptions, EncryptOptions, Key, PyValue, Salt};
use aiootp::error::CipherError;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn not_hex(text: &str) -> Result<Salt, CipherError> {
    Err(CipherError::SaltNotHex {
        salt_repr: PyValue::from(text).repr(),
    })
}

/// fuzz target `salt`: `int(salt, 16)` does not skip the ASCII
/// information separators U+001C..U+001F (only `str.strip()` does), so
/// the reference refuses these salts with `invalid literal for int()
/// with base 16: ...`.
#[test]
fn salt_information_separators_are_not_whitespace_for_int() {
    let found = hex(
        "e38080665f665f665f665f665f665f665f665f665f665f665f665f665f665f665f665f\
         665f665f665f665f665f665f665f665f665f665f665f616161616161611fe280a8",
    );
    let found = String::from_utf8(found).unwrap();
    assert_eq!(found.chars().count(), 64);
    for text in [
        found,
        format!("\u{1c}{}", "f".repeat(63)),
        format!("{}\u{1f}", "f".repeat(63)),
        format!("\u{1d}{}\u{1e}", "a".repeat(62)),
    ] {
        assert_eq!(Salt::parse(&text), not_hex(&text), "{text:?}");
    }
    // The whitespace int() does skip, ASCII and not.
    for text in [
        format!(" \t{}\n\r", "f".repeat(60)),
        format!("\u{3000}{}\u{2028}", "f".repeat(62)),
        format!("\u{85}{}\u{a0}", "f".repeat(62)),
    ] {
        assert!(Salt::parse(&text).is_ok(), "{text:?}");
    }
}

/// Beside the fuzz finding (the `salt` target cannot model digit values):
/// CPython's `int(s, 16)` also reads Unicode decimal digits (category Nd,
/// Unicode 12.1 for CPython 3.8), so the reference accepts these salts.
#[test]
fn salt_unicode_decimal_digits_are_read_by_int() {
    assert!(Salt::parse(&"\u{661}".repeat(64)).is_ok()); // ARABIC-INDIC DIGIT ONE
    assert!(Salt::parse(&"\u{ff11}".repeat(64)).is_ok()); // FULLWIDTH DIGIT ONE
    assert_eq!(
        Salt::parse(&"\u{660}".repeat(64)),
        Err(CipherError::InvalidSalt)
    ); // zero
}

/// fuzz target `compat_roundtrip`: a plaintext that holds the 32-byte
/// padding marker comes back cut before it, as the reference's
/// `depad_bytes` (`data[8:data.find(marker)]`) does. The marker is
/// derived from the key, salt and pid; the fuzzer found it through its
/// comparison tracing. Not a bug: the behaviour is the reference's.
#[test]
fn plaintext_holding_the_padding_marker_is_cut_there() {
    let key = Key::new("k");
    let salt =
        Salt::parse("8a1f3c5e7b9d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a").unwrap();
    let pk = padding_key(&key, &salt, &PyValue::from(0i64)).unwrap();
    let marker = padding_marker(&pk);
    let options = EncryptOptions::new().salt(salt).time(1_700_000_000);
    let decrypt = DecryptOptions::new();
    for (before, after) in [(&b""[..], &b"tail"[..]), (b"head", b""), (b"x", b"y")] {
        let plaintext = [before, &marker[..], after].concat();
        let ct = bytes_encrypt(&plaintext, &key, &options).unwrap();
        assert_eq!(bytes_decrypt(&ct, &key, &decrypt).unwrap(), before);
    }
}
