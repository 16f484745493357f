//! The client side: [`ClientRegistration`] and [`ClientLogin`], state
//! machines over the client's compat [`Database`] (spec §3, §5.1, §5.3,
//! §6.1, §6.3).
//!
//! `start` reads the database and draws the run's randomness but changes
//! nothing; `finish` consumes the state (and with it the ephemeral X25519
//! secret), applies the run's net change to the database's tags and saves
//! it. On any error before the save nothing is changed, in memory or on
//! disk.

use zeroize::Zeroizing;

use super::derive::{
    client_message_key, commit, finalize_login, finalize_registration, id, integrate,
    password_term, server_message_key, shared_secret,
};
use super::entropy::Entropy;
use super::keys::{KeyedPassword, SessionKeys};
use super::messages::{
    HelloPlaintext, LoginHello, LoginResponse, RegistrationHello, RegistrationResponse,
    ResponsePlaintext, wipe,
};
use super::{Ephemeral, open_message, seal_message};
use crate::compat::PyValue;
use crate::db::Database;
use crate::error::{DbError, RopakeError};

/// Client database tags (spec §3).
pub(crate) const TAG_SALT: &str = "salt";
pub(crate) const TAG_KEY: &str = "key";
pub(crate) const TAG_KEYED_PASSWORD: &str = "keyed_password";
pub(crate) const TAG_NEXT_PASSWORD_SALT: &str = "next_password_salt";
pub(crate) const TAG_NEXT_KEYED_PASSWORD: &str = "next_keyed_password";

/// The registered state of a client database: its `key` and password
/// `salt`.
struct Stored {
    key: Zeroizing<String>,
    salt: Zeroizing<String>,
}

fn text_tag(value: &PyValue) -> Option<Zeroizing<String>> {
    match value {
        PyValue::Str(s) => Some(Zeroizing::new(s.clone())),
        _ => None,
    }
}

/// Reads `key` and `salt`; `None` when `key` is missing or falsy (never
/// registered, or another password opened another database).
fn read_state(db: &mut Database) -> Result<Option<Stored>, RopakeError> {
    let key = match db.get_value(TAG_KEY)? {
        None => return Ok(None),
        Some(v) if !v.is_truthy() => return Ok(None),
        Some(v) => text_tag(v).ok_or(RopakeError::ClientState {
            reason: "the tag 'key' does not hold text",
        })?,
    };
    let salt = match db.get_value(TAG_SALT)? {
        Some(v) if v.is_truthy() => text_tag(v),
        _ => None,
    }
    .ok_or(RopakeError::ClientState {
        reason: "the tag 'salt' is missing or does not hold text",
    })?;
    Ok(Some(Stored { key, salt }))
}

fn writable(db: &Database) -> Result<(), RopakeError> {
    if db.is_read_only() {
        return Err(RopakeError::Db(DbError::ReadOnly));
    }
    Ok(())
}

/// Refuses a `finish` on another database than its `start`'s.
fn same_database(db: &Database, started_on: &str) -> Result<(), RopakeError> {
    if db.root_filename() != started_on {
        return Err(RopakeError::ClientState {
            reason: "finish was given another database than start",
        });
    }
    writable(db)
}

fn root_key(db: &Database) -> Zeroizing<String> {
    Zeroizing::new(db.derived_keys().root().expose_root_key().to_owned())
}

fn drop_tag(db: &mut Database, tag: &str) -> Result<(), RopakeError> {
    if db.contains(tag) {
        db.delete(tag)?;
    }
    Ok(())
}

fn set_text(db: &mut Database, tag: &str, text: &str) -> Result<(), RopakeError> {
    Ok(db.set_value(tag, PyValue::from(text))?)
}

// ------------------------------------------------------------ registration

/// What a registration leaves in the database besides `key`.
enum RegistrationTags {
    /// A new database: the fresh password salt.
    New { password_salt: Zeroizing<String> },
    /// A database that already has a key (spec §16.1 item 9): the
    /// reference keeps the password salt and leaves `next_password_salt`
    /// and `next_keyed_password` saved.
    Again {
        next_password_salt: Zeroizing<String>,
        next_keyed_password: KeyedPassword,
    },
}

