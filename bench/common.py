"""Shared plumbing of the benchmarks: scratch databases, Django setup in a child process, medians.

Every measured run happens in a fresh child process on a fresh database (a copy of a freshly
migrated template), so caches (pinyin, compiled regexes, the ORM's) start cold for every contender
and no run sees another's rows. Nothing here touches `var/laomo.sqlite3` or the `test` database of
PostgreSQL: SQLite files live under /tmp/laomo-bench/, PostgreSQL runs use their own database.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
WORK_DIR = Path(os.environ.get("LAOMO_BENCH_DIR", "/tmp/laomo-bench"))
VAR_DIR = WORK_DIR / "var"
PYTHON = sys.executable
if str(ROOT) not in sys.path:  # laomo's pure modules (e.g. laomo.core.idnumber) in the parent too
    sys.path.insert(1, str(ROOT))


def bench_env(database_url: str, settings: str = "laomo.settings") -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "LAOMO_VAR_DIR": str(VAR_DIR),
        "DJANGO_SETTINGS_MODULE": settings,
        "DEBUG": "0",  # DEBUG would record every query
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
    })
    return env


def setup_django(settings: str = "laomo.settings") -> None:
    """In a child: the parent has put DATABASE_URL and LAOMO_VAR_DIR in the environment."""
    assert os.environ.get("DATABASE_URL"), "run through the parent script"
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    import django

    django.setup()


# --- databases ------------------------------------------------------------------------------------


class Databases:
    """Hands out fresh, migrated databases: SQLite files under WORK_DIR or one PostgreSQL database."""

    def __init__(self, pg_url: str | None = None, settings: str = "laomo.settings"):
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        self.pg_url = pg_url
        self.settings = settings
        self.template: Path | None = None
        if pg_url:
            name = urlsplit(pg_url).path.lstrip("/")
            if name in ("", "test", "postgres", "laomo"):
                raise SystemExit(f"refusing to use PostgreSQL database {name!r}: pass e.g. .../laomo_bench")

    @property
    def kind(self) -> str:
        return "postgresql" if self.pg_url else "sqlite"

    def migrate(self, url: str) -> None:
        """Apply the migrations to an existing database (one a bench kept)."""
        self._migrate(url)

    def _migrate(self, url: str) -> None:
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
                       env=bench_env(url, self.settings), check=True)

    def collectstatic(self) -> None:
        """The bench settings serve the admin too: collect its static files next to laomo's (work dir)."""
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                       env=bench_env(f"sqlite:///{WORK_DIR / 'collectstatic.sqlite3'}", self.settings), check=True)

    def fresh(self, label: str) -> str:
        """The URL of an empty, migrated database (the org tree and roles seeded by the migrations)."""
        if self.pg_url:
            self._recreate_pg()
            self._migrate(self.pg_url)
            return self.pg_url
        if self.template is None:
            self.template = WORK_DIR / f"template-{self.settings}.sqlite3"
            _remove_sqlite(self.template)
            self._migrate(f"sqlite:///{self.template}")
        path = WORK_DIR / f"{label}.sqlite3"
        _remove_sqlite(path)
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def _recreate_pg(self) -> None:
        parts = urlsplit(self.pg_url)
        name = parts.path.lstrip("/")
        admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
        import psycopg

        with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

    def drop(self, url: str) -> None:
        """Remove a SQLite file, or a PostgreSQL database other than the bench database itself."""
        if url.startswith("sqlite:///"):
            _remove_sqlite(Path(url.removeprefix("sqlite:///")))
        elif self.pg_url and urlsplit(url).path != urlsplit(self.pg_url).path:
            import psycopg

            parts = urlsplit(url)
            admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
            with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- child processes ------------------------------------------------------------------------------


