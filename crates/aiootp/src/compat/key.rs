//! Compat keys and salts (spec `cipher.md` §4).
//!
//! The reference hashes a key through its Python `repr` text, so a
//! [`Key`] keeps that text (zeroized on drop). The normal key is a
//! 128-character lowercase hex `str` ([`Key::generate`]); any `str`, `int`
//! or `bytes` value works, and values of different types never give the
//! same stream (`"1"`, `1` and `b"1"` are three keys).

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::PyValue;
use super::pyvalue::repr_str;
use crate::error::{CipherError, Error};
use crate::random;

/// A compat cipher key: the Python value a key is made of, kept as its
/// `repr` text (what the reference hashes) and its `str` text (what a user
/// saves and types).
#[derive(Clone)]
pub struct Key {
    repr: Zeroizing<String>,
    text: Zeroizing<String>,
    truthy: bool,
}

impl Key {
    /// A key made of the text `key` (a Python `str` key). The usual key is
    /// the 128 hex characters of [`Key::generate`]; any text works, exactly
    /// as given (no trimming, no case folding).
    #[must_use]
    pub fn new(key: &str) -> Self {
        let mut repr = Zeroizing::new(String::with_capacity(key.len() + 2));
        repr_str(key, &mut repr);
        Self {
            repr,
            text: Zeroizing::new(key.to_owned()),
            truthy: !key.is_empty(),
        }
    }

    /// A key made of any Python value (an `int` or `bytes` key, say).
    #[must_use]
    pub fn from_value(value: &PyValue) -> Self {
        Self {
            repr: Zeroizing::new(value.repr()),
            text: Zeroizing::new(value.str_text()),
            truthy: value.is_truthy(),
        }
    }

    /// A fresh random key in the reference's form: 128 lowercase hex
    /// characters (512 bits from the operating system).
    ///
    /// # Errors
    /// [`Error::Random`] if the operating system's generator fails.
    pub fn generate() -> Result<Self, Error> {
        let text = Zeroizing::new(random::hex(64)?);
        Ok(Self::new(&text))
    }

    /// The key's Python `str` text: what [`Key::new`] was given, what
    /// `aiootp keygen` writes to a key file.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    /// The key's Python `repr` text, the form that is hashed.
    #[must_use]
    pub(crate) fn repr(&self) -> &str {
        &self.repr
    }

    /// Whether the key is empty (Python: falsy), which the cipher refuses.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.truthy
    }

    /// Errors with [`CipherError::MissingKey`] when the key is empty.
    pub(crate) fn check(&self) -> Result<(), CipherError> {
        if self.truthy {
            Ok(())
        } else {
            Err(CipherError::MissingKey)
        }
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(***)")
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.repr.as_bytes().ct_eq(other.repr.as_bytes()).into()
    }
}

impl Eq for Key {}

/// A message salt: text, normally 64 lowercase hex characters.
///
/// Salts are public (they travel in the ciphertext). The reference hashes
/// the salt's exact text, so `"ab…"` and `"AB…"` are different salts.
/// [`Salt::parse`] applies the reference's check; the keystreams and
/// decryption take any text, as the reference does.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Salt {
    text: String,
}

impl Salt {
    /// A fresh random salt as the reference makes it inside the cipher: the
    /// first 64 characters of a 128-hex-character random value.
    ///
    /// # Errors
    /// [`Error::Random`] if the operating system's generator fails.
    pub fn generate() -> Result<Self, Error> {
        Ok(Self {
            text: random::hex(32)?,
        })
    }

    /// A salt that passes the reference's `check_key_and_salt`: 64
    /// characters that Python's `int(salt, 16)` reads as a non-zero
    /// number (either case, an optional sign, `0x` prefix, surrounding
    /// whitespace or single underscores between digits).
    ///
    /// # Errors
    /// [`CipherError::MissingSalt`] for empty text,
    /// [`CipherError::InvalidSalt`] for a length other than 64 characters
    /// or a zero value, [`CipherError::SaltNotHex`] for text that is not a
    /// base-16 number.
    pub fn parse(text: &str) -> Result<Self, CipherError> {
        let salt = Self::unchecked(text);
        salt.check()?;
        Ok(salt)
    }

    /// A salt taken as it is, without the reference's check (decryption
    /// and the keystreams accept any salt text, as the reference does).
    #[must_use]
    pub fn unchecked(text: &str) -> Self {
        Self {
            text: text.to_owned(),
        }
    }

