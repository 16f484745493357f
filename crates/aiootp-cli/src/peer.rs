//! `aiootp peer ROLE --config JSON`: one role of an X25519 / Ed25519 /
//! 2DH / 3DH / Ropake exchange over stdin and stdout, one JSON object per
//! line, with the roles, configuration fields and lines of the reference's
//! protocol peer, so that either side of any exchange can be swapped for
//! Python aiootp 0.17.0.
//!
//! Lines written:
//! * `{"type": "message", "step": NAME, "body": {...}}`: a protocol message;
//! * then one final line, `{"type": "result", "ok": true, ...}` or
//!   `{"type": "error", "ok": false, "step": NAME, "error_type": CLASS,
//!   "error_message": TEXT}` when the exchange failed. The error class and
//!   text are the reference's (`ValueError`, `KeyError`, `TimeoutError`,
//!   `InvalidSignature`, ...), so logs compare line for line.
//!
//! Exit status 0 after a result or error line; 2 for a malformed
//! invocation or input (unknown role, bad config, an unreadable line, the
//! peer's input closed before its message); 3 if stdout was closed.
//!
//! Lines read: the peer's message, bare or wrapped as
//! `{"type": "message", "body": {...}}`. Binary values are lowercase hex;
//! integers are JSON integers of any size (Ropake's keyed passwords and
//! ciphertext blocks are kept exact).
//!
//! Roles (config fields):
//! * one request line each: `x25519-keygen {secret_key?}`,
//!   `x25519-exchange {secret_key, public_key}`, `ed25519-keygen
//!   {secret_key?}`, `ed25519-sign {secret_key, message}`,
//!   `ed25519-verify {public_key, message, signature}`;
//! * `dh2-client` (`ephemeral`), `dh2-server` (`identity`, `ephemeral`),
//!   `dh3-client` and `dh3-server` (`identity`, `ephemeral`): 64-hex X25519
//!   secrets, random when absent; the result carries `kdf_digest` (hex of
//!   the SHA3-512 state's digest) and `kdf_name`;
//! * `ropake-client-registration`, `ropake-client` (alias
//!   `ropake-client-authentication`): `directory` and `key` of the client
//!   database (created if missing), `password_depth` (default 0), `ttl`;
//!   `ropake-server-registration`, `ropake-server` (alias
//!   `ropake-server-authentication`): `state` (JSON file of the server's
//!   records, read if present, rewritten atomically after the server's
//!   step) or `store` (`{"directory", "key"}`: a compat database), `ttl`.
//! * every role: `fixed` (deterministic mode: `x25519`, `salts`,
//!   `message_salts`, `time`, `rng`; the result then has `fixed_used`) and
//!   `async` (accepted; the library has one core for both).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use aiootp::asymmetric::{
    Dh2Client, Dh2Hello, Dh2Server, Dh3Client, Dh3Hello, Dh3Server, DhResponse, Ed25519,
    Ed25519PublicKey, Kdf, X25519, X25519PublicKey,
};
use aiootp::compat::{Key, PyValue, pyjson};
use aiootp::db::{Database, OpenOptions};
use aiootp::error::{AsymmetricError, RopakeError};
use aiootp::ropake::{
    ClientLogin, ClientRegistration, Entropy, FixedEntropy, JsonFileRecords, LoginHello,
    LoginResponse, OsEntropy, RecordStore, RegistrationHello, RegistrationResponse, SessionKeys,
    server_login, server_registration,
};
use clap::Args;

use crate::io::decode_hex;

/// `aiootp peer`.
#[derive(Debug, Args)]
pub struct PeerArgs {
    /// The role: x25519-keygen, x25519-exchange, ed25519-keygen,
    /// ed25519-sign, ed25519-verify, dh2-client, dh2-server, dh3-client,
    /// dh3-server, ropake-client-registration, ropake-server-registration,
    /// ropake-client, ropake-server.
    pub role: String,
    /// The role's configuration: a JSON object, inline or `@FILE`.
    #[arg(long, value_name = "JSON", default_value = "{}")]
    pub config: String,
}

/// Why the exchange cannot go on: a bad invocation or unreadable input
/// (exit status 2, reported on stderr), or stdout closed (status 3).
enum Abort {
    Malformed(String),
    OutputClosed,
}

/// A failure of the exchange itself, reported as the final `error` line.
struct Failure {
    error_type: String,
    error_message: String,
}

