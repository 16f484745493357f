#!/usr/bin/env python3
"""Times the reference's Ropake, Python aiootp 0.17.0, on the rounds of
the Rust criterion bench ``crates/aiootp/benches/ropake.rs`` and prints
milliseconds per round.

* ``ropake/registration_round``: on a freshly opened, empty client
  ``Database`` (opened outside the timing), ``Ropake.client_registration``
  step 1, ``Ropake.server_registration`` into a dict, client step 2 (which
  saves the client database), the server's final step;
* ``ropake/login_round``: on a registered client database,
  ``Ropake.client`` step 1, ``Ropake.server``, client step 2 (saves), the
  server's final step; the state ratchets from one round to the next.

Messages are handed over as dicts. Client key ``"0123456789abcdef" * 8``,
password depth 0, the package's own randomness. The client databases live
on a tmpfs (``/dev/shm``) when there is one, else in the system temporary
directory (``--dir`` chooses another), as in the Rust bench. Times are
medians of ``--repeat`` rounds.

Usage: python bench_ropake.py [--repeat N] [--dir DIR] [--json FILE]
"""

import argparse
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
from aiootp import Database, Ropake  # noqa: E402

KEY = "0123456789abcdef" * 8
DEPTH = 0


def base_dir(arg):
    if arg:
        return arg, "--dir"
    if os.path.isdir("/dev/shm"):
        return "/dev/shm", "tmpfs"
    return tempfile.gettempdir(), "temporary directory"


def finish(gen, value=None):
    """Sends the last value into a protocol generator; returns its result."""
    try:
        gen(value)
    except StopIteration:
        pass
    else:
        raise AssertionError("the protocol did not finish")
    return gen.result()


def registration(db, store):
    client = Ropake.client_registration(db)
    hello = client()
    server = Ropake.server_registration(hello, store)
    response = server()
    client_keys = finish(client, response)
    server_keys = finish(server)
    return client_keys, server_keys


def login(db, store):
    client = Ropake.client(db)
    hello = client()
    server = Ropake.server(hello, store)
    response = server()
    client_keys = finish(client, response)
    server_keys = finish(server)
    return client_keys, server_keys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--dir", help="where to put the client databases")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args()
    base, label = base_dir(args.dir)
    print("reference: Python %s, aiootp %s; client databases in %s (%s)"
          % (sys.version.split()[0], aiootp.__version__, base, label))
    results = []

    def report(name, times):
        secs = statistics.median(times)
        results.append({"name": name, "seconds": secs, "runs": len(times)})
        print("%-28s %9.3f ms  (median of %d)" % (name, secs * 1e3, len(times)))
        sys.stdout.flush()

    dirs = []

    def fresh():
        d = tempfile.mkdtemp(prefix="aiootp-ropake-bench-py-", dir=base)
        dirs.append(d)
        return Database(KEY, password_depth=DEPTH, directory=d)

    try:
        times = []
        for _ in range(args.repeat):
            db, store = fresh(), {}
            t0 = time.perf_counter()
            c, s = registration(db, store)
            times.append(time.perf_counter() - t0)
            assert c.key == s.key and len(store) == 1
            shutil.rmtree(dirs.pop())
        report("ropake/registration_round", times)

        db, store = fresh(), {}
        registration(db, store)
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            c, s = login(db, store)
            times.append(time.perf_counter() - t0)
            assert c.session_key == s.session_key and len(store) == 1
        report("ropake/login_round", times)
    finally:
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": sys.version.split()[0], "directory": label,
                       "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
