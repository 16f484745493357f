//! Ropake, the password-authenticated key exchange of aiootp 0.17.0
//! ("Ratcheting Opaque Password Authenticated Key Exchange", spec
//! `ropake.md`), byte for byte: a Rust client or server runs against the
//! Python reference.
//!
//! Two one-round-trip protocols. **Registration** is an unauthenticated
//! X25519 exchange that gives both sides a 512-bit `key`; the server keeps
//! it with the client's "keyed password" in a [`Record`] named `key_id =
//! id(key)`, the client keeps it with a secret password salt in its
//! encrypted [`Database`](crate::db::Database). Each **login** encrypts
//! both messages under keys derived from the last `key`, mixes a fresh
//! X25519 exchange and a password-derived secret into the next `key`, and
//! both sides replace their stored state: it ratchets. The password is
//! the client database's key; only its database root key is used, and it
//! never leaves the client.
//!
//! The functions here do no I/O besides the client database and the
//! record store; the transport is the caller's (a message's `to_json` /
//! `from_json` give the reference's JSON). Randomness and the clock come
//! from an [`Entropy`]: [`OsEntropy`], or [`FixedEntropy`] to replay
//! vectors.
//!
//! | side | registration | login |
//! | --- | --- | --- |
//! | client | [`ClientRegistration::start`] → [`RegistrationHello`]; [`ClientRegistration::finish`] | [`ClientLogin::start`] → [`LoginHello`]; [`ClientLogin::finish`] |
//! | server | [`server_registration`] → [`RegistrationResponse`] | [`server_login`] → [`LoginResponse`] |
//!
//! All four give [`SessionKeys`] (`key`, `key_id`, `session_key`), equal
//! on both sides of an honest run.
//!
//! ```
//! use aiootp::compat::Key;
//! use aiootp::db::Database;
//! use aiootp::ropake::{
//!     ClientLogin, ClientRegistration, LoginHello, LoginResponse, MemoryRecords, OsEntropy,
//!     RegistrationHello, RegistrationResponse, server_login, server_registration,
//! };
//!
//! let dir = tempfile::tempdir()?;
//! let mut db = Database::open(dir.path(), &Key::new("the user's password"), 0)?;
//! let mut records = MemoryRecords::new(); // the server's
//! let mut rng = OsEntropy;
//!
//! // Registration (over a channel that authenticates the server: see below).
//! let (client, hello) = ClientRegistration::start(&mut db, &mut rng)?;
//! let wire = hello.to_json(); // client -> server
//! let hello = RegistrationHello::from_json(&wire)?;
//! let (response, server_keys) = server_registration(&hello, &mut records, &mut rng)?;
//! let wire = response.to_json(); // server -> client
//! let client_keys = client.finish(&mut db, &RegistrationResponse::from_json(&wire)?)?;
//! assert_eq!(client_keys, server_keys);
//!
//! // A login (the database was saved by `finish`; the ttl 0 means no age limit).
//! let (client, hello) = ClientLogin::start(&mut db, 0, &mut rng)?;
//! let hello = LoginHello::from_json(&hello.to_json())?;
//! let (response, server_keys) = server_login(&hello, &mut records, 0, &mut rng)?;
//! let response = LoginResponse::from_json(&response.to_json())?;
//! let client_keys = client.finish(&mut db, &response, &mut rng)?;
//! assert_eq!(client_keys.expose_session_key(), server_keys.expose_session_key());
//! assert_eq!(records.len(), 1); // the record ratcheted to the new key_id
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Errors
//! [`RopakeError`]: `NotRegistered` (client database without a key: never
//! registered, or another password), `UnknownKeyId` (server), the single
//! `Authentication` for any altered or wrongly keyed login message,
//! `Expired` (older than the `ttl`), `Malformed`, `Asymmetric` (a
//! low-order public key), the database's and the store's errors. The client saves its database only at the very end
//! of a successful `finish`, the server changes its store only at the end
//! of a successful call; before that, an error changes nothing.
//!
//! # Security
//! This is the reference's protocol, unaudited, with the reference's
//! weaknesses (spec §16.2); it is **not** OPAQUE (RFC 9807). Use it to
//! interoperate with Python aiootp, not as a general-purpose PAKE.
//!
//! * **R1, trust on first use.** Registration is unauthenticated: an
//!   active attacker during registration learns `key` and the keyed
//!   password and can stay in the middle of every later login. Register
//!   only over a channel that authenticates the server.
//! * **R2, a stolen server record impersonates the client** (and the
//!   server): the server accepts any `password_salt`, so `{key,
//!   keyed_password}` alone suffices to log in. No offline dictionary
//!   attack stands in the way, unlike OPAQUE. Protect the records as
//!   secrets.
//! * **R3, no key confirmation.** Neither side proves it derived the new
//!   key; a wrong password term or an altered registration shows only at
//!   the next login.
//! * **R4, lock-out on desynchronisation.** The server replaces its record
//!   before the client has the response: a lost, delayed (client `ttl`),
//!   altered or pre-empted response leaves the client with a key the
//!   server no longer knows, for good. Plan an out-of-band re-registration.
//! * **R5, responses are not bound to the hello**: a response made for
//!   another hello from the same stored key (a retry) is accepted and
//!   derives keys the server never had.
//! * **R6, no freshness by default**: `ttl` 0 means no age limit,
//!   registration has no timestamp, the age is checked after the MAC;
//!   an unanswered hello can be replayed later. Pass a `ttl` (and mind
//!   clock skew).
//! * **R7, state lives on the client**: losing the client database loses
//!   the account; a stolen client database can be attacked offline by
//!   guessing its password (the database key derivation is the only
//!   hardening).
//! * **R8, ad-hoc key derivation**: SHA3-512 over Python `repr` texts with
//!   argument order as the only domain separation, messages protected by
//!   the compat stream cipher and its text-based MAC.
//! * **R9, metadata**: `key_id` travels in clear (each session's is new,
//!   but the server links consecutive sessions); the registration
//!   messages are in clear.
//!
//! Secrets (keys, salts, keyed passwords, ephemeral X25519 secrets) are
//! zeroized when dropped; an ephemeral secret is consumed by the one
//! exchange it is made for.
//!
//! # Differences from the reference
//! * Errors are typed; the texts of the reference's errors are kept where
//!   it has one (e.g. `HMAC of ``data`` isn't valid.`).
//! * Parsing is stricter: `keyed_password` must be an integer in
//!   `0..2^512`, public keys 64 hex characters (or 32 bytes),
//!   `password_salt` 1 to 128 hex digits (the reference accepts any value
//!   its arithmetic accepts, and fails later or never).
//! * The client changes its database only in `finish`, all at once
//!   (the reference sets and pops its transient tags during the run, in
//!   memory); the saved result is the reference's. A client database
//!   with a `key` but no `salt` is refused
//!   ([`ClientState`](RopakeError::ClientState)).
//! * An unregistered client fails before drawing any randomness (the
//!   reference draws salts first); the server encrypts its response before
//!   changing the store (the reference changes it first). Neither changes
//!   a message or a key.
//! * There are no async twins: in async code, run a client step or a
//!   server call in `tokio::task::spawn_blocking` (a client's `finish`
//!   saves its database, [`JsonFileRecords`] writes a file; the
//!   cryptography takes under a millisecond).

