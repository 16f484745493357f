#!/usr/bin/env python3.8
"""Generate crates/aiootp/src/compat/unicode.rs: CPython 3.8's printable table.

CPython 3.8's ``repr(str)`` escapes every non-ASCII code point for which
``str.isprintable()`` is false. That predicate comes from the Unicode
12.1.0 database compiled into CPython 3.8: a code point is printable
unless its general category is Cc, Cf, Cs, Co, Cn, Zl, Zp or Zs (U+0020
SPACE excepted). Newer Pythons ship newer Unicode databases, so this
script must run under CPython 3.8.

Usage (from the repository root):

    python3.8 tools/gen_unicode_table.py > crates/aiootp/src/compat/unicode.rs
"""

import sys
import unicodedata

assert sys.version_info[:2] == (3, 8), "run under CPython 3.8"
assert unicodedata.unidata_version == "12.1.0", unicodedata.unidata_version

EXCLUDED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"}


def printable(cp):
    ch = chr(cp)
    answer = ch.isprintable()
    # Cross-check against the documented definition.
    expected = cp == 0x20 or unicodedata.category(ch) not in EXCLUDED
    assert answer == expected, hex(cp)
    return answer


def ranges():
    out = []
    start = None
    for cp in range(0x110000):
        if printable(cp):
            if start is None:
                start = cp
        elif start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, 0x10FFFF))
    return out


def main():
    table = ranges()
    count = sum(hi - lo + 1 for lo, hi in table)
    w = sys.stdout.write
    w("//! The Unicode 12.1 printable table of CPython 3.8 (generated).\n")
    w("//!\n")
    w("//! GENERATED FILE, DO NOT EDIT. Regenerate from the repository root with\n")
    w("//! `python3.8 tools/gen_unicode_table.py > crates/aiootp/src/compat/unicode.rs`\n")
    w("//! (CPython 3.8, whose `unicodedata.unidata_version` is 12.1.0).\n")
    w("//!\n")
    w("//! A code point is printable, as CPython 3.8's `str.isprintable()` says,\n")
    w("//! unless its general category is Cc, Cf, Cs, Co, Cn, Zl, Zp or Zs\n")
    w("//! (U+0020 SPACE excepted). `repr(str)` escapes the non-printable ones.\n")
    w("\n")
    w("/// Inclusive ranges of printable code points, sorted and disjoint\n")
    w("/// (%d ranges, %d code points).\n" % (len(table), count))
    w("const PRINTABLE: &[(u32, u32)] = &[\n")
    for lo, hi in table:
        w("    (0x%04X, 0x%04X),\n" % (lo, hi))
    w("];\n")
    w("\n")
    w("/// CPython 3.8's `str.isprintable()` for one code point (Unicode 12.1.0).\n")
    w("pub(crate) fn is_printable(c: char) -> bool {\n")
    w("    let cp = u32::from(c);\n")
    w("    if cp < 0x7F {\n")
    w("        return cp >= 0x20;\n")
    w("    }\n")
    w("    PRINTABLE\n")
    w("        .binary_search_by(|&(lo, hi)| {\n")
    w("            if hi < cp {\n")
    w("                core::cmp::Ordering::Less\n")
    w("            } else if lo > cp {\n")
    w("                core::cmp::Ordering::Greater\n")
    w("            } else {\n")
    w("                core::cmp::Ordering::Equal\n")
    w("            }\n")
    w("        })\n")
    w("        .is_ok()\n")
    w("}\n")
    w("\n")
    w("#[cfg(test)]\n")
    w("mod tests {\n")
    w("    use super::*;\n")
    w("\n")
    w("    #[test]\n")
    w("    fn table_is_sorted_and_disjoint() {\n")
    w("        for pair in PRINTABLE.windows(2) {\n")
    w("            assert!(pair[0].0 <= pair[0].1);\n")
    w("            assert!(pair[0].1 + 1 < pair[1].0);\n")
    w("        }\n")
    w("    }\n")
    w("\n")
    w("    #[test]\n")
    w("    fn known_code_points() {\n")
    w("        for c in \" a~\\u{e9}\\u{20ac}\\u{1f600}\\u{1fa70}\".chars() {\n")
    w("            assert!(is_printable(c), \"{c:?}\");\n")
    w("        }\n")
    w("        for c in \"\\0\\t\\u{7f}\\u{a0}\\u{ad}\\u{200b}\\u{2028}\\u{3000}\\u{feff}\".chars() {\n")
    w("            assert!(!is_printable(c), \"{c:?}\");\n")
    w("        }\n")
    w("        for c in \"\\u{378}\\u{e000}\\u{1fad0}\\u{e0001}\\u{10ffff}\".chars() {\n")
    w("            assert!(!is_printable(c), \"{c:?}\");\n")
    w("        }\n")
    w("    }\n")
    w("}\n")


if __name__ == "__main__":
    main()
