#!/usr/bin/env python3
"""Differential interop checks: the Rust compat cipher against Python aiootp 0.17.0.

The reference package is imported in-process; the Rust library is reached
through the JSON-lines driver (``aiootp-interop-driver``), spawned once.
Every check computes the reference's outcome (a value, or an exception
class and message) and the Rust outcome for the same inputs and compares
them.  Cases are random but seeded: the seed is printed, and ``--seed``
replays a run.

Sections:

  a  Python encrypts, Rust decrypts: dict, JSON text, bytes and ASCII forms.
  b  Rust encrypts with a fixed salt and time: ciphertext, JSON text, bytes,
     ASCII, padding compared byte for byte with Python's; and with a random
     salt: Python decrypts every form.
  c  Both refuse the same bad inputs (wrong key/pid, flipped bits, truncation,
     expiry, malformed JSON, bad salts, bad encodings).
  m  Lower layers: repr/hash helpers, ratchets, keystreams, padding, names,
     key-ordered hash maps.
  u  Exhaustive text: every code point through repr (CPython 3.8 only: the
     Unicode 12.1 printable table), json.dumps and json.loads; thousands of
     floats through repr, json.dumps and json.loads.
  cli  The ``aiootp`` command-line tool against Python (skipped, with a note,
     when the binary or its flags are missing).

Usage:  python check_cipher.py [--driver PATH] [--cli PATH] [--seed N]
                               [--cases N] [--no-big] [--verbose]
"""

import argparse
import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
import unicodedata
import warnings

warnings.simplefilter("ignore")

import aiootp  # noqa: E402
from aiootp import OneTimePad  # noqa: E402

if aiootp.__version__ != "0.17.0":
    sys.exit("check_cipher.py: needs aiootp 0.17.0, found %s" % aiootp.__version__)

IO = OneTimePad.io
_GEN_GLOBALS = aiootp.pad_bytes.__globals__  # aiootp.generics
_REAL_CLOCK = _GEN_GLOBALS["this_second"]
PY38_UNICODE = unicodedata.unidata_version == "12.1.0"

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Largest plaintext whose ASCII form the reference converts in this run
# (its base conversion is quadratic: ~9 s at 64 KiB).
ASCII_MAX = 2048
# The one big message whose ASCII form is converted too (~12 s per direction).
BIG_ASCII_SIZE = 65535


# ------------------------------------------------------------------ clock


class Clock:
    """Fixes the reference's whole-second clock, as the oracle does."""

    def __init__(self, second):
        self.second = second

    def __enter__(self):
        if self.second is not None:
            value = int(self.second)
            _GEN_GLOBALS["this_second"] = lambda: value
        return self

    def __exit__(self, *exc):
        _GEN_GLOBALS["this_second"] = _REAL_CLOCK
        return False


# ------------------------------------------------------------------ values


def encode_value(v):
    """Python value -> typed JSON value (the oracle's convention)."""
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        return {"$float": repr(v)}
    if isinstance(v, bytes):
        return {"$bytes": v.hex()}
    if isinstance(v, tuple):
        return {"$tuple": [encode_value(x) for x in v]}
    if isinstance(v, list):
        return [encode_value(x) for x in v]
    if isinstance(v, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in v):
            if len(v) != 1:
                return {k: encode_value(x) for k, x in v.items()}
        return {"$dict": [[encode_value(k), encode_value(x)] for k, x in v.items()]}
    raise TypeError(type(v))


def outcome(fn):
    """Runs fn; returns ("ok", value) or ("err", class name, message)."""
    try:
        return ("ok", fn())
    except Exception as e:  # the reference raises many classes
        return ("err", type(e).__name__, str(e))


def short(obj, n=600):
    text = obj if isinstance(obj, str) else json.dumps(obj)
    return text if len(text) <= n else text[:n] + "...(%d chars)" % len(text)


# ------------------------------------------------------------------ driver


class BigIntText(str):
    """An integer of more than 4300 digits in a driver response: CPython
    3.8.14+ refuses to convert those (the reference included), so they are
    kept as text."""

    def __repr__(self):
        return "BigIntText(%d digits)" % len(self)


def int_digits(n):
    """Decimal digits of a non-negative int of any size, without str(n)
    (which CPython 3.8.14+ refuses past 4300 digits)."""
    parts = []
    while n:
        n, r = divmod(n, 10 ** 1000)
        parts.append(r)
    if not parts:
        return "0"
    out = "%d" % parts[-1]
    return out + "".join("%01000d" % p for p in reversed(parts[:-1]))


def parse_int(text):
    digits = len(text) - text.startswith("-")
    return int(text) if digits <= 4300 else BigIntText(text)



class Driver:
    """The Rust JSON-lines driver, spawned once (restarted if it dies)."""

    def __init__(self, path):
        self.path = path
        self.proc = None
        self.deaths = 0
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [self.path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            bufsize=1 << 20,
        )

    def call(self, cmd, **fields):
        req = dict(fields, cmd=cmd)
        line = (json.dumps(req) + "\n").encode()
        try:
            self.proc.stdin.write(line)
            self.proc.stdin.flush()
            resp = self.proc.stdout.readline()
        except (BrokenPipeError, OSError):
            resp = b""
        if not resp:
            self.deaths += 1
            self.start()
            return {"ok": False, "error_type": "DriverDied",
                    "error_message": "the driver exited on this request"}
        return json.loads(resp, parse_int=parse_int)

    def call_with_ints(self, cmd, ints, **fields):
        """As call(), where string fields equal to a key of `ints` are sent
        as those integers' decimal digits (json.dumps cannot write ints of
        more than 4300 digits on CPython 3.8.14+)."""
        text = json.dumps(dict(fields, cmd=cmd))
        for placeholder, n in ints.items():
            text = text.replace(json.dumps(placeholder), int_digits(n))
        self.proc.stdin.write((text + "\n").encode())
        self.proc.stdin.flush()
        resp = self.proc.stdout.readline()
        if not resp:
            self.deaths += 1
            self.start()
            return {"ok": False, "error_type": "DriverDied", "error_message": "exit"}
        return json.loads(resp, parse_int=parse_int)

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


# ------------------------------------------------------------------ tally


class Tally:
    def __init__(self, verbose):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.notes = []
        self.failures = []
        self.known = []
        self.verbose = verbose
        self.by_section = {}

    def ok(self, section):
        self.passed += 1
        self.by_section.setdefault(section, [0, 0])[0] += 1

    def fail(self, section, what, detail):
        self.failed += 1
        self.by_section.setdefault(section, [0, 0])[1] += 1
        self.failures.append((section, what, detail))
        if len(self.failures) <= 40 or self.verbose:
            print("MISMATCH [%s] %s\n    %s" % (section, what, detail.replace("\n", "\n    ")))

    def known_divergence(self, section, what, reason, detail):
        self.known.append((section, what, reason))
        print("KNOWN DIVERGENCE [%s] %s (%s)\n    %s" % (
            section, what, reason, detail.replace("\n", "\n    ")[:800]))

    def check(self, section, what, cond, detail=""):
        if cond:
            self.ok(section)
        else:
            self.fail(section, what, detail)
        return cond

    def skip(self, note):
        self.skipped += 1
        self.notes.append(note)
        print("SKIP " + note)


def compare_outcome(t, section, what, py, rs, request, kind="bytes", loose=False,
                    known=None):
    """Compares a reference outcome with a driver response.

    kind: "bytes" (plaintext_hex), "json" (plaintext), or a callable that
    maps (python value, response) -> (expected, got).
    loose: both must fail, classes/messages may differ (documented
    deliberate divergences).
    known: the reason of a documented deliberate divergence; a mismatch is
    then reported as known, not as a failure.
    """
    def bad(detail):
        if known:
            t.known_divergence(section, what, known, detail)
        else:
            t.fail(section, what, detail)
        return False

    limit = "Exceeds the limit (4300) for integer string conversion"
    if (rs.get("error_type") == "DriverError" and py[0] != "ok"
            and limit in (rs.get("error_message") or "") and limit in str(py[2])):
        # CPython 3.8.14+ refuses integers over 4300 digits; so does the
        # Rust JSON layer, here already while reading the request.
        t.ok(section)
        return True
    if rs.get("error_type") in ("DriverError", "DriverDied"):
        return bad("driver could not serve the request: %s\n  request: %s"
                   % (rs.get("error_message"), short(request)))
    if py[0] == "ok":
        if not rs.get("ok"):
            return bad("Python ok, Rust %s: %s\n  request: %s"
                       % (rs.get("error_type"), rs.get("error_message"), short(request)))
        if kind == "bytes":
            exp, got = py[1].hex(), rs["plaintext_hex"]
        elif kind == "json":
            exp, got = json.dumps(py[1]), json.dumps(rs["plaintext"])
        else:
            exp, got = kind(py[1], rs)
        if exp != got:
            return bad("values differ\n  python: %s\n  rust:   %s\n  request: %s"
                       % (short(exp), short(got), short(request)))
        t.ok(section)
        return True
    if rs.get("ok"):
        return bad("Python %s(%s), Rust ok\n  request: %s" % (py[1], py[2], short(request)))
    if not loose and (py[1], py[2]) != (rs.get("error_type"), rs.get("error_message")):
        return bad("errors differ\n  python: %s: %s\n  rust:   %s: %s\n  request: %s"
                   % (py[1], py[2], rs.get("error_type"), rs.get("error_message"),
                      short(request)))
    t.ok(section)
    return True


