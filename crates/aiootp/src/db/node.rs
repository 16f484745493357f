//! Opening, loading, planning saves and listing the files of one database
//! node (a root database or a metatag child). The public methods are in
//! `database.rs`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::Database;
use super::files::{corrupt, decrypt_file, encrypt_file};
use super::metatags::MetatagList;
use super::names::{RESERVED_NAMES, RootKeys, SeededKeys};
use super::ordered::OrderedMap;
use super::parallel;
use super::shared::{Plan, Shared};
use crate::compat::{Key, PyValue, pyjson};
use crate::error::{DbError, DecodeError, FileKind};

/// How to load a child when opening it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Load {
    /// Only the manifest.
    Lazy,
    /// Everything that reads cleanly (the default `preload`).
    Tolerant,
    /// Everything, failing on the first error.
    Strict,
}

fn layout(kind: FileKind, file: &str, reason: &str) -> DbError {
    corrupt(
        kind,
        file,
        DecodeError::InvalidField {
            field: "manifest",
            reason: reason.to_owned(),
        },
    )
}

/// Which key encrypts a file of a save.
enum JobKey<'a> {
    /// A manifest: `manifest_key(salt)` of its node.
    Manifest(&'a RootKeys),
    /// A root salt file: the node's fixed root salt key.
    RootSalt(&'a RootKeys),
    /// A tag file: `encryption_key(file name, salt)` of its node.
    Tag(&'a SeededKeys),
}

/// One file of a save, its salt already drawn.
struct Job<'a> {
    file: String,
    value: Cow<'a, PyValue>,
    key: JobKey<'a>,
    salt: String,
    /// A manifest or root salt file (else a tag file).
    head: bool,
}

impl Job<'_> {
    fn encrypt(&self, time: Option<u64>) -> Result<Vec<u8>, DbError> {
        let key: Key = match self.key {
            JobKey::Manifest(root) => root.manifest_key(&self.salt),
            JobKey::RootSalt(root) => root.root_salt_key(),
            JobKey::Tag(keys) => {
                keys.encryption_key(&PyValue::from(self.file.as_str()), &self.salt)
            }
        };
        encrypt_file(&self.value, &key, &self.salt, time)
    }
}

/// Integers this short are far below CPython's 4300-digit limit.
const SHORT_INT: usize = 4000;

/// Whether `value` certainly has a JSON form (`json.dumps` succeeds): no
/// bytes, dict keys that are strings, numbers, booleans or `None`,
/// moderate integers and depth. `false` means "check with
/// [`pyjson::dumps`]", which gives Python's exact error.
pub(crate) fn surely_json(value: &PyValue) -> bool {
    fn walk(v: &PyValue, depth: usize) -> bool {
        match v {
            PyValue::None | PyValue::Bool(_) | PyValue::Float(_) | PyValue::Str(_) => true,
            PyValue::Int(n) => n.as_str().len() < SHORT_INT,
            PyValue::Bytes(_) => false,
            PyValue::List(items) | PyValue::Tuple(items) => {
                depth + 1 < pyjson::MAX_DEPTH && items.iter().all(|i| walk(i, depth + 1))
            }
            PyValue::Dict(pairs) => {
                depth + 1 < pyjson::MAX_DEPTH
                    && pairs.iter().all(|(k, v)| {
                        let key_ok = match k {
                            PyValue::None
                            | PyValue::Bool(_)
                            | PyValue::Float(_)
                            | PyValue::Str(_) => true,
                            PyValue::Int(n) => n.as_str().len() < SHORT_INT,
                            _ => false,
                        };
                        key_ok && walk(v, depth + 1)
                    })
            }
        }
    }
    walk(value, 0)
}

/// Refuses a tag whose JSON round trip changes its `repr` (quirk 8).
pub(crate) fn check_stable(tag: &PyValue) -> Result<(), DbError> {
    match tag {
        // JSON keeps these exactly.
        PyValue::None | PyValue::Bool(_) | PyValue::Float(_) | PyValue::Str(_) => return Ok(()),
        PyValue::Int(n) if n.as_str().len() < SHORT_INT => return Ok(()),
        _ => {}
    }
    let text = pyjson::dumps(tag).map_err(|_| DbError::UnstableTag)?;
    let back = pyjson::loads(&text).map_err(|_| DbError::UnstableTag)?;
    if back.repr() == tag.repr() {
        Ok(())
    } else {
        Err(DbError::UnstableTag)
    }
}

