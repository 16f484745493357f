//! The fixture database and the checks shared by the database targets
//! (`db_*`).
//!
//! Every target starts from the files of one small database (the
//! *fixture*: key [`KEY`], depth 0, the counter generator seeded with
//! [`RNG_SEED`], clock [`TIME`]), replaces some of them by fuzzed bytes in
//! a [`MemoryStore`] and opens it. A fuzzed file is taken either as is
//! (*raw*: the fuzzer almost never gets past authentication, which is
//! itself under test) or as the plaintext of the file, encrypted by the
//! target under the file's real key (*sealed*: the JSON and layout checks
//! behind authentication are under test).
//!
//! `crates/aiootp/tests/fuzz_seeds.rs` builds the same fixture to write
//! the seeds: keep [`populate`] and the constants in step with it.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use aiootp::compat::cipher::{self, DecryptOptions, EncryptOptions};
use aiootp::compat::{Ciphertext, Key, PyValue, Salt, pyjson};
use aiootp::db::names::{RootKeys, SeededKeys};
use aiootp::db::{Database, MemoryStore, OpenOptions};
use aiootp::error::{DbError, Error, FileKind, StorageError};

/// The fixture's key.
pub const KEY: &str = "aiootp fuzz fixture";
/// The seed of the counter generator of the fixture and of every open.
pub const RNG_SEED: &str = "aiootp fuzz";
/// The clock of every database (whole seconds since the epoch).
pub const TIME: u64 = 1_700_000_000;
/// The ciphertext salt of the files the targets seal.
pub const FILE_SALT: &str = "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff";
/// How deep [`dump`] descends into children (a store holds only a few
/// databases, so real trees end long before).
const MAX_DUMP_DEPTH: usize = 16;

/// The options of every open: the counter generator and the fixed clock
/// keep runs reproducible (saves draw salts).
#[must_use]
pub fn options() -> OpenOptions {
    OpenOptions::new()
        .insecure_deterministic_rng(RNG_SEED)
        .fixed_time(TIME)
}

/// Fills the fixture: tags `"a"` (a dict), `"b"` (a string), `7` (an
/// empty list) and the child `"m"` holding tag `"c"` (a float).
///
/// # Errors
/// None in practice (the values are valid).
pub fn populate(db: &mut Database) -> Result<(), DbError> {
    let dict = pyjson::loads(r#"{"x": [1, 2.5, null, true], "y": "\u00e9"}"#)?;
    db.set_value("a", dict)?;
    db.set_value("b", PyValue::from("text"))?;
    db.set_value(7, PyValue::List(Vec::new()))?;
    db.metatag("m")?.set_value("c", PyValue::Float(1.5))?;
    Ok(())
}

/// How a target may rewrite one file of the fixture.
pub enum Seal {
    /// Encrypted under this key with [`FILE_SALT`] (a manifest, root
    /// salt or tag file).
    Key(Key),
    /// A save journal: the SHA3-256 checksum is appended.
    Journal,
}

/// A file name of the fixture's store and how to seal its content.
pub struct Slot {
    /// The file name.
    pub name: String,
    /// How to seal a plaintext for it.
    pub seal: Seal,
}

/// The fixture: its files, keys and names.
pub struct Fixture {
    /// The key of the database.
    pub key: Key,
    /// The root database's keys.
    pub keys: SeededKeys,
    /// The keys of the child `"m"`.
    pub child_keys: SeededKeys,
    /// Every file of the saved fixture.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The manifest's name.
    pub manifest: String,
    /// The root salt file's name.
    pub root_salt: String,
    /// The journal's name (no journal in `files`).
    pub journal: String,
    /// The file name of tag `"a"`.
    pub tag_a: String,
    /// The file name of tag `"c"` of the child `"m"`.
    pub tag_c: String,
    /// Every name above, with tag `"b"`, tag `7` and the child's manifest
    /// (for `db_open`).
    pub slots: Vec<Slot>,
    salt: Salt,
}

/// The fixture, built once.
///
/// # Panics
/// If the library cannot build it (a bug).
#[must_use]
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(Fixture::build)
}

