//! X25519 keys and the plain exchange (RFC 7748), spec `asymmetric.md` §6.

use std::fmt;
use std::str::FromStr;

use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::montgomery::MontgomeryPoint;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use subtle::ConstantTimeEq;
use x25519_dalek::StaticSecret;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::hex::{key_from_hex, key_from_slice};
use crate::error::AsymmetricError;
use crate::secret::SecretString;

const SECRET_WHAT: &str = "An X25519 private key";
const PUBLIC_WHAT: &str = "An X25519 public key";

/// An X25519 secret key and its public key.
///
/// The secret is kept exactly as created or imported: [`expose_secret`]
/// returns the same 32 bytes, *not* clamped (the reference exports
/// `ff…ff` as `ff…ff`); clamping happens inside every scalar
/// multiplication, as RFC 7748 specifies.
///
/// Zeroized on drop, `Debug` shows only the public key, `==` compares the
/// secrets in constant time.
///
/// ```
/// use aiootp::asymmetric::{X25519, X25519PublicKey};
///
/// let alice = X25519::generate()?;
/// let bob = X25519::generate()?;
/// // Send `alice.public_key().to_hex()`; the peer parses it back.
/// let alice_pub: X25519PublicKey = alice.public_key().to_hex().parse()?;
/// let k1 = bob.exchange(&alice_pub)?;
/// let k2 = alice.exchange(bob.public_key())?;
/// assert_eq!(k1, k2);
/// # Ok::<(), aiootp::error::AsymmetricError>(())
/// ```
///
/// [`expose_secret`]: X25519::expose_secret
#[derive(Clone)]
pub struct X25519 {
    secret: StaticSecret,
    public: X25519PublicKey,
}

impl X25519 {
    /// A fresh key from the operating system's random number generator.
    ///
    /// # Errors
    /// [`AsymmetricError::Random`] if the generator fails.
    pub fn generate() -> Result<Self, AsymmetricError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        crate::random::fill(bytes.as_mut()).map_err(|e| AsymmetricError::Random(e.to_string()))?;
        Ok(Self::from_secret_array(*bytes))
    }

    /// Imports a secret key from its 32 raw bytes (the reference's
    /// `import_secret_key(bytes)`).
    ///
    /// Any 32 bytes are a valid X25519 secret, including an Ed25519 seed
    /// ([`Ed25519::expose_secret`](super::Ed25519::expose_secret)), which
    /// is how the reference's cross-curve import of an Ed25519 secret key
    /// object works (spec §2.2; weakness A7: prefer separate keys).
    ///
    /// # Errors
    /// [`AsymmetricError::MissingKeyMaterial`] for an empty slice,
    /// [`AsymmetricError::KeyLength`] for any other length than 32.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, AsymmetricError> {
        let bytes = Zeroizing::new(key_from_slice(bytes, SECRET_WHAT)?);
        Ok(Self::from_secret_array(*bytes))
    }

    /// Imports a secret key from hex text, with Python's `bytes.fromhex`
    /// rules (either case; whitespace between byte pairs is skipped).
    ///
    /// # Errors
    /// [`AsymmetricError::MissingKeyMaterial`] for empty text,
    /// [`AsymmetricError::NonHex`] with the reference's position,
    /// [`AsymmetricError::KeyLength`] when it does not decode to 32 bytes.
    pub fn from_secret_hex(text: &str) -> Result<Self, AsymmetricError> {
        let bytes = Zeroizing::new(key_from_hex(text, SECRET_WHAT)?);
        Ok(Self::from_secret_array(*bytes))
    }

    /// Imports a secret key from a 32-byte array (infallible: every array
    /// is a key).
    #[must_use]
    pub fn from_secret_array(bytes: [u8; 32]) -> Self {
        let secret = StaticSecret::from(bytes);
        let public = X25519PublicKey(x25519_dalek::PublicKey::from(&secret).to_bytes());
        Self { secret, public }
    }

    /// The 32 secret bytes, exactly as created or imported (not clamped).
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; 32] {
        self.secret.as_bytes()
    }

    /// The secret key as lowercase hex text (zeroized on drop).
    #[must_use]
    pub fn secret_hex(&self) -> SecretString {
        SecretString::new(crate::random::to_hex(self.secret.as_bytes()))
    }

    /// The public key, `X25519(secret, 9)`.
    #[must_use]
    pub fn public_key(&self) -> &X25519PublicKey {
        &self.public
    }

    /// `X25519(secret, peer)`: the 32-byte shared key. Bit 255 of the peer
    /// key is ignored (RFC 7748).
    ///
    /// # Errors
    /// [`AsymmetricError::LowOrderPoint`] when the result is all zeros
    /// (a small-order peer key such as `00…00` or `01 00…00`): RFC 7748
    /// §6.1's check, which the reference's backend makes too.
    pub fn exchange(&self, peer: &X25519PublicKey) -> Result<SharedKey, AsymmetricError> {
        self.exchange_prepared(&PreparedPeer::new(&peer.0))
    }

    /// [`exchange`](Self::exchange) with a peer key already prepared
    /// (the 2DH / 3DH flows use one peer key twice).
    pub(crate) fn exchange_prepared(
        &self,
        peer: &PreparedPeer,
    ) -> Result<SharedKey, AsymmetricError> {
        checked_dh(self.secret.as_bytes(), peer)
    }
}

