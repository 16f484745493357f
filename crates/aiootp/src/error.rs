//! Errors: one `#[non_exhaustive]` enum per layer and the umbrella
//! [`enum@Error`].
//!
//! The compat layer's messages are the exact texts the Python reference
//! raises (spec `cipher.md` §20), so that a caller, a test or a log can
//! be compared line for line with aiootp 0.17.0. Every authentication
//! failure is the single [`CipherError::Authentication`]: it says nothing
//! about which check failed.

use thiserror::Error;

/// Errors of the compat cipher (`compat::cipher`, the keystreams, padding).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CipherError {
    /// The key is empty (Python: falsy).
    #[error("No main symmetric ``key`` was specified.")]
    MissingKey,
    /// The salt is empty where one is required.
    #[error("No ``salt`` was specified.")]
    MissingSalt,
    /// The salt is not 64 characters long or is zero.
    #[error("``salt`` must be a 256-bit hex string.")]
    InvalidSalt,
    /// The salt does not parse as a base-16 integer (Python's `int(s, 16)`).
    /// Carries the salt's Python `repr` text (salts are public).
    #[error("invalid literal for int() with base 16: {salt_repr}")]
    SaltNotHex {
        /// `repr` of the offending salt.
        salt_repr: String,
    },
    /// The ciphertext carries an empty tag.
    #[error("``hmac`` argument was not given.")]
    MissingHmac,
    /// Authentication failed: wrong key, pid or salt, or tampered data.
    #[error("HMAC of ``data`` isn't valid.")]
    Authentication,
    /// The message is older than the time-to-live allows.
    #[error("Timestamp expired by <{seconds}> seconds.")]
    Expired {
        /// How many seconds past the limit.
        seconds: i128,
    },
    /// The decrypted data is too short to hold the 8-byte timestamp.
    #[error("Invalid timestamp format, must be 8 bytes long.")]
    InvalidTimestamp,
    /// A block's XOR result exceeds 2048 bits.
    #[error("Data MUST NOT exceed 256 bytes.")]
    BlockTooLarge,
    /// A non-`None` value was sent into a keystream before its first output.
    #[error("can't send non-None value to a just-started generator")]
    SendBeforeStart,
    /// The plaintext of `json_decrypt` is not UTF-8 or not JSON.
    #[error(transparent)]
    Json(#[from] JsonError),
}

/// Errors of the ciphertext encodings (dict JSON, bytes, ASCII, files).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// A required field is missing (Python: `KeyError`).
    #[error("'{0}'")]
    MissingField(&'static str),
    /// A field has the wrong JSON type.
    #[error("field {field:?}: {reason}")]
    InvalidField {
        /// The field name.
        field: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The encoded length is not `64 + 256 * n` bytes.
    #[error("The length of ciphertext is invalid.")]
    InvalidLength,
    /// The ASCII text holds a character outside the URL-safe table.
    #[error("Invalid base with given string or table.")]
    InvalidBase,
    /// A ciphertext integer does not fit in 256 bytes.
    #[error("int too big to convert")]
    IntTooBig,
    /// A ciphertext integer is negative.
    #[error("can't convert negative int to unsigned")]
    NegativeInt,
    /// The hmac and salt text is not hexadecimal.
    #[error("non-hexadecimal number found in fromhex() arg at position {position}")]
    NonHex {
        /// Character position in the joined `hmac + salt` text.
        position: usize,
    },
    /// The ciphertext text is not a JSON object.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// Reading or writing a ciphertext file failed.
    #[error("{0}")]
    Io(String),
}

/// Errors of the Python-compatible JSON layer ([`crate::compat::pyjson`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The text is not JSON; the message is Python's `JSONDecodeError`
    /// text, e.g. `Expecting value: line 1 column 1 (char 0)`.
    #[error("{0}")]
    Syntax(String),
    /// The bytes are not UTF-8; the message is Python's
    /// `UnicodeDecodeError` text.
    #[error("{0}")]
    Utf8(String),
    /// The value has no JSON form (Python's `TypeError` from `json.dumps`,
    /// e.g. `Object of type bytes is not JSON serializable`).
    #[error("{0}")]
    Unsupported(String),
    /// A `serde` conversion to or from a Rust type failed.
    #[error("{0}")]
    Serde(String),
    /// Arrays and objects nest deeper than
    /// [`MAX_DEPTH`](crate::compat::pyjson::MAX_DEPTH); the message is the
    /// text of Python's `RecursionError` (which CPython raises near 1000
    /// levels).
    #[error("{0}")]
    TooDeep(String),
    /// An integer of more than 4300 decimal digits: CPython 3.8.14 and
    /// later refuse to convert it (`ValueError: Exceeds the limit (4300)
    /// for integer string conversion ...`), so the reference could neither
    /// write nor read it.
    #[error("{0}")]
    IntTooLong(String),
}

