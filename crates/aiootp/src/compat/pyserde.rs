//! `serde` to and from [`PyValue`]: Rust values as Python's `json` sees them.
//!
//! `json_encrypt` encrypts Python's `json.dumps` text of a value, and
//! `json_decrypt` parses it with `json.loads` (spec `cipher.md` §11.3).
//! This module turns any [`Serialize`] type into the [`PyValue`] that
//! Python would hold for it ([`to_value`]), so that
//! [`pyjson::dumps`](super::pyjson::dumps) writes Python's exact text, and
//! reads a [`PyValue`] back into any [`DeserializeOwned`] type
//! ([`from_value`]). Integers of any size survive both ways.
//!
//! ```
//! use aiootp::compat::{PyValue, pyjson, pyserde};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! struct Account {
//!     account: u32,
//!     titles: Vec<String>,
//! }
//!
//! let a = Account { account: 3311149, titles: vec!["queen b".into()] };
//! let v = pyserde::to_value(&a)?;
//! assert_eq!(pyjson::dumps(&v)?, r#"{"account": 3311149, "titles": ["queen b"]}"#);
//! let back: Account = pyserde::from_value(v)?;
//! assert_eq!(back, a);
//!
//! let err = pyserde::from_value::<u32>(PyValue::from("x")).unwrap_err();
//! assert_eq!(err.to_string(), r#"invalid type: string "x", expected u32"#);
//! # Ok::<(), aiootp::error::JsonError>(())
//! ```
//!
//! # Mapping (the serde data model → Python)
//!
//! It follows `serde_json::Value`, with Python's types:
//!
//! | serde | [`PyValue`] |
//! | --- | --- |
//! | `bool` | `Bool` |
//! | every integer type, `i128` / `u128` included | `Int` (exact) |
//! | `f32`, `f64` | `Float` (an `f32` is widened exactly, so `0.1f32` is `0.10000000149011612`, which is what Python holds) |
//! | `char`, `str` | `Str` |
//! | bytes | `List` of `Int` 0–255, as `serde_json` |
//! | `None`, `()`, unit struct | `None` |
//! | `Some(x)`, newtype struct | `x` |
//! | sequence, tuple, tuple struct | `List` |
//! | map, struct | `Dict`, in field / iteration order |
//! | unit variant | `Str` of the variant name |
//! | newtype / tuple / struct variant | `{"Variant": x}` (externally tagged, as `serde_json`) |
//!
//! **Map keys** are converted like any value and kept as they are: a
//! `HashMap<u32, _>` gives `Int` keys, as a Python dict with int keys
//! would. [`pyjson::dumps`](super::pyjson::dumps) turns `int`, `float`,
//! `bool` and `None` keys into strings exactly as Python's `json.dumps`
//! does (`1` → `"1"`, `True` → `"true"`) and refuses other key types with
//! Python's `TypeError` text. Duplicate keys produced by a `Serialize`
//! implementation are kept as given (Python would keep one).
//!
//! Reading back, [`from_value`] accepts what `serde_json::Value` accepts,
//! and more: a `tuple` reads as a sequence, `bytes` as bytes or as a
//! sequence of `u8`, and a string dict key (as `json.loads` returns them)
//! reads into an integer, `bool` or float key type by parsing it
//! (`"1"` → `1u32`, `"true"` → `true`, `"NaN"` → `f64::NAN`), while an
//! `int`, `bool`, `None` or `float` key reads into a string key type as
//! its JSON key text. Integers read into any integer type with a range
//! check, and into `f32` / `f64` rounded as Python's `float(n)`.
//! Errors are [`JsonError::Serde`] with serde's usual wording, e.g.
//! `invalid type: string "x", expected u32` or
//! `invalid value: integer `300`, expected u8`.
//!
//! # `PyValue` itself
//!
//! [`PyValue`] implements [`Serialize`] and [`Deserialize`], so it can be
//! a field of a user type, and `to_value` / `from_value` of a `PyValue`
//! give it back unchanged (`tuple`, `bytes` and integers beyond 128 bits
//! included). With other formats:
//!
//! * an `int` is written as `i64`, `u64`, `i128` or `u128`, the first
//!   that holds it; a larger one is written as its decimal **string**
//!   (inside a newtype struct that only [`to_value`] looks into), so
//!   `serde_json::to_string` writes `"123…"` with quotes;
//! * a `tuple` is a sequence and `bytes` are bytes (both inside marker
//!   newtype structs, which self-describing formats ignore);
//! * reading from another format, maps become `Dict`s with the format's
//!   keys (strings for JSON), sequences become `List`s.
//!
//! Some strings are reserved as markers: a one-key dict whose key is
//! `"$serde_json::private::Number"` reads back into a `PyValue` as that
//! integer, and one whose key is `"$aiootp::private::Tuple"` as a tuple
//! (the same convention as `serde_json`'s `arbitrary_precision`, whose
//! `Value` therefore receives big integers exactly; without that feature a
//! `serde_json::Value` read from a `PyValue` integer beyond 128 bits is
//! that one-key object).
//!
//! Conversion recurses once per nesting level, in both directions.

use core::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};
use serde::ser::{self, Serialize, Serializer};
use serde::{Deserialize, de::DeserializeOwned};

use super::pyvalue::{PyInt, PyValue, repr_float};
use crate::error::JsonError;

/// Marker for integers beyond 128 bits: the newtype-struct name written by
/// `PyValue`'s `Serialize`, and the single key of the map that the
/// `PyValue` deserializer hands to `deserialize_any` visitors (the key
/// `serde_json`'s `arbitrary_precision` uses for the same purpose).
const BIGINT_TOKEN: &str = "$serde_json::private::Number";
/// Marker newtype-struct name (serializing) and single map key
/// (deserializing into a `PyValue`) for a Python `tuple`.
const TUPLE_TOKEN: &str = "$aiootp::private::Tuple";
/// Marker newtype-struct name for Python `bytes`.
const BYTES_TOKEN: &str = "$aiootp::private::Bytes";
/// Newtype-struct name through which `PyValue`'s `Deserialize` asks the
/// `PyValue` deserializer for tuples.
const PYVALUE_TOKEN: &str = "$aiootp::private::PyValue";

/// The [`PyValue`] Python's `json` module would see for `value`; see the
/// [module documentation](self) for the mapping.
///
/// # Errors
/// [`JsonError::Serde`] when `value`'s `Serialize` implementation fails.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<PyValue, JsonError> {
    value.serialize(ValueSerializer)
}

/// Reads a `T` out of `value`; see the [module documentation](self).
///
/// # Errors
/// [`JsonError::Serde`] when `value` does not have `T`'s shape, e.g.
/// `invalid type: string "x", expected u32`.
pub fn from_value<T: DeserializeOwned>(value: PyValue) -> Result<T, JsonError> {
    T::deserialize(value)
}

impl ser::Error for JsonError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        JsonError::Serde(msg.to_string())
    }
}

