//! `aiootp encrypt` and `aiootp decrypt`.

use aiootp::compat::{Ciphertext, DecryptOptions, EncryptOptions, PyValue, cipher, pyjson};
use zeroize::Zeroizing;

use crate::cli::{CipherArgs, DecryptArgs, Format};
use crate::error::CliError;

use crate::io::{read_input, read_key_file, write_output, write_output_with};

fn parse_pid(args: &CipherArgs) -> Result<PyValue, CliError> {
    pyjson::loads(&args.pid).map_err(|e| CliError::Usage(format!("--pid is not JSON: {e}")))
}

/// Encrypts the input.
pub fn encrypt(args: &CipherArgs) -> Result<(), CliError> {
    let key = read_key_file(&args.key_file)?;
    let pid = parse_pid(args)?;
    let input = Zeroizing::new(read_input(args.input.as_deref())?);
    let options = EncryptOptions::new().pid(pid);
    let ct = if args.json {
        let value = pyjson::loads_bytes(&input)?;
        drop(input);
        cipher::json_encrypt_value(&value, &key, &options)?
    } else {
        let ct = cipher::bytes_encrypt(&input, &key, &options)?;
        drop(input);
        ct
    };
    let output = args.output.as_deref();
    match args.format {
        Format::Compat => write_output_with(output, |w| {
            ct.write_json(&mut *w)?;
            w.write_all(b"\n")
        }),
        // write_bytes checks the tag and salt before it writes anything.
        Format::CompatBytes => write_output_with(output, |w| {
            ct.write_bytes(&mut *w).map_err(std::io::Error::other)
        }),
        Format::CompatAscii => {
            let mut t = ct.to_ascii()?;
            t.push('\n');
            write_output(output, t.as_bytes())
        }
    }
}

fn parse_ciphertext(format: Format, input: &[u8]) -> Result<Ciphertext, CliError> {
    let text = || {
        std::str::from_utf8(input)
            .map(str::trim)
            .map_err(|_| CliError::Usage("the ciphertext is not UTF-8 text".into()))
    };
    Ok(match format {
        Format::Compat => Ciphertext::from_json(text()?)?,
        Format::CompatBytes => Ciphertext::from_bytes(input)?,
        Format::CompatAscii => Ciphertext::from_ascii(text()?)?,
    })
}

/// Decrypts the input; writes nothing unless it authenticates.
pub fn decrypt(args: &DecryptArgs) -> Result<(), CliError> {
    let common = &args.common;
    let key = read_key_file(&common.key_file)?;
    let pid = parse_pid(common)?;
    let input = read_input(common.input.as_deref())?;
    let ct = parse_ciphertext(common.format, &input)?;
    let options = DecryptOptions::new().pid(pid).ttl(args.ttl);
    let out = if common.json {
        let value = cipher::json_decrypt_value(&ct, &key, &options)?;
        let mut t = Zeroizing::new(pyjson::dumps(&value)?);
        t.push('\n');
        Zeroizing::new(t.as_bytes().to_vec())
    } else {
        Zeroizing::new(cipher::bytes_decrypt(&ct, &key, &options)?)
    };
    write_output(common.output.as_deref(), &out)
}
