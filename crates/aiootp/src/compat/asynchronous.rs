//! [`AsyncOneTimePad`]: the async face of [`OneTimePad`] (feature
//! `tokio`, on by default).
//!
//! Every method runs the cipher on tokio's blocking pool
//! (`spawn_blocking`), so a large encryption never stalls the runtime.
//! The bytes produced are exactly those of the synchronous API.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::cipher::{self, DecryptOptions, EncryptOptions};
use super::ciphertext::Ciphertext;
use super::key::Key;
use super::onetimepad::OneTimePad;
use super::{PyValue, pyserde};
use crate::error::{CipherError, Error};

/// The async twin of [`OneTimePad`]; cheap to clone and share.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aiootp::Error> {
/// use aiootp::compat::AsyncOneTimePad;
///
/// let pad = AsyncOneTimePad::generate()?;
/// let ct = pad.json_encrypt(&vec!["queen b"]).await?;
/// let back: Vec<String> = pad.json_decrypt(ct).await?;
/// assert_eq!(back, ["queen b"]);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct AsyncOneTimePad {
    inner: Arc<OneTimePad>,
}

async fn blocking<T, F>(f: F) -> Result<T, Error>
where
    F: FnOnce() -> Result<T, Error> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Task(e.to_string()))?
}

impl AsyncOneTimePad {
    /// A pad with this key.
    #[must_use]
    pub fn new(key: Key) -> Self {
        Self {
            inner: Arc::new(OneTimePad::new(key)),
        }
    }

    /// A pad with a fresh random key.
    ///
    /// # Errors
    /// [`Error::Random`] if the operating system's generator fails.
    pub fn generate() -> Result<Self, Error> {
        Ok(Self::new(Key::generate()?))
    }

    /// The synchronous pad inside.
    #[must_use]
    pub fn sync(&self) -> &OneTimePad {
        &self.inner
    }

    /// The key.
    #[must_use]
    pub fn key(&self) -> &Key {
        self.inner.key()
    }

    /// As [`OneTimePad::bytes_encrypt`].
    ///
    /// # Errors
    /// As [`OneTimePad::bytes_encrypt`].
    pub async fn bytes_encrypt(&self, data: impl Into<Vec<u8>>) -> Result<Ciphertext, Error> {
        self.bytes_encrypt_with(data, EncryptOptions::default())
            .await
    }

    /// As [`OneTimePad::bytes_encrypt_with`].
    ///
    /// # Errors
    /// As [`OneTimePad::bytes_encrypt_with`].
    pub async fn bytes_encrypt_with(
        &self,
        data: impl Into<Vec<u8>>,
        options: EncryptOptions,
    ) -> Result<Ciphertext, Error> {
        let pad = Arc::clone(&self.inner);
        let data = zeroize::Zeroizing::new(data.into());
        blocking(move || pad.bytes_encrypt_with(&data, &options)).await
    }

    /// As [`OneTimePad::bytes_decrypt`].
    ///
    /// # Errors
    /// As [`OneTimePad::bytes_decrypt`].
    pub async fn bytes_decrypt(&self, ciphertext: Ciphertext) -> Result<Vec<u8>, Error> {
        self.bytes_decrypt_with(ciphertext, DecryptOptions::default())
            .await
    }

    /// As [`OneTimePad::bytes_decrypt_with`].
    ///
    /// # Errors
    /// As [`OneTimePad::bytes_decrypt_with`].
    pub async fn bytes_decrypt_with(
        &self,
        ciphertext: Ciphertext,
        options: DecryptOptions,
    ) -> Result<Vec<u8>, Error> {
        let pad = Arc::clone(&self.inner);
        blocking(move || Ok(pad.bytes_decrypt_with(&ciphertext, &options)?)).await
    }

    /// As [`OneTimePad::json_encrypt`].
    ///
    /// # Errors
    /// As [`OneTimePad::json_encrypt`].
    pub async fn json_encrypt<T: Serialize + ?Sized>(
        &self,
        value: &T,
    ) -> Result<Ciphertext, Error> {
        self.json_encrypt_with(value, EncryptOptions::default())
            .await
    }

    /// As [`OneTimePad::json_encrypt_with`].
    ///
    /// # Errors
    /// As [`OneTimePad::json_encrypt_with`].
    pub async fn json_encrypt_with<T: Serialize + ?Sized>(
        &self,
        value: &T,
        options: EncryptOptions,
    ) -> Result<Ciphertext, Error> {
        let value = pyserde::to_value(value)?;
        let pad = Arc::clone(&self.inner);
        blocking(move || pad.json_encrypt_with(&value, &options)).await
    }

    /// As [`OneTimePad::json_decrypt`].
    ///
    /// # Errors
    /// As [`OneTimePad::json_decrypt`].
    pub async fn json_decrypt<T: DeserializeOwned>(
        &self,
        ciphertext: Ciphertext,
    ) -> Result<T, Error> {
        self.json_decrypt_with(ciphertext, DecryptOptions::default())
            .await
    }

    /// As [`OneTimePad::json_decrypt_with`].
    ///
    /// # Errors
    /// As [`OneTimePad::json_decrypt_with`].
    pub async fn json_decrypt_with<T: DeserializeOwned>(
        &self,
        ciphertext: Ciphertext,
        options: DecryptOptions,
    ) -> Result<T, Error> {
        let pad = Arc::clone(&self.inner);
        let value: PyValue = blocking(move || {
            Ok(cipher::json_decrypt_value(
                &ciphertext,
                pad.key(),
                &options,
            )?)
        })
        .await?;
        Ok(pyserde::from_value(value).map_err(CipherError::from)?)
    }
}