impl de::Error for JsonError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        JsonError::Serde(msg.to_string())
    }
}

// ------------------------------------------------------------ serializer

/// The `serde::Serializer` behind [`to_value`].
struct ValueSerializer;

/// Collects a sequence, tuple or tuple struct.
struct SeqBuilder(Vec<PyValue>);

/// Collects a tuple variant: `{"Variant": [...]}`.
struct TupleVariantBuilder {
    variant: &'static str,
    items: Vec<PyValue>,
}

/// Collects a map.
struct MapBuilder {
    pairs: Vec<(PyValue, PyValue)>,
    key: Option<PyValue>,
}

/// Collects a struct.
struct StructBuilder(Vec<(PyValue, PyValue)>);

/// Collects a struct variant: `{"Variant": {...}}`.
struct StructVariantBuilder {
    variant: &'static str,
    fields: Vec<(PyValue, PyValue)>,
}

fn tagged(variant: &'static str, value: PyValue) -> PyValue {
    PyValue::Dict(vec![(PyValue::Str(variant.to_owned()), value)])
}

impl Serializer for ValueSerializer {
    type Ok = PyValue;
    type Error = JsonError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = TupleVariantBuilder;
    type SerializeMap = MapBuilder;
    type SerializeStruct = StructBuilder;
    type SerializeStructVariant = StructVariantBuilder;

