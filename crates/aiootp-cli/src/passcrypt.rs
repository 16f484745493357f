//! `aiootp passcrypt`: the password hash of aiootp 0.17.0, printed as the
//! reference returns it (128 lowercase hex characters, one line).

use aiootp::compat::PyValue;
use aiootp::compat::passcrypt::{Password, passcrypt};
use zeroize::Zeroizing;

use crate::cli::PasscryptArgs;
use crate::error::CliError;
use crate::io::{read_secret_text, write_output};

/// Reads the password file: its text, exactly, with one trailing newline
/// (`\n`) dropped; a `\r` before it is part of the password.
fn read_password(args: &PasscryptArgs) -> Result<Password, CliError> {
    let text = read_secret_text(&args.password_file, "password")?;
    Ok(Password::new(&text))
}

/// Hashes the password file's text with the salt text and prints the
/// result. The reference's checks apply in its order: an empty password
/// or salt, then the settings.
pub fn run(args: &PasscryptArgs) -> Result<(), CliError> {
    let password = read_password(args)?;
    let salt = PyValue::Str(args.salt.clone());
    let hash = passcrypt(&password, &salt, args.kb, args.cpu, args.hardness)
        .map_err(aiootp::Error::from)?;
    let mut line = Zeroizing::new(String::with_capacity(129));
    line.push_str(hash.expose_secret());
    line.push('\n');
    write_output(None, line.as_bytes())
}
