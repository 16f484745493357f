//! Encoding and decoding of database files (spec `database.md` §5), the
//! save journal, and the random sources. No I/O.
//!
//! **Hazardous material**: [`encrypt_file`] and [`decrypt_file`] take raw
//! keys and salts, for test vectors and tools; use
//! [`Database`](super::Database) for data.

use std::sync::atomic::{AtomicU64, Ordering};

use zeroize::Zeroizing;

use super::names::is_base36;
use crate::compat::cipher::{self, DecryptOptions, EncryptOptions};
use crate::compat::hash::{sha3_256_hex, sha3_512_hex};
use crate::compat::{Ciphertext, Key, PyValue, Salt};
use crate::error::{DbError, Error, FileKind};
use crate::keccak::Sha3_256;
use crate::random;

/// Maps the crate's umbrella error (from the cipher and the random source)
/// to the database layer's.
pub(crate) fn db_error(e: Error) -> DbError {
    #[allow(unreachable_patterns)]
    match e {
        Error::Cipher(c) => DbError::Cipher(c),
        Error::Json(j) => DbError::Json(j),
        Error::Decode(d) => DbError::Decode(d),
        Error::Db(d) => d,
        Error::Storage(s) => DbError::Storage(s),
        Error::Passcrypt(p) => DbError::Passcrypt(p),
        Error::Random(r) => DbError::Random(r),
        Error::Task(t) => DbError::Task(t),
        other => DbError::Task(other.to_string()),
    }
}

pub(crate) fn corrupt(kind: FileKind, file: &str, source: impl Into<Error>) -> DbError {
    DbError::Corrupt {
        kind,
        file: file.to_owned(),
        source: Box::new(source.into()),
    }
}

/// The bytes of a database file holding `json.dumps(value)` encrypted
/// under `key` with ciphertext salt `salt` (64 hex) at `time`.
///
/// # Errors
/// [`DbError::Json`] for a value with no JSON form.
pub fn encrypt_file(
    value: &PyValue,
    key: &Key,
    salt: &str,
    time: Option<u64>,
) -> Result<Vec<u8>, DbError> {
    let mut options = EncryptOptions::new().salt(Salt::unchecked(salt));
    if let Some(t) = time {
        options = options.time(t);
    }
    let ct = cipher::json_encrypt_value(value, key, &options).map_err(db_error)?;
    Ok(ct.to_bytes()?)
}

/// Reads a database file: the ciphertext salt is taken from the file and
/// handed to `key_for` to derive the key. No ttl is applied, as in the
/// reference.
///
/// # Errors
/// [`DbError::Corrupt`] naming `file` for a bad length, a failed
/// authentication or an authentic plaintext that is not JSON.
pub fn decrypt_file(
    bytes: &[u8],
    kind: FileKind,
    file: &str,
    key_for: impl FnOnce(&str) -> Key,
) -> Result<PyValue, DbError> {
    let ct = Ciphertext::from_bytes(bytes).map_err(|e| corrupt(kind, file, e))?;
    let key = key_for(ct.salt());
    cipher::json_decrypt_value(&ct, &key, &DecryptOptions::new())
        .map_err(|e| corrupt(kind, file, e))
}

/// The random sources of the reference: `csprng()` (128 hex) and
/// `salt()` (64 hex), from the operating system or, for reproducing the
/// reference's deterministic test runs, from its counter generator.
#[derive(Debug)]
pub(crate) enum Entropy {
    Os,
    Counter { seed: String, next: AtomicU64 },
}

impl Entropy {
    fn count(next: &AtomicU64) -> u64 {
        next.fetch_add(1, Ordering::SeqCst)
    }

    /// `csprng()`: 128 lowercase hex characters.
    pub(crate) fn csprng(&self) -> Result<Zeroizing<String>, DbError> {
        match self {
            Self::Os => Ok(Zeroizing::new(random::hex(64).map_err(db_error)?)),
            Self::Counter { seed, next } => Ok(Zeroizing::new(sha3_512_hex(
                format!("{seed}:{}", Self::count(next)).as_bytes(),
            ))),
        }
    }

    /// `salt()`: 64 lowercase hex characters.
    pub(crate) fn salt(&self) -> Result<Zeroizing<String>, DbError> {
        match self {
            Self::Os => Ok(Zeroizing::new(random::hex(32).map_err(db_error)?)),
            Self::Counter { seed, next } => Ok(Zeroizing::new(sha3_256_hex(
                format!("{seed}:{}", Self::count(next)).as_bytes(),
            ))),
        }
    }

