//! URL-safe tokens: an AOT2 message as unpadded base64url text (RFC 4648
//! §5), for cookies, URLs and JSON strings. The ttl is the opener's
//! [`Options::ttl`](super::Options::ttl).

use super::{KeyMaterial, Options, open, seal};
use crate::error::Aot2Error;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `bytes` as unpadded base64url text.
#[must_use]
pub fn encode_token(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let mut w = [0u8; 3];
        w[..group.len()].copy_from_slice(group);
        let n = u32::from(w[0]) << 16 | u32::from(w[1]) << 8 | u32::from(w[2]);
        for k in 0..=group.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * k) & 63) as usize]));
        }
    }
    out
}

/// The value of a base64url character.
fn sextet(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// The bytes of unpadded base64url text (white space around it ignored).
/// Strict: no padding, no other characters, no stray bits in the last
/// character, so each byte string has exactly one token.
///
/// # Errors
/// [`Aot2Error::InvalidToken`].
pub fn decode_token(text: &str) -> Result<Vec<u8>, Aot2Error> {
    let text = text.trim().as_bytes();
    if text.len() % 4 == 1 {
        return Err(Aot2Error::InvalidToken);
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    for group in text.chunks(4) {
        let mut n = 0u32;
        for (k, &c) in group.iter().enumerate() {
            n |= sextet(c).ok_or(Aot2Error::InvalidToken)? << (18 - 6 * k);
        }
        let bytes = n.to_be_bytes();
        let len = group.len() - 1;
        // The bits of the last character beyond the bytes must be zero.
        if len < 3 && n << (8 + 8 * len) != 0 {
            return Err(Aot2Error::InvalidToken);
        }
        out.extend_from_slice(&bytes[1..1 + len]);
    }
    Ok(out)
}

/// Seals `data` (see [`seal`]) into a URL-safe token.
///
/// ```
/// use aiootp::aot2::{self, Aot2Key, Options};
///
/// let key = Aot2Key::generate()?;
/// let token = aot2::seal_token(&key, b"session 7", &Options::new().ctx("login"))?;
/// assert!(token.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
/// let data = aot2::open_token(&key, &token, &Options::new().ctx("login").ttl(600))?;
/// assert_eq!(data, b"session 7");
/// # Ok::<(), aiootp::Error>(())
/// ```
///
/// # Errors
/// As [`seal`].
pub fn seal_token<K: KeyMaterial + ?Sized>(
    key: &K,
    data: &[u8],
    options: &Options,
) -> Result<String, Aot2Error> {
    seal(key, data, options).map(|m| encode_token(&m))
}

/// Opens a token of [`seal_token`], checking `options`' ctx and ttl.
///
/// # Errors
/// [`Aot2Error::InvalidToken`] for text that is not base64url, then as
/// [`open`].
pub fn open_token<K: KeyMaterial + ?Sized>(
    key: &K,
    token: &str,
    options: &Options,
) -> Result<Vec<u8>, Aot2Error> {
    open(key, &decode_token(token)?, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        for (bytes, text) in [
            (&b""[..], ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff, 0xfe], "-__-"),
        ] {
            assert_eq!(encode_token(bytes), text);
            assert_eq!(decode_token(text).unwrap(), bytes);
        }
        for bad in ["Z", "Zh", "Zm9=", "Zm9v!", "Zm+v", "Zm9vY"] {
            assert_eq!(decode_token(bad), Err(Aot2Error::InvalidToken), "{bad}");
        }
    }

    #[test]
    fn round_trip_every_length() {
        for len in 0..300usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
            assert_eq!(decode_token(&encode_token(&bytes)).unwrap(), bytes);
        }
    }
}
