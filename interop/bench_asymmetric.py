#!/usr/bin/env python3
"""Times the reference's asymmetric tools (Python aiootp 0.17.0: X25519,
Ed25519, 2DH, 3DH) on the operations of the Rust criterion bench
``crates/aiootp/benches/asymmetric.rs``, and prints microseconds per call.

Operations (same names as the criterion ids ``asymmetric/<name>``):

* ``x25519_keygen``, ``ed25519_keygen``: ``X25519().generate()`` /
  ``Ed25519().generate()`` (OS randomness and the public key);
* ``ed25519_sign``, ``ed25519_verify``, ``ed25519_sign_verify``: a
  256-byte message ``bytes(i % 251 for i in range(256))``;
* ``x25519_exchange``: ``key.exchange(peer_public_bytes)``;
* ``dh2_exchange``, ``dh3_exchange``: one whole exchange, both sides,
  driven as the README does (client hello, server response, client
  finish, server finish), ending with ``digest()`` of both results; the
  long-term identity keys exist beforehand, the ephemeral ones are made
  inside.

Each operation runs in batches for about ``--seconds`` seconds; the
figures are the median and the minimum over batches of the time per call
(the minimum is the one to compare on a machine shared with other work).

Usage: python bench_asymmetric.py [--seconds S] [--json FILE]
"""

import argparse
import json
import statistics
import sys
import time
import warnings

warnings.simplefilter("ignore")

import aiootp  # noqa: E402
from aiootp import X25519, Ed25519  # noqa: E402

MESSAGE = bytes(i % 251 for i in range(256))


def dh2(server_id):
    client = X25519.protocols.dh2_client()
    hello = client()
    server = server_id.dh2_server(public_key_d=hello)
    response = server()
    try:
        server()
    except StopIteration:
        pass
    try:
        client(response)
    except StopIteration:
        pass
    a, b = client.result().digest(), server.result().digest()
    assert a == b


def dh3(client_id, server_id):
    client = client_id.dh3_client()
    pk_b, pk_d = client()
    server = server_id.dh3_server(public_key_b=pk_b, public_key_d=pk_d)
    response = server()
    try:
        server()
    except StopIteration:
        pass
    try:
        client(response)
    except StopIteration:
        pass
    a, b = client.result().digest(), server.result().digest()
    assert a == b


def timed(fn, seconds):
    """(median, minimum) seconds per call over batches of ~20 ms, calls."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt > 0.02:
            break
        n *= 2
    per_call = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(per_call) < 5:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        per_call.append((time.perf_counter() - t0) / n)
    return statistics.median(per_call), min(per_call), n * len(per_call)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args()

    ed = Ed25519().generate()
    sig = ed.sign(MESSAGE)
    ed.verify(sig, MESSAGE)
    x = X25519().generate()
    peer = X25519().generate().public_bytes
    server_id = X25519().generate()
    client_id = X25519().generate()

    def sign_verify():
        ed.verify(ed.sign(MESSAGE), MESSAGE)

    ops = [
        ("x25519_keygen", lambda: X25519().generate()),
        ("ed25519_keygen", lambda: Ed25519().generate()),
        ("ed25519_sign", lambda: ed.sign(MESSAGE)),
        ("ed25519_verify", lambda: ed.verify(sig, MESSAGE)),
        ("ed25519_sign_verify", sign_verify),
        ("x25519_exchange", lambda: x.exchange(peer)),
        ("dh2_exchange", lambda: dh2(server_id)),
        ("dh3_exchange", lambda: dh3(client_id, server_id)),
    ]
    print("reference: Python %s, aiootp %s" % (sys.version.split()[0], aiootp.__version__))
    results = []
    for name, fn in ops:
        secs, best, calls = timed(fn, args.seconds)
        results.append({"name": name, "seconds": secs, "min_seconds": best, "calls": calls})
        print("%-22s median %9.2f us  min %9.2f us  (%d calls)"
              % (name, secs * 1e6, best * 1e6, calls))
        sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": sys.version.split()[0], "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
