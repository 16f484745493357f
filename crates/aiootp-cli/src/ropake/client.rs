//! `aiootp ropake register` and `aiootp ropake login`: the client side
//! over TCP, on a compat client database.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use aiootp::compat::{PyValue, pyjson};
use aiootp::db::{Database, OpenOptions};
use aiootp::error::{DbError, RopakeError};
use aiootp::ropake::{
    ClientLogin, ClientRegistration, LoginResponse, OsEntropy, RegistrationResponse, SessionKeys,
};
use zeroize::Zeroizing;

use super::wire::{self, Reply};
use super::{ClientArgs, LoginArgs, RegisterArgs};
use crate::error::CliError;
use crate::io::read_key_file;

/// The longest reply line accepted (a login response is a few KiB).
const MAX_REPLY: usize = 64 * 1024;

fn fail(text: impl Into<String>) -> CliError {
    CliError::Usage(text.into())
}

fn ropake(e: RopakeError) -> CliError {
    CliError::Lib(e.into())
}

fn db_error(e: DbError) -> CliError {
    CliError::Lib(e.into())
}

/// `aiootp ropake register`.
pub(crate) fn register(args: &RegisterArgs) -> Result<(), CliError> {
    let common = &args.client;
    let key = read_key_file(&common.key_file)?;
    std::fs::create_dir_all(&common.dir).map_err(|source| CliError::File {
        path: common.dir.display().to_string(),
        source,
    })?;
    let mut db = OpenOptions::new()
        .password_depth(common.depth)
        .create(args.create)
        .open(&common.dir, &key)
        .map_err(db_error)?;
    if is_registered(&mut db)? && !args.again {
        return Err(fail(
            "this database is already registered: use `aiootp ropake login` \
             (`--again` registers it anew, leaving its old record on the server)",
        ));
    }
    let (client, hello) = ClientRegistration::start(&mut db, &mut OsEntropy).map_err(ropake)?;
    const UNSAVED: &str = "nothing was saved here (the server may keep an unused record)";
    let body = exchange(common, &hello.to_value()).map_err(|e| match e {
        Failed::Refused(_) | Failed::NotSent(_) => fail(format!("registration failed: {e}")),
        Failed::NoReply(_) => fail(format!("registration failed: {e}; {UNSAVED}")),
    })?;
    let response = RegistrationResponse::from_value(&body)
        .map_err(|e| fail(format!("registration failed: {e}; {UNSAVED}")))?;
    let keys = client.finish(&mut db, &response).map_err(ropake)?;
    print_keys(&keys, common.quiet)
}

/// `aiootp ropake login`.
pub(crate) fn login(args: &LoginArgs) -> Result<(), CliError> {
    let common = &args.client;
    let key = read_key_file(&common.key_file)?;
    let mut db = OpenOptions::new()
        .password_depth(common.depth)
        .must_exist(true)
        .open(&common.dir, &key)
        .map_err(|e| match e {
            DbError::NotFound { other_files: 0 } => {
                fail(format!("login: {e} (never registered here?)"))
            }
            DbError::NotFound { .. } => fail(format!("login: {e}")),
            other => db_error(other),
        })?;
    let (client, hello) = match ClientLogin::start(&mut db, args.ttl, &mut OsEntropy) {
        Ok(started) => started,
        Err(RopakeError::NotRegistered) => {
            return Err(fail(
                "login: this database holds no Ropake key: run `aiootp ropake register` first",
            ));
        }
        Err(e) => return Err(ropake(e)),
    };
    const OUT_OF_STEP: &str = "if the server took the login, it has moved to the next key \
                               and this client is locked out: register again";
    let body = exchange(common, &hello.to_value()).map_err(|e| match e {
        Failed::Refused(_) | Failed::NotSent(_) => fail(format!("login failed: {e}")),
        Failed::NoReply(_) => fail(format!("login failed: {e}; {OUT_OF_STEP}")),
    })?;
    let keys = LoginResponse::from_value(&body)
        .and_then(|response| client.finish(&mut db, &response, &mut OsEntropy))
        .map_err(|e| fail(format!("login failed: {e}; {OUT_OF_STEP}")))?;
    print_keys(&keys, common.quiet)
}

fn is_registered(db: &mut Database) -> Result<bool, CliError> {
    Ok(db
        .get_value("key")
        .map_err(db_error)?
        .is_some_and(PyValue::is_truthy))
}

fn print_keys(keys: &SessionKeys, quiet: bool) -> Result<(), CliError> {
    let mut pairs = vec![(PyValue::from("key_id"), PyValue::from(keys.key_id()))];
    if !quiet {
        pairs.push((
            PyValue::from("session_key"),
            PyValue::from(keys.expose_session_key()),
        ));
    }
    let text =
        Zeroizing::new(pyjson::dumps(&PyValue::Dict(pairs)).map_err(|e| CliError::Lib(e.into()))?);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", text.as_str())
        .and_then(|()| out.flush())
        .map_err(|e| fail(format!("stdout: {e}")))
}

/// Why an exchange failed.
enum Failed {
    /// Before the hello was sent: the server has seen nothing.
    NotSent(String),
    /// The server answered with an error: it changed nothing.
    Refused(String),
    /// The hello was (perhaps) received, but no usable reply came.
    NoReply(String),
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotSent(e) | Self::NoReply(e) => f.write_str(e),
            Self::Refused(e) => write!(f, "the server refused: {e}"),
        }
    }
}

/// Connects, sends the hello line and returns the reply's body.
fn exchange(args: &ClientArgs, hello: &PyValue) -> Result<PyValue, Failed> {
    let stream = connect(&args.connect, args.timeout).map_err(Failed::NotSent)?;
    let _ = stream.set_nodelay(true);
    wire::write_line(&stream, hello, args.timeout)
        .map_err(|e| Failed::NoReply(format!("cannot send to {}: {e}", args.connect)))?;
    let deadline = Instant::now() + args.timeout;
    let line = wire::read_line(&stream, MAX_REPLY, deadline)
        .map_err(|e| Failed::NoReply(format!("no reply from {}: {e}", args.connect)))?;
    let _ = stream.shutdown(std::net::Shutdown::Both);
    match wire::parse_reply(&line) {
        Ok(Reply::Message(body)) => Ok(body),
        Ok(Reply::Error(reason)) => Err(Failed::Refused(reason)),
        Err(e) => Err(Failed::NoReply(e)),
    }
}

/// Connects to the first address of `address` that answers.
fn connect(address: &str, timeout: Duration) -> Result<TcpStream, String> {
    let addresses = address
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {address}: {e}"))?;
    let mut last = format!("{address} resolves to no address");
    for a in addresses {
        match TcpStream::connect_timeout(&a, timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = format!("cannot connect to {a}: {e}"),
        }
    }
    Err(last)
}
