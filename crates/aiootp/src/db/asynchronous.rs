//! [`AsyncDatabase`]: the async face of [`Database`] (feature `tokio`).
//!
//! A thin shell: every call locks the shared [`Database`] and runs the
//! synchronous method on tokio's blocking pool (`spawn_blocking`), so file
//! I/O and cryptography never stall the runtime and the files written are
//! exactly the synchronous API's.

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::database::Database;
use super::storage::{LocalStore, Store};
use super::{OpenOptions, Uuids};
use crate::compat::passcrypt::{Passcrypt, PasscryptHash, Password};
use crate::compat::{Ciphertext, DecryptOptions, Key, PyValue, Salt, pyserde};
use crate::error::DbError;

/// The async twin of [`Database`]: a cheap, cloneable handle to a database
/// or to one of its children. Calls on handles of one database run one at
/// a time; the writer lock is released when the last handle is dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), aiootp::error::DbError> {
/// use aiootp::compat::Key;
/// use aiootp::db::{AsyncDatabase, MemoryStore, OpenOptions};
/// use std::sync::Arc;
///
/// let store = Arc::new(MemoryStore::new());
/// let db = AsyncDatabase::open_with(OpenOptions::new(), store, &Key::new("key")).await?;
/// db.with(|db| async move {
///     db.set("bitcoin", &"0bb6eee10d2f8f45f8a").await?;
///     let clients = db.metatag("clients").await?;
///     clients.set("brittany", &"client account data").await?;
///     Ok::<_, aiootp::error::DbError>(())
/// })
/// .await?;
/// assert_eq!(db.get::<String>("bitcoin").await?.as_deref(), Some("0bb6eee10d2f8f45f8a"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct AsyncDatabase {
    root: Arc<Mutex<Option<Database>>>,
    path: Arc<[PyValue]>,
}

impl AsyncDatabase {
    /// Wraps an open database.
    #[must_use]
    pub fn from_database(db: Database) -> Self {
        Self {
            root: Arc::new(Mutex::new(Some(db))),
            path: Arc::from(Vec::new()),
        }
    }

    /// As [`Database::open`].
    ///
    /// # Errors
    /// As [`Database::open`].
    pub async fn open(
        dir: impl AsRef<Path>,
        key: &Key,
        password_depth: u64,
    ) -> Result<Self, DbError> {
        let dir = dir.as_ref().to_path_buf();
        let key = key.clone();
        let db = blocking(move || Database::open(dir, &key, password_depth)).await?;
        Ok(Self::from_database(db))
    }

    /// As [`OpenOptions::open_arc`].
    ///
    /// # Errors
    /// As [`OpenOptions::open_arc`].
    pub async fn open_with(
        options: OpenOptions,
        store: Arc<dyn Store>,
        key: &Key,
    ) -> Result<Self, DbError> {
        let key = key.clone();
        let db = blocking(move || options.open_arc(store, &key)).await?;
        Ok(Self::from_database(db))
    }

    /// As [`OpenOptions::open`] on a directory.
    ///
    /// # Errors
    /// As [`OpenOptions::open`].
    pub async fn open_dir_with(
        options: OpenOptions,
        dir: impl AsRef<Path>,
        key: &Key,
    ) -> Result<Self, DbError> {
        let dir = dir.as_ref().to_path_buf();
        let key = key.clone();
        let db = blocking(move || options.open_arc(Arc::new(LocalStore::open(dir)?), &key)).await?;
        Ok(Self::from_database(db))
    }

    /// Runs `f` on this handle's database (root or child) on the blocking
    /// pool.
    async fn run<R, F>(&self, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Database) -> Result<R, DbError> + Send + 'static,
    {
        let root = Arc::clone(&self.root);
        let path = Arc::clone(&self.path);
        blocking(move || {
            let mut guard = root
                .lock()
                .map_err(|_| DbError::Task("database state poisoned by a panic".into()))?;
            let db = guard.as_mut().ok_or(DbError::Deleted)?;
            f(db.descend(&path)?)
        })
        .await
    }

    /// As [`Database::set`].
    ///
    /// # Errors
    /// As [`Database::set`].
    pub async fn set<T: Serialize + ?Sized>(
        &self,
        tag: impl Into<PyValue>,
        value: &T,
    ) -> Result<(), DbError> {
        self.set_value(tag, pyserde::to_value(value)?).await
    }

