//! The Unicode 12.1 printable table of CPython 3.8 (generated).
