//! Replays `tests/data/ropake.json` (one registration and two logins made
//! by Python aiootp 0.17.0 with fixed randomness and clock, spec
//! `ropake.md` §15) byte for byte: every message's JSON text, both
//! plaintexts, every derivation step with the exact text hashed, the
//! results, the client database and the server records after each run.
//!
//! The client database's own file-encryption salts are random (also in the
//! reference), so the database is compared by tags and values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aiootp::compat::cipher::json_decrypt_value;
use aiootp::compat::hash::sha3_512_hex;
use aiootp::compat::{DecryptOptions, Key, PyValue, pyjson};
use aiootp::db::Database;
use aiootp::ropake::derive::{
    client_message_key, commit, finalize_login, finalize_registration, id, integrate,
    password_term, server_message_key, shared_secret, unmask,
};
use aiootp::ropake::{
    ClientLogin, ClientRegistration, FixedEntropy, KeyedPassword, LoginHello, LoginResponse,
    MemoryRecords, RegistrationHello, RegistrationResponse, SessionKeys, is_authenticating,
    is_registering, server_login, server_registration,
};
use common::typed::{field, from_hex, items, load_data, text, to_hex};

fn int(v: &PyValue) -> u64 {
    match v {
        PyValue::Int(n) => n.to_u64().expect("u64"),
        other => panic!("expected an integer, got {other:?}"),
    }
}

fn secret(v: &PyValue) -> [u8; 32] {
    from_hex(text(v)).try_into().expect("32 bytes")
}

fn s(v: &str) -> PyValue {
    PyValue::from(v)
}

fn kp_value(k: &KeyedPassword) -> PyValue {
    k.to_value()
}

/// `sha_512_hmac(data, key=key)` trace: both preimage texts and digests,
/// and our function's result.
fn check_hmac(trace: &PyValue, data: PyValue, key: PyValue, ours: &str) {
    let inner_pre = PyValue::tuple([data, key.clone()]).repr();
    assert_eq!(inner_pre, text(field(trace, "inner_preimage")));
    let inner = sha3_512_hex(inner_pre.as_bytes());
    assert_eq!(inner, text(field(trace, "inner")));
    let outer_pre = PyValue::tuple([PyValue::from(inner), key]).repr();
    assert_eq!(outer_pre, text(field(trace, "outer_preimage")));
    let hex = text(field(trace, "hex"));
    assert_eq!(sha3_512_hex(outer_pre.as_bytes()), hex);
    assert_eq!(ours, hex);
}

/// `sha_512(*args)` trace.
fn check_hash(trace: &PyValue, args: Vec<PyValue>, ours: &str) {
    let pre = PyValue::tuple(args).repr();
    assert_eq!(pre, text(field(trace, "preimage")));
    let hex = text(field(trace, "hex"));
    assert_eq!(sha3_512_hex(pre.as_bytes()), hex);
    assert_eq!(ours, hex);
}

fn check_results(results: &PyValue, keys: &SessionKeys) {
    assert_eq!(keys.expose_key(), text(field(results, "key")));
    assert_eq!(keys.key_id(), text(field(results, "key_id")));
    assert_eq!(
        keys.expose_session_key(),
        text(field(results, "session_key"))
    );
}

/// The database's tags and values, in order, as a dict.
fn db_dump(db: &mut Database) -> PyValue {
    PyValue::Dict(
        db.iter()
            .unwrap()
            .map(|(t, v)| (t.clone(), v.cloned().unwrap_or(PyValue::None)))
            .collect(),
    )
}

/// The shared steps of `integrate`, checked against a `derivation` object
/// with its `k1`, `s1`.
fn check_integrate(d: &PyValue, k1: &str, s1: &str, css: &str, sss: &str, keys: &SessionKeys) {
    let session_salt = field(
        d,
        "session_salt (sha_512(session_key1, client_session_salt, server_session_salt))",
    );
    let big_s = text(field(session_salt, "hex")).to_owned();
    check_hash(session_salt, vec![s(s1), s(css), s(sss)], &big_s);
    check_hash(
        field(d, "key (sha_512(session_salt, key1))"),
        vec![s(&big_s), s(k1)],
        keys.expose_key(),
    );
    check_hash(
        field(d, "session_key (sha_512(session_salt, session_key1))"),
        vec![s(&big_s), s(s1)],
        keys.expose_session_key(),
    );
    let key = keys.expose_key();
    check_hmac(
        field(d, "key_id (sha_512_hmac(key, key=key))"),
        s(key),
        s(key),
        keys.key_id(),
    );
    let again = integrate(k1, s1, css, sss);
    assert_eq!(&again, keys);
}

