#!/usr/bin/env python3
"""Times the reference's passcrypt (Python aiootp 0.17.0) on the settings of
the Rust criterion bench (``cargo bench -p aiootp --bench passcrypt``), and
optionally the Rust CLI in the same sitting, interleaved, for ratios.

Inputs: password ``"password"``, salt ``"salt"``; settings (kb, cpu,
hardness) = (256, 2, 256) the smallest, (1024, 3, 1024) the defaults,
(32768, 3, 1024) the profile tokens' defaults.

Measured per repetition, in this order:

* ``public``: ``aiootp.passcrypt(...)``, what a user calls (the reference
  runs the algorithm in a child process, with a multiprocessing manager);
* ``in-process``: ``Passcrypt._passcrypt(...)``, the algorithm alone;
* ``rust-cli`` (with ``--cli PATH``): ``aiootp passcrypt --password-file F
  --salt salt --kb .. --cpu .. --hardness ..`` as a subprocess (process
  start included, about a millisecond), checked to print the same hex.

Reports the best and the median wall-clock time of the repetitions and
the best CPU time (user + system, children included: the public call's
child process, the CLI), and, with ``--cli``, the ratios reference / Rust
of each.  The machine may be shared: repeat, and read the range (CPU time
is the least sensitive to other load).

Usage: python bench_passcrypt.py [--repeat N] [--quick] [--cli PATH] [--json FILE]
  --quick   skips 32768 KiB
  (with the interop venv: interop/.venv/bin/python interop/bench_passcrypt.py
   --cli target/release/aiootp)
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

warnings.simplefilter("ignore")

import aiootp  # noqa: E402
from aiootp import Passcrypt  # noqa: E402

PASSWORD = "password"
SALT = "salt"
SETTINGS = [(256, 2, 256), (1024, 3, 1024), (32768, 3, 1024)]


def cpu_seconds():
    """CPU time of this process and its reaped children (user + system)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn):
    """(wall seconds, CPU seconds, result) of fn()."""
    cpu = cpu_seconds()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, cpu_seconds() - cpu, result


def run_cli(cli, password_file, kb, cpu, hardness):
    out = subprocess.run(
        [cli, "passcrypt", "--password-file", password_file, "--salt", SALT,
         "--kb", str(kb), "--cpu", str(cpu), "--hardness", str(hardness)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True,
    )
    return out.stdout.decode().strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cli", default=None, help="the Rust aiootp binary, timed interleaved")
    ap.add_argument("--json", default=None, help="also write the figures here")
    args = ap.parse_args()
    if aiootp.__version__ != "0.17.0":
        sys.exit("bench_passcrypt.py: needs aiootp 0.17.0")
    settings = [s for s in SETTINGS if not (args.quick and s[0] >= 32768)]
    report = []
    with tempfile.TemporaryDirectory() as tmp:
        password_file = os.path.join(tmp, "password")
        with open(password_file, "w") as f:
            f.write(PASSWORD + "\n")
        for kb, cpu, hardness in settings:
            kw = dict(kb=kb, cpu=cpu, hardness=hardness)
            times = {"public": [], "in-process": [], "rust-cli": []}
            cpus = {"public": [], "in-process": [], "rust-cli": []}
            expected = None
            for _ in range(args.repeat):
                t, c, r = timed(lambda: aiootp.passcrypt(PASSWORD, SALT, **kw))
                times["public"].append(t)
                cpus["public"].append(c)
                expected = expected or r
                assert r == expected
                t, c, r = timed(lambda: Passcrypt._passcrypt(PASSWORD, SALT, **kw))
                times["in-process"].append(t)
                cpus["in-process"].append(c)
                assert r == expected
                if args.cli:
                    t, c, r = timed(lambda: run_cli(args.cli, password_file, kb, cpu, hardness))
                    times["rust-cli"].append(t)
                    cpus["rust-cli"].append(c)
                    if r != expected:
                        sys.exit("bench_passcrypt.py: the CLI printed %r, the reference %r"
                                 % (r, expected))
            row = {"kb": kb, "cpu": cpu, "hardness": hardness, "repeat": args.repeat}
            line = "%5d/%d/%-4d" % (kb, cpu, hardness)
            for name, ts in times.items():
                if not ts:
                    continue
                row[name] = {"best": min(ts), "median": statistics.median(ts),
                             "cpu_best": min(cpus[name])}
                line += "\n    %-10s wall best %.4fs median %.4fs, cpu best %.4fs" % (
                    name, min(ts), statistics.median(ts), min(cpus[name]))
            if args.cli:
                rust = row["rust-cli"]
                for ref in ("public", "in-process"):
                    row["ratio_" + ref] = {
                        "best": row[ref]["best"] / rust["best"],
                        "median": row[ref]["median"] / rust["median"],
                        "cpu_best": row[ref]["cpu_best"] / max(rust["cpu_best"], 1e-9),
                    }
                for ref in ("public", "in-process"):
                    r = row["ratio_" + ref]
                    line += "\n    reference %s / rust: %.2fx (wall best) %.2fx (wall median) " \
                            "%.2fx (cpu best)" % (ref, r["best"], r["median"], r["cpu_best"])
            print(line, flush=True)
            report.append(row)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
