//! `aiootp keygen`.

use aiootp::compat::Key;

use crate::cli::KeygenArgs;
use crate::error::CliError;
use crate::io::{atomic_write, write_output};

/// Writes a new random key.
pub fn run(args: &KeygenArgs) -> Result<(), CliError> {
    if args.ed25519 || args.x25519 {
        return crate::sign::keygen(args);
    }
    let key = Key::generate()?;
    let mut text = zeroize::Zeroizing::new(key.expose_secret().to_owned());
    text.push('\n');
    match &args.output {
        Some(path) => {
            if path.exists() {
                return Err(CliError::Usage(format!(
                    "{}: already exists; not overwriting a key file",
                    path.display()
                )));
            }
            atomic_write(path, text.as_bytes(), true)
        }
        None => write_output(None, text.as_bytes()),
    }
}
