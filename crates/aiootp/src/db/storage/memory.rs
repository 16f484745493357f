//! [`MemoryStore`]: objects in memory, for tests and tools.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{LockGuard, Store, check_name};
use crate::error::StorageError;

#[derive(Debug, Default)]
struct State {
    objects: BTreeMap<String, Vec<u8>>,
    locks: HashSet<String>,
}

/// A store in memory. Clones share the same objects and locks, so two
/// [`Database`](crate::db::Database)s opened on clones of one store behave
/// as two processes on one directory.
///
/// ```
/// use aiootp::db::{MemoryStore, Store};
///
/// let store = MemoryStore::new();
/// store.put("a", b"bytes")?;
/// assert_eq!(store.clone().get("a")?, Some(b"bytes".to_vec()));
/// # Ok::<(), aiootp::error::StorageError>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `objects` (name → bytes), e.g. the files of a
    /// directory read by a test.
    ///
    /// # Errors
    /// [`StorageError::InvalidName`] for a name [`check_name`] refuses.
    pub fn from_objects(
        objects: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> Result<Self, StorageError> {
        let store = Self::new();
        {
            let mut state = store.state()?;
            for (name, data) in objects {
                check_name(&name)?;
                state.objects.insert(name, data);
            }
        }
        Ok(store)
    }

    /// A copy of every object, sorted by name.
    ///
    /// # Errors
    /// [`StorageError::Backend`] if a thread panicked while holding the
    /// store.
    pub fn snapshot(&self) -> Result<BTreeMap<String, Vec<u8>>, StorageError> {
        Ok(self.state()?.objects.clone())
    }

    fn state(&self) -> Result<MutexGuard<'_, State>, StorageError> {
        self.state
            .lock()
            .map_err(|_| StorageError::Backend("memory store poisoned by a panic".into()))
    }
}

#[derive(Debug)]
struct MemoryLock {
    state: Arc<Mutex<State>>,
    name: String,
}

impl Drop for MemoryLock {
    fn drop(&mut self) {
        if let Ok(mut state) = self.state.lock() {
            state.locks.remove(&self.name);
        }
    }
}

impl Store for MemoryStore {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StorageError> {
        check_name(name)?;
        Ok(self.state()?.objects.get(name).cloned())
    }

    fn put(&self, name: &str, data: &[u8]) -> Result<(), StorageError> {
        check_name(name)?;
        self.state()?.objects.insert(name.to_owned(), data.to_vec());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<bool, StorageError> {
        check_name(name)?;
        Ok(self.state()?.objects.remove(name).is_some())
    }

    fn list(&self) -> Result<Vec<String>, StorageError> {
        Ok(self.state()?.objects.keys().cloned().collect())
    }

    fn exists(&self, name: &str) -> Result<bool, StorageError> {
        check_name(name)?;
        Ok(self.state()?.objects.contains_key(name))
    }

    fn sync(&self) -> Result<(), StorageError> {
        Ok(())
    }

    fn lock(&self, name: &str) -> Result<LockGuard, StorageError> {
        check_name(name)?;
        let mut state = self.state()?;
        if !state.locks.insert(name.to_owned()) {
            return Err(StorageError::Locked {
                lock: format!("memory:{name}"),
            });
        }
        Ok(LockGuard::new(MemoryLock {
            state: Arc::clone(&self.state),
            name: name.to_owned(),
        }))
    }
}
