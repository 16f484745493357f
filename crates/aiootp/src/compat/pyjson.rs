//! Python-compatible JSON text (`json.dumps` / `json.loads`) over [`PyValue`](super::PyValue).
//!
//! `json_encrypt` encrypts the text of Python's `json.dumps(data)` and
//! `json_decrypt` parses with `json.loads` (spec `cipher.md` §11.3-11.4),
//! so the exact text matters for interoperability:
//!
//! * [`dumps`] writes exactly what CPython 3.8's `json.dumps(v)` writes with
//!   its defaults: separators `", "` and `": "`, `ensure_ascii` (`\uhhhh`
//!   lowercase, astral code points as surrogate pairs), floats by `repr`
//!   with `NaN` / `Infinity` / `-Infinity`, tuples as arrays and `int`,
//!   `float`, `bool` and `None` dict keys turned into strings.
//! * [`loads`] / [`loads_bytes`] accept what `json.loads` accepts and return
//!   the same values (integers of any size as [`PyInt`], duplicate keys: the
//!   last value at the first key's place), and fail with the same
//!   `JSONDecodeError` / `UnicodeDecodeError` text, e.g.
//!   `Expecting value: line 1 column 1 (char 0)`.
//!
//! ```
//! use aiootp::compat::{PyValue, pyjson};
//!
//! let v = pyjson::loads(r#"{"account": 3311149, "titles": ["queen b", "\ud83d\ude80"]}"#)?;
//! assert_eq!(pyjson::dumps(&v)?, r#"{"account": 3311149, "titles": ["queen b", "\ud83d\ude80"]}"#);
//! let err = pyjson::loads("[1, 2").unwrap_err();
//! assert_eq!(err.to_string(), "Expecting ',' delimiter: line 1 column 6 (char 5)");
//! # Ok::<(), aiootp::error::JsonError>(())
//! ```
//!
//! # Differences from Python
//!
//! * Nesting is limited to [`MAX_DEPTH`] levels, in both directions
//!   ([`JsonError::TooDeep`], with Python's `RecursionError` text). CPython
//!   3.8 stops near 1000 levels, depending on its call stack.
//! * A string holding an unpaired UTF-16 surrogate (`"\ud800"`, or a
//!   surrogate encoded in the input bytes, which Python decodes with
//!   `surrogatepass`) is a Python `str` but cannot be a Rust [`String`]:
//!   where Python would return such a value, this module returns a
//!   [`JsonError::Syntax`] saying so. Where Python fails anyway, the error
//!   is Python's.
//! * [`loads_bytes`] reads UTF-8 (and UTF-8 with a BOM) only. Python also
//!   guesses UTF-16 and UTF-32 from zero bytes; such input is refused with
//!   a [`JsonError::Utf8`] naming the encoding Python would have used.
//! * Integers of more than 4300 digits are refused both ways
//!   ([`JsonError::IntTooLong`]) as CPython 3.8.14+ refuses them; older
//!   3.8 releases accepted them, but a message carrying one could not be
//!   read by a current reference.
//!
//! Parsing takes time linear in the input and does not recurse, so hostile
//! input can neither overflow the stack nor take quadratic time.

use std::collections::HashMap;

use super::pyvalue::{PyInt, PyValue, repr_float};
use crate::error::JsonError;

/// The deepest nesting of arrays and objects [`loads`] and [`dumps`]
/// accept; one more level fails with [`JsonError::TooDeep`].
pub const MAX_DEPTH: usize = 512;

// ---------------------------------------------------------------- dumps

/// CPython 3.8's `json.dumps(v)` with default arguments.
///
/// # Errors
///
/// [`JsonError::Unsupported`] with Python's `TypeError` text for `bytes`
/// values (`Object of type bytes is not JSON serializable`) and for
/// `bytes`, `tuple`, `list` and `dict` keys (`keys must be str, int,
/// float, bool or None, not tuple`), reported for the first one met in
/// output order; [`JsonError::TooDeep`] beyond [`MAX_DEPTH`] levels.
pub fn dumps(v: &PyValue) -> Result<String, JsonError> {
    let mut out = String::new();
    encode(v, &mut out, 0)?;
    Ok(out)
}

fn type_name(v: &PyValue) -> &'static str {
    match v {
        PyValue::None => "NoneType",
        PyValue::Bool(_) => "bool",
        PyValue::Int(_) => "int",
        PyValue::Float(_) => "float",
        PyValue::Str(_) => "str",
        PyValue::Bytes(_) => "bytes",
        PyValue::List(_) => "list",
        PyValue::Tuple(_) => "tuple",
        PyValue::Dict(_) => "dict",
    }
}

