//! `mnemonic` (spec `utilities.md` §4.3).

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

use crate::compat::PyValue;
use crate::compat::passcrypt::{Passcrypt, PasscryptHash, Password};
use crate::compat::pyvalue::repr_str;
use crate::compat::ratchet::Ratchet;
use crate::data::word_list;
use crate::error::{CipherError, Error, KeygenError};
use crate::random;
use crate::secret::SecretString;

/// The reference's `mnemonic(key, salt)`: an endless stream of words
/// derived from a password and a salt.
///
/// ```text
/// salt   = salt or csprng()                     # 128 random hex characters
/// pw     = passcrypt(password, salt)            # kb=1024, cpu=3, hardness=1024
/// stream = bytes_keys(pw, salt=salt, pid=pw)    # 128-byte outputs
/// word   = words[int_be(next output) % len(words)]
/// ```
///
/// [`send`](Self::send) mixes a value into the stream before the next
/// word, as the reference's `g(value)` does. The salt is public; keep it
/// ([`salt`](Self::salt), the reference's `result(exit=True)`) to make the
/// same words again.
///
/// ```
/// use aiootp::compat::passcrypt::Password;
/// use aiootp::keygen::Mnemonic;
///
/// // The passcrypt of the reference's defaults (1 MiB) runs first.
/// let mut words = Mnemonic::new(&Password::new("password"), Some(&"a".repeat(64)))?;
/// let phrase: Vec<&str> = words.by_ref().take(5).collect();
/// assert_eq!(phrase, ["sadness", "public", "excuse", "dinosaur", "shrug"]);
/// # Ok::<(), aiootp::Error>(())
/// ```
///
/// # Security
/// The words are secret (they are key material); they are handed out as
/// `&'static str` entries of the word list, so collect them into a
/// zeroized buffer ([`phrase`](Self::phrase)) rather than a plain
/// `String`. The word list is not in BIP-39 order, so these are not
/// BIP-39 mnemonics; each word is the 1024-bit output reduced mod the list
/// length (a negligible bias, spec weakness U3).
pub struct Mnemonic<'w> {
    ratchet: Ratchet,
    salt: String,
    words: &'w [&'w str],
    started: bool,
}

impl fmt::Debug for Mnemonic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mnemonic")
            .field("salt", &self.salt)
            .field("words", &self.words.len())
            .finish_non_exhaustive()
    }
}

/// The salt to use: the given one, or 128 random hex characters when it is
/// missing or empty (Python: falsy), as the reference's `csprng()`.
fn salt_or_random(salt: Option<&str>) -> Result<String, Error> {
    match salt {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => random::hex(64),
    }
}

impl Mnemonic<'static> {
    /// The words of `password` and `salt` over the reference's
    /// [`word_list`]. A missing or empty salt is drawn at random.
    ///
    /// Runs passcrypt with the reference's defaults (1 MiB of memory, a
    /// blocking computation of some tens of milliseconds): in async code
    /// use [`Mnemonic::new_async`].
    ///
    /// # Errors
    /// [`crate::error::PasscryptError::MissingPassword`] for an empty
    /// password; [`Error::Random`] if a salt cannot be drawn; passcrypt's
    /// out-of-memory error.
    pub fn new(password: &Password, salt: Option<&str>) -> Result<Self, Error> {
        Self::with_words(password, salt, word_list())
    }

    /// As [`Mnemonic::new`], with passcrypt on tokio's blocking pool.
    ///
    /// # Errors
    /// As [`Mnemonic::new`], and [`Error::Task`] if the background task
    /// fails.
    #[cfg(feature = "tokio")]
    pub async fn new_async(password: &Password, salt: Option<&str>) -> Result<Self, Error> {
        let salt = salt_or_random(salt)?;
        let hash = crate::compat::passcrypt::AsyncPasscrypt::new(Passcrypt::default())
            .hash(password, &PyValue::Str(salt.clone()))
            .await?;
        Ok(Self::from_hash(&hash, salt, word_list()))
    }
}

impl<'w> Mnemonic<'w> {
    /// As [`Mnemonic::new`], over the given word list (the reference's
    /// `words=` argument).
    ///
    /// # Errors
    /// As [`Mnemonic::new`]; [`KeygenError::EmptyWordList`] for an empty
    /// list.
    pub fn with_words(
        password: &Password,
        salt: Option<&str>,
        words: &'w [&'w str],
    ) -> Result<Self, Error> {
        if words.is_empty() {
            return Err(KeygenError::EmptyWordList.into());
        }
        let salt = salt_or_random(salt)?;
        let hash = Passcrypt::default().hash(password, &PyValue::Str(salt.clone()))?;
        Ok(Self::from_hash(&hash, salt, words))
    }

    /// The stream of `bytes_keys(pw, salt=salt, pid=pw)`.
    fn from_hash(hash: &PasscryptHash, salt: String, words: &'w [&'w str]) -> Self {
        let mut key_repr = Zeroizing::new(String::with_capacity(130));
        repr_str(hash.expose_secret(), &mut key_repr);
        let mut salt_repr = String::new();
        repr_str(&salt, &mut salt_repr);
        Self {
            ratchet: Ratchet::new(&key_repr, &salt_repr, &key_repr),
            salt,
            words,
            started: false,
        }
    }

    /// The salt in use (public; the reference's `result(exit=True)`).
    #[must_use]
    pub fn salt(&self) -> &str {
        &self.salt
    }

    /// The next word.
    pub fn next_word(&mut self) -> &'w str {
        let mut out = [0u8; 128];
        if self.started {
            self.ratchet.next_with(b"None", &mut out);
        } else {
            self.ratchet.first(&mut out);
            self.started = true;
        }
        let word = self.word_of(&out);
        out.zeroize();
        word
    }

    /// The reference's `g(value)`: a truthy `value` is first mixed into the
    /// byte stream (its `str` text is absorbed and that output discarded),
    /// then the next word is returned. A falsy value (`None`, `""`, `0`,
    /// ...) mixes nothing, as in the reference.
    ///
    /// # Errors
    /// [`CipherError::SendBeforeStart`] for a non-`None` value before the
    /// first word (Python's `TypeError` for a just-started generator).
    pub fn send(&mut self, value: &PyValue) -> Result<&'w str, CipherError> {
        if !self.started {
            if *value != PyValue::None {
                return Err(CipherError::SendBeforeStart);
            }
        } else if value.is_truthy() {
            let mut text = Zeroizing::new(value.str_text());
            let mut out = [0u8; 128];
            self.ratchet.next_with(text.as_bytes(), &mut out);
            out.zeroize();
            text.zeroize();
        }
        Ok(self.next_word())
    }

    /// The next `n` words joined by single spaces, in a zeroized buffer.
    pub fn phrase(&mut self, n: usize) -> SecretString {
        let words: Vec<&str> = (0..n).map(|_| self.next_word()).collect();
        let len = words.iter().map(|w| w.len() + 1).sum::<usize>();
        let mut out = String::with_capacity(len);
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(w);
        }
        SecretString::new(out)
    }

    /// `words[int_be(output) % len(words)]`.
    fn word_of(&self, out: &[u8; 128]) -> &'w str {
        let n = self.words.len() as u128;
        let index = out
            .iter()
            .fold(0u128, |r, &b| ((r << 8) | u128::from(b)) % n);
        // index < n = words.len(), which is not zero (checked at creation).
        self.words.get(index as usize).copied().unwrap_or_default()
    }
}

impl<'w> Iterator for Mnemonic<'w> {
    type Item = &'w str;

    fn next(&mut self) -> Option<&'w str> {
        Some(self.next_word())
    }
}
