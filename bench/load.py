"""Load: the real server under 1 and 8 concurrent clients, against a bare Django view served the same way
(issue 16).

    .venv/bin/python bench/load.py [--duration 5] [--workers 3] [--database-url postgres://.../laomo_bench]
                                   [--redis-url redis://127.0.0.1:6379/15] [--only sqlite|postgresql]

Serves laomo as `make run` does (scripts/serve.sh: gunicorn --workers 3 --threads 2 --timeout 120,
access log on) on a copy of the demo database (`make run`'s demo: ~3,000 workers and the modules'
records, LAOMO_DEMO=1), and the floor — one Django view, no middleware, no database
(`bench/bare_wsgi.py`) — with the same gunicorn command. The job consumer is not started (no page asks it
for anything) and nothing is written under var/: the database, cache and logs are under /tmp/laomo-bench.
With `--database-url` (scripts/bench.sh passes BENCH_DATABASE_URL) it runs again on PostgreSQL with the
cache in Redis (`--redis-url`, database 15 by default), the deployment issue 16 names for several app
processes (`--pg-workers`, 4 by default).

Clients open a connection per request (`Connection: close`), as the reverse proxy of the deployment does
(docs/deployment.md: nginx in front; its upstream connections are HTTP/1.0 and closed after each response
unless configured otherwise), so each request goes to whichever gunicorn process takes it first.
`--keep-alive` keeps wrk's 8 connections open for a run instead, as browsers talking to gunicorn directly
would: each process keeps the connections it accepted for the whole run, and how unevenly they fall decides
the throughput more than the application does (runs of the same URL, the bare view's too, fell into two
groups 2–2.7× apart on 2026-12-04; BENCHMARKS.md). `BENCH_GUNICORN_ARGS` adds flags to both servers'
gunicorn command. `--urls api_me,workers` runs a subset.

Clients are wrk (Debian package `wrk`; scripts/bench.sh installs it when missing), on the same 2-core
machine as the server (they compete for the CPU; so does the floor's). Logged in as the demo's city user
(`city`): pages with its session cookie (logged in through the login form), the API with a bearer token
(`manage.py create_api_token`). Every URL is checked first to answer 200 without a redirect, then warmed
up, then run for `--duration` seconds at 1 connection and at 8. Reported per URL: requests per second,
p50 and p99 latency, and the 8-connection throughput relative to the bare view's (the goal: /api/v1/me
≥ 0.3, every page and API list ≥ 0.05 with p99 ≤ 500 ms).
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request

from common import (
    PYTHON,
    ROOT,
    WORK_DIR,
    Databases,
    bench_env,
    contract_line,
    demo_database,
    load_average,
    log,
    machine,
)

BENCH = "load"
YEAR = 2022
USER, PASSWORD = "city", "Laomo@2022demo"  # the demo's city user (laomo/core/demo.py)
BARE = "bare_view"
PAGES = {
    "dashboard": f"/?year={YEAR}",
    "reports": f"/reports/?year={YEAR}",
    "workers": "/workers/",
    "care_visits": "/care/visits/",
    "service_records": "/volunteering/records/",
    "service_requests": "/volunteering/requests/",
    "lectures": "/outreach/lectures/",
    "studios": "/studios/",
    "retreats": "/retreats/",
}
API = {
    "api_me": "/api/v1/me",
    "api_summary": f"/api/v1/reports/summary?year={YEAR}",
    "api_workers": "/api/v1/workers",
    "api_care_visits": "/api/v1/care-visits",
    "api_service_records": "/api/v1/service-records",
    "api_lectures": "/api/v1/lectures",
    "api_studios": "/api/v1/studios",
}
CONNECTIONS = (1, 8)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with scripts/serve.sh's flags, in its own process group (stopped by its pid only)."""

    def __init__(self, app: str, env: dict, workers: int, label: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = WORK_DIR / f"load-{label}.log"
        cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers",
               str(workers), "--threads", "2", "--timeout", "120", "--access-logfile",
               str(WORK_DIR / f"load-{label}-access.log"), *os.environ.get("BENCH_GUNICORN_ARGS", "").split(), app]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(self.log_path, "w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, path: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}")
            try:
                status, _ = _get(self.base, path, {})
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"server not up after {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _get(base: str, path: str, headers: dict) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def login(base: str) -> str:
    """Log in through the login form; returns the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=data,
                                     headers={"Referer": f"{base}/accounts/login/"})
    final = opener.open(request, timeout=60)
    if final.geturl().rstrip("/").endswith("/accounts/login"):
        raise SystemExit("login failed (still on the login page)")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def api_token(env: dict) -> str:
    out = subprocess.run([PYTHON, "manage.py", "create_api_token", USER, "--name", "bench-load"], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1].strip()


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


# Set by main(): True for --keep-alive (wrk's connections held for a run), False for a connection per request.
KEEP_ALIVE = False


def wrk(url: str, connections: int, duration: int, headers: dict) -> dict:
    cmd = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if not KEEP_ALIVE:
        headers = {**headers, "Connection": "close"}  # wrk reconnects after every response
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _seconds(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _seconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    connect, read, write, timeouts = map(int, sockets.groups()) if sockets else (0, 0, 0, 0)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "p50": p50, "p99": p99, "requests": total, "errors": int(errors.group(1)) if errors else 0,
            "timeouts": timeouts, "socket_errors": connect + read + write}


def wrk_repeated(url: str, connections: int, duration: int, headers: dict, repeat: int) -> dict:
    """The median run (by throughput) of `repeat` wrk runs; `runs` keeps every run's throughput. With
    --keep-alive, gunicorn's workers take wrk's connections as they come: one worker may hold most of the eight
    and run them on one core (GIL) while the others idle, which moved the same URL's throughput 2–4× between
    runs (the bare view's too); the median of three does not remove that."""
    runs = sorted((wrk(url, connections, duration, headers) for _ in range(repeat)), key=lambda r: r["rps"])
    chosen = dict(runs[len(runs) // 2])
    chosen["runs"] = [r["rps"] for r in runs]
    return chosen


def run_targets(base: str, targets: dict[str, tuple[str, dict]], duration: int, repeat: int = 1) -> dict:
    results = {}
    for name, (path, headers) in targets.items():
        status, body = _get(base, path, headers)
        if status != 200:
            raise SystemExit(f"{name} {path}: HTTP {status} (expected 200 without a redirect): {body[:300]!r}")
        for _ in range(6):  # every worker process imports, compiles templates, fills the cache
            _get(base, path, headers)
        results[name] = {}
        for c in CONNECTIONS:
            results[name][c] = r = wrk_repeated(base + path, c, duration, headers, repeat if c > 1 else 1)
            log(f"    {name:<20} c={c}  {r['rps']:8.1f} req/s  p50 {r['p50'] * 1000:7.1f} ms  "
                f"p99 {r['p99'] * 1000:7.1f} ms" + (f"  ERRORS {r['errors']}" if r["errors"] else "")
                + (f"  SOCKET ERRORS {r['socket_errors']}" if r["socket_errors"] else ""))
    return results


def run_backend(kind: str, url: str, dbs: Databases, duration: int, workers: int, redis_url: str | None,
                repeat: int = 1) -> dict:
    env = bench_env(url)
    env.update(LAOMO_DEMO="1", LOG_LEVEL="WARNING")
    if redis_url:
        env["REDIS_URL"] = redis_url
    token = api_token(env)
    bare_env = bench_env(url)
    bare = Server("bare_wsgi:application", bare_env, workers, f"{kind}-bare")
    try:
        bare.wait("/")
        log(f"  {kind}: bare view on {bare.base}")
        results = run_targets(bare.base, {BARE: ("/", {})}, duration, repeat)
    finally:
        bare.stop()
    server = Server("laomo.wsgi:application", env, workers, kind)
    try:
        server.wait("/accounts/login/")
        cookie = login(server.base)
        log(f"  {kind}: laomo on {server.base} ({workers} workers × 2 threads), logged in as {USER}")
        targets = {name: (path, {"Cookie": cookie}) for name, path in PAGES.items()}
        targets.update({name: (path, {"Authorization": f"Bearer {token}"}) for name, path in API.items()})
        results.update(run_targets(server.base, targets, duration, repeat))
    finally:
        server.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per URL and concurrency")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers on SQLite (make run: 3)")
    parser.add_argument("--pg-workers", type=int, default=4, help="gunicorn workers on PostgreSQL + Redis")
    parser.add_argument("--database-url", help="a PostgreSQL database of your own (dropped and re-created)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--size", type=int, default=0, help="ignored (the demo has a fixed size)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="wrk runs at 8 connections per URL, each on fresh connections; the median is reported")
    parser.add_argument("--urls", help="comma-separated names of the URLs to run (api_me,dashboard,…); all by default")
    parser.add_argument("--keep-alive", action="store_true",
                        help="hold wrk's connections for a run (by default: one per request, as the proxy does)")
    args = parser.parse_args()
    global KEEP_ALIVE
    KEEP_ALIVE = args.keep_alive
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (scripts/bench.sh does it)")
    if args.urls:
        wanted = set(args.urls.split(","))
        unknown = wanted - set(PAGES) - set(API)
        if unknown:
            raise SystemExit(f"unknown URL names: {sorted(unknown)}; known: {sorted([*PAGES, *API])}")
        for table in (PAGES, API):
            for name in [n for n in table if n not in wanted]:
                del table[name]
    log(f"{BENCH}: {machine()}; clients: " + ("keep-alive connections" if KEEP_ALIVE else "a connection per request"))
    started = time.perf_counter()
    load_before = load_average()
    backends = {}
    if args.only != "postgresql":
        dbs = Databases()
        url = demo_database(dbs, "load-demo")
        backends["sqlite"] = run_backend("sqlite", url, dbs, args.duration, args.workers, None, args.repeat)
        dbs.drop(url)
    if args.database_url and args.only != "sqlite":
        dbs = Databases(pg_url=args.database_url)
        url = demo_database(dbs, "load-demo")
        backends["postgresql"] = run_backend("postgresql", url, dbs, args.duration, args.pg_workers, args.redis_url,
                                             args.repeat)
    seconds, ratios, table = {}, {}, {}
    for kind, results in backends.items():
        floor = results[BARE][8]["rps"]
        log(f"  {kind}: bare view {floor:.0f} req/s at 8 connections")
        log(f"    {'request':<20} {'c=1 p50':>9} {'c=8 req/s':>10} {'vs bare':>8} {'c=8 p50':>9} {'c=8 p99':>9}")
        for name, by_c in results.items():
            one, eight = by_c[1], by_c[8]
            key = f"{kind}_{name}"
            ratios[f"{key}_vs_bare"] = eight["rps"] / floor
            seconds.update({f"{key}_c1_p50": one["p50"], f"{key}_c8_p50": eight["p50"], f"{key}_c8_p99": eight["p99"]})
            table[key] = {"c1": one, "c8": eight}
            log(f"    {name:<20} {one['p50'] * 1000:7.1f}ms {eight['rps']:10.1f} {eight['rps'] / floor:8.3f} "
                f"{eight['p50'] * 1000:7.1f}ms {eight['p99'] * 1000:7.1f}ms")
    print(contract_line(BENCH, 0, seconds, ratios, machine=machine(), duration=args.duration,
                        workers={"sqlite": args.workers, "postgresql": args.pg_workers}, results=table,
                        connections="keep-alive" if KEEP_ALIVE else "per-request",
                        load_average=[load_before, load_average()],
                        total_seconds=round(time.perf_counter() - started, 1)), flush=True)


if __name__ == "__main__":
    main()
