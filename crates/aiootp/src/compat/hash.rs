//! Hash helpers of aiootp 0.17.0 (spec `cipher.md` §3).