def run_child(script: str, args: list[str], database_url: str, settings: str = "laomo.settings",
              timeout: float | None = None) -> dict:
    """Run `bench/<script> --child ...` and return the JSON object of its last output line."""
    started = time.perf_counter()
    proc = subprocess.run([PYTHON, str(ROOT / "bench" / script), "--child", *args], cwd=ROOT,
                          env=bench_env(database_url, settings), capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
        raise SystemExit(f"child {script} {' '.join(args)} failed ({proc.returncode})")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    result = json.loads(lines[-1])
    result.setdefault("wall", round(time.perf_counter() - started, 2))
    return result


def emit_child(result: dict) -> None:
    print(json.dumps(result, ensure_ascii=False), flush=True)


# --- reporting ------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def contract_line(bench: str, size: int, seconds: dict, ratios: dict, **extra) -> str:
    """The last output line of every bench (DESIGN.md §9); extra keys are additions, never renames."""
    out = {"bench": bench, "size": size, "seconds": {k: round(v, 6) for k, v in seconds.items()},
           "ratios": {k: round(v, 3) for k, v in ratios.items()}}
    out.update(extra)
    return json.dumps(out, ensure_ascii=False)


# --- the demo database ----------------------------------------------------------------------------


def _code_fingerprint() -> str:
    """Changes whenever laomo's code does (the demo is generated through the services)."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "laomo").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def demo_database(dbs: Databases, label: str, pg_name: str | None = None) -> str:
    """A database holding the demo (`make run`'s, generated by `prepare_start` with LAOMO_DEMO=1).

    Generated once per version of the code and reused by the benches of one `make bench` run: SQLite, a
    template file under WORK_DIR copied for each; PostgreSQL, a template database beside the bench
    database (`<name>_demo_<fingerprint>`) from which the bench database is re-created — or, with
    `pg_name`, a database of that name (the bench database is then left alone)."""
    fingerprint = _code_fingerprint()
    if dbs.pg_url:
        return _pg_demo_database(dbs, fingerprint, pg_name)
    template = WORK_DIR / f"demo-template-{fingerprint}.sqlite3"
    if not template.exists():
        for old in WORK_DIR.glob("demo-template-*.sqlite3*"):
            old.unlink()
        building = WORK_DIR / "demo-building.sqlite3"
        _remove_sqlite(building)
        url = f"sqlite:///{building}"
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
                       env=bench_env(url, dbs.settings), check=True)
        started = time.perf_counter()
        _populate_demo(url, dbs.settings)
        log(f"  demo database generated in {time.perf_counter() - started:.0f} s")
        import sqlite3

        with sqlite3.connect(building) as conn:  # one self-contained file (no -wal beside it)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        building.rename(template)
        _remove_sqlite(building)
    path = WORK_DIR / f"{label}.sqlite3"
    _remove_sqlite(path)
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def _pg_demo_database(dbs: Databases, fingerprint: str, pg_name: str | None = None) -> str:
    import psycopg

    parts = urlsplit(dbs.pg_url)
    name = parts.path.lstrip("/")
    template = f"{name}_demo_{fingerprint}"
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
    admin = admin.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
        stale = [row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                                [f"{name}_demo_%"]) if row[0] != template]
        for old in stale:
            conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
    target = pg_name or name
    if not exists:
        # generated in a database of its own (the bench database may hold what a run kept), then renamed
        building = Databases(pg_url=urlunsplit(parts._replace(path=f"/{template}_building")), settings=dbs.settings)
        url = building.fresh("demo")
        started = time.perf_counter()
        _populate_demo(url, dbs.settings)
        log(f"  demo database generated in {time.perf_counter() - started:.0f} s (PostgreSQL)")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{template}_building" RENAME TO "{template}"')
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
    return urlunsplit(parts._replace(path=f"/{target}"))


def _populate_demo(url: str, settings: str) -> None:
    env = bench_env(url, settings)
    env["LAOMO_DEMO"] = "1"
    if url.startswith("sqlite"):
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "prepare_start"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)
