//! The four Ropake messages and their JSON (spec §10), and the two
//! encrypted plaintexts.
//!
//! | message | JSON |
//! | --- | --- |
//! | [`RegistrationHello`] | `{"pub": "<64 hex>", "salt": "<128 hex>", "session_salt": "<128 hex>", "keyed_password": <int>}` |
//! | [`RegistrationResponse`] | `{"pub": "<64 hex>", "salt": "<128 hex>", "session_salt": "<128 hex>"}` |
//! | [`LoginHello`] | `{"key_id": "<128 hex>", "ciphertext": [<int>, ...], "hmac": "<64 hex>", "salt": "<64 hex>"}` |
//! | [`LoginResponse`] | `{"ciphertext": [<int>, ...], "hmac": "<64 hex>", "salt": "<64 hex>"}` |
//!
//! `to_json` writes Python's `json.dumps` text (the reference's field
//! order, `", "` and `": "` separators); `from_json` reads Python's
//! `json.loads` rules with integers of any size. The `serde` impls go
//! through [`PyValue`]: exact with [`pyserde`](crate::compat::pyserde) and
//! [`pyjson`], and with `serde_json` only when its `arbitrary_precision`
//! feature keeps the 155-digit `keyed_password` and the ciphertext
//! integers exact.
//!
//! Parsing never panics: a missing field or one of the wrong type is
//! [`RopakeError::Malformed`]. Extra fields are ignored, as the reference
//! ignores them.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroize;

use super::keys::KeyedPassword;
use crate::compat::{Ciphertext, PyValue, pyjson};
use crate::error::RopakeError;
use crate::random::to_hex;

/// Field names (the reference's `Ropake` constants).
pub(crate) const PUB: &str = "pub";
pub(crate) const SALT: &str = "salt";
pub(crate) const SESSION_SALT: &str = "session_salt";
pub(crate) const KEYED_PASSWORD: &str = "keyed_password";
pub(crate) const PASSWORD_SALT: &str = "password_salt";
pub(crate) const KEY_ID: &str = "key_id";
pub(crate) const CIPHERTEXT: &str = "ciphertext";

fn malformed(what: &'static str, reason: impl Into<String>) -> RopakeError {
    RopakeError::Malformed {
        what,
        reason: reason.into(),
    }
}

/// A JSON object's fields (the last of duplicate keys wins, as in Python).
struct Fields<'a> {
    what: &'static str,
    pairs: &'a [(PyValue, PyValue)],
}

impl<'a> Fields<'a> {
    fn of(what: &'static str, value: &'a PyValue) -> Result<Self, RopakeError> {
        match value {
            PyValue::Dict(pairs) => Ok(Self { what, pairs }),
            _ => Err(malformed(what, "not a JSON object")),
        }
    }

    fn get(&self, name: &'static str) -> Result<&'a PyValue, RopakeError> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| matches!(k, PyValue::Str(s) if s == name))
            .map(|(_, v)| v)
            .ok_or_else(|| malformed(self.what, format!("missing field '{name}'")))
    }

    fn text(&self, name: &'static str) -> Result<&'a str, RopakeError> {
        match self.get(name)? {
            PyValue::Str(s) => Ok(s),
            _ => Err(malformed(self.what, format!("field '{name}' is not text"))),
        }
    }

    /// An X25519 public key: 64 hex characters (either case), or 32 raw
    /// bytes (the reference's registration response holds `bytes`).
    fn public_key(&self, name: &'static str) -> Result<[u8; 32], RopakeError> {
        let bad = || {
            malformed(
                self.what,
                format!("field '{name}' is not 64 hexadecimal digits"),
            )
        };
        match self.get(name)? {
            PyValue::Bytes(b) => <[u8; 32]>::try_from(b.as_slice()).map_err(|_| bad()),
            PyValue::Str(s) if s.len() == 64 => {
                let mut out = [0u8; 32];
                for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
                    let hi = char::from(pair[0]).to_digit(16).ok_or_else(bad)?;
                    let lo = char::from(pair[1]).to_digit(16).ok_or_else(bad)?;
                    *o = u8::try_from(hi * 16 + lo).map_err(|_| bad())?;
                }
                Ok(out)
            }
            _ => Err(bad()),
        }
    }

    fn keyed_password(&self, name: &'static str) -> Result<KeyedPassword, RopakeError> {
        match self.get(name)? {
            PyValue::Int(n) => KeyedPassword::from_pyint(n)
                .ok_or_else(|| malformed(self.what, format!("field '{name}' is not in 0..2^512"))),
            _ => Err(malformed(
                self.what,
                format!("field '{name}' is not an integer"),
            )),
        }
    }
}

