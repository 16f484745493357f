#!/usr/bin/env python3
"""Prints database speed ratios of the Rust implementation over the Python
reference.

Reads the reference timings written by ``bench_db.py --json FILE`` and
criterion's estimates under ``target/criterion/db_<n>/<op>`` (from
``cargo bench -p aiootp --bench database``), both made in the same sitting
by ``interop/compare_db_speed.sh``, and prints one line per operation:
reference time, ours, and the ratio reference / ours. With a second
argument, the Rust bench's log, it also checks that both sides ran the
same workload (the "workload digest" lines).
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CRIT = os.path.join(ROOT, "target", "criterion")
OPS = ("set_all", "save", "reopen_preload", "read_all", "lazy_open_read_all")


def criterion_seconds(path):
    f = os.path.join(CRIT, path, "new", "estimates.json")
    if not os.path.exists(f):
        return None
    with open(f) as fh:
        return json.load(fh)["median"]["point_estimate"] / 1e9


def main():
    ref_file = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "out", "reference_db.json")
    with open(ref_file) as fh:
        ref = json.load(fh)
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as fh:
            m = re.search(r"workload digest ([0-9a-f]{64})", fh.read())
        ours = m.group(1) if m else None
        if ours != ref.get("workload_digest"):
            print("workload digests differ: reference %s, ours %s"
                  % (ref.get("workload_digest"), ours))
            sys.exit(1)
        print("same workload (digest %s...)" % ours[:16])
    results = {r["name"]: r for r in ref["results"]}
    print("databases on %s; medians; ratio = reference / ours" % ref.get("directory", "?"))
    print("%-30s %12s %12s %8s" % ("operation", "reference", "ours", "ratio"))
    for name, r in results.items():
        s = criterion_seconds(name)
        if s is None:
            print("%-30s %9.1f ms %12s" % (name, r["seconds"] * 1e3, "-"))
            continue
        print("%-30s %9.1f ms %9.1f ms %7.1fx"
              % (name, r["seconds"] * 1e3, s * 1e3, r["seconds"] / s))
    extra = criterion_seconds("db_10000/save_no_journal")
    if extra is not None:
        print("(ours without the journal: db_10000/save_no_journal %.1f ms)" % (extra * 1e3))


if __name__ == "__main__":
    main()
