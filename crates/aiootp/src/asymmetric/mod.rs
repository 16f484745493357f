//! X25519 (plain exchange, 2DH and 3DH) and Ed25519, interoperable with
//! aiootp 0.17.0 (spec `asymmetric.md`).
//!
//! (Being written: the public API lands with issue 4.)

use crate::error::AsymmetricError;

/// `X25519(secret, peer)` (RFC 7748) with the all-zero output check of
/// RFC 7748 §6.1: a low-order peer key is refused as the reference
/// refuses it.
///
/// # Errors
/// [`AsymmetricError::LowOrderPoint`] when the result is all zeros.
pub(crate) fn raw_exchange(
    secret: &[u8; 32],
    peer: &[u8; 32],
) -> Result<[u8; 32], AsymmetricError> {
    let shared = x25519_dalek::x25519(*secret, *peer);
    if crate::secret::ct_eq(&shared, &[0u8; 32]) {
        return Err(AsymmetricError::LowOrderPoint);
    }
    Ok(shared)
}

/// `X25519(secret, 9)`: the public key of an X25519 secret.
pub(crate) fn raw_public(secret: &[u8; 32]) -> [u8; 32] {
    x25519_dalek::x25519(*secret, x25519_dalek::X25519_BASEPOINT_BYTES)
}
