#!/usr/bin/env bash
# Every benchmark at its default size (DESIGN.md §8); results are recorded by hand in BENCHMARKS.md.
# Scratch SQLite databases and files live under $LAOMO_BENCH_DIR (default /tmp/laomo-bench), never in
# var/. BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/laomo_bench runs them on PostgreSQL too
# (that database is dropped and re-created; never point it at `test` or a real database).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=${LAOMO_BENCH_DIR:-/tmp/laomo-bench}
mkdir -p "$OUT"
RESULTS="$OUT/results-$(date +%Y%m%d-%H%M%S).jsonl"

run() {
  echo "== $*"
  "$PY" "$@" | tee -a "$OUT/last.out"
  tail -n 1 "$OUT/last.out" >> "$RESULTS"
  rm -f "$OUT/last.out"
}

run bench/import_roster.py
run bench/worker_list.py
if [[ -n "${BENCH_DATABASE_URL:-}" ]]; then
  run bench/import_roster.py --database-url "$BENCH_DATABASE_URL"
  run bench/worker_list.py --database-url "$BENCH_DATABASE_URL"
fi
echo "== results (one JSON line per bench): $RESULTS"
cat "$RESULTS"
