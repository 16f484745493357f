//! What the adapters need to know about an item: its Python text
//! ([`PyRepr`]) and, for the integer steps, its sign and magnitude
//! ([`PyIntLike`]).

use crate::compat::pyvalue::{repr_bytes, repr_float, repr_str};
use crate::compat::{PyInt, PyValue};

use super::bigint;

/// A value with a Python `repr` text, so that the hash steps hash what
/// the reference hashes (spec `cipher.md` §2).
///
/// | Rust | Python |
/// | --- | --- |
/// | `str`, `String`, `char` | `str` |
/// | `[u8]`, `Vec<u8>`, `[u8; N]` | `bytes` |
/// | integers, [`PyInt`] | `int` |
/// | `bool`, `f64`, `f32` | `bool`, `float` |
/// | `()`, `Option::None` | `None` |
/// | tuples of up to four | `tuple` |
/// | [`PyValue`] | anything else (lists, dicts) |
pub trait PyRepr {
    /// Appends CPython 3.8's `repr(self)` to `out`.
    fn write_repr(&self, out: &mut String);

    /// Appends CPython 3.8's `str(self)`: the text itself for a `str`,
    /// else the `repr`.
    fn write_str(&self, out: &mut String) {
        self.write_repr(out);
    }
}

impl<T: PyRepr + ?Sized> PyRepr for &T {
    fn write_repr(&self, out: &mut String) {
        (**self).write_repr(out);
    }
    fn write_str(&self, out: &mut String) {
        (**self).write_str(out);
    }
}

impl<T: PyRepr + ?Sized> PyRepr for Box<T> {
    fn write_repr(&self, out: &mut String) {
        (**self).write_repr(out);
    }
    fn write_str(&self, out: &mut String) {
        (**self).write_str(out);
    }
}

impl PyRepr for PyValue {
    fn write_repr(&self, out: &mut String) {
        PyValue::write_repr(self, out);
    }
    fn write_str(&self, out: &mut String) {
        match self {
            PyValue::Str(s) => out.push_str(s),
            other => other.write_repr(out),
        }
    }
}

