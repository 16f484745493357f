//! Password profiles: a database opened with credentials instead of a key
//! (spec `database.md` §9), file-compatible with Python aiootp 0.17.0's
//! `Database.generate_profile_tokens` / `generate_profile` /
//! `load_profile` / `delete_profile` / `profile_exists`.
//!
//! **For most cases use [`Database::generate_profile_tokens`], then
//! [`Database::generate_profile`]** (first use) or
//! [`Database::load_profile`] (later uses); [`ProfileOptions`] chooses
//! the rest. [`AsyncDatabase`](super::AsyncDatabase) has the same
//! functions, run on tokio's blocking pool.
//!
//! ```
//! use aiootp::compat::PyValue;
//! use aiootp::compat::passcrypt::{Passcrypt, Password};
//! use aiootp::db::Database;
//!
//! # let dir = tempfile::tempdir()?;
//! // The expensive step (the reference's defaults are Passcrypt::PROFILE,
//! // 32 MiB; the smallest legal settings keep the example fast).
//! let tokens = Database::generate_profile_tokens(
//!     &[PyValue::from("server_url"), PyValue::from("alice@example.com")],
//!     "alice",
//!     &Password::new("correct horse battery staple"),
//!     None,
//!     Passcrypt::new(256, 2, 256)?,
//! )?;
//! let mut db = Database::generate_profile(dir.path(), &tokens)?;
//! db.set("balance", &13000.5)?;
//! db.save()?;
//! drop(db);
//!
//! assert!(Database::profile_exists(dir.path(), &tokens)?);
//! let mut db = Database::load_profile(dir.path(), &tokens)?;
//! assert_eq!(db.get::<f64>("balance")?, Some(13000.5));
//! drop(db);
//! Database::delete_profile(dir.path(), &tokens)?;
//! assert!(!Database::profile_exists(dir.path(), &tokens)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Derivation (the reference's, byte for byte)
//! ```text
//! uuid      := sha_512(username, password, *credentials, salt)
//! bytes_key := passcrypt(password, uuid, kb, cpu, hardness)      # 64 bytes
//! salt file := <salt dir>/<sha_256(fold8(bytes_key))[:60]>       # 32 random bytes
//! login_key := passcrypt(bytes_key.hex(), salt file as hex)      # kb=1024, cpu=3, hardness=1024
//! database  := the database of key login_key at password_depth 10000
//! ```
//!
//! # Where the salt file lives
//! The reference keeps every profile's salt file in `secure/` inside its
//! default database directory, whatever directory the database uses.
//! Here the salt directory is a parameter ([`ProfileOptions::salt_dir`]);
//! by default it is **`<database directory>/secure`**, so a directory
//! that the reference uses as its default (or that the oracle re-points
//! its default to) is read and written exactly where the reference does.
//! With a custom [`Store`] the salt directory is always given.
//!
//! # Differences from the reference
//! * [`Database::load_profile`] does not re-save the database (the
//!   reference's `load_profile` is `generate_profile`, which saves), so a
//!   profile can be opened read-only; it refuses a profile whose database
//!   is missing ([`DbError::ProfileNotFound`]) instead of starting an
//!   empty one.
//! * The salt file is created with mode 0600 (the reference: 0000, which
//!   protects nothing against the owner and that it must `chmod` around
//!   every read), written whole before it appears (temporary file,
//!   `fsync`, link). Salt files of mode 0000 are read (the mode is
//!   restored afterwards).
//! * Opening refuses a second writer, as every database here does.
//!
//! # Errors
//! [`DbError::ProfileNotFound`] (`Profile doesn't exist or is corrupt.`)
//! when the salt file or the database is missing (wrong credentials look
//! the same); [`DbError::ProfileSaltCorrupt`] (`The salt file is empty or
//! corrupt!`) for a salt file shorter than 32 bytes;
//! [`DbError::Passcrypt`] for an empty password or bad settings;
//! [`DbError::Storage`] for the salt file's I/O; the errors of
//! [`OpenOptions::open_arc`].
//!
//! # Security
//! The weaknesses of the reference's design remain (spec §16.2.10): equal
//! credentials give equal keys everywhere unless a `salt` is given; the
//! salt file's name is a cheap-to-test verifier of the token KDF's output;
//! the login passcrypt is fixed at 1 MiB. Keep the token settings high
//! ([`Passcrypt::PROFILE`] or more).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zeroize::Zeroizing;

