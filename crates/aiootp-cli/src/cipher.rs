//! `aiootp encrypt` and `aiootp decrypt`.
//!
//! AOT2 is the default format; `--format compat|compat-bytes|compat-ascii`
//! reads and writes aiootp 0.17.0's. A progress bar is drawn on stderr for
//! AOT2 inputs of at least 4 MiB of known length when stderr is a terminal
//! (not with `--quiet`). The compat formats are read and written whole (the reference's
//! formats cannot be authenticated before their end). AOT2 streams in
//! bounded memory: encryption reads and writes 64 KiB chunks; decryption
//! releases each chunk only after it verified. With `-o` the output goes
//! to a temporary file renamed into place only after the whole message
//! verified (on failure nothing is left); on stdout verified chunks are
//! written as they come and a later failure exits with status 1 and a
//! message.

use std::cell::RefCell;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use aiootp::aot2::{self, Aot2Key, Aot2Password, KeyMaterial, Opener, Sealer};
use aiootp::compat::{Ciphertext, DecryptOptions, EncryptOptions, Key, PyValue, cipher, pyjson};
use zeroize::Zeroizing;

use crate::cli::{CipherArgs, DecryptArgs, Format};
use crate::error::CliError;

use crate::io::{read_input, read_key_file, read_secret_text, write_output, write_output_with};

fn parse_pid(args: &CipherArgs) -> Result<PyValue, CliError> {
    match &args.pid {
        None => Ok(PyValue::from(0i64)),
        Some(text) => {
            pyjson::loads(text).map_err(|e| CliError::Usage(format!("--pid is not JSON: {e}")))
        }
    }
}

fn compat_key(args: &CipherArgs) -> Result<Key, CliError> {
    match &args.key_file {
        Some(path) => read_key_file(path),
        None => Err(CliError::Usage(
            "--password-file is for --format aot2; the compat formats take --key-file".into(),
        )),
    }
}

/// The AOT2 context of `--pid`: its JSON text, or nothing.
fn aot2_ctx(args: &CipherArgs) -> Result<Vec<u8>, CliError> {
    match &args.pid {
        None => Ok(Vec::new()),
        Some(_) => Ok(pyjson::dumps(&parse_pid(args)?)?.into_bytes()),
    }
}

/// AOT2 key material: the decoded hex key file, or a password.
enum Aot2Material {
    Key(Aot2Key),
    Password(Aot2Password),
}

fn aot2_material(args: &CipherArgs) -> Result<Aot2Material, CliError> {
    if let Some(path) = &args.password_file {
        let text = read_secret_text(path, "password")?;
        let password = Aot2Password::new(text.as_bytes().to_vec()).map_err(lib)?;
        return Ok(Aot2Material::Password(password));
    }
    let path = args
        .key_file
        .as_deref()
        .ok_or_else(|| CliError::Usage("--key-file or --password-file is needed".into()))?;
    let text = read_secret_text(path, "key")?;
    let key = Aot2Key::from_hex(text.trim()).map_err(|e| {
        CliError::Usage(format!(
            "{}: not an AOT2 key (hex text of at least 32 bytes, as `aiootp keygen` writes; \
             for data of Python aiootp 0.17.0 use --format compat): {e}",
            path.display()
        ))
    })?;
    Ok(Aot2Material::Key(key))
}

fn lib(e: impl Into<aiootp::Error>) -> CliError {
    CliError::Lib(e.into())
}

fn open_input(path: Option<&Path>) -> Result<Box<dyn Read>, CliError> {
    match path {
        Some(p) => Ok(Box::new(std::fs::File::open(p).map_err(|source| {
            CliError::File {
                path: p.display().to_string(),
                source,
            }
        })?)),
        None => Ok(Box::new(std::io::stdin().lock())),
    }
}

/// Inputs at least this long get a progress bar (when stderr is a terminal).
const PROGRESS_MIN: u64 = 4 << 20;

/// The length of the input when it is a regular file (a path, or stdin
/// redirected from a file).
fn input_len(path: Option<&Path>) -> Option<u64> {
    let meta = match path {
        Some(p) => std::fs::metadata(p).ok()?,
        None => stdin_metadata()?,
    };
    meta.is_file().then_some(meta.len())
}

#[cfg(unix)]
fn stdin_metadata() -> Option<std::fs::Metadata> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    std::fs::File::from(fd).metadata().ok()
}

#[cfg(not(unix))]
fn stdin_metadata() -> Option<std::fs::Metadata> {
    None
}

/// A progress bar on stderr for an input of at least [`PROGRESS_MIN`]
/// bytes of known length, unless `--quiet` or stderr is not a terminal.
fn progress_bar(args: &CipherArgs, verb: &'static str) -> Option<ProgressBar> {
    if args.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let len = input_len(args.input.as_deref()).filter(|&n| n >= PROGRESS_MIN)?;
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}",
    )
    .map_or_else(
        |_| ProgressStyle::default_bar(),
        |s| s.progress_chars("=> "),
    );
    bar.set_style(style);
    bar.set_message(verb);
    Some(bar)
}

/// `input`, counted by `bar` when there is one.
fn with_progress(input: Box<dyn Read>, bar: Option<&ProgressBar>) -> Box<dyn Read> {
    match bar {
        Some(bar) => Box::new(bar.wrap_read(input)),
        None => input,
    }
}