impl Database {
    /// Opens the node named by `root` (reading its manifest and root salt)
    /// or starts a new one (drawing its salts as the reference does).
    /// `fresh` skips the disk (a child deleted since the last save).
    pub(crate) fn open_node(
        shared: Arc<Shared>,
        root: RootKeys,
        is_metatag: bool,
        fresh: bool,
    ) -> Result<Self, DbError> {
        let root_filename = root.root_filename().to_owned();
        let root_salt_filename = (!is_metatag).then(|| root.root_salt_filename());
        let existing = if fresh {
            None
        } else {
            shared.read(&root_filename)?
        };
        let (mut manifest, root_salt) = match existing {
            Some(bytes) => {
                let value = decrypt_file(&bytes, FileKind::Manifest, &root_filename, |s| {
                    root.manifest_key(s)
                })?;
                let manifest = manifest_from_value(value, &root_filename)?;
                let salt = match &root_salt_filename {
                    None => match manifest.get(&root_filename) {
                        Some(PyValue::Str(s)) => Zeroizing::new(s.clone()),
                        _ => {
                            return Err(layout(
                                FileKind::Manifest,
                                &root_filename,
                                "the manifest of a child database lacks its root salt",
                            ));
                        }
                    },
                    Some(name) => read_root_salt(&shared, &root, name)?,
                };
                (manifest, salt)
            }
            None => {
                let _session_salt = shared.entropy.salt()?;
                let salt = if is_metatag {
                    shared.entropy.salt()?
                } else {
                    shared.entropy.csprng()?
                };
                let mut manifest = OrderedMap::new();
                let entry = if is_metatag {
                    PyValue::Str(salt.to_string())
                } else {
                    PyValue::from(0)
                };
                manifest.insert(root_filename.clone(), entry);
                (manifest, salt)
            }
        };
        let keys = SeededKeys::new(root, &root_salt);
        let metatags_filename = keys.metatags_filename().to_owned();
        // The list moves out of the manifest (its entry keeps its place,
        // holding `None`) into `metatags`, which indexes it.
        let names = match manifest.get_mut(&metatags_filename) {
            None => Vec::new(),
            Some(entry) => match std::mem::replace(entry, PyValue::None) {
                PyValue::None => Vec::new(),
                PyValue::List(names) => names,
                _ => {
                    return Err(layout(
                        FileKind::Manifest,
                        &root_filename,
                        "the metatag list is not a list",
                    ));
                }
            },
        };
        manifest.insert(metatags_filename, PyValue::None);
        Ok(Self {
            shared,
            keys,
            root_salt_filename,
            manifest,
            metatags: MetatagList::from_names(names),
            cache: OrderedMap::new(),
            children: HashMap::new(),
            pending_deletes: std::collections::BTreeSet::new(),
            recreate: std::collections::HashSet::new(),
        })
    }

    pub(crate) fn is_maintenance(&self, file: &str) -> bool {
        file == self.keys.root().root_filename() || file == self.keys.metatags_filename()
    }

    pub(crate) fn metatag_list(&self) -> &[PyValue] {
        self.metatags.names()
    }

    /// Reads and decrypts one tag file.
    pub(crate) fn read_tag(&self, file: &str) -> Result<PyValue, DbError> {
        let bytes = self
            .shared
            .read(file)?
            .ok_or_else(|| DbError::TagFileMissing {
                file: file.to_owned(),
            })?;
        let name = PyValue::from(file);
        decrypt_file(&bytes, FileKind::Tag, file, |s| {
            self.keys.encryption_key(&name, s)
        })
    }

    /// The listed tags whose files are not loaded yet and are reachable
    /// (the tag's file name is the manifest key).
    fn unloaded(&self) -> Vec<String> {
        self.manifest
            .iter()
            .filter(|(file, _)| !self.is_maintenance(file) && !self.cache.contains_key(file))
            .filter(|(file, tag)| self.reaches(file, tag))
            .map(|(file, _)| file.to_owned())
            .collect()
    }

