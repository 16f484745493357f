//! The database's object model and the safety it adds to the reference:
//! round trips, order, children, deferred deletion, wrong-key detection,
//! corrupt files (see `db_reliability.rs` for crashes and the lock).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod db_support;

use std::collections::BTreeMap;

use aiootp::compat::{Key, PyValue, pyjson};
use aiootp::db::{Database, MemoryStore, OpenOptions, Store};
use aiootp::error::{DbError, FileKind};
use db_support::dump;
use serde::{Deserialize, Serialize};

fn key() -> Key {
    Key::new("a key for the database tests")
}

fn open(store: &MemoryStore) -> Database {
    OpenOptions::new()
        .open_store(store.clone(), &key())
        .unwrap()
}

fn tags(db: &Database) -> Vec<PyValue> {
    db.tags().cloned().collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Client {
    name: String,
    balance: f64,
    tags: Vec<String>,
    id: u128,
}

#[test]
fn values_round_trip_through_a_save() {
    let store = MemoryStore::new();
    let mut db = open(&store);
    assert!(db.is_empty());
    let client = Client {
        name: "Brittany".into(),
        balance: 13000.5,
        tags: vec!["vip".into()],
        id: u128::MAX,
    };
    db.set("client", &client).unwrap();
    db.set(2020, &BTreeMap::from([("jan", 130.25), ("feb", 163.23)]))
        .unwrap();
    db.set_value(
        PyValue::None,
        pyjson::loads("[1e16, -0.0, 10000000000000000000000000000000000000000]").unwrap(),
    )
    .unwrap();
    db.set(
        1.5,
        &serde_json::json!({"nested": {"a": [1, {}]}, "u": "café ✓ 😀"}),
    )
    .unwrap();
    assert_eq!(db.len(), 4);
    assert!(db.contains("client") && db.contains(2020) && !db.contains("2020"));
    db.save().unwrap();
    drop(db);

    for preload in [true, false] {
        let mut db = OpenOptions::new()
            .preload(preload)
            .open_store(store.clone(), &key())
            .unwrap();
        assert_eq!(db.get::<Client>("client").unwrap(), Some(client.clone()));
        assert_eq!(
            db.get::<BTreeMap<String, f64>>(2020).unwrap().unwrap()["feb"],
            163.23
        );
        assert_eq!(
            pyjson::dumps(db.get_value(PyValue::None).unwrap().unwrap()).unwrap(),
            "[1e+16, -0.0, 10000000000000000000000000000000000000000]"
        );
        let v: serde_json::Value = db.get(1.5).unwrap().unwrap();
        assert_eq!(v["u"], "café ✓ 😀");
        assert_eq!(db.get::<u8>("absent").unwrap(), None);
        assert!(matches!(db.get::<u8>("client"), Err(DbError::Json(_))));
        assert_eq!(
            tags(&db),
            [
                PyValue::from("client"),
                2020.into(),
                PyValue::None,
                1.5.into()
            ]
        );
    }
}

#[test]
fn manifest_order_follows_python_dicts() {
    let store = MemoryStore::new();
    let mut db = open(&store);
    for (t, v) in [("a", 1), ("b", 2), ("c", 3)] {
        db.set(t, &v).unwrap();
    }
    db.set("a", &10).unwrap(); // keeps its place
    assert_eq!(db.pop::<i32>("b").unwrap(), Some(2));
    db.set("b", &20).unwrap(); // moves to the end
    db.save().unwrap();
    drop(db);
    let db = open(&store);
    assert_eq!(tags(&db), ["a", "c", "b"].map(PyValue::from));
}

#[test]
fn tags_of_different_types_are_different() {
    let mut db = open(&MemoryStore::new());
    for (tag, v) in [
        (PyValue::from(1), "int"),
        (PyValue::from("1"), "str"),
        (PyValue::from(1.0), "float"),
        (PyValue::from(true), "bool"),
    ] {
        db.set(tag, &v).unwrap();
    }
    assert_eq!(db.len(), 4);
    assert_eq!(db.get::<String>(1.0).unwrap().unwrap(), "float");
    assert_eq!(db.get::<String>(true).unwrap().unwrap(), "bool");
}

#[test]
fn unstable_tags_and_non_json_values_are_refused() {
    let mut db = open(&MemoryStore::new());
    let tuple = PyValue::tuple([1.into(), 2.into()]);
    assert!(matches!(db.set(tuple, &1), Err(DbError::UnstableTag)));
    let int_keys = PyValue::dict([(1.into(), 2.into())]);
    assert!(matches!(db.set(int_keys, &1), Err(DbError::UnstableTag)));
    assert!(matches!(
        db.set(PyValue::bytes(*b"k"), &1),
        Err(DbError::UnstableTag)
    ));
    let err = db.set_value("t", PyValue::bytes(*b"x")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Object of type bytes is not JSON serializable"
    );
    // The tag naming the metatag list is a maintenance entry.
    let metatag = aiootp::db::names::METATAG;
    assert!(matches!(db.set(metatag, &1), Err(DbError::MaintenanceName)));
    assert!(matches!(
        db.pop_value(metatag),
        Err(DbError::MaintenanceName)
    ));
    assert_eq!(
        DbError::MaintenanceName.to_string(),
        "Cannot delete maintenance files."
    );
    assert!(db.is_empty());
}

#[test]
fn children_nest_and_are_deleted_recursively() {
    let store = MemoryStore::new();
    let mut db = open(&store);
    db.set("top", &1).unwrap();
    let child = db.metatag("child").unwrap();
    child.set("hobbies", &["skipping", "punching"]).unwrap();
    let grandchild = child.metatag("grandchild").unwrap();
    grandchild
        .set("deep", &serde_json::json!({"level": 2}))
        .unwrap();
    db.metatag("other").unwrap().set("x", &true).unwrap();
    assert_eq!(db.metatags(), ["child", "other"].map(PyValue::from));
    db.save().unwrap();
    let all_files = store.list().unwrap().len();
    // 2 root + child (manifest + 1) + grandchild (1 + 1) + other (1 + 1) + top
    assert_eq!(all_files, 2 + 2 + 2 + 2 + 1);
    drop(db);

    let mut db = OpenOptions::new()
        .preload(false)
        .open_store(store.clone(), &key())
        .unwrap();
    assert!(db.child("child").is_none());
    let hobbies: Vec<String> = db
        .metatag("child")
        .unwrap()
        .get("hobbies")
        .unwrap()
        .unwrap();
    assert_eq!(hobbies, ["skipping", "punching"]);
    assert!(db.child("child").is_some());
    // In-place changes are saved.
    let hobbies = db
        .child_mut("child")
        .unwrap()
        .get_value_mut("hobbies")
        .unwrap()
        .unwrap();
    let PyValue::List(items) = hobbies else {
        unreachable!()
    };
    items.push("reading".into());
    db.save().unwrap();
    let mut reader = OpenOptions::new()
        .read_only(true)
        .open_store(store.clone(), &key())
        .unwrap();
    let hobbies: Vec<String> = reader
        .metatag("child")
        .unwrap()
        .get("hobbies")
        .unwrap()
        .unwrap();
    assert_eq!(hobbies, ["skipping", "punching", "reading"]);

    // Deleting a child removes it and its descendants at the next save.
    db.delete_metatag("child").unwrap();
    assert_eq!(db.metatags(), [PyValue::from("other")]);
    assert_eq!(store.list().unwrap().len(), all_files);
    let err = db.delete_metatag("child").unwrap_err();
    assert_eq!(err.to_string(), "No child database named child.");
    db.save().unwrap();
    assert_eq!(store.list().unwrap().len(), all_files - 4);
    // A child of the same name starts empty.
    assert!(db.metatag("child").unwrap().is_empty());
    db.save().unwrap();
    drop(db);
    let mut db = open(&store);
    let mut d = dump(&mut db);
    let expected = pyjson::loads(
        r#"{"tags": [["top", 1]], "metatags": [{"tags": [["x", true]], "metatags": [], "name": "other"}, {"tags": [], "metatags": [], "name": "child"}]}"#,
    )
    .unwrap();
    assert_eq!(d, expected);
    // Names the reference refuses.
    for name in ["save", "asave", "metatag", "_cache", "directory"] {
        let err = db.metatag(name).unwrap_err();
        assert!(matches!(err, DbError::ReservedName), "{name}");
    }
    assert_eq!(
        DbError::ReservedName.to_string(),
        "Can't overwrite class attributes."
    );
    d = dump(&mut db);
    assert_eq!(d, expected);
}

#[test]
fn deleted_child_recreated_before_save_drops_old_files() {
    let store = MemoryStore::new();
    let mut db = open(&store);
    db.metatag("kid").unwrap().set("old", &1).unwrap();
    db.save().unwrap();
    db.delete_metatag("kid").unwrap();
    db.metatag("kid").unwrap().set("new", &2).unwrap();
    db.save().unwrap();
    // Root (2) + kid manifest + kid's "new"; the old tag file is gone.
    assert_eq!(store.list().unwrap().len(), 4);
    drop(db);
    let mut db = open(&store);
    let kid = db.metatag("kid").unwrap();
    assert_eq!(tags(kid), [PyValue::from("new")]);
}

#[test]
fn pop_and_delete_take_effect_at_save() {
    let store = MemoryStore::new();
    let mut db = open(&store);
    db.set("a", &1).unwrap();
    db.set("b", &2).unwrap();
    db.save().unwrap();
    let before = store.snapshot().unwrap();
    let file_a = db.filename("a");
    assert_eq!(db.pop::<i32>("a").unwrap(), Some(1));
    assert!(db.delete("b").unwrap());
    assert!(!db.delete("b").unwrap());
    assert_eq!(db.pop::<i32>("a").unwrap(), None);
    assert!(!db.contains("a"));
    // Nothing on disk changed yet.
    assert_eq!(store.snapshot().unwrap(), before);
    db.save().unwrap();
    assert!(!store.exists(&file_a).unwrap());
    assert_eq!(store.list().unwrap().len(), 2);
    // Re-adding a popped tag before the save keeps its file.
    db.set("c", &3).unwrap();
    db.save().unwrap();
    db.pop_value("c").unwrap();
    db.set("c", &4).unwrap();
    db.save().unwrap();
    drop(db);
    assert_eq!(open(&store).get::<i32>("c").unwrap(), Some(4));
}

#[test]
fn wrong_key_or_depth_is_reported_not_shown_as_empty() {
    let store = MemoryStore::new();
    let mut db = open(&store);
    db.set("a", &1).unwrap();
    db.save().unwrap();
    drop(db);
    let err = OpenOptions::new()
        .open_store(store.clone(), &Key::new("wrong"))
        .unwrap_err();
    assert!(matches!(err, DbError::NotFound { other_files: 3 }), "{err}");
    assert_eq!(
        err.to_string(),
        "no database for this key and password depth in this store (3 files of other databases are present: wrong key or password depth?)"
    );
    let err = OpenOptions::new()
        .password_depth(1)
        .open_store(store.clone(), &key())
        .unwrap_err();
    assert!(matches!(err, DbError::NotFound { other_files: 3 }));
    // `create` adds a second database next to the first; nothing is
    // written before its first save.
    let mut second = OpenOptions::new()
        .create(true)
        .open_store(store.clone(), &Key::new("second"))
        .unwrap();
    assert!(second.is_empty());
    assert_eq!(store.list().unwrap().len(), 3);
    second.set("b", &2).unwrap();
    second.save().unwrap();
    assert_eq!(store.list().unwrap().len(), 6);
    // An empty store starts a new database, unless it must exist.
    let empty = MemoryStore::new();
    assert!(open(&empty).is_empty());
    let err = OpenOptions::new()
        .must_exist(true)
        .open_store(empty.clone(), &key())
        .unwrap_err();
    assert!(matches!(err, DbError::NotFound { other_files: 0 }));
    assert_eq!(
        err.to_string(),
        "no database for this key and password depth in this store"
    );
    assert!(matches!(
        OpenOptions::new().read_only(true).open_store(empty, &key()),
        Err(DbError::NotFound { .. })
    ));
    assert!(matches!(
        OpenOptions::new().open_store(MemoryStore::new(), &Key::new("")),
        Err(DbError::MissingKey)
    ));
    assert_eq!(
        DbError::MissingKey.to_string(),
        "No main symmetric ``key`` was specified."
    );
}

fn three_tag_store() -> (MemoryStore, [String; 3]) {
    let store = MemoryStore::new();
    let mut db = open(&store);
    for (t, v) in [("a", "alpha"), ("b", "bravo"), ("c", "charlie")] {
        db.set(t, &v).unwrap();
    }
    db.metatag("kid").unwrap().set("k", &"kilo").unwrap();
    db.save().unwrap();
    let names = ["a", "b", "c"].map(|t| db.filename(t));
    (store, names)
}

fn damage(store: &MemoryStore, name: &str, f: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = store.get(name).unwrap().unwrap();
    f(&mut bytes);
    store.put(name, &bytes).unwrap();
}

#[test]
fn a_corrupt_tag_file_is_named_and_the_rest_stays_readable() {
    type Damage = fn(&mut Vec<u8>);
    let damages: [(&str, Damage); 5] = [
        ("bit flip in a block", |b| b[100] ^= 1),
        ("bit flip in the salt", |b| b[40] ^= 0x80),
        ("bit flip in the tag", |b| b[0] ^= 1),
        ("truncated", |b| b.truncate(300)),
        ("block appended", |b| b.extend_from_slice(&[0; 256])),
    ];
    for (what, f) in damages {
        let (store, [a, b, c]) = three_tag_store();
        damage(&store, &b, f);
        let mut db = open(&store);
        assert_eq!(db.get::<String>("a").unwrap().unwrap(), "alpha", "{what}");
        assert_eq!(db.get::<String>("c").unwrap().unwrap(), "charlie");
        assert_eq!(
            db.metatag("kid")
                .unwrap()
                .get::<String>("k")
                .unwrap()
                .unwrap(),
            "kilo"
        );
        let err = db.get::<String>("b").unwrap_err();
        match &err {
            DbError::Corrupt { kind, file, .. } => {
                assert_eq!(*kind, FileKind::Tag);
                assert_eq!(file, &b);
            }
            other => panic!("{what}: {other}"),
        }
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("tag file {b} is corrupt or was tampered with: ")),
            "{text}"
        );
        assert!(
            text.ends_with("HMAC of ``data`` isn't valid.")
                || text.ends_with("The length of ciphertext is invalid."),
            "{text}"
        );
        assert!(std::error::Error::source(&err).is_some());
        // Strict loading and iteration report it; a and c are untouched.
        assert!(matches!(db.load(), Err(DbError::Corrupt { .. })));
        assert!(db.iter().is_err());
        // The damaged value can be dropped without reading it.
        assert!(db.delete("b").unwrap());
        db.save().unwrap();
        assert!(!store.exists(&b).unwrap());
        assert!(store.exists(&a).unwrap() && store.exists(&c).unwrap());
        drop(db);
        let mut db = open(&store);
        db.load().unwrap();
        assert_eq!(db.len(), 2);
    }
}