fn encode(v: &PyValue, out: &mut String, depth: usize) -> Result<(), JsonError> {
    match v {
        PyValue::None => out.push_str("null"),
        PyValue::Bool(true) => out.push_str("true"),
        PyValue::Bool(false) => out.push_str("false"),
        PyValue::Int(n) => {
            check_int_digits(n.as_str(), false)?;
            out.push_str(n.as_str());
        }
        PyValue::Float(f) => encode_float(*f, out),
        PyValue::Str(s) => encode_str(s, out),
        PyValue::Bytes(_) => {
            return Err(JsonError::Unsupported(String::from(
                "Object of type bytes is not JSON serializable",
            )));
        }
        PyValue::List(items) | PyValue::Tuple(items) => {
            if depth >= MAX_DEPTH {
                return Err(too_deep_encoding());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                encode(item, out, depth + 1)?;
            }
            out.push(']');
        }
        PyValue::Dict(pairs) => {
            if depth >= MAX_DEPTH {
                return Err(too_deep_encoding());
            }
            out.push('{');
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                encode_key(key, out)?;
                out.push_str(": ");
                encode(value, out, depth + 1)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn too_deep_encoding() -> JsonError {
    JsonError::TooDeep(String::from(
        "maximum recursion depth exceeded while encoding a JSON object",
    ))
}

fn encode_key(key: &PyValue, out: &mut String) -> Result<(), JsonError> {
    match key {
        PyValue::Str(s) => encode_str(s, out),
        PyValue::Float(f) => {
            out.push('"');
            encode_float(*f, out);
            out.push('"');
        }
        PyValue::Bool(true) => out.push_str("\"true\""),
        PyValue::Bool(false) => out.push_str("\"false\""),
        PyValue::None => out.push_str("\"null\""),
        PyValue::Int(n) => {
            check_int_digits(n.as_str(), false)?;
            out.push('"');
            out.push_str(n.as_str());
            out.push('"');
        }
        other => {
            return Err(JsonError::Unsupported(format!(
                "keys must be str, int, float, bool or None, not {}",
                type_name(other)
            )));
        }
    }
    Ok(())
}

fn encode_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f == f64::INFINITY {
        out.push_str("Infinity");
    } else if f == f64::NEG_INFINITY {
        out.push_str("-Infinity");
    } else {
        repr_float(f, out);
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_u16_escape(out: &mut String, unit: u32) {
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(char::from(HEX[((unit >> shift) & 0xF) as usize]));
    }
}

/// Python's `encode_basestring_ascii`: the quoted, ASCII-only JSON string.
fn encode_str(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut rest = s;
    while !rest.is_empty() {
        let run = rest
            .bytes()
            .position(|b| b == b'"' || b == b'\\' || !(0x20..0x7F).contains(&b))
            .unwrap_or(rest.len());
        out.push_str(&rest[..run]);
        rest = &rest[run..];
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c => {
                let cp = u32::from(c);
                if cp >= 0x1_0000 {
                    let v = cp - 0x1_0000;
                    push_u16_escape(out, 0xD800 | (v >> 10));
                    push_u16_escape(out, 0xDC00 | (v & 0x3FF));
                } else {
                    push_u16_escape(out, cp);
                }
            }
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------- loads

/// CPython 3.8's `json.loads(text)` for a `str`.
///
/// # Errors
///
/// [`JsonError::Syntax`] with the text of Python's `JSONDecodeError`
/// (`Expecting value: line 1 column 1 (char 0)`, `Extra data: ...`,
/// `Unexpected UTF-8 BOM (decode using utf-8-sig): ...`; positions count
/// code points, as Python's do), or for a string Python would return with
/// an unpaired surrogate; [`JsonError::TooDeep`] beyond [`MAX_DEPTH`]
/// levels.
pub fn loads(text: &str) -> Result<PyValue, JsonError> {
    if text.starts_with('\u{feff}') {
        return Err(error_at(
            text,
            "Unexpected UTF-8 BOM (decode using utf-8-sig)",
            0,
        ));
    }
    decode(text, &[])
}

/// CPython 3.8's `json.loads(data)` for `bytes`: the bytes are decoded
/// first (UTF-8, or UTF-8 after a BOM), then parsed as by [`loads`].
///
/// # Errors
///
/// [`JsonError::Utf8`] with the text of Python's `UnicodeDecodeError`,
/// e.g. `'utf-8' codec can't decode byte 0xff in position 0: invalid
/// start byte`, or naming the UTF-16/32 encoding Python would have
/// guessed (not supported here); otherwise as [`loads`].
pub fn loads_bytes(data: &[u8]) -> Result<PyValue, JsonError> {
    let encoding = detect_encoding(data);
    let body = match encoding {
        "utf-8" => data,
        "utf-8-sig" => data.get(3..).unwrap_or_default(),
        other => {
            return Err(JsonError::Utf8(format!(
                "JSON bytes look like {other} to Python's json.loads; only UTF-8 is supported"
            )));
        }
    };
    let (text, surrogates) = decode_utf8_surrogatepass(body)?;
    decode(&text, &surrogates)
}

/// CPython's limit on integer text (3.8.14 and later).
pub const MAX_INT_DIGITS: usize = 4300;

/// Refuses integer text of more than [`MAX_INT_DIGITS`] digits with
/// CPython's message (`reading` adds the digit count, as `int(text)` does).
fn check_int_digits(text: &str, reading: bool) -> Result<(), JsonError> {
    let digits = text.trim_start_matches('-').len();
    if digits <= MAX_INT_DIGITS {
        return Ok(());
    }
    let count = if reading {
        format!(": value has {digits} digits")
    } else {
        String::new()
    };
    Err(JsonError::IntTooLong(format!(
        "Exceeds the limit ({MAX_INT_DIGITS}) for integer string conversion{count}; use sys.set_int_max_str_digits() to increase the limit"
    )))
}

/// Python's strict `bytes.decode("utf-8")`: the text, or
/// [`JsonError::Utf8`] with the text of Python's `UnicodeDecodeError`
/// (encoded surrogates are refused, as Python's strict decoder does).
///
/// # Errors
/// [`JsonError::Utf8`] for bytes that are not UTF-8.
pub fn decode_utf8(data: &[u8]) -> Result<&str, JsonError> {
    std::str::from_utf8(data).map_err(|e| utf8_error(data, &e))
}

/// Python's `UnicodeDecodeError` text for `e`, raised on `data`.
fn utf8_error(data: &[u8], e: &std::str::Utf8Error) -> JsonError {
    let start = e.valid_up_to();
    let after = &data[start..];
    let first = after.first().copied().unwrap_or(0);
    let (len, reason) = match e.error_len() {
        None => (after.len(), "unexpected end of data"),
        Some(n) if (0xC2..=0xF4).contains(&first) => (n, "invalid continuation byte"),
        Some(n) => (n, "invalid start byte"),
    };
    let message = if len == 1 {
        format!("'utf-8' codec can't decode byte 0x{first:02x} in position {start}: {reason}")
    } else {
        format!(
            "'utf-8' codec can't decode bytes in position {start}-{}: {reason}",
            start + len - 1
        )
    };
    JsonError::Utf8(message)
}

/// `json.detect_encoding` of CPython 3.8.
fn detect_encoding(b: &[u8]) -> &'static str {
    const BOM_UTF32_BE: &[u8] = b"\x00\x00\xfe\xff";
    const BOM_UTF32_LE: &[u8] = b"\xff\xfe\x00\x00";
    const BOM_UTF16_BE: &[u8] = b"\xfe\xff";
    const BOM_UTF16_LE: &[u8] = b"\xff\xfe";
    const BOM_UTF8: &[u8] = b"\xef\xbb\xbf";
    if b.starts_with(BOM_UTF32_BE) || b.starts_with(BOM_UTF32_LE) {
        return "utf-32";
    }
    if b.starts_with(BOM_UTF16_BE) || b.starts_with(BOM_UTF16_LE) {
        return "utf-16";
    }
    if b.starts_with(BOM_UTF8) {
        return "utf-8-sig";
    }
    match *b {
        [b0, b1, b2, b3, ..] => {
            if b0 == 0 {
                return if b1 != 0 { "utf-16-be" } else { "utf-32-be" };
            }
            if b1 == 0 {
                return if b2 != 0 || b3 != 0 {
                    "utf-16-le"
                } else {
                    "utf-32-le"
                };
            }
        }
        [b0, b1] => {
            if b0 == 0 {
                return "utf-16-be";
            }
            if b1 == 0 {
                return "utf-16-le";
            }
        }
        _ => {}
    }
    "utf-8"
}

/// Decodes UTF-8 as Python's `bytes.decode("utf-8", "surrogatepass")`
/// would, except that each encoded surrogate (which Python keeps as a lone
/// surrogate code point) becomes U+FFFD; their byte offsets in the result
/// are returned so the caller can refuse them.
fn decode_utf8_surrogatepass(mut b: &[u8]) -> Result<(String, Vec<usize>), JsonError> {
    let total = b.len();
    let mut text = String::with_capacity(b.len());
    let mut surrogates = Vec::new();
    loop {
        match std::str::from_utf8(b) {
            Ok(s) => {
                text.push_str(s);
                return Ok((text, surrogates));
            }
            Err(e) => {
                let good = e.valid_up_to();
                let (valid, after) = b.split_at(good);
                // `valid` is UTF-8 by `valid_up_to`'s contract.
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                if let [0xED, 0xA0..=0xBF, 0x80..=0xBF, ..] = after {
                    surrogates.push(text.len());
                    text.push('\u{fffd}');
                    b = &after[3..];
                    continue;
                }
                let start = total - after.len();
                let first = after.first().copied().unwrap_or(0);
                let (len, reason) = match e.error_len() {
                    None => (after.len(), "unexpected end of data"),
                    Some(n) if (0xC2..=0xF4).contains(&first) => (n, "invalid continuation byte"),
                    Some(n) => (n, "invalid start byte"),
                };
                let message = if len == 1 {
                    format!(
                        "'utf-8' codec can't decode byte 0x{first:02x} in position {start}: {reason}"
                    )
                } else {
                    format!(
                        "'utf-8' codec can't decode bytes in position {start}-{}: {reason}",
                        start + len - 1
                    )
                };
                return Err(JsonError::Utf8(message));
            }
        }
    }
}

/// Python's `JSONDecodeError` text for `msg` at byte offset `byte_pos`.
fn error_at(text: &str, msg: &str, byte_pos: usize) -> JsonError {
    let prefix = text.get(..byte_pos).unwrap_or(text);
    let pos = prefix.chars().count();
    let lineno = prefix.bytes().filter(|&b| b == b'\n').count() + 1;
    let colno = match prefix.rfind('\n') {
        Some(nl) => pos - prefix[..nl].chars().count(),
        None => pos + 1,
    };
    JsonError::Syntax(format!("{msg}: line {lineno} column {colno} (char {pos})"))
}

fn decode(text: &str, surrogates: &[usize]) -> Result<PyValue, JsonError> {
    let mut parser = Parser {
        text,
        b: text.as_bytes(),
        lone_surrogate: None,
    };
    let start = parser.skip_ws(0);
    let (value, end) = parser.scan(start)?;
    let end = parser.skip_ws(end);
    if end != parser.b.len() {
        return Err(parser.error("Extra data", end));
    }
    let first = match (parser.lone_surrogate, surrogates.first().copied()) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    if let Some(pos) = first {
        return Err(error_at(
            text,
            "unpaired surrogate in a JSON string (Python's json.loads returns it; a Rust string cannot hold it)",
            pos,
        ));
    }
    Ok(value)
}

/// Above this many keys an object being parsed gets a hash index, so that
/// duplicate-key lookups stay constant time.
const INDEX_THRESHOLD: usize = 16;

enum Frame {
    Array(Vec<PyValue>),
    Object {
        items: Vec<(PyValue, PyValue)>,
        index: Option<HashMap<String, usize>>,
        key: String,
    },
}

impl Frame {
    fn insert(
        items: &mut Vec<(PyValue, PyValue)>,
        index: &mut Option<HashMap<String, usize>>,
        key: String,
        value: PyValue,
    ) {
        let found = match index {
            Some(map) => map.get(&key).copied(),
            None => items
                .iter()
                .position(|(k, _)| matches!(k, PyValue::Str(s) if *s == key)),
        };
        if let Some(i) = found {
            if let Some(slot) = items.get_mut(i) {
                slot.1 = value;
            }
            return;
        }
        if let Some(map) = index {
            map.insert(key.clone(), items.len());
        }
        items.push((PyValue::Str(key), value));
        if index.is_none() && items.len() > INDEX_THRESHOLD {
            let mut map = HashMap::with_capacity(items.len() * 2);
            for (i, (k, _)) in items.iter().enumerate() {
                if let PyValue::Str(s) = k {
                    map.insert(s.clone(), i);
                }
            }
            *index = Some(map);
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    /// Byte offset of the first `\u` escape that left an unpaired surrogate.
    lone_surrogate: Option<usize>,
}

impl Parser<'_> {
    fn error(&self, msg: &str, pos: usize) -> JsonError {
        error_at(self.text, msg, pos)
    }

    fn skip_ws(&self, mut i: usize) -> usize {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(i) {
            i += 1;
        }
        i
    }

    fn starts_with_at(&self, i: usize, word: &[u8]) -> bool {
        self.b.get(i..i + word.len()) == Some(word)
    }

    /// Python's `scan_once` at `idx`: one value and the offset after it.
    /// Containers are handled with an explicit stack instead of recursion.
    fn scan(&mut self, mut idx: usize) -> Result<(PyValue, usize), JsonError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            // Parse the value starting at `idx`, or open a container.
            let (mut value, mut end) = match self.b.get(idx) {
                Some(&open @ (b'[' | b'{')) => {
                    if stack.len() >= MAX_DEPTH {
                        let what = if open == b'[' { "array" } else { "object" };
                        return Err(JsonError::TooDeep(format!(
                            "maximum recursion depth exceeded while decoding a JSON {what} from a unicode string"
                        )));
                    }
                    let i = self.skip_ws(idx + 1);
                    if open == b'[' {
                        if self.b.get(i) == Some(&b']') {
                            (PyValue::List(Vec::new()), i + 1)
                        } else {
                            stack.push(Frame::Array(Vec::new()));
                            idx = i;
                            continue;
                        }
                    } else if self.b.get(i) == Some(&b'}') {
                        (PyValue::Dict(Vec::new()), i + 1)
                    } else {
                        let (key, next) = self.object_key(i)?;
                        stack.push(Frame::Object {
                            items: Vec::new(),
                            index: None,
                            key,
                        });
                        idx = next;
                        continue;
                    }
                }
                _ => self.scalar(idx)?,
            };
            // Hand the finished value to the enclosing containers.
            loop {
                let Some(frame) = stack.last_mut() else {
                    return Ok((value, end));
                };
                let i = self.skip_ws(end);
                let close = match frame {
                    Frame::Array(items) => {
                        items.push(value);
                        b']'
                    }
                    Frame::Object { items, index, key } => {
                        Frame::insert(items, index, std::mem::take(key), value);
                        b'}'
                    }
                };
                match self.b.get(i) {
                    Some(&c) if c == close => {
                        value = match stack.pop() {
                            Some(Frame::Array(items)) => PyValue::List(items),
                            Some(Frame::Object { items, .. }) => PyValue::Dict(items),
                            None => PyValue::None,
                        };
                        end = i + 1;
                    }
                    Some(b',') => {
                        let next = self.skip_ws(i + 1);
                        if let Some(Frame::Object { key, .. }) = stack.last_mut() {
                            let (k, after) = self.object_key(next)?;
                            *key = k;
                            idx = after;
                        } else {
                            idx = next;
                        }
                        break;
                    }
                    _ => return Err(self.error("Expecting ',' delimiter", i)),
                }
            }
        }
    }

    /// Reads `"key" :` at `i` (whitespace after the `:` skipped) and
    /// returns the key and the offset of its value.
    fn object_key(&mut self, i: usize) -> Result<(String, usize), JsonError> {
        if self.b.get(i) != Some(&b'"') {
            return Err(self.error("Expecting property name enclosed in double quotes", i));
        }
        let (key, end) = self.string(i + 1)?;
        let colon = self.skip_ws(end);
        if self.b.get(colon) != Some(&b':') {
            return Err(self.error("Expecting ':' delimiter", colon));
        }
        Ok((key, self.skip_ws(colon + 1)))
    }

    fn scalar(&mut self, idx: usize) -> Result<(PyValue, usize), JsonError> {
        let value = match self.b.get(idx) {
            Some(b'"') => {
                let (s, end) = self.string(idx + 1)?;
                return Ok((PyValue::Str(s), end));
            }
            Some(b'n') if self.starts_with_at(idx, b"null") => (PyValue::None, 4),
            Some(b't') if self.starts_with_at(idx, b"true") => (PyValue::Bool(true), 4),
            Some(b'f') if self.starts_with_at(idx, b"false") => (PyValue::Bool(false), 5),
            Some(b'N') if self.starts_with_at(idx, b"NaN") => (PyValue::Float(f64::NAN), 3),
            Some(b'I') if self.starts_with_at(idx, b"Infinity") => {
                (PyValue::Float(f64::INFINITY), 8)
            }
            Some(b'-') if self.starts_with_at(idx, b"-Infinity") => {
                (PyValue::Float(f64::NEG_INFINITY), 9)
            }
            _ => return self.number(idx),
        };
        Ok((value.0, idx + value.1))
    }

    fn digits_from(&self, mut i: usize) -> usize {
        while self.b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    }

    /// `_match_number_unicode`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`,
    /// else Python's `StopIteration`, reported as `Expecting value`.
    fn number(&self, start: usize) -> Result<(PyValue, usize), JsonError> {
        let mut i = start;
        if self.b.get(i) == Some(&b'-') {
            i += 1;
        }
        match self.b.get(i) {
            Some(b'1'..=b'9') => i = self.digits_from(i + 1),
            Some(b'0') => i += 1,
            _ => return Err(self.error("Expecting value", start)),
        }
        let mut is_float = false;
        if self.b.get(i) == Some(&b'.') && self.b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            is_float = true;
            i = self.digits_from(i + 2);
        }
        if let Some(b'e' | b'E') = self.b.get(i) {
            let mut j = i + 1;
            if let Some(b'-' | b'+') = self.b.get(j) {
                j += 1;
            }
            let after = self.digits_from(j);
            if after > j {
                is_float = true;
                i = after;
            }
        }
        let literal = self.text.get(start..i).unwrap_or_default();
        let value = if is_float {
            // Python's float(): correctly rounded, overflow to +-inf.
            match literal.parse::<f64>() {
                Ok(f) => PyValue::Float(f),
                Err(_) => return Err(self.error("Expecting value", start)),
            }
        } else if literal == "-0" {
            PyValue::Int(PyInt::from(0u8))
        } else {
            check_int_digits(literal, true)?;
            // The grammar above only admits canonical integer text.
            PyValue::Int(PyInt::from_canonical(literal.to_owned()))
        };
        Ok((value, i))
    }

    /// `scanstring_unicode`: the string whose body starts at `body` (just
    /// after the opening quote) and the offset after the closing quote.
    fn string(&mut self, body: usize) -> Result<(String, usize), JsonError> {
        let begin = body - 1;
        let mut out = String::new();
        let mut i = body;
        loop {
            let chunk_start = i;
            while let Some(&c) = self.b.get(i) {
                if c == b'"' || c == b'\\' {
                    break;
                }
                if c <= 0x1F {
                    return Err(self.error("Invalid control character at", i));
                }
                i += 1;
            }
            out.push_str(self.text.get(chunk_start..i).unwrap_or_default());
            match self.b.get(i) {
                Some(b'"') => return Ok((out, i + 1)),
                Some(_) => {}
                None => return Err(self.error("Unterminated string starting at", begin)),
            }
            // A backslash at `i`.
            let Some(&esc) = self.b.get(i + 1) else {
                return Err(self.error("Unterminated string starting at", begin));
            };
            let c = match esc {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let unit = self
                        .hex4(i + 1)
                        .ok_or_else(|| self.error("Invalid \\uXXXX escape", i + 1))?;
                    let mut next = i + 6;
                    let cp = if (0xD800..0xDC00).contains(&unit)
                        && self.b.get(next) == Some(&b'\\')
                        && self.b.get(next + 1) == Some(&b'u')
                    {
                        let low = self
                            .hex4(next + 1)
                            .ok_or_else(|| self.error("Invalid \\uXXXX escape", next + 1))?;
                        if (0xDC00..0xE000).contains(&low) {
                            next += 6;
                            0x1_0000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            unit
                        }
                    } else {
                        unit
                    };
                    let c = char::from_u32(cp).unwrap_or_else(|| {
                        self.lone_surrogate.get_or_insert(i);
                        '\u{fffd}'
                    });
                    out.push(c);
                    i = next;
                    continue;
                }
                _ => return Err(self.error("Invalid \\escape", i)),
            };
            out.push(c);
            i += 2;
        }
    }

    /// The four hex digits after the `u` at `u_pos`, provided at least one
    /// more character follows them (Python's `end >= len` check).
    fn hex4(&self, u_pos: usize) -> Option<u32> {
        let digits = self.b.get(u_pos + 1..u_pos + 5)?;
        self.b.get(u_pos + 5)?;
        let text = std::str::from_utf8(digits).ok()?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u32::from_str_radix(text, 16).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn err(text: &str) -> String {
        match loads(text) {
            Ok(v) => panic!("{text:?} parsed as {v:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn round(text: &str) -> String {
        dumps(&loads(text).unwrap()).unwrap()
    }

    #[test]
    fn dumps_scalars_and_containers() {
        let v = PyValue::dict([
            (
                "a".into(),
                PyValue::list([
                    1.into(),
                    1.5.into(),
                    PyValue::None,
                    true.into(),
                    false.into(),
                ]),
            ),
            (1.into(), PyValue::tuple(["x".into()])),
            (2.5.into(), PyValue::dict([])),
            (true.into(), PyValue::list([])),
            (PyValue::None, f64::NAN.into()),
            (f64::INFINITY.into(), f64::NEG_INFINITY.into()),
        ]);
        assert_eq!(
            dumps(&v).unwrap(),
            r#"{"a": [1, 1.5, null, true, false], "1": ["x"], "2.5": {}, "true": [], "null": NaN, "Infinity": -Infinity}"#
        );
        assert_eq!(
            dumps(&"a\"\\/\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}é€🚀".into()).unwrap(),
            r#""a\"\\/\n\r\t\b\f\u0000\u001f\u007f\u00e9\u20ac\ud83d\ude80""#
        );
        assert_eq!(dumps(&1e16.into()).unwrap(), "1e+16");
        assert_eq!(dumps(&(-0.0).into()).unwrap(), "-0.0");
    }

    #[test]
    fn dumps_errors() {
        assert_eq!(
            dumps(&PyValue::list([PyValue::bytes(*b"a")]))
                .unwrap_err()
                .to_string(),
            "Object of type bytes is not JSON serializable"
        );
        assert_eq!(
            dumps(&PyValue::dict([(PyValue::tuple([]), 1.into())]))
                .unwrap_err()
                .to_string(),
            "keys must be str, int, float, bool or None, not tuple"
        );
        assert_eq!(
            dumps(&PyValue::dict([(PyValue::bytes([]), 1.into())]))
                .unwrap_err()
                .to_string(),
            "keys must be str, int, float, bool or None, not bytes"
        );
        let mut deep = PyValue::list([]);
        for _ in 0..MAX_DEPTH {
            deep = PyValue::list([deep]);
        }
        assert!(matches!(dumps(&deep), Err(JsonError::TooDeep(_))));
    }

    #[test]
    fn loads_values() {
        assert_eq!(loads(" \n\t\r1 ").unwrap(), 1.into());
        assert_eq!(loads("-0").unwrap(), 0.into());
        assert_eq!(loads("-0.0").unwrap().repr(), "-0.0");
        assert_eq!(loads("1e400").unwrap(), f64::INFINITY.into());
        assert_eq!(loads("-Infinity").unwrap(), f64::NEG_INFINITY.into());
        assert_eq!(loads("NaN").unwrap().repr(), "nan");
        assert_eq!(loads(r#""\ud83d\ude80\u00e9\/""#).unwrap(), "🚀é/".into());
        let big = "9".repeat(700);
        assert_eq!(
            loads(&big).unwrap(),
            PyValue::Int(PyInt::parse(&big).unwrap())
        );
        assert_eq!(round(r#"{"a": 1, "b": 2, "a": 3}"#), r#"{"a": 3, "b": 2}"#);
        assert_eq!(round("[1,[2,{}],[]]"), "[1, [2, {}], []]");
    }

    #[test]
    fn loads_duplicate_keys_large_object() {
        let mut text = String::from("{");
        for i in 0..100 {
            text.push_str(&format!("\"k{i}\": {i}, "));
        }
        text.push_str("\"k5\": \"last\", \"k99\": null}");
        let v = loads(&text).unwrap();
        let PyValue::Dict(pairs) = v else { panic!() };
        assert_eq!(pairs.len(), 100);
        assert_eq!(pairs[5], ("k5".into(), "last".into()));
        assert_eq!(pairs[99], ("k99".into(), PyValue::None));
    }

    #[test]
    fn loads_errors() {
        assert_eq!(err(""), "Expecting value: line 1 column 1 (char 0)");
        assert_eq!(err("1 2"), "Extra data: line 1 column 3 (char 2)");
        assert_eq!(
            err("[1 2]"),
            "Expecting ',' delimiter: line 1 column 4 (char 3)"
        );
        assert_eq!(
            err("\"abc"),
            "Unterminated string starting at: line 1 column 1 (char 0)"
        );
        assert_eq!(
            err("\"a\u{1}\""),
            "Invalid control character at: line 1 column 3 (char 2)"
        );
        assert_eq!(
            err("\"\\u00zz\""),
            "Invalid \\uXXXX escape: line 1 column 3 (char 2)"
        );
        assert_eq!(
            err("\"\\u0041"),
            "Invalid \\uXXXX escape: line 1 column 3 (char 2)"
        );
        assert_eq!(
            err("\"\\ud800\\u12\""),
            "Invalid \\uXXXX escape: line 1 column 9 (char 8)"
        );
        assert_eq!(
            err("{\"a\":1,}"),
            "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"
        );
        assert_eq!(
            err("{\"a\" 1}"),
            "Expecting ':' delimiter: line 1 column 6 (char 5)"
        );
        assert_eq!(
            err("\u{feff}1"),
            "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"
        );
        assert_eq!(err("é\n é x"), "Expecting value: line 1 column 1 (char 0)");
        assert_eq!(
            err("[\"é\",\n é]"),
            "Expecting value: line 2 column 2 (char 7)"
        );
        assert!(err("\"\\ud800\"").contains("unpaired surrogate"));
        // Python fails on the later error, so do we.
        assert_eq!(
            err("[\"\\udc00\" 1]"),
            "Expecting ',' delimiter: line 1 column 11 (char 10)"
        );
    }

    #[test]
    fn loads_depth_limit() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(loads(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(
            loads(&deep).unwrap_err().to_string(),
            "maximum recursion depth exceeded while decoding a JSON array from a unicode string"
        );
        // No stack overflow on absurd nesting.
        assert!(loads(&"{\"a\":".repeat(1_000_000)).is_err());
        assert!(loads(&"[".repeat(1_000_000)).is_err());
    }

    #[test]
    fn loads_bytes_decoding() {
        assert_eq!(
            loads_bytes(b"\xef\xbb\xbf[1]").unwrap(),
            PyValue::list([1.into()])
        );
        assert_eq!(
            loads_bytes(b"\xff").unwrap_err().to_string(),
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"
        );
        assert_eq!(
            loads_bytes(b"\"\xe2\x82A\"").unwrap_err().to_string(),
            "'utf-8' codec can't decode bytes in position 1-2: invalid continuation byte"
        );
        assert_eq!(
            loads_bytes(b"\"\xe2\x82").unwrap_err().to_string(),
            "'utf-8' codec can't decode bytes in position 1-2: unexpected end of data"
        );
        assert!(
            loads_bytes(b"\"\xed\xa0\x80\"")
                .unwrap_err()
                .to_string()
                .contains("unpaired surrogate")
        );
        assert_eq!(
            loads_bytes(b"\xed\xa0\x80").unwrap_err().to_string(),
            "Expecting value: line 1 column 1 (char 0)"
        );
        assert!(matches!(loads_bytes(b"1\x00"), Err(JsonError::Utf8(_))));
    }

    fn finite_value() -> impl Strategy<Value = PyValue> {
        let leaf = prop_oneof![
            Just(PyValue::None),
            any::<bool>().prop_map(PyValue::Bool),
            any::<i128>().prop_map(PyValue::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(PyValue::Float),
            any::<String>().prop_map(PyValue::Str),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(PyValue::List),
                proptest::collection::vec((any::<String>(), inner), 0..8).prop_map(|pairs| {
                    // Distinct keys, so that the round trip is the identity.
                    let mut seen = std::collections::HashSet::new();
                    PyValue::Dict(
                        pairs
                            .into_iter()
                            .filter(|(k, _)| seen.insert(k.clone()))
                            .map(|(k, v)| (PyValue::Str(k), v))
                            .collect(),
                    )
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn dumps_loads_round_trip(v in finite_value()) {
            let text = dumps(&v).unwrap();
            prop_assert!(text.is_ascii());
            let back = loads(&text).unwrap();
            prop_assert_eq!(back.repr(), v.repr());
            prop_assert_eq!(loads_bytes(text.as_bytes()).unwrap().repr(), v.repr());
        }

        #[test]
        fn loads_never_panics(text in any::<String>()) {
            let _ = loads(&text);
        }

        #[test]
        fn loads_bytes_never_panics(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = loads_bytes(&data);
        }

        #[test]
        fn loads_json_like_never_panics(text in "[\\[\\]{}\":,0-9eE.+\\-\\\\u a-fntrl]{0,40}") {
            let _ = loads(&text);
        }
    }
}
