#!/usr/bin/env bash
# Times the Python reference and the Rust implementation in one sitting on
# the same inputs, then prints the ratios.
#
#   bash interop/compare_speed.sh [--quick]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
mkdir -p "$HERE/out"
PY="$("$HERE/venv.sh")"
"$PY" -W ignore "$HERE/bench_reference.py" --json "$HERE/out/reference.json" "$@"
cd "$ROOT"
cargo bench -p aiootp --bench compat_cipher -- --warm-up-time 1 --measurement-time 5 \
    "compat_bytes|compat_json|compat_encodings|keccak"
python3 "$HERE/compare_speed.py" "$HERE/out/reference.json"
