//! Padding, time-to-live and the authenticated `bytes_encrypt` /
//! `bytes_decrypt` / `json_encrypt` / `json_decrypt` of aiootp 0.17.0
//! (spec `cipher.md` §8–11).
//!
//! For most cases use [`crate::OneTimePad`], which carries the key. The
//! functions here take the key explicitly and let tests fix the clock.
//!
//! # Errors
//! Authentication failures of any kind (wrong key, pid or salt, tampered
//! blocks or tag) are the single [`CipherError::Authentication`]; an old
//! message is [`CipherError::Expired`]; no plaintext is returned in either
//! case, and the buffers that held it are zeroized.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::keccak::{Sha3_512, Shake256};
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::{Zeroize, Zeroizing};

use super::ciphertext::Ciphertext;
use super::key::{Key, Salt};
use super::ratchet::{CipherKeystream, TagFeed};
use super::tag::TagHasher;
use super::{PyValue, pyjson, pyserde};
use crate::error::{CipherError, Error};
use crate::secret::ct_eq;

/// Blocks (4 MiB) below which encryption stays on one thread: measured
/// with `interop/compare_speed.sh`, the second thread (decimal rendering of
/// the tag text) only pays off for large messages.
const PARALLEL_MIN_BLOCKS: usize = 16_384;
/// Blocks handed between the two threads at a time (the tag takes the
/// text of the last two chunks after the keystream is done: keep them
/// short).
const PIPELINE_BLOCKS: usize = 16;
/// Chunks in flight between the two threads.
const PIPELINE_DEPTH: usize = 8;

/// Options of an encryption: the message salt, the `pid` that separates
/// streams, and the clock (for reproducible tests).
#[derive(Clone, Debug)]
pub struct EncryptOptions {
    salt: Option<Salt>,
    pid: PyValue,
    time: Option<u64>,
    parallel: bool,
}

impl Default for EncryptOptions {
    fn default() -> Self {
        Self {
            salt: None,
            pid: PyValue::from(0i64),
            time: None,
            parallel: true,
        }
    }
}

impl EncryptOptions {
    /// Defaults: a fresh random salt, pid `0`, the current time.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses this salt instead of a fresh random one. **A salt must never
    /// be used twice with one key and pid**: the keystream would repeat.
    #[must_use]
    pub fn salt(mut self, salt: Salt) -> Self {
        self.salt = Some(salt);
        self
    }

    /// Sets the `pid` (any Python value; `0`, `"0"` and `0.0` differ).
    #[must_use]
    pub fn pid(mut self, pid: impl Into<PyValue>) -> Self {
        self.pid = pid.into();
        self
    }

    /// Fixes the timestamp written into the message (seconds since the
    /// Unix epoch) instead of the current time.
    #[must_use]
    pub fn time(mut self, seconds: u64) -> Self {
        self.time = Some(seconds);
        self
    }

    /// Whether large messages may use a second thread (default `true`):
    /// the keystream on one core, the tag on another. The bytes are the
    /// same either way.
    #[must_use]
    pub fn parallel(mut self, parallel: bool) -> Self {
        self.parallel = parallel;
        self
    }
}

impl EncryptOptions {
    pub(crate) fn time_or_now(&self) -> u64 {
        self.time.unwrap_or_else(now_seconds)
    }
}

/// Options of a decryption: the `pid`, the time-to-live and the clock.
#[derive(Clone, Debug)]
pub struct DecryptOptions {
    pid: PyValue,
    ttl: i64,
    now: Option<u64>,
    parallel: bool,
}

impl Default for DecryptOptions {
    fn default() -> Self {
        Self {
            pid: PyValue::from(0i64),
            ttl: 0,
            now: None,
            parallel: true,
        }
    }
}

impl DecryptOptions {
    /// Defaults: pid `0`, no age limit, the current time.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the `pid` the message was encrypted with.
    #[must_use]
    pub fn pid(mut self, pid: impl Into<PyValue>) -> Self {
        self.pid = pid.into();
        self
    }