impl Fixture {
    fn build() -> Self {
        let key = Key::new(KEY);
        let store = MemoryStore::new();
        let mut db = options()
            .open_store(store.clone(), &key)
            .expect("the fixture opens");
        populate(&mut db).expect("the fixture's values are valid");
        db.save().expect("the fixture saves");
        let keys = db.derived_keys().clone();
        let child_keys = db
            .metatag("m")
            .expect("the child opens")
            .derived_keys()
            .clone();
        drop(db);
        let files = store.snapshot().expect("a memory store");
        assert_eq!(files.len(), 7, "the fixture has 7 files");

        let root = keys.root();
        let child_root = child_keys.root();
        let manifest = root.root_filename().to_owned();
        let root_salt = root.root_salt_filename();
        let journal = format!("{manifest}.journal");
        let tag = |k: &SeededKeys, t: PyValue| k.filename(&t);
        let tag_a = tag(&keys, PyValue::from("a"));
        let tag_c = tag(&child_keys, PyValue::from("c"));
        let tag_key = |k: &SeededKeys, file: &str| {
            Seal::Key(k.encryption_key(&PyValue::from(file), FILE_SALT))
        };
        let mut slots = vec![
            Slot {
                name: manifest.clone(),
                seal: Seal::Key(root.manifest_key(FILE_SALT)),
            },
            Slot {
                name: root_salt.clone(),
                seal: Seal::Key(root.root_salt_key()),
            },
            Slot {
                name: journal.clone(),
                seal: Seal::Journal,
            },
            Slot {
                name: child_root.root_filename().to_owned(),
                seal: Seal::Key(child_root.manifest_key(FILE_SALT)),
            },
            Slot {
                name: tag_c.clone(),
                seal: tag_key(&child_keys, &tag_c),
            },
        ];
        for t in [PyValue::from("a"), PyValue::from("b"), PyValue::from(7)] {
            let name = tag(&keys, t);
            let seal = tag_key(&keys, &name);
            slots.push(Slot { name, seal });
        }
        for slot in &slots {
            assert!(
                slot.name == journal || files.contains_key(&slot.name),
                "fixture file {} missing",
                slot.name
            );
        }
        Self {
            key,
            keys,
            child_keys,
            files,
            manifest,
            root_salt,
            journal,
            tag_a,
            tag_c,
            slots,
            salt: Salt::parse(FILE_SALT).expect("a valid salt"),
        }
    }

    /// The root database's root keys.
    #[must_use]
    pub fn root(&self) -> &RootKeys {
        self.keys.root()
    }

    /// `plaintext` encrypted under `key` with [`FILE_SALT`] at [`TIME`]:
    /// a file as the library writes it.
    ///
    /// # Panics
    /// If encryption fails (a bug).
    #[must_use]
    pub fn seal(&self, plaintext: &[u8], key: &Key) -> Vec<u8> {
        let options = EncryptOptions::new()
            .salt(self.salt.clone())
            .time(TIME)
            .parallel(false);
        cipher::bytes_encrypt(plaintext, key, &options)
            .expect("encryption with a valid key and salt")
            .to_bytes()
            .expect("a ciphertext has at least one block")
    }

    /// The file a target stores: `body` sealed under `seal` or as is.
    #[must_use]
    pub fn file(&self, sealed: bool, body: &[u8], seal: &Seal) -> Vec<u8> {
        match (sealed, seal) {
            (false, _) => body.to_vec(),
            (true, Seal::Key(key)) => self.seal(body, key),
            (true, Seal::Journal) => with_checksum(body),
        }
    }

    /// Opens `store` with [`options`] and the fixture's key.
    ///
    /// # Errors
    /// Those of [`OpenOptions::open_store`].
    pub fn open(
        &self,
        store: &MemoryStore,
        preload: bool,
        read_only: bool,
    ) -> Result<Database, DbError> {
        options()
            .preload(preload)
            .read_only(read_only)
            .open_store(store.clone(), &self.key)
    }
}