# ------------------------------------------------------------------ random inputs

SPECIAL_CHARS = [
    "'", '"', "\\", "\t", "\n", "\r", "\x00", "\x1f", "\x7f", "\x80", "\xa0",
    "\xad", "\xe9", "\xf1", "\xff", "\u0100", "\u200b", "\u2028", "\u3000",
    "\ufeff", "\ue000", "\u20ac", "\u4e2d", "\U0001f600", "\U0001f680",
    "\U000e0001", "\U0010ffff", "\U00020000", "\u0378", "\u0300",
]
if PY38_UNICODE:
    # assigned after Unicode 12.1: escaped by CPython 3.8's repr
    SPECIAL_CHARS += ["\U0001fad0", "\u08be", "\U0001f972"]

# Documented deliberate divergences (see interop/README.md).
KNOWN_LONE_SURROGATE = ("a JSON string with an unpaired surrogate escape: Python returns a "
                        "str no Rust String can hold; Rust refuses with JSONDecodeError")
KNOWN_DEPTH = ("JSON nested deeper than pyjson's MAX_DEPTH (512): Rust raises "
               "RecursionError, CPython only near 1000 levels")

KEY_ODD = "k'ey \"odd\"\t\x00 \u00f1\u20ac\U0001f600\u200b\\"


def rand_char(rng):
    r = rng.random()
    if r < 0.55:
        return chr(rng.randint(0x20, 0x7E))
    if r < 0.75:
        return rng.choice(SPECIAL_CHARS)
    if r < 0.85:
        return chr(rng.randint(0, 0xFF))
    if not PY38_UNICODE:
        return rng.choice(SPECIAL_CHARS)
    if r < 0.95:
        c = rng.randint(0x100, 0xFFFF)
        while 0xD800 <= c <= 0xDFFF:
            c = rng.randint(0x100, 0xFFFF)
        return chr(c)
    return chr(rng.randint(0x10000, 0x10FFFF))


def rand_text(rng, lo=0, hi=24):
    return "".join(rand_char(rng) for _ in range(rng.randint(lo, hi)))


def rand_big_int(rng):
    bits = rng.choice([1, 7, 31, 63, 64, 65, 128, 300, 2048, 2100, 7000])
    n = rng.getrandbits(bits)
    return -n if rng.random() < 0.3 else n


NICE_FLOATS = [0.0, -0.0, 1.5, 0.1, 1e16, 1e15, 1e-5, 1e-4, 5e-324, 2.5e-300,
               1.7976931348623157e308, 123456789.125, 1e22, 1e21, -3.25,
               9007199254740993.0, 1.2345678901234568e+17, 13000.5, 0.5e-7]


def rand_float(rng, allow_special=False):
    r = rng.random()
    if allow_special and r < 0.05:
        return rng.choice([math.nan, math.inf, -math.inf])
    if r < 0.4:
        return rng.choice(NICE_FLOATS)
    if r < 0.7:
        return rng.uniform(-1e6, 1e6)
    while True:
        f = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(f):
            return f


def rand_json(rng, depth=0, allow_special=False):
    """A JSON value (as Python's json module builds them)."""
    r = rng.random()
    if depth >= 4 or r < 0.45:
        k = rng.randint(0, 6)
        if k == 0:
            return None
        if k == 1:
            return rng.random() < 0.5
        if k == 2:
            return rand_big_int(rng)
        if k == 3:
            return rand_float(rng, allow_special)
        return rand_text(rng)
    if r < 0.7:
        return [rand_json(rng, depth + 1, allow_special) for _ in range(rng.randint(0, 5))]
    return {rand_text(rng, 0, 8): rand_json(rng, depth + 1, allow_special)
            for _ in range(rng.randint(0, 5))}


def rand_value(rng, depth=0):
    """Any Python value the cipher may hash (keys, pids, hash arguments)."""
    r = rng.random()
    if depth >= 3 or r < 0.55:
        k = rng.randint(0, 7)
        if k == 0:
            return None
        if k == 1:
            return rng.random() < 0.5
        if k == 2:
            return rand_big_int(rng)
        if k == 3:
            return rand_float(rng, True)
        if k == 4:
            return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 20)))
        return rand_text(rng)
    if r < 0.7:
        return [rand_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if r < 0.85:
        return tuple(rand_value(rng, depth + 1) for _ in range(rng.randint(0, 4)))
    keys = set()
    d = {}
    for _ in range(rng.randint(0, 4)):
        k = rng.choice([rand_text(rng, 0, 6), rng.randint(-5, 10 ** 6),
                        bytes([rng.getrandbits(8)]), None])
        if k in keys or (isinstance(k, int) and k in (0, 1)):
            continue  # 0/1 collide with False/True
        keys.add(k)
        d[k] = rand_value(rng, depth + 1)
    return d


def rand_key(rng):
    r = rng.random()
    if r < 0.5:
        return aiootp.csprng()
    if r < 0.7:
        text = rand_text(rng, 1, 40)
        return text
    if r < 0.8:
        n = rand_big_int(rng)
        return n if n else 7
    if r < 0.9:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 80)))
    if r < 0.95:
        return KEY_ODD
    return rng.choice([1.5, ("t", 1), [1, "a"], True])


def rand_pid(rng):
    r = rng.random()
    if r < 0.35:
        return 0
    if r < 0.55:
        return rand_big_int(rng)
    if r < 0.8:
        return rand_text(rng, 0, 30)
    return rand_value(rng)


def hex_salt(rng):
    return "%064x" % rng.getrandbits(256)


def rand_salt(rng):
    """A salt for encryption; None draws a random one."""
    r = rng.random()
    if r < 0.15:
        return None
    s = hex_salt(rng)
    if r < 0.85:
        return s
    if r < 0.9:
        return s.upper()
    if r < 0.95:
        return "".join(c.upper() if rng.random() < 0.5 else c for c in s)
    return "0x" + s[2:]


BOUNDARY_SIZES = [0, 1, 2, 7, 8, 200, 216, 217, 240, 247, 248, 249, 250, 251, 252,
                  253, 254, 255, 256, 257, 503, 504, 505, 760, 1000]


def pick_size(rng):
    if rng.random() < 0.7:
        return rng.choice(BOUNDARY_SIZES)
    return rng.randint(0, 4096)


def big_sizes(n_cases, with_big):
    """Sizes of the big cases of a direction: 64 KiB +- 1 and 1 MiB."""
    if not with_big:
        return []
    return [65535, 65536, 65537, 1 << 20]


def rand_bytes(rng, n):
    if n > 4096:
        return os.urandom(n)
    return bytes(rng.getrandbits(8) for _ in range(n))


# ------------------------------------------------------------------ section a


def py_decrypt(ct, key, pid, mode, ttl=0, now=None):
    with Clock(now):
        if mode == "bytes":
            if isinstance(ct, str):
                ct = json.loads(ct)
            return aiootp.bytes_decrypt(ct, key, pid=pid, ttl=ttl)
        return aiootp.json_decrypt(ct, key, pid=pid, ttl=ttl)


def py_from_bytes(hexdata, key, pid, mode, ttl=0, now=None):
    return py_decrypt(IO.bytes_to_json(bytes.fromhex(hexdata)), key, pid, mode, ttl, now)


def py_from_ascii(text, key, pid, mode, ttl=0, now=None):
    return py_decrypt(IO.ascii_to_json(text), key, pid, mode, ttl, now)