impl Failure {
    fn new(error_type: &str, error_message: impl Into<String>) -> Self {
        Self {
            error_type: error_type.to_owned(),
            error_message: error_message.into(),
        }
    }
}

impl From<AsymmetricError> for Failure {
    fn from(e: AsymmetricError) -> Self {
        match e {
            AsymmetricError::InvalidSignature => Failure::new("InvalidSignature", ""),
            AsymmetricError::Random(_) => Failure::new("OSError", e.to_string()),
            other => Failure::new("ValueError", other.to_string()),
        }
    }
}

impl From<RopakeError> for Failure {
    fn from(e: RopakeError) -> Self {
        match e {
            RopakeError::UnknownKeyId { .. } => Failure::new("KeyError", e.to_string()),
            RopakeError::Expired { .. } => Failure::new("TimeoutError", e.to_string()),
            RopakeError::Asymmetric(a) => a.into(),
            RopakeError::NotRegistered => Failure::new("ValueError", e.to_string()),
            other => Failure::new(error_class_of(&other), other.to_string()),
        }
    }
}

fn error_class_of(e: &RopakeError) -> &'static str {
    match e {
        RopakeError::Db(_)
        | RopakeError::Store(_)
        | RopakeError::StoreIo { .. }
        | RopakeError::StoreCorrupt { .. }
        | RopakeError::Random(_) => "OSError",
        RopakeError::ClientState { .. } => "RuntimeError",
        _ => "ValueError",
    }
}

/// Every role (the reference's aliases of the Ropake login roles are
/// mapped onto these first).
const ROLES: [&str; 13] = [
    "x25519-keygen",
    "x25519-exchange",
    "ed25519-keygen",
    "ed25519-sign",
    "ed25519-verify",
    "dh2-client",
    "dh3-client",
    "dh2-server",
    "dh3-server",
    "ropake-client-registration",
    "ropake-client",
    "ropake-server-registration",
    "ropake-server",
];

/// What a role's run ends with: the result fields, or the failing step
/// and its error.
type Outcome = Result<Vec<(PyValue, PyValue)>, (&'static str, Failure)>;

/// Runs `aiootp peer`; returns the process exit status.
pub fn run(args: &PeerArgs) -> u8 {
    let mut io = Lines::new();
    let outcome = (|| -> Result<Outcome, Abort> {
        let config = parse_config(&args.config)?;
        let role = match args.role.as_str() {
            "ropake-client-authentication" => "ropake-client",
            "ropake-server-authentication" => "ropake-server",
            other => other,
        };
        // The static name: one-shot roles report it as their error step.
        let Some(role) = ROLES.iter().copied().find(|r| *r == role) else {
            return Err(Abort::Malformed(format!("unknown role {:?}", args.role)));
        };
        match role {
            "dh2-client" | "dh3-client" => dh_client(role, &config, &mut io),
            "dh2-server" | "dh3-server" => dh_server(role, &config, &mut io),
            "ropake-client-registration" | "ropake-client" => ropake_client(role, &config, &mut io),
            "ropake-server-registration" | "ropake-server" => ropake_server(role, &config, &mut io),
            _ => one_shot(role, &mut io),
        }
    })();
    let line = match outcome {
        Ok(Ok(mut fields)) => {
            let mut pairs = vec![
                (PyValue::from("type"), PyValue::from("result")),
                (PyValue::from("ok"), PyValue::Bool(true)),
            ];
            pairs.append(&mut fields);
            PyValue::Dict(pairs)
        }
        Ok(Err((step, failure))) => PyValue::Dict(vec![
            (PyValue::from("type"), PyValue::from("error")),
            (PyValue::from("ok"), PyValue::Bool(false)),
            (PyValue::from("step"), PyValue::from(step)),
            (
                PyValue::from("error_type"),
                PyValue::from(failure.error_type),
            ),
            (
                PyValue::from("error_message"),
                PyValue::from(failure.error_message),
            ),
        ]),
        Err(Abort::Malformed(why)) => {
            eprintln!("aiootp peer: {why}");
            return 2;
        }
        Err(Abort::OutputClosed) => return 3,
    };
    match io.emit(&line) {
        Ok(()) => 0,
        Err(_) => 3,
    }
}

/// JSON lines on stdin and stdout.
struct Lines {
    input: std::io::StdinLock<'static>,
}

impl Lines {
    fn new() -> Self {
        Self {
            input: std::io::stdin().lock(),
        }
    }

    fn emit(&mut self, value: &PyValue) -> Result<(), Abort> {
        let text = pyjson::dumps(value).map_err(|e| Abort::Malformed(e.to_string()))?;
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush())
            .map_err(|_| Abort::OutputClosed)
    }

    fn message(&mut self, step: &str, body: PyValue) -> Result<(), Abort> {
        self.emit(&PyValue::Dict(vec![
            (PyValue::from("type"), PyValue::from("message")),
            (PyValue::from("step"), PyValue::from(step)),
            (PyValue::from("body"), body),
        ]))
    }

    /// Reads one line (at most 16 MiB) as a JSON object.
    fn read_object(&mut self, what: &str) -> Result<PyValue, Abort> {
        const MAX: u64 = 16 << 20;
        let mut line = Vec::new();
        let n = std::io::Read::take(&mut self.input, MAX)
            .read_until(b'\n', &mut line)
            .map_err(|e| Abort::Malformed(format!("reading {what}: {e}")))?;
        if n == 0 {
            return Err(Abort::Malformed(format!("the input closed before {what}")));
        }
        let value = pyjson::loads_bytes(&line)
            .map_err(|e| Abort::Malformed(format!("unreadable {what}: {e}")))?;
        if !matches!(value, PyValue::Dict(_)) {
            return Err(Abort::Malformed(format!("{what} is not a JSON object")));
        }
        Ok(value)
    }

    /// Reads the peer's message: the bare body or a `message` line.
    fn read_message(&mut self) -> Result<PyValue, Abort> {
        let value = self.read_object("the peer's message")?;
        match field(&value, "type") {
            Some(PyValue::Str(t)) if t == "message" => match field(&value, "body") {
                Some(body) => Ok(body.clone()),
                None => Ok(value),
            },
            Some(PyValue::Str(t)) if t == "result" || t == "error" => {
                Err(Abort::Malformed(format!(
                    "the peer finished instead of answering: {}",
                    line_text(&value)
                )))
            }
            _ => Ok(value),
        }
    }
}

