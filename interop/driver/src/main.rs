//! JSON-lines driver for the interop checks (`interop/check_cipher.py`).
//!
//! Reads one request object per line on stdin,
//! `{"cmd": "<subcommand>", ...fields}`, and writes one response line on
//! stdout. The subcommands and their fields are those of the reference
//! oracle (`encrypt`, `decrypt`, `keystream`, `ratchets`, `hash`, `check`,
//! `pad`, `depad`, `io`, `names`, `map_encipher`, `map_decipher`), with the
//! same typed-value conventions (`{"$bytes": "<hex>"}`, `{"$tuple": [...]}`,
//! `{"$float": "<text>"}`, `{"$dict": [[k, v], ...]}`, `{"$str_hex": ...}`).
//!
//! One extension: `encrypt` in JSON mode also takes `plaintext_value`, a
//! typed value (so tuples, non-`str` dictionary keys, bytes and special
//! floats reach `json.dumps`), instead of the plain JSON `plaintext`.
//!
//! Every answer is `{"ok": true, ...}`, or `{"ok": false, "error_type":
//! <the Python exception class the reference raises>, "error_message":
//! <the Rust error's text>}`. A request the driver cannot serve (bad JSON,
//! a missing field, an unsupported type) is answered with the error type
//! `DriverError`; the driver never exits on a bad request.
//!
//! JSON is read and written with the library's own Python-compatible
//! `pyjson`, so integers of any size travel exactly.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};

use aiootp::compat::cipher::{
    self, DecryptOptions, EncryptOptions, depad_range, pad_bytes, padding_key, padding_marker,
};
use aiootp::compat::hashmap::{self, MapPids};
use aiootp::compat::pyvalue::repr_tuple;
use aiootp::compat::ratchet::{
    BytesKeyStream, KeyStream, cipher_keystream_blocks, keypair_ratchet_digests,
};
use aiootp::compat::{AsyncOneTimePad, Ciphertext, Key, PyInt, PyValue, Salt, hash, pyjson};
use aiootp::error::{CipherError, DecodeError, JsonError};

/// A failed request: either an error of the library, reported with the
/// Python exception class the reference raises in that case, or a request
/// the driver cannot serve.
#[derive(Debug)]
enum Failure {
    /// The library refused: Python exception class name and message.
    Lib {
        /// The Python exception class name.
        error_type: &'static str,
        /// The Rust error's `Display` text.
        message: String,
    },
    /// The request itself is unusable.
    Driver(String),
}

/// Result of one subcommand: the response fields after `"ok": true`.
type Answer = Result<Vec<(&'static str, PyValue)>, Failure>;

/// Shorthand for a driver failure.
fn driver<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure::Driver(message.into()))
}

/// The Python exception class of a JSON-layer error.
fn json_error_type(e: &JsonError) -> &'static str {
    match e {
        JsonError::Syntax(_) => "JSONDecodeError",
        JsonError::Utf8(_) => "UnicodeDecodeError",
        JsonError::Unsupported(_) => "TypeError",
        JsonError::TooDeep(_) => "RecursionError",
        _ => "ValueError",
    }
}

/// The Python exception class of a cipher error.
fn cipher_error_type(e: &CipherError) -> &'static str {
    match e {
        CipherError::Expired { .. } => "TimeoutError",
        CipherError::SendBeforeStart => "TypeError",
        CipherError::Json(j) => json_error_type(j),
        _ => "ValueError",
    }
}

/// The Python exception class of an encoding error.
fn decode_error_type(e: &DecodeError) -> &'static str {
    match e {
        DecodeError::MissingField(_) => "KeyError",
        DecodeError::InvalidField { .. } => "TypeError",
        DecodeError::IntTooBig | DecodeError::NegativeInt => "OverflowError",
        DecodeError::Json(j) => json_error_type(j),
        DecodeError::Io(_) => "OSError",
        _ => "ValueError",
    }
}

impl From<CipherError> for Failure {
    fn from(e: CipherError) -> Self {
        Failure::Lib {
            error_type: cipher_error_type(&e),
            message: e.to_string(),
        }
    }
}

impl From<DecodeError> for Failure {
    fn from(e: DecodeError) -> Self {
        Failure::Lib {
            error_type: decode_error_type(&e),
            message: e.to_string(),
        }
    }
}

impl From<JsonError> for Failure {
    fn from(e: JsonError) -> Self {
        Failure::Lib {
            error_type: json_error_type(&e),
            message: e.to_string(),
        }
    }
}

impl From<aiootp::Error> for Failure {
    fn from(e: aiootp::Error) -> Self {
        let error_type = match &e {
            aiootp::Error::Cipher(c) => cipher_error_type(c),
            aiootp::Error::Decode(d) => decode_error_type(d),
            aiootp::Error::Json(j) => json_error_type(j),
            aiootp::Error::Io(_) => "OSError",
            _ => "RuntimeError",
        };
        Failure::Lib {
            error_type,
            message: e.to_string(),
        }
    }
}

