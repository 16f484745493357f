//! `aiootp ropake`: the Ropake protocol of aiootp 0.17.0 as a TCP service.
//!
//! ```text
//! aiootp ropake serve --listen ADDR --state FILE [--ttl S] [--timeout S]
//!                     [--max-connections N] [--max-line BYTES] [--no-register]
//! aiootp ropake register --connect ADDR --dir DIR --key-file F [--depth N] [--timeout S]
//!                        [--quiet] [--create] [--again]
//! aiootp ropake login    --connect ADDR --dir DIR --key-file F [--depth N] [--timeout S]
//!                        [--quiet] [--ttl S]
//! ```
//!
//! # Wire
//! One exchange per connection, one JSON object per line each way
//! (Python's `json.dumps` text; integers are exact, however long). The
//! client sends its hello, the reference's message body: a registration
//! `{"pub", "salt", "session_salt", "keyed_password"}` (the keyed password
//! a JSON integer) or a login `{"key_id", "ciphertext", "hmac", "salt"}`
//! (bare, or wrapped as `aiootp peer` writes it, `{"type": "message",
//! "body": {...}}`). The server tells them apart as the reference's
//! `is_registering` / `is_authenticating` do, answers one line,
//! `{"type": "message", "body": {...}}` (the reference's response; the
//! registration response's `pub` as 64 hex characters) or `{"type":
//! "error", "error": "<reason>"}`, and closes. So a Python client of the
//! reference can talk to this server with a socket and `json`, and the
//! reverse.
//!
//! # Server
//! `serve` prints `listening on ADDR` (the bound address: `--listen
//! 127.0.0.1:0` picks a free port) as its only stdout line, then serves
//! until it is stopped (Ctrl-C, SIGTERM), logging one line per connection
//! to stderr (peer, outcome, the first hex digits of key ids; never a key
//! or a password). Each connection gets its own thread, up to
//! `--max-connections` (more are told the server is busy); the hello must
//! arrive whole within `--timeout` of the connection, in at most
//! `--max-line` bytes; the reply is written within `--timeout`. Anything
//! else (a timeout, an overlong line, bad JSON, an unknown message, a
//! failed check) gets an error line and the connection is closed; the
//! server keeps running. The records (`--state`, the format of the `peer`
//! roles' state file: `{"<key_id>": {"key": "...", "keyed_password":
//! <int>}}`) are held in memory behind one lock, and every registration
//! or login runs its whole server step (lookup, checks, derivation,
//! insert/replace, atomic rewrite of the file) under that lock, so
//! concurrent clients see a consistent store and the file on disk is
//! always a complete state: stopping the server at any time loses at most
//! the exchange in progress.
//!
//! `--ttl` (default 60 s, 0: none) limits the age of a login hello by its
//! embedded timestamp (the client's clock); the reference's default is no
//! limit at all.
//!
//! # Client
//! `register` and `login` open the compat client database in `DIR` with
//! the key file's text as its key (as `aiootp db --key-file`; `--depth` is
//! the `password_depth`), run one exchange with connect, write and read
//! timeouts, and print one JSON line `{"key_id": "...", "session_key":
//! "..."}` (`--quiet`: the key id only). **The session key is a secret**:
//! it is printed so that a script can use it; keep stdout private. The
//! database is saved only when the exchange succeeded. `login` needs an
//! existing database (a wrong key file says so rather than opening an
//! empty one); `register` creates it (and refuses one already registered,
//! unless `--again`: the reference's re-registration).
//!
//! `login --ttl` limits the age of the server's response; it defaults to
//! 0 (none): when the response is refused the server has already moved to
//! the next key and the client is locked out, so a clock difference must
//! not cause that.
//!
//! # Security
//! Ropake is the reference's protocol, with its weaknesses (spec
//! `ropake.md` §16.2); it is not OPAQUE. In short:
//! * TCP carries plain JSON: anyone on the path sees every message, and
//!   the registration messages (including the keyed password) are in
//!   clear. Run it inside TLS, SSH or a VPN.
//! * R1: registration is trust on first use; an active attacker during
//!   registration can stay in the middle of every later login. Register
//!   only over a channel that authenticates the server. Registration is
//!   open to anyone who can connect (`--no-register` closes it).
//! * R2: the server's state file alone lets its holder log in as any
//!   client (and pose as the server): protect it like a password file
//!   (it is written with mode 0600).
//! * R3, R5: no key confirmation and responses not bound to their hello;
//!   a mismatch shows only at the next login.
//! * R4: the server replaces a record before the client has the response;
//!   a lost or rejected response locks the client out for good (the
//!   client says so; re-register).
//! * R6: freshness only through `--ttl`; R7: the account lives in the
//!   client database; R8: ad-hoc key derivation; R9: `key_id` in clear.

