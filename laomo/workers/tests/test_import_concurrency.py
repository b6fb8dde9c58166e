"""A 100k-row roster import commits while eight API clients keep writing (issue 11, finding 6).

Real concurrent connections: the import runs in a child process, as in production (the job consumer is a
process of its own beside the web workers), and each client in a thread of this process with its own database
connection, POSTing new workers to /api/v1/workers without pause throughout the import. Before the fix the
import held one SQLite write transaction for ~40 s, so writers waiting on it got "database is locked" after the
20 s busy timeout (HTTP 500). Now the import prepares everything outside the transaction and writes in a few
seconds: every write is accepted (no 500, and not even a 503 since none waits 20 s), every accepted write is
stored, and the import's counts are right.

The import once ran in this test's own process: its validation (100k rows of pure Python) then held the GIL
beside the client threads, and a few writes answered 503 well before the write phase, which production, with
the import in the consumer's process, does not see.

SQLite's test database lives in memory, which threads and processes cannot share; so, as in
laomo/retreats/tests/test_concurrency.py, the data is copied to a file database (WAL, IMMEDIATE transactions,
busy timeout: as deployed) that every connection of the test uses, the child's too (DATABASE_URL). Marked
heavy: it runs once, on SQLite.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.idnumber import check_digit
from laomo.workers import importer
from laomo.workers.models import Honor, Worker

pytestmark = [pytest.mark.heavy, pytest.mark.django_db(transaction=True)]

ROWS = 100_000  # the size
CLIENTS = 8
PAUSE = 0.02  # between one client's requests: eight clients still write continuously, without starving the import


@pytest.fixture(autouse=True)
def _org_tree(transactional_db):
    # A transactional test's flush empties every table, the org tree the migrations seed too: put it back.
    importlib.import_module("laomo.orgs.migrations.0002_seed_org_tree").seed(django_apps, None)
    yield
    importlib.import_module("laomo.orgs.migrations.0002_seed_org_tree").seed(django_apps, None)


@pytest.fixture
def shared_db(tmp_path):
    """Every connection of the test, this thread's and the clients', on one file database (see the docstring)."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    original = connections["default"]
    original.ensure_connection()
    path = str(tmp_path / "import-concurrency.sqlite3")
    target = sqlite3.connect(path)
    original.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    settings_dict = original.settings_dict
    memory_name = settings_dict["NAME"]
    settings_dict["NAME"] = path
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        settings_dict["NAME"] = memory_name
        connections["default"] = original


def _roster(path, rows: int) -> None:
    """A CSV roster of `rows` distinct valid people (ID number, phone, address, one honor each)."""
    rng = random.Random(11)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚华"
    counties = ("331102", "331121", "331122", "331123", "331124", "331125", "331126", "331127", "331181")
    lines = ["姓名,身份证号,所属地区,联系电话,通讯地址,荣誉称号,获评年份"]
    for i in range(rows):
        # Distinct numbers: the birth day and sequence encode i (100k < 365 days x 999 sequences x 9 counties).
        day, seq = divmod(i, 999)
        birth = time.strftime("%Y%m%d", time.gmtime(-315619200 + day * 86400))  # from 1960-01-01 on
        first17 = f"{counties[i % 9]}{birth}{seq + 1:03d}"
        name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
        lines.append(f"{name},{first17}{check_digit(first17)},丽水市,139{i:08d},丽水市某路{i}号,"
                     f"{2000 + i % 20}年丽水市劳动模范,{2000 + i % 20}")
    path.write_text("\n".join(lines), encoding="utf-8")


class WritePhase:
    """Records when the import's write transaction is open (the importer's `transaction.atomic`)."""

    def __init__(self):
        self.spans: list[tuple[float, float]] = []
        phase = self

        class Transaction:
            set_rollback = staticmethod(transaction.set_rollback)

            @staticmethod
            @contextmanager
            def atomic(*args, **kwargs):
                started = time.monotonic()
                with transaction.atomic(*args, **kwargs):
                    yield
                phase.spans.append((started, time.monotonic()))

        importer.transaction = Transaction