/// Errors of passcrypt ([`crate::compat::passcrypt`]), the password
/// hashing function. The messages of the input checks are the reference's
/// exact texts (spec `passcrypt.md` §3); values appear as Python's `str()`
/// of the argument.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PasscryptError {
    /// The password is empty (Python: falsy).
    #[error("No ``password`` was specified.")]
    MissingPassword,
    /// The salt is empty (Python: falsy).
    #[error("No ``salt`` was specified.")]
    MissingSalt,
    /// `hardness` is below 256 or not an `int`.
    #[error("hardness:{hardness} must be int >= 256")]
    Hardness {
        /// `str(hardness)`.
        hardness: String,
    },
    /// `cpu` is below 2 or not an `int`.
    #[error("cpu:{cpu} must be int >= 2")]
    Cpu {
        /// `str(cpu)`.
        cpu: String,
    },
    /// `kb` is below `hardness` or not an `int`.
    #[error("kb:{kb} must be int >= hardness:{hardness}")]
    Kb {
        /// `str(kb)`.
        kb: String,
        /// `str(hardness)`.
        hardness: String,
    },
    /// A cost parameter is not a number, so the reference's comparison
    /// raises `TypeError` (e.g. `'<' not supported between instances of
    /// 'str' and 'int'`).
    #[error("'{op}' not supported between instances of '{left}' and '{right}'")]
    NotComparable {
        /// The comparison operator (`<` or `<=`).
        op: &'static str,
        /// The Python type name of the parameter.
        left: &'static str,
        /// The Python type name of the other operand.
        right: &'static str,
    },
    /// The memory the settings ask for cannot be allocated (the reference
    /// raises `MemoryError`).
    #[error("cannot allocate the passcrypt memory for kb:{kb}, cpu:{cpu}, hardness:{hardness}")]
    OutOfMemory {
        /// `str(kb)`.
        kb: String,
        /// `str(cpu)`.
        cpu: String,
        /// `str(hardness)`.
        hardness: String,
    },
}

/// Which file of a database an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// The manifest (the file named after the key).
    Manifest,
    /// The root salt file of a root database.
    RootSalt,
    /// The file of one tag's value.
    Tag,
    /// The save journal of this crate (not part of the reference format).
    Journal,
}

impl std::fmt::Display for FileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Manifest => "manifest",
            Self::RootSalt => "root salt",
            Self::Tag => "tag",
            Self::Journal => "journal",
        })
    }
}