    /// Whether `tag`, read back from the manifest, still names `file`.
    /// JSON keeps the `repr` of strings, numbers, booleans and `None`, so
    /// only containers (a tuple tag read back as a list, quirk 8) are
    /// hashed again; the manifest is authenticated, so its scalar tags are
    /// the ones its writer hashed.
    fn reaches(&self, file: &str, tag: &PyValue) -> bool {
        match tag {
            PyValue::None
            | PyValue::Bool(_)
            | PyValue::Int(_)
            | PyValue::Float(_)
            | PyValue::Str(_) => true,
            _ => self.keys.filename(tag) == file,
        }
    }

    /// Reads and decrypts `files` on several threads, in order.
    fn read_tags(&self, files: &[String]) -> Vec<Result<PyValue, DbError>> {
        parallel::map(files, parallel::cpu_threads(), |file| self.read_tag(file))
    }

    /// Loads every child and tag; `strict` fails on the first error,
    /// otherwise unreadable entries are left unloaded (and fail when read).
    pub(crate) fn load_all(&mut self, mode: Load) -> Result<(), DbError> {
        // Opening a listed child leaves the list as it is.
        for i in 0..self.metatags.len() {
            let Some((name, repr)) = self.metatags.get(i) else {
                break;
            };
            let (name, repr) = (name.clone(), repr.to_owned());
            match self.open_child_repr(name, repr, Load::Lazy) {
                Ok(child) => {
                    let r = child.load_all(mode);
                    if mode == Load::Strict {
                        r?;
                    }
                }
                Err(e) if mode == Load::Strict => return Err(e),
                Err(_) => {}
            }
        }
        let files = self.unloaded();
        let values = self.read_tags(&files);
        for (file, value) in files.into_iter().zip(values) {
            match value {
                Ok(value) => self.cache.insert(file, value),
                Err(e) if mode == Load::Strict => return Err(e),
                Err(_) => {}
            }
        }
        Ok(())
    }