    /// Refuses messages older than `seconds` ([`CipherError::Expired`]).
    /// `0` means no limit, as in the reference; timestamps in the future
    /// are accepted, as in the reference.
    #[must_use]
    pub fn ttl(mut self, seconds: i64) -> Self {
        self.ttl = seconds;
        self
    }

    /// Fixes "now" for the time-to-live check (seconds since the epoch).
    #[must_use]
    pub fn now(mut self, seconds: u64) -> Self {
        self.now = Some(seconds);
        self
    }

    /// Whether large messages may use a second thread (default `true`):
    /// the keystream on one core, the tag on another. The bytes are the
    /// same either way.
    #[must_use]
    pub fn parallel(mut self, parallel: bool) -> Self {
        self.parallel = parallel;
        self
    }
}

impl DecryptOptions {
    pub(crate) fn now_or_now(&self) -> u64 {
        self.now.unwrap_or_else(now_seconds)
    }

    pub(crate) fn ttl_seconds(&self) -> i64 {
        self.ttl
    }
}

/// Whole seconds since the Unix epoch (the reference's `int(time.time())`).
pub(crate) fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `padding_key(key, salt=salt, pid=pid)`: the 64 bytes of
/// `sha_512(pid, salt, key)`, after the reference's key and salt check.
///
/// # Errors
/// [`CipherError::MissingKey`], and the salt errors of [`Salt::parse`].
pub fn padding_key(
    key: &Key,
    salt: &Salt,
    pid: &PyValue,
) -> Result<Zeroizing<[u8; 64]>, CipherError> {
    key.check()?;
    salt.check()?;
    Ok(padding_key_raw(key.repr(), &salt.repr(), &pid.repr()))
}

fn padding_key_raw(key_repr: &str, salt_repr: &str, pid_repr: &str) -> Zeroizing<[u8; 64]> {
    let mut h = Sha3_512::new();
    h.update(b"(");
    h.update(pid_repr.as_bytes());
    h.update(b", ");
    h.update(salt_repr.as_bytes());
    h.update(b", ");
    h.update(key_repr.as_bytes());
    h.update(b")");
    Zeroizing::new(h.finalize())
}

/// The first `n` bytes of SHAKE-256 of `padding_key`.
fn shake(padding_key: &[u8; 64], out: &mut [u8]) {
    let mut x = Shake256::new();
    x.update(padding_key);
    x.finalize_into(out);
}

/// The 32-byte padding marker `SHAKE256(padding_key, 32)`.
#[must_use]
pub fn padding_marker(padding_key: &[u8; 64]) -> [u8; 32] {
    let mut m = [0u8; 32];
    shake(padding_key, &mut m);
    m
}

/// `pad_bytes`: the 8-byte big-endian timestamp, the data, and SHAKE-256
/// padding up to a positive multiple of 256 bytes (spec §8.2).
#[must_use]
pub fn pad_bytes(data: &[u8], padding_key: &[u8; 64], time: u64) -> Vec<u8> {
    let rem = (data.len() + 8) % 256;
    let p = 256 - rem;
    let padding = if !data.is_empty() && rem == 0 {
        0
    } else if p >= 32 {
        p
    } else {
        p + 256
    };
    let mut out = Vec::with_capacity(8 + data.len() + padding);
    out.extend_from_slice(&time.to_be_bytes());
    out.extend_from_slice(data);
    if padding > 0 {
        let mut pad = [0u8; 512];
        shake(padding_key, &mut pad);
        out.extend_from_slice(&pad[..padding]);
    }
    out
}

