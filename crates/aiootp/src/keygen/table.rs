//! `table_keystream` and `table_key` (spec `utilities.md` §4.1–4.2).

use std::fmt;

use zeroize::Zeroize;

use crate::compat::Key;
use crate::compat::ratchet::Ratchet;
use crate::data::tables::to_base_into;
use crate::error::KeygenError;
use crate::secret::SecretString;

/// The reference's `table_keystream(key, table)`: an endless stream of
/// keys written over the characters of `table`.
///
/// Each item is the next 1024-bit output of the compat `keys` stream made
/// with the key as its own salt (`keys(key, salt=key)`, pid 0), written in
/// base `len(table)` over `table` ([`crate::data::tables::to_base`]): about
/// 156 characters for the 95-character [`ASCII_TABLE`], fewer when the
/// leading digits are zero (the reference drops them, so lengths vary).
///
/// ```
/// use aiootp::compat::Key;
/// use aiootp::keygen::TableKeystream;
///
/// let mut stream = TableKeystream::new(&Key::new("k"), "01")?;
/// let first = stream.next_key();
/// assert!(first.expose_secret().bytes().all(|c| c == b'0' || c == b'1'));
/// assert_ne!(first, stream.next_key());
/// # Ok::<(), aiootp::error::KeygenError>(())
/// ```
///
/// [`ASCII_TABLE`]: crate::data::tables::ASCII_TABLE
pub struct TableKeystream {
    ratchet: Ratchet,
    table: Vec<char>,
    started: bool,
}

impl fmt::Debug for TableKeystream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TableKeystream")
            .field("table_len", &self.table.len())
            .finish_non_exhaustive()
    }
}

impl TableKeystream {
    /// The stream of `key` over `table`.
    ///
    /// # Errors
    /// [`KeygenError::MissingKey`] for an empty key (the reference draws a
    /// random key instead: use [`Key::generate`] for that),
    /// [`KeygenError::InvalidTable`] for a table of fewer than 2
    /// characters.
    pub fn new(key: &Key, table: &str) -> Result<Self, KeygenError> {
        if key.is_empty() {
            return Err(KeygenError::MissingKey);
        }
        let table: Vec<char> = table.chars().collect();
        if table.len() < 2 {
            return Err(KeygenError::InvalidTable { len: table.len() });
        }
        Ok(Self {
            // keys(key, salt=key): the salt's repr is the key's.
            ratchet: Ratchet::new(key.repr(), key.repr(), "0"),
            table,
            started: false,
        })
    }

    /// The next key.
    pub fn next_key(&mut self) -> SecretString {
        let mut out = [0u8; 128];
        if self.started {
            self.ratchet.next_with(b"None", &mut out);
        } else {
            self.ratchet.first(&mut out);
            self.started = true;
        }
        let mut text = String::new();
        // The table has at least two characters (checked in `new`), so
        // this does not fail.
        let _ = to_base_into(&out, &self.table, &mut text);
        out.zeroize();
        SecretString::new(text)
    }
}

impl Iterator for TableKeystream {
    type Item = SecretString;

    fn next(&mut self) -> Option<SecretString> {
        Some(self.next_key())
    }
}

/// The reference's `table_key(key, table, size)`: the first `size`
/// characters of the concatenated [`TableKeystream`] outputs of `key`
/// over `table`.
///
/// A deterministic way to turn a key into a password of a given alphabet
/// and length.
///
/// ```
/// use aiootp::compat::Key;
/// use aiootp::keygen::table_key;
///
/// let key = Key::new("smellycaaaat, smelly caaaaat!");
/// let hex = table_key(&key, "0123456789abcdef", 64)?;
/// assert_eq!(
///     hex.expose_secret(),
///     "aca8ac4d8b527bc4f8b7b2971dc8b946add562fe662e04468d830a6b3c0c588b"
/// );
/// let ascii = table_key(&key, aiootp::data::tables::ASCII_TABLE, 29)?;
/// assert_eq!(ascii.expose_secret(), "\".5EB_,&BAZ~`~/{Nq;pV!1@Sek^&");
/// # Ok::<(), aiootp::error::KeygenError>(())
/// ```
///
/// # Errors
/// As [`TableKeystream::new`].
///
/// # Security
/// The key is its own salt and is not stretched (weakness U4 of the
/// spec): equal keys give equal outputs everywhere, and a low-entropy key
/// gives a low-entropy result. Derive the key with a KDF first (e.g.
/// [`crate::compat::passcrypt`]) when it is a password.
pub fn table_key(key: &Key, table: &str, size: usize) -> Result<SecretString, KeygenError> {
    let mut stream = TableKeystream::new(key, table)?;
    // As the reference: at least one output, then more until `size`
    // characters. The result is allocated once, at its final size, so no
    // copy of it is left behind by a reallocation.
    let mut pieces = vec![stream.next_key()];
    let mut count = pieces[0].expose_secret().chars().count();
    while count < size {
        let piece = stream.next_key();
        count += piece.expose_secret().chars().count();
        pieces.push(piece);
    }
    let chars = || {
        pieces
            .iter()
            .flat_map(|p| p.expose_secret().chars())
            .take(size)
    };
    let mut out = String::with_capacity(chars().map(char::len_utf8).sum());
    out.extend(chars());
    Ok(SecretString::new(out))
}
