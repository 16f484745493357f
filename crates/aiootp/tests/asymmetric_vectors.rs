#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Replays every section of `tests/data/asymmetric.json` (known answers
//! made by Python aiootp 0.17.0, spec `asymmetric.md` §13) byte for byte
//! through the public API: key import and export, exchanges, signatures,
//! verification results, error types and texts, cross-curve imports, and
//! the 2DH / 3DH exchanges with the vectors' ephemeral keys injected.
//!
//! Error cases the Rust types make unrepresentable (an empty key object,
//! a second import into one object, a `str` message) are listed by name:
//! a case this file does not know fails the test.

use aiootp::asymmetric::{
    Dh2Client, Dh2Hello, Dh2Server, Dh3Client, Dh3Hello, Dh3Server, DhResponse, Ed25519,
    Ed25519PublicKey, X25519, X25519PublicKey,
};
use aiootp::error::AsymmetricError;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/asymmetric.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string {key} in {v}"))
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap()
}

fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2));
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex with upper case and whitespace between byte pairs: what Python's
/// `bytes.fromhex` also accepts.
fn loose(text: &str) -> String {
    let mut out = String::from(" \t");
    for (i, pair) in text.as_bytes().chunks(2).enumerate() {
        out.push_str(&String::from_utf8(pair.to_vec()).unwrap().to_uppercase());
        out.push(if i % 3 == 0 { ' ' } else { '\n' });
    }
    out
}

fn assert_error(err: &AsymmetricError, case: &Value) {
    assert_eq!(
        err.reference_exception(),
        Some(s(case, "error_type")),
        "{case}"
    );
    assert_eq!(err.reference_message(), s(case, "error_message"), "{case}");
}

#[test]
fn x25519_keys() {
    let v = vectors();
    let keys = arr(&v["x25519_keys"]);
    assert_eq!(keys.len(), 5);
    for k in keys {
        let secret = s(k, "secret_key");
        for key in [
            X25519::from_secret_hex(secret).unwrap(),
            X25519::from_secret_hex(&loose(secret)).unwrap(),
            X25519::from_secret_bytes(&unhex(secret)).unwrap(),
        ] {
            assert_eq!(hex(key.expose_secret()), s(k, "secret_bytes_export"));
            assert_eq!(
                key.secret_hex().expose_secret(),
                s(k, "secret_bytes_export")
            );
            assert_eq!(key.public_key().to_hex(), s(k, "public_key"));
            assert_eq!(
                key.public_key().to_hex(),
                s(k, "public_hex_via_Asymmetric25519")
            );
        }
    }
}

#[test]
fn x25519_exchange() {
    let v = vectors();
    let cases = arr(&v["x25519_exchange"]);
    assert_eq!(cases.len(), 5);
    for c in cases {
        let key = X25519::from_secret_hex(s(c, "secret_key")).unwrap();
        for peer in [
            X25519PublicKey::from_hex(s(c, "peer_public_key")).unwrap(),
            X25519PublicKey::from_bytes(&unhex(s(c, "peer_public_key"))).unwrap(),
            s(c, "peer_public_key").to_uppercase().parse().unwrap(),
        ] {
            // The peer key is kept as given (bit 255 included).
            assert_eq!(peer.to_hex(), s(c, "peer_public_key"));
            let shared = key.exchange(&peer).unwrap();
            assert_eq!(hex(shared.expose_secret()), s(c, "shared_key"), "{c}");
        }
    }
}