mod client;
pub mod derive;
mod entropy;
mod keys;
mod messages;
mod server;
mod store;

use zeroize::Zeroizing;

pub use client::{ClientLogin, ClientRegistration};
pub use entropy::{Entropy, FixedEntropy, FixedUsed, OsEntropy};
pub use keys::{KeyedPassword, SessionKeys};
pub use messages::{
    ClientHello, LoginHello, LoginResponse, RegistrationHello, RegistrationResponse,
};
pub use server::{server_login, server_registration};
pub use store::{JsonFileRecords, MemoryRecords, Record, RecordStore};

use crate::asymmetric::{raw_exchange, raw_public};
use crate::compat::cipher::{json_decrypt_value, json_encrypt_value};
use crate::compat::{Ciphertext, DecryptOptions, EncryptOptions, Key, PyValue, Salt};
use crate::error::{CipherError, RopakeError};

/// The reference's classifier `is_registering`: `true` (the reference's
/// `"Maybe"`) for a non-empty dict with neither `key_id` nor
/// `ciphertext`.
#[must_use]
pub fn is_registering(hello: &PyValue) -> bool {
    match hello {
        PyValue::Dict(pairs) => {
            !pairs.is_empty() && !has(pairs, messages::KEY_ID) && !has(pairs, messages::CIPHERTEXT)
        }
        _ => false,
    }
}

