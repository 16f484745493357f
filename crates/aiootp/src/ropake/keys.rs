//! The secret values of Ropake: [`SessionKeys`] (the result of a run) and
//! [`KeyedPassword`] (the 512-bit integer the server keeps per client).

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::compat::PyInt;
use crate::compat::bignum::{be_to_decimal, decimal_to_be};
use crate::compat::pyvalue::PyValue;
use crate::secret::SecretString;

/// The result of a registration or a login, equal on both sides of an
/// honest run: the new ratchet `key` (kept by both for the next login),
/// its public name `key_id` (`id(key)`, the server record's name) and the
/// `session_key` for this session (spec §2, `integrate`).
///
/// `Debug` shows `key_id` only; equality is constant time.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKeys {
    key: SecretString,
    key_id: String,
    session_key: SecretString,
}

impl SessionKeys {
    pub(crate) fn new(key: String, key_id: String, session_key: String) -> Self {
        Self {
            key: SecretString::new(key),
            key_id,
            session_key: SecretString::new(session_key),
        }
    }

    /// The new ratchet key (128 lowercase hex characters). Secret: with it
    /// anyone can log in as the client, or answer as the server.
    #[must_use]
    pub fn expose_key(&self) -> &str {
        self.key.expose_secret()
    }

    /// `id(key)` (128 hex characters): the name of the server's record.
    /// Public (sent in clear in the next login hello).
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The key of this session (128 lowercase hex characters), for the
    /// application's own encryption (e.g. as a compat
    /// [`Key`](crate::compat::Key)). Secret.
    #[must_use]
    pub fn expose_session_key(&self) -> &str {
        self.session_key.expose_secret()
    }
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionKeys")
            .field("key", &"***")
            .field("key_id", &self.key_id)
            .field("session_key", &"***")
            .finish()
    }
}

/// A "keyed password" (spec §2, `commit`): an integer `0 <= n < 2^512`,
/// written as a JSON integer of up to 155 digits in messages and records.
///
/// It is the XOR of `id((root_key, s))` and `id(s)` for the client's
/// secret password salt `s`; the server holds the current one of each
/// client. Treated as a secret (zeroized, redacted `Debug`, constant-time
/// equality): together with the record's key it lets its holder log in as
/// the client (spec §16.2 R2).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyedPassword([u8; 64]);

impl KeyedPassword {
    /// The integer of 64 big-endian bytes.
    #[must_use]
    pub fn from_be_bytes(bytes: [u8; 64]) -> Self {
        Self(bytes)
    }

    /// The 64 big-endian bytes. Secret.
    #[must_use]
    pub fn expose_be_bytes(&self) -> &[u8; 64] {
        &self.0
    }

    /// Python's `int(text, 16)` restricted to what Ropake writes: 1 to 128
    /// hexadecimal digits (either case, no sign, prefix or separators).
    #[must_use]
    pub fn from_hex(text: &str) -> Option<Self> {
        let digits = text.as_bytes();
        if digits.is_empty() || digits.len() > 128 {
            return None;
        }
        let mut out = [0u8; 64];
        // Right-align the digits: nibble i from the end goes to the end.
        for (i, &c) in digits.iter().rev().enumerate() {
            let v = char::from(c).to_digit(16)?;
            let byte = &mut out[63 - i / 2];
            // `to_digit(16)` is below 16.
            let v = v as u8;
            *byte |= if i % 2 == 0 { v } else { v << 4 };
        }
        Some(Self(out))
    }

    /// The integer of decimal text (ASCII digits, leading zeros allowed);
    /// `None` for anything else or a value of 2^512 or more.
    #[must_use]
    pub fn from_decimal(text: &str) -> Option<Self> {
        let mut wide = Zeroizing::new([0u8; 256]);
        decimal_to_be(text.as_bytes(), &mut wide).ok()?;
        if wide[..192].iter().any(|&b| b != 0) {
            return None;
        }
        let mut out = [0u8; 64];
        out.copy_from_slice(&wide[192..]);
        Some(Self(out))
    }

    /// The value of a Python `int`; `None` when it is negative or not
    /// below 2^512.
    #[must_use]
    pub fn from_pyint(n: &PyInt) -> Option<Self> {
        if n.is_negative() {
            return None;
        }
        Self::from_decimal(n.as_str())
    }

    /// The canonical decimal text (Python's `str(n)`). Secret.
    #[must_use]
    pub fn to_decimal(&self) -> Zeroizing<String> {
        let mut digits = Zeroizing::new(Vec::with_capacity(160));
        be_to_decimal(&self.0, &mut digits);
        let mut out = Zeroizing::new(String::with_capacity(digits.len()));
        // `be_to_decimal` writes ASCII digits only.
        out.extend(digits.iter().map(|&b| char::from(b)));
        out
    }

    /// The value as a Python `int` (for a JSON message or record).
    #[must_use]
    pub fn to_value(&self) -> PyValue {
        PyValue::Int(PyInt::from_canonical(self.to_decimal().to_string()))
    }

    /// Integer XOR.
    #[must_use]
    pub fn xor(&self, other: &Self) -> Self {
        let mut out = [0u8; 64];
        for (o, (a, b)) in out.iter_mut().zip(self.0.iter().zip(other.0.iter())) {
            *o = a ^ b;
        }
        Self(out)
    }
}

impl fmt::Debug for KeyedPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyedPassword(***)")
    }
}

impl PartialEq for KeyedPassword {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for KeyedPassword {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_decimal_round_trip() {
        let k = KeyedPassword::from_hex("ff").unwrap();
        assert_eq!(k.to_decimal().as_str(), "255");
        let k = KeyedPassword::from_hex("1Ab").unwrap();
        assert_eq!(k.to_decimal().as_str(), "427");
        assert_eq!(
            KeyedPassword::from_hex("0").unwrap().to_decimal().as_str(),
            "0"
        );
        let max = KeyedPassword::from_hex(&"f".repeat(128)).unwrap();
        let text = max.to_decimal();
        assert_eq!(text.len(), 155);
        assert_eq!(KeyedPassword::from_decimal(&text).unwrap(), max);
        assert!(KeyedPassword::from_hex(&"f".repeat(129)).is_none());
        assert!(KeyedPassword::from_hex("").is_none());
        assert!(KeyedPassword::from_hex("0x1").is_none());
        assert!(KeyedPassword::from_hex("-1").is_none());
        // 2^512 is refused, 2^512 - 1 is not.
        let two_512 = "13407807929942597099574024998205846127479365820592393377723561443721764030073546976801874298166903427690031858186486050853753882811946569946433649006084096";
        assert!(KeyedPassword::from_decimal(two_512).is_none());
        assert!(KeyedPassword::from_decimal("").is_none());
        assert!(KeyedPassword::from_decimal("1.0").is_none());
        assert!(KeyedPassword::from_pyint(&PyInt::from(-1)).is_none());
        assert_eq!(
            KeyedPassword::from_pyint(&PyInt::from(7))
                .unwrap()
                .to_value(),
            PyValue::from(7)
        );
    }

    #[test]
    fn xor_and_redaction() {
        let a = KeyedPassword::from_hex("f0").unwrap();
        let b = KeyedPassword::from_hex("ff").unwrap();
        assert_eq!(a.xor(&b).to_decimal().as_str(), "15");
        assert_eq!(format!("{a:?}"), "KeyedPassword(***)");
        let keys = SessionKeys::new("k".into(), "id".into(), "s".into());
        let shown = format!("{keys:?}");
        assert!(shown.contains("id") && !shown.contains("\"k\"") && !shown.contains("\"s\""));
    }
}
