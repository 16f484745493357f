//! The `aiootp` command-line tool.

fn main() {}