# The child: Django with the test settings of conftest that touch an import (a cache of its own, strict audit
# actions, huey in-process), on the shared file database.
CHILD = """
import json, sys
from django.conf import settings
settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
settings.LAOMO_STRICT_ACTIONS = True
import django
django.setup()
from huey.contrib.djhuey import HUEY
HUEY.immediate = True
from laomo.workers.tests.test_import_concurrency import import_here
print(json.dumps(import_here(*sys.argv[1:])))
"""


def import_here(path: str, org: str) -> dict:
    """In the child: the import as the job consumer runs it (SYSTEM, as `manage.py import_roster`)."""
    from laomo.orgs.models import OrgUnit
    from laomo.workers.importer import roster_import

    phase = WritePhase()
    result = roster_import(actor=SYSTEM, source=path, filename=os.path.basename(path),
                           org=OrgUnit.objects.get(code=org), dry_run=False)
    return {"spans": phase.spans, "file_error": result.file_error, "rejected_rows": result.rejected_rows,
            "created_workers": result.created_workers, "created_honors": result.created_honors}


def _import_in_a_child(path, org: str) -> dict:
    """Run the import in a child process on this test's file database (monotonic clocks agree across processes
    on Linux, so the child's write phase compares with the clients' times)."""
    name = connections["default"].settings_dict["NAME"]
    if connection.vendor == "sqlite":
        url = f"sqlite:///{name}"
    else:  # the test database of the server DATABASE_URL names
        url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "laomo.settings", "DATABASE_URL": url}
    child = subprocess.run([sys.executable, "-c", CHILD, str(path), org], env=env, cwd=settings.BASE_DIR,
                           capture_output=True, text=True, timeout=900)
    assert child.returncode == 0, child.stderr[-4000:]
    return json.loads(child.stdout.splitlines()[-1])


def test_it_commits_a_100k_import_while_eight_clients_write_and_every_write_is_stored(
        tmp_path, orgs, users, shared_db):
    path = tmp_path / "roster.csv"
    _roster(path, ROWS)
    _, token = api_token_create(actor=SYSTEM, user=users["city_staff"])
    done, started = threading.Event(), threading.Barrier(CLIENTS + 1)
    outcomes: list[list[tuple[int, float, float]]] = [[] for _ in range(CLIENTS)]

    def client_writes(n: int) -> None:
        client = Client(raise_request_exception=False)  # a 500 is counted, not raised in the thread
        try:
            started.wait(timeout=30)
            i = 0
            while not done.is_set() or i < 5:  # throughout the import, and at least five writes each
                begun = time.monotonic()
                response = client.post("/api/v1/workers", {"name": f"并发{n}号{i}", "org": "331102"},
                                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
                outcomes[n].append((response.status_code, begun, time.monotonic()))
                i += 1
                time.sleep(PAUSE)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client_writes, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    started.wait(timeout=30)
    try:
        result = _import_in_a_child(path, orgs["331100"].code)
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    statuses = [status for client in outcomes for status, _, _ in client]
    (write_started, write_ended), = result["spans"]
    assert set(statuses) == {201}, (  # no 500, and no 503 either
        {s: statuses.count(s) for s in set(statuses)}, f"write phase {write_ended - write_started:.1f} s",
        sorted((round(begun - write_started, 1), round(end - begun, 1), status) for client in outcomes
               for status, begun, end in client if status != 201)[:20])
    # The clients did write while the import held its write transaction (they waited for it, briefly).
    assert any(write_started <= begun <= write_ended for client in outcomes for _, begun, _ in client)
    assert (result["file_error"], result["rejected_rows"]) == ("", 0)
    assert (result["created_workers"], result["created_honors"]) == (ROWS, ROWS)
    accepted = len(statuses)
    assert Worker.objects.filter(name__startswith="并发").count() == accepted
    assert Worker.objects.count() == ROWS + accepted
    assert Honor.objects.count() == ROWS
    assert Worker.objects.values("worker_no").distinct().count() == ROWS + accepted
