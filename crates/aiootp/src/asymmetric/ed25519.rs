//! Ed25519 keys, signing and verification (pure Ed25519, RFC 8032),
//! spec `asymmetric.md` §5.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use ed25519_dalek::ed25519::signature::{MultipartSigner, MultipartVerifier};
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use subtle::ConstantTimeEq;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use super::hex::{key_from_hex, key_from_slice, python_fromhex};
use crate::error::AsymmetricError;
use crate::secret::SecretString;

const SECRET_WHAT: &str = "An Ed25519 private key";
const PUBLIC_WHAT: &str = "An Ed25519 public key";

/// Domain prefix of [`Ed25519::sign_labelled`] (not a compat format).
const LABELLED_PREFIX: &[u8] = b"aiootp-rs/ed25519/labelled/v1";

/// An Ed25519 signing key (a 32-byte RFC 8032 seed) and its public key.
///
/// Zeroized on drop, `Debug` shows only the public key, `==` compares the
/// seeds in constant time.
///
/// ```
/// use aiootp::asymmetric::{Ed25519, Ed25519PublicKey};
///
/// let signer = Ed25519::generate()?;
/// let signature = signer.sign(b"DesignDocument.cad");
/// // Publish `signer.public_key().to_hex()`; a verifier parses it back.
/// let public: Ed25519PublicKey = signer.public_key().to_hex().parse()?;
/// public.verify(signature.as_bytes(), b"DesignDocument.cad")?;
/// assert!(public.verify(signature.as_bytes(), b"another document").is_err());
/// # Ok::<(), aiootp::error::AsymmetricError>(())
/// ```
#[derive(Clone)]
pub struct Ed25519 {
    key: SigningKey,
    public: Ed25519PublicKey,
}

impl Ed25519 {
    /// A fresh key from the operating system's random number generator.
    ///
    /// # Errors
    /// [`AsymmetricError::Random`] if the generator fails.
    pub fn generate() -> Result<Self, AsymmetricError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        crate::random::fill(seed.as_mut()).map_err(|e| AsymmetricError::Random(e.to_string()))?;
        Ok(Self::from_secret_array(*seed))
    }

    /// Imports a signing key from its 32-byte seed.
    ///
    /// Any 32 bytes are a valid seed, including an X25519 secret
    /// ([`X25519::expose_secret`](super::X25519::expose_secret)): that is
    /// the reference's cross-curve import of an X25519 secret key object
    /// (spec §2.2; weakness A7: prefer separate keys).
    ///
    /// # Errors
    /// [`AsymmetricError::MissingKeyMaterial`] for an empty slice,
    /// [`AsymmetricError::KeyLength`] for any other length than 32.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, AsymmetricError> {
        let seed = Zeroizing::new(key_from_slice(bytes, SECRET_WHAT)?);
        Ok(Self::from_secret_array(*seed))
    }

    /// Imports a signing key from hex text, with Python's `bytes.fromhex`
    /// rules.
    ///
    /// # Errors
    /// [`AsymmetricError::MissingKeyMaterial`] for empty text,
    /// [`AsymmetricError::NonHex`] with the reference's position,
    /// [`AsymmetricError::KeyLength`] when it does not decode to 32 bytes.
    pub fn from_secret_hex(text: &str) -> Result<Self, AsymmetricError> {
        let seed = Zeroizing::new(key_from_hex(text, SECRET_WHAT)?);
        Ok(Self::from_secret_array(*seed))
    }

    /// Imports a signing key from a 32-byte seed array (infallible).
    #[must_use]
    pub fn from_secret_array(seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        let verifying = key.verifying_key();
        let public = Ed25519PublicKey {
            bytes: verifying.to_bytes(),
            point: Some(verifying),
        };
        Self { key, public }
    }

    /// The 32-byte seed, exactly as created or imported.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; 32] {
        self.key.as_bytes()
    }

    /// The seed as lowercase hex text (zeroized on drop).
    #[must_use]
    pub fn secret_hex(&self) -> SecretString {
        SecretString::new(crate::random::to_hex(self.key.as_bytes()))
    }

    /// The public key (RFC 8032 encoding).
    #[must_use]
    pub fn public_key(&self) -> &Ed25519PublicKey {
        &self.public
    }

    /// Signs exactly `message` with pure Ed25519 (RFC 8032 §5.1.6):
    /// deterministic, no pre-hash, no context. This is the reference's
    /// `sign`.
    #[must_use]
    pub fn sign(&self, message: &[u8]) -> Ed25519Signature {
        Ed25519Signature(sign_parts(&self.key, &[message]))
    }

    /// Verifies a signature of `message` under this key's public key
    /// (shorthand for `self.public_key().verify(..)`).
    ///
    /// # Errors
    /// [`AsymmetricError::InvalidSignature`] for every failure.
    pub fn verify(&self, signature: &[u8], message: &[u8]) -> Result<(), AsymmetricError> {
        self.public.verify(signature, message)
    }

    /// **Hardened, not compat.** Signs `message` under a `label` that
    /// names its purpose, so a signature made for one purpose never
    /// verifies for another (weakness A6). What is signed is
    /// `"aiootp-rs/ed25519/labelled/v1" ‖ u64le(len(label)) ‖ label ‖ message`;
    /// verify with [`Ed25519PublicKey::verify_labelled`]. The reference's
    /// `verify` does not accept these signatures for `message` alone.
    #[must_use]
    pub fn sign_labelled(&self, label: &[u8], message: &[u8]) -> Ed25519Signature {
        let len = (label.len() as u64).to_le_bytes();
        Ed25519Signature(sign_parts(
            &self.key,
            &[LABELLED_PREFIX, &len, label, message],
        ))
    }
}