/// `body` followed by its SHA3-256 (a journal's checksum).
#[must_use]
pub fn with_checksum(body: &[u8]) -> Vec<u8> {
    let hex = aiootp::compat::hash::sha3_256_hex(body);
    let mut out = body.to_vec();
    out.extend(
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("SHA3-256 hex")),
    );
    out
}

/// A memory store holding `files`.
///
/// # Panics
/// For a name the store refuses (filter names with
/// [`aiootp::db::storage::check_name`] first).
#[must_use]
pub fn store_of(files: BTreeMap<String, Vec<u8>>) -> MemoryStore {
    MemoryStore::from_objects(files).expect("valid object names")
}

/// A copy of `store` in a new memory store.
///
/// # Panics
/// If the store cannot be read (a bug).
#[must_use]
pub fn copy_of(store: &MemoryStore) -> MemoryStore {
    store_of(store.snapshot().expect("a memory store"))
}

/// The input flags of the database targets: bit 0 seals the body, bit 1
/// preloads, bit 2 opens read-only, bit 3 is target-specific.
#[derive(Clone, Copy, Debug)]
pub struct Flags {
    /// Seal the body (else store it raw).
    pub sealed: bool,
    /// Open with `preload` (else lazily).
    pub preload: bool,
    /// Open read-only (else as the writer).
    pub read_only: bool,
    /// Target-specific.
    pub extra: bool,
}

impl Flags {
    /// The flags (first byte) and the rest of `data`.
    #[must_use]
    pub fn split(data: &[u8]) -> Option<(Self, &[u8])> {
        let (&b, rest) = data.split_first()?;
        let flags = Self {
            sealed: b & 1 != 0,
            preload: b & 2 != 0,
            read_only: b & 4 != 0,
            extra: b & 8 != 0,
        };
        Some((flags, rest))
    }
}

/// What a reader of the reference would make of a database file: the
/// authenticated plaintext (key from `key_for` of the file's salt, no
/// time limit), strict UTF-8, then `json.loads`. `None` where the library
/// must report the file as corrupt. An independent model of
/// [`aiootp::db::files::decrypt_file`].
#[must_use]
pub fn model_file(file: &[u8], key_for: impl FnOnce(&str) -> Key) -> Option<PyValue> {
    let ct = Ciphertext::from_bytes(file).ok()?;
    let key = key_for(ct.salt());
    let plain = cipher::bytes_decrypt(&ct, &key, &DecryptOptions::new().parallel(false)).ok()?;
    pyjson::loads(std::str::from_utf8(&plain).ok()?).ok()
}

/// The manifest a node keeps after opening, by the format's rules: a
/// JSON object with string keys (Python `dict`: a repeated key keeps its
/// first place and its last value), whose metatag entry is missing or
/// `null` (both made `[]`, a missing one appended) or a list. `None` for a
/// manifest the library must refuse.
#[must_use]
pub fn model_manifest(value: PyValue, metatags_filename: &str) -> Option<Vec<(String, PyValue)>> {
    let PyValue::Dict(pairs) = value else {
        return None;
    };
    let mut entries: Vec<(String, PyValue)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (k, v) in pairs {
        let PyValue::Str(k) = k else {
            return None;
        };
        match index.get(&k) {
            Some(&i) => entries[i].1 = v,
            None => {
                index.insert(k.clone(), entries.len());
                entries.push((k, v));
            }
        }
    }
    match index.get(metatags_filename) {
        None => entries.push((metatags_filename.to_owned(), PyValue::List(Vec::new()))),
        Some(&i) => match &entries[i].1 {
            PyValue::None => entries[i].1 = PyValue::List(Vec::new()),
            PyValue::List(_) => {}
            _ => return None,
        },
    }
    Some(entries)
}

/// The manifest entries as the JSON object the library writes.
#[must_use]
pub fn manifest_value(entries: &[(String, PyValue)]) -> PyValue {
    PyValue::Dict(
        entries
            .iter()
            .map(|(k, v)| (PyValue::from(k.as_str()), v.clone()))
            .collect(),
    )
}

/// `repr` of each value.
#[must_use]
pub fn reprs<'a>(values: impl IntoIterator<Item = &'a PyValue>) -> Vec<String> {
    values.into_iter().map(PyValue::repr).collect()
}

