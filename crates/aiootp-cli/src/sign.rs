//! `aiootp sign` and `aiootp verify`: Ed25519 (pure RFC 8032, as aiootp
//! 0.17.0 and every standard implementation), and the key kinds of
//! `aiootp keygen --ed25519 | --x25519`.
//!
//! ```text
//! aiootp keygen --ed25519 -o signing.key      # prints the public key
//! aiootp sign --key-file signing.key FILE     # prints the signature (128 hex)
//! aiootp verify --public-key HEX --signature HEX FILE
//! ```
//!
//! Key files hold 64 hex characters (the 32-byte secret; whitespace
//! between byte pairs is allowed, as Python's `bytes.fromhex`). The
//! message is signed as it is: no hashing, label or context is added,
//! so signatures verify with aiootp 0.17.0's `Ed25519().verify` and
//! any RFC 8032 implementation. Do not sign with the same key in two
//! protocols whose messages could be confused.

use std::path::PathBuf;

use aiootp::asymmetric::{Ed25519, Ed25519PublicKey, X25519};
use clap::Args;
use zeroize::Zeroizing;

use crate::cli::KeygenArgs;
use crate::error::CliError;
use crate::io::{atomic_write, decode_hex, read_input, read_secret_text, write_output};

/// `aiootp sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The Ed25519 secret key file (64 hex characters, from `aiootp keygen
    /// --ed25519`).
    #[arg(long, value_name = "F")]
    pub key_file: PathBuf,
    /// The message file (default: stdin).
    #[arg(value_name = "IN")]
    pub input: Option<PathBuf>,
}

/// `aiootp verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The signer's Ed25519 public key (64 hex characters).
    #[arg(long, value_name = "HEX")]
    pub public_key: String,
    /// The signature (128 hex characters).
    #[arg(long, value_name = "HEX")]
    pub signature: String,
    /// The message file (default: stdin).
    #[arg(value_name = "IN")]
    pub input: Option<PathBuf>,
}

fn lib(e: aiootp::error::AsymmetricError) -> CliError {
    CliError::Lib(e.into())
}

/// Signs the input; prints the signature as hex.
pub fn sign(args: &SignArgs) -> Result<(), CliError> {
    let text = read_secret_text(&args.key_file, "key")?;
    let key = Ed25519::from_secret_hex(text.trim_end_matches('\r')).map_err(|e| {
        CliError::Usage(format!(
            "{}: not an Ed25519 key file (64 hex characters): {e}",
            args.key_file.display()
        ))
    })?;
    let message = read_input(args.input.as_deref())?;
    let signature = key.sign(&message);
    write_output(None, format!("{}\n", signature.to_hex()).as_bytes())
}

/// Verifies the input's signature; `Ok` only when it is valid.
pub fn verify(args: &VerifyArgs) -> Result<(), CliError> {
    let key = Ed25519PublicKey::from_hex(args.public_key.trim())
        .map_err(|e| CliError::Usage(format!("--public-key: {e}")))?;
    let message = read_input(args.input.as_deref())?;
    let signature = decode_hex(args.signature.trim())
        .ok_or_else(|| CliError::Usage("--signature: not hex".into()))?;
    key.verify(&signature, &message).map_err(lib)?;
    write_output(None, b"valid\n")
}

/// `aiootp keygen --ed25519 | --x25519`: writes the secret key (64 hex)
/// and prints the public key.
pub fn keygen(args: &KeygenArgs) -> Result<(), CliError> {
    let (secret, public) = if args.ed25519 {
        let key = Ed25519::generate().map_err(lib)?;
        (key.secret_hex(), key.public_key().to_hex())
    } else {
        let key = X25519::generate().map_err(lib)?;
        (key.secret_hex(), key.public_key().to_hex())
    };
    let mut text = Zeroizing::new(secret.expose_secret().to_owned());
    text.push('\n');
    match &args.output {
        Some(path) => {
            if path.exists() {
                return Err(CliError::Usage(format!(
                    "{}: already exists; not overwriting a key file",
                    path.display()
                )));
            }
            atomic_write(path, text.as_bytes(), true)?;
            write_output(None, format!("{public}\n").as_bytes())
        }
        None => {
            write_output(None, text.as_bytes())?;
            eprintln!("public key: {public}");
            Ok(())
        }
    }
}
