#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Replays `tests/data/iter.json` (made by `tools/gen_iter_vectors.py`
//! from Python aiootp 0.17.0's `Comprende`, spec `utilities.md` §9): each
//! case's chain of lazy methods is rebuilt with `aiootp::iter` over the
//! case's items, and the eager result, or the error message, must be the
//! reference's.
//!
//! The chains run one step at a time over whole lists, with each step's
//! Python items converted to the Rust types the method takes (`str` →
//! `String`, `bytes` → `Vec<u8>`, `int` → `PyInt`) and back.

mod common;

use std::borrow::Borrow;

use aiootp::compat::{Key, PyInt, PyValue, Salt, hash};
use aiootp::iter::{ASCII_TABLE, ByteOrder, Comprende, IterError, PySlice, Seq};
use common::typed::{field, get, items, load_data, text, typed};

/// A step's error: the reference's message for it.
type Failure = String;

fn int(v: &PyValue) -> PyInt {
    match v {
        PyValue::Int(n) => n.clone(),
        PyValue::Bool(b) => PyInt::from(u8::from(*b)),
        other => panic!("not an int: {other:?}"),
    }
}

fn string(v: &PyValue) -> String {
    match v {
        PyValue::Str(s) => s.clone(),
        other => panic!("not a str: {other:?}"),
    }
}

/// Bytes, or a `str` as its UTF-8 bytes (what the base64 steps accept).
fn bytes(v: &PyValue) -> Vec<u8> {
    match v {
        PyValue::Bytes(b) => b.clone(),
        PyValue::Str(s) => s.as_bytes().to_vec(),
        other => panic!("not bytes: {other:?}"),
    }
}

fn opt_isize(v: Option<&PyValue>) -> Option<isize> {
    match v {
        None | Some(PyValue::None) => None,
        Some(v) => Some(int(v).to_i64().unwrap().try_into().unwrap()),
    }
}

fn usize_arg(v: Option<&PyValue>, default: usize) -> usize {
    v.map_or(default, |v| int(v).to_u64().unwrap().try_into().unwrap())
}

fn order(v: Option<&PyValue>) -> ByteOrder {
    match v.map(string).as_deref() {
        None | Some("big") => ByteOrder::Big,
        Some("little") => ByteOrder::Little,
        Some(other) => panic!("byte order {other}"),
    }
}

fn ok_all<T, E: std::fmt::Display>(
    it: impl Iterator<Item = Result<T, E>>,
    f: impl Fn(T) -> PyValue,
) -> Result<Vec<PyValue>, Failure> {
    it.map(|r| r.map(&f).map_err(|e| e.to_string())).collect()
}

fn kwarg<'a>(kwargs: &'a [(PyValue, PyValue)], name: &str) -> Option<&'a PyValue> {
    kwargs
        .iter()
        .find(|(k, _)| matches!(k, PyValue::Str(s) if s == name))
        .map(|(_, v)| v)
}

/// The Python types a shaping step runs on.
trait PySeq: Seq + Borrow<<Self as Seq>::Slice> + Clone + PartialEq {
    fn from_py(v: &PyValue) -> Self;
    fn to_py(self) -> PyValue;
    fn unit_to_py(u: Self::Unit) -> PyValue;
}

impl PySeq for String {
    fn from_py(v: &PyValue) -> Self {
        string(v)
    }
    fn to_py(self) -> PyValue {
        PyValue::Str(self)
    }
    fn unit_to_py(u: char) -> PyValue {
        PyValue::Str(u.to_string())
    }
}

impl PySeq for Vec<u8> {
    fn from_py(v: &PyValue) -> Self {
        match v {
            PyValue::Bytes(b) => b.clone(),
            other => panic!("not bytes: {other:?}"),
        }
    }
    fn to_py(self) -> PyValue {
        PyValue::Bytes(self)
    }
    fn unit_to_py(u: u8) -> PyValue {
        PyValue::from(u)
    }
}

