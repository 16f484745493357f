//! [`Database`]: the synchronous encrypted database.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::files::{db_error, encrypt_file};
use super::metatags::MetatagList;
use super::names::SeededKeys;
use super::node::{Load, check_stable, surely_json};
use super::ordered::OrderedMap;
use super::shared::{Plan, Shared};
use super::storage::Store;
use super::{OpenOptions, Uuids};
use crate::compat::cipher::{self, DecryptOptions, EncryptOptions};
use crate::compat::passcrypt::{self, Passcrypt, PasscryptHash, Password};
use crate::compat::{Ciphertext, Key, PyValue, Salt, pyjson, pyserde};
use crate::error::{CipherError, DbError};
use crate::secret::ct_eq;

/// A transparently encrypted key-value database, file-compatible with
/// Python aiootp 0.17.0's `Database` and `AsyncDatabase`.
///
/// Values are any `serde` type (stored as Python's `json.dumps` text);
/// tags (their names) are Python values ([`PyValue`]: usually a `&str`).
/// Changes live in memory until [`Database::save`] (or the end of
/// [`Database::with`]), which commits all of them at once.
///
/// ```
/// use aiootp::compat::Key;
/// use aiootp::db::{Database, MemoryStore, OpenOptions};
///
/// let key = Key::generate()?;
/// let store = MemoryStore::new();
/// let mut db = OpenOptions::new().open_store(store.clone(), &key)?;
/// db.with(|db| {
///     db.set("income", &32000)?;
///     db.metatag("taxes")?.set(2020, &[130.25, 163.23])?;
///     Ok::<_, aiootp::error::DbError>(())
/// })?;
/// drop(db);
///
/// let mut db = OpenOptions::new().open_store(store, &key)?;
/// assert_eq!(db.get::<u32>("income")?, Some(32000));
/// assert_eq!(db.metatag("taxes")?.get::<Vec<f64>>(2020)?, Some(vec![130.25, 163.23]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Differences from the reference
/// * `pop`, `delete` and `delete_metatag` delete files at the next save,
///   inside the commit (the reference deletes at once).
/// * A save is atomic (see [`OpenOptions::journal`]), a second writer is
///   refused, a wrong key or depth is reported ([`DbError::NotFound`]), a
///   corrupt file is a [`DbError::Corrupt`] naming it while the others
///   stay readable.
/// * [`Database::with`] saves only when the closure succeeds.
/// * Tags and metatag names that a JSON round trip would change are
///   refused ([`DbError::UnstableTag`]); `set` refuses values with no
///   JSON form at once, not at save.
/// * [`Database::len`] counts tags only (Python's `len` adds 2).
/// * There is no default directory inside the installed package: the
///   store or directory is always given.
pub struct Database {
    pub(crate) shared: Arc<Shared>,
    pub(crate) keys: SeededKeys,
    pub(crate) root_salt_filename: Option<String>,
    /// File name → tag (and the two maintenance entries), manifest order.
    /// The metatag list's entry holds `None`: the list is in `metatags`.
    pub(crate) manifest: OrderedMap<PyValue>,
    /// The metatag list (child names in manifest order), indexed.
    pub(crate) metatags: MetatagList,
    /// File name → loaded or set value, in load/set order.
    pub(crate) cache: OrderedMap<PyValue>,
    /// Open children by the `repr` of their name.
    pub(crate) children: HashMap<String, Database>,
    /// Files to delete at the next save.
    pub(crate) pending_deletes: BTreeSet<String>,
    /// `repr`s of children deleted since the last save (re-created empty).
    pub(crate) recreate: HashSet<String>,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Database")
            .field("root_filename", &self.root_filename())
            .field("tags", &self.len())
            .field("metatags", &self.metatag_list().len())
            .field("read_only", &self.shared.read_only)
            .finish_non_exhaustive()
    }
}

/// A database's tags and children, copied by [`Database::mirror_from`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Snapshot {
    tags: Vec<(PyValue, PyValue)>,
    children: Vec<(PyValue, Snapshot)>,
}

impl Database {
    /// Opens (or starts) the database of `key` at `password_depth` in the
    /// existing directory `dir`, with the default [`OpenOptions`].
    ///
    /// # Errors
    /// As [`OpenOptions::open_arc`].
    pub fn open(dir: impl AsRef<Path>, key: &Key, password_depth: u64) -> Result<Self, DbError> {
        OpenOptions::new()
            .password_depth(password_depth)
            .open(dir, key)
    }

    // ------------------------------------------------------------ values

