#!/usr/bin/env python3
"""Independent check of the crate's TurboSHAKE256, KT256 and lane
keystream (crates/aiootp/src/keccak/) against PyCryptodome.

PyCryptodome (3.24) has TurboSHAKE256 but not KT256 (its KangarooTwelve
is KT128), so KT256 is written here from RFC 9861 section 3 on top of
PyCryptodome's TurboSHAKE256, independently of the Rust code, and first
checked against the RFC's vectors (crates/aiootp/tests/data/rfc9861.txt).
The keystream is, by its definition, block k =
TurboSHAKE256(prefix || le64(first + k), D, block_len).

    interop/check_turboshake.py [--seed N] [--cases N]
        random cases, checked by the Rust test `pycryptodome_cases`
        (cargo test, AIOOTP_TURBOSHAKE_CASES=<file>); prints
        "interop turboshake: N passed, M failed", exit 1 on any mismatch
    interop/check_turboshake.py --write crates/aiootp/tests/data/turboshake_pycryptodome.txt
        (re)writes the committed cases that `cargo test` always checks

Inputs are SHAKE256(label || decimal seed) (hashlib), so a case is one
short line: its seed, lengths and the SHA3-256 of the expected output.
"""

import argparse
import hashlib
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RFC_FILE = os.path.join(ROOT, "crates", "aiootp", "tests", "data", "rfc9861.txt")

try:
    from Crypto.Hash import TurboSHAKE256
except ImportError:
    sys.exit(
        "check_turboshake: PyCryptodome is missing from this Python: "
        f"{sys.executable} -m pip install -r {os.path.join(HERE, 'requirements.txt')}"
    )

MSG_LABEL = b"aiootp turboshake interop message "
CUSTOM_LABEL = b"aiootp turboshake interop custom "
CHUNK = 8192


def turboshake256(msg, domain, n):
    return TurboSHAKE256.new(data=msg, domain=domain).read(n)


def length_encode(x):
    """RFC 9861 section 3.3: big-endian bytes without leading zeros, then
    their count."""
    s = b""
    while x > 0:
        s = bytes([x & 0xFF]) + s
        x >>= 8
    return s + bytes([len(s)])


def kt256(message, custom, n):
    """RFC 9861 section 3.2, with TurboSHAKE256 and 64-byte chaining values."""
    s = message + custom + length_encode(len(custom))
    if len(s) <= CHUNK:
        return turboshake256(s, 0x07, n)
    node = s[:CHUNK] + b"\x03" + b"\x00" * 7
    leaves = 0
    for i in range(CHUNK, len(s), CHUNK):
        node += turboshake256(s[i : i + CHUNK], 0x0B, 64)
        leaves += 1
    node += length_encode(leaves) + b"\xff\xff"
    return turboshake256(node, 0x06, n)


def keystream(prefix, domain, first, block, total):
    out = bytearray()
    k = 0
    while len(out) < total:
        ctr = ((first + k) % (1 << 64)).to_bytes(8, "little")
        out += turboshake256(prefix + ctr, domain, min(block, total - len(out)))
        k += 1
    return bytes(out)


