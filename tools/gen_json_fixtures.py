#!/usr/bin/env python3.8
"""Generate crates/aiootp/tests/data/pyjson.json: CPython 3.8 `json` and `repr` answers.

The Rust crate reimplements the parts of CPython 3.8 that aiootp 0.17.0
hashes or encrypts: `json.dumps` / `json.loads` with default arguments and
`repr` of str, bytes, float and containers. This script records what
CPython 3.8 answers for many inputs; `crates/aiootp/tests/pyjson_conformance.rs`
replays them.

Usage (from the repository root; the output is deterministic):

    python3.8 tools/gen_json_fixtures.py > crates/aiootp/tests/data/pyjson.json
"""

import json
import math
import random
import struct
import sys
import unicodedata

assert sys.version_info[:2] == (3, 8), "run under CPython 3.8"
assert unicodedata.unidata_version == "12.1.0", unicodedata.unidata_version

RNG = random.Random(20240601)


# ------------------------------------------------------------ typed values
# Same convention as oracle/cipher_oracle.py `encode_value`.

def encode_value(v):
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        return {"$float": repr(v)}
    if isinstance(v, bytes):
        return {"$bytes": v.hex()}
    if isinstance(v, tuple):
        return {"$tuple": [encode_value(x) for x in v]}
    if isinstance(v, list):
        return [encode_value(x) for x in v]
    if isinstance(v, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in v):
            return {k: encode_value(x) for k, x in v.items()}
        return {"$dict": [[encode_value(k), encode_value(x)] for k, x in v.items()]}
    raise TypeError(type(v))


def has_surrogate(v):
    if isinstance(v, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in v)
    if isinstance(v, list):
        return any(has_surrogate(x) for x in v)
    if isinstance(v, dict):
        return any(has_surrogate(k) or has_surrogate(x) for k, x in v.items())
    return False


# ------------------------------------------------------------ loads

def loads_case(text):
    try:
        value = json.loads(text)
    except RecursionError as e:
        return None
    except ValueError as e:
        return {"text": text, "error": str(e)}
    if has_surrogate(value):
        return {"text": text, "lone_surrogate": True}
    return {"text": text, "dumps": json.dumps(value)}


