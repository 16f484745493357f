#!/usr/bin/env bash
# Times one Ropake registration round and one login round (client and
# server together) in the reference (Python aiootp 0.17.0,
# interop/bench_ropake.py) and in ours (crates/aiootp/benches/ropake.rs)
# in one sitting, then prints the ratios (reference / ours).
#
#   bash interop/compare_ropake_speed.sh [--repeat N]
#
# Both sides put the client databases on /dev/shm (tmpfs) when it exists,
# else in the temporary directory; AIOOTP_BENCH_DB_DIR (ours) and --dir
# (reference) choose another. AIOOTP_PY overrides the reference's python.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
mkdir -p "$HERE/out"
PY="${AIOOTP_PY:-$("$HERE/venv.sh")}"
"$PY" -W ignore "$HERE/bench_ropake.py" --json "$HERE/out/reference_ropake.json" "$@"
cd "$ROOT"
cargo bench -p aiootp --bench ropake -- --warm-up-time 1 --measurement-time 5
CRITERION="${CARGO_TARGET_DIR:-$ROOT/target}/criterion" \
    python3 - "$HERE/out/reference_ropake.json" <<'EOF'
import json, os, sys

with open(sys.argv[1]) as fh:
    ref = json.load(fh)
crit = os.environ["CRITERION"]
print("client databases on %s; medians; ratio = reference / ours"
      % ref.get("directory", "?"))
print("%-28s %12s %12s %8s" % ("round", "reference", "ours", "ratio"))
for r in ref["results"]:
    f = os.path.join(crit, r["name"], "new", "estimates.json")
    if not os.path.exists(f):
        print("%-28s %9.3f ms %12s" % (r["name"], r["seconds"] * 1e3, "-"))
        continue
    with open(f) as fh:
        ours = json.load(fh)["median"]["point_estimate"] / 1e9
    print("%-28s %9.3f ms %9.3f ms %7.1fx"
          % (r["name"], r["seconds"] * 1e3, ours * 1e3, r["seconds"] / ours))
f = os.path.join(crit, "ropake", "login_round_memory_db", "new", "estimates.json")
if os.path.exists(f):
    with open(f) as fh:
        ours = json.load(fh)["median"]["point_estimate"] / 1e9
    print("(ours, client database in memory: login round %.3f ms)" % (ours * 1e3))
EOF
