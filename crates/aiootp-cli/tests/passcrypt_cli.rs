//! End-to-end tests of `aiootp passcrypt` against known answers of Python
//! aiootp 0.17.0 (`crates/aiootp/tests/data/passcrypt.json`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

fn aiootp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aiootp"))
        .args(args)
        .output()
        .expect("spawn aiootp")
}

fn password_file(dir: &Path, name: &str, content: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_str().unwrap().to_owned()
}

fn hash(file: &str, salt: &str, settings: &[&str]) -> String {
    let mut args = vec!["passcrypt", "--password-file", file, "--salt", salt];
    args.extend_from_slice(settings);
    let out = aiootp(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn refusal(args: &[&str]) -> String {
    let out = aiootp(args);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

const SMALL: [&str; 6] = ["--kb", "256", "--cpu", "2", "--hardness", "256"];

#[test]
fn prints_the_reference_result_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // Vector 0: "password", "salt", 256/2/256; one trailing newline is not
    // part of the password.
    let want = "dd0525cd60ba196151ff5751e500fe9d1aa02d2b295a1cecfd7b32341e5344156cbb49076a037c9262687879135f64dd69dd6e1bb8b099835e550be442dede3b\n";
    for (name, content) in [("lf", &b"password\n"[..]), ("bare", b"password")] {
        let file = password_file(dir.path(), name, content);
        assert_eq!(hash(&file, "salt", &SMALL), want, "{name}");
    }
    // A salt may start with a hyphen, given either way.
    let file = password_file(dir.path(), "p", b"pw");
    let mut args = vec!["passcrypt", "--password-file", &file, "--salt=-s"];
    args.extend_from_slice(&SMALL);
    let joined = aiootp(&args);
    assert!(joined.status.success());
    assert_eq!(
        String::from_utf8(joined.stdout).unwrap(),
        hash(&file, "-s", &SMALL)
    );
    // Only one "\n" is dropped; a "\r" stays part of the password.
    for (name, content) in [("two", &b"password\n\n"[..]), ("crlf", b"password\r\n")] {
        let file = password_file(dir.path(), name, content);
        assert_ne!(hash(&file, "salt", &SMALL), want, "{name}");
    }
}

#[test]
fn text_is_hashed_exactly() {
    let dir = tempfile::tempdir().unwrap();
    // Vectors 5, 6 and 7: non-ASCII text, both quote styles, escapes.
    let cases = [
        (
            "pässwörd ✓",
            "sålt",
            "e936b9f0761e96ba36a8ada39198448ad492637e0d0497cab556e691452ef3bfc790a9bd44ee2c90a5a26d228b81cff1341d81c756a560e6890a68f86db2ce95",
        ),
        (
            "it's",
            "say \"hi\"",
            "ce8eac4d9406cac5f66702f09577727be819d73a64d26b52133b390290b5ff3559e263de03cd3dd1f90bad2e7f1c4e5a9289ff9be556d6159a631b0380777b24",
        ),
        (
            "it's \"both\"",
            "tab\there\n",
            "de8b0c45d33d1d11ea1b3d68f18e80a3ae00551e0cf47ec157da66a8f3b097aa966a50b0e91ecafd463acbe331f2095b9b9fdce04425ddccb97fd415ba7847ac",
        ),
    ];
    for (i, (password, salt, want)) in cases.into_iter().enumerate() {
        let file = password_file(
            dir.path(),
            &format!("p{i}"),
            format!("{password}\n").as_bytes(),
        );
        assert_eq!(hash(&file, salt, &SMALL).trim_end(), want, "case {i}");
    }
}

#[test]
fn defaults_are_the_references() {
    let dir = tempfile::tempdir().unwrap();
    let file = password_file(dir.path(), "p", b"password\n");
    // Vector 10: kb=1024, cpu=3, hardness=1024.
    assert_eq!(
        hash(&file, "salt", &[]).trim_end(),
        "af472d85b177276c5ee290451abbc3b156a899368292d6bbd36e66c7fe89b712a961de109f3fe73126c5cee17e9ff011f35b987221599be3d8d2ad6a688298f8"
    );
}

#[test]
fn refusals_use_the_references_messages_in_its_order() {
    let dir = tempfile::tempdir().unwrap();
    let good = password_file(dir.path(), "good", b"pw\n");
    let empty = password_file(dir.path(), "empty", b"\n");
    let run = |file: &str, salt: &str, settings: &[&str]| {
        let mut args = vec!["passcrypt", "--password-file", file, "--salt", salt];
        args.extend_from_slice(settings);
        refusal(&args)
    };
    assert_eq!(
        run(&empty, "s", &["--cpu", "1"]),
        "aiootp: No ``password`` was specified.\n"
    );
    assert_eq!(
        run(&good, "", &["--cpu", "1"]),
        "aiootp: No ``salt`` was specified.\n"
    );
    assert_eq!(
        run(&good, "s", &["--hardness", "255", "--cpu", "1"]),
        "aiootp: hardness:255 must be int >= 256\n"
    );
    assert_eq!(
        run(&good, "s", &["--cpu", "1"]),
        "aiootp: cpu:1 must be int >= 2\n"
    );
    assert_eq!(
        run(&good, "s", &["--kb", "255", "--hardness", "256"]),
        "aiootp: kb:255 must be int >= hardness:256\n"
    );
    let latin1 = password_file(dir.path(), "latin1", b"p\xe4ss\n");
    assert!(run(&latin1, "s", &SMALL).contains("not UTF-8"));
    let missing = dir.path().join("missing");
    assert!(run(missing.to_str().unwrap(), "s", &SMALL).contains("missing"));
    // Not a number: a usage error from the argument parser.
    let out = aiootp(&[
        "passcrypt",
        "--password-file",
        &good,
        "--salt",
        "s",
        "--kb",
        "-1",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
