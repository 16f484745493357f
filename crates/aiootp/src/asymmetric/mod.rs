//! X25519 (plain exchange, 2DH and 3DH) and Ed25519, interoperable with
//! aiootp 0.17.0 (spec `asymmetric.md`).
//!
//! **For most cases use** [`Ed25519`] to sign, [`Ed25519PublicKey::verify`]
//! to check, and [`Dh3Client`] / [`Dh3Server`] (or the 2DH pair when the
//! client has no long-term key) to agree on a key, then take subkeys with
//! [`Kdf::derive_key`].
//!
//! ```
//! use aiootp::asymmetric::{Dh3Client, Dh3Server, DhRole, Ed25519, X25519};
//!
//! // Signatures: pure Ed25519 (RFC 8032), byte-identical to the reference.
//! let signer = Ed25519::generate()?;
//! let sig = signer.sign(b"DesignDocument.cad");
//! signer.public_key().verify(sig.as_bytes(), b"DesignDocument.cad")?;
//!
//! // 3DH: one round trip; messages serialize to the oracle's JSON bodies.
//! let server_identity = X25519::generate()?;
//! let server_a = *server_identity.public_key();     // published out of band
//! let server = Dh3Server::new(server_identity);
//! let client = Dh3Client::new(X25519::generate()?)?.expect_server_identity(server_a);
//! let hello = serde_json::to_string(&client.hello()).unwrap();
//! let (response, pending) = server.respond(&serde_json::from_str(&hello).unwrap())?;
//! let client_kdf = client.finish(&response)?;
//! let server_kdf = pending.finish()?;
//! assert_eq!(client_kdf.digest(), server_kdf.digest()); // compat value
//! let key = client_kdf.derive_key(b"file encryption"); // hardened subkey
//! assert_eq!(key, server_kdf.derive_key(b"file encryption"));
//! // Key confirmation: each side sends its tag, checks the other's.
//! server_kdf.check_confirmation_tag(DhRole::Client, &client_kdf.confirmation_tag(DhRole::Client))?;
//! # Ok::<(), aiootp::error::AsymmetricError>(())
//! ```
//!
//! # The reference's API in Rust
//!
//! | aiootp 0.17.0 | here |
//! | --- | --- |
//! | `X25519().generate()`, `Ed25519().generate()` | [`X25519::generate`], [`Ed25519::generate`] |
//! | `import_secret_key(hex or bytes)` | `from_secret_hex`, `from_secret_bytes`, `from_secret_array` |
//! | `import_public_key(…)` | [`X25519PublicKey`] / [`Ed25519PublicKey`]: `from_hex`, `from_bytes`, `From<[u8; 32]>`, `FromStr` |
//! | `secret_bytes`, `public_bytes` | `expose_secret()`, `public_key().as_bytes()` (`to_hex()` for text) |
//! | `exchange(public_key)` | [`X25519::exchange`] → [`SharedKey`] |
//! | `sign(data)`, `verify(sig, data, public_key=…)` | [`Ed25519::sign`], [`Ed25519PublicKey::verify`] |
//! | `dh2_client()` / `dh2_server(a, D)` | [`Dh2Client`] / [`Dh2Server`] + [`PendingServer`] |
//! | `dh3_client(b)` / `dh3_server(a, B, D)` | [`Dh3Client`] / [`Dh3Server`] + [`PendingServer`] |
//! | the result (`hashlib.sha3_512`) | [`Kdf`] |
//! | `agenerate`, `asign`, `aexchange`, `adh3_client`, … | the same sync calls (below) |
//!
//! Key text is parsed with Python's `bytes.fromhex` rules and the same
//! error texts (spec §11): `No key material or object given.`,
//! `non-hexadecimal number found in fromhex() arg at position N`, and the
//! backend's `An X25519 public key is 32 bytes long` family (for an X25519
//! *private* key the backend appends an OpenSSL error string, which is
//! left out here). [`AsymmetricError::reference_exception`] names the
//! Python exception class of each error.
//!
//! Deliberate differences, all at the type level: a key object always
//! holds its secret (the reference's empty instance, second
//! `import_secret_key` `PermissionError`, missing-key `AttributeError` and
//! `import_public_key` overwriting the public key of a secret key, quirk
//! 4, cannot be expressed); peer keys, messages and signatures are bytes
//! or hex only (no key objects, no `bytearray`/`str` type errors); a
//! protocol flow cannot be restarted (quirk 10) because each step consumes
//! the previous state.
//!
//! # Cross-curve imports
//!
//! The reference accepts a key object of either curve in either class and
//! keeps only its 32 raw bytes (spec §2.2, vectors `cross_type_imports`).
//! Here that is explicit, never implicit:
//!
//! ```
//! use aiootp::asymmetric::{Ed25519, X25519, X25519PublicKey};
//!
//! let ed = Ed25519::from_secret_array(core::array::from_fn(|i| i as u8));
//! let x = X25519::from_secret_bytes(ed.expose_secret())?;       // seed used as a scalar
//! assert_eq!(x.public_key().to_hex(), "8f40c5adb68f25624ae5b214ea767a6ec94d829d3d7b5e1ad1ba6f3e2138285f");
//! let u = X25519PublicKey::from(ed.public_key().to_bytes());    // point bytes as a u-coordinate
//! assert_eq!(u.as_bytes(), ed.public_key().as_bytes());
//! let back = Ed25519::from_secret_bytes(x.expose_secret())?;    // scalar used as a seed
//! assert_eq!(back.public_key(), ed.public_key());
//! # Ok::<(), aiootp::error::AsymmetricError>(())
//! ```
//!
//! Reusing one secret on both curves is weakness A7 below: don't, unless
//! you must reproduce a reference program that does.
//!
//! # Async
//!
//! Every operation here takes microseconds (a signature or an exchange is
//! tens of microseconds, a whole 3DH exchange well under a millisecond),
//! so there are no `spawn_blocking` twins: **the sync API is the async
//! API**. Call these functions directly from async code; the reference's
//! `a`-prefixed twins (`agenerate`, `asign`, `averify`, `aexchange`,
//! `adh2_client`, …) map to the same calls.
//!
//! # Ed25519 verification semantics
//!
//! [`Ed25519PublicKey::verify`] is ed25519-dalek's `verify` (cofactorless,
//! `s < L` required, `R` compared as bytes), not `verify_strict`: that is
//! what OpenSSL, the reference's backend, does. `verify_strict`
//! additionally rejects small-order public keys and `R` values, which
//! OpenSSL accepts, so it would refuse signatures the reference accepts.
//! `tests/wycheproof.rs` runs the Wycheproof Ed25519 and X25519 sets and
//! a file of extra edge cases with OpenSSL's verdicts through these
//! wrappers.
//!
//! # Security: weaknesses of the reference's design
//!
//! The compat functions reproduce the reference, including the gaps of
//! its protocol design (spec §14.2). Known, and what this module offers:
//!
//! - **A1, no peer authentication.** Neither side checks the other's
//!   identity key, so an active attacker can substitute his own and
//!   complete both halves. Offered: [`Dh2Client::expect_server_identity`],
//!   [`Dh3Client::expect_server_identity`] and
//!   [`Dh3Server::expect_client_identity`] (constant-time comparison with
//!   a key you verified out of band). Without them the exchange is
//!   anonymous and only resists passive attackers.
//! - **A2, no transcript binding.** The reference hashes only the DH
//!   outputs. Offered: [`Kdf::derive_key`] also hashes the protocol, all
//!   four public keys and a label.
//! - **A3, no key confirmation.** Offered: [`Kdf::confirmation_tag`] /
//!   [`Kdf::check_confirmation_tag`].
//! - **A4, the result is a bare hash state** that applications `digest()`
//!   into one key for everything. Offered: labelled 64-byte subkeys from
//!   [`Kdf::derive_key`], one per purpose.
//! - **A5, interactive only, no signed or one-time prekeys;** 2DH
//!   authenticates nobody. Not offered (that would be X3DH, another
//!   protocol); use 3DH with expected identities.
//! - **A6, Ed25519 without domain separation.** Offered:
//!   [`Ed25519::sign_labelled`] / [`Ed25519PublicKey::verify_labelled`]
//!   (not readable by the reference).
//! - **A7, key-type confusion:** the same 32 bytes work as an X25519
//!   scalar and an Ed25519 seed (see Cross-curve imports). Use separate
//!   keys.
//! - **A8, low-order inputs:** every exchange here checks for the
//!   all-zero result (RFC 7748 §6.1) itself and fails with
//!   [`AsymmetricError::LowOrderPoint`], as the reference's backend does.
//!
//! Secrets ([`X25519`], [`Ed25519`], [`SharedKey`], [`Kdf`],
//! [`DerivedKey`]) are zeroized on drop, print no secret in `Debug`, and
//! compare in constant time. This code is unaudited.

