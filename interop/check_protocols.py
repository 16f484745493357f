#!/usr/bin/env python3
"""Interop check of the asymmetric tools and Ropake: ``aiootp peer ROLE``
(ours) against ``reference_peer.py`` (Python aiootp 0.17.0), in every
pairing.

Each exchange starts the client role and the server role as two
processes and relays their JSON lines (``{"type": "message", ...}``) from
one to the other, then reads both final lines.  Checked:

  one-shot    X25519 and Ed25519 key import/export, exchange (incl. the
              RFC 7748 vector and low-order keys refused by both), Ed25519
              signatures equal byte for byte, each side verifies the
              other's signatures and both refuse altered ones.
  dh2 / dh3   every pairing (ours/reference as client and server, the
              reference sync and async): both sides' kdf digests equal;
              with fixed identity and ephemeral keys the digest is the
              same whichever implementation plays which side.
  ropake      registration then logins, the client database and the
              server state file handed back and forth between the two
              implementations every round (all four pairings); both
              sides' key, key_id and session_key equal every round;
              failures refused by both with the same error class: wrong
              password, replayed hello, altered hello, altered response,
              expired hello and response (ttl), registration hello sent
              to the login server; the server state unchanged by a
              refused hello.

Usage:  python check_protocols.py --cli PATH [--rounds N] [--seed N] [--verbose]
        (with the interop venv: "$(interop/venv.sh)" interop/check_protocols.py)
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "reference_peer.py")
TIMEOUT = 120

RFC7748_ALICE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
RFC7748_BOB_PUB = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
# Public keys whose X25519 result is all zeros for every secret: 0, 1, a
# point of order 8, p - 1 (order 2), p and p + 1 (non-canonical 0 and 1).
LOW_ORDER = [
    "00" * 32,
    "01" + "00" * 31,
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "ec" + "ff" * 30 + "7f",
    "ed" + "ff" * 30 + "7f",
    "ee" + "ff" * 30 + "7f",
]


class Check:
    def __init__(self, verbose):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def ok(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            if self.verbose:
                print(f"  ok    {what}")
        else:
            self.failed += 1
            print(f"  FAIL  {what} {detail}")
        return cond


class Impl:
    def __init__(self, name, argv):
        self.name = name
        self.argv = argv

    def command(self, role, cfg):
        return self.argv(role, json.dumps(cfg))


def start(impl, role, cfg):
    return subprocess.Popen(
        impl.command(role, cfg), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, bufsize=1)


def read_line(proc, who):
    box = []
    t = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    t.start()
    t.join(TIMEOUT)
    if t.is_alive():
        proc.kill()
        raise RuntimeError(f"{who}: no answer within {TIMEOUT}s")
    line = box[0]
    if not line:
        err = proc.stderr.read()
        raise RuntimeError(f"{who}: closed its output (exit {proc.wait()}): {err.strip()}")
    return json.loads(line)


def finish(proc):
    try:
        proc.stdin.close()
    except OSError:
        pass
    try:
        return proc.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        return -9


def one_shot(impl, role, req, cfg=None):
    proc = start(impl, role, cfg or {})
    proc.stdin.write(json.dumps(req) + "\n")
    proc.stdin.flush()
    out = read_line(proc, f"{impl.name} {role}")
    finish(proc)
    return out


def exchange(client, crole, ccfg, server, srole, scfg, alter_hello=None, alter_response=None,
             keep=None):
    """Runs one client/server exchange; returns (client_final, server_final, hello, response)."""
    c = start(client, crole, ccfg)
    s = None
    hello = response = None
    try:
        first = read_line(c, f"{client.name} {crole}")
        if first.get("type") != "message":
            finish(c)
            return first, None, None, None
        hello = first["body"]
        if keep is not None:
            keep["hello"] = json.loads(json.dumps(hello))
        sent = alter_hello(json.loads(json.dumps(hello))) if alter_hello else hello
        s = start(server, srole, scfg)
        s.stdin.write(json.dumps({"type": "message", "body": sent}) + "\n")
        s.stdin.flush()
        second = read_line(s, f"{server.name} {srole}")
        if second.get("type") != "message":
            finish(c)
            finish(s)
            return None, second, hello, None
        response = second["body"]
        sfinal = read_line(s, f"{server.name} {srole} result")
        sent = alter_response(json.loads(json.dumps(response))) if alter_response else response
        c.stdin.write(json.dumps({"type": "message", "body": sent}) + "\n")
        c.stdin.flush()
        cfinal = read_line(c, f"{client.name} {crole} result")
        return cfinal, sfinal, hello, response
    finally:
        finish(c)
        if s is not None:
            finish(s)


def flip_hex(text, rng):
    i = rng.randrange(len(text))
    c = "0" if text[i] != "0" else "1"
    return text[:i] + c + text[i + 1:]


# ------------------------------------------------------------ one-shot


def check_one_shot(chk, impls, rng):
    print("one-shot X25519 / Ed25519")
    ours, ref = impls
    for _ in range(8):
        sk = os.urandom(32).hex()
        a = one_shot(ours, "x25519-keygen", {"secret_key": sk})
        b = one_shot(ref, "x25519-keygen", {"secret_key": sk})
        chk.ok(a == b, "x25519-keygen equal", f"{a} {b}")
        a = one_shot(ours, "ed25519-keygen", {"secret_key": sk})
        b = one_shot(ref, "ed25519-keygen", {"secret_key": sk})
        chk.ok(a == b, "ed25519-keygen equal", f"{a} {b}")
        peer = os.urandom(32).hex()
        a = one_shot(ours, "x25519-exchange", {"secret_key": sk, "public_key": peer})
        b = one_shot(ref, "x25519-exchange", {"secret_key": sk, "public_key": peer})
        chk.ok(a == b and a.get("ok"), "x25519-exchange equal", f"{a} {b}")
    for impl in impls:
        g = one_shot(impl, "x25519-keygen", {})
        chk.ok(g.get("ok") and len(g["secret_key"]) == 64 and len(g["public_key"]) == 64,
               f"{impl.name} x25519-keygen random")
    a = one_shot(ours, "x25519-exchange", {"secret_key": RFC7748_ALICE, "public_key": RFC7748_BOB_PUB})
    b = one_shot(ref, "x25519-exchange", {"secret_key": RFC7748_ALICE, "public_key": RFC7748_BOB_PUB})
    chk.ok(a == b and a["shared_key"].startswith("4a5d9d5b"), "x25519 RFC 7748 vector", f"{a}")
    for low in LOW_ORDER:
        sk = os.urandom(32).hex()
        a = one_shot(ours, "x25519-exchange", {"secret_key": sk, "public_key": low})
        b = one_shot(ref, "x25519-exchange", {"secret_key": sk, "public_key": low})
        chk.ok(a.get("type") == "error" and b.get("type") == "error"
               and a.get("error_type") == b.get("error_type")
               and a.get("error_message") == b.get("error_message"),
               f"low-order key {low[:8]}… refused by both", f"{a} {b}")
    for n in (0, 1, 64, 300, 5000):
        sk = os.urandom(32).hex()
        msg = os.urandom(n).hex()
        a = one_shot(ours, "ed25519-sign", {"secret_key": sk, "message": msg})
        b = one_shot(ref, "ed25519-sign", {"secret_key": sk, "message": msg})
        chk.ok(a == b, f"ed25519 signature of {n} bytes equal", f"{a} {b}")
        for signer, verifier in ((ours, ref), (ref, ours)):
            sig = one_shot(signer, "ed25519-sign", {"secret_key": sk, "message": msg})
            req = {"public_key": sig["public_key"], "message": msg, "signature": sig["signature"]}
            v = one_shot(verifier, "ed25519-verify", req)
            chk.ok(v.get("valid") is True, f"{verifier.name} verifies {signer.name}'s signature", f"{v}")
            bad = dict(req, signature=flip_hex(req["signature"], rng))
            v1 = one_shot(verifier, "ed25519-verify", bad)
            bad_msg = dict(req, message=(msg + "00"))
            v2 = one_shot(verifier, "ed25519-verify", bad_msg)
            short = dict(req, signature=req["signature"][:126])
            v3 = one_shot(verifier, "ed25519-verify", short)
            chk.ok(all(v.get("valid") is False and v.get("error_type") == "InvalidSignature"
                       for v in (v1, v2, v3)),
                   f"{verifier.name} refuses altered signature / message / short signature",
                   f"{v1} {v2} {v3}")


# ------------------------------------------------------------ dh


def check_dh(chk, impls, rng):
    print("2DH / 3DH")
    ours, ref = impls
    for kind in ("dh2", "dh3"):
        fixed_keys = {n: os.urandom(32).hex() for n in "abcd"}
        digests = {}
        for client in impls:
            for server in impls:
                for use_async in (False, True):
                    ccfg = {"ephemeral": fixed_keys["d"]}
                    if kind == "dh3":
                        ccfg["identity"] = fixed_keys["b"]
                    scfg = {"identity": fixed_keys["a"], "ephemeral": fixed_keys["c"]}
                    if use_async:
                        (ccfg if client is ref else scfg)["async"] = True
                    cf, sf, _, _ = exchange(client, f"{kind}-client", ccfg, server, f"{kind}-server", scfg)
                    name = f"{kind} {client.name} client / {server.name} server{' (async ref)' if use_async else ''}"
                    good = (cf and sf and cf.get("ok") and sf.get("ok")
                            and cf["kdf_digest"] == sf["kdf_digest"] and cf["kdf_name"] == "sha3_512")
                    chk.ok(good, f"{name}: fixed keys, digests equal", f"{cf} {sf}")
                    if good:
                        digests[name] = cf["kdf_digest"]
                    # random keys
                    cf, sf, _, _ = exchange(client, f"{kind}-client", {}, server, f"{kind}-server", {})
                    chk.ok(cf and sf and cf.get("ok") and sf.get("ok") and cf["kdf_digest"] == sf["kdf_digest"],
                           f"{name}: random keys, digests equal", f"{cf} {sf}")
        chk.ok(len(set(digests.values())) == 1 and len(digests) == 8,
               f"{kind}: the same digest in all 8 pairings with fixed keys", f"{digests}")
        # a low-order client ephemeral public key: the server refuses after responding
        for server in impls:
            hello = {"public_key_d": LOW_ORDER[0]} if kind == "dh2" else {
                "public_key_b": LOW_ORDER[1], "public_key_d": LOW_ORDER[0]}
            s = start(server, f"{kind}-server", {})
            s.stdin.write(json.dumps(hello) + "\n")
            s.stdin.flush()
            lines = [read_line(s, server.name), read_line(s, server.name)]
            finish(s)
            chk.ok(lines[0].get("type") == "message" and lines[1].get("type") == "error"
                   and lines[1].get("error_message") == "Error computing shared key.",
                   f"{kind} {server.name} server refuses a low-order client key", f"{lines}")


# ------------------------------------------------------------ ropake


def state_of(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def keys_equal(cf, sf):
    return (cf is not None and sf is not None and cf.get("ok") and sf.get("ok")
            and all(cf[k] == sf[k] for k in ("key", "key_id", "session_key")))


def check_ropake(chk, impls, rng, rounds, work):
    print("Ropake")
    ours, ref = impls
    pairings = [(c, s) for c in impls for s in impls]
    for reg_client, reg_server in pairings:
        d = tempfile.mkdtemp(dir=work)
        cdir = os.path.join(d, "client-db")
        state = os.path.join(d, "server.json")
        password = os.urandom(16).hex()
        ccfg = {"directory": cdir, "key": password}
        scfg = {"state": state}
        label = f"registration {reg_client.name} client / {reg_server.name} server"
        cf, sf, _, _ = exchange(reg_client, "ropake-client-registration", ccfg,
                                reg_server, "ropake-server-registration", scfg)
        if not chk.ok(keys_equal(cf, sf), f"{label}: keys equal", f"{cf} {sf}"):
            continue
        chk.ok(set(cf["db"]) == {"salt", "key"} and cf["db"]["key"] == cf["key"],
               f"{label}: client database holds salt and key", f"{cf['db'].keys()}")
        chk.ok(list(state_of(state)) == [sf["key_id"]], f"{label}: one server record")
        for n in range(rounds):
            client, server = pairings[(n + pairings.index((reg_client, reg_server)) + 1) % 4]
            use_async = rng.random() < 0.3
            cc = dict(ccfg, ttl=60) if n % 2 else dict(ccfg)
            sc = dict(scfg, ttl=60) if n % 2 else dict(scfg)
            if use_async:
                (cc if client is ref else sc)["async"] = True
            name = f"  login {n + 1}: {client.name} client / {server.name} server"
            cf, sf, _, _ = exchange(client, "ropake-client", cc, server, "ropake-server", sc)
            chk.ok(keys_equal(cf, sf), f"{name}: keys equal", f"{cf} {sf}")
            if cf and cf.get("ok"):
                chk.ok(set(cf["db"]) == {"salt", "key"}, f"{name}: client db holds salt and key")
            chk.ok(list(state_of(state)) == [sf and sf.get("key_id")], f"{name}: one server record")
    check_ropake_failures(chk, impls, rng, work)


def registered(work, client, server):
    d = tempfile.mkdtemp(dir=work)
    ccfg = {"directory": os.path.join(d, "client-db"), "key": os.urandom(16).hex()}
    scfg = {"state": os.path.join(d, "server.json")}
    cf, sf, _, _ = exchange(client, "ropake-client-registration", ccfg,
                            server, "ropake-server-registration", scfg)
    if not keys_equal(cf, sf):
        raise RuntimeError(f"registration failed: {cf} {sf}")
    return ccfg, scfg


def alter_ciphertext(msg, rng):
    ct = msg["ciphertext"]
    i = rng.randrange(len(ct))
    ct[i] = ct[i] ^ 1 if isinstance(ct[i], int) else ct[i]
    return msg


def check_ropake_failures(chk, impls, rng, work):
    print("Ropake failures")
    ours, ref = impls
    for client in impls:
        for server in impls:
            tag = f"{client.name} client / {server.name} server"
            # wrong password: the client refuses before sending anything
            ccfg, scfg = registered(work, client, server)
            wrong = dict(ccfg, key=ccfg["key"] + "x")
            first, _, _, _ = exchange(client, "ropake-client", wrong, server, "ropake-server", scfg)
            chk.ok(first.get("type") == "error" and first.get("error_type") == "ValueError"
                   and first.get("error_message") == "Must provide ``key`` material to mix with ``label``.",
                   f"{tag}: wrong password refused by the client", f"{first}")
            # altered hello: the server refuses and keeps its state
            before = state_of(scfg["state"])
            cf, sf, _, _ = exchange(client, "ropake-client", ccfg, server, "ropake-server", scfg,
                                    alter_hello=lambda m: alter_ciphertext(m, rng))
            chk.ok(sf and sf.get("type") == "error" and sf.get("error_type") == "ValueError"
                   and sf.get("error_message") == "HMAC of ``data`` isn't valid.",
                   f"{tag}: altered hello refused", f"{sf}")
            chk.ok(state_of(scfg["state"]) == before, f"{tag}: state unchanged by the altered hello")
            # a good login, then its hello replayed
            keep = {}
            cf, sf, _, _ = exchange(client, "ropake-client", ccfg, server, "ropake-server", scfg, keep=keep)
            chk.ok(keys_equal(cf, sf), f"{tag}: login after refusals", f"{cf} {sf}")
            for s2 in impls:
                p = start(s2, "ropake-server", scfg)
                p.stdin.write(json.dumps(keep["hello"]) + "\n")
                p.stdin.flush()
                line = read_line(p, s2.name)
                finish(p)
                chk.ok(line.get("type") == "error" and line.get("error_type") == "KeyError",
                       f"{tag}: replayed hello refused by {s2.name}", f"{line}")
            # altered response: the client refuses (and is locked out, as documented)
            ccfg2, scfg2 = registered(work, client, server)
            cf, sf, _, _ = exchange(client, "ropake-client", ccfg2, server, "ropake-server", scfg2,
                                    alter_response=lambda m: alter_ciphertext(m, rng))
            chk.ok(cf and cf.get("type") == "error" and cf.get("error_message") == "HMAC of ``data`` isn't valid.",
                   f"{tag}: altered response refused", f"{cf}")
            # expired hello: the client's clock 100 s behind, server ttl 30
            ccfg3, scfg3 = registered(work, client, server)
            old = int(time.time()) - 100
            cf, sf, _, _ = exchange(client, "ropake-client", dict(ccfg3, fixed={"time": old}),
                                    server, "ropake-server", dict(scfg3, ttl=30))
            chk.ok(sf and sf.get("error_type") == "TimeoutError"
                   and sf.get("error_message", "").startswith("Timestamp expired by <"),
                   f"{tag}: expired hello refused", f"{sf}")
            # expired response: the server's clock 100 s behind, client ttl 30
            cf, sf, _, _ = exchange(client, "ropake-client", dict(ccfg3, ttl=30),
                                    server, "ropake-server", dict(scfg3, fixed={"time": old}))
            chk.ok(cf and cf.get("error_type") == "TimeoutError", f"{tag}: expired response refused", f"{cf}")
            # a registration hello sent to the login server
            d = tempfile.mkdtemp(dir=work)
            cf, sf, _, _ = exchange(client, "ropake-client-registration",
                                    {"directory": d, "key": "k"}, server, "ropake-server", scfg)
            chk.ok(sf and sf.get("type") == "error" and sf.get("error_type") == "KeyError",
                   f"{tag}: registration hello refused by the login server", f"{sf}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="path of the aiootp binary")
    ap.add_argument("--rounds", type=int, default=6, help="logins after each registration")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--only", choices=["one-shot", "dh", "ropake"], default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2 ** 32)
    print(f"check_protocols: seed {seed}")
    rng = random.Random(seed)
    ours = Impl("ours", lambda role, cfg: [args.cli, "peer", role, "--config", cfg])
    ref = Impl("reference", lambda role, cfg: [sys.executable, "-W", "ignore", REFERENCE, role, cfg])
    impls = (ours, ref)
    chk = Check(args.verbose)
    work = tempfile.mkdtemp(prefix="aiootp-protocols-")
    started = time.time()
    try:
        if args.only in (None, "one-shot"):
            check_one_shot(chk, impls, rng)
        if args.only in (None, "dh"):
            check_dh(chk, impls, rng)
        if args.only in (None, "ropake"):
            check_ropake(chk, impls, rng, args.rounds, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"check_protocols: {chk.passed} passed, {chk.failed} failed "
          f"in {time.time() - started:.0f}s (seed {seed})")
    return 1 if chk.failed else 0


if __name__ == "__main__":
    sys.exit(main())