fn line_text(value: &PyValue) -> String {
    pyjson::dumps(value).unwrap_or_default()
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

fn text_field<'a>(value: &'a PyValue, name: &str) -> Result<Option<&'a str>, Abort> {
    match field(value, name) {
        None | Some(PyValue::None) => Ok(None),
        Some(PyValue::Str(s)) => Ok(Some(s)),
        Some(_) => Err(Abort::Malformed(format!("{name} must be text"))),
    }
}

fn required_text<'a>(value: &'a PyValue, name: &str) -> Result<&'a str, Abort> {
    text_field(value, name)?.ok_or_else(|| Abort::Malformed(format!("missing field '{name}'")))
}

fn hex_field(value: &PyValue, name: &str) -> Result<Vec<u8>, Abort> {
    let text = text_field(value, name)?.unwrap_or("");
    decode_hex(text).ok_or_else(|| Abort::Malformed(format!("{name} is not hex")))
}

fn hex(bytes: &[u8]) -> PyValue {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    PyValue::Str(s)
}

fn pair(name: &str, value: PyValue) -> (PyValue, PyValue) {
    (PyValue::from(name), value)
}

fn parse_config(text: &str) -> Result<PyValue, Abort> {
    let text = match text.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Abort::Malformed(format!("config file {path}: {e}")))?,
        None => text.to_owned(),
    };
    let value =
        pyjson::loads(&text).map_err(|e| Abort::Malformed(format!("config is not JSON: {e}")))?;
    if !matches!(value, PyValue::Dict(_)) {
        return Err(Abort::Malformed("config must be a JSON object".into()));
    }
    Ok(value)
}

/// The randomness of a run: the OS, or the deterministic mode of `fixed`.
enum Randomness {
    Os(OsEntropy),
    Fixed(Box<FixedEntropy>),
}

