#!/usr/bin/env python3
"""Generate crates/aiootp/tests/data/iter.json: what aiootp 0.17.0's
`Comprende` answers for chains of its lazy methods (spec utilities.md §2, §9).

Each case is one request of the oracle's `utility` role, fn `comprende`:
`items` are wrapped with `generics.unpack`, the `chain` of
`[method, [args], {kwargs}]` steps is applied, then the optional generator
`slice` and one `eager` method. The answer (a result or the error's type and
message) is recorded next to the request; crates/aiootp/tests/iter_vectors.rs
replays every case with `aiootp::iter`.

Values use the oracle's typed JSON: {"$bytes": hex}, {"$tuple": [...]}.

Usage (from the repository root; the oracle is the shared protocol oracle,
run under the reference's Python, e.g. `PY=$(oracle/setup.sh)`):

    python3 tools/gen_iter_vectors.py PY ORACLE > crates/aiootp/tests/data/iter.json
"""

import json
import subprocess
import sys

B = lambda h: {"$bytes": h}            # noqa: E731
T = lambda *xs: {"$tuple": list(xs)}   # noqa: E731

KEY = "8b7c" * 32
SALT = "5e17" * 16
ASCII_TABLE = "".join(chr(c) for c in range(0x20, 0x7F))
BASE_36 = "0123456789abcdefghijklmnopqrstuvwxyz"
MIXED = [1, "a", B("0027ff"), None, T(1, "x"), [1, "é"], {"k": 2.5}, True, -7, 2**200]


def case(name, items, chain=(), eager="list", eager_args=None, slice_=None):
    req = {"fn": "comprende", "items": items, "chain": [list(s) for s in chain],
           "eager": eager}
    if eager_args is not None:
        req["eager_args"] = eager_args
    if slice_ is not None:
        req["slice"] = slice_
    return name, req


