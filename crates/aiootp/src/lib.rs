//! # aiootp
//!
//! A Rust implementation of the system of the Python library aiootp 0.17.0
//! (a Keccak stream cipher with authenticated bytes and JSON encryption,
//! salts, `pid` stream separation and time-to-live, an encrypted database,
//! X25519/Ed25519 and the Ropake exchange), in two formats: **AOT2**, the
//! hardened default for new data, and **compat**, byte for byte the format
//! of Python aiootp 0.17.0.
//!
//! **For new data use [`seal`] and [`open`]** (AOT2) with an [`Aot2Key`]
//! (or an [`Aot2Password`]) and [`Options`] (ctx = the seed's `pid`, ttl):
//!
//! ```
//! use aiootp::{Aot2Key, Options};
//!
//! let key = Aot2Key::generate()?;
//! let options = Options::new().ctx("ledger").ttl(3600);
//! let msg = aiootp::seal_json(&key, &serde_json::json!({"account": 3311149}), &options)?;
//! let back: serde_json::Value = aiootp::open_json(&key, &msg, &options)?;
//! assert_eq!(back["account"], 3311149);
//! # Ok::<(), aiootp::Error>(())
//! ```
//!
//! Streams and large files: [`aot2::Sealer`] / [`aot2::Opener`]; text
//! tokens: [`aot2::seal_token`]. Every failure to authenticate is one
//! error, and nothing unverified is returned.
//!
//! **For data shared with Python aiootp 0.17.0 use [`OneTimePad`]**: it
//! carries a key and encrypts bytes or any `serde` value into a
//! [`Ciphertext`] that Python aiootp 0.17.0 decrypts, and back.
//!
//! ```
//! use aiootp::OneTimePad;
//!
//! let pad = OneTimePad::generate()?;
//! let ct = pad.json_encrypt(&serde_json::json!({"account": 3311149}))?;
//! let text = ct.to_json();                // {"ciphertext": [...], "hmac": "...", "salt": "..."}
//! let back: serde_json::Value = pad.json_decrypt(&aiootp::Ciphertext::from_json(&text)?)?;
//! assert_eq!(back["account"], 3311149);
//! # Ok::<(), aiootp::Error>(())
//! ```
//!
//! ## Layout
//! - [`aot2`]: the hardened AOT2 format for new data (chunked SIV on
//!   TurboSHAKE256/KT256; one-shot, JSON, tokens, streaming, threads).
//! - [`compat`]: the aiootp 0.17.0 formats, byte for byte.
//! - [`db`]: the transparently encrypted database ([`Database`],
//!   [`AsyncDatabase`](db::AsyncDatabase)), aiootp 0.17.0 directories.
//! - [`asymmetric`]: [`X25519`] (exchange, 2DH, 3DH) and [`Ed25519`].
//! - [`ropake`]: the Ropake password-authenticated key exchange.
//! - [`iter`]: the generator toolkit (the seed's `Comprende` methods on
//!   every `Iterator` and `Stream`).
//! - [`keygen`], [`data`], [`timing`]: key helpers (table keys,
//!   mnemonics, uuids), the primes and word list, a timing helper.
//! - [`keccak`]: the Keccak permutation and sponges behind all of it.
//! - [`secret`]: key newtypes (zeroized, redacted, constant-time equality).
//! - [`random`]: the OS random number generator.
//! - [`error`]: one error enum per layer and the umbrella [`Error`].
//!
//! ## Security
//! This code is unaudited. The compat format reproduces the reference's
//! design, including its weaknesses (see `docs/format-compat-0.17.md` and
//! `SECURITY.md`): use it to read and write data shared with Python
//! aiootp, not as a general-purpose AEAD.
#![deny(missing_docs)]
// The exceptions: the run-time CPU feature dispatch of `keccak::x1` (BMI),
// `keccak::x4` (AVX2) and `keccak::x8` (AVX-512F), one `unsafe` call each.
#![deny(unsafe_code)]

pub mod aot2;
pub mod asymmetric;
pub mod compat;
pub mod data;
pub mod db;
pub mod error;
pub mod iter;
pub mod keccak;
pub mod keygen;
pub mod random;
pub mod ropake;
pub mod secret;
pub mod timing;

pub use aot2::{Aot2Key, Aot2Password, Options, open, open_json, seal, seal_json};
pub use asymmetric::{Ed25519, X25519};
pub use compat::{Ciphertext, OneTimePad};
pub use db::Database;
pub use error::Error;
