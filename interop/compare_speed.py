#!/usr/bin/env python3
"""Prints speed ratios of the Rust implementation over the Python reference.

Reads the reference timings written by ``bench_reference.py --json FILE``
and criterion's estimates under ``target/criterion`` (from
``cargo bench -p aiootp --bench compat_cipher``), both made in the same
sitting by ``interop/compare_speed.sh``; prints one line per operation:
reference time, ours (one thread and two), and the ratios.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CRIT = os.path.join(ROOT, "target", "criterion")

# reference name -> list of (label, criterion path under target/criterion)
PAIRS = {}
for label, n in (("1KiB", 1024), ("64KiB", 65536), ("1MiB", 1 << 20), ("16MiB", 16 << 20)):
    for op in ("encrypt", "decrypt"):
        PAIRS["bytes_%s/%s" % (op, label)] = [
            ("1 thread", "compat_bytes/%s_1thread/%d" % (op, n)),
            ("2 threads", "compat_bytes/%s_2threads/%d" % (op, n)),
        ]
PAIRS["json_encrypt/object"] = [("1 thread", "compat_json/encrypt_1KiB_object")]
PAIRS["json_decrypt/object"] = [("1 thread", "compat_json/decrypt_1KiB_object")]
PAIRS["json_to_ascii/64KiB"] = [("1 thread", "compat_encodings/json_to_ascii/65536")]
PAIRS["ascii_to_json/64KiB"] = [("1 thread", "compat_encodings/ascii_to_json/65536")]


def criterion_seconds(path):
    f = os.path.join(CRIT, path, "new", "estimates.json")
    if not os.path.exists(f):
        return None
    with open(f) as fh:
        return json.load(fh)["median"]["point_estimate"] / 1e9


def main():
    ref_file = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "out", "reference.json")
    with open(ref_file) as fh:
        ref = {r["name"]: r for r in json.load(fh)["results"]}
    print("%-22s %12s  %-34s" % ("operation", "reference", "ours (ratio = reference / ours)"))
    for name, targets in PAIRS.items():
        if name not in ref:
            continue
        r = ref[name]["seconds"]
        cells = []
        for label, path in targets:
            s = criterion_seconds(path)
            if s is not None:
                cells.append("%s %.4g ms (%.1fx)" % (label, s * 1e3, r / s))
        print("%-22s %9.4g ms  %s" % (name, r * 1e3, ";  ".join(cells) or "-"))


if __name__ == "__main__":
    main()
