//! The server's records (spec §4): one [`Record`] `{key, keyed_password}`
//! per registered client, named by `key_id = id(key)`.
//!
//! [`RecordStore`] is what the server functions need; three stores ship:
//!
//! * [`MemoryRecords`]: in memory (tests, or a caller that persists the
//!   records itself);
//! * [`JsonFileRecords`]: the oracle's state file
//!   `{"<key_id>": {"key": "<128 hex>", "keyed_password": <int>}, ...}`,
//!   rewritten atomically after every change;
//! * a compat [`Database`] (the reference's README style: each record is
//!   the value of the tag `key_id`); as in the reference, the caller saves
//!   the database.
//!
//! The server changes a store only after a run succeeded: a registration
//! inserts one record, a login [`replaces`](RecordStore::replace) the old
//! record by the new one.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::keys::KeyedPassword;
use crate::compat::{PyValue, pyjson};
use crate::db::Database;
use crate::error::RopakeError;
use crate::secret::SecretString;

const KEY: &str = "key";
const KEYED_PASSWORD: &str = "keyed_password";

/// One client's record on the server: its current ratchet key and keyed
/// password. Both are secrets (spec §16.2 R2: the record alone lets its
/// holder log in as the client).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    key: SecretString,
    keyed_password: KeyedPassword,
}

impl Record {
    /// A record of a key (128 hex characters) and a keyed password.
    #[must_use]
    pub fn new(key: String, keyed_password: KeyedPassword) -> Self {
        Self {
            key: SecretString::new(key),
            keyed_password,
        }
    }

    /// The client's current ratchet key. Secret.
    #[must_use]
    pub fn expose_key(&self) -> &str {
        self.key.expose_secret()
    }

    /// The client's current keyed password. Secret.
    #[must_use]
    pub fn keyed_password(&self) -> &KeyedPassword {
        &self.keyed_password
    }

    /// The record as the reference stores it:
    /// `{"key": "...", "keyed_password": <int>}`.
    #[must_use]
    pub fn to_value(&self) -> PyValue {
        PyValue::Dict(vec![
            (PyValue::from(KEY), PyValue::from(self.expose_key())),
            (
                PyValue::from(KEYED_PASSWORD),
                self.keyed_password.to_value(),
            ),
        ])
    }

    /// Reads a record: `key` non-empty text, `keyed_password` an integer
    /// in `0..2^512`. Returns the reason on failure.
    ///
    /// # Errors
    /// A short description of what is wrong.
    pub fn from_value(value: &PyValue) -> Result<Self, String> {
        let PyValue::Dict(pairs) = value else {
            return Err("a record is not an object".into());
        };
        let get = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| matches!(k, PyValue::Str(s) if s == name))
                .map(|(_, v)| v)
        };
        let key = match get(KEY) {
            Some(PyValue::Str(s)) if !s.is_empty() => s.clone(),
            Some(_) => return Err("a record's 'key' is not text".into()),
            None => return Err("a record has no 'key'".into()),
        };
        let keyed_password = match get(KEYED_PASSWORD) {
            Some(PyValue::Int(n)) => KeyedPassword::from_pyint(n)
                .ok_or("a record's 'keyed_password' is not in 0..2^512")?,
            Some(_) => return Err("a record's 'keyed_password' is not an integer".into()),
            None => return Err("a record has no 'keyed_password'".into()),
        };
        Ok(Self::new(key, keyed_password))
    }
}

/// Where a Ropake server keeps its [`Record`]s, by `key_id`.
pub trait RecordStore {
    /// The record named `key_id`, if any.
    ///
    /// # Errors
    /// The store's failures ([`RopakeError::Store`],
    /// [`RopakeError::StoreIo`], [`RopakeError::StoreCorrupt`],
    /// [`RopakeError::Db`]).
    fn get(&mut self, key_id: &str) -> Result<Option<Record>, RopakeError>;

    /// Adds (or overwrites) the record named `key_id`.
    ///
    /// # Errors
    /// As [`RecordStore::get`].
    fn insert(&mut self, key_id: &str, record: Record) -> Result<(), RopakeError>;

    /// Removes the record named `key_id` (no error if there is none).
    ///
    /// # Errors
    /// As [`RecordStore::get`].
    fn remove(&mut self, key_id: &str) -> Result<(), RopakeError>;

    /// A login's change: inserts the record `new_key_id`, then removes
    /// `old_key_id` (the reference's order). Stores that can should do
    /// both at once; the default calls [`insert`](Self::insert) and
    /// [`remove`](Self::remove).
    ///
    /// # Errors
    /// As [`RecordStore::get`].
    fn replace(
        &mut self,
        old_key_id: &str,
        new_key_id: &str,
        record: Record,
    ) -> Result<(), RopakeError> {
        self.insert(new_key_id, record)?;
        self.remove(old_key_id)
    }
}