LOADS_TEXTS = [
    # values
    "null", "true", "false", "0", "-0", "1", "-1", "10", "123456789",
    "123456789012345678901234567890", "-98765432109876543210987654321098765432109876543210",
    "1.0", "-0.0", "0.0", "1.5", "1e5", "1E5", "1e+5", "1E-5", "1.25e-3", "-1.5E+300",
    "0.1", "0.30000000000000004", "1e16", "1e-05", "1e400", "-1e400", "1e-400",
    "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
    "5e-324", "2e-324", "3e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
    "9007199254740993", "9007199254740993.0", "123456789012345678901234567890.0",
    "0.000001", "0.0001", "1000000000000000", "1000000000000000.0", "10000000000000000.0",
    "NaN", "Infinity", "-Infinity", "[NaN, Infinity, -Infinity]",
    '""', '"a"', '"\\"\\\\\\/\\b\\f\\n\\r\\t"', '"\\u0000\\u001f\\u007f\\u0080"',
    '"\\u00e9\\u20AC\\uFFFF\\ud83d\\ude00"', '"é€😀\u2028\u00a0"', '"\x7f"',
    '"\\ud83d\\ude00\\ud83d\\ude00"', '"\\uD83D\\uDE00"',
    "[]", "{}", "[ ]", "{ }", "[1,2,3]", "[1, [2, [3, []]]]", '{"a": {"b": {"c": []}}}',
    '{"a": 1, "b": 2, "a": 3}', '{"a": 1, "a": 2, "a": 3}', '{"": 0, " ": 1}',
    '{"x": [1, 2.5, "s", null, true, false, {}]}',
    " \t\n\r1 \t\n\r", "\n\n[1,\n2]\n", " {\"a\" : 1 , \"b\" :2 } ",
    '"' + "x" * 300 + '"',
    "[" + ", ".join(str(10 ** 600 + i) for i in range(5)) + "]",
    # errors
    "", " ", "\n", "nul", "tru", "fals", "nan", "inf", "-inf", "NAN", "infinity", "-Inf",
    "+1", "-", "-x", "--1", ".5", "01", "00", "-01", "1.", "1.e5", "1e", "1e+", "1e-", "1E",
    "1.5e", "0x10", "1_000", "1 2", "[1 2]", "[1,]", "[,1]", "[1,,2]", "[", "]", "[1", "[1,",
    "{", "}", '{"a"', '{"a":', '{"a":1', '{"a":1,', '{"a":1,}', '{"a" 1}', "{1: 2}",
    "{'a': 1}", '{"a": 1 "b": 2}', '{,}', '{"a":1}}', "[1]]", "[1] x", "1 // c",
    '"abc', '"a\\', '"\\', '"\\x"', '"\\a"', '"\\U0041"', '"\\u"', '"\\u0"', '"\\u00"',
    '"\\u004"', '"\\u0041', '"\\u00zz"', '"\\u00é1"', '"\\uGGGG"', '"\\u 041"',
    '"\\ud800\\u12"', '"\\ud800\\uzzzz"', '"\\ud800\\u', '"\\ud800\\ude00',
    '"a\x00b"', '"a\x01"', '"\x1f"', '"\t"', '"\n"', '"a\rb"',
    "\ufeff1", "\ufeff", "1\ufeff", "é", "[é]", '["é", é]', "[\"é\",\n é]",
    "[1,\n2,\n3\n4]", "\n\n  x", '{"é":\n\n "\\x"}', '["\u2028", x]', '["😀😀", x]',
    '"😀\x01"',
    # surrogates (Python returns lone surrogates; a Rust String cannot)
    '"\\ud800"', '"\\udc00"', '"\\ud800x"', '"\\ud800\\u0041"', '"\\udc00\\ud800"',
    '["\\ud800", 1]', '{"\\ud800": 1}', '["\\udc00" 1]', '["\\ud800", ]',
    '"\\ud800\\ud800\\udc00"',
]


def loads_cases():
    out = []
    for text in LOADS_TEXTS:
        case = loads_case(text)
        if case is not None:
            out.append(case)
    # Every prefix of some documents: exercises each error path at each state.
    docs = [
        '{"a": [1, -2.5e+3, true, null, "x\\u00e9\\ud83d\\ude00\\n"], "b": {}, "c": -0}',
        ' [ {"k" : "v\\"" } , [ ] , 1E9 , NaN , -Infinity ] ',
        '{"é": "ü\\t", "n": [0.5, 100, false]}',
    ]
    for doc in docs:
        for i in range(len(doc) + 1):
            out.append(loads_case(doc[:i]))
    # Single-character mutations of a document.
    doc = '{"a": [1, 2.5, "s\\n"], "b": null}'
    for i in range(len(doc)):
        for c in ['"', "x", "1", "-", "[", "}", ",", ":", " ", "\\", "\x00", "é", "e", "."]:
            out.append(loads_case(doc[:i] + c + doc[i + 1:]))
    # Random small documents over a JSON-ish alphabet.
    alphabet = '[]{}":,0123456789eE.+-\\u tnrfalsNIy \n\té'
    for _ in range(1500):
        n = RNG.randrange(1, 14)
        out.append(loads_case("".join(RNG.choice(alphabet) for _ in range(n))))
    # Dedupe, keep order.
    seen = set()
    result = []
    for case in out:
        if case is not None and case["text"] not in seen:
            seen.add(case["text"])
            result.append(case)
    return result


