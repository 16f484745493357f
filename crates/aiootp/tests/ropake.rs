//! Ropake behaviour beyond the vectors: every failure row of spec
//! `ropake.md` §11 (with the reference's error texts from
//! `tests/data/ropake.json`), what each side's state is afterwards, the
//! weaknesses of §16.2 that can be shown, and many-round runs over each
//! record store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aiootp::compat::cipher::{json_decrypt_value, json_encrypt_value};
use aiootp::compat::{DecryptOptions, EncryptOptions, Key, PyInt, PyValue, pyjson};
use aiootp::db::Database;
use aiootp::error::{AsymmetricError, RopakeError};
use aiootp::ropake::derive::{client_message_key, server_message_key};
use aiootp::ropake::{
    ClientHello, ClientLogin, ClientRegistration, FixedEntropy, JsonFileRecords, KeyedPassword,
    LoginHello, LoginResponse, MemoryRecords, OsEntropy, Record, RecordStore, RegistrationHello,
    RegistrationResponse, SessionKeys, server_login, server_registration,
};
use common::typed::{field, items, load_data, text};

const T0: u64 = 1_612_400_000;

/// The reference's error of the vectors' case `name`: (type, message).
fn reference_error(name: &str) -> (String, String) {
    let v = load_data("ropake.json");
    let case = items(field(&v, "errors"))
        .iter()
        .find(|c| text(field(c, "case")) == name)
        .unwrap_or_else(|| panic!("no error case {name:?}"));
    assert_eq!(*field(case, "raised"), PyValue::Bool(true));
    (
        text(field(case, "error_type")).to_owned(),
        text(field(case, "error_message")).to_owned(),
    )
}

fn entropy(label: &str, time: u64) -> FixedEntropy {
    FixedEntropy::new().rng(label).time(time)
}

/// A client database in a temporary directory.
struct Client {
    dir: tempfile::TempDir,
    key: Key,
}

impl Client {
    fn new(password: &str) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            key: Key::new(password),
        }
    }

    fn open(&self) -> Database {
        Database::open(self.dir.path(), &self.key, 0).unwrap()
    }

    /// Tags and values as saved on disk (a read-only look, next to a
    /// writer).
    fn saved(&self) -> Vec<(PyValue, PyValue)> {
        match aiootp::db::OpenOptions::new()
            .read_only(true)
            .open(self.dir.path(), &self.key)
        {
            Ok(mut db) => dump(&mut db),
            Err(aiootp::error::DbError::NotFound { .. }) => Vec::new(),
            Err(e) => panic!("{e}"),
        }
    }
}

fn dump(db: &mut Database) -> Vec<(PyValue, PyValue)> {
    db.iter()
        .unwrap()
        .map(|(t, v)| (t.clone(), v.cloned().unwrap_or(PyValue::None)))
        .collect()
}

fn tag_names(db: &mut Database) -> Vec<String> {
    dump(db).into_iter().map(|(t, _)| t.str_text()).collect()
}

fn register(db: &mut Database, store: &mut dyn RecordStore, seed: &str) -> SessionKeys {
    let mut ce = entropy(&format!("{seed}:client"), T0);
    let mut se = entropy(&format!("{seed}:server"), T0);
    let (client, hello) = ClientRegistration::start(db, &mut ce).unwrap();
    let hello = RegistrationHello::from_json(&hello.to_json()).unwrap();
    let (response, server_keys) = server_registration(&hello, store, &mut se).unwrap();
    let response = RegistrationResponse::from_json(&response.to_json()).unwrap();
    let client_keys = client.finish(db, &response).unwrap();
    assert_eq!(client_keys, server_keys);
    client_keys
}

/// One login over JSON; the client's and the server's keys.
fn login(
    db: &mut Database,
    store: &mut dyn RecordStore,
    seed: &str,
) -> Result<(SessionKeys, SessionKeys), RopakeError> {
    let mut ce = entropy(&format!("{seed}:client"), T0);
    let mut se = entropy(&format!("{seed}:server"), T0);
    let (client, hello) = ClientLogin::start(db, 0, &mut ce)?;
    let hello = LoginHello::from_json(&hello.to_json())?;
    let (response, server_keys) = server_login(&hello, store, 0, &mut se)?;
    let response = LoginResponse::from_json(&response.to_json())?;
    let client_keys = client.finish(db, &response, &mut ce)?;
    Ok((client_keys, server_keys))
}