def section_a(d, t, rng, n_cases, with_big):
    """Python encrypts, Rust decrypts every form."""
    plans = [(s, "bytes") for s in big_sizes(n_cases, with_big)]
    plans += [(None, None)] * n_cases
    for size, mode in plans:
        mode = mode or ("json" if rng.random() < 0.3 else "bytes")
        key, pid, salt = rand_key(rng), rand_pid(rng), rand_salt(rng)
        if salt is not None and not salt.islower() and rng.random() < 0.5:
            salt = salt.lower()
        t0 = rng.randint(1_500_000_000, 1_800_000_000)
        if mode == "bytes":
            n = pick_size(rng) if size is None else size
            pt = rand_bytes(rng, n)
            with Clock(t0):
                ct = aiootp.bytes_encrypt(pt, key, salt=salt, pid=pid)
        else:
            value = rand_json(rng, allow_special=rng.random() < 0.1)
            n = len(json.dumps(value))
            with Clock(t0):
                ct = aiootp.json_encrypt(value, key, salt=salt, pid=pid)
        ttl, now = 0, None
        if rng.random() < 0.3:
            ttl = rng.randint(1, 10 ** 6)
            now = t0 + rng.randint(-1000, ttl)
        base = {"mode": mode, "key": encode_value(key), "pid": encode_value(pid),
                "ttl": ttl}
        if now is not None:
            base["now"] = now
        if rng.random() < 0.1:
            base["async"] = True
        what = "a/%s size=%d key=%s salt=%s" % (mode, n, type(key).__name__,
                                              "random" if salt is None else salt[:6])
        # dict form
        req = dict(base, ciphertext=ct)
        compare_outcome(t, "a", what + " dict", outcome(lambda: py_decrypt(
            ct, key, pid, mode, ttl, now)), d.call("decrypt", **req), req, mode)
        # JSON text form
        text = json.dumps(ct)
        req = dict(base, ciphertext=text)
        compare_outcome(t, "a", what + " json-text", outcome(lambda: py_decrypt(
            text, key, pid, mode, ttl, now)), d.call("decrypt", **req), req, mode)
        # bytes form
        raw = outcome(lambda: IO.json_to_bytes(ct))
        if raw[0] == "err":
            rs = d.call("io", op="json_to_bytes", data=ct)
            compare_outcome(t, "a", what + " json_to_bytes refused", raw, rs,
                            {"op": "json_to_bytes", "data": ct})
            continue
        req = dict(base, bytes_hex=raw[1].hex())
        compare_outcome(t, "a", what + " bytes", outcome(lambda: py_from_bytes(
            raw[1].hex(), key, pid, mode, ttl, now)), d.call("decrypt", **req), req, mode)
        # ASCII form (quadratic in the reference: small messages, and one
        # 64 KiB message)
        if n <= ASCII_MAX or (size == BIG_ASCII_SIZE and with_big):
            ascii_text = IO.json_to_ascii(ct)
            req = dict(base, ascii=ascii_text)
            compare_outcome(t, "a", what + " ascii", outcome(lambda: py_from_ascii(
                ascii_text, key, pid, mode, ttl, now)), d.call("decrypt", **req), req, mode)


# ------------------------------------------------------------------ section b


def encoded_forms(ct, with_ascii):
    """The reference's encodings of a ciphertext dict (or their errors)."""
    out = {"ciphertext_json": json.dumps(ct)}
    try:
        b = IO.json_to_bytes(ct)
        out["bytes_hex"] = b.hex()
        if with_ascii:
            out["ascii"] = IO.json_to_ascii(ct)
            r = outcome(lambda: IO.ascii_to_json(out["ascii"]))
            out["ascii_roundtrip_ok"] = r[0] == "ok" and r[1] == ct
            if r[0] == "err":
                out["ascii_roundtrip_error"] = {"error_type": r[1], "error_message": r[2]}
    except Exception as e:
        out["io_error"] = {"error_type": type(e).__name__, "error_message": str(e)}
    return out


def compare_encrypt(t, section, what, req, rs, ct, plaintext_bytes, key, salt, pid, t0,
                    with_ascii=True):
    """A Rust encryption response against the reference's for the same inputs."""
    if not rs.get("ok"):
        t.fail(section, what, "Rust refused: %s: %s\n  request: %s" % (
            rs.get("error_type"), rs.get("error_message"), short(req)))
        return
    t.check(section, what + " ciphertext", rs["ciphertext"] == ct,
            "ciphertext dicts differ\n  python: %s\n  rust:   %s\n  request: %s"
            % (short(ct), short(rs["ciphertext"]), short(req)))
    forms = encoded_forms(ct, with_ascii)
    for name in ("ciphertext_json", "bytes_hex", "ascii", "ascii_roundtrip_ok",
                 "ascii_roundtrip_error", "io_error"):
        if name.startswith("ascii") and "ascii" not in forms:
            continue
        t.check(section, what + " " + name, forms.get(name) == rs.get(name),
                "%s differs\n  python: %s\n  rust:   %s\n  request: %s"
                % (name, short(str(forms.get(name))), short(str(rs.get(name))), short(req)))
    t.check(section, what + " chunks_hex",
            rs["chunks_hex"] == [c.to_bytes(256, "big").hex() for c in ct["ciphertext"]],
            "chunks differ; request: %s" % short(req))
    pk = OneTimePad.padding_key(key, salt=salt, pid=pid)
    with Clock(t0):
        padded = aiootp.pad_bytes(plaintext_bytes, salted_key=pk)
    t.check(section, what + " padding", (rs["padding_key_hex"], rs["padded_hex"])
            == (pk.hex(), padded.hex()), "padding differs; request: %s" % short(req))


def section_b(d, t, rng, n_cases, with_big):
    """Rust encrypts: byte-identical with a fixed salt and time; Python
    decrypts every form of a random-salt message."""
    plans = [(s, "bytes") for s in big_sizes(n_cases, with_big)]
    plans += [(None, None)] * n_cases
    for size, mode in plans:
        mode = mode or ("json" if rng.random() < 0.3 else "bytes")
        key, pid = rand_key(rng), rand_pid(rng)
        salt = rand_salt(rng) or hex_salt(rng)
        t0 = rng.randint(0, 2 ** 40) if rng.random() < 0.05 else rng.randint(
            1_500_000_000, 1_800_000_000)
        base = {"mode": mode, "key": encode_value(key), "pid": encode_value(pid)}
        if rng.random() < 0.1:
            base["async"] = True
        if mode == "bytes":
            n = pick_size(rng) if size is None else size
            pt = rand_bytes(rng, n)
            base["plaintext_hex"] = pt.hex()
            with Clock(t0):
                ct = aiootp.bytes_encrypt(pt, key, salt=salt, pid=pid)
            pt_bytes = pt
        else:
            value = rand_json(rng, allow_special=rng.random() < 0.1)
            base["plaintext"] = value
            with Clock(t0):
                ct = aiootp.json_encrypt(value, key, salt=salt, pid=pid)
            pt_bytes = json.dumps(value).encode()
            n = len(pt_bytes)
        what = "b/%s size=%d key=%s salt=%s" % (mode, n, type(key).__name__, salt[:6])
        # fixed salt and time: byte-identical
        req = dict(base, salt=salt, time=t0)
        rs = d.call("encrypt", **req)
        with_ascii = n <= ASCII_MAX or (size == BIG_ASCII_SIZE and with_big)
        compare_encrypt(t, "b", what + " fixed", req, rs, ct, pt_bytes, key, salt, pid, t0,
                        with_ascii)
        if mode == "json" and rs.get("ok"):
            t.check("b", what + " plaintext_json",
                    rs.get("plaintext_json") == pt_bytes.decode(),
                    "json.dumps text differs\n  python: %s\n  rust:   %s"
                    % (short(pt_bytes.decode()), short(str(rs.get("plaintext_json")))))
        # random salt, real clock: Python decrypts every form
        req = dict(base, salt=None)
        rs = d.call("encrypt", **req)
        if not rs.get("ok"):
            t.fail("b", what + " random salt", "Rust refused: %s" % short(rs))
            continue
        rsalt = rs["salt"]
        t.check("b", what + " salt format", isinstance(rsalt, str) and len(rsalt) == 64
                and all(c in "0123456789abcdef" for c in rsalt),
                "bad random salt %r" % (rsalt,))
        now = int(time.time())
        ttl = 3600
        expect = pt_bytes if mode == "bytes" else json.loads(pt_bytes.decode())
        forms = [("dict", lambda: py_decrypt(rs["ciphertext"], key, pid, mode, ttl, now)),
                 ("json-text", lambda: py_decrypt(rs["ciphertext_json"], key, pid, mode,
                                                 ttl, now)),
                 ("bytes", lambda: py_from_bytes(rs["bytes_hex"], key, pid, mode, ttl, now))]
        if "ascii" in rs and with_ascii:
            forms.append(("ascii", lambda: py_from_ascii(rs["ascii"], key, pid, mode,
                                                         ttl, now)))
        for name, fn in forms:
            got = outcome(fn)
            if name == "ascii" and rs["ciphertext"]["hmac"].startswith("00"):
                t.check("b", what + " ascii (hmac 00)", got[0] == "err"
                        and rs.get("ascii_roundtrip_ok") is False,
                        "hmac starts with 00: the reference cannot read the ascii "
                        "form; python=%r rust roundtrip_ok=%r" % (got[:2], rs.get(
                            "ascii_roundtrip_ok")))
                continue
            if got[0] == "ok":
                same = (got[1] == expect) if mode == "bytes" else (
                    json.dumps(got[1]) == json.dumps(expect))
            else:
                same = False
            t.check("b", what + " python decrypts " + name, same,
                    "python: %s\n  request: %s" % (short(str(got)), short(req)))


