//! One conformance suite for every [`Store`] backend: object semantics,
//! name checks, the writer lock, threads; then each backend's own
//! guarantees.
//!
//! A new backend passes by adding one `#[test]` that calls [`conformance`]
//! (and [`conformance_two_handles`] with two handles on the same storage).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use aiootp::db::{LocalStore, MemoryStore, Store};
use aiootp::error::StorageError;

const NAME: &str = "545w46x9vizjafaa5m7l5ij21avfcqk3a3iz3ih593sdri31py";

fn conformance(store: &dyn Store) {
    // Empty store.
    assert_eq!(store.get(NAME).unwrap(), None);
    assert!(!store.exists(NAME).unwrap());
    assert!(!store.delete(NAME).unwrap());
    assert!(store.list().unwrap().is_empty());
    store.sync().unwrap();

    // Put, get, replace, list.
    store.put(NAME, b"first").unwrap();
    assert_eq!(store.get(NAME).unwrap().as_deref(), Some(&b"first"[..]));
    assert!(store.exists(NAME).unwrap());
    store.put(NAME, b"second, longer").unwrap();
    assert_eq!(
        store.get(NAME).unwrap().as_deref(),
        Some(&b"second, longer"[..])
    );
    store.put(NAME, b"3").unwrap();
    assert_eq!(store.get(NAME).unwrap().as_deref(), Some(&b"3"[..]));
    store.put("empty", b"").unwrap();
    assert_eq!(store.get("empty").unwrap(), Some(Vec::new()));
    let big: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 7) as u8).collect();
    store.put("big.journal", &big).unwrap();
    assert_eq!(store.get("big.journal").unwrap(), Some(big));
    let mut names = store.list().unwrap();
    names.sort();
    assert_eq!(
        names,
        [
            "545w46x9vizjafaa5m7l5ij21avfcqk3a3iz3ih593sdri31py",
            "big.journal",
            "empty"
        ]
    );
    store.sync().unwrap();

    // Delete.
    assert!(store.delete(NAME).unwrap());
    assert!(!store.delete(NAME).unwrap());
    assert_eq!(store.get(NAME).unwrap(), None);
    assert!(!store.exists(NAME).unwrap());
    assert!(store.delete("empty").unwrap());
    assert!(store.delete("big.journal").unwrap());
    assert!(store.list().unwrap().is_empty());

    // Names are checked by every operation.
    for bad in ["", ".hidden", "a/b", "../x", "a b", "é", "x\0"] {
        assert!(
            matches!(store.get(bad), Err(StorageError::InvalidName { .. })),
            "{bad:?}"
        );
        assert!(matches!(
            store.put(bad, b"x"),
            Err(StorageError::InvalidName { .. })
        ));
        assert!(matches!(
            store.delete(bad),
            Err(StorageError::InvalidName { .. })
        ));
        assert!(matches!(
            store.exists(bad),
            Err(StorageError::InvalidName { .. })
        ));
        assert!(matches!(
            store.lock(bad),
            Err(StorageError::InvalidName { .. })
        ));
    }
    assert!(store.list().unwrap().is_empty());

    // The lock: exclusive, per name, released on drop.
    let held = store.lock("db.lock").unwrap();
    let err = store.lock("db.lock").unwrap_err();
    assert!(matches!(err, StorageError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("locked by another writer"));
    let other = store.lock("other.lock").unwrap();
    drop(held);
    let again = store.lock("db.lock").unwrap();
    drop((again, other));
    // Lock objects never show up as database files.
    for name in store.list().unwrap() {
        assert!(name.ends_with(".lock"), "{name}");
        store.delete(&name).unwrap();
    }
}

/// Two handles on the same storage (two processes on one directory).
fn conformance_two_handles(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    a.put("shared", b"from a").unwrap();
    assert_eq!(b.get("shared").unwrap().as_deref(), Some(&b"from a"[..]));
    let held = a.lock("x.lock").unwrap();
    assert!(matches!(b.lock("x.lock"), Err(StorageError::Locked { .. })));
    drop(held);
    drop(b.lock("x.lock").unwrap());

    // Writers on many threads, different names.
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let s = if t % 2 == 0 {
                Arc::clone(&a)
            } else {
                Arc::clone(&b)
            };
            std::thread::spawn(move || {
                for i in 0..20 {
                    let name = format!("t{t}n{i}");
                    s.put(&name, name.as_bytes()).unwrap();
                    assert_eq!(s.get(&name).unwrap().unwrap(), name.as_bytes());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(
        a.list().unwrap().len(),
        1 + 8 * 20 + usize::from(a.exists("x.lock").unwrap())
    );
}

#[test]
fn memory_store_conforms() {
    conformance(&MemoryStore::new());
    let m = MemoryStore::new();
    conformance_two_handles(Arc::new(m.clone()), Arc::new(m));
}

#[test]
fn local_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    conformance(&LocalStore::open(dir.path()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    conformance_two_handles(
        Arc::new(LocalStore::open(dir.path()).unwrap()),
        Arc::new(LocalStore::open(dir.path()).unwrap()),
    );
}

#[test]
fn local_store_writes_atomically_and_privately() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store.put(NAME, b"data").unwrap();
    // No temporary file is left behind.
    let entries: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(entries, [NAME]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(NAME))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A stale temporary file (a crash during a put) is not listed and is
    // replaced by the next put of that name.
    std::fs::write(dir.path().join(format!(".{NAME}.tmp")), b"half").unwrap();
    assert_eq!(store.list().unwrap(), [NAME]);
    store.put(NAME, b"new").unwrap();
    assert_eq!(store.get(NAME).unwrap().unwrap(), b"new");
    // Directories inside are not objects.
    std::fs::create_dir(dir.path().join("secure")).unwrap();
    assert_eq!(store.list().unwrap(), [NAME]);
    assert_eq!(store.path(), dir.path());
}

#[test]
fn local_store_needs_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let err = LocalStore::open(&missing).unwrap_err();
    assert!(matches!(err, StorageError::Io { .. }), "{err}");
    std::fs::write(dir.path().join("file"), b"").unwrap();
    assert!(LocalStore::open(dir.path().join("file")).is_err());
    let created = LocalStore::create(missing.join("deeper")).unwrap();
    created.put("a", b"1").unwrap();
    assert!(missing.join("deeper/a").is_file());
}

#[test]
fn local_lock_is_refused_across_processes_too() {
    // `flock` conflicts between open file descriptions, which is what two
    // processes have; two stores in one process are the same situation.
    let dir = tempfile::tempdir().unwrap();
    let a = LocalStore::open(dir.path()).unwrap();
    let b = LocalStore::open(dir.path()).unwrap();
    let held = a.lock("db.lock").unwrap();
    let err = b.lock("db.lock").unwrap_err();
    assert!(
        err.to_string()
            .contains(&dir.path().join("db.lock").display().to_string())
    );
    drop(held);
    drop(b.lock("db.lock").unwrap());
}

#[test]
fn memory_store_from_objects_and_snapshot() {
    let m =
        MemoryStore::from_objects([("a".to_owned(), vec![1]), ("b".to_owned(), vec![])]).unwrap();
    assert_eq!(m.snapshot().unwrap().len(), 2);
    assert!(MemoryStore::from_objects([(".x".to_owned(), vec![])]).is_err());
}
