//! Python values and their CPython 3.8 `repr` / `str` text.
//!
//! aiootp 0.17.0 never hashes structured values directly: it hashes the
//! UTF-8 bytes of their Python text. [`PyValue`] models the Python types
//! the cipher and the database hash (spec `cipher.md` §2), and
//! [`PyValue::repr`] / [`PyValue::str_text`] reproduce CPython 3.8's text
//! exactly, including quote selection, escapes, the Unicode 12.1
//! printable table and float formatting.

/// An integer of any size, kept as canonical decimal text.
///
/// Canonical means: an optional `-` followed by decimal digits with no
/// leading zeros (`0` for zero, never `-0`). This is exactly Python's
/// `repr` of an `int`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PyInt(String);

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
