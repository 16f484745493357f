//! Reading inputs and writing outputs safely.

use std::io::{Read, Write};
use std::path::Path;

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
    match path {
        Some(p) => atomic_write(p, data, false),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(data)
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
    let result = opts.open(&tmp).and_then(|mut f| {
        f.write_all(data)?;
        f.sync_all()
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
