//! Command-line syntax (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Encryption (AOT2 for new data), keys and an encrypted store; compatible
/// with Python aiootp 0.17.0.
#[derive(Debug, Parser)]
#[command(name = "aiootp", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a new random key (128 hex characters, aiootp's key form).
    Keygen(KeygenArgs),
    /// Encrypt a file or stdin.
    Encrypt(CipherArgs),
    /// Decrypt and authenticate a file or stdin; nothing is written unless
    /// the whole message verifies.
    Decrypt(DecryptArgs),
    /// Hash a password with passcrypt (aiootp 0.17.0's password KDF) and
    /// print the result as 128 hex characters.
    Passcrypt(PasscryptArgs),
    /// Read and change an encrypted database (aiootp 0.17.0 directories),
    /// opened with a key file or a password profile.
    Db(crate::db::DbArgs),
    /// Sign a file or stdin with an Ed25519 key file (from `keygen
    /// --ed25519`); prints the 64-byte signature as hex.
    Sign(crate::sign::SignArgs),
    /// Verify an Ed25519 signature of a file or stdin; exit status 0 when
    /// valid, 1 when not.
    Verify(crate::sign::VerifyArgs),
    /// Play one role of an X25519 / Ed25519 / 2DH / 3DH / Ropake exchange
    /// over stdin/stdout, one JSON object per line (the reference peer's
    /// roles and lines).
    Peer(crate::peer::PeerArgs),
    /// A Ropake service over TCP: `serve`, and the client's `register` and
    /// `login` (JSON lines; see `aiootp ropake --help` for the security
    /// notes).
    Ropake(crate::ropake::RopakeArgs),
    /// A tour of what the library does, in a temporary directory.
    Demo,
}

/// `aiootp keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write the key to FILE (created with mode 0600; refuses to overwrite).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Make an Ed25519 signing key (64 hex characters) instead of a cipher
    /// key; its public key is printed (stdout with -o, else stderr).
    #[arg(long, conflicts_with = "x25519")]
    pub ed25519: bool,
    /// Make an X25519 key (64 hex characters) instead of a cipher key; its
    /// public key is printed (stdout with -o, else stderr).
    #[arg(long)]
    pub x25519: bool,
}

/// Ciphertext formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// AOT2, the hardened streaming format (`docs/format-aot2.md`): binary,
    /// a multiple of 256 bytes, no header; needs a key of at least 32
    /// bytes (a hex key file from `aiootp keygen`) or a password file.
    Aot2,
    /// aiootp 0.17.0 dictionary JSON: {"ciphertext": [...], "hmac": ..., "salt": ...}.
    Compat,
    /// aiootp 0.17.0 bytes form: hmac ‖ salt ‖ 256-byte blocks.
    CompatBytes,
    /// aiootp 0.17.0 URL-safe ASCII form (a base-64 number).
    CompatAscii,
}

/// Options shared by `encrypt` and `decrypt`.
#[derive(Debug, Args)]
pub struct CipherArgs {
    /// The key file: its text is the key, exactly (one trailing newline is
    /// dropped). AOT2 uses the bytes its hex text decodes to (at least 32).
    #[arg(long, value_name = "F", required_unless_present = "password_file")]
    pub key_file: Option<PathBuf>,
    /// AOT2 only: a password file instead of a key (one trailing newline is
    /// dropped); each message's key is passcrypt(password, its salt) with
    /// fixed settings (64 MiB, cpu 3, hardness 1024), stored nowhere.
    #[arg(long, value_name = "F", conflicts_with = "key_file")]
    pub password_file: Option<PathBuf>,
    /// Ciphertext format: `aot2` (the default, for new data) or one of the
    /// aiootp 0.17.0 forms, to exchange data with Python aiootp.
    #[arg(long, value_enum, default_value_t = Format::Aot2)]
    pub format: Format,
    /// The pid (stream separation value) as JSON: `0`, `"chat:1"`, ... For
    /// AOT2 the context is the value's JSON text (Python's json.dumps form;
    /// none by default); the compat formats default to `0`. Decryption must
    /// repeat it.
    #[arg(long, value_name = "JSON", allow_hyphen_values = true)]
    pub pid: Option<String>,
    /// Treat the plaintext as a JSON value (encrypted as Python's json.dumps text).
    #[arg(long)]
    pub json: bool,
    /// Write here instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Read this file instead of stdin.
    #[arg(value_name = "IN")]
    pub input: Option<PathBuf>,
    /// No progress bar (one is drawn on stderr for AOT2 inputs over 4 MiB
    /// of known size when stderr is a terminal).
    #[arg(short, long)]
    pub quiet: bool,
}

/// `aiootp decrypt`.
#[derive(Debug, Args)]
pub struct DecryptArgs {
    /// Options shared with `encrypt`.
    #[command(flatten)]
    pub common: CipherArgs,
    /// Refuse messages older than this many seconds (0: no limit).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub ttl: i64,
}

/// `aiootp passcrypt`.
#[derive(Debug, Args)]
pub struct PasscryptArgs {
    /// The password file: its text is the password, exactly (one trailing
    /// newline is dropped).
    #[arg(long, value_name = "F")]
    pub password_file: PathBuf,
    /// The salt, as text (it may start with `-`).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub salt: String,
    /// Memory cost in KiB (at least `hardness`).
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub kb: u64,
    /// Passes over the memory (at least 2).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub cpu: u64,
    /// Least number of memory cells, and cell pairs in the result (at
    /// least 256).
    #[arg(long, value_name = "N", default_value_t = 1024)]
    pub hardness: u64,
}
