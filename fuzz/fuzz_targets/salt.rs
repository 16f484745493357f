//! `Salt::parse` on arbitrary text, against a model of the reference's
//! `check_key_and_salt` (`not salt`, then `len(salt) != 64`, then
//! `int(salt, 16)` and its value):
//!
//! * the model is CPython 3.8's `PyLong_FromString` after
//!   `_PyUnicode_TransformDecimalAndSpaceToASCII`, which (for non-ASCII
//!   text only) turns Unicode whitespace into spaces and Unicode decimal
//!   digits into ASCII digits and cuts the text at any other non-ASCII
//!   character, leaving ASCII as it is (so `\x1c`..`\x1f`, which
//!   `str.strip()` removes, are *not* skipped by `int()`);
//! * it is exact except for the values of decimal digits, which need
//!   Python's digit table: for text holding a non-ASCII numeric
//!   character the target only checks that `Salt::parse` does not panic.
#![no_main]

use aiootp::compat::{PyValue, Salt};
use aiootp::error::CipherError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let got = Salt::parse(text);
    if let Ok(salt) = &got {
        assert_eq!(salt.as_str(), text);
        assert_eq!(salt, &Salt::unchecked(text));
    }
    let Some(expected) = model(text) else {
        return;
    };
    assert_eq!(
        got.map(|_| ()),
        expected,
        "Salt::parse differs from Python for {text:?}"
    );
});

/// The reference's check, or `None` where the text holds a non-ASCII
/// numeric character (perhaps a decimal digit, which CPython reads).
fn model(text: &str) -> Option<Result<(), CipherError>> {
    if text.is_empty() {
        return Some(Err(CipherError::MissingSalt));
    }
    if text.chars().count() != 64 {
        return Some(Err(CipherError::InvalidSalt));
    }
    let mut ascii = Vec::with_capacity(text.len());
    for c in text.chars() {
        match u8::try_from(c) {
            Ok(b) if b < 0x7f || text.is_ascii() => ascii.push(b),
            _ if c.is_whitespace() => ascii.push(b' '),
            _ if c.is_numeric() => return None,
            // CPython writes '?' and stops: the number is invalid.
            _ => {
                ascii.push(b'?');
                break;
            }
        }
    }
    Some(match python_int_base16(&ascii) {
        Some(true) => Ok(()),
        Some(false) => Err(CipherError::InvalidSalt),
        None => Err(CipherError::SaltNotHex {
            salt_repr: PyValue::from(text).repr(),
        }),
    })
}

/// CPython 3.8's `PyLong_FromString(s, base=16)` on ASCII: whether the
/// value is non-zero, or `None` for `ValueError`.
fn python_int_base16(s: &[u8]) -> Option<bool> {
    // Py_ISSPACE: the six ASCII whitespace characters only.
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while space(at(i)) {
        i += 1;
    }
    if matches!(at(i), b'+' | b'-') {
        i += 1;
    }
    if at(i) == b'0' && matches!(at(i + 1), b'x' | b'X') {
        i += 2;
        if at(i) == b'_' {
            i += 1;
        }
    }
    if at(i) == b'_' {
        return None;
    }
    let start = i;
    let mut previous = 0u8;
    let mut nonzero = false;
    while at(i).is_ascii_hexdigit() || at(i) == b'_' {
        if at(i) == b'_' && previous == b'_' {
            return None;
        }
        nonzero |= at(i) != b'0' && at(i) != b'_';
        previous = at(i);
        i += 1;
    }
    if previous == b'_' || i == start {
        return None;
    }
    while space(at(i)) {
        i += 1;
    }
    // A NUL ends the C string early: PyLong_FromUnicodeObject then sees
    // unparsed text and raises.
    (i == s.len()).then_some(nonzero)
}