use super::storage::{LocalStore, Store};
use super::{Database, OpenOptions};
use crate::compat::hash::sha_256;
use crate::compat::passcrypt::{self, Passcrypt, Password};
use crate::compat::{Key, PyValue};
use crate::error::{DbError, StorageError};

pub use crate::compat::passcrypt::ProfileTokens;

/// The `password_depth` of every profile database.
pub const PROFILE_PASSWORD_DEPTH: u64 = 10_000;

/// The name of the default salt directory, inside the database directory.
pub const SECURE_DIR: &str = "secure";

/// The least size of a salt file (the reference: 64 hex characters).
const MIN_SALT_BYTES: usize = 32;

/// The salt file's name for `tokens`: the first 60 hex characters of
/// `sha_256(fold8(bytes_key))`, where `fold8` XORs the eight big-endian
/// 8-byte words of the 64-byte `bytes_key` (the reference's
/// `paths.deniable_filename`).
#[must_use]
pub fn salt_filename(tokens: &ProfileTokens) -> String {
    let key = tokens.bytes_key().expose_secret_bytes();
    let mut folded = Zeroizing::new([0u8; 8]);
    for word in key.chunks_exact(8) {
        for (f, b) in folded.iter_mut().zip(word) {
            *f ^= b;
        }
    }
    let mut name = sha_256(&[PyValue::Bytes(folded.to_vec())]);
    name.truncate(60);
    name
}

/// How to open, create or delete a password profile: the
/// [`OpenOptions`] of its database (its `password_depth` is always
/// [`PROFILE_PASSWORD_DEPTH`]) and the directory of its salt file.
///
/// ```
/// use aiootp::compat::passcrypt::{Passcrypt, Password};
/// use aiootp::db::{Database, OpenOptions, ProfileOptions};
///
/// # let dir = tempfile::tempdir()?;
/// # let salts = tempfile::tempdir()?;
/// let tokens = Database::generate_profile_tokens(
///     &[], "bob", &Password::new("hunter2"), None, Passcrypt::new(256, 2, 256)?,
/// )?;
/// let options = ProfileOptions::new().salt_dir(salts.path());
/// options.generate(dir.path(), &tokens)?.save()?;
/// let reader = options
///     .open_options(OpenOptions::new().read_only(true))
///     .load(dir.path(), &tokens)?;
/// assert!(reader.is_read_only());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct ProfileOptions {
    open: OpenOptions,
    salt_dir: Option<PathBuf>,
}

impl ProfileOptions {
    /// The default [`OpenOptions`] and the salt directory
    /// `<database directory>/secure`.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How to open the database (read-only, preloading, journaling, ...);
    /// its `password_depth` is replaced by [`PROFILE_PASSWORD_DEPTH`].
    /// [`generate`](ProfileOptions::generate) always lets a new profile
    /// start beside other databases ([`OpenOptions::create`]); with
    /// [`OpenOptions::read_only`] it creates nothing and is
    /// [`load`](ProfileOptions::load).
    #[must_use]
    pub fn open_options(mut self, options: OpenOptions) -> Self {
        self.open = options;
        self
    }