/// Signs the concatenation of `parts` (dalek's multipart signing, no
/// copy). `multipart_sign` cannot fail for this key type: dalek's
/// `try_multipart_sign` returns `Ok` of its infallible `raw_sign`.
fn sign_parts(key: &SigningKey, parts: &[&[u8]]) -> [u8; 64] {
    key.multipart_sign(parts).to_bytes()
}

impl fmt::Debug for Ed25519 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ed25519")
            .field("secret", &"***")
            .field("public", &self.public)
            .finish()
    }
}

impl PartialEq for Ed25519 {
    fn eq(&self, other: &Self) -> bool {
        self.key.as_bytes().ct_eq(other.key.as_bytes()).into()
    }
}

impl Eq for Ed25519 {}

impl ZeroizeOnDrop for Ed25519 {}

/// An Ed25519 public key: 32 bytes (RFC 8032 encoding).
///
/// Like the reference, import accepts **any** 32 bytes without checking
/// that they encode a curve point; a key that does not decode makes every
/// verification fail with [`AsymmetricError::InvalidSignature`]. The
/// point is decoded once, at import.
#[derive(Clone, Copy)]
pub struct Ed25519PublicKey {
    bytes: [u8; 32],
    /// The decoded point, `None` when the bytes are not a point.
    point: Option<VerifyingKey>,
}

impl Ed25519PublicKey {
    /// Parses 32 raw bytes (any 32 bytes; see the type's docs).
    ///
    /// An X25519 public key's bytes are accepted too and reinterpreted as
    /// an Edwards encoding, as the reference does (no birational map).
    ///
    /// # Errors
    /// [`AsymmetricError::MissingKeyMaterial`] for an empty slice,
    /// [`AsymmetricError::KeyLength`] for any other length than 32.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AsymmetricError> {
        key_from_slice(bytes, PUBLIC_WHAT).map(Self::from)
    }

    /// Parses hex text with Python's `bytes.fromhex` rules.
    ///
    /// # Errors
    /// As [`Ed25519::from_secret_hex`].
    pub fn from_hex(text: &str) -> Result<Self, AsymmetricError> {
        key_from_hex(text, PUBLIC_WHAT).map(Self::from)
    }

    /// The 32 bytes, as given.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// The 32 bytes, by value.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 32] {
        self.bytes
    }

    /// Lowercase hex text (64 characters).
    #[must_use]
    pub fn to_hex(&self) -> String {
        crate::random::to_hex(&self.bytes)
    }

    /// Whether the bytes decode to a curve point (the reference does not
    /// check this at import; a key for which this is `false` verifies
    /// nothing).
    #[must_use]
    pub fn is_valid_point(&self) -> bool {
        self.point.is_some()
    }

    /// Verifies `signature` over exactly `message` (pure Ed25519).
    ///
    /// Matches the reference's backend (OpenSSL) bit for bit: the
    /// cofactorless equation `[s]B = R + [k]A` with `s < L` required, `R`
    /// compared as bytes with the canonical encoding of the recomputed
    /// point, the public key hashed as given, and no rejection of
    /// small-order `A` or `R` (this is ed25519-dalek's `verify`, not
    /// `verify_strict`, which rejects small-order points that OpenSSL
    /// accepts). Checked against Wycheproof and extra OpenSSL edge cases
    /// in `tests/wycheproof.rs`.
    ///
    /// Any `signature` length is accepted as input; anything but 64 bytes
    /// fails.
    ///
    /// # Errors
    /// [`AsymmetricError::InvalidSignature`] for every failure: wrong
    /// message or key, altered signature, wrong length, non-canonical `s`,
    /// a public key that is not a point. It says nothing about which.
    pub fn verify(&self, signature: &[u8], message: &[u8]) -> Result<(), AsymmetricError> {
        self.verify_parts(signature, &[message])
    }

    /// **Hardened, not compat.** Verifies a signature made by
    /// [`Ed25519::sign_labelled`] with the same `label`.
    ///
    /// # Errors
    /// [`AsymmetricError::InvalidSignature`] for every failure.
    pub fn verify_labelled(
        &self,
        signature: &[u8],
        label: &[u8],
        message: &[u8],
    ) -> Result<(), AsymmetricError> {
        let len = (label.len() as u64).to_le_bytes();
        self.verify_parts(signature, &[LABELLED_PREFIX, &len, label, message])
    }

    fn verify_parts(&self, signature: &[u8], parts: &[&[u8]]) -> Result<(), AsymmetricError> {
        let point = self
            .point
            .as_ref()
            .ok_or(AsymmetricError::InvalidSignature)?;
        let bytes =
            <&[u8; 64]>::try_from(signature).map_err(|_| AsymmetricError::InvalidSignature)?;
        point
            .multipart_verify(parts, &Signature::from_bytes(bytes))
            .map_err(|_| AsymmetricError::InvalidSignature)
    }
}

