"""How long a roster import holds its write transaction (issue 11: no writer waits on a long job).

    .venv/bin/python bench/import_write_phase.py [--size 100000] [--database-url postgres://.../laomo_bench]

Generates the roster of import_roster.py, imports it once on a fresh, migrated database in a child
process and prints one JSON line: the wall and CPU seconds of the whole import and of the time spent
inside the importer's `transaction.atomic` (the only time other writers have to wait for it on
SQLite), with the counts written. Wall time depends on the machine's load; CPU time much less.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import sys
import time
from pathlib import Path

from common import WORK_DIR, Databases, emit_child, log, machine, run_child, setup_django

# BENCH_PROFILE_WRITE=path: a cProfile of the write transaction saved there (pstats), for finding its cost.
PROFILE = os.environ.get("BENCH_PROFILE_WRITE", "")


def child(path: Path) -> dict:
    from django.db import transaction

    from laomo.core.actors import SYSTEM
    from laomo.orgs.models import OrgUnit
    from laomo.workers import importer
    from laomo.workers.models import Honor, Worker

    spans: list[tuple[float, float]] = []

    class Timed:  # the importer's `transaction`, with its atomic blocks timed
        set_rollback = staticmethod(transaction.set_rollback)

        @staticmethod
        @contextlib.contextmanager
        def atomic(*args, **kwargs):
            profiler = cProfile.Profile() if PROFILE else None
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            with transaction.atomic(*args, **kwargs):
                yield
            if profiler:
                profiler.disable()
                profiler.dump_stats(PROFILE)
            spans.append((time.perf_counter() - wall, time.process_time() - cpu))

    importer.transaction = Timed
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()
    wall, cpu = time.perf_counter(), time.process_time()
    result = importer.roster_import(actor=SYSTEM, source=str(path), filename=path.name, org=root, dry_run=False)
    return {"seconds": round(time.perf_counter() - wall, 2), "cpu": round(time.process_time() - cpu, 2),
            "write_transactions": [{"seconds": round(w, 2), "cpu": round(c, 2)} for w, c in spans],
            "summary": result.summary(), "workers": Worker.objects.count(), "honors": Honor.objects.count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database-url", help="a PostgreSQL database of your own (dropped and re-created)")
    args = parser.parse_args()
    from roster_data import generate_rows, write_roster

    dbs = Databases(pg_url=args.database_url)
    path = WORK_DIR / f"roster-{args.size}.xlsx"
    if not path.exists():
        write_roster(path, generate_rows(args.size))
    url = dbs.fresh(f"write-phase-{args.size}")
    try:
        out = run_child(Path(__file__).name, [str(path)], url)
    finally:
        dbs.drop(url)
    log(f"import_write_phase: {args.size} rows on {dbs.kind}, {machine()}")
    print(json.dumps({"bench": "import_write_phase", "size": args.size, "db": dbs.kind, **out}), flush=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        setup_django()
        emit_child(child(Path(sys.argv[sys.argv.index("--child") + 1])))
    else:
        main()
