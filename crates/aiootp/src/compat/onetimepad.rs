//! [`OneTimePad`] and [`Keys`]: the reference's classes that carry a key
//! (spec `cipher.md` §10, §16, §17).

use crate::keccak::Sha3_256;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::PyValue;
use super::cipher::{self, DecryptOptions, EncryptOptions};
use super::ciphertext::Ciphertext;
use super::key::{Key, Salt};
use super::ratchet::{BytesKeyStream, KeyStream};
use crate::error::{CipherError, Error};
use crate::random;
use crate::secret::ct_eq;

/// The aiootp 0.17.0 cipher with its key: authenticated bytes and JSON
/// encryption that Python aiootp 0.17.0 reads, and back.
///
/// ```
/// use aiootp::compat::{DecryptOptions, EncryptOptions, Key};
/// use aiootp::OneTimePad;
///
/// let pad = OneTimePad::new(Key::generate()?);
/// let ct = pad.bytes_encrypt_with(b"attack at dawn", &EncryptOptions::new().pid("chat:1"))?;
/// let pt = pad.bytes_decrypt_with(&ct, &DecryptOptions::new().pid("chat:1").ttl(60))?;
/// assert_eq!(pt, b"attack at dawn");
/// # Ok::<(), aiootp::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct OneTimePad {
    keyring: Keys,
}

impl OneTimePad {
    /// A pad with this key.
    #[must_use]
    pub fn new(key: Key) -> Self {
        Self {
            keyring: Keys::new(key),
        }
    }

    /// A pad with a fresh random key (128 hex characters).
    ///
    /// # Errors
    /// [`Error::Random`] if the operating system's generator fails.
    pub fn generate() -> Result<Self, Error> {
        Ok(Self::new(Key::generate()?))
    }

    /// The key.
    #[must_use]
    pub fn key(&self) -> &Key {
        self.keyring.key()
    }

    /// The keyring holding the key ([`Keys`]).
    #[must_use]
    pub fn keyring(&self) -> &Keys {
        &self.keyring
    }

    /// Encrypts bytes with a fresh salt and pid `0`.
    ///
    /// # Errors
    /// As [`cipher::bytes_encrypt`].
    pub fn bytes_encrypt(&self, data: &[u8]) -> Result<Ciphertext, Error> {
        self.bytes_encrypt_with(data, &EncryptOptions::default())
    }

    /// Encrypts bytes with these options.
    ///
    /// # Errors
    /// As [`cipher::bytes_encrypt`].
    pub fn bytes_encrypt_with(
        &self,
        data: &[u8],
        options: &EncryptOptions,
    ) -> Result<Ciphertext, Error> {
        cipher::bytes_encrypt(data, self.key(), options)
    }

    /// Decrypts bytes encrypted with pid `0`, with no age limit.
    ///
    /// # Errors
    /// As [`cipher::bytes_decrypt`].
    pub fn bytes_decrypt(&self, ciphertext: &Ciphertext) -> Result<Vec<u8>, CipherError> {
        self.bytes_decrypt_with(ciphertext, &DecryptOptions::default())
    }

    /// Decrypts bytes with these options (pid, ttl).
    ///
    /// # Errors
    /// As [`cipher::bytes_decrypt`].
    pub fn bytes_decrypt_with(
        &self,
        ciphertext: &Ciphertext,
        options: &DecryptOptions,
    ) -> Result<Vec<u8>, CipherError> {
        cipher::bytes_decrypt(ciphertext, self.key(), options)
    }

    /// Encrypts any `serde` value as Python's `json.dumps` text.
    ///
    /// # Errors
    /// As [`cipher::json_encrypt`].
    pub fn json_encrypt<T: Serialize + ?Sized>(&self, value: &T) -> Result<Ciphertext, Error> {
        self.json_encrypt_with(value, &EncryptOptions::default())
    }

    /// Encrypts any `serde` value with these options.
    ///
    /// # Errors
    /// As [`cipher::json_encrypt`].
    pub fn json_encrypt_with<T: Serialize + ?Sized>(
        &self,
        value: &T,
        options: &EncryptOptions,
    ) -> Result<Ciphertext, Error> {
        cipher::json_encrypt(value, self.key(), options)
    }

    /// Decrypts a JSON message (pid `0`, no age limit) into any `serde` type.
    ///
    /// # Errors
    /// As [`cipher::json_decrypt`].
    pub fn json_decrypt<T: DeserializeOwned>(
        &self,
        ciphertext: &Ciphertext,
    ) -> Result<T, CipherError> {
        self.json_decrypt_with(ciphertext, &DecryptOptions::default())
    }

    /// Decrypts a JSON message with these options into any `serde` type.
    ///
    /// # Errors
    /// As [`cipher::json_decrypt`].
    pub fn json_decrypt_with<T: DeserializeOwned>(
        &self,
        ciphertext: &Ciphertext,
        options: &DecryptOptions,
    ) -> Result<T, CipherError> {
        cipher::json_decrypt(ciphertext, self.key(), options)
    }

    /// The `keys` stream of this key (hex outputs; hazmat).
    ///
    /// # Errors
    /// As [`KeyStream::new`].
    pub fn keys(&self, salt: Option<&Salt>, pid: &PyValue) -> Result<KeyStream, Error> {
        self.keyring.keys(salt, pid)
    }

    /// The `bytes_keys` stream of this key (hazmat).
    ///
    /// # Errors
    /// As [`BytesKeyStream::new`].
    pub fn bytes_keys(&self, salt: Option<&Salt>, pid: &PyValue) -> Result<BytesKeyStream, Error> {
        self.keyring.bytes_keys(salt, pid)
    }