#[test]
fn swapped_and_missing_files() {
    let (store, [a, b, _]) = three_tag_store();
    let bytes_a = store.get(&a).unwrap().unwrap();
    let bytes_b = store.get(&b).unwrap().unwrap();
    store.put(&a, &bytes_b).unwrap();
    store.put(&b, &bytes_a).unwrap();
    let mut db = open(&store);
    assert!(matches!(db.get::<String>("a"), Err(DbError::Corrupt { ref file, .. }) if *file == a));
    assert!(matches!(db.get::<String>("b"), Err(DbError::Corrupt { ref file, .. }) if *file == b));
    drop(db);

    let (store, [_, b, _]) = three_tag_store();
    store.delete(&b).unwrap();
    let mut db = open(&store);
    let err = db.get::<String>("b").unwrap_err();
    assert!(matches!(err, DbError::TagFileMissing { ref file } if *file == b));
    assert_eq!(
        err.to_string(),
        format!("tag file {b} is listed in the manifest but missing")
    );
    // Iteration shows it as None, as the reference's.
    let items: Vec<_> = db
        .iter()
        .unwrap()
        .map(|(t, v)| (t.clone(), v.cloned()))
        .collect();
    assert_eq!(items[1], (PyValue::from("b"), None));
    assert_eq!(db.pop::<String>("b").unwrap(), None);
}

