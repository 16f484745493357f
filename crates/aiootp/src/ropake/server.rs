//! The server side: [`server_registration`] and [`server_login`] (spec
//! §5.2, §6.2), one call each, over a [`RecordStore`].

use super::derive::{
    client_message_key, finalize_login, finalize_registration, integrate, server_message_key,
    shared_secret, unmask,
};
use super::entropy::Entropy;
use super::keys::SessionKeys;
use super::messages::{
    HelloPlaintext, LoginHello, LoginResponse, RegistrationHello, RegistrationResponse,
    ResponsePlaintext, wipe,
};
use super::store::{Record, RecordStore};
use super::{Ephemeral, open_message, seal_message};
use crate::error::RopakeError;

/// Answers a registration hello: draws the server's salts and ephemeral
/// X25519 key, derives the client's first key and stores its record
/// (`key_id → {key, keyed_password}`).
///
/// Registration is unauthenticated (spec §16.2 R1): the server cannot tell
/// who registers, and an active attacker can register in the client's
/// place or sit in the middle. Nothing in the hello is checked beyond its
/// form, as in the reference.
///
/// # Errors
/// [`RopakeError::Random`]; [`RopakeError::Asymmetric`] for a low-order
/// public key; the store's errors. The store is changed only on success.
pub fn server_registration<E: Entropy + ?Sized>(
    hello: &RegistrationHello,
    store: &mut dyn RecordStore,
    entropy: &mut E,
) -> Result<(RegistrationResponse, SessionKeys), RopakeError> {
    let server_salt = entropy.salt()?;
    let server_session_salt = entropy.salt()?;
    let ephemeral = Ephemeral::generate(entropy)?;
    let public_key = ephemeral.public();
    let shared = ephemeral.exchange(hello.public_key())?;
    let (k1, s1) = finalize_registration(hello.salt(), &server_salt, &shared);
    let keys = integrate(&k1, &s1, hello.session_salt(), &server_session_salt);
    let record = Record::new(keys.expose_key().to_owned(), hello.keyed_password().clone());
    store.insert(keys.key_id(), record)?;
    let response = RegistrationResponse::new(
        public_key,
        server_salt.to_string(),
        server_session_salt.to_string(),
    );
    Ok((response, keys))
}

/// Answers a login hello: finds the record named by `key_id`, checks and
/// decrypts the hello (its age against `ttl` with `entropy.now()`; `0`: no
/// limit), derives the next key, replaces the client's record by the next
/// one and returns the encrypted response.
///
/// Checks in the reference's order: record lookup, fresh randomness,
/// authentication, age, X25519. The new record replaces the old one
/// before the client has seen the response (spec §16.2 R4: a lost
/// response locks the client out).
///
/// # Errors
/// [`RopakeError::UnknownKeyId`]; [`RopakeError::Authentication`] for an
/// altered hello or one made with another key; [`RopakeError::Expired`];
/// [`RopakeError::Malformed`]; [`RopakeError::Asymmetric`] for a
/// low-order public key; [`RopakeError::Random`]; the store's errors. The
/// store is changed only on success.
pub fn server_login<E: Entropy + ?Sized>(
    hello: &LoginHello,
    store: &mut dyn RecordStore,
    ttl: u64,
    entropy: &mut E,
) -> Result<(LoginResponse, SessionKeys), RopakeError> {
    let record = store
        .get(hello.key_id())?
        .ok_or_else(|| RopakeError::UnknownKeyId {
            key_id: hello.key_id().to_owned(),
        })?;
    let server_salt = entropy.salt()?;
    let server_session_salt = entropy.salt()?;
    let ephemeral = Ephemeral::generate(entropy)?;
    let public_key = ephemeral.public();
    let old_key = record.expose_key();
    let mut value = open_message(
        hello.ciphertext(),
        &client_message_key(old_key)?,
        ttl,
        entropy.now(),
        "login hello plaintext",
    )?;
    let plain = HelloPlaintext::from_value(&value);
    wipe(&mut value);
    let plain = plain?;
    let shared = ephemeral.exchange(&plain.public_key)?;
    let term = unmask(record.keyed_password(), &plain.password_salt)?;
    let secret = shared_secret(old_key, &shared, &plain.salt, &server_salt, &term);
    let (k1, s1) = finalize_login(old_key, &shared, &secret);
    let keys = integrate(&k1, &s1, &plain.session_salt, &server_session_salt);
    let response = ResponsePlaintext::to_value(&server_salt, &public_key, &server_session_salt);
    let sealed = seal_message(&response, &server_message_key(old_key)?, entropy)?;
    let next = Record::new(keys.expose_key().to_owned(), plain.next_keyed_password);
    store.replace(hello.key_id(), keys.key_id(), next)?;
    Ok((LoginResponse::new(sealed), keys))
}