// ------------------------------------------------------------ JSON values

/// A `str` value.
fn s(text: impl Into<String>) -> PyValue {
    PyValue::Str(text.into())
}

/// A dictionary with `str` keys, in the given order.
fn obj(fields: Vec<(&'static str, PyValue)>) -> PyValue {
    PyValue::Dict(fields.into_iter().map(|(k, v)| (s(k), v)).collect())
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Bytes of strict hex text (Python's `bytes.fromhex`, whitespace between
/// pairs allowed).
fn unhex(text: &str) -> Result<Vec<u8>, Failure> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return driver(format!("odd-length hex text ({} digits)", digits.len()));
    }
    digits
        .chunks_exact(2)
        .map(|pair| {
            let hi = char::from(pair[0]).to_digit(16);
            let lo = char::from(pair[1]).to_digit(16);
            match (hi, lo) {
                (Some(h), Some(l)) => Ok(u8::try_from(h * 16 + l).unwrap_or(0)),
                _ => driver("invalid hex text"),
            }
        })
        .collect()
}

/// The decimal text of the big-endian unsigned integer `bytes`.
fn be_to_decimal(bytes: &[u8]) -> String {
    // Limbs of 10^9, least significant first.
    let mut limbs: Vec<u32> = Vec::new();
    for &byte in bytes {
        let mut carry = u64::from(byte);
        for limb in &mut limbs {
            let v = u64::from(*limb) * 256 + carry;
            *limb = u32::try_from(v % 1_000_000_000).unwrap_or(0);
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            limbs.push(u32::try_from(carry % 1_000_000_000).unwrap_or(0));
            carry /= 1_000_000_000;
        }
    }
    let Some((last, rest)) = limbs.split_last() else {
        return "0".to_owned();
    };
    let mut out = last.to_string();
    for limb in rest.iter().rev() {
        out.push_str(&format!("{limb:09}"));
    }
    out
}

/// The `width`-byte big-endian form of a non-negative decimal integer.
fn decimal_to_be(n: &PyInt, width: usize) -> Result<Vec<u8>, Failure> {
    if n.is_negative() {
        return driver("negative integer where bytes are expected");
    }
    let mut out = vec![0u8; width];
    for digit in n.as_str().bytes() {
        let mut carry = u32::from(digit - b'0');
        for byte in out.iter_mut().rev() {
            let v = u32::from(*byte) * 10 + carry;
            *byte = u8::try_from(v & 0xff).unwrap_or(0);
            carry = v >> 8;
        }
        if carry != 0 {
            return driver(format!("integer does not fit in {width} bytes"));
        }
    }
    Ok(out)
}

/// An integer from hex text as Python's `int(text, 16)` reads the usual
/// forms (optional `0x`).
fn int_from_hex(text: &str) -> Result<PyValue, Failure> {
    let t = text.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let padded = if !t.len().is_multiple_of(2) {
        format!("0{t}")
    } else {
        t.to_owned()
    };
    let digits = be_to_decimal(&unhex(&padded)?);
    match PyInt::parse(&digits) {
        Some(n) => Ok(PyValue::Int(n)),
        None => driver("bad integer"),
    }
}

/// Looks up a field of a request object (the last occurrence, as Python's
/// `json.loads` keeps).
fn field<'a>(req: &'a PyValue, name: &str) -> Option<&'a PyValue> {
    let PyValue::Dict(pairs) = req else {
        return None;
    };
    pairs
        .iter()
        .rev()
        .find(|(k, _)| matches!(k, PyValue::Str(t) if t == name))
        .map(|(_, v)| v)
}

/// A required field.
fn need<'a>(req: &'a PyValue, name: &str) -> Result<&'a PyValue, Failure> {
    field(req, name).ok_or_else(|| Failure::Driver(format!("missing field {name:?}")))
}

/// A required field, decoded as a typed value.
fn needv(req: &PyValue, name: &str) -> Result<PyValue, Failure> {
    decode_value(need(req, name)?)
}

/// An optional typed value with a default.
fn opt(req: &PyValue, name: &str, default: PyValue) -> Result<PyValue, Failure> {
    match field(req, name) {
        Some(v) => decode_value(v),
        None => Ok(default),
    }
}

/// A required string field.
fn need_str<'a>(req: &'a PyValue, name: &str) -> Result<&'a str, Failure> {
    match need(req, name)? {
        PyValue::Str(t) => Ok(t),
        _ => driver(format!("field {name:?} must be a string")),
    }
}

/// An optional integer field (`null` counts as absent).
fn opt_i64(req: &PyValue, name: &str) -> Result<Option<i64>, Failure> {
    match field(req, name) {
        None | Some(PyValue::None) => Ok(None),
        Some(PyValue::Int(n)) => n
            .to_i64()
            .map(Some)
            .ok_or_else(|| Failure::Driver(format!("field {name:?} out of range"))),
        Some(_) => driver(format!("field {name:?} must be an integer")),
    }
}

