//! Python values and their CPython 3.8 `repr` / `str` text.
//!
//! aiootp 0.17.0 never hashes structured values directly: it hashes the
//! UTF-8 bytes of their Python text. [`PyValue`] models the Python types
//! the cipher and the database hash (spec `cipher.md` §2), and
//! [`PyValue::repr`] / [`PyValue::str_text`] reproduce CPython 3.8's text
//! exactly, including quote selection, escapes, the Unicode 12.1
//! printable table and float formatting.
//!
//! ```
//! use aiootp::compat::PyValue;
//!
//! let v = PyValue::tuple([PyValue::from("it's"), PyValue::from(1.5), PyValue::bytes(*b"\x00k")]);
//! assert_eq!(v.repr(), r#"("it's", 1.5, b'\x00k')"#);
//! assert_eq!(PyValue::from("a").str_text(), "a");
//! ```
//!
//! Containers are written recursively, so the stack depth of
//! [`PyValue::repr`] grows with the nesting depth of the value (CPython
//! raises `RecursionError` near 1000 levels; values read by
//! [`pyjson::loads`](super::pyjson::loads) are at most 512 deep).

use core::borrow::Borrow;
use core::fmt;

use super::unicode::is_printable;

/// An integer of any size, kept as canonical decimal text.
///
/// Canonical means: an optional `-` followed by decimal digits with no
/// leading zeros (`0` for zero, never `-0`). This is exactly Python's
/// `repr` of an `int`.
///
/// ```
/// use aiootp::compat::PyInt;
///
/// let n = PyInt::parse("-000120").unwrap();
/// assert_eq!(n.as_str(), "-120");
/// assert_eq!(n.to_i64(), Some(-120));
/// assert_eq!(PyInt::parse("-0").unwrap().as_str(), "0");
/// assert_eq!(PyInt::from(u128::MAX).to_string(), "340282366920938463463374607431768211455");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PyInt(String);

impl PyInt {
    /// Parses an optional `-` followed by one or more ASCII digits, and
    /// normalises it to Python's text (leading zeros dropped, `-0` → `0`).
    ///
    /// Returns `None` for anything else (empty text, `+`, spaces,
    /// underscores, non-ASCII digits).
    #[must_use]
    pub fn parse(text: &str) -> Option<PyInt> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let significant = digits.trim_start_matches('0');
        if significant.is_empty() {
            return Some(PyInt(String::from("0")));
        }
        let mut out = String::with_capacity(significant.len() + 1);
        if negative {
            out.push('-');
        }
        out.push_str(significant);
        Some(PyInt(out))
    }

    /// Wraps text the caller has already checked to be canonical.
    pub(crate) fn from_canonical(text: String) -> PyInt {
        debug_assert!(PyInt::parse(&text).is_some_and(|n| n.0 == text));
        PyInt(text)
    }

    /// The canonical decimal text (Python's `repr` / `str`).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The canonical decimal text, by value.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }

    /// `true` for zero.
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.0 == "0"
    }

    /// `true` below zero.
    #[must_use]
    pub fn is_negative(&self) -> bool {
        self.0.starts_with('-')
    }

    /// The value as an `i64`, or `None` if it does not fit.
    #[must_use]
    pub fn to_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// The value as a `u64`, or `None` if it is negative or too large.
    #[must_use]
    pub fn to_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// The value as an `i128`, or `None` if it does not fit.
    #[must_use]
    pub fn to_i128(&self) -> Option<i128> {
        self.0.parse().ok()
    }

    /// The value as a `u128`, or `None` if it is negative or too large.
    #[must_use]
    pub fn to_u128(&self) -> Option<u128> {
        self.0.parse().ok()
    }

    /// Python's `float(n)`: the nearest `f64`, ties to even.
    ///
    /// Returns `None` where Python raises `OverflowError` ("int too large
    /// to convert to float"): when the rounded value is not finite.
    #[must_use]
    pub fn to_f64(&self) -> Option<f64> {
        // Rust's decimal-to-float conversion is correctly rounded (ties to
        // even) for inputs of any length, as CPython's int -> float is.
        let f: f64 = self.0.parse().ok()?;
        f.is_finite().then_some(f)
    }
}

