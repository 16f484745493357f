//! The aiootp 0.17.0 formats, byte for byte.
//!
//! Everything here interoperates with the Python package aiootp 0.17.0:
//! ciphertexts made by one side are read by the other, and the same bad
//! inputs are refused. The format is specified in
//! `docs/format-compat-0.17.md`.

#[cfg(feature = "tokio")]
mod asynchronous;
pub(crate) mod bignum;
pub mod cipher;
mod ciphertext;
pub mod hash;
pub mod hashmap;
mod key;
mod onetimepad;
pub mod passcrypt;
pub mod pyjson;
pub mod pyserde;
pub mod pyvalue;
pub mod ratchet;
mod tag;
mod unicode;

#[cfg(feature = "tokio")]
pub use asynchronous::AsyncOneTimePad;
pub use cipher::{DecryptOptions, EncryptOptions};
pub use ciphertext::{
    BLOCK_BYTES, Ciphertext, HMAC_BYTES, SALT_BYTES, URL_SAFE_TABLE, bytes_to_urlsafe,
    urlsafe_to_bytes,
};
pub use key::{Key, Salt};
pub use onetimepad::{Keys, OneTimePad};
pub use pyvalue::{PyInt, PyValue};