fn text_value(s: &str) -> PyValue {
    PyValue::from(s)
}

fn pair(name: &str, value: PyValue) -> (PyValue, PyValue) {
    (PyValue::from(name), value)
}

/// Zeroizes every string of a value (decrypted plaintexts, which hold a
/// keyed password and a password salt hash).
pub(crate) fn wipe(value: &mut PyValue) {
    match value {
        PyValue::Str(s) => s.zeroize(),
        PyValue::Bytes(b) => b.zeroize(),
        PyValue::Int(n) => {
            let mut text = std::mem::take(n).into_string();
            text.zeroize();
        }
        PyValue::List(items) | PyValue::Tuple(items) => items.iter_mut().for_each(wipe),
        PyValue::Dict(pairs) => pairs.iter_mut().for_each(|(k, v)| {
            wipe(k);
            wipe(v);
        }),
        PyValue::None | PyValue::Bool(_) | PyValue::Float(_) => {}
    }
}

macro_rules! serde_via_value {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.to_value().serialize(s)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = PyValue::deserialize(d)?;
                Self::from_value(&value).map_err(serde::de::Error::custom)
            }
        }

        impl $t {
            /// Python's `json.dumps` text of the message.
            #[must_use]
            pub fn to_json(&self) -> String {
                // Text, integers, lists and dicts always have a JSON form.
                pyjson::dumps(&self.to_value()).unwrap_or_default()
            }

            /// Parses the message's JSON text.
            ///
            /// # Errors
            /// [`RopakeError::Malformed`] for text that is not JSON, a
            /// missing field or a field of the wrong type.
            pub fn from_json(text: &str) -> Result<Self, RopakeError> {
                let value =
                    pyjson::loads(text).map_err(|e| malformed(<$t>::WHAT, e.to_string()))?;
                Self::from_value(&value)
            }
        }
    };
}

// ------------------------------------------------------------ registration

/// The client's registration message (sent in clear):
/// `{pub, salt, session_salt, keyed_password}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationHello {
    public_key: [u8; 32],
    salt: String,
    session_salt: String,
    keyed_password: KeyedPassword,
}

impl RegistrationHello {
    const WHAT: &'static str = "registration hello";

    pub(crate) fn new(
        public_key: [u8; 32],
        salt: String,
        session_salt: String,
        keyed_password: KeyedPassword,
    ) -> Self {
        Self {
            public_key,
            salt,
            session_salt,
            keyed_password,
        }
    }

    /// The client's ephemeral X25519 public key (`pub`).
    #[must_use]
    pub fn public_key(&self) -> &[u8; 32] {
        &self.public_key
    }

    /// The client's protocol salt (`salt`).
    #[must_use]
    pub fn salt(&self) -> &str {
        &self.salt
    }

    /// The client's session salt (`session_salt`).
    #[must_use]
    pub fn session_salt(&self) -> &str {
        &self.session_salt
    }

    /// The keyed password the server will store (`keyed_password`).
    #[must_use]
    pub fn keyed_password(&self) -> &KeyedPassword {
        &self.keyed_password
    }

    /// The message as the reference's dict.
    #[must_use]
    pub fn to_value(&self) -> PyValue {
        PyValue::Dict(vec![
            pair(PUB, PyValue::from(to_hex(&self.public_key))),
            pair(SALT, text_value(&self.salt)),
            pair(SESSION_SALT, text_value(&self.session_salt)),
            pair(KEYED_PASSWORD, self.keyed_password.to_value()),
        ])
    }

    /// Reads the message from a value: `pub` 64 hex characters (or 32
    /// bytes), `salt` and `session_salt` text, `keyed_password` an integer
    /// in `0..2^512`.
    ///
    /// # Errors
    /// [`RopakeError::Malformed`].
    pub fn from_value(value: &PyValue) -> Result<Self, RopakeError> {
        let f = Fields::of(Self::WHAT, value)?;
        Ok(Self {
            public_key: f.public_key(PUB)?,
            salt: f.text(SALT)?.to_owned(),
            session_salt: f.text(SESSION_SALT)?.to_owned(),
            keyed_password: f.keyed_password(KEYED_PASSWORD)?,
        })
    }
}