/// Runs `fill` into the output; a library error it records wins over the
/// I/O error it turns into.
fn stream_out(
    path: Option<&Path>,
    fill: impl FnOnce(&mut dyn Write, &RefCell<Option<CliError>>) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let failure = RefCell::new(None);
    let result = write_output_with(path, |w| fill(w, &failure));
    match failure.into_inner() {
        Some(e) => Err(e),
        None => result,
    }
}

fn seal_stream<K: KeyMaterial + ?Sized>(
    key: &K,
    args: &CipherArgs,
    options: &aot2::Options,
) -> Result<(), CliError> {
    let input: Box<dyn Read> = if args.json {
        let data = Zeroizing::new(read_input(args.input.as_deref())?);
        let text = pyjson::dumps(&pyjson::loads_bytes(&data)?)?;
        Box::new(std::io::Cursor::new(Zeroizing::new(text.into_bytes())))
    } else {
        open_input(args.input.as_deref())?
    };
    let bar = if args.json {
        None
    } else {
        progress_bar(args, "encrypting")
    };
    let mut input = with_progress(input, bar.as_ref());
    let result = stream_out(args.output.as_deref(), |w, failure| {
        let mut sealer = match Sealer::new(w, key, options) {
            Ok(s) => s,
            Err(e) => {
                *failure.borrow_mut() = Some(lib(e));
                return Err(std::io::Error::other("aot2"));
            }
        };
        let mut buf = Zeroizing::new(vec![0u8; 1 << 16]);
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(source) => {
                    *failure.borrow_mut() = Some(CliError::File {
                        path: args
                            .input
                            .as_deref()
                            .map_or("<stdin>".into(), |p| p.display().to_string()),
                        source,
                    });
                    return Err(std::io::Error::other("input"));
                }
            };
            sealer.write_all(&buf[..n])?;
        }
        sealer.finish().map(|_| ())
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result
}

fn open_stream<K: KeyMaterial + ?Sized>(
    key: &K,
    args: &DecryptArgs,
    options: &aot2::Options,
) -> Result<(), CliError> {
    let common = &args.common;
    let input = open_input(common.input.as_deref())?;
    if common.json {
        let mut opener = Opener::new(input, key, options).map_err(lib)?;
        let mut data = Zeroizing::new(Vec::new());
        opener
            .read_to_end(&mut data)
            .map_err(|e| read_failure(e, common))?;
        let mut text = Zeroizing::new(pyjson::dumps(&pyjson::loads_bytes(&data)?)?);
        text.push('\n');
        return write_output(common.output.as_deref(), text.as_bytes());
    }
    let bar = progress_bar(common, "decrypting");
    let input = with_progress(input, bar.as_ref());
    let result = stream_out(common.output.as_deref(), |w, failure| {
        let mut opener = match Opener::new(input, key, options) {
            Ok(o) => o,
            Err(e) => {
                *failure.borrow_mut() = Some(lib(e));
                return Err(std::io::Error::other("aot2"));
            }
        };
        let mut buf = Zeroizing::new(vec![0u8; 1 << 16]);
        loop {
            let n = match opener.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    *failure.borrow_mut() = Some(read_failure(e, common));
                    return Err(std::io::Error::other("aot2"));
                }
            };
            w.write_all(&buf[..n])?;
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result
}

/// An error from the opener: the library's error when it carries one
/// (authentication, expiry), else the input's I/O error.
fn read_failure(e: std::io::Error, common: &CipherArgs) -> CliError {
    let path = common
        .input
        .as_deref()
        .map_or("<stdin>".into(), |p| p.display().to_string());
    match e.into_inner() {
        Some(inner) => match inner.downcast::<aiootp::Error>() {
            Ok(lib_error) => CliError::Lib(*lib_error),
            Err(inner) => match inner.downcast::<aiootp::error::Aot2Error>() {
                Ok(aot2_error) => lib(*aot2_error),
                Err(other) => CliError::File {
                    path,
                    source: std::io::Error::other(other),
                },
            },
        },
        None => CliError::File {
            path,
            source: std::io::Error::other("read failed"),
        },
    }
}

fn encrypt_aot2(args: &CipherArgs) -> Result<(), CliError> {
    let options = aot2::Options::new().ctx(aot2_ctx(args)?).threads(0);
    match aot2_material(args)? {
        Aot2Material::Key(k) => seal_stream(&k, args, &options),
        Aot2Material::Password(p) => seal_stream(&p, args, &options),
    }
}

fn decrypt_aot2(args: &DecryptArgs) -> Result<(), CliError> {
    let ttl = u64::try_from(args.ttl)
        .map_err(|_| CliError::Usage("--ttl must not be negative".into()))?;
    let options = aot2::Options::new()
        .ctx(aot2_ctx(&args.common)?)
        .ttl(ttl)
        .threads(0);
    match aot2_material(&args.common)? {
        Aot2Material::Key(k) => open_stream(&k, args, &options),
        Aot2Material::Password(p) => open_stream(&p, args, &options),
    }
}

/// Encrypts the input.
pub fn encrypt(args: &CipherArgs) -> Result<(), CliError> {
    if args.format == Format::Aot2 {
        return encrypt_aot2(args);
    }
    let key = compat_key(args)?;
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
        Format::Aot2 => Err(CliError::Usage("unreachable: aot2 handled above".into())),
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
        Format::Aot2 => return Err(CliError::Usage("aot2 is not a compat format".into())),
    })
}

/// Decrypts the input; writes nothing unless it authenticates.
pub fn decrypt(args: &DecryptArgs) -> Result<(), CliError> {
    let common = &args.common;
    if common.format == Format::Aot2 {
        return decrypt_aot2(args);
    }
    let key = compat_key(common)?;
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