    /// Stores `value` under `tag` (in memory until saved).
    ///
    /// # Errors
    /// [`DbError::Json`] if `value` has no JSON form;
    /// [`DbError::UnstableTag`], [`DbError::MaintenanceName`],
    /// [`DbError::ReadOnly`].
    pub fn set<T: Serialize + ?Sized>(
        &mut self,
        tag: impl Into<PyValue>,
        value: &T,
    ) -> Result<(), DbError> {
        self.set_value(tag, pyserde::to_value(value)?)
    }

    /// Stores a [`PyValue`] under `tag` (in memory until saved).
    ///
    /// # Errors
    /// As [`Database::set`].
    pub fn set_value(&mut self, tag: impl Into<PyValue>, value: PyValue) -> Result<(), DbError> {
        self.shared.writable()?;
        let tag = tag.into();
        let file = self.keys.filename(&tag);
        if self.is_maintenance(&file) {
            return Err(DbError::MaintenanceName);
        }
        check_stable(&tag)?;
        if !surely_json(&value) {
            zeroize::Zeroize::zeroize(&mut pyjson::dumps(&value)?);
        }
        self.pending_deletes.remove(&file);
        self.cache.insert(file.clone(), value);
        self.manifest.insert(file, tag);
        Ok(())
    }

    /// The value of `tag` as a `T`, reading its file if not loaded yet;
    /// `None` if the tag does not exist.
    ///
    /// # Errors
    /// [`DbError::Json`] if the value does not fit `T`; as
    /// [`Database::get_value`].
    pub fn get<T: DeserializeOwned>(
        &mut self,
        tag: impl Into<PyValue>,
    ) -> Result<Option<T>, DbError> {
        match self.get_value(tag)? {
            Some(v) => Ok(Some(pyserde::from_value(v.clone())?)),
            None => Ok(None),
        }
    }

    /// The value of `tag`, reading its file if not loaded yet; `None` if
    /// the tag does not exist.
    ///
    /// # Errors
    /// [`DbError::Corrupt`] naming the tag's file if it fails
    /// authentication or does not decode; [`DbError::TagFileMissing`];
    /// [`DbError::Storage`].
    pub fn get_value(&mut self, tag: impl Into<PyValue>) -> Result<Option<&PyValue>, DbError> {
        let file = self.keys.filename(&tag.into());
        self.load_file(&file)?;
        Ok(self.cache.get(&file))
    }

    /// The value of `tag` for changing in place (saved at the next save);
    /// `None` if the tag does not exist.
    ///
    /// # Errors
    /// As [`Database::get_value`], and [`DbError::ReadOnly`].
    pub fn get_value_mut(
        &mut self,
        tag: impl Into<PyValue>,
    ) -> Result<Option<&mut PyValue>, DbError> {
        self.shared.writable()?;
        let file = self.keys.filename(&tag.into());
        self.load_file(&file)?;
        Ok(self.cache.get_mut(&file))
    }

    fn load_file(&mut self, file: &str) -> Result<(), DbError> {
        if !self.cache.contains_key(file)
            && self.manifest.contains_key(file)
            && !self.is_maintenance(file)
        {
            let value = self.read_tag(file)?;
            self.cache.insert(file.to_owned(), value);
        }
        Ok(())
    }

    /// Whether `tag` exists (no disk access).
    #[must_use]
    pub fn contains(&self, tag: impl Into<PyValue>) -> bool {
        let file = self.keys.filename(&tag.into());
        !self.is_maintenance(&file)
            && (self.manifest.contains_key(&file) || self.cache.contains_key(&file))
    }

    /// Removes `tag` and returns its value as a `T` (`None` if absent or
    /// its file is missing). The file is deleted at the next save.
    ///
    /// # Errors
    /// As [`Database::pop_value`], and [`DbError::Json`].
    pub fn pop<T: DeserializeOwned>(
        &mut self,
        tag: impl Into<PyValue>,
    ) -> Result<Option<T>, DbError> {
        match self.pop_value(tag)? {
            Some(v) => Ok(Some(pyserde::from_value(v)?)),
            None => Ok(None),
        }
    }

