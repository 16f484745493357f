//! AOT2: the hardened message format, the default for new data.
//!
//! A chunked SIV construction on Keccak-p\[1600, 12\] only (TurboSHAKE256
//! and KT256, RFC 9861): a long-term key (at least 32 bytes) or a
//! password, a fresh 32-byte salt per message, a context `ctx` that must
//! match (the seed's `pid`), 64 KiB chunks each authenticated by a KT256
//! tag over its plaintext that is also the IV of its keystream, an
//! encrypted timestamp checked against a time-to-live, and a length that
//! is always a multiple of 256 bytes with no visible header. The bytes are
//! specified in `docs/format-aot2.md`.
//!
//! **For most cases use [`seal`] and [`open`]** (or [`seal_json`] /
//! [`open_json`] for any `serde` value, [`seal_token`] / [`open_token`]
//! for URL-safe text), with an [`Aot2Key`] and [`Options`]:
//!
//! ```
//! use aiootp::aot2::{self, Aot2Key, Options};
//!
//! let key = Aot2Key::generate()?;
//! let options = Options::new().ctx("invoices").ttl(3600);
//! let msg = aot2::seal(&key, b"account 3311149", &options)?;
//! assert_eq!(msg.len() % 256, 0);
//! assert_eq!(aot2::open(&key, &msg, &options)?, b"account 3311149");
//! // Another context does not open it.
//! assert!(aot2::open(&key, &msg, &Options::new().ctx("payroll")).is_err());
//! # Ok::<(), aiootp::Error>(())
//! ```
//!
//! Large data streams through [`Sealer`] (`std::io::Write`) and [`Opener`]
//! (`std::io::Read`), or [`AsyncSealer`] / [`AsyncOpener`] with tokio, in
//! memory bounded by a few chunks; [`Options::threads`] spreads the work
//! of one-shot calls and of the streaming adapters over threads (the same
//! bytes as one thread).
//!
//! # Errors
//! [`Aot2Error::Authentication`] for every message that does not
//! authenticate, whatever the reason (wrong key, password or ctx, any
//! change, truncation, reordering, splicing or extension); [`Aot2Error::Expired`]
//! and [`Aot2Error::FromTheFuture`] for an authentic message outside the
//! `ttl`; key, password, JSON and token errors otherwise.
//!
//! # Security
//! Unaudited. Nothing unverified is ever returned: one-shot opening
//! returns all or nothing, streaming opening releases each chunk only
//! once its tag has been checked (a stream that fails later has released
//! the verified chunks before it: discard everything on error). A salt
//! repeated by a broken random number generator reveals only which chunks
//! (at the same index, under the same key and ctx) are equal, and even
//! then messages cannot be spliced: the last chunk's tag binds the chain
//! of all the tags before it, so records taken from another message fail.
//! Timestamps are the sealer's clock; a `ttl` limits replay only as far
//! as clocks agree.
//!
//! [`Aot2Error::Authentication`]: crate::error::Aot2Error::Authentication
//! [`Aot2Error::Expired`]: crate::error::Aot2Error::Expired
//! [`Aot2Error::FromTheFuture`]: crate::error::Aot2Error::FromTheFuture

#[cfg(feature = "tokio")]
mod asynchronous;
mod format;
pub mod hazmat;
mod key;
mod oneshot;
mod stream;
mod token;

#[cfg(feature = "tokio")]
pub use asynchronous::{AsyncOpener, AsyncSealer};
pub use format::{
    CHUNK_LEN, FUTURE_SKEW_SECONDS, MIN_KEY_LEN, MIN_MESSAGE_LEN, RECORD_LEN, SALT_LEN, SIZE_UNIT,
    TAG_LEN,
};
pub use key::{Aot2Key, Aot2Password, KeyMaterial};
pub use stream::{Opener, Sealer};
pub use token::{decode_token, encode_token, open_token, seal_token};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Aot2Error;

