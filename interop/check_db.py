#!/usr/bin/env python3
"""Randomized interop check of the encrypted database: the Rust CLI
(``aiootp db``) against Python aiootp 0.17.0's ``Database`` /
``AsyncDatabase``, in both directions.

Every case makes a random database: unicode tags (quotes, backslashes,
controls, non-BMP text, leading hyphens, the empty tag), random JSON
values (nested lists and dicts, big integers, random-bit floats, NaN and
infinities, non-ASCII text), nested child databases (metatags), opened by
a key (a 128-hex key or a weak password, ``password_depth`` 0 or 5000) or
by a password profile with a weak password (token passcrypt kb=256, cpu=2,
hardness=256; the login passcrypt and depth 10000 are the reference's).

  ref-writes  the reference writes it (sync or async class); ``aiootp db
              dump`` must print exactly the reference's ``json.dumps`` of
              the contents, ``list`` / ``metatags`` / ``get`` (and ``get``
              of non-string tags with ``--json-names``) likewise; then the
              CLI changes it (set, delete, delete-metatag, a new child) and
              the reference must read the new contents.
  ours-writes the CLI writes it (``set TAG JSON``, some values through
              ``set TAG -`` on stdin); the reference must read exactly what
              was written; then the reference changes it (set, pop,
              delete_metatag, save) and the CLI must read the new contents.

A profile's salt file lives in ``DIR/secure`` on both sides: the
reference's default database directory is re-pointed to ``DIR`` for the
case (as the shared oracle does), which is where the CLI keeps it by
default.  Cases are random but seeded: the seed is printed, and ``--seed``
replays a run.

Usage:  python check_db.py [--cli PATH] [--seed N] [--cases N]
                           [--profiles N] [--verbose]
        (with the interop venv: "$(interop/venv.sh)" interop/check_db.py)
"""

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unicodedata
import warnings
from contextlib import contextmanager
from pathlib import Path

warnings.simplefilter("ignore")

import aiootp  # noqa: E402
from aiootp import AsyncDatabase, Database  # noqa: E402

if aiootp.__version__ != "0.17.0":
    sys.exit("check_db.py: needs aiootp 0.17.0, found %s" % aiootp.__version__)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Tags are hashed by their repr, which follows the interpreter's Unicode
# tables; the Rust repr uses CPython 3.8's (12.1). Elsewhere only code
# points whose printability is the same everywhere are drawn.
PY38_UNICODE = unicodedata.unidata_version == "12.1.0"
SAFE_NON_ASCII = "äöüßéèñçåøæœ€£¥©®°±µ¶·×÷ΩπЖжあア中文한글✓★☃\u00a0\u00ad\u200b\u2028\u2029\ufeff\U0001f680\U0001f600"

CIPHERS = Database.encrypt.__globals__  # the aiootp.ciphers module's dict
PATHS = sys.modules["aiootp.paths"]

TOKEN_SETTINGS = {"kb": 256, "cpu": 2, "hardness": 256}


# ------------------------------------------------------------------ reference


@contextmanager
def default_directory(path):
    """Re-points the reference's default database directory (and with it
    the profile salt directory, ``<default>/secure``) to ``path``."""
    path = Path(path)
    saved = []

    def set_attr(obj, name, value):
        saved.append((obj, name, getattr(obj, name), False))
        setattr(obj, name, value)

    def set_item(obj, name, value):
        saved.append((obj, name, obj[name], True))
        obj[name] = value

    try:
        for cls in (Database, AsyncDatabase):
            defaults = list(cls.__init__.__defaults__)
            defaults[3] = path
            set_attr(cls.__init__, "__defaults__", tuple(defaults))
            set_attr(cls, "directory", path)
        set_item(CIPHERS, "DatabasePath", lambda *a, **k: path)
        for fn in (PATHS.SecurePath, PATHS.AsyncSecurePath):
            set_attr(fn, "__defaults__", (lambda: path,))
        yield
    finally:
        for obj, name, value, item in reversed(saved):
            if item:
                obj[name] = value
            else:
                setattr(obj, name, value)