// ------------------------------------------------------------ memory

/// Records in memory, in insertion order (a Python dict's order:
/// overwriting keeps a record's place).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryRecords {
    records: HashMap<String, (u64, Record)>,
    next: u64,
}

impl MemoryRecords {
    /// No records.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of records.
    #[must_use]
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The record named `key_id`.
    #[must_use]
    pub fn record(&self, key_id: &str) -> Option<&Record> {
        self.records.get(key_id).map(|(_, r)| r)
    }

    /// `(key_id, record)` in insertion order.
    #[must_use]
    pub fn records(&self) -> Vec<(&str, &Record)> {
        let mut all: Vec<_> = self
            .records
            .iter()
            .map(|(k, (seq, r))| (*seq, k.as_str(), r))
            .collect();
        all.sort_unstable_by_key(|(seq, _, _)| *seq);
        all.into_iter().map(|(_, k, r)| (k, r)).collect()
    }

    /// All records as the oracle's state object
    /// `{key_id: {"key": ..., "keyed_password": ...}, ...}`.
    #[must_use]
    pub fn to_value(&self) -> PyValue {
        PyValue::Dict(
            self.records()
                .into_iter()
                .map(|(k, r)| (PyValue::from(k), r.to_value()))
                .collect(),
        )
    }

    /// Reads the state object of [`MemoryRecords::to_value`] (the last of
    /// duplicate names wins, at the first one's place, as in Python).
    ///
    /// # Errors
    /// A short description of what is wrong.
    pub fn from_value(value: &PyValue) -> Result<Self, String> {
        let PyValue::Dict(pairs) = value else {
            return Err("the records are not an object".into());
        };
        let mut out = Self::new();
        for (k, v) in pairs {
            let PyValue::Str(key_id) = k else {
                return Err("a record name is not text".into());
            };
            out.put(key_id, Record::from_value(v)?);
        }
        Ok(out)
    }

    fn put(&mut self, key_id: &str, record: Record) -> Option<(u64, Record)> {
        let seq = match self.records.get(key_id) {
            Some((seq, _)) => *seq,
            None => {
                self.next += 1;
                self.next
            }
        };
        self.records.insert(key_id.to_owned(), (seq, record))
    }
}

impl RecordStore for MemoryRecords {
    fn get(&mut self, key_id: &str) -> Result<Option<Record>, RopakeError> {
        Ok(self.record(key_id).cloned())
    }

    fn insert(&mut self, key_id: &str, record: Record) -> Result<(), RopakeError> {
        self.put(key_id, record);
        Ok(())
    }

    fn remove(&mut self, key_id: &str) -> Result<(), RopakeError> {
        self.records.remove(key_id);
        Ok(())
    }
}

// ------------------------------------------------------------ JSON file

/// Records in a JSON file, the oracle's server state format
/// (`{"<key_id>": {"key": "...", "keyed_password": <int>}, ...}`, Python's
/// `json.dump` text), kept in memory and rewritten after every change:
/// a temporary file in the same directory (mode 0600 on Unix), `fsync`,
/// rename over the old file, `fsync` of the directory. A change whose
/// write fails is undone in memory too.
///
/// The whole file is rewritten per change, which suits a modest number of
/// clients. There is no lock: run one server per file.
#[derive(Debug)]
pub struct JsonFileRecords {
    path: PathBuf,
    records: MemoryRecords,
}

