//! Writes the seeds of the database fuzz targets (`fuzz/seeds/db_*`):
//! real files of the fuzz fixture database, their plaintexts and a few
//! edge cases, in each target's input format (see the targets in
//! `fuzz/fuzz_targets/db_*.rs`).
//!
//! ```sh
//! cargo test -p aiootp --test fuzz_seeds -- --ignored
//! ```
//!
//! The fixture must be the one of `fuzz/src/db.rs` (same key, generator
//! seed, clock and values), or the seeds' real files stop authenticating
//! there: keep the two in step.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use aiootp::compat::{Key, PyValue, pyjson};
use aiootp::db::files::decrypt_file;
use aiootp::db::names::SeededKeys;
use aiootp::db::{Database, LockGuard, MemoryStore, OpenOptions, Store};
use aiootp::error::{DbError, FileKind, StorageError};

// ---- the fixture of fuzz/src/db.rs

const KEY: &str = "aiootp fuzz fixture";
const RNG_SEED: &str = "aiootp fuzz";
const TIME: u64 = 1_700_000_000;

fn options() -> OpenOptions {
    OpenOptions::new()
        .insecure_deterministic_rng(RNG_SEED)
        .fixed_time(TIME)
}

fn populate(db: &mut Database) -> Result<(), DbError> {
    let dict = pyjson::loads(r#"{"x": [1, 2.5, null, true], "y": "\u00e9"}"#)?;
    db.set_value("a", dict)?;
    db.set_value("b", PyValue::from("text"))?;
    db.set_value(7, PyValue::List(Vec::new()))?;
    db.metatag("m")?.set_value("c", PyValue::Float(1.5))?;
    Ok(())
}

/// Slot indices of `Fixture::slots` in `fuzz/src/db.rs` (for `db_open`).
const SLOT_MANIFEST: u8 = 0;
const SLOT_ROOT_SALT: u8 = 1;
const SLOT_JOURNAL: u8 = 2;
const SLOT_CHILD_MANIFEST: u8 = 3;
/// A selector past the slots: an extra file with its name.
const EXTRA: u8 = 0x7f;
const SEALED: u8 = 0x80;

// ---- flags of the targets
const F_SEALED: u8 = 1;
const F_PRELOAD: u8 = 2;
const F_READ_ONLY: u8 = 4;
const F_EXTRA: u8 = 8;

/// A memory store that also keeps every journal written to it.
#[derive(Debug, Clone, Default)]
struct Capture {
    inner: MemoryStore,
    journals: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Store for Capture {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StorageError> {
        self.inner.get(name)
    }
    fn put(&self, name: &str, data: &[u8]) -> Result<(), StorageError> {
        if name.ends_with(".journal") {
            self.journals.lock().unwrap().push(data.to_vec());
        }
        self.inner.put(name, data)
    }
    fn delete(&self, name: &str) -> Result<bool, StorageError> {
        self.inner.delete(name)
    }
    fn list(&self) -> Result<Vec<String>, StorageError> {
        self.inner.list()
    }
    fn exists(&self, name: &str) -> Result<bool, StorageError> {
        self.inner.exists(name)
    }
    fn sync(&self) -> Result<(), StorageError> {
        self.inner.sync()
    }
    fn lock(&self, name: &str) -> Result<LockGuard, StorageError> {
        self.inner.lock(name)
    }
}

struct Fixture {
    files: BTreeMap<String, Vec<u8>>,
    keys: SeededKeys,
    child_keys: SeededKeys,
    /// A journal adding a tag, and one deleting a tag and the child.
    journals: Vec<Vec<u8>>,
}

fn fixture() -> Fixture {
    let key = Key::new(KEY);
    let store = MemoryStore::new();
    let mut db = options().open_store(store.clone(), &key).unwrap();
    populate(&mut db).unwrap();
    db.save().unwrap();
    let keys = db.derived_keys().clone();
    let child_keys = db.metatag("m").unwrap().derived_keys().clone();
    drop(db);
    let files = store.snapshot().unwrap();
    assert_eq!(files.len(), 7);

    let capture = Capture {
        inner: MemoryStore::from_objects(files.clone()).unwrap(),
        ..Capture::default()
    };
    let mut db = options().open_store(capture.clone(), &key).unwrap();
    db.set("d", &[1, 2]).unwrap();
    db.save().unwrap();
    drop(db);
    let capture = Capture {
        inner: MemoryStore::from_objects(files.clone()).unwrap(),
        ..capture
    };
    let mut db = options().open_store(capture.clone(), &key).unwrap();
    db.pop_value("b").unwrap();
    db.delete_metatag("m").unwrap();
    db.save().unwrap();
    drop(db);
    let journals = capture.journals.lock().unwrap().clone();
    assert_eq!(journals.len(), 2);
    Fixture {
        files,
        keys,
        child_keys,
        journals,
    }
}

/// The JSON text inside a file of the fixture.
fn plaintext(file: &[u8], kind: FileKind, key_for: impl FnOnce(&str) -> Key) -> Vec<u8> {
    let value = decrypt_file(file, kind, "seed", key_for).unwrap();
    pyjson::dumps(&value).unwrap().into_bytes()
}

fn seed_dir(target: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../fuzz/seeds/{target}"));
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(target: &str, name: &str, flags: u8, body: &[u8]) {
    let mut data = vec![flags];
    data.extend_from_slice(body);
    fs::write(seed_dir(target).join(name), data).unwrap();
}

/// A `db_open` record.
fn record(out: &mut Vec<u8>, selector: u8, name: Option<&str>, content: &[u8]) {
    out.push(selector);
    if let Some(name) = name {
        out.push(u8::try_from(name.len()).unwrap());
        out.extend_from_slice(name.as_bytes());
    }
    out.extend_from_slice(&u16::try_from(content.len()).unwrap().to_le_bytes());
    out.extend_from_slice(content);
}

#[test]
#[ignore = "writes the fuzz seeds; run by hand"]
fn write_fuzz_seeds() {
    let fx = fixture();
    let root = fx.keys.root();
    let manifest_name = root.root_filename();
    let manifest = &fx.files[manifest_name];
    let manifest_text = plaintext(manifest, FileKind::Manifest, |s| root.manifest_key(s));
    let metatags = fx.keys.metatags_filename();
    let tag_a = fx.keys.filename(&PyValue::from("a"));

    // db_manifest: flags, then the manifest (raw) or its plaintext.
    let t = "db_manifest";
    write(t, "real.bin", F_PRELOAD, manifest);
    write(t, "real_read_only.bin", F_READ_ONLY, manifest);
    write(
        t,
        "truncated.bin",
        F_PRELOAD,
        &manifest[..manifest.len() - 256],
    );
    write(t, "real_plain.json", F_SEALED | F_PRELOAD, &manifest_text);
    write(t, "real_plain_lazy.json", F_SEALED, &manifest_text);
    let text = format!(r#"{{"{tag_a}": "a", "{tag_a}": ["a"], "{metatags}": null, "x": 1}}"#);
    write(t, "duplicates.json", F_SEALED | F_PRELOAD, text.as_bytes());
    let text = format!(r#"{{"{metatags}": ["m", "n", 3, ["t"]], "{manifest_name}": 0}}"#);
    write(t, "children.json", F_SEALED | F_PRELOAD, text.as_bytes());
    let text = format!(r#"{{"{metatags}": {{"m": 1}}}}"#);
    write(t, "bad_metatag_list.json", F_SEALED, text.as_bytes());
    write(t, "not_an_object.json", F_SEALED, b"[1, 2]");
    write(
        t,
        "int_key.json",
        F_SEALED | F_READ_ONLY,
        b"{\"a\": 1, 2: 3}",
    );

    // db_tag: flags, then the file of tag "a" (bit 3: "c" of child "m").
    let t = "db_tag";
    let a = &fx.files[&tag_a];
    let a_key = |s: &str| fx.keys.encryption_key(&PyValue::from(tag_a.as_str()), s);
    write(t, "a.bin", F_PRELOAD, a);
    write(t, "a_lazy_read_only.bin", F_READ_ONLY, a);
    write(
        t,
        "a_plain.json",
        F_SEALED | F_PRELOAD,
        &plaintext(a, FileKind::Tag, a_key),
    );
    let tag_c = fx.child_keys.filename(&PyValue::from("c"));
    let c = &fx.files[&tag_c];
    let c_key = |s: &str| {
        fx.child_keys
            .encryption_key(&PyValue::from(tag_c.as_str()), s)
    };
    write(t, "c.bin", F_EXTRA | F_PRELOAD, c);
    write(
        t,
        "c_plain.json",
        F_EXTRA | F_SEALED,
        &plaintext(c, FileKind::Tag, c_key),
    );
    write(
        t,
        "floats.json",
        F_SEALED,
        br#"[NaN, -Infinity, 1e999, -0.0, 1E-7, 12345678901234567890]"#,
    );
    write(
        t,
        "nested.json",
        F_SEALED | F_PRELOAD,
        br#"{"k": [{"l": [[], {}]}], "\ud83d\ude80": "\u0000"}"#,
    );
    write(t, "bom.json", F_SEALED, "\u{feff}1".as_bytes());
    write(t, "bad_utf8.json", F_SEALED | F_EXTRA, b"\"\xed\xa0\x80\"");
    write(t, "empty.json", F_SEALED, b"");

    // db_root_salt: flags, then the root salt file or its plaintext.
    let t = "db_root_salt";
    let salt_file = &fx.files[&root.root_salt_filename()];
    write(t, "real.bin", F_PRELOAD, salt_file);
    write(t, "real_read_only.bin", F_READ_ONLY | F_PRELOAD, salt_file);
    let salt_text = plaintext(salt_file, FileKind::RootSalt, |_| root.root_salt_key());
    write(t, "real_plain.json", F_SEALED | F_PRELOAD, &salt_text);
    write(
        t,
        "other_salt.json",
        F_SEALED | F_PRELOAD,
        br#""0123456789abcdef""#,
    );
    write(t, "empty_salt.json", F_SEALED, br#""""#);
    write(t, "escaped_salt.json", F_SEALED, br#""\u00e9'\"\\\n""#);
    write(t, "not_a_string.json", F_SEALED, b"12");

    // db_journal: flags (bit 0: append the checksum), then the journal.
    let t = "db_journal";
    for (i, journal) in fx.journals.iter().enumerate() {
        let body = &journal[..journal.len() - 32];
        write(t, &format!("real_{i}.bin"), F_PRELOAD, journal);
        write(t, &format!("real_{i}_body.bin"), F_SEALED, body);
    }
    let mut empty = b"aiootp-db-journal 1\n".to_vec();
    empty.extend_from_slice(&[0; 8]);
    write(t, "empty_body.bin", F_SEALED | F_PRELOAD, &empty);
    write(
        t,
        "bad_checksum.bin",
        0,
        &fx.journals[0][..fx.journals[0].len() - 1],
    );

    // db_open: flags, then records.
    let t = "db_open";
    let mut all = Vec::new();
    for (name, content) in &fx.files {
        record(&mut all, EXTRA, Some(name), content);
    }
    write(t, "fixture.bin", F_PRELOAD, &all);
    write(t, "fixture_lazy_read_only.bin", F_READ_ONLY, &all);
    let mut with_journal = all.clone();
    record(&mut with_journal, SLOT_JOURNAL, None, &fx.journals[1]);
    write(
        t,
        "fixture_journal.bin",
        F_PRELOAD | F_READ_ONLY,
        &with_journal,
    );
    let mut sealed = all.clone();
    let text = format!(r#"{{"{tag_a}": "a", "{metatags}": ["m", "z"]}}"#);
    record(&mut sealed, SLOT_MANIFEST | SEALED, None, text.as_bytes());
    record(&mut sealed, SLOT_ROOT_SALT | SEALED, None, &salt_text);
    let child_manifest = fx.child_keys.root().root_filename();
    let child_text = plaintext(&fx.files[child_manifest], FileKind::Manifest, |s| {
        fx.child_keys.root().manifest_key(s)
    });
    record(&mut sealed, SLOT_CHILD_MANIFEST | SEALED, None, &child_text);
    write(t, "sealed.bin", F_PRELOAD, &sealed);
    let mut salt_only = Vec::new();
    record(&mut salt_only, SLOT_ROOT_SALT, None, salt_file);
    write(t, "salt_only.bin", F_READ_ONLY, &salt_only);
    let mut other = Vec::new();
    record(&mut other, EXTRA, Some(&"q".repeat(45)), b"x");
    record(&mut other, EXTRA, Some("notes.txt"), b"hello");
    write(t, "other_database.bin", F_PRELOAD, &other);
    write(t, "empty.bin", F_PRELOAD, b"");
}
