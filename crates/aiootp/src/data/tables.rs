//! The character tables of aiootp 0.17.0 (spec `utilities.md` §5.4) and
//! the conversion of a big-endian integer into a table's digits.
//!
//! ```
//! use aiootp::data::tables::{BASE_36_TABLE, to_base};
//!
//! // Python: Comprende.to_base(36, BASE_36_TABLE) of the int 0x0102.
//! assert_eq!(to_base(&[0x01, 0x02], BASE_36_TABLE)?, "76");
//! assert_eq!(to_base(&[], BASE_36_TABLE)?, "0");
//! # Ok::<(), aiootp::error::KeygenError>(())
//! ```

use zeroize::Zeroize;

use crate::error::KeygenError;

/// The 95 printable ASCII characters, `' '` (0x20) to `'~'` (0x7E), in
/// code order: the default table of `table_key`.
pub const ASCII_TABLE: &str = " !\"#$%&'()*+,-./0123456789:;<=>?@\
                               ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`\
                               abcdefghijklmnopqrstuvwxyz{|}~";

const fn byte_range<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = i as u8;
        i += 1;
    }
    out
}

const ASCII_128_BYTES: [u8; 128] = byte_range::<128>();

/// The 128 code points 0x00 to 0x7F, in code order.
pub const ASCII_TABLE_128: &str = match core::str::from_utf8(&ASCII_128_BYTES) {
    Ok(text) => text,
    Err(_) => "",
};

/// `0-9a-zA-Z` (62 characters).
pub const ASCII_ALPHANUMERIC: &str =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// `0-9a-z` (36 characters).
pub const BASE_36_TABLE: &str = "0123456789abcdefghijklmnopqrstuvwxyz";

/// `A-Za-z0-9+/`, the standard base64 alphabet (64 characters).
pub const BASE_64_TABLE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `-0-9A-Z_a-z` in ASCII order (64 characters): the table of the compat
/// ASCII ciphertext encoding ([`crate::compat::URL_SAFE_TABLE`]).
pub const URL_SAFE_TABLE: &str = match core::str::from_utf8(crate::compat::URL_SAFE_TABLE) {
    Ok(text) => text,
    Err(_) => "",
};

/// `234567a-z`, the base32 alphabet of onion addresses (32 characters).
pub const ONION_CHAR_TABLE: &str = "234567abcdefghijklmnopqrstuvwxyz";

/// The 256 byte values in order (the reference's list of one-byte
/// `bytes` objects).
pub const BYTES_TABLE: [u8; 256] = byte_range::<256>();

/// Writes the big-endian unsigned integer `number` in base `table.len()`
/// over the characters of `table`, most significant digit first, without
/// leading zeros; zero is `table[0]`. The reference's
/// `Comprende.to_base(len(table), table)` (`inverse_int`).
///
/// The base is the number of characters (Unicode scalar values, Python's
/// `len`), and repeated characters are kept as the reference keeps them
/// (the output can then not be decoded).
///
/// # Errors
/// [`KeygenError::InvalidTable`] for a table of fewer than 2 characters
/// (the reference divides by zero or loops forever).
pub fn to_base(number: &[u8], table: &str) -> Result<String, KeygenError> {
    let chars: Vec<char> = table.chars().collect();
    let mut out = String::new();
    to_base_into(number, &chars, &mut out)?;
    Ok(out)
}

/// [`to_base`] over the characters `chars`, appended to `out`; the work
/// space is zeroized (the number may be key material).
pub(crate) fn to_base_into(
    number: &[u8],
    chars: &[char],
    out: &mut String,
) -> Result<(), KeygenError> {
    let base = match u32::try_from(chars.len()) {
        Ok(b) if b >= 2 => u64::from(b),
        _ => return Err(KeygenError::InvalidTable { len: chars.len() }),
    };
    let start = number.iter().position(|&b| b != 0).unwrap_or(number.len());
    let number = &number[start..];
    let Some(&zero) = chars.first() else {
        return Err(KeygenError::InvalidTable { len: 0 });
    };
    if number.is_empty() {
        out.push(zero);
        return Ok(());
    }
    // Big-endian 32-bit limbs.
    let mut limbs: Vec<u32> = number
        .rchunks(4)
        .rev()
        .map(|c| c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
        .collect();
    // At most one digit per bit (base 2), so no reallocation.
    let mut digits: Vec<usize> = Vec::with_capacity(number.len() * 8);
    let mut top = 0;
    while top < limbs.len() {
        let mut rem = 0u64;
        for limb in &mut limbs[top..] {
            let v = (rem << 32) | u64::from(*limb);
            // v < base * 2^32, so the quotient fits in 32 bits.
            *limb = (v / base) as u32;
            rem = v % base;
        }
        // rem < base <= u32::MAX, a valid index.
        digits.push(rem as usize);
        while top < limbs.len() && limbs[top] == 0 {
            top += 1;
        }
    }
    // Reserve the exact size, so that a secret result is never copied by
    // a reallocation.
    let need: usize = digits
        .iter()
        .filter_map(|&d| chars.get(d))
        .map(|c| c.len_utf8())
        .sum();
    out.reserve(need);
    for &d in digits.iter().rev() {
        if let Some(&c) = chars.get(d) {
            out.push(c);
        }
    }
    limbs.zeroize();
    digits.zeroize();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_contents() {
        assert_eq!(ASCII_TABLE.len(), 95);
        assert!(ASCII_TABLE.bytes().eq(0x20u8..=0x7e));
        assert_eq!(ASCII_TABLE_128.len(), 128);
        assert!(ASCII_TABLE_128.bytes().eq(0u8..=0x7f));
        assert_eq!(URL_SAFE_TABLE.len(), 64);
        assert!(URL_SAFE_TABLE.as_bytes().is_sorted());
        assert_eq!(ASCII_ALPHANUMERIC.len(), 62);
        assert_eq!(BASE_64_TABLE.len(), 64);
        assert_eq!(ONION_CHAR_TABLE.len(), 32);
        assert!(BYTES_TABLE.iter().copied().eq(0u8..=255));
    }

    #[test]
    fn small_numbers() {
        assert_eq!(to_base(&[0, 0], "01").unwrap(), "0");
        assert_eq!(to_base(&[5], "01").unwrap(), "101");
        assert_eq!(to_base(&[0xff, 0xff], "0123456789abcdef").unwrap(), "ffff");
        assert_eq!(
            to_base(&[1, 0, 0, 0, 0], "0123456789").unwrap(),
            "4294967296"
        );
        assert_eq!(to_base(&[95], ASCII_TABLE).unwrap(), "! ");
        assert_eq!(to_base(&[3], "αβγ").unwrap(), "βα");
        assert_eq!(
            to_base(&[1], "a"),
            Err(KeygenError::InvalidTable { len: 1 })
        );
        assert_eq!(to_base(&[1], ""), Err(KeygenError::InvalidTable { len: 0 }));
    }
}