serde_via_value!(RegistrationHello);

/// The server's registration message (sent in clear):
/// `{pub, salt, session_salt}`, `pub` as 64 hex characters (the reference
/// yields raw bytes, which JSON cannot carry; its client takes either).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationResponse {
    public_key: [u8; 32],
    salt: String,
    session_salt: String,
}

impl RegistrationResponse {
    const WHAT: &'static str = "registration response";

    pub(crate) fn new(public_key: [u8; 32], salt: String, session_salt: String) -> Self {
        Self {
            public_key,
            salt,
            session_salt,
        }
    }

    /// The server's ephemeral X25519 public key (`pub`).
    #[must_use]
    pub fn public_key(&self) -> &[u8; 32] {
        &self.public_key
    }

    /// The server's protocol salt (`salt`).
    #[must_use]
    pub fn salt(&self) -> &str {
        &self.salt
    }

    /// The server's session salt (`session_salt`).
    #[must_use]
    pub fn session_salt(&self) -> &str {
        &self.session_salt
    }

    /// The message as a dict, `pub` as hex.
    #[must_use]
    pub fn to_value(&self) -> PyValue {
        PyValue::Dict(vec![
            pair(PUB, PyValue::from(to_hex(&self.public_key))),
            pair(SALT, text_value(&self.salt)),
            pair(SESSION_SALT, text_value(&self.session_salt)),
        ])
    }

    /// Reads the message: `pub` 64 hex characters or 32 bytes, `salt` and
    /// `session_salt` text.
    ///
    /// # Errors
    /// [`RopakeError::Malformed`].
    pub fn from_value(value: &PyValue) -> Result<Self, RopakeError> {
        let f = Fields::of(Self::WHAT, value)?;
        Ok(Self {
            public_key: f.public_key(PUB)?,
            salt: f.text(SALT)?.to_owned(),
            session_salt: f.text(SESSION_SALT)?.to_owned(),
        })
    }
}

serde_via_value!(RegistrationResponse);

// ------------------------------------------------------------ login

/// The client's login message: the clear `key_id` (which names the
/// server's record) and the encrypted hello
/// (`{key_id, ciphertext, hmac, salt}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginHello {
    key_id: String,
    ciphertext: Ciphertext,
}

impl LoginHello {
    const WHAT: &'static str = "login hello";

    pub(crate) fn new(key_id: String, ciphertext: Ciphertext) -> Self {
        Self { key_id, ciphertext }
    }

    /// `key_id`: `id` of the client's current key.
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The encrypted hello.
    #[must_use]
    pub fn ciphertext(&self) -> &Ciphertext {
        &self.ciphertext
    }

    /// The message as the reference's dict: `key_id`, then the
    /// ciphertext's `ciphertext`, `hmac`, `salt`.
    #[must_use]
    pub fn to_value(&self) -> PyValue {
        let mut pairs = vec![pair(KEY_ID, text_value(&self.key_id))];
        if let PyValue::Dict(ct) = self.ciphertext.to_value() {
            pairs.extend(ct);
        }
        PyValue::Dict(pairs)
    }

    /// Reads the message: `key_id` text and a ciphertext dict.
    ///
    /// # Errors
    /// [`RopakeError::Malformed`] (a registration hello lacks `key_id`).
    pub fn from_value(value: &PyValue) -> Result<Self, RopakeError> {
        let f = Fields::of(Self::WHAT, value)?;
        let key_id = f.text(KEY_ID)?.to_owned();
        let ciphertext =
            Ciphertext::from_value(value).map_err(|e| malformed(Self::WHAT, e.to_string()))?;
        Ok(Self { key_id, ciphertext })
    }
}

serde_via_value!(LoginHello);

/// The server's login message: the encrypted response
/// (`{ciphertext, hmac, salt}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginResponse {
    ciphertext: Ciphertext,
}

impl LoginResponse {
    const WHAT: &'static str = "login response";

    pub(crate) fn new(ciphertext: Ciphertext) -> Self {
        Self { ciphertext }
    }

    /// The encrypted response.
    #[must_use]
    pub fn ciphertext(&self) -> &Ciphertext {
        &self.ciphertext
    }

    /// The ciphertext dict.
    #[must_use]
    pub fn to_value(&self) -> PyValue {
        self.ciphertext.to_value()
    }

