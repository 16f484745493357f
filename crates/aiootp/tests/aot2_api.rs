//! The AOT2 API around the format: keys (length, hex key files,
//! redaction), passwords, JSON values, URL-safe tokens with a ttl, the
//! umbrella error, and message lengths.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aiootp::aot2::{self, Aot2Key, Aot2Password, Options, hazmat};
use aiootp::compat::passcrypt::Passcrypt;
use aiootp::error::Aot2Error;
use serde::{Deserialize, Serialize};

fn key() -> Aot2Key {
    Aot2Key::generate().unwrap()
}

#[test]
fn keys_need_32_bytes() {
    for len in [0usize, 1, 16, 31] {
        assert_eq!(
            Aot2Key::from_slice(&vec![1; len]),
            Err(Aot2Error::KeyTooShort { len })
        );
    }
    assert!(Aot2Key::from_slice(&[1; 32]).is_ok());
    // A key file: 128 hex characters and a newline (what keygen writes).
    let text = format!("{}\n", key().to_hex().as_str());
    assert_eq!(text.len(), 129);
    let k = Aot2Key::from_hex(&text).unwrap();
    assert_eq!(k.expose_secret().len(), 64);
    assert_eq!(Aot2Key::from_hex(&text.to_uppercase()).unwrap(), k);
    assert_eq!(
        Aot2Key::from_hex("zz"),
        Err(Aot2Error::KeyNotHex { position: 0 })
    );
    assert_eq!(format!("{k:?}"), "Aot2Key(***)");
    let e = Aot2Error::KeyTooShort { len: 3 };
    assert_eq!(e.to_string(), "aot2: a key needs at least 32 bytes, got 3");
}