/// What a message is bound to and checked against: the context `ctx`,
/// the time-to-live, the clock, and how many threads sealing and opening
/// use.
///
/// ```
/// use aiootp::aot2::Options;
///
/// let options = Options::new().ctx(b"pid 7".to_vec()).ttl(60).threads(0);
/// assert_eq!(options.ttl_seconds(), 60);
/// assert_eq!(Options::new(), Options::new().threads(1).ttl(0).ctx(Vec::new()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    ctx: Vec<u8>,
    ttl: u64,
    now: Option<u64>,
    threads: usize,
}

impl Default for Options {
    /// Empty ctx, no ttl, the system clock, one thread.
    fn default() -> Self {
        Self {
            ctx: Vec::new(),
            ttl: 0,
            now: None,
            threads: 1,
        }
    }
}

impl Options {
    /// Empty ctx, no ttl, the system clock, one thread.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The context (associated data, not stored in the message): opening
    /// needs the same bytes as sealing. Default: empty.
    #[must_use]
    pub fn ctx(mut self, ctx: impl Into<Vec<u8>>) -> Self {
        self.ctx = ctx.into();
        self
    }

    /// When opening, the most seconds a message may be old; 0 (the
    /// default) checks no time at all. With a ttl, a message dated more
    /// than [`FUTURE_SKEW_SECONDS`] after now is refused too.
    #[must_use]
    pub fn ttl(mut self, seconds: u64) -> Self {
        self.ttl = seconds;
        self
    }

    /// A fixed clock (seconds since the Unix epoch): the timestamp that
    /// sealing writes and the time opening checks against. Default: the
    /// system clock. For tests and replays.
    #[must_use]
    pub fn now(mut self, unix_seconds: u64) -> Self {
        self.now = Some(unix_seconds);
        self
    }

    /// Threads for sealing and opening: 1 (the default), `n`, or 0 for
    /// the machine's parallelism. The output is the same whatever the
    /// number.
    ///
    /// - One-shot calls ([`seal`], [`open`], …) split the chunks before
    ///   the last into `n` runs, one per thread (the caller's thread
    ///   takes one).
    /// - The streaming [`Sealer`] and [`Opener`] (and [`AsyncSealer`] /
    ///   [`AsyncOpener`]) start up to `n` worker threads (at most 64) as
    ///   chunks need them: a message of one chunk starts none, one of two
    ///   chunks one. The caller's thread does the I/O, hands each 64 KiB
    ///   chunk but the last to the workers (four at most per worker),
    ///   takes them back in order, chains their tags, and seals or opens
    ///   the last chunk itself. Memory: at most `4 n + 3` records of
    ///   64.5 KiB (about 700 KiB on two threads). The workers end with the
    ///   sealer or opener; if one
    ///   fails, the stream fails with an error. With `n = 1` everything
    ///   runs on the caller's thread, one chunk at a time.
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// The context.
    #[must_use]
    pub fn ctx_bytes(&self) -> &[u8] {
        &self.ctx
    }

    /// The time-to-live in seconds (0: none).
    #[must_use]
    pub fn ttl_seconds(&self) -> u64 {
        self.ttl
    }

    /// The time: the fixed clock, or the system clock.
    #[must_use]
    pub fn current_time(&self) -> u64 {
        self.now.unwrap_or_else(format::unix_now)
    }
}

/// The length of the message that seals `data_len` bytes (a multiple of
/// 256, at least 256); `None` beyond 64-bit lengths.
///
/// ```
/// assert_eq!(aiootp::aot2::message_len(0), Some(256));
/// assert_eq!(aiootp::aot2::message_len(176), Some(256));
/// assert_eq!(aiootp::aot2::message_len(177), Some(512));
/// ```
#[must_use]
pub fn message_len(data_len: u64) -> Option<u64> {
    format::Layout::for_data(data_len).map(|l| l.message_len)
}

