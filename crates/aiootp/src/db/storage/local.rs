//! [`LocalStore`]: a directory of files, the reference's layout.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::super::parallel;
use super::{LockGuard, Store, check_name};
use crate::error::StorageError;

/// A directory holding one database file per object, exactly where Python
/// aiootp 0.17.0 reads and writes them.
///
/// * [`Store::put`] writes `.<name>.tmp` (mode 0600 on Unix), `fsync`s it
///   and renames it over `<name>`: the file is always the old or the new
///   version, never truncated.
/// * [`Store::put_many`] does the same for many files on up to 16
///   threads, so that their `fsync`s overlap.
/// * [`Store::sync`] `fsync`s the directory, making renames and deletions
///   durable.
/// * [`Store::lock`] takes an advisory `flock` on the file `<name>` (the
///   database uses `<manifest name>.lock`, which cannot collide with a
///   database file name). A second writer, in this process or another, is
///   refused at once; readers take no lock and are never blocked; the
///   operating system releases the lock if the process dies. The
///   database deletes the lock file when it closes (after a crash an
///   empty lock file remains, harmless). The reference implementation
///   ignores the lock file.
///
/// ```
/// use aiootp::db::{LocalStore, Store};
///
/// let dir = tempfile::tempdir()?;
/// let store = LocalStore::open(dir.path())?;
/// store.put("a", b"bytes")?;
/// store.sync()?;
/// assert_eq!(store.get("a")?, Some(b"bytes".to_vec()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct LocalStore {
    dir: PathBuf,
}

fn io_err<'a>(op: &'static str, name: &'a str) -> impl FnOnce(io::Error) -> StorageError + 'a {
    move |source| StorageError::Io {
        op,
        name: name.to_owned(),
        source,
    }
}

impl LocalStore {
    /// A store on the existing directory `dir` (as the reference, it is
    /// not created: see [`LocalStore::create`]).
    ///
    /// # Errors
    /// [`StorageError::Io`] if `dir` does not exist or is not a directory.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, StorageError> {
        let dir = dir.as_ref().to_path_buf();
        let shown = dir.display().to_string();
        let meta = fs::metadata(&dir).map_err(io_err("open directory", &shown))?;
        if !meta.is_dir() {
            return Err(StorageError::Io {
                op: "open directory",
                name: shown,
                source: io::Error::new(io::ErrorKind::NotADirectory, "not a directory"),
            });
        }
        Ok(Self { dir })
    }

    /// A store on `dir`, creating it (and its parents) if missing.
    ///
    /// # Errors
    /// [`StorageError::Io`] if the directory cannot be created.
    pub fn create(dir: impl AsRef<Path>) -> Result<Self, StorageError> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(io_err("create directory", &dir.display().to_string()))?;
        Self::open(dir)
    }

    /// The directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn object(&self, name: &str) -> Result<PathBuf, StorageError> {
        check_name(name)?;
        Ok(self.dir.join(name))
    }

    fn write_temp(tmp: &Path, data: &[u8]) -> io::Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(tmp)?;
        file.write_all(data)?;
        file.sync_all()
    }
}

impl Store for LocalStore {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let path = self.object(name)?;
        match fs::read(path) {
            Ok(data) => Ok(Some(data)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err("read", name)(e)),
        }
    }

    fn put(&self, name: &str, data: &[u8]) -> Result<(), StorageError> {
        let path = self.object(name)?;
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let result = Self::write_temp(&tmp, data).and_then(|()| fs::rename(&tmp, &path));
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(io_err("write", name))
    }

    /// Puts the objects on up to 16 threads: each file is still written,
    /// `fsync`ed and renamed as by [`Store::put`], but the file system
    /// commits many files at once (several times faster on a disk than
    /// one by one).
    fn put_many(&self, objects: &[(String, Vec<u8>)]) -> Result<(), StorageError> {
        parallel::map(objects, parallel::IO_THREADS, |(name, data)| {
            self.put(name, data)
        })
        .into_iter()
        .collect()
    }

    fn delete(&self, name: &str) -> Result<bool, StorageError> {
        let path = self.object(name)?;
        match fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err("delete", name)(e)),
        }
    }

    fn list(&self) -> Result<Vec<String>, StorageError> {
        let shown = self.dir.display().to_string();
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(io_err("list", &shown))? {
            let entry = entry.map_err(io_err("list", &shown))?;
            let is_file = entry.file_type().map_err(io_err("list", &shown))?.is_file();
            if let Ok(name) = entry.file_name().into_string()
                && is_file
                && !name.starts_with('.')
            {
                names.push(name);
            }
        }
        Ok(names)
    }

    fn exists(&self, name: &str) -> Result<bool, StorageError> {
        let path = self.object(name)?;
        path.try_exists().map_err(io_err("stat", name))
    }

    fn sync(&self) -> Result<(), StorageError> {
        #[cfg(unix)]
        {
            let shown = self.dir.display().to_string();
            File::open(&self.dir)
                .and_then(|d| d.sync_all())
                .map_err(io_err("sync directory", &shown))?;
        }
        Ok(())
    }

    fn lock(&self, name: &str) -> Result<LockGuard, StorageError> {
        let path = self.object(name)?;
        // The holder deletes the lock file when it closes; a file opened
        // just before that deletion is stale, so check that the locked
        // file is still the one at `path`, and retry otherwise.
        for _ in 0..16 {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io_err("open lock", name))?;
            match file.try_lock() {
                Ok(()) if same_file(&file, &path) => return Ok(LockGuard::new(file)),
                Ok(()) => continue,
                Err(TryLockError::WouldBlock) => break,
                Err(TryLockError::Error(e)) => return Err(io_err("lock", name)(e)),
            }
        }
        Err(StorageError::Locked {
            lock: path.display().to_string(),
        })
    }
}

/// Whether the open `file` is the file now at `path`.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        path.exists()
    }
}
