//! The transparently encrypted database, file-compatible with Python
//! aiootp 0.17.0's `Database` / `AsyncDatabase` (spec `database.md`).
//!
//! **For most cases use [`Database::open`]** (or [`AsyncDatabase::open`])
//! on a directory, with a [`Key`](crate::compat::Key) and a
//! `password_depth`; [`OpenOptions`] chooses the rest (read-only,
//! preloading, a custom [`Store`], creating next to other databases).
//!
//! ```
//! use aiootp::compat::Key;
//! use aiootp::db::Database;
//!
//! # let dir = tempfile::tempdir()?;
//! let key = Key::new("a 128-hex-character key, normally from Key::generate()");
//! let mut db = Database::open(dir.path(), &key, 0)?;
//! db.set("lawyer", &serde_json::json!({"#": "555-555-1000", "$": 13000.5}))?;
//! let clients = db.metatag("clients")?;
//! clients.set("brittany", &"client account data")?;
//! db.save()?;
//! drop(db);
//!
//! let mut db = Database::open(dir.path(), &key, 0)?;
//! let lawyer: serde_json::Value = db.get("lawyer")?.unwrap_or_default();
//! assert_eq!(lawyer["$"], 13000.5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Model
//! A database is a set of files in a flat store (a directory): a manifest
//! named after the key and depth, a root salt file, one file per tag. Tags
//! are Python values ([`PyValue`](crate::compat::PyValue); a `&str` or an
//! integer converts into one); values are any `serde` type. Child databases
//! (*metatags*) live in the same store under keys derived from the parent.
//! Everything happens in memory until [`Database::save`], which commits all
//! changes of the tree at once.
//!
//! # Errors
//! [`DbError`](crate::error::DbError): [`NotFound`](crate::error::DbError::NotFound)
//! for a wrong key or depth (when other databases' files are present),
//! [`Corrupt`](crate::error::DbError::Corrupt) naming a damaged file,
//! [`Storage`](crate::error::DbError::Storage) for the backend (including
//! [`Locked`](crate::error::StorageError::Locked) for a second writer).
//!
//! # Security
//! The format is the reference's, with its weaknesses (spec §16.2): the
//! manifest's name is a cheap key verifier, file sizes and counts show,
//! every file is authenticated alone (an old version of a file is accepted).
//! This module adds crash-safe atomic saves, a writer lock, wrong-key
//! detection and per-file corruption errors without changing the files.
//! Decrypted values stay in memory while the database is open.
//!
//! # Layout
//! * [`names`]: key derivation and file names (hazmat, no I/O);
//! * [`files`]: file encoding and decoding (hazmat, no I/O);
//! * [`storage`]: the [`Store`] trait, [`LocalStore`], [`MemoryStore`];
//! * [`Database`], [`AsyncDatabase`] (tokio, feature `tokio`), [`Uuids`].
//!
//! Password profiles ([`profile`]: [`Database::generate_profile_tokens`],
//! [`Database::generate_profile`], [`Database::load_profile`] …) build on
//! this module: a profile is a database opened with a passcrypt-derived
//! key at depth 10000, its salt file kept in `<directory>/secure` by
//! default ([`ProfileOptions`]).

#[cfg(feature = "tokio")]
mod asynchronous;
mod database;
pub mod files;
#[doc(hidden)]
pub mod fuzzing;
mod metatags;
pub mod names;
mod node;
mod options;
mod ordered;
mod parallel;
pub mod profile;
mod shared;
pub mod storage;
mod uuids;

#[cfg(feature = "tokio")]
pub use asynchronous::AsyncDatabase;
pub use database::Database;
pub use options::OpenOptions;
pub use profile::{ProfileOptions, ProfileTokens};
pub use storage::{LocalStore, LockGuard, MemoryStore, Store};
pub use uuids::Uuids;