impl Randomness {
    fn of(config: &PyValue, ephemeral: Option<&str>) -> Result<Self, Abort> {
        let fixed = match field(config, "fixed") {
            None | Some(PyValue::None) => None,
            Some(spec) => Some(spec.clone()),
        };
        let fixed = match (fixed, ephemeral) {
            (None, None) => return Ok(Self::Os(OsEntropy)),
            (spec, eph) => {
                let mut spec = spec.unwrap_or(PyValue::Dict(Vec::new()));
                if let (Some(eph), PyValue::Dict(pairs)) = (eph, &mut spec) {
                    // A configured ephemeral key is drawn first.
                    let mut list = vec![PyValue::from(eph)];
                    if let Some(pos) = pairs
                        .iter()
                        .position(|(k, _)| matches!(k, PyValue::Str(s) if s == "x25519"))
                        && let (_, PyValue::List(rest)) = pairs.remove(pos)
                    {
                        list.extend(rest);
                    }
                    pairs.push((PyValue::from("x25519"), PyValue::List(list)));
                }
                FixedEntropy::from_value(&spec)
                    .map_err(|e| Abort::Malformed(format!("fixed: {e}")))?
            }
        };
        Ok(Self::Fixed(Box::new(fixed)))
    }

    fn entropy(&mut self) -> &mut dyn Entropy {
        match self {
            Self::Os(e) => e,
            Self::Fixed(f) => f.as_mut(),
        }
    }

    fn x25519(&mut self) -> Result<X25519, Failure> {
        let secret = self
            .entropy()
            .x25519_secret()
            .map_err(|e| Failure::new("OSError", e.to_string()))?;
        Ok(X25519::from_secret_array(*secret))
    }

    fn used(&self) -> Option<(PyValue, PyValue)> {
        match self {
            Self::Os(_) => None,
            Self::Fixed(f) => Some(pair("fixed_used", f.fixed_used().to_value())),
        }
    }
}

// ------------------------------------------------------------ one-shot roles

fn one_shot(role: &'static str, io: &mut Lines) -> Result<Outcome, Abort> {
    let req = io.read_object("the request")?;
    let failed = |f: Failure| Ok(Err((role, f)));
    match role {
        "x25519-keygen" => {
            let key = match text_field(&req, "secret_key")? {
                Some(s) if !s.is_empty() => {
                    X25519::from_secret_bytes(&hex_field(&req, "secret_key")?)
                }
                _ => X25519::generate(),
            };
            match key {
                Ok(k) => Ok(Ok(vec![
                    pair("secret_key", hex(k.expose_secret())),
                    pair("public_key", hex(k.public_key().as_bytes())),
                ])),
                Err(e) => failed(e.into()),
            }
        }
        "ed25519-keygen" => {
            let key = match text_field(&req, "secret_key")? {
                Some(s) if !s.is_empty() => {
                    Ed25519::from_secret_bytes(&hex_field(&req, "secret_key")?)
                }
                _ => Ed25519::generate(),
            };
            match key {
                Ok(k) => Ok(Ok(vec![
                    pair("secret_key", hex(k.expose_secret())),
                    pair("public_key", hex(k.public_key().as_bytes())),
                ])),
                Err(e) => failed(e.into()),
            }
        }
        "x25519-exchange" => {
            let secret = hex_field(&req, "secret_key")?;
            let public = hex_field(&req, "public_key")?;
            let run = || -> Result<Vec<(PyValue, PyValue)>, AsymmetricError> {
                let key = X25519::from_secret_bytes(&secret)?;
                let shared = key.exchange(&X25519PublicKey::from_bytes(&public)?)?;
                Ok(vec![
                    pair("public_key", hex(key.public_key().as_bytes())),
                    pair("shared_key", hex(shared.expose_secret())),
                ])
            };
            match run() {
                Ok(fields) => Ok(Ok(fields)),
                Err(e) => failed(e.into()),
            }
        }
        "ed25519-sign" => {
            let secret = hex_field(&req, "secret_key")?;
            let message = hex_field(&req, "message")?;
            match Ed25519::from_secret_bytes(&secret) {
                Ok(k) => Ok(Ok(vec![
                    pair("public_key", hex(k.public_key().as_bytes())),
                    pair("signature", hex(k.sign(&message).as_bytes())),
                ])),
                Err(e) => failed(e.into()),
            }
        }
        _ => {
            // ed25519-verify
            let public = hex_field(&req, "public_key")?;
            let message = hex_field(&req, "message")?;
            let signature = hex_field(&req, "signature")?;
            let key = match Ed25519PublicKey::from_bytes(&public) {
                Ok(k) => k,
                Err(e) => return failed(e.into()),
            };
            match key.verify(&signature, &message) {
                Ok(()) => Ok(Ok(vec![pair("valid", PyValue::Bool(true))])),
                Err(e) => {
                    let f = Failure::from(e);
                    Ok(Ok(vec![
                        pair("valid", PyValue::Bool(false)),
                        pair("error_type", PyValue::from(f.error_type)),
                        pair("error_message", PyValue::from(f.error_message)),
                    ]))
                }
            }
        }
    }
}