#[test]
fn x25519_errors() {
    let v = vectors();
    let cases = arr(&v["x25519_errors"]);
    let key = X25519::from_secret_array([7; 32]);
    let mut replayed = 0;
    for c in cases {
        let err = match s(c, "case") {
            "exchange with all-zero public key" => {
                key.exchange(&X25519PublicKey::from([0; 32])).unwrap_err()
            }
            "exchange with u = 1 (low order)" => {
                let mut u = [0; 32];
                u[0] = 1;
                key.exchange(&X25519PublicKey::from(u)).unwrap_err()
            }
            // Python's None: the Rust API has no "no key"; empty bytes is
            // the closest falsy input and gives the same error.
            "import_secret_key(None)" => X25519::from_secret_bytes(&[]).unwrap_err(),
            "import_secret_key('')" => X25519::from_secret_hex("").unwrap_err(),
            "import_public_key(31 bytes)" => X25519PublicKey::from_bytes(&[1; 31]).unwrap_err(),
            "import_secret_key('zz'*32)" => X25519::from_secret_hex(&"zz".repeat(32)).unwrap_err(),
            // An `X25519` always holds exactly one secret key and a public
            // key; these states do not exist.
            "import_secret_key twice"
            | "secret_bytes of a public-only instance"
            | "public_bytes of an empty instance" => continue,
            other => panic!("unknown x25519_errors case {other:?}"),
        };
        assert_error(&err, c);
        replayed += 1;
    }
    assert_eq!(replayed, 6);
    assert_eq!(
        X25519PublicKey::from_bytes(&[1; 31]).unwrap_err(),
        AsymmetricError::KeyLength {
            what: "An X25519 public key",
            len: 31
        }
    );
}

#[test]
fn ed25519_keys_and_signatures() {
    let v = vectors();
    let keys = arr(&v["ed25519"]);
    assert_eq!(keys.len(), 3);
    let mut signatures = 0;
    for k in keys {
        let secret = s(k, "secret_key");
        let key = Ed25519::from_secret_hex(secret).unwrap();
        assert_eq!(key, Ed25519::from_secret_hex(&loose(secret)).unwrap());
        assert_eq!(key, Ed25519::from_secret_bytes(&unhex(secret)).unwrap());
        assert_eq!(hex(key.expose_secret()), s(k, "secret_bytes_export"));
        assert_eq!(key.public_key().to_hex(), s(k, "public_key"));
        let public = Ed25519PublicKey::from_hex(s(k, "public_key")).unwrap();
        for sig in arr(&k["signatures"]) {
            let msg = unhex(s(sig, "message"));
            let made = key.sign(&msg);
            assert_eq!(
                made.to_hex(),
                s(sig, "signature"),
                "{}",
                s(sig, "message_name")
            );
            public.verify(&unhex(s(sig, "signature")), &msg).unwrap();
            key.verify(made.as_bytes(), &msg).unwrap();
            signatures += 1;
        }
    }
    assert_eq!(signatures, 9);
}

#[test]
fn ed25519_verify() {
    let v = vectors();
    let cases = arr(&v["ed25519_verify"]);
    assert_eq!(cases.len(), 6);
    for c in cases {
        let public = Ed25519PublicKey::from_hex(s(c, "public_key")).unwrap();
        let result = public.verify(&unhex(s(c, "signature")), &unhex(s(c, "message")));
        if c["valid"].as_bool().unwrap() {
            assert_eq!(result, Ok(()), "{c}");
        } else {
            let err = result.unwrap_err();
            assert_eq!(err, AsymmetricError::InvalidSignature, "{c}");
            assert_error(&err, c);
        }
    }
}

#[test]
fn ed25519_errors() {
    let v = vectors();
    let mut replayed = 0;
    for c in arr(&v["ed25519_errors"]) {
        let err = match s(c, "case") {
            "import_public_key(b'')" => Ed25519PublicKey::from_bytes(b"").unwrap_err(),
            "import_secret_key(31 bytes)" => Ed25519::from_secret_bytes(&[1; 31]).unwrap_err(),
            // Messages and signatures are `&[u8]`: a `str` does not compile.
            "sign(str)" | "verify(hex str signature)" => continue,
            other => panic!("unknown ed25519_errors case {other:?}"),
        };
        assert_error(&err, c);
        replayed += 1;
    }
    assert_eq!(replayed, 2);
}

