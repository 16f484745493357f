//! The wire of `aiootp ropake`: one JSON object per line (Python's
//! `json.dumps` text, big integers exact), read with a length bound and a
//! deadline, written with a timeout.
//!
//! Replies of the server: `{"type": "message", "body": {...}}` or
//! `{"type": "error", "error": "<one line>"}`.

use std::fmt;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use aiootp::compat::{PyValue, pyjson};
use zeroize::Zeroizing;

/// Why no line could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The line is longer than the bound (bytes, newline excluded).
    TooLong(usize),
    /// The deadline passed before the line was complete.
    TimedOut,
    /// The peer closed the connection before sending anything.
    Closed,
    /// Another socket error.
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong(max) => write!(f, "message longer than {max} bytes"),
            Self::TimedOut => f.write_str("timed out waiting for a complete message"),
            Self::Closed => f.write_str("connection closed without a message"),
            Self::Io(e) => write!(f, "connection error: {e}"),
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Reads one line (without its `\n`, and without a `\r` before it) of at
/// most `max` bytes, finishing before `deadline`: each read waits only for
/// the time left, so a peer trickling bytes cannot hold the connection
/// past it. A last line cut by the end of the stream counts as a line.
/// Bytes after the newline are ignored (one message per connection).
pub(crate) fn read_line(
    stream: &TcpStream,
    max: usize,
    deadline: Instant,
) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let mut line = Zeroizing::new(Vec::new());
    let mut chunk = Zeroizing::new([0u8; 4096]);
    let mut reader = stream;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ReadError::TimedOut);
        }
        stream.set_read_timeout(Some(left)).map_err(ReadError::Io)?;
        let n = match reader.read(&mut chunk[..]) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => return Err(ReadError::TimedOut),
            Err(e) => return Err(ReadError::Io(e)),
        };
        let Some(got) = chunk.get(..n) else {
            return Err(ReadError::Io(std::io::Error::other("read past the buffer")));
        };
        if got.is_empty() {
            if line.is_empty() {
                return Err(ReadError::Closed);
            }
            break;
        }
        if let Some(end) = got.iter().position(|&b| b == b'\n') {
            line.extend_from_slice(got.get(..end).unwrap_or_default());
            break;
        }
        line.extend_from_slice(got);
        if line.len() > max {
            return Err(ReadError::TooLong(max));
        }
    }
    if line.len() > max {
        return Err(ReadError::TooLong(max));
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(line)
}

/// Writes `value` as one JSON line, waiting at most `timeout`.
pub(crate) fn write_line(
    stream: &TcpStream,
    value: &PyValue,
    timeout: Duration,
) -> std::io::Result<()> {
    let text = pyjson::dumps(value)
        .map(Zeroizing::new)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut bytes = Zeroizing::new(Vec::with_capacity(text.len() + 1));
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(b'\n');
    stream.set_write_timeout(Some(timeout))?;
    let mut writer = stream;
    writer.write_all(&bytes)?;
    writer.flush()
}

/// Closes a connection so that the peer reads what was written: stops
/// sending, then reads and drops what the peer still sends (at most
/// 1 MiB, at most `wait`), so that unread input does not turn the close
/// into a reset that could discard the reply. With a zero `wait`, only
/// what has already arrived is dropped.
pub(crate) fn close_gracefully(stream: &TcpStream, wait: Duration) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + wait;
    let mut sink = [0u8; 4096];
    let mut drained = 0usize;
    let mut reader = stream;
    if wait.is_zero() && stream.set_nonblocking(true).is_err() {
        return;
    }
    while drained < 1 << 20 {
        let left = deadline.saturating_duration_since(Instant::now());
        if !wait.is_zero() && (left.is_zero() || stream.set_read_timeout(Some(left)).is_err()) {
            break;
        }
        match reader.read(&mut sink) {
            Ok(0) => break,
            Ok(n) => drained += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

fn pair(name: &str, value: PyValue) -> (PyValue, PyValue) {
    (PyValue::from(name), value)
}

/// `{"type": "message", "body": body}`.
pub(crate) fn message(body: PyValue) -> PyValue {
    PyValue::Dict(vec![
        pair("type", PyValue::from("message")),
        pair("body", body),
    ])
}

/// `{"type": "error", "error": text}`.
pub(crate) fn error(text: &str) -> PyValue {
    PyValue::Dict(vec![
        pair("type", PyValue::from("error")),
        pair("error", PyValue::from(text)),
    ])
}

/// A dict's field (the last of duplicate names, as Python's `json`).
pub(crate) fn field<'a>(value: &'a PyValue, name: &str) -> Option<&'a PyValue> {
    match value {
        PyValue::Dict(pairs) => pairs
            .iter()
            .rev()
            .find(|(k, _)| matches!(k, PyValue::Str(s) if s == name))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// A server's reply.
pub(crate) enum Reply {
    /// The protocol message (`body`).
    Message(PyValue),
    /// The server refused, with its reason.
    Error(String),
}

/// Reads a server's reply line.
pub(crate) fn parse_reply(line: &[u8]) -> Result<Reply, String> {
    let value =
        pyjson::loads_bytes(line).map_err(|e| format!("the server's reply is not JSON: {e}"))?;
    match field(&value, "type") {
        Some(PyValue::Str(t)) if t == "message" => match field(&value, "body") {
            Some(body) => Ok(Reply::Message(body.clone())),
            None => Err("the server's reply has no body".into()),
        },
        Some(PyValue::Str(t)) if t == "error" => match field(&value, "error") {
            Some(PyValue::Str(text)) => Ok(Reply::Error(one_line(text, 300))),
            _ => Ok(Reply::Error("(no reason given)".into())),
        },
        _ => Err("the server's reply is neither a message nor an error".into()),
    }
}

/// `text` made safe for one log or terminal line: control characters
/// replaced by `?`, cut at `max` characters.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// A `key_id` for logs: its first 16 characters if it is hexadecimal
/// (key ids travel in clear; they are not secrets).
pub(crate) fn short_id(key_id: &str) -> String {
    if key_id.is_empty() || !key_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return "(not hex)".into();
    }
    let head: String = key_id.chars().take(16).collect();
    if key_id.len() > 16 {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_and_short_id() {
        assert_eq!(one_line("a\nb\u{1b}c", 10), "a?b?c");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(short_id(&"ab".repeat(64)), format!("{}…", "ab".repeat(8)));
        assert_eq!(short_id("x\n"), "(not hex)");
        assert_eq!(short_id(""), "(not hex)");
    }

    #[test]
    fn replies() {
        let line = pyjson::dumps(&message(PyValue::from("x"))).unwrap();
        assert!(
            matches!(parse_reply(line.as_bytes()), Ok(Reply::Message(PyValue::Str(s))) if s == "x")
        );
        let line = pyjson::dumps(&error("no\nway")).unwrap();
        assert!(matches!(parse_reply(line.as_bytes()), Ok(Reply::Error(s)) if s == "no?way"));
        assert!(parse_reply(b"{\"type\": 1}").is_err());
        assert!(parse_reply(b"\xff").is_err());
        assert!(parse_reply(b"{\"type\": \"message\"}").is_err());
    }
}