fn registered(seed: &str) -> (Client, Database, MemoryRecords) {
    let client = Client::new(&format!("password {seed}"));
    let mut db = client.open();
    let mut records = MemoryRecords::new();
    register(&mut db, &mut records, seed);
    (client, db, records)
}

/// Re-parses a login hello after `change` on its dict.
fn altered_hello(hello: &LoginHello, change: impl FnOnce(&mut [(PyValue, PyValue)])) -> LoginHello {
    let PyValue::Dict(mut pairs) = hello.to_value() else {
        unreachable!()
    };
    change(&mut pairs);
    LoginHello::from_value(&PyValue::Dict(pairs)).unwrap()
}

fn set_field(pairs: &mut [(PyValue, PyValue)], name: &str, value: PyValue) {
    let slot = pairs
        .iter_mut()
        .find(|(k, _)| *k == PyValue::from(name))
        .unwrap();
    slot.1 = value;
}

fn flip_hex(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    chars[0] = if chars[0] == '0' { '1' } else { '0' };
    chars.into_iter().collect()
}

fn bump_first_block(pairs: &mut [(PyValue, PyValue)]) {
    let slot = pairs
        .iter_mut()
        .find(|(k, _)| *k == PyValue::from("ciphertext"))
        .unwrap();
    let PyValue::List(blocks) = &mut slot.1 else {
        unreachable!()
    };
    let PyValue::Int(n) = &blocks[0] else {
        unreachable!()
    };
    let mut digits: Vec<u8> = n.as_str().bytes().collect();
    let last = digits.len() - 1;
    digits[last] = if digits[last] == b'0' { b'1' } else { b'0' };
    blocks[0] = PyValue::Int(PyInt::parse(std::str::from_utf8(&digits).unwrap()).unwrap());
}

// ------------------------------------------------------------ client errors

#[test]
fn unregistered_or_wrong_password_client_sends_nothing() {
    let (_, message) = reference_error("client: authentication without prior registration");
    let client = Client::new("never registered");
    let mut db = client.open();
    let mut e = entropy("unregistered", T0);
    let err = ClientLogin::start(&mut db, 0, &mut e).unwrap_err();
    assert!(matches!(err, RopakeError::NotRegistered));
    assert_eq!(err.to_string(), message);
    assert!(e.fixed_used().salt.is_empty(), "no randomness drawn");
    assert!(dump(&mut db).is_empty());

    let (client, db, _records) = registered("wrong password");
    drop(db);
    let (_, message) =
        reference_error("client: database opened with another key (no Ropake key stored)");
    let other_key = Key::new("another password");
    // (Opening another key's database next to this one is refused unless
    // asked for: a likely wrong password.)
    assert!(Database::open(client.dir.path(), &other_key, 0).is_err());
    let mut other = aiootp::db::OpenOptions::new()
        .create(true)
        .open(client.dir.path(), &other_key)
        .unwrap();
    let err = ClientLogin::start(&mut other, 0, &mut OsEntropy).unwrap_err();
    assert_eq!(err.to_string(), message);
    drop(other);
    // The registered database is as it was.
    assert_eq!(
        tag_names(&mut client.open()),
        ["salt", "key"],
        "nothing saved on failure"
    );
}

#[test]
fn damaged_client_state_is_refused() {
    let (client, mut db, _records) = registered("damaged");
    db.delete("salt").unwrap();
    let err = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap_err();
    assert!(matches!(err, RopakeError::ClientState { .. }), "{err}");
    db.set("salt", &"s").unwrap();
    db.set("key", &5).unwrap();
    let err = ClientRegistration::start(&mut db, &mut OsEntropy).unwrap_err();
    assert!(matches!(err, RopakeError::ClientState { .. }), "{err}");
    drop(db);
    assert_eq!(tag_names(&mut client.open()), ["salt", "key"]);
}

