#!/usr/bin/env python3
"""An independent Python implementation of the AOT2 format
(docs/format-aot2.md), on PyCryptodome's TurboSHAKE256 and the RFC 9861
KT256 of interop/check_turboshake.py, written from the format document and
not from the Rust code. It makes the known-answer vectors:

    interop/aot2_reference.py --write crates/aiootp/tests/data/aot2_vectors.json

(replayed by crates/aiootp/tests/aot2_vectors.rs) and is the other side of
interop/check_aot2.py. Password cases use the reference's own passcrypt
(Python aiootp 0.17.0, in the interop venv).
"""

import argparse
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from check_turboshake import kt256, turboshake256  # noqa: E402  (RFC 9861 KT256)

SALT_LEN = 32
TAG_LEN = 32
CHUNK = 65536
RECORD = TAG_LEN + CHUNK
UNIT = 256
KEYSTREAM_BLOCK = 8192
MIN_KEY = 32
FUTURE_SKEW = 60
KDF_LABEL = b"aiootp aot2 kdf"
KDF_DOMAIN = 0x41
STREAM_DOMAIN = 0x42
CHAIN_DOMAIN = 0x43
TAG_CUSTOM = b"aiootp aot2 tag"
PASSWORD_SALT_PREFIX = "aiootp aot2 password "


class AuthenticationError(Exception):
    pass


class ExpiredError(Exception):
    pass


class FutureError(Exception):
    pass


def le64(n):
    return (n % (1 << 64)).to_bytes(8, "little")


def lp(x):
    return le64(len(x)) + x


def subkeys(key, salt, ctx):
    if len(key) < MIN_KEY:
        raise ValueError("key shorter than 32 bytes")
    out = turboshake256(lp(KDF_LABEL) + lp(key) + lp(salt) + lp(ctx), KDF_DOMAIN, 128)
    return out[:64], out[64:]


def chain_of(tags):
    """TurboSHAKE256(tag_0 || ... || tag_{m-2}, D = 0x43, L = 32)."""
    return turboshake256(b"".join(tags), CHAIN_DOMAIN, TAG_LEN)


def tag(k_mac, index, last, chunk, earlier_tags=()):
    """The tag of chunk `index`; a last chunk after others (index > 0)
    also binds the chain of the earlier tags."""
    header = lp(k_mac) + le64(index) + bytes([1 if last else 0])
    if last and index > 0:
        assert len(earlier_tags) == index
        header += chain_of(earlier_tags)
    return kt256(header + chunk, TAG_CUSTOM, TAG_LEN)


def keystream(k_enc, t, n):
    out = bytearray()
    j = 0
    while len(out) < n:
        out += turboshake256(lp(k_enc) + t + le64(j), STREAM_DOMAIN, KEYSTREAM_BLOCK)
        j += 1
    return bytes(out[:n])


def xor(a, b):
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(len(a), "little")