#[test]
fn cross_type_imports() {
    let v = vectors();
    let cases = arr(&v["cross_type_imports"]);
    assert_eq!(cases.len(), 3);
    for c in cases {
        match s(c, "case") {
            "X25519().import_secret_key(Ed25519PrivateKey object)" => {
                let ed = Ed25519::from_secret_hex(s(c, "input_secret")).unwrap();
                let x = X25519::from_secret_bytes(ed.expose_secret()).unwrap();
                assert_eq!(x.public_key().to_hex(), s(c, "x25519_public_key"));
            }
            "X25519().import_public_key(Ed25519PublicKey object)" => {
                let ed = Ed25519PublicKey::from_hex(s(c, "input_public")).unwrap();
                let x = X25519PublicKey::from(ed.to_bytes());
                assert_eq!(x.to_hex(), s(c, "x25519_public_key"));
            }
            "Ed25519().import_secret_key(X25519PrivateKey object)" => {
                let x = X25519::from_secret_hex(s(c, "input_secret")).unwrap();
                let ed = Ed25519::from_secret_bytes(x.expose_secret()).unwrap();
                assert_eq!(ed.public_key().to_hex(), s(c, "ed25519_public_key"));
            }
            other => panic!("unknown cross_type_imports case {other:?}"),
        }
    }
}

struct DhKeys {
    a: X25519,
    b: X25519,
    c: X25519,
    d: X25519,
}

fn dh_keys(v: &Value) -> DhKeys {
    let sk = &v["dh_exchanges"]["secret_keys"];
    let pk = &v["dh_exchanges"]["public_keys"];
    let load = |name: &str| {
        let key = X25519::from_secret_hex(s(sk, name)).unwrap();
        assert_eq!(key.public_key().to_hex(), s(pk, name));
        key
    };
    DhKeys {
        a: load("a_server_identity"),
        b: load("b_client_identity"),
        c: load("c_server_ephemeral"),
        d: load("d_client_ephemeral"),
    }
}

fn check_shared(keys: &DhKeys, case: &Value) {
    let ad = keys.a.exchange(keys.d.public_key()).unwrap();
    assert_eq!(ad, keys.d.exchange(keys.a.public_key()).unwrap());
    assert_eq!(hex(ad.expose_secret()), s(case, "shared_key_ad"));
    let cd = keys.c.exchange(keys.d.public_key()).unwrap();
    assert_eq!(hex(cd.expose_secret()), s(case, "shared_key_cd"));
    let mut input = ad.expose_secret().to_vec();
    if case.get("shared_key_bc").is_some() {
        let bc = keys.b.exchange(keys.c.public_key()).unwrap();
        assert_eq!(hex(bc.expose_secret()), s(case, "shared_key_bc"));
        input.extend_from_slice(bc.expose_secret());
    }
    input.extend_from_slice(cd.expose_secret());
    assert_eq!(hex(&input), s(case, "kdf_input"));
}

fn check_kdf(kdf: &aiootp::asymmetric::Kdf, case: &Value) {
    assert_eq!(hex(&kdf.digest()), s(case, "kdf_digest"));
    assert_eq!(kdf.hexdigest(), s(case, "kdf_hexdigest"));
    assert_eq!(kdf.name(), s(case, "kdf_name"));
}

#[test]
fn dh2_exchange() {
    let v = vectors();
    let case = &v["dh_exchanges"]["dh2"];
    let keys = dh_keys(&v);
    check_shared(&keys, case);

    let client = Dh2Client::with_ephemeral(keys.d.clone());
    let hello = client.hello();
    assert_eq!(serde_json::to_value(hello).unwrap(), case["client_hello"]);
    // The server works from the hello as it arrives on the wire.
    let wire: Dh2Hello = serde_json::from_value(case["client_hello"].clone()).unwrap();
    assert_eq!(wire, hello);
    let server = Dh2Server::new(keys.a.clone());
    let (response, pending) = server.respond_with_ephemeral(&wire, keys.c.clone());
    assert_eq!(
        serde_json::to_value(response).unwrap(),
        case["server_response"]
    );
    let wire: DhResponse = serde_json::from_value(case["server_response"].clone()).unwrap();
    let client_kdf = client.finish(&wire).unwrap();
    let server_kdf = pending.finish().unwrap();
    check_kdf(&client_kdf, case);
    check_kdf(&server_kdf, case);
}

