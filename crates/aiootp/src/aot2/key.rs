//! AOT2 keys: [`Aot2Key`] (at least 32 bytes, e.g. a hex key file) and
//! [`Aot2Password`] (a password stretched by passcrypt with the message's
//! salt), both usable wherever a [`KeyMaterial`] is asked for.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::format::{MIN_KEY_LEN, SALT_LEN, Subkeys};
use crate::compat::PyValue;
use crate::compat::passcrypt::{Passcrypt, Password};
use crate::error::Aot2Error;

/// What seals and opens AOT2 messages: an [`Aot2Key`] or an
/// [`Aot2Password`]. Sealed: the crate's two key types are the only ones.
pub trait KeyMaterial: sealed::Sealed {}

pub(crate) mod sealed {
    use super::{Aot2Error, SALT_LEN, Subkeys};

    /// The hidden half of [`KeyMaterial`](super::KeyMaterial).
    pub trait Sealed {
        /// The message subkeys for `salt` and `ctx`.
        fn subkeys(&self, salt: &[u8; SALT_LEN], ctx: &[u8]) -> Result<Subkeys, Aot2Error>;
    }
}

/// A long-term AOT2 key: at least 32 bytes (64 recommended, what
/// [`Aot2Key::generate`] and `aiootp keygen` make). Zeroized on drop,
/// redacted in `Debug`, compared in constant time.
///
/// ```
/// use aiootp::aot2::Aot2Key;
///
/// let key = Aot2Key::from_hex(&"ab".repeat(64))?;      // a key file's text
/// assert_eq!(key.expose_secret().len(), 64);
/// assert!(Aot2Key::from_hex(&"ab".repeat(31)).is_err()); // 31 bytes: too short
/// # Ok::<(), aiootp::error::Aot2Error>(())
/// ```
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Aot2Key(Vec<u8>);

impl Aot2Key {
    /// Bytes in a key made by [`Aot2Key::generate`].
    pub const GENERATED_LEN: usize = 64;

    /// Wraps `bytes` (taking ownership; zeroized on drop).
    ///
    /// # Errors
    /// [`Aot2Error::KeyTooShort`] below 32 bytes (the bytes are zeroized).
    pub fn new(mut bytes: Vec<u8>) -> Result<Self, Aot2Error> {
        if bytes.len() < MIN_KEY_LEN {
            let len = bytes.len();
            bytes.zeroize();
            return Err(Aot2Error::KeyTooShort { len });
        }
        Ok(Self(bytes))
    }

    /// A copy of `bytes` as a key.
    ///
    /// # Errors
    /// [`Aot2Error::KeyTooShort`] below 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Aot2Error> {
        Self::new(bytes.to_vec())
    }

    /// 64 bytes from the operating system's random number generator.
    ///
    /// # Errors
    /// [`Aot2Error::Random`] if it fails.
    pub fn generate() -> Result<Self, Aot2Error> {
        let mut bytes = vec![0u8; Self::GENERATED_LEN];
        crate::random::fill(&mut bytes).map_err(|e| Aot2Error::Random(e.to_string()))?;
        Ok(Self(bytes))
    }

    /// The key of a key file's text: hexadecimal (either case), white
    /// space around it ignored (a trailing newline).
    ///
    /// # Errors
    /// [`Aot2Error::KeyNotHex`] (an odd number of digits points past the
    /// end), [`Aot2Error::KeyTooShort`].
    pub fn from_hex(text: &str) -> Result<Self, Aot2Error> {
        let text = text.trim().as_bytes();
        let mut bytes = Zeroizing::new(Vec::with_capacity(text.len() / 2));
        let digit = |i: usize| -> Result<u8, Aot2Error> {
            let c = *text.get(i).ok_or(Aot2Error::KeyNotHex { position: i })?;
            match c {
                b'0'..=b'9' => Ok(c - b'0'),
                b'a'..=b'f' => Ok(c - b'a' + 10),
                b'A'..=b'F' => Ok(c - b'A' + 10),
                _ => Err(Aot2Error::KeyNotHex { position: i }),
            }
        };
        for i in (0..text.len()).step_by(2) {
            bytes.push(digit(i)? << 4 | digit(i + 1)?);
        }
        Self::new(std::mem::take(&mut *bytes))
    }

    /// The key as lowercase hexadecimal text (a key file's contents).
    #[must_use]
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(crate::random::to_hex(&self.0))
    }

    /// The key bytes.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Aot2Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Aot2Key(***)")
    }
}

