#!/usr/bin/env python3
"""The reference side of the protocol interop checks: Python aiootp 0.17.0
playing one role of an X25519 / Ed25519 / 2DH / 3DH / Ropake exchange,
with the same roles, configuration and JSON lines as ``aiootp peer``.

    python reference_peer.py ROLE [CONFIG-JSON | @file]

Lines written (one JSON object each):
    {"type": "message", "step": NAME, "body": {...}}     a protocol message
    {"type": "result", "ok": true, ...}                  the final result
    {"type": "error", "ok": false, "step": NAME,
     "error_type": CLASS, "error_message": TEXT}         the package raised
Lines read: the peer's message, bare or wrapped as {"type": "message",
"body": {...}}.  Binary values are lowercase hex; integers are JSON
integers of any size.  Exit status 0 after a result or error line, 2 for a
malformed invocation or input.

Roles: x25519-keygen, x25519-exchange, ed25519-keygen, ed25519-sign,
ed25519-verify (one request line each); dh2-client, dh2-server,
dh3-client, dh3-server (config: identity, ephemeral: 64-hex secrets);
ropake-client-registration, ropake-server-registration, ropake-client,
ropake-server (config: directory, key, password_depth for clients; state
(JSON file of the server records) for servers; ttl).  Every role takes
"async": true (the package's async twins) and "fixed": {"time": SECONDS,
"x25519": [64-hex, ...], "salts": [128-hex, ...]}: a fixed clock for the
timestamps and ttl checks, and the package's X25519 key generator and
Ropake salt generator answering from the lists (then from the OS).
"""

import asyncio
import json
import os
import sys

import aiootp
from aiootp import AsyncDatabase, Database, Ed25519, Ropake, X25519

CIPHERS = sys.modules["aiootp.ciphers"]
GENERICS = sys.modules["aiootp.generics"]
ASYM = CIPHERS.Asymmetric25519


class Malformed(Exception):
    """Bad invocation or unreadable peer input: exit status 2."""


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def hexify(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): hexify(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [hexify(v) for v in value]
    if hasattr(value, "namespace"):
        return hexify(dict(value.namespace))
    return value


def read_message():
    line = sys.stdin.readline()
    if not line:
        raise Malformed("the peer closed the input before its message")
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise Malformed(f"unreadable line: {exc}")
    if not isinstance(obj, dict):
        raise Malformed("a line must be a JSON object")
    if obj.get("type") == "message" and "body" in obj:
        return obj["body"]
    if obj.get("type") in ("result", "error"):
        raise Malformed(f"the peer finished instead of answering: {obj}")
    return obj


def unhex(value, name):
    if not isinstance(value, str):
        raise Malformed(f"{name} must be hex text")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise Malformed(f"{name} is not hex")


class Patches:
    """Fixed clock and fixed key / salt draws for the duration of a role."""

    def __init__(self, fixed):
        fixed = dict(fixed or {})
        self.time = fixed.get("time")
        self.x25519 = [bytes.fromhex(k) for k in fixed.get("x25519", [])]
        self.salts = list(fixed.get("salts", []))
        self.saved = []

    def patch(self, owner, name, value):
        self.saved.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, value)

    def __enter__(self):
        if self.x25519:
            queue, original = self.x25519, ASYM.__dict__["x25519_key"].__func__

            def x25519_key():
                if queue:
                    return ASYM.X25519PrivateKey.from_private_bytes(queue.pop(0))
                return original()

            async def ax25519_key():
                return x25519_key()

            self.patch(ASYM, "x25519_key", staticmethod(x25519_key))
            self.patch(ASYM, "ax25519_key", staticmethod(ax25519_key))
        if self.salts:
            queue, original = self.salts, Ropake.__dict__["salt"].__func__

            def salt(*a, **kw):
                return queue.pop(0) if queue else original()

            async def asalt(*a, **kw):
                return salt()

            self.patch(Ropake, "salt", staticmethod(salt))
            self.patch(Ropake, "asalt", staticmethod(asalt))
        if self.time is not None:
            clock = int(self.time)
            self.saved.append((GENERICS.__dict__, "this_second", GENERICS.this_second))
            GENERICS.__dict__["this_second"] = lambda: clock
        return self

    def __exit__(self, *exc):
        while self.saved:
            owner, name, value = self.saved.pop()
            if isinstance(owner, dict):
                owner[name] = value
            else:
                setattr(owner, name, value)
        return False


