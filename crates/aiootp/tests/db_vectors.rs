//! The database vectors of Python aiootp 0.17.0 (`tests/data/database/`,
//! copied from the shared vectors; `manifest.json` says what each holds):
//! every vector database opens and dumps exactly as recorded, every derived
//! value matches, every file re-encrypts byte for byte from its recorded
//! salt and time, and the `plain` directory is reproduced whole from the
//! reference's counter generator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod db_support;

use aiootp::compat::{Ciphertext, DecryptOptions, Key, PyValue, Salt, pyjson};
use aiootp::db::files::encrypt_file;
use aiootp::db::{Database, MemoryStore, OpenOptions};
use aiootp::error::{CipherError, DbError};
use common::typed::typed;
use db_support::*;

const NAMES: [&str; 3] = ["plain", "profile", "async_depth"];

fn open_vector(name: &str) -> Database {
    let v = vector(name);
    let (key, depth) = key_and_depth(&v);
    OpenOptions::new()
        .password_depth(depth)
        .read_only(true)
        .open_store(vector_store(name), &key)
        .unwrap()
}

/// The node of `db` at a path of child names.
fn node<'a>(db: &'a mut Database, path: &[PyValue]) -> &'a mut Database {
    path.iter()
        .fold(db, |d, name| d.metatag(typed(name)).unwrap())
}

#[test]
fn vectors_dump_exactly_as_recorded() {
    for name in NAMES {
        let v = vector(name);
        let mut db = open_vector(name);
        let recorded = try_field(&v, "dump").unwrap_or_else(|| field(&v, "expected"));
        assert_eq!(dump(&mut db), typed_dump(recorded), "{name}");
        // The same through a directory and lazy loading, sync.
        let dir = copy_to_temp(&data_dir().join(name));
        let (key, depth) = key_and_depth(&v);
        let mut lazy = OpenOptions::new()
            .password_depth(depth)
            .preload(false)
            .open(dir.path(), &key)
            .unwrap();
        assert_eq!(dump(&mut lazy), typed_dump(recorded), "{name} lazy");
    }
}

#[test]
fn expected_and_dump_agree_on_plain() {
    // `expected` is what was written, `dump` what the reference read back.
    let v = vector("plain");
    let mut db = open_vector("plain");
    let expected = typed_dump(field(&v, "expected"));
    assert_eq!(dump(&mut db), expected);
}

fn check_derived(db: &mut Database, d: &PyValue) {
    let keys = db.derived_keys();
    let root = keys.root();
    assert_eq!(root.expose_root_key(), text(field(d, "root_key")));
    assert_eq!(root.expose_root_hash(), text(field(d, "root_hash")));
    assert_eq!(root.root_filename(), text(field(d, "root_filename")));
    assert_eq!(db.root_filename(), text(field(d, "root_filename")));
    match field(d, "root_salt_filename") {
        PyValue::None => {}
        name => assert_eq!(root.root_salt_filename(), text(name)),
    }
    assert_eq!(keys.expose_root_salt(), text(field(d, "root_salt")));
    assert_eq!(keys.expose_root_seed(), text(field(d, "root_seed")));
    assert_eq!(
        keys.metatags_filename(),
        text(field(d, "metatags_filename"))
    );
    // The manifest: file name → tag, in order.
    let manifest: Vec<(String, PyValue)> = list(field(d, "manifest"))
        .iter()
        .map(|p| (text(&list(p)[0]).to_owned(), typed(&list(p)[1])))
        .collect();
    let mut ours = vec![
        (
            root.root_filename().to_owned(),
            match field(d, "root_salt_filename") {
                PyValue::None => PyValue::from(keys.expose_root_salt()),
                _ => PyValue::from(0),
            },
        ),
        (
            keys.metatags_filename().to_owned(),
            PyValue::List(db.metatags().to_vec()),
        ),
    ];
    ours.extend(db.tags().map(|t| (db.filename(t.clone()), t.clone())));
    assert_eq!(ours, manifest);
    for child in list(field(d, "metatags")) {
        let name = typed(field(child, "name"));
        let key = db.derived_keys().metatag_key(&name);
        assert_eq!(key.expose_secret(), text(field(child, "metatag_key")));
        check_derived(db.metatag(name).unwrap(), child);
    }
}