/// `check_timestamp`: refuses a message older than `ttl` seconds at
/// `now` (`ttl == 0`: no limit; future timestamps pass).
///
/// # Errors
/// [`CipherError::InvalidTimestamp`] unless `timestamp` is 8 bytes;
/// [`CipherError::Expired`] with the seconds past the limit.
pub fn check_timestamp(timestamp: &[u8], ttl: i64, now: u64) -> Result<(), CipherError> {
    let ts: [u8; 8] = timestamp
        .try_into()
        .map_err(|_| CipherError::InvalidTimestamp)?;
    if ttl == 0 {
        return Ok(());
    }
    let span = i128::from(now) - i128::from(u64::from_be_bytes(ts)) - i128::from(ttl);
    if span > 0 {
        return Err(CipherError::Expired { seconds: span });
    }
    Ok(())
}

/// `depad_bytes`: checks the timestamp, then cuts the data at the first
/// occurrence of the padding marker (searched from offset 0, timestamp
/// included, as the reference does). Returns the plaintext's range.
///
/// # Errors
/// As [`check_timestamp`].
pub fn depad_range(
    data: &[u8],
    padding_key: &[u8; 64],
    ttl: i64,
    now: u64,
) -> Result<std::ops::Range<usize>, CipherError> {
    check_timestamp(data.get(..8).unwrap_or(data), ttl, now)?;
    let marker = padding_marker(padding_key);
    let end = find(data, &marker).unwrap_or(data.len());
    Ok(8..end.max(8))
}

fn find(haystack: &[u8], needle: &[u8; 32]) -> Option<usize> {
    haystack.windows(32).position(|w| w == needle)
}

/// Encrypts `data` (spec §11.1).
///
/// # Errors
/// [`CipherError::MissingKey`] for an empty key, the salt errors of
/// [`Salt::parse`] for a given salt that fails the reference's check,
/// [`Error::Random`] if a salt cannot be drawn.
pub fn bytes_encrypt(
    data: &[u8],
    key: &Key,
    options: &EncryptOptions,
) -> Result<Ciphertext, Error> {
    let salt = match &options.salt {
        Some(s) if !s.as_str().is_empty() => s.clone(),
        _ => Salt::generate()?,
    };
    key.check()?;
    salt.check()?;
    let time = options.time.unwrap_or_else(now_seconds);
    Ok(seal(
        data,
        key,
        &salt,
        &options.pid.repr(),
        time,
        options.parallel,
    ))
}

fn seal(
    data: &[u8],
    key: &Key,
    salt: &Salt,
    pid_repr: &str,
    time: u64,
    parallel: bool,
) -> Ciphertext {
    let salt_repr = salt.repr();
    let pk = padding_key_raw(key.repr(), &salt_repr, pid_repr);
    let mut blocks = pad_bytes(data, &pk, time);
    let mut ks = CipherKeystream::new(key.repr(), &salt_repr, pid_repr);
    let mut tagger = TagHasher::new();
    if parallel && blocks.len() / 256 >= PARALLEL_MIN_BLOCKS && cores() > 1 {
        xor_and_tag_on_two_threads(&mut ks, &mut blocks, None, &mut tagger);
    } else {
        ks.xor_blocks(&mut blocks, TagFeed::Output(&mut tagger));
    }
    let hmac = tagger.finish(&salt_repr, pid_repr, key.repr());
    Ciphertext::from_parts(blocks, hmac, salt.as_str().to_owned())
}

