//! End-to-end tests of `aiootp ropake serve | register | login` over TCP on
//! the loopback: many concurrent registrations and logins against one
//! server, then hostile input (garbage, overlong and unfinished lines,
//! silence, replayed and tampered hellos, a wrong password, too many
//! connections), after each of which the server must still serve.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use aiootp::compat::{Key, PyValue, pyjson};
use aiootp::db::{Database, OpenOptions};
use aiootp::ropake::{ClientLogin, LoginResponse, OsEntropy};

const BIN: &str = env!("CARGO_BIN_EXE_aiootp");

/// A running `aiootp ropake serve`, killed on drop.
struct Server {
    child: Child,
    addr: String,
    state: PathBuf,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let log = dir.path().join("server.log");
        let mut child = Command::new(BIN)
            .args(["ropake", "serve", "--listen", "127.0.0.1:0", "--state"])
            .arg(&state)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&log).unwrap())
            .spawn()
            .expect("spawn aiootp ropake serve");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let Some(addr) = first.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            panic!(
                "unexpected first line {first:?}; log: {}",
                fs::read_to_string(&log).unwrap_or_default()
            );
        };
        Self {
            addr: addr.to_owned(),
            child,
            state,
            log,
            _dir: dir,
        }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn assert_alive(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "the server exited; log:\n{}",
            self.log()
        );
    }

    /// The state file's records: key_id → the record's `key`.
    fn records(&self) -> BTreeMap<String, String> {
        let value = pyjson::loads(&fs::read_to_string(&self.state).unwrap()).unwrap();
        let PyValue::Dict(pairs) = value else {
            panic!("state is not an object")
        };
        pairs
            .into_iter()
            .map(|(k, v)| match (k, field(&v, "key")) {
                (PyValue::Str(k), Some(PyValue::Str(key))) => (k, key.clone()),
                other => panic!("bad record {other:?}"),
            })
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn field<'a>(value: &'a PyValue, name: &str) -> Option<&'a PyValue> {
    match value {
        PyValue::Dict(pairs) => pairs
            .iter()
            .find(|(k, _)| matches!(k, PyValue::Str(s) if s == name))
            .map(|(_, v)| v),
        _ => None,
    }
}

fn text<'a>(value: &'a PyValue, name: &str) -> &'a str {
    match field(value, name) {
        Some(PyValue::Str(s)) => s,
        other => panic!("field {name} of {value:?} is {other:?}"),
    }
}

/// One client: a database directory and a key file.
struct Client {
    dir: PathBuf,
    key_file: PathBuf,
    password: String,
}

impl Client {
    fn new(root: &Path, n: usize) -> Self {
        let dir = root.join(format!("client{n}"));
        let key_file = root.join(format!("key{n}"));
        let password = format!("client {n}'s password");
        fs::write(&key_file, format!("{password}\n")).unwrap();
        Self {
            dir,
            key_file,
            password,
        }
    }

