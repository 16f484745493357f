#!/usr/bin/env bash
# Interop checks of the Rust compat cipher against Python aiootp 0.17.0.
#
#   interop/run.sh [check_cipher.py options: --seed N --cases N --no-big ...]
#
# Makes its own virtual environment (interop/.venv, or $AIOOTP_INTEROP_VENV),
# builds the JSON-lines driver and the CLI in release mode, then runs
# interop/check_cipher.py. Exits non-zero on any mismatch.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
cd "$ROOT"
started=$(date +%s)

PY="$("$HERE/venv.sh")"

# The driver is required; the CLI is optional (its checks are skipped,
# with a note, when it does not build).
if ! cargo build --release -p aiootp-interop-driver -p aiootp-cli; then
    echo "interop: building the CLI failed; building the driver alone (CLI checks will be skipped)" >&2
    cargo build --release -p aiootp-interop-driver
    NO_CLI=1
fi

TARGET="$(cargo metadata --format-version 1 --no-deps |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
CLI="$TARGET/release/aiootp"
if [ "${NO_CLI:-0}" = 1 ]; then
    CLI=""
fi

status=0
"$PY" -W ignore "$HERE/check_cipher.py" \
    --driver "$TARGET/release/aiootp-interop-driver" --cli "$CLI" "$@" || status=$?
echo "interop: finished in $(( $(date +%s) - started ))s (exit $status)"
exit "$status"