impl From<[u8; 32]> for Ed25519PublicKey {
    fn from(bytes: [u8; 32]) -> Self {
        Self {
            bytes,
            point: VerifyingKey::from_bytes(&bytes).ok(),
        }
    }
}

impl TryFrom<&[u8]> for Ed25519PublicKey {
    type Error = AsymmetricError;

    fn try_from(bytes: &[u8]) -> Result<Self, AsymmetricError> {
        Self::from_bytes(bytes)
    }
}

impl FromStr for Ed25519PublicKey {
    type Err = AsymmetricError;

    fn from_str(text: &str) -> Result<Self, AsymmetricError> {
        Self::from_hex(text)
    }
}

impl PartialEq for Ed25519PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Ed25519PublicKey {}

impl Hash for Ed25519PublicKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}

impl AsRef<[u8]> for Ed25519PublicKey {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Display for Ed25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Ed25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519PublicKey({})", self.to_hex())
    }
}

impl Serialize for Ed25519PublicKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Ed25519PublicKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// An Ed25519 signature: 64 bytes (`R ‖ s`).
///
/// Public data. Verification takes a byte slice, so a signature received
/// from a peer need not be parsed into this type first.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ed25519Signature([u8; 64]);

impl Ed25519Signature {
    /// Parses 64 raw bytes.
    ///
    /// # Errors
    /// [`AsymmetricError::InvalidSignature`] for any other length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AsymmetricError> {
        <[u8; 64]>::try_from(bytes)
            .map(Self)
            .map_err(|_| AsymmetricError::InvalidSignature)
    }

    /// Parses hex text (Python's `bytes.fromhex` rules; the reference
    /// itself only takes raw bytes).
    ///
    /// # Errors
    /// [`AsymmetricError::NonHex`], or [`AsymmetricError::InvalidSignature`]
    /// when it does not decode to 64 bytes.
    pub fn from_hex(text: &str) -> Result<Self, AsymmetricError> {
        Self::from_bytes(&python_fromhex(text)?)
    }

    /// The 64 bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }

    /// The 64 bytes, by value.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 64] {
        self.0
    }

    /// Lowercase hex text (128 characters).
    #[must_use]
    pub fn to_hex(&self) -> String {
        crate::random::to_hex(&self.0)
    }
}

impl From<[u8; 64]> for Ed25519Signature {
    fn from(bytes: [u8; 64]) -> Self {
        Self(bytes)
    }
}

impl AsRef<[u8]> for Ed25519Signature {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for Ed25519Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Ed25519Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519Signature({})", self.to_hex())
    }
}

impl Serialize for Ed25519Signature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Ed25519Signature {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8032_test_1() {
        let k = Ed25519::from_secret_hex(
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        )
        .unwrap();
        assert_eq!(
            k.public_key().to_hex(),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        let sig = k.sign(b"");
        assert_eq!(
            sig.to_hex(),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
        k.verify(sig.as_bytes(), b"").unwrap();
    }

    #[test]
    fn wrong_lengths_and_bad_points_fail_quietly() {
        let k = Ed25519::from_secret_array([1; 32]);
        let sig = k.sign(b"m");
        for len in [0, 1, 63, 65, 128] {
            let mut s = sig.to_bytes().to_vec();
            s.resize(len, 0);
            assert_eq!(k.verify(&s, b"m"), Err(AsymmetricError::InvalidSignature));
        }
        // y = 2 is not the y of a point.
        let mut bad = [0u8; 32];
        bad[0] = 2;
        let pk = Ed25519PublicKey::from(bad);
        assert!(!pk.is_valid_point());
        assert_eq!(
            pk.verify(sig.as_bytes(), b"m"),
            Err(AsymmetricError::InvalidSignature)
        );
    }

    #[test]
    fn labelled_signatures_are_separated() {
        let k = Ed25519::from_secret_array([2; 32]);
        let sig = k.sign_labelled(b"invoice", b"m");
        let pk = k.public_key();
        pk.verify_labelled(sig.as_bytes(), b"invoice", b"m")
            .unwrap();
        assert!(
            pk.verify_labelled(sig.as_bytes(), b"receipt", b"m")
                .is_err()
        );
        assert!(pk.verify(sig.as_bytes(), b"m").is_err());
        // The length prefix keeps label and message apart.
        let sig2 = k.sign_labelled(b"ab", b"c");
        assert!(pk.verify_labelled(sig2.as_bytes(), b"a", b"bc").is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let k = Ed25519::from_secret_array([0x42; 32]);
        assert!(!format!("{k:?}").contains("4242"));
    }
}