#[test]
fn derived_values_match() {
    for name in NAMES {
        let v = vector(name);
        let mut db = open_vector(name);
        check_derived(&mut db, field(&v, "derived"));
    }
}

#[test]
fn every_file_reencrypts_byte_for_byte() {
    let mut count = 0;
    for name in NAMES {
        let v = vector(name);
        let mut db = open_vector(name);
        let files = read_dir(&data_dir().join(name));
        for f in list(field(&v, "files")) {
            let file = text(field(f, "name"));
            let salt = text(field(f, "salt"));
            let n = node(&mut db, list(field(f, "db")));
            let keys = n.derived_keys();
            let key = match text(field(f, "role")) {
                "manifest" => keys.root().manifest_key(salt),
                "root_salt" => keys.root().root_salt_key(),
                "tag" => keys.encryption_key(&PyValue::from(file), salt),
                other => panic!("role {other}"),
            };
            assert_eq!(key.expose_secret(), text(field(f, "key")), "{name} {file}");
            let plaintext = text(field(f, "plaintext"));
            let value = pyjson::loads(plaintext).unwrap();
            assert_eq!(pyjson::dumps(&value).unwrap(), plaintext);
            let bytes = encrypt_file(&value, &key, salt, Some(int(field(f, "time")))).unwrap();
            assert_eq!(&bytes, &files[file], "{name} {file}");
            assert_eq!(bytes.len() as u64, int(field(f, "size")));
            count += 1;
        }
        // Every file of the directory is accounted for.
        assert_eq!(files.len(), list(field(&v, "files")).len(), "{name}");
    }
    assert_eq!(count, 19 + 7 + 6);
}

#[test]
fn plain_directory_reproduced_from_the_counter_generator() {
    let v = vector("plain");
    let (key, depth) = key_and_depth(&v);
    let store = MemoryStore::new();
    let mut db = OpenOptions::new()
        .password_depth(depth)
        .insecure_deterministic_rng(text(field(&v, "rng")))
        .fixed_time(int(field(&v, "time")))
        .open_store(store.clone(), &key)
        .unwrap();
    fill(&mut db, field(&v, "expected"));
    db.save().unwrap();
    drop(db);
    let ours = store.snapshot().unwrap();
    let theirs = read_dir(&data_dir().join("plain"));
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &theirs {
        assert_eq!(&ours[name], bytes, "{name}");
    }
}

#[test]
fn plain_directory_reproduced_without_journal_through_a_directory() {
    let v = vector("plain");
    let (key, depth) = key_and_depth(&v);
    let dir = tempfile::tempdir().unwrap();
    let mut db = OpenOptions::new()
        .password_depth(depth)
        .journal(false)
        .insecure_deterministic_rng(text(field(&v, "rng")))
        .fixed_time(int(field(&v, "time")))
        .open(dir.path(), &key)
        .unwrap();
    fill(&mut db, field(&v, "expected"));
    db.save().unwrap();
    let mut ours = read_dir(dir.path());
    // The writer's lock file is ours, not the format's.
    assert!(
        ours.remove(&format!("{}.lock", db.root_filename()))
            .is_some()
    );
    assert_eq!(ours, read_dir(&data_dir().join("plain")));
}