/// Errors of the encrypted database ([`crate::db`]). Messages that mirror
/// a reference exception keep its exact text; file names in messages are
/// the public hashed names, never tags or values.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DbError {
    /// The key is empty (Python: falsy).
    #[error("No main symmetric ``key`` was specified.")]
    MissingKey,
    /// No database for this key and `password_depth` exists in the store.
    /// `other_files` counts the database files of other keys or depths
    /// that are present: a wrong key or depth is the likely cause.
    #[error("no database for this key and password depth in this store{}", not_found_hint(.other_files))]
    NotFound {
        /// Database files of other keys or depths in the store.
        other_files: usize,
    },
    /// A database file failed authentication or does not decode: it was
    /// tampered with, truncated, swapped or damaged. Other files stay
    /// readable.
    #[error("{kind} file {file} is corrupt or was tampered with: {source}")]
    Corrupt {
        /// Which file.
        kind: FileKind,
        /// Its (hashed) name.
        file: String,
        /// What failed (authentication, length, JSON, layout).
        #[source]
        source: Box<Error>,
    },
    /// The manifest lists a tag whose file is missing.
    #[error("tag file {file} is listed in the manifest but missing")]
    TagFileMissing {
        /// The tag's (hashed) file name.
        file: String,
    },
    /// The manifest exists but the root salt file does not.
    #[error("root salt file {file} is missing")]
    RootSaltMissing {
        /// The root salt file's name.
        file: String,
    },
    /// The database was opened read-only.
    #[error("the database was opened read-only")]
    ReadOnly,
    /// The database was deleted (async handles that outlive
    /// `delete_database`).
    #[error("the database was deleted")]
    Deleted,
    /// A maintenance entry (the tag that names the metatag list) cannot
    /// be changed or deleted.
    #[error("Cannot delete maintenance files.")]
    MaintenanceName,
    /// A metatag name the reference refuses (an attribute of its classes).
    #[error("Can't overwrite class attributes.")]
    ReservedName,
    /// No child database of that name.
    #[error("No child database named {name}.")]
    NoSuchMetatag {
        /// Python `str()` of the name.
        name: String,
    },
    /// `save_tag` of a tag that has no value in memory.
    #[error("That tag file doesn't exist.")]
    TagNotLoaded,
    /// A tag or metatag name whose JSON round trip changes it (a tuple,
    /// `bytes`, a dict with non-string keys): after reopening it would map
    /// to another file and its value would be unreachable.
    #[error(
        "tag is not stable under a json round trip (tuples, bytes and non-string dict keys change type)"
    )]
    UnstableTag,
    /// `test_hmac` without a tag.
    #[error("`hmac` keyword argument was not given.")]
    MissingHmac,
    /// A password profile has no salt file (wrong credentials, or never
    /// generated), or its database is missing.
    #[error("Profile doesn't exist or is corrupt.")]
    ProfileNotFound,
    /// A password profile's salt file holds fewer than 32 bytes.
    #[error("The salt file is empty or corrupt!")]
    ProfileSaltCorrupt,
    /// A cipher error (authentication of a message, expiry).
    #[error(transparent)]
    Cipher(#[from] CipherError),
    /// A value has no JSON form, or does not fit the requested type.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// A ciphertext encoding error.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The storage backend failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A passcrypt error (`Database::passcrypt` input checks, memory).
    #[error(transparent)]
    Passcrypt(#[from] PasscryptError),
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {0}")]
    Random(String),
    /// A background task failed (async API), or the database state was
    /// poisoned by a panic.
    #[error("background task failed: {0}")]
    Task(String),
}

fn not_found_hint(other_files: &usize) -> String {
    if *other_files > 0 {
        format!(
            " ({other_files} files of other databases are present: wrong key or password depth?)"
        )
    } else {
        String::new()
    }
}

/// Errors of the database storage backends ([`crate::db::storage`]).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StorageError {
    /// An I/O operation failed.
    #[error("{op} {name}: {source}")]
    Io {
        /// The operation (`read`, `write`, `delete`, ...).
        op: &'static str,
        /// The object name or directory.
        name: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// Another writer holds the database's lock.
    #[error(
        "the database is locked by another writer ({lock}); open it read-only or close the other writer"
    )]
    Locked {
        /// The lock (for a directory: the lock file's path).
        lock: String,
    },
    /// An object name the backend refuses.
    #[error("invalid object name {name:?}")]
    InvalidName {
        /// The name (at most 80 characters of it).
        name: String,
    },
    /// Another backend failure.
    #[error("storage backend: {0}")]
    Backend(String),
}

/// Errors of the asymmetric tools (`asymmetric`): key import, X25519,
/// Ed25519 and the 2DH/3DH exchanges. Texts follow the reference where it
/// has one (spec `asymmetric.md` §11); [`reference_exception`] names the
/// Python exception the reference raises in the same situation.
///
/// [`reference_exception`]: AsymmetricError::reference_exception
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AsymmetricError {
    /// Empty key material (Python: a falsy key).
    #[error("No key material or object given.")]
    MissingKeyMaterial,
    /// Key text that Python's `bytes.fromhex` refuses.
    #[error("non-hexadecimal number found in fromhex() arg at position {position}")]
    NonHex {
        /// Character position of the first offending character.
        position: usize,
    },
    /// Key bytes of the wrong length. The text is the reference backend's
    /// (`cryptography` 47) without the OpenSSL error string it appends
    /// for X25519 private keys.
    #[error("{what} is 32 bytes long")]
    KeyLength {
        /// Which key, e.g. "An X25519 public key".
        what: &'static str,
        /// The length given.
        len: usize,
    },
    /// The X25519 result is all zeros: the peer key has small order
    /// (RFC 7748 §6.1).
    #[error("Error computing shared key.")]
    LowOrderPoint,
    /// Ed25519 verification failed (any reason, including a signature of
    /// the wrong length). The reference's exception has an empty message.
    #[error("invalid Ed25519 signature")]
    InvalidSignature,
    /// A peer's identity key is not the expected one (hardened check, not
    /// in the reference).
    #[error("the peer's identity key is not the expected one")]
    UnexpectedPeerIdentity,
    /// The peer's key-confirmation tag is wrong: the two sides do not
    /// hold the same key (hardened check, not in the reference).
    #[error("key confirmation failed")]
    ConfirmationFailed,
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {0}")]
    Random(String),
}

