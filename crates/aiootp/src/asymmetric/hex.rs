//! Key text and key bytes as the reference accepts them (spec
//! `asymmetric.md` §2.2): Python's `bytes.fromhex` for text, exactly 32
//! bytes after decoding, and a separate error for empty material.

use zeroize::Zeroizing;

use crate::error::AsymmetricError;

/// Python's `bytes.fromhex` (CPython 3.8): pairs of hexadecimal digits in
/// either case; ASCII whitespace (space, `\t`, `\n`, `\r`, `\x0b`, `\x0c`)
/// is skipped between pairs, not inside one.
///
/// The error's position is the one Python reports: the first non-ASCII
/// character if there is one anywhere (CPython checks that first), else
/// the first character that is not a digit where one is expected (the
/// text's length when the last pair is cut short).
///
/// The result is zeroized on drop: it may be a secret key.
///
/// # Errors
/// [`AsymmetricError::NonHex`] as above.
pub(crate) fn python_fromhex(text: &str) -> Result<Zeroizing<Vec<u8>>, AsymmetricError> {
    if let Some(position) = text.chars().position(|c| !c.is_ascii()) {
        return Err(AsymmetricError::NonHex { position });
    }
    // ASCII from here on: byte positions are character positions.
    let bytes = text.as_bytes();
    let mut out = Zeroizing::new(Vec::with_capacity(bytes.len() / 2));
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            i += 1;
            continue;
        }
        let hi = digit(bytes[i]).ok_or(AsymmetricError::NonHex { position: i })?;
        let lo = bytes
            .get(i + 1)
            .copied()
            .and_then(digit)
            .ok_or(AsymmetricError::NonHex { position: i + 1 })?;
        out.push(hi << 4 | lo);
        i += 2;
    }
    Ok(out)
}

fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// 32 key bytes from a byte slice: empty → [`AsymmetricError::MissingKeyMaterial`],
/// another length → [`AsymmetricError::KeyLength`] naming `what`.
pub(crate) fn key_from_slice(
    bytes: &[u8],
    what: &'static str,
) -> Result<[u8; 32], AsymmetricError> {
    if bytes.is_empty() {
        return Err(AsymmetricError::MissingKeyMaterial);
    }
    <[u8; 32]>::try_from(bytes).map_err(|_| AsymmetricError::KeyLength {
        what,
        len: bytes.len(),
    })
}

/// 32 key bytes from hex text, as the reference's `preprocess` then
/// `from_raw`: empty text → [`AsymmetricError::MissingKeyMaterial`]; text
/// that is only whitespace decodes to nothing and is a length error.
pub(crate) fn key_from_hex(text: &str, what: &'static str) -> Result<[u8; 32], AsymmetricError> {
    if text.is_empty() {
        return Err(AsymmetricError::MissingKeyMaterial);
    }
    let bytes = python_fromhex(text)?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| AsymmetricError::KeyLength {
        what,
        len: bytes.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(text: &str) -> usize {
        match python_fromhex(text) {
            Err(AsymmetricError::NonHex { position }) => position,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn positions_match_cpython() {
        // Each position was checked with CPython 3.8's bytes.fromhex.
        assert_eq!(pos("zz é"), 3);
        assert_eq!(pos("ab\x1c"), 2);
        assert_eq!(pos("ab\x1ccd"), 2);
        assert_eq!(pos("a"), 1);
        assert_eq!(pos("ab c"), 4);
        assert_eq!(pos("é"), 0);
        assert_eq!(pos("\u{a0}ab"), 0);
        assert_eq!(pos("ab\u{3000}"), 2);
        assert_eq!(pos("a b"), 1);
    }

    #[test]
    fn accepts_case_and_whitespace() {
        assert_eq!(python_fromhex("ABcd").unwrap().as_slice(), &[0xab, 0xcd]);
        assert_eq!(
            python_fromhex(" ab \t\n01\x0b\x0c").unwrap().as_slice(),
            &[0xab, 0x01]
        );
        assert!(python_fromhex("").unwrap().is_empty());
    }

    #[test]
    fn key_lengths() {
        assert_eq!(
            key_from_hex("", "k"),
            Err(AsymmetricError::MissingKeyMaterial)
        );
        assert_eq!(
            key_from_hex("  ", "k"),
            Err(AsymmetricError::KeyLength { what: "k", len: 0 })
        );
        assert_eq!(
            key_from_slice(&[], "k"),
            Err(AsymmetricError::MissingKeyMaterial)
        );
        assert_eq!(
            key_from_slice(&[1; 31], "k"),
            Err(AsymmetricError::KeyLength { what: "k", len: 31 })
        );
        assert_eq!(key_from_slice(&[7; 32], "k"), Ok([7; 32]));
        assert_eq!(key_from_hex(&"07".repeat(32), "k"), Ok([7; 32]));
    }
}