def ptn(n):
    pattern = bytes(range(251))
    return (pattern * (n // 251 + 1))[:n]


def field_bytes(s):
    if s == "empty":
        return b""
    m = re.fullmatch(r"ptn\((\d+)\)", s)
    return ptn(int(m.group(1))) if m else bytes.fromhex(s)


def self_check():
    """Our KT256 (and PyCryptodome's TurboSHAKE256) on the RFC vectors."""
    count = 0
    with open(RFC_FILE) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            func, *rest = line.split()
            kv = dict(w.split("=", 1) for w in rest)
            msg = field_bytes(kv["M"])
            n = int(kv["L"])
            if func == "TurboSHAKE256":
                out = turboshake256(msg, int(kv["D"], 16), n)
            else:
                out = kt256(msg, field_bytes(kv["C"]), n)
            want = bytes.fromhex(kv["out"])
            if out[len(out) - len(want) :] != want:
                sys.exit(f"check_turboshake: the Python side fails an RFC vector: {line.strip()}")
            count += 1
    return count


def expand(label, seed, n):
    return hashlib.shake_256(label + str(seed).encode()).digest(n)


def msg_len(rng):
    return rng.choice(
        [
            lambda: rng.randrange(0, 300),
            lambda: rng.randrange(120, 420),
            lambda: rng.randrange(8100, 8300),
            lambda: rng.randrange(1, 20) * CHUNK + rng.randrange(-3, 4),
            lambda: rng.randrange(0, 150_000),
        ]
    )()


def out_len(rng):
    return rng.randrange(1, 300) if rng.random() < 0.85 else rng.randrange(300, 10_000)


def make_cases(seed, count):
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        case_seed = rng.randrange(1 << 62)
        kind = ("TurboSHAKE256", "KT256", "Keystream")[i % 3]
        if kind == "TurboSHAKE256":
            m, d, n = msg_len(rng), rng.randrange(1, 0x80), out_len(rng)
            out = turboshake256(expand(MSG_LABEL, case_seed, m), d, n)
            head = f"TurboSHAKE256 seed={case_seed} M={m} D={d:02X} L={n}"
        elif kind == "KT256":
            m = max(0, msg_len(rng))
            c = rng.randrange(0, 50) if rng.random() < 0.8 else rng.randrange(8180, 8200)
            n = out_len(rng)
            out = kt256(expand(MSG_LABEL, case_seed, m), expand(CUSTOM_LABEL, case_seed, c), n)
            head = f"KT256 seed={case_seed} M={m} C={c} L={n}"
        else:
            # Prefixes around AOT2's (lp(64-byte key) || 32-byte tag) and
            # around the rate (136), counters near 0 and near 2^64.
            m = rng.choice([0, 8, 98, 104, 127, 128, 129, 135, 136, rng.randrange(0, 400)])
            d = rng.randrange(1, 0x80)
            first = rng.randrange(0, 1000) if rng.random() < 0.8 else (1 << 64) - rng.randrange(1, 10)
            block = CHUNK if rng.random() < 0.4 else rng.randrange(1, 700)
            total = rng.randrange(0, 12) * block + rng.randrange(0, block)
            out = keystream(expand(MSG_LABEL, case_seed, m), d, first, block, total)
            head = f"Keystream seed={case_seed} M={m} D={d:02X} first={first} block={block} L={total}"
        lines.append(f"{head} sha3={hashlib.sha3_256(out).hexdigest()}")
    return lines


HEADER = """\
# TurboSHAKE256, KT256 and keystream outputs computed by
# interop/check_turboshake.py: PyCryptodome's TurboSHAKE256 and a KT256
# written from RFC 9861 on top of it (independent of the Rust code).
# Checked by crates/aiootp/tests/keccak_turboshake.rs (pycryptodome_cases)
# on every lane back end.
#
# Inputs: message (or keystream prefix) = SHAKE256("aiootp turboshake interop
# message " || seed as decimal text)[:M]; customization =
# SHAKE256("aiootp turboshake interop custom " || seed)[:C]. D is the domain
# byte (hex), L the output length; sha3 = SHA3-256 of the whole output.
# Keystream: block k = TurboSHAKE256(prefix || le64(first + k), D, block),
# blocks concatenated and cut to L bytes.
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--write", metavar="FILE", help="write the committed cases file instead")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    vectors = self_check()
    import Crypto

    print(f"check_turboshake: PyCryptodome {Crypto.__version__}; the Python KT256 passes {vectors} RFC 9861 vectors; seed {seed}")
    lines = make_cases(seed, args.cases)
    if args.write:
        with open(args.write, "w") as f:
            f.write(HEADER + f"# Made with --seed {seed} --cases {args.cases}.\n")
            f.write("\n".join(lines) + "\n")
        print(f"check_turboshake: wrote {len(lines)} cases to {args.write}")
        return 0
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        env = dict(os.environ, AIOOTP_TURBOSHAKE_CASES=path)
        run = subprocess.run(
            ["cargo", "test", "-q", "-p", "aiootp", "--test", "keccak_turboshake", "pycryptodome_cases", "--", "--nocapture"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            universal_newlines=True,
        )
    finally:
        os.unlink(path)
    summary = re.search(r"interop turboshake: (\d+) passed, (\d+) failed", run.stdout)
    for line in run.stdout.splitlines():
        if line.startswith("MISMATCH"):
            print(line)
    if summary is None:
        print(run.stdout[-4000:])
        print(f"interop turboshake: 0 passed, {len(lines)} failed")
        return 1
    passed, failed = int(summary.group(1)), int(summary.group(2))
    print(f"interop turboshake: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed == len(lines) and run.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