    /// A ciphertext salt: `csprng()[:64]`.
    pub(crate) fn ciphertext_salt(&self) -> Result<String, DbError> {
        let full = self.csprng()?;
        Ok(full.get(..64).unwrap_or_default().to_owned())
    }
}

const JOURNAL_MAGIC: &[u8] = b"aiootp-db-journal 1\n";

/// One save or deletion, written whole before any database file changes
/// (the commit point) and replayed by the next writer if the process died
/// while applying it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Journal {
    /// Files to write, in order.
    pub(crate) puts: Vec<(String, Vec<u8>)>,
    /// Files to delete after the writes.
    pub(crate) deletes: Vec<String>,
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    // Names are base36 file names (at most 50 bytes).
    out.extend_from_slice(&u16::try_from(name.len()).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(name.as_bytes());
}

struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.data.len() {
            return None;
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Some(head)
    }

    fn u16(&mut self) -> Option<usize> {
        Some(usize::from(u16::from_be_bytes(
            self.take(2)?.try_into().ok()?,
        )))
    }

    fn u32(&mut self) -> Option<usize> {
        usize::try_from(u32::from_be_bytes(self.take(4)?.try_into().ok()?)).ok()
    }

    fn u64(&mut self) -> Option<usize> {
        usize::try_from(u64::from_be_bytes(self.take(8)?.try_into().ok()?)).ok()
    }

    fn name(&mut self) -> Option<String> {
        let n = self.u16()?;
        let name = std::str::from_utf8(self.take(n)?).ok()?;
        is_base36(name).then(|| name.to_owned())
    }
}

impl Journal {
    pub(crate) fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.deletes.is_empty()
    }

    /// `magic ‖ u32 n ‖ n × (u16 len ‖ name ‖ u64 len ‖ bytes) ‖ u32 m ‖
    /// m × (u16 len ‖ name) ‖ SHA3-256 of everything before`.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let size: usize = self.puts.iter().map(|(n, d)| n.len() + d.len() + 10).sum();
        let mut out = Vec::with_capacity(size + 128);
        out.extend_from_slice(JOURNAL_MAGIC);
        out.extend_from_slice(&u32::try_from(self.puts.len()).unwrap_or(0).to_be_bytes());
        for (name, data) in &self.puts {
            push_name(&mut out, name);
            out.extend_from_slice(&(data.len() as u64).to_be_bytes());
            out.extend_from_slice(data);
        }
        out.extend_from_slice(&u32::try_from(self.deletes.len()).unwrap_or(0).to_be_bytes());
        for name in &self.deletes {
            push_name(&mut out, name);
        }
        let digest = Sha3_256::digest(&out);
        out.extend_from_slice(&digest);
        out
    }

    /// Parses a journal; `None` unless it is complete, its checksum holds
    /// and every name is a database file name.
    pub(crate) fn decode(data: &[u8]) -> Option<Self> {
        let body_len = data.len().checked_sub(32)?;
        let (body, digest) = data.split_at(body_len);
        if Sha3_256::digest(body)[..] != *digest {
            return None;
        }
        let mut r = Reader { data: body };
        if r.take(JOURNAL_MAGIC.len())? != JOURNAL_MAGIC {
            return None;
        }
        let n = r.u32()?;
        let mut puts = Vec::new();
        for _ in 0..n {
            let name = r.name()?;
            let len = r.u64()?;
            puts.push((name, r.take(len)?.to_vec()));
        }
        let m = r.u32()?;
        let mut deletes = Vec::new();
        for _ in 0..m {
            deletes.push(r.name()?);
        }
        r.data.is_empty().then_some(Self { puts, deletes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_round_trip_and_damage() {
        let j = Journal {
            puts: vec![("abc".into(), vec![1, 2, 3]), ("z".into(), vec![])],
            deletes: vec!["q1".into()],
        };
        let bytes = j.encode();
        assert_eq!(Journal::decode(&bytes), Some(j));
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 1;
            assert_eq!(Journal::decode(&bad), None);
        }
        assert_eq!(Journal::decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(Journal::decode(&[]), None);
        let evil = Journal {
            puts: vec![("../x".into(), vec![])],
            deletes: vec![],
        };
        assert_eq!(Journal::decode(&evil.encode()), None);
    }

    #[test]
    fn counter_entropy_matches_the_oracle() {
        let e = Entropy::Counter {
            seed: "plain".into(),
            next: AtomicU64::new(0),
        };
        assert_eq!(*e.salt().unwrap(), sha3_256_hex(b"plain:0"));
        assert_eq!(*e.csprng().unwrap(), sha3_512_hex(b"plain:1"));
        assert_eq!(e.ciphertext_salt().unwrap(), sha3_512_hex(b"plain:2")[..64]);
    }
}
