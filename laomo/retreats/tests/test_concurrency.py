"""Capacity under concurrent confirmations: real concurrent connections (threads), on SQLite and PostgreSQL.

Each thread confirms a different pending application of the same batch at the same moment. A pause
is injected between counting the seats and saving, so that without the row lock on the batch
(SELECT … FOR UPDATE on PostgreSQL; the IMMEDIATE write transaction on SQLite) two confirmations
would both see a free seat and overfill the batch. With the lock exactly `capacity` are confirmed
and the rest go to the waitlist. On PostgreSQL: DATABASE_URL=postgres://… (the suite runs on both).
"""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

from laomo.core.testing import concurrently, failures, shared_database, slowed
from laomo.core.tests.e2e_fixtures import _org_tree, _restore_org_tree  # noqa: F401  (the org tree after flushes)
from laomo.retreats import services
from laomo.retreats.models import RetreatApplication

from . import factories as F

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shared_db(tmp_path):
    with shared_database(tmp_path):
        yield


THREADS = 5
CAPACITY = 2


def _concurrently(fn, args_list):
    """Run fn(*args) in one thread each, all released at once: (results, None where it failed; the failures)."""
    outcomes = concurrently(*(partial(fn, *args) for args in args_list))
    return ([None if isinstance(o, Exception) else o for o in outcomes],
            [repr(o) for o in failures(outcomes)])


@pytest.fixture
def slow_seat_count(monkeypatch):
    """Widen the race window: pause after counting the seats, before the confirmation is saved."""
    slowed(monkeypatch, services, "seats_taken", 0.15)


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

    slowed(monkeypatch, rules, "quota_usage", 0.15)
    batch, workers = quota_batch
    ld = orgs["331102"]
    actor = users["county_staff"]

    def nominate(w):
        return F.apply(batch, w, actor=actor).status

    results, errors = _concurrently(nominate, [(w,) for w in workers])
    assert results.count("pending") == 2
    assert len(errors) == 2 and all("名额已满" in e for e in errors)
    assert RetreatApplication.objects.filter(batch=batch, quota_org=ld).count() == 2