impl PartialEq for Aot2Key {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for Aot2Key {}

impl KeyMaterial for Aot2Key {}

impl sealed::Sealed for Aot2Key {
    fn subkeys(&self, salt: &[u8; SALT_LEN], ctx: &[u8]) -> Result<Subkeys, Aot2Error> {
        Ok(Subkeys::derive(&self.0, salt, ctx))
    }
}

/// A password as AOT2 key material: every message's key is
/// `passcrypt(password, "aiootp aot2 password " + hex(salt))` with fixed
/// settings, so the settings are stored nowhere and each message's salt
/// is also its passcrypt salt (no precomputation across messages). The
/// opener must use the same settings as the sealer; the default is
/// [`Aot2Password::DEFAULT_SETTINGS`]. Each seal and open costs one
/// passcrypt run. Zeroized on drop, redacted in `Debug`.
///
/// ```
/// use aiootp::aot2::{self, Aot2Password, Options};
/// use aiootp::compat::passcrypt::Passcrypt;
///
/// // Cheap settings to keep the example fast; real use keeps the default.
/// let password = Aot2Password::new(b"correct horse".to_vec())?
///     .with_settings(Passcrypt::new(256, 2, 256)?);
/// let msg = aot2::seal(&password, b"attack at dawn", &Options::new())?;
/// assert_eq!(aot2::open(&password, &msg, &Options::new())?, b"attack at dawn");
/// # Ok::<(), aiootp::Error>(())
/// ```
#[derive(Clone)]
pub struct Aot2Password {
    password: Zeroizing<Vec<u8>>,
    settings: Passcrypt,
}

impl Aot2Password {
    /// The passcrypt settings used unless [`Aot2Password::with_settings`]
    /// says otherwise: `kb = 65536` (64 MiB), `cpu = 3`, `hardness = 1024`.
    pub const DEFAULT_SETTINGS: (u64, u64, u64) = (65536, 3, 1024);

    /// The prefix of the passcrypt salt text (the salt's hex follows).
    pub const SALT_PREFIX: &'static str = "aiootp aot2 password ";

    /// A password (any bytes, e.g. a password file without its trailing
    /// newline) with the default settings.
    ///
    /// # Errors
    /// [`Aot2Error::EmptyPassword`].
    pub fn new(password: Vec<u8>) -> Result<Self, Aot2Error> {
        let password = Zeroizing::new(password);
        if password.is_empty() {
            return Err(Aot2Error::EmptyPassword);
        }
        let (kb, cpu, hardness) = Self::DEFAULT_SETTINGS;
        let settings = Passcrypt::new(kb, cpu, hardness)?;
        Ok(Self { password, settings })
    }

    /// The same password with other passcrypt settings (which the opener
    /// must use too).
    #[must_use]
    pub fn with_settings(mut self, settings: Passcrypt) -> Self {
        self.settings = settings;
        self
    }

    /// The passcrypt settings.
    #[must_use]
    pub fn settings(&self) -> Passcrypt {
        self.settings
    }

    /// The 64-byte key of the message with salt `salt`:
    /// `passcrypt(password, "aiootp aot2 password " + hex(salt))` (the
    /// password hashed as a Python `bytes` value, the salt text as a
    /// `str`, as aiootp 0.17.0's `passcrypt` does).
    ///
    /// # Errors
    /// [`Aot2Error::Passcrypt`] if the memory cannot be had.
    pub fn derive_key(&self, salt: &[u8; SALT_LEN]) -> Result<Aot2Key, Aot2Error> {
        let salt_text = format!("{}{}", Self::SALT_PREFIX, crate::random::to_hex(salt));
        let hash = self.settings.hash(
            &Password::from_bytes(&self.password),
            &PyValue::from(salt_text),
        )?;
        Aot2Key::from_slice(hash.expose_secret_bytes())
    }
}

impl fmt::Debug for Aot2Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Aot2Password")
            .field("password", &"***")
            .field("settings", &self.settings)
            .finish()
    }
}

impl KeyMaterial for Aot2Password {}

impl sealed::Sealed for Aot2Password {
    fn subkeys(&self, salt: &[u8; SALT_LEN], ctx: &[u8]) -> Result<Subkeys, Aot2Error> {
        self.derive_key(salt)?.subkeys(salt, ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_keys() {
        let key = Aot2Key::from_hex(&format!("  {}\n", "0F".repeat(32))).unwrap();
        assert_eq!(key.expose_secret(), [15u8; 32]);
        assert_eq!(key.to_hex().as_str(), "0f".repeat(32));
        assert_eq!(
            Aot2Key::from_hex(&"0f".repeat(31)),
            Err(Aot2Error::KeyTooShort { len: 31 })
        );
        assert_eq!(
            Aot2Key::from_hex(&format!("{}x0", "00".repeat(40))),
            Err(Aot2Error::KeyNotHex { position: 80 })
        );
        assert_eq!(
            Aot2Key::from_hex(&format!("{}0", "00".repeat(40))),
            Err(Aot2Error::KeyNotHex { position: 81 })
        );
        assert_eq!(format!("{key:?}"), "Aot2Key(***)");
        assert_ne!(key, Aot2Key::generate().unwrap());
        assert_eq!(Aot2Key::generate().unwrap().expose_secret().len(), 64);
    }

    #[test]
    fn passwords() {
        assert_eq!(
            Aot2Password::new(Vec::new()).unwrap_err(),
            Aot2Error::EmptyPassword
        );
        let p = Aot2Password::new(b"pw".to_vec()).unwrap();
        assert!(!format!("{p:?}").contains("pw\""));
        assert_eq!(p.settings().kb(), 65536);
    }
}