class Stepper:
    """Steps a protocol generator, with the sync or the async interface."""

    def __init__(self, use_async):
        self.loop = asyncio.new_event_loop() if use_async else None

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def send(self, gen, value=None):
        if self.loop:
            try:
                return self.run(gen(value))
            except StopAsyncIteration:
                return None
        try:
            return gen(value)
        except StopIteration:
            return None

    def result(self, gen):
        return self.run(gen.aresult()) if self.loop else gen.result()


def error_line(step, exc):
    return {"type": "error", "ok": False, "step": step,
            "error_type": type(exc).__name__, "error_message": str(exc)}


# ------------------------------------------------------------ one-shot


def x25519_keygen(cfg, req):
    k = X25519()
    k = k.import_secret_key(unhex(req["secret_key"], "secret_key")) if req.get("secret_key") else k.generate()
    return {"secret_key": k.secret_bytes.hex(), "public_key": k.public_bytes.hex()}


def x25519_exchange(cfg, req):
    k = X25519().import_secret_key(unhex(req["secret_key"], "secret_key"))
    shared = k.exchange(unhex(req["public_key"], "public_key"))
    return {"public_key": k.public_bytes.hex(), "shared_key": shared.hex()}


def ed25519_keygen(cfg, req):
    k = Ed25519()
    k = k.import_secret_key(unhex(req["secret_key"], "secret_key")) if req.get("secret_key") else k.generate()
    return {"secret_key": k.secret_bytes.hex(), "public_key": k.public_bytes.hex()}


def ed25519_sign(cfg, req):
    k = Ed25519().import_secret_key(unhex(req["secret_key"], "secret_key"))
    signature = k.sign(unhex(req.get("message", ""), "message"))
    return {"public_key": k.public_bytes.hex(), "signature": signature.hex()}


def ed25519_verify(cfg, req):
    verifier = Ed25519().import_public_key(unhex(req["public_key"], "public_key"))
    try:
        verifier.verify(unhex(req["signature"], "signature"), unhex(req.get("message", ""), "message"))
    except Ed25519.InvalidSignature as exc:
        return {"valid": False, "error_type": type(exc).__name__, "error_message": str(exc)}
    return {"valid": True}


ONE_SHOT = {
    "x25519-keygen": x25519_keygen,
    "x25519-exchange": x25519_exchange,
    "ed25519-keygen": ed25519_keygen,
    "ed25519-sign": ed25519_sign,
    "ed25519-verify": ed25519_verify,
}


def run_one_shot(role, cfg):
    line = sys.stdin.readline()
    try:
        req = json.loads(line) if line.strip() else {}
    except ValueError as exc:
        raise Malformed(f"unreadable request: {exc}")
    try:
        out = ONE_SHOT[role](cfg, req)
    except (Malformed, KeyError) as exc:
        raise Malformed(f"bad request: {exc}")
    except Exception as exc:
        emit(error_line(role, exc))
        return
    emit({"type": "result", "ok": True, **out})


# ------------------------------------------------------------ 2DH / 3DH


def run_dh(role, cfg):
    kind, side = role.split("-")
    step = "start"
    out = {}
    fixed = dict(cfg.get("fixed") or {})
    if cfg.get("ephemeral"):
        fixed["x25519"] = [cfg["ephemeral"]] + list(fixed.get("x25519", []))
    drv = Stepper(cfg.get("async"))
    try:
        ident = None
        if kind == "dh3" or side == "server":
            ident = X25519()
            ident = ident.import_secret_key(bytes.fromhex(cfg["identity"])) if cfg.get("identity") else ident.generate()
        with Patches(fixed):
            if side == "client":
                if kind == "dh2":
                    gen = X25519.protocols.adh2_client() if drv.loop else X25519.protocols.dh2_client()
                else:
                    gen = ident.adh3_client() if drv.loop else ident.dh3_client()
                step = "client_hello"
                hello = drv.send(gen)
                body = ({"public_key_d": hello.hex()} if kind == "dh2" else
                        {"public_key_b": hello[0].hex(), "public_key_d": hello[1].hex()})
                out.update(body)
                emit({"type": "message", "step": step, "body": body})
                step = "server_response"
                msg = read_message()
                drv.send(gen, (msg["public_key_a"], msg["public_key_c"]))
            else:
                step = "client_hello"
                msg = read_message()
                if kind == "dh2":
                    make = ident.adh2_server if drv.loop else ident.dh2_server
                    gen = make(public_key_d=msg["public_key_d"])
                else:
                    make = ident.adh3_server if drv.loop else ident.dh3_server
                    gen = make(public_key_b=msg["public_key_b"], public_key_d=msg["public_key_d"])
                step = "server_response"
                response = drv.send(gen)
                body = {"public_key_a": response[0].hex(), "public_key_c": response[1].hex()}
                out.update(body)
                emit({"type": "message", "step": step, "body": body})
                step = "finish"
                drv.send(gen)
            kdf = drv.result(gen)
            out["kdf_digest"] = kdf.digest().hex()
            out["kdf_name"] = kdf.name
    except Malformed:
        raise
    except Exception as exc:
        emit(error_line(step, exc))
        return
    emit({"type": "result", "ok": True, **out})