    /// The salt text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The salt's Python `repr` text.
    #[must_use]
    pub(crate) fn repr(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 2);
        repr_str(&self.text, &mut out);
        out
    }

    /// The reference's salt check (spec `cipher.md` §4.2).
    pub(crate) fn check(&self) -> Result<(), CipherError> {
        if self.text.is_empty() {
            return Err(CipherError::MissingSalt);
        }
        if self.text.chars().count() != 64 {
            return Err(CipherError::InvalidSalt);
        }
        match python_hex_is_nonzero(&self.text) {
            Some(true) => Ok(()),
            Some(false) => Err(CipherError::InvalidSalt),
            None => {
                let mut salt_repr = String::new();
                repr_str(&self.text, &mut salt_repr);
                Err(CipherError::SaltNotHex { salt_repr })
            }
        }
    }
}

impl fmt::Debug for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Salt({:?})", self.text)
    }
}

impl fmt::Display for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The Unicode decimal digit zeros (category Nd) of CPython 3.8's Unicode
/// 12.1 database beyond ASCII; each is followed by the digits one to nine.
/// Generated by `tools/gen_decimal_zeros.py`.
const DECIMAL_ZEROS: [u32; 62] = [
    0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6,
    0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50,
    0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
    0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650,
    0x116c0, 0x11730, 0x118e0, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16b50, 0x1d7ce, 0x1d7d8,
    0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950,
];

/// The value of a non-ASCII Unicode decimal digit.
fn unicode_decimal(c: char) -> Option<u32> {
    let cp = u32::from(c);
    let i = DECIMAL_ZEROS.partition_point(|&z| z <= cp);
    let zero = DECIMAL_ZEROS.get(i.checked_sub(1)?)?;
    (cp - zero < 10).then_some(cp - zero)
}

/// Parses `text` the way CPython 3.8's `int(text, 16)` does and says
/// whether the value is non-zero; `None` when Python would raise
/// `ValueError`.
///
/// CPython first rewrites a non-ASCII text: Unicode whitespace becomes a
/// space and Unicode decimal digits become ASCII digits (any other
/// non-ASCII character ends the number); then it skips ASCII whitespace
/// around an optional sign, an optional `0x` prefix and hex digits with
/// single underscores between them.
fn python_hex_is_nonzero(text: &str) -> Option<bool> {
    let rewritten: String;
    let text = if text.is_ascii() {
        text
    } else {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c.is_ascii() && c != '\x7f' {
                out.push(c);
            } else if c.is_whitespace() {
                out.push(' ');
            } else {
                let d = unicode_decimal(c)?;
                out.push(char::from_digit(d, 10)?);
            }
        }
        rewritten = out;
        &rewritten
    };
    let t = text.trim_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (t, prefixed) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(rest) => (rest, true),
        None => (t, false),
    };
    let t = if prefixed {
        t.strip_prefix('_').unwrap_or(t)
    } else {
        t
    };
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    let mut nonzero = false;
    for c in t.chars().filter(|&c| c != '_') {
        if !c.is_ascii_hexdigit() {
            return None;
        }
        nonzero |= c != '0';
    }
    Some(nonzero)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_base16_rules() {
        assert_eq!(python_hex_is_nonzero("ff"), Some(true));
        assert_eq!(python_hex_is_nonzero("00"), Some(false));
        assert_eq!(python_hex_is_nonzero(" -0xFF "), Some(true));
        assert_eq!(python_hex_is_nonzero("0x_ff"), Some(true));
        assert_eq!(python_hex_is_nonzero("f_f"), Some(true));
        assert_eq!(python_hex_is_nonzero("f__f"), None);
        assert_eq!(python_hex_is_nonzero("_ff"), None);
        assert_eq!(python_hex_is_nonzero("ff_"), None);
        assert_eq!(python_hex_is_nonzero("0x"), None);
        assert_eq!(python_hex_is_nonzero("g"), None);
        assert_eq!(python_hex_is_nonzero(""), None);
        // CPython's rewriting of non-ASCII text.
        assert_eq!(python_hex_is_nonzero("\u{ff11}\u{ff10}"), Some(true));
        assert_eq!(python_hex_is_nonzero("\u{1d7ce}"), Some(false));
        assert_eq!(python_hex_is_nonzero("\u{3000}ff\u{a0}"), Some(true));
        assert_eq!(python_hex_is_nonzero("\u{1c}1"), None);
        assert_eq!(python_hex_is_nonzero("\u{1c}\u{e9}"), None);
        assert_eq!(python_hex_is_nonzero(" \u{b}ff\u{c} "), Some(true));
    }

    #[test]
    fn key_debug_is_redacted() {
        let k = Key::new("secret");
        assert_eq!(format!("{k:?}"), "Key(***)");
        assert_eq!(k.repr(), "'secret'");
        assert!(Key::new("").is_empty());
    }

    #[test]
    fn generated_formats() {
        let k = Key::generate().unwrap();
        assert_eq!(k.expose_secret().len(), 128);
        let s = Salt::generate().unwrap();
        assert_eq!(s.as_str().len(), 64);
        assert!(s.check().is_ok());
    }
}
