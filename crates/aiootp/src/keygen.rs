//! Key helpers of the seed's `keygens`: table keys, mnemonics (spec
//! `utilities.md`).
//!
//! (Being written: lands with issue 5.)