/// The two-thread form of [`CipherKeystream::xor_blocks`], a chunk of
/// [`PIPELINE_BLOCKS`] at a time: this thread runs every permutation (the
/// keystream's and the tag's, as SIMD lanes), a spawned thread renders the
/// decimal text of the tag's blocks (the chunks after the XOR, or `input`
/// when given: decryption), which the tag lane takes two chunks later. The
/// results are those of the one-thread form.
///
/// Measured against the other split (the spawned thread running the tag
/// sponge, scalar, and a quarter of the rendering; this thread the
/// keystream lanes and the rest): per 16 MiB that one's busiest thread
/// needs about 8% less CPU time but both threads together about 40% more
/// (the tag no longer shares permutations with the keystream). On a shared
/// two-core machine this split was faster under load and the two were
/// within noise otherwise, for less CPU in total.
fn xor_and_tag_on_two_threads(
    ks: &mut CipherKeystream,
    work: &mut [u8],
    input: Option<&[u8]>,
    tagger: &mut TagHasher,
) {
    let chunk_bytes = 256 * PIPELINE_BLOCKS;
    let (to_render, todo) = std::sync::mpsc::sync_channel::<(bool, &[u8])>(PIPELINE_DEPTH);
    let (rendered, texts) = std::sync::mpsc::sync_channel::<Vec<u8>>(PIPELINE_DEPTH);
    let any = work.len() >= 256;
    std::thread::scope(|s| {
        s.spawn(move || {
            for (after_first, blocks) in todo {
                let mut text = Vec::with_capacity(blocks.len() / 256 * 620);
                TagHasher::render_all(blocks, after_first, &mut text);
                if rendered.send(text).is_err() {
                    return;
                }
            }
        });
        for (k, chunk) in work.chunks_mut(chunk_bytes).enumerate() {
            // The text of chunk k - 2, rendered while chunk k - 1 was done.
            match (k >= 2).then(|| texts.recv().ok()).flatten() {
                Some(text) => ks.xor_blocks(chunk, TagFeed::Text(tagger, &text)),
                None => ks.xor_blocks(chunk, TagFeed::None),
            }
            let chunk: &[u8] = chunk;
            let blocks = match input {
                Some(input) => {
                    let at = k * chunk_bytes;
                    input.get(at..at + chunk.len()).unwrap_or_default()
                }
                None => chunk,
            };
            if to_render.send((k > 0, blocks)).is_err() {
                return;
            }
        }
        drop(to_render);
        for text in texts {
            ks.xor_blocks(&mut [], TagFeed::Text(tagger, &text));
        }
    });
    if any {
        tagger.set_started();
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Decrypts and authenticates `ciphertext` (spec §11.2). Nothing is
/// returned unless the tag verifies.
///
/// # Errors
/// [`CipherError::MissingHmac`] for an empty tag,
/// [`CipherError::Authentication`] for a wrong key, pid or salt or any
/// change to the message, [`CipherError::Expired`] past the ttl,
/// [`CipherError::InvalidTimestamp`] for a message with no blocks.
pub fn bytes_decrypt(
    ciphertext: &Ciphertext,
    key: &Key,
    options: &DecryptOptions,
) -> Result<Vec<u8>, CipherError> {
    if ciphertext.hmac().is_empty() {
        return Err(CipherError::MissingHmac);
    }
    if key.is_empty() {
        // The reference substitutes a random key: the tag cannot verify.
        return Err(CipherError::Authentication);
    }
    let pid_repr = options.pid.repr();
    let salt = Salt::unchecked(ciphertext.salt());
    let salt_repr = salt.repr();
    let data = ciphertext.block_bytes();
    let mut plain = Zeroizing::new(data.to_vec());
    let mut ks = CipherKeystream::new(key.repr(), &salt_repr, &pid_repr);
    let mut tagger = TagHasher::new();
    if options.parallel && data.len() / 256 >= PARALLEL_MIN_BLOCKS && cores() > 1 {
        xor_and_tag_on_two_threads(&mut ks, &mut plain, Some(data), &mut tagger);
    } else {
        ks.xor_blocks(&mut plain, TagFeed::Input(&mut tagger, data));
    }
    let expected = tagger.finish(&salt_repr, &pid_repr, key.repr());
    if !ct_eq(expected.as_bytes(), ciphertext.hmac().as_bytes()) {
        return Err(CipherError::Authentication);
    }
    let pk = padding_key_raw(key.repr(), &salt_repr, &pid_repr);
    let now = options.now.unwrap_or_else(now_seconds);
    let range = depad_range(&plain, &pk, options.ttl, now)?;
    let mut out = std::mem::take(&mut *plain);
    out.truncate(range.end);
    out.drain(..range.start);
    Ok(out)
}

/// Encrypts any `serde` value as the `json.dumps` text Python would make
/// of it (spec §11.3).
///
/// # Errors
/// As [`bytes_encrypt`], and [`crate::error::JsonError`] for a value with
/// no JSON form.
pub fn json_encrypt<T: Serialize + ?Sized>(
    value: &T,
    key: &Key,
    options: &EncryptOptions,
) -> Result<Ciphertext, Error> {
    let v = pyserde::to_value(value)?;
    json_encrypt_value(&v, key, options)
}

/// Encrypts a [`PyValue`] as its `json.dumps` text.
///
/// # Errors
/// As [`json_encrypt`].
pub fn json_encrypt_value(
    value: &PyValue,
    key: &Key,
    options: &EncryptOptions,
) -> Result<Ciphertext, Error> {
    let mut text = pyjson::dumps(value)?;
    let ct = bytes_encrypt(text.as_bytes(), key, options);
    text.zeroize();
    ct
}

/// Decrypts a message made by `json_encrypt` into any `serde` type.
///
/// # Errors
/// As [`bytes_decrypt`], and [`CipherError::Json`] when the plaintext is
/// not UTF-8 JSON or does not fit `T`.
pub fn json_decrypt<T: DeserializeOwned>(
    ciphertext: &Ciphertext,
    key: &Key,
    options: &DecryptOptions,
) -> Result<T, CipherError> {
    let v = json_decrypt_value(ciphertext, key, options)?;
    Ok(pyserde::from_value(v)?)
}

/// Decrypts a message made by `json_encrypt` into a [`PyValue`] (integers
/// of any size and floats exactly as Python reads them).
///
/// # Errors
/// As [`json_decrypt`].
pub fn json_decrypt_value(
    ciphertext: &Ciphertext,
    key: &Key,
    options: &DecryptOptions,
) -> Result<PyValue, CipherError> {
    let plain = Zeroizing::new(bytes_decrypt(ciphertext, key, options)?);
    // The reference decodes strictly to text first, then parses the text
    // (so a BOM or an encoded surrogate is an error, as in Python).
    Ok(pyjson::loads(pyjson::decode_utf8(&plain)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4))]
        /// The two-thread pipeline makes the one-thread ciphertext and
        /// reads it back, tampering included.
        #[test]
        fn two_threads_equal_one(
            blocks in PARALLEL_MIN_BLOCKS..PARALLEL_MIN_BLOCKS + 3 * PIPELINE_BLOCKS,
            extra in 0usize..256,
            seed in any::<u64>(),
            flip in any::<usize>(),
        ) {
            let mut x = seed | 1;
            let data: Vec<u8> = (0..blocks * 256 - 8 + extra)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let key = Key::new("two threads");
            let salt = Salt::parse(&format!("{seed:064x}")).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let one = seal(&data, &key, &salt, "0", 7, false);
            let two = seal(&data, &key, &salt, "0", 7, true);
            prop_assert_eq!(one.block_bytes(), two.block_bytes());
            prop_assert_eq!(one.hmac(), two.hmac());
            for parallel in [false, true] {
                let o = DecryptOptions::new().parallel(parallel);
                prop_assert_eq!(bytes_decrypt(&one, &key, &o).ok(), Some(data.clone()));
            }
            let mut bad = one.block_bytes().to_vec();
            let at = flip % bad.len();
            bad[at] ^= 1;
            let bad = Ciphertext::from_parts(bad, one.hmac().to_owned(), one.salt().to_owned());
            for parallel in [false, true] {
                let o = DecryptOptions::new().parallel(parallel);
                prop_assert_eq!(bytes_decrypt(&bad, &key, &o), Err(CipherError::Authentication));
            }
        }
    }
}