# ------------------------------------------------------------------ section c


def flip_hex_char(rng, text):
    i = rng.randrange(len(text))
    c = text[i]
    new = rng.choice([x for x in "0123456789abcdef" if x != c.lower()])
    return text[:i] + new + text[i + 1:]


def section_c(d, t, rng, n_cases):
    """Both sides refuse the same bad inputs."""
    # A few fixed messages to mutate.
    msgs = []
    for _ in range(8):
        key, pid = rand_key(rng), rand_pid(rng)
        salt = hex_salt(rng)
        t0 = rng.randint(1_500_000_000, 1_800_000_000)
        n = rng.choice([0, 1, 100, 248, 300, 600])
        pt = rand_bytes(rng, n)
        with Clock(t0):
            ct = aiootp.bytes_encrypt(pt, key, salt=salt, pid=pid)
        msgs.append((key, pid, salt, t0, pt, ct))

    def run(name, ct_field, key, pid, mode="bytes", ttl=0, now=None, loose=False,
            py_ct=None):
        """Decrypt the same (possibly bad) input on both sides."""
        req = {"mode": mode, "key": encode_value(key), "pid": encode_value(pid),
               "ttl": ttl}
        if now is not None:
            req["now"] = now
        req.update(ct_field)
        if "ciphertext" in ct_field:
            src = ct_field["ciphertext"] if py_ct is None else py_ct
            py = outcome(lambda: py_decrypt(src, key, pid, mode, ttl, now))
        elif "bytes_hex" in ct_field:
            py = outcome(lambda: py_from_bytes(ct_field["bytes_hex"], key, pid, mode,
                                               ttl, now))
        else:
            py = outcome(lambda: py_from_ascii(ct_field["ascii"], key, pid, mode, ttl, now))
        compare_outcome(t, "c", name, py, d.call("decrypt", **req), req, mode, loose=loose)

    mutations = [
        "wrong_key", "wrong_pid", "key_none", "key_empty", "flip_block_bit",
        "flip_hmac", "upper_hmac", "empty_hmac", "missing_field", "extra_field",
        "flip_salt", "upper_salt", "drop_block", "no_blocks", "dup_block",
        "swap_blocks", "bytes_flip_bit", "bytes_truncate", "bytes_append",
        "bytes_drop_block", "ascii_change_char", "ascii_bad_char", "ascii_truncate",
        "expired", "ttl_edge", "future_ok", "negative_ttl", "json_text_truncated",
        "json_text_garbage", "json_non_dict", "dup_keys", "float_items",
        "big_items", "negative_items", "hmac_not_str", "ciphertext_not_list",
    ]
    for i in range(n_cases):
        key, pid, salt, t0, pt, ct = msgs[i % len(msgs)]
        m = mutations[i % len(mutations)] if i < 2 * len(mutations) else rng.choice(mutations)
        name = "c/%s #%d" % (m, i)
        blocks = list(ct["ciphertext"])
        raw = IO.json_to_bytes(ct)
        if m == "wrong_key":
            other = rng.choice([
                (key[:-1] + ("0" if key[-1] != "0" else "1")) if isinstance(key, str)
                else "x", str(key), rand_key(rng)])
            if other == key:
                other = aiootp.csprng()
            run(name, {"ciphertext": ct}, other, pid)
        elif m == "wrong_pid":
            other = rng.choice([1, "0", 0.0, None, pid if pid != 0 else 1, rand_pid(rng)])
            if repr(other) == repr(pid):
                other = ("p", other)
            run(name, {"ciphertext": ct}, key, other)
        elif m == "key_none":
            run(name, {"ciphertext": ct}, None, pid)
        elif m == "key_empty":
            run(name, {"ciphertext": ct}, rng.choice(["", 0, b"", False]), pid)
        elif m == "flip_block_bit":
            j = rng.randrange(len(blocks))
            blocks[j] ^= 1 << rng.randrange(2048)
            run(name, {"ciphertext": dict(ct, ciphertext=blocks)}, key, pid)
        elif m == "flip_hmac":
            run(name, {"ciphertext": dict(ct, hmac=flip_hex_char(rng, ct["hmac"]))}, key, pid)
        elif m == "upper_hmac":
            run(name, {"ciphertext": dict(ct, hmac=ct["hmac"].upper())}, key, pid)
        elif m == "empty_hmac":
            run(name, {"ciphertext": dict(ct, hmac="")}, key, pid)
        elif m == "missing_field":
            drop = rng.choice([["hmac"], ["salt"], ["ciphertext"], ["hmac", "salt"],
                               ["salt", "ciphertext"], ["hmac", "salt", "ciphertext"]])
            run(name, {"ciphertext": {k: v for k, v in ct.items() if k not in drop}},
                key, pid)
        elif m == "extra_field":
            run(name, {"ciphertext": dict(ct, extra=[1, "x"], hmac2="00")}, key, pid)
        elif m == "flip_salt":
            run(name, {"ciphertext": dict(ct, salt=flip_hex_char(rng, ct["salt"]))}, key, pid)
        elif m == "upper_salt":
            run(name, {"ciphertext": dict(ct, salt=ct["salt"].upper())}, key, pid)
        elif m == "drop_block":
            j = rng.randrange(len(blocks))
            run(name, {"ciphertext": dict(ct, ciphertext=blocks[:j] + blocks[j + 1:])},
                key, pid)
        elif m == "no_blocks":
            run(name, {"ciphertext": dict(ct, ciphertext=[])}, key, pid)
        elif m == "dup_block":
            run(name, {"ciphertext": dict(ct, ciphertext=blocks + blocks[-1:])}, key, pid)
        elif m == "swap_blocks":
            run(name, {"ciphertext": dict(ct, ciphertext=blocks[::-1] + [blocks[0]])},
                key, pid)
        elif m == "bytes_flip_bit":
            b = bytearray(raw)
            j = rng.randrange(len(b))
            b[j] ^= 1 << rng.randrange(8)
            run(name, {"bytes_hex": bytes(b).hex()}, key, pid)
        elif m == "bytes_truncate":
            k = rng.choice([1, 2, 63, 64, 65, 255, 256, 257, len(raw) - 1, len(raw)])
            run(name, {"bytes_hex": raw[:max(0, len(raw) - k)].hex()}, key, pid)
        elif m == "bytes_append":
            extra = rand_bytes(rng, rng.choice([1, 255, 256, 257]))
            run(name, {"bytes_hex": (raw + extra).hex()}, key, pid)
        elif m == "bytes_drop_block":
            cut = 64 + 256 * rng.randrange((len(raw) - 64) // 256)
            run(name, {"bytes_hex": (raw[:cut] + raw[cut + 256:]).hex()}, key, pid)
        elif m.startswith("ascii_"):
            a = IO.json_to_ascii(ct)
            if m == "ascii_change_char":
                j = rng.randrange(len(a))
                table = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
                a = a[:j] + rng.choice([c for c in table if c != a[j]]) + a[j + 1:]
            elif m == "ascii_bad_char":
                j = rng.randrange(len(a) + 1)
                a = a[:j] + rng.choice(["+", "/", "=", " ", "\u00e9", "\n", "\x00"]) + a[j:]
            else:
                a = a[:rng.randrange(len(a))]
            run(name, {"ascii": a}, key, pid)
        elif m == "expired":
            ttl = rng.choice([1, 10, 60, 3600, 10 ** 6])
            late = rng.choice([1, 2, 90, 10 ** 5, 10 ** 9])
            run(name, {"ciphertext": ct}, key, pid, ttl=ttl, now=t0 + ttl + late)
            run(name + " json-mode", {"ciphertext": ct}, key, pid, mode="json", ttl=ttl,
                now=t0 + ttl + late)
        elif m == "ttl_edge":
            ttl = rng.choice([1, 10, 3600])
            run(name, {"ciphertext": ct}, key, pid, ttl=ttl, now=t0 + ttl)
        elif m == "future_ok":
            run(name, {"ciphertext": ct}, key, pid, ttl=1, now=t0 - rng.randint(1, 10 ** 6))
        elif m == "negative_ttl":
            run(name, {"ciphertext": ct}, key, pid, ttl=-rng.randint(1, 100),
                now=t0 + rng.randint(-5, 5))
        elif m == "json_text_truncated":
            text = json.dumps(ct)
            run(name, {"ciphertext": text[:rng.randrange(1, len(text))]}, key, pid,
                mode=rng.choice(["bytes", "json"]))
        elif m == "json_text_garbage":
            text = rng.choice(["", " ", "{", "}", "[", "nul", "{'ciphertext': []}",
                               '{"hmac": "00",}', '{"a" 1}', '{"a": 01}', "\x00",
                               '{"hmac": "\\x"}', '{"hmac": "a\x01"}', "\ufeff{}",
                               json.dumps(ct) + " x", json.dumps(ct) + "\n\t "])
            run(name, {"ciphertext": text}, key, pid, mode=rng.choice(["bytes", "json"]))
        elif m == "json_non_dict":
            text = rng.choice(["[]", "null", "1", '"s"', "[1, 2]", "true"])
            run(name, {"ciphertext": text}, key, pid, mode=rng.choice(["bytes", "json"]),
                loose=True)
        elif m == "dup_keys":
            good, bad = ct["hmac"], flip_hex_char(rng, ct["hmac"])
            body = json.dumps(ct)[1:-1]
            first, last = (bad, good) if rng.random() < 0.5 else (good, bad)
            text = '{"hmac": "%s", %s, "hmac": "%s"}' % (first, body, last)
            text = text.replace('"hmac": "%s", "salt"' % ct["hmac"], '"salt"', 1)
            run(name, {"ciphertext": text}, key, pid)
        elif m == "float_items":
            run(name, {"ciphertext": dict(ct, ciphertext=[float(b >> 1100) for b in blocks])},
                key, pid, loose=True)
        elif m == "big_items":
            run(name, {"ciphertext": dict(ct, ciphertext=blocks + [2 ** 2048])}, key, pid,
                loose=True)
        elif m == "negative_items":
            run(name, {"ciphertext": dict(ct, ciphertext=[-blocks[0]] + blocks[1:])},
                key, pid, loose=True)
        elif m == "hmac_not_str":
            run(name, {"ciphertext": dict(ct, hmac=rng.choice([5, None, ["x"]]))}, key, pid,
                loose=True)
        elif m == "ciphertext_not_list":
            run(name, {"ciphertext": dict(ct, ciphertext=rng.choice([5, None, "ab", {}]))},
                key, pid, loose=True)

    # json_decrypt of plaintexts that are not (valid) JSON: exact messages
    bad_json = [b"not json", b"\xff", b"\xc3", b"\xe2\x82", b'{"a": 1} x', b"[1, 2",
                b'"\\ud800"', b'"\\udc00\\ud800"', b"[01]", b"NaN", b"-Infinity", b"1e400",
                b"-1e400", b'"a\x01"', b"\xef\xbb\xbf[1]", b'"\\x"', b"  [1,2]  \n",
                b"[" * 100 + b"]" * 100, b"[" * 600 + b"]" * 600, b'{"a":1,"a":2}',
                b'"\xed\xa0\x80"', b"", b" ", b"{}", b'{"a" 1}', b"[1,]", b"{,}",
                b'{"\\ud83d\\ude80": "\\u00e9"}', b"1.0e+5", b"-0", b"-0.0", b"0e0",
                b"123456789012345678901234567890", b"1" * 5000, b"\"\xf4\x90\x80\x80\"",
                b"\"\xc0\xaf\"", b"tru", b"true false", b"[1 2]", b'"\\u12"', b"2.",
                b".5", b"+1", b"--1", b"\t\n\r 7", b"\x0b7", b"[\"\\/\"]",
                b'{"a": [1, {"b": null}], "c": "\\n\\t\\"\\\\"}', b"1E5", b"1e-400",
                b"4.9e-324", b"2.2250738585072014e-308", b"0.1e1", b"1" + b"0" * 400 + b".0",
                b"\xed\xa0\x80", b'"\xed\xa0\x80\xed\xb0\x80"', b'["\xed\xbf\xbf"]']
    known_json = {
        b'"\\ud800"': KNOWN_LONE_SURROGATE,
        b'"\\udc00\\ud800"': KNOWN_LONE_SURROGATE,
        b"[" * 600 + b"]" * 600: KNOWN_DEPTH,
    }
    for i, pt in enumerate(bad_json):
        key, salt, t0 = aiootp.csprng(), hex_salt(rng), 1_600_000_000
        with Clock(t0):
            ct = aiootp.bytes_encrypt(pt, key, salt=salt)
        req = {"mode": "json", "key": key, "ciphertext": ct}
        compare_outcome(t, "c", "c/json plaintext %r" % pt[:40],
                        outcome(lambda: py_decrypt(ct, key, 0, "json")),
                        d.call("decrypt", **req), req, "json", known=known_json.get(pt))

    # ints past CPython's 4300-digit str() limit (3.8.14+): as key, pid,
    # JSON plaintext, and in json_decrypt
    s1 = hex_salt(rng)
    for ndig in (4300, 4301, 6000):
        big = 10 ** (ndig - 1) + 7
        for field in ("key", "pid", "plaintext"):
            key, pid, value = "k", 0, [1]
            if field == "key":
                key = big
            elif field == "pid":
                pid = big
            else:
                value = [big]
            mode = "json" if field == "plaintext" else "bytes"

            def py_enc():
                with Clock(1_600_000_000):
                    if mode == "json":
                        return aiootp.json_encrypt(value, key, salt=s1, pid=pid)
                    return aiootp.bytes_encrypt(b"x", key, salt=s1, pid=pid)
            fields = {"mode": mode, "key": "@BIG@" if field == "key" else key,
                      "pid": "@BIG@" if field == "pid" else pid, "salt": s1,
                      "time": 1_600_000_000}
            if mode == "json":
                fields["plaintext"] = ["@BIG@"]
            else:
                fields["plaintext_hex"] = "78"
            compare_outcome(t, "c", "c/%d-digit int as %s" % (ndig, field), outcome(py_enc),
                            d.call_with_ints("encrypt", {"@BIG@": big}, **fields),
                            {"note": "%s = 10**%d + 7" % (field, ndig - 1)},
                            kind=lambda a, b: (a, b["ciphertext"]), loose=True)
        pt = ("[" + int_digits(big) + "]").encode()
        with Clock(1_600_000_000):
            ct = aiootp.bytes_encrypt(pt, "k", salt=s1)
        req = {"mode": "json", "key": "k", "ciphertext": ct}
        compare_outcome(t, "c", "c/json_decrypt of a %d-digit int" % ndig,
                        outcome(lambda: py_decrypt(ct, "k", 0, "json")),
                        d.call("decrypt", **req), {"plaintext": "[10**%d + 7]" % (ndig - 1)},
                        kind=lambda a, b: (int_digits(a[0]), str(b["plaintext"][0])))

    # encryption refusals: keys and salts
    bad_salts = ["0" * 64, "0" * 63, "a" * 62, "z" + "1" * 63, " " + "1" * 63,
                 "1" * 63 + " ", "-" + "1" * 63, "+" + "1" * 63, "0x" + "0" * 62,
                 "0X" + "f" * 62, "1_" + "2" * 62, "1__" + "2" * 61, "_" + "1" * 63,
                 "1" * 63 + "_", "\x1c" + "1" * 63, "\u00e9" * 64, "\uff11" * 64,
                 "1" * 65, "0x_" + "1" * 61, "-0x" + "1" * 61, "\t" + "a" * 62 + "\n",
                 "\u3000" + "1" * 63, "0" * 63 + "1", "A" * 64, "\x1f" + "1" * 63,
                 "\x85" + "1" * 63, "\xa0" + "1" * 63, "\u2000" + "1" * 63,
                 "\u2028" + "1" * 63, "\x0b" + "1" * 63, "\u0661" * 64, "\u0967" * 64,
                 "\uff21" * 64, "\U0001d7ce" * 64, "\U0001d7cf" * 64]
    for salt in bad_salts:
        for key in ["k", ""]:
            pt = b"abc"
            req = {"key": key, "salt": salt, "plaintext_hex": pt.hex(), "time": 1}
            py = outcome(lambda: aiootp.bytes_encrypt(pt, key, salt=salt))
            rs = d.call("encrypt", **req)
            if py[0] == "ok":
                t.check("c", "c/encrypt salt %r key %r" % (salt, key), rs.get("ok"),
                        "Python accepts, Rust: %s" % short(rs))
            else:
                compare_outcome(t, "c", "c/encrypt salt %r key %r" % (salt, key), py, rs,
                                req)
            req = {"key": key, "salt": salt}
            py = outcome(lambda: aiootp.ciphers.check_key_and_salt(key, salt))
            compare_outcome(t, "c", "c/check salt %r key %r" % (salt, key), py,
                            d.call("check", **req), req, kind=lambda a, b: (None, None))
    for key in [None, "", 0, b"", False, 0.0, [], ()]:
        req = {"key": encode_value(key), "salt": None, "plaintext_hex": "00"}
        compare_outcome(t, "c", "c/encrypt falsy key %r" % (key,),
                        outcome(lambda: aiootp.bytes_encrypt(b"\x00", key)),
                        d.call("encrypt", **req), req, kind=lambda a, b: (None, None))

    # encodings: io errors and quirks
    s1 = hex_salt(rng)
    h1 = "%064x" % rng.getrandbits(256)
    io_cases = [
        ("json_to_bytes", {"ciphertext": [2 ** 2048], "hmac": h1, "salt": s1}),
        ("json_to_bytes", {"ciphertext": [2 ** 2048 - 1], "hmac": h1, "salt": s1}),
        ("json_to_bytes", {"ciphertext": [-1], "hmac": h1, "salt": s1}),
        ("json_to_bytes", {"ciphertext": [1], "hmac": h1[:62], "salt": s1}),
        ("json_to_bytes", {"ciphertext": [1], "hmac": h1[:62], "salt": s1 + "00"}),
        ("json_to_bytes", {"ciphertext": [1], "hmac": h1[:63], "salt": s1}),
        ("json_to_bytes", {"ciphertext": [1], "hmac": "g" + h1[1:], "salt": s1}),
        ("json_to_bytes", {"ciphertext": [1], "hmac": h1, "salt": s1[:10] + "x" + s1[11:]}),
        ("json_to_bytes", {"ciphertext": [1], "hmac": h1.upper(), "salt": s1.upper()}),
        ("json_to_bytes", {"ciphertext": [1], "hmac": h1[:2] + " " + h1[2:], "salt": s1[1:]}),
        ("json_to_bytes", {"ciphertext": [1], "hmac": h1, "salt": "0x" + s1[2:]}),
        ("json_to_bytes", {"ciphertext": [1, 2, 3], "hmac": h1, "salt": s1, "x": 1}),
        ("json_to_bytes", {"ciphertext": [1], "hmac": "", "salt": s1}, "loose"),
        ("json_to_bytes", {"ciphertext": [1], "hmac": h1, "salt": ""}, "loose"),
        ("json_to_bytes", {"ciphertext": [1], "salt": s1}, "loose"),
        ("json_to_bytes", {"ciphertext": [], "hmac": h1, "salt": s1}, "loose"),
        ("json_to_bytes", {"hmac": h1, "salt": s1}, "loose"),
        ("json_to_bytes", {"ciphertext": [1], "hmac": 5, "salt": s1}, "loose"),
        ("json_to_bytes", {"ciphertext": [1.0], "hmac": h1, "salt": s1}, "loose"),
        ("json_to_bytes", {"ciphertext": [1], "hmac": h1 + "00", "salt": s1}),
        ("json_to_ascii", {"ciphertext": [0], "hmac": "00" * 32, "salt": "00" * 32}),
        ("json_to_ascii", {"ciphertext": [1], "hmac": "ff" * 32, "salt": "00" * 31 + "01"}),
        ("json_to_ascii", {"ciphertext": [5, 0], "hmac": "0001" + h1[4:], "salt": s1}),
        ("bytes_to_json", "00" * 64),
        ("bytes_to_json", "00" * 65),
        ("bytes_to_json", ""),
        ("bytes_to_json", "01" * 63),
        ("bytes_to_json", "01" * 64 + "02" * 256 + "03" * 256),
        ("bytes_to_json", "01" * 64 + "02" * 255),
        ("ascii_to_json", "-"),
        ("ascii_to_json", ""),
        ("ascii_to_json", "abc+"),
        ("ascii_to_json", "abc\u00e9"),
        ("ascii_to_json", "0" + "-" * 100),
        ("ascii_to_json", "z" * 427),
        ("ascii_to_json", "z" * 438),
        ("ascii_to_json", "F" + "z" * 426),
        ("write_read", {"ciphertext": [3, 2 ** 2047], "hmac": h1, "salt": s1}),
    ]
    for case in io_cases:
        op, data = case[0], case[1]
        loose = case[2:] == ("loose",)
        def py_io():
            if op == "json_to_bytes":
                return IO.json_to_bytes(data).hex()
            if op == "json_to_ascii":
                return IO.json_to_ascii(data)
            if op == "bytes_to_json":
                return IO.bytes_to_json(bytes.fromhex(data))
            if op == "ascii_to_json":
                return IO.ascii_to_json(data)
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "ct")
                IO.write(path, data)
                with open(path, "rb") as f:
                    raw = f.read()
                return (raw.hex(), IO.read(path))

        def conv(pyv, rs):
            if op == "write_read":
                return [pyv[0], pyv[1]], [rs["file_hex"], rs["result"]]
            return pyv, rs["result"]
        req = {"op": op, "data": data}
        compare_outcome(t, "c", "c/io %s %s" % (op, short(data, 80)), outcome(py_io),
                        d.call("io", **req), req, kind=conv, loose=loose)

    # the ascii leading-zero quirk, both directions, with a searched salt
    key = aiootp.csprng()
    for i in range(20000):
        salt = aiootp.sha_256("leading-zero-hmac", i, rng.random())
        with Clock(1_600_000_000):
            ct = aiootp.bytes_encrypt(b"x", key, salt=salt)
        if ct["hmac"].startswith("00"):
            break
    req = {"key": key, "salt": salt, "plaintext_hex": "78", "time": 1_600_000_000}
    rs = d.call("encrypt", **req)
    compare_encrypt(t, "c", "c/hmac-00 encrypt", req, rs, ct, b"x", key, salt, 0,
                    1_600_000_000)
    a = IO.json_to_ascii(ct)
    run("c/hmac-00 ascii decrypt", {"ascii": a}, key, 0)


