"""The workers list page at 1M workers (and at 10k, for flatness) vs the Django admin changelist vs a floor.

    .venv/bin/python bench/worker_list.py [--size 1000000] [--small 10000] [--requests 20]
                                          [--database-url postgres://.../laomo_bench] [--keep]

For each size, a child process (settings `bench/settings_bench.py`: laomo's settings plus the admin)
fills a fresh database with N workers and their honors (raw multi-row inserts of precomputed values:
names with their pinyin, masked and blind-indexed ID numbers, fixed pre-encrypted ciphertexts), logs a
city_staff user in with Django's test Client (in-process: no server, no network) and times GETs of

- laomo: `/workers/` (first page) and `/workers/?level=provincial&org=<莲都区>` (filtered);
- django_admin: the changelist of Worker in a plain ModelAdmin (`bench/admin_urls.py`: the same
  columns, honors prefetched, `list_filter` on org and highest level, 50 per page), unfiltered and
  with the equivalent filter;
- floor: a hello-world view returning HttpResponse("ok") through the same middleware stack.

Each URL is requested 3 times to warm up, then `--requests` times round-robin with the others; the
median of each is reported (seconds per request), with the median CPU time of the process beside it
(steadier on a busy machine; with SQLite it includes the database's work). The last output line is the
DESIGN.md §9 line, with ratios vs_django_admin (admin / laomo at N), flat_10k_vs_1m (laomo at 10k /
laomo at N; 1 is flat) and vs_floor (floor / laomo).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from common import Databases, contract_line, emit_child, log, machine, median, run_child, setup_django

BENCH = "worker_list"
SETTINGS = "settings_bench"
PASSWORD = "Bench-pass-2022!"
COUNTY = "331102"  # 莲都区, the unit of the filtered page

# highest level rank: 4 national, 3 provincial, 2 municipal, 1 county
RANKS = (4,) * 1 + (3,) * 10 + (2,) * 40 + (1,) * 49
HONORS = {4: ("national", "全国劳动模范"), 3: ("provincial", "浙江省劳动模范"), 2: ("municipal", "丽水市劳动模范"),
          1: ("county", "莲都区劳动模范")}
KIND = "model_worker"


# --- building the database (child) ---------------------------------------------------------------------


def _pinyin_table(chars: str) -> dict[str, str]:
    from pypinyin import Style, lazy_pinyin

    return {ch: lazy_pinyin(ch, style=Style.NORMAL)[0] for ch in set(chars)}


def build(size: int, seed: int = 7) -> dict:
    """Insert `size` workers (about 1.05 honors each) with raw multi-row INSERTs; returns facts."""
    from django.db import connection, transaction
    from roster_data import EMPLOYER_WORDS, GIVEN, JOBS, SURNAMES

    from laomo.core.pii import encrypt
    from laomo.orgs.models import OrgUnit
    from laomo.workers.services import allocate_worker_numbers

    started = time.perf_counter()
    rng = random.Random(seed)
    pinyin = _pinyin_table(SURNAMES + GIVEN)
    units = list(OrgUnit.objects.filter(parent__isnull=False).order_by("id").values_list("pk", flat=True))
    ops = connection.ops
    now = ops.adapt_datetimefield_value(datetime(2022, 5, 1, 8, 0, tzinfo=UTC))
    ciphers = [encrypt(f"33110219{rng.randrange(50, 96)}0{rng.randrange(1, 10)}1{rng.randrange(10)}"
                       f"{rng.randrange(1000):03d}X") for _ in range(256)]
    phones = [encrypt(f"138{rng.randrange(10**8):08d}") for _ in range(256)]
    addresses = [encrypt(f"丽水市{w}路{n}号") for w in EMPLOYER_WORDS for n in range(1, 26)]
    first_day = date(1950, 1, 1)
    numbers = allocate_worker_numbers(size)
    worker_cols = ("created_at", "updated_at", "is_deleted", "worker_no", "name", "name_pinyin", "name_initials",
                   "sex", "ethnicity", "birth_date", "id_number", "id_number_index", "id_number_masked", "phone",
                   "phone_index", "phone_masked", "address", "employer", "job_title", "industry", "political_status",
                   "education", "employment_status", "specialties", "showcase_consent", "note", "highest_level_rank",
                   "benefit_category", "photo", "org_id")
    honor_cols = ("created_at", "updated_at", "is_deleted", "level", "kind", "title", "year", "awarding_body",
                  "document_no", "certificate_no", "worker_id")
    chunk = 20_000
    first_id = None
    honors_total = 0
    with transaction.atomic(), _without_indexes(connection, ("workers_worker", "workers_honor")):
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM workers_worker")
            first_id = cursor.fetchone()[0] + 1
            for start in range(0, size, chunk):
                workers, honors = [], []
                for i in range(start, min(size, start + chunk)):
                    chars = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
                    syllables = [pinyin[c] for c in chars]
                    rank = rng.choice(RANKS)
                    birth = first_day + timedelta(days=rng.randrange(16_000))
                    incomplete = rng.random() < 0.03
                    number = f"3311{i:014d}"
                    workers.append((
                        now, now, rng.random() < 0.005, numbers[i], chars, "".join(syllables),
                        "".join(s[0] for s in syllables), rng.choice("MF"), "汉族", ops.adapt_datefield_value(birth),
                        "" if incomplete else ciphers[i % 256],
                        None if incomplete else hashlib.sha256(number.encode()).hexdigest(),
                        "" if incomplete else f"3311**********{number[-4:]}", phones[i % 256],
                        hashlib.sha256(f"p{i}".encode()).hexdigest(), f"138****{i % 10000:04d}",
                        addresses[i % len(addresses)], f"丽水市{rng.choice(EMPLOYER_WORDS)}科技有限公司",
                        rng.choice(JOBS), "", "中共党员", "大学本科", rng.choice(("active", "active", "retired")),
                        "", False, "", rank, "", "", rng.choice(units),
                    ))
                    worker_id = first_id + i
                    level, title = HONORS[rank]
                    year = rng.randrange(max(birth.year + 20, 1980), 2023)
                    honors.append((now, now, False, level, KIND, title, year, "", "", "", worker_id))
                    if rank > 1 and rng.random() < 0.1:
                        low_level, low_title = HONORS[rank - 1]
                        honors.append((now, now, False, low_level, KIND, low_title, year - 3, "", "", "",
                                       worker_id))
                _insert(cursor, "workers_worker", ("id", *worker_cols),
                        [(first_id + start + k, *row) for k, row in enumerate(workers)])
                _insert(cursor, "workers_honor", honor_cols, honors)
                honors_total += len(honors)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('workers_worker', 'id'), "
                           "(SELECT MAX(id) FROM workers_worker))")
            cursor.execute("ANALYZE")
    return {"workers": size, "honors": honors_total, "build_seconds": round(time.perf_counter() - started, 1)}


@contextmanager
def _without_indexes(connection, tables):
    """Drop the secondary indexes while loading and build them once at the end (much faster)."""
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(tables))
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size=-1000000")
            cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                           f"AND tbl_name IN ({marks})", list(tables))
        else:  # PostgreSQL: indexes that back no constraint
            cursor.execute(f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ({marks}) "
                           f"AND indexname NOT IN (SELECT conname FROM pg_constraint)", list(tables))
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # run the deferred FK checks now: CREATE INDEX refuses to wait
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _, sql in indexes:
            cursor.execute(sql)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size=-64000")


def _insert(cursor, table: str, cols: tuple, rows: list[tuple]) -> None:
    """Multi-row INSERTs (as many rows per statement as the backend's parameter limit allows)."""
    from django.db import connection

    per = max(1, (connection.features.max_query_params or 65535) // len(cols))
    if connection.vendor == "sqlite":
        per = min(per, 32766 // len(cols))  # SQLite >= 3.32 accepts 32766 parameters
    head = f'INSERT INTO {table} ({", ".join(cols)}) VALUES '
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    for start in range(0, len(rows), per):
        batch = rows[start:start + per]
        cursor.execute(head + ", ".join([one] * len(batch)), [v for row in batch for v in row])


# --- measuring (child) ---------------------------------------------------------------------------------


def make_user():
    from django.contrib.auth.models import Permission

    from laomo.core.actors import SYSTEM
    from laomo.orgs.models import OrgUnit
    from laomo.orgs.services import user_create

    root = OrgUnit.objects.get(code="331100")
    user, _ = user_create(actor=SYSTEM, username="bench_city", org=root, roles=["city_staff"], password=PASSWORD,
                          must_change_password=False, full_name="压测市级管理员")
    user.is_staff = True  # the admin needs it; laomo ignores it
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(Permission.objects.get(codename="view_worker", content_type__app_label="workers"))
    return user


def urls() -> dict[str, str]:
    from laomo.orgs.models import OrgUnit

    county = OrgUnit.objects.get(code=COUNTY).pk
    return {
        "laomo": "/workers/",
        "laomo_filtered": f"/workers/?level=provincial&org={county}",
        "django_admin": "/bench-admin/workers/worker/",
        "django_admin_filtered": f"/bench-admin/workers/worker/?highest_level_rank=3&org__id__exact={county}",
        "floor": "/bench-hello/",
    }


def check(name: str, response, rows: int) -> None:
    """The page is a full page of workers (a list showing nothing would be fast for the wrong reason)."""
    body = response.content.decode()
    if response.status_code != 200:
        raise SystemExit(f"{name}: HTTP {response.status_code} {body[:300]}")
    shown = {"laomo": lambda: len(re.findall(r'<a href="/workers/\d+/">', body)),
             "django_admin": lambda: body.count('<th class="field-worker_no">')}
    for prefix, count in shown.items():
        if name.startswith(prefix) and count() < rows:
            raise SystemExit(f"{name}: {count()} rows shown, expected {rows}")


def _expected_rows() -> dict[str, int]:
    from laomo.workers.models import Worker

    live = Worker.objects.filter(is_deleted=False)
    filtered = live.filter(org__code=COUNTY, highest_level_rank=3).count()
    return {"laomo": live.count(), "django_admin": live.count(), "laomo_filtered": filtered,
            "django_admin_filtered": filtered, "floor": 0}


def measure(user, requests: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    targets = urls()
    expected = _expected_rows()
    queries = {}
    for name, url in targets.items():
        for _ in range(3):
            check(name, client.get(url), rows=min(50, expected[name]))
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries[name] = len(ctx.captured_queries)
    times: dict[str, list[float]] = {name: [] for name in targets}
    cpus: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(requests):
        for name, url in targets.items():
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times[name].append(time.perf_counter() - started)
            cpus[name].append(time.process_time() - cpu)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
    return {"seconds": {name: median(values) for name, values in times.items()},
            "cpu": {name: median(values) for name, values in cpus.items()},
            "min": {name: min(values) for name, values in times.items()}, "queries": queries}


def explain(user) -> dict:
    """The plans of laomo's list queries (where the time goes, if it goes anywhere)."""
    from django.db import connection

    from laomo.orgs.models import OrgUnit
    from laomo.workers import selectors

    county = OrgUnit.objects.get(code=COUNTY)
    out = {}
    for name, filters in (("laomo", selectors.WorkerFilters()),
                          ("laomo_filtered", selectors.WorkerFilters(level="provincial", org=county))):
        sql, params = selectors.worker_list(user=user, filters=filters)[:51].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql, params)
            out[name] = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
    return out


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("size", type=int)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)
    setup_django(SETTINGS)
    facts = build(args.size)
    user = make_user()
    result = measure(user, args.requests)
    result.update(facts)
    result["plan"] = explain(user)
    emit_child(result)


# --- the parent ------------------------------------------------------------------------------------------


def run_size(dbs: Databases, size: int, requests: int, keep: bool = False) -> dict:
    url = dbs.fresh(f"list-{size}")
    out = run_child(Path(__file__).name, [str(size), "--requests", str(requests)], url, settings=SETTINGS)
    if keep:
        log(f"  kept {url}")
    else:
        dbs.drop(url)
    log(f"  {size:>8} workers ({out['honors']} honors) built in {out['build_seconds']} s; "
        f"queries per page {out['queries']}")
    for name, seconds in out["seconds"].items():
        log(f"    {name:<24} {seconds * 1000:8.1f} ms  (min {out['min'][name] * 1000:.1f} ms, "
            f"CPU {out['cpu'][name] * 1000:.1f} ms)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000, help="the size compared with --size (0: skip)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per URL (median reported)")
    parser.add_argument("--database-url", help="a PostgreSQL database of your own (dropped and re-created)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite databases (to explore plans)")
    args = parser.parse_args()
    dbs = Databases(pg_url=args.database_url, settings=SETTINGS)
    log(f"{BENCH}: {dbs.kind}, {machine()}")
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    dbs.collectstatic()
    small = run_size(dbs, args.small, args.requests, args.keep) if 0 < args.small < args.size else None
    big = run_size(dbs, args.size, args.requests, args.keep)
    s = big["seconds"]
    seconds = {"laomo": s["laomo"], "django_admin": s["django_admin"], "floor": s["floor"],
               "laomo_filtered": s["laomo_filtered"], "django_admin_filtered": s["django_admin_filtered"]}
    ratios = {"vs_django_admin": s["django_admin"] / s["laomo"],
              "vs_django_admin_filtered": s["django_admin_filtered"] / s["laomo_filtered"],
              "vs_floor": s["floor"] / s["laomo"]}
    extra: dict = {"db": dbs.kind, "requests": args.requests, "machine": machine(),
                   "queries_per_page": big["queries"], "plan": big["plan"], "build_seconds": big["build_seconds"],
                   "honors": big["honors"]}
    if small is not None:
        ratios["flat_10k_vs_1m"] = small["seconds"]["laomo"] / s["laomo"]
        ratios["flat_10k_vs_1m_filtered"] = small["seconds"]["laomo_filtered"] / s["laomo_filtered"]
        extra["small_size"] = args.small
        extra["at_small_size"] = {k: round(v, 6) for k, v in small["seconds"].items()}
    c = big["cpu"]  # CPU time of the process serving the request (SQLite runs in it): steadier when busy
    extra["cpu_seconds"] = {k: round(v, 6) for k, v in c.items()}
    extra["cpu_ratios"] = {"vs_django_admin": round(c["django_admin"] / c["laomo"], 3),
                           "vs_floor": round(c["floor"] / c["laomo"], 3)}
    if small is not None:
        extra["cpu_at_small_size"] = {k: round(v, 6) for k, v in small["cpu"].items()}
        extra["cpu_ratios"]["flat_10k_vs_1m"] = round(small["cpu"]["laomo"] / c["laomo"], 3)
    extra["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    extra["total_seconds"] = round(time.perf_counter() - started, 1)
    print(contract_line(BENCH, args.size, seconds, ratios, **extra), flush=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_main(sys.argv[1:])
    else:
        main()
