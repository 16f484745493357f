#!/usr/bin/env python3
"""Times the reference's database, Python aiootp 0.17.0 ``Database``, on
the workload of the Rust criterion bench ``crates/aiootp/benches/database.rs``
and prints milliseconds per operation.

Workload (the Rust bench uses the very same tags, values, key and depth):

* key = "0123456789abcdef" * 8 (128 hex characters, a str key),
  password_depth = 0;
* n tags (1,000 and 10,000; 100,000 with ``--large``) named
  ``"tag-%06d" % i``, each holding ``value(i)`` below, a JSON object whose
  ``json.dumps`` text is about 1 KiB;
* ``set_all``: ``db[tag] = value`` for every tag on a freshly opened,
  empty database;
* ``save``: ``db.save()`` of the filled database (every value
  re-encrypted and rewritten);
* ``reopen_preload``: ``Database(key, directory=d)`` (preloads every value);
* ``read_all``: ``db[tag]`` for every tag of the preloaded database;
* ``lazy_open_read_all``: ``Database(key, preload=False, directory=d)``,
  then ``db[tag]`` for every tag (one file read and decrypted per tag).

The databases live on a tmpfs (``/dev/shm``) when there is one, else in the
system temporary directory (``--dir`` chooses another), as in the Rust
bench. Times are medians of ``--repeat`` runs (fewer for the slow ones,
see ``timed``).

Usage: python bench_db.py [--sizes 1000,10000] [--large] [--repeat N] [--json FILE]
"""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings

warnings.simplefilter("ignore")

import aiootp  # noqa: E402
from aiootp import Database  # noqa: E402

KEY = "0123456789abcdef" * 8
DEPTH = 0


def tag(i):
    return "tag-%06d" % i


def value(i):
    """The ~1 KiB object of bench_reference.py with "id": i."""
    return {
        "id": i,
        "name": "Zo\u00eb \U0001f680 \u00f1",
        "titles": ["queen b", "sir", "dr"],
        "active": True,
        "ratio": 0.125,
        "nothing": None,
        "history": [
            {"ts": 1600000000 + 60 * j, "amount": j * 1.25, "note": "entry %d" % j}
            for j in range(16)
        ],
    }


def workload_digest():
    """SHA3-256 of tag(i) + "\\t" + json.dumps(value(i)) + "\\n" for
    i < 1000; the Rust bench prints the same."""
    text = "".join("%s\t%s\n" % (tag(i), json.dumps(value(i))) for i in range(1000))
    return hashlib.sha3_256(text.encode()).hexdigest()


def base_dir(arg):
    if arg:
        return arg, "--dir"
    if os.path.isdir("/dev/shm"):
        return "/dev/shm", "tmpfs"
    return tempfile.gettempdir(), "temporary directory"


def timed(fn, repeat, budget, setup=None):
    """Median seconds of fn(setup()) over `repeat` runs (fewer past
    `budget` seconds, at least one)."""
    times = []
    start = time.perf_counter()
    for _ in range(repeat):
        arg = setup() if setup else None
        t0 = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - start > budget:
            break
    return statistics.median(times), len(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--large", action="store_true", help="also 100,000 tags")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dir", help="where to put the databases")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.large:
        sizes.append(100000)
    base, label = base_dir(args.dir)
    results = []
    print("reference: Python %s, aiootp %s; databases in %s (%s)"
          % (sys.version.split()[0], aiootp.__version__, base, label))
    print("workload digest %s" % workload_digest())

    def report(n, op, secs, runs):
        results.append({"name": "db_%d/%s" % (n, op), "tags": n, "seconds": secs,
                        "runs": runs})
        print("db_%-7d %-20s %12.1f ms  (%d runs)" % (n, op, secs * 1e3, runs))
        sys.stdout.flush()

    for n in sizes:
        tags = [(tag(i), value(i)) for i in range(n)]
        budget = 20.0 if n <= 10000 else 0.0
        dirs = []

        def fresh():
            d = tempfile.mkdtemp(prefix="aiootp-db-bench-py-", dir=base)
            dirs.append(d)
            return Database(KEY, password_depth=DEPTH, directory=d)

        def set_all(db):
            for t, v in tags:
                db[t] = v

        report(n, "set_all", *timed(set_all, args.repeat, budget, fresh))
        for d in dirs:
            shutil.rmtree(d)
        del dirs[:]

        db = fresh()
        set_all(db)
        report(n, "save", *timed(lambda _: db.save(), args.repeat, budget))
        d = dirs[0]
        del db
        report(n, "reopen_preload", *timed(
            lambda _: Database(KEY, password_depth=DEPTH, directory=d),
            args.repeat, budget))

        db = Database(KEY, password_depth=DEPTH, directory=d)
        assert len(db.tags) == n, len(db.tags)

        def read_all(db):
            for t, _ in tags:
                if db[t] is None:
                    raise AssertionError(t)

        report(n, "read_all", *timed(lambda _: read_all(db), args.repeat, budget))
        del db

        def lazy(_):
            read_all(Database(KEY, password_depth=DEPTH, directory=d, preload=False))

        report(n, "lazy_open_read_all", *timed(lazy, args.repeat, budget))
        shutil.rmtree(d)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": sys.version.split()[0], "directory": label,
                   "workload_digest": workload_digest(),
                       "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
