"""How long a roster import holds its write transaction (issue 11: no writer waits on a long job).

    .venv/bin/python bench/import_write_phase.py [--size 100000] [--database-url postgres://.../laomo_bench]
                                                 [--no-writer]

Generates the roster of import_roster.py, imports it once on a fresh, migrated database in a child
process and prints one JSON line: the wall and CPU seconds of the whole import and of the time spent
inside the importer's `transaction.atomic` (the only time other writers have to wait for it on
SQLite), with the counts written. Wall time depends on the machine's load; CPU time much less.

Meanwhile another process registers a worker through `worker_create` every 50 ms, as a clerk at the
registry would (`writer` in the JSON line: how many it wrote, the median and the longest time one took).
That write needs what the import's takes: a worker number (the counter row the import locks until it
commits, on PostgreSQL too) and the audit chain's head. Its longest time is what the issue's "no other
writer blocked longer than the write phase" measures; `--no-writer` leaves it out.

`--reimport-changed 0.1` then imports the roster a second time with the employer of one person in ten
changed, as next year's ledger would be: the `reimport_*` keys give that import's figures (updates are saved
and audited one by one, inside the write transaction).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import PYTHON, WORK_DIR, Databases, bench_env, emit_child, log, machine, run_child, setup_django

# BENCH_PROFILE_WRITE=path: a cProfile of the write transaction saved there (pstats), for finding its cost.
PROFILE = os.environ.get("BENCH_PROFILE_WRITE", "")


def child(*paths: Path) -> dict:
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
    out = {}
    for label, source in zip(("", "reimport_"), paths, strict=False):
        spans.clear()
        wall, cpu, started = time.perf_counter(), time.process_time(), time.time()
        result = importer.roster_import(actor=SYSTEM, source=str(source), filename=source.name, org=root,
                                        dry_run=False)
        out.update({f"{label}seconds": round(time.perf_counter() - wall, 2),
                    f"{label}cpu": round(time.process_time() - cpu, 2),
                    f"{label}window": [started, time.time()],
                    f"{label}write_transactions": [{"seconds": round(w, 2), "cpu": round(c, 2)} for w, c in spans],
                    f"{label}summary": result.summary()})
    return {**out, "workers": Worker.objects.count(), "honors": Honor.objects.count()}


def writer_child(stop: Path) -> dict:
    """Register a worker every 50 ms until `stop` exists; the time each registration took."""
    from laomo.core.actors import SYSTEM
    from laomo.orgs.models import OrgUnit
    from laomo.workers.services import worker_create

    unit = OrgUnit.objects.filter(parent__isnull=False).order_by("id").first()
    took: list[tuple[float, float]] = []  # (when it started, time.time(); how long it took)
    while not stop.exists():
        started, clock = time.perf_counter(), time.time()
        worker_create(actor=SYSTEM, org=unit, name=f"并发登记{len(took)}")
        took.append((clock, time.perf_counter() - started))
        time.sleep(0.05)
    return {"took": took}


def _waits(took: list, window: list | None = None) -> dict:
    """How many registrations, their median and longest time (those that started within `window`)."""
    times = sorted(t for start, t in took if window is None or window[0] <= start <= window[1])
    return {"writes": len(times), "median_seconds": round(times[len(times) // 2], 3) if times else None,
            "max_seconds": round(times[-1], 2) if times else None}


def _changed(rows: list[list[str]], share: float) -> list[list[str]]:
    """The same roster with the employer (工作单位) of every 1/share-th person changed, as next year's ledger."""
    step = max(1, round(1 / share))
    return [[*row[:7], f"{row[7]}(调入新单位)", *row[8:]] if i % step == 0 else row for i, row in enumerate(rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database-url", help="a PostgreSQL database of your own (dropped and re-created)")
    parser.add_argument("--no-writer", action="store_true", help="no concurrent registrations during the import")
    parser.add_argument("--reimport-changed", type=float, default=0.0, metavar="SHARE",
                        help="then import the roster again with this share of its people's employer changed")
    args = parser.parse_args()
    from roster_data import generate_rows, write_roster

    dbs = Databases(pg_url=args.database_url)
    path = WORK_DIR / f"roster-{args.size}.xlsx"
    if not path.exists():
        write_roster(path, generate_rows(args.size))
    paths = [path]
    if args.reimport_changed:
        paths.append(WORK_DIR / f"roster-{args.size}-changed-{args.reimport_changed:g}.xlsx")
        if not paths[1].exists():
            write_roster(paths[1], _changed(generate_rows(args.size), args.reimport_changed))
    url = dbs.fresh(f"write-phase-{args.size}")
    stop = WORK_DIR / "write-phase.stop"
    stop.unlink(missing_ok=True)
    writer = None if args.no_writer else subprocess.Popen(
        [PYTHON, str(Path(__file__).resolve()), "--writer-child", str(stop)], env=bench_env(url),
        stdout=subprocess.PIPE, text=True)
    try:
        out = run_child(Path(__file__).name, [str(p) for p in paths], url)
    finally:
        stop.touch()
        if writer is not None:
            lines = [line for line in writer.communicate(timeout=120)[0].splitlines() if line.strip()]
            took = json.loads(lines[-1])["took"] if writer.returncode == 0 and lines else None
        dbs.drop(url)
    if writer is not None:
        out["writer"] = _waits(took or [], out["window"]) if took is not None else {"failed": writer.returncode}
        if args.reimport_changed and took is not None:
            out["reimport_writer"] = _waits(took, out["reimport_window"])
    log(f"import_write_phase: {args.size} rows on {dbs.kind}, {machine()}")
    print(json.dumps({"bench": "import_write_phase", "size": args.size, "db": dbs.kind, **out}), flush=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        setup_django()
        emit_child(child(*map(Path, sys.argv[sys.argv.index("--child") + 1:])))
    elif "--writer-child" in sys.argv:
        setup_django()
        emit_child(writer_child(Path(sys.argv[sys.argv.index("--writer-child") + 1])))
    else:
        main()
