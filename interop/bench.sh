#!/usr/bin/env bash
# Times the reference (Python aiootp 0.17.0) on the inputs of the Rust
# criterion bench; see interop/bench_reference.py.
#
#   interop/bench.sh [bench_reference.py options: --quick --repeat N]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$("$HERE/venv.sh")"
exec "$PY" -W ignore "$HERE/bench_reference.py" "$@"
