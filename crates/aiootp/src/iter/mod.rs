//! The generator toolkit: the seed's `Comprende` methods as extension
//! traits on `Iterator` and `Stream` (spec `utilities.md`).
//!
//! (Being written: lands with issue 5.)