impl AsymmetricError {
    /// The class of the exception the reference raises in the same
    /// situation (`ValueError`, `InvalidSignature`), for tools that
    /// report errors the way the reference's oracle does; `None` for the
    /// hardened checks and failures the reference has no counterpart for.
    #[must_use]
    pub fn reference_exception(&self) -> Option<&'static str> {
        match self {
            Self::MissingKeyMaterial | Self::NonHex { .. } | Self::KeyLength { .. } => {
                Some("ValueError")
            }
            Self::LowOrderPoint => Some("ValueError"),
            Self::InvalidSignature => Some("InvalidSignature"),
            Self::UnexpectedPeerIdentity | Self::ConfirmationFailed | Self::Random(_) => None,
        }
    }

    /// The message of the reference's exception (`str(exc)`): this
    /// error's text, except the empty text of `InvalidSignature`.
    #[must_use]
    pub fn reference_message(&self) -> String {
        match self {
            Self::InvalidSignature => String::new(),
            other => other.to_string(),
        }
    }
}

/// Errors of the Ropake protocol ([`crate::ropake`]), spec `ropake.md`
/// §11. Where the reference raises an exception of its own, the message is
/// its text.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RopakeError {
    /// The client database holds no Ropake key: never registered, or
    /// opened with another password (which opens another, empty
    /// database).
    #[error("Must provide ``key`` material to mix with ``label``.")]
    NotRegistered,
    /// The server has no record under the hello's `key_id`: a replayed or
    /// stale hello (the record ratcheted), a client locked out by a lost
    /// response, or an unknown client.
    #[error("'{key_id}'")]
    UnknownKeyId {
        /// The `key_id` the hello named (public: it travels in clear).
        key_id: String,
    },
    /// A login message failed authentication: altered, replayed from
    /// another key, or made with another key. Says nothing about which
    /// check failed.
    #[error("HMAC of ``data`` isn't valid.")]
    Authentication,
    /// A login message is older than the receiver's `ttl` allows (checked
    /// after authentication).
    #[error("Timestamp expired by <{seconds}> seconds.")]
    Expired {
        /// How many seconds past the limit.
        seconds: i128,
    },
    /// A message lacks a field, has one of the wrong type, or is not JSON.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// Which message (e.g. `registration hello`).
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The client database's Ropake tags are inconsistent (e.g. a `key`
    /// without a password `salt`).
    #[error("the client database's Ropake state is damaged: {reason}")]
    ClientState {
        /// What is wrong.
        reason: &'static str,
    },
    /// An X25519 failure: a low-order public key (the reference's `Error
    /// computing shared key.`).
    #[error(transparent)]
    Asymmetric(#[from] AsymmetricError),
    /// A database failed: the client's, or a [`Database`](crate::db::Database)
    /// used as the server's record store.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The server's record file could not be read or written.
    #[error("ropake record store {path}: {source}")]
    StoreIo {
        /// The file.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The server's record store holds something that is not a records
    /// file or not a record.
    #[error("ropake record store {path}: {reason}")]
    StoreCorrupt {
        /// The file (or database tag file).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Another failure of a caller-provided record store.
    #[error("ropake record store: {0}")]
    Store(String),
    /// The randomness source failed (or returned an unusable value).
    #[error("random number generator failed: {0}")]
    Random(String),
}

/// Errors of the key helpers (`keygen`): table keys, mnemonics, digit
/// streams, permutations and deniable file names (spec `utilities.md`
/// §3, §4, §8).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeygenError {
    /// The key is empty (the reference would silently draw a random one).
    #[error("No ``key`` was specified.")]
    MissingKey,
    /// A character table with fewer than two characters (the reference
    /// divides by zero or loops forever).
    #[error("a character table needs at least 2 characters, got {len}")]
    InvalidTable {
        /// The number of characters given.
        len: usize,
    },
    /// An empty word list for a mnemonic.
    #[error("the word list is empty")]
    EmptyWordList,
    /// A size of zero where the reference cuts data into `size`-byte
    /// pieces (Python: `range() arg 3 must not be zero`).
    #[error("``size`` must be at least 1")]
    ZeroSize,
    /// `deniable_filename` with a fold size above 16 bytes.
    #[error("Choose a ``size`` <= 16 bytes.")]
    FilenameSize,
    /// A sequence too long for CPython's 32-bit `shuffle` draws (more than
    /// 2^32 - 1 elements).
    #[error("a sequence of {len} elements is too long to permute")]
    TooLong {
        /// The length given.
        len: usize,
    },
}

/// Errors of the AOT2 format ([`crate::aot2`]).
///
/// Every failure to authenticate a message is the single
/// [`Aot2Error::Authentication`]: a wrong key, password or `ctx`, a flipped
/// bit, a truncated, extended, reordered or duplicated record, a length
/// that is not a multiple of 256 — it says nothing about which check
/// failed. A message that authenticates but is too old (or dated too far
/// in the future) for the caller's `ttl` is [`Aot2Error::Expired`] (or
/// [`Aot2Error::FromTheFuture`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Aot2Error {
    /// The message does not authenticate (any reason).
    #[error("aot2: authentication failed")]
    Authentication,
    /// The message is older than the time-to-live allows.
    #[error("aot2: the message expired {seconds} seconds ago")]
    Expired {
        /// How many seconds past the limit.
        seconds: u64,
    },
    /// The message is dated more than the allowed skew (60 s) after the
    /// time of opening (checked when a `ttl` is set).
    #[error("aot2: the message is dated {seconds} seconds in the future")]
    FromTheFuture {
        /// How many seconds after the time of opening.
        seconds: u64,
    },
    /// A key shorter than 32 bytes.
    #[error("aot2: a key needs at least 32 bytes, got {len}")]
    KeyTooShort {
        /// The length given.
        len: usize,
    },
    /// Key text that is not hexadecimal (a key file holds hex text).
    #[error("aot2: the key is not hexadecimal text (character {position})")]
    KeyNotHex {
        /// Character position of the first offending character (in the
        /// text without surrounding white space).
        position: usize,
    },
    /// An empty password.
    #[error("aot2: the password is empty")]
    EmptyPassword,
    /// A token that is not base64url text (RFC 4648 §5, unpadded).
    #[error("aot2: the token is not base64url text")]
    InvalidToken,
    /// A plaintext too large for the format's 64-bit lengths.
    #[error("aot2: the plaintext is too large")]
    TooLarge,
    /// A value has no JSON form, or the plaintext is not JSON of the
    /// requested type.
    #[error("aot2: json: {0}")]
    Json(String),
    /// Passcrypt failed while deriving a key from a password.
    #[error(transparent)]
    Passcrypt(#[from] PasscryptError),
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {0}")]
    Random(String),
}

/// Every error of this crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A cipher error (authentication, expiry, key or salt checks).
    #[error(transparent)]
    Cipher(#[from] CipherError),
    /// A ciphertext encoding error.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A JSON error.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// A database error.
    #[error(transparent)]
    Db(#[from] DbError),
    /// A database storage error.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A passcrypt error (input checks, memory).
    #[error(transparent)]
    Passcrypt(#[from] PasscryptError),
    /// An X25519 / Ed25519 error.
    #[error(transparent)]
    Asymmetric(#[from] AsymmetricError),
    /// A Ropake protocol error.
    #[error(transparent)]
    Ropake(#[from] RopakeError),
    /// A key helper error (`keygen`).
    #[error(transparent)]
    Keygen(#[from] KeygenError),
    /// An AOT2 format error (authentication, expiry, keys).
    #[error(transparent)]
    Aot2(#[from] Aot2Error),
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {0}")]
    Random(String),
    /// An I/O error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A background task failed (async APIs).
    #[error("background task failed: {0}")]
    Task(String),
}
