//! Helpers of the database tests (`mod db_support;`): the vector
//! directories of `tests/data/database/`, their `manifest.json`, and dumps
//! of a database in the oracle's shape.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aiootp::compat::{Key, PyValue, pyjson};
use aiootp::db::{Database, MemoryStore};

use crate::common::typed::typed;

/// `tests/data/database`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/database")
}

/// The regular files of a directory (sub-directories skipped).
pub fn read_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            out.insert(
                entry.file_name().into_string().unwrap(),
                std::fs::read(entry.path()).unwrap(),
            );
        }
    }
    out
}

/// A memory store holding the files of vector directory `name`.
pub fn vector_store(name: &str) -> MemoryStore {
    MemoryStore::from_objects(read_dir(&data_dir().join(name))).unwrap()
}

/// Copies a directory's regular files into a fresh temporary directory.
pub fn copy_to_temp(src: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, data) in read_dir(src) {
        std::fs::write(dir.path().join(name), data).unwrap();
    }
    dir
}

/// `manifest.json` of the vectors.
pub fn manifest() -> PyValue {
    let text = std::fs::read_to_string(data_dir().join("manifest.json")).unwrap();
    pyjson::loads(&text).unwrap()
}

/// `v[key]` of a dict.
pub fn field<'a>(v: &'a PyValue, key: &str) -> &'a PyValue {
    try_field(v, key).unwrap_or_else(|| panic!("no field {key:?}"))
}

/// `v[key]` of a dict, if present.
pub fn try_field<'a>(v: &'a PyValue, key: &str) -> Option<&'a PyValue> {
    let PyValue::Dict(pairs) = v else {
        panic!("not a dict: {v:?}")
    };
    pairs
        .iter()
        .find(|(k, _)| matches!(k, PyValue::Str(s) if s == key))
        .map(|(_, v)| v)
}

pub fn text(v: &PyValue) -> &str {
    match v {
        PyValue::Str(s) => s,
        other => panic!("not a str: {other:?}"),
    }
}

pub fn list(v: &PyValue) -> &[PyValue] {
    match v {
        PyValue::List(items) => items,
        other => panic!("not a list: {other:?}"),
    }
}

pub fn int(v: &PyValue) -> u64 {
    match v {
        PyValue::Int(n) => n.to_u64().unwrap(),
        other => panic!("not an int: {other:?}"),
    }
}

/// The vector database entry called `name`.
pub fn vector(name: &str) -> PyValue {
    list(field(&manifest(), "databases"))
        .iter()
        .find(|d| text(field(d, "name")) == name)
        .cloned()
        .unwrap()
}

/// The key and depth that open a vector database (the profile's login
/// key for the profile vector).
pub fn key_and_depth(v: &PyValue) -> (Key, u64) {
    let depth = int(field(v, "password_depth"));
    let key = match try_field(v, "key") {
        Some(k) => Key::from_value(&typed(k)),
        None => Key::new(text(field(field(v, "derived"), "login_key"))),
    };
    (key, depth)
}

/// A database as the oracle's strict `dump` shows it, with typed values:
/// `{"tags": [[tag, value], ...], "metatags": [{"tags", "metatags", "name"}]}`.
pub fn dump(db: &mut Database) -> PyValue {
    let tags: Vec<PyValue> = db
        .iter()
        .unwrap()
        .map(|(t, v)| PyValue::list([t.clone(), v.cloned().unwrap_or(PyValue::None)]))
        .collect();
    let mut metatags = Vec::new();
    for name in db.metatags().to_vec() {
        let child = db.metatag(name.clone()).unwrap();
        let PyValue::Dict(mut pairs) = dump(child) else {
            unreachable!()
        };
        pairs.push((PyValue::from("name"), name));
        metatags.push(PyValue::Dict(pairs));
    }
    PyValue::dict([
        (PyValue::from("tags"), PyValue::List(tags)),
        (PyValue::from("metatags"), PyValue::List(metatags)),
    ])
}

/// Decodes a dump in the oracle's typed encoding.
pub fn typed_dump(v: &PyValue) -> PyValue {
    let tags = list(field(v, "tags"))
        .iter()
        .map(|pair| PyValue::List(list(pair).iter().map(typed).collect()))
        .collect();
    let metatags = list(field(v, "metatags"))
        .iter()
        .map(|m| {
            let PyValue::Dict(mut pairs) = typed_dump(m) else {
                unreachable!()
            };
            pairs.push((PyValue::from("name"), typed(field(m, "name"))));
            PyValue::Dict(pairs)
        })
        .collect();
    PyValue::dict([
        (PyValue::from("tags"), PyValue::List(tags)),
        (PyValue::from("metatags"), PyValue::List(metatags)),
    ])
}

/// Fills a database from a `{"tags": [...], "metatags": [...]}` spec
/// (typed), as the oracle's `create` does: tags, then each child.
pub fn fill(db: &mut Database, spec: &PyValue) {
    if let Some(tags) = try_field(spec, "tags") {
        for pair in list(tags) {
            let pair = list(pair);
            db.set_value(typed(&pair[0]), typed(&pair[1])).unwrap();
        }
    }
    if let Some(children) = try_field(spec, "metatags") {
        for child in list(children) {
            let c = db.metatag(typed(field(child, "name"))).unwrap();
            fill(c, child);
        }
    }
}