    /// Loads every listed tag except those whose file is missing.
    pub(crate) fn load_present(&mut self) -> Result<(), DbError> {
        let files = self.unloaded();
        let values = self.read_tags(&files);
        for (file, value) in files.into_iter().zip(values) {
            match value {
                Ok(value) => self.cache.insert(file, value),
                Err(DbError::TagFileMissing { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Opens (or returns the open) child `name`; new names are checked
    /// and appended to the metatag list.
    pub(crate) fn open_child(&mut self, name: PyValue, mode: Load) -> Result<&mut Self, DbError> {
        let repr = name.repr();
        self.open_child_repr(name, repr, mode)
    }

    /// [`Self::open_child`] of `name`, whose `repr` is `repr`.
    pub(crate) fn open_child_repr(
        &mut self,
        name: PyValue,
        repr: String,
        mode: Load,
    ) -> Result<&mut Self, DbError> {
        let slot = match self.children.entry(repr) {
            Entry::Occupied(open) => return Ok(open.into_mut()),
            Entry::Vacant(slot) => slot,
        };
        let repr = slot.key();
        let listed = self.metatags.contains(repr);
        if !listed {
            self.shared.writable()?;
            if matches!(&name, PyValue::Str(s) if RESERVED_NAMES.contains(&s.as_str())) {
                return Err(DbError::ReservedName);
            }
            check_stable(&name)?;
        }
        let root = RootKeys::derive(&self.keys.metatag_key_of_repr(repr), 0)?;
        let fresh = self.recreate.contains(repr);
        let mut child = Self::open_node(Arc::clone(&self.shared), root, true, fresh)?;
        match mode {
            Load::Lazy => {}
            Load::Tolerant | Load::Strict => child.load_all(mode)?,
        }
        if !listed {
            self.metatags.push(name, repr.clone());
        }
        Ok(slot.insert(child))
    }

    /// Removes child `name` from the list and schedules its files for
    /// deletion at the next save.
    pub(crate) fn remove_child(&mut self, name: &PyValue) -> Result<(), DbError> {
        self.shared.writable()?;
        let repr = name.repr();
        if !self.metatags.contains(&repr) {
            return Err(DbError::NoSuchMetatag {
                name: name.str_text(),
            });
        }
        let files = match self.children.remove(&repr) {
            Some(mut child) => child.all_files(),
            None => self.unopened_child_files(&repr)?,
        };
        self.pending_deletes.extend(files);
        self.metatags.remove(&repr);
        self.recreate.insert(repr);
        Ok(())
    }

    /// The files of the listed child whose name's `repr` is `repr`, which
    /// is not open.
    fn unopened_child_files(&self, repr: &str) -> Result<Vec<String>, DbError> {
        let root = RootKeys::derive(&self.keys.metatag_key_of_repr(repr), 0)?;
        let manifest_name = root.root_filename().to_owned();
        let fresh = self.recreate.contains(repr);
        Ok(
            match Self::open_node(Arc::clone(&self.shared), root, true, fresh) {
                Ok(mut child) => child.all_files(),
                // Unreadable: delete what can be named.
                Err(_) => vec![manifest_name],
            },
        )
    }

    /// Every file this node and its children own on disk (or will own
    /// after the pending deletions): manifest, root salt file, tag files.
    pub(crate) fn all_files(&mut self) -> Vec<String> {
        let metatags_filename = self.keys.metatags_filename();
        let mut out: Vec<String> = self
            .manifest
            .keys()
            .filter(|k| *k != metatags_filename)
            .map(str::to_owned)
            .collect();
        out.extend(self.root_salt_filename.iter().cloned());
        out.extend(self.pending_deletes.iter().cloned());
        for (_, repr) in self.metatags.iter() {
            match self.children.get_mut(repr) {
                Some(child) => out.extend(child.all_files()),
                None => {
                    if let Ok(files) = self.unopened_child_files(repr) {
                        out.extend(files);
                    }
                }
            }
        }
        out
    }

    /// Encrypts this node and its open children into `plan`: the salts
    /// are drawn here in the reference's order (spec §12), the files are
    /// encrypted on several threads.
    pub(crate) fn plan(&self, plan: &mut Plan) -> Result<(), DbError> {
        let mut jobs = Vec::new();
        self.collect_jobs(&mut jobs)?;
        let time = self.shared.clock;
        // The root manifest, the longest job, comes first and starts first.
        let files = parallel::map(&jobs, parallel::cpu_threads(), |job| job.encrypt(time));
        for (job, bytes) in jobs.iter().zip(files) {
            let entry = (job.file.clone(), bytes?);
            if job.head {
                plan.heads.push(entry);
            } else {
                plan.tags.push(entry);
            }
        }
        self.collect_deletes(&mut plan.deletes);
        Ok(())
    }

    /// The files of this node and its open children to encrypt, their
    /// salts drawn in the reference's order: this node's root salt file
    /// and manifest, its children's files (depth first), its tags.
    fn collect_jobs<'a>(&'a self, jobs: &mut Vec<Job<'a>>) -> Result<(), DbError> {
        let entropy = &self.shared.entropy;
        let root = self.keys.root();
        let root_salt_salt = match self.root_salt_filename {
            Some(_) => Some(entropy.ciphertext_salt()?),
            None => None,
        };
        let salt = entropy.ciphertext_salt()?;
        let metatags_filename = self.keys.metatags_filename();
        let manifest = PyValue::Dict(
            self.manifest
                .iter()
                .map(|(k, v)| {
                    let v = if k == metatags_filename {
                        self.metatags.to_value()
                    } else {
                        v.clone()
                    };
                    (PyValue::from(k), v)
                })
                .collect(),
        );
        // Heads are written in reverse: the root salt file before the manifest.
        jobs.push(Job {
            file: root.root_filename().to_owned(),
            value: Cow::Owned(manifest),
            key: JobKey::Manifest(root),
            salt,
            head: true,
        });
        if let (Some(name), Some(salt)) = (&self.root_salt_filename, root_salt_salt) {
            jobs.push(Job {
                file: name.clone(),
                value: Cow::Owned(PyValue::from(self.keys.expose_root_salt())),
                key: JobKey::RootSalt(root),
                salt,
                head: true,
            });
        }
        for (_, repr) in self.metatags.iter() {
            if let Some(child) = self.children.get(repr) {
                child.collect_jobs(jobs)?;
            }
        }
        for (file, value) in self.cache.iter() {
            jobs.push(Job {
                file: file.to_owned(),
                value: Cow::Borrowed(value),
                key: JobKey::Tag(&self.keys),
                salt: entropy.ciphertext_salt()?,
                head: false,
            });
        }
        Ok(())
    }

    /// The pending deletions of this node and its open children.
    pub(crate) fn collect_deletes(&self, deletes: &mut Vec<String>) {
        for (_, repr) in self.metatags.iter() {
            if let Some(child) = self.children.get(repr) {
                child.collect_deletes(deletes);
            }
        }
        deletes.extend(self.pending_deletes.iter().cloned());
    }

    /// Forgets the pending deletions after a successful commit.
    pub(crate) fn committed(&mut self) {
        self.pending_deletes.clear();
        self.recreate.clear();
        for child in self.children.values_mut() {
            child.committed();
        }
    }
}

fn read_root_salt(
    shared: &Shared,
    root: &RootKeys,
    name: &str,
) -> Result<Zeroizing<String>, DbError> {
    let bytes = shared.read(name)?.ok_or_else(|| DbError::RootSaltMissing {
        file: name.to_owned(),
    })?;
    match decrypt_file(&bytes, FileKind::RootSalt, name, |_| root.root_salt_key())? {
        PyValue::Str(s) => Ok(Zeroizing::new(s)),
        _ => Err(corrupt(
            FileKind::RootSalt,
            name,
            DecodeError::InvalidField {
                field: "root salt",
                reason: "not a string".to_owned(),
            },
        )),
    }
}

/// The manifest from its decrypted JSON: an object mapping file names to
/// entries (Python dict semantics for duplicate keys).
fn manifest_from_value(value: PyValue, file: &str) -> Result<OrderedMap<PyValue>, DbError> {
    let PyValue::Dict(pairs) = value else {
        return Err(layout(FileKind::Manifest, file, "not a json object"));
    };
    let mut map = OrderedMap::new();
    for (k, v) in pairs {
        let PyValue::Str(k) = k else {
            return Err(layout(FileKind::Manifest, file, "a key is not a string"));
        };
        map.insert(k, v);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(text: &str) -> PyValue {
        PyValue::Int(crate::compat::PyInt::parse(text).unwrap())
    }

    #[test]
    fn surely_json_only_vouches_for_what_dumps_accepts() {
        let deep = |n: usize| (0..n).fold(PyValue::None, |v, _| PyValue::List(vec![v]));
        let big = "9".repeat(5000);
        let cases = [
            (PyValue::from("text"), true),
            (PyValue::Float(f64::NAN), true),
            (int("-12"), true),
            (int(&big), false),
            (PyValue::bytes(b"x".to_vec()), false),
            (PyValue::List(vec![PyValue::bytes(b"x".to_vec())]), false),
            (PyValue::dict([(PyValue::from(1), PyValue::None)]), true),
            (PyValue::dict([(PyValue::tuple([]), PyValue::None)]), false),
            (PyValue::dict([(int(&big), PyValue::None)]), false),
            (
                PyValue::tuple([PyValue::from(1.5), PyValue::Bool(true)]),
                true,
            ),
            (deep(pyjson::MAX_DEPTH - 1), true),
            (deep(pyjson::MAX_DEPTH + 1), false),
        ];
        for (value, sure) in cases {
            assert_eq!(surely_json(&value), sure, "{value:?}");
            if sure {
                assert!(pyjson::dumps(&value).is_ok());
            }
        }
        // Not vouched for, but fine: decided by `dumps`.
        assert!(pyjson::dumps(&deep(pyjson::MAX_DEPTH)).is_ok());
    }

    #[test]
    fn scalar_tags_are_stable_and_tuples_are_not() {
        for tag in [
            PyValue::from("a"),
            PyValue::from(3),
            PyValue::Float(-0.0),
            PyValue::Bool(false),
            PyValue::None,
        ] {
            assert!(check_stable(&tag).is_ok());
        }
        assert!(matches!(
            check_stable(&PyValue::tuple([PyValue::from(1)])),
            Err(DbError::UnstableTag)
        ));
        assert!(check_stable(&PyValue::List(vec![PyValue::from(1)])).is_ok());
    }
}