    /// Removes `tag` and returns its value (read first: a corrupt file
    /// fails before anything changes; see [`Database::delete`]).
    ///
    /// # Errors
    /// [`DbError::Corrupt`], [`DbError::MaintenanceName`],
    /// [`DbError::ReadOnly`], [`DbError::Storage`].
    pub fn pop_value(&mut self, tag: impl Into<PyValue>) -> Result<Option<PyValue>, DbError> {
        self.shared.writable()?;
        let file = self.keys.filename(&tag.into());
        if self.is_maintenance(&file) {
            return Err(DbError::MaintenanceName);
        }
        match self.load_file(&file) {
            Ok(()) | Err(DbError::TagFileMissing { .. }) => {}
            Err(e) => return Err(e),
        }
        let value = self.cache.remove(&file);
        self.manifest.remove(&file);
        self.pending_deletes.insert(file);
        Ok(value)
    }

    /// Removes `tag` without reading its value (so a corrupt value can be
    /// removed); `true` if it existed. The file is deleted at the next
    /// save.
    ///
    /// # Errors
    /// [`DbError::MaintenanceName`], [`DbError::ReadOnly`].
    pub fn delete(&mut self, tag: impl Into<PyValue>) -> Result<bool, DbError> {
        self.shared.writable()?;
        let file = self.keys.filename(&tag.into());
        if self.is_maintenance(&file) {
            return Err(DbError::MaintenanceName);
        }
        let existed = self.manifest.remove(&file).is_some() | self.cache.remove(&file).is_some();
        self.pending_deletes.insert(file);
        Ok(existed)
    }

    /// The tags, in manifest order (maintenance entries excluded).
    pub fn tags(&self) -> impl Iterator<Item = &PyValue> {
        self.manifest
            .iter()
            .filter(|(file, _)| !self.is_maintenance(file))
            .map(|(_, tag)| tag)
    }

    /// The number of tags.
    #[must_use]
    pub fn len(&self) -> usize {
        self.manifest
            .keys()
            .filter(|file| !self.is_maintenance(file))
            .count()
    }

    /// Whether there are no tags.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every `(tag, value)` in manifest order, after loading every value
    /// (`None` for a listed tag whose file is missing, as the reference's
    /// iteration).
    ///
    /// # Errors
    /// [`DbError::Corrupt`] for the first damaged file; [`DbError::Storage`].
    pub fn iter(&mut self) -> Result<impl Iterator<Item = (&PyValue, Option<&PyValue>)>, DbError> {
        self.load_present()?;
        Ok(self
            .manifest
            .iter()
            .filter(|(file, _)| !self.is_maintenance(file))
            .map(|(_, tag)| {
                let file = self.keys.filename(tag);
                (tag, self.cache.get(&file))
            }))
    }

    /// The tags and values as a Python dict ([`PyValue::Dict`], manifest
    /// order, `None` for missing files): the reference's `into_namespace`.
    ///
    /// # Errors
    /// As [`Database::iter`].
    pub fn to_map(&mut self) -> Result<PyValue, DbError> {
        Ok(PyValue::Dict(
            self.iter()?
                .map(|(t, v)| (t.clone(), v.cloned().unwrap_or(PyValue::None)))
                .collect(),
        ))
    }

    /// The whole database (its tags as fields) as a `T`, e.g. a struct
    /// whose field names are the tags.
    ///
    /// # Errors
    /// [`DbError::Json`] if the values do not fit `T`; as
    /// [`Database::iter`].
    pub fn deserialize<T: DeserializeOwned>(&mut self) -> Result<T, DbError> {
        Ok(pyserde::from_value(self.to_map()?)?)
    }

    /// Loads every value and child (recursively) now.
    ///
    /// # Errors
    /// The first failure: [`DbError::Corrupt`], [`DbError::TagFileMissing`],
    /// [`DbError::Storage`].
    pub fn load(&mut self) -> Result<(), DbError> {
        self.load_all(Load::Strict)
    }

    // ------------------------------------------------------------ children

    /// The child database `name`, opened (and preloaded if the database
    /// was) or created (written at the next save of this database).
    ///
    /// # Errors
    /// [`DbError::ReservedName`] for a new name the reference refuses;
    /// [`DbError::UnstableTag`]; [`DbError::ReadOnly`] for a new name
    /// when read-only; [`DbError::Corrupt`] for a damaged child manifest.
    pub fn metatag(&mut self, name: impl Into<PyValue>) -> Result<&mut Database, DbError> {
        let mode = if self.shared.preload {
            Load::Tolerant
        } else {
            Load::Lazy
        };
        self.open_child(name.into(), mode)
    }

    /// The child `name` if it is open.
    #[must_use]
    pub fn child(&self, name: impl Into<PyValue>) -> Option<&Database> {
        self.children.get(&name.into().repr())
    }