def run_async(coro):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def profile_tokens(case):
    p = case["profile"]
    return Database.generate_profile_tokens(
        *p["credentials"], username=p["username"], password=p["password"],
        salt=p["salt"], **TOKEN_SETTINGS,
    )


def ref_open(case, *, write):
    """A sync Database on the case's directory. Profiles: ``load_profile``
    for a writer (it re-saves, as the reference always does), and for a
    reader the same keys without the save."""
    directory = case["dir"]
    if "profile" not in case:
        return Database(key=case["key"], password_depth=case["depth"],
                        directory=directory)
    tokens = profile_tokens(case)
    if write:
        return Database.load_profile(tokens, directory=directory)
    if not Database.profile_exists(tokens):
        raise LookupError("Profile doesn't exist or is corrupt.")
    Database._generate_profile_salt(tokens)
    Database._generate_profile_login_key(tokens)
    return Database(key=tokens._login_key, password_depth=10000,
                    directory=directory)


def ref_dump(db):
    return {
        "tags": {tag: db.query(tag) for tag in db.tags},
        "metatags": {name: ref_dump(db.metatag(name)) for name in db.metatags},
    }


def ref_create(case, spec, use_async):
    """The reference writes ``spec`` (tags, then children, recursively)."""
    if not use_async:
        if "profile" in case:
            db = Database.generate_profile(profile_tokens(case), directory=case["dir"])
        else:
            db = Database(key=case["key"], password_depth=case["depth"],
                          directory=case["dir"])

        def fill(node, s):
            for tag, value in s["tags"]:
                node[tag] = value
            for name, child in s["metatags"]:
                fill(node.metatag(name), child)

        fill(db, spec)
        db.save()
        return

    async def go():
        if "profile" in case:
            p = case["profile"]
            tokens = await AsyncDatabase.agenerate_profile_tokens(
                *p["credentials"], username=p["username"], password=p["password"],
                salt=p["salt"], **TOKEN_SETTINGS,
            )
            db = await AsyncDatabase.agenerate_profile(tokens)  # default directory
        else:
            db = await AsyncDatabase(key=case["key"], password_depth=case["depth"],
                                     directory=case["dir"])

        async def fill(node, s):
            for tag, value in s["tags"]:
                node[tag] = value
            for name, child in s["metatags"]:
                await fill(await node.ametatag(name), child)

        await fill(db, spec)
        await db.asave()

    run_async(go())


# ------------------------------------------------------------------ ours


