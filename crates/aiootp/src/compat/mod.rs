//! The aiootp 0.17.0 formats, byte for byte.
//!
//! Everything here interoperates with the Python package aiootp 0.17.0:
//! ciphertexts made by one side are read by the other, and the same bad
//! inputs are refused. The format is specified in
//! `docs/format-compat-0.17.md`.

pub mod hash;
pub mod pyjson;
pub mod pyvalue;
mod unicode;

pub use pyvalue::{PyInt, PyValue};
