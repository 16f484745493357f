#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Replays every case of `tests/data/utility.json`: the answers of Python
//! aiootp 0.17.0 for its deterministic utilities (spec `utilities.md` §9),
//! made by `tools/gen_utility_vectors.py` through the oracle role
//! `utility`.
//!
//! Each case is a request (`fn` and its arguments, typed values) and the
//! reference's response; every `fn` of the file must be handled here, and
//! every case must match, errors included.

mod common;

use std::collections::BTreeMap;

use aiootp::compat::passcrypt::Password;
use aiootp::compat::{Key, PyValue};
use aiootp::data::primes;
use aiootp::data::tables::ASCII_TABLE;
use aiootp::error::KeygenError;
use aiootp::keygen::{
    DigitStream, Mnemonic, TableKeystream, UuidMaker, deniable_filename, permute, shuffle,
    table_key, unshuffle, xi_mix,
};
use common::typed::{field, from_hex, get, items, load_data, text, typed};

fn int(v: &PyValue) -> i64 {
    match v {
        PyValue::Int(n) => n.to_i64().unwrap(),
        other => panic!("expected an int, got {other:?}"),
    }
}

fn usize_arg(req: &PyValue, name: &str, default: usize) -> usize {
    get(req, name).map_or(default, |v| usize::try_from(int(v)).unwrap())
}

fn ok(resp: &PyValue) -> bool {
    matches!(field(resp, "ok"), PyValue::Bool(true))
}

fn bytes_of(v: &PyValue) -> Vec<u8> {
    match typed(v) {
        PyValue::Bytes(b) => b,
        other => panic!("expected bytes, got {other:?}"),
    }
}

fn key_of(req: &PyValue) -> Key {
    Key::from_value(&typed(field(req, "key")))
}

fn strings(v: &PyValue) -> Vec<String> {
    items(v).iter().map(|s| text(s).to_owned()).collect()
}

fn ints(v: &PyValue) -> Vec<i64> {
    items(v).iter().map(int).collect()
}

/// Runs one case; returns `Err(message)` on a mismatch.
fn check(req: &PyValue, resp: &PyValue) -> Result<(), String> {
    let func = text(field(req, "fn"));
    macro_rules! expect_eq {
        ($got:expr, $want:expr) => {{
            let (got, want) = (&$got, &$want);
            if got != want {
                return Err(format!("got {got:?}, want {want:?}"));
            }
        }};
    }
    match func {
        "table_key" => {
            let table = get(req, "table").map_or(ASCII_TABLE, text);
            let size = usize_arg(req, "size", 64);
            let got = table_key(&key_of(req), table, size).map_err(|e| e.to_string())?;
            expect_eq!(got.expose_secret(), text(field(resp, "result")));
        }
        "table_keystream" => {
            let table = get(req, "table").map_or(ASCII_TABLE, text);
            let n = usize_arg(req, "n", 2);
            let stream = TableKeystream::new(&key_of(req), table).map_err(|e| e.to_string())?;
            let got: Vec<String> = stream
                .take(n)
                .map(|k| k.expose_secret().to_owned())
                .collect();
            expect_eq!(got, strings(field(resp, "outputs")));
        }
        "mnemonic" => {
            let password = Password::from_value(&typed(field(req, "key")));
            let salt = get(req, "salt").map(text);
            let n = usize_arg(req, "n", 12);
            let sends: Vec<PyValue> = get(req, "sends")
                .map(|s| items(s).iter().map(typed).collect())
                .unwrap_or_default();
            let mut words = Mnemonic::new(&password, salt).map_err(|e| e.to_string())?;
            let mut got = vec![words.next_word().to_owned()];
            for i in 0..n.saturating_sub(1) {
                let value = sends.get(i).cloned().unwrap_or(PyValue::None);
                got.push(words.send(&value).map_err(|e| e.to_string())?.to_owned());
            }
            expect_eq!(got, strings(field(resp, "words")));
            expect_eq!(words.salt(), text(field(resp, "salt")));
        }
        "deniable_filename" => {
            let key = bytes_of(field(req, "key"));
            let size = usize_arg(req, "size", 8);
            match deniable_filename(&key, size) {
                Ok(name) => expect_eq!(name, text(field(resp, "result"))),
                Err(e) => {
                    expect_eq!(e, KeygenError::FilenameSize);
                    expect_eq!(text(field(resp, "error_type")), "ValueError");
                    expect_eq!(e.to_string(), text(field(resp, "error_message")));
                }
            }
        }
        "xi_mix" => {
            let data = bytes_of(field(req, "data"));
            let size = usize_arg(req, "size", 8);
            let got = xi_mix(&data, size).map_err(|e| e.to_string())?;
            expect_eq!(got, bytes_of(field(resp, "result")));
        }
        "make_uuid" => {
            let size = usize_arg(req, "size", 16);
            let salt = get(req, "salt").map(typed);
            let maker = UuidMaker::new(size, salt).map_err(|e| e.to_string())?;
            let mut got = vec![maker.first()];
            for stamp in items(field(req, "stamps")) {
                got.push(maker.uuid(&typed(stamp)));
            }
            expect_eq!(got, strings(field(resp, "uuids")));
            expect_eq!(maker.salt(), &typed(field(resp, "salt")));
        }
        "permute" | "shuffle" | "unshuffle" => {
            let sequence: Vec<PyValue> = items(field(req, "sequence")).iter().map(typed).collect();
            let key = key_of(req);
            let salt = typed(field(req, "salt"));
            let want: Vec<PyValue> = items(field(resp, "result")).iter().map(typed).collect();
            let got: Vec<PyValue> = match func {
                "permute" => permute(sequence.len(), &key, &salt)
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .map(PyValue::from)
                    .collect(),
                "shuffle" => shuffle(sequence, &key, &salt).map_err(|e| e.to_string())?,
                _ => unshuffle(sequence, &key, &salt).map_err(|e| e.to_string())?,
            };
            expect_eq!(got, want);
        }
        "digits" | "non_0_digits" | "bytes_digits" => {
            let key = key_of(req);
            let n = usize_arg(req, "n", 10);
            let stream = match func {
                "digits" => DigitStream::digits(&key),
                "non_0_digits" => DigitStream::non_zero_digits(&key),
                _ => DigitStream::bytes(&key),
            }
            .map_err(|e| e.to_string())?;
            let got: Vec<i64> = stream.take(n).map(i64::from).collect();
            expect_eq!(got, ints(field(resp, "result")));
        }
        "primes" => {
            let bits = u32::try_from(int(field(req, "bits"))).unwrap();
            let got: Vec<String> = primes(bits)
                .iter()
                .map(|p| p.as_decimal().to_owned())
                .collect();
            expect_eq!(got, strings(field(resp, "result")));
        }
        other => return Err(format!("no replay for fn {other:?}")),
    }
    Ok(())
}

