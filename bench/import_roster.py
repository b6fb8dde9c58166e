"""Roster import at N rows: laomo vs django-import-export (same validations, bulk on) vs the floor.

    .venv/bin/python bench/import_roster.py [--size 100000] [--runs 3] [--peer-size 0]
                                            [--database-url postgres://.../laomo_bench] [--profile]

The roster (.xlsx, one header row, every row valid) is generated once; each run is a child process
on a fresh, migrated database (see common.py), timed from "open the file" to "committed":

- laomo: `roster_import(...)`, the code behind `manage.py import_roster` and the import job;
- django_import_export: a `ModelResource` for Worker doing the same checks in `before_import_row`
  (ID number, sex and birth date against it, phone, region, honor text, award year, status,
  lengths), with `use_bulk=True`, `batch_size=1000`, `skip_diff=True`, an instance loader that
  fetches existing workers in chunks (the documented `CachedInstanceLoader` sends one `IN` with
  every key, which SQLite refuses above 32766 parameters) and the file read by tablib;
- floor: `read_table` + `bulk_create` of workers and one honor per row, no validation at all.

django-import-export runs at N by default. With `--peer-size K` it runs on the first K rows of the same
roster instead and its time is extrapolated linearly to N (laomo is timed on the same slice too, so the
like-for-like figure is printed); the JSON line then says so (`peer_size`, `peer_extrapolated`).
Contenders take turns run by run, each within a time budget (see BUDGET), and medians are reported.
The last output line is the DESIGN.md §9 contract line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from common import WORK_DIR, Databases, contract_line, emit_child, log, machine, median, run_child, setup_django

BENCH = "import_roster"


# --- contenders (run in a child process, Django set up) -----------------------------------------------


def _root_org():
    from laomo.orgs.models import OrgUnit

    return OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()


def _counts() -> dict:
    from laomo.workers.models import Honor, Worker

    return {"workers": Worker.objects.count(), "honors": Honor.objects.count(),
            "incomplete": Worker.objects.filter(is_incomplete=True).count()}


def child_laomo(path: Path) -> dict:
    from laomo.core.actors import SYSTEM
    from laomo.workers.importer import roster_import

    root = _root_org()
    started, cpu = time.perf_counter(), time.process_time()
    result = roster_import(actor=SYSTEM, source=str(path), filename=path.name, org=root, dry_run=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.file_error or result.rejected_rows:
        raise SystemExit(f"laomo rejected rows: {result.file_error} {list(result.errors_by_row.items())[:3]}")
    return {"seconds": seconds, "cpu": cpu, "summary": result.summary(), **_counts()}


def child_floor(path: Path) -> dict:
    """Read the file, insert the rows as they are: no parsing, no checks, no pinyin, no blind index."""
    from django.db import transaction

    from laomo.core.excel import read_table
    from laomo.workers.models import Honor, Worker

    root = _root_org()
    started, cpu = time.perf_counter(), time.process_time()
    rows = read_table(str(path))
    col = {name: i for i, name in enumerate(rows[0])}
    n, idn, ph, emp, job, hon, addr = (col[k] for k in ("姓名", "身份证号", "联系电话", "工作单位", "职务", "荣誉称号",
                                                        "通讯地址"))
    with transaction.atomic():
        workers = [Worker(worker_no=f"F{i:07d}", name=r[n], name_pinyin=r[n], name_initials=r[n], org_id=root.pk,
                          id_number=r[idn] or "", phone=r[ph] or "", address=r[addr] or "", employer=r[emp] or "",
                          job_title=r[job] or "")
                   for i, r in enumerate(rows[1:], start=1)]
        created = []
        for start in range(0, len(workers), 2000):
            created.extend(Worker.objects.bulk_create(workers[start:start + 2000]))
        honors = [Honor(worker_id=w.pk, level="municipal", kind="model_worker", title=(r[hon] or "")[:100])
                  for w, r in zip(created, rows[1:], strict=True)]
        Honor.objects.bulk_create(honors, batch_size=2000)
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, **_counts()}


def child_django_import_export(path: Path) -> dict:
    import tablib
    from peer_import_export import import_roster_with_import_export

    root = _root_org()
    started, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as fh:
        dataset = tablib.Dataset().load(fh, format="xlsx")
    result = import_roster_with_import_export(dataset, org=root)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.has_errors() or result.has_validation_errors():
        invalid = [(r.number, r.error.message_dict if hasattr(r.error, "message_dict") else str(r.error))
                   for r in result.invalid_rows[:3]]
        errors = [(n, [str(e.error) for e in errs]) for n, errs in result.row_errors()[:3]]
        base = [str(e.error) for e in result.base_errors[:3]]
        raise SystemExit(f"django-import-export failed: {invalid} {errors} {base}")
    return {"seconds": seconds, "cpu": cpu, "totals": dict(result.totals), **_counts()}


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("contender")
    parser.add_argument("path", type=Path)
    parser.add_argument("--profile")
    args = parser.parse_args(argv)
    setup_django()
    contender = {"laomo": child_laomo, "floor": child_floor, "django_import_export": child_django_import_export}
    run = contender[args.contender]
    if args.profile:  # the profiler's overhead inflates the time: a profiled run is not a measurement
        import cProfile

        profiler = cProfile.Profile()
        out = profiler.runcall(run, args.path)
        profiler.dump_stats(args.profile)
    else:
        out = run(args.path)
    emit_child(out)


# --- the parent ------------------------------------------------------------------------------------------

# Per-contender time budgets: a contender runs `--runs` times, or fewer once its budget is spent (at
# least once); the number of runs is reported.
BUDGET = {"laomo": 240.0, "floor": 150.0, "django_import_export": 330.0}


def run_once(dbs: Databases, contender: str, path: Path, label: str, profile: str | None = None) -> dict:
    url = dbs.fresh(f"import-{label}-{contender}")
    try:
        return run_child(Path(__file__).name, [contender, str(path)] + (["--profile", profile] if profile else []),
                         url)
    finally:
        dbs.drop(url)


def measure(dbs: Databases, plan: list[tuple[str, Path, str]], runs: int) -> dict:
    """Round-robin over the contenders (so a slow spell of the machine hits all of them), medians."""
    times: dict[tuple, list[float]] = {(c, label): [] for c, _, label in plan}
    cpus: dict[tuple, list[float]] = {(c, label): [] for c, _, label in plan}
    facts: dict[tuple, dict] = {}
    for i in range(runs):
        for contender, path, label in plan:
            done = times[(contender, label)]
            if done and sum(done) + median(done) > BUDGET[contender]:  # the next run would overrun
                continue
            out = run_once(dbs, contender, path, label)
            done.append(out["seconds"])
            cpus[(contender, label)].append(out["cpu"])
            facts[(contender, label)] = out
            log(f"  {contender:<22} {label:>7} rows, run {i + 1}: {out['seconds']:8.2f} s  (CPU {out['cpu']:.2f} s; "
                f"workers {out['workers']}, honors {out['honors']})")
    return {key: {"median": median(values), "cpu": median(cpus[key]), "runs": len(values),
                  "all": [round(v, 2) for v in values], "workers": facts[key]["workers"],
                  "honors": facts[key]["honors"]}
            for key, values in times.items()}


def show_profile(path: str, limit: int = 25) -> None:
    import io
    import pstats

    out = io.StringIO()
    pstats.Stats(path, stream=out).sort_stats("cumulative").print_stats(limit)
    log(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per contender (median reported)")
    parser.add_argument("--peer-size", type=int, default=0,
                        help="time django-import-export on the first N rows only and extrapolate (0: full size)")
    parser.add_argument("--database-url", help="a PostgreSQL database of your own (dropped and re-created per run)")
    parser.add_argument("--profile", action="store_true",
                        help="after the timed runs, one cProfile'd run of laomo and of the peer (not timed)")
    args = parser.parse_args()

    from roster_data import generate_rows, write_roster

    dbs = Databases(pg_url=args.database_url)
    size = args.size
    peer_size = args.peer_size if 0 < args.peer_size < size else size
    log(f"{BENCH}: {size} rows on {dbs.kind}, {machine()}")
    started = time.perf_counter()
    load_before = os.getloadavg()
    rows = generate_rows(size)
    path = WORK_DIR / f"roster-{size}.xlsx"
    write_roster(path, rows)
    slice_path = path
    if peer_size < size:
        slice_path = WORK_DIR / f"roster-{peer_size}.xlsx"
        write_roster(slice_path, rows[:peer_size])
    del rows
    log(f"  generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")

    plan = [("laomo", path, str(size)), ("floor", path, str(size)),
            ("django_import_export", slice_path, str(peer_size))]
    if peer_size < size:
        plan.append(("laomo", slice_path, str(peer_size)))
    res = measure(dbs, plan, args.runs)
    laomo, floor = res[("laomo", str(size))], res[("floor", str(size))]
    peer = res[("django_import_export", str(peer_size))]
    extra: dict = {"db": dbs.kind, "runs": {c: res[(c, label)]["runs"] for c, _, label in plan[:3]},
                   "machine": machine()}
    peer_seconds, peer_cpu = peer["median"], peer["cpu"]
    same_work = laomo
    if peer_size < size:
        same_work = res[("laomo", str(peer_size))]
        peer_seconds, peer_cpu = peer["median"] * size / peer_size, peer["cpu"] * size / peer_size
        extra.update({"peer_size": peer_size, "peer_extrapolated": True,
                      "at_peer_size": {"laomo": round(same_work["median"], 3),
                                       "django_import_export": round(peer["median"], 3)}})
    if (same_work["workers"], same_work["honors"]) != (peer["workers"], peer["honors"]):
        log(f"  WARNING: laomo and django-import-export wrote different rows: {same_work} vs {peer}")
    extra["rows_written"] = {"laomo": [laomo["workers"], laomo["honors"]],
                             "django_import_export": [peer["workers"], peer["honors"]],
                             "floor": [floor["workers"], floor["honors"]]}
    extra["all_runs"] = {f"{c}@{label}": res[(c, label)]["all"] for c, _, label in plan}
    # CPU seconds of the importing process (SQLite runs in it): steadier than wall time on a busy machine.
    extra["cpu_seconds"] = {"laomo": round(laomo["cpu"], 2), "django_import_export": round(peer_cpu, 2),
                            "floor": round(floor["cpu"], 2)}
    extra["cpu_ratios"] = {"vs_django_import_export": round(peer_cpu / laomo["cpu"], 3),
                           "vs_floor": round(floor["cpu"] / laomo["cpu"], 3)}
    extra["load_average"] = [round(x, 2) for x in (*load_before[:1], os.getloadavg()[0])]
    if args.profile:
        for contender, target in (("laomo", path), ("django_import_export", slice_path)):
            prof = str(WORK_DIR / f"{contender}-import-{size}.prof")
            run_once(dbs, contender, target, "profile", profile=prof)
            log(f"== profile of {contender} (cProfile inflates pure-Python time; shares matter, not totals)")
            show_profile(prof)
            extra.setdefault("profiles", []).append(prof)
    extra["total_seconds"] = round(time.perf_counter() - started, 1)
    seconds = {"laomo": laomo["median"], "django_import_export": peer_seconds, "floor": floor["median"]}
    ratios = {"vs_django_import_export": peer_seconds / laomo["median"], "vs_floor": floor["median"] / laomo["median"]}
    print(contract_line(BENCH, size, seconds, ratios, **extra), flush=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_main(sys.argv[1:])
    else:
        main()
