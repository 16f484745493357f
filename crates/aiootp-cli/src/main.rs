//! The `aiootp` command-line tool: keys, encryption and decryption (AOT2
//! for new data, and the formats of Python aiootp 0.17.0), an encrypted
//! database, signatures and key exchanges.
//!
//! Errors go to stderr as one line with exit status 1 (2 for command-line
//! syntax errors). A failed decryption never writes plaintext anywhere.

mod cipher;
mod cli;
mod db;
mod demo;
mod error;
mod io;
mod keygen;
mod passcrypt;
mod peer;
mod ropake;
mod sign;

use clap::Parser;

use cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen(args) => keygen::run(&args),
        Command::Encrypt(args) => cipher::encrypt(&args),
        Command::Decrypt(args) => cipher::decrypt(&args),
        Command::Demo => demo::run(),
        Command::Passcrypt(args) => passcrypt::run(&args),
        Command::Db(args) => db::run(&args),
        Command::Sign(args) => sign::sign(&args),
        Command::Verify(args) => sign::verify(&args),
        Command::Ropake(args) => ropake::run(&args),
        Command::Peer(args) => return std::process::ExitCode::from(peer::run(&args)),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aiootp: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