/// A client registration in progress (spec §5): made by
/// [`ClientRegistration::start`], consumed by
/// [`ClientRegistration::finish`].
///
/// Registration is unauthenticated (trust on first use, spec §16.2 R1):
/// run it over a channel that authenticates the server.
#[must_use = "a registration must be finished with the server's response"]
pub struct ClientRegistration {
    database: String,
    tags: RegistrationTags,
    client_salt: Zeroizing<String>,
    client_session_salt: Zeroizing<String>,
    ephemeral: Ephemeral,
}

impl std::fmt::Debug for ClientRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientRegistration").finish_non_exhaustive()
    }
}

impl ClientRegistration {
    /// Step 1: draws the password salt (for a new database), the protocol
    /// and session salts and an ephemeral X25519 key, and returns the
    /// hello to send. The database is read (its root key, `key`, `salt`)
    /// but not changed.
    ///
    /// A database that already holds a key re-registers as the reference
    /// does (spec §16.1 item 9): it sends the keyed password of its
    /// current password salt again.
    ///
    /// # Errors
    /// [`RopakeError::Db`] (read-only or unreadable database),
    /// [`RopakeError::ClientState`], [`RopakeError::Random`].
    pub fn start<E: Entropy + ?Sized>(
        db: &mut Database,
        entropy: &mut E,
    ) -> Result<(Self, RegistrationHello), RopakeError> {
        writable(db)?;
        let root = root_key(db);
        let (tags, keyed_password) = match read_state(db)? {
            None => {
                let password_salt = entropy.salt()?;
                let keyed_password = commit(&root, &password_salt);
                (RegistrationTags::New { password_salt }, keyed_password)
            }
            Some(stored) => {
                let keyed_password = commit(&root, &stored.salt);
                let next_password_salt = entropy.salt()?;
                let next_keyed_password = commit(&root, &next_password_salt);
                let tags = RegistrationTags::Again {
                    next_password_salt,
                    next_keyed_password,
                };
                (tags, keyed_password)
            }
        };
        let client_salt = entropy.salt()?;
        let client_session_salt = entropy.salt()?;
        let ephemeral = Ephemeral::generate(entropy)?;
        let hello = RegistrationHello::new(
            ephemeral.public(),
            client_salt.to_string(),
            client_session_salt.to_string(),
            keyed_password,
        );
        let state = Self {
            database: db.root_filename().to_owned(),
            tags,
            client_salt,
            client_session_salt,
            ephemeral,
        };
        Ok((state, hello))
    }

    /// Step 2: completes the exchange with the server's response, stores
    /// the password salt and the new `key` in the database and saves it.
    ///
    /// Nothing verifies that the server derived the same keys (spec §16.2
    /// R3): an altered registration shows only at the first login.
    ///
    /// # Errors
    /// [`RopakeError::Asymmetric`] for a low-order public key,
    /// [`RopakeError::ClientState`] for another database than `start`'s
    /// (nothing is changed); [`RopakeError::Db`] when the save fails (the
    /// new tags are then in memory, unsaved).
    pub fn finish(
        self,
        db: &mut Database,
        response: &RegistrationResponse,
    ) -> Result<SessionKeys, RopakeError> {
        same_database(db, &self.database)?;
        let shared = self.ephemeral.exchange(response.public_key())?;
        let (k1, s1) = finalize_registration(&self.client_salt, response.salt(), &shared);
        let keys = integrate(&k1, &s1, &self.client_session_salt, response.session_salt());
        match &self.tags {
            RegistrationTags::New { password_salt } => set_text(db, TAG_SALT, password_salt)?,
            RegistrationTags::Again {
                next_password_salt,
                next_keyed_password,
            } => {
                set_text(db, TAG_NEXT_PASSWORD_SALT, next_password_salt)?;
                db.set_value(TAG_NEXT_KEYED_PASSWORD, next_keyed_password.to_value())?;
            }
        }
        drop_tag(db, TAG_KEYED_PASSWORD)?;
        set_text(db, TAG_KEY, keys.expose_key())?;
        db.save()?;
        Ok(keys)
    }
}

// ------------------------------------------------------------ login

/// A client login in progress (spec §6): made by [`ClientLogin::start`],
/// consumed by [`ClientLogin::finish`].
#[must_use = "a login must be finished with the server's response"]
pub struct ClientLogin {
    database: String,
    old_key: Zeroizing<String>,
    term: KeyedPassword,
    next_password_salt: Zeroizing<String>,
    client_salt: Zeroizing<String>,
    client_session_salt: Zeroizing<String>,
    ephemeral: Ephemeral,
    ttl: u64,
}