impl Default for PyInt {
    /// Zero.
    fn default() -> Self {
        PyInt(String::from("0"))
    }
}

impl fmt::Display for PyInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! pyint_from {
    ($($t:ty),*) => {$(
        impl From<$t> for PyInt {
            fn from(n: $t) -> Self {
                PyInt(n.to_string())
            }
        }

        impl From<$t> for PyValue {
            fn from(n: $t) -> Self {
                PyValue::Int(PyInt::from(n))
            }
        }
    )*};
}

pyint_from!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

/// A Python value of one of the types aiootp hashes or stores.
#[derive(Clone, Debug, PartialEq)]
pub enum PyValue {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// `int` of any size.
    Int(PyInt),
    /// `float` (IEEE 754 binary64).
    Float(f64),
    /// `str`.
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `list`.
    List(Vec<PyValue>),
    /// `tuple`.
    Tuple(Vec<PyValue>),
    /// `dict`, in insertion order.
    Dict(Vec<(PyValue, PyValue)>),
}

impl PyValue {
    /// A `bytes` value.
    #[must_use]
    pub fn bytes(b: impl Into<Vec<u8>>) -> PyValue {
        PyValue::Bytes(b.into())
    }

    /// A `tuple` of the given items.
    #[must_use]
    pub fn tuple(items: impl IntoIterator<Item = PyValue>) -> PyValue {
        PyValue::Tuple(items.into_iter().collect())
    }

    /// A `list` of the given items.
    #[must_use]
    pub fn list(items: impl IntoIterator<Item = PyValue>) -> PyValue {
        PyValue::List(items.into_iter().collect())
    }

    /// A `dict` of the given pairs, kept in the given order.
    ///
    /// The pairs are taken as they are: no duplicate-key merging is done.
    #[must_use]
    pub fn dict(pairs: impl IntoIterator<Item = (PyValue, PyValue)>) -> PyValue {
        PyValue::Dict(pairs.into_iter().collect())
    }

    /// CPython 3.8's `repr(self)`.
    #[must_use]
    pub fn repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    /// Appends CPython 3.8's `repr(self)` to `out`.
    pub fn write_repr(&self, out: &mut String) {
        match self {
            PyValue::None => out.push_str("None"),
            PyValue::Bool(true) => out.push_str("True"),
            PyValue::Bool(false) => out.push_str("False"),
            PyValue::Int(n) => out.push_str(n.as_str()),
            PyValue::Float(f) => repr_float(*f, out),
            PyValue::Str(s) => repr_str(s, out),
            PyValue::Bytes(b) => repr_bytes(b, out),
            PyValue::List(items) => {
                out.push('[');
                write_items(items, out);
                out.push(']');
            }
            PyValue::Tuple(items) => repr_tuple(items, out),
            PyValue::Dict(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_repr(out);
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
        }
    }

    /// CPython 3.8's `str(self)`: the string itself for a `str`, else
    /// [`repr`](Self::repr) (items inside containers always use `repr`).
    #[must_use]
    pub fn str_text(&self) -> String {
        match self {
            PyValue::Str(s) => s.clone(),
            other => other.repr(),
        }
    }

    /// Python's truth value: `None`, `False`, zero, `0.0`, `-0.0` and
    /// empty strings, bytes and containers are false (`nan` is true).
    #[must_use]
    pub fn is_truthy(&self) -> bool {
        match self {
            PyValue::None => false,
            PyValue::Bool(b) => *b,
            PyValue::Int(n) => !n.is_zero(),
            PyValue::Float(f) => *f != 0.0,
            PyValue::Str(s) => !s.is_empty(),
            PyValue::Bytes(b) => !b.is_empty(),
            PyValue::List(items) | PyValue::Tuple(items) => !items.is_empty(),
            PyValue::Dict(pairs) => !pairs.is_empty(),
        }
    }
}

fn write_items<V: Borrow<PyValue>>(items: &[V], out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        item.borrow().write_repr(out);
    }
}

