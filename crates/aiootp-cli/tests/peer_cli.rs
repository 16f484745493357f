//! End-to-end tests of `aiootp sign`, `aiootp verify`, `aiootp keygen
//! --ed25519 | --x25519` and `aiootp peer` (our side against our side;
//! the interop check in `interop/` runs the reference against us).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::aiootp;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../aiootp/tests/data/asymmetric.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn keygen_sign_verify_round_trip_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let sk = dir.path().join("signing.key");
    let out = aiootp(&["keygen", "--ed25519", "-o", sk.to_str().unwrap()], b"");
    assert!(out.status.success());
    let public = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(public.len(), 64);
    assert_eq!(std::fs::read_to_string(&sk).unwrap().trim().len(), 64);
    // refuses to overwrite
    let again = aiootp(&["keygen", "--ed25519", "-o", sk.to_str().unwrap()], b"");
    assert!(!again.status.success());

    let message = b"the message, as it is\n";
    let out = aiootp(&["sign", "--key-file", sk.to_str().unwrap()], message);
    assert!(out.status.success());
    let signature = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(signature.len(), 128);

    let ok = aiootp(
        &["verify", "--public-key", &public, "--signature", &signature],
        message,
    );
    assert!(ok.status.success());
    assert_eq!(ok.stdout, b"valid\n");

    let bad = aiootp(
        &["verify", "--public-key", &public, "--signature", &signature],
        b"the message, as it is!\n",
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid Ed25519 signature"));

    let short = aiootp(
        &[
            "verify",
            "--public-key",
            &public,
            "--signature",
            &signature[..126],
        ],
        message,
    );
    assert_eq!(short.status.code(), Some(1));

    let not_hex = aiootp(
        &["verify", "--public-key", "zz", "--signature", &signature],
        message,
    );
    assert_eq!(not_hex.status.code(), Some(1));
}

