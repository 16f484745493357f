//! Unsigned integers of any size as big-endian bytes: the little
//! arithmetic the integer steps need (decimal and base-`n` conversion).
//! Schoolbook, quadratic in the length: items are a few hundred bytes.

use crate::compat::PyInt;
use crate::compat::bignum::be_to_decimal;

/// `bytes` without its leading zero bytes (zero becomes empty).
pub(crate) fn trim(mut bytes: Vec<u8>) -> Vec<u8> {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.drain(..first);
    bytes
}

/// The value of ASCII decimal `digits` as a trimmed big-endian magnitude
/// (callers pass canonical text, e.g. a `PyInt`'s digits; anything else
/// gives zero).
pub(crate) fn decimal_to_be(digits: &[u8]) -> Vec<u8> {
    std::str::from_utf8(digits)
        .ok()
        .and_then(crate::compat::bignum::decimal_to_be_vec)
        .unwrap_or_default()
}

/// `n = n * m + a` on a trimmed big-endian magnitude.
pub(crate) fn mul_add(n: &mut Vec<u8>, m: u32, a: u32) {
    let mut carry = u64::from(a);
    for b in n.iter_mut().rev() {
        let t = u64::from(*b) * u64::from(m) + carry;
        *b = (t & 0xff) as u8;
        carry = t >> 8;
    }
    while carry > 0 {
        n.insert(0, (carry & 0xff) as u8);
        carry >>= 8;
    }
}

/// `n /= d` on a trimmed big-endian magnitude; returns the remainder
/// (`d > 0`).
pub(crate) fn div_small(n: &mut Vec<u8>, d: u32) -> u32 {
    let d = u64::from(d.max(1));
    let mut rem = 0u64;
    for b in n.iter_mut() {
        let cur = (rem << 8) | u64::from(*b);
        // cur < d * 256, so the quotient fits a byte.
        *b = u8::try_from(cur / d).unwrap_or(u8::MAX);
        rem = cur % d;
    }
    let first = n.iter().position(|&b| b != 0).unwrap_or(n.len());
    n.drain(..first);
    u32::try_from(rem).unwrap_or(0)
}

/// The [`PyInt`] of a sign and a big-endian magnitude.
pub(crate) fn to_pyint(negative: bool, magnitude: &[u8]) -> PyInt {
    let mut text = Vec::with_capacity(magnitude.len() * 5 / 2 + 2);
    be_to_decimal(magnitude, &mut text);
    let zero = text == b"0";
    let mut out = String::with_capacity(text.len() + 1);
    if negative && !zero {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&text).unwrap_or("0"));
    PyInt::from_canonical(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let n = decimal_to_be(b"340282366920938463463374607431768211457");
        assert_eq!(n.len(), 17);
        assert_eq!(
            to_pyint(false, &n).as_str(),
            "340282366920938463463374607431768211457"
        );
        assert_eq!(to_pyint(true, &[]).as_str(), "0");
        let mut m = decimal_to_be(b"1000");
        assert_eq!(div_small(&mut m, 7), 6);
        assert_eq!(to_pyint(false, &m).as_str(), "142");
        assert!(decimal_to_be(b"0000").is_empty());
    }
}
