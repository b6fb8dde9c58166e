"""CPU per request, in process: the pages and API lists of bench/load.py through Django's test client (issue 16).

    DATABASE_URL=sqlite:////tmp/x/demo.sqlite3 LAOMO_VAR_DIR=/tmp/x/var DEBUG=0 \\
        .venv/bin/python bench/request_cpu.py [--runs 20] [--only workers,me] [--profile me]

Runs against an existing demo database (`LAOMO_DEMO=1 manage.py prepare_start` into DATABASE_URL) as the
demo's `city` user: pages with a logged-in session, the API with a bearer token. Every request goes through
the whole middleware chain, as under gunicorn, but without the network and the WSGI server. For each URL:
the number of queries (one request, counted), then the median process CPU time (and wall time) of
`--runs` requests after two warm-up requests. `--profile NAME` prints a cProfile of that URL instead
(cumulative, top 60). No timing here is asserted anywhere; query counts are asserted in the tests.

`--compare OTHER_CHECKOUT` measures before/after under the same machine load: it starts this script in
`--serve` mode in OTHER_CHECKOUT (e.g. `git archive <base> | tar -x -C /tmp/base`, which must hold this
script too) and in this checkout, both on the same database, and alternates single requests between
them (ABBA), so that a busy machine weighs on both sides alike.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laomo.settings")

YEAR = 2022
USER = "city"
PAGES = {
    "workers": "/workers/",
    "care_visits": "/care/visits/",
    "volunteering_records": "/volunteering/records/",
    "volunteering_requests": "/volunteering/requests/",
    "lectures": "/outreach/lectures/",
    "studios": "/studios/",
    "retreats": "/retreats/",
    "reports": f"/reports/?year={YEAR}",
    "dashboard": f"/?year={YEAR}",
}
API = {
    "me": "/api/v1/me",
    "api_workers": "/api/v1/workers",
    "api_care_visits": "/api/v1/care-visits",
    "api_service_records": "/api/v1/service-records",
    "api_lectures": "/api/v1/lectures",
    "api_studios": "/api/v1/studios",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated names")
    parser.add_argument("--profile", default="", help="one name: print its cProfile")
    parser.add_argument("--tree", action="store_true", help="with --profile: pyinstrument's call tree instead")
    parser.add_argument("--compare", default="", help="another checkout: before/after, requests alternated")
    parser.add_argument("--serve", action="store_true", help="(internal) answer request names on stdin")
    parser.add_argument("--uncached", action="store_true", help="clear the cache before every request")
    args = parser.parse_args()
    if args.compare:
        return compare(args)

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from laomo.api.services import api_token_create
    from laomo.core.actors import SYSTEM
    from laomo.orgs.models import User

    user = User.objects.get(username=USER)
    page_client = Client()
    page_client.force_login(user)
    _, raw = api_token_create(actor=SYSTEM, user=user, name="request-cpu")
    api_client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    urls = {name: (page_client, url) for name, url in PAGES.items()}
    urls.update({name: (api_client, url) for name, url in API.items()})
    only = [n for n in args.only.split(",") if n] or ([args.profile] if args.profile else list(urls))

    def get(client, url):
        if args.uncached:
            cache.clear()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        return response

    if args.serve:
        return serve(urls, get, connection)

    if args.profile:
        client, url = urls[args.profile]
        get(client, url)
        get(client, url)
        if args.tree:  # pyinstrument, when installed (not a project requirement)
            from pyinstrument import Profiler

            with Profiler(interval=0.0005) as tree:
                for _ in range(args.runs):
                    get(client, url)
            print(tree.output_text(color=False, show_all=False))
            return
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            get(client, url)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return

    print(f"load {os.getloadavg()[0]:.2f}; {args.runs} runs; median CPU ms / wall ms / queries")
    print("| request | CPU ms (median) | wall ms (median) | queries |")
    print("|---|---|---|---|")
    for name in only:
        client, url = urls[name]
        get(client, url)
        queries = []  # counted by a wrapper: the request_started signal resets connection.queries

        def count(execute, sql, *rest, seen=queries):
            seen.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            get(client, url)
        cpu, wall = [], []
        for _ in range(args.runs):
            c0, w0 = time.process_time(), time.perf_counter()
            get(client, url)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        print(f"| `{url}` | {statistics.median(cpu):.1f} | {statistics.median(wall):.1f} | {len(queries)} |",
              flush=True)


def serve(urls, get, connection) -> None:
    """One request per name read from stdin; answers "<CPU ms> <queries>" (queries counted on the first)."""
    counted: dict[str, int] = {}
    print("ready", flush=True)
    for line in sys.stdin:
        name = line.strip()
        client, url = urls[name]
        if name not in counted:
            seen = []

            def count(execute, sql, *rest, seen=seen):
                seen.append(sql)
                return execute(sql, *rest)

            with connection.execute_wrapper(count):
                get(client, url)
            counted[name] = len(seen)
        c0 = time.process_time()
        get(client, url)
        print(f"{(time.process_time() - c0) * 1000:.3f} {counted[name]}", flush=True)


def compare(args) -> None:
    import subprocess

    def start(root: Path):
        proc = subprocess.Popen([sys.executable, str(root / "bench" / "request_cpu.py"), "--serve"], cwd=root,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        assert proc.stdout.readline().strip() == "ready"
        return proc

    def ask(proc, name: str) -> tuple[float, int]:
        proc.stdin.write(name + "\n")
        cpu, queries = proc.stdout.readline().split()
        return float(cpu), int(queries)

    before, after = start(Path(args.compare).resolve()), start(ROOT)
    names = [n for n in args.only.split(",") if n] or [*PAGES, *API]
    load = [os.getloadavg()[0]]
    print(f"{args.runs} requests each, alternated (ABBA); median CPU ms per request")
    print("| request | before CPU ms | after CPU ms | after/before | queries before → after |")
    print("|---|---|---|---|---|")
    try:
        for name in names:
            for proc in (before, after, before, after):  # warm-up (and the query count)
                ask(proc, name)
            cpu = {id(before): [], id(after): []}
            queries = {}
            for i in range(args.runs):
                for proc in ((before, after) if i % 2 == 0 else (after, before)):
                    ms, queries[id(proc)] = ask(proc, name)
                    cpu[id(proc)].append(ms)
            b, a = statistics.median(cpu[id(before)]), statistics.median(cpu[id(after)])
            url = {**PAGES, **API}[name]
            print(f"| `{url}` | {b:.1f} | {a:.1f} | {a / b:.2f} | {queries[id(before)]} → {queries[id(after)]} |",
                  flush=True)
            load.append(os.getloadavg()[0])
    finally:
        for proc in (before, after):
            proc.stdin.close()
            proc.wait()
    print(f"load average (1 min) during the run: {min(load):.1f}–{max(load):.1f}")


if __name__ == "__main__":
    main()