    /// As [`Database::set_value`].
    ///
    /// # Errors
    /// As [`Database::set`].
    pub async fn set_value(&self, tag: impl Into<PyValue>, value: PyValue) -> Result<(), DbError> {
        let tag = tag.into();
        self.run(move |db| db.set_value(tag, value)).await
    }

    /// As [`Database::get`] (reads the file if needed, unlike the
    /// reference's async `db[tag]`, which only looks in memory).
    ///
    /// # Errors
    /// As [`Database::get`].
    pub async fn get<T: DeserializeOwned>(
        &self,
        tag: impl Into<PyValue>,
    ) -> Result<Option<T>, DbError> {
        match self.get_value(tag).await? {
            Some(v) => Ok(Some(pyserde::from_value(v)?)),
            None => Ok(None),
        }
    }

    /// As [`Database::get_value`], returning a copy.
    ///
    /// # Errors
    /// As [`Database::get_value`].
    pub async fn get_value(&self, tag: impl Into<PyValue>) -> Result<Option<PyValue>, DbError> {
        let tag = tag.into();
        self.run(move |db| Ok(db.get_value(tag)?.cloned())).await
    }

    /// As [`Database::contains`].
    ///
    /// # Errors
    /// [`DbError::Deleted`], [`DbError::Task`].
    pub async fn contains(&self, tag: impl Into<PyValue>) -> Result<bool, DbError> {
        let tag = tag.into();
        self.run(move |db| Ok(db.contains(tag))).await
    }

    /// As [`Database::pop`].
    ///
    /// # Errors
    /// As [`Database::pop`].
    pub async fn pop<T: DeserializeOwned>(
        &self,
        tag: impl Into<PyValue>,
    ) -> Result<Option<T>, DbError> {
        match self.pop_value(tag).await? {
            Some(v) => Ok(Some(pyserde::from_value(v)?)),
            None => Ok(None),
        }
    }

    /// As [`Database::pop_value`].
    ///
    /// # Errors
    /// As [`Database::pop_value`].
    pub async fn pop_value(&self, tag: impl Into<PyValue>) -> Result<Option<PyValue>, DbError> {
        let tag = tag.into();
        self.run(move |db| db.pop_value(tag)).await
    }

    /// As [`Database::delete`].
    ///
    /// # Errors
    /// As [`Database::delete`].
    pub async fn delete(&self, tag: impl Into<PyValue>) -> Result<bool, DbError> {
        let tag = tag.into();
        self.run(move |db| db.delete(tag)).await
    }

    /// As [`Database::tags`].
    ///
    /// # Errors
    /// [`DbError::Deleted`], [`DbError::Task`].
    pub async fn tags(&self) -> Result<Vec<PyValue>, DbError> {
        self.run(|db| Ok(db.tags().cloned().collect())).await
    }

    /// As [`Database::len`].
    ///
    /// # Errors
    /// [`DbError::Deleted`], [`DbError::Task`].
    pub async fn len(&self) -> Result<usize, DbError> {
        self.run(|db| Ok(db.len())).await
    }

    /// As [`Database::is_empty`].
    ///
    /// # Errors
    /// [`DbError::Deleted`], [`DbError::Task`].
    pub async fn is_empty(&self) -> Result<bool, DbError> {
        self.run(|db| Ok(db.is_empty())).await
    }

    /// As [`Database::iter`], collected.
    ///
    /// # Errors
    /// As [`Database::iter`].
    pub async fn items(&self) -> Result<Vec<(PyValue, Option<PyValue>)>, DbError> {
        self.run(|db| Ok(db.iter()?.map(|(t, v)| (t.clone(), v.cloned())).collect()))
            .await
    }

    /// As [`Database::to_map`].
    ///
    /// # Errors
    /// As [`Database::to_map`].
    pub async fn to_map(&self) -> Result<PyValue, DbError> {
        self.run(Database::to_map).await
    }

    /// As [`Database::deserialize`].
    ///
    /// # Errors
    /// As [`Database::deserialize`].
    pub async fn deserialize<T: DeserializeOwned>(&self) -> Result<T, DbError> {
        Ok(pyserde::from_value(self.to_map().await?)?)
    }

    /// As [`Database::load`].
    ///
    /// # Errors
    /// As [`Database::load`].
    pub async fn load(&self) -> Result<(), DbError> {
        self.run(Database::load).await
    }

