//! JSON-lines driver for the interop checks.

fn main() {}