def chunk_count(q_len):
    return -(-q_len // CHUNK)


def message_len_of(q_len):
    return SALT_LEN + TAG_LEN * chunk_count(q_len) + q_len


def padding(data_len):
    """The least pad >= 0 that makes the message a multiple of 256 bytes
    (by search, as the document defines it)."""
    pad = 0
    while message_len_of(data_len + 16 + pad) % UNIT:
        pad += 1
    return pad


def plaintext_stream(timestamp, data, pad=None):
    if pad is None:
        pad = padding(len(data))
    return le64(timestamp) + data + b"\x00" * pad + le64(len(data))


def seal_stream(key, salt, ctx, q, last_flags=None):
    """Seals the plaintext stream q (already padded). last_flags can
    override the last flag of chunks (for negative vectors)."""
    k_mac, k_enc = subkeys(key, salt, ctx)
    chunks = [q[i : i + CHUNK] for i in range(0, len(q), CHUNK)]
    out = bytearray(salt)
    tags = []
    for i, c in enumerate(chunks):
        last = i == len(chunks) - 1
        if last_flags is not None:
            last = last_flags[i]
        t = tag(k_mac, i, last, c, tags)
        tags.append(t)
        out += t + xor(c, keystream(k_enc, t, len(c)))
    return bytes(out)


def seal(key, salt, ctx, timestamp, data):
    return seal_stream(key, salt, ctx, plaintext_stream(timestamp, data))


def open_message(key, message, ctx, ttl=0, now=None):
    """Returns (data, timestamp) or raises AuthenticationError /
    ExpiredError / FutureError."""
    n = len(message)
    if n < UNIT or n % UNIT:
        raise AuthenticationError()
    salt, rest = message[:SALT_LEN], message[SALT_LEN:]
    records = [rest[i : i + RECORD] for i in range(0, len(rest), RECORD)]
    if len(records[-1]) < TAG_LEN + 8:
        raise AuthenticationError()
    k_mac, k_enc = subkeys(key, salt, ctx)
    tags = [r[:TAG_LEN] for r in records]
    q = bytearray()
    for i, r in enumerate(records):
        t, c = r[:TAG_LEN], r[TAG_LEN:]
        p = xor(c, keystream(k_enc, t, len(c)))
        if tag(k_mac, i, i == len(records) - 1, p, tags[:i]) != t:
            raise AuthenticationError()
        q += p
    data_len = int.from_bytes(q[-8:], "little")
    pad = len(q) - 16 - data_len
    if pad < 0 or pad != padding(data_len) or any(q[8 + data_len : len(q) - 8]):
        raise AuthenticationError()
    timestamp = int.from_bytes(q[:8], "little")
    if ttl:
        if timestamp > now + FUTURE_SKEW:
            raise FutureError(timestamp - now)
        if now > timestamp + ttl:
            raise ExpiredError(now - timestamp - ttl)
    return bytes(q[8 : 8 + data_len]), timestamp


def password_key(password, salt, kb, cpu, hardness):
    """passcrypt(password, "aiootp aot2 password " + hex(salt)) with the
    reference's passcrypt (Python aiootp 0.17.0); the password is a bytes
    value, the salt a str."""
    import aiootp

    text = PASSWORD_SALT_PREFIX + salt.hex()
    return bytes.fromhex(aiootp.passcrypt(password, text, kb=kb, cpu=cpu, hardness=hardness))


# ---------------------------------------------------------------- vectors


def pattern(n):
    """The data of the larger vectors: byte i is i mod 251."""
    block = bytes(range(251))
    return (block * (n // 251 + 1))[:n]


def expand(label, n):
    return hashlib.shake_256(b"aiootp aot2 vectors " + label.encode()).digest(n)


INLINE_LIMIT = 1024


def case(name, data, key=None, password=None, settings=None, ctx=b"", timestamp=1_700_000_000):
    salt = expand(name + " salt", SALT_LEN)
    if password is not None:
        key = password_key(password, salt, *settings)
    message = seal(key, salt, ctx, timestamp, data)
    assert open_message(key, message, ctx) == (data, timestamp)
    k_mac, k_enc = subkeys(key, salt, ctx)
    c = {"name": name}
    if password is not None:
        c["password"] = password.hex()
        c["passcrypt"] = list(settings)
        c["derived_key"] = key.hex()
    else:
        c["key"] = key.hex()
    c.update(salt=salt.hex(), ctx=ctx.hex(), timestamp=timestamp)
    if len(data) <= INLINE_LIMIT:
        c["data"] = data.hex()
    else:
        c["data_pattern"] = len(data)
    c["k_mac"] = k_mac.hex()
    c["k_enc"] = k_enc.hex()
    c["pad"] = padding(len(data))
    tags = [r[:TAG_LEN] for r in records_of(message)]
    if len(tags) > 1:
        c["chain"] = chain_of(tags[:-1]).hex()
    c["message_len"] = len(message)
    if len(message) <= INLINE_LIMIT:
        c["message"] = message.hex()
    else:
        c["message_head"] = message[:96].hex()
        c["message_tail"] = message[-96:].hex()
        c["message_sha256"] = hashlib.sha256(message).hexdigest()
    return c


def invalid_case(name, why, key, ctx, message, ttl=0, now=None, error="authentication", splice=None):
    c = {"name": name, "why": why, "key": key.hex(), "ctx": ctx.hex(), "error": error}
    if ttl:
        c["ttl"] = ttl
        c["now"] = now
    if splice is not None:
        # Too long to inline: how to rebuild it, and its digest.
        c["splice"] = splice
        c["message_len"] = len(message)
        c["message_head"] = message[:96].hex()
        c["message_tail"] = message[-96:].hex()
        c["message_sha256"] = hashlib.sha256(message).hexdigest()
    else:
        c["message"] = message.hex()
    return c


def records_of(message):
    rest = message[SALT_LEN:]
    return [rest[i : i + RECORD] for i in range(0, len(rest), RECORD)]


def spliced(key, salt, ctx, timestamp, data_pattern, flip, swapped):
    """Two messages under the same key, salt, ctx and timestamp: A of
    pattern(data_pattern), B the same with data byte `flip` xor 1. The
    result is A with B's records at the indices `swapped`. Returns it and
    the recipe (the `splice` field of the vector)."""
    a = pattern(data_pattern)
    b = bytearray(a)
    b[flip] ^= 1
    ra = records_of(seal(key, salt, ctx, timestamp, a))
    rb = records_of(seal(key, salt, ctx, timestamp, bytes(b)))
    message = salt + b"".join(rb[i] if i in swapped else r for i, r in enumerate(ra))
    recipe = {
        "salt": salt.hex(),
        "timestamp": timestamp,
        "data_pattern": data_pattern,
        "flip": flip,
        "records_of_b": list(swapped),
    }
    return message, recipe


def find_data_len(chunks, want_pad_over):
    """A data length whose message has `chunks` chunks and a pad above
    `want_pad_over` (the padding reaching into the chunk before the last)."""
    for d in range(chunks * CHUNK - 600, chunks * CHUNK):
        p = padding(d)
        if p > want_pad_over and chunk_count(d + 16 + p) == chunks + 1:
            return d
    raise SystemExit("no such length")


def full_last_chunk(chunks):
    """A data length whose message has `chunks` full chunks (the last
    record as long as the others)."""
    for d in range(chunks * CHUNK - 16 - 600, chunks * CHUNK - 16 + 1):
        if d + 16 + padding(d) == chunks * CHUNK:
            return d
    raise SystemExit("no such length")


def make_vectors():
    key64 = expand("key 64", 64)
    key32 = expand("key 32", 32)
    ts = 1_700_000_000
    cases = [
        case("empty", b"", key64),
        case("one byte", b"\x00", key64),
        case("short text", b"attack at dawn", key64, ctx=b"invoices"),
        case("fills 256", bytes(range(176)), key64),
        case("first 512", bytes(range(177)), key64),
        case("32-byte key, long ctx", expand("data 1000", 1000), key32, ctx=expand("ctx", 300)),
        case("timestamp 0", b"x", key64, timestamp=0),
        case("timestamp max", b"x", key64, timestamp=(1 << 64) - 1),
        case("last chunk full", pattern(full_last_chunk(7)), key64),
        case("data fills chunk 0", pattern(CHUNK - 8), key64),
        case("pad spills back", pattern(find_data_len(1, 200)), key64),
        case("pad over 255", pattern(find_data_len(6, 255)), key64),
        case("three chunks and a bit", pattern(3 * CHUNK + 5), key64, ctx=b"\x00\xff"),
        case("password", b"password protected", password=b"correct horse battery staple", settings=(256, 2, 256)),
        case("password default settings", b"", password=b"hunter2", settings=(65536, 3, 1024)),
    ]
    # Messages that authenticate chunk by chunk (made with the key) but
    # break a rule of the format: each must fail as a whole.
    salt = expand("invalid salt", SALT_LEN)
    data = b"rules"
    good = plaintext_stream(ts, data)
    invalid = [
        invalid_case("extra padding", "256 more zero bytes of padding than the least",
                     key64, b"", seal_stream(key64, salt, b"", plaintext_stream(ts, data, padding(5) + 256))),
        invalid_case("nonzero padding", "a padding byte is 1",
                     key64, b"", seal_stream(key64, salt, b"", good[:20] + b"\x01" + good[21:])),
        invalid_case("wrong length field", "the length field says 4, with the padding of 5",
                     key64, b"", seal_stream(key64, salt, b"", good[:-8] + le64(4))),
        invalid_case("last flag unset", "the only chunk is tagged as not last",
                     key64, b"", seal_stream(key64, salt, b"", good, last_flags=[False])),
        invalid_case("wrong ctx", "sealed with ctx 'a', opened with ctx 'b'",
                     key64, b"b", seal(key64, salt, b"a", ts, data)),
        invalid_case("expired", "ttl 100, opened 101 s after the timestamp",
                     key64, b"", seal(key64, salt, b"", ts, data), ttl=100, now=ts + 101, error="expired 1"),
        invalid_case("from the future", "ttl 100, dated 61 s after now",
                     key64, b"", seal(key64, salt, b"", ts, data), ttl=100, now=ts - 61, error="future 61"),
    ]
    # Splicing under a reused salt: each record of B verifies on its own
    # with A's subkeys, but the last tag binds the chain of the tags
    # before it.
    n = 2 * CHUNK + 1000
    for name, why, swapped in [
        ("spliced record", "record 1 of another message with the same key, salt, ctx and timestamp", [1]),
        ("spliced last record", "the last record of another message with the same key, salt, ctx and timestamp", [2]),
    ]:
        message, recipe = spliced(key64, salt, b"splice", ts, n, CHUNK + 100, swapped)
        assert len(records_of(message)) == 3
        invalid.append(invalid_case(name, why, key64, b"splice", message, splice=recipe))
    for c in invalid:
        if "splice" in c:
            r = c["splice"]
            msg, _ = spliced(bytes.fromhex(c["key"]), bytes.fromhex(r["salt"]), bytes.fromhex(c["ctx"]),
                             r["timestamp"], r["data_pattern"], r["flip"], r["records_of_b"])
        else:
            msg = bytes.fromhex(c["message"])
        try:
            open_message(bytes.fromhex(c["key"]), msg, bytes.fromhex(c["ctx"]), c.get("ttl", 0), c.get("now"))
        except AuthenticationError:
            assert c["error"] == "authentication", c["name"]
        except ExpiredError as e:
            assert c["error"] == "expired %d" % e.args[0], c["name"]
        except FutureError as e:
            assert c["error"] == "future %d" % e.args[0], c["name"]
        else:
            raise SystemExit("invalid vector %r opens" % c["name"])
    return cases, invalid


HEADER = [
    "AOT2 known-answer vectors (docs/format-aot2.md), written by",
    "interop/aot2_reference.py (an independent Python implementation on",
    "PyCryptodome's TurboSHAKE256; KT256 from RFC 9861) and replayed by",
    "crates/aiootp/tests/aot2_vectors.rs.",
    "valid: sealing data under key (or the key passcrypt derives from the",
    "password and salt), salt, ctx (hex) and timestamp gives the message",
    "(hex; or its length, first and last 96 bytes and SHA-256), and opening",
    "the message gives the data back. data_pattern N: byte i is i mod 251.",
    "k_mac, k_enc: the KDF's two halves. pad: the zero padding's length.",
    "chain (messages of 2 chunks or more): the chain of the tags before the",
    "last, which the last tag binds.",
    "invalid: opening the message with key and ctx (and ttl at time now)",
    "fails with the error named: authentication, expired N, future N.",
    "splice (instead of message): seal A = data_pattern and B = A with data",
    "byte flip xor 1 under key, salt, ctx and timestamp; the message is A",
    "with B's records at the indices records_of_b (given by its length,",
    "first and last 96 bytes and SHA-256).",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", metavar="FILE", help="write the vectors file")
    args = ap.parse_args()
    cases, invalid = make_vectors()
    doc = {"comment": HEADER, "valid": cases, "invalid": invalid}
    text = json.dumps(doc, indent=1) + "\n"
    if args.write:
        with open(args.write, "w") as f:
            f.write(text)
        print("aot2_reference: wrote %d valid and %d invalid vectors to %s" % (len(cases), len(invalid), args.write))
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
