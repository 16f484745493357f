#!/usr/bin/env bash
# Times the reference's database (Python aiootp 0.17.0) and ours in one
# sitting on the same workload (interop/bench_db.py and
# crates/aiootp/benches/database.rs), then prints the ratios.
#
#   bash interop/compare_db_speed.sh [--large] [--repeat N]
#
# --large adds 100,000 tags (AIOOTP_BENCH_DB_LARGE=1 for the Rust bench;
# about half an hour in all). Both sides put their databases on /dev/shm
# (tmpfs) when it exists, else in the temporary directory.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
mkdir -p "$HERE/out"
PY="$("$HERE/venv.sh")"
for arg in "$@"; do
    if [ "$arg" = "--large" ]; then export AIOOTP_BENCH_DB_LARGE=1; fi
done
"$PY" -W ignore "$HERE/bench_db.py" --json "$HERE/out/reference_db.json" "$@"
cd "$ROOT"
cargo bench -p aiootp --bench database -- --warm-up-time 1 --measurement-time 5 \
    2> >(tee "$HERE/out/ours_db.log" >&2)
python3 "$HERE/compare_db_speed.py" "$HERE/out/reference_db.json" "$HERE/out/ours_db.log"