class Cli:
    def __init__(self, path, workdir):
        self.path = path
        self.workdir = workdir
        self.calls = 0

    def base(self, case):
        args = [self.path, "db", "--dir", case["dir"]]
        if "profile" in case:
            p = case["profile"]
            pw = os.path.join(self.workdir, "password")
            with open(pw, "wb") as f:
                f.write(p["password"].encode("utf-8") + b"\n")
            args += ["--profile", "--username=" + p["username"], "--password-file", pw,
                     "--kb=256", "--cpu=2", "--hardness=256"]
            args += ["--credential=" + c for c in p["credentials"]]
            if p["salt"] is not None:
                args.append("--salt=" + p["salt"])
        else:
            kf = os.path.join(self.workdir, "key")
            with open(kf, "wb") as f:
                f.write(case["key"].encode("utf-8") + b"\n")
            args += ["--key-file", kf, "--depth=%d" % case["depth"]]
        return args

    def run(self, case, path, op, stdin=b"", json_names=False):
        """(exit status, stdout text, stderr text)."""
        args = self.base(case)
        args += ["--metatag=" + name for name in path]
        if json_names:
            args.append("--json-names")
        args += op
        self.calls += 1
        out = subprocess.run(args, input=stdin, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        return out.returncode, out.stdout.decode("utf-8", "replace"), \
            out.stderr.decode("utf-8", "replace")

    def ok(self, case, path, op, **kw):
        code, out, err = self.run(case, path, op, **kw)
        if code != 0:
            raise RuntimeError("aiootp db %s failed (%d): %s" % (op[0], code, err.strip()))
        return out

    def set(self, case, path, tag, value, rng):
        """``set TAG JSON``, or ``set TAG -`` with the JSON on stdin (for
        big values, which a command line cannot hold, and at random)."""
        text = json.dumps(value)
        if len(text) > 20000 or rng.random() < 0.2:
            self.ok(case, list(path), ["set", "--", tag, "-"], stdin=text.encode())
        else:
            self.ok(case, list(path), ["set", "--", tag, text])

    def write_spec(self, case, spec, rng, path=()):
        """``set`` every tag, depth first (a child is created by its first
        tag, so every generated child has one)."""
        for tag, value in spec["tags"]:
            self.set(case, path, tag, value, rng)
        for name, child in spec["metatags"]:
            self.write_spec(case, child, rng, path + (name,))


# ------------------------------------------------------------------ random inputs


def random_char(rng):
    kind = rng.random()
    if kind < 0.5:
        return chr(rng.randrange(0x20, 0x7F))
    if kind < 0.6:
        return rng.choice("'\"\\-")
    if kind < 0.67:
        return chr(rng.choice([rng.randrange(1, 0x20), 0x7F]))
    if not PY38_UNICODE:
        return rng.choice(SAFE_NON_ASCII)
    if kind < 0.77:
        return chr(rng.randrange(0x80, 0x100))
    if kind < 0.92:
        while True:
            cp = rng.randrange(0x100, 0x10000)
            if not 0xD800 <= cp < 0xE000:
                return chr(cp)
    return chr(rng.randrange(0x10000, 0x110000))


def random_text(rng, lo=0, hi=16):
    return "".join(random_char(rng) for _ in range(rng.randrange(lo, hi + 1)))


def random_float(rng):
    kind = rng.random()
    if kind < 0.05:
        return rng.choice([math.nan, math.inf, -math.inf, -0.0, 0.0, 1e16, 1e-5])
    if kind < 0.5:
        return round(rng.uniform(-1e6, 1e6), rng.randrange(0, 6))
    while True:
        f = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if math.isfinite(f):
            return f


def random_value(rng, depth=0):
    kind = rng.randrange(10 if depth < 3 else 7)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randrange(-2 ** rng.randrange(1, 300), 2 ** rng.randrange(1, 300))
    if kind == 3:
        return random_float(rng)
    if kind in (4, 5, 6):
        return random_text(rng, 0, 40)
    if kind in (7, 8):
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    return {random_text(rng, 0, 10): random_value(rng, depth + 1)
            for _ in range(rng.randrange(0, 5))}


def random_tags(rng, n):
    tags = []
    seen = set()
    while len(tags) < n:
        r = rng.random()
        if r < 0.05:
            tag = ""
        elif r < 0.1:
            tag = "-" + random_text(rng, 1, 8)
        else:
            tag = random_text(rng, 1, 24)
        if tag not in seen:
            seen.add(tag)
            value = random_value(rng)
            if rng.random() < 0.03:
                value = "x" * rng.randrange(20000, 200000)  # big: through stdin
            tags.append([tag, value])
    return tags


def random_name(rng, taken):
    while True:
        # ':' keeps the names clear of the reference's attribute names.
        name = "m:" + random_text(rng, 0, 12)
        if name not in taken:
            taken.add(name)
            return name


def random_spec(rng, depth=0):
    spec = {"tags": random_tags(rng, rng.randrange(1, 6)), "metatags": []}
    if depth < 2:
        taken = set()
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3]) if depth == 0 else rng.choice([0, 0, 1])):
            spec["metatags"].append([random_name(rng, taken), random_spec(rng, depth + 1)])
    return spec


