#!/usr/bin/env bash
# Interop checks against Python aiootp 0.17.0: the compat cipher
# (check_cipher.py), the encrypted database (check_db.py), passcrypt
# (check_passcrypt.py) and the protocols: X25519, Ed25519, 2DH/3DH and
# Ropake, ours against the reference in every pairing (check_protocols.py
# with reference_peer.py).
#
#   interop/run.sh [check_cipher.py options: --seed N --cases N --no-big ...]
#
# Makes its own virtual environment (interop/.venv, or $AIOOTP_INTEROP_VENV),
# builds the JSON-lines driver and the CLI in release mode, then runs the
# checks. Exits non-zero on any mismatch.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
cd "$ROOT"
started=$(date +%s)

PY="$("$HERE/venv.sh")"

cargo build --release -p aiootp-interop-driver -p aiootp-cli

TARGET="$(cargo metadata --format-version 1 --no-deps |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
CLI="$TARGET/release/aiootp"

status=0
"$PY" -W ignore "$HERE/check_cipher.py" \
    --driver "$TARGET/release/aiootp-interop-driver" --cli "$CLI" "$@" || status=$?
"$PY" -W ignore "$HERE/check_db.py" --cli "$CLI" || status=$?
if [ -f "$HERE/check_passcrypt.py" ]; then
    "$PY" -W ignore "$HERE/check_passcrypt.py" --cli "$CLI" || status=$?
fi
"$PY" -W ignore "$HERE/check_turboshake.py" || status=$?
"$PY" -W ignore "$HERE/check_aot2.py" || status=$?
"$PY" -W ignore "$HERE/check_protocols.py" --cli "$CLI" --rounds "${AIOOTP_PROTOCOL_ROUNDS:-4}" || status=$?
echo "interop: finished in $(( $(date +%s) - started ))s (exit $status)"
exit "$status"
