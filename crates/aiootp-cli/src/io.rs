//! Reading inputs and writing outputs safely.

use std::io::{Read, Write};
use std::path::Path;

use aiootp::compat::Key;
use zeroize::Zeroizing;

use crate::error::CliError;

/// Reads a file, or stdin when `path` is `None`.
pub fn read_input(path: Option<&Path>) -> Result<Vec<u8>, CliError> {
    match path {
        Some(p) => std::fs::read(p).map_err(|source| CliError::File {
            path: p.display().to_string(),
            source,
        }),
        None => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|source| CliError::File {
                    path: "<stdin>".into(),
                    source,
                })?;
            Ok(buf)
        }
    }
}

/// Writes `data` to a file (through a temporary file in the same
/// directory, renamed into place) or to stdout.
pub fn write_output(path: Option<&Path>, data: &[u8]) -> Result<(), CliError> {
    write_output_with(path, |w| w.write_all(data))
}

/// Writes what `fill` writes to a file (through a temporary file renamed
/// into place) or to stdout, buffered.
pub fn write_output_with(
    path: Option<&Path>,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    match path {
        Some(p) => atomic_write_with(p, false, fill),
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            fill(&mut out)
                .and_then(|()| out.flush())
                .map_err(|source| CliError::File {
                    path: "<stdout>".into(),
                    source,
                })
        }
    }
}

/// Writes `data` to `path` via a temporary name and a rename; with
/// `private`, the file is created with mode 0600 (Unix).
pub fn atomic_write(path: &Path, data: &[u8], private: bool) -> Result<(), CliError> {
    atomic_write_with(path, private, |w| w.write_all(data))
}

/// As [`atomic_write`], with the content written by `fill`.
pub fn atomic_write_with(
    path: &Path,
    private: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let err = |source| CliError::File {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let result = opts.open(&tmp).and_then(|f| {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
        fill(&mut w)?;
        w.into_inner()
            .map_err(std::io::IntoInnerError::into_error)?
            .sync_all()
    });
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(e)
    })
}

/// Reads a secret text file (a key or a password): its content exactly,
/// with one trailing `\n` dropped.
pub fn read_secret_text(path: &Path, what: &str) -> Result<Zeroizing<String>, CliError> {
    let raw = Zeroizing::new(std::fs::read(path).map_err(|source| CliError::File {
        path: path.display().to_string(),
        source,
    })?);
    let text = std::str::from_utf8(&raw).map_err(|_| {
        CliError::Usage(format!(
            "{}: the {what} file is not UTF-8 text",
            path.display()
        ))
    })?;
    Ok(Zeroizing::new(
        text.strip_suffix('\n').unwrap_or(text).to_owned(),
    ))
}

/// Reads a key file: its text is the compat key string exactly, with one
/// trailing `\n` and then one `\r` dropped; an empty key is refused.
pub fn read_key_file(path: &Path) -> Result<Key, CliError> {
    let text = read_secret_text(path, "key")?;
    let text = text.strip_suffix('\r').unwrap_or(&text);
    if text.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: the key file is empty",
            path.display()
        )));
    }
    Ok(Key::new(text))
}

/// Lowercase or uppercase hex text to bytes; `None` for odd length or a
/// non-hex character (no whitespace allowed).
pub fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| char::from(c).to_digit(16);
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| Some((digit(pair[0])? << 4 | digit(pair[1])?) as u8))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::decode_hex;

    #[test]
    fn hex_is_strict() {
        assert_eq!(decode_hex(""), Some(vec![]));
        assert_eq!(decode_hex("00fFa9"), Some(vec![0, 0xff, 0xa9]));
        for bad in ["0", "+1", "-1", "0g", " 1", "é0", "1+"] {
            assert_eq!(decode_hex(bad), None, "{bad}");
        }
    }
}
