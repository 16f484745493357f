//! Key-ordered hash maps (spec `cipher.md` §15): ciphertext blocks
//! stored in a dictionary under names drawn from a second keystream, as
//! in the reference README's `map_encipher` / `pick` / `map_decipher`.
//!
//! **Unauthenticated** (the reference's design): the mapping carries no
//! tag and [`pick`] stops silently at the first missing name. Use it to
//! exchange data with code built on the reference; use
//! [`crate::OneTimePad`] for new data.

use std::collections::HashMap;

use crate::keccak::Sha3_256;

use super::PyValue;
use super::cipher::{DecryptOptions, EncryptOptions, depad_range, pad_bytes, padding_key};
use super::key::{Key, Salt};
use super::ratchet::{CipherKeystream, KeyStream};
use crate::error::Error;
use crate::random::to_hex;

/// The three pids of a key-ordered hash map.
#[derive(Clone, Debug)]
pub struct MapPids {
    /// pid of the names stream (default `0`).
    pub names: PyValue,
    /// pid of the cipher keystream (default: `sha_256(key, salt)`, a str).
    pub keystream: Option<PyValue>,
    /// pid of the padding key (default `0`).
    pub padding: PyValue,
}

impl Default for MapPids {
    fn default() -> Self {
        Self {
            names: PyValue::from(0i64),
            keystream: None,
            padding: PyValue::from(0i64),
        }
    }
}

impl MapPids {
    /// The cipher keystream of the map (pid `keystream`, default
    /// `sha_256(key, salt)`).
    fn keystream(&self, key: &Key, salt: &Salt) -> CipherKeystream {
        CipherKeystream::new(
            key.repr(),
            &salt.repr(),
            &self.keystream_pid(key, salt).repr(),
        )
    }

    fn keystream_pid(&self, key: &Key, salt: &Salt) -> PyValue {
        self.keystream.clone().unwrap_or_else(|| {
            let text = format!("({}, {})", key.repr(), salt.repr());
            PyValue::Str(to_hex(&Sha3_256::digest(text.as_bytes())))
        })
    }
}

/// The names stream of a map: `keys(key, salt=salt, pid=pids.names)`.
///
/// # Errors
/// [`CipherError::MissingKey`] for an empty key.
pub fn names(key: &Key, salt: &Salt, pid: &PyValue) -> Result<KeyStream, Error> {
    KeyStream::new(key, Some(salt), pid)
}

/// Re-cuts a stream of texts into pieces of `size` characters (a shorter
/// last piece when the stream ends), as the reference's `resize`.
pub fn resize<I: Iterator<Item = String>>(iter: I, size: usize) -> Resize<I> {
    Resize {
        inner: iter,
        size: size.max(1),
        buf: String::new(),
        done: false,
    }
}

/// The iterator of [`resize`].
#[derive(Debug)]
pub struct Resize<I> {
    inner: I,
    size: usize,
    buf: String,
    done: bool,
}

impl<I: Iterator<Item = String>> Iterator for Resize<I> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        while !self.done && self.buf.chars().count() < self.size {
            match self.inner.next() {
                Some(s) => self.buf.push_str(&s),
                None => self.done = true,
            }
        }
        if self.buf.is_empty() {
            return None;
        }
        let cut = self
            .buf
            .char_indices()
            .nth(self.size)
            .map_or(self.buf.len(), |(i, _)| i);
        let rest = self.buf.split_off(cut);
        Some(std::mem::replace(&mut self.buf, rest))
    }
}

/// Pads `plaintext` and enciphers it into `(name, block)` entries in
/// stream order (the reference's `data(padded).map_encipher(names,
/// keystream)`). Blocks are 256-byte big-endian integers.
///
/// # Errors
/// The key and salt checks of [`padding_key`].
pub fn map_encipher(
    key: &Key,
    salt: &Salt,
    pids: &MapPids,
    plaintext: &[u8],
    options: &EncryptOptions,
) -> Result<Vec<(String, [u8; 256])>, Error> {
    let pk = padding_key(key, salt, &pids.padding)?;
    let time = options.time_or_now();
    let padded = pad_bytes(plaintext, &pk, time);
    let mut ks = pids.keystream(key, salt);
    let names = names(key, salt, &pids.names)?;
    Ok(padded
        .chunks_exact(256)
        .zip(names)
        .map(|(chunk, name)| {
            let mut block = [0u8; 256];
            block.copy_from_slice(chunk);
            ks.xor_block(&mut block);
            (name, block)
        })
        .collect())
}

/// Yields `mapping[name]` for each name in order, stopping silently at
/// the first name not in the mapping (the reference's `pick`).
pub fn pick<V, I>(names: I, mapping: &HashMap<String, V>) -> impl Iterator<Item = &V>
where
    I: IntoIterator<Item = String>,
{
    names.into_iter().map_while(move |n| mapping.get(&n))
}

/// Picks the blocks of `mapping` in names order, deciphers and depads
/// them (the reference's `pick(names, mapping).map_decipher(keystream)`
/// then `depad_bytes`). Unauthenticated: a wrong key gives garbage, not
/// an error.
///
/// # Errors
/// The key and salt checks; [`CipherError::Expired`] past the ttl;
/// [`CipherError::InvalidTimestamp`] when no block is found.
///
/// [`CipherError::Expired`]: crate::error::CipherError::Expired
/// [`CipherError::InvalidTimestamp`]: crate::error::CipherError::InvalidTimestamp
pub fn map_decipher(
    key: &Key,
    salt: &Salt,
    pids: &MapPids,
    mapping: &HashMap<String, [u8; 256]>,
    options: &DecryptOptions,
) -> Result<Vec<u8>, Error> {
    let pk = padding_key(key, salt, &pids.padding)?;
    let mut ks = pids.keystream(key, salt);
    let mut data = Vec::new();
    for block in pick(names(key, salt, &pids.names)?, mapping) {
        let mut b = *block;
        ks.xor_block(&mut b);
        data.extend_from_slice(&b);
    }
    let now = options.now_or_now();
    let range = depad_range(&data, &pk, options.ttl_seconds(), now).map_err(Error::from)?;
    Ok(data[range].to_vec())
}