/// A peer's u-coordinate prepared for scalar multiplication: public data.
///
/// X25519 is computed on the birationally equivalent Edwards curve when
/// the u-coordinate is on Curve25519 (not `u = -1`): `u([k]P)` is the
/// same value RFC 7748's Montgomery ladder computes, and dalek's
/// constant-time Edwards multiplication (its AVX2 backend when the CPU
/// has it) is about 1.4 times as fast as its ladder, which is slower
/// than OpenSSL's. A u-coordinate on the twist, or `-1`, takes the ladder.
/// Which path runs depends only on the public peer key; both are constant
/// time in the secret scalar. Wycheproof's 518 X25519 cases (twist
/// points, non-canonical and low-order keys) pass through this function.
#[derive(Clone, Copy)]
pub(crate) struct PreparedPeer {
    u: MontgomeryPoint,
    edwards: Option<EdwardsPoint>,
}

impl PreparedPeer {
    pub(crate) fn new(peer: &[u8; 32]) -> Self {
        let u = MontgomeryPoint(*peer);
        Self {
            u,
            edwards: u.to_edwards(0),
        }
    }
}

/// `X25519(secret, peer)` refusing the all-zero result (RFC 7748 §6.1).
pub(crate) fn checked_dh(
    secret: &[u8; 32],
    peer: &PreparedPeer,
) -> Result<SharedKey, AsymmetricError> {
    let mut shared = match &peer.edwards {
        Some(point) => {
            let mut product = point.mul_clamped(*secret);
            let u = product.to_montgomery();
            product.zeroize();
            u
        }
        None => peer.u.mul_clamped(*secret),
    };
    let out = SharedKey(shared.to_bytes());
    shared.zeroize();
    if bool::from(out.0.ct_eq(&[0u8; 32])) {
        return Err(AsymmetricError::LowOrderPoint);
    }
    Ok(out)
}

impl fmt::Debug for X25519 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X25519")
            .field("secret", &"***")
            .field("public", &self.public)
            .finish()
    }
}

impl PartialEq for X25519 {
    fn eq(&self, other: &Self) -> bool {
        self.secret.as_bytes().ct_eq(other.secret.as_bytes()).into()
    }
}

impl Eq for X25519 {}

impl ZeroizeOnDrop for X25519 {}

/// An X25519 public key: a u-coordinate, 32 bytes little-endian.
///
/// Any 32 bytes are accepted and kept as given (bit 255 too, as the
/// reference keeps it); the exchange ignores bit 255 and refuses results
/// that are all zeros. Text form: 64 lowercase hex characters
/// ([`Display`](fmt::Display), [`to_hex`](Self::to_hex), serde); parsing
/// follows Python's `bytes.fromhex` ([`FromStr`], [`from_hex`](Self::from_hex)).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct X25519PublicKey([u8; 32]);

impl X25519PublicKey {
    /// Parses 32 raw bytes.
    ///
    /// An Ed25519 public key's bytes are accepted too and simply reused
    /// as a u-coordinate (the reference's cross-curve import; there is no
    /// birational map).
    ///
    /// # Errors
    /// [`AsymmetricError::MissingKeyMaterial`] for an empty slice,
    /// [`AsymmetricError::KeyLength`] for any other length than 32.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AsymmetricError> {
        key_from_slice(bytes, PUBLIC_WHAT).map(Self)
    }

    /// Parses hex text with Python's `bytes.fromhex` rules.
    ///
    /// # Errors
    /// As [`X25519::from_secret_hex`].
    pub fn from_hex(text: &str) -> Result<Self, AsymmetricError> {
        key_from_hex(text, PUBLIC_WHAT).map(Self)
    }

    /// The 32 bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 32 bytes, by value.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// Lowercase hex text (64 characters).
    #[must_use]
    pub fn to_hex(&self) -> String {
        crate::random::to_hex(&self.0)
    }
}

