//! The encoding steps: hex, base64, base-`n` digit strings over a table,
//! integers to and from bytes and text, `str`, JSON (spec `utilities.md`
//! §2.9). Outputs are the reference's texts.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::IterError;
use super::adapter::Step;
use super::bigint;
use super::value::{PyIntLike, PyRepr};
use crate::compat::{PyInt, pyjson, pyserde};
use crate::error::JsonError;
use crate::random::to_hex;

/// Byte order of `int_to_bytes` / `bytes_to_int` (Python's `"big"` /
/// `"little"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ByteOrder {
    /// Most significant byte first (the reference's default).
    #[default]
    Big,
    /// Least significant byte first.
    Little,
}

/// The step of `hex`: Python's `hex(n)[2:]` (or `hex(n)` with the
/// prefix).
#[derive(Debug, Clone, Copy)]
pub struct HexStep {
    pub(crate) prefix: bool,
}

impl<T: PyIntLike> Step<T> for HexStep {
    type Out = String;

    fn apply(&mut self, item: T) -> String {
        let (negative, magnitude) = item.sign_magnitude();
        let digits = to_hex(&magnitude);
        let digits = digits.trim_start_matches('0');
        let digits = if digits.is_empty() { "0" } else { digits };
        let full = format!("{}0x{digits}", if negative { "-" } else { "" });
        if self.prefix {
            full
        } else {
            // The reference cuts two characters, also from `-0x..`.
            full.get(2..).unwrap_or_default().to_owned()
        }
    }
}

/// The step of `bytes_to_hex`: lowercase hex of the bytes.
#[derive(Debug, Clone, Copy)]
pub struct BytesToHexStep;

impl<T: AsRef<[u8]>> Step<T> for BytesToHexStep {
    type Out = String;

    fn apply(&mut self, item: T) -> String {
        to_hex(item.as_ref())
    }
}

/// The step of `hex_to_bytes`: Python's `bytes.fromhex`.
#[derive(Debug, Clone, Copy)]
pub struct HexToBytesStep;

impl<T: AsRef<str>> Step<T> for HexToBytesStep {
    type Out = Result<Vec<u8>, IterError>;

    fn apply(&mut self, item: T) -> Self::Out {
        fromhex(item.as_ref())
    }
}

/// Python's `bytes.fromhex`: pairs of hex digits, ASCII whitespace
/// allowed between pairs; the error names the character position.
pub(crate) fn fromhex(text: &str) -> Result<Vec<u8>, IterError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut chars = text.chars().enumerate();
    while let Some((i, c)) = chars.next() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') {
            continue;
        }
        let hi = c.to_digit(16).ok_or(IterError::NonHex { position: i })?;
        let lo = chars
            .next()
            .and_then(|(_, c)| c.to_digit(16))
            .ok_or(IterError::NonHex { position: i + 1 })?;
        out.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
    }
    Ok(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 §4).
pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Strict standard base64: the canonical padded form only.
pub(crate) fn base64_decode(text: &[u8]) -> Result<Vec<u8>, IterError> {
    if !text.len().is_multiple_of(4) {
        return Err(IterError::InvalidBase64 {
            position: text.len(),
        });
    }
    let value = |c: u8| B64.iter().position(|&x| x == c);
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let quads = text.len() / 4;
    for (q, quad) in text.chunks_exact(4).enumerate() {
        let last = q + 1 == quads;
        let pad = if last {
            quad.iter().rev().take_while(|&&c| c == b'=').count()
        } else {
            0
        };
        if pad > 2 {
            return Err(IterError::InvalidBase64 {
                position: q * 4 + 4 - pad,
            });
        }
        let mut n = 0u32;
        for (i, &c) in quad[..4 - pad].iter().enumerate() {
            let v = value(c).ok_or(IterError::InvalidBase64 {
                position: q * 4 + i,
            })?;
            n |= u32::try_from(v).unwrap_or(0) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        let keep = 3 - pad;
        // Canonical: the bits below the kept bytes are zero.
        if pad > 0 && n & ((1 << (8 * pad)) - 1) != 0 {
            return Err(IterError::InvalidBase64 {
                position: q * 4 + 3 - pad,
            });
        }
        out.extend_from_slice(&bytes[1..=keep]);
    }
    Ok(out)
}

/// The step of `to_base64`: standard base64 with padding of the bytes
/// (of a `str`: its UTF-8 bytes). The reference yields it as ASCII
/// `bytes`; here it is a `String`.
#[derive(Debug, Clone, Copy)]
pub struct ToBase64Step;

impl<T: AsRef<[u8]>> Step<T> for ToBase64Step {
    type Out = String;

    fn apply(&mut self, item: T) -> String {
        base64_encode(item.as_ref())
    }
}

/// The step of `from_base64`: strict standard base64.
#[derive(Debug, Clone, Copy)]
pub struct FromBase64Step;

impl<T: AsRef<[u8]>> Step<T> for FromBase64Step {
    type Out = Result<Vec<u8>, IterError>;

    fn apply(&mut self, item: T) -> Self::Out {
        base64_decode(item.as_ref())
    }
}

/// The digits of a base-`n` table: its first `base` characters.
fn digits_of(base: usize, table: &str) -> Result<Vec<char>, IterError> {
    let digits: Vec<char> = table.chars().take(base).collect();
    if base < 2 || digits.len() < base || u32::try_from(base).is_err() {
        return Err(IterError::InvalidArgument(
            "base must be at least 2 and at most the table's length",
        ));
    }
    Ok(digits)
}

/// The step of `to_base`: an integer as digits of `table[..base]`, most
/// significant first; zero is `table[0]`.
#[derive(Debug, Clone)]
pub struct ToBaseStep {
    digits: Vec<char>,
}

impl ToBaseStep {
    pub(crate) fn new(base: usize, table: &str) -> Result<Self, IterError> {
        digits_of(base, table).map(|digits| Self { digits })
    }
}

impl<T: PyIntLike> Step<T> for ToBaseStep {
    type Out = Result<String, IterError>;

    fn apply(&mut self, item: T) -> Self::Out {
        let (negative, mut n) = item.sign_magnitude();
        if negative {
            // The reference loops forever on a negative number.
            return Err(IterError::NegativeInt);
        }
        let base = u32::try_from(self.digits.len()).unwrap_or(u32::MAX);
        let mut out = Vec::new();
        while !n.is_empty() {
            let d = bigint::div_small(&mut n, base) as usize;
            out.push(self.digits.get(d).copied().unwrap_or_default());
        }
        if out.is_empty() {
            out.push(self.digits[0]);
        }
        Ok(out.iter().rev().collect())
    }
}

/// The step of `from_base`: the inverse of [`ToBaseStep`] (a character
/// is worth its first position in the table).
#[derive(Debug, Clone)]
pub struct FromBaseStep {
    digits: Vec<char>,
}

impl FromBaseStep {
    pub(crate) fn new(base: usize, table: &str) -> Result<Self, IterError> {
        digits_of(base, table).map(|digits| Self { digits })
    }
}

impl<T: AsRef<str>> Step<T> for FromBaseStep {
    type Out = Result<PyInt, IterError>;

    fn apply(&mut self, item: T) -> Self::Out {
        let base = u32::try_from(self.digits.len()).unwrap_or(u32::MAX);
        let mut n = Vec::new();
        for c in item.as_ref().chars() {
            let d = self
                .digits
                .iter()
                .position(|&x| x == c)
                .ok_or(IterError::InvalidBase)?;
            bigint::mul_add(&mut n, base, u32::try_from(d).unwrap_or(0));
        }
        Ok(bigint::to_pyint(false, &n))
    }
}

/// The step of `int_to_bytes`: Python's `n.to_bytes(size, order)`.
#[derive(Debug, Clone, Copy)]
pub struct IntToBytesStep {
    pub(crate) size: usize,
    pub(crate) order: ByteOrder,
}

impl<T: PyIntLike> Step<T> for IntToBytesStep {
    type Out = Result<Vec<u8>, IterError>;

    fn apply(&mut self, item: T) -> Self::Out {
        let (negative, magnitude) = item.sign_magnitude();
        if negative {
            return Err(IterError::NegativeInt);
        }
        if magnitude.len() > self.size {
            return Err(IterError::IntTooBig);
        }
        let mut out = vec![0u8; self.size - magnitude.len()];
        out.extend_from_slice(&magnitude);
        if self.order == ByteOrder::Little {
            out.reverse();
        }
        Ok(out)
    }
}

/// The step of `bytes_to_int`: Python's `int.from_bytes(item, order)`.
#[derive(Debug, Clone, Copy)]
pub struct BytesToIntStep {
    pub(crate) order: ByteOrder,
}

impl<T: AsRef<[u8]>> Step<T> for BytesToIntStep {
    type Out = PyInt;

    fn apply(&mut self, item: T) -> PyInt {
        match self.order {
            ByteOrder::Big => bigint::to_pyint(false, item.as_ref()),
            ByteOrder::Little => {
                let mut be = item.as_ref().to_vec();
                be.reverse();
                bigint::to_pyint(false, &be)
            }
        }
    }
}

/// The step of `ascii_to_int`: the UTF-8 bytes of the text as a
/// big-endian integer (`"hi"` → 26729).
#[derive(Debug, Clone, Copy)]
pub struct AsciiToIntStep;

impl<T: AsRef<str>> Step<T> for AsciiToIntStep {
    type Out = PyInt;

    fn apply(&mut self, item: T) -> PyInt {
        bigint::to_pyint(false, item.as_ref().as_bytes())
    }
}

/// The step of `int_to_ascii`: the minimal big-endian bytes of the
/// integer, decoded as UTF-8.
#[derive(Debug, Clone, Copy)]
pub struct IntToAsciiStep;

impl<T: PyIntLike> Step<T> for IntToAsciiStep {
    type Out = Result<String, IterError>;

    fn apply(&mut self, item: T) -> Self::Out {
        let (negative, magnitude) = item.sign_magnitude();
        if negative {
            return Err(IterError::NegativeInt);
        }
        match pyjson::decode_utf8(&magnitude) {
            Ok(s) => Ok(s.to_owned()),
            Err(JsonError::Utf8(m)) => Err(IterError::Utf8(m)),
            Err(e) => Err(IterError::Json(e)),
        }
    }
}

/// The step of `str`: Python's `str(item)`.
#[derive(Debug, Clone, Copy)]
pub struct StrStep;

impl<T: PyRepr> Step<T> for StrStep {
    type Out = String;

    fn apply(&mut self, item: T) -> String {
        let mut out = String::new();
        item.write_str(&mut out);
        out
    }
}

/// The step of `json_dumps`: Python's `json.dumps(item)` with default
/// settings (`", "` and `": "` separators, ASCII escapes).
#[derive(Debug, Clone, Copy)]
pub struct JsonDumpsStep;

impl<T: Serialize> Step<T> for JsonDumpsStep {
    type Out = Result<String, JsonError>;

    fn apply(&mut self, item: T) -> Self::Out {
        pyjson::dumps(&pyserde::to_value(&item)?)
    }
}

/// The step of `json_loads`: Python's `json.loads(item)`, into a
/// [`PyValue`](crate::compat::PyValue) or, with [`json_loads_into`](super::Comprende::json_loads_into),
/// any `serde` type.
pub struct JsonLoadsStep<V> {
    _into: PhantomData<fn() -> V>,
}

impl<V> JsonLoadsStep<V> {
    pub(crate) fn new() -> Self {
        Self { _into: PhantomData }
    }
}

impl<V> Clone for JsonLoadsStep<V> {
    fn clone(&self) -> Self {
        Self::new()
    }
}

impl<V> std::fmt::Debug for JsonLoadsStep<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonLoadsStep")
    }
}

