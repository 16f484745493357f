//! The error of the generator toolkit.

use thiserror::Error;

use crate::error::JsonError;

/// Errors of the [`iter`](super) adapters.
///
/// Two kinds: a bad **argument** is refused when the adapter is built
/// (`resize(0)`, `to_base(1, ..)`, `split("")`), a bad **item** comes out
/// as an `Err` item in its place (a non-hex text for `hex_to_bytes`). The
/// messages are the reference's texts where it has one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum IterError {
    /// Text that Python's `bytes.fromhex` refuses.
    #[error("non-hexadecimal number found in fromhex() arg at position {position}")]
    NonHex {
        /// Character position of the first offending character.
        position: usize,
    },
    /// Text that is not canonical padded base64 (standard alphabet).
    #[error("invalid base64 text at position {position}")]
    InvalidBase64 {
        /// Byte position of the first offending character (the length
        /// when the padding is wrong).
        position: usize,
    },
    /// A digit outside the table's first `base` characters.
    #[error("Invalid base with given string or table.")]
    InvalidBase,
    /// An integer does not fit in the requested number of bytes.
    #[error("int too big to convert")]
    IntTooBig,
    /// A negative integer where only non-negative ones have a meaning.
    #[error("can't convert negative int to unsigned")]
    NegativeInt,
    /// Bytes that are not UTF-8 (the message is Python's
    /// `UnicodeDecodeError` text).
    #[error("{0}")]
    Utf8(String),
    /// An index outside the item (Python's `string index out of range`
    /// for text, `index out of range` for bytes).
    #[error("{prefix}index out of range")]
    IndexOutOfRange {
        /// `"string "` for text, `""` for bytes.
        prefix: &'static str,
    },
    /// `split` with an empty separator.
    #[error("empty separator")]
    EmptySeparator,
    /// A slice step of zero.
    #[error("slice step cannot be zero")]
    ZeroStep,
    /// An argument the adapter cannot work with (a size of zero, a base
    /// outside `2..=table length`, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
    /// JSON conversion failed (Python's `json` texts).
    #[error(transparent)]
    Json(#[from] JsonError),
}