// ------------------------------------------------------------ 2DH / 3DH roles

fn identity(config: &PyValue) -> Result<Result<X25519, Failure>, Abort> {
    Ok(match text_field(config, "identity")? {
        Some(s) if !s.is_empty() => {
            X25519::from_secret_bytes(&hex_field(config, "identity")?).map_err(Failure::from)
        }
        _ => X25519::generate().map_err(Failure::from),
    })
}

fn kdf_fields(kdf: &Kdf) -> Vec<(PyValue, PyValue)> {
    vec![
        pair("kdf_digest", hex(&kdf.digest())),
        pair("kdf_name", PyValue::from(kdf.name())),
    ]
}

fn public_key_of(body: &PyValue, name: &str) -> Result<X25519PublicKey, Failure> {
    match field(body, name) {
        Some(PyValue::Str(s)) => X25519PublicKey::from_hex(s).map_err(Failure::from),
        Some(_) => Err(Failure::new(
            "TypeError",
            format!("{name} must be hex text"),
        )),
        None => Err(Failure::new("KeyError", format!("'{name}'"))),
    }
}

/// The client's second step, once its hello is out.
type FinishClient = Box<dyn FnOnce(&DhResponse) -> Result<Kdf, AsymmetricError>>;

fn dh_client(role: &str, config: &PyValue, io: &mut Lines) -> Result<Outcome, Abort> {
    let mut rng = Randomness::of(config, text_field(config, "ephemeral")?)?;
    let three = role == "dh3-client";
    let ident = if three { Some(identity(config)?) } else { None };
    let step = "client_hello";
    let ephemeral = match rng.x25519() {
        Ok(e) => e,
        Err(f) => return Ok(Err((step, f))),
    };
    let mut out = Vec::new();
    let finish: FinishClient = match ident {
        None => {
            let client = Dh2Client::with_ephemeral(ephemeral);
            let hello = client.hello();
            out.push(pair("public_key_d", hex(hello.public_key_d.as_bytes())));
            Box::new(move |r| client.finish(r))
        }
        Some(Err(f)) => return Ok(Err((step, f))),
        Some(Ok(identity)) => {
            let client = Dh3Client::with_ephemeral(identity, ephemeral);
            let hello = client.hello();
            out.push(pair("public_key_b", hex(hello.public_key_b.as_bytes())));
            out.push(pair("public_key_d", hex(hello.public_key_d.as_bytes())));
            Box::new(move |r| client.finish(r))
        }
    };
    io.message(step, PyValue::Dict(out.clone()))?;
    let step = "server_response";
    let body = io.read_message()?;
    let response = match (
        public_key_of(&body, "public_key_a"),
        public_key_of(&body, "public_key_c"),
    ) {
        (Ok(a), Ok(c)) => DhResponse {
            public_key_a: a,
            public_key_c: c,
        },
        (Err(f), _) | (_, Err(f)) => return Ok(Err((step, f))),
    };
    match finish(&response) {
        Ok(kdf) => {
            out.extend(kdf_fields(&kdf));
            out.extend(rng.used());
            Ok(Ok(out))
        }
        Err(e) => Ok(Err((step, e.into()))),
    }
}

