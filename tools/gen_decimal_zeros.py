#!/usr/bin/env python3.8
"""Prints the code points of every Unicode decimal digit zero (Nd, value 0)
of CPython 3.8's Unicode 12.1 database, for `DECIMAL_ZEROS` in
crates/aiootp/src/compat/key.rs. Each is followed by the digits 1..9.

    python3.8 tools/gen_decimal_zeros.py
"""
import sys
import unicodedata

assert sys.version_info[:2] == (3, 8) and unicodedata.unidata_version == "12.1.0"
zeros = []
for cp in range(0x80, 0x110000):
    c = chr(cp)
    if unicodedata.decimal(c, None) == 0:
        assert all(unicodedata.decimal(chr(cp + d), None) == d for d in range(10))
        zeros.append(cp)
n_digits = sum(1 for cp in range(0x80, 0x110000) if unicodedata.decimal(chr(cp), None) is not None)
assert n_digits == 10 * len(zeros), n_digits
print(", ".join("0x%x" % z for z in zeros))
print(len(zeros), file=sys.stderr)
