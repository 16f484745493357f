//! Where database files live: the object-level [`Store`] trait and its
//! backends, a local directory ([`LocalStore`], the default) and memory
//! ([`MemoryStore`], for tests and tools).
//!
//! A store holds flat, named objects (the database's files). The database
//! layer needs five operations and two guarantees:
//!
//! * [`Store::get`], [`Store::put`], [`Store::delete`], [`Store::list`],
//!   [`Store::exists`];
//! * `put` replaces an object **atomically**: a reader sees the old bytes
//!   or the new bytes, never a mix or a truncated object, even if the
//!   process dies during the call;
//! * [`Store::sync`] is a durability barrier: every `put` and `delete`
//!   that returned before it survives a power loss once it returns.
//!
//! Plus [`Store::lock`], an exclusive lock per database that refuses a
//! second writer (readers never take it).
//!
//! Object names are what the database uses: base36 file names,
//! `<manifest name>.lock` and `<manifest name>.journal`. Backends accept
//! names made of ASCII letters, digits, `.`, `_` and `-`, not starting
//! with `.` (names starting with `.` are reserved for a backend's
//! temporary objects), at most 255 bytes ([`check_name`]).
//!
//! To test a backend, run it through the conformance suite in
//! `tests/db_storage.rs`; to inject failures (crash tests), wrap a store in
//! your own `Store` that fails on the n-th call.

mod local;
mod memory;

use std::fmt;

pub use local::LocalStore;
pub use memory::MemoryStore;

use crate::error::StorageError;

/// An object store holding the files of one or more databases.
///
/// Implementations must be safe to share between threads: the database
/// calls them from the thread using it (the async API from tokio's
/// blocking pool) and, while loading, from several threads at once.
pub trait Store: Send + Sync + fmt::Debug + 'static {
    /// The bytes of object `name`, or `None` if there is no such object.
    ///
    /// # Errors
    /// [`StorageError`] when the backend fails (not for a missing object).
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StorageError>;

    /// Creates or replaces object `name` atomically (old or new bytes are
    /// visible, never a mix). Not necessarily durable until [`Store::sync`].
    ///
    /// # Errors
    /// [`StorageError`]; the old object is then unchanged.
    fn put(&self, name: &str, data: &[u8]) -> Result<(), StorageError>;

    /// Creates or replaces several objects, each atomically as
    /// [`Store::put`], in no particular order (the database calls it for
    /// the files of one stage of a save, then [`Store::sync`]). The
    /// default puts them one by one; a backend may overlap the writes
    /// (e.g. [`LocalStore`] writes and `fsync`s files on several threads).
    ///
    /// # Errors
    /// The first [`StorageError`] met in `objects` order; the other
    /// objects may then be old or new, each whole.
    fn put_many(&self, objects: &[(String, Vec<u8>)]) -> Result<(), StorageError> {
        for (name, data) in objects {
            self.put(name, data)?;
        }
        Ok(())
    }

    /// Deletes object `name`; `Ok(false)` if it did not exist.
    ///
    /// # Errors
    /// [`StorageError`] when the backend fails.
    fn delete(&self, name: &str) -> Result<bool, StorageError>;

    /// The names of all objects, in no particular order (a backend's own
    /// temporary objects excluded).
    ///
    /// # Errors
    /// [`StorageError`] when the backend fails.
    fn list(&self) -> Result<Vec<String>, StorageError>;

    /// Whether object `name` exists.
    ///
    /// # Errors
    /// [`StorageError`] when the backend fails.
    fn exists(&self, name: &str) -> Result<bool, StorageError>;

    /// Makes every `put` and `delete` that returned before this call
    /// durable (a directory `fsync` for [`LocalStore`]).
    ///
    /// # Errors
    /// [`StorageError`] when the backend fails.
    fn sync(&self) -> Result<(), StorageError>;

    /// Takes the exclusive lock `name` without waiting, or fails with
    /// [`StorageError::Locked`] if another writer (in this process or
    /// another) holds it. The lock is released when the returned guard is
    /// dropped, and by the operating system if the process dies.
    ///
    /// # Errors
    /// [`StorageError::Locked`], or a backend failure.
    fn lock(&self, name: &str) -> Result<LockGuard, StorageError>;
}

/// A held [`Store::lock`]; dropping it releases the lock.
pub struct LockGuard {
    _held: Box<dyn Send + Sync>,
}

impl LockGuard {
    /// Wraps a backend's lock object, which must release the lock when
    /// dropped.
    #[must_use]
    pub fn new(held: impl Send + Sync + 'static) -> Self {
        Self {
            _held: Box::new(held),
        }
    }
}

impl fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LockGuard")
    }
}

/// Checks an object name: 1 to 255 bytes of ASCII letters, digits, `.`,
/// `_` and `-`, not starting with `.`.
///
/// # Errors
/// [`StorageError::InvalidName`].
pub fn check_name(name: &str) -> Result<(), StorageError> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(StorageError::InvalidName {
            name: name.chars().take(80).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name("545w46x9vizjafaa5m7l5ij21avfcqk3a3iz3ih593sdri31py").is_ok());
        assert!(check_name("abc.lock").is_ok());
        for bad in ["", ".tmp", "a/b", "..", "a b", "é"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_name(&"a".repeat(256)).is_err());
    }
}