    /// As [`Database::metatag`]: a handle to the child.
    ///
    /// # Errors
    /// As [`Database::metatag`].
    pub async fn metatag(&self, name: impl Into<PyValue>) -> Result<AsyncDatabase, DbError> {
        let name = name.into();
        let opened = name.clone();
        self.run(move |db| db.metatag(opened).map(|_| ())).await?;
        let mut path = self.path.to_vec();
        path.push(name);
        Ok(Self {
            root: Arc::clone(&self.root),
            path: Arc::from(path),
        })
    }

    /// As [`Database::metatags`].
    ///
    /// # Errors
    /// [`DbError::Deleted`], [`DbError::Task`].
    pub async fn metatags(&self) -> Result<Vec<PyValue>, DbError> {
        self.run(|db| Ok(db.metatags().to_vec())).await
    }

    /// As [`Database::delete_metatag`] (the reference's `adelete_metatag`
    /// raises `NameError`; this is the intended behaviour).
    ///
    /// # Errors
    /// As [`Database::delete_metatag`].
    pub async fn delete_metatag(&self, name: impl Into<PyValue>) -> Result<(), DbError> {
        let name = name.into();
        self.run(move |db| db.delete_metatag(name)).await
    }

    /// As [`Database::save`] (errors are reported, unlike the reference's
    /// `asave`).
    ///
    /// # Errors
    /// As [`Database::save`].
    pub async fn save(&self) -> Result<(), DbError> {
        self.run(Database::save).await
    }

    /// Runs `f` with a handle to this database, then saves if it
    /// succeeded (see [`Database::with`]).
    ///
    /// # Errors
    /// `f`'s error, or the save's.
    pub async fn with<R, E, F, Fut>(&self, f: F) -> Result<R, E>
    where
        E: From<DbError>,
        F: FnOnce(AsyncDatabase) -> Fut,
        Fut: Future<Output = Result<R, E>>,
    {
        let result = f(self.clone()).await?;
        self.save().await?;
        Ok(result)
    }

    /// As [`Database::save_tag`].
    ///
    /// # Errors
    /// As [`Database::save_tag`].
    pub async fn save_tag(&self, tag: impl Into<PyValue>) -> Result<(), DbError> {
        let tag = tag.into();
        self.run(move |db| db.save_tag(tag)).await
    }

    /// As [`Database::delete_database`]; every handle then fails with
    /// [`DbError::Deleted`]. On a child's handle this is
    /// [`Database::delete_metatag`] on its parent (files deleted at the
    /// parent's next save).
    ///
    /// # Errors
    /// As [`Database::delete_database`].
    pub async fn delete_database(&self) -> Result<(), DbError> {
        if let Some((name, parent)) = self.path.split_last() {
            let name = name.clone();
            let parent = Self {
                root: Arc::clone(&self.root),
                path: Arc::from(parent.to_vec()),
            };
            return parent.delete_metatag(name).await;
        }
        let root = Arc::clone(&self.root);
        blocking(move || {
            let mut guard = root
                .lock()
                .map_err(|_| DbError::Task("database state poisoned by a panic".into()))?;
            guard.take().ok_or(DbError::Deleted)?.delete_database()
        })
        .await
    }

    /// As [`Database::mirror_from`].
    ///
    /// # Errors
    /// As [`Database::mirror_from`].
    pub async fn mirror_from(&self, other: &AsyncDatabase) -> Result<(), DbError> {
        let snapshot = other.run(Database::snapshot).await?;
        self.run(move |db| db.apply_snapshot(snapshot)).await
    }

    /// As [`Database::filename`].
    ///
    /// # Errors
    /// [`DbError::Deleted`], [`DbError::Task`].
    pub async fn filename(&self, tag: impl Into<PyValue>) -> Result<String, DbError> {
        let tag = tag.into();
        self.run(move |db| Ok(db.filename(tag))).await
    }

    /// As [`Database::root_filename`].
    ///
    /// # Errors
    /// [`DbError::Deleted`], [`DbError::Task`].
    pub async fn root_filename(&self) -> Result<String, DbError> {
        self.run(|db| Ok(db.root_filename().to_owned())).await
    }

    /// As [`Database::hmac`].
    ///
    /// # Errors
    /// [`DbError::Deleted`], [`DbError::Task`].
    pub async fn hmac(&self, data: Vec<PyValue>) -> Result<String, DbError> {
        self.run(move |db| Ok(db.hmac(&data))).await
    }