/// An optional non-negative integer field (`null` counts as absent).
fn opt_u64(req: &PyValue, name: &str) -> Result<Option<u64>, Failure> {
    match opt_i64(req, name)? {
        None => Ok(None),
        Some(v) => u64::try_from(v)
            .map(Some)
            .map_err(|_| Failure::Driver(format!("field {name:?} must not be negative"))),
    }
}

/// An optional boolean field.
fn opt_bool(req: &PyValue, name: &str) -> bool {
    field(req, name).is_some_and(PyValue::is_truthy)
}

/// Decodes a typed value (the oracle's `decode_value`).
fn decode_value(v: &PyValue) -> Result<PyValue, Failure> {
    Ok(match v {
        PyValue::List(items) => {
            PyValue::List(items.iter().map(decode_value).collect::<Result<_, _>>()?)
        }
        PyValue::Dict(pairs) => {
            if let [(PyValue::Str(tag), inner)] = pairs.as_slice() {
                match (tag.as_str(), inner) {
                    ("$bytes", PyValue::Str(h)) => return Ok(PyValue::Bytes(unhex(h)?)),
                    ("$tuple", PyValue::List(items)) => {
                        return Ok(PyValue::Tuple(
                            items.iter().map(decode_value).collect::<Result<_, _>>()?,
                        ));
                    }
                    ("$float", PyValue::Str(text)) => {
                        return Ok(PyValue::Float(parse_float(text)?));
                    }
                    ("$dict", PyValue::List(items)) => {
                        let mut out: Vec<(PyValue, PyValue)> = Vec::new();
                        for item in items {
                            let PyValue::List(kv) = item else {
                                return driver("$dict items must be [key, value] pairs");
                            };
                            let [k, v] = kv.as_slice() else {
                                return driver("$dict items must be [key, value] pairs");
                            };
                            dict_insert(&mut out, decode_value(k)?, decode_value(v)?);
                        }
                        return Ok(PyValue::Dict(out));
                    }
                    ("$str_hex", PyValue::Str(h)) => match String::from_utf8(unhex(h)?) {
                        Ok(text) => return Ok(PyValue::Str(text)),
                        Err(_) => {
                            return driver(
                                "$str_hex is not UTF-8 (lone surrogates are not supported)",
                            );
                        }
                    },
                    _ => {}
                }
            }
            let mut out = Vec::with_capacity(pairs.len());
            for (k, v) in pairs {
                dict_insert(&mut out, k.clone(), decode_value(v)?);
            }
            PyValue::Dict(out)
        }
        other => other.clone(),
    })
}

/// Python `dict` assignment: a repeated key keeps its place, takes the new
/// value. (Python also merges equal keys of different types, `1 == 1.0 ==
/// True`; the driver only merges equal values.)
fn dict_insert(pairs: &mut Vec<(PyValue, PyValue)>, k: PyValue, v: PyValue) {
    match pairs.iter_mut().find(|(old, _)| *old == k) {
        Some(slot) => slot.1 = v,
        None => pairs.push((k, v)),
    }
}

/// Python's `float(text)` for the usual spellings.
fn parse_float(text: &str) -> Result<f64, Failure> {
    let t = text.trim().replace('_', "");
    t.parse::<f64>()
        .map_err(|_| Failure::Driver(format!("bad float text {text:?}")))
}

// ------------------------------------------------------------ keys, salts

/// A key from a typed value (any Python value; its `repr` is hashed).
fn key_of(v: &PyValue) -> Key {
    match v {
        PyValue::Str(text) => Key::new(text),
        other => Key::from_value(other),
    }
}

/// A salt from a typed value. The Rust library only models `str` salts;
/// falsy values become the empty salt (the library treats it as "none").
fn salt_of(v: &PyValue) -> Result<Salt, Failure> {
    match v {
        PyValue::Str(text) => Ok(Salt::unchecked(text)),
        other if !other.is_truthy() => Ok(Salt::unchecked("")),
        other => driver(format!(
            "unsupported salt type (only str salts): {}",
            other.repr()
        )),
    }
}

/// The current Unix time in whole seconds.
fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A current-thread tokio runtime for the `async` variants.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| Failure::Driver(format!("cannot start a tokio runtime: {e}")))
}

/// The Python `error_of` object of a failure.
fn error_object(f: &Failure) -> PyValue {
    match f {
        Failure::Lib {
            error_type,
            message,
        } => obj(vec![
            ("error_type", s(*error_type)),
            ("error_message", s(message.clone())),
        ]),
        Failure::Driver(message) => obj(vec![
            ("error_type", s("DriverError")),
            ("error_message", s(message.clone())),
        ]),
    }
}

// ------------------------------------------------------------ ciphertexts