#[test]
fn extras_hmac() {
    let m = manifest();
    let extras = field(&m, "extras");
    let db = open_vector("plain");
    for name in ["hmac", "hmac_two_args"] {
        let e = field(extras, name);
        let data: Vec<PyValue> = list(field(e, "data")).iter().map(typed).collect();
        let mac = text(field(e, "hmac"));
        assert_eq!(db.hmac(&data), mac);
        db.test_hmac(&data, mac).unwrap();
    }
    // The README: the same dict with its items reordered does not validate.
    let reordered = pyjson::loads(r#"{"payload": "message", "id": 1234}"#).unwrap();
    let mac = text(field(field(extras, "hmac"), "hmac"));
    assert!(matches!(
        db.test_hmac(&[reordered], mac),
        Err(DbError::Cipher(CipherError::Authentication))
    ));
    assert!(matches!(db.test_hmac(&[], ""), Err(DbError::MissingHmac)));
    assert_eq!(
        DbError::MissingHmac.to_string(),
        "`hmac` keyword argument was not given."
    );
}

#[test]
fn extras_encrypt_and_decrypt() {
    let m = manifest();
    let e = field(field(&m, "extras"), "encrypt");
    let db = open_vector("plain");
    let filename = text(field(e, "filename"));
    let plaintext = typed(field(e, "plaintext"));
    let time = int(field(e, "time"));
    let salt = Salt::parse(text(field(e, "salt"))).unwrap();
    let key = db
        .derived_keys()
        .encryption_key(&PyValue::from(filename), salt.as_str());
    assert_eq!(key.expose_secret(), text(field(e, "key")));
    let with_time = OpenOptions::new()
        .read_only(true)
        .fixed_time(time)
        .open_store(vector_store("plain"), &key_and_depth(&vector("plain")).0)
        .unwrap();
    let ct = with_time
        .encrypt_with_salt(filename, &plaintext, &salt)
        .unwrap();
    let expected = common::typed::from_hex(text(field(e, "bytes_hex")));
    assert_eq!(ct.to_bytes().unwrap(), expected);
    let ct = Ciphertext::from_bytes(&expected).unwrap();
    let at = |dt: u64| DecryptOptions::new().ttl(25).now(time + dt);
    let err = db
        .decrypt_with::<PyValue>(filename, &ct, &at(35))
        .unwrap_err();
    assert!(matches!(
        err,
        DbError::Cipher(CipherError::Expired { seconds: 10 })
    ));
    assert_eq!(err.to_string(), "Timestamp expired by <10> seconds.");
    let back: PyValue = db.decrypt_with(filename, &ct, &at(25)).unwrap();
    assert_eq!(back, plaintext);
    let err = db
        .decrypt::<PyValue>("another filename", &ct, 0)
        .unwrap_err();
    assert_eq!(err.to_string(), "HMAC of ``data`` isn't valid.");
    // Round trips with fresh salts, JSON and bytes.
    let ct = db.encrypt(filename, &["Tony", "Maria"]).unwrap();
    assert_eq!(
        db.decrypt::<Vec<String>>(filename, &ct, 0).unwrap(),
        ["Tony", "Maria"]
    );
    let ct = db.bytes_encrypt(PyValue::from(7), b"raw bytes").unwrap();
    assert_eq!(db.bytes_decrypt(7, &ct, 0).unwrap(), b"raw bytes");
    assert!(db.bytes_decrypt("7", &ct, 0).is_err());
}

#[test]
fn extras_uuids() {
    let m = manifest();
    let e = field(field(&m, "extras"), "uuids");
    let mut db = open_vector("plain");
    let child = node(&mut db, list(field(e, "path")));
    let category = typed(field(e, "category"));
    assert_eq!(
        child.filename(category.clone()),
        text(field(e, "category_filename"))
    );
    let salt = typed(field(e, "salt"));
    let uuids = child
        .uuids(category, int(field(e, "size")) as usize, Some(salt.clone()))
        .unwrap();
    for (input, expected) in list(field(e, "inputs")).iter().zip(list(field(e, "uuids"))) {
        assert_eq!(uuids.uuid(typed(input)), text(expected));
    }
    assert_eq!(uuids.finish(), salt);
    // A random salt: 64 hex characters, different each time; size 0 is "".
    let a = child.uuids("emails", 0, None).unwrap();
    assert_eq!(a.uuid("x"), "");
    assert_eq!(text(a.salt()).len(), 64);
    let b = child.uuids("emails", 16, None).unwrap();
    assert_ne!(a.salt(), b.salt());
    assert_eq!(b.uuid("x").len(), 16);
}

#[test]
fn wrong_key_and_depth_on_the_vectors_are_reported() {
    for name in NAMES {
        let v = vector(name);
        let (key, depth) = key_and_depth(&v);
        let expected_files = read_dir(&data_dir().join(name)).len();
        for (k, d) in [(Key::new("not the key"), depth), (key, depth + 1)] {
            let err = OpenOptions::new()
                .password_depth(d)
                .open_store(vector_store(name), &k)
                .unwrap_err();
            assert!(
                matches!(err, DbError::NotFound { other_files } if other_files == expected_files),
                "{name}: {err}"
            );
            assert!(err.to_string().contains("wrong key or password depth"));
        }
    }
}

// ------------------------------------------------------------ extra vectors

fn extra_cases() -> Vec<PyValue> {
    let text = std::fs::read_to_string(data_dir().join("extra.json")).unwrap();
    list(field(&pyjson::loads(&text).unwrap(), "cases")).to_vec()
}

fn extra_files(case: &PyValue) -> std::collections::BTreeMap<String, Vec<u8>> {
    let PyValue::Dict(pairs) = field(case, "files") else {
        panic!()
    };
    pairs
        .iter()
        .map(|(k, v)| (text(k).to_owned(), common::typed::from_hex(text(v))))
        .collect()
}

fn extra_key(req: &PyValue) -> (Key, u64) {
    (
        Key::from_value(&typed(field(req, "key"))),
        try_field(req, "password_depth").map_or(0, int),
    )
}

#[test]
fn extra_vectors_read_as_the_reference_reads_them() {
    for case in extra_cases() {
        let name = text(field(&case, "name"));
        let (key, depth) = extra_key(field(&case, "request"));
        let store = MemoryStore::from_objects(extra_files(&case)).unwrap();
        let mut db = OpenOptions::new()
            .password_depth(depth)
            .read_only(true)
            .open_store(store, &key)
            .unwrap();
        // Compared as Python text: `nan` is not equal to itself as a value.
        assert_eq!(
            dump(&mut db).repr(),
            typed_dump(field(&case, "dump")).repr(),
            "{name}"
        );
        if name == "quirks" {
            // The tuple still reaches its file; its listed (list) form does not.
            let tuple = PyValue::tuple([PyValue::from("tuple"), PyValue::from(1)]);
            assert_eq!(
                db.get::<String>(tuple).unwrap().unwrap(),
                "reachable only through the tuple"
            );
            assert!(matches!(
                db.get::<String>("gone file"),
                Err(DbError::TagFileMissing { .. })
            ));
            assert!(matches!(db.load(), Err(DbError::TagFileMissing { .. })));
        }
    }
}

#[test]
fn extra_vectors_replayed_byte_for_byte() {
    let mut replayed = 0;
    for case in extra_cases() {
        if field(&case, "replay") != &PyValue::Bool(true) {
            continue;
        }
        let req = field(&case, "request");
        let (key, depth) = extra_key(req);
        let store = MemoryStore::new();
        let mut db = OpenOptions::new()
            .password_depth(depth)
            .insecure_deterministic_rng(text(field(req, "rng")))
            .fixed_time(int(field(req, "time")))
            .open_store(store.clone(), &key)
            .unwrap();
        for op in list(field(req, "ops")) {
            let path = try_field(op, "path").map_or(&[][..], list);
            let n = node(&mut db, path);
            match text(field(op, "op")) {
                "set" => n
                    .set_value(typed(field(op, "tag")), typed(field(op, "value")))
                    .unwrap(),
                "pop" => drop(n.pop_value(typed(field(op, "tag"))).unwrap()),
                "metatag" => drop(n.metatag(typed(field(op, "name"))).unwrap()),
                "delete_metatag" => n.delete_metatag(typed(field(op, "name"))).unwrap(),
                "save" => n.save().unwrap(),
                "tags" | "metatags" | "listdir" => {}
                other => panic!("op {other}"),
            }
        }
        drop(db);
        assert_eq!(store.snapshot().unwrap(), extra_files(&case));
        replayed += 1;
    }
    assert_eq!(replayed, 1);
}

#[test]
fn extras_database_passcrypt() {
    use aiootp::compat::passcrypt::{Passcrypt, Password};
    let m = manifest();
    let e = field(field(&m, "extras"), "database_passcrypt");
    let db = open_vector("plain");
    let settings = Passcrypt::new(
        int(field(e, "kb")),
        int(field(e, "cpu")),
        int(field(e, "hardness")),
    )
    .unwrap();
    let salt = typed(field(e, "salt"));
    let hash = db
        .passcrypt(&Password::new(text(field(e, "password"))), &salt, &settings)
        .unwrap();
    assert_eq!(hash.expose_secret(), text(field(e, "result")));
    let err = db
        .passcrypt(&Password::new(""), &salt, &settings)
        .unwrap_err();
    assert_eq!(err.to_string(), "No ``password`` was specified.");
}
