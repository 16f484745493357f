//! **Hazardous material**: AOT2 with a salt chosen by the caller.
//!
//! The salt must be fresh and random for every message; that is what
//! [`seal`](super::seal) and [`Sealer::new`](super::Sealer::new) do. These
//! functions exist for known-answer vectors, interoperability checks and
//! tests (a repeated salt reveals which chunks of two messages are
//! equal). Do not use them to encrypt data.

use std::io::Write;

use super::format::SALT_LEN;
use super::{KeyMaterial, Options, Sealer, oneshot};
use crate::error::Aot2Error;

/// [`seal`](super::seal) with the given salt instead of a random one.
///
/// # Errors
/// As [`seal`](super::seal).
pub fn seal_with_salt<K: KeyMaterial + ?Sized>(
    key: &K,
    salt: &[u8; SALT_LEN],
    data: &[u8],
    options: &Options,
) -> Result<Vec<u8>, Aot2Error> {
    let keys = key.subkeys(salt, &options.ctx)?;
    oneshot::seal(&keys, salt, options.current_time(), data, options.threads)
}

/// [`Sealer::new`](super::Sealer::new) with the given salt instead of a
/// random one.
///
/// # Errors
/// As [`Sealer::new`](super::Sealer::new).
pub fn sealer_with_salt<W: Write, K: KeyMaterial + ?Sized>(
    writer: W,
    key: &K,
    salt: &[u8; SALT_LEN],
    options: &Options,
) -> Result<Sealer<W>, Aot2Error> {
    Sealer::with_salt(writer, key, salt, options)
}