# ------------------------------------------------------------------ section m


def section_m(d, t, rng, n_cases):
    """repr/hash helpers, ratchets, keystreams, padding, names, hash maps."""
    for i in range(n_cases):
        v = rand_value(rng)
        ev = encode_value(v)
        for fn, pyfn in (("repr", repr), ("str", str)):
            req = {"fn": fn, "value": ev}
            compare_outcome(t, "m", "m/%s %s" % (fn, short(repr(v), 60)),
                            outcome(lambda: pyfn(v)), d.call("hash", **req), req,
                            kind=lambda a, b: (a, b["text"]))
        args = [rand_value(rng) for _ in range(rng.randint(0, 3))]
        req = {"fn": "sha_256", "args": [encode_value(a) for a in args]}
        compare_outcome(t, "m", "m/sha_256", outcome(lambda: aiootp.sha_256(*args)),
                        d.call("hash", **req), req, kind=lambda a, b: (a, b["hex"]))
        if i % 4 == 0:
            key = rand_value(rng)
            req = {"fn": "sha_512_hmac", "data": ev, "key": encode_value(key)}
            compare_outcome(t, "m", "m/sha_512_hmac",
                            outcome(lambda: aiootp.sha_512_hmac(v, key=key)),
                            d.call("hash", **req), req, kind=lambda a, b: (a, b["hex"]))
    # json.dumps of Python values that are not plain JSON (tuples, non-str
    # keys, bytes, special floats), through json_encrypt
    key, salt, t0 = aiootp.csprng(), hex_salt(rng), 1_650_000_000
    fixed = [{True: 1, 1.5: 2, None: 3, -7: 4, False: 5, "s": 6},
             {math.nan: 1, math.inf: 2, -math.inf: 3, -0.0: 4, 1e16: 5},
             (1, (2, [3, (4,)])), {"a": b"x"}, {b"k": 1}, {(1, 2): 3}, [math.nan],
             {"x": {1: {2: (3,)}}}, 12345678901234567890 ** 3, "\U0001f600\x7f\x00",
             (), {}, [], ""]
    for v in fixed + [rand_value(rng) for _ in range(n_cases * 2)]:
        def py_enc():
            with Clock(t0):
                return aiootp.json_encrypt(v, key, salt=salt)
        req = {"mode": "json", "key": key, "salt": salt, "time": t0,
               "plaintext_value": encode_value(v)}
        compare_outcome(t, "m", "m/json_encrypt of %s" % short(repr(v), 60), outcome(py_enc),
                        d.call("encrypt", **req), req,
                        kind=lambda a, b: (a, b["ciphertext"]))
    for i in range(max(4, n_cases // 5)):
        key, pid = rand_key(rng), rand_pid(rng)
        salt = rng.choice([hex_salt(rng), rand_text(rng, 1, 70), hex_salt(rng).upper()])
        base = {"key": encode_value(key), "salt": salt, "pid": encode_value(pid)}
        seed, k0, k1, k2 = aiootp.Keys.keypair_ratchets(key, salt, pid)
        compare_outcome(t, "m", "m/ratchets", ("ok", [seed.hex(), k0.hexdigest(),
                                                     k1.hexdigest(), k2.hexdigest()]),
                        d.call("ratchets", **base), base,
                        kind=lambda a, b: (a, [b["seed_hex"], b["kdf0_hex"], b["kdf1_hex"],
                                               b["kdf2_hex"]]))
        sends = [rand_value(rng) for _ in range(rng.randint(0, 4))]
        kind = rng.choice(["keys", "bytes_keys"])

        def py_stream():
            gen = (aiootp.keys if kind == "keys" else aiootp.bytes_keys)(key, salt=salt,
                                                                        pid=pid)
            out = []
            for j in range(len(sends) + 2):
                x = None if j == 0 else (sends[j - 1] if j - 1 < len(sends) else None)
                y = gen.send(x)
                out.append(y if isinstance(y, str) else y.hex())
            chunks = OneTimePad.bytes_xor([0] * 3, key=aiootp.bytes_keys(
                key, salt=salt, pid=pid)).list()
            return out, [c.to_bytes(256, "big").hex() for c in chunks]
        req = dict(base, kind=kind, n=len(sends) + 2, sends=[encode_value(x) for x in sends],
                   cipher_chunks=3)
        compare_outcome(t, "m", "m/keystream %s" % kind, outcome(py_stream),
                        d.call("keystream", **req), req,
                        kind=lambda a, b: (list(a), [b["outputs_hex"],
                                                     b["cipher"]["key_chunks_hex"]]))
        # padding and depadding
        if rng.random() < 0.8:
            salt = hex_salt(rng)
            base["salt"] = salt
        pt = rand_bytes(rng, pick_size(rng))
        t0 = rng.randint(1_500_000_000, 1_800_000_000)

        def py_pad():
            pk = OneTimePad.padding_key(key, salt=salt, pid=pid)
            with Clock(t0):
                return aiootp.pad_bytes(pt, salted_key=pk).hex()
        req = dict(base, plaintext_hex=pt.hex(), time=t0)
        padded = outcome(py_pad)
        compare_outcome(t, "m", "m/pad", padded, d.call("pad", **req), req,
                        kind=lambda a, b: (a, b["padded_hex"]))
        if padded[0] == "ok":
            ttl = rng.choice([0, 5, 100])
            now = t0 + rng.randint(-10, 200)

            def py_depad():
                pk = OneTimePad.padding_key(key, salt=salt, pid=pid)
                with Clock(now):
                    return aiootp.depad_bytes(bytes.fromhex(padded[1]), salted_key=pk, ttl=ttl)
            req = dict(base, padded_hex=padded[1], ttl=ttl, now=now)
            compare_outcome(t, "m", "m/depad", outcome(py_depad), d.call("depad", **req), req)
        # names and key-ordered hash maps
        if i % 3 == 0:
            resize = rng.choice([None, 32, 7, 100])

            def py_names():
                stream = aiootp.keys(key, salt=salt, pid=pid)
                if resize:
                    stream = stream.resize(resize)
                return stream[:5].list()
            req = dict(base, n=5)
            if resize:
                req["resize"] = resize
            compare_outcome(t, "m", "m/names", outcome(py_names), d.call("names", **req),
                            req, kind=lambda a, b: (a, b["names"]))

            def py_map():
                names = aiootp.keys(key, salt=salt)
                ks = aiootp.keys(key, salt=salt, pid=aiootp.sha_256(key, salt))
                pk = OneTimePad.padding_key(key, salt=salt)
                with Clock(t0):
                    padded = aiootp.pad_bytes(pt, salted_key=pk)
                with aiootp.data(padded).map_encipher(names, ks) as enc:
                    return [[n, v] for n, v in enc.list()]
            req = {"key": encode_value(key), "salt": salt, "plaintext_hex": pt.hex(),
                   "time": t0}
            entries = outcome(py_map)
            compare_outcome(t, "m", "m/map_encipher", entries, d.call("map_encipher", **req),
                            req, kind=lambda a, b: (a, b["entries"]))
            if entries[0] == "ok":
                req = {"key": encode_value(key), "salt": salt, "entries": entries[1],
                       "ttl": 10, "now": t0 + rng.randint(0, 20)}
                got = d.call("map_decipher", **req)
                if req["now"] - t0 > 10:
                    py = ("err", "TimeoutError",
                          "Timestamp expired by <%d> seconds." % (req["now"] - t0 - 10))
                else:
                    py = ("ok", pt)
                compare_outcome(t, "m", "m/map_decipher", py, got, req)


def section_u(d, t, rng):
    """Exhaustive text checks: every code point through repr, json.dumps
    (via json_encrypt) and json.loads (via json_decrypt); many floats."""
    chunks = []
    step = 8192
    for start in range(0, 0x110000, step):
        cps = [c for c in range(start, min(start + step, 0x110000))
               if not 0xD800 <= c <= 0xDFFF]
        chunks.append("".join(map(chr, cps)))
    key, salt, t0 = aiootp.csprng(), hex_salt(rng), 1_650_000_000
    for i, chunk in enumerate(chunks):
        where = "U+%04X.." % (i * step)
        if PY38_UNICODE:
            req = {"fn": "repr", "value": chunk}
            compare_outcome(t, "u", "u/repr " + where, ("ok", repr(chunk)),
                            d.call("hash", **req), req, kind=lambda a, b: (a, b["text"]))
        # json.dumps of every code point (ensure_ascii escapes, surrogate pairs)
        req = {"mode": "json", "key": key, "salt": salt, "time": t0, "plaintext": chunk}
        with Clock(t0):
            ct = aiootp.json_encrypt(chunk, key, salt=salt)
        rs = d.call("encrypt", **req)
        t.check("u", "u/json_encrypt " + where, rs.get("ok") and rs["ciphertext"] == ct
                and rs["plaintext_json"] == json.dumps(chunk),
                "differs: %s" % short(str(rs.get("error_message"))))
        # json.loads of raw UTF-8 text
        raw = "".join(c for c in chunk if c >= " " and c not in '"\\')
        pt = ('["' + raw + '", "' + raw[::-1] + '"]').encode("utf-8")
        with Clock(t0):
            ct = aiootp.bytes_encrypt(pt, key, salt=salt)
        req = {"mode": "json", "key": key, "ciphertext": ct}
        compare_outcome(t, "u", "u/json_decrypt raw utf-8 " + where,
                        outcome(lambda: py_decrypt(ct, key, 0, "json")),
                        d.call("decrypt", **req), req, "json")
    # floats: random bit patterns, repr and json.dumps
    floats = []
    while len(floats) < 4000:
        f = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(f):
            floats.append(f)
    floats += NICE_FLOATS + [math.nan, math.inf, -math.inf]
    req = {"fn": "repr", "value": [{"$float": repr(f)} for f in floats]}
    compare_outcome(t, "u", "u/float repr", ("ok", repr(floats)), d.call("hash", **req), req,
                    kind=lambda a, b: (a, b["text"]))
    with Clock(t0):
        ct = aiootp.json_encrypt(floats, key, salt=salt)
    req = {"mode": "json", "key": key, "salt": salt, "time": t0, "plaintext": floats}
    rs = d.call("encrypt", **req)
    t.check("u", "u/float json_encrypt", rs.get("ok") and rs["ciphertext"] == ct,
            "differs: %s" % short(str(rs.get("plaintext_json", rs))))
    # floats: decimal texts json.loads must round correctly
    texts = ["0.1000000000000000055511151231257827", "2.2250738585072011e-308",
             "2.2250738585072012e-308", "1e-400", "4.9406564584124654e-324",
             "2.4703282292062327e-324", "2.4703282292062328e-324",
             "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
             "1e309", "-1e309", "0.30000000000000004", "123456789012345678901234567890.5",
             "1e23", "8.41e21", "5e-324", "9007199254740993.0", "-0.0", "0.0e0", "1E+2",
             "7.1e-10", "1" + "0" * 30 + ".5e-30", "0." + "0" * 340 + "1",
             "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999"]
    for _ in range(400):
        mant = str(rng.randint(1, 10 ** rng.randint(1, 25)))
        point = rng.randint(0, len(mant))
        texts.append("%s%s.%se%d" % (rng.choice(["", "-"]), mant[:point] or "0",
                                     mant[point:] or "0", rng.randint(-330, 310)))
    pt = ("[" + ", ".join(texts) + "]").encode()
    with Clock(t0):
        ct = aiootp.bytes_encrypt(pt, key, salt=salt)
    req = {"mode": "json", "key": key, "ciphertext": ct}
    compare_outcome(t, "u", "u/float json_decrypt", outcome(lambda: py_decrypt(
        ct, key, 0, "json")), d.call("decrypt", **req), req, "json")


# ------------------------------------------------------------------ cli


def section_cli(cli, t, rng, n_cases):
    """The aiootp command-line tool against the reference."""
    if not cli or not os.path.exists(cli):
        t.skip("cli: binary %r not found; CLI checks skipped" % (cli,))
        return
    try:
        help_enc = subprocess.run([cli, "encrypt", "--help"], capture_output=True,
                                  timeout=30).stdout.decode("utf-8", "replace")
        help_dec = subprocess.run([cli, "decrypt", "--help"], capture_output=True,
                                  timeout=30).stdout.decode("utf-8", "replace")
    except Exception as e:
        t.skip("cli: cannot run %r (%s); CLI checks skipped" % (cli, e))
        return
    needed = ["--format", "--key-file", "--pid", "--json", "compat-bytes", "compat-ascii"]
    missing = [f for f in needed if f not in help_enc] + (
        ["--ttl"] if "--ttl" not in help_dec else [])
    if missing:
        t.skip("cli: flags %s missing from `aiootp encrypt/decrypt --help`; CLI checks "
               "skipped" % ", ".join(missing))
        return
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n_cases):
            fmt = ["compat", "compat-bytes", "compat-ascii"][i % 3]
            key = aiootp.csprng() if rng.random() < 0.7 else rand_text(rng, 1, 30).replace(
                "\n", "n").replace("\r", "r") or "k"
            keyfile = os.path.join(tmp, "key")
            with open(keyfile, "w", encoding="utf-8", newline="") as f:
                f.write(key + ("\n" if rng.random() < 0.5 else ""))
            pid = rng.choice([0, 0, 7, "chat:1", "\u00e9\U0001f600", -12345678901234567890])
            use_json = rng.random() < 0.3
            if use_json:
                value = rand_json(rng)
                data = json.dumps(value).encode()
            else:
                data = rand_bytes(rng, min(pick_size(rng), ASCII_MAX))
            # --pid=VALUE: a negative pid as a separate argument is checked below
            args = ["--format", fmt, "--key-file", keyfile, "--pid=" + json.dumps(pid)]
            if use_json:
                args.append("--json")
            what = "cli/%s json=%s pid=%r" % (fmt, use_json, pid)
            # Rust encrypts -> Python decrypts
            p = subprocess.run([cli, "encrypt"] + args, input=data, capture_output=True,
                               timeout=60)
            if not t.check("cli", what + " encrypt", p.returncode == 0,
                           "exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace"))):
                continue
            out = p.stdout
            if fmt == "compat":
                ct = json.loads(out.decode())
            elif fmt == "compat-bytes":
                ct = IO.bytes_to_json(out)
            else:
                text = out.decode().strip()
                ct = outcome(lambda: IO.ascii_to_json(text))
                if ct[0] == "err":
                    # hmac starting with 00: the reference cannot read it back
                    t.check("cli", what + " ascii hmac-00", ct[2] ==
                            "The length of ciphertext is invalid.", "python: %s" % (ct,))
                    continue
                ct = ct[1]
            if use_json:
                got = outcome(lambda: aiootp.json_decrypt(ct, key, pid=pid, ttl=600))
                t.check("cli", what + " python decrypts", got[0] == "ok"
                        and json.dumps(got[1]) == json.dumps(value), "python: %s" % short(
                            str(got)))
            else:
                got = outcome(lambda: aiootp.bytes_decrypt(ct, key, pid=pid, ttl=600))
                t.check("cli", what + " python decrypts", got == ("ok", data),
                        "python: %s" % short(str(got)))
            # Python encrypts -> Rust decrypts
            if use_json:
                pct = aiootp.json_encrypt(value, key, pid=pid)
            else:
                pct = aiootp.bytes_encrypt(data, key, pid=pid)
            if fmt == "compat":
                blob = json.dumps(pct).encode()
            elif fmt == "compat-bytes":
                blob = IO.json_to_bytes(pct)
            else:
                if pct["hmac"].startswith("00") or len(data) > ASCII_MAX:
                    continue
                blob = IO.json_to_ascii(pct).encode()
            dec_args = ["decrypt"] + args + ["--ttl", "600"]
            p = subprocess.run([cli] + dec_args, input=blob, capture_output=True, timeout=60)
            if not t.check("cli", what + " decrypt", p.returncode == 0,
                           "exit %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace"))):
                continue
            if use_json:
                t.check("cli", what + " rust plaintext", json.dumps(json.loads(
                    p.stdout.decode())) == json.dumps(value), "rust: %s" % short(
                        p.stdout.decode("utf-8", "replace")))
            else:
                t.check("cli", what + " rust plaintext", p.stdout == data,
                        "rust wrote %d bytes, expected %d" % (len(p.stdout), len(data)))
        # a negative pid given as a separate argument (`--pid -5`)
        keyfile = os.path.join(tmp, "key")
        key = aiootp.csprng()
        with open(keyfile, "w") as f:
            f.write(key)
        p = subprocess.run([cli, "encrypt", "--format", "compat", "--key-file", keyfile, "--pid", "-5"],
                           input=b"x", capture_output=True, timeout=60)
        got = outcome(lambda: aiootp.bytes_decrypt(json.loads(p.stdout.decode()), key, pid=-5))
        t.check("cli", "cli/--pid -5 (negative pid as a separate argument)",
                p.returncode == 0 and got == ("ok", b"x"), "exit %d: %s" % (
                    p.returncode, p.stderr.decode("utf-8", "replace").strip()[:200]))
        # refusals: wrong key, expired message
        key = aiootp.csprng()
        with open(keyfile, "w") as f:
            f.write(key)
        with Clock(int(time.time()) - 1000):
            pct = aiootp.bytes_encrypt(b"old", key)
        p = subprocess.run([cli, "decrypt", "--format", "compat", "--key-file", keyfile, "--ttl", "10"],
                           input=json.dumps(pct).encode(), capture_output=True, timeout=60)
        err = p.stderr.decode("utf-8", "replace")
        t.check("cli", "cli/expired", p.returncode != 0 and not p.stdout
                and "Timestamp expired by <" in err, "exit %d stdout %r stderr %r" % (
                    p.returncode, p.stdout[:50], err))
        with open(keyfile, "w") as f:
            f.write(aiootp.csprng())
        p = subprocess.run([cli, "decrypt", "--format", "compat", "--key-file", keyfile],
                           input=json.dumps(pct).encode(), capture_output=True, timeout=60)
        err = p.stderr.decode("utf-8", "replace")
        t.check("cli", "cli/wrong key", p.returncode != 0 and not p.stdout
                and "HMAC of ``data`` isn't valid." in err, "exit %d stdout %r stderr %r" % (
                    p.returncode, p.stdout[:50], err))