#[test]
fn helpers() {
    let v = load_data("ropake.json");
    let h = field(&v, "helpers");
    check_hmac(field(h, "id('abc')"), s("abc"), s("abc"), &id("abc"));
    let commit_value = field(field(h, "make_commit('password hash', 'salt')"), "value");
    assert_eq!(kp_value(&commit("password hash", "salt")), *commit_value);
    let triple = |role: &str| PyValue::tuple([s(role), s(&format!("{role}_hello")), s("k")]);
    check_hmac(
        field(h, "client_message_key('k')"),
        triple("client"),
        triple("client"),
        client_message_key("k").unwrap().expose_secret(),
    );
    check_hmac(
        field(h, "server_message_key('k')"),
        triple("server"),
        triple("server"),
        server_message_key("k").unwrap().expose_secret(),
    );
}

#[test]
fn classifiers() {
    let v = load_data("ropake.json");
    let cases = items(field(&v, "classifiers"));
    assert_eq!(cases.len(), 5);
    for case in cases {
        let input = field(case, "input");
        let maybe = |f: &str| matches!(field(case, f), PyValue::Str(m) if m == "Maybe");
        assert_eq!(is_registering(input), maybe("is_registering"), "{input:?}");
        assert_eq!(
            is_authenticating(input),
            maybe("is_authenticating"),
            "{input:?}"
        );
    }
}

