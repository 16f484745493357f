#!/usr/bin/env bash
# Creates (once) the interop virtual environment with the reference
# implementation, Python aiootp 0.17.0, and prints its python's path.
#
#   VENV=${AIOOTP_INTEROP_VENV:-interop/.venv}
#
# aiootp 0.17.0 runs on CPython 3.6-3.9 only; 3.8 is preferred (its
# Unicode 12.1 tables are the ones the reference's repr() hashing uses).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${AIOOTP_INTEROP_VENV:-$HERE/.venv}"

find_python() {
    local root="${PYENV_ROOT:-$HOME/.pyenv}"
    local cand path
    for cand in python3.8 "$root"/versions/3.8*/bin/python3.8 \
        python3.9 "$root"/versions/3.9*/bin/python3.9 python3; do
        path="$(command -v "$cand" 2>/dev/null)" || continue
        # pyenv shims exist for every installed version: keep one that runs.
        if "$path" -c 'import sys; assert sys.version_info[:2] in ((3, 8), (3, 9))' >/dev/null 2>&1; then
            echo "$path"
            return 0
        fi
    done
    return 1
}

ready() {
    [ -x "$VENV/bin/python" ] &&
        "$VENV/bin/python" -W ignore -c 'import aiootp, Crypto.Hash.TurboSHAKE256; assert aiootp.__version__ == "0.17.0"' >/dev/null 2>&1
}

if ! ready; then
    PY="$(find_python)" || {
        echo "interop: no CPython 3.8 or 3.9 found (aiootp 0.17.0 needs one; e.g. pyenv install 3.8)" >&2
        exit 1
    }
    echo "interop: creating $VENV with $PY" >&2
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
        -r "$HERE/requirements.txt" >&2
    ready || { echo "interop: aiootp 0.17.0 does not import in $VENV" >&2; exit 1; }
fi
echo "$VENV/bin/python"
