#!/usr/bin/env python3
"""Writes Ed25519 verification edge cases with the reference backend's verdicts.

The reference (aiootp 0.17.0) verifies Ed25519 signatures with the Python
``cryptography`` package, i.e. OpenSSL.  Wycheproof's Ed25519 file does not
cover every corner where verifiers disagree (small-order public keys and R
values, non-canonical point encodings), so this script builds such cases
with a tiny pure-Python Ed25519 arithmetic and records what OpenSSL says.
The Rust test ``tests/wycheproof.rs`` replays them through our wrappers.

Usage (with the interop/oracle python, which has ``cryptography``):
    python gen_ed25519_edges.py > crates/aiootp/tests/data/ed25519_openssl_edges.json
"""

import hashlib
import json
import sys

import cryptography
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.backends.openssl import backend
from cryptography.hazmat.primitives.asymmetric import ed25519

P = 2 ** 255 - 19
L = 2 ** 252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def inv(x):
    return pow(x, P - 2, P)


def add(p, q):
    (x1, y1), (x2, y2) = p, q
    t = D * x1 * x2 * y1 * y2 % P
    return ((x1 * y2 + x2 * y1) * inv(1 + t) % P, (y1 * y2 + x1 * x2) * inv(1 - t) % P)


def mul(k, p):
    r = (0, 1)
    while k:
        if k & 1:
            r = add(r, p)
        p = add(p, p)
        k >>= 1
    return r


def neg(p):
    return ((-p[0]) % P, p[1])


def encode(p):
    x, y = p
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def recover_x(y, sign):
    xx = (y * y - 1) * inv(D * y * y + 1) % P
    x = pow(xx, (P + 3) // 8, P)
    if (x * x - xx) % P:
        x = x * SQRT_M1 % P
    if (x * x - xx) % P:
        return None
    if x & 1 != sign:
        x = (-x) % P
    return x


def decode(b):
    n = int.from_bytes(b, "little")
    y = (n & ((1 << 255) - 1)) % P
    x = recover_x(y, n >> 255)
    return None if x is None else (x, y)


BY = 4 * inv(5) % P
B = (recover_x(BY, 0), BY)


def h_scalar(r, a, m):
    return int.from_bytes(hashlib.sha512(r + a + m).digest(), "little") % L


def small_order_points():
    """The 8 points of order dividing 8 (their canonical encodings)."""
    # A point of order 8: x^2 = ... found by scanning y for 8*P == identity.
    pts = {encode((0, 1)): (0, 1)}
    y = 2
    while len(pts) < 8:
        x = recover_x(y, 0)
        if x is not None:
            q = mul(L, (x, y))  # kills the prime-order part
            cur = q
            for _ in range(8):
                pts[encode(cur)] = cur
                cur = add(cur, q)
        y += 1
    return pts


def verdict(pk, sig, msg):
    try:
        key = ed25519.Ed25519PublicKey.from_public_bytes(pk)
    except ValueError as e:
        return "import_error: %s" % e
    try:
        key.verify(sig, msg)
        return "valid"
    except InvalidSignature:
        return "invalid"


def main():
    cases = []

    def case(comment, pk, sig, msg):
        cases.append({"comment": comment, "public_key": pk.hex(), "signature": sig.hex(),
                      "message": msg.hex(), "result": verdict(pk, sig, msg)})

    ident = encode((0, 1))
    zero = bytes(32)
    small = small_order_points()
    # 1. Identity public key: R = s*B verifies for every message.
    for s in (0, 1, 7):
        r = encode(mul(s, B))
        case("identity public key, R = s*B, s = %d" % s, ident, r + s.to_bytes(32, "little"), b"any message")
    # 2. Every small-order public key with R = identity, s = 0, a message
    #    whose h is a multiple of 8 (so h*A is the identity).
    for enc, pt in sorted(small.items()):
        i = 0
        while h_scalar(ident, enc, b"msg %d" % i) % 8:
            i += 1
        m = b"msg %d" % i
        case("small-order public key, R = identity, s = 0, 8 | h", enc, ident + zero, m)
        # and one where h*A is not the identity: R = -h*A
        j = 0
        while h_scalar(encode(neg(mul(h_scalar(ident, enc, b"x%d" % j), pt))), enc, b"x%d" % j) % 8 == 0:
            j += 1
            if j > 50:
                break
        m = b"x%d" % j
        r = encode(neg(mul(h_scalar(ident, enc, m), pt)))
        case("small-order public key, R = -h0*A with h0 = H(identity || A || M), s = 0", enc, r + zero, m)
    # 3. Non-canonical encodings of the identity public key (y = 1 + p,
    #    sign bit set with x = 0).
    noncanon_id = (1 + P).to_bytes(32, "little")
    case("non-canonical public key y = p + 1, R = identity, s = 0", noncanon_id, ident + zero, b"m")
    case("public key 01..80 (x = 0, sign bit set), R = identity, s = 0",
         ident[:31] + b"\x80", ident + zero, b"m")
    # 4. Non-canonical R (identity as y = p + 1) with the identity key.
    case("non-canonical R (y = p + 1), identity key, s = 0", ident, noncanon_id + zero, b"m")
    case("R = 01..80 (x = 0, sign bit set), identity key, s = 0", ident, ident[:31] + b"\x80" + zero, b"m")
    # 5. A real key: valid, and with s + L, s = L, s = 2^255 - 1.
    sk = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    from cryptography.hazmat.primitives import serialization as ser
    pk = sk.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
    msg = b"edge"
    sig = sk.sign(msg)
    s = int.from_bytes(sig[32:], "little")
    case("real key, valid", pk, sig, msg)
    case("real key, s + L", pk, sig[:32] + (s + L).to_bytes(32, "little"), msg)
    case("real key, s = L", pk, sig[:32] + L.to_bytes(32, "little"), msg)
    case("real key, s = L - 1 (wrong but canonical)", pk, sig[:32] + (L - 1).to_bytes(32, "little"), msg)
    # 6. Mixed-order public key: real key + a torsion point; signature made
    #    by the standard equation with the same secret scalar.
    a_scalar = int.from_bytes(hashlib.sha512(bytes(range(32))).digest()[:32], "little")
    a_scalar &= (1 << 254) - 8
    a_scalar |= 1 << 254
    t8 = [pt for enc, pt in small.items() if mul(4, pt) != (0, 1)][0]  # order 8
    mixed = add(mul(a_scalar, B), t8)
    mixed_enc = encode(mixed)
    for i in range(4):
        m = b"mixed %d" % i
        rr = 12345 + i
        r = encode(mul(rr, B))
        h = h_scalar(r, mixed_enc, m)
        ss = (rr + h * a_scalar) % L
        case("mixed-order public key (A + T8), cofactorless equation; h mod 8 = %d" % (h % 8),
             mixed_enc, r + ss.to_bytes(32, "little"), m)
    # 7. Public keys that are not points; all-zero, all-ff.
    y = 2
    while recover_x(y, 0) is not None:
        y += 1
    case("public key not on the curve", y.to_bytes(32, "little"), sig, msg)
    case("all-zero public key (a point of order 4), signature of another key", zero, sig, msg)
    case("all-ff public key, signature of another key", b"\xff" * 32, sig, msg)
    print(json.dumps({
        "description": "Ed25519 verification edge cases and the verdicts of the reference's backend "
                       "(Python cryptography %s, %s). Generated by interop/gen_ed25519_edges.py. "
                       "result: valid | invalid." % (cryptography.__version__, backend.openssl_version_text()),
        "cases": cases}, indent=1))


if __name__ == "__main__":
    main()