#[test]
fn registration_and_two_logins() {
    let v = load_data("ropake.json");
    let inputs = field(&v, "inputs");
    let root_key = text(field(inputs, "client_database_root_key"));
    let dir = tempfile::tempdir().unwrap();
    let db_key = Key::new(text(field(inputs, "client_database_key")));
    assert_eq!(int(field(inputs, "client_database_password_depth")), 0);
    let mut db = Database::open(dir.path(), &db_key, 0).unwrap();
    assert_eq!(db.derived_keys().root().expose_root_key(), root_key);

    // ---------------------------------------------------- registration
    let reg = field(&v, "registration");
    let time = int(field(reg, "time"));
    let cr = field(reg, "client_random");
    let password_salt = text(field(cr, "password_salt"));
    let client_salt = text(field(cr, "salt"));
    let client_session_salt = text(field(cr, "session_salt"));
    let mut client_entropy = FixedEntropy::new()
        .salts([password_salt, client_salt, client_session_salt])
        .x25519([secret(field(cr, "x25519_secret"))])
        .time(time);
    let (client, hello) = ClientRegistration::start(&mut db, &mut client_entropy).unwrap();
    assert_eq!(
        db_dump(&mut db),
        PyValue::Dict(vec![]),
        "start changes nothing"
    );
    let hello_json = text(field(reg, "client_hello_json"));
    assert_eq!(hello.to_json(), hello_json);
    assert_eq!(hello.to_value(), *field(reg, "client_hello"));
    assert_eq!(to_hex(hello.public_key()), text(field(cr, "x25519_public")));
    let used = client_entropy.fixed_used();
    assert_eq!(used.salt, [password_salt, client_salt, client_session_salt]);
    assert_eq!(used.x25519, [text(field(cr, "x25519_secret"))]);
    assert!(used.message_salt.is_empty());

    let kd = field(reg, "keyed_password_derivation");
    let pair = PyValue::tuple([s(root_key), s(password_salt)]);
    let term = password_term(root_key, password_salt);
    let term_hex = text(field(field(kd, "id_of_password_hash_and_salt"), "hex"));
    assert_eq!(term, KeyedPassword::from_hex(term_hex).unwrap());
    check_hmac(
        field(kd, "id_of_password_hash_and_salt"),
        pair.clone(),
        pair,
        term_hex,
    );
    check_hmac(
        field(kd, "id_of_salt"),
        s(password_salt),
        s(password_salt),
        &id(password_salt),
    );
    let keyed_password = field(kd, "keyed_password");
    assert_eq!(kp_value(&commit(root_key, password_salt)), *keyed_password);
    assert_eq!(kp_value(hello.keyed_password()), *keyed_password);

    let sr = field(reg, "server_random");
    let server_salt = text(field(sr, "salt"));
    let server_session_salt = text(field(sr, "session_salt"));
    let mut server_entropy = FixedEntropy::new()
        .salts([server_salt, server_session_salt])
        .x25519([secret(field(sr, "x25519_secret"))])
        .time(time);
    let mut records = MemoryRecords::new();
    let received = RegistrationHello::from_json(hello_json).unwrap();
    assert_eq!(received, hello);
    let (response, server_keys) =
        server_registration(&received, &mut records, &mut server_entropy).unwrap();
    assert_eq!(response.to_value(), *field(reg, "server_response"));
    assert_eq!(
        to_hex(response.public_key()),
        text(field(sr, "x25519_public"))
    );
    assert_eq!(
        server_entropy.fixed_used().salt,
        [server_salt, server_session_salt]
    );
    check_results(field(reg, "results"), &server_keys);
    assert_eq!(records.to_value(), *field(reg, "server_store_after"));

    // The reference's response holds `pub` as bytes; both forms parse alike.
    let types = field(reg, "server_response_python_types");
    assert_eq!(text(field(types, "pub")), "bytes");
    let with_bytes = PyValue::Dict(vec![
        (s("pub"), PyValue::bytes(response.public_key().to_vec())),
        (s("salt"), s(server_salt)),
        (s("session_salt"), s(server_session_salt)),
    ]);
    assert_eq!(
        RegistrationResponse::from_value(&with_bytes).unwrap(),
        response
    );
    let wire =
        RegistrationResponse::from_json(&pyjson::dumps(field(reg, "server_response")).unwrap())
            .unwrap();
    let client_keys = client.finish(&mut db, &wire).unwrap();
    check_results(field(reg, "results"), &client_keys);
    assert_eq!(client_keys, server_keys);
    assert_eq!(db_dump(&mut db), *field(reg, "client_database_after"));

    let d = field(reg, "derivation");
    let shared = secret(field(d, "shared_key_x25519"));
    let (k1, s1) = finalize_registration(client_salt, server_salt, &shared);
    check_hmac(
        field(
            d,
            "finalize_key (sha_512_hmac((client_salt, server_salt), key=shared_key))",
        ),
        PyValue::tuple([s(client_salt), s(server_salt)]),
        PyValue::bytes(shared.to_vec()),
        &k1,
    );
    check_hash(
        field(
            d,
            "finalize_session_key (sha_512(key1, server_salt, shared_key))",
        ),
        vec![s(&k1), s(server_salt), PyValue::bytes(shared.to_vec())],
        &s1,
    );
    check_integrate(
        d,
        &k1,
        &s1,
        client_session_salt,
        server_session_salt,
        &client_keys,
    );

    // What was saved: reopen.
    drop(db);
    let mut db = Database::open(dir.path(), &db_key, 0).unwrap();
    assert_eq!(db_dump(&mut db), *field(reg, "client_database_after"));

    // ---------------------------------------------------- two logins
    let logins = items(field(&v, "authentications"));
    assert_eq!(logins.len(), 2);
    for (round, a) in logins.iter().enumerate() {
        assert_eq!(int(field(a, "round")), round as u64 + 1);
        let time = int(field(a, "time"));
        assert_eq!(db_dump(&mut db), *field(a, "client_database_before"));
        assert_eq!(records.to_value(), *field(a, "server_store_before"));
        let before = field(a, "client_database_before");
        let old_key = text(field(before, "key")).to_owned();
        let old_salt = text(field(before, "salt")).to_owned();

        let cr = field(a, "client_random");
        let next_salt = text(field(cr, "next_password_salt"));
        let client_salt = text(field(cr, "salt"));
        let client_session_salt = text(field(cr, "session_salt"));
        let mut client_entropy = FixedEntropy::new()
            .salts([next_salt, client_salt, client_session_salt])
            .x25519([secret(field(cr, "x25519_secret"))])
            .message_salts([text(field(cr, "message_salt"))])
            .time(time);
        let (client, hello) = ClientLogin::start(&mut db, 0, &mut client_entropy).unwrap();
        assert_eq!(db_dump(&mut db), *before, "start changes nothing");
        let hello_json = text(field(a, "client_hello_json"));
        assert_eq!(hello.to_json(), hello_json, "round {round}");
        assert_eq!(hello.to_value(), *field(a, "client_hello"));
        let used = client_entropy.fixed_used();
        assert_eq!(used.salt, [next_salt, client_salt, client_session_salt]);
        assert_eq!(used.message_salt, [text(field(cr, "message_salt"))]);

        // Message keys, password salt, keyed passwords.
        let mk = field(a, "message_keys");
        check_hmac(
            field(mk, "key_id_of_old_key (sha_512_hmac(key, key=key))"),
            s(&old_key),
            s(&old_key),
            &id(&old_key),
        );
        assert_eq!(hello.key_id(), id(&old_key).as_str());
        let triple =
            |role: &str| PyValue::tuple([s(role), s(&format!("{role}_hello")), s(&old_key)]);
        let client_key = client_message_key(&old_key).unwrap();
        let server_key = server_message_key(&old_key).unwrap();
        check_hmac(
            field(mk, "client_message_key"),
            triple("client"),
            triple("client"),
            client_key.expose_secret(),
        );
        check_hmac(
            field(mk, "server_message_key"),
            triple("server"),
            triple("server"),
            server_key.expose_secret(),
        );
        let password_salt = id(&old_salt);
        check_hmac(
            field(a, "password_salt (sha_512_hmac(salt, key=salt))"),
            s(&old_salt),
            s(&old_salt),
            &password_salt,
        );
        let current = commit(root_key, &old_salt);
        assert_eq!(
            kp_value(&current),
            *field(a, "current_keyed_password (recomputed by the client)")
        );
        assert_eq!(
            kp_value(&commit(root_key, next_salt)),
            *field(a, "next_keyed_password (sent to the server)")
        );

        // The hello's plaintext, byte for byte.
        let open = |ct: &aiootp::Ciphertext, key: &Key| {
            json_decrypt_value(ct, key, &DecryptOptions::new().now(time)).unwrap()
        };
        let plain = open(hello.ciphertext(), &client_key);
        assert_eq!(
            pyjson::dumps(&plain).unwrap(),
            text(field(a, "client_hello_plaintext_json"))
        );
        assert_eq!(plain, *field(a, "client_hello_plaintext"));

        // The server.
        let sr = field(a, "server_random");
        let server_salt = text(field(sr, "salt"));
        let server_session_salt = text(field(sr, "session_salt"));
        let mut server_entropy = FixedEntropy::new()
            .salts([server_salt, server_session_salt])
            .x25519([secret(field(sr, "x25519_secret"))])
            .message_salts([text(field(sr, "message_salt"))])
            .time(time);
        let received = LoginHello::from_json(hello_json).unwrap();
        assert_eq!(received, hello);
        let (response, server_keys) =
            server_login(&received, &mut records, 0, &mut server_entropy).unwrap();
        let response_json = text(field(a, "server_response_json"));
        assert_eq!(response.to_json(), response_json, "round {round}");
        assert_eq!(response.to_value(), *field(a, "server_response"));
        let plain = open(response.ciphertext(), &server_key);
        assert_eq!(
            pyjson::dumps(&plain).unwrap(),
            text(field(a, "server_response_plaintext_json"))
        );
        assert_eq!(plain, *field(a, "server_response_plaintext"));
        check_results(field(a, "results"), &server_keys);
        assert_eq!(records.to_value(), *field(a, "server_store_after"));

        // The client.
        let wire = LoginResponse::from_json(response_json).unwrap();
        let client_keys = client.finish(&mut db, &wire, &mut client_entropy).unwrap();
        check_results(field(a, "results"), &client_keys);
        assert_eq!(client_keys, server_keys);
        assert_eq!(db_dump(&mut db), *field(a, "client_database_after"));

        // Every derivation step.
        let d = field(a, "derivation");
        let shared = secret(field(d, "shared_key_x25519"));
        let term = unmask(&current, &password_salt).unwrap();
        assert_eq!(
            kp_value(&term),
            *field(
                d,
                "password_term (keyed_password XOR int(password_salt, 16))"
            )
        );
        assert_eq!(term, password_term(root_key, &old_salt));
        assert_eq!(
            *field(
                d,
                "password_term equals int(sha_512_hmac((root_key, salt), key=(root_key, salt)), 16)"
            ),
            PyValue::Bool(true)
        );
        let secret_trace = field(
            d,
            "shared_secret (sha_512(old_key, shared_key, client_salt, server_salt, password_term))",
        );
        let shared_secret = shared_secret(&old_key, &shared, client_salt, server_salt, &term);
        check_hash(
            secret_trace,
            vec![
                s(&old_key),
                PyValue::bytes(shared.to_vec()),
                s(client_salt),
                s(server_salt),
                kp_value(&term),
            ],
            &shared_secret,
        );
        let (k1, s1) = finalize_login(&old_key, &shared, &shared_secret);
        check_hmac(
            field(
                d,
                "finalize_key (sha_512_hmac((old_key, shared_key), key=shared_secret))",
            ),
            PyValue::tuple([s(&old_key), PyValue::bytes(shared.to_vec())]),
            s(&shared_secret),
            &k1,
        );
        check_hash(
            field(
                d,
                "finalize_session_key (sha_512(key1, shared_key, shared_secret))",
            ),
            vec![s(&k1), PyValue::bytes(shared.to_vec()), s(&shared_secret)],
            &s1,
        );
        check_integrate(
            d,
            &k1,
            &s1,
            client_session_salt,
            server_session_salt,
            &client_keys,
        );

        drop(db);
        db = Database::open(dir.path(), &db_key, 0).unwrap();
        assert_eq!(db_dump(&mut db), *field(a, "client_database_after"));
    }

    // The shared keys that exercise Python's bytes quoting: a `'` (double
    // quotes), then `'`, `"` and `\` together.
    let reg_shared = from_hex(text(field(field(reg, "derivation"), "shared_key_x25519")));
    assert!(reg_shared.contains(&b'\'') && !reg_shared.contains(&b'"'));
    let a0 = from_hex(text(field(
        field(&logins[0], "derivation"),
        "shared_key_x25519",
    )));
    assert!(a0.contains(&b'\'') && a0.contains(&b'"') && a0.contains(&b'\\'));
}