    fn serialize_bool(self, v: bool) -> Result<PyValue, JsonError> {
        Ok(PyValue::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<PyValue, JsonError> {
        Ok(PyValue::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<PyValue, JsonError> {
        Ok(PyValue::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<PyValue, JsonError> {
        Ok(PyValue::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<PyValue, JsonError> {
        Ok(PyValue::from(v))
    }
    fn serialize_i128(self, v: i128) -> Result<PyValue, JsonError> {
        Ok(PyValue::from(v))
    }
    fn serialize_u8(self, v: u8) -> Result<PyValue, JsonError> {
        Ok(PyValue::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<PyValue, JsonError> {
        Ok(PyValue::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<PyValue, JsonError> {
        Ok(PyValue::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<PyValue, JsonError> {
        Ok(PyValue::from(v))
    }
    fn serialize_u128(self, v: u128) -> Result<PyValue, JsonError> {
        Ok(PyValue::from(v))
    }
    fn serialize_f32(self, v: f32) -> Result<PyValue, JsonError> {
        Ok(PyValue::Float(f64::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Result<PyValue, JsonError> {
        Ok(PyValue::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<PyValue, JsonError> {
        Ok(PyValue::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<PyValue, JsonError> {
        Ok(PyValue::Str(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<PyValue, JsonError> {
        Ok(PyValue::List(v.iter().map(|&b| PyValue::from(b)).collect()))
    }
    fn serialize_none(self) -> Result<PyValue, JsonError> {
        Ok(PyValue::None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<PyValue, JsonError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<PyValue, JsonError> {
        Ok(PyValue::None)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<PyValue, JsonError> {
        Ok(PyValue::None)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<PyValue, JsonError> {
        Ok(PyValue::Str(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<PyValue, JsonError> {
        let inner = value.serialize(self)?;
        // The markers written by `PyValue`'s `Serialize`; a foreign type
        // that happens to use the same name and another shape is left as
        // it serialized.
        Ok(match (name, inner) {
            (BIGINT_TOKEN, PyValue::Str(text)) => match PyInt::parse(&text) {
                Some(n) => PyValue::Int(n),
                None => PyValue::Str(text),
            },
            (TUPLE_TOKEN, PyValue::List(items)) => PyValue::Tuple(items),
            (BYTES_TOKEN, PyValue::List(items)) => match list_to_bytes(&items) {
                Some(bytes) => PyValue::Bytes(bytes),
                None => PyValue::List(items),
            },
            (_, inner) => inner,
        })
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<PyValue, JsonError> {
        Ok(tagged(variant, value.serialize(self)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, JsonError> {
        Ok(SeqBuilder(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, JsonError> {
        Ok(SeqBuilder(Vec::with_capacity(len)))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, JsonError> {
        Ok(SeqBuilder(Vec::with_capacity(len)))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<TupleVariantBuilder, JsonError> {
        Ok(TupleVariantBuilder {
            variant,
            items: Vec::with_capacity(len),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder, JsonError> {
        Ok(MapBuilder {
            pairs: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<StructBuilder, JsonError> {
        Ok(StructBuilder(Vec::with_capacity(len)))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<StructVariantBuilder, JsonError> {
        Ok(StructVariantBuilder {
            variant,
            fields: Vec::with_capacity(len),
        })
    }
}

/// The bytes of a list of `Int` 0–255, or `None`.
fn list_to_bytes(items: &[PyValue]) -> Option<Vec<u8>> {
    items
        .iter()
        .map(|item| match item {
            PyValue::Int(n) => n.as_str().parse::<u8>().ok(),
            _ => None,
        })
        .collect()
}

impl ser::SerializeSeq for SeqBuilder {
    type Ok = PyValue;
    type Error = JsonError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        self.0.push(to_value(value)?);
        Ok(())
    }
    fn end(self) -> Result<PyValue, JsonError> {
        Ok(PyValue::List(self.0))
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = PyValue;
    type Error = JsonError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<PyValue, JsonError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = PyValue;
    type Error = JsonError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<PyValue, JsonError> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for TupleVariantBuilder {
    type Ok = PyValue;
    type Error = JsonError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        self.items.push(to_value(value)?);
        Ok(())
    }
    fn end(self) -> Result<PyValue, JsonError> {
        Ok(tagged(self.variant, PyValue::List(self.items)))
    }
}

impl ser::SerializeMap for MapBuilder {
    type Ok = PyValue;
    type Error = JsonError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), JsonError> {
        self.key = Some(to_value(key)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), JsonError> {
        let key = self.key.take().ok_or_else(|| {
            JsonError::Serde(String::from("serialize_value called before serialize_key"))
        })?;
        self.pairs.push((key, to_value(value)?));
        Ok(())
    }
    fn end(self) -> Result<PyValue, JsonError> {
        Ok(PyValue::Dict(self.pairs))
    }
}

impl ser::SerializeStruct for StructBuilder {
    type Ok = PyValue;
    type Error = JsonError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        self.0
            .push((PyValue::Str(key.to_owned()), to_value(value)?));
        Ok(())
    }
    fn end(self) -> Result<PyValue, JsonError> {
        Ok(PyValue::Dict(self.0))
    }
}

impl ser::SerializeStructVariant for StructVariantBuilder {
    type Ok = PyValue;
    type Error = JsonError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), JsonError> {
        self.fields
            .push((PyValue::Str(key.to_owned()), to_value(value)?));
        Ok(())
    }
    fn end(self) -> Result<PyValue, JsonError> {
        Ok(tagged(self.variant, PyValue::Dict(self.fields)))
    }
}

// ------------------------------------------------- Serialize for PyValue

/// Serializes as bytes (the inside of the `bytes` marker).
struct BytesRef<'a>(&'a [u8]);

impl Serialize for BytesRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// Serializes a `Dict` as a map.
struct DictRef<'a>(&'a [(PyValue, PyValue)]);

impl Serialize for DictRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Serializes an `int` as the narrowest of `i64`, `u64`, `i128`, `u128`
/// that holds it, else as its decimal text in the [`BIGINT_TOKEN`]
/// newtype struct.
fn serialize_int<S: Serializer>(n: &PyInt, s: S) -> Result<S::Ok, S::Error> {
    // 40 characters hold every `i128` / `u128` (39 digits and a sign).
    if n.as_str().len() <= 40 {
        if let Some(v) = n.to_i64() {
            return s.serialize_i64(v);
        }
        if let Some(v) = n.to_u64() {
            return s.serialize_u64(v);
        }
        if let Some(v) = n.to_i128() {
            return s.serialize_i128(v);
        }
        if let Some(v) = n.to_u128() {
            return s.serialize_u128(v);
        }
    }
    s.serialize_newtype_struct(BIGINT_TOKEN, n.as_str())
}

/// `None` → unit, `Bool` → bool, `Int` → the narrowest integer type or a
/// decimal string beyond 128 bits, `Float` → `f64`, `Str` → str, `Bytes`
/// → bytes, `List` and `Tuple` → sequence, `Dict` → map; see the
/// [module documentation](self).
impl Serialize for PyValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PyValue::None => s.serialize_unit(),
            PyValue::Bool(b) => s.serialize_bool(*b),
            PyValue::Int(n) => serialize_int(n, s),
            PyValue::Float(f) => s.serialize_f64(*f),
            PyValue::Str(text) => s.serialize_str(text),
            PyValue::Bytes(bytes) => s.serialize_newtype_struct(BYTES_TOKEN, &BytesRef(bytes)),
            PyValue::List(items) => items.serialize(s),
            PyValue::Tuple(items) => s.serialize_newtype_struct(TUPLE_TOKEN, items),
            PyValue::Dict(pairs) => DictRef(pairs).serialize(s),
        }
    }
}

// ----------------------------------------------- Deserialize for PyValue

/// Builds a [`PyValue`] from any deserializer.
struct PyValueVisitor;

impl<'de> Visitor<'de> for PyValueVisitor {
    type Value = PyValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any Python value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<PyValue, E> {
        Ok(PyValue::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<PyValue, E> {
        Ok(PyValue::from(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<PyValue, E> {
        Ok(PyValue::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<PyValue, E> {
        Ok(PyValue::from(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<PyValue, E> {
        Ok(PyValue::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<PyValue, E> {
        Ok(PyValue::Float(v))
    }
    fn visit_char<E: de::Error>(self, v: char) -> Result<PyValue, E> {
        Ok(PyValue::Str(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<PyValue, E> {
        Ok(PyValue::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<PyValue, E> {
        Ok(PyValue::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<PyValue, E> {
        Ok(PyValue::Bytes(v.to_vec()))
    }
    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<PyValue, E> {
        Ok(PyValue::Bytes(v))
    }
    fn visit_none<E: de::Error>(self) -> Result<PyValue, E> {
        Ok(PyValue::None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<PyValue, D::Error> {
        PyValue::deserialize(d)
    }
    fn visit_unit<E: de::Error>(self) -> Result<PyValue, E> {
        Ok(PyValue::None)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<PyValue, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PyValue, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element::<PyValue>()? {
            items.push(item);
        }
        Ok(PyValue::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PyValue, A::Error> {
        let Some(first) = map.next_key::<PyValue>()? else {
            return Ok(PyValue::Dict(Vec::new()));
        };
        match &first {
            PyValue::Str(key) if key == BIGINT_TOKEN => {
                let text: String = map.next_value()?;
                let n = PyInt::parse(&text).ok_or_else(|| {
                    de::Error::invalid_value(Unexpected::Str(&text), &"a decimal integer")
                })?;
                return only_entry(map, PyValue::Int(n));
            }
            PyValue::Str(key) if key == TUPLE_TOKEN => {
                let items: Vec<PyValue> = map.next_value()?;
                return only_entry(map, PyValue::Tuple(items));
            }
            _ => {}
        }
        let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096) + 1);
        pairs.push((first, map.next_value()?));
        while let Some(pair) = map.next_entry::<PyValue, PyValue>()? {
            pairs.push(pair);
        }
        Ok(PyValue::Dict(pairs))
    }
}

/// Finishes a marker map, which must have had a single entry.
fn only_entry<'de, A: MapAccess<'de>>(mut map: A, value: PyValue) -> Result<PyValue, A::Error> {
    match map.next_key::<de::IgnoredAny>()? {
        None => Ok(value),
        Some(_) => Err(de::Error::invalid_length(2, &"a marker map with one entry")),
    }
}

/// The value each `visit_*` is given: see the
/// [module documentation](self). Through the [`PyValue`] deserializer
/// (that is, [`from_value`]) every `PyValue` comes back unchanged.
impl<'de> Deserialize<'de> for PyValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PyValue, D::Error> {
        d.deserialize_newtype_struct(PYVALUE_TOKEN, PyValueVisitor)
    }
}

// ---------------------------------------------------------- deserializer

impl PyValue {
    /// serde's `invalid type: …, expected …` error for this value.
    fn invalid_type(&self, exp: &dyn Expected) -> JsonError {
        self.with_unexpected(|u| de::Error::invalid_type(u, exp))
    }

    /// Calls `f` with serde's description of this value.
    fn with_unexpected<R>(&self, f: impl FnOnce(Unexpected<'_>) -> R) -> R {
        match self {
            PyValue::None => f(Unexpected::Other("null")),
            PyValue::Bool(b) => f(Unexpected::Bool(*b)),
            PyValue::Int(n) => match (n.to_i64(), n.to_u64()) {
                (Some(v), _) => f(Unexpected::Signed(v)),
                (None, Some(v)) => f(Unexpected::Unsigned(v)),
                (None, None) => f(Unexpected::Other(&format!("integer `{n}`"))),
            },
            PyValue::Float(v) => f(Unexpected::Float(*v)),
            PyValue::Str(s) => f(Unexpected::Str(s)),
            PyValue::Bytes(b) => f(Unexpected::Bytes(b)),
            PyValue::List(_) | PyValue::Tuple(_) => f(Unexpected::Seq),
            PyValue::Dict(_) => f(Unexpected::Map),
        }
    }
}

/// Visits a sequence, checking that the visitor took every item.
fn visit_items<'de, V: Visitor<'de>>(
    items: Vec<PyValue>,
    visitor: V,
) -> Result<V::Value, JsonError> {
    let len = items.len();
    let mut access = SeqDe(items.into_iter());
    let value = visitor.visit_seq(&mut access)?;
    match access.0.len() {
        0 => Ok(value),
        _ => Err(de::Error::invalid_length(len, &"fewer elements in array")),
    }
}

/// Visits `bytes` as a sequence of `u8`.
fn visit_byte_items<'de, V: Visitor<'de>>(
    bytes: Vec<u8>,
    visitor: V,
) -> Result<V::Value, JsonError> {
    let mut access = de::value::SeqDeserializer::<_, JsonError>::new(bytes.into_iter());
    let value = visitor.visit_seq(&mut access)?;
    access.end()?;
    Ok(value)
}

/// Visits a map, checking that the visitor took every entry.
fn visit_pairs<'de, V: Visitor<'de>>(
    pairs: Vec<(PyValue, PyValue)>,
    visitor: V,
) -> Result<V::Value, JsonError> {
    let len = pairs.len();
    let mut access = MapDe {
        iter: pairs.into_iter(),
        value: None,
    };
    let value = visitor.visit_map(&mut access)?;
    match access.iter.len() {
        0 => Ok(value),
        _ => Err(de::Error::invalid_length(len, &"fewer elements in map")),
    }
}

/// Visits a one-entry marker map `{token: value}`.
fn visit_marker<'de, V: Visitor<'de>>(
    token: &str,
    value: PyValue,
    visitor: V,
) -> Result<V::Value, JsonError> {
    visit_pairs(vec![(PyValue::Str(token.to_owned()), value)], visitor)
}

/// Hands an `int` to an integer visitor: as `i64` or `u64` when it fits,
/// as `i128` / `u128` only when `wide` (the visitor asked for a 128-bit
/// type), else an `invalid value` error naming the integer.
fn visit_int<'de, V: Visitor<'de>>(
    n: PyInt,
    wide: bool,
    visitor: V,
) -> Result<V::Value, JsonError> {
    if let Some(v) = n.to_i64() {
        return visitor.visit_i64(v);
    }
    if let Some(v) = n.to_u64() {
        return visitor.visit_u64(v);
    }
    if wide {
        if let Some(v) = n.to_i128() {
            return visitor.visit_i128(v);
        }
        if let Some(v) = n.to_u128() {
            return visitor.visit_u128(v);
        }
    }
    Err(de::Error::invalid_value(
        Unexpected::Other(&format!("integer `{n}`")),
        &visitor,
    ))
}

macro_rules! deserialize_int {
    ($($method:ident => $wide:expr),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
            match self {
                PyValue::Int(n) => visit_int(n, $wide, visitor),
                PyValue::Float(v) => visitor.visit_f64(v),
                other => Err(other.invalid_type(&visitor)),
            }
        }
    )*};
}

macro_rules! deserialize_float {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
            match self {
                PyValue::Float(v) => visitor.visit_f64(v),
                PyValue::Int(n) => match n.to_f64() {
                    Some(v) => visitor.visit_f64(v),
                    // Python's `float(n)` raises `OverflowError` likewise.
                    None => Err(JsonError::Serde(String::from(
                        "int too large to convert to float",
                    ))),
                },
                other => Err(other.invalid_type(&visitor)),
            }
        }
    )*};
}

/// Reads a [`PyValue`] into any `Deserialize` type, like
/// `serde_json::Value`; see the [module documentation](self).
impl<'de> Deserializer<'de> for PyValue {
    type Error = JsonError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self {
            PyValue::None => visitor.visit_unit(),
            PyValue::Bool(b) => visitor.visit_bool(b),
            PyValue::Int(n) => {
                if let Some(v) = n.to_i64() {
                    visitor.visit_i64(v)
                } else if let Some(v) = n.to_u64() {
                    visitor.visit_u64(v)
                } else if let Some(v) = n.to_i128() {
                    visitor.visit_i128(v)
                } else if let Some(v) = n.to_u128() {
                    visitor.visit_u128(v)
                } else {
                    visit_marker(BIGINT_TOKEN, PyValue::Str(n.into_string()), visitor)
                }
            }
            PyValue::Float(v) => visitor.visit_f64(v),
            PyValue::Str(s) => visitor.visit_string(s),
            PyValue::Bytes(b) => visitor.visit_byte_buf(b),
            PyValue::List(items) | PyValue::Tuple(items) => visit_items(items, visitor),
            PyValue::Dict(pairs) => visit_pairs(pairs, visitor),
        }
    }

    deserialize_int! {
        deserialize_i8 => false,
        deserialize_i16 => false,
        deserialize_i32 => false,
        deserialize_i64 => false,
        deserialize_i128 => true,
        deserialize_u8 => false,
        deserialize_u16 => false,
        deserialize_u32 => false,
        deserialize_u64 => false,
        deserialize_u128 => true,
    }

    deserialize_float! { deserialize_f32, deserialize_f64 }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self {
            PyValue::Bool(b) => visitor.visit_bool(b),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self {
            PyValue::Str(s) => visitor.visit_string(s),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self {
            PyValue::Bytes(b) => visitor.visit_byte_buf(b),
            PyValue::Str(s) => visitor.visit_string(s),
            PyValue::List(items) | PyValue::Tuple(items) => visit_items(items, visitor),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self {
            PyValue::None => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self {
            PyValue::None => visitor.visit_unit(),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        match (name, self) {
            // Only `PyValue`'s own `Deserialize` asks for this name: give
            // it tuples as tuples.
            (PYVALUE_TOKEN, PyValue::Tuple(items)) => {
                visit_marker(TUPLE_TOKEN, PyValue::List(items), visitor)
            }
            (PYVALUE_TOKEN, other) => other.deserialize_any(visitor),
            (_, value) => visitor.visit_newtype_struct(value),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self {
            PyValue::List(items) | PyValue::Tuple(items) => visit_items(items, visitor),
            PyValue::Bytes(b) => visit_byte_items(b, visitor),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self {
            PyValue::Dict(pairs) => visit_pairs(pairs, visitor),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        match self {
            PyValue::Dict(pairs) => visit_pairs(pairs, visitor),
            PyValue::List(items) | PyValue::Tuple(items) => visit_items(items, visitor),
            other => Err(other.invalid_type(&visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        match self {
            PyValue::Str(_) => visitor.visit_enum(EnumDe {
                variant: self,
                value: None,
            }),
            PyValue::Dict(pairs) => {
                let mut iter = pairs.into_iter();
                match (iter.next(), iter.next()) {
                    (Some((variant, value)), None) => visitor.visit_enum(EnumDe {
                        variant,
                        value: Some(value),
                    }),
                    _ => Err(de::Error::invalid_value(
                        Unexpected::Map,
                        &"map with a single key",
                    )),
                }
            }
            other => Err(other.invalid_type(&"string or map")),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self {
            PyValue::Str(s) => visitor.visit_string(s),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        drop(self);
        visitor.visit_unit()
    }
}

impl<'de> IntoDeserializer<'de, JsonError> for PyValue {
    type Deserializer = PyValue;

    fn into_deserializer(self) -> PyValue {
        self
    }
}

/// The items of a `list` or `tuple`.
struct SeqDe(std::vec::IntoIter<PyValue>);

impl<'de> SeqAccess<'de> for SeqDe {
    type Error = JsonError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, JsonError> {
        self.0.next().map(|v| seed.deserialize(v)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The entries of a `dict`.
struct MapDe {
    iter: std::vec::IntoIter<(PyValue, PyValue)>,
    value: Option<PyValue>,
}

impl<'de> MapAccess<'de> for MapDe {
    type Error = JsonError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonError> {
        match self.iter.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(KeyDe(key)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, JsonError> {
        match self.value.take() {
            Some(value) => seed.deserialize(value),
            None => Err(JsonError::Serde(String::from("value is missing"))),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// A dict key: a string parses into the number or `bool` the key type
/// asks for; a number, `bool` or `None` gives its JSON key text to a
/// string key type. Everything else is as for values.
struct KeyDe(PyValue);

/// Python's `json.dumps` text of a dict key.
fn key_text(key: &PyValue) -> Option<String> {
    match key {
        PyValue::Str(s) => Some(s.clone()),
        PyValue::Int(n) => Some(n.to_string()),
        PyValue::Bool(true) => Some(String::from("true")),
        PyValue::Bool(false) => Some(String::from("false")),
        PyValue::None => Some(String::from("null")),
        PyValue::Float(f) if f.is_nan() => Some(String::from("NaN")),
        PyValue::Float(f) if f.is_infinite() && *f > 0.0 => Some(String::from("Infinity")),
        PyValue::Float(f) if f.is_infinite() => Some(String::from("-Infinity")),
        PyValue::Float(f) => {
            let mut out = String::new();
            repr_float(*f, &mut out);
            Some(out)
        }
        PyValue::Bytes(_) | PyValue::List(_) | PyValue::Tuple(_) | PyValue::Dict(_) => None,
    }
}

macro_rules! deserialize_key_int {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
            match self.0 {
                PyValue::Str(s) => match PyInt::parse(&s) {
                    Some(n) => PyValue::Int(n).$method(visitor),
                    None => Err(de::Error::invalid_type(Unexpected::Str(&s), &visitor)),
                },
                other => other.$method(visitor),
            }
        }
    )*};
}

macro_rules! deserialize_key_float {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
            match self.0 {
                PyValue::Str(s) => {
                    let parsed = match s.as_str() {
                        "NaN" => Some(f64::NAN),
                        "Infinity" => Some(f64::INFINITY),
                        "-Infinity" => Some(f64::NEG_INFINITY),
                        text if text.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) => {
                            text.parse::<f64>().ok()
                        }
                        _ => None,
                    };
                    match parsed {
                        Some(v) => visitor.visit_f64(v),
                        None => Err(de::Error::invalid_type(Unexpected::Str(&s), &visitor)),
                    }
                }
                other => other.$method(visitor),
            }
        }
    )*};
}

macro_rules! deserialize_key_text {
    ($($method:ident),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
            match self.0 {
                PyValue::Str(s) => visitor.visit_string(s),
                other => match key_text(&other) {
                    Some(text) => visitor.visit_string(text),
                    None => Err(other.invalid_type(&visitor)),
                },
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for KeyDe {
    type Error = JsonError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.0.deserialize_any(visitor)
    }

    deserialize_key_int! {
        deserialize_i8, deserialize_i16, deserialize_i32, deserialize_i64, deserialize_i128,
        deserialize_u8, deserialize_u16, deserialize_u32, deserialize_u64, deserialize_u128,
    }

    deserialize_key_float! { deserialize_f32, deserialize_f64 }

    deserialize_key_text! { deserialize_char, deserialize_str, deserialize_string, deserialize_identifier }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.0 {
            PyValue::Str(s) if s == "true" => visitor.visit_bool(true),
            PyValue::Str(s) if s == "false" => visitor.visit_bool(false),
            other => other.deserialize_bool(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.0 {
            PyValue::None => visitor.visit_none(),
            other => visitor.visit_some(KeyDe(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        if name == PYVALUE_TOKEN {
            self.0.deserialize_newtype_struct(name, visitor)
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    serde::forward_to_deserialize_any! {
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct ignored_any
    }
}

/// An enum: the variant name and, unless it is a bare string, its value.
struct EnumDe {
    variant: PyValue,
    value: Option<PyValue>,
}

impl<'de> EnumAccess<'de> for EnumDe {
    type Error = JsonError;
    type Variant = VariantDe;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantDe), JsonError> {
        let variant = seed.deserialize(KeyDe(self.variant))?;
        Ok((variant, VariantDe(self.value)))
    }
}

/// The value of an enum variant, if any.
struct VariantDe(Option<PyValue>);

impl<'de> VariantAccess<'de> for VariantDe {
    type Error = JsonError;

    fn unit_variant(self) -> Result<(), JsonError> {
        match self.0 {
            Some(value) => <()>::deserialize(value),
            None => Ok(()),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, JsonError> {
        match self.0 {
            Some(value) => seed.deserialize(value),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        match self.0 {
            Some(PyValue::List(items) | PyValue::Tuple(items)) => visit_items(items, visitor),
            Some(other) => Err(other.invalid_type(&"tuple variant")),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        match self.0 {
            Some(PyValue::Dict(pairs)) => visit_pairs(pairs, visitor),
            Some(PyValue::List(items) | PyValue::Tuple(items)) => visit_items(items, visitor),
            Some(other) => Err(other.invalid_type(&"struct variant")),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::compat::pyjson;

    fn s(text: &str) -> PyValue {
        PyValue::from(text)
    }

    fn int(text: &str) -> PyValue {
        PyValue::Int(PyInt::parse(text).unwrap())
    }

    fn dict<const N: usize>(pairs: [(PyValue, PyValue); N]) -> PyValue {
        PyValue::Dict(pairs.into())
    }

    fn err<T: DeserializeOwned + fmt::Debug>(v: PyValue) -> String {
        from_value::<T>(v).unwrap_err().to_string()
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    enum Shape {
        Empty,
        Circle(f64),
        Pair(i32, String),
        Rect { w: u16, h: u16 },
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Unit;

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Meters(u32);

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Point(i8, i8);

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Record {
        name: String,
        id: u64,
        big: i128,
        ratio: f64,
        tag: Option<char>,
        shapes: Vec<Shape>,
        scores: BTreeMap<String, i32>,
        by_id: BTreeMap<u32, Vec<bool>>,
        pair: (u8, String),
        unit: (),
        marker: Unit,
        length: Meters,
        point: Point,
    }

    fn record() -> Record {
        Record {
            name: "queen b".into(),
            id: u64::MAX,
            big: i128::MIN,
            ratio: 0.1,
            tag: Some('é'),
            shapes: vec![
                Shape::Empty,
                Shape::Circle(1.5),
                Shape::Pair(-3, "x".into()),
                Shape::Rect { w: 2, h: 3 },
            ],
            scores: [("a".to_owned(), 1), ("b".to_owned(), -2)].into(),
            by_id: [(7, vec![true]), (300, vec![])].into(),
            pair: (255, "y".into()),
            unit: (),
            marker: Unit,
            length: Meters(12),
            point: Point(-1, 1),
        }
    }

    #[test]
    fn record_to_value_shape() {
        let v = to_value(&record()).unwrap();
        let expected = dict([
            (s("name"), s("queen b")),
            (s("id"), int("18446744073709551615")),
            (s("big"), int("-170141183460469231731687303715884105728")),
            (s("ratio"), PyValue::Float(0.1)),
            (s("tag"), s("é")),
            (
                s("shapes"),
                PyValue::List(vec![
                    s("Empty"),
                    dict([(s("Circle"), PyValue::Float(1.5))]),
                    dict([(s("Pair"), PyValue::List(vec![int("-3"), s("x")]))]),
                    dict([(s("Rect"), dict([(s("w"), int("2")), (s("h"), int("3"))]))]),
                ]),
            ),
            (s("scores"), dict([(s("a"), int("1")), (s("b"), int("-2"))])),
            (
                s("by_id"),
                dict([
                    (int("7"), PyValue::List(vec![PyValue::Bool(true)])),
                    (int("300"), PyValue::List(vec![])),
                ]),
            ),
            (s("pair"), PyValue::List(vec![int("255"), s("y")])),
            (s("unit"), PyValue::None),
            (s("marker"), PyValue::None),
            (s("length"), int("12")),
            (s("point"), PyValue::List(vec![int("-1"), int("1")])),
        ]);
        assert_eq!(v, expected);
        // The text Python's json.dumps writes for the same value.
        assert_eq!(
            pyjson::dumps(&v).unwrap(),
            r#"{"name": "queen b", "id": 18446744073709551615, "big": -170141183460469231731687303715884105728, "ratio": 0.1, "tag": "\u00e9", "shapes": ["Empty", {"Circle": 1.5}, {"Pair": [-3, "x"]}, {"Rect": {"w": 2, "h": 3}}], "scores": {"a": 1, "b": -2}, "by_id": {"7": [true], "300": []}, "pair": [255, "y"], "unit": null, "marker": null, "length": 12, "point": [-1, 1]}"#
        );
    }

    #[test]
    fn record_round_trips_directly_and_through_json_text() {
        let r = record();
        let v = to_value(&r).unwrap();
        assert_eq!(from_value::<Record>(v.clone()).unwrap(), r);
        // json.loads gives string keys ("7", "300"): they parse back into u32.
        let reloaded = pyjson::loads(&pyjson::dumps(&v).unwrap()).unwrap();
        assert_ne!(reloaded, v);
        assert_eq!(from_value::<Record>(reloaded).unwrap(), r);
    }

    #[test]
    fn scalars_and_options() {
        assert_eq!(to_value(&true).unwrap(), PyValue::Bool(true));
        assert_eq!(to_value(&u128::MAX).unwrap(), int(&u128::MAX.to_string()));
        assert_eq!(to_value(&-5i8).unwrap(), int("-5"));
        assert_eq!(
            to_value(&0.1f32).unwrap(),
            PyValue::Float(f64::from(0.1f32))
        );
        assert_eq!(to_value(&f64::NAN).unwrap().repr(), "nan");
        assert_eq!(to_value(&'x').unwrap(), s("x"));
        assert_eq!(to_value(&None::<u8>).unwrap(), PyValue::None);
        assert_eq!(to_value(&Some(Some(3u8))).unwrap(), int("3"));
        assert_eq!(to_value("str").unwrap(), s("str"));
        assert_eq!(from_value::<Option<u8>>(PyValue::None).unwrap(), None);
        assert_eq!(from_value::<Option<u8>>(int("4")).unwrap(), Some(4));
        assert_eq!(
            from_value::<u128>(int(&u128::MAX.to_string())).unwrap(),
            u128::MAX
        );
        assert_eq!(
            from_value::<i128>(int(&i128::MIN.to_string())).unwrap(),
            i128::MIN
        );
        assert_eq!(from_value::<char>(s("é")).unwrap(), 'é');
        assert_eq!(from_value::<()>(PyValue::None).unwrap(), ());
        // Integers read into floats, rounded like Python's float(n).
        assert_eq!(from_value::<f64>(int("3")).unwrap(), 3.0);
        assert_eq!(
            from_value::<f64>(int("9007199254740993")).unwrap(),
            9007199254740992.0
        );
        assert_eq!(from_value::<f32>(PyValue::Float(0.5)).unwrap(), 0.5);
        let huge = format!("1{}", "0".repeat(400));
        assert_eq!(err::<f64>(int(&huge)), "int too large to convert to float");
    }

    #[test]
    fn bytes_are_int_lists_and_read_back() {
        struct Raw<'a>(&'a [u8]);
        impl Serialize for Raw<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(self.0)
            }
        }
        let v = to_value(&Raw(&[0, 255])).unwrap();
        assert_eq!(v, PyValue::List(vec![int("0"), int("255")]));
        assert_eq!(from_value::<Vec<u8>>(v).unwrap(), vec![0, 255]);
        assert_eq!(
            from_value::<Vec<u8>>(PyValue::bytes(*b"ab")).unwrap(),
            b"ab"
        );
        assert_eq!(
            from_value::<(u8, u8)>(PyValue::bytes(*b"ab")).unwrap(),
            (97, 98)
        );
        assert_eq!(
            err::<(u8,)>(PyValue::bytes(*b"ab")),
            "invalid length 2, expected 1 element in sequence"
        );
    }

    #[test]
    fn map_keys() {
        let m: HashMap<u32, &str> = [(1, "a")].into();
        assert_eq!(to_value(&m).unwrap(), dict([(int("1"), s("a"))]));
        let m: BTreeMap<bool, u8> = [(false, 0), (true, 1)].into();
        let v = to_value(&m).unwrap();
        assert_eq!(pyjson::dumps(&v).unwrap(), r#"{"false": 0, "true": 1}"#);
        let back = pyjson::loads(&pyjson::dumps(&v).unwrap()).unwrap();
        assert_eq!(from_value::<BTreeMap<bool, u8>>(back).unwrap(), m);
        // Key texts of numbers read into string-keyed maps, Python's text.
        let v = dict([
            (int("5"), int("1")),
            (PyValue::Bool(true), int("2")),
            (PyValue::None, int("3")),
            (PyValue::Float(1e16), int("4")),
            (PyValue::Float(f64::NEG_INFINITY), int("5")),
        ]);
        let m: Vec<(String, u8)> = from_value::<BTreeMap<String, u8>>(v)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(
            m,
            [
                ("-Infinity", 5),
                ("1e+16", 4),
                ("5", 1),
                ("null", 3),
                ("true", 2)
            ]
            .map(|(k, v)| (k.to_owned(), v))
        );
        // String keys parse into number keys (floats: see below).
        #[derive(Deserialize, PartialEq, Eq, Hash, Debug)]
        struct Id(i64);
        let m: HashMap<Id, u8> = from_value(dict([(s("-7"), int("1"))])).unwrap();
        assert_eq!(m[&Id(-7)], 1);
        assert_eq!(
            err::<HashMap<u8, u8>>(dict([(s("x"), int("1"))])),
            r#"invalid type: string "x", expected u8"#
        );
        assert_eq!(
            err::<HashMap<u8, u8>>(dict([(s("300"), int("1"))])),
            "invalid value: integer `300`, expected u8"
        );
        assert_eq!(
            err::<HashMap<bool, u8>>(dict([(s("True"), int("1"))])),
            r#"invalid type: string "True", expected a boolean"#
        );
    }

    #[test]
    fn float_keys_from_json_text() {
        struct FloatKeys(Vec<(f64, u8)>);
        impl<'de> Deserialize<'de> for FloatKeys {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = FloatKeys;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a map")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<FloatKeys, A::Error> {
                        let mut out = Vec::new();
                        while let Some(pair) = m.next_entry::<f64, u8>()? {
                            out.push(pair);
                        }
                        Ok(FloatKeys(out))
                    }
                }
                d.deserialize_map(V)
            }
        }
        let v = pyjson::loads(r#"{"-1.5": 1, "NaN": 2, "Infinity": 3, "1e+16": 4}"#).unwrap();
        let FloatKeys(keys) = from_value(v).unwrap();
        assert_eq!(keys[0], (-1.5, 1));
        assert!(keys[1].0.is_nan());
        assert_eq!(keys[2], (f64::INFINITY, 3));
        assert_eq!(keys[3], (1e16, 4));
        let v = dict([(s("inf"), int("1"))]);
        assert_eq!(
            from_value::<FloatKeys>(v).err().unwrap().to_string(),
            r#"invalid type: string "inf", expected f64"#
        );
    }

    #[test]
    fn enums_from_strings_and_single_key_dicts() {
        assert_eq!(from_value::<Shape>(s("Empty")).unwrap(), Shape::Empty);
        assert_eq!(
            from_value::<Shape>(dict([(s("Empty"), PyValue::None)])).unwrap(),
            Shape::Empty
        );
        assert_eq!(
            from_value::<Shape>(dict([(s("Circle"), int("2"))])).unwrap(),
            Shape::Circle(2.0)
        );
        assert_eq!(
            from_value::<Shape>(dict([(s("Pair"), PyValue::tuple([int("1"), s("a")]))])).unwrap(),
            Shape::Pair(1, "a".into())
        );
        assert_eq!(
            err::<Shape>(s("Square")),
            "unknown variant `Square`, expected one of `Empty`, `Circle`, `Pair`, `Rect`"
        );
        assert_eq!(
            err::<Shape>(dict([(s("Circle"), int("1")), (s("Empty"), PyValue::None)])),
            "invalid value: map, expected map with a single key"
        );
        assert_eq!(
            err::<Shape>(int("1")),
            "invalid type: integer `1`, expected string or map"
        );
        assert_eq!(
            err::<Shape>(s("Circle")),
            "invalid type: unit variant, expected newtype variant"
        );
        assert_eq!(
            err::<Shape>(dict([(s("Rect"), int("1"))])),
            "invalid type: integer `1`, expected struct variant"
        );
    }

    #[test]
    fn type_mismatch_messages() {
        assert_eq!(
            err::<u32>(s("x")),
            r#"invalid type: string "x", expected u32"#
        );
        assert_eq!(
            err::<u8>(int("300")),
            "invalid value: integer `300`, expected u8"
        );
        assert_eq!(
            err::<u32>(int("-1")),
            "invalid value: integer `-1`, expected u32"
        );
        assert_eq!(
            err::<u32>(PyValue::Float(1.5)),
            "invalid type: floating point `1.5`, expected u32"
        );
        assert_eq!(
            err::<u32>(PyValue::None),
            "invalid type: null, expected u32"
        );
        let big = format!("1{}", "0".repeat(50));
        assert_eq!(
            err::<u64>(int(&big)),
            format!("invalid value: integer `{big}`, expected u64")
        );
        assert_eq!(
            err::<u128>(int(&big)),
            format!("invalid value: integer `{big}`, expected u128")
        );
        assert_eq!(
            err::<u64>(int("18446744073709551616")),
            "invalid value: integer `18446744073709551616`, expected u64"
        );
        assert_eq!(
            err::<String>(int(&big)),
            format!("invalid type: integer `{big}`, expected a string")
        );
        assert_eq!(
            err::<bool>(int("1")),
            "invalid type: integer `1`, expected a boolean"
        );
        assert_eq!(
            err::<Vec<u8>>(s("ab")),
            r#"invalid type: string "ab", expected a sequence"#
        );
        assert_eq!(
            err::<Record>(dict([(s("name"), s("n"))])),
            "missing field `id`"
        );
        assert_eq!(
            err::<(u8, u8)>(PyValue::List(vec![int("1"), int("2"), int("3")])),
            "invalid length 3, expected fewer elements in array"
        );
        assert_eq!(
            err::<(u8, u8, u8)>(PyValue::List(vec![int("1")])),
            "invalid length 1, expected a tuple of size 3"
        );
        assert_eq!(
            err::<Unit>(int("0")),
            "invalid type: integer `0`, expected unit struct Unit"
        );
        assert!(matches!(from_value::<u8>(s("x")), Err(JsonError::Serde(_))));
    }

    #[test]
    fn structs_read_from_sequences_and_tuples_as_sequences() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct P {
            x: i32,
            y: i32,
        }
        assert_eq!(
            from_value::<P>(PyValue::tuple([int("1"), int("2")])).unwrap(),
            P { x: 1, y: 2 }
        );
        assert_eq!(
            from_value::<Vec<i32>>(PyValue::tuple([int("1"), int("2")])).unwrap(),
            vec![1, 2]
        );
    }

    fn big() -> PyValue {
        int(&"9".repeat(617))
    }

    #[test]
    fn pyvalue_is_unchanged_both_ways() {
        let v = dict([
            (
                s("ciphertext"),
                PyValue::List(vec![big(), int("0"), int("-1")]),
            ),
            (
                int("1"),
                PyValue::tuple([PyValue::bytes(*b"\x00k"), PyValue::tuple([])]),
            ),
            (PyValue::tuple([int("2"), s("a")]), PyValue::Float(-0.0)),
            (PyValue::None, PyValue::Bool(false)),
            (PyValue::Float(1.5), dict([])),
            (s("neg"), int(&format!("-{}", "1".repeat(100)))),
            (s("u128"), int(&u128::MAX.to_string())),
            (s("i128"), int(&i128::MIN.to_string())),
        ]);
        assert_eq!(to_value(&v).unwrap(), v);
        assert_eq!(from_value::<PyValue>(v.clone()).unwrap(), v);
        // Inside a user type, both ways.
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Holder {
            data: PyValue,
            more: Vec<PyValue>,
        }
        let h = Holder {
            data: v.clone(),
            more: vec![big(), PyValue::tuple([big()])],
        };
        let hv = to_value(&h).unwrap();
        assert_eq!(
            hv,
            dict([
                (s("data"), v.clone()),
                (
                    s("more"),
                    PyValue::List(vec![big(), PyValue::tuple([big()])])
                )
            ])
        );
        assert_eq!(from_value::<Holder>(hv).unwrap(), h);
    }

    #[test]
    fn pyvalue_with_other_formats() {
        let v = PyValue::List(vec![
            big(),
            int(&u128::MAX.to_string()),
            int("-3"),
            PyValue::tuple([s("t")]),
            PyValue::bytes(*b"ab"),
            dict([(s("k"), PyValue::None)]),
        ]);
        let text = serde_json::to_string(&v).unwrap();
        assert_eq!(
            text,
            format!(
                r#"["{}",{},-3,["t"],[97,98],{{"k":null}}]"#,
                "9".repeat(617),
                u128::MAX
            )
        );
        let back: PyValue =
            serde_json::from_str(r#"{"a": [1, 2.5, null, true, "s"], "b": {}}"#).unwrap();
        assert_eq!(
            back,
            dict([
                (
                    s("a"),
                    PyValue::List(vec![
                        int("1"),
                        PyValue::Float(2.5),
                        PyValue::None,
                        PyValue::Bool(true),
                        s("s")
                    ])
                ),
                (s("b"), dict([])),
            ])
        );
        // serde_json::Value receives integers beyond 128 bits as a marker
        // object (its `arbitrary_precision` convention).
        let j: serde_json::Value = from_value(PyValue::List(vec![int("5"), big()])).unwrap();
        assert_eq!(j[0], 5);
        assert_eq!(j[1][BIGINT_TOKEN], "9".repeat(617));
        // And serde_json::Value goes into a PyValue with its key order.
        let j = serde_json::json!({"account": 3311149, "titles": ["queen b"], "x": 1.5, "n": null});
        let v = to_value(&j).unwrap();
        assert_eq!(
            pyjson::dumps(&v).unwrap(),
            r#"{"account": 3311149, "n": null, "titles": ["queen b"], "x": 1.5}"#
        );
        assert_eq!(from_value::<serde_json::Value>(v).unwrap(), j);
    }

    #[test]
    fn untagged_and_flattened_pyvalues_keep_big_ints() {
        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(untagged)]
        enum Either {
            Small(u8),
            Any(PyValue),
        }
        assert_eq!(from_value::<Either>(int("3")).unwrap(), Either::Small(3));
        assert_eq!(from_value::<Either>(big()).unwrap(), Either::Any(big()));
    }

    // ------------------------------------------------------- proptests

    fn shape() -> impl Strategy<Value = Shape> {
        prop_oneof![
            Just(Shape::Empty),
            (-1e300f64..1e300).prop_map(Shape::Circle),
            (any::<i32>(), ".*").prop_map(|(a, b)| Shape::Pair(a, b)),
            (any::<u16>(), any::<u16>()).prop_map(|(w, h)| Shape::Rect { w, h }),
        ]
    }

    fn any_float() -> impl Strategy<Value = f64> {
        any::<f64>().prop_filter("nan", |f| !f.is_nan())
    }

    prop_compose! {
        fn arb_record()(
            name in ".*",
            id in any::<u64>(),
            big in any::<i128>(),
            ratio in any_float(),
            tag in proptest::option::of(any::<char>()),
            shapes in proptest::collection::vec(shape(), 0..4),
            scores in proptest::collection::btree_map(".*", any::<i32>(), 0..4),
            by_id in proptest::collection::btree_map(any::<u32>(), proptest::collection::vec(any::<bool>(), 0..3), 0..4),
            pair in (any::<u8>(), ".*"),
            length in any::<u32>(),
            point in (any::<i8>(), any::<i8>()),
        ) -> Record {
            Record {
                name, id, big, ratio, tag, shapes, scores, by_id, pair,
                unit: (), marker: Unit, length: Meters(length), point: Point(point.0, point.1),
            }
        }
    }

    fn leaf() -> impl Strategy<Value = PyValue> {
        prop_oneof![
            Just(PyValue::None),
            any::<bool>().prop_map(PyValue::Bool),
            any::<i64>().prop_map(PyValue::from),
            any::<u128>().prop_map(PyValue::from),
            any::<i128>().prop_map(PyValue::from),
            "-?[1-9][0-9]{0,700}".prop_map(|t| int(&t)),
            any_float().prop_map(PyValue::Float),
            ".*".prop_map(PyValue::Str),
            proptest::collection::vec(any::<u8>(), 0..8).prop_map(PyValue::Bytes),
        ]
    }

    fn pyvalue() -> impl Strategy<Value = PyValue> {
        leaf().prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(PyValue::List),
                proptest::collection::vec(inner.clone(), 0..6).prop_map(PyValue::Tuple),
                proptest::collection::vec((leaf(), inner), 0..6).prop_map(PyValue::Dict),
            ]
        })
    }

    proptest! {
        #[test]
        fn record_round_trip(r in arb_record()) {
            let v = to_value(&r).unwrap();
            prop_assert_eq!(&from_value::<Record>(v.clone()).unwrap(), &r);
            let text = pyjson::dumps(&v).unwrap();
            let reloaded = pyjson::loads(&text).unwrap();
            prop_assert_eq!(from_value::<Record>(reloaded).unwrap(), r);
        }

        #[test]
        fn hashmap_and_option_round_trip(
            m in proptest::collection::hash_map(any::<i64>(), proptest::option::of(any::<u128>()), 0..8),
        ) {
            let v = to_value(&m).unwrap();
            prop_assert_eq!(&from_value::<HashMap<i64, Option<u128>>>(v.clone()).unwrap(), &m);
            let reloaded = pyjson::loads(&pyjson::dumps(&v).unwrap()).unwrap();
            prop_assert_eq!(from_value::<HashMap<i64, Option<u128>>>(reloaded).unwrap(), m);
        }

        #[test]
        fn pyvalue_identity(v in pyvalue()) {
            prop_assert_eq!(&to_value(&v).unwrap(), &v);
            prop_assert_eq!(from_value::<PyValue>(v.clone()).unwrap(), v);
        }

        #[test]
        fn big_ints_into_rust_integers(t in "-?[1-9][0-9]{0,45}") {
            let v = int(&t);
            match t.parse::<i128>() {
                Ok(n) => prop_assert_eq!(from_value::<i128>(v.clone()).unwrap(), n),
                Err(_) => prop_assert!(from_value::<i128>(v.clone()).is_err()),
            }
            match t.parse::<u64>() {
                Ok(n) => prop_assert_eq!(from_value::<u64>(v).unwrap(), n),
                Err(_) => prop_assert!(from_value::<u64>(v).is_err()),
            }
        }
    }
}