#[test]
fn signing_reproduces_the_reference_signatures() {
    let v = vectors();
    for key in v["ed25519"].as_array().unwrap() {
        let dir = tempfile::tempdir().unwrap();
        let sk = dir.path().join("k");
        std::fs::write(&sk, format!("{}\n", key["secret_key"].as_str().unwrap())).unwrap();
        for sig in key["signatures"].as_array().unwrap() {
            let message = hex_decode(sig["message"].as_str().unwrap());
            let out = aiootp(&["sign", "--key-file", sk.to_str().unwrap()], &message);
            assert!(out.status.success());
            assert_eq!(
                String::from_utf8(out.stdout).unwrap().trim(),
                sig["signature"].as_str().unwrap()
            );
        }
    }
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Peer {
    fn start(role: &str, config: &Value) -> Peer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aiootp"))
            .args(["peer", role, "--config", &config.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Peer {
            child,
            stdin,
            stdout,
        }
    }

    fn send(&mut self, line: &Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    fn read(&mut self) -> Value {
        let line = self.read_raw();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    }

    /// One line as text: Ropake's big integers must be relayed exactly
    /// (serde_json would turn them into floats).
    fn read_raw(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line
    }

    fn send_raw(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    fn finish(mut self) -> i32 {
        drop(self.stdin.take());
        self.child.wait().unwrap().code().unwrap()
    }
}

#[test]
fn dh3_with_the_vector_keys_gives_the_reference_digest() {
    let v = vectors();
    let ex = &v["dh_exchanges"];
    let keys = &ex["secret_keys"];
    for kind in ["dh2", "dh3"] {
        let mut client_cfg = json!({"ephemeral": keys["d_client_ephemeral"]});
        if kind == "dh3" {
            client_cfg["identity"] = keys["b_client_identity"].clone();
        }
        let server_cfg = json!({
            "identity": keys["a_server_identity"],
            "ephemeral": keys["c_server_ephemeral"],
        });
        let mut client = Peer::start(&format!("{kind}-client"), &client_cfg);
        let mut server = Peer::start(&format!("{kind}-server"), &server_cfg);
        let hello = client.read();
        assert_eq!(hello["type"], "message");
        assert_eq!(hello["body"], ex[kind]["client_hello"]);
        server.send(&hello);
        let response = server.read();
        assert_eq!(response["body"], ex[kind]["server_response"]);
        let server_result = server.read();
        client.send(&response["body"]);
        let client_result = client.read();
        for result in [&client_result, &server_result] {
            assert_eq!(result["ok"], true, "{result}");
            assert_eq!(result["kdf_digest"], ex[kind]["kdf_digest"]);
            assert_eq!(result["kdf_name"], "sha3_512");
        }
        assert_eq!(client.finish(), 0);
        assert_eq!(server.finish(), 0);
    }
}

#[test]
fn dh_server_reports_a_low_order_key_after_its_response() {
    let mut server = Peer::start("dh2-server", &json!({}));
    server.send(&json!({"public_key_d": "00".repeat(32)}));
    let response = server.read();
    assert_eq!(response["type"], "message");
    let error = server.read();
    assert_eq!(error["type"], "error");
    assert_eq!(error["step"], "finish");
    assert_eq!(error["error_type"], "ValueError");
    assert_eq!(error["error_message"], "Error computing shared key.");
    assert_eq!(server.finish(), 0);
}

#[test]
fn one_shot_roles_answer_like_the_reference() {
    let v = vectors();
    for case in v["x25519_exchange"].as_array().unwrap() {
        let out = aiootp(
            &["peer", "x25519-exchange"],
            json!({"secret_key": case["secret_key"], "public_key": case["peer_public_key"]})
                .to_string()
                .as_bytes(),
        );
        let line: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(line["shared_key"], case["shared_key"], "{line}");
    }
    let out = aiootp(
        &["peer", "ed25519-verify"],
        json!({"public_key": "11".repeat(32), "message": "", "signature": "00"})
            .to_string()
            .as_bytes(),
    );
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["valid"], false);
    assert_eq!(line["error_type"], "InvalidSignature");
}

#[test]
fn malformed_invocations_exit_2_without_a_result() {
    for (args, stdin) in [
        (vec!["peer", "no-such-role"], ""),
        (vec!["peer", "dh2-client", "--config", "[1]"], ""),
        (vec!["peer", "x25519-exchange"], "not json\n"),
        (vec!["peer", "dh2-server"], ""),
    ] {
        let out = aiootp(&args, stdin.as_bytes());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("\"result\""),
            "{args:?}"
        );
    }
}

#[test]
fn ropake_registration_and_logins_between_our_roles() {
    let dir = tempfile::tempdir().unwrap();
    let client_cfg = json!({
        "directory": dir.path().join("client").to_str().unwrap(),
        "key": "a password",
    });
    let server_cfg = json!({"state": dir.path().join("server.json").to_str().unwrap()});
    let roles = [
        ("ropake-client-registration", "ropake-server-registration"),
        ("ropake-client", "ropake-server"),
        (
            "ropake-client-authentication",
            "ropake-server-authentication",
        ),
    ];
    let mut key_ids = Vec::new();
    for (client_role, server_role) in roles {
        let mut client = Peer::start(client_role, &client_cfg);
        let mut server = Peer::start(server_role, &server_cfg);
        let hello = client.read_raw();
        server.send_raw(&hello);
        let response = server.read_raw();
        let server_result = server.read();
        client.send_raw(&response);
        let client_result = client.read();
        assert_eq!(client_result["ok"], true, "{client_result}");
        for field in ["key", "key_id", "session_key"] {
            assert_eq!(client_result[field], server_result[field]);
        }
        assert_eq!(
            server_result["state"].as_object().unwrap().len(),
            1,
            "one record"
        );
        key_ids.push(client_result["key_id"].clone());
        client.finish();
        server.finish();
    }
    key_ids.dedup();
    assert_eq!(key_ids.len(), 3, "the key ratchets every run");

    // the wrong password is refused before anything is sent
    let mut client = Peer::start(
        "ropake-client",
        &json!({"directory": client_cfg["directory"], "key": "another"}),
    );
    let line = client.read();
    assert_eq!(line["type"], "error");
    assert_eq!(
        line["error_message"],
        "Must provide ``key`` material to mix with ``label``."
    );
    client.finish();
}