#[test]
fn dh3_exchange() {
    let v = vectors();
    let case = &v["dh_exchanges"]["dh3"];
    let keys = dh_keys(&v);
    check_shared(&keys, case);

    let client = Dh3Client::with_ephemeral(keys.b.clone(), keys.d.clone());
    let hello = client.hello();
    assert_eq!(serde_json::to_value(hello).unwrap(), case["client_hello"]);
    let wire: Dh3Hello = serde_json::from_value(case["client_hello"].clone()).unwrap();
    assert_eq!(wire, hello);
    let server = Dh3Server::new(keys.a.clone()).expect_client_identity(*keys.b.public_key());
    let (response, pending) = server
        .respond_with_ephemeral(&wire, keys.c.clone())
        .unwrap();
    assert_eq!(
        serde_json::to_value(response).unwrap(),
        case["server_response"]
    );
    let wire: DhResponse = serde_json::from_value(case["server_response"].clone()).unwrap();
    let client = client.expect_server_identity(*keys.a.public_key());
    let client_kdf = client.finish(&wire).unwrap();
    let server_kdf = pending.finish().unwrap();
    check_kdf(&client_kdf, case);
    check_kdf(&server_kdf, case);

    // `update` then `digest` on both sides stays equal (spec §10).
    let (mut c2, mut s2) = (client_kdf.clone(), server_kdf.clone());
    c2.update(b"more");
    s2.update(b"more");
    assert_eq!(c2.digest(), s2.digest());
    assert_ne!(c2.digest(), client_kdf.digest());
}

#[test]
fn dh_invalid_client_key_is_reported_after_the_response() {
    let v = vectors();
    let keys = dh_keys(&v);
    let zero = X25519PublicKey::from([0; 32]);
    let server = Dh2Server::new(keys.a.clone());
    let (response, pending) =
        server.respond_with_ephemeral(&Dh2Hello { public_key_d: zero }, keys.c.clone());
    // The response exists (the reference yields it) ...
    assert_eq!(response.public_key_a, *keys.a.public_key());
    // ... and the error comes on the second step, with the reference's text.
    let err = pending.finish().unwrap_err();
    assert_eq!(err, AsymmetricError::LowOrderPoint);
    assert_eq!(err.to_string(), "Error computing shared key.");

    let server = Dh3Server::new(keys.a.clone());
    let hello = Dh3Hello {
        public_key_b: zero,
        public_key_d: *keys.d.public_key(),
    };
    let (_, pending) = server
        .respond_with_ephemeral(&hello, keys.c.clone())
        .unwrap();
    assert_eq!(
        pending.finish().unwrap_err(),
        AsymmetricError::LowOrderPoint
    );

    // A client refuses a low-order server key.
    let client = Dh2Client::with_ephemeral(keys.d.clone());
    let bad = DhResponse {
        public_key_a: *keys.a.public_key(),
        public_key_c: zero,
    };
    assert_eq!(
        client.finish(&bad).unwrap_err(),
        AsymmetricError::LowOrderPoint
    );
}

#[test]
fn dh_hardened_identity_checks() {
    let v = vectors();
    let keys = dh_keys(&v);
    let mallory = X25519::from_secret_array([9; 32]);
    // The client expects A but Mallory answers.
    let client = Dh3Client::with_ephemeral(keys.b.clone(), keys.d.clone())
        .expect_server_identity(*keys.a.public_key());
    let (response, _) = Dh3Server::new(mallory.clone())
        .respond_with_ephemeral(&client.hello(), keys.c.clone())
        .unwrap();
    assert_eq!(
        client.finish(&response).unwrap_err(),
        AsymmetricError::UnexpectedPeerIdentity
    );
    // The server expects B but Mallory says hello.
    let server = Dh3Server::new(keys.a.clone()).expect_client_identity(*keys.b.public_key());
    let hello = Dh3Client::with_ephemeral(mallory, keys.d.clone()).hello();
    assert_eq!(
        server
            .respond_with_ephemeral(&hello, keys.c.clone())
            .unwrap_err(),
        AsymmetricError::UnexpectedPeerIdentity
    );
}

#[test]
fn message_json_rejects_bad_keys() {
    for body in [
        r#"{"public_key_d": "00"}"#,
        r#"{"public_key_d": "zz"}"#,
        r#"{"public_key_d": ""}"#,
        r#"{"public_key_d": 5}"#,
        r#"{}"#,
    ] {
        assert!(serde_json::from_str::<Dh2Hello>(body).is_err(), "{body}");
    }
    let err = serde_json::from_str::<Dh2Hello>(r#"{"public_key_d": "zz"}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("non-hexadecimal number found in fromhex() arg at position 0"),
        "{err}"
    );
}