impl From<[u8; 32]> for X25519PublicKey {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl TryFrom<&[u8]> for X25519PublicKey {
    type Error = AsymmetricError;

    fn try_from(bytes: &[u8]) -> Result<Self, AsymmetricError> {
        Self::from_bytes(bytes)
    }
}

impl FromStr for X25519PublicKey {
    type Err = AsymmetricError;

    fn from_str(text: &str) -> Result<Self, AsymmetricError> {
        Self::from_hex(text)
    }
}

impl AsRef<[u8]> for X25519PublicKey {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for X25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for X25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "X25519PublicKey({})", self.to_hex())
    }
}

impl Serialize for X25519PublicKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for X25519PublicKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// The 32-byte result of an X25519 exchange: a secret.
///
/// Zeroized on drop, redacted `Debug`, constant-time `==`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SharedKey([u8; 32]);

impl SharedKey {
    /// The 32 shared bytes.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SharedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedKey(***)")
    }
}

impl PartialEq for SharedKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for SharedKey {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7748_section_6_1() {
        let alice = X25519::from_secret_hex(
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
        )
        .unwrap();
        assert_eq!(
            alice.public_key().to_hex(),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
        );
        let bob: X25519PublicKey =
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
                .parse()
                .unwrap();
        assert_eq!(
            crate::random::to_hex(alice.exchange(&bob).unwrap().expose_secret()),
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        );
    }

    #[test]
    fn low_order_is_refused_and_debug_is_redacted() {
        let k = X25519::from_secret_array([0x42; 32]);
        assert_eq!(
            k.exchange(&X25519PublicKey::from([0; 32])),
            Err(AsymmetricError::LowOrderPoint)
        );
        let text = format!("{k:?}");
        assert!(!text.contains("4242"), "{text}");
        assert!(text.contains(&k.public_key().to_hex()));
        assert_eq!(
            format!("{:?}", k.exchange(k.public_key()).unwrap()),
            "SharedKey(***)"
        );
        assert_eq!(k, X25519::from_secret_array([0x42; 32]));
        assert_ne!(k, X25519::from_secret_array([0x43; 32]));
    }

    #[test]
    fn edwards_route_equals_the_ladder() {
        // Points on the curve (Edwards route), on the twist and u = -1
        // (ladder), non-canonical and with bit 255 set: every result is
        // x25519-dalek's ladder's.
        let mut peers: Vec<[u8; 32]> = (0u8..40).map(|i| raw_public_bytes(&[i; 32])).collect();
        for i in 0u8..40 {
            let mut u = [0u8; 32];
            u[0] = i;
            peers.push(u);
            let mut hi = raw_public_bytes(&[i ^ 0x55; 32]);
            hi[31] |= 0x80;
            peers.push(hi);
        }
        let mut minus_one = [0xff; 32];
        minus_one[0] = 0xec;
        minus_one[31] = 0x7f;
        peers.push(minus_one);
        let mut p_plus_one = [0xff; 32];
        p_plus_one[0] = 0xee;
        p_plus_one[31] = 0x7f;
        peers.push(p_plus_one);
        let (mut edwards, mut ladder) = (0, 0);
        for (j, peer) in peers.iter().enumerate() {
            let prepared = PreparedPeer::new(peer);
            if prepared.edwards.is_some() {
                edwards += 1;
            } else {
                ladder += 1;
            }
            let secret = [u8::try_from(j % 256).unwrap() ^ 0xa5; 32];
            let expected = x25519_dalek::x25519(secret, *peer);
            match checked_dh(&secret, &prepared) {
                Ok(shared) => assert_eq!(shared.expose_secret(), &expected, "peer {j}"),
                Err(_) => assert_eq!(expected, [0; 32], "peer {j}"),
            }
        }
        assert!(edwards > 50 && ladder > 10, "{edwards} {ladder}");
    }

    fn raw_public_bytes(secret: &[u8; 32]) -> [u8; 32] {
        x25519_dalek::x25519(*secret, x25519_dalek::X25519_BASEPOINT_BYTES)
    }

    #[test]
    fn secret_export_is_not_clamped() {
        let k = X25519::from_secret_array([0xff; 32]);
        assert_eq!(k.expose_secret(), &[0xff; 32]);
        assert_eq!(k.secret_hex().expose_secret(), "ff".repeat(32));
    }

    #[test]
    fn serde_is_hex() {
        let k = X25519PublicKey::from([0xab; 32]);
        let json = serde_json::to_string(&k).unwrap();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        let back: X25519PublicKey = serde_json::from_str(&json.to_uppercase()).unwrap();
        assert_eq!(back, k);
        assert!(serde_json::from_str::<X25519PublicKey>("\"abcd\"").is_err());
    }
}