    /// The child `name` if it is open, mutably.
    pub fn child_mut(&mut self, name: impl Into<PyValue>) -> Option<&mut Database> {
        self.children.get_mut(&name.into().repr())
    }

    /// The names of the child databases, in creation order.
    #[must_use]
    pub fn metatags(&self) -> &[PyValue] {
        self.metatag_list()
    }

    /// Deletes the child `name` and all its descendants: removed from the
    /// list at once, files deleted at the next save.
    ///
    /// # Errors
    /// [`DbError::NoSuchMetatag`], [`DbError::ReadOnly`].
    pub fn delete_metatag(&mut self, name: impl Into<PyValue>) -> Result<(), DbError> {
        self.remove_child(&name.into())
    }

    // ------------------------------------------------------------ saving

    /// Writes every loaded value, the manifest (and the root salt file) of
    /// this database and of its open children, and applies pending
    /// deletions, as one atomic commit.
    ///
    /// # Errors
    /// [`DbError::ReadOnly`], [`DbError::Json`] for a value changed in
    /// place into one with no JSON form, [`DbError::Storage`] (the commit
    /// is then completed by the next writer if its journal was written,
    /// else nothing changed).
    pub fn save(&mut self) -> Result<(), DbError> {
        self.shared.writable()?;
        let mut plan = Plan::default();
        self.plan(&mut plan)?;
        self.shared.commit(plan)?;
        self.committed();
        Ok(())
    }