fn seq_step<S: PySeq>(
    name: &str,
    args: &[PyValue],
    kwargs: &[(PyValue, PyValue)],
    items: &[PyValue],
) -> Result<Vec<PyValue>, Failure> {
    let it = items.iter().map(S::from_py);
    let arg = |i: usize, default: &str| -> S {
        args.get(i)
            .map_or_else(|| S::from_py(&PyValue::from(default)), |v| S::from_py(v))
    };
    let e = |e: IterError| e.to_string();
    Ok(match name {
        "resize" => it
            .resize(usize_arg(args.first(), 256))
            .map_err(e)?
            .map(S::to_py)
            .list(),
        "delimit" => {
            let d = arg(0, " ");
            it.delimit(d.borrow()).map(S::to_py).list()
        }
        "delimit_resize" => {
            let d = arg(0, " ");
            it.delimit_resize(d.borrow())
                .map_err(e)?
                .map(S::to_py)
                .list()
        }
        "split" if args.is_empty() => it
            .split_whitespace()
            .map(|v| PyValue::List(v.into_iter().map(S::to_py).collect()))
            .list(),
        "split" => {
            let sep = arg(0, "");
            it.split(sep.borrow())
                .map_err(e)?
                .map(|v| PyValue::List(v.into_iter().map(S::to_py).collect()))
                .list()
        }
        "zfill" => it.zfill(usize_arg(args.first(), 0)).map(S::to_py).list(),
        "replace" => {
            let (old, new) = (arg(0, ""), arg(1, ""));
            it.replace(old.borrow(), new.borrow()).map(S::to_py).list()
        }
        "slice" => {
            let slice = if args.len() == 1 {
                PySlice::new(None, opt_isize(args.first()), None)
            } else {
                PySlice::new(
                    opt_isize(args.first()),
                    opt_isize(args.get(1)),
                    opt_isize(args.get(2)),
                )
            }
            .map_err(e)?;
            it.slice(slice).map(S::to_py).list()
        }
        "index" => {
            let i = opt_isize(args.first()).unwrap();
            ok_all(it.index(i), S::unit_to_py)?
        }
        "halt" => {
            let sentinels: Vec<S> = match kwarg(kwargs, "sentinels") {
                Some(PyValue::List(v)) => v.iter().map(S::from_py).collect(),
                _ => vec![arg(0, "")],
            };
            it.halt_any(sentinels).map(S::to_py).list()
        }
        other => panic!("not a shaping step: {other}"),
    })
}

/// The tag the reference's `bytes_encrypt` would write for these
/// ciphertext integers, from the compat hash helpers.
fn expected_tag(ints: &[PyValue], key: &PyValue, salt: &str, pid: &PyValue) -> String {
    let inner = hash::sha_512(&[
        PyValue::List(ints.to_vec()),
        PyValue::from(salt),
        pid.clone(),
    ]);
    hash::sha_256_hmac(&PyValue::Str(inner), key)
}

fn cipher_step(
    name: &str,
    args: &[PyValue],
    kwargs: &[(PyValue, PyValue)],
    items: &[PyValue],
) -> Result<Vec<PyValue>, Failure> {
    let key_value = &args[0];
    let key = Key::from_value(key_value);
    let salt_text = string(kwarg(kwargs, "salt").unwrap());
    let salt = Salt::unchecked(&salt_text);
    let pid = kwarg(kwargs, "pid").cloned().unwrap_or(PyValue::from(0u8));
    match name {
        "bytes_encipher" => {
            let blocks: Vec<Vec<u8>> = items.iter().map(bytes).collect();
            let mut enc = blocks
                .iter()
                .bytes_encipher(&key, &salt, pid.clone())
                .unwrap();
            let out: Vec<[u8; 256]> = enc
                .by_ref()
                .collect::<Result<_, _>>()
                .map_err(|e| e.to_string())?;
            let ints: Vec<PyValue> = out
                .iter()
                .bytes_to_int(ByteOrder::Big)
                .map(PyValue::Int)
                .list();
            let tag = enc.finalize().expect("a tag after the last block");
            assert_eq!(
                tag,
                expected_tag(&ints, key_value, &salt_text, &pid),
                "validator tag"
            );
            assert_eq!(enc.finalize(), None, "the tag is handed out once");
            Ok(ints)
        }
        "bytes_decipher" => {
            let ints: Vec<PyInt> = items.iter().map(int).collect();
            let values: Vec<PyValue> = ints.iter().cloned().map(PyValue::Int).collect();
            let tag = expected_tag(&values, key_value, &salt_text, &pid);
            let blocks = ints
                .iter()
                .int_to_bytes(256, ByteOrder::Big)
                .map(Result::unwrap)
                .list();
            let dec = blocks
                .iter()
                .bytes_decipher(&key, &salt, pid, &tag)
                .unwrap();
            ok_all(dec, |b| PyValue::Bytes(b.to_vec()))
        }
        other => panic!("not a cipher step: {other}"),
    }
}

