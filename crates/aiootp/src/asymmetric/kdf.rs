//! The result of a 2DH / 3DH exchange (spec `asymmetric.md` §10).

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::X25519PublicKey;
use crate::error::AsymmetricError;
use crate::keccak::Sha3_512;

/// Which exchange produced a [`Kdf`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DhProtocol {
    /// 2DH: `ad ‖ cd`.
    Dh2,
    /// 3DH: `ad ‖ bc ‖ cd`.
    Dh3,
}

impl DhProtocol {
    /// `"dh2"` or `"dh3"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Dh2 => "dh2",
            Self::Dh3 => "dh3",
        }
    }
}

/// A side of an exchange, for [`Kdf::confirmation_tag`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DhRole {
    /// The side that sent the hello (keys `b`, `d`).
    Client,
    /// The side that sent the response (keys `a`, `c`).
    Server,
}

/// The public keys of one exchange (the same on both sides).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Transcript {
    pub(crate) protocol: DhProtocol,
    pub(crate) a: X25519PublicKey,
    pub(crate) b: Option<X25519PublicKey>,
    pub(crate) c: X25519PublicKey,
    pub(crate) d: X25519PublicKey,
}

/// The result of a 2DH or 3DH exchange: a SHA3-512 state that has
/// absorbed `ad ‖ cd` (2DH) or `ad ‖ bc ‖ cd` (3DH), the same state on
/// both sides, like the reference's `hashlib.sha3_512` object.
///
/// **Compat** ([`digest`](Self::digest), [`hexdigest`](Self::hexdigest),
/// [`update`](Self::update), [`Clone`] for Python's `copy()`): what the
/// reference's result offers, with the same values.
///
/// **Hardened** ([`derive_key`](Self::derive_key),
/// [`confirmation_tag`](Self::confirmation_tag)): labelled subkeys that
/// also bind the exchange's public keys and protocol, and key
/// confirmation; not part of the reference (weaknesses A2–A4 of the
/// module docs).
///
/// The state is zeroized on drop; `Debug` prints no state.
#[derive(Clone)]
#[must_use = "the shared secret of the exchange"]
pub struct Kdf {
    hash: Sha3_512,
    transcript: Transcript,
}

/// Domain prefix of [`Kdf::derive_key`] (not a compat format).
const DERIVE_PREFIX: &[u8] = b"aiootp-rs/asymmetric/derive_key/v1";

impl Kdf {
    /// The state after absorbing `shared` in order.
    pub(crate) fn new(transcript: Transcript, shared: &[&[u8; 32]]) -> Self {
        let mut hash = Sha3_512::new();
        for s in shared {
            hash.update(s);
        }
        Self { hash, transcript }
    }

    /// `"sha3_512"`, the reference's `kdf.name`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        "sha3_512"
    }

    /// Which exchange produced this result.
    #[must_use]
    pub fn protocol(&self) -> DhProtocol {
        self.transcript.protocol
    }

    /// Absorbs more bytes (the reference's `update`); both sides stay
    /// equal if they make the same calls.
    pub fn update(&mut self, data: &[u8]) -> &mut Self {
        self.hash.update(data);
        self
    }

    /// SHA3-512 of everything absorbed so far (the state goes on): the
    /// reference's `digest()`. This is the shared secret; the caller owns
    /// the copy (zeroize it when done).
    #[must_use]
    pub fn digest(&self) -> [u8; 64] {
        self.hash.digest_so_far()
    }

    /// [`digest`](Self::digest) as lowercase hex (128 characters), the
    /// reference's `hexdigest()`.
    #[must_use]
    pub fn hexdigest(&self) -> String {
        let mut d = self.digest();
        let hex = crate::random::to_hex(&d);
        d.zeroize();
        hex
    }

    /// **Hardened, not compat.** A 64-byte subkey for one purpose, named
    /// by `label` (e.g. `b"encryption key"`, `b"mac key"`): different
    /// labels give independent keys, and every key also depends on the
    /// protocol and all public keys of the exchange (`A`, `B`, `C`, `D`),
    /// so a key-compromise or unknown-key-share confusion between
    /// sessions does not yield equal keys.
    ///
    /// `SHA3-512(enc(prefix) ‖ enc(protocol) ‖ enc(A) ‖ enc(B or "") ‖
    /// enc(C) ‖ enc(D) ‖ enc(label) ‖ digest())` where `enc(x)` is
    /// `u64le(len(x)) ‖ x` and `prefix` is
    /// `"aiootp-rs/asymmetric/derive_key/v1"`. Depends on the current
    /// state, so `update` calls made before it count.
    pub fn derive_key(&self, label: &[u8]) -> DerivedKey {
        let t = &self.transcript;
        let mut h = Sha3_512::new();
        let b = t.b.as_ref().map_or(&[][..], |b| &b.as_bytes()[..]);
        for part in [
            DERIVE_PREFIX,
            t.protocol.name().as_bytes(),
            t.a.as_bytes(),
            b,
            t.c.as_bytes(),
            t.d.as_bytes(),
            label,
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        let mut d = self.digest();
        h.update(d);
        d.zeroize();
        DerivedKey(h.finalize())
    }

    /// **Hardened, not compat.** A 32-byte key-confirmation tag for
    /// `role` (weakness A3): each side sends its own role's tag after the
    /// exchange and checks the peer's with
    /// [`check_confirmation_tag`](Self::check_confirmation_tag) before
    /// using any key. Tags of the two roles differ, so a reflected tag
    /// fails.
    #[must_use]
    pub fn confirmation_tag(&self, role: DhRole) -> [u8; 32] {
        let label: &[u8] = match role {
            DhRole::Client => b"key confirmation: client",
            DhRole::Server => b"key confirmation: server",
        };
        let key = self.derive_key(label);
        let mut tag = [0u8; 32];
        tag.copy_from_slice(&key.expose_secret()[..32]);
        tag
    }

    /// **Hardened, not compat.** Checks the peer's confirmation tag in
    /// constant time (`role` is the peer's role).
    ///
    /// # Errors
    /// [`AsymmetricError::ConfirmationFailed`] when it differs (any
    /// length but 32 included): the two sides do not hold the same key.
    pub fn check_confirmation_tag(&self, role: DhRole, tag: &[u8]) -> Result<(), AsymmetricError> {
        let expected = self.confirmation_tag(role);
        if tag.len() == 32 && bool::from(expected.ct_eq(tag)) {
            Ok(())
        } else {
            Err(AsymmetricError::ConfirmationFailed)
        }
    }
}

impl fmt::Debug for Kdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kdf")
            .field("name", &self.name())
            .field("protocol", &self.transcript.protocol)
            .finish_non_exhaustive()
    }
}

// `Sha3_512`'s sponge zeroizes its state on drop.
impl ZeroizeOnDrop for Kdf {}

/// A 64-byte key from [`Kdf::derive_key`]: zeroized on drop, redacted
/// `Debug`, constant-time `==`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DerivedKey([u8; 64]);

impl DerivedKey {
    /// The 64 key bytes.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; 64] {
        &self.0
    }
}

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DerivedKey(***)")
    }
}

impl PartialEq for DerivedKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for DerivedKey {}
