#!/usr/bin/env python3
"""Cross-check of the Rust AOT2 implementation against the independent
Python one (interop/aot2_reference.py), both ways:

1. Python seals random cases (random keys of 32-100 bytes, ctx, timestamps,
   data lengths around every chunk and padding boundary, a password case,
   spliced messages under a reused salt);
   the Rust test `aot2_vectors::random_cases` must seal them to the same
   bytes (one-shot on 1 and 3 threads, and streamed) and open them, and
   refuse the invalid ones with the same error.
2. The Rust test seals each case again with its own random salt (one-shot
   on two threads, and streamed); Python must open those messages.

    interop/check_aot2.py [--seed N] [--cases N]

prints "interop aot2: N passed, M failed" and exits 1 on any mismatch.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import aot2_reference as ref  # noqa: E402

C = ref.CHUNK


def data_len(rng):
    return rng.choice(
        [
            lambda: rng.randrange(0, 600),
            lambda: rng.randrange(1, 4) * C + rng.randrange(-600, 600),
            lambda: rng.randrange(0, 3 * C),
            lambda: rng.choice([0, 176, 177, C - 16, C - 8, C, 7 * C - 16 - 255]),
        ]
    )()


def make_cases(seed, count):
    rng = random.Random(seed)
    valid = []
    invalid = []
    for i in range(count):
        key = bytes(rng.randrange(256) for _ in range(rng.choice([32, 64, rng.randrange(32, 100)])))
        salt = bytes(rng.randrange(256) for _ in range(32))
        ctx = bytes(rng.randrange(256) for _ in range(rng.choice([0, 0, 1, 8, rng.randrange(0, 200)])))
        ts = rng.choice([0, 1_700_000_000 + rng.randrange(10**6), rng.randrange(1 << 64)])
        n = max(0, data_len(rng))
        data = bytes(rng.randrange(256) for _ in range(min(n, 2000))) if n <= 2000 else ref.pattern(n)
        message = ref.seal(key, salt, ctx, ts, data)
        k_mac, k_enc = ref.subkeys(key, salt, ctx)
        case = {
            "name": "random %d" % i,
            "key": key.hex(),
            "salt": salt.hex(),
            "ctx": ctx.hex(),
            "timestamp": ts,
            "k_mac": k_mac.hex(),
            "k_enc": k_enc.hex(),
            "message_len": len(message),
            "message": message.hex(),
        }
        if n <= 2000:
            case["data"] = data.hex()
        else:
            case["data_pattern"] = n
        valid.append(case)
        if i % 4 == 0 and len(message) <= 4096:
            # One tampered copy: a flipped bit, a cut, or another ctx.
            kind = rng.choice(["flip", "cut", "extend", "ctx"])
            bad, bad_ctx = bytearray(message), ctx
            if kind == "flip":
                pos = rng.randrange(len(bad))
                bad[pos] ^= 1 << rng.randrange(8)
            elif kind == "cut":
                del bad[rng.randrange(len(bad)):]
            elif kind == "extend":
                bad += bytes(256)
            else:
                bad_ctx = ctx + b"x"
            invalid.append(ref.invalid_case("tampered %d (%s)" % (i, kind), kind, key, bad_ctx, bytes(bad)))
    # Splicing under a reused salt: two messages of 2 to 4 chunks under
    # the same key, salt, ctx and timestamp, differing in every chunk; one
    # record of the other swapped in must not open (the last tag binds
    # the chain of the earlier tags).
    for k in range(2):
        key = bytes(rng.randrange(256) for _ in range(64))
        salt = bytes(rng.randrange(256) for _ in range(32))
        ctx = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 20)))
        ts = 1_700_000_000 + rng.randrange(10**6)
        a = ref.pattern(rng.randrange(C, 3 * C + 1000))
        b = bytes(x ^ 1 for x in a)
        ra = ref.records_of(ref.seal(key, salt, ctx, ts, a))
        rb = ref.records_of(ref.seal(key, salt, ctx, ts, b))
        i = rng.randrange(len(ra))
        spliced = salt + b"".join(rb[j] if j == i else r for j, r in enumerate(ra))
        try:
            ref.open_message(key, spliced, ctx)
            raise SystemExit("check_aot2: a spliced message opens in Python")
        except ref.AuthenticationError:
            pass
        invalid.append(ref.invalid_case("spliced %d (record %d of %d)" % (k, i, len(ra)), "splice", key, ctx, spliced))
    # A password case with cheap settings.
    salt = bytes(rng.randrange(256) for _ in range(32))
    password = b"interop password %d" % rng.randrange(10**6)
    settings = (256, 2, 256)
    key = ref.password_key(password, salt, *settings)
    data = b"sealed under a password"
    message = ref.seal(key, salt, b"", 1_700_000_000, data)
    valid.append(
        {
            "name": "random password",
            "password": password.hex(),
            "passcrypt": list(settings),
            "derived_key": key.hex(),
            "salt": salt.hex(),
            "ctx": "",
            "timestamp": 1_700_000_000,
            "data": data.hex(),
            "message_len": len(message),
            "message": message.hex(),
        }
    )
    return valid, invalid


def data_of(case):
    if "data" in case:
        return bytes.fromhex(case["data"])
    return ref.pattern(case["data_pattern"])


def key_of(case):
    return bytes.fromhex(case["key"] if "key" in case else case["derived_key"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--cases", type=int, default=60)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    print("check_aot2: seed %d, %d cases" % (seed, args.cases))
    valid, invalid = make_cases(seed, args.cases)
    work = tempfile.mkdtemp()
    cases_path = os.path.join(work, "cases.json")
    rust_path = os.path.join(work, "rust.json")
    with open(cases_path, "w") as f:
        json.dump({"valid": valid, "invalid": invalid}, f)
    env = dict(os.environ, AIOOTP_AOT2_CASES=cases_path, AIOOTP_AOT2_RUST_OUT=rust_path)
    run = subprocess.run(
        ["cargo", "test", "-q", "-p", "aiootp", "--test", "aot2_vectors", "random_cases", "--", "--nocapture"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
    )
    for line in run.stdout.splitlines():
        if line.startswith("MISMATCH"):
            print(line)
    summary = re.search(r"interop aot2: (\d+) passed, (\d+) failed", run.stdout)
    if summary is None or run.returncode != 0:
        print(run.stdout[-4000:])
        print("interop aot2: 0 passed, %d failed" % (len(valid) + len(invalid)))
        return 1
    passed, failed = int(summary.group(1)), int(summary.group(2))
    # The other way: Python opens what Rust sealed with its own salts.
    with open(rust_path) as f:
        ours = json.load(f)
    by_name = {c["name"]: c for c in valid}
    for entry in ours:
        case = by_name[entry["name"]]
        for form in ("one_shot", "streamed"):
            try:
                data, ts = ref.open_message(key_of(case), bytes.fromhex(entry[form]), bytes.fromhex(case["ctx"]))
                ok = data == data_of(case) and ts == case["timestamp"]
            except ref.AuthenticationError:
                ok = False
            if ok:
                passed += 1
            else:
                failed += 1
                print("MISMATCH Python cannot open the Rust %s message of %s" % (form, entry["name"]))
    os.unlink(cases_path)
    os.unlink(rust_path)
    os.rmdir(work)
    print("interop aot2: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