/// One lazy method of the chain over the whole list of items.
fn step(
    name: &str,
    args: &[PyValue],
    kwargs: &[(PyValue, PyValue)],
    items: Vec<PyValue>,
) -> Result<Vec<PyValue>, Failure> {
    let salt = || args.first().cloned().unwrap_or(PyValue::None);
    let e = |e: IterError| e.to_string();
    let s = || items.iter().map(string);
    let ints = || items.iter().map(int);
    let str_out = |v: String| PyValue::Str(v);
    Ok(match name {
        "sha_256" => items.iter().sha_256_salted(salt()).map(str_out).list(),
        "sha_512" => items.iter().sha_512_salted(salt()).map(str_out).list(),
        "sha_256_hmac" | "sha_512_hmac" => {
            let key = Key::from_value(args.first().unwrap_or(&PyValue::None));
            let salt = args.get(1).cloned().unwrap_or(PyValue::None);
            if name == "sha_256_hmac" {
                items
                    .iter()
                    .sha_256_hmac_salted(&key, salt)
                    .map(str_out)
                    .list()
            } else {
                items
                    .iter()
                    .sha_512_hmac_salted(&key, salt)
                    .map(str_out)
                    .list()
            }
        }
        "sum_sha_256" => items.iter().sum_sha_256(salt()).map(str_out).list(),
        "sum_sha_512" => items.iter().sum_sha_512(salt()).map(str_out).list(),
        "hex" if args.first().is_some_and(PyValue::is_truthy) => {
            ints().hex_prefixed().map(str_out).list()
        }
        "hex" => ints().hex().map(str_out).list(),
        "bytes_to_hex" => items.iter().map(bytes).bytes_to_hex().map(str_out).list(),
        "hex_to_bytes" => ok_all(s().hex_to_bytes(), PyValue::Bytes)?,
        "to_base64" => items
            .iter()
            .map(bytes)
            .to_base64()
            .map(|t| PyValue::Bytes(t.into_bytes()))
            .list(),
        "from_base64" => ok_all(items.iter().map(bytes).from_base64(), PyValue::Bytes)?,
        "to_base" | "from_base" => {
            let base = usize_arg(args.first(), 95);
            let table = args.get(1).map_or(ASCII_TABLE.to_owned(), string);
            if name == "to_base" {
                ok_all(ints().to_base(base, &table).map_err(e)?, str_out)?
            } else {
                ok_all(s().from_base(base, &table).map_err(e)?, PyValue::Int)?
            }
        }
        "int_to_bytes" => ok_all(
            ints().int_to_bytes(usize_arg(args.first(), 256), order(args.get(1))),
            PyValue::Bytes,
        )?,
        "bytes_to_int" => items
            .iter()
            .map(bytes)
            .bytes_to_int(order(args.first()))
            .map(PyValue::Int)
            .list(),
        "ascii_to_int" => s().ascii_to_int().map(PyValue::Int).list(),
        "int_to_ascii" => ok_all(ints().int_to_ascii(), str_out)?,
        "str" => items.iter().str().map(str_out).list(),
        "json_dumps" => ok_all(items.iter().json_dumps(), str_out)?,
        "json_loads" => ok_all(s().json_loads(), |v| v)?,
        "tag" => items
            .into_iter()
            .tag()
            .map(|(i, v)| PyValue::tuple([PyValue::from(i), v]))
            .list(),
        "bytes_encipher" | "bytes_decipher" => cipher_step(name, args, kwargs, &items)?,
        _ => {
            let is_bytes = |v: &PyValue| matches!(v, PyValue::Bytes(_));
            let run = |items: &[PyValue]| match items.first() {
                Some(PyValue::Bytes(_)) => seq_step::<Vec<u8>>(name, args, kwargs, items),
                _ => seq_step::<String>(name, args, kwargs, items),
            };
            if items.iter().all(is_bytes) || !items.iter().any(is_bytes) {
                run(&items)?
            } else {
                // A per-item step over mixed `str` and `bytes` items.
                let mut out = Vec::new();
                for item in &items {
                    out.extend(run(std::slice::from_ref(item))?);
                }
                out
            }
        }
    })
}

/// The generator slice `g[i]` / `g[start:stop:step]`, the native way.
fn gen_slice(items: Vec<PyValue>, slice: &PyValue) -> Vec<PyValue> {
    let num = |v: Option<&PyValue>, default: usize| match v {
        None | Some(PyValue::None) => default,
        Some(v) => usize::try_from(int(v).to_u64().unwrap()).unwrap(),
    };
    let (start, stop, step) = match slice {
        PyValue::Int(_) => {
            let i = num(Some(slice), 0);
            (i, i + 1, 1)
        }
        PyValue::List(s) if s.len() == 1 => (0, num(s.first(), usize::MAX), 1),
        PyValue::List(s) => (
            num(s.first(), 0),
            num(s.get(1), usize::MAX),
            num(s.get(2), 1),
        ),
        other => panic!("slice {other:?}"),
    };
    let count = stop.saturating_sub(start).div_ceil(step);
    items
        .into_iter()
        .skip(start)
        .step_by(step)
        .take(count)
        .collect()
}