def random_case(rng, i, workdir, profile):
    d = os.path.join(workdir, "case%d" % i)
    os.mkdir(d)
    case = {"dir": d}
    if profile:
        case["profile"] = {
            "username": random_text(rng, 1, 12).replace("\x00", "u"),
            # Weak passwords.
            "password": rng.choice(["password", "123456", "hunter2", "letmein",
                                    "correct horse", "pässwörd"]) + str(rng.randrange(100)),
            "credentials": [random_text(rng, 1, 12) for _ in range(rng.randrange(0, 3))],
            "salt": rng.choice([None, random_text(rng, 1, 12)]),
        }
    else:
        key = rng.choice([
            "%0128x" % rng.getrandbits(512),
            rng.choice(["a low entropy passphrase", "hunter2", "pässwörd ✓"]),
            random_text(rng, 1, 30),
        ])
        # The key file loses one trailing newline (then one CR) only.
        case["key"] = key.rstrip("\r\n") or "k"
        case["depth"] = rng.choice([0, 0, 5000])
    return case


def dumps_spec(spec):
    """What a dump prints for ``spec`` (dict semantics: a repeated tag
    keeps its first place)."""
    return json.dumps(to_dump(spec))


def to_dump(spec):
    return {
        "tags": dict((t, v) for t, v in spec["tags"]),
        "metatags": {n: to_dump(c) for n, c in spec["metatags"]},
    }


def put(spec, tag, value):
    """Sets a tag in the model: an existing tag keeps its place."""
    for pair in spec["tags"]:
        if pair[0] == tag:
            pair[1] = value
            return
    spec["tags"].append([tag, value])


def child_at(spec, path):
    for name in path:
        spec = dict(spec["metatags"])[name]
    return spec


def all_paths(spec, path=()):
    yield path
    for name, child in spec["metatags"]:
        yield from all_paths(child, path + (name,))


# ------------------------------------------------------------------ checks


class Tally:
    def __init__(self, verbose):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def check(self, what, got, want):
        if got == want:
            self.passed += 1
            if self.verbose:
                print("  ok   %s" % what)
        else:
            self.failed += 1
            print("  FAIL %s\n       got:  %.600r\n       want: %.600r" % (what, got, want))

    def error(self, what, exc):
        self.failed += 1
        print("  FAIL %s: %s: %s" % (what, type(exc).__name__, str(exc)[:600]))


def check_ref_writes(cli, case, rng, tally, label):
    spec = random_spec(rng)
    # Tags of other types, which a Python program may use.
    odd = []
    if rng.random() < 0.5:
        odd = [[t, random_value(rng)] for t in
               rng.sample([2020, -7, 10 ** 30, 1.5, None, True], rng.randrange(1, 4))]
        spec["tags"] += odd
    use_async = rng.random() < 0.4
    label = "%s ref-writes (%s)" % (label, "async" if use_async else "sync")
    ref_create(case, spec, use_async)

    tally.check(label + ": dump", cli.ok(case, [], ["dump"]), dumps_spec(spec) + "\n")
    for path in all_paths(spec):
        node = child_at(spec, path)
        where = "%s: %r" % (label, list(path))
        tally.check(where + " list", cli.ok(case, list(path), ["list"]),
                    json.dumps([t for t, _ in node["tags"]]) + "\n")
        tally.check(where + " metatags", cli.ok(case, list(path), ["metatags"]),
                    json.dumps([n for n, _ in node["metatags"]]) + "\n")
        str_tags = [(t, v) for t, v in node["tags"] if isinstance(t, str)]
        if str_tags:
            tag, value = rng.choice(str_tags)
            tally.check(where + " get %r" % tag, cli.ok(case, list(path), ["get", "--", tag]),
                        json.dumps(value) + "\n")
    for tag, value in odd:
        tally.check(label + ": get --json-names %r" % (tag,),
                    cli.ok(case, [], ["get", "--", json.dumps(tag)], json_names=True),
                    json.dumps(value) + "\n")

    # The CLI changes it; the reference reads the result.
    paths = list(all_paths(spec))
    path = rng.choice(paths)
    node = child_at(spec, path)
    tag, value = random_tags(rng, 1)[0]
    put(node, tag, value)
    cli.set(case, path, tag, value, rng)
    victims = [t for t, _ in spec["tags"] if isinstance(t, str) and t != tag]
    if victims:
        victim = rng.choice(victims)
        cli.ok(case, [], ["delete", "--", victim])
        spec["tags"] = [p for p in spec["tags"] if p[0] != victim]
    if spec["metatags"] and rng.random() < 0.5:
        name = rng.choice(spec["metatags"])[0]
        cli.ok(case, [], ["delete-metatag", "--", name])
        spec["metatags"] = [p for p in spec["metatags"] if p[0] != name]
    new = random_name(rng, {n for n, _ in spec["metatags"]})
    child = {"tags": random_tags(rng, 1), "metatags": []}
    spec["metatags"].append([new, child])
    cli.write_spec(case, child, rng, (new,))
    # Unchanged values of the database keep their files (the CLI loads
    # only what it changes).
    tally.check(label + ": reference reads our changes",
                json.dumps(ref_dump(ref_open(case, write=False))), dumps_spec(spec))