#[test]
fn keys_are_separated() {
    // Two keys where one is the other's prefix, and every ctx, give
    // unrelated messages.
    let k64 = Aot2Key::from_slice(&[5; 64]).unwrap();
    let k32 = Aot2Key::from_slice(&[5; 32]).unwrap();
    let salt = [1; 32];
    let o = Options::new().now(1);
    let a = hazmat::seal_with_salt(&k64, &salt, b"x", &o).unwrap();
    let b = hazmat::seal_with_salt(&k32, &salt, b"x", &o).unwrap();
    assert_eq!(a[..32], b[..32]);
    assert_ne!(a[32..64], b[32..64]);
    assert_eq!(aot2::open(&k32, &a, &o), Err(Aot2Error::Authentication));
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Invoice {
    account: u64,
    items: Vec<String>,
    paid: Option<bool>,
}

#[test]
fn json_values_round_trip() {
    let k = key();
    let o = Options::new().ctx(b"json".to_vec());
    let inv = Invoice {
        account: 3_311_149,
        items: vec!["é".into(), "\u{1F680}".into()],
        paid: None,
    };
    let m = aot2::seal_json(&k, &inv, &o).unwrap();
    let back: Invoice = aot2::open_json(&k, &m, &o).unwrap();
    assert_eq!(back, inv);
    let value: serde_json::Value = aot2::open_json(&k, &m, &o).unwrap();
    assert_eq!(value["account"], 3_311_149);
    // Wrong type: a JSON error, after authentication.
    let err = aot2::open_json::<_, Vec<u8>>(&k, &m, &o).unwrap_err();
    assert!(matches!(err, Aot2Error::Json(_)), "{err:?}");
    // Not JSON at all.
    let m = aot2::seal(&k, b"\xff not json", &o).unwrap();
    assert!(matches!(
        aot2::open_json::<_, serde_json::Value>(&k, &m, &o),
        Err(Aot2Error::Json(_))
    ));
    // A tampered JSON message is an authentication failure, not a JSON one.
    let mut m = aot2::seal_json(&k, &inv, &o).unwrap();
    m[100] ^= 1;
    assert_eq!(
        aot2::open_json::<_, Invoice>(&k, &m, &o),
        Err(Aot2Error::Authentication)
    );
}

#[test]
fn tokens_with_ttl() {
    let k = key();
    let o = Options::new().ctx("token").now(1000);
    let t = aot2::seal_token(&k, b"session", &o).unwrap();
    // 256 bytes: 342 characters of base64url, no padding.
    assert_eq!(t.len(), 342);
    assert!(
        t.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    );
    assert_eq!(
        aot2::open_token(&k, &t, &o.clone().ttl(10).now(1010)).unwrap(),
        b"session"
    );
    assert_eq!(
        aot2::open_token(&k, &format!(" {t}\n"), &o).unwrap(),
        b"session"
    );
    assert_eq!(
        aot2::open_token(&k, &t, &o.clone().ttl(10).now(1011)),
        Err(Aot2Error::Expired { seconds: 1 })
    );
    assert_eq!(
        aot2::open_token(&k, &t, &o.clone().ttl(10).now(939)),
        Err(Aot2Error::FromTheFuture { seconds: 61 })
    );
    assert_eq!(
        aot2::open_token(&k, &t[..t.len() - 1], &o),
        Err(Aot2Error::InvalidToken)
    );
    assert_eq!(
        aot2::open_token(&k, &format!("{t}="), &o),
        Err(Aot2Error::InvalidToken)
    );
    // A changed character that stays base64url: authentication.
    let mut bad = t.clone().into_bytes();
    bad[100] = if bad[100] == b'A' { b'B' } else { b'A' };
    let bad = String::from_utf8(bad).unwrap();
    assert_eq!(
        aot2::open_token(&k, &bad, &o),
        Err(Aot2Error::Authentication)
    );
}

#[test]
fn passwords_seal_and_open() {
    let cheap = Passcrypt::new(256, 2, 256).unwrap();
    let pw = Aot2Password::new(b"hunter2".to_vec())
        .unwrap()
        .with_settings(cheap);
    let o = Options::new().ctx("pw");
    let m = aot2::seal(&pw, b"data", &o).unwrap();
    assert_eq!(aot2::open(&pw, &m, &o).unwrap(), b"data");
    // Each message has its own key (the salt is the passcrypt salt).
    let salt: [u8; 32] = m[..32].try_into().unwrap();
    let k = pw.derive_key(&salt).unwrap();
    assert_eq!(aot2::open(&k, &m, &o).unwrap(), b"data");
    let m2 = aot2::seal(&pw, b"data", &o).unwrap();
    let salt2: [u8; 32] = m2[..32].try_into().unwrap();
    assert_ne!(pw.derive_key(&salt2).unwrap(), k);
    assert_eq!(
        Aot2Password::new(Vec::new()).unwrap_err(),
        Aot2Error::EmptyPassword
    );
    assert!(!format!("{pw:?}").contains("hunter2"));
    assert_eq!(
        Aot2Password::DEFAULT_SETTINGS,
        (65536, 3, 1024),
        "the documented default"
    );
}

#[test]
fn errors_convert_to_the_umbrella_error() {
    let e: aiootp::Error = Aot2Error::Authentication.into();
    assert_eq!(e.to_string(), "aot2: authentication failed");
    assert!(matches!(e, aiootp::Error::Aot2(Aot2Error::Authentication)));
}

#[test]
fn message_lengths() {
    for n in 0..3000u64 {
        let len = aot2::message_len(n).unwrap();
        assert_eq!(len % 256, 0);
        assert!(len >= n + 80 && len < n + 80 + 256 + 256, "{n}: {len}");
    }
    let k = key();
    for n in [0usize, 176, 177, 65_528, 200_000] {
        let m = aot2::seal(&k, &vec![0; n], &Options::new()).unwrap();
        assert_eq!(m.len() as u64, aot2::message_len(n as u64).unwrap());
    }
    assert_eq!(aot2::message_len(u64::MAX), None);
}

#[test]
fn timestamps() {
    let k = key();
    let m = aot2::seal(&k, b"t", &Options::new().now(12_345)).unwrap();
    assert_eq!(
        aot2::open_with_timestamp(&k, &m, &Options::new()).unwrap(),
        (b"t".to_vec(), 12_345)
    );
    // The system clock by default: a fresh message is within a minute.
    let m = aot2::seal(&k, b"t", &Options::new()).unwrap();
    let (_, ts) = aot2::open_with_timestamp(&k, &m, &Options::new().ttl(60)).unwrap();
    assert!(ts > 1_700_000_000);
}
