#!/usr/bin/env bash
# Times the reference's asymmetric tools (Python aiootp 0.17.0) and ours in
# one sitting on the same operations (interop/bench_asymmetric.py and
# crates/aiootp/benches/asymmetric.rs), then prints the ratios.
#
#   bash interop/compare_asym_speed.sh [--seconds S]
#
# Ratio = reference time / our time (above 1: we are faster). Honours
# CARGO_TARGET_DIR for criterion's estimates.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
mkdir -p "$HERE/out"
PY="$("$HERE/venv.sh")"
"$PY" -W ignore "$HERE/bench_asymmetric.py" --json "$HERE/out/reference_asym.json" "$@"
cd "$ROOT"
cargo bench -p aiootp --bench asymmetric -- --warm-up-time 1 --measurement-time 5
CRIT="${CARGO_TARGET_DIR:-$ROOT/target}/criterion" python3 - "$HERE/out/reference_asym.json" <<'PYEOF'
import json, os, sys

crit = os.environ["CRIT"]
with open(sys.argv[1]) as fh:
    ref = json.load(fh)["results"]
print("%-22s %14s %14s %8s" % ("operation", "reference", "ours", "ratio"))
for r in ref:
    f = os.path.join(crit, "asymmetric", r["name"], "new", "estimates.json")
    if not os.path.exists(f):
        print("%-22s %11.1f us %14s" % (r["name"], r["seconds"] * 1e6, "-"))
        continue
    with open(f) as fh:
        ours = json.load(fh)["median"]["point_estimate"] / 1e9
    print("%-22s %11.1f us %11.1f us %7.1fx" % (r["name"], r["seconds"] * 1e6, ours * 1e6,
                                                r["seconds"] / ours))
PYEOF
