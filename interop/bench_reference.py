#!/usr/bin/env python3
"""Times the reference, Python aiootp 0.17.0, on the inputs of the Rust
criterion bench, and prints MB/s (10^6 bytes per second).

Inputs (all deterministic, so the Rust bench can use the very same):

* key  = "0123456789abcdef" * 8          (128 hex characters, a str key)
* salt = "89abcdef01234567" * 4          (64 hex characters)
* pid  = 0; the clock is the real one (it only changes the timestamp)
* bytes messages: ``bytes(i % 251 for i in range(n))`` for n = 1 KiB,
  64 KiB, 1 MiB, 16 MiB (KiB = 1024 bytes)
* JSON message: ``json_object()`` below, a dict of str/int/float/bool/None,
  a non-ASCII name and a list of 16 small records; its ``json.dumps`` text
  is 1,044 bytes (the size reported is that text's length)
* ASCII encoding: ``json_to_ascii`` / ``ascii_to_json`` of the ciphertext
  of the 64 KiB bytes message (65,856 bytes in the bytes form).  The
  reference converts through one big integer and is quadratic, so 1 MiB is
  not run (it would take hours).

Throughput is the plaintext size (JSON: text size; ASCII: bytes-form size)
divided by the median time of the repetitions.

Usage: python bench_reference.py [--quick] [--repeat N] [--json FILE]
  --quick   skips 16 MiB and the ASCII encoding (a few seconds in all)
"""

import argparse
import json
import statistics
import sys
import time
import warnings

warnings.simplefilter("ignore")

import aiootp  # noqa: E402
from aiootp import OneTimePad  # noqa: E402

KEY = "0123456789abcdef" * 8
SALT = "89abcdef01234567" * 4
KIB = 1024
MIB = 1024 * KIB


def message(n):
    """The bytes message of n bytes."""
    pattern = bytes(i % 251 for i in range(251 * 16))
    reps = n // len(pattern) + 1
    return (pattern * reps)[:n]


def json_object():
    """The ~1 KiB JSON message."""
    return {
        "account": 3311149,
        "name": "Zo\u00eb \U0001f680 \u00f1",
        "titles": ["queen b", "sir", "dr"],
        "active": True,
        "ratio": 0.125,
        "nothing": None,
        "history": [
            {"ts": 1600000000 + 60 * i, "amount": i * 1.25, "note": "entry %d" % i}
            for i in range(16)
        ],
    }


def timed(fn, repeat, budget):
    """Median seconds of fn() over `repeat` runs (fewer past `budget` s)."""
    times = []
    start = time.perf_counter()
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - start > budget:
            break
    return statistics.median(times), len(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args()
    io = OneTimePad.io
    results = []

    def report(name, size, fn, repeat=None, budget=10.0):
        secs, n = timed(fn, repeat or args.repeat, budget)
        mbs = size / secs / 1e6
        results.append({"name": name, "bytes": size, "seconds": secs, "runs": n,
                        "mb_per_s": mbs})
        print("%-26s %10d B  %12.3f ms  %10.4g MB/s  (%d runs)"
              % (name, size, secs * 1e3, mbs, n))
        sys.stdout.flush()

    print("reference: Python %s, aiootp %s" % (sys.version.split()[0], aiootp.__version__))
    sizes = [("1KiB", KIB), ("64KiB", 64 * KIB), ("1MiB", MIB)]
    if not args.quick:
        sizes.append(("16MiB", 16 * MIB))
    for label, n in sizes:
        data = message(n)
        ct = aiootp.bytes_encrypt(data, KEY, salt=SALT)
        few = 2 if n >= 16 * MIB else None
        report("bytes_encrypt/" + label, n,
               lambda: aiootp.bytes_encrypt(data, KEY, salt=SALT), few, 30.0)
        report("bytes_decrypt/" + label, n,
               lambda: aiootp.bytes_decrypt(ct, KEY), few, 30.0)

    value = json_object()
    text_size = len(json.dumps(value).encode())
    ct = aiootp.json_encrypt(value, KEY, salt=SALT)
    report("json_encrypt/object", text_size,
           lambda: aiootp.json_encrypt(value, KEY, salt=SALT), max(args.repeat, 200))
    report("json_decrypt/object", text_size,
           lambda: aiootp.json_decrypt(ct, KEY), max(args.repeat, 200))

    if not args.quick:
        ct = aiootp.bytes_encrypt(message(64 * KIB), KEY, salt=SALT)
        size = len(io.json_to_bytes(ct))
        text = io.json_to_ascii(ct)
        report("json_to_ascii/64KiB", size, lambda: io.json_to_ascii(ct), 1, 0.0)
        report("ascii_to_json/64KiB", size, lambda: io.ascii_to_json(text), 1, 0.0)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": sys.version.split()[0], "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
