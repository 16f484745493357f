//! The one way the CLI tests run the `aiootp` binary.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `aiootp ARGS` with `stdin` as its input and returns what it did.
/// Stdin is fed from another thread, so a child that streams (writing
/// output while input is still coming) cannot deadlock on full pipes; a
/// child that exits without reading all of it (a usage error) is not an
/// error here: its exit status is the test's concern.
pub fn aiootp(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aiootp"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn aiootp");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait for aiootp");
    feeder.join().expect("stdin feeder");
    out
}
