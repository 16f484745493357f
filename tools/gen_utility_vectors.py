#!/usr/bin/env python3
"""Generate crates/aiootp/tests/data/utility.json: answers of Python aiootp
0.17.0 for its deterministic utilities (spec utilities.md §9).

Drives the one-shot `utility` role of the protocol oracle, one process per
request, and records each request with the oracle's answer. The Rust test
`crates/aiootp/tests/keygen_vectors.rs` replays every case.

Usage (from the repository root; the output is deterministic):

    python3 tools/gen_utility_vectors.py --python PATH/TO/venv/bin/python \
        --oracle PATH/TO/protocol_oracle.py

`--python` is the interpreter of a CPython 3.8 venv with aiootp 0.17.0
(environment variable AIOOTP_ORACLE_PYTHON), `--oracle` the oracle script
(AIOOTP_PROTOCOL_ORACLE).
"""

import argparse
import json
import os
import subprocess
import sys

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "crates", "aiootp", "tests", "data", "utility.json",
)

ASCII_TABLE = "".join(chr(c) for c in range(32, 127))
HEX = "0123456789abcdef"
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
ALNUM = BASE36 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
URL_SAFE = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
CAT = "smellycaaaat, smelly caaaaat!"


def b(data):
    return {"$bytes": bytes(data).hex()}


def t(*items):
    return {"$tuple": list(items)}


def requests():
    # -- keygens.table_key / table_keystream (spec §4.1-4.2)
    for key in (CAT, "k", "correct horse battery staple", "ключ 🔑", "a" * 300,
                "'quote\"s\\", 12345, -7, b(b"bytes key"), b(range(256))):
        for table, sizes in ((None, (None, 1, 29, 200)), (HEX, (64,)), ("01", (0, 1500)),
                             (BASE36, (50,)), (ALNUM, (20,)), (URL_SAFE, (43,))):
            for size in sizes:
                req = {"fn": "table_key", "key": key}
                if table is not None:
                    req["table"] = table
                if size is not None:
                    req["size"] = size
                yield req
    for table in ("αβγδ", "aab", "\x00\x01", ASCII_TABLE[::-1], "🔑🗝"):
        yield {"fn": "table_key", "key": CAT, "table": table, "size": 70}
    for key, table, n in ((CAT, None, 4), ("k", "01", 3), ("k", HEX, 5), (99, BASE36, 3),
                          (b(b"\x00\x01"), "αβγ", 2), ("k", "ab", 40)):
        req = {"fn": "table_keystream", "key": key, "n": n}
        if table is not None:
            req["table"] = table
        yield req

    # -- mnemonic (spec §4.3); each costs a default passcrypt
    yield {"fn": "mnemonic", "key": "password", "salt": "a" * 64, "n": 5}
    yield {"fn": "mnemonic", "key": "password", "salt": "a" * 64, "n": 3, "sends": ["entropy"]}
    yield {"fn": "mnemonic", "key": "password", "salt": "a" * 64, "n": 12,
           "sends": [None, "", 0, 1, b(b"x"), "more", [1, 2], t("a", 1), {"k": "v"}, False, True]}
    yield {"fn": "mnemonic", "key": "pässwörd 🔑", "salt": "salt", "n": 24}
    yield {"fn": "mnemonic", "key": b(b"\x00bytes\xff"), "salt": "0123" * 32, "n": 12}
    yield {"fn": "mnemonic", "key": 31337, "salt": "s", "n": 6, "sends": [None, 5]}

    # -- paths.deniable_filename / generics.xi_mix (spec §8)
    for n in (0, 1, 7, 8, 9, 20, 32, 64, 100):
        data = bytes((i * 37 + n) % 256 for i in range(n))
        for size in (1, 3, 8, 16):
            yield {"fn": "deniable_filename", "key": b(data), "size": size}
        yield {"fn": "deniable_filename", "key": b(data)}
        for size in (1, 5, 8, 16, 17, 64):
            yield {"fn": "xi_mix", "data": b(data), "size": size}
    yield {"fn": "deniable_filename", "key": b(range(20))}
    yield {"fn": "deniable_filename", "key": b(range(20)), "size": 17}
    yield {"fn": "xi_mix", "data": b(range(20))}

    # -- randoms.make_uuid (spec §3.1)
    stamps = ["x", "", 0, 7, -1, 2 ** 100, b(b"\x00\xff"), [1, "a"], t(1, t()),
              {"a": 1}, None, True, False, 1.5, 0.1, "🔑"]
    for size, salt in ((20, "s"), (16, "salt"), (0, "s"), (1, "s"), (128, "s"), (129, "s"),
                       (300, "a" * 128), (40, 12345), (33, "🔑 salt"), (24, [1, 2])):
        # (A bytes salt works too, but the oracle cannot write it back as JSON.)
        yield {"fn": "make_uuid", "size": size, "salt": salt, "stamps": stamps}

    # -- randoms.permute / shuffle / unshuffle (spec §3.2)
    for n in (0, 1, 2, 3, 8, 50, 257, 1000):
        for key, salt in (("k", "s"), (12, 34), (b(b"key"), "s" * 64), (None, None),
                          ("", ""), ("🔑", t("a", 1))):
            yield {"fn": "permute", "sequence": list(range(n)), "key": key, "salt": salt}
    letters = [chr(ord("a") + i) for i in range(26)]
    for fn in ("shuffle", "unshuffle"):
        for key, salt in (("k", "s"), (5, "salt")):
            yield {"fn": fn, "sequence": letters, "key": key, "salt": salt}
            yield {"fn": fn, "sequence": list(range(100, 140)), "key": key, "salt": salt}

    # -- randoms.digits / non_0_digits / bytes_digits (spec §3.2)
    for fn in ("digits", "non_0_digits", "bytes_digits"):
        for key in ("k", "a much longer key ✓", 42, b(b"\x01\x02"), "x" * 200):
            yield {"fn": fn, "key": key, "n": 400}

    # -- primes (spot checks of the data file against the live package)
    for bits in (0, 1, 2, 5, 64, 257, 383, 513, 1025, 4097):
        yield {"fn": "primes", "bits": bits}


