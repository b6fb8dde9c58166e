"""The service-records ledger import at N rows (issue 13): laomo vs the floor, measured in the same run.

    .venv/bin/python bench/import_ledger.py [--size 100000] [--runs 3] [--database-url postgres://.../laomo_bench]

A ledger of N service records (.xlsx, one header row, every row valid; each row a team, a date, a place, what
was done, the people served and a cell of three volunteers with their hours, as county unions keep it) is
generated once. Each run is a child process on a fresh, migrated database where the people and teams the
ledger names are set up first (not timed: 300 workers, 100 teams of 5 members, through the services), timed
from "open the file" to "committed":

- laomo: `run_import(kind="service_records", ...)`, the code behind `manage.py import_service_records` and the
  import page (every cell parsed and checked, people matched, natural key looked up, one transaction, audit);
- floor: `read_table` + the same inserts (`bulk_create` of the records, plain INSERTs of the volunteers' hours)
  with the team and the people looked up in dictionaries, no parsing, no checks at all.

The last output line is the DESIGN.md §9 contract line (`ratios.vs_floor` = floor / laomo: 1.0 would be no
cost above reading and inserting).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from common import WORK_DIR, Databases, contract_line, emit_child, log, machine, median, run_child, setup_django

BENCH = "import_ledger"
TEAMS, MEMBERS, WORKERS = 100, 5, 300
HEADER = ["服务日期", "服务队", "服务地点", "场所类型", "服务内容", "服务人次", "志愿者", "服务时长(小时)"]
COUNTIES = ["331102", "331121", "331122", "331123", "331124", "331125", "331126", "331127", "331181"]
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "建国秀英志强丽华海燕明军红梅伟平芳华文斌玉兰春生桂英德胜"


def _people() -> list[tuple[str, str]]:
    """(name, county code) of the WORKERS people, unique names (the ledger names them by name alone)."""
    rng = random.Random(7)
    names: set[str] = set()
    out = []
    while len(out) < WORKERS:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        if name not in names:
            names.add(name)
            out.append((name, COUNTIES[len(out) % len(COUNTIES)]))
    return out


def _teams() -> list[tuple[str, str, list[str]]]:
    """(team name, county code, its members' names)."""
    people = _people()
    teams = []
    for t in range(TEAMS):
        code = COUNTIES[t % len(COUNTIES)]
        local = [name for name, c in people if c == code]
        members = [local[(t // len(COUNTIES) * MEMBERS + i) % len(local)] for i in range(MEMBERS)]
        teams.append((f"劳模志愿服务{t + 1}队", code, members))
    return teams


def write_ledger(path: Path, size: int) -> None:
    from laomo.core.excel import write_xlsx

    rng = random.Random(11)
    teams = _teams()
    start = date(2019, 1, 1)

    def rows():
        for i in range(size):
            name, _, members = teams[i % TEAMS]
            day = start + timedelta(days=rng.randrange(0, 5 * 365))
            volunteers = "、".join(rng.sample(members, 3))
            yield [day.isoformat(), name, f"第{i % 997 + 1}村文化礼堂", "农村", f"义诊、送医送药 第{i + 1}次",
                   rng.randrange(10, 300), volunteers, "2.5"]

    write_xlsx(path, HEADER, rows())


# --- the child --------------------------------------------------------------------------------------------


def _setup() -> None:
    """The workers and teams the ledger names, through the services (not timed)."""
    from laomo.core.actors import SYSTEM
    from laomo.orgs.models import OrgUnit
    from laomo.volunteering.services import member_add, team_create
    from laomo.workers.services import worker_create

    units = {u.code: u for u in OrgUnit.objects.filter(code__in=COUNTIES)}
    workers = {name: worker_create(actor=SYSTEM, org=units[code], name=name) for name, code in _people()}
    for name, code, members in _teams():
        team = team_create(actor=SYSTEM, org=units[code], name=name, team_type="medical", founded_on=date(2018, 1, 1))
        for member in members:
            member_add(actor=SYSTEM, team=team, worker=workers[member], joined_on=date(2018, 1, 1))


def _counts() -> dict:
    from laomo.volunteering.models import ServiceHours, ServiceRecord

    return {"records": ServiceRecord.objects.count(), "hours": ServiceHours.objects.count()}


def child_laomo(path: Path) -> dict:
    from laomo.core.actors import SYSTEM
    from laomo.core.importing import run_import
    from laomo.orgs.models import OrgUnit

    root = OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()
    started, cpu = time.perf_counter(), time.process_time()
    result = run_import(kind="service_records", actor=SYSTEM, org=root, source=str(path), filename=path.name,
                        dry_run=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.file_error or result.rejected_rows:
        raise SystemExit(f"laomo rejected rows: {result.file_error} {list(result.errors_by_row.items())[:3]}")
    return {"seconds": seconds, "cpu": cpu, "summary": result.summary(), "phases": result.phases, **_counts()}


def child_floor(path: Path) -> dict:
    """Read the file, insert the rows as they are (the records with bulk_create, the 300k volunteers' hours as
    plain executemany INSERTs, as laomo writes them): dictionaries for the team and people, nothing checked."""
    from django.db import connection, transaction

    from laomo.core.excel import read_table
    from laomo.volunteering.models import ServiceHours, ServiceRecord, ServiceTeam, TeamMember

    teams = {t.name: t for t in ServiceTeam.objects.all()}
    members = {(m.team_id, m.worker.name): m for m in TeamMember.objects.select_related("worker")}
    table = connection.ops.quote_name(ServiceHours._meta.db_table)
    sql = f"INSERT INTO {table} (record_id, worker_id, member_id, name, hours) VALUES (%s, %s, %s, %s, %s)"
    started, cpu = time.perf_counter(), time.process_time()
    rows = read_table(str(path))
    with transaction.atomic():
        records = ServiceRecord.objects.bulk_create([
            ServiceRecord(org_id=teams[r[1]].org_id, team=teams[r[1]], team_type="medical", date=r[0],
                          place_kind="village", place=r[2], content=r[4], person_times=int(r[5]))
            for r in rows[1:]], batch_size=2000)
        hours = [(record.pk, m.worker_id, m.pk, name, r[7])
                 for record, r in zip(records, rows[1:], strict=True) for name in r[6].split("、")
                 for m in [members[(record.team_id, name)]]]
        with connection.cursor() as cursor:
            for start in range(0, len(hours), 5000):
                cursor.executemany(sql, hours[start:start + 5000])
    return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, **_counts()}


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("contender")
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    setup_django()
    _setup()
    emit_child({"laomo": child_laomo, "floor": child_floor}[args.contender](args.path))


# --- the parent -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per contender (median reported)")
    parser.add_argument("--database-url", help="a PostgreSQL database of your own (dropped and re-created per run)")
    args = parser.parse_args()
    dbs = Databases(pg_url=args.database_url)
    log(f"{BENCH}: {args.size} service records on {dbs.kind}, {machine()}")
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    path = WORK_DIR / f"service-records-{args.size}.xlsx"
    write_ledger(path, args.size)
    log(f"  generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    times: dict[str, list[float]] = {"laomo": [], "floor": []}
    cpus: dict[str, list[float]] = {"laomo": [], "floor": []}
    facts: dict[str, dict] = {}
    for i in range(args.runs):
        for contender in times:  # round-robin: a slow spell of the machine hits both
            url = dbs.fresh(f"ledger-{contender}")
            try:
                out = run_child(Path(__file__).name, [contender, str(path)], url)
            finally:
                dbs.drop(url)
            times[contender].append(out["seconds"])
            cpus[contender].append(out["cpu"])
            facts[contender] = out
            log(f"  {contender:<6} run {i + 1}: {out['seconds']:8.2f} s (CPU {out['cpu']:.2f} s; "
                f"records {out['records']}, volunteers' hours {out['hours']})")
    if (facts["laomo"]["records"], facts["laomo"]["hours"]) != (facts["floor"]["records"], facts["floor"]["hours"]):
        log(f"  WARNING: laomo and the floor wrote different rows: {facts['laomo']} vs {facts['floor']}")
    seconds = {c: median(v) for c, v in times.items()}
    print(contract_line(
        BENCH, args.size, seconds, {"vs_floor": seconds["floor"] / seconds["laomo"]}, db=dbs.kind, machine=machine(),
        rows_written={c: [facts[c]["records"], facts[c]["hours"]] for c in facts},
        cpu_seconds={c: round(median(v), 2) for c, v in cpus.items()},
        cpu_ratios={"vs_floor": round(median(cpus["floor"]) / median(cpus["laomo"]), 3)},
        phases=facts["laomo"].get("phases"), all_runs={c: [round(x, 2) for x in v] for c, v in times.items()},
        load_average=[round(load_before, 2), round(os.getloadavg()[0], 2)],
        total_seconds=round(time.perf_counter() - started, 1)), flush=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_main(sys.argv[1:])
    else:
        main()