mod dh;
mod ed25519;
mod hex;
mod kdf;
mod x25519;

pub use dh::{
    Dh2Client, Dh2Hello, Dh2Server, Dh3Client, Dh3Hello, Dh3Server, DhResponse, PendingServer,
};
pub use ed25519::{Ed25519, Ed25519PublicKey, Ed25519Signature};
pub use kdf::{DerivedKey, DhProtocol, DhRole, Kdf};
pub use x25519::{SharedKey, X25519, X25519PublicKey};

use crate::error::AsymmetricError;

/// `X25519(secret, peer)` (RFC 7748) with the all-zero output check of
/// RFC 7748 §6.1: a low-order peer key is refused as the reference
/// refuses it.
///
/// # Errors
/// [`AsymmetricError::LowOrderPoint`] when the result is all zeros.
#[allow(dead_code)] // for the Ropake module
pub(crate) fn raw_exchange(
    secret: &[u8; 32],
    peer: &[u8; 32],
) -> Result<[u8; 32], AsymmetricError> {
    x25519::checked_dh(secret, &x25519::PreparedPeer::new(peer))
        .map(|shared| *shared.expose_secret())
}

/// `X25519(secret, 9)`: the public key of an X25519 secret.
#[allow(dead_code)] // for the Ropake module
pub(crate) fn raw_public(secret: &[u8; 32]) -> [u8; 32] {
    x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(*secret)).to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_functions_match_the_wrappers() {
        let secret = [0x5a; 32];
        let key = X25519::from_secret_array(secret);
        assert_eq!(raw_public(&secret), key.public_key().to_bytes());
        let peer = raw_public(&[3; 32]);
        assert_eq!(
            raw_exchange(&secret, &peer).unwrap(),
            *key.exchange(&X25519PublicKey::from(peer))
                .unwrap()
                .expose_secret()
        );
        assert_eq!(
            raw_exchange(&secret, &[0; 32]),
            Err(AsymmetricError::LowOrderPoint)
        );
    }
}