fn dh_server(role: &str, config: &PyValue, io: &mut Lines) -> Result<Outcome, Abort> {
    let mut rng = Randomness::of(config, text_field(config, "ephemeral")?)?;
    let ident = identity(config)?;
    let step = "client_hello";
    let body = io.read_message()?;
    let ident = match ident {
        Ok(i) => i,
        Err(f) => return Ok(Err((step, f))),
    };
    let step = "server_response";
    let ephemeral = match rng.x25519() {
        Ok(e) => e,
        Err(f) => return Ok(Err((step, f))),
    };
    let responded = if role == "dh2-server" {
        match public_key_of(&body, "public_key_d") {
            Ok(d) => Ok(Dh2Server::new(ident)
                .respond_with_ephemeral(&Dh2Hello { public_key_d: d }, ephemeral)),
            Err(f) => Err(f),
        }
    } else {
        match (
            public_key_of(&body, "public_key_b"),
            public_key_of(&body, "public_key_d"),
        ) {
            (Ok(b), Ok(d)) => Dh3Server::new(ident)
                .respond_with_ephemeral(
                    &Dh3Hello {
                        public_key_b: b,
                        public_key_d: d,
                    },
                    ephemeral,
                )
                .map_err(Failure::from),
            (Err(f), _) | (_, Err(f)) => Err(f),
        }
    };
    let (response, pending) = match responded {
        Ok(r) => r,
        Err(f) => return Ok(Err((step, f))),
    };
    let mut out = vec![
        pair("public_key_a", hex(response.public_key_a.as_bytes())),
        pair("public_key_c", hex(response.public_key_c.as_bytes())),
    ];
    io.message(step, PyValue::Dict(out.clone()))?;
    match pending.finish() {
        Ok(kdf) => {
            out.extend(kdf_fields(&kdf));
            out.extend(rng.used());
            Ok(Ok(out))
        }
        Err(e) => Ok(Err(("finish", e.into()))),
    }
}

// ------------------------------------------------------------ Ropake roles

fn keys_fields(keys: &SessionKeys) -> Vec<(PyValue, PyValue)> {
    vec![
        pair("key", PyValue::from(keys.expose_key())),
        pair("key_id", PyValue::from(keys.key_id())),
        pair("session_key", PyValue::from(keys.expose_session_key())),
    ]
}

fn ttl_of(config: &PyValue) -> Result<u64, Abort> {
    match field(config, "ttl") {
        None | Some(PyValue::None) => Ok(0),
        Some(PyValue::Int(n)) => n
            .to_u64()
            .ok_or_else(|| Abort::Malformed("ttl must be a whole number of seconds".into())),
        Some(_) => Err(Abort::Malformed("ttl must be an integer".into())),
    }
}

fn open_client_database(config: &PyValue) -> Result<Result<Database, Failure>, Abort> {
    let dir = required_text(config, "directory")?;
    let key = match field(config, "key") {
        Some(v) => Key::from_value(v),
        None => {
            return Err(Abort::Malformed(
                "config needs 'key' for the client database".into(),
            ));
        }
    };
    let depth = match field(config, "password_depth") {
        None | Some(PyValue::None) => 0,
        Some(PyValue::Int(n)) => n
            .to_u64()
            .ok_or_else(|| Abort::Malformed("password_depth must be >= 0".into()))?,
        Some(_) => return Err(Abort::Malformed("password_depth must be an integer".into())),
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| Abort::Malformed(format!("client directory {dir}: {e}")))?;
    // As the reference: another key opens a new, empty database (and a
    // login from it then fails as unregistered).
    Ok(OpenOptions::new()
        .password_depth(depth)
        .create(true)
        .open(PathBuf::from(dir), &key)
        .map_err(|e| Failure::from(RopakeError::Db(e))))
}

fn ropake_client(role: &str, config: &PyValue, io: &mut Lines) -> Result<Outcome, Abort> {
    let mut rng = Randomness::of(config, None)?;
    let ttl = ttl_of(config)?;
    let registration = role == "ropake-client-registration";
    let step = "client_hello";
    let mut db = match open_client_database(config)? {
        Ok(db) => db,
        Err(f) => return Ok(Err((step, f))),
    };
    enum Pending {
        Registration(ClientRegistration),
        Login(ClientLogin),
    }
    let started = if registration {
        ClientRegistration::start(&mut db, rng.entropy())
            .map(|(c, hello)| (Pending::Registration(c), hello.to_value()))
    } else {
        ClientLogin::start(&mut db, ttl, rng.entropy())
            .map(|(c, hello)| (Pending::Login(c), hello.to_value()))
    };
    let (pending, hello) = match started {
        Ok(s) => s,
        Err(e) => return Ok(Err((step, e.into()))),
    };
    io.message(step, hello)?;
    let step = "server_response";
    let body = io.read_message()?;
    let finished = match pending {
        Pending::Registration(client) => {
            RegistrationResponse::from_value(&body).and_then(|r| client.finish(&mut db, &r))
        }
        Pending::Login(client) => {
            LoginResponse::from_value(&body).and_then(|r| client.finish(&mut db, &r, rng.entropy()))
        }
    };
    let keys = match finished {
        Ok(k) => k,
        Err(e) => return Ok(Err((step, e.into()))),
    };
    let mut out = keys_fields(&keys);
    out.push(pair(
        "root_key",
        PyValue::from(db.derived_keys().root().expose_root_key()),
    ));
    match db.to_map() {
        Ok(map) => out.push(pair("db", map)),
        Err(e) => return Ok(Err(("finish", RopakeError::Db(e).into()))),
    }
    out.extend(rng.used());
    Ok(Ok(out))
}