/// A ciphertext from the request: a dict (whose hex-string list items are
/// turned into integers, as the oracle does) or JSON text.
fn ciphertext_from_request(v: &PyValue) -> Result<Ciphertext, Failure> {
    match v {
        PyValue::Str(text) => Ok(Ciphertext::from_json(text)?),
        PyValue::Dict(pairs) => {
            let mut pairs = pairs.clone();
            for (k, v) in &mut pairs {
                if matches!(k, PyValue::Str(name) if name == "ciphertext")
                    && let PyValue::List(items) = v
                {
                    for item in items.iter_mut() {
                        if let PyValue::Str(h) = item {
                            *item = int_from_hex(h)?;
                        }
                    }
                }
            }
            Ok(Ciphertext::from_value(&PyValue::Dict(pairs))?)
        }
        other => Ok(Ciphertext::from_value(other)?),
    }
}

/// The dictionary of a ciphertext as the oracle echoes it.
fn ciphertext_object(ct: &Ciphertext) -> PyValue {
    ct.to_value()
}

// ------------------------------------------------------------ commands

/// `encrypt`: bytes or JSON encryption, with every encoding of the result.
fn cmd_encrypt(req: &PyValue) -> Answer {
    let mode = match field(req, "mode") {
        None => "bytes",
        Some(PyValue::Str(m)) => m.as_str(),
        Some(_) => return driver("mode must be a string"),
    };
    let key = key_of(&needv(req, "key")?);
    let salt = match field(req, "salt") {
        None | Some(PyValue::None) => None,
        Some(v) => Some(salt_of(&decode_value(v)?)?),
    };
    let pid = opt(req, "pid", PyValue::from(0i64))?;
    let use_async = opt_bool(req, "async");
    let time = opt_u64(req, "time")?.unwrap_or_else(now_seconds);
    let mut out: Vec<(&'static str, PyValue)> = Vec::new();
    let (plaintext, json_value) = match mode {
        "bytes" => (unhex(need_str(req, "plaintext_hex")?)?, None),
        "json" => {
            // `plaintext_value` (a typed value: tuples, non-str dict keys,
            // bytes, special floats) is a driver extension of the schema.
            let value = match field(req, "plaintext_value") {
                Some(v) => decode_value(v)?,
                None => need(req, "plaintext")?.clone(),
            };
            let text = pyjson::dumps(&value)?;
            out.push(("plaintext_json", s(text.clone())));
            (text.into_bytes(), Some(value))
        }
        _ => return driver("mode must be 'bytes' or 'json'"),
    };
    let mut options = EncryptOptions::new().pid(pid.clone()).time(time);
    if let Some(salt) = salt {
        options = options.salt(salt);
    }
    let ct = match (&json_value, use_async) {
        (None, false) => cipher::bytes_encrypt(&plaintext, &key, &options)?,
        (Some(v), false) => cipher::json_encrypt_value(v, &key, &options)?,
        (None, true) => {
            let pad = AsyncOneTimePad::new(key.clone());
            runtime()?.block_on(pad.bytes_encrypt_with(plaintext.clone(), options))?
        }
        (Some(v), true) => {
            let pad = AsyncOneTimePad::new(key.clone());
            runtime()?.block_on(pad.json_encrypt_with(v, options))?
        }
    };
    let salt = Salt::unchecked(ct.salt());
    let pk = padding_key(&key, &salt, &pid)?;
    let padded = pad_bytes(&plaintext, &pk, time);
    let chunks = ct.block_bytes().chunks(256).map(|c| s(hex(c))).collect();
    out.extend([
        ("time", PyValue::from(time)),
        ("salt", s(ct.salt())),
        ("ciphertext", ciphertext_object(&ct)),
        ("ciphertext_json", s(ct.to_json())),
        ("chunks_hex", PyValue::List(chunks)),
        ("padding_key_hex", s(hex(&pk[..]))),
        ("padded_hex", s(hex(&padded))),
    ]);
    match ct.to_bytes() {
        Ok(bytes) => {
            let ascii = ct.to_ascii()?;
            out.push(("bytes_hex", s(hex(&bytes))));
            out.push(("ascii", s(ascii.clone())));
            match Ciphertext::from_ascii(&ascii) {
                Ok(back) => out.push(("ascii_roundtrip_ok", PyValue::Bool(back == ct))),
                Err(e) => {
                    out.push(("ascii_roundtrip_ok", PyValue::Bool(false)));
                    out.push(("ascii_roundtrip_error", error_object(&Failure::from(e))));
                }
            }
        }
        Err(e) => out.push(("io_error", error_object(&Failure::from(e)))),
    }
    Ok(out)
}

/// `decrypt`: bytes or JSON decryption of a dict, JSON text, bytes or
/// ASCII ciphertext.
fn cmd_decrypt(req: &PyValue) -> Answer {
    let mode = match field(req, "mode") {
        None => "bytes",
        Some(PyValue::Str(m)) => m.as_str(),
        Some(_) => return driver("mode must be a string"),
    };
    if mode != "bytes" && mode != "json" {
        return driver("mode must be 'bytes' or 'json'");
    }
    let key = key_of(&opt(req, "key", PyValue::None)?);
    let pid = opt(req, "pid", PyValue::from(0i64))?;
    let ttl = opt_i64(req, "ttl")?.unwrap_or(0);
    let use_async = opt_bool(req, "async");
    let ct = if let Some(v) = field(req, "ciphertext") {
        ciphertext_from_request(v)?
    } else if let Some(v) = field(req, "bytes_hex") {
        let PyValue::Str(h) = v else {
            return driver("bytes_hex must be a string");
        };
        Ciphertext::from_bytes(&unhex(h)?)?
    } else if let Some(v) = field(req, "ascii") {
        let PyValue::Str(text) = v else {
            return driver("ascii must be a string");
        };
        Ciphertext::from_ascii(text)?
    } else {
        return driver("need ciphertext, bytes_hex or ascii");
    };
    let mut options = DecryptOptions::new().pid(pid).ttl(ttl);
    if let Some(now) = opt_u64(req, "now")? {
        options = options.now(now);
    }
    if mode == "bytes" {
        let pt = if use_async {
            let pad = AsyncOneTimePad::new(key);
            runtime()?.block_on(pad.bytes_decrypt_with(ct, options))?
        } else {
            cipher::bytes_decrypt(&ct, &key, &options)?
        };
        Ok(vec![("plaintext_hex", s(hex(&pt)))])
    } else {
        let value: PyValue = if use_async {
            let pad = AsyncOneTimePad::new(key);
            runtime()?.block_on(pad.json_decrypt_with::<PyValue>(ct, options))?
        } else {
            cipher::json_decrypt_value(&ct, &key, &options)?
        };
        Ok(vec![("plaintext", value)])
    }
}

/// Most keystream outputs or names one request may ask for (keeps a
/// mistaken request from running for ever).
const MAX_OUTPUTS: u64 = 1 << 20;

/// `keystream`: the first outputs of `keys` / `bytes_keys`, and the cipher
/// key blocks.
fn cmd_keystream(req: &PyValue) -> Answer {
    let kind = match field(req, "kind") {
        None => "keys",
        Some(PyValue::Str(k)) => k.as_str(),
        Some(_) => return driver("kind must be a string"),
    };
    if kind != "keys" && kind != "bytes_keys" {
        return driver("kind must be 'keys' or 'bytes_keys'");
    }
    let key = key_of(&needv(req, "key")?);
    let salt = salt_of(&needv(req, "salt")?)?;
    let pid = opt(req, "pid", PyValue::from(0i64))?;
    let n = opt_u64(req, "n")?.unwrap_or(3);
    if n > MAX_OUTPUTS {
        return driver(format!("n above {MAX_OUTPUTS}"));
    }
    let sends: Vec<PyValue> = match field(req, "sends") {
        None => Vec::new(),
        Some(PyValue::List(items)) => items.iter().map(decode_value).collect::<Result<_, _>>()?,
        Some(_) => return driver("sends must be a list"),
    };
    let mut bytes_stream = None;
    let mut hex_stream = None;
    if kind == "keys" {
        hex_stream = Some(KeyStream::new(&key, Some(&salt), &pid)?);
    } else {
        bytes_stream = Some(BytesKeyStream::new(&key, Some(&salt), &pid)?);
    }
    let mut outputs = Vec::new();
    for i in 0..n {
        let sent = match usize::try_from(i) {
            Ok(0) | Err(_) => PyValue::None,
            Ok(i) => sends.get(i - 1).cloned().unwrap_or(PyValue::None),
        };
        let text = match (&mut hex_stream, &mut bytes_stream) {
            (Some(stream), _) => stream.send(&sent)?,
            (None, Some(stream)) => hex(&stream.send(&sent)?),
            (None, None) => return driver("no stream"),
        };
        outputs.push(s(text));
    }
    let mut out = vec![("outputs_hex", PyValue::List(outputs))];
    let m = opt_u64(req, "cipher_chunks")?.unwrap_or(0);
    if m > MAX_OUTPUTS {
        return driver(format!("cipher_chunks above {MAX_OUTPUTS}"));
    }
    if m > 0 {
        let m =
            usize::try_from(m).map_err(|_| Failure::Driver("cipher_chunks too large".into()))?;
        let first = BytesKeyStream::new(&key, Some(&salt), &pid)?.send(&PyValue::None)?;
        let (seed, blocks) = cipher_keystream_blocks(&key, &salt, &pid, m);
        out.push((
            "cipher",
            obj(vec![
                ("first_hex", s(hex(&first))),
                ("seed", s(seed)),
                (
                    "key_chunks_hex",
                    PyValue::List(blocks.iter().map(|b| s(hex(b))).collect()),
                ),
            ]),
        ));
    }
    Ok(out)
}

/// `ratchets`: the initial digests of `keypair_ratchets`.
fn cmd_ratchets(req: &PyValue) -> Answer {
    let key = key_of(&needv(req, "key")?);
    let salt = salt_of(&needv(req, "salt")?)?;
    let pid = opt(req, "pid", PyValue::from(0i64))?;
    let d = keypair_ratchet_digests(&key, &salt, &pid);
    Ok(vec![
        ("preimage_0", s(d.preimage_0)),
        ("seed_hex", s(hex(&d.seed))),
        ("kdf0_hex", s(hex(&d.kdf[0]))),
        ("kdf1_hex", s(hex(&d.kdf[1]))),
        ("kdf2_hex", s(hex(&d.kdf[2]))),
    ])
}

/// `hash`: the hash helpers and Python's `repr` / `str` text.
fn cmd_hash(req: &PyValue) -> Answer {
    let tuple_text = |items: &[&PyValue]| {
        let mut text = String::new();
        repr_tuple(items, &mut text);
        text
    };
    match need_str(req, "fn")? {
        f @ ("sha_256" | "sha_512") => {
            let args: Vec<PyValue> = match field(req, "args") {
                None => Vec::new(),
                Some(PyValue::List(items)) => {
                    items.iter().map(decode_value).collect::<Result<_, _>>()?
                }
                Some(_) => return driver("args must be a list"),
            };
            let digest = if f == "sha_256" {
                hash::sha_256(&args)
            } else {
                hash::sha_512(&args)
            };
            let refs: Vec<&PyValue> = args.iter().collect();
            Ok(vec![("hex", s(digest)), ("preimage", s(tuple_text(&refs)))])
        }
        f @ ("sha_256_hmac" | "sha_512_hmac") => {
            let data = needv(req, "data")?;
            let key = opt(req, "key", PyValue::None)?;
            let (outer, inner) = if f == "sha_256_hmac" {
                (
                    hash::sha_256_hmac(&data, &key),
                    hash::sha_256(&[data.clone(), key.clone()]),
                )
            } else {
                (
                    hash::sha_512_hmac(&data, &key),
                    hash::sha_512(&[data.clone(), key.clone()]),
                )
            };
            let inner_value = s(inner.clone());
            Ok(vec![
                ("hex", s(outer)),
                ("inner_preimage", s(tuple_text(&[&data, &key]))),
                ("inner_hex", s(inner)),
                ("preimage", s(tuple_text(&[&inner_value, &key]))),
            ])
        }
        "repr" => Ok(vec![("text", s(needv(req, "value")?.repr()))]),
        "str" => Ok(vec![("text", s(needv(req, "value")?.str_text()))]),
        _ => driver("unknown fn"),
    }
}

/// `check`: the reference's `check_key_and_salt`.
fn cmd_check(req: &PyValue) -> Answer {
    let key = key_of(&opt(req, "key", PyValue::None)?);
    let salt = opt(req, "salt", PyValue::None)?;
    if key.is_empty() {
        return Err(CipherError::MissingKey.into());
    }
    match &salt {
        v if !v.is_truthy() => Err(CipherError::MissingSalt.into()),
        PyValue::Str(text) => {
            Salt::parse(text)?;
            Ok(Vec::new())
        }
        other => driver(format!(
            "unsupported salt type (only str salts): {}",
            other.repr()
        )),
    }
}

/// `pad`: the padding key, marker and padded plaintext.
fn cmd_pad(req: &PyValue) -> Answer {
    let key = key_of(&needv(req, "key")?);
    let salt = salt_of(&needv(req, "salt")?)?;
    let pid = opt(req, "pid", PyValue::from(0i64))?;
    let data = unhex(need_str(req, "plaintext_hex")?)?;
    let pk = padding_key(&key, &salt, &pid)?;
    let time = opt_u64(req, "time")?.unwrap_or_else(now_seconds);
    Ok(vec![
        ("padding_key_hex", s(hex(&pk[..]))),
        ("marker_hex", s(hex(&padding_marker(&pk)))),
        ("padded_hex", s(hex(&pad_bytes(&data, &pk, time)))),
    ])
}

/// `depad`: the timestamp check and the marker search.
fn cmd_depad(req: &PyValue) -> Answer {
    let key = key_of(&needv(req, "key")?);
    let salt = salt_of(&needv(req, "salt")?)?;
    let pid = opt(req, "pid", PyValue::from(0i64))?;
    let pk = padding_key(&key, &salt, &pid)?;
    let data = unhex(need_str(req, "padded_hex")?)?;
    let ttl = opt_i64(req, "ttl")?.unwrap_or(0);
    let now = opt_u64(req, "now")?.unwrap_or_else(now_seconds);
    let range = depad_range(&data, &pk, ttl, now)?;
    Ok(vec![("plaintext_hex", s(hex(&data[range])))])
}

/// Counter for unique temporary file names.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// `io`: the ciphertext encodings and the file form.
fn cmd_io(req: &PyValue) -> Answer {
    let op = need_str(req, "op")?;
    let data = need(req, "data")?;
    match op {
        "json_to_bytes" => {
            let ct = ciphertext_from_request(data)?;
            Ok(vec![("result", s(hex(&ct.to_bytes()?)))])
        }
        "json_to_ascii" => {
            let ct = ciphertext_from_request(data)?;
            Ok(vec![("result", s(ct.to_ascii()?))])
        }
        "bytes_to_json" => {
            let PyValue::Str(h) = data else {
                return driver("data must be hex text");
            };
            let ct = Ciphertext::from_bytes(&unhex(h)?)?;
            Ok(vec![("result", ciphertext_object(&ct))])
        }
        "ascii_to_json" => {
            let PyValue::Str(text) = data else {
                return driver("data must be text");
            };
            let ct = Ciphertext::from_ascii(text)?;
            Ok(vec![("result", ciphertext_object(&ct))])
        }
        "write_read" => {
            let ct = ciphertext_from_request(data)?;
            let path = std::env::temp_dir().join(format!(
                "aiootp-interop-{}-{}.ct",
                std::process::id(),
                TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            let result = (|| -> Answer {
                ct.write_file(&path)?;
                let raw = std::fs::read(&path)
                    .map_err(|e| Failure::Driver(format!("cannot read back: {e}")))?;
                let back = Ciphertext::read_file(&path)?;
                Ok(vec![
                    ("file_hex", s(hex(&raw))),
                    ("result", ciphertext_object(&back)),
                ])
            })();
            let _ = std::fs::remove_file(&path);
            result
        }
        _ => driver("unknown op"),
    }
}

/// `names`: the first outputs of the names stream, optionally re-cut.
fn cmd_names(req: &PyValue) -> Answer {
    let key = key_of(&needv(req, "key")?);
    let salt = salt_of(&needv(req, "salt")?)?;
    let pid = opt(req, "pid", PyValue::from(0i64))?;
    let n = opt_u64(req, "n")?.unwrap_or(4);
    if n > MAX_OUTPUTS {
        return driver(format!("n above {MAX_OUTPUTS}"));
    }
    let n = usize::try_from(n).map_err(|_| Failure::Driver("n too large".into()))?;
    let stream = hashmap::names(&key, &salt, &pid)?;
    let size = opt_u64(req, "resize")?.unwrap_or(0);
    let names: Vec<PyValue> = if size > 0 {
        let size = usize::try_from(size).map_err(|_| Failure::Driver("resize too large".into()))?;
        hashmap::resize(stream, size).take(n).map(s).collect()
    } else {
        stream.take(n).map(s).collect()
    };
    Ok(vec![("names", PyValue::List(names))])
}

/// The key, salt and pids of a map request.
fn map_inputs(req: &PyValue) -> Result<(Key, Salt, MapPids), Failure> {
    let key = key_of(&needv(req, "key")?);
    let salt = salt_of(&needv(req, "salt")?)?;
    let pids = MapPids {
        names: opt(req, "names_pid", PyValue::from(0i64))?,
        keystream: match field(req, "pid") {
            Some(v) => Some(decode_value(v)?),
            None => None,
        },
        padding: opt(req, "pad_pid", PyValue::from(0i64))?,
    };
    Ok((key, salt, pids))
}

/// `map_encipher`: the README's key-ordered hash map.
fn cmd_map_encipher(req: &PyValue) -> Answer {
    let (key, salt, pids) = map_inputs(req)?;
    let plaintext = unhex(need_str(req, "plaintext_hex")?)?;
    let time = opt_u64(req, "time")?.unwrap_or_else(now_seconds);
    let pk = padding_key(&key, &salt, &pids.padding)?;
    let entries = hashmap::map_encipher(
        &key,
        &salt,
        &pids,
        &plaintext,
        &EncryptOptions::new().time(time),
    )?;
    let entries = entries
        .iter()
        .map(|(name, block)| {
            let n = PyInt::parse(&be_to_decimal(block)).unwrap_or_default();
            PyValue::List(vec![s(name.clone()), PyValue::Int(n)])
        })
        .collect();
    Ok(vec![
        ("padding_key_hex", s(hex(&pk[..]))),
        ("padded_hex", s(hex(&pad_bytes(&plaintext, &pk, time)))),
        ("entries", PyValue::List(entries)),
    ])
}

/// An integer (or hex text) block of a mapping, as 256 bytes.
fn map_block(v: &PyValue) -> Result<[u8; 256], Failure> {
    let n = match v {
        PyValue::Int(n) => n.clone(),
        PyValue::Str(h) => match int_from_hex(h)? {
            PyValue::Int(n) => n,
            _ => return driver("bad block"),
        },
        _ => return driver("mapping values must be integers"),
    };
    let bytes = decimal_to_be(&n, 256)?;
    let mut out = [0u8; 256];
    out.copy_from_slice(&bytes);
    Ok(out)
}

/// `map_decipher`: picks, deciphers and depads a key-ordered hash map.
fn cmd_map_decipher(req: &PyValue) -> Answer {
    let (key, salt, pids) = map_inputs(req)?;
    let mut mapping = HashMap::new();
    if let Some(entries) = field(req, "entries") {
        let PyValue::List(items) = entries else {
            return driver("entries must be a list");
        };
        for item in items {
            let PyValue::List(pair) = item else {
                return driver("entries must be [name, value] pairs");
            };
            let [PyValue::Str(name), value] = pair.as_slice() else {
                return driver("entries must be [name, value] pairs");
            };
            mapping.insert(name.clone(), map_block(value)?);
        }
    } else {
        let PyValue::Dict(pairs) = need(req, "mapping")? else {
            return driver("mapping must be an object");
        };
        for (name, value) in pairs {
            let PyValue::Str(name) = name else {
                return driver("mapping keys must be strings");
            };
            mapping.insert(name.clone(), map_block(value)?);
        }
    }
    let ttl = opt_i64(req, "ttl")?.unwrap_or(0);
    let mut options = DecryptOptions::new().ttl(ttl);
    if let Some(now) = opt_u64(req, "now")? {
        options = options.now(now);
    }
    let pt = hashmap::map_decipher(&key, &salt, &pids, &mapping, &options)?;
    Ok(vec![("plaintext_hex", s(hex(&pt)))])
}

/// Runs one request and builds its response object.
fn handle(line: &str) -> PyValue {
    let result = match pyjson::loads(line) {
        Err(e) => Err(Failure::Driver(format!("bad request JSON: {e}"))),
        Ok(req) => match field(&req, "cmd") {
            Some(PyValue::Str(cmd)) => {
                let run: Option<fn(&PyValue) -> Answer> = match cmd.as_str() {
                    "encrypt" => Some(cmd_encrypt),
                    "decrypt" => Some(cmd_decrypt),
                    "keystream" => Some(cmd_keystream),
                    "ratchets" => Some(cmd_ratchets),
                    "hash" => Some(cmd_hash),
                    "check" => Some(cmd_check),
                    "pad" => Some(cmd_pad),
                    "depad" => Some(cmd_depad),
                    "io" => Some(cmd_io),
                    "names" => Some(cmd_names),
                    "map_encipher" => Some(cmd_map_encipher),
                    "map_decipher" => Some(cmd_map_decipher),
                    _ => None,
                };
                match run {
                    Some(run) => {
                        catch_unwind(AssertUnwindSafe(|| run(&req))).unwrap_or_else(|panic| {
                            let text = panic
                                .downcast_ref::<&str>()
                                .map(|s| (*s).to_owned())
                                .or_else(|| panic.downcast_ref::<String>().cloned())
                                .unwrap_or_default();
                            Err(Failure::Driver(format!("panic: {text}")))
                        })
                    }
                    None => driver(format!("unknown cmd {cmd:?}")),
                }
            }
            _ => driver("request needs a string field \"cmd\""),
        },
    };
    match result {
        Ok(fields) => {
            let mut all = vec![("ok", PyValue::Bool(true))];
            all.extend(fields);
            obj(all)
        }
        Err(f) => {
            let PyValue::Dict(mut pairs) = error_object(&f) else {
                return PyValue::None;
            };
            pairs.insert(0, (s("ok"), PyValue::Bool(false)));
            PyValue::Dict(pairs)
        }
    }
}

/// Serialises a response; a value with no JSON form becomes a driver error.
fn response_line(response: &PyValue) -> String {
    match pyjson::dumps(response) {
        Ok(text) => text,
        Err(e) => {
            let fallback = obj(vec![
                ("ok", PyValue::Bool(false)),
                ("error_type", s("DriverError")),
                (
                    "error_message",
                    s(format!("cannot serialise the response: {e}")),
                ),
            ]);
            pyjson::dumps(&fallback).unwrap_or_else(|_| {
                r#"{"ok": false, "error_type": "DriverError", "error_message": "unserialisable"}"#
                    .to_owned()
            })
        }
    }
}

fn main() {
    // Panics are caught per request and answered; keep stderr quiet.
    std::panic::set_hook(Box::new(|_| {}));
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match stdin.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let response = match std::str::from_utf8(&buf) {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => handle(line.trim_end_matches(['\n', '\r'])),
            Err(_) => obj(vec![
                ("ok", PyValue::Bool(false)),
                ("error_type", s("DriverError")),
                ("error_message", s("request line is not UTF-8")),
            ]),
        };
        let line = response_line(&response);
        if writeln!(stdout, "{line}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_conversions() {
        assert_eq!(be_to_decimal(&[]), "0");
        assert_eq!(be_to_decimal(&[0, 0]), "0");
        assert_eq!(be_to_decimal(&[1, 0]), "256");
        assert_eq!(
            be_to_decimal(&[0xff; 16]),
            "340282366920938463463374607431768211455"
        );
        let n = PyInt::parse("340282366920938463463374607431768211455").unwrap();
        assert_eq!(decimal_to_be(&n, 16).unwrap(), vec![0xff; 16]);
        assert!(decimal_to_be(&n, 15).is_err());
        assert_eq!(int_from_hex("0x100").unwrap(), PyValue::from(256i64));
    }
}