/// The reference's classifier `is_authenticating`: `true` (the
/// reference's `"Maybe"`) for a dict with both `key_id` and `ciphertext`.
#[must_use]
pub fn is_authenticating(hello: &PyValue) -> bool {
    match hello {
        PyValue::Dict(pairs) => has(pairs, messages::KEY_ID) && has(pairs, messages::CIPHERTEXT),
        _ => false,
    }
}

fn has(pairs: &[(PyValue, PyValue)], name: &str) -> bool {
    pairs
        .iter()
        .any(|(k, _)| matches!(k, PyValue::Str(s) if s == name))
}

/// An ephemeral X25519 secret, consumed by its one exchange.
pub(crate) struct Ephemeral(Zeroizing<[u8; 32]>);

impl Ephemeral {
    pub(crate) fn generate<E: Entropy + ?Sized>(entropy: &mut E) -> Result<Self, RopakeError> {
        Ok(Self(entropy.x25519_secret()?))
    }

    pub(crate) fn public(&self) -> [u8; 32] {
        raw_public(&self.0)
    }

    pub(crate) fn exchange(self, peer: &[u8; 32]) -> Result<Zeroizing<[u8; 32]>, RopakeError> {
        Ok(Zeroizing::new(raw_exchange(&self.0, peer)?))
    }
}

/// Checks and decrypts a login message. Every failure of authentication
/// is [`RopakeError::Authentication`]; age is checked after it.
pub(crate) fn open_message(
    ciphertext: &Ciphertext,
    key: &Key,
    ttl: u64,
    now: u64,
    what: &'static str,
) -> Result<PyValue, RopakeError> {
    let options = DecryptOptions::new()
        .ttl(i64::try_from(ttl).unwrap_or(i64::MAX))
        .now(now);
    json_decrypt_value(ciphertext, key, &options).map_err(|e| match e {
        CipherError::Expired { seconds } => RopakeError::Expired { seconds },
        // Both come from authentic data: a peer holding the key wrote it.
        CipherError::Json(_) | CipherError::InvalidTimestamp => RopakeError::Malformed {
            what,
            reason: e.to_string(),
        },
        _ => RopakeError::Authentication,
    })
}

/// Encrypts a login message with a fresh message salt, timestamped now.
pub(crate) fn seal_message<E: Entropy + ?Sized>(
    plaintext: &PyValue,
    key: &Key,
    entropy: &mut E,
) -> Result<Ciphertext, RopakeError> {
    let salt = entropy.message_salt()?;
    let salt = Salt::parse(&salt).map_err(|e| {
        RopakeError::Random(format!(
            "the entropy source gave an invalid message salt: {e}"
        ))
    })?;
    let options = EncryptOptions::new().salt(salt).time(entropy.now());
    json_encrypt_value(plaintext, key, &options).map_err(|e| RopakeError::Malformed {
        what: "outgoing message",
        reason: e.to_string(),
    })
}