def loads_bytes_cases():
    blobs = [
        b"", b"1", b"[1, 2]", b'"\xc3\xa9"', b"\xef\xbb\xbf[1]", b"\xef\xbb\xbf",
        b"\xef\xbb\xbf\xef\xbb\xbf1", b"\xef\xbb\xbf\xff", b"\xef\xbb",
        b"\xff", b"\x80", b'"\x80"', b'"\xc3"', b'"\xc3(', b'"\xe2\x82"', b'"\xe2\x82(',
        b'"\xe2\x82', b'"\xf0\x9f\x98"', b'"\xf0\x9f\x98', b'"\xf0\x9f', b'"\xf0',
        b'"\xf5\x80\x80\x80"', b'"\xc0\xaf"', b'"\xe0\x80\xaf"', b'"\xf4\x90\x80\x80"',
        b'"\xed\xa0"', b'"\xed\xa0', b'"\xed\x9f\xbf"', b'"ok" \xff', b"[1, 2] \xc3",
        b'"\xed\xa0\x80"', b'["\xed\xb0\x80", 1]', b"\xed\xa0\x80", b'["\xed\xa0\x80" 1]',
        b'{"a": "\xf0\x9f\x98\x80"}', b'\n\n "x', b"[1,\n\xc3\xa9]",
    ]
    out = []
    for blob in blobs:
        case = {"hex": blob.hex()}
        try:
            value = json.loads(blob)
        except UnicodeDecodeError as e:
            case["utf8_error"] = str(e)
        except ValueError as e:
            case["error"] = str(e)
        else:
            if has_surrogate(value):
                case["lone_surrogate"] = True
            else:
                case["dumps"] = json.dumps(value)
        out.append(case)
    # Encodings Python guesses but the Rust crate does not support.
    for blob in [b"1\x00", b"\x001", b"[\x001\x00]\x00", b"\x00\x00\x00[", b"[\x00\x00\x00",
                 b"\xff\xfe1\x00", b"\xfe\xff\x001"]:
        out.append({"hex": blob.hex(), "unsupported_encoding": True})
    return out


# ------------------------------------------------------------ dumps

def dumps_cases():
    values = [
        None, True, False, 0, -1, 2 ** 64, -(10 ** 617), 0.0, -0.0, 0.1, 1.5, 1e16, 1e-05,
        0.0001, 1e15, 5e-324, 1.7976931348623157e308, float("nan"), float("inf"),
        float("-inf"), 123456789.125, 1e22, 1.2345678901234568e+17,
        "", "a", "quote \" backslash \\ slash /", "\n\r\t\b\f\x00\x01\x1f\x7f\x80\x9f",
        "é€😀\u2028\u2029\ufeff\uffff\U0010ffff\U0001fad0", "\ue000 private",
        [], [[]], [1, [2, [3]]], (), (1,), (1, "a", None), ["x", (2.5, True)],
        {}, {"a": 1}, {"b": [1, {"c": (2,)}], "a": None},
        {1: "int", 2.5: "float", True: "true", False: "false", None: "null"},
        {float("nan"): 1, float("inf"): 2, float("-inf"): 3, -0.0: 4, 1e16: 5, 10 ** 30: 6},
        {"é😀": "key"}, {"$bytes": "not a tag"},
        [b"bytes"], {"a": b"x"}, {b"k": 1}, {(1, 2): 1}, {"a": b"x", (1,): 2},
        {(1,): b"x"}, [1, [2, b"deep"]],
    ]
    out = []
    for v in values:
        case = {"value": encode_value(v)}
        try:
            case["text"] = json.dumps(v)
        except TypeError as e:
            case["error"] = str(e)
        out.append(case)
    return out


# ------------------------------------------------------------ repr

def float_reprs():
    floats = [0.0, -0.0, 1.0, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 100.0, 1e15, 1e16, 9999999999999998.0,
              1e-4, 9.999999999999999e-05, 1e-5, 5e-324, 2.2250738585072014e-308,
              1.7976931348623157e308, float("inf"), float("-inf"), float("nan"), 123456.789,
              0.000123, 1234567890123456.7, 12345678901234567.0, 4.35, 2.0 ** 53, 2.0 ** 63, 1e23,
              8.41e21, 5e-310, 9007199254740993.0]
    for _ in range(2500):
        floats.append(struct.unpack("<d", struct.pack("<Q", RNG.getrandbits(64)))[0])
    for _ in range(500):
        floats.append(RNG.uniform(-1e6, 1e6))
    for _ in range(500):
        floats.append(round(RNG.uniform(-1000, 1000), RNG.randrange(0, 8)))
    # Values exactly halfway between two shortest candidates (ties to even).
    for _ in range(1500):
        k = RNG.randrange(1, 64)
        floats.append(RNG.randrange(2 ** 49, 2 ** 53) / 2 ** RNG.randrange(0, 4) * 2.0 ** (k % 8))
    for e in range(-330, 310):
        floats.append(float("1e%d" % e))
        floats.append(float("3.7e%d" % e))
    out = []
    for f in floats:
        bits = struct.unpack("<Q", struct.pack("<d", f))[0]
        out.append(["%016x" % bits, repr(f)])
    return out