mod client;
mod server;
mod wire;

use std::path::PathBuf;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Args, Subcommand};

use crate::error::CliError;

const SECURITY: &str = "\
Security (Ropake as in aiootp 0.17.0, not OPAQUE; spec ropake.md §16.2):
  * TCP carries plain JSON: registration messages, including the keyed
    password, are in clear. Run it inside TLS, SSH or a VPN.
  * Registration is trust on first use (R1): register only over a channel
    that authenticates the server.
  * The server's state file alone lets its holder pose as any client (R2).
  * No key confirmation (R3); a lost or refused response locks the client
    out for good (R4): re-register.
  * The session key printed by register/login is a secret.";

/// `aiootp ropake`.
#[derive(Debug, Args)]
#[command(after_help = SECURITY)]
pub struct RopakeArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RopakeCommand,
}

/// The `ropake` subcommands.
#[derive(Debug, Subcommand)]
pub enum RopakeCommand {
    /// Serve registrations and logins over TCP (one JSON line each way per
    /// connection), keeping the records in a JSON state file.
    #[command(after_help = SECURITY)]
    Serve(ServeArgs),
    /// Register a client database with a server; prints {"key_id", "session_key"}.
    #[command(after_help = SECURITY)]
    Register(RegisterArgs),
    /// Log in with a registered client database (the key ratchets on both
    /// sides); prints {"key_id", "session_key"}.
    #[command(after_help = SECURITY)]
    Login(LoginArgs),
}

/// `aiootp ropake serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on, e.g. `127.0.0.1:7300` (port 0: any free
    /// port; the first stdout line tells which).
    #[arg(long, value_name = "ADDR")]
    pub listen: String,
    /// The records file (created if missing; rewritten atomically after
    /// every change; a secret: it lets its holder pose as any client).
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    /// Refuse login hellos older than this many seconds (0: no limit, the
    /// reference's default).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub ttl: u64,
    /// How long to wait for a client's whole hello, and to write the reply
    /// (seconds, fractions allowed).
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    pub timeout: Duration,
    /// The most connections served at once; more are refused as busy.
    #[arg(long, value_name = "N", default_value_t = 64,
          value_parser = RangedU64ValueParser::<usize>::new().range(1..=4096))]
    pub max_connections: usize,
    /// The longest hello accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024,
          value_parser = RangedU64ValueParser::<usize>::new().range(1024..=16 << 20))]
    pub max_line: usize,
    /// Refuse registrations (serve logins of the clients already in the
    /// state file only).
    #[arg(long)]
    pub no_register: bool,
}

/// Options of both client commands.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// The server's address, `HOST:PORT`.
    #[arg(long, value_name = "ADDR")]
    pub connect: String,
    /// The client database's directory.
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// The client database's key file: its text is the key, exactly (one
    /// trailing newline is dropped). It is the Ropake "password".
    #[arg(long, value_name = "F")]
    pub key_file: PathBuf,
    /// Key-stretching steps of the database (the reference's
    /// `password_depth`).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub depth: u64,
    /// How long to wait to connect, to send, and for the reply (seconds,
    /// fractions allowed).
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    pub timeout: Duration,
    /// Print only the key id, not the session key.
    #[arg(long)]
    pub quiet: bool,
}

/// `aiootp ropake register`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The connection and the client database.
    #[command(flatten)]
    pub client: ClientArgs,
    /// Start a new database even if other databases' files are in DIR
    /// (by default that is refused as a likely wrong key file or depth).
    #[arg(long)]
    pub create: bool,
    /// Register a database that is already registered (the reference's
    /// re-registration: its old record stays on the server).
    #[arg(long)]
    pub again: bool,
}

/// `aiootp ropake login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The connection and the client database.
    #[command(flatten)]
    pub client: ClientArgs,
    /// Refuse a server response older than this many seconds (0, the
    /// default: no limit; a refused response leaves this client locked
    /// out, since the server has already moved on).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub ttl: u64,
}

fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(value.is_finite() && value > 0.0 && value <= 86_400.0) {
        return Err("a timeout must be more than 0 and at most 86400 seconds".into());
    }
    Ok(Duration::from_secs_f64(value))
}

/// Runs `aiootp ropake ...`.
pub fn run(args: &RopakeArgs) -> Result<(), CliError> {
    match &args.command {
        RopakeCommand::Serve(a) => server::serve(a),
        RopakeCommand::Register(a) => client::register(a),
        RopakeCommand::Login(a) => client::login(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_parse() {
        assert_eq!(seconds("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(seconds("10"), Ok(Duration::from_secs(10)));
        for bad in ["0", "-1", "nan", "inf", "x", "1e9"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
    }
}
