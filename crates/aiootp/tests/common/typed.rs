//! The typed-value convention of the vectors files and the oracles
//! (`cipher.json` "conventions", spec `cipher.md` §18).
//!
//! A JSON string is a `str`, an integer an `int` (any size), `true` /
//! `false` / `null` are `bool` / `None`, a number with a fraction or an
//! exponent is a `float`, an array is a `list`, and one-key objects tag
//! other types: `{"$bytes": hex}`, `{"$tuple": [...]}`, `{"$float": text}`,
//! `{"$dict": [[k, v], ...]}` (typed keys, in order) and
//! `{"$str_hex": utf8_hex}`. Any other object is a dict with `str` keys.
#![allow(dead_code)]
// Test helpers: failing loudly on malformed test data is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aiootp::compat::PyValue;

/// Lowercase or uppercase hex to bytes; panics on bad input (test data).
pub fn from_hex(hex: &str) -> Vec<u8> {
    assert!(hex.len().is_multiple_of(2), "odd hex length: {hex:?}");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Python's `float(text)` for the texts the vectors use (`"nan"`, `"-inf"`,
/// `"1e+16"`, `"-0.0"`, ...).
pub fn py_float(text: &str) -> f64 {
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a float: {text:?}"))
}

/// The Python value a typed JSON value (as read by `pyjson::loads`) stands for.
pub fn typed(v: &PyValue) -> PyValue {
    match v {
        PyValue::List(items) => PyValue::List(items.iter().map(typed).collect()),
        PyValue::Dict(pairs) => {
            if let [(PyValue::Str(tag), inner)] = pairs.as_slice() {
                match (tag.as_str(), inner) {
                    ("$bytes", PyValue::Str(hex)) => return PyValue::Bytes(from_hex(hex)),
                    ("$tuple", PyValue::List(items)) => {
                        return PyValue::Tuple(items.iter().map(typed).collect());
                    }
                    ("$float", PyValue::Str(text)) => return PyValue::Float(py_float(text)),
                    ("$dict", PyValue::List(entries)) => {
                        return PyValue::Dict(
                            entries
                                .iter()
                                .map(|entry| match entry {
                                    PyValue::List(kv) if kv.len() == 2 => {
                                        (typed(&kv[0]), typed(&kv[1]))
                                    }
                                    other => panic!("bad $dict entry {other:?}"),
                                })
                                .collect(),
                        );
                    }
                    ("$str_hex", PyValue::Str(hex)) => {
                        return PyValue::Str(
                            String::from_utf8(from_hex(hex)).expect("$str_hex is UTF-8"),
                        );
                    }
                    _ => {}
                }
            }
            PyValue::Dict(pairs.iter().map(|(k, x)| (k.clone(), typed(x))).collect())
        }
        other => other.clone(),
    }
}

/// The typed JSON value for a Python value: the inverse of [`typed`], as the
/// oracles' `encode_value` writes it.
pub fn untyped(v: &PyValue) -> PyValue {
    let tag = |name: &str, inner: PyValue| PyValue::Dict(vec![(PyValue::from(name), inner)]);
    match v {
        PyValue::Float(f) => tag("$float", PyValue::Str(PyValue::Float(*f).repr())),
        PyValue::Bytes(b) => tag("$bytes", PyValue::Str(to_hex(b))),
        PyValue::Tuple(items) => tag("$tuple", PyValue::List(items.iter().map(untyped).collect())),
        PyValue::List(items) => PyValue::List(items.iter().map(untyped).collect()),
        PyValue::Dict(pairs) => {
            let plain = pairs
                .iter()
                .all(|(k, _)| matches!(k, PyValue::Str(s) if !s.starts_with('$')));
            if plain {
                PyValue::Dict(pairs.iter().map(|(k, x)| (k.clone(), untyped(x))).collect())
            } else {
                tag(
                    "$dict",
                    PyValue::List(
                        pairs
                            .iter()
                            .map(|(k, x)| PyValue::List(vec![untyped(k), untyped(x)]))
                            .collect(),
                    ),
                )
            }
        }
        other => other.clone(),
    }
}

/// `obj[name]` of a JSON object; panics if missing.
pub fn field<'a>(obj: &'a PyValue, name: &str) -> &'a PyValue {
    get(obj, name).unwrap_or_else(|| panic!("missing field {name:?} in {obj:?}"))
}

/// `obj.get(name)` of a JSON object.
pub fn get<'a>(obj: &'a PyValue, name: &str) -> Option<&'a PyValue> {
    match obj {
        PyValue::Dict(pairs) => pairs
            .iter()
            .find(|(k, _)| matches!(k, PyValue::Str(s) if s == name))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// The text of a JSON string; panics otherwise.
pub fn text(v: &PyValue) -> &str {
    match v {
        PyValue::Str(s) => s,
        other => panic!("expected a string, got {other:?}"),
    }
}

/// The items of a JSON array; panics otherwise.
pub fn items(v: &PyValue) -> &[PyValue] {
    match v {
        PyValue::List(items) => items,
        other => panic!("expected an array, got {other:?}"),
    }
}

/// Reads and parses a file under `tests/data/` with `pyjson::loads`.
pub fn load_data(name: &str) -> PyValue {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    aiootp::compat::pyjson::loads_bytes(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}