def str_reprs():
    texts = ["", "a", "it's", 'say "hi"', "both ' and \"", "back\\slash", "'", '"', "'\"",
             "\t\n\r\x0b\x0c\x00\x1f\x7f", "\x80\x9f\xa0\xad\xff", "\u0378\u2028\u3000\ufeff",
             "\ud7ff\ue000\uf8ff\ufffd\ufffe\uffff", "\U00010000\U0001f600\U0001fad0\U000e0001",
             "\U000f0000\U0010ffff", "é€😀"]
    # Boundaries of the printable table, and random code points.
    cps = []
    prev = None
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        p = chr(cp).isprintable()
        if prev is not None and p != prev:
            cps.extend([cp - 1, cp])
        prev = p
    cps = [c for c in cps if not 0xD800 <= c <= 0xDFFF]
    for _ in range(3000):
        c = RNG.randrange(0x110000)
        if not 0xD800 <= c <= 0xDFFF:
            cps.append(c)
    for i in range(0, len(cps), 16):
        texts.append("".join(chr(c) for c in cps[i:i + 16]))
    return [[t, repr(t)] for t in texts]


def value_reprs():
    values = [
        None, True, False, 0, -7, 10 ** 100, 1.5, float("nan"), b"", b"'", b'"', b"'\"",
        bytes(range(256)), (), (1,), (1, 2), [], [()], {}, {"a": (1,)},
        {1: None, (1, "x"): [b"\x00"], None: {}, 2.5: -0.0, "k": {"n": [1, [2]]}},
        ("x", None, True, 1.0, b"b", ["l"], {"d": 1}),
    ]
    return [[encode_value(v), repr(v), str(v)] for v in values]


def main():
    fixtures = {
        "about": "CPython %s answers for json.loads / json.dumps (default arguments) and "
                 "repr / str, generated by tools/gen_json_fixtures.py. "
                 "loads: text -> 'dumps' (json.dumps(json.loads(text))) or 'error' "
                 "(str(JSONDecodeError)) or 'lone_surrogate' (Python returns a str with an "
                 "unpaired surrogate, which Rust refuses). loads_bytes: hex -> 'dumps', "
                 "'error', 'utf8_error' (str(UnicodeDecodeError)), 'lone_surrogate' or "
                 "'unsupported_encoding' (UTF-16/32, not supported in Rust). dumps: typed "
                 "'value' -> 'text' or 'error' (str(TypeError)). float_repr: [IEEE bits hex, "
                 "repr]. str_repr: [str, repr]. value_repr: [typed value, repr, str]."
                 % sys.version.split()[0],
        "conventions": "typed values as in cipher.json: {'$bytes': hex}, {'$tuple': [...]}, "
                       "{'$float': repr}, {'$dict': [[k, v], ...]}",
        "loads": loads_cases(),
        "loads_bytes": loads_bytes_cases(),
        "dumps": dumps_cases(),
        "float_repr": float_reprs(),
        "str_repr": str_reprs(),
        "value_repr": value_reprs(),
    }
    # One line per case: compact, and diffs stay readable.
    w = sys.stdout.write
    w("{\n")
    for n, (name, section) in enumerate(fixtures.items()):
        w(" %s: " % json.dumps(name))
        if isinstance(section, list):
            w("[\n")
            for i, case in enumerate(section):
                w("  %s%s\n" % (json.dumps(case), "," if i + 1 < len(section) else ""))
            w(" ]")
        else:
            w(json.dumps(section))
        w(",\n" if n + 1 < len(fixtures) else "\n")
    w("}\n")


if __name__ == "__main__":
    main()
