#!/usr/bin/env python3
"""Randomized agreement check of passcrypt: the Rust CLI against Python aiootp 0.17.0.

For random passwords (ASCII, quotes, backslashes, controls, NUL, non-ASCII
and astral text, non-printable code points), random salts and small random
settings, ``aiootp passcrypt --password-file F --salt S --kb N --cpu N
--hardness N`` must print exactly what the reference returns, and both must
refuse the same bad inputs (empty password or salt, hardness < 256, cpu < 2,
kb < hardness) with the same message.  The reference runs in-process
(``Passcrypt._passcrypt``, whose results equal the public
``aiootp.passcrypt``; the first case also goes through the public function).
Cases are random but seeded: the seed is printed, and ``--seed`` replays a run.

The password file holds the password followed by one newline, which the CLI
drops.  Salts are command-line arguments, so they never contain NUL.

Usage:  python check_passcrypt.py [--cli PATH] [--seed N] [--cases N] [--verbose]
        (with the interop venv: interop/.venv/bin/python interop/check_passcrypt.py)
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
import warnings

warnings.simplefilter("ignore")

import aiootp  # noqa: E402
from aiootp import Passcrypt  # noqa: E402

if aiootp.__version__ != "0.17.0":
    sys.exit("check_passcrypt.py: needs aiootp 0.17.0, found %s" % aiootp.__version__)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# The Rust repr uses CPython 3.8's Unicode 12.1 printable table; on another
# Python only code points whose printability is the same everywhere are used.
PY38_UNICODE = unicodedata.unidata_version == "12.1.0"

SAFE_NON_ASCII = "äöüßéèñçåøæœ€£¥©®°±µ¶·×÷ΩπЖжあア中文한글✓★☃\u00a0\u00ad\u200b\u2028\u2029\ufeff\U0001f680\U0001f600"


def random_char(rng, allow_nul):
    kind = rng.random()
    if kind < 0.45:
        return chr(rng.randrange(0x20, 0x7F))
    if kind < 0.55:
        return rng.choice("'\"\\")
    if kind < 0.65:
        low = 0 if allow_nul else 1
        return chr(rng.choice([rng.randrange(low, 0x20), 0x7F]))
    if not PY38_UNICODE:
        return rng.choice(SAFE_NON_ASCII)
    if kind < 0.75:
        return chr(rng.randrange(0x80, 0x100))
    if kind < 0.9:
        while True:
            cp = rng.randrange(0x100, 0x10000)
            if not 0xD800 <= cp < 0xE000:
                return chr(cp)
    return chr(rng.randrange(0x10000, 0x110000))


def random_text(rng, allow_nul, max_len=24):
    n = rng.randrange(1, max_len + 1)
    return "".join(random_char(rng, allow_nul) for _ in range(n))


def random_settings(rng):
    hardness = 256 + rng.choice([0, 0, rng.randrange(0, 257)])
    kb = hardness + rng.choice([0, rng.randrange(0, 400)])
    cpu = rng.choice([2, 2, 3, 3, 4, 5, 7, rng.randrange(2, 24)])
    return kb, cpu, hardness


def reference(password, salt, kb, cpu, hardness, public=False):
    """('ok', hex) or ('err', message)."""
    try:
        if public:
            return "ok", aiootp.passcrypt(password, salt, kb=kb, cpu=cpu, hardness=hardness)
        # _passcrypt skips new()'s checks of the settings: run them first.
        Passcrypt._check_inputs(password, salt)
        Passcrypt._validate_args(kb, cpu, hardness)
        return "ok", Passcrypt._passcrypt(password, salt, kb=kb, cpu=cpu, hardness=hardness)
    except ValueError as e:
        return "err", str(e)


def ours(cli, workdir, password, salt, kb, cpu, hardness):
    """('ok', hex) or ('err', message) from the CLI."""
    path = os.path.join(workdir, "password")
    with open(path, "wb") as f:
        f.write(password.encode("utf-8") + b"\n")
    out = subprocess.run(
        [cli, "passcrypt", "--password-file", path, "--salt=" + salt,
         "--kb", str(kb), "--cpu", str(cpu), "--hardness", str(hardness)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    if out.returncode == 0:
        text = out.stdout.decode("utf-8")
        if not text.endswith("\n") or "\n" in text[:-1]:
            return "bad-output", repr(text)
        return "ok", text[:-1]
    err = out.stderr.decode("utf-8", "replace")
    if out.returncode == 1 and err.startswith("aiootp: ") and err.endswith("\n"):
        return "err", err[len("aiootp: "):-1]
    return "exit %d" % out.returncode, err


class Tally:
    def __init__(self, verbose):
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.verbose = verbose

    def check(self, what, got, want):
        if got == want:
            self.passed += 1
            if self.verbose:
                print("  ok   %s" % what)
        else:
            self.failed += 1
            self.failures.append((what, got, want))
            print("  FAIL %s\n       rust:   %r\n       python: %r" % (what, got, want))


def cases(rng, n):
    """Yields (label, password, salt, kb, cpu, hardness)."""
    for i in range(n):
        password = random_text(rng, allow_nul=True)
        salt = random_text(rng, allow_nul=False)
        yield "random %d" % i, password, salt, *random_settings(rng)
    # Text the reference's repr treats specially, at fixed small settings.
    specials = [
        ("quote '", "it's", 'say "hi"'),
        ("both quotes", 'it\'s "both"', "tab\there\n"),
        ("backslashes", "\\\\x00\\", "\\n"),
        ("controls", "\x00\x01\x1f\x7f", "\x1b[0m"),
        ("non-printables", "\u00a0\u00ad\u200b", "\u2028\u2029\ufeff"),
        ("astral", "\U0001f680\U0010ffff", "\U000e0001"),
        ("trailing CR", "password\r", "salt\r"),
        ("trailing newline", "password\n", "salt\n"),
        ("long", "p" * 3000, "s" * 3000),
        ("leading hyphen", "-pw", "-salt"),
    ]
    for label, password, salt in specials:
        yield label, password, salt, 256, 2, 256
    # Refusals: the same message in the same order of checks.
    refusals = [
        ("empty password", "", "s", 1, 1, 1),
        ("empty salt", "pw", "", 1, 1, 1),
        ("hardness 255", "pw", "s", 300, 1, 255),
        ("cpu 1", "pw", "s", 200, 1, 256),
        ("cpu 0", "pw", "s", 256, 0, 256),
        ("kb < hardness", "pw", "s", 511, 2, 512),
    ]
    for refusal in refusals:
        yield refusal


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    ap.add_argument("--cli", default=os.path.join(target, "release", "aiootp"))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=40,
                    help="random cases (default 40; plus fixed special cases)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(args.cli):
        sys.exit("check_passcrypt.py: CLI %s not found (build it with "
                 "`cargo build --release -p aiootp-cli`)" % args.cli)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2 ** 32)
    print("interop passcrypt: seed %d (replay with --seed %d), %d random cases, "
          "Python %s, Unicode %s" % (seed, seed, args.cases, sys.version.split()[0],
                                     unicodedata.unidata_version))
    rng = random.Random(seed)
    tally = Tally(args.verbose)
    started = time.time()
    with tempfile.TemporaryDirectory() as workdir:
        for n, (label, password, salt, kb, cpu, hardness) in enumerate(cases(rng, args.cases)):
            want = reference(password, salt, kb, cpu, hardness, public=(n == 0))
            got = ours(args.cli, workdir, password, salt, kb, cpu, hardness)
            what = "%s: password %r salt %r kb=%d cpu=%d hardness=%d" % (
                label, password[:40], salt[:40], kb, cpu, hardness)
            tally.check(what, got, want)
    print("interop passcrypt: %.1fs" % (time.time() - started))
    print("interop passcrypt: %d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
