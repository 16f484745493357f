//! End-to-end tests of the `aiootp` binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::aiootp;

use std::path::Path;

fn keygen(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    let out = aiootp(&["keygen", "-o", path.to_str().unwrap()], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path.to_str().unwrap().to_owned()
}

#[test]
fn keygen_writes_a_private_hex_key_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k");
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(text.len(), 129);
    assert!(text.trim_end().bytes().all(|c| c.is_ascii_hexdigit()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = aiootp(&["keygen", "-o", &key], b"");
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text);
}

#[test]
fn round_trip_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k");
    let plaintext = b"attack at dawn\n\x00\xff".repeat(40);
    for format in ["compat", "compat-bytes", "compat-ascii"] {
        for pid in ["0", "\"chat:1\"", "12345"] {
            let enc = aiootp(
                &[
                    "encrypt",
                    "--key-file",
                    &key,
                    "--format",
                    format,
                    "--pid",
                    pid,
                ],
                &plaintext,
            );
            assert!(
                enc.status.success(),
                "{}",
                String::from_utf8_lossy(&enc.stderr)
            );
            let dec = aiootp(
                &[
                    "decrypt",
                    "--key-file",
                    &key,
                    "--format",
                    format,
                    "--pid",
                    pid,
                ],
                &enc.stdout,
            );
            assert!(
                dec.status.success(),
                "{format} {pid}: {}",
                String::from_utf8_lossy(&dec.stderr)
            );
            assert_eq!(dec.stdout, plaintext);
        }
    }
}

#[test]
fn json_mode_prints_python_json() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k");
    let enc = aiootp(
        &[
            "encrypt",
            "--format",
            "compat",
            "--key-file",
            &key,
            "--json",
        ],
        "{\"b\":[1,2.50,\"é\"],\"a\":null}".as_bytes(),
    );
    assert!(enc.status.success());
    let text = String::from_utf8(enc.stdout.clone()).unwrap();
    assert!(text.starts_with("{\"ciphertext\": ["));
    let dec = aiootp(
        &[
            "decrypt",
            "--format",
            "compat",
            "--key-file",
            &key,
            "--json",
        ],
        &enc.stdout,
    );
    assert_eq!(
        String::from_utf8(dec.stdout).unwrap(),
        "{\"b\": [1, 2.5, \"\\u00e9\"], \"a\": null}\n"
    );
    let bad = aiootp(&["encrypt", "--key-file", &key, "--json"], b"{not json");
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
}

#[test]
fn failed_decryption_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "k");
    let other = keygen(dir.path(), "other");
    let enc = aiootp(
        &["encrypt", "--key-file", &key, "--format", "compat-bytes"],
        b"secret",
    );
    let out_path = dir.path().join("out");
    let out = out_path.to_str().unwrap();
    for (k, pid) in [(&other, "0"), (&key, "1")] {
        let dec = aiootp(
            &[
                "decrypt",
                "--key-file",
                k,
                "--format",
                "compat-bytes",
                "--pid",
                pid,
                "-o",
                out,
            ],
            &enc.stdout,
        );
        assert_eq!(dec.status.code(), Some(1));
        assert!(dec.stdout.is_empty());
        let err = String::from_utf8(dec.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("HMAC of ``data`` isn't valid."), "{err}");
        assert!(!out_path.exists());
    }
    let mut tampered = enc.stdout.clone();
    tampered[100] ^= 1;
    let dec = aiootp(
        &["decrypt", "--key-file", &key, "--format", "compat-bytes"],
        &tampered,
    );
    assert_eq!(dec.status.code(), Some(1));
    assert!(dec.stdout.is_empty());
    let truncated = &enc.stdout[..enc.stdout.len() - 10];
    let dec = aiootp(
        &["decrypt", "--key-file", &key, "--format", "compat-bytes"],
        truncated,
    );
    assert_eq!(dec.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&dec.stderr).contains("length of ciphertext is invalid"));
    // Success writes the -o file.
    let dec = aiootp(
        &[
            "decrypt",
            "--key-file",
            &key,
            "--format",
            "compat-bytes",
            "-o",
            out,
        ],
        &enc.stdout,
    );
    assert!(dec.status.success());
    assert_eq!(std::fs::read(&out_path).unwrap(), b"secret");
}

#[test]
fn usage_errors_exit_2() {
    let out = aiootp(&["encrypt", "--format", "nope"], b"");
    assert_eq!(out.status.code(), Some(2));
    let help = aiootp(&["encrypt", "--help"], b"");
    let text = String::from_utf8(help.stdout).unwrap();
    assert!(text.contains("compat"), "{text}");
}

#[test]
fn demo_runs_and_cleans_up() {
    let out = aiootp(&["demo"], b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for step in [
        "json_decrypt with ttl=60",
        "aot2 open with ttl=60\n   account 3311149",
        "aot2 token",
        "database",
        "password profile",
        "passcrypt",
    ] {
        assert!(text.contains(step), "missing {step}: {text}");
    }
    assert!(text.contains("HMAC of ``data`` isn't valid."));
}
