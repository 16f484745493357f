//! End-to-end tests of `aiootp db` on the reference's vector databases
//! (`crates/aiootp/tests/data/database/`, written by Python aiootp
//! 0.17.0; the expected dumps below are what the reference's `json.dumps`
//! prints for them) and on databases the tool writes itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::aiootp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const PLAIN_KEY: &str = "d64108a693fe10dae65d6354144eb891dc59c71a92a93ec7004ae27be2ee0d0bbb1b035b2ad69e6a391aa78c9ec8c866b3efce08c3a72fd34a616ac4fa10d95b";

const PROFILE_DUMP: &str = r#"{"tags": {"email": "alice@example.com", "balance": 13000.5, "friends": ["bob", "carol"]}, "metatags": {"settings": {"tags": {"theme": "dark"}, "metatags": {}}}}"#;

const ASYNC_DEPTH_DUMP: &str = r##"{"tags": {"bitcoin": "0bb6eee10d2f8f45f8a", "lawyer": {"#": "555-555-1000", "$": 13000.5}}, "metatags": {"clients": {"tags": {"brittany": "client account data"}, "metatags": {}}}}"##;

/// The reference's dump of the `plain` vector (two tags print as "null":
/// the string tag `'null'` and the tag `None`).
fn plain_dump() -> String {
    format!(
        concat!(
            r#"{{"tags": {{"string": "hello world", "integer": 1234567890123456789, "float": 13000.5, "true": true, "null": null, "#,
            r#""list": ["Dublin Forgery", "NY Insurrection", 1, 2.5, null, false], "#,
            r##""dict": {{"#": "555-555-1000", "$": 13000.5, "nested": {{"a": [1, {{}}]}}}}, "##,
            r#""unicode": "caf\u00e9 \u2713 \ud83d\ude00", "long": "{}", "#,
            r#""2020": {{"jan": 130.25, "feb": 163.23}}, "null": "the tag is None", "1.5": "the tag is a float"}}, "#,
            r#""metatags": {{"child": {{"tags": {{"hobbies": ["skipping", "punching", "reading"], "age": 27}}, "#,
            r#""metatags": {{"grandchild": {{"tags": {{"deep": {{"level": 2}}}}, "metatags": {{}}}}}}}}}}}}"#,
        ),
        "0123456789abcdef".repeat(40)
    )
}

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../aiootp/tests/data/database")
}

/// Runs `aiootp db ARGS`, expects success, returns stdout.
fn ok(args: &[&str]) -> String {
    ok_in(args, b"")
}