CASES = [
    # hashing
    case("sha_256", ["ab", "cd"], [["sha_256"]]),
    case("sha_256_salt", ["ab", "cd"], [["sha_256", ["salt"]]]),
    case("sha_256_falsy_salt", ["ab"], [["sha_256", [""]]]),
    case("sha_256_mixed", MIXED, [["sha_256"]]),
    case("sha_512_mixed_int_salt", MIXED, [["sha_512", [7]]]),
    case("sha_256_hmac", ["ab", 5], [["sha_256_hmac", ["key"]]]),
    case("sha_256_hmac_none", ["ab"], [["sha_256_hmac"]]),
    case("sha_256_hmac_salt", ["ab", B("00")], [["sha_256_hmac", ["key", "salt"]]]),
    case("sha_512_hmac_salt", ["ab"], [["sha_512_hmac", [KEY, 3]]]),
    case("sum_sha_256", ["a", "b", "c"], [["sum_sha_256"]]),
    case("sum_sha_256_salt", ["a", 2], [["sum_sha_256", ["s"]]]),
    case("sum_sha_512", [B("01"), None], [["sum_sha_512", [SALT]]]),
    case("readme_resize_slice", ["ab", "cd"], [["sha_256", ["salt"]], ["resize", [32]]],
         slice_=[1, 3]),
    # encodings
    case("hex", [0, 1, 255, -255, 2**200], [["hex"]]),
    case("hex_prefix", [0, 255, -255], [["hex", [True]]]),
    case("bytes_to_hex", [B(""), B("00ff10")], [["bytes_to_hex"]]),
    case("hex_to_bytes", ["ab cd", "00FF", ""], [["hex_to_bytes"]]),
    case("hex_to_bytes_bad", ["abc"], [["hex_to_bytes"]]),
    case("hex_to_bytes_bad_space", ["a b"], [["hex_to_bytes"]]),
    case("to_base64", ["ab", B("00ff"), "", "é!"], [["to_base64"]]),
    case("from_base64", ["YWI=", B("41503866"), ""], [["from_base64"]]),
    case("to_base_default", [0, 1, 95, 26729, 2**300], [["to_base"]]),
    case("to_base_16", [0, 255, 2**70], [["to_base", [16, "0123456789abcdef"]]]),
    case("to_base_36", [123456789], [["to_base", [36, BASE_36]]]),
    case("from_base_default", ["hi", "~~", "", " "], [["from_base"]]),
    case("from_base_2", ["1010", "0001"], [["from_base", [2, "01"]]]),
    case("from_base_bad", ["é"], [["from_base"]]),
    case("from_base_outside_base", ["12"], [["from_base", [2, "0123"]]]),
    case("base_round_trip", [2**100 + 7], [["to_base", [62]], ["from_base", [62]]]),
    case("int_to_bytes", [258, 0], [["int_to_bytes", [4]]]),
    case("int_to_bytes_default", [1], [["int_to_bytes"]]),
    case("int_to_bytes_little", [258], [["int_to_bytes", [3, "little"]]]),
    case("int_to_bytes_too_big", [256], [["int_to_bytes", [1]]]),
    case("int_to_bytes_negative", [-1], [["int_to_bytes", [4]]]),
    case("bytes_to_int", [B(""), B("0102"), B("ff" * 40)], [["bytes_to_int"]]),
    case("bytes_to_int_little", [B("0102")], [["bytes_to_int", ["little"]]]),
    case("ascii_to_int", ["hi", "é", ""], [["ascii_to_int"]]),
    case("int_to_ascii", [26729, 0, 50089], [["int_to_ascii"]]),
    case("int_to_ascii_bad", [255], [["int_to_ascii"]]),
    case("str", MIXED, [["str"]]),
    case("json_dumps", [{"a": [1, 2.5, None, True]}, "é\n", 3, [T(1, 2)]], [["json_dumps"]]),
    case("json_loads", ['{"a": 1, "b": [1.5, null]}', '"\\u00e9"', "12"], [["json_loads"]]),
    case("json_loads_bad", ["{"], [["json_loads"]]),
    # shaping
    case("resize", ["abcd", "ef", "ghijk"], [["resize", [3]]]),
    case("resize_bytes", [B("0102"), B("030405")], [["resize", [2]]]),
    case("resize_unicode", ["héllo", " wörld", "€"], [["resize", [4]]]),
    case("resize_exact", ["ab", "cd"], [["resize", [2]]]),
    case("delimit", ["a", "b"], [["delimit", [", "]]]),
    case("delimit_default", ["a", "b"], [["delimit"]]),
    case("delimit_bytes", [B("01"), B("")], [["delimit", [B("7c")]]]),
    case("delimit_resize", [", a, b,", ",c ,, d"], [["delimit_resize", [", "]]]),
    case("delimit_resize_default", ["  one two", " three  ", "four"], [["delimit_resize"]]),
    case("delimit_resize_bytes", [B("00610062"), B("0063")],
         [["delimit_resize", [B("00"), B("")]]]),
    case("split", ["a,b,,c", ",", ""], [["split", [","]]]),
    case("split_whitespace", ["a b\tc", " x \x1c y ", ""], [["split"]]),
    case("split_multi", ["a--b---c"], [["split", ["--"]]]),
    case("split_bytes", [B("61206220")], [["split"]]),
    case("zfill", ["-12", "abc", "+", "123456", "", "é"], [["zfill", [5]]]),
    case("zfill_bytes", [B("2d31")], [["zfill", [4]]]),
    case("replace", ["banana", ""], [["replace", ["an", "A"]]]),
    case("replace_empty_old", ["ab", ""], [["replace", ["", "-"]]]),
    case("replace_bytes", [B("616161")], [["replace", [B("6161"), B("62")]]]),
    case("slice", ["héllo", "ab", ""], [["slice", [1, -1]]]),
    case("slice_reverse", ["héllo", B("010203")], [["slice", [None, None, -1]]]),
    case("slice_step", ["abcdefgh"], [["slice", [5, -10, -2]]]),
    case("slice_stop", ["abcdefgh"], [["slice", [3]]]),
    case("index", ["héllo", "x"], [["index", [-1]]]),
    case("index_bytes", [B("0aff")], [["index", [1]]]),
    case("index_out_of_range", ["ab"], [["index", [2]]]),
    case("index_bytes_out_of_range", [B("00")], [["index", [-2]]]),
    case("tag", ["a", "b", "c"], [["tag"]]),
    case("halt", ["a", "b", "x", "c"], [["halt", ["x"]]]),
    case("halt_default", ["a", "", "b"], [["halt"]]),
    case("halt_sentinels", ["a", "b", "c"], [["halt", [], {"sentinels": ["c", "b"]}]]),
    # cipher steps
    case("bytes_encipher", [B("6162"), B("00" * 10 + "ff"), B("42" * 256), B("")],
         [["bytes_encipher", [KEY], {"salt": SALT}]]),
    case("bytes_encipher_pid", [B("01" * 256)],
         [["bytes_encipher", [KEY], {"salt": SALT, "pid": "a pid"}]]),
    case("bytes_encipher_leading_zero_257", [B("00" + "7f" * 256)],
         [["bytes_encipher", [KEY], {"salt": SALT}]]),
    case("bytes_round_trip", [B("68656c6c6f"), B("77" * 256)],
         [["bytes_encipher", [KEY], {"salt": SALT, "pid": 7}],
          ["bytes_decipher", [KEY], {"salt": SALT, "pid": 7}]]),
    case("bytes_decipher", [1, 2**2047, 0],
         [["bytes_decipher", [KEY], {"salt": SALT}]]),
    # generator slicing and the eager methods
    case("slice_range", list(range(60)), slice_=[3, 50, 10]),
    case("slice_index", ["a", "b", "c"], slice_=1),
    case("slice_open", list(range(5)), slice_=[2, None]),
    case("join", ["a", "b", "c"], eager="join", eager_args=[", "]),
    case("join_default", ["a", "b"], [["sha_256"], ["slice", [0, 4]]], eager="join"),
    case("join_bytes", [B("01"), B("02")], eager="join", eager_args=[B("ff")]),
    case("set", ["b", "a", "b"], eager="set"),
    case("deque", [3, 1, 2], [["hex"]], eager="deque"),
    case("dict", [T("a", 1), T("b", 2), T("a", 3)], eager="dict"),
    case("dict_tag", ["x", "y"], [["tag"]], eager="dict"),
    case("exhaust", ["a", "b"], [["sha_512"]], eager="exhaust"),
]


def run(py, oracle, req):
    out = subprocess.run(
        [py, "-W", "ignore", oracle, "utility"],
        input=json.dumps(req) + "\n", capture_output=True, text=True, check=True,
    )
    line = out.stdout.strip().splitlines()[-1]
    resp = json.loads(line)
    if resp.get("ok"):
        return {"result": resp["result"]}
    return {"error_type": resp["error_type"], "error_message": resp["error_message"]}


def main():
    py, oracle = sys.argv[1], sys.argv[2]
    names = [n for n, _ in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    cases = []
    for name, req in CASES:
        cases.append({"name": name, "request": req, "expected": run(py, oracle, req)})
    doc = {
        "about": "aiootp 0.17.0 Comprende chains (oracle role utility, fn comprende); "
                 "generated by tools/gen_iter_vectors.py, replayed by "
                 "crates/aiootp/tests/iter_vectors.rs",
        "cases": cases,
    }
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
