//! `aiootp encrypt/decrypt --format aot2`: streaming files, all-or-nothing
//! `-o`, verified-chunks-only stdout, contexts and password files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::aiootp;

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn setup() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    let out = aiootp(&["keygen", "-o", path(&key)], b"");
    assert!(out.status.success());
    let key = path(&key).to_owned();
    (dir, key)
}

fn pseudo_random(n: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

#[test]
fn files_round_trip_and_sizes_are_multiples_of_256() {
    let (dir, key) = setup();
    for n in [0usize, 1, 65_535, 65_536, 300_001] {
        let plain = dir.path().join(format!("p{n}"));
        let sealed = dir.path().join(format!("c{n}"));
        let back = dir.path().join(format!("b{n}"));
        std::fs::write(&plain, pseudo_random(n)).unwrap();
        let out = aiootp(
            &[
                "encrypt",
                "--format",
                "aot2",
                "--key-file",
                &key,
                "-o",
                path(&sealed),
                path(&plain),
            ],
            b"",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let len = std::fs::metadata(&sealed).unwrap().len();
        assert_eq!(len % 256, 0, "{n}");
        assert!(len as usize > n);
        let out = aiootp(
            &[
                "decrypt",
                "--format",
                "aot2",
                "--key-file",
                &key,
                "-o",
                path(&back),
                path(&sealed),
            ],
            b"",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(std::fs::read(&back).unwrap(), pseudo_random(n));
    }
}

#[test]
fn a_tampered_file_leaves_no_output_file_and_stdout_only_verified_chunks() {
    let (dir, key) = setup();
    let plain = pseudo_random(200_000);
    let out = aiootp(&["encrypt", "--format", "aot2", "--key-file", &key], &plain);
    assert!(out.status.success());
    let mut sealed = out.stdout;
    // a bit in the second record
    let i = 100_000;
    sealed[i] ^= 1;
    let target = dir.path().join("out");
    let out = aiootp(
        &[
            "decrypt",
            "--format",
            "aot2",
            "--key-file",
            &key,
            "-o",
            path(&target),
        ],
        &sealed,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!target.exists(), "nothing is left on failure");
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("authentication"));
    // stdout: what came out is a verified prefix of the plaintext
    let out = aiootp(
        &["decrypt", "--format", "aot2", "--key-file", &key],
        &sealed,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.len() < plain.len());
    assert_eq!(out.stdout[..], plain[..out.stdout.len()]);
    // truncation at every 256-byte step near the end is refused
    for cut in [1usize, 256, 512] {
        let short = &sealed[..sealed.len() - cut];
        let out = aiootp(
            &[
                "decrypt",
                "--format",
                "aot2",
                "--key-file",
                &key,
                "-o",
                path(&target),
            ],
            short,
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(!target.exists());
    }
}

#[test]
fn context_json_and_passwords() {
    let (dir, key) = setup();
    let out = aiootp(
        &[
            "encrypt",
            "--format",
            "aot2",
            "--key-file",
            &key,
            "--json",
            "--pid",
            "\"chat:1\"",
        ],
        b"{\"a\": [1, 2.5]}",
    );
    assert!(out.status.success());
    let sealed = out.stdout;
    let out = aiootp(
        &[
            "decrypt",
            "--format",
            "aot2",
            "--key-file",
            &key,
            "--json",
            "--pid",
            "\"chat:1\"",
        ],
        &sealed,
    );
    assert!(out.status.success());
    assert_eq!(out.stdout, b"{\"a\": [1, 2.5]}\n");
    for pid in [None, Some("\"chat:2\""), Some("0")] {
        let mut args = vec!["decrypt", "--format", "aot2", "--key-file", &key];
        if let Some(p) = pid {
            args.extend(["--pid", p]);
        }
        let out = aiootp(&args, &sealed);
        assert_eq!(out.status.code(), Some(1), "{pid:?}");
        assert!(out.stdout.is_empty());
    }
    let password = dir.path().join("pw");
    std::fs::write(&password, "correct horse\n").unwrap();
    let pw = path(&password);
    let out = aiootp(
        &["encrypt", "--format", "aot2", "--password-file", pw],
        b"hi",
    );
    assert!(out.status.success());
    let out2 = aiootp(
        &["decrypt", "--format", "aot2", "--password-file", pw],
        &out.stdout,
    );
    assert!(out2.status.success());
    assert_eq!(out2.stdout, b"hi");
    let out3 = aiootp(
        &["decrypt", "--format", "aot2", "--key-file", &key],
        &out.stdout,
    );
    assert_eq!(out3.status.code(), Some(1));
    // a password is for AOT2 only; a negative ttl is a usage error
    let out = aiootp(
        &["encrypt", "--format", "compat", "--password-file", pw],
        b"hi",
    );
    assert_eq!(out.status.code(), Some(1));
    let out = aiootp(
        &[
            "decrypt",
            "--format",
            "aot2",
            "--key-file",
            &key,
            "--ttl",
            "-5",
        ],
        &out2.stdout,
    );
    assert_ne!(out.status.code(), Some(0));
}

#[test]
fn aot2_is_the_default_format() {
    let (dir, key) = setup();
    let sealed = aiootp(&["encrypt", "--key-file", &key], b"default");
    assert!(sealed.status.success());
    assert_eq!(sealed.stdout.len(), 256);
    let opened = aiootp(
        &["decrypt", "--format", "aot2", "--key-file", &key],
        &sealed.stdout,
    );
    assert_eq!(opened.stdout, b"default");
    // And the default decrypts what --format aot2 wrote.
    let explicit = aiootp(
        &["encrypt", "--format", "aot2", "--key-file", &key],
        b"explicit",
    );
    let opened = aiootp(&["decrypt", "--key-file", &key], &explicit.stdout);
    assert!(opened.status.success());
    assert_eq!(opened.stdout, b"explicit");
    // The compat form is asked for by name.
    let compat = aiootp(
        &["encrypt", "--format", "compat", "--key-file", &key],
        b"old",
    );
    assert!(compat.stdout.starts_with(b"{\"ciphertext\": ["));
    let refused = aiootp(&["decrypt", "--key-file", &key], &compat.stdout);
    assert_eq!(refused.status.code(), Some(1));
    assert!(refused.stdout.is_empty());
    // A key that is not hex names the compat format in its error.
    let text_key = dir.path().join("text-key");
    std::fs::write(&text_key, "not a hex key at all, a passphrase").unwrap();
    let out = aiootp(&["encrypt", "--key-file", path(&text_key)], b"x");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format compat"));
}

/// Runs `aiootp args` under `script(1)`, so that its stdin, stdout and
/// stderr are a terminal; `None` when `script` is not installed.
fn on_a_terminal(args: &str) -> Option<Output> {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_aiootp"));
    Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .ok()
}

#[test]
fn progress_bar_only_on_a_terminal_and_large_inputs() {
    let (dir, key) = setup();
    let big = dir.path().join("big");
    std::fs::write(&big, pseudo_random(5 << 20)).unwrap();
    let sealed = dir.path().join("big.aot2");
    let back = dir.path().join("big.back");
    // Not a terminal: stderr stays empty.
    let out = aiootp(
        &[
            "encrypt",
            "--key-file",
            &key,
            "-o",
            path(&sealed),
            path(&big),
        ],
        b"",
    );
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let Some(term) = on_a_terminal(&format!(
        "decrypt --key-file {key} -o {} {}",
        path(&back),
        path(&sealed)
    )) else {
        eprintln!("script(1) is not installed: terminal case not run");
        return;
    };
    assert!(term.status.success(), "{term:?}");
    let shown = String::from_utf8_lossy(&term.stdout);
    assert!(shown.contains("decrypting"), "{shown}");
    assert!(shown.contains("MiB"), "{shown}");
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&big).unwrap());
    // --quiet, or a small input: nothing drawn.
    let quiet = on_a_terminal(&format!(
        "decrypt --quiet --key-file {key} -o {}.2 {}",
        path(&back),
        path(&sealed)
    ))
    .unwrap();
    assert!(quiet.status.success());
    assert!(
        quiet.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stdout)
    );
    let small = dir.path().join("small");
    std::fs::write(&small, b"small").unwrap();
    let quiet = on_a_terminal(&format!(
        "encrypt --key-file {key} -o {}.3 {}",
        path(&small),
        path(&small)
    ))
    .unwrap();
    assert!(quiet.status.success());
    assert!(
        quiet.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stdout)
    );
}