impl PyRepr for PyInt {
    fn write_repr(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

impl PyRepr for str {
    fn write_repr(&self, out: &mut String) {
        repr_str(self, out);
    }
    fn write_str(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl PyRepr for String {
    fn write_repr(&self, out: &mut String) {
        repr_str(self, out);
    }
    fn write_str(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl PyRepr for char {
    fn write_repr(&self, out: &mut String) {
        repr_str(self.encode_utf8(&mut [0u8; 4]), out);
    }
    fn write_str(&self, out: &mut String) {
        out.push(*self);
    }
}

impl PyRepr for [u8] {
    fn write_repr(&self, out: &mut String) {
        repr_bytes(self, out);
    }
}

impl PyRepr for Vec<u8> {
    fn write_repr(&self, out: &mut String) {
        repr_bytes(self, out);
    }
}

impl<const N: usize> PyRepr for [u8; N] {
    fn write_repr(&self, out: &mut String) {
        repr_bytes(self, out);
    }
}

impl PyRepr for bool {
    fn write_repr(&self, out: &mut String) {
        out.push_str(if *self { "True" } else { "False" });
    }
}

impl PyRepr for f64 {
    fn write_repr(&self, out: &mut String) {
        repr_float(*self, out);
    }
}

impl PyRepr for f32 {
    fn write_repr(&self, out: &mut String) {
        repr_float(f64::from(*self), out);
    }
}

impl PyRepr for () {
    fn write_repr(&self, out: &mut String) {
        out.push_str("None");
    }
}

impl<T: PyRepr> PyRepr for Option<T> {
    fn write_repr(&self, out: &mut String) {
        match self {
            Some(v) => v.write_repr(out),
            None => out.push_str("None"),
        }
    }
    fn write_str(&self, out: &mut String) {
        match self {
            Some(v) => v.write_str(out),
            None => out.push_str("None"),
        }
    }
}

macro_rules! int_repr {
    ($($t:ty),*) => {$(
        impl PyRepr for $t {
            fn write_repr(&self, out: &mut String) {
                use std::fmt::Write;
                let _ = write!(out, "{self}");
            }
        }
        impl PyIntLike for $t {
            #[allow(unused_comparisons, clippy::cast_sign_loss, clippy::cast_possible_wrap)]
            fn sign_magnitude(&self) -> (bool, Vec<u8>) {
                let negative = *self < 0;
                let magnitude = (*self as i128).unsigned_abs();
                // u128 and i128 are handled by their own impls below.
                (negative, bigint::trim(magnitude.to_be_bytes().to_vec()))
            }
        }
    )*};
}

int_repr!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl PyRepr for i128 {
    fn write_repr(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "{self}");
    }
}

impl PyRepr for u128 {
    fn write_repr(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = write!(out, "{self}");
    }
}

macro_rules! tuple_repr {
    ($($name:ident . $idx:tt),+) => {
        impl<$($name: PyRepr),+> PyRepr for ($($name,)+) {
            fn write_repr(&self, out: &mut String) {
                out.push('(');
                let mut _first = true;
                $(
                    if !_first {
                        out.push_str(", ");
                    }
                    _first = false;
                    self.$idx.write_repr(out);
                )+
                if tuple_repr!(@count $($name)+) == 1 {
                    out.push(',');
                }
                out.push(')');
            }
        }
    };
    (@count $($name:ident)+) => { 0usize $(+ tuple_repr!(@one $name))+ };
    (@one $name:ident) => { 1usize };
}

tuple_repr!(A.0);
tuple_repr!(A.0, B.1);
tuple_repr!(A.0, B.1, C.2);
tuple_repr!(A.0, B.1, C.2, D.3);

/// An integer, as the integer steps see it: a sign and a big-endian
/// magnitude (no leading zero bytes; zero is empty).
///
/// Implemented for every primitive integer and for [`PyInt`] (any size).
pub trait PyIntLike {
    /// `(is_negative, big-endian magnitude without leading zero bytes)`.
    fn sign_magnitude(&self) -> (bool, Vec<u8>);
}

impl<T: PyIntLike + ?Sized> PyIntLike for &T {
    fn sign_magnitude(&self) -> (bool, Vec<u8>) {
        (**self).sign_magnitude()
    }
}

impl PyIntLike for i128 {
    fn sign_magnitude(&self) -> (bool, Vec<u8>) {
        (
            *self < 0,
            bigint::trim(self.unsigned_abs().to_be_bytes().to_vec()),
        )
    }
}

impl PyIntLike for u128 {
    fn sign_magnitude(&self) -> (bool, Vec<u8>) {
        (false, bigint::trim(self.to_be_bytes().to_vec()))
    }
}

impl PyIntLike for PyInt {
    fn sign_magnitude(&self) -> (bool, Vec<u8>) {
        let text = self.as_str();
        let digits = text.strip_prefix('-').unwrap_or(text);
        (self.is_negative(), bigint::decimal_to_be(digits.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr<T: PyRepr + ?Sized>(v: &T) -> String {
        let mut s = String::new();
        v.write_repr(&mut s);
        s
    }

    #[test]
    fn reprs_match_python() {
        assert_eq!(repr("it's"), "\"it's\"");
        assert_eq!(repr(&b"a'"[..]), "b\"a'\"");
        assert_eq!(repr(&(1u8,)), "(1,)");
        assert_eq!(repr(&("a", 2i64, None::<u8>)), "('a', 2, None)");
        assert_eq!(repr(&-5i8), "-5");
        assert_eq!(repr(&u128::MAX), u128::MAX.to_string());
        assert_eq!(repr(&1.0f64), "1.0");
        assert_eq!(repr(&'x'), "'x'");
    }

    #[test]
    fn sign_magnitude() {
        assert_eq!(0u8.sign_magnitude(), (false, vec![]));
        assert_eq!((-256i32).sign_magnitude(), (true, vec![1, 0]));
        assert_eq!(
            i64::MIN.sign_magnitude(),
            (true, vec![0x80, 0, 0, 0, 0, 0, 0, 0])
        );
        assert_eq!(i128::MIN.sign_magnitude().1.len(), 16);
        let big = PyInt::parse("-340282366920938463463374607431768211456").unwrap_or_default();
        let (neg, mag) = big.sign_magnitude();
        assert!(neg);
        assert_eq!(mag.len(), 17);
        assert_eq!(mag[0], 1);
    }
}
