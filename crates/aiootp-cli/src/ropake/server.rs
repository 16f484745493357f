//! `aiootp ropake serve`: a Ropake server over TCP, one thread per
//! connection up to a cap, one exchange per connection.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use aiootp::compat::{PyValue, pyjson};
use aiootp::error::RopakeError;
use aiootp::ropake::{ClientHello, JsonFileRecords, OsEntropy, server_login, server_registration};

use super::ServeArgs;
use super::wire::{self, ReadError};
use crate::error::CliError;

/// How long a refused or finished connection may take to close.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// Writes one line to stderr (a closed stderr is ignored: the server
/// keeps serving).
fn log(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "aiootp ropake serve: {line}");
}

/// What every connection shares.
struct Server {
    /// The records; the whole server step (lookup, derivation, change,
    /// atomic save) runs under this lock.
    records: Mutex<JsonFileRecords>,
    ttl: u64,
    timeout: Duration,
    max_line: usize,
    registration_open: bool,
}

/// A connection's place in the cap, given back on drop.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs the server until the process is stopped.
pub(crate) fn serve(args: &ServeArgs) -> Result<(), CliError> {
    let lib = |e: RopakeError| CliError::Lib(e.into());
    let records = JsonFileRecords::open(&args.state).map_err(lib)?;
    // Fail now, not at the first client, if the state file cannot be
    // written (this also creates it).
    records.save().map_err(lib)?;
    let count = records.records().len();
    let listener = TcpListener::bind(args.listen.as_str())
        .map_err(|e| CliError::Usage(format!("cannot listen on {}: {e}", args.listen)))?;
    let address = listener
        .local_addr()
        .map_err(|e| CliError::Usage(format!("cannot read the bound address: {e}")))?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {address}")
            .and_then(|()| out.flush())
            .map_err(|e| CliError::Usage(format!("stdout: {e}")))?;
    }
    log(format_args!(
        "{count} record(s) in {}; login ttl {}; timeout {:?}; at most {} connections, {} bytes a line{}",
        args.state.display(),
        if args.ttl == 0 {
            "none".to_owned()
        } else {
            format!("{} s", args.ttl)
        },
        args.timeout,
        args.max_connections,
        args.max_line,
        if args.no_register {
            "; registrations closed"
        } else {
            ""
        },
    ));
    let server = Arc::new(Server {
        records: Mutex::new(records),
        ttl: args.ttl,
        timeout: args.timeout,
        max_line: args.max_line,
        registration_open: !args.no_register,
    });
    let active = Arc::new(AtomicUsize::new(0));
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) => {
                // E.g. out of file descriptors: wait a little, go on.
                log(format_args!("accept failed: {e}"));
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        if active.load(Ordering::SeqCst) >= args.max_connections {
            refuse_busy(&stream, args.timeout);
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let slot = Slot(Arc::clone(&active));
        let server = Arc::clone(&server);
        let spawned = std::thread::Builder::new()
            .name("ropake-connection".into())
            .spawn(move || {
                let _slot = slot;
                server.handle(&stream);
            });
        if let Err(e) = spawned {
            // The closure, its slot and the stream are dropped with it.
            log(format_args!("cannot start a connection thread: {e}"));
        }
    }
}

fn peer_of(stream: &TcpStream) -> String {
    stream
        .peer_addr()
        .map_or_else(|_| "(unknown peer)".to_owned(), |a| a.to_string())
}

fn refuse_busy(stream: &TcpStream, timeout: Duration) {
    let reply = wire::error("server busy: too many connections, try again later");
    let _ = wire::write_line(stream, &reply, timeout.min(CLOSE_WAIT));
    // Without waiting (this runs in the accept loop): drop what the
    // client has sent so far, so the close is less likely to be a reset
    // that discards the reply.
    wire::close_gracefully(stream, Duration::ZERO);
    log(format_args!(
        "{} refused: too many connections",
        peer_of(stream)
    ));
}

/// What a connection came to, for the log and the reply.
struct Outcome {
    reply: Option<PyValue>,
    log: String,
    /// A login or registration the store already took: a lost reply
    /// leaves the client out of step (spec §16.2 R4).
    committed: bool,
}

impl Outcome {
    fn refused(reply: &str, log: String) -> Self {
        Self {
            reply: Some(wire::error(reply)),
            log,
            committed: false,
        }
    }
}

