//! The operating system's random number generator.
//!
//! Every key, salt and token of this crate comes from here; there is no
//! user-space pool to seed or to get wrong.

use crate::error::Error;

/// Fills `buf` with bytes from the operating system's CSPRNG.
///
/// # Errors
/// [`Error::Random`] if the operating system refuses (this does not happen
/// on supported platforms once they have booted).
pub fn fill(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|e| Error::Random(e.to_string()))
}

/// Returns `N` random bytes.
///
/// # Errors
/// As [`fill`].
pub fn bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}

/// Returns `n` random bytes as lowercase hexadecimal text (`2 * n`
/// characters).
///
/// # Errors
/// As [`fill`].
pub fn hex(n: usize) -> Result<String, Error> {
    let mut buf = vec![0u8; n];
    fill(&mut buf)?;
    let text = to_hex(&buf);
    zeroize::Zeroize::zeroize(&mut buf);
    Ok(text)
}

/// Lowercase hexadecimal text of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// A uniformly random integer in `0..bound` (`bound > 0`), without modulo bias.
///
/// # Errors
/// As [`fill`].
pub fn below(bound: u64) -> Result<u64, Error> {
    if bound <= 1 {
        return Ok(0);
    }
    let zone = u64::MAX - (u64::MAX % bound);
    loop {
        let v = u64::from_le_bytes(bytes::<8>()?);
        if v < zone {
            return Ok(v % bound);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_has_the_requested_length_and_alphabet() {
        let h = hex(64).unwrap();
        assert_eq!(h.len(), 128);
        assert!(
            h.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(h, hex(64).unwrap());
    }

    #[test]
    fn below_stays_in_range() {
        for bound in [1u64, 2, 3, 7, 1000] {
            for _ in 0..50 {
                assert!(below(bound).unwrap() < bound);
            }
        }
    }
}