/// The server's record store of a run.
enum Records {
    File(JsonFileRecords),
    Database(Box<Database>),
}

impl Records {
    fn open(config: &PyValue) -> Result<Result<Self, Failure>, Abort> {
        if let Some(store) = field(config, "store") {
            let dir = required_text(store, "directory")?;
            let key = match field(store, "key") {
                Some(v) => Key::from_value(v),
                None => return Err(Abort::Malformed("store needs 'key'".into())),
            };
            std::fs::create_dir_all(dir)
                .map_err(|e| Abort::Malformed(format!("store directory {dir}: {e}")))?;
            return Ok(OpenOptions::new()
                .create(true)
                .open(PathBuf::from(dir), &key)
                .map(|db| Self::Database(Box::new(db)))
                .map_err(|e| Failure::from(RopakeError::Db(e))));
        }
        let path = text_field(config, "state")?
            .ok_or_else(|| Abort::Malformed("server roles need 'state' or 'store'".into()))?;
        Ok(JsonFileRecords::open(path)
            .map(Self::File)
            .map_err(Failure::from))
    }

    fn store(&mut self) -> &mut dyn RecordStore {
        match self {
            Self::File(f) => f,
            Self::Database(d) => d.as_mut(),
        }
    }

    /// Persists the records (the JSON file is rewritten by every change;
    /// a database store is saved here).
    fn save(&mut self) -> Result<(), Failure> {
        match self {
            Self::File(f) => f.save().map_err(Failure::from),
            Self::Database(d) => d.save().map_err(|e| Failure::from(RopakeError::Db(e))),
        }
    }

    fn dump(&mut self) -> Result<PyValue, Failure> {
        match self {
            Self::File(f) => Ok(f.records().to_value()),
            Self::Database(d) => d.to_map().map_err(|e| Failure::from(RopakeError::Db(e))),
        }
    }
}

fn has_field(value: &PyValue, name: &str) -> bool {
    field(value, name).is_some()
}

fn ropake_server(role: &str, config: &PyValue, io: &mut Lines) -> Result<Outcome, Abort> {
    let mut rng = Randomness::of(config, None)?;
    let ttl = ttl_of(config)?;
    let step = "client_hello";
    let hello = io.read_message()?;
    let mut records = match Records::open(config)? {
        Ok(r) => r,
        Err(f) => return Ok(Err((step, f))),
    };
    let step = "server_response";
    let ran = if role == "ropake-server-registration" {
        if !has_field(&hello, "pub") {
            return Ok(Err((
                step,
                Failure::new(
                    "AttributeError",
                    "'Namespace' object has no attribute 'pub'",
                ),
            )));
        }
        RegistrationHello::from_value(&hello).and_then(|h| {
            server_registration(&h, records.store(), rng.entropy())
                .map(|(response, keys)| (response.to_value(), keys))
        })
    } else {
        if !has_field(&hello, "key_id") {
            return Ok(Err((step, Failure::new("KeyError", "'key_id'"))));
        }
        LoginHello::from_value(&hello).and_then(|h| {
            server_login(&h, records.store(), ttl, rng.entropy())
                .map(|(response, keys)| (response.to_value(), keys))
        })
    };
    let (response, keys) = match ran {
        Ok(r) => r,
        Err(e) => return Ok(Err((step, e.into()))),
    };
    if let Err(f) = records.save() {
        return Ok(Err((step, f)));
    }
    io.message(step, response)?;
    let mut out = keys_fields(&keys);
    match records.dump() {
        Ok(state) => out.push(pair("state", state)),
        Err(f) => return Ok(Err(("finish", f))),
    }
    out.extend(rng.used());
    Ok(Ok(out))
}