/// `json.dumps` of a value read from a database file (it came from JSON,
/// so it has a JSON form).
///
/// # Panics
/// If it has none (a bug).
#[must_use]
pub fn dumps(value: &PyValue) -> String {
    pyjson::dumps(value).expect("a value read from JSON dumps")
}

/// Panics unless `e` is an error that reading a tag or opening a child
/// may give: a corrupt tag file or child manifest, a listed tag whose
/// file is missing, a manifest key that is no valid file name.
pub fn check_read_error(e: &DbError) {
    match e {
        DbError::Corrupt {
            kind: FileKind::Tag | FileKind::Manifest,
            ..
        } => check_corrupt(e),
        DbError::TagFileMissing { .. } | DbError::Storage(StorageError::InvalidName { .. }) => {}
        other => panic!("untyped error reading a database: {other:?}"),
    }
}

/// Panics unless `e` is an error that opening a database may give: none
/// there, a corrupt manifest or root salt file, a missing root salt file.
pub fn check_open_error(e: &DbError) {
    match e {
        DbError::Corrupt {
            kind: FileKind::Manifest | FileKind::RootSalt,
            ..
        } => check_corrupt(e),
        DbError::NotFound { .. } | DbError::RootSaltMissing { .. } => {}
        other => panic!("untyped error opening a database: {other:?}"),
    }
}

/// A corrupt file error names a file and a decoding, authentication or
/// JSON failure.
fn check_corrupt(e: &DbError) {
    let DbError::Corrupt { file, source, .. } = e else {
        return;
    };
    assert!(!file.is_empty(), "a corrupt file without a name: {e:?}");
    assert!(
        matches!(
            **source,
            Error::Decode(_) | Error::Cipher(_) | Error::Json(_)
        ),
        "a corrupt file with an unexpected cause: {e:?}"
    );
}

/// Everything a database shows: its tags in order with their values
/// (`json.dumps`) or read errors, and its children, recursively.
#[derive(Debug, PartialEq, Eq)]
pub struct Dump {
    /// `repr` of each tag and its value, `None` or the error's text.
    pub tags: Vec<(String, Result<Option<String>, String>)>,
    /// `repr` of each child's name and its dump or the error's text.
    pub children: Vec<(String, Result<Dump, String>)>,
}

/// Lists the tags of `db`, reads every tag and opens every child
/// (recursively), checking that every error is typed.
pub fn dump(db: &mut Database) -> Dump {
    dump_at(db, 0)
}

fn dump_at(db: &mut Database, depth: usize) -> Dump {
    let tags: Vec<PyValue> = db.tags().cloned().collect();
    let tags = tags
        .into_iter()
        .map(|tag| {
            let value = match db.get_value(tag.clone()) {
                Ok(v) => Ok(v.map(dumps)),
                Err(e) => {
                    check_read_error(&e);
                    Err(e.to_string())
                }
            };
            (tag.repr(), value)
        })
        .collect();
    let names = db.metatags().to_vec();
    let children = names
        .into_iter()
        .map(|name| {
            let child = if depth >= MAX_DUMP_DEPTH {
                Err("too deep".to_owned())
            } else {
                match db.metatag(name.clone()) {
                    Ok(child) => Ok(dump_at(child, depth + 1)),
                    Err(e) => {
                        check_read_error(&e);
                        Err(e.to_string())
                    }
                }
            };
            (name.repr(), child)
        })
        .collect();
    Dump { tags, children }
}

/// Saves `db` (opened as the writer on `store`), reopens a copy of the
/// saved files read-only and lazily, and checks that it shows `before`.
/// Returns the reopened database.
///
/// # Panics
/// If the save fails or the dump changed.
pub fn check_save(db: &mut Database, store: &MemoryStore, before: &Dump) -> Database {
    db.save().expect("an opened database saves");
    let copy = copy_of(store);
    let mut again = fixture()
        .open(&copy, false, true)
        .expect("a saved database opens");
    assert_eq!(
        &dump(&mut again),
        before,
        "save and reopen changed the database"
    );
    again
}
