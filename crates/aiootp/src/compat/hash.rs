//! Hash helpers of aiootp 0.17.0 (spec `cipher.md` §3).
//!
//! The reference hashes the UTF-8 bytes of the Python `repr` text of the
//! tuple of its arguments, with SHA3-256 or SHA3-512, and returns
//! lowercase hex:
//!
//! ```text
//! sha_256(a1, ..., an)         = hex(SHA3_256(utf8(repr((a1, ..., an)))))
//! sha_256_hmac(data, key=None) = sha_256(sha_256(data, key), key)
//! ```
//!
//! ```
//! use aiootp::compat::{PyValue, hash};
//!
//! // Hashes the 6 characters `('a',)`.
//! assert!(hash::sha_256(&[PyValue::from("a")]).starts_with("95654390b84cc5b1"));
//! let tag = hash::sha_256_hmac(&PyValue::from("a"), &PyValue::from("k"));
//! assert!(tag.starts_with("3d6115d037b4e2cf"));
//! ```
//!
//! Despite the names, the `_hmac` forms are nested hashes, not RFC 2104
//! HMAC.

use crate::keccak::{Sha3_256, Sha3_512};

use super::PyValue;
use super::pyvalue::repr_tuple;
use crate::random::to_hex;

/// Lowercase hex of `SHA3-256(bytes)` (64 characters).
#[must_use]
pub fn sha3_256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha3_256::digest(bytes))
}

/// Lowercase hex of `SHA3-512(bytes)` (128 characters).
#[must_use]
pub fn sha3_512_hex(bytes: &[u8]) -> String {
    to_hex(&Sha3_512::digest(bytes))
}

fn tuple_text(args: &[&PyValue]) -> String {
    let mut text = String::new();
    repr_tuple(args, &mut text);
    text
}

/// aiootp's `sha_256(*args)`: hex of SHA3-256 of `repr(tuple(args))`.
#[must_use]
pub fn sha_256(args: &[PyValue]) -> String {
    let mut text = String::new();
    repr_tuple(args, &mut text);
    sha3_256_hex(text.as_bytes())
}

/// aiootp's `sha_512(*args)`: hex of SHA3-512 of `repr(tuple(args))`.
#[must_use]
pub fn sha_512(args: &[PyValue]) -> String {
    let mut text = String::new();
    repr_tuple(args, &mut text);
    sha3_512_hex(text.as_bytes())
}

/// aiootp's `sha_256_hmac(data, key)` = `sha_256(sha_256(data, key), key)`.
///
/// Pass [`PyValue::None`] for Python's default `key=None`.
#[must_use]
pub fn sha_256_hmac(data: &PyValue, key: &PyValue) -> String {
    let inner = PyValue::Str(sha3_256_hex(tuple_text(&[data, key]).as_bytes()));
    sha3_256_hex(tuple_text(&[&inner, key]).as_bytes())
}

/// aiootp's `sha_512_hmac(data, key)` = `sha_512(sha_512(data, key), key)`.
///
/// Pass [`PyValue::None`] for Python's default `key=None`.
#[must_use]
pub fn sha_512_hmac(data: &PyValue, key: &PyValue) -> String {
    let inner = PyValue::Str(sha3_512_hex(tuple_text(&[data, key]).as_bytes()));
    sha3_512_hex(tuple_text(&[&inner, key]).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert!(sha_256(&["a".into()]).starts_with("95654390b84cc5b1"));
        assert!(sha_256(&[]).starts_with("b1ab39a6b1f7f265"));
        assert_eq!(sha_512(&["a".into()]).len(), 128);
        assert!(sha_256_hmac(&"a".into(), &"k".into()).starts_with("3d6115d037b4e2cf"));
        assert_eq!(sha3_256_hex(b"('a',)"), sha_256(&["a".into()]));
        assert_eq!(
            sha_512_hmac(&"a".into(), &PyValue::None),
            sha_512(&[sha_512(&["a".into(), PyValue::None]).into(), PyValue::None])
        );
    }

    #[test]
    fn empty_input_digests() {
        assert_eq!(
            sha3_256_hex(b""),
            "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"
        );
        assert!(
            sha3_512_hex(b"")
                .starts_with("a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a6")
        );
    }
}
