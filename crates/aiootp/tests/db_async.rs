//! `AsyncDatabase`: the same files as `Database`, the vectors read back,
//! and the README's async walk-through.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod db_support;

use std::sync::Arc;

use aiootp::compat::{Key, PyValue, pyjson};
use aiootp::db::{AsyncDatabase, Database, MemoryStore, OpenOptions, Store};
use aiootp::error::{CipherError, DbError, StorageError};
use db_support::*;

fn options(seed: &str) -> OpenOptions {
    OpenOptions::new()
        .insecure_deterministic_rng(seed)
        .fixed_time(1_612_400_000)
}

fn sync_session(store: MemoryStore, key: &Key) {
    let mut db = options("same").open_store(store, key).unwrap();
    db.set("bitcoin", &"0bb6eee10d2f8f45f8a").unwrap();
    db.set(2020, &[1.5, 2.5]).unwrap();
    let clients = db.metatag("clients").unwrap();
    clients.set("brittany", &"client account data").unwrap();
    clients.metatag("vip").unwrap().set("x", &true).unwrap();
    db.save().unwrap();
    db.pop_value("bitcoin").unwrap();
    db.set("lawyer", &serde_json::json!({"#": 1})).unwrap();
    db.metatag("temp").unwrap().set("t", &0).unwrap();
    db.save().unwrap();
    db.delete_metatag("temp").unwrap();
    db.save().unwrap();
}

