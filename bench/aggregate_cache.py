"""The dashboard, the reports workspace and the summary with their figures cached vs computed (issue 16).

    .venv/bin/python bench/aggregate_cache.py [--requests 15] [--database-url postgres://.../laomo_bench]

A child process opens a copy of the demo database (`make run`'s demo, generated through the services by
`prepare_start` once per version of the code and shared with the other benches: about 3,000 workers
and the modules' records of several years), then, in-process with Django's test Client
(no server, no network), times for the city user (`city`) and a county user (`liandu`):

- dashboard `/?year=2022`, the reports workspace `/reports/?year=2022` and the summary selector (what
  `/api/v1/reports/summary?year=2022` returns, with the previous year) with the cache off
  (LAOMO_AGGREGATE_CACHE_SECONDS=0: every figure computed, as before issue 16) and on (warm: the figures
  read from the cache the settings configure: the file cache under var/, or Redis with REDIS_URL);
- the first dashboard view after a write (the data version moved: everything recomputed once);
- `/workers/` with the session saved on every request (as before) and renewed once a minute (now).

Each measurement is the median of `--requests` requests, with the queries of one request. `--size` is
accepted for the common interface (DESIGN.md §9) and ignored: the demo has a fixed size; the line
reports the number of workers as its size. Ratios: uncached / cached (above 1: the cache is faster).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from common import Databases, contract_line, demo_database, emit_child, log, machine, median, run_child, setup_django

BENCH = "aggregate_cache"
YEAR = 2022


def _timed(fn, requests: int) -> tuple[float, int]:
    from django.db import connection

    fn()
    executed = []

    def counting(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        fn()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return median(times), len(executed)


def _get(client, url: str):
    def fn():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")

    return fn


def measure(requests: int) -> dict:
    from django.core.cache import cache
    from django.test import Client, override_settings

    from laomo.core import audit
    from laomo.core.actors import SYSTEM
    from laomo.core.scope import scope_root
    from laomo.orgs.models import User
    from laomo.reports.selectors import summary

    cache.clear()  # the bench's var/cache may hold a previous run's entries (and cull at random when full)
    seconds, queries = {}, {}

    def record(name, fn, **settings):
        with override_settings(**settings):
            seconds[name], queries[name] = _timed(fn, requests)

    for username in ("city", "liandu"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        org = scope_root(user) if username == "city" else user.org
        pages = {"dashboard": f"/?year={YEAR}", "reports": f"/reports/?year={YEAR}"}
        for page, url in pages.items():
            record(f"{page}_{username}_uncached", _get(client, url), LAOMO_AGGREGATE_CACHE_SECONDS=0)
            record(f"{page}_{username}_cached", _get(client, url), LAOMO_AGGREGATE_CACHE_SECONDS=300)

        def api_summary(user=user, org=org):
            summary(user=user, year=YEAR, org=org, previous=True)

        record(f"summary_{username}_uncached", api_summary, LAOMO_AGGREGATE_CACHE_SECONDS=0)
        record(f"summary_{username}_cached", api_summary, LAOMO_AGGREGATE_CACHE_SECONDS=300)

        def after_write(client=client):
            audit.record(actor=SYSTEM, action="bench.write", object_type="bench", username="bench")
            _get(client, f"/?year={YEAR}")()

        record(f"dashboard_{username}_after_write", after_write, LAOMO_AGGREGATE_CACHE_SECONDS=300)
    client = Client()
    client.force_login(User.objects.get(username="city"))
    record("workers_session_every_request", _get(client, "/workers/"), SESSION_SAVE_EVERY_REQUEST=True)
    record("workers_session_renewed_per_minute", _get(client, "/workers/"), SESSION_SAVE_EVERY_REQUEST=False)
    return {"seconds": seconds, "queries": queries, "cache": cache.__class__.__name__}


def child_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args(argv)
    setup_django()
    from laomo.workers.models import Worker

    result = measure(args.requests)
    result.update(workers=Worker.objects.filter(is_deleted=False).count())
    emit_child(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=0, help="ignored (the demo has a fixed size)")
    parser.add_argument("--requests", type=int, default=15, help="timed requests per measurement (median)")
    parser.add_argument("--database-url", help="a PostgreSQL database of your own (dropped and re-created)")
    args = parser.parse_args()
    dbs = Databases(pg_url=args.database_url)
    log(f"{BENCH}: {dbs.kind}, {machine()}")
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    built = time.perf_counter()
    url = demo_database(dbs, "aggregate-cache")
    build = round(time.perf_counter() - built, 1)
    out = run_child(Path(__file__).name, ["--requests", str(args.requests)], url)
    dbs.drop(url)
    s, q = out["seconds"], out["queries"]
    log(f"  demo: {out['workers']} workers, ready in {build} s; cache {out['cache']}")
    for name, value in s.items():
        log(f"    {name:<40} {value * 1000:8.1f} ms  {q[name]:4d} queries")
    ratios = {}
    for who in ("city", "liandu"):
        for what in ("dashboard", "reports", "summary"):
            ratios[f"{what}_{who}_vs_uncached"] = s[f"{what}_{who}_uncached"] / s[f"{what}_{who}_cached"]
    ratios["workers_vs_session_every_request"] = (s["workers_session_every_request"]
                                                  / s["workers_session_renewed_per_minute"])
    print(contract_line(BENCH, out["workers"], s, ratios, db=dbs.kind, requests=args.requests, machine=machine(),
                        queries=q, cache=out["cache"], build_seconds=build,
                        load_average=[round(load_before, 2), round(os.getloadavg()[0], 2)],
                        total_seconds=round(time.perf_counter() - started, 1)), flush=True)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child_main(sys.argv[1:])
    else:
        main()
