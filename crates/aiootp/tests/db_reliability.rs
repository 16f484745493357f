//! Reliability beyond the reference: atomic saves under injected crashes
//! (every crash point), the writer lock within and across processes,
//! readers never blocked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod db_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use aiootp::compat::{Key, PyValue};
use aiootp::db::{Database, LockGuard, MemoryStore, OpenOptions, Store};
use aiootp::error::{DbError, StorageError};
use db_support::dump;

fn key() -> Key {
    Key::new("a key for the database tests")
}

fn open(store: &MemoryStore) -> Database {
    OpenOptions::new()
        .open_store(store.clone(), &key())
        .unwrap()
}

fn damage(store: &MemoryStore, name: &str, f: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = store.get(name).unwrap().unwrap();
    f(&mut bytes);
    store.put(name, &bytes).unwrap();
}

#[test]
fn a_second_writer_is_refused_and_readers_are_not_blocked() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = Database::open(dir.path(), &key(), 0).unwrap();
    writer.set("a", &1).unwrap();
    writer.save().unwrap();
    let err = Database::open(dir.path(), &key(), 0).unwrap_err();
    assert!(
        matches!(err, DbError::Storage(StorageError::Locked { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("locked by another writer"));
    // Readers open and read while the writer holds the lock.
    let mut reader = OpenOptions::new()
        .read_only(true)
        .open(dir.path(), &key())
        .unwrap();
    assert_eq!(reader.get::<i32>("a").unwrap(), Some(1));
    assert!(reader.is_read_only());
    assert!(matches!(reader.set("b", &2), Err(DbError::ReadOnly)));
    assert!(matches!(reader.save(), Err(DbError::ReadOnly)));
    assert!(matches!(reader.delete("a"), Err(DbError::ReadOnly)));
    assert!(matches!(reader.metatag("new"), Err(DbError::ReadOnly)));
    // Another database in the same directory has its own lock.
    let mut other = OpenOptions::new()
        .create(true)
        .open(dir.path(), &Key::new("other"))
        .unwrap();
    other.set("x", &1).unwrap();
    other.save().unwrap();
    // The lock file cannot be taken for a database file.
    let lock = format!("{}.lock", writer.root_filename());
    assert!(dir.path().join(&lock).is_file());
    assert!(!aiootp::db::names::is_database_file_name(&lock));
    drop(writer);
    let mut again = Database::open(dir.path(), &key(), 0).unwrap();
    again.set("b", &2).unwrap();
    again.save().unwrap();
    // Closing removes the lock files (they would show open times).
    drop((again, other));
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(left.len(), 2 + 2 + 2 + 1, "{left:?}");
    assert!(
        left.iter()
            .all(|n| aiootp::db::names::is_database_file_name(n))
    );
}

// ------------------------------------------------------------ crash safety

/// A store whose writes start failing after a budget of successful
/// mutations: everything after the "crash" is lost.
#[derive(Debug)]
struct Crashy {
    inner: MemoryStore,
    budget: AtomicI64,
}

impl Crashy {
    fn spend(&self) -> Result<(), StorageError> {
        if self.budget.fetch_sub(1, Ordering::SeqCst) <= 0 {
            Err(StorageError::Backend("injected crash".into()))
        } else {
            Ok(())
        }
    }
}

impl Store for Crashy {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StorageError> {
        self.inner.get(name)
    }
    fn put(&self, name: &str, data: &[u8]) -> Result<(), StorageError> {
        self.spend()?;
        self.inner.put(name, data)
    }
    fn delete(&self, name: &str) -> Result<bool, StorageError> {
        self.spend()?;
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

/// The old state, the changes of one save, and the store after them.
fn crash_scenario(journal: bool, budget: i64) -> (MemoryStore, PyValue, PyValue, bool) {
    let store = MemoryStore::new();
    let mut db = open(&store);
    db.set("a", &1).unwrap();
    db.set("b", &2).unwrap();
    db.metatag("gone").unwrap().set("g", &1).unwrap();
    db.metatag("kid").unwrap().set("x", &1).unwrap();
    db.save().unwrap();
    let old = dump(&mut db);
    drop(db);

    let crashy = Crashy {
        inner: store.clone(),
        budget: AtomicI64::new(i64::MAX),
    };
    let crashy = Arc::new(crashy);
    let mut db = OpenOptions::new()
        .journal(journal)
        .open_arc(Arc::clone(&crashy) as Arc<dyn Store>, &key())
        .unwrap();
    db.set("a", &10).unwrap();
    db.pop_value("b").unwrap();
    db.set("d", &4).unwrap();
    db.metatag("kid").unwrap().set("x", &2).unwrap();
    db.delete_metatag("gone").unwrap();
    db.metatag("new").unwrap().set("y", &1).unwrap();
    crashy.budget.store(budget, Ordering::SeqCst);
    let completed = db.save().is_ok();
    // What the save meant to write, computed without crashing.
    let new = dump(&mut db);
    drop(db);
    (store, old, new, completed)
}

#[test]
fn a_journaled_save_is_all_or_nothing_at_every_crash_point() {
    let mut saw_old = false;
    let mut saw_new_by_replay = false;
    for budget in 0.. {
        let (store, old, new, completed) = crash_scenario(true, budget);
        // A reader sees the committed state through a leftover journal,
        // without changing anything.
        let before = store.snapshot().unwrap();
        let mut reader = OpenOptions::new()
            .read_only(true)
            .open_store(store.clone(), &key())
            .unwrap();
        let seen = dump(&mut reader);
        drop(reader);
        assert_eq!(store.snapshot().unwrap(), before);
        // The next writer brings the files to the same state.
        let mut db = open(&store);
        let state = dump(&mut db);
        assert_eq!(state, seen, "budget {budget}");
        assert!(state == old || state == new, "budget {budget}: a mix");
        saw_old |= state == old;
        saw_new_by_replay |= state == new && !completed;
        assert!(
            store
                .list()
                .unwrap()
                .iter()
                .all(|n| !n.ends_with(".journal"))
        );
        // Every file listed is readable.
        db.load().unwrap();
        if completed {
            assert_eq!(state, new);
            break;
        }
        assert!(budget < 100, "the save never completed");
    }
    assert!(saw_old && saw_new_by_replay);
}

#[test]
fn an_unjournaled_save_never_leaves_an_unreadable_database() {
    for budget in 0.. {
        let (store, _old, new, completed) = crash_scenario(false, budget);
        let mut db = open(&store);
        // Tags may be old or new one by one, but every file listed in a
        // manifest exists and decrypts, and every child opens.
        db.load().unwrap();
        if completed {
            assert_eq!(dump(&mut db), new);
            break;
        }
        assert!(budget < 100);
    }
}

#[test]
fn a_damaged_journal_is_ignored() {
    let (store, old, _new, completed) = crash_scenario(true, 1);
    assert!(!completed);
    let journal = store
        .list()
        .unwrap()
        .into_iter()
        .find(|n| n.ends_with(".journal"))
        .unwrap();
    damage(&store, &journal, |b| b[30] ^= 1);
    let mut db = open(&store);
    assert_eq!(dump(&mut db), old);
    assert!(!store.exists(&journal).unwrap());
}

// ------------------------------------------------------------ other processes

const CHILD_DIR: &str = "AIOOTP_DB_TEST_CHILD_DIR";
const CHILD_MODE: &str = "AIOOTP_DB_TEST_CHILD_MODE";

/// Runs in a child process (this test binary re-invoked by
/// `the_lock_works_across_processes`); does nothing in a normal run.
#[test]
fn child_process_helper() {
    let (Ok(dir), Ok(mode)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_MODE)) else {
        return;
    };
    match mode.as_str() {
        "write" => match Database::open(&dir, &key(), 0) {
            Ok(_) => println!("CHILD: OPENED"),
            Err(DbError::Storage(StorageError::Locked { .. })) => println!("CHILD: LOCKED"),
            Err(e) => println!("CHILD: ERROR {e}"),
        },
        "read" => {
            let mut db = OpenOptions::new()
                .read_only(true)
                .open(&dir, &key())
                .unwrap();
            println!("CHILD: READ {}", db.get::<i32>("a").unwrap().unwrap());
        }
        "die holding the lock" => {
            let _db = Database::open(&dir, &key(), 0).unwrap();
            println!("CHILD: HOLDING");
            // Dies without running destructors (no unlock, no clean-up).
            std::process::exit(9);
        }
        other => panic!("mode {other}"),
    }
}

fn run_child(dir: &std::path::Path, mode: &str) -> String {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process_helper",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir)
        .env(CHILD_MODE, mode)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .find_map(|l| l.split_once("CHILD: ").map(|(_, answer)| answer))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no answer from the child: {stdout}"))
}

#[test]
fn the_lock_works_across_processes() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Database::open(dir.path(), &key(), 0).unwrap();
    db.set("a", &41).unwrap();
    db.save().unwrap();
    assert_eq!(run_child(dir.path(), "write"), "LOCKED");
    assert_eq!(run_child(dir.path(), "read"), "READ 41");
    drop(db);
    assert_eq!(run_child(dir.path(), "write"), "OPENED");
    // A writer that dies keeps nothing locked (the OS releases the lock).
    assert_eq!(run_child(dir.path(), "die holding the lock"), "HOLDING");
    let mut db = Database::open(dir.path(), &key(), 0).unwrap();
    assert_eq!(db.get::<i32>("a").unwrap(), Some(41));
}