impl JsonFileRecords {
    /// Opens the state file at `path`: reads and checks it if it exists,
    /// else starts empty (the file is created at the first change).
    ///
    /// # Errors
    /// [`RopakeError::StoreIo`] when it cannot be read,
    /// [`RopakeError::StoreCorrupt`] when it is not a records file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, RopakeError> {
        let path = path.as_ref().to_path_buf();
        let records = match fs::read(&path) {
            Ok(bytes) => {
                let corrupt = |reason: String| RopakeError::StoreCorrupt {
                    path: path.display().to_string(),
                    reason,
                };
                let value = pyjson::loads_bytes(&bytes).map_err(|e| corrupt(e.to_string()))?;
                MemoryRecords::from_value(&value).map_err(corrupt)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => MemoryRecords::new(),
            Err(source) => {
                return Err(RopakeError::StoreIo {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        Ok(Self { path, records })
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The records (in memory, equal to the file's).
    #[must_use]
    pub fn records(&self) -> &MemoryRecords {
        &self.records
    }

    /// Writes the records to the file now (atomically).
    ///
    /// # Errors
    /// [`RopakeError::StoreIo`].
    pub fn save(&self) -> Result<(), RopakeError> {
        let io = |source| RopakeError::StoreIo {
            path: self.path.display().to_string(),
            source,
        };
        let mut value = self.records.to_value();
        let text = pyjson::dumps(&value).map(zeroize::Zeroizing::new);
        super::messages::wipe(&mut value);
        let text = text.map_err(|e| io(std::io::Error::other(e.to_string())))?;
        write_atomically(&self.path, text.as_bytes()).map_err(io)?;
        Ok(())
    }

    /// Applies `change` in memory, saves, and undoes the change if the
    /// save fails.
    fn change(&mut self, change: impl FnOnce(&mut MemoryRecords)) -> Result<(), RopakeError> {
        let before = self.records.clone();
        change(&mut self.records);
        if let Err(e) = self.save() {
            self.records = before;
            return Err(e);
        }
        Ok(())
    }
}

/// Writes `bytes` to `path` through a temporary file in the same
/// directory: create (0600), write, fsync, rename, fsync the directory.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let suffix = crate::random::hex(8).map_err(|e| std::io::Error::other(e.to_string()))?;
    let tmp = dir.join(format!(".{name}.{suffix}.tmp"));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        #[cfg(unix)]
        fs::File::open(&dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

impl RecordStore for JsonFileRecords {
    fn get(&mut self, key_id: &str) -> Result<Option<Record>, RopakeError> {
        Ok(self.records.record(key_id).cloned())
    }

    fn insert(&mut self, key_id: &str, record: Record) -> Result<(), RopakeError> {
        self.change(|r| {
            r.put(key_id, record);
        })
    }

    fn remove(&mut self, key_id: &str) -> Result<(), RopakeError> {
        if self.records.record(key_id).is_none() {
            return Ok(());
        }
        self.change(|r| {
            r.records.remove(key_id);
        })
    }

    fn replace(
        &mut self,
        old_key_id: &str,
        new_key_id: &str,
        record: Record,
    ) -> Result<(), RopakeError> {
        self.change(|r| {
            r.put(new_key_id, record);
            r.records.remove(old_key_id);
        })
    }
}

// ------------------------------------------------------------ Database

/// A compat [`Database`] as the store, as in the reference's README: the
/// record of `key_id` is the value of the tag `key_id`. Changes stay in
/// memory until the caller saves the database (the reference never saves
/// a store either). The inherent `get`/`insert`-like methods of
/// [`Database`] are unrelated; call these through the trait.
impl RecordStore for Database {
    fn get(&mut self, key_id: &str) -> Result<Option<Record>, RopakeError> {
        match self.get_value(key_id)? {
            None | Some(PyValue::None) => Ok(None),
            Some(value) => {
                Record::from_value(value)
                    .map(Some)
                    .map_err(|reason| RopakeError::StoreCorrupt {
                        path: format!("database tag file {}", self.filename(key_id)),
                        reason,
                    })
            }
        }
    }

    fn insert(&mut self, key_id: &str, record: Record) -> Result<(), RopakeError> {
        Ok(self.set_value(key_id, record.to_value())?)
    }

    fn remove(&mut self, key_id: &str) -> Result<(), RopakeError> {
        if self.contains(key_id) {
            self.delete(key_id)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: u8) -> Record {
        Record::new(format!("{n:0128x}"), KeyedPassword::from_be_bytes([n; 64]))
    }

    #[test]
    fn memory_keeps_python_dict_order() {
        let mut m = MemoryRecords::new();
        m.insert("b", record(1)).unwrap();
        m.insert("a", record(2)).unwrap();
        m.insert("b", record(3)).unwrap();
        m.replace("a", "c", record(4)).unwrap();
        let names: Vec<_> = m.records().into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["b", "c"]);
        assert_eq!(m.get("b").unwrap(), Some(record(3)));
        let back = MemoryRecords::from_value(&m.to_value()).unwrap();
        assert_eq!(back.to_value(), m.to_value());
    }

    #[test]
    fn json_file_round_trip_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.json");
        let mut s = JsonFileRecords::open(&path).unwrap();
        assert!(!path.exists());
        s.insert("x", record(9)).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(r#"{"x": {"key": "0000"#), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0);
        }
        let mut again = JsonFileRecords::open(&path).unwrap();
        assert_eq!(again.get("x").unwrap(), Some(record(9)));
        for bad in [
            "[]",
            "{",
            r#"{"x": 1}"#,
            r#"{"x": {"key": "k"}}"#,
            r#"{"x": {"key": "k", "keyed_password": "1"}}"#,
            r#"{"x": {"key": 1, "keyed_password": 1}}"#,
            r#"{"x": {"key": "k", "keyed_password": -1}}"#,
        ] {
            fs::write(&path, bad).unwrap();
            assert!(
                matches!(
                    JsonFileRecords::open(&path),
                    Err(RopakeError::StoreCorrupt { .. })
                ),
                "{bad}"
            );
        }
        // Only the state file is left in the directory.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