# Runs the oracle's own one-shot entry point (`run_one_shot("utility", {})`)
# once per request inside one interpreter: the same code path as one
# process per request, without paying the package import each time.
BATCH_RUNNER = r"""
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("protocol_oracle", sys.argv[1])
oracle = importlib.util.module_from_spec(spec)
sys.argv = [sys.argv[1], "utility"]
spec.loader.exec_module(oracle)
for _ in range(int(sys.stdin.readline())):
    try:
        oracle.run_one_shot("utility", {})
    except oracle.Malformed as exc:
        oracle.emit({"type": "malformed", "error_message": str(exc)})
"""


def parse_answer(line, req):
    answer = json.loads(line)
    if answer.get("type") == "malformed":
        raise SystemExit(f"oracle refused {req}: {answer['error_message']}")
    answer.pop("type", None)
    return answer


def run_batch(python, oracle, reqs):
    text = f"{len(reqs)}\n" + "".join(json.dumps(r) + "\n" for r in reqs)
    proc = subprocess.run(
        [python, "-W", "ignore", "-c", BATCH_RUNNER, oracle],
        input=text, capture_output=True, text=True, check=False,
    )
    lines = [l for l in proc.stdout.splitlines() if l.strip()]
    if proc.returncode != 0 or len(lines) != len(reqs):
        raise SystemExit(f"batch run failed ({len(lines)}/{len(reqs)}): {proc.stderr}")
    return [parse_answer(line, req) for line, req in zip(lines, reqs)]


def run(python, oracle, req):
    proc = subprocess.run(
        [python, "-W", "ignore", oracle, "utility"],
        input=json.dumps(req) + "\n", capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"oracle failed on {req}: {proc.stderr}")
    lines = [l for l in proc.stdout.splitlines() if l.strip()]
    if len(lines) != 1:
        raise SystemExit(f"unexpected oracle output for {req}: {proc.stdout!r}")
    return parse_answer(lines[0], req)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--python", default=os.environ.get("AIOOTP_ORACLE_PYTHON", "python3.8"))
    ap.add_argument("--oracle", default=os.environ.get("AIOOTP_PROTOCOL_ORACLE"))
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--per-process", action="store_true",
                    help="one oracle process per request (slow; the default runs the "
                         "oracle's one-shot entry point repeatedly in one process)")
    args = ap.parse_args()
    if not args.oracle:
        ap.error("--oracle (or AIOOTP_PROTOCOL_ORACLE) is required")
    reqs = list(requests())
    if args.per_process:
        answers = []
        for i, req in enumerate(reqs):
            answers.append(run(args.python, args.oracle, req))
            print(f"\r{i + 1}/{len(reqs)}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    else:
        answers = run_batch(args.python, args.oracle, reqs)
    cases = [{"request": r, "response": a} for r, a in zip(reqs, answers)]
    doc = {
        "about": "Answers of Python aiootp 0.17.0 for its deterministic utilities "
                 "(spec utilities.md section 9), made by tools/gen_utility_vectors.py "
                 "through the oracle role `utility`. Each case holds the request sent "
                 "and the oracle's response.",
        "conventions": {
            "typed_values": "JSON string=str, integer=int, null=None, true/false=bool, "
                            "number with '.'=float, array=list, {'$bytes': hex}=bytes, "
                            "{'$tuple': [...]}=tuple, other objects=dict with str keys",
            "response": "ok=true with the result fields of spec section 9, or ok=false "
                        "with error_type and error_message",
        },
        "cases": cases,
    }
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print(f"{len(cases)} cases -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