    /// Reads the ciphertext dict.
    ///
    /// # Errors
    /// [`RopakeError::Malformed`].
    pub fn from_value(value: &PyValue) -> Result<Self, RopakeError> {
        Fields::of(Self::WHAT, value)?;
        let ciphertext =
            Ciphertext::from_value(value).map_err(|e| malformed(Self::WHAT, e.to_string()))?;
        Ok(Self { ciphertext })
    }
}

serde_via_value!(LoginResponse);

/// A client's first message of either protocol, told apart as the
/// reference's classifiers do (§12): a dict with both `key_id` and
/// `ciphertext` is a login, one with neither a registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientHello {
    /// A registration hello.
    Registration(RegistrationHello),
    /// A login hello.
    Login(LoginHello),
}

impl ClientHello {
    const WHAT: &'static str = "client hello";

    /// Classifies and parses a client's first message.
    ///
    /// # Errors
    /// [`RopakeError::Malformed`] when it is neither (or does not parse as
    /// the one it looks like).
    pub fn from_value(value: &PyValue) -> Result<Self, RopakeError> {
        if super::is_authenticating(value) {
            LoginHello::from_value(value).map(Self::Login)
        } else if super::is_registering(value) {
            RegistrationHello::from_value(value).map(Self::Registration)
        } else {
            Err(malformed(
                Self::WHAT,
                "neither a registration nor a login hello",
            ))
        }
    }

    /// The message as a dict.
    #[must_use]
    pub fn to_value(&self) -> PyValue {
        match self {
            Self::Registration(h) => h.to_value(),
            Self::Login(h) => h.to_value(),
        }
    }
}

serde_via_value!(ClientHello);

// ------------------------------------------------------------ plaintexts

/// The decrypted login hello: `{salt, pub, password_salt, session_salt,
/// keyed_password}`.
pub(crate) struct HelloPlaintext {
    pub(crate) salt: String,
    pub(crate) public_key: [u8; 32],
    pub(crate) password_salt: zeroize::Zeroizing<String>,
    pub(crate) session_salt: String,
    pub(crate) next_keyed_password: KeyedPassword,
}

impl HelloPlaintext {
    pub(crate) fn to_value(
        salt: &str,
        public_key: &[u8; 32],
        password_salt: &str,
        session_salt: &str,
        next_keyed_password: &KeyedPassword,
    ) -> PyValue {
        PyValue::Dict(vec![
            pair(SALT, text_value(salt)),
            pair(PUB, PyValue::from(to_hex(public_key))),
            pair(PASSWORD_SALT, text_value(password_salt)),
            pair(SESSION_SALT, text_value(session_salt)),
            pair(KEYED_PASSWORD, next_keyed_password.to_value()),
        ])
    }

    pub(crate) fn from_value(value: &PyValue) -> Result<Self, RopakeError> {
        let f = Fields::of("login hello plaintext", value)?;
        Ok(Self {
            salt: f.text(SALT)?.to_owned(),
            public_key: f.public_key(PUB)?,
            password_salt: zeroize::Zeroizing::new(f.text(PASSWORD_SALT)?.to_owned()),
            session_salt: f.text(SESSION_SALT)?.to_owned(),
            next_keyed_password: f.keyed_password(KEYED_PASSWORD)?,
        })
    }
}

/// The decrypted login response: `{salt, pub, session_salt}`.
pub(crate) struct ResponsePlaintext {
    pub(crate) salt: String,
    pub(crate) public_key: [u8; 32],
    pub(crate) session_salt: String,
}

impl ResponsePlaintext {
    pub(crate) fn to_value(salt: &str, public_key: &[u8; 32], session_salt: &str) -> PyValue {
        PyValue::Dict(vec![
            pair(SALT, text_value(salt)),
            pair(PUB, PyValue::from(to_hex(public_key))),
            pair(SESSION_SALT, text_value(session_salt)),
        ])
    }