    /// Runs `f` on this database, then saves if it succeeded: a scope that
    /// commits on exit. On an error nothing is saved (the changes stay in
    /// memory), unlike the reference's `with db:`, which saves anyway.
    /// (Rust cannot save reliably in `Drop`: it cannot report errors there
    /// and does not run on every exit path.)
    ///
    /// # Errors
    /// `f`'s error, or the save's.
    pub fn with<R, E: From<DbError>>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<R, E>,
    ) -> Result<R, E> {
        let result = f(self)?;
        self.save()?;
        Ok(result)
    }

    /// Writes only `tag`'s file (fresh salt), not the manifest.
    ///
    /// # Errors
    /// [`DbError::TagNotLoaded`] unless the value is in memory;
    /// [`DbError::ReadOnly`]; [`DbError::Storage`].
    pub fn save_tag(&mut self, tag: impl Into<PyValue>) -> Result<(), DbError> {
        self.shared.writable()?;
        let file = self.keys.filename(&tag.into());
        let value = match self.cache.get(&file) {
            Some(v) if !self.is_maintenance(&file) => v,
            _ => return Err(DbError::TagNotLoaded),
        };
        let salt = self.shared.entropy.ciphertext_salt()?;
        let key = self
            .keys
            .encryption_key(&PyValue::from(file.as_str()), &salt);
        let bytes = encrypt_file(value, &key, &salt, self.shared.clock)?;
        self.shared.store.put(&file, &bytes)?;
        self.shared.store.sync()?;
        Ok(())
    }

    /// Deletes every file of this database and its children (one atomic
    /// commit).
    ///
    /// # Errors
    /// [`DbError::ReadOnly`], [`DbError::Storage`].
    pub fn delete_database(mut self) -> Result<(), DbError> {
        self.shared.writable()?;
        let plan = Plan {
            deletes: self.all_files(),
            ..Plan::default()
        };
        self.shared.commit(plan)
        // Dropping `self` releases the lock and removes the lock file.
    }

    /// Copies every tag and value of `other` (loading them) and, recursively,
    /// its children into this database (in memory until saved), re-keyed
    /// under this database's names.
    ///
    /// # Errors
    /// As [`Database::iter`] on `other`, and as [`Database::set_value`].
    pub fn mirror_from(&mut self, other: &mut Database) -> Result<(), DbError> {
        let snapshot = other.snapshot()?;
        self.apply_snapshot(snapshot)
    }

    pub(crate) fn snapshot(&mut self) -> Result<Snapshot, DbError> {
        let tags = self
            .iter()?
            .map(|(t, v)| (t.clone(), v.cloned().unwrap_or(PyValue::None)))
            .collect();
        let mut children = Vec::new();
        // Opening a listed child leaves the list as it is.
        for i in 0..self.metatags.len() {
            let Some((name, repr)) = self.metatags.get(i) else {
                break;
            };
            let (name, repr) = (name.clone(), repr.to_owned());
            let child = self.open_child_repr(name.clone(), repr, Load::Lazy)?;
            children.push((name, child.snapshot()?));
        }
        Ok(Snapshot { tags, children })
    }

    pub(crate) fn apply_snapshot(&mut self, snapshot: Snapshot) -> Result<(), DbError> {
        self.shared.writable()?;
        for (tag, value) in snapshot.tags {
            self.set_value(tag, value)?;
        }
        for (name, child) in snapshot.children {
            self.open_child(name, Load::Lazy)?.apply_snapshot(child)?;
        }
        Ok(())
    }

    // ------------------------------------------------------------ keyed helpers

    /// The (hashed) file name of `tag`.
    #[must_use]
    pub fn filename(&self, tag: impl Into<PyValue>) -> String {
        self.keys.filename(&tag.into())
    }

    /// The manifest's file name (derived from the key and depth only).
    #[must_use]
    pub fn root_filename(&self) -> &str {
        self.keys.root().root_filename()
    }

    /// `hmac(*data)`: a keyed hash of the Python text of `data` (64 hex).
    #[must_use]
    pub fn hmac(&self, data: &[PyValue]) -> String {
        self.keys.hmac(data)
    }

    /// Checks `hmac` against [`Database::hmac`] of `data`, in constant time.
    ///
    /// # Errors
    /// [`DbError::MissingHmac`] for an empty `hmac`;
    /// [`DbError::Cipher`]`(`[`CipherError::Authentication`]`)` on a mismatch.
    pub fn test_hmac(&self, data: &[PyValue], hmac: &str) -> Result<(), DbError> {
        if hmac.is_empty() {
            return Err(DbError::MissingHmac);
        }
        if ct_eq(self.hmac(data).as_bytes(), hmac.as_bytes()) {
            Ok(())
        } else {
            Err(CipherError::Authentication.into())
        }
    }

    /// The reference's `db.passcrypt(password, salt, kb=, cpu=,
    /// hardness=)`: passcrypt (with `settings`) of this database's
    /// [`hmac`](Database::hmac) of `(password, salt)`, so that the
    /// database's keys are needed as well as the password.
    ///
    /// # Errors
    /// [`DbError::Passcrypt`] for an empty password or salt (checked
    /// first, as the reference) or memory that cannot be allocated.
    pub fn passcrypt(
        &self,
        password: &Password,
        salt: &PyValue,
        settings: &Passcrypt,
    ) -> Result<PasscryptHash, DbError> {
        let salted = self.salted_password(password, salt)?;
        Ok(settings.hash(&salted, salt)?)
    }

    /// The input checks and the keyed password of [`Database::passcrypt`].
    pub(crate) fn salted_password(
        &self,
        password: &Password,
        salt: &PyValue,
    ) -> Result<Password, DbError> {
        passcrypt::check_inputs(password, salt)?;
        let mut tuple = zeroize::Zeroizing::new(String::with_capacity(200));
        tuple.push('(');
        tuple.push_str(password.repr());
        tuple.push_str(", ");
        salt.write_repr(&mut tuple);
        tuple.push(')');
        let salted = zeroize::Zeroizing::new(self.keys.hmac_of_repr(&tuple));
        Ok(Password::new(&salted))
    }

    /// Hashed tags for `category` ([`Uuids`]), `size` characters long, with
    /// `salt` or (when `None` or falsy) a fresh random one.
    ///
    /// # Errors
    /// [`DbError::Random`] if a salt cannot be drawn.
    pub fn uuids(
        &self,
        category: impl Into<PyValue>,
        size: usize,
        salt: Option<PyValue>,
    ) -> Result<Uuids, DbError> {
        let name = self.keys.filename(&category.into());
        let salt = match salt {
            Some(s) if s.is_truthy() => s,
            _ => PyValue::from(self.shared.entropy.ciphertext_salt()?),
        };
        Ok(Uuids::new(name, salt, size))
    }

    /// Encrypts `plaintext` (as JSON) under keys for `filename` (any
    /// value naming the message, e.g. `"saturday clients"`); nothing is
    /// stored.
    ///
    /// # Errors
    /// [`DbError::Json`] for a value with no JSON form.
    pub fn encrypt<T: Serialize + ?Sized>(
        &self,
        filename: impl Into<PyValue>,
        plaintext: &T,
    ) -> Result<Ciphertext, DbError> {
        let salt = Salt::unchecked(&self.shared.entropy.ciphertext_salt()?);
        self.encrypt_with_salt(filename, plaintext, &salt)
    }

    /// As [`Database::encrypt`] with a given salt. **Never reuse a salt
    /// with the same filename.**
    ///
    /// # Errors
    /// As [`Database::encrypt`], and the salt checks of [`Salt::parse`].
    pub fn encrypt_with_salt<T: Serialize + ?Sized>(
        &self,
        filename: impl Into<PyValue>,
        plaintext: &T,
        salt: &Salt,
    ) -> Result<Ciphertext, DbError> {
        let key = self.keys.encryption_key(&filename.into(), salt.as_str());
        cipher::json_encrypt(plaintext, &key, &self.encrypt_options(salt)).map_err(db_error)
    }

    /// Encrypts bytes under keys for `filename`; nothing is stored.
    ///
    /// # Errors
    /// [`DbError::Random`] if a salt cannot be drawn.
    pub fn bytes_encrypt(
        &self,
        filename: impl Into<PyValue>,
        plaintext: &[u8],
    ) -> Result<Ciphertext, DbError> {
        let salt = Salt::unchecked(&self.shared.entropy.ciphertext_salt()?);
        let key = self.keys.encryption_key(&filename.into(), salt.as_str());
        cipher::bytes_encrypt(plaintext, &key, &self.encrypt_options(&salt)).map_err(db_error)
    }

    fn encrypt_options(&self, salt: &Salt) -> EncryptOptions {
        let options = EncryptOptions::new().salt(salt.clone());
        match self.shared.clock {
            Some(t) => options.time(t),
            None => options,
        }
    }

    fn decrypt_options(&self, ttl: i64) -> DecryptOptions {
        let options = DecryptOptions::new().ttl(ttl);
        match self.shared.clock {
            Some(t) => options.now(t),
            None => options,
        }
    }

    /// Decrypts a message of [`Database::encrypt`] for `filename`, refusing
    /// it if older than `ttl` seconds (`0`: no limit).
    ///
    /// # Errors
    /// [`DbError::Cipher`] with [`CipherError::Authentication`] for a wrong
    /// filename or any tampering, [`CipherError::Expired`] past the ttl;
    /// [`DbError::Json`] if the plaintext does not fit `T`.
    pub fn decrypt<T: DeserializeOwned>(
        &self,
        filename: impl Into<PyValue>,
        ciphertext: &Ciphertext,
        ttl: i64,
    ) -> Result<T, DbError> {
        self.decrypt_with(filename, ciphertext, &self.decrypt_options(ttl))
    }

    /// As [`Database::decrypt`] with explicit options (ttl, clock).
    ///
    /// # Errors
    /// As [`Database::decrypt`].
    pub fn decrypt_with<T: DeserializeOwned>(
        &self,
        filename: impl Into<PyValue>,
        ciphertext: &Ciphertext,
        options: &DecryptOptions,
    ) -> Result<T, DbError> {
        let key = self
            .keys
            .encryption_key(&filename.into(), ciphertext.salt());
        Ok(cipher::json_decrypt(ciphertext, &key, options)?)
    }

    /// Decrypts a message of [`Database::bytes_encrypt`].
    ///
    /// # Errors
    /// As [`Database::decrypt`].
    pub fn bytes_decrypt(
        &self,
        filename: impl Into<PyValue>,
        ciphertext: &Ciphertext,
        ttl: i64,
    ) -> Result<Vec<u8>, DbError> {
        let key = self
            .keys
            .encryption_key(&filename.into(), ciphertext.salt());
        Ok(cipher::bytes_decrypt(
            ciphertext,
            &key,
            &self.decrypt_options(ttl),
        )?)
    }

    /// The store the database lives in.
    #[must_use]
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.shared.store
    }

    /// Whether the database was opened read-only.
    #[must_use]
    pub fn is_read_only(&self) -> bool {
        self.shared.read_only
    }

    /// **Hazmat**: the derived keys and names of this database (for test
    /// vectors and interoperability tools).
    #[must_use]
    pub fn derived_keys(&self) -> &SeededKeys {
        &self.keys
    }

    /// Descends to the open-or-openable child at `path` (async handles).
    #[cfg(feature = "tokio")]
    pub(crate) fn descend(&mut self, path: &[PyValue]) -> Result<&mut Database, DbError> {
        let Some((first, rest)) = path.split_first() else {
            return Ok(self);
        };
        let mode = if self.shared.preload {
            Load::Tolerant
        } else {
            Load::Lazy
        };
        let repr = first.repr();
        if !self.metatags.contains(&repr) && !self.children.contains_key(&repr) {
            return Err(DbError::NoSuchMetatag {
                name: first.str_text(),
            });
        }
        self.open_child_repr(first.clone(), repr, mode)?
            .descend(rest)
    }
}