    fn run(&self, what: &str, addr: &str, extra: &[&str]) -> Output {
        Command::new(BIN)
            .args(["ropake", what, "--connect", addr, "--dir"])
            .arg(&self.dir)
            .arg("--key-file")
            .arg(&self.key_file)
            .args(extra)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs `register` or `login`, expects success, returns the printed
    /// `(key_id, session_key)`.
    fn ok(&self, what: &str, addr: &str) -> (String, String) {
        let out = self.run(what, addr, &[]);
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        let value = pyjson::loads(stdout.trim_end()).unwrap();
        let key_id = text(&value, "key_id").to_owned();
        let session_key = text(&value, "session_key").to_owned();
        for hex in [&key_id, &session_key] {
            assert!(hex.len() == 128 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        }
        (key_id, session_key)
    }

    fn database(&self, read_only: bool) -> Database {
        OpenOptions::new()
            .read_only(read_only)
            .must_exist(true)
            .open(&self.dir, &Key::new(&self.password))
            .unwrap()
    }

    /// The database's Ropake `key` tag.
    fn stored_key(&self) -> String {
        let mut db = self.database(true);
        match db.get_value("key").unwrap() {
            Some(PyValue::Str(s)) => s.clone(),
            other => panic!("key tag {other:?}"),
        }
    }
}

/// Sends `bytes` on a new connection and returns the reply's first line
/// parsed, or `None` when the server closed without a reply.
fn raw(addr: &str, bytes: &[u8]) -> Option<PyValue> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let line = reply.split(|&b| b == b'\n').next().unwrap_or_default();
    if line.is_empty() {
        return None;
    }
    Some(pyjson::loads_bytes(line).unwrap())
}

/// The error text of an error reply (panics on anything else).
fn error_of(reply: Option<PyValue>) -> String {
    let reply = reply.expect("an error line, not a silent close");
    assert_eq!(text(&reply, "type"), "error", "{reply:?}");
    text(&reply, "error").to_owned()
}

fn line(value: &PyValue) -> Vec<u8> {
    let mut out = pyjson::dumps(value).unwrap().into_bytes();
    out.push(b'\n');
    out
}

#[test]
fn many_concurrent_registrations_and_logins() {
    const CLIENTS: usize = 16;
    const LOGINS: usize = 3;
    let mut server = Server::start(&[]);
    let root = tempfile::tempdir().unwrap();
    let clients: Vec<Client> = (0..CLIENTS).map(|n| Client::new(root.path(), n)).collect();
    let addr = server.addr.clone();

    let finals: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = clients
            .iter()
            .map(|c| {
                let addr = addr.as_str();
                s.spawn(move || {
                    let (mut key_id, mut session_key) = c.ok("register", addr);
                    let mut seen = BTreeSet::from([key_id.clone(), session_key.clone()]);
                    for _ in 0..LOGINS {
                        (key_id, session_key) = c.ok("login", addr);
                        // Every login ratchets to a fresh key id and session key.
                        assert!(seen.insert(key_id.clone()));
                        assert!(seen.insert(session_key.clone()));
                    }
                    key_id
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    // Exactly one record per client, named by its last key id, holding
    // the key the client's database holds.
    let records = server.records();
    assert_eq!(records.len(), CLIENTS, "{records:?}");
    for (client, key_id) in clients.iter().zip(&finals) {
        let key = records.get(key_id).expect("the client's last key id");
        assert_eq!(&client.stored_key(), key);
    }
    let log = server.log();
    assert_eq!(log.matches(" registered key_id ").count(), CLIENTS, "{log}");
    assert_eq!(
        log.matches(" login key_id ").count(),
        CLIENTS * LOGINS,
        "{log}"
    );
    // Only the state file and the log are in the server's directory.
    let names = fs::read_dir(server.state.parent().unwrap())
        .unwrap()
        .count();
    assert_eq!(names, 2);
    server.assert_alive();
}

#[test]
fn hostile_input_leaves_the_server_serving() {
    let mut server = Server::start(&["--timeout", "1"]);
    let addr = server.addr.clone();
    let root = tempfile::tempdir().unwrap();
    let alice = Client::new(root.path(), 0);
    alice.ok("register", &addr);

    // Garbage, JSON that is not a hello, a broken registration hello.
    assert!(error_of(raw(&addr, b"garbage\n")).starts_with("not JSON"));
    assert!(error_of(raw(&addr, b"\xff\xfe\n")).starts_with("not JSON"));
    assert!(error_of(raw(&addr, b"[1, 2]\n")).contains("client hello"));
    assert!(error_of(raw(&addr, b"{}\n")).contains("client hello"));
    assert!(error_of(raw(&addr, b"{\"a\": 1}\n")).contains("missing field"));
    let bad_kp = br#"{"pub": "00", "salt": "a", "session_salt": "b", "keyed_password": "1"}"#;
    assert!(error_of(raw(&addr, &[&bad_kp[..], b"\n"].concat())).contains("malformed"));
    let deep = format!("{}{}\n", "[".repeat(5000), "]".repeat(5000));
    assert!(error_of(raw(&addr, deep.as_bytes())).starts_with("not JSON"));
    // An overlong line, with or without its newline.
    let long = vec![b'x'; 100 * 1024];
    assert!(error_of(raw(&addr, &long)).contains("longer than 65536 bytes"));
    // Silence, and half a line then silence: timed out after --timeout.
    assert!(error_of(raw(&addr, b"")).contains("timed out"));
    assert!(error_of(raw(&addr, b"{\"key_id\": ")).contains("timed out"));
    // A connection closed at once gets no reply.
    drop(TcpStream::connect(&addr).unwrap());

    // A login made by hand with the library, then replayed.
    let mut db = alice.database(false);
    let (login, hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    let hello_line = line(&hello.to_value());
    let reply = raw(&addr, &hello_line).unwrap();
    assert_eq!(text(&reply, "type"), "message", "{reply:?}");
    let response = LoginResponse::from_value(field(&reply, "body").unwrap()).unwrap();
    let keys = login.finish(&mut db, &response, &mut OsEntropy).unwrap();
    drop(db);
    assert!(error_of(raw(&addr, &hello_line)).contains("unknown key_id"));
    assert!(server.records().contains_key(keys.key_id()));

    // A tampered hello (its MAC), and a hello from a stale key id.
    let mut db = alice.database(false);
    let (_abandoned, hello) = ClientLogin::start(&mut db, 0, &mut OsEntropy).unwrap();
    drop(db);
    let PyValue::Dict(mut pairs) = hello.to_value() else {
        panic!()
    };
    for (k, v) in &mut pairs {
        if matches!(k, PyValue::Str(s) if s == "hmac") {
            let PyValue::Str(mac) = v else { panic!() };
            let flipped = if mac.starts_with('0') { "1" } else { "0" };
            mac.replace_range(..1, flipped);
        }
    }
    let tampered = error_of(raw(&addr, &line(&PyValue::Dict(pairs))));
    assert_eq!(tampered, "HMAC of ``data`` isn't valid.");
    // Wrapped in the `aiootp peer` envelope, a hello is accepted too.
    let wrapped = format!(
        "{{\"type\": \"message\", \"body\": {}}}\n",
        pyjson::dumps(&hello.to_value()).unwrap()
    );
    // (That hello is intact: it logs in, so the client's database, which
    // did not finish this run, is now out of step: R4.)
    let reply = raw(&addr, wrapped.as_bytes()).unwrap();
    assert_eq!(text(&reply, "type"), "message", "{reply:?}");
    let out = alice.run("login", &addr, &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown key_id"), "{err}");

    // A wrong password opens no database: nothing is sent.
    fs::write(&alice.key_file, "not alice's password").unwrap();
    let out = alice.run("login", &addr, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("aiootp: login: no database for this key"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    // The server still serves: a new client registers and logs in.
    let bob = Client::new(root.path(), 1);
    bob.ok("register", &addr);
    let (key_id, _) = bob.ok("login", &addr);
    assert!(server.records().contains_key(&key_id));
    server.assert_alive();
    let log = server.log();
    assert!(
        log.contains("refused: message longer than 65536 bytes"),
        "{log}"
    );
    assert!(log.contains("closed without a message"), "{log}");
    assert!(!log.contains(&alice.password) && !log.contains(&bob.password));
}

#[test]
fn connections_over_the_cap_are_told_busy() {
    let mut server = Server::start(&["--max-connections", "2", "--timeout", "30"]);
    let addr = server.addr.clone();
    let root = tempfile::tempdir().unwrap();
    let carol = Client::new(root.path(), 2);
    // Two silent connections hold both places; the third is refused.
    let held: Vec<_> = (0..2).map(|_| TcpStream::connect(&addr).unwrap()).collect();
    assert!(error_of(raw(&addr, b"{}\n")).starts_with("server busy"));
    let out = carol.run("register", &addr, &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("server busy"));
    // Closing them frees the places (the server notices at once).
    drop(held);
    let mut registered = None;
    for _ in 0..100 {
        let out = carol.run("register", &addr, &[]);
        if out.status.success() {
            registered = Some(out);
            break;
        }
        assert!(String::from_utf8_lossy(&out.stderr).contains("server busy"));
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(registered.is_some(), "log:\n{}", server.log());
    carol.ok("login", &addr);
    server.assert_alive();
}

#[test]
fn registrations_can_be_closed() {
    let mut server = Server::start(&["--no-register"]);
    let root = tempfile::tempdir().unwrap();
    let dave = Client::new(root.path(), 3);
    let out = dave.run("register", &server.addr, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not take registrations"), "{err}");
    // Nothing was saved on the client: a login finds no registered database.
    let out = dave.run("login", &server.addr, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(server.records().is_empty());
    server.assert_alive();
}