/// A fresh salt from the operating system's random number generator.
pub(crate) fn new_salt() -> Result<[u8; SALT_LEN], Aot2Error> {
    crate::random::bytes().map_err(|e| Aot2Error::Random(e.to_string()))
}

/// Seals `data` under `key` (an [`Aot2Key`] or an [`Aot2Password`]) with a
/// fresh salt, bound to `options`' ctx and dated by its clock.
///
/// # Errors
/// [`Aot2Error::Random`], [`Aot2Error::TooLarge`], and for a password
/// [`Aot2Error::Passcrypt`].
pub fn seal<K: KeyMaterial + ?Sized>(
    key: &K,
    data: &[u8],
    options: &Options,
) -> Result<Vec<u8>, Aot2Error> {
    hazmat::seal_with_salt(key, &new_salt()?, data, options)
}

/// Opens a message sealed by [`seal`] with the same key and ctx, and
/// checks its timestamp against `options`' ttl.
///
/// # Errors
/// [`Aot2Error::Authentication`] (any failure to authenticate),
/// [`Aot2Error::Expired`], [`Aot2Error::FromTheFuture`], and for a
/// password [`Aot2Error::Passcrypt`].
pub fn open<K: KeyMaterial + ?Sized>(
    key: &K,
    message: &[u8],
    options: &Options,
) -> Result<Vec<u8>, Aot2Error> {
    open_with_timestamp(key, message, options).map(|(data, _)| data)
}

/// [`open`], returning the message's timestamp (seconds since the Unix
/// epoch, the sealer's clock) with the data.
///
/// # Errors
/// As [`open`].
pub fn open_with_timestamp<K: KeyMaterial + ?Sized>(
    key: &K,
    message: &[u8],
    options: &Options,
) -> Result<(Vec<u8>, u64), Aot2Error> {
    let salt = message
        .first_chunk::<SALT_LEN>()
        .ok_or(Aot2Error::Authentication)?;
    if format::Layout::records_of(message.len() as u64).is_none() {
        // Refused before any key derivation (a password costs passcrypt).
        return Err(Aot2Error::Authentication);
    }
    let keys = key.subkeys(salt, &options.ctx)?;
    let opened = oneshot::open(&keys, message, options.threads, options.ttl, || {
        options.current_time()
    })?;
    Ok((opened.data, opened.timestamp))
}

/// Seals the JSON text (`serde_json`) of `value`.
///
/// ```
/// use aiootp::aot2::{self, Aot2Key, Options};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize, PartialEq, Debug)]
/// struct Invoice { account: u64, paid: bool }
///
/// let key = Aot2Key::generate()?;
/// let msg = aot2::seal_json(&key, &Invoice { account: 3311149, paid: false }, &Options::new())?;
/// let back: Invoice = aot2::open_json(&key, &msg, &Options::new())?;
/// assert_eq!(back, Invoice { account: 3311149, paid: false });
/// # Ok::<(), aiootp::Error>(())
/// ```
///
/// # Errors
/// [`Aot2Error::Json`] if the value has no JSON form, then as [`seal`].
pub fn seal_json<K: KeyMaterial + ?Sized, T: Serialize + ?Sized>(
    key: &K,
    value: &T,
    options: &Options,
) -> Result<Vec<u8>, Aot2Error> {
    let text = zeroize::Zeroizing::new(
        serde_json::to_vec(value).map_err(|e| Aot2Error::Json(e.to_string()))?,
    );
    seal(key, &text, options)
}

/// Opens a message of [`seal_json`] and parses its JSON as a `T`.
///
/// # Errors
/// As [`open`], then [`Aot2Error::Json`] if the plaintext is not JSON of
/// type `T`.
pub fn open_json<K: KeyMaterial + ?Sized, T: DeserializeOwned>(
    key: &K,
    message: &[u8],
    options: &Options,
) -> Result<T, Aot2Error> {
    let text = zeroize::Zeroizing::new(open(key, message, options)?);
    serde_json::from_slice(&text).map_err(|e| Aot2Error::Json(e.to_string()))
}