# ------------------------------------------------------------------ main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    ap.add_argument("--driver", default=os.path.join(target, "release",
                                                     "aiootp-interop-driver"))
    ap.add_argument("--cli", default=os.path.join(target, "release", "aiootp"))
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=500,
                    help="random cases per direction (default 500)")
    ap.add_argument("--no-big", action="store_true",
                    help="skip the 64 KiB and 1 MiB messages")
    ap.add_argument("--only", default="a,b,c,m,u,cli",
                    help="comma-separated sections to run (a,b,c,m,u,cli)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2 ** 32)
    print("interop cipher: seed %d (replay with --seed %d), %d cases per direction, "
          "Python %s, Unicode %s" % (seed, seed, args.cases, sys.version.split()[0],
                                     unicodedata.unidata_version))
    if not PY38_UNICODE:
        print("NOTE: not CPython 3.8 (Unicode 12.1): code points whose printability "
              "changed after 12.1 are left out of the random text")
    if not os.path.exists(args.driver):
        sys.exit("check_cipher.py: driver %s not found (build it with "
                 "`cargo build --release -p aiootp-interop-driver`)" % args.driver)
    d = Driver(args.driver)
    t = Tally(args.verbose)
    only = set(args.only.split(","))
    started = time.time()
    sections = [
        ("a", lambda rng: section_a(d, t, rng, args.cases, not args.no_big)),
        ("b", lambda rng: section_b(d, t, rng, args.cases, not args.no_big)),
        ("c", lambda rng: section_c(d, t, rng, args.cases)),
        ("m", lambda rng: section_m(d, t, rng, max(20, args.cases // 5))),
        ("u", lambda rng: section_u(d, t, rng)),
        ("cli", lambda rng: section_cli(args.cli, t, rng, max(6, args.cases // 25))),
    ]
    for name, fn in sections:
        if name not in only:
            continue
        s0 = time.time()
        fn(random.Random("%d/%s" % (seed, name)))
        p, f = t.by_section.get(name, [0, 0])
        print("  section %-3s %6d passed %4d failed  %6.1fs" % (name, p, f, time.time() - s0))
    d.close()
    if d.deaths:
        t.fail("driver", "driver exits", "the driver died %d times" % d.deaths)
    print("interop cipher: seed %d, %.1fs" % (seed, time.time() - started))
    if t.failures:
        print("first mismatches:")
        for section, what, _ in t.failures[:20]:
            print("  [%s] %s" % (section, what))
    if t.known:
        print("known deliberate divergences (not failures): %d" % len(t.known))
        for section, what, reason in t.known:
            print("  [%s] %s: %s" % (section, what, reason))
    print("interop cipher: %d passed, %d failed, %d skipped" % (t.passed, t.failed,
                                                                 t.skipped))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