#[test]
fn a_corrupt_manifest_or_root_salt_file_is_named() {
    let (store, _) = three_tag_store();
    let db = open(&store);
    let manifest = db.root_filename().to_owned();
    let salt_file = db.derived_keys().root().root_salt_filename();
    drop(db);
    let good = store.snapshot().unwrap();

    damage(&store, &manifest, |b| b[70] ^= 4);
    let err = OpenOptions::new()
        .open_store(store.clone(), &key())
        .unwrap_err();
    assert!(
        matches!(err, DbError::Corrupt { kind: FileKind::Manifest, ref file, .. } if *file == manifest),
        "{err}"
    );

    store.put(&manifest, &good[&manifest]).unwrap();
    damage(&store, &salt_file, |b| b[70] ^= 4);
    let err = OpenOptions::new()
        .open_store(store.clone(), &key())
        .unwrap_err();
    assert!(
        matches!(
            err,
            DbError::Corrupt {
                kind: FileKind::RootSalt,
                ..
            }
        ),
        "{err}"
    );

    store.delete(&salt_file).unwrap();
    let err = OpenOptions::new()
        .open_store(store.clone(), &key())
        .unwrap_err();
    assert!(matches!(err, DbError::RootSaltMissing { ref file } if *file == salt_file));
}

#[test]
fn the_scope_saves_only_on_success() {
    let store = MemoryStore::new();
    let mut db = open(&store);
    let n = db
        .with(|db| {
            db.set("a", &1)?;
            Ok::<_, DbError>(7)
        })
        .unwrap();
    assert_eq!(n, 7);
    assert_eq!(store.list().unwrap().len(), 3);
    let before = store.snapshot().unwrap();
    let err = db
        .with(|db| {
            db.set("b", &2)?;
            Err::<(), _>(DbError::Task("user error".into()))
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "background task failed: user error");
    assert_eq!(store.snapshot().unwrap(), before);
    assert!(db.contains("b")); // still in memory
}

#[test]
fn mirror_to_map_and_deserialize() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct Whole {
        bitcoin: String,
        lawyer: BTreeMap<String, serde_json::Value>,
    }
    let store = MemoryStore::new();
    let mut db = open(&store);
    db.set("bitcoin", &"0bb6eee10d2f8f45f8a").unwrap();
    db.set(
        "lawyer",
        &serde_json::json!({"#": "555-555-1000", "$": 13000.5}),
    )
    .unwrap();
    db.metatag("clients")
        .unwrap()
        .set("brittany", &"client account data")
        .unwrap();
    db.save().unwrap();

    let mut new_db = OpenOptions::new()
        .create(true)
        .open_store(store.clone(), &Key::new("new key"))
        .unwrap();
    new_db.mirror_from(&mut db).unwrap();
    assert_eq!(dump(&mut new_db), dump(&mut db));
    assert_ne!(new_db.filename("bitcoin"), db.filename("bitcoin"));
    new_db.save().unwrap();
    db.delete_database().unwrap();
    assert_eq!(store.list().unwrap().len(), 2 + 2 + 2);

    let map = new_db.to_map().unwrap();
    assert_eq!(
        pyjson::dumps(&map).unwrap(),
        r##"{"bitcoin": "0bb6eee10d2f8f45f8a", "lawyer": {"#": "555-555-1000", "$": 13000.5}}"##
    );
    let whole: Whole = new_db.deserialize().unwrap();
    assert_eq!(whole.bitcoin, "0bb6eee10d2f8f45f8a");
    assert_eq!(whole.lawyer["$"], 13000.5);
}