def check_ours_writes(cli, case, rng, tally, label):
    spec = random_spec(rng)
    label = "%s ours-writes" % label
    cli.write_spec(case, spec, rng)
    tally.check(label + ": reference reads",
                json.dumps(ref_dump(ref_open(case, write=False))), dumps_spec(spec))
    tally.check(label + ": we read", cli.ok(case, [], ["dump"]), dumps_spec(spec) + "\n")

    # The reference changes it; the CLI reads the result.
    db = ref_open(case, write=True)
    paths = list(all_paths(spec))
    path = rng.choice(paths)
    node_db = db
    for name in path:
        node_db = node_db.metatag(name)
    node = child_at(spec, path)
    tag, value = random_tags(rng, 1)[0]
    node_db[tag] = value
    put(node, tag, value)
    victims = [t for t, _ in spec["tags"] if t != tag]
    if victims:
        victim = rng.choice(victims)
        db.pop(victim)
        spec["tags"] = [p for p in spec["tags"] if p[0] != victim]
    if spec["metatags"] and rng.random() < 0.5:
        name = rng.choice(spec["metatags"])[0]
        db.delete_metatag(name)
        spec["metatags"] = [p for p in spec["metatags"] if p[0] != name]
    db.save()
    tally.check(label + ": we read the reference's changes",
                cli.ok(case, [], ["dump"]), dumps_spec(spec) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    ap.add_argument("--cli", default=os.path.join(target, "release", "aiootp"))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=16,
                    help="key-opened databases per direction (default 16)")
    ap.add_argument("--profiles", type=int, default=4,
                    help="profile databases per direction (default 4)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if not args.cli or not os.path.exists(args.cli):
        sys.exit("check_db.py: CLI %r not found (build it with "
                 "`cargo build --release -p aiootp-cli`)" % args.cli)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2 ** 32)
    print("interop db: seed %d (replay with --seed %d), %d key and %d profile cases "
          "per direction, Python %s, Unicode %s" % (
              seed, seed, args.cases, args.profiles, sys.version.split()[0],
              unicodedata.unidata_version))
    rng = random.Random(seed)
    tally = Tally(args.verbose)
    started = time.time()
    workdir = tempfile.mkdtemp(prefix="aiootp-interop-db-")
    cli = Cli(args.cli, workdir)
    try:
        n = 0
        kinds = [False] * args.cases + [True] * args.profiles
        for profile in kinds:
            for check in (check_ref_writes, check_ours_writes):
                case = random_case(rng, n, workdir, profile)
                if profile:
                    label = "case %d (profile %r)" % (n, case["profile"]["username"])
                else:
                    label = "case %d (key %.20r…, depth %d)" % (n, case["key"], case["depth"])
                n += 1
                try:
                    with default_directory(case["dir"]):
                        check(cli, case, rng, tally, label)
                except Exception as e:  # noqa: BLE001 - report and go on
                    tally.error(label, e)
                shutil.rmtree(case["dir"], ignore_errors=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("interop db: %d CLI runs, %.1fs" % (cli.calls, time.time() - started))
    print("interop db: %d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
