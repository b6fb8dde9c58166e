"""Two clerks recording visits at the same moment, on real concurrent database connections.

On PostgreSQL each thread has its own connection to the test database. SQLite's test database lives in memory,
so the test copies it to a file (WAL, IMMEDIATE transactions, as deployed) and gives each thread its own
connection to that file. The service re-sums the paid visits while it holds the campaign's lock; a delay between
that sum and the write widens the race window, so without the lock both clerks would pass the budget check.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from laomo.care import services
from laomo.care.models import CareCampaign, CareVisit
from laomo.core.actors import SYSTEM
from laomo.core.testing import concurrently, failures, shared_database, slowed, successes
from laomo.core.tests.e2e_fixtures import _org_tree, _restore_org_tree  # noqa: F401  (the org tree after flushes)

from .factories import campaign, money, worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setup(orgs, users):
    lian = orgs["331102"]
    a, b = worker(lian, "甲", "provincial"), worker(lian, "乙", "provincial", birth="19700101")
    c = campaign(orgs["331100"], budget="1500")  # room for one 1000 payment, not two
    services.recipients_generate(actor=SYSTEM, campaign=c)
    return {"campaign": c, "a": a, "b": b, "clerks": [users["city_staff"], users["county_staff"]]}


def _race(calls):
    """Run the calls in threads started together; returns (results, refusals)."""
    outcomes = concurrently(*calls)
    return successes(outcomes), failures(outcomes, ValidationError)


@pytest.fixture
def slow_sum(monkeypatch):
    """Widen the window between reading the paid total and writing the visit."""
    slowed(monkeypatch, services, "campaign_paid_total", 0.3)


def _visit(clerk, c, w):
    return lambda: services.visit_record(actor=clerk, worker=w, campaign=c, visit_date=date(2022, 1, 20),
                                         method="home", amount="1000", payment_method="transfer")


def test_it_keeps_the_budget_under_two_concurrent_clerks(setup, slow_sum, tmp_path):
    c, (city, county) = setup["campaign"], setup["clerks"]
    with shared_database(tmp_path):
        results, errors = _race([_visit(city, c, setup["a"]), _visit(county, c, setup["b"])])
        assert len(results) == 1 and len(errors) == 1, (results, errors)
        assert errors[0].message_dict["amount"][0].startswith("超出活动预算:预算 1500.00 元,已发放 1000.00 元")
        campaign_row = CareCampaign.objects.get(pk=c.pk)
        assert campaign_row.paid_total == money(1000) == services.campaign_paid_total(c.pk)
        assert CareVisit.objects.filter(campaign=c).count() == 1


def test_it_pays_a_worker_once_under_two_concurrent_clerks(setup, slow_sum, tmp_path):
    c, (city, county) = setup["campaign"], setup["clerks"]
    with shared_database(tmp_path):
        results, errors = _race([_visit(city, c, setup["a"]), _visit(county, c, setup["a"])])
        assert len(results) == 1 and len(errors) == 1, (results, errors)
        assert "不能重复发放" in errors[0].message_dict["worker"][0]
        assert CareVisit.objects.filter(campaign=c, worker=setup["a"], is_void=False).count() == 1
        assert CareCampaign.objects.get(pk=c.pk).paid_total == money(1000)