    /// The padding key for this salt and pid (hazmat).
    ///
    /// # Errors
    /// As [`cipher::padding_key`].
    pub fn padding_key(
        &self,
        salt: &Salt,
        pid: &PyValue,
    ) -> Result<zeroize::Zeroizing<[u8; 64]>, CipherError> {
        cipher::padding_key(self.key(), salt, pid)
    }

    /// The padded plaintext in 256-byte pieces, as the reference's
    /// `plaintext_stream` (hazmat; unauthenticated).
    ///
    /// # Errors
    /// As [`cipher::padding_key`].
    pub fn plaintext_stream(
        &self,
        data: &[u8],
        salt: &Salt,
        pid: &PyValue,
        time: u64,
    ) -> Result<Vec<Vec<u8>>, CipherError> {
        let pk = self.padding_key(salt, pid)?;
        Ok(cipher::pad_bytes(data, &pk, time)
            .chunks(256)
            .map(<[u8]>::to_vec)
            .collect())
    }

    /// `sha_256_hmac(data, key)` with this key (see [`Keys::hmac`]).
    #[must_use]
    pub fn hmac(&self, data: &PyValue) -> String {
        self.keyring.hmac(data)
    }

    /// Checks a tag made by [`OneTimePad::hmac`] (see [`Keys::test_hmac`]).
    ///
    /// # Errors
    /// As [`Keys::test_hmac`].
    pub fn test_hmac(&self, data: &PyValue, hmac: &str) -> Result<(), CipherError> {
        self.keyring.test_hmac(data, hmac)
    }

    /// Whether `a` and `b` have the same Python text, compared in
    /// constant time (see [`Keys::time_safe_equality`]).
    #[must_use]
    pub fn time_safe_equality(&self, a: &PyValue, b: &PyValue) -> bool {
        self.keyring.time_safe_equality(a, b)
    }
}

/// A keyring: a key and the helpers bound to it (the reference's `Keys`).
#[derive(Clone, Debug)]
pub struct Keys {
    key: Key,
}

impl Keys {
    /// A keyring with this key.
    #[must_use]
    pub fn new(key: Key) -> Self {
        Self { key }
    }

    /// A keyring with a fresh random key.
    ///
    /// # Errors
    /// [`Error::Random`] if the operating system's generator fails.
    pub fn generate() -> Result<Self, Error> {
        Ok(Self::new(Key::generate()?))
    }

    /// The key.
    #[must_use]
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Replaces the key (a fresh random one when `None`).
    ///
    /// # Errors
    /// [`Error::Random`] if the operating system's generator fails.
    pub fn reset(&mut self, key: Option<Key>) -> Result<(), Error> {
        self.key = match key {
            Some(k) if !k.is_empty() => k,
            _ => Key::generate()?,
        };
        Ok(())
    }

    /// The `keys` stream of this key (hazmat).
    ///
    /// # Errors
    /// As [`KeyStream::new`].
    pub fn keys(&self, salt: Option<&Salt>, pid: &PyValue) -> Result<KeyStream, Error> {
        KeyStream::new(&self.key, salt, pid)
    }

    /// The `bytes_keys` stream of this key (hazmat).
    ///
    /// # Errors
    /// As [`BytesKeyStream::new`].
    pub fn bytes_keys(&self, salt: Option<&Salt>, pid: &PyValue) -> Result<BytesKeyStream, Error> {
        BytesKeyStream::new(&self.key, salt, pid)
    }

    /// `keyring[pid]`: a `keys` stream with a fresh random salt (read it
    /// back with [`KeyStream::salt`]).
    ///
    /// # Errors
    /// As [`KeyStream::new`].
    pub fn stream(&self, pid: &PyValue) -> Result<KeyStream, Error> {
        KeyStream::new(&self.key, None, pid)
    }

    /// `sha_256_hmac(data, key)`: the reference's keyed hash of a value's
    /// Python text, 64 hex characters.
    #[must_use]
    pub fn hmac(&self, data: &PyValue) -> String {
        sha_256_hmac_with(&data.repr(), self.key.repr())
    }

    /// Checks `hmac` against [`Keys::hmac`] of `data`, in constant time.
    ///
    /// # Errors
    /// [`CipherError::MissingHmac`] for an empty tag,
    /// [`CipherError::Authentication`] for a tag that does not match.
    pub fn test_hmac(&self, data: &PyValue, hmac: &str) -> Result<(), CipherError> {
        if hmac.is_empty() {
            return Err(CipherError::MissingHmac);
        }
        if ct_eq(self.hmac(data).as_bytes(), hmac.as_bytes()) {
            Ok(())
        } else {
            Err(CipherError::Authentication)
        }
    }

    /// Whether `a` and `b` have the same Python text. Both are hashed with
    /// the key and a fresh random salt before a constant-time comparison,
    /// as the reference does.
    #[must_use]
    pub fn time_safe_equality(&self, a: &PyValue, b: &PyValue) -> bool {
        let salt = random::bytes::<32>().unwrap_or([0; 32]);
        let h = |v: &PyValue| -> [u8; 32] {
            let mut s = Sha3_256::new();
            s.update(self.key.repr().as_bytes());
            s.update(salt);
            s.update(v.repr().as_bytes());
            s.finalize()
        };
        ct_eq(&h(a), &h(b))
    }
}

/// `sha_256_hmac` from the `repr` texts of the data and the key.
fn sha_256_hmac_with(data_repr: &str, key_repr: &str) -> String {
    let inner = random::to_hex(&Sha3_256::digest(
        format!("({data_repr}, {key_repr})").as_bytes(),
    ));
    super::tag::sha_256_hmac_of_hex_inner(&inner, key_repr)
}