    /// Keeps the salt file in `dir` instead of `<database
    /// directory>/secure` (created if missing, mode 0700 on Unix).
    #[must_use]
    pub fn salt_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.salt_dir = Some(dir.into());
        self
    }

    /// The salt directory of a profile whose database lives in `dir`.
    fn salt_dir_for(&self, dir: &Path) -> PathBuf {
        self.salt_dir
            .clone()
            .unwrap_or_else(|| dir.join(SECURE_DIR))
    }

    /// The path of the salt file of `tokens` for a database in `dir`.
    #[must_use]
    pub fn salt_path(&self, dir: impl AsRef<Path>, tokens: &ProfileTokens) -> PathBuf {
        self.salt_dir_for(dir.as_ref()).join(salt_filename(tokens))
    }

    /// Whether the salt file of `tokens` exists (the reference's
    /// `profile_exists`; the database itself is not checked).
    ///
    /// # Errors
    /// [`DbError::Storage`] if the file system cannot tell.
    pub fn exists(&self, dir: impl AsRef<Path>, tokens: &ProfileTokens) -> Result<bool, DbError> {
        self.exists_in(&self.salt_dir_for(dir.as_ref()), tokens)
    }

    /// As [`ProfileOptions::exists`] with the salt directory given.
    ///
    /// # Errors
    /// As [`ProfileOptions::exists`].
    pub fn exists_in(&self, salt_dir: &Path, tokens: &ProfileTokens) -> Result<bool, DbError> {
        let path = salt_dir.join(salt_filename(tokens));
        Ok(path.try_exists().map_err(io_err("stat", &path))?)
    }

    /// Opens the profile of `tokens` in the existing directory `dir`,
    /// creating its salt file and its database if missing, and saves the
    /// database (the reference's `generate_profile`).
    ///
    /// # Errors
    /// See the [module documentation](self).
    pub fn generate(
        &self,
        dir: impl AsRef<Path>,
        tokens: &ProfileTokens,
    ) -> Result<Database, DbError> {
        let dir = dir.as_ref();
        let store = Arc::new(LocalStore::open(dir)?);
        self.generate_in(store, &self.salt_dir_for(dir), tokens)
    }

    /// As [`ProfileOptions::generate`] with the database in `store` and
    /// the salt file in `salt_dir`.
    ///
    /// # Errors
    /// As [`ProfileOptions::generate`].
    pub fn generate_in(
        &self,
        store: Arc<dyn Store>,
        salt_dir: &Path,
        tokens: &ProfileTokens,
    ) -> Result<Database, DbError> {
        let path = salt_dir.join(salt_filename(tokens));
        let mut options = self
            .open
            .clone()
            .password_depth(PROFILE_PASSWORD_DEPTH)
            .create(true);
        let salt = match read_salt(&path)? {
            Some(salt) => salt,
            None if self.open.is_read_only() => return Err(DbError::ProfileNotFound),
            None => {
                // The reference draws the salt file's bytes before the
                // database draws anything (spec §12).
                let drawn = Zeroizing::new(self.open.entropy().ciphertext_salt()?);
                options = options.skip_draws(1);
                create_salt_file(salt_dir, &path, &drawn)?;
                read_salt(&path)?.ok_or(DbError::ProfileNotFound)?
            }
        };
        let key = login_key(tokens, &salt)?;
        let mut db = options
            .open_arc(store, &key)
            .map_err(not_found_is_profile)?;
        if !db.is_read_only() {
            db.save()?;
        }
        Ok(db)
    }

    /// Opens the existing profile of `tokens` in `dir` without saving it.
    ///
    /// # Errors
    /// [`DbError::ProfileNotFound`] if its salt file or its database is
    /// missing; see the [module documentation](self).
    pub fn load(&self, dir: impl AsRef<Path>, tokens: &ProfileTokens) -> Result<Database, DbError> {
        let dir = dir.as_ref();
        let store = Arc::new(LocalStore::open(dir)?);
        self.load_in(store, &self.salt_dir_for(dir), tokens)
    }

    /// As [`ProfileOptions::load`] with the database in `store` and the
    /// salt file in `salt_dir`.
    ///
    /// # Errors
    /// As [`ProfileOptions::load`].
    pub fn load_in(
        &self,
        store: Arc<dyn Store>,
        salt_dir: &Path,
        tokens: &ProfileTokens,
    ) -> Result<Database, DbError> {
        let path = salt_dir.join(salt_filename(tokens));
        let salt = read_salt(&path)?.ok_or(DbError::ProfileNotFound)?;
        let key = login_key(tokens, &salt)?;
        self.open
            .clone()
            .password_depth(PROFILE_PASSWORD_DEPTH)
            .must_exist(true)
            .open_arc(store, &key)
            .map_err(not_found_is_profile)
    }

    /// Deletes every file of the profile's database (children included)
    /// and then its salt file (the reference's `delete_profile`).
    ///
    /// # Errors
    /// [`DbError::ProfileNotFound`] if the salt file is missing (a
    /// missing database is not an error: the salt file is still deleted);
    /// see the [module documentation](self).
    pub fn delete(&self, dir: impl AsRef<Path>, tokens: &ProfileTokens) -> Result<(), DbError> {
        let dir = dir.as_ref();
        let store = Arc::new(LocalStore::open(dir)?);
        self.delete_in(store, &self.salt_dir_for(dir), tokens)
    }

    /// As [`ProfileOptions::delete`] with the database in `store` and the
    /// salt file in `salt_dir`.
    ///
    /// # Errors
    /// As [`ProfileOptions::delete`].
    pub fn delete_in(
        &self,
        store: Arc<dyn Store>,
        salt_dir: &Path,
        tokens: &ProfileTokens,
    ) -> Result<(), DbError> {
        let path = salt_dir.join(salt_filename(tokens));
        let salt = read_salt(&path)?.ok_or(DbError::ProfileNotFound)?;
        let key = login_key(tokens, &salt)?;
        let opened = self
            .open
            .clone()
            .password_depth(PROFILE_PASSWORD_DEPTH)
            .read_only(false)
            .preload(false)
            .must_exist(true)
            .open_arc(store, &key);
        match opened {
            Ok(db) => db.delete_database()?,
            Err(DbError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        fs::remove_file(&path).map_err(io_err("delete", &path))?;
        sync_dir(salt_dir)?;
        Ok(())
    }
}

impl Database {
    /// The reference's `generate_profile_tokens(*credentials, username=,
    /// password=, salt=, kb=, cpu=, hardness=)`: the expensive step of a
    /// password profile (`settings`: the reference's defaults are
    /// [`Passcrypt::PROFILE`], 32 MiB). `salt` (any value, optional) keeps
    /// equal credentials of different applications apart.
    ///
    /// # Errors
    /// [`DbError::Passcrypt`] for an empty password, or memory that
    /// cannot be allocated.
    pub fn generate_profile_tokens(
        credentials: &[PyValue],
        username: impl Into<PyValue>,
        password: &Password,
        salt: Option<PyValue>,
        settings: Passcrypt,
    ) -> Result<ProfileTokens, DbError> {
        Ok(passcrypt::profile_tokens(
            credentials,
            &username.into(),
            password,
            &salt.unwrap_or(PyValue::None),
            settings,
        )?)
    }

    /// Opens the profile of `tokens` in the existing directory `dir`,
    /// creating it if needed, and saves it; the salt file lives in
    /// `<dir>/secure` ([`ProfileOptions::generate`] with the defaults).
    ///
    /// # Errors
    /// As [`ProfileOptions::generate`].
    pub fn generate_profile(
        dir: impl AsRef<Path>,
        tokens: &ProfileTokens,
    ) -> Result<Database, DbError> {
        ProfileOptions::new().generate(dir, tokens)
    }

    /// Opens the existing profile of `tokens` in `dir`
    /// ([`ProfileOptions::load`] with the defaults).
    ///
    /// # Errors
    /// As [`ProfileOptions::load`].
    pub fn load_profile(
        dir: impl AsRef<Path>,
        tokens: &ProfileTokens,
    ) -> Result<Database, DbError> {
        ProfileOptions::new().load(dir, tokens)
    }

    /// Deletes the profile of `tokens` in `dir`: its database and its salt
    /// file ([`ProfileOptions::delete`] with the defaults).
    ///
    /// # Errors
    /// As [`ProfileOptions::delete`].
    pub fn delete_profile(dir: impl AsRef<Path>, tokens: &ProfileTokens) -> Result<(), DbError> {
        ProfileOptions::new().delete(dir, tokens)
    }

    /// Whether the salt file of the profile of `tokens` exists in
    /// `<dir>/secure` ([`ProfileOptions::exists`] with the defaults).
    ///
    /// # Errors
    /// As [`ProfileOptions::exists`].
    pub fn profile_exists(dir: impl AsRef<Path>, tokens: &ProfileTokens) -> Result<bool, DbError> {
        ProfileOptions::new().exists(dir, tokens)
    }
}

#[cfg(feature = "tokio")]
mod asynchronous {
    use std::path::Path;

    use super::{ProfileOptions, ProfileTokens};
    use crate::compat::PyValue;
    use crate::compat::passcrypt::{Passcrypt, Password};
    use crate::db::asynchronous::blocking;
    use crate::db::{AsyncDatabase, Database};
    use crate::error::DbError;

    impl AsyncDatabase {
        /// As [`Database::generate_profile_tokens`], on the blocking pool.
        ///
        /// # Errors
        /// As [`Database::generate_profile_tokens`].
        pub async fn generate_profile_tokens(
            credentials: Vec<PyValue>,
            username: impl Into<PyValue>,
            password: Password,
            salt: Option<PyValue>,
            settings: Passcrypt,
        ) -> Result<ProfileTokens, DbError> {
            let username = username.into();
            blocking(move || {
                Database::generate_profile_tokens(&credentials, username, &password, salt, settings)
            })
            .await
        }

        /// As [`Database::generate_profile`].
        ///
        /// # Errors
        /// As [`Database::generate_profile`].
        pub async fn generate_profile(
            dir: impl AsRef<Path>,
            tokens: &ProfileTokens,
        ) -> Result<AsyncDatabase, DbError> {
            Self::generate_profile_with(ProfileOptions::new(), dir, tokens).await
        }

        /// As [`ProfileOptions::generate`].
        ///
        /// # Errors
        /// As [`ProfileOptions::generate`].
        pub async fn generate_profile_with(
            options: ProfileOptions,
            dir: impl AsRef<Path>,
            tokens: &ProfileTokens,
        ) -> Result<AsyncDatabase, DbError> {
            let dir = dir.as_ref().to_path_buf();
            let tokens = tokens.clone();
            let db = blocking(move || options.generate(dir, &tokens)).await?;
            Ok(Self::from_database(db))
        }

        /// As [`Database::load_profile`].
        ///
        /// # Errors
        /// As [`Database::load_profile`].
        pub async fn load_profile(
            dir: impl AsRef<Path>,
            tokens: &ProfileTokens,
        ) -> Result<AsyncDatabase, DbError> {
            Self::load_profile_with(ProfileOptions::new(), dir, tokens).await
        }

        /// As [`ProfileOptions::load`].
        ///
        /// # Errors
        /// As [`ProfileOptions::load`].
        pub async fn load_profile_with(
            options: ProfileOptions,
            dir: impl AsRef<Path>,
            tokens: &ProfileTokens,
        ) -> Result<AsyncDatabase, DbError> {
            let dir = dir.as_ref().to_path_buf();
            let tokens = tokens.clone();
            let db = blocking(move || options.load(dir, &tokens)).await?;
            Ok(Self::from_database(db))
        }

        /// As [`Database::delete_profile`].
        ///
        /// # Errors
        /// As [`Database::delete_profile`].
        pub async fn delete_profile(
            dir: impl AsRef<Path>,
            tokens: &ProfileTokens,
        ) -> Result<(), DbError> {
            Self::delete_profile_with(ProfileOptions::new(), dir, tokens).await
        }

        /// As [`ProfileOptions::delete`].
        ///
        /// # Errors
        /// As [`ProfileOptions::delete`].
        pub async fn delete_profile_with(
            options: ProfileOptions,
            dir: impl AsRef<Path>,
            tokens: &ProfileTokens,
        ) -> Result<(), DbError> {
            let dir = dir.as_ref().to_path_buf();
            let tokens = tokens.clone();
            blocking(move || options.delete(dir, &tokens)).await
        }

        /// As [`Database::profile_exists`].
        ///
        /// # Errors
        /// As [`Database::profile_exists`].
        pub async fn profile_exists(
            dir: impl AsRef<Path>,
            tokens: &ProfileTokens,
        ) -> Result<bool, DbError> {
            let dir = dir.as_ref().to_path_buf();
            let tokens = tokens.clone();
            blocking(move || ProfileOptions::new().exists(dir, &tokens)).await
        }
    }
}

// ------------------------------------------------------------------ helpers

/// `passcrypt(bytes_key.hex(), salt)` with the reference's defaults, as
/// the database key.
fn login_key(tokens: &ProfileTokens, salt: &str) -> Result<Key, DbError> {
    let hash = tokens.login_key(salt)?;
    Ok(Key::new(hash.expose_secret()))
}

fn not_found_is_profile(e: DbError) -> DbError {
    match e {
        DbError::NotFound { .. } => DbError::ProfileNotFound,
        e => e,
    }
}

fn io_err(op: &'static str, path: &Path) -> impl FnOnce(io::Error) -> StorageError {
    let name = path.display().to_string();
    move |source| StorageError::Io { op, name, source }
}

/// Reads a salt file: `None` if it does not exist, else the lowercase
/// hex of its content (at least 32 bytes). A file of mode 0000 (the
/// reference's) is made readable for the read and its mode restored.
fn read_salt(path: &Path) -> Result<Option<Zeroizing<String>>, DbError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => Zeroizing::new(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            Zeroizing::new(read_unreadable(path).map_err(io_err("read", path))?)
        }
        Err(e) => return Err(io_err("read", path)(e).into()),
    };
    if bytes.len() < MIN_SALT_BYTES {
        return Err(DbError::ProfileSaltCorrupt);
    }
    let mut hex = Zeroizing::new(String::with_capacity(bytes.len() * 2));
    for b in bytes.iter() {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 15)]));
    }
    Ok(Some(hex))
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Reads a file its owner may not read (mode 0000), restoring its mode.
#[cfg(unix)]
fn read_unreadable(path: &Path) -> io::Result<Vec<u8>> {
    use std::os::unix::fs::PermissionsExt;
    let before = fs::metadata(path)?.permissions();
    fs::set_permissions(
        path,
        fs::Permissions::from_mode(before.mode() & 0o7777 | 0o400),
    )?;
    let result = fs::read(path);
    let restored = fs::set_permissions(path, before);
    let bytes = result?;
    restored?;
    Ok(bytes)
}