# ------------------------------------------------------------ Ropake


class StateFile(dict):
    """Server records {key_id: {"key": hex, "keyed_password": int}} in a JSON file."""

    def __init__(self, path):
        super().__init__()
        self.path = path
        if path and os.path.exists(path):
            with open(path) as f:
                self.update(json.load(f))

    def save(self):
        if self.path:
            tmp = self.path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(dict(self), f)
            os.replace(tmp, self.path)


def client_database(cfg, drv):
    if not cfg.get("directory") or "key" not in cfg:
        raise Malformed("client roles need 'directory' and 'key'")
    os.makedirs(cfg["directory"], exist_ok=True)
    kw = dict(key=cfg["key"], directory=cfg["directory"],
              password_depth=int(cfg.get("password_depth", 0)))
    return drv.run(AsyncDatabase(**kw)) if drv.loop else Database(**kw)


def database_contents(db, drv):
    if drv.loop:
        async def collect():
            return {tag: value async for tag, value in db}
        return drv.run(collect())
    return {tag: value for tag, value in db}


ALIASES = {"ropake-client-authentication": "ropake-client",
           "ropake-server-authentication": "ropake-server"}


def run_ropake(role, cfg):
    role = ALIASES.get(role, role)
    ttl = int(cfg.get("ttl", 0))
    drv = Stepper(cfg.get("async"))
    step = "start"
    out = {}
    try:
        with Patches(cfg.get("fixed")):
            if role.startswith("ropake-client"):
                db = client_database(cfg, drv)
                if role == "ropake-client-registration":
                    gen = Ropake.aclient_registration(db) if drv.loop else Ropake.client_registration(db)
                else:
                    gen = Ropake.aclient(db, ttl=ttl) if drv.loop else Ropake.client(db, ttl=ttl)
                step = "client_hello"
                hello = drv.send(gen)
                emit({"type": "message", "step": step, "body": hexify(hello)})
                step = "server_response"
                drv.send(gen, read_message())
                out.update(hexify(drv.result(gen)))
                out["root_key"] = db._root_key
                out["db"] = hexify(database_contents(db, drv))
            else:
                step = "client_hello"
                hello = read_message()
                store = StateFile(cfg.get("state"))
                if role == "ropake-server-registration":
                    gen = (Ropake.aserver_registration(hello, store) if drv.loop
                           else Ropake.server_registration(hello, store))
                else:
                    gen = Ropake.aserver(hello, store, ttl=ttl) if drv.loop else Ropake.server(hello, store, ttl=ttl)
                step = "server_response"
                response = drv.send(gen)
                store.save()
                emit({"type": "message", "step": step, "body": hexify(response)})
                step = "finish"
                drv.send(gen)
                out.update(hexify(drv.result(gen)))
                out["state"] = dict(store)
    except Malformed:
        raise
    except Exception as exc:
        emit(error_line(step, exc))
        return
    emit({"type": "result", "ok": True, **out})


def main(argv):
    try:
        if len(argv) < 2:
            raise Malformed("usage: reference_peer.py ROLE [CONFIG]")
        role = argv[1]
        cfg = {}
        if len(argv) > 2:
            text = argv[2]
            if text.startswith("@"):
                with open(text[1:]) as f:
                    text = f.read()
            try:
                cfg = json.loads(text)
            except ValueError as exc:
                raise Malformed(f"config is not JSON: {exc}")
            if not isinstance(cfg, dict):
                raise Malformed("config must be a JSON object")
        if role in ONE_SHOT:
            run_one_shot(role, cfg)
        elif role.startswith(("dh2-", "dh3-")) and role.split("-")[1] in ("client", "server"):
            run_dh(role, cfg)
        elif ALIASES.get(role, role) in ("ropake-client-registration", "ropake-server-registration",
                                         "ropake-client", "ropake-server"):
            run_ropake(role, cfg)
        else:
            raise Malformed(f"unknown role {role!r}")
        return 0
    except Malformed as exc:
        sys.stderr.write(f"reference_peer: {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
