//! The CLI's error type: one line for the user.

use thiserror::Error;

/// A failure to report on stderr.
#[derive(Debug, Error)]
pub enum CliError {
    /// A library error.
    #[error("{0}")]
    Lib(#[from] aiootp::Error),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Bad input given on the command line.
    #[error("{0}")]
    Usage(String),
}

impl From<aiootp::error::CipherError> for CliError {
    fn from(e: aiootp::error::CipherError) -> Self {
        Self::Lib(e.into())
    }
}

impl From<aiootp::error::DecodeError> for CliError {
    fn from(e: aiootp::error::DecodeError) -> Self {
        Self::Lib(e.into())
    }
}

impl From<aiootp::error::JsonError> for CliError {
    fn from(e: aiootp::error::JsonError) -> Self {
        Self::Lib(e.into())
    }
}

impl From<aiootp::error::DbError> for CliError {
    fn from(e: aiootp::error::DbError) -> Self {
        Self::Lib(e.into())
    }
}

impl From<aiootp::error::PasscryptError> for CliError {
    fn from(e: aiootp::error::PasscryptError) -> Self {
        Self::Lib(e.into())
    }
}