#[cfg(not(unix))]
fn read_unreadable(path: &Path) -> io::Result<Vec<u8>> {
    fs::read(path)
}

/// Creates the salt directory (mode 0700) and the salt file at `path`
/// holding the bytes of the 64-hex `salt`: written to a temporary file,
/// synced, then linked into place, so the file never appears partial; if
/// another process created it first, its file is kept.
fn create_salt_file(salt_dir: &Path, path: &Path, salt: &str) -> Result<(), DbError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(salt_dir)
        .map_err(io_err("create directory", salt_dir))?;
    let bytes = Zeroizing::new(
        (0..salt.len() / 2)
            .map(|i| {
                salt.get(2 * i..2 * i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .unwrap_or(0)
            })
            .collect::<Vec<u8>>(),
    );
    let tmp = salt_dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    let written = write_new(&tmp, &bytes).and_then(|()| match fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        // File systems without hard links: a rename (atomic, but it
        // would replace a file created in the meantime).
        Err(_) => fs::rename(&tmp, path),
    });
    let _ = fs::remove_file(&tmp);
    written.map_err(io_err("write", path))?;
    sync_dir(salt_dir)
}

fn write_new(path: &Path, data: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(data)?;
    file.sync_all()
}

/// Makes the salt directory's entries durable.
fn sync_dir(dir: &Path) -> Result<(), DbError> {
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("sync directory", dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_salt_files_are_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        assert!(matches!(read_salt(&path), Ok(None)));
        fs::write(&path, [7u8; 31]).unwrap();
        assert!(matches!(read_salt(&path), Err(DbError::ProfileSaltCorrupt)));
        fs::write(&path, [0xabu8; 33]).unwrap();
        let salt = read_salt(&path).ok().flatten().map(|s| s.to_string());
        assert_eq!(salt, Some("ab".repeat(33)));
    }

    #[test]
    fn salt_files_are_created_whole_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let salts = dir.path().join("a/b");
        let path = salts.join("name");
        let salt = "00ff".repeat(16);
        create_salt_file(&salts, &path, &salt).unwrap();
        assert_eq!(fs::read(&path).ok(), Some([0u8, 255].repeat(16)));
        // A second creation keeps the first file.
        create_salt_file(&salts, &path, &"11".repeat(32)).unwrap();
        assert_eq!(fs::read(&path).ok(), Some([0u8, 255].repeat(16)));
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(&salts).map(Iterator::count).ok(), Some(1));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).map(|m| m.permissions().mode() & 0o777).ok();
            assert_eq!(mode(&path), Some(0o600));
            assert_eq!(mode(&salts), Some(0o700));
            // The reference's mode 0000 is read and restored.
            fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
            assert!(matches!(read_salt(&path), Ok(Some(_))));
            assert_eq!(read_unreadable(&path).ok().map(|b| b.len()), Some(32));
            assert_eq!(mode(&path), Some(0));
        }
    }
}