#[test]
fn delete_database_removes_every_file_and_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Database::open(dir.path(), &key(), 3).unwrap();
    db.set("a", &1).unwrap();
    db.metatag("kid")
        .unwrap()
        .metatag("grandkid")
        .unwrap()
        .set("g", &1)
        .unwrap();
    db.save().unwrap();
    drop(db);
    // Unopened children are found through their manifests.
    let db = OpenOptions::new()
        .password_depth(3)
        .preload(false)
        .open(dir.path(), &key())
        .unwrap();
    db.delete_database().unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn save_tag_writes_one_file() {
    let store = MemoryStore::new();
    let mut db = open(&store);
    db.set("a", &1).unwrap();
    db.save().unwrap();
    let before = store.snapshot().unwrap();
    db.set("a", &2).unwrap();
    db.save_tag("a").unwrap();
    let after = store.snapshot().unwrap();
    let changed: Vec<_> = after.keys().filter(|k| before[*k] != after[*k]).collect();
    assert_eq!(changed, [&db.filename("a")]);
    assert!(matches!(db.save_tag("zzz"), Err(DbError::TagNotLoaded)));
    assert_eq!(
        DbError::TagNotLoaded.to_string(),
        "That tag file doesn't exist."
    );
}

// ------------------------------------------------------------ model check