    pub(crate) fn from_value(value: &PyValue) -> Result<Self, RopakeError> {
        let f = Fields::of("login response plaintext", value)?;
        Ok(Self {
            salt: f.text(SALT)?.to_owned(),
            public_key: f.public_key(PUB)?,
            session_salt: f.text(SESSION_SALT)?.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_hello_round_trip_and_errors() {
        let hello = RegistrationHello::new(
            [0xab; 32],
            "s".into(),
            "ss".into(),
            KeyedPassword::from_hex("ff").unwrap(),
        );
        let text = hello.to_json();
        assert_eq!(
            text,
            format!(
                r#"{{"pub": "{}", "salt": "s", "session_salt": "ss", "keyed_password": 255}}"#,
                "ab".repeat(32)
            )
        );
        assert_eq!(RegistrationHello::from_json(&text).unwrap(), hello);
        for bad in [
            "[]",
            "{",
            r#"{"salt": "s", "session_salt": "ss", "keyed_password": 1}"#,
            r#"{"pub": "zz", "salt": "s", "session_salt": "ss", "keyed_password": 1}"#,
            r#"{"pub": 5, "salt": "s", "session_salt": "ss", "keyed_password": 1}"#,
        ] {
            assert!(matches!(
                RegistrationHello::from_json(bad),
                Err(RopakeError::Malformed { .. })
            ));
        }
        let with = |kp: &str| {
            RegistrationHello::from_json(&format!(
                r#"{{"pub": "{}", "salt": "s", "session_salt": "ss", "keyed_password": {kp}}}"#,
                "AB".repeat(32)
            ))
        };
        assert!(with("1").is_ok());
        assert!(with("-1").is_err());
        assert!(with("\"1\"").is_err());
        assert!(with("1.0").is_err());
        assert!(with(&"9".repeat(160)).is_err());
    }

    #[test]
    fn serde_through_pyserde_is_exact() {
        let big = KeyedPassword::from_hex(&"f".repeat(128)).unwrap();
        let hello = RegistrationHello::new([1; 32], "a".into(), "b".into(), big);
        let v = crate::compat::pyserde::to_value(&hello).unwrap();
        assert_eq!(v, hello.to_value());
        let back: RegistrationHello = crate::compat::pyserde::from_value(v).unwrap();
        assert_eq!(back, hello);
        let any: ClientHello = crate::compat::pyserde::from_value(hello.to_value()).unwrap();
        assert_eq!(any, ClientHello::Registration(hello));
        let err = crate::compat::pyserde::from_value::<LoginHello>(PyValue::from(1)).unwrap_err();
        assert!(err.to_string().contains("login hello"), "{err}");
    }

    fn field_value() -> impl proptest::strategy::Strategy<Value = PyValue> {
        use proptest::prelude::*;
        prop_oneof![
            any::<String>().prop_map(PyValue::from),
            "[0-9a-fA-F]{0,130}".prop_map(PyValue::from),
            "-?[0-9]{1,170}".prop_map(|d| PyValue::Int(crate::compat::PyInt::parse(&d).unwrap())),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(PyValue::bytes),
            proptest::collection::vec("[0-9]{1,30}", 0..3).prop_map(|v| PyValue::List(
                v.iter()
                    .map(|d| PyValue::Int(crate::compat::PyInt::parse(d).unwrap()))
                    .collect()
            )),
            Just(PyValue::None),
        ]
    }

    proptest::proptest! {
        /// Parsing never panics, whatever the fields hold.
        #[test]
        fn parsing_never_panics(
            text in proptest::prelude::any::<String>(),
            fields in proptest::collection::vec(
                (proptest::sample::select(vec![
                    PUB, SALT, SESSION_SALT, KEYED_PASSWORD, KEY_ID, CIPHERTEXT, "hmac",
                    PASSWORD_SALT,
                ]), field_value()),
                0..8,
            ),
        ) {
            let _ = RegistrationHello::from_json(&text);
            let _ = LoginHello::from_json(&text);
            let _ = ClientHello::from_json(&text);
            let v = PyValue::Dict(fields.into_iter().map(|(k, v)| (PyValue::from(k), v)).collect());
            let _ = RegistrationHello::from_value(&v);
            let _ = RegistrationResponse::from_value(&v);
            let _ = LoginHello::from_value(&v);
            let _ = LoginResponse::from_value(&v);
            let _ = ClientHello::from_value(&v);
            let _ = HelloPlaintext::from_value(&v);
            let _ = ResponsePlaintext::from_value(&v);
            let _ = super::super::store::Record::from_value(&v);
            let _ = super::super::store::MemoryRecords::from_value(&PyValue::Dict(vec![(PyValue::from("x"), v)]));
        }
    }

    #[test]
    fn wipe_clears_text() {
        let mut v = PyValue::Dict(vec![
            pair("a", PyValue::from("secret")),
            pair("n", PyValue::from(12)),
        ]);
        wipe(&mut v);
        assert!(!v.repr().contains("secret"));
    }
}
