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