#[derive(Debug, Clone)]
enum Op {
    Set(u8, i64),
    Pop(u8),
    Delete(u8),
    ChildSet(u8, u8, i64),
    DeleteChild(u8),
    Save,
    Reopen,
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        4 => (0u8..6, any::<i64>()).prop_map(|(t, v)| Op::Set(t, v)),
        1 => (0u8..6).prop_map(Op::Pop),
        1 => (0u8..6).prop_map(Op::Delete),
        2 => (0u8..2, 0u8..3, any::<i64>()).prop_map(|(c, t, v)| Op::ChildSet(c, t, v)),
        1 => (0u8..2).prop_map(Op::DeleteChild),
        2 => Just(Op::Save),
        1 => Just(Op::Reopen),
    ]
}

type Model = (Vec<(String, i64)>, Vec<(String, Vec<(String, i64)>)>);

fn model_set(tags: &mut Vec<(String, i64)>, t: String, v: i64) {
    match tags.iter_mut().find(|(k, _)| *k == t) {
        Some(e) => e.1 = v,
        None => tags.push((t, v)),
    }
}

fn model_dump(m: &Model) -> PyValue {
    let tags = |t: &Vec<(String, i64)>| {
        PyValue::List(
            t.iter()
                .map(|(k, v)| PyValue::list([k.as_str().into(), (*v).into()]))
                .collect(),
        )
    };
    PyValue::dict([
        ("tags".into(), tags(&m.0)),
        (
            "metatags".into(),
            PyValue::List(
                m.1.iter()
                    .map(|(name, t)| {
                        PyValue::dict([
                            ("tags".into(), tags(t)),
                            ("metatags".into(), PyValue::List(vec![])),
                            ("name".into(), name.as_str().into()),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    #[test]
    fn the_database_behaves_like_its_model(ops in proptest::collection::vec(op(), 1..24)) {
        let store = MemoryStore::new();
        let mut db = open(&store);
        // The saved state and the state in memory.
        let mut saved: Model = Default::default();
        let mut live: Model = Default::default();
        for op in ops {
            match op {
                Op::Set(t, v) => {
                    db.set(format!("t{t}"), &v).unwrap();
                    model_set(&mut live.0, format!("t{t}"), v);
                }
                Op::Pop(t) => {
                    let got = db.pop::<i64>(format!("t{t}")).unwrap();
                    let pos = live.0.iter().position(|(k, _)| *k == format!("t{t}"));
                    proptest::prop_assert_eq!(got, pos.map(|p| live.0.remove(p).1));
                }
                Op::Delete(t) => {
                    let existed = db.delete(format!("t{t}")).unwrap();
                    let pos = live.0.iter().position(|(k, _)| *k == format!("t{t}"));
                    proptest::prop_assert_eq!(existed, pos.is_some());
                    if let Some(p) = pos {
                        live.0.remove(p);
                    }
                }
                Op::ChildSet(c, t, v) => {
                    let name = format!("c{c}");
                    db.metatag(name.as_str()).unwrap().set(format!("k{t}"), &v).unwrap();
                    let i = match live.1.iter().position(|(n, _)| *n == name) {
                        Some(i) => i,
                        None => {
                            live.1.push((name, vec![]));
                            live.1.len() - 1
                        }
                    };
                    model_set(&mut live.1[i].1, format!("k{t}"), v);
                }
                Op::DeleteChild(c) => {
                    let name = format!("c{c}");
                    let pos = live.1.iter().position(|(n, _)| *n == name);
                    proptest::prop_assert_eq!(db.delete_metatag(name.as_str()).is_ok(), pos.is_some());
                    if let Some(p) = pos {
                        live.1.remove(p);
                    }
                }
                Op::Save => {
                    db.save().unwrap();
                    saved = live.clone();
                }
                Op::Reopen => {
                    drop(db);
                    db = open(&store);
                    live = saved.clone();
                }
            }
            proptest::prop_assert_eq!(dump(&mut db), model_dump(&live));
        }
        db.save().unwrap();
        drop(db);
        let mut db = open(&store);
        proptest::prop_assert_eq!(dump(&mut db), model_dump(&live));
        // No file is left over: 2 root files, 1 per child, 1 per tag.
        let expected = 2 + live.0.len() + live.1.iter().map(|(_, t)| 1 + t.len()).sum::<usize>();
        proptest::prop_assert_eq!(store.list().unwrap().len(), expected);
    }
}