impl From<&str> for PyValue {
    fn from(s: &str) -> Self {
        PyValue::Str(s.to_owned())
    }
}

impl From<String> for PyValue {
    fn from(s: String) -> Self {
        PyValue::Str(s)
    }
}

impl From<bool> for PyValue {
    fn from(b: bool) -> Self {
        PyValue::Bool(b)
    }
}

impl From<f64> for PyValue {
    fn from(f: f64) -> Self {
        PyValue::Float(f)
    }
}

impl From<f32> for PyValue {
    fn from(f: f32) -> Self {
        PyValue::Float(f64::from(f))
    }
}

impl From<PyInt> for PyValue {
    fn from(n: PyInt) -> Self {
        PyValue::Int(n)
    }
}

impl From<Vec<PyValue>> for PyValue {
    /// A `list`.
    fn from(items: Vec<PyValue>) -> Self {
        PyValue::List(items)
    }
}

/// Appends CPython 3.8's `repr` of a tuple of `items` to `out`:
/// `()`, `(x,)`, `(x, y)`.
///
/// Equal to `PyValue::tuple(items).write_repr(out)` without building the
/// tuple, so it also takes a slice of references.
pub fn repr_tuple<V: Borrow<PyValue>>(items: &[V], out: &mut String) {
    out.push('(');
    write_items(items, out);
    if items.len() == 1 {
        out.push(',');
    }
    out.push(')');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_hex(out: &mut String, value: u32, digits: u32) {
    for shift in (0..digits).rev() {
        let nibble = (value >> (shift * 4)) & 0xF;
        out.push(char::from(HEX[nibble as usize]));
    }
}

/// Appends CPython 3.8's `repr` of the `str` `s` to `out`.
///
/// The quote is `'` unless `s` holds a `'` and no `"`; `\`, the quote,
/// TAB, LF and CR are backslash-escaped; other controls and U+007F become
/// `\xhh`; non-ASCII code points that are not printable in Unicode 12.1
/// become `\xhh`, `\uhhhh` or `\Uhhhhhhhh`.
pub fn repr_str(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        b'"'
    } else {
        b'\''
    };
    out.reserve(s.len() + 2);
    out.push(char::from(quote));
    let mut rest = s;
    while !rest.is_empty() {
        // Copy the longest run that needs no escape in one go.
        let run = rest
            .bytes()
            .position(|b| b == b'\\' || b == quote || !(0x20..0x7F).contains(&b))
            .unwrap_or(rest.len());
        out.push_str(&rest[..run]);
        rest = &rest[run..];
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) == u32::from(quote) => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str("\\x");
                push_hex(out, c as u32, 2);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let cp = c as u32;
                if cp <= 0xFF {
                    out.push_str("\\x");
                    push_hex(out, cp, 2);
                } else if cp <= 0xFFFF {
                    out.push_str("\\u");
                    push_hex(out, cp, 4);
                } else {
                    out.push_str("\\U");
                    push_hex(out, cp, 8);
                }
            }
        }
    }
    out.push(char::from(quote));
}

