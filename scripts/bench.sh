#!/usr/bin/env bash
# Every benchmark (DESIGN.md §8); results are recorded by hand in BENCHMARKS.md.
#
# BENCH_PROFILE=quick (the default, what `make bench` runs): sizes that fit in about 15 minutes on a
# 2-core machine — the roster import and the service-records ledger import at 20k rows (one run each), the
# workers list at 100k, the province-scale bench at `--size small` (1/50 of a province), the load bench 5 s
# per URL.
# BENCH_PROFILE=full: the sizes the issues' goals are stated at — the roster import at 100k (3 runs each),
# the workers list at 1M, `bench/scale.py --size province` on PostgreSQL (200k workers, 2M service
# records; SQLite keeps `--size small`, as issue 16 asks), the load bench 15 s per URL.
# `make bench BENCH_PROFILE=full BENCH_DATABASE_URL=...`.
#
# Scratch SQLite databases and files live under $LAOMO_BENCH_DIR (default /tmp/laomo-bench), never in
# var/. BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/laomo_bench runs them on PostgreSQL too
# (that database is dropped and re-created; never point it at `test` or a real database); the load bench
# then also serves from PostgreSQL with the cache in Redis (BENCH_REDIS_URL, default database 15).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=${LAOMO_BENCH_DIR:-/tmp/laomo-bench}
PROFILE=${BENCH_PROFILE:-quick}
mkdir -p "$OUT"
RESULTS="$OUT/results-$(date +%Y%m%d-%H%M%S).jsonl"

case "$PROFILE" in
  quick)
    ROSTER=(--size 20000 --runs 1); WRITE=(--size 20000); LIST=(--size 100000 --small 10000 --requests 10)
    LEDGER=(--size 20000 --runs 1)
    SCALE=(--size small --requests 3); SCALE_PG=(--size small --requests 3); LOAD=(--duration 4 --repeat 3)
    CACHE=(--requests 5) ;;
  full)
    ROSTER=(--size 100000 --runs 3); WRITE=(--size 100000); LIST=(--size 1000000 --small 10000 --requests 20)
    LEDGER=(--size 100000 --runs 3)
    SCALE=(--size small --requests 3); SCALE_PG=(--size province --requests 3); LOAD=(--duration 15 --repeat 3)
    CACHE=(--requests 15) ;;
  *) echo "BENCH_PROFILE must be quick or full" >&2; exit 2 ;;
esac

# The load bench drives the server with wrk (Debian package).
if ! command -v wrk >/dev/null; then
  echo "== installing wrk (apt-get install -y wrk)"
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } || true
  else sudo apt-get install -y wrk >/dev/null || true; fi
fi

STARTED=$(date +%s)
run() {
  echo "== $* (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  "$PY" "$@" | tee -a "$OUT/last.out"
  tail -n 1 "$OUT/last.out" >> "$RESULTS"
  rm -f "$OUT/last.out"
}

PG=()
if [[ -n "${BENCH_DATABASE_URL:-}" ]]; then PG=(--database-url "$BENCH_DATABASE_URL"); fi

run bench/import_roster.py "${ROSTER[@]}"
run bench/import_write_phase.py "${WRITE[@]}"
run bench/import_ledger.py "${LEDGER[@]}"
run bench/worker_list.py "${LIST[@]}"
run bench/aggregate_cache.py "${CACHE[@]}"
run bench/scale.py "${SCALE[@]}"
if command -v wrk >/dev/null; then
  run bench/load.py "${LOAD[@]}" ${PG[@]+"${PG[@]}"} --redis-url "${BENCH_REDIS_URL:-redis://127.0.0.1:6379/15}"
else
  echo "== skipped bench/load.py: wrk is not installed (apt-get install -y wrk)" >&2
fi
if [[ ${#PG[@]} -gt 0 ]]; then
  run bench/import_roster.py "${ROSTER[@]}" "${PG[@]}"
  run bench/worker_list.py "${LIST[@]}" "${PG[@]}"
  run bench/aggregate_cache.py "${CACHE[@]}" "${PG[@]}"
  run bench/scale.py "${SCALE_PG[@]}" "${PG[@]}"
fi
echo "== $PROFILE profile done in $(( $(date +%s) - STARTED )) s; results (one JSON line per bench): $RESULTS"
cat "$RESULTS"