    /// As [`Database::test_hmac`].
    ///
    /// # Errors
    /// As [`Database::test_hmac`].
    pub async fn test_hmac(&self, data: Vec<PyValue>, hmac: String) -> Result<(), DbError> {
        self.run(move |db| db.test_hmac(&data, &hmac)).await
    }

    /// As [`Database::passcrypt`]; the database is not locked while the
    /// hash runs.
    ///
    /// # Errors
    /// As [`Database::passcrypt`].
    pub async fn passcrypt(
        &self,
        password: Password,
        salt: PyValue,
        settings: Passcrypt,
    ) -> Result<PasscryptHash, DbError> {
        let s = salt.clone();
        let salted = self
            .run(move |db| db.salted_password(&password, &s))
            .await?;
        blocking(move || Ok(settings.hash(&salted, &salt)?)).await
    }

    /// As [`Database::uuids`].
    ///
    /// # Errors
    /// As [`Database::uuids`].
    pub async fn uuids(
        &self,
        category: impl Into<PyValue>,
        size: usize,
        salt: Option<PyValue>,
    ) -> Result<Uuids, DbError> {
        let category = category.into();
        self.run(move |db| db.uuids(category, size, salt)).await
    }

    /// As [`Database::encrypt`].
    ///
    /// # Errors
    /// As [`Database::encrypt`].
    pub async fn encrypt<T: Serialize + ?Sized>(
        &self,
        filename: impl Into<PyValue>,
        plaintext: &T,
    ) -> Result<Ciphertext, DbError> {
        let filename = filename.into();
        let value = pyserde::to_value(plaintext)?;
        self.run(move |db| db.encrypt(filename, &value)).await
    }

    /// As [`Database::encrypt_with_salt`].
    ///
    /// # Errors
    /// As [`Database::encrypt_with_salt`].
    pub async fn encrypt_with_salt<T: Serialize + ?Sized>(
        &self,
        filename: impl Into<PyValue>,
        plaintext: &T,
        salt: Salt,
    ) -> Result<Ciphertext, DbError> {
        let filename = filename.into();
        let value = pyserde::to_value(plaintext)?;
        self.run(move |db| db.encrypt_with_salt(filename, &value, &salt))
            .await
    }

    /// As [`Database::decrypt`].
    ///
    /// # Errors
    /// As [`Database::decrypt`].
    pub async fn decrypt<T: DeserializeOwned>(
        &self,
        filename: impl Into<PyValue>,
        ciphertext: Ciphertext,
        ttl: i64,
    ) -> Result<T, DbError> {
        let filename = filename.into();
        let value: PyValue = self
            .run(move |db| db.decrypt(filename, &ciphertext, ttl))
            .await?;
        Ok(pyserde::from_value(value)?)
    }

    /// As [`Database::decrypt_with`].
    ///
    /// # Errors
    /// As [`Database::decrypt_with`].
    pub async fn decrypt_with<T: DeserializeOwned>(
        &self,
        filename: impl Into<PyValue>,
        ciphertext: Ciphertext,
        options: DecryptOptions,
    ) -> Result<T, DbError> {
        let filename = filename.into();
        let value: PyValue = self
            .run(move |db| db.decrypt_with(filename, &ciphertext, &options))
            .await?;
        Ok(pyserde::from_value(value)?)
    }

    /// As [`Database::bytes_encrypt`].
    ///
    /// # Errors
    /// As [`Database::bytes_encrypt`].
    pub async fn bytes_encrypt(
        &self,
        filename: impl Into<PyValue>,
        plaintext: Vec<u8>,
    ) -> Result<Ciphertext, DbError> {
        let filename = filename.into();
        let plaintext = zeroize::Zeroizing::new(plaintext);
        self.run(move |db| db.bytes_encrypt(filename, &plaintext))
            .await
    }

    /// As [`Database::bytes_decrypt`].
    ///
    /// # Errors
    /// As [`Database::bytes_decrypt`].
    pub async fn bytes_decrypt(
        &self,
        filename: impl Into<PyValue>,
        ciphertext: Ciphertext,
        ttl: i64,
    ) -> Result<Vec<u8>, DbError> {
        let filename = filename.into();
        self.run(move |db| db.bytes_decrypt(filename, &ciphertext, ttl))
            .await
    }
}

pub(crate) async fn blocking<T, F>(f: F) -> Result<T, DbError>
where
    F: FnOnce() -> Result<T, DbError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| DbError::Task(e.to_string()))?
}
