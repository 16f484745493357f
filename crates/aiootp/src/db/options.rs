//! [`OpenOptions`]: how to open a [`Database`].

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use super::Database;
use super::files::Entropy;
use super::names::{RootKeys, is_database_file_name};
use super::node::Load;
use super::shared::{Shared, SharedConfig};
use super::storage::{LocalStore, Store};
use crate::compat::Key;
use crate::error::DbError;

/// Options for opening a [`Database`] (and, through
/// [`AsyncDatabase::open_with`](super::AsyncDatabase::open_with), an async
/// one).
///
/// ```
/// use aiootp::compat::Key;
/// use aiootp::db::{MemoryStore, OpenOptions};
///
/// let store = MemoryStore::new();
/// let key = Key::new("a low entropy passphrase");
/// let mut db = OpenOptions::new().password_depth(5000).open_store(store.clone(), &key)?;
/// db.set("tag", &[1, 2, 3])?;
/// db.save()?;
/// drop(db);
/// let mut reader = OpenOptions::new().password_depth(5000).read_only(true).open_store(store, &key)?;
/// assert_eq!(reader.get::<Vec<u8>>("tag")?, Some(vec![1, 2, 3]));
/// # Ok::<(), aiootp::error::DbError>(())
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions {
    password_depth: u64,
    preload: bool,
    read_only: bool,
    create: bool,
    must_exist: bool,
    metatag: bool,
    journal: bool,
    rng_seed: Option<String>,
    /// Draws of the counter generator already used (by a profile's salt
    /// file, drawn before the database is opened).
    rng_skip: u64,
    time: Option<u64>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            password_depth: 0,
            preload: true,
            read_only: false,
            create: false,
            must_exist: false,
            metatag: false,
            journal: true,
            rng_seed: None,
            rng_skip: 0,
            time: None,
        }
    }
}

impl OpenOptions {
    /// Defaults: depth 0, preload, read-write, journaled saves, a new
    /// database only where no other database's files are present.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Key-stretching steps (the reference's `password_depth`; use
    /// thousands for a password). Part of the key: a wrong depth opens
    /// nothing.
    #[must_use]
    pub fn password_depth(mut self, depth: u64) -> Self {
        self.password_depth = depth;
        self
    }

    /// Whether to read every value and child at opening (default `true`,
    /// as the reference). Unreadable entries are skipped and fail when
    /// read; with `false` values are read on first access.
    #[must_use]
    pub fn preload(mut self, preload: bool) -> Self {
        self.preload = preload;
        self
    }

    /// Opens without the writer lock (readers never block or are blocked);
    /// saves and changes fail with [`DbError::ReadOnly`]; the database must
    /// exist.
    #[must_use]
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// Starts a new database when none exists for this key, even if other
    /// databases' files share the store (by default that case is refused
    /// as a likely wrong key or depth, [`DbError::NotFound`]).
    #[must_use]
    pub fn create(mut self, create: bool) -> Self {
        self.create = create;
        self
    }

    /// Refuses to start a new database: [`DbError::NotFound`] when none
    /// exists for this key and depth.
    #[must_use]
    pub fn must_exist(mut self, must_exist: bool) -> Self {
        self.must_exist = must_exist;
        self
    }

    /// Opens the key as a child (metatag) database directly, as the
    /// reference's `metatag=True`: no root salt file, the salt lives in
    /// the manifest.
    #[must_use]
    pub fn metatag(mut self, metatag: bool) -> Self {
        self.metatag = metatag;
        self
    }

    /// Whether saves go through the journal (default `true`): a save is
    /// all-or-nothing even if the process dies half-way, at the cost of
    /// writing the data twice (saves about 10 % slower, on a tmpfs as on
    /// ext4).
    ///
    /// Without it, a save that dies half-way still leaves every file
    /// whole (old or new), a database that opens with every listed file
    /// readable, each database of the tree listing its old or its new
    /// tags, and each tag its old or its new value; but tags may mix old
    /// and new values, and files of tags or children the save added or
    /// deleted may be left behind, unlisted. `tests/db_crash.rs` kills
    /// saving processes to check both modes.
    #[must_use]
    pub fn journal(mut self, journal: bool) -> Self {
        self.journal = journal;
        self
    }