async fn async_session(store: MemoryStore, key: &Key) {
    let db = AsyncDatabase::open_with(options("same"), Arc::new(store), key)
        .await
        .unwrap();
    db.set("bitcoin", &"0bb6eee10d2f8f45f8a").await.unwrap();
    db.set(2020, &[1.5, 2.5]).await.unwrap();
    let clients = db.metatag("clients").await.unwrap();
    clients
        .set("brittany", &"client account data")
        .await
        .unwrap();
    let vip = clients.metatag("vip").await.unwrap();
    vip.set("x", &true).await.unwrap();
    db.save().await.unwrap();
    db.pop_value("bitcoin").await.unwrap();
    db.set("lawyer", &serde_json::json!({"#": 1}))
        .await
        .unwrap();
    db.metatag("temp")
        .await
        .unwrap()
        .set("t", &0)
        .await
        .unwrap();
    db.save().await.unwrap();
    db.delete_metatag("temp").await.unwrap();
    db.save().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_and_sync_write_identical_files() {
    let key = Key::new("a low entropy passphrase");
    let a = MemoryStore::new();
    let b = MemoryStore::new();
    let s = a.clone();
    let k = key.clone();
    tokio::task::spawn_blocking(move || sync_session(s, &k))
        .await
        .unwrap();
    async_session(b.clone(), &key).await;
    let (a, b) = (a.snapshot().unwrap(), b.snapshot().unwrap());
    assert_eq!(a.len(), 2 + 2 + 2 + 2);
    assert_eq!(a, b);
}

async fn async_dump(db: &AsyncDatabase) -> PyValue {
    let tags = db
        .items()
        .await
        .unwrap()
        .into_iter()
        .map(|(t, v)| PyValue::list([t, v.unwrap_or(PyValue::None)]))
        .collect();
    let mut metatags = Vec::new();
    for name in db.metatags().await.unwrap() {
        let child = db.metatag(name.clone()).await.unwrap();
        let PyValue::Dict(mut pairs) = Box::pin(async_dump(&child)).await else {
            unreachable!()
        };
        pairs.push((PyValue::from("name"), name));
        metatags.push(PyValue::Dict(pairs));
    }
    PyValue::dict([
        (PyValue::from("tags"), PyValue::List(tags)),
        (PyValue::from("metatags"), PyValue::List(metatags)),
    ])
}

#[tokio::test]
async fn async_reads_the_vectors() {
    for name in ["async_depth", "plain"] {
        let v = vector(name);
        let (key, depth) = key_and_depth(&v);
        let db = AsyncDatabase::open_with(
            OpenOptions::new().password_depth(depth).read_only(true),
            Arc::new(vector_store(name)),
            &key,
        )
        .await
        .unwrap();
        let recorded = try_field(&v, "dump").unwrap();
        assert_eq!(async_dump(&db).await, typed_dump(recorded), "{name}");
        assert_eq!(
            db.root_filename().await.unwrap(),
            text(field(field(&v, "derived"), "root_filename"))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_walk_through() {
    let dir = tempfile::tempdir().unwrap();
    let key = Key::generate().unwrap();
    let db = AsyncDatabase::open(dir.path(), &key, 0).await.unwrap();
    db.with(|db| async move {
        db.set("tag", &serde_json::json!({"data": "mind your secrets"}))
            .await?;
        db.set("bitcoin", &"0bb6eee10d2f8f45f8a").await?;
        db.set(
            "lawyer",
            &serde_json::json!({"#": "555-555-1000", "$": 13000.5}),
        )
        .await?;
        Ok::<_, DbError>(())
    })
    .await
    .unwrap();

    // Hashed tags in a child, the salt kept in the parent.
    let clients = db.metatag("clients").await.unwrap();
    let email_uuids = clients.uuids("emails", 64, None).await.unwrap();
    for (addr, data) in [
        ("brittany@email.com", "client account data"),
        ("john.doe@email.net", "client account data"),
    ] {
        clients
            .set(email_uuids.uuid(addr).as_str(), &data)
            .await
            .unwrap();
    }
    db.set("clients salt", &email_uuids.finish()).await.unwrap();
    assert_eq!(clients.len().await.unwrap(), 2);

    // HMACs.
    let data = pyjson::loads(r#"{"id": 1234, "payload": "message"}"#).unwrap();
    let mac = db.hmac(vec![data.clone()]).await.unwrap();
    db.test_hmac(vec![data], mac.clone()).await.unwrap();
    let reordered = pyjson::loads(r#"{"payload": "message", "id": 1234}"#).unwrap();
    assert!(matches!(
        db.test_hmac(vec![reordered], mac).await,
        Err(DbError::Cipher(CipherError::Authentication))
    ));

    // Passcrypt keyed by the database: the sync result, off the lock.
    let settings = aiootp::compat::passcrypt::Passcrypt::new(256, 2, 256).unwrap();
    let pw = aiootp::compat::passcrypt::Password::new("pw");
    let hash = db
        .passcrypt(pw, PyValue::from("s"), settings)
        .await
        .unwrap();
    assert_eq!(hash.expose_secret().len(), 128);

    // A child: values, pop, delete (the reference's adelete_metatag is
    // broken; this is the intended behaviour).
    let molly = db.metatag("child").await.unwrap();
    molly
        .set("hobbies", &["skipping", "punching", "reading"])
        .await
        .unwrap();
    assert_eq!(
        molly
            .pop::<Vec<String>>("hobbies")
            .await
            .unwrap()
            .unwrap()
            .len(),
        3
    );
    assert!(!molly.contains("hobbies").await.unwrap());
    db.delete_metatag("child").await.unwrap();
    assert!(matches!(
        molly.get::<u8>("x").await,
        Err(DbError::NoSuchMetatag { .. })
    ));
    db.save().await.unwrap();

    // A second writer is refused.
    assert!(matches!(
        AsyncDatabase::open(dir.path(), &key, 0).await,
        Err(DbError::Storage(StorageError::Locked { .. }))
    ));

    // Mirror into a new database and read it as a map.
    let new_db = AsyncDatabase::open_dir_with(
        OpenOptions::new().create(true),
        dir.path(),
        &Key::generate().unwrap(),
    )
    .await
    .unwrap();
    new_db.mirror_from(&db).await.unwrap();
    let map = new_db.to_map().await.unwrap();
    assert_eq!(
        pyjson::dumps(&db_support::field(&map, "bitcoin").clone()).unwrap(),
        "\"0bb6eee10d2f8f45f8a\""
    );
    #[derive(serde::Deserialize)]
    struct Part {
        bitcoin: String,
    }
    assert_eq!(
        new_db.deserialize::<Part>().await.unwrap().bitcoin,
        "0bb6eee10d2f8f45f8a"
    );
    new_db.save().await.unwrap();

    // Messages by name, with a ttl.
    let ct = db
        .encrypt("saturday clients", &["Tony", "Maria"])
        .await
        .unwrap();
    let back: Vec<String> = db
        .decrypt("saturday clients", ct.clone(), 25)
        .await
        .unwrap();
    assert_eq!(back, ["Tony", "Maria"]);
    assert!(
        db.decrypt::<PyValue>("sunday clients", ct, 0)
            .await
            .is_err()
    );
    let ct = db.bytes_encrypt("raw", b"bytes".to_vec()).await.unwrap();
    assert_eq!(db.bytes_decrypt("raw", ct, 0).await.unwrap(), b"bytes");

    // Deleting a child through its own handle, then the whole database.
    let files_before = std::fs::read_dir(dir.path()).unwrap().count();
    clients.delete_database().await.unwrap();
    db.save().await.unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        files_before - 3
    );
    db.delete_database().await.unwrap();
    assert!(matches!(db.tags().await, Err(DbError::Deleted)));
    assert!(matches!(clients.tags().await, Err(DbError::Deleted)));
    // Only the new database remains: 2 + 4 tags, the mirrored child
    // (manifest + 2 tags) and its lock.
    let left = LocalList(dir.path()).names();
    assert_eq!(left.len(), 2 + 4 + 3 + 1, "{left:?}");
    let root = new_db.root_filename().await.unwrap();
    drop(new_db);
    let reopened = Database::open(dir.path(), &Key::new("not it"), 0);
    assert!(matches!(
        reopened,
        Err(DbError::NotFound { other_files: 9 })
    ));
    assert!(left.contains(&root));
}

struct LocalList<'a>(&'a std::path::Path);

impl LocalList<'_> {
    fn names(&self) -> Vec<String> {
        aiootp::db::LocalStore::open(self.0)
            .unwrap()
            .list()
            .unwrap()
    }
}

#[tokio::test]
async fn async_errors_are_reported_not_swallowed() {
    let store = MemoryStore::new();
    let key = Key::new("k");
    let db = AsyncDatabase::open_with(OpenOptions::new(), Arc::new(store.clone()), &key)
        .await
        .unwrap();
    db.set("a", &1).await.unwrap();
    db.set("b", &2).await.unwrap();
    db.save().await.unwrap();
    let b = db.filename("b").await.unwrap();
    drop(db);
    let mut bytes = store.get(&b).unwrap().unwrap();
    bytes[80] ^= 1;
    store.put(&b, &bytes).unwrap();
    // The reference's async preload leaves the tag silently unloaded;
    // here the open succeeds and the read names the file.
    let db = AsyncDatabase::open_with(OpenOptions::new(), Arc::new(store), &key)
        .await
        .unwrap();
    assert_eq!(db.get::<i32>("a").await.unwrap(), Some(1));
    assert!(
        matches!(db.get::<i32>("b").await, Err(DbError::Corrupt { ref file, .. }) if *file == b)
    );
    assert!(db.load().await.is_err());
}
