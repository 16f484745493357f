//! The Ropake password-authenticated key exchange of aiootp 0.17.0
//! (spec `ropake.md`).
//!
//! (Being written: lands with issue 4.)
