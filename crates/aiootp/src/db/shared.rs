//! What an open database tree shares: the store, the writer lock, the
//! random source and clock, and the commit protocol.
//!
//! # Commit protocol (beyond the reference, format unchanged)
//!
//! A save or a deletion is first computed whole in memory (a [`Journal`]:
//! files to write, files to delete). Then:
//!
//! 1. with journaling on (the default), the journal is written to
//!    `<manifest name>.journal` and the directory synced: **this is the
//!    commit point**;
//! 2. tag files are written (each: temporary file, `fsync`, rename; all
//!    at once through [`Store::put_many`]), the directory is synced;
//! 3. root salt files and manifests are written, children's before their
//!    parent's, the top manifest last; the directory is synced;
//! 4. deleted tags' and children's files are removed; synced;
//! 5. the journal is removed; synced.
//!
//! A writer that opens the database after a crash in steps 2–5 replays the
//! journal (the new state); a crash before step 1 completes leaves the old
//! state untouched. Readers that find a journal read through it.
//!
//! Without journaling, steps 2–4 alone (with a directory sync between 2
//! and 3) never leave a torn file and never let a manifest name a file
//! that was not written yet. After a crash: every file is its old or its
//! new version; the database opens and every listed file reads; each
//! node's tag list (its manifest) is old or new, a child's manifest is
//! new whenever its parent's is (children are written first), and each
//! tag holds its old or its new value. Not guaranteed: the tree as a
//! whole may mix old and new values, and the files of tags and children
//! that the save added (manifest not yet written) or deleted (deletions
//! not yet done) stay behind, unlisted.
//!
//! `tests/db_crash.rs` checks both modes by killing saving processes.
//! After a power loss the same holds as far as the file system keeps its
//! promises: every file is `fsync`ed before it is renamed into place and
//! the directory is synced at each step.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::files::{Entropy, Journal};
use super::storage::{LockGuard, Store};
use crate::error::DbError;

/// The files of one save, in the order the reference draws their salts.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Tag files of every database in the tree.
    pub(crate) tags: Vec<(String, Vec<u8>)>,
    /// Manifests and root salt files, parents before children.
    pub(crate) heads: Vec<(String, Vec<u8>)>,
    /// Files to delete.
    pub(crate) deletes: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) entropy: Entropy,
    pub(crate) clock: Option<u64>,
    pub(crate) read_only: bool,
    pub(crate) preload: bool,
    pub(crate) journal: bool,
    pub(crate) journal_name: String,
    pub(crate) lock_name: String,
    /// A committed journal found by a reader: files read through it.
    overlay: HashMap<String, Option<Vec<u8>>>,
    _lock: Option<LockGuard>,
}

pub(crate) struct SharedConfig {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) entropy: Entropy,
    pub(crate) clock: Option<u64>,
    pub(crate) read_only: bool,
    pub(crate) preload: bool,
    pub(crate) journal: bool,
    pub(crate) root_filename: String,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Still holding the lock: remove its file, which names the
        // manifest and would show when the database was last opened.
        if self._lock.is_some() {
            let _ = self.store.delete(&self.lock_name);
        }
    }
}

impl Shared {
    /// Takes the writer lock (unless read-only) and brings the store to
    /// its last committed state: a writer replays a leftover journal, a
    /// reader reads through it.
    pub(crate) fn start(config: SharedConfig) -> Result<Self, DbError> {
        let journal_name = format!("{}.journal", config.root_filename);
        let lock_name = format!("{}.lock", config.root_filename);
        let lock = if config.read_only {
            None
        } else {
            Some(config.store.lock(&lock_name)?)
        };
        let mut shared = Self {
            store: config.store,
            entropy: config.entropy,
            clock: config.clock,
            read_only: config.read_only,
            preload: config.preload,
            journal: config.journal,
            journal_name,
            lock_name,
            overlay: HashMap::new(),
            _lock: lock,
        };
        if let Some(bytes) = shared.store.get(&shared.journal_name)? {
            match (Journal::decode(&bytes), shared.read_only) {
                (Some(journal), false) => shared.apply(journal)?,
                // As a replay: the writes in order, then the deletions.
                (Some(journal), true) => {
                    for (name, data) in journal.puts {
                        shared.overlay.insert(name, Some(data));
                    }
                    for name in journal.deletes {
                        shared.overlay.insert(name, None);
                    }
                }
                // Never committed (or damaged): the files hold the old state.
                (None, false) => {
                    shared.store.delete(&shared.journal_name)?;
                    shared.store.sync()?;
                }
                (None, true) => {}
            }
        }
        Ok(shared)
    }

    /// Reads a file of the database (through a reader's overlay).
    pub(crate) fn read(&self, name: &str) -> Result<Option<Vec<u8>>, DbError> {
        if let Some(entry) = self.overlay.get(name) {
            return Ok(entry.clone());
        }
        Ok(self.store.get(name)?)
    }

    pub(crate) fn writable(&self) -> Result<(), DbError> {
        if self.read_only {
            Err(DbError::ReadOnly)
        } else {
            Ok(())
        }
    }

    /// Commits a plan (module documentation).
    pub(crate) fn commit(&self, plan: Plan) -> Result<(), DbError> {
        self.writable()?;
        let tag_count = plan.tags.len();
        let mut puts = plan.tags;
        puts.extend(plan.heads.into_iter().rev());
        let written: HashSet<&str> = puts.iter().map(|(n, _)| n.as_str()).collect();
        let mut seen = HashSet::new();
        let deletes: Vec<String> = plan
            .deletes
            .into_iter()
            .filter(|d| !written.contains(d.as_str()) && seen.insert(d.clone()))
            .collect();
        let journal = Journal { puts, deletes };
        if journal.is_empty() {
            return Ok(());
        }
        if self.journal {
            self.store.put(&self.journal_name, &journal.encode())?;
            self.store.sync()?;
        }
        self.write(&journal, tag_count)
    }

    /// Replays a committed journal.
    fn apply(&self, journal: Journal) -> Result<(), DbError> {
        self.write(&journal, 0)
    }

    fn write(&self, journal: &Journal, tag_count: usize) -> Result<(), DbError> {
        let (tags, heads) = journal.puts.split_at(tag_count.min(journal.puts.len()));
        if !tags.is_empty() {
            self.store.put_many(tags)?;
            if !self.journal {
                self.store.sync()?;
            }
        }
        for (name, data) in heads {
            self.store.put(name, data)?;
        }
        self.store.sync()?;
        if !journal.deletes.is_empty() {
            for name in &journal.deletes {
                self.store.delete(name)?;
            }
            self.store.sync()?;
        }
        if self.store.delete(&self.journal_name)? {
            self.store.sync()?;
        }
        Ok(())
    }
}