/// Appends CPython 3.8's `repr` of the `bytes` `b` to `out`.
///
/// `b` followed by the quoted text: the quote is `'` unless `b` holds a
/// `'` and no `"`; `\`, the quote, TAB, LF and CR are backslash-escaped;
/// bytes below 0x20 or from 0x7F on become `\xhh`; the rest is copied.
/// Reserves the exact length once, then writes into `out`.
pub fn repr_bytes(b: &[u8], out: &mut String) {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let body: usize = b
        .iter()
        .map(|&c| match c {
            b'\\' | b'\t' | b'\n' | b'\r' => 2,
            q if q == quote => 2,
            0x20..=0x7E => 1,
            _ => 4,
        })
        .sum();
    out.reserve(3 + body);
    out.push('b');
    out.push(char::from(quote));
    for &byte in b {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            q if q == quote => {
                out.push('\\');
                out.push(char::from(q));
            }
            0x20..=0x7E => out.push(char::from(byte)),
            _ => {
                out.push('\\');
                out.push('x');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xF)]));
            }
        }
    }
    out.push(char::from(quote));
}

/// Appends CPython 3.8's `repr` of the float `f` to `out`.
///
/// The shortest digits that round-trip; positional notation when the
/// decimal exponent is in `-4..=15` (`0.0001`, `1000000000000000.0`),
/// else `1e+16`, `1.5e-05`; `inf`, `-inf`, `nan`, `-0.0`.
pub fn repr_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "inf" } else { "-inf" });
        return;
    }
    // `{:e}` prints the shortest round-trip digits: `1.2345e17`, `5e-324`.
    let mut sci = format!("{:e}", f.abs());
    // When the value lies exactly halfway between two shortest candidates,
    // CPython (David Gay's dtoa) takes the even digit, `{:e}` may not:
    // 581108896838200.25 is `581108896838200.2` in Python. Rust's
    // fixed-precision formatting is exact with ties to even, so it gives
    // the nearest candidate of the same length; keep it if it round-trips.
    let n_digits = sci
        .bytes()
        .take_while(|&b| b != b'e')
        .filter(u8::is_ascii_digit)
        .count();
    let nearest = format!("{:.*e}", n_digits.saturating_sub(1), f.abs());
    if nearest != sci && nearest.parse::<f64>().is_ok_and(|g| g == f.abs()) {
        sci = nearest;
    }
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (first, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if f.is_sign_negative() {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        let digits_len = first.len() + fraction.len();
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(first);
            out.push_str(fraction);
        } else {
            // `exp + 1` digits before the point (exp is in 0..16 here).
            let int_len = exp.unsigned_abs() as usize + 1;
            out.push_str(first);
            if fraction.len() >= int_len - 1 {
                let (int_rest, frac) = fraction.split_at(int_len - 1);
                out.push_str(int_rest);
                out.push('.');
                out.push_str(if frac.is_empty() { "0" } else { frac });
            } else {
                out.push_str(fraction);
                for _ in digits_len..int_len {
                    out.push('0');
                }
                out.push_str(".0");
            }
        }
    } else {
        out.push_str(first);
        if !fraction.is_empty() {
            out.push('.');
            out.push_str(fraction);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push('0');
        }
        out.push_str(&abs.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn float(f: f64) -> String {
        let mut s = String::new();
        repr_float(f, &mut s);
        s
    }

    fn s(text: &str) -> String {
        PyValue::from(text).repr()
    }

    fn b(bytes: &[u8]) -> String {
        PyValue::bytes(bytes).repr()
    }

    #[test]
    fn pyint_parse_normalises() {
        assert_eq!(
            PyInt::parse("0").map(PyInt::into_string).as_deref(),
            Some("0")
        );
        assert_eq!(
            PyInt::parse("-0").map(PyInt::into_string).as_deref(),
            Some("0")
        );
        assert_eq!(
            PyInt::parse("-000").map(PyInt::into_string).as_deref(),
            Some("0")
        );
        assert_eq!(
            PyInt::parse("007").map(PyInt::into_string).as_deref(),
            Some("7")
        );
        assert_eq!(
            PyInt::parse("-007").map(PyInt::into_string).as_deref(),
            Some("-7")
        );
        for bad in [
            "", "-", "+1", " 1", "1 ", "1_000", "0x10", "--1", "1.0", "\u{663}",
        ] {
            assert_eq!(PyInt::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn pyint_conversions() {
        let big = PyInt::parse("123456789012345678901234567890").unwrap();
        assert_eq!(big.to_i64(), None);
        assert_eq!(big.to_u128(), Some(123456789012345678901234567890));
        assert_eq!(big.to_f64(), Some(1.2345678901234568e29));
        assert_eq!(PyInt::from(-5i8).to_u64(), None);
        assert_eq!(PyInt::from(-5i8).to_i64(), Some(-5));
        assert_eq!(PyInt::from(i128::MIN).to_i128(), Some(i128::MIN));
        assert!(PyInt::from(-1).is_negative());
        assert!(!PyInt::from(0u8).is_negative());
        assert!(PyInt::from(0usize).is_zero());
        assert_eq!(PyInt::default(), PyInt::from(0));
        // 2**53 + 1 rounds to even; 2**1024 - 2**970 (halfway) overflows.
        assert_eq!(
            PyInt::parse("9007199254740993").unwrap().to_f64(),
            Some(9007199254740992.0)
        );
        let mut digits = String::from("1");
        digits.push_str(&"0".repeat(400));
        assert_eq!(PyInt::parse(&digits).unwrap().to_f64(), None);
    }

    #[test]
    fn scalars() {
        assert_eq!(PyValue::None.repr(), "None");
        assert_eq!(PyValue::from(true).repr(), "True");
        assert_eq!(PyValue::from(false).repr(), "False");
        assert_eq!(PyValue::from(-7).repr(), "-7");
        assert_eq!(PyValue::from(u64::MAX).repr(), "18446744073709551615");
    }

    #[test]
    fn floats() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (1.5, "1.5"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (13000.5, "13000.5"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (1e-05, "1e-05"),
            (1.5e-05, "1.5e-05"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (1e16, "1e+16"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (2.5e-300, "2.5e-300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (1e100, "1e+100"),
            (123.456, "123.456"),
            (f64::from_bits(0x4300_841f_aaf9_91c2), "581108896838200.2"), // exactly ...200.25
            (100.0, "100.0"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (-f64::NAN, "nan"),
        ];
        for &(f, text) in cases {
            assert_eq!(float(f), text, "{f:?}");
        }
    }

    #[test]
    fn strings() {
        assert_eq!(s(""), "''");
        assert_eq!(s("a"), "'a'");
        assert_eq!(s("it's"), "\"it's\"");
        assert_eq!(s("say \"hi\""), "'say \"hi\"'");
        assert_eq!(s("both ' and \""), "'both \\' and \"'");
        assert_eq!(s("back\\slash"), "'back\\\\slash'");
        assert_eq!(s("tab\tnl\ncr\r"), "'tab\\tnl\\ncr\\r'");
        assert_eq!(
            s("\0\u{1f}\u{7f}\u{80}\u{9f}\u{a0}\u{ad}\u{ff}"),
            "'\\x00\\x1f\\x7f\\x80\\x9f\\xa0\\xad\u{ff}'"
        );
        assert_eq!(
            s("\u{e9}\u{20ac}\u{200b}\u{2028}\u{3000}\u{feff}"),
            "'\u{e9}\u{20ac}\\u200b\\u2028\\u3000\\ufeff'"
        );
        assert_eq!(
            s("\u{1f600}\u{1fa70}\u{1fad0}\u{e0001}"),
            "'\u{1f600}\u{1fa70}\\U0001fad0\\U000e0001'"
        );
        assert_eq!(
            s("\u{378}\u{e000}\u{10ffff}"),
            "'\\u0378\\ue000\\U0010ffff'"
        );
        assert_eq!(PyValue::from("x'y").str_text(), "x'y");
    }

    #[test]
    fn bytes() {
        assert_eq!(b(b""), "b''");
        assert_eq!(b(b"it's"), "b\"it's\"");
        assert_eq!(b(b"say \"hi\""), "b'say \"hi\"'");
        assert_eq!(b(b"both ' and \""), "b'both \\' and \"'");
        assert_eq!(
            b(b"\\\t\n\r\x00\x7f\x80\xff"),
            "b'\\\\\\t\\n\\r\\x00\\x7f\\x80\\xff'"
        );
        assert_eq!(
            b(b"\x00\x01binary key'\xff"),
            "b\"\\x00\\x01binary key'\\xff\""
        );
        assert_eq!(PyValue::bytes(*b"a").str_text(), "b'a'");
    }

    #[test]
    fn containers() {
        assert_eq!(PyValue::tuple([]).repr(), "()");
        assert_eq!(PyValue::tuple([1.into()]).repr(), "(1,)");
        assert_eq!(
            PyValue::tuple(["x".into(), PyValue::None]).repr(),
            "('x', None)"
        );
        assert_eq!(PyValue::list([]).repr(), "[]");
        assert_eq!(PyValue::list([PyValue::list([])]).repr(), "[[]]");
        assert_eq!(PyValue::list([1.into()]).repr(), "[1]");
        assert_eq!(PyValue::dict([]).repr(), "{}");
        let d = PyValue::dict([
            (
                "b".into(),
                PyValue::list([1.into(), PyValue::tuple([2.into()])]),
            ),
            (1.into(), PyValue::None),
            (PyValue::tuple([1.into(), 2.into()]), PyValue::bytes(*b"k")),
        ]);
        assert_eq!(d.repr(), "{'b': [1, (2,)], 1: None, (1, 2): b'k'}");
        assert_eq!(d.str_text(), d.repr());
        let mut out = String::new();
        repr_tuple(&[&PyValue::from("a"), &PyValue::from(0)], &mut out);
        assert_eq!(out, "('a', 0)");
    }

    #[test]
    fn truthiness() {
        for v in [
            PyValue::None,
            false.into(),
            0.into(),
            0.0.into(),
            (-0.0).into(),
            "".into(),
            PyValue::bytes([]),
            PyValue::list([]),
            PyValue::tuple([]),
            PyValue::dict([]),
        ] {
            assert!(!v.is_truthy(), "{v:?}");
        }
        for v in [
            true.into(),
            (-1).into(),
            f64::NAN.into(),
            "0".into(),
            PyValue::bytes([0]),
            PyValue::list([PyValue::None]),
            PyValue::tuple([PyValue::None]),
            PyValue::dict([(PyValue::None, PyValue::None)]),
        ] {
            assert!(v.is_truthy(), "{v:?}");
        }
    }

    proptest! {
        #[test]
        fn float_repr_round_trips(bits in any::<u64>()) {
            let f = f64::from_bits(bits);
            let text = float(f);
            if f.is_finite() {
                let back: f64 = text.parse().unwrap();
                prop_assert_eq!(back.to_bits(), f.to_bits());
                prop_assert!(text.contains('.') || text.contains('e'));
            }
        }

        #[test]
        fn str_repr_is_ascii_safe_quoted(text in any::<String>()) {
            let r = PyValue::from(text.as_str()).repr();
            prop_assert!(r.starts_with('\'') || r.starts_with('"'));
            prop_assert_eq!(r.chars().next(), r.chars().last());
            prop_assert!(!r.chars().any(|c| c.is_control()));
        }

        #[test]
        fn bytes_repr_is_printable_ascii(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let r = PyValue::bytes(data).repr();
            prop_assert!(r.bytes().all(|c| (0x20..0x7F).contains(&c)));
        }

        #[test]
        fn pyint_matches_i128(n in any::<i128>()) {
            let p = PyInt::from(n);
            prop_assert_eq!(p.to_i128(), Some(n));
            prop_assert_eq!(PyInt::parse(&format!("{n}")), Some(p.clone()));
            prop_assert_eq!(p.is_negative(), n < 0);
        }
    }
}