#[test]
fn utility_vectors() {
    let data = load_data("utility.json");
    let cases = items(field(&data, "cases"));
    assert!(cases.len() >= 300, "only {} cases", cases.len());
    let mut counts = BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let (req, resp) = (field(case, "request"), field(case, "response"));
        let func = text(field(req, "fn")).to_owned();
        *counts.entry(func.clone()).or_default() += 1;
        let result = check(req, resp);
        match (result, ok(resp)) {
            (Ok(()), true) => {}
            // An expected error that the replay also raised (checked in `check`).
            (Ok(()), false) if func == "deniable_filename" => {}
            (Ok(()), false) => {
                failures.push(format!("case {i} {func}: reference failed, we did not"))
            }
            (Err(e), _) => failures.push(format!("case {i} {func}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for func in [
        "table_key",
        "table_keystream",
        "mnemonic",
        "deniable_filename",
        "xi_mix",
        "make_uuid",
        "permute",
        "shuffle",
        "unshuffle",
        "digits",
        "non_0_digits",
        "bytes_digits",
        "primes",
    ] {
        assert!(
            counts.get(func).copied().unwrap_or(0) > 0,
            "no {func} cases"
        );
    }
    println!("{counts:?}");
}

/// The spec's worked examples, independent of the vectors file.
#[test]
fn spec_examples() {
    let cat = Key::new("smellycaaaat, smelly caaaaat!");
    assert_eq!(
        table_key(&cat, "0123456789abcdef", 64)
            .unwrap()
            .expose_secret(),
        "aca8ac4d8b527bc4f8b7b2971dc8b946add562fe662e04468d830a6b3c0c588b"
    );
    assert_eq!(
        table_key(&cat, ASCII_TABLE, 29).unwrap().expose_secret(),
        "\".5EB_,&BAZ~`~/{Nq;pV!1@Sek^&"
    );
    assert_eq!(
        xi_mix(&from_hex("000102030405060708090a0b0c0d0e0f10111213"), 8).unwrap(),
        from_hex("0808080818191a1b")
    );
    assert_eq!(
        permute(8, &Key::new("k"), &"s".into()).unwrap(),
        [0, 1, 4, 6, 5, 7, 3, 2]
    );
    let digits: Vec<u8> = DigitStream::digits(&Key::new("k"))
        .unwrap()
        .take(8)
        .collect();
    assert_eq!(digits, [1, 9, 7, 7, 4, 0, 6, 2]);
}