fn eager(name: &str, args: &[PyValue], items: Vec<PyValue>) -> PyValue {
    match name {
        "list" | "deque" => PyValue::List(items.into_iter().deque().into()),
        // Compared as the sorted reprs of the distinct items.
        "set" => {
            let mut reprs: Vec<String> =
                items.iter().map(PyValue::repr).set().into_iter().collect();
            reprs.sort();
            PyValue::List(reprs.into_iter().map(PyValue::Str).collect())
        }
        "join" => match args.first() {
            Some(PyValue::Bytes(sep)) => PyValue::Bytes(items.iter().map(bytes).join_bytes(sep)),
            sep => PyValue::Str(
                items
                    .iter()
                    .map(string)
                    .join(&sep.map(string).unwrap_or_default()),
            ),
        },
        "dict" => {
            let map = items
                .into_iter()
                .map(|pair| match pair {
                    PyValue::Tuple(kv) | PyValue::List(kv) if kv.len() == 2 => {
                        (kv[0].str_text(), kv[1].repr())
                    }
                    other => panic!("not a pair: {other:?}"),
                })
                .dict();
            let mut pairs: Vec<(String, String)> = map.into_iter().collect();
            pairs.sort();
            PyValue::List(
                pairs
                    .into_iter()
                    .map(|(k, v)| PyValue::tuple([PyValue::Str(k), PyValue::Str(v)]))
                    .collect(),
            )
        }
        "exhaust" => items.into_iter().exhaust().unwrap_or(PyValue::None),
        other => panic!("eager {other}"),
    }
}

/// The expected result in the form [`eager`] gives it.
fn normalise_expected(name: &str, result: &PyValue) -> PyValue {
    match (name, result) {
        ("set", PyValue::List(v)) => {
            let mut reprs: Vec<String> = v.iter().map(PyValue::repr).collect();
            reprs.sort();
            PyValue::List(reprs.into_iter().map(PyValue::Str).collect())
        }
        ("dict", PyValue::Dict(pairs)) => {
            let mut pairs: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.str_text(), v.repr()))
                .collect();
            pairs.sort();
            PyValue::List(
                pairs
                    .into_iter()
                    .map(|(k, v)| PyValue::tuple([PyValue::Str(k), PyValue::Str(v)]))
                    .collect(),
            )
        }
        _ => result.clone(),
    }
}

fn run(request: &PyValue) -> Result<PyValue, Failure> {
    let mut values = items(field(request, "items"))
        .iter()
        .map(typed)
        .collect::<Vec<_>>();
    for s in items(field(request, "chain")) {
        let s = items(s);
        let name = text(&s[0]);
        let args: Vec<PyValue> = s
            .get(1)
            .map(|a| items(a).iter().map(typed).collect())
            .unwrap_or_default();
        let kwargs = match s.get(2) {
            Some(PyValue::Dict(kw)) => kw.iter().map(|(k, v)| (k.clone(), typed(v))).collect(),
            _ => Vec::new(),
        };
        values = step(name, &args, &kwargs, values)?;
    }
    if let Some(slice) = get(request, "slice") {
        values = gen_slice(values, slice);
    }
    let eager_args: Vec<PyValue> = get(request, "eager_args")
        .map(|a| items(a).iter().map(typed).collect())
        .unwrap_or_default();
    Ok(eager(text(field(request, "eager")), &eager_args, values))
}

#[test]
fn comprende_vectors() {
    let data = load_data("iter.json");
    let cases = items(field(&data, "cases"));
    assert!(cases.len() >= 80, "only {} cases", cases.len());
    let mut failures = Vec::new();
    let (mut ok, mut errors) = (0, 0);
    for case in cases {
        let name = text(field(case, "name"));
        let request = field(case, "request");
        let expected = field(case, "expected");
        let got = run(request);
        match (get(expected, "result"), got) {
            (Some(result), Ok(value)) => {
                let want = normalise_expected(text(field(request, "eager")), &typed(result));
                if want == value {
                    ok += 1;
                } else {
                    failures.push(format!("{name}: got {value:?}, want {want:?}"));
                }
            }
            (None, Err(message)) => {
                let want = text(field(expected, "error_message"));
                if want == message {
                    errors += 1;
                } else {
                    failures.push(format!("{name}: error {message:?}, want {want:?}"));
                }
            }
            (Some(_), Err(message)) => failures.push(format!("{name}: unexpected error {message}")),
            (None, Ok(value)) => failures.push(format!(
                "{name}: got {value:?}, want error {:?}",
                text(field(expected, "error_message"))
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(errors >= 10, "only {errors} error cases");
    assert!(ok >= 70, "only {ok} result cases");
}