#[test]
fn finish_on_another_database_is_refused() {
    let (_client, mut db, mut records) = registered("finish elsewhere");
    let other = Client::new("another client");
    let mut other_db = other.open();
    let (state, hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    let (response, _) = server_login(&hello, &mut records, 0, &mut OsEntropy).unwrap();
    let err = state
        .finish(&mut other_db, &response, &mut OsEntropy)
        .unwrap_err();
    assert!(matches!(err, RopakeError::ClientState { .. }), "{err}");
    let (state, _) = ClientRegistration::start(&mut db, &mut OsEntropy).unwrap();
    let response = RegistrationResponse::from_json(&format!(
        r#"{{"pub": "{}", "salt": "s", "session_salt": "t"}}"#,
        "09".repeat(32)
    ))
    .unwrap();
    assert!(matches!(
        state.finish(&mut other_db, &response),
        Err(RopakeError::ClientState { .. })
    ));
    assert!(dump(&mut other_db).is_empty());
}

#[test]
fn read_only_client_database_is_refused_before_sending() {
    let (client, db, _records) = registered("read only");
    drop(db);
    let mut ro = aiootp::db::OpenOptions::new()
        .read_only(true)
        .open(client.dir.path(), &client.key)
        .unwrap();
    assert!(matches!(
        ClientLogin::start(&mut ro, 0, &mut OsEntropy),
        Err(RopakeError::Db(_))
    ));
    assert!(matches!(
        ClientRegistration::start(&mut ro, &mut OsEntropy),
        Err(RopakeError::Db(_))
    ));
}

// ------------------------------------------------------------ server errors

#[test]
fn unknown_key_id() {
    let (_, message) = reference_error("server: unknown key_id (dict store)");
    let (_client, mut db, mut records) = registered("unknown id");
    let (_, hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    let zeros = "0".repeat(128);
    let hello = altered_hello(&hello, |p| {
        set_field(p, "key_id", PyValue::from(zeros.as_str()))
    });
    let before = records.clone();
    let mut se = entropy("unknown", T0);
    let err = server_login(&hello, &mut records, 0, &mut se).unwrap_err();
    assert!(matches!(&err, RopakeError::UnknownKeyId { key_id } if *key_id == zeros));
    assert_eq!(err.to_string(), message);
    assert_eq!(records, before);
    // The lookup comes before any randomness is drawn.
    assert!(se.fixed_used().salt.is_empty());
}

#[test]
fn altered_hello_is_the_single_authentication_error() {
    let (_, message) = reference_error("server: client hello ciphertext block altered");
    assert_eq!(
        reference_error("server: client hello hmac replaced").1,
        message
    );
    let (client, mut db, mut records) = registered("altered hello");
    let (_, hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    let before = records.clone();
    let hmac = hello.ciphertext().hmac().to_owned();
    let salt = hello.ciphertext().salt().to_owned();
    let cases: Vec<(&str, LoginHello)> = vec![
        ("block", altered_hello(&hello, bump_first_block)),
        (
            "hmac",
            altered_hello(&hello, |p| {
                set_field(p, "hmac", PyValue::from(flip_hex(&hmac)))
            }),
        ),
        (
            "salt",
            altered_hello(&hello, |p| {
                set_field(p, "salt", PyValue::from(flip_hex(&salt)))
            }),
        ),
        (
            "empty hmac",
            altered_hello(&hello, |p| set_field(p, "hmac", PyValue::from(""))),
        ),
        (
            "dropped block",
            altered_hello(&hello, |p| {
                set_field(p, "ciphertext", PyValue::List(vec![]));
            }),
        ),
    ];
    for (name, bad) in cases {
        assert_ne!(bad, hello, "{name}");
        let err = server_login(&bad, &mut records, 0, &mut OsEntropy).unwrap_err();
        assert!(
            matches!(err, RopakeError::Authentication),
            "{name}: {err:?}"
        );
        assert_eq!(err.to_string(), message);
        assert_eq!(records, before, "{name}: store unchanged");
    }
    // The unaltered hello still works afterwards.
    server_login(&hello, &mut records, 0, &mut OsEntropy).unwrap();
    drop(client);
}

#[test]
fn hello_ttl_with_exact_seconds() {
    let (client, mut db, records) = registered("hello ttl");
    for (ttl, age, name) in [
        (30, 60, "server: ttl=30, hello 60 s old"),
        (30, 31, "server: ttl=30, hello 31 s old"),
    ] {
        let (_, message) = reference_error(name);
        let mut store = records.clone();
        let (_, hello) = ClientLogin::start(&mut db, 0, &mut entropy("c", T0)).unwrap();
        let err = server_login(&hello, &mut store, ttl, &mut entropy("s", T0 + age)).unwrap_err();
        assert!(
            matches!(err, RopakeError::Expired { seconds } if seconds == i128::from(age - ttl))
        );
        assert_eq!(err.to_string(), message, "{name}");
        assert_eq!(store, records);
    }
    // ttl=31, 31 s old: accepted; so is a timestamp from the future and ttl 0.
    let v = load_data("ropake.json");
    assert!(items(field(&v, "errors")).iter().any(|c| {
        text(field(c, "case")) == "server: ttl=31, hello 31 s old (accepted)"
            && *field(c, "raised") == PyValue::Bool(false)
    }));
    for (ttl, now) in [(31, T0 + 31), (30, T0 - 100), (0, T0 + 1_000_000)] {
        let mut store = records.clone();
        let (_, hello) = ClientLogin::start(&mut db, 0, &mut entropy("c", T0)).unwrap();
        server_login(&hello, &mut store, ttl, &mut entropy("s", now)).unwrap();
    }
    drop(client);
}

#[test]
fn wrong_protocol_hellos_are_malformed() {
    let (_, message) = reference_error("server: registration hello given to Ropake.server");
    assert_eq!(message, "'key_id'");
    let client = Client::new("wrong protocol");
    let mut db = client.open();
    let (_, reg_hello) = ClientRegistration::start(&mut db, &mut OsEntropy).unwrap();
    let err = LoginHello::from_json(&reg_hello.to_json()).unwrap_err();
    assert!(
        matches!(&err, RopakeError::Malformed { reason, .. } if reason.contains("'key_id'")),
        "{err}"
    );
    assert!(matches!(
        ClientHello::from_value(&reg_hello.to_value()).unwrap(),
        ClientHello::Registration(h) if h == reg_hello
    ));

    let (type_, message) = reference_error("server_registration: authentication hello");
    assert_eq!(type_, "AttributeError");
    assert!(message.contains("'pub'"));
    let (_client, mut db, _records) = registered("wrong protocol 2");
    let (_, login_hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    let err = RegistrationHello::from_json(&login_hello.to_json()).unwrap_err();
    assert!(
        matches!(&err, RopakeError::Malformed { reason, .. } if reason.contains("'pub'")),
        "{err}"
    );
    assert!(matches!(
        ClientHello::from_json(&login_hello.to_json()).unwrap(),
        ClientHello::Login(h) if h == login_hello
    ));
    for bad in ["{}", "[]", r#"{"key_id": "x"}"#, "not json", r#""text""#] {
        assert!(
            matches!(
                ClientHello::from_json(bad),
                Err(RopakeError::Malformed { .. })
            ),
            "{bad}"
        );
        assert!(LoginResponse::from_json(bad).is_err(), "{bad}");
        assert!(RegistrationResponse::from_json(bad).is_err(), "{bad}");
    }
}

#[test]
fn low_order_public_keys_are_refused_before_any_change() {
    let v = load_data("ropake.json");
    assert!(items(field(&v, "demonstrations")).iter().any(|d| {
        text(field(d, "case")) == "authentic hello whose pub is the all-zero X25519 key"
            && *field(d, "store_unchanged") == PyValue::Bool(true)
    }));
    let low = "00".repeat(32);

    // An authentic login hello (its sender holds the key) with pub = 0.
    let (client, mut db, mut records) = registered("low order");
    let (key_id, record) = {
        let (k, r) = records.records()[0];
        (k.to_owned(), r.clone())
    };
    let plaintext = pyjson::loads(&format!(
        r#"{{"salt": "{a}", "pub": "{low}", "password_salt": "{b}", "session_salt": "{c}", "keyed_password": 5}}"#,
        a = "a".repeat(128),
        b = "b".repeat(128),
        c = "c".repeat(128),
    ))
    .unwrap();
    let ct = json_encrypt_value(
        &plaintext,
        &client_message_key(record.expose_key()).unwrap(),
        &EncryptOptions::new(),
    )
    .unwrap();
    let mut hello = PyValue::Dict(vec![(
        PyValue::from("key_id"),
        PyValue::from(key_id.as_str()),
    )]);
    if let (PyValue::Dict(pairs), PyValue::Dict(ct)) = (&mut hello, ct.to_value()) {
        pairs.extend(ct);
    }
    let hello = LoginHello::from_value(&hello).unwrap();
    let before = records.clone();
    let err = server_login(&hello, &mut records, 0, &mut OsEntropy).unwrap_err();
    assert!(matches!(
        err,
        RopakeError::Asymmetric(AsymmetricError::LowOrderPoint)
    ));
    assert_eq!(err.to_string(), "Error computing shared key.");
    assert_eq!(records, before);

    // A registration hello with pub = 0.
    let (_, reg_hello) =
        ClientRegistration::start(&mut Client::new("x").open(), &mut OsEntropy).unwrap();
    let PyValue::Dict(mut pairs) = reg_hello.to_value() else {
        unreachable!()
    };
    set_field(&mut pairs, "pub", PyValue::from(low.as_str()));
    let bad = RegistrationHello::from_value(&PyValue::Dict(pairs)).unwrap();
    let mut fresh = MemoryRecords::new();
    assert!(matches!(
        server_registration(&bad, &mut fresh, &mut OsEntropy),
        Err(RopakeError::Asymmetric(AsymmetricError::LowOrderPoint))
    ));
    assert!(fresh.is_empty());

    // A registration response with pub = 0: the client database is untouched.
    let newcomer = Client::new("newcomer");
    let mut ndb = newcomer.open();
    let (state, _) = ClientRegistration::start(&mut ndb, &mut OsEntropy).unwrap();
    let response = RegistrationResponse::from_json(&format!(
        r#"{{"pub": "{low}", "salt": "s", "session_salt": "t"}}"#
    ))
    .unwrap();
    assert!(matches!(
        state.finish(&mut ndb, &response),
        Err(RopakeError::Asymmetric(AsymmetricError::LowOrderPoint))
    ));
    assert!(dump(&mut ndb).is_empty());
    drop(ndb);
    assert!(newcomer.saved().is_empty());

    // The registered client still logs in.
    login(&mut db, &mut records, "after low order").unwrap();
    drop(client);
}

// ------------------------------------------------------------ lock-outs

#[test]
fn altered_or_replayed_response_locks_the_client_out() {
    let (_, message) = reference_error("client: server response altered");
    assert_eq!(
        reference_error("client: replayed round-2 server response").1,
        message
    );
    let (client, mut db, mut records) = registered("altered response");
    let saved = client.saved();
    let (state, hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    let (response, _) = server_login(&hello, &mut records, 0, &mut OsEntropy).unwrap();
    let PyValue::Dict(mut pairs) = response.to_value() else {
        unreachable!()
    };
    bump_first_block(&mut pairs);
    let bad = LoginResponse::from_value(&PyValue::Dict(pairs)).unwrap();
    let err = state.finish(&mut db, &bad, &mut OsEntropy).unwrap_err();
    assert!(matches!(err, RopakeError::Authentication));
    assert_eq!(err.to_string(), message);
    assert_eq!(dump(&mut db), saved, "nothing changed in memory");
    drop(db);
    assert_eq!(client.saved(), saved, "nothing saved");
    // The server has ratcheted: the client's next hello names a deleted record.
    let mut db = client.open();
    let err = login(&mut db, &mut records, "next").unwrap_err();
    assert!(matches!(err, RopakeError::UnknownKeyId { .. }));

    // A response from an earlier key (a replay) fails authentication.
    let (client, mut db, mut records) = registered("replayed response");
    let (state, hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    let (old_response, _) = server_login(&hello, &mut records, 0, &mut OsEntropy).unwrap();
    state
        .finish(&mut db, &old_response, &mut OsEntropy)
        .unwrap();
    let (state, hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    server_login(&hello, &mut records, 0, &mut OsEntropy).unwrap();
    let err = state
        .finish(&mut db, &old_response, &mut OsEntropy)
        .unwrap_err();
    assert!(matches!(err, RopakeError::Authentication));
    // And the round-1 hello, replayed now, names a deleted record.
    let (_, message) = reference_error("server: replay of round-1 client hello after round 2");
    let err = server_login(&hello, &mut records, 0, &mut OsEntropy).unwrap_err();
    assert!(matches!(err, RopakeError::UnknownKeyId { .. }));
    assert!(message.starts_with('\''));
    drop(client);
}

#[test]
fn response_ttl_with_exact_seconds() {
    let (_, message) = reference_error("client: ttl=30, server response 100 s old");
    let (client, mut db, mut records) = registered("response ttl");
    let saved = client.saved();
    let mut ce = entropy("c", T0);
    let (state, hello) = ClientLogin::start(&mut db, 30, &mut ce).unwrap();
    let (response, _) = server_login(&hello, &mut records, 0, &mut entropy("s", T0)).unwrap();
    ce.set_time(T0 + 100);
    let err = state.finish(&mut db, &response, &mut ce).unwrap_err();
    assert!(matches!(err, RopakeError::Expired { seconds: 70 }));
    assert_eq!(err.to_string(), message);
    assert_eq!(dump(&mut db), saved);
    // Locked out: the server already ratcheted.
    assert!(matches!(
        login(&mut db, &mut records, "after expiry"),
        Err(RopakeError::UnknownKeyId { .. })
    ));

    // Exactly ttl seconds old is accepted.
    let (_client, mut db, mut records) = registered("response ttl 2");
    let mut ce = entropy("c", T0);
    let (state, hello) = ClientLogin::start(&mut db, 30, &mut ce).unwrap();
    let (response, server_keys) =
        server_login(&hello, &mut records, 0, &mut entropy("s", T0)).unwrap();
    ce.set_time(T0 + 30);
    let client_keys = state.finish(&mut db, &response, &mut ce).unwrap();
    assert_eq!(client_keys, server_keys);
}

#[test]
fn lost_response_locks_the_client_out() {
    let (_client, mut db, mut records) = registered("lost");
    let (_state, hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    server_login(&hello, &mut records, 0, &mut OsEntropy).unwrap();
    // The response never arrives; the client tries again.
    let err = login(&mut db, &mut records, "retry").unwrap_err();
    assert!(matches!(err, RopakeError::UnknownKeyId { .. }));
}

#[test]
fn response_for_another_hello_is_accepted_with_wrong_keys() {
    let v = load_data("ropake.json");
    assert!(items(field(&v, "errors")).iter().any(|c| {
        text(field(c, "case"))
            == "client: response produced for an earlier hello of the same stored key"
            && *field(c, "raised") == PyValue::Bool(false)
    }));
    let (_client, mut db, mut records) = registered("crossed");
    let (_first, first_hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    let (second, _second_hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    let (response, server_keys) =
        server_login(&first_hello, &mut records, 0, &mut OsEntropy).unwrap();
    let client_keys = second.finish(&mut db, &response, &mut OsEntropy).unwrap();
    assert_ne!(client_keys, server_keys, "spec §16.2 R5");
    assert!(matches!(
        login(&mut db, &mut records, "then"),
        Err(RopakeError::UnknownKeyId { .. })
    ));
}

// ------------------------------------------------------------ undetected mismatches

#[test]
fn keyed_password_mismatch_is_undetected() {
    let (_client, mut db, mut records) = registered("mismatch");
    let (key_id, record) = {
        let (k, r) = records.records()[0];
        (k.to_owned(), r.clone())
    };
    let mut bytes = *record.keyed_password().expose_be_bytes();
    bytes[63] ^= 1;
    records
        .insert(
            &key_id,
            Record::new(
                record.expose_key().to_owned(),
                KeyedPassword::from_be_bytes(bytes),
            ),
        )
        .unwrap();
    let (client_keys, server_keys) = login(&mut db, &mut records, "m1").unwrap();
    assert_ne!(client_keys, server_keys, "spec §16.2 R3");
    assert!(matches!(
        login(&mut db, &mut records, "m2"),
        Err(RopakeError::UnknownKeyId { .. })
    ));
}

#[test]
fn altered_registration_is_undetected() {
    let client = Client::new("altered registration");
    let mut db = client.open();
    let mut records = MemoryRecords::new();
    let (state, hello) = ClientRegistration::start(&mut db, &mut OsEntropy).unwrap();
    let PyValue::Dict(mut pairs) = hello.to_value() else {
        unreachable!()
    };
    set_field(&mut pairs, "salt", PyValue::from("f".repeat(128)));
    let altered = RegistrationHello::from_value(&PyValue::Dict(pairs)).unwrap();
    let (response, server_keys) =
        server_registration(&altered, &mut records, &mut OsEntropy).unwrap();
    let client_keys = state.finish(&mut db, &response).unwrap();
    assert_ne!(client_keys, server_keys);
    assert!(matches!(
        login(&mut db, &mut records, "first"),
        Err(RopakeError::UnknownKeyId { .. })
    ));
}

#[test]
fn a_stolen_record_is_enough_to_log_in() {
    // Spec §16.2 R2: the thief picks any password_salt and computes the
    // password term from the record himself.
    let (_client, _db, mut records) = registered("thief");
    let (key_id, record) = {
        let (k, r) = records.records()[0];
        (k.to_owned(), r.clone())
    };
    let chosen = "1".repeat(128);
    let eph = [42u8; 32];
    let eph_pub = x25519_dalek::x25519(eph, x25519_dalek::X25519_BASEPOINT_BYTES);
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let plaintext = pyjson::loads(&format!(
        r#"{{"salt": "{a}", "pub": "{p}", "password_salt": "{chosen}", "session_salt": "{c}", "keyed_password": 12345}}"#,
        a = "a".repeat(128),
        p = hex(&eph_pub),
        c = "c".repeat(128),
    ))
    .unwrap();
    let ct = json_encrypt_value(
        &plaintext,
        &client_message_key(record.expose_key()).unwrap(),
        &EncryptOptions::new(),
    )
    .unwrap();
    let mut hello = vec![(PyValue::from("key_id"), PyValue::from(key_id.as_str()))];
    if let PyValue::Dict(ct) = ct.to_value() {
        hello.extend(ct);
    }
    let hello = LoginHello::from_value(&PyValue::Dict(hello)).unwrap();
    let (response, server_keys) = server_login(&hello, &mut records, 0, &mut OsEntropy).unwrap();
    let plain = json_decrypt_value(
        response.ciphertext(),
        &server_message_key(record.expose_key()).unwrap(),
        &DecryptOptions::new(),
    )
    .unwrap();
    let server_pub: [u8; 32] = common::typed::from_hex(text(field(&plain, "pub")))
        .try_into()
        .unwrap();
    let shared = x25519_dalek::x25519(eph, server_pub);
    let term = aiootp::ropake::derive::unmask(record.keyed_password(), &chosen).unwrap();
    let secret = aiootp::ropake::derive::shared_secret(
        record.expose_key(),
        &shared,
        &"a".repeat(128),
        text(field(&plain, "salt")),
        &term,
    );
    let (k1, s1) = aiootp::ropake::derive::finalize_login(record.expose_key(), &shared, &secret);
    let thief = aiootp::ropake::derive::integrate(
        &k1,
        &s1,
        &"c".repeat(128),
        text(field(&plain, "session_salt")),
    );
    assert_eq!(thief, server_keys);
}

// ------------------------------------------------------------ re-registration

#[test]
fn re_registration_follows_the_reference() {
    // Spec §16.1 item 9: the same keyed password again, the next_* tags
    // left in the database, the old record left on the server.
    let (client, mut db, mut records) = registered("again");
    let first = records.records()[0].1.clone();
    let old_salt = dump(&mut db)[0].1.clone();
    let keys = register(&mut db, &mut records, "again 2");
    assert_eq!(records.len(), 2);
    assert_eq!(
        records.record(keys.key_id()).unwrap().keyed_password(),
        first.keyed_password()
    );
    assert_eq!(
        tag_names(&mut db),
        ["salt", "key", "next_password_salt", "next_keyed_password"]
    );
    assert_eq!(dump(&mut db)[0].1, old_salt);
    drop(db);
    let mut db = client.open();
    let (a, b) = login(&mut db, &mut records, "after re-registration").unwrap();
    assert_eq!(a, b);
    assert_eq!(tag_names(&mut db), ["salt", "key"]);
}

// ------------------------------------------------------------ many rounds

#[test]
fn five_logins_with_memory_records() {
    let (client, mut db, mut records) = registered("memory five");
    let mut seen = Vec::new();
    for round in 0..5 {
        let (a, b) = login(&mut db, &mut records, &format!("round {round}")).unwrap();
        assert_eq!(a, b);
        assert_eq!(records.len(), 1);
        assert!(records.record(a.key_id()).is_some());
        assert!(!seen.contains(&a.key_id().to_owned()), "the key ratchets");
        seen.push(a.key_id().to_owned());
        assert_eq!(tag_names(&mut db), ["salt", "key"]);
    }
    drop(db);
    let mut db = client.open();
    login(&mut db, &mut records, "after reopening").unwrap();
}

#[test]
fn five_logins_with_a_json_file_reloaded_between_rounds() {
    let state = tempfile::tempdir().unwrap();
    let path = state.path().join("server.json");
    let client = Client::new("json five");
    let mut db = client.open();
    let keys = register(&mut db, &mut JsonFileRecords::open(&path).unwrap(), "json");
    let mut key_id = keys.key_id().to_owned();
    for round in 0..5 {
        let mut store = JsonFileRecords::open(&path).unwrap();
        assert_eq!(store.records().len(), 1);
        assert!(store.records().record(&key_id).is_some());
        let (a, b) = login(&mut db, &mut store, &format!("json round {round}")).unwrap();
        assert_eq!(a, b);
        key_id = a.key_id().to_owned();
        // The file's text is Python's json.dump of the records.
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, pyjson::dumps(&store.records().to_value()).unwrap());
        let value = pyjson::loads(&text).unwrap();
        let PyValue::Dict(pairs) = &value else {
            unreachable!()
        };
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].0, PyValue::from(key_id.as_str()));
        let PyValue::Dict(record) = &pairs[0].1 else {
            unreachable!()
        };
        assert_eq!(record[0].0, PyValue::from("key"));
        assert!(
            matches!(record[1], (PyValue::Str(ref k), PyValue::Int(_)) if k == "keyed_password")
        );
    }
    // A failed login leaves the file as it was.
    let before = std::fs::read(&path).unwrap();
    let mut store = JsonFileRecords::open(&path).unwrap();
    let (_, hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    let bad = altered_hello(&hello, bump_first_block);
    assert!(server_login(&bad, &mut store, 0, &mut OsEntropy).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_database_as_the_record_store() {
    let server_dir = tempfile::tempdir().unwrap();
    let server_key = Key::new("server database key");
    let mut server_db = Database::open(server_dir.path(), &server_key, 0).unwrap();
    let client = Client::new("database store");
    let mut db = client.open();
    let keys = register(&mut db, &mut server_db, "db store");
    server_db.save().unwrap();
    for round in 0..3 {
        drop(server_db);
        server_db = Database::open(server_dir.path(), &server_key, 0).unwrap();
        let (a, b) = login(&mut db, &mut server_db, &format!("db round {round}")).unwrap();
        assert_eq!(a, b);
        server_db.save().unwrap();
        assert_eq!(tag_names(&mut server_db), [a.key_id()]);
    }
    assert!(
        RecordStore::get(&mut server_db, keys.key_id())
            .unwrap()
            .is_none()
    );
    // A tag that does not hold a record.
    server_db.set("junk", &"text").unwrap();
    assert!(matches!(
        RecordStore::get(&mut server_db, "junk"),
        Err(RopakeError::StoreCorrupt { .. })
    ));
}

#[test]
fn os_entropy_round_trip() {
    let client = Client::new("os entropy");
    let mut db = client.open();
    let mut records = MemoryRecords::new();
    let (state, hello) = ClientRegistration::start(&mut db, &mut OsEntropy).unwrap();
    let (response, server_keys) =
        server_registration(&hello, &mut records, &mut OsEntropy).unwrap();
    assert_eq!(state.finish(&mut db, &response).unwrap(), server_keys);
    for _ in 0..2 {
        let (state, hello) = ClientLogin::start(&mut db, 60, &mut OsEntropy).unwrap();
        let (response, server_keys) =
            server_login(&hello, &mut records, 60, &mut OsEntropy).unwrap();
        let keys = state.finish(&mut db, &response, &mut OsEntropy).unwrap();
        assert_eq!(keys, server_keys);
        assert_eq!(keys.expose_key().len(), 128);
        assert!(!format!("{keys:?}").contains(keys.expose_key()));
    }
}
