#!/usr/bin/env bash
# Times the reference's asymmetric tools (Python aiootp 0.17.0) and ours in
# one sitting on the same operations (interop/bench_asymmetric.py and
# crates/aiootp/benches/asymmetric.rs), then prints the ratios.
#
#   bash interop/compare_asym_speed.sh [--seconds S]
#
# Ratio = reference time / our time (above 1: we are faster), from the
# median and from the minimum time per call; on a machine shared with
# other work the minimum is the steadier figure. The Rust bench is built
# first so both timings run back to back. Honours CARGO_TARGET_DIR.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
mkdir -p "$HERE/out"
PY="$("$HERE/venv.sh")"
cd "$ROOT"
cargo bench -p aiootp --bench asymmetric --no-run
"$PY" -W ignore "$HERE/bench_asymmetric.py" --json "$HERE/out/reference_asym.json" "$@"
cargo bench -p aiootp --bench asymmetric -- --warm-up-time 1 --measurement-time 5
CRIT="${CARGO_TARGET_DIR:-$ROOT/target}/criterion" python3 - "$HERE/out/reference_asym.json" <<'PYEOF'
import json, os, sys

crit = os.environ["CRIT"]
with open(sys.argv[1]) as fh:
    ref = json.load(fh)["results"]
print("ratio = reference / ours (above 1: ours is faster); median and minimum per call")
print("%-20s %11s %11s %7s   %11s %11s %7s" % ("operation", "ref median", "ours", "ratio",
                                             "ref min", "ours", "ratio"))
for r in ref:
    d = os.path.join(crit, "asymmetric", r["name"], "new")
    if not os.path.exists(os.path.join(d, "estimates.json")):
        print("%-20s %8.1f us %11s" % (r["name"], r["seconds"] * 1e6, "-"))
        continue
    with open(os.path.join(d, "estimates.json")) as fh:
        med = json.load(fh)["median"]["point_estimate"] / 1e9
    with open(os.path.join(d, "sample.json")) as fh:
        sample = json.load(fh)
    low = min(t / n for t, n in zip(sample["times"], sample["iters"])) / 1e9
    print("%-20s %8.1f us %8.1f us %6.1fx   %8.1f us %8.1f us %6.1fx"
          % (r["name"], r["seconds"] * 1e6, med * 1e6, r["seconds"] / med,
             r["min_seconds"] * 1e6, low * 1e6, r["min_seconds"] / low))
PYEOF
