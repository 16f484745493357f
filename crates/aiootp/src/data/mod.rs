//! Datasets of the seed: primes by bit size and the mnemonic word list
//! (spec `utilities.md`).
//!
//! (Being written: lands with issue 5.)