    /// **Insecure; for tests only.** Replaces the random salts by the
    /// reference oracle's counter generator (`rng` of
    /// `oracle/db_oracle.py`): draw `n` is `sha3_512("<seed>:<n>")` for
    /// `csprng()` and `sha3_256("<seed>:<n>")` for `salt()`. With
    /// [`OpenOptions::fixed_time`] this reproduces the reference's files
    /// byte for byte. Never use it for real data: every salt is public.
    #[must_use]
    pub fn insecure_deterministic_rng(mut self, seed: impl Into<String>) -> Self {
        self.rng_seed = Some(seed.into());
        self
    }

    /// Fixes the clock (whole seconds since the Unix epoch) used for the
    /// timestamps inside files and for ttl checks (tests, reproducible
    /// files).
    #[must_use]
    pub fn fixed_time(mut self, seconds: u64) -> Self {
        self.time = Some(seconds);
        self
    }

    /// The random source these options ask for (the counter generator
    /// continues after the draws already skipped).
    pub(crate) fn entropy(&self) -> Entropy {
        match &self.rng_seed {
            None => Entropy::Os,
            Some(seed) => Entropy::Counter {
                seed: seed.clone(),
                next: AtomicU64::new(self.rng_skip),
            },
        }
    }

    /// Marks `n` more draws of the counter generator as used before the
    /// database is opened.
    pub(crate) fn skip_draws(mut self, n: u64) -> Self {
        self.rng_skip += n;
        self
    }

    /// Whether the options open read-only.
    pub(crate) fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Opens the database of `key` in the existing directory `dir`
    /// ([`LocalStore`]).
    ///
    /// # Errors
    /// As [`OpenOptions::open_arc`], and [`DbError::Storage`] if `dir` is
    /// not a directory.
    pub fn open(&self, dir: impl AsRef<Path>, key: &Key) -> Result<Database, DbError> {
        self.open_store(LocalStore::open(dir)?, key)
    }

    /// Opens the database of `key` in `store`.
    ///
    /// # Errors
    /// As [`OpenOptions::open_arc`].
    pub fn open_store(&self, store: impl Store, key: &Key) -> Result<Database, DbError> {
        self.open_arc(Arc::new(store), key)
    }

    /// Opens the database of `key` in a shared store.
    ///
    /// # Errors
    /// [`DbError::MissingKey`] for an empty key; [`DbError::NotFound`]
    /// (with a count of other databases' files, the sign of a wrong key
    /// or depth) when there is no database for this key and one may not
    /// be started; [`StorageError::Locked`](crate::error::StorageError::Locked)
    /// when another writer has it open; [`DbError::Corrupt`] for a damaged
    /// manifest or root salt file; [`DbError::RootSaltMissing`].
    pub fn open_arc(&self, store: Arc<dyn Store>, key: &Key) -> Result<Database, DbError> {
        let root = RootKeys::derive(key, self.password_depth)?;
        let root_filename = root.root_filename().to_owned();
        let journal_name = format!("{root_filename}.journal");
        let exists = store.exists(&root_filename)? || store.exists(&journal_name)?;
        if !exists && (self.read_only || self.must_exist || !self.create) {
            let own_salt = (!self.metatag).then(|| root.root_salt_filename());
            let other_files = store
                .list()?
                .iter()
                .filter(|n| is_database_file_name(n) && Some(*n) != own_salt.as_ref())
                .count();
            if self.read_only || self.must_exist || other_files > 0 {
                return Err(DbError::NotFound { other_files });
            }
        }
        let entropy = self.entropy();
        let shared = Arc::new(Shared::start(SharedConfig {
            store,
            entropy,
            clock: self.time,
            read_only: self.read_only,
            preload: self.preload,
            journal: self.journal,
            root_filename,
        })?);
        let mut db = Database::open_node(shared, root, self.metatag, false)?;
        if self.preload {
            db.load_all(Load::Tolerant)?;
        }
        Ok(db)
    }
}