impl<T: AsRef<str>, V: DeserializeOwned> Step<T> for JsonLoadsStep<V> {
    type Out = Result<V, JsonError>;

    fn apply(&mut self, item: T) -> Self::Out {
        pyserde::from_value(pyjson::loads(item.as_ref())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_forms() {
        let mut h = HexStep { prefix: false };
        assert_eq!(h.apply(255u8), "ff");
        assert_eq!(h.apply(0u8), "0");
        assert_eq!(h.apply(-255i32), "xff");
        let mut p = HexStep { prefix: true };
        assert_eq!(p.apply(-255i32), "-0xff");
        assert_eq!(p.apply(16u64), "0x10");
    }

    #[test]
    fn fromhex_like_python() {
        assert_eq!(fromhex("ab cd"), Ok(vec![0xab, 0xcd]));
        assert_eq!(fromhex("AB"), Ok(vec![0xab]));
        assert_eq!(fromhex("a"), Err(IterError::NonHex { position: 1 }));
        assert_eq!(fromhex("a b"), Err(IterError::NonHex { position: 1 }));
        assert_eq!(fromhex("éa"), Err(IterError::NonHex { position: 0 }));
    }

    #[test]
    fn base64() {
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert_eq!(base64_encode(b"abc"), "YWJj");
        assert_eq!(base64_encode(b"a"), "YQ==");
        assert_eq!(base64_decode(b"YWI="), Ok(b"ab".to_vec()));
        assert_eq!(base64_decode(b"YQ=="), Ok(b"a".to_vec()));
        assert!(base64_decode(b"YR==").is_err());
        assert!(base64_decode(b"YQ").is_err());
        assert!(base64_decode(b"Y===").is_err());
        assert!(base64_decode(b"YQ==YQ==").is_err());
        assert!(base64_decode(b"Y!==").is_err());
    }

    #[test]
    fn bases() {
        let mut to = ToBaseStep::new(16, "0123456789abcdef").unwrap_or_else(|_| unreachable!());
        assert_eq!(to.apply(255u32), Ok("ff".to_owned()));
        assert_eq!(to.apply(0u32), Ok("0".to_owned()));
        assert_eq!(to.apply(-1i32), Err(IterError::NegativeInt));
        let mut from = FromBaseStep::new(16, "0123456789abcdef").unwrap_or_else(|_| unreachable!());
        assert_eq!(from.apply("ff").map(|n| n.to_i64()), Ok(Some(255)));
        assert_eq!(from.apply("fg"), Err(IterError::InvalidBase));
        assert!(ToBaseStep::new(1, "01").is_err());
        assert!(ToBaseStep::new(3, "01").is_err());
    }

    #[test]
    fn ints_and_bytes() {
        let mut tb = IntToBytesStep {
            size: 2,
            order: ByteOrder::Little,
        };
        assert_eq!(tb.apply(258u32), Ok(vec![2, 1]));
        assert_eq!(tb.apply(65536u32), Err(IterError::IntTooBig));
        assert_eq!(tb.apply(-1i8), Err(IterError::NegativeInt));
        let mut fb = BytesToIntStep {
            order: ByteOrder::Little,
        };
        assert_eq!(fb.apply([2u8, 1]).to_i64(), Some(258));
        assert_eq!(AsciiToIntStep.apply("hi").to_i64(), Some(26729));
        assert_eq!(IntToAsciiStep.apply(26729u32), Ok("hi".to_owned()));
        assert_eq!(IntToAsciiStep.apply(0u8), Ok(String::new()));
        assert!(matches!(
            IntToAsciiStep.apply(255u8),
            Err(IterError::Utf8(_))
        ));
    }
}