impl Server {
    fn handle(&self, stream: &TcpStream) {
        let started = Instant::now();
        let peer = peer_of(stream);
        let _ = stream.set_nodelay(true);
        let outcome = self.exchange(stream);
        let mut line = outcome.log;
        if let Some(reply) = &outcome.reply
            && let Err(e) = wire::write_line(stream, reply, self.timeout)
        {
            line.push_str(&format!("; reply not delivered ({e})"));
            if outcome.committed {
                line.push_str(": the record has changed, the client is out of step (locked out)");
            }
        }
        wire::close_gracefully(stream, CLOSE_WAIT);
        let ms = started.elapsed().as_millis();
        log(format_args!("{peer} {line} ({ms} ms)"));
    }

    fn exchange(&self, stream: &TcpStream) -> Outcome {
        let deadline = Instant::now() + self.timeout;
        let line = match wire::read_line(stream, self.max_line, deadline) {
            Ok(line) => line,
            Err(ReadError::Closed) => {
                return Outcome {
                    reply: None,
                    log: "closed without a message".into(),
                    committed: false,
                };
            }
            Err(e) => return Outcome::refused(&e.to_string(), format!("refused: {e}")),
        };
        let value = match pyjson::loads_bytes(&line) {
            Ok(v) => v,
            Err(e) => {
                let why = format!("not JSON: {}", wire::one_line(&e.to_string(), 200));
                return Outcome::refused(&why, format!("refused: {why}"));
            }
        };
        let hello = match ClientHello::from_value(unwrap_envelope(&value)) {
            Ok(h) => h,
            Err(e) => {
                let why = wire::one_line(&e.to_string(), 200);
                return Outcome::refused(&why, format!("refused: {why}"));
            }
        };
        self.answer(&hello)
    }

    fn answer(&self, hello: &ClientHello) -> Outcome {
        if matches!(hello, ClientHello::Registration(_)) && !self.registration_open {
            let why = "this server does not take registrations";
            return Outcome::refused(why, format!("refused: {why}"));
        }
        let mut rng = OsEntropy;
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        match hello {
            ClientHello::Registration(h) => match server_registration(h, &mut *records, &mut rng) {
                Ok((response, keys)) => Outcome {
                    reply: Some(wire::message(response.to_value())),
                    log: format!("registered key_id {}", wire::short_id(keys.key_id())),
                    committed: true,
                },
                Err(e) => refusal("registration", &e),
            },
            ClientHello::Login(h) => match server_login(h, &mut *records, self.ttl, &mut rng) {
                Ok((response, keys)) => Outcome {
                    reply: Some(wire::message(response.to_value())),
                    log: format!(
                        "login key_id {} -> {}",
                        wire::short_id(h.key_id()),
                        wire::short_id(keys.key_id())
                    ),
                    committed: true,
                },
                Err(e) => {
                    let mut out = refusal("login", &e);
                    out.log
                        .push_str(&format!(" (key_id {})", wire::short_id(h.key_id())));
                    out
                }
            },
        }
    }
}

/// A hello may come bare or as `{"type": "message", "body": {...}}` (the
/// `aiootp peer` line form).
fn unwrap_envelope(value: &PyValue) -> &PyValue {
    match (wire::field(value, "type"), wire::field(value, "body")) {
        (Some(PyValue::Str(t)), Some(body)) if t == "message" => body,
        _ => value,
    }
}

/// The reply and log line of a refused exchange. Protocol errors are told
/// to the client (the reference's texts); the server's own failures
/// (state file, randomness) only to the log.
fn refusal(what: &str, e: &RopakeError) -> Outcome {
    let reason = match e {
        RopakeError::UnknownKeyId { .. } => {
            "unknown key_id: a replayed or stale login, or a client not registered here \
             (a client whose last login lost its response is locked out: register again)"
                .to_owned()
        }
        RopakeError::Authentication
        | RopakeError::Expired { .. }
        | RopakeError::Malformed { .. }
        | RopakeError::Asymmetric(_) => wire::one_line(&e.to_string(), 200),
        _ => {
            return Outcome::refused(
                "internal server error",
                format!("{what} failed: {}", wire::one_line(&e.to_string(), 300)),
            );
        }
    };
    Outcome::refused(&reason, format!("{what} refused: {reason}"))
}
