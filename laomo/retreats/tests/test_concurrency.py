"""Capacity under concurrent confirmations: real concurrent connections (threads), on SQLite and PostgreSQL.

Each thread confirms a different pending application of the same batch at the same moment. A pause
is injected between counting the seats and saving, so that without the row lock on the batch
(SELECT … FOR UPDATE on PostgreSQL; the IMMEDIATE write transaction on SQLite) two confirmations
would both see a free seat and overfill the batch. With the lock exactly `capacity` are confirmed
and the rest go to the waitlist. On PostgreSQL: DATABASE_URL=postgres://… (the suite runs on both).
"""

from __future__ import annotations

import importlib
import sqlite3
import threading
import time
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections

from laomo.retreats import services
from laomo.retreats.models import RetreatApplication

from . import factories as F

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _org_tree(transactional_db):
    # A transactional test's flush empties every table, the org tree the migrations seed too: put it back.
    importlib.import_module("laomo.orgs.migrations.0002_seed_org_tree").seed(django_apps, None)
    yield
    importlib.import_module("laomo.orgs.migrations.0002_seed_org_tree").seed(django_apps, None)


@pytest.fixture
def shared_db(tmp_path):
    """Threads need one database they all reach with real locking.

    The SQLite test database is in memory (shared cache), where a second writer fails at once with
    "table is locked" instead of waiting; so the data made so far is copied to a file database (WAL,
    busy timeout, IMMEDIATE transactions, as in production) and every connection of the test — this
    thread's and the workers' — goes there. PostgreSQL needs nothing.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    original = connections["default"]
    original.ensure_connection()
    path = str(tmp_path / "concurrency.sqlite3")
    target = sqlite3.connect(path)
    original.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    settings_dict = original.settings_dict  # the dict every new connection of this alias is made from
    memory_name = settings_dict["NAME"]
    settings_dict["NAME"] = path
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        settings_dict["NAME"] = memory_name
        connections["default"] = original

THREADS = 5
CAPACITY = 2


def _concurrently(fn, args_list):
    """Run fn(*args) in one thread each, all released at once; each thread has its own DB connection."""
    barrier = threading.Barrier(len(args_list))
    results, errors = [None] * len(args_list), []

    def run(i, args):
        try:
            barrier.wait(timeout=10)
            results[i] = fn(*args)
        except Exception as exc:  # noqa: BLE001  (reported by the test)
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, args)) for i, args in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.fixture
def slow_seat_count(monkeypatch):
    """Widen the race window: pause after counting the seats, before the confirmation is saved."""
    real = services.seats_taken

    def slow(batch):
        n = real(batch)
        time.sleep(0.15)
        return n

    monkeypatch.setattr(services, "seats_taken", slow)


@pytest.fixture
def pending(orgs):
    batch = F.batch(orgs["331100"], capacity=CAPACITY, start=date(2030, 5, 6))
    apps = [F.apply(batch, F.worker(orgs["331102"], f"劳模{i}")) for i in range(THREADS)]
    return batch, apps


def test_it_never_confirms_more_people_than_seats(pending, users, shared_db, slow_seat_count):
    batch, apps = pending
    actor = users["city_staff"]

    def confirm(app):
        return services.application_confirm(actor=actor, application=app).status

    results, errors = _concurrently(confirm, [(a,) for a in apps])
    assert errors == []
    assert sorted(results) == ["confirmed"] * CAPACITY + ["waitlisted"] * (THREADS - CAPACITY)
    assert RetreatApplication.objects.filter(batch=batch, status="confirmed").count() == CAPACITY


def test_it_gives_a_freed_seat_to_one_person_when_withdrawals_and_confirmations_race(pending, users, shared_db):
    batch, apps = pending
    actor = users["city_staff"]
    for app in apps[:CAPACITY]:
        services.application_confirm(actor=actor, application=app)
    waiting = apps[CAPACITY:]

    def withdraw(app):
        return services.application_withdraw(actor=actor, application=app, reason="临时有事")[1]

    def confirm(app):
        return services.application_confirm(actor=actor, application=app).status

    # One seated person withdraws while the others are being confirmed: the seats never overflow.
    results, errors = _concurrently(lambda fn, app: fn(app), [(withdraw, apps[0])] + [(confirm, a) for a in waiting])
    assert errors == []
    assert RetreatApplication.objects.filter(batch=batch, status="confirmed").count() == CAPACITY
    assert RetreatApplication.objects.filter(batch=batch, status="waitlisted").count() == THREADS - CAPACITY - 1


@pytest.fixture
def quota_batch(orgs):
    ld = orgs["331102"]
    batch = F.batch(orgs["331100"], capacity=10, quotas={ld: 2})
    return batch, [F.worker(ld, f"候选{i}") for i in range(4)]


def test_it_keeps_a_county_within_its_quota_under_concurrent_nominations(quota_batch, orgs, users, shared_db,
                                                                         monkeypatch):
    from laomo.retreats import rules

    real = rules.quota_usage

    def slow_usage(batch, **kwargs):
        usage = real(batch, **kwargs)
        time.sleep(0.15)
        return usage

    monkeypatch.setattr(rules, "quota_usage", slow_usage)
    batch, workers = quota_batch
    ld = orgs["331102"]
    actor = users["county_staff"]

    def nominate(w):
        return F.apply(batch, w, actor=actor).status

    results, errors = _concurrently(nominate, [(w,) for w in workers])
    assert results.count("pending") == 2
    assert len(errors) == 2 and all("名额已满" in e for e in errors)
    assert RetreatApplication.objects.filter(batch=batch, quota_org=ld).count() == 2