impl std::fmt::Debug for ClientLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientLogin")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl ClientLogin {
    /// Step 1: draws the next password salt, the protocol and session
    /// salts, an ephemeral X25519 key and the message salt, and returns
    /// the encrypted hello (timestamped with `entropy.now()`). The
    /// database is read but not changed.
    ///
    /// `ttl` is the age limit, in seconds, for the server's response (`0`:
    /// none, the reference's default).
    ///
    /// # Errors
    /// [`RopakeError::NotRegistered`] when the database holds no key
    /// (never registered, or opened with another password);
    /// [`RopakeError::Db`], [`RopakeError::ClientState`],
    /// [`RopakeError::Random`].
    pub fn start<E: Entropy + ?Sized>(
        db: &mut Database,
        ttl: u64,
        entropy: &mut E,
    ) -> Result<(Self, LoginHello), RopakeError> {
        writable(db)?;
        let root = root_key(db);
        let stored = read_state(db)?.ok_or(RopakeError::NotRegistered)?;
        let message_key = client_message_key(&stored.key)?;
        let next_password_salt = entropy.salt()?;
        let next_keyed_password = commit(&root, &next_password_salt);
        let term = password_term(&root, &stored.salt);
        let key_id = id(&stored.key);
        let client_salt = entropy.salt()?;
        let client_session_salt = entropy.salt()?;
        let ephemeral = Ephemeral::generate(entropy)?;
        let password_salt = id(&stored.salt);
        let mut plaintext = HelloPlaintext::to_value(
            &client_salt,
            &ephemeral.public(),
            &password_salt,
            &client_session_salt,
            &next_keyed_password,
        );
        let sealed = seal_message(&plaintext, &message_key, entropy);
        wipe(&mut plaintext);
        let hello = LoginHello::new(key_id.to_string(), sealed?);
        let state = Self {
            database: db.root_filename().to_owned(),
            old_key: stored.key,
            term,
            next_password_salt,
            client_salt,
            client_session_salt,
            ephemeral,
            ttl,
        };
        Ok((state, hello))
    }

    /// Step 2: checks and decrypts the server's response (its age against
    /// `ttl` with `entropy.now()`), completes the exchange, ratchets the
    /// database (`salt` := the next password salt, `key` := the new key)
    /// and saves it.
    ///
    /// When this fails the server has usually ratcheted already: the
    /// client is locked out (spec §16.2 R4).
    ///
    /// # Errors
    /// [`RopakeError::Authentication`] for a response that was altered,
    /// replayed from another key or made with another key;
    /// [`RopakeError::Expired`]; [`RopakeError::Malformed`];
    /// [`RopakeError::Asymmetric`] for a low-order public key;
    /// [`RopakeError::ClientState`] for another database than `start`'s;
    /// in all these cases nothing is changed. [`RopakeError::Db`] when the save
    /// fails (the new tags are then in memory, unsaved).
    pub fn finish<E: Entropy + ?Sized>(
        self,
        db: &mut Database,
        response: &LoginResponse,
        entropy: &mut E,
    ) -> Result<SessionKeys, RopakeError> {
        same_database(db, &self.database)?;
        let key = server_message_key(&self.old_key)?;
        let mut value = open_message(
            response.ciphertext(),
            &key,
            self.ttl,
            entropy.now(),
            "login response plaintext",
        )?;
        let plain = ResponsePlaintext::from_value(&value);
        wipe(&mut value);
        let plain = plain?;
        let shared = self.ephemeral.exchange(&plain.public_key)?;
        let secret = shared_secret(
            &self.old_key,
            &shared,
            &self.client_salt,
            &plain.salt,
            &self.term,
        );
        let (k1, s1) = finalize_login(&self.old_key, &shared, &secret);
        let keys = integrate(&k1, &s1, &self.client_session_salt, &plain.session_salt);
        drop_tag(db, TAG_KEYED_PASSWORD)?;
        drop_tag(db, TAG_NEXT_PASSWORD_SALT)?;
        drop_tag(db, TAG_NEXT_KEYED_PASSWORD)?;
        set_text(db, TAG_SALT, &self.next_password_salt)?;
        set_text(db, TAG_KEY, keys.expose_key())?;
        db.save()?;
        Ok(keys)
    }
}