fn ok_in(args: &[&str], stdin: &[u8]) -> String {
    let mut all = vec!["db"];
    all.extend_from_slice(args);
    let out = aiootp(&all, stdin);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `aiootp db ARGS`, expects exit status `code`, nothing on stdout
/// and one line on stderr; returns it.
fn fails(code: i32, args: &[&str]) -> String {
    let mut all = vec!["db"];
    all.extend_from_slice(args);
    let out = aiootp(&all, b"");
    assert_eq!(out.status.code(), Some(code), "{args:?}: {out:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    if code == 1 {
        assert!(err.starts_with("aiootp: ") && err.ends_with('\n'), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    err
}

/// Every file under `dir` (recursively) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    out
}

/// Copies a vector directory (with `secure/`) into a temporary directory.
fn copy_vector(name: &str) -> tempfile::TempDir {
    fn copy(src: &Path, dst: &Path) {
        std::fs::create_dir_all(dst).unwrap();
        for entry in std::fs::read_dir(src).unwrap() {
            let path = entry.unwrap().path();
            let target = dst.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&vectors().join(name), dir.path());
    dir
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn reads_the_reference_plain_database() {
    let tmp = tempfile::tempdir().unwrap();
    let key = write(tmp.path(), "key", &format!("{PLAIN_KEY}\n"));
    let vector = vectors().join("plain");
    let dir = vector.to_str().unwrap();
    let before = snapshot(&vector);
    let base = ["--dir", dir, "--key-file", &key];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        ok(&args)
    };
    assert_eq!(run(&["dump"]), plain_dump() + "\n");
    assert_eq!(run(&["get", "float"]), "13000.5\n");
    assert_eq!(
        run(&["get", "unicode"]),
        "\"caf\\u00e9 \\u2713 \\ud83d\\ude00\"\n"
    );
    assert_eq!(
        run(&["list"]),
        "[\"string\", \"integer\", \"float\", \"true\", \"null\", \"list\", \"dict\", \"unicode\", \"long\", 2020, null, 1.5]\n"
    );
    assert_eq!(run(&["metatags"]), "[\"child\"]\n");
    assert_eq!(
        run(&[
            "--metatag",
            "child",
            "--metatag",
            "grandchild",
            "get",
            "deep"
        ]),
        "{\"level\": 2}\n"
    );
    // Tags that are not strings are reached with --json-names.
    assert_eq!(
        run(&["--json-names", "get", "2020"]),
        "{\"jan\": 130.25, \"feb\": 163.23}\n"
    );
    assert_eq!(
        run(&["--json-names", "get", "null"]),
        "\"the tag is None\"\n"
    );
    assert_eq!(run(&["get", "null"]), "null\n");
    assert_eq!(
        run(&["--json-names", "--metatag", "\"child\"", "get", "\"age\""]),
        "27\n"
    );
    // The text "2020" is another tag.
    let err = fails(1, &["--dir", dir, "--key-file", &key, "get", "2020"]);
    assert_eq!(err, "aiootp: no tag \"2020\" in this database\n");
    // Reads change nothing (and take no lock).
    assert_eq!(snapshot(&vector), before);
}

#[test]
fn reads_the_reference_async_depth_database_and_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let key = write(tmp.path(), "key", "a low entropy passphrase");
    let dir = vectors().join("async_depth");
    let dir = dir.to_str().unwrap();
    assert_eq!(
        ok(&["--dir", dir, "--key-file", &key, "--depth", "5000", "dump"]),
        format!("{ASYNC_DEPTH_DUMP}\n")
    );
    let err = fails(
        1,
        &["--dir", dir, "--key-file", &key, "--depth", "4999", "dump"],
    );
    assert!(err.contains("wrong key or password depth"), "{err}");
    assert!(err.contains("no database for this key"), "{err}");

    let profile = copy_vector("profile");
    let before = snapshot(profile.path());
    let password = write(tmp.path(), "pw", "correct horse battery staple\n");
    let dir = profile.path().to_str().unwrap();
    let args = |extra: &[&'static str], password: &str| -> Vec<String> {
        let mut v: Vec<String> = [
            "--dir",
            dir,
            "--profile",
            "--username",
            "alice",
            "--password-file",
            password,
            "--salt",
            "optional_salt_keyword_argument",
            "--credential",
            "server_url",
            "--credential",
            "alice@example.com",
            "--kb",
            "256",
            "--cpu",
            "2",
            "--hardness",
            "256",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        v.extend(extra.iter().map(|s| (*s).to_owned()));
        v
    };
    let run = |v: Vec<String>| ok(&v.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(run(args(&["dump"], &password)), format!("{PROFILE_DUMP}\n"));
    assert_eq!(
        run(args(&["--metatag", "settings", "get", "theme"], &password)),
        "\"dark\"\n"
    );
    assert_eq!(snapshot(profile.path()), before);
    // A wrong password (or credential) finds no profile.
    let wrong = write(tmp.path(), "wrong", "correct horse battery stapler\n");
    let v = args(&["dump"], &wrong);
    let err = fails(1, &v.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(err, "aiootp: Profile doesn't exist or is corrupt.\n");
    // Writes through the profile, read back by the same credentials.
    run(args(&["set", "balance", "1.5"], &password));
    assert_eq!(run(args(&["get", "balance"], &password)), "1.5\n");
    run(args(&["delete-metatag", "settings"], &password));
    assert_eq!(run(args(&["metatags"], &password)), "[]\n");
    // The salt file is untouched.
    let salt = |s: &BTreeMap<PathBuf, Vec<u8>>| {
        s.iter()
            .filter(|(p, _)| p.parent().unwrap().ends_with("secure"))
            .map(|(p, d)| (p.clone(), d.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(salt(&snapshot(profile.path())), salt(&before));
}

#[test]
fn writes_and_reads_its_own_database() {
    let tmp = tempfile::tempdir().unwrap();
    let key = write(tmp.path(), "key", "k");
    let dir = tmp.path().join("db");
    std::fs::create_dir(&dir).unwrap();
    let dir = dir.to_str().unwrap();
    let base = ["--dir", dir, "--key-file", &key, "--depth", "3"];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        ok(&args)
    };
    let fail = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        fails(1, &args)
    };
    assert_eq!(run(&["set", "a", r#"{"x": [1, 2.5, "é", 1e16]}"#]), "");
    assert_eq!(
        run(&["get", "a"]),
        "{\"x\": [1, 2.5, \"\\u00e9\", 1e+16]}\n"
    );
    // Hyphens, unicode, quotes, empty tags; values from stdin.
    run(&["set", "-x", "-5"]);
    run(&["set", "tag ✓ 😀 'q' \"d\"", "[]"]);
    run(&["set", "", "null"]);
    ok_in(
        &[&base[..], &["set", "big", "-"]].concat(),
        format!("\"{}\"", "v".repeat(300_000)).as_bytes(),
    );
    assert_eq!(run(&["get", "big"]).len(), 300_003);
    assert_eq!(run(&["get", ""]), "null\n");
    run(&["--metatag", "c", "--metatag", "g", "set", "deep", "NaN"]);
    run(&["set", "a", "2"]);
    assert_eq!(
        run(&["list"]),
        "[\"a\", \"-x\", \"tag \\u2713 \\ud83d\\ude00 'q' \\\"d\\\"\", \"\", \"big\"]\n"
    );
    assert_eq!(run(&["metatags"]), "[\"c\"]\n");
    assert_eq!(run(&["--metatag", "c", "metatags"]), "[\"g\"]\n");
    run(&["delete", "big"]);
    assert_eq!(
        run(&["dump"]),
        "{\"tags\": {\"a\": 2, \"-x\": -5, \"tag \\u2713 \\ud83d\\ude00 'q' \\\"d\\\"\": [], \"\": null}, \"metatags\": {\"c\": {\"tags\": {}, \"metatags\": {\"g\": {\"tags\": {\"deep\": NaN}, \"metatags\": {}}}}}}\n"
    );
    // JSON names.
    run(&["--json-names", "set", "7", "\"seven\""]);
    assert_eq!(run(&["--json-names", "get", "7"]), "\"seven\"\n");
    assert!(fail(&["get", "7"]).contains("no tag \"7\""));
    let err = fail(&["--json-names", "get", "{bad"]);
    assert!(err.contains("is not JSON"), "{err}");
    // Refusals leave the database as it was.
    let before = snapshot(Path::new(dir));
    assert_eq!(
        fail(&["delete", "nope"]),
        "aiootp: no tag \"nope\" in this database\n"
    );
    assert_eq!(
        fail(&["delete-metatag", "nope"]),
        "aiootp: No child database named nope.\n"
    );
    assert_eq!(
        fail(&["--metatag", "nope", "list"]),
        "aiootp: No child database named nope.\n"
    );
    assert_eq!(
        fail(&["--metatag", "nope", "delete", "a"]),
        "aiootp: No child database named nope.\n"
    );
    assert!(fail(&["set", "x", "{oops"]).starts_with("aiootp: the value is not JSON"));
    let mut args = base.to_vec();
    args.extend_from_slice(&["set", "x", "-"]);
    let mut all = vec!["db"];
    all.extend_from_slice(&args);
    let out = aiootp(&all, b"[1,");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stdin is not JSON"));
    assert_eq!(snapshot(Path::new(dir)), before);
    // Deleting a child deletes its files.
    run(&["delete-metatag", "c"]);
    assert_eq!(run(&["metatags"]), "[]\n");
    assert_eq!(snapshot(Path::new(dir)).len(), before.len() - 3);
    assert!(run(&["dump"]).ends_with("\"metatags\": {}}\n"));
}

#[test]
fn a_new_key_is_refused_beside_other_databases_unless_created() {
    let tmp = tempfile::tempdir().unwrap();
    let k1 = write(tmp.path(), "k1", "first");
    let k2 = write(tmp.path(), "k2", "second");
    let empty = write(tmp.path(), "empty", "\n");
    let dir = tmp.path().join("db");
    std::fs::create_dir(&dir).unwrap();
    let dir = dir.to_str().unwrap();
    ok(&["--dir", dir, "--key-file", &k1, "set", "a", "1"]);
    let err = fails(1, &["--dir", dir, "--key-file", &k2, "set", "a", "1"]);
    assert!(err.contains("wrong key or password depth?"), "{err}");
    ok(&["--dir", dir, "--key-file", &k2, "--create", "set", "a", "2"]);
    assert_eq!(ok(&["--dir", dir, "--key-file", &k1, "get", "a"]), "1\n");
    assert_eq!(ok(&["--dir", dir, "--key-file", &k2, "get", "a"]), "2\n");
    // A reader needs an existing database, even in an empty directory.
    let empty_dir = tmp.path().join("empty-db");
    std::fs::create_dir(&empty_dir).unwrap();
    let err = fails(
        1,
        &[
            "--dir",
            empty_dir.to_str().unwrap(),
            "--key-file",
            &k1,
            "list",
        ],
    );
    assert_eq!(
        err,
        "aiootp: no database for this key and password depth in this store\n"
    );
    assert!(std::fs::read_dir(&empty_dir).unwrap().next().is_none());
    // Missing files and directories.
    let err = fails(1, &["--dir", dir, "--key-file", &empty, "list"]);
    assert!(err.contains("the key file is empty"), "{err}");
    let missing = tmp.path().join("missing");
    let err = fails(
        1,
        &[
            "--dir",
            missing.to_str().unwrap(),
            "--key-file",
            &k1,
            "set",
            "a",
            "1",
        ],
    );
    assert!(err.contains("missing"), "{err}");
}

#[test]
fn a_new_profile_is_created_by_set_only() {
    let tmp = tempfile::tempdir().unwrap();
    let pw = write(tmp.path(), "pw", "hunter2\n");
    let dir = tmp.path().join("db");
    std::fs::create_dir(&dir).unwrap();
    let secure = tmp.path().join("salts");
    let dir = dir.to_str().unwrap();
    let base = [
        "--dir",
        dir,
        "--profile",
        "--username",
        "bob",
        "--password-file",
        &pw,
        "--kb",
        "256",
        "--cpu",
        "2",
        "--hardness",
        "256",
        "--secure-dir",
        secure.to_str().unwrap(),
    ];
    let with = |extra: &[&'static str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        args
    };
    assert_eq!(
        fails(1, &with(&["list"])),
        "aiootp: Profile doesn't exist or is corrupt.\n"
    );
    assert_eq!(
        fails(1, &with(&["delete", "a"])),
        "aiootp: Profile doesn't exist or is corrupt.\n"
    );
    assert!(!secure.exists());
    ok(&with(&["set", "a", "{\"b\": true}"]));
    assert_eq!(std::fs::read_dir(&secure).unwrap().count(), 1);
    assert_eq!(ok(&with(&["get", "a"])), "{\"b\": true}\n");
    // The default salt directory is DIR/secure: not this profile's.
    let mut default = base[..base.len() - 2].to_vec();
    default.push("list");
    assert_eq!(
        fails(1, &default),
        "aiootp: Profile doesn't exist or is corrupt.\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let key = write(tmp.path(), "k", "k");
    for args in [
        &["--dir", dir, "list"][..],
        &["--dir", dir, "--key-file", &key][..],
        &["--dir", dir, "--key-file", &key, "--profile", "list"][..],
        &["--dir", dir, "--profile", "--username", "u", "list"][..],
        &["--dir", dir, "--key-file", &key, "--username", "u", "list"][..],
        &["--dir", dir, "--key-file", &key, "frobnicate"][..],
        &["--dir", dir, "--key-file", &key, "set", "a"][..],
        &["--dir", dir, "--key-file", &key, "--depth", "x", "list"][..],
        &["--key-file", &key, "list"][..],
    ] {
        fails(2, args);
    }
}
