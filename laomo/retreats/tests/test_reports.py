"""The `retreats` section of the summary report: exact figures per unit and year (DESIGN.md §7)."""

from __future__ import annotations

from datetime import date

import pytest

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.reports.selectors import summary
from laomo.retreats import services

from . import factories as F

pytestmark = pytest.mark.django_db


@pytest.fixture
def trips(orgs):
    """31 Dec 2022: a city batch with two 莲都 and one 庆元 participant; 1 Jan 2023: a 莲都 batch with one."""
    city, ld, qy = orgs["331100"], orgs["331102"], orgs["331126"]
    zhang, li, wang = F.worker(ld, "张三"), F.worker(ld, "李四"), F.worker(qy, "王五")
    dec = F.attended_batch(city, [zhang, li, wang], start=date(2022, 12, 31), name="跨年批",
                           survey={zhang: 5, li: 4, wang: 2})
    jan = F.attended_batch(ld, [F.worker(ld, "赵六")], start=date(2023, 1, 1), name="莲都新年批")
    # Not held: a cancelled and a planned batch in 2022 count nowhere.
    F.batch(city, name="取消批", start=date(2022, 6, 1))
    services.batch_set_status(actor=SYSTEM, batch=F.batch(city, name="又取消", start=date(2022, 7, 1)),
                              status="cancelled", reason="天气")
    return {"dec": dec, "jan": jan}


def section(user, year, org):
    return summary(user=user, year=year, org=org)["retreats"]


def test_it_counts_batches_participants_and_satisfaction_per_unit_and_year(trips, users, orgs):
    city, ld, qy, lq = orgs["331100"], orgs["331102"], orgs["331126"], orgs["331181"]
    user = users["city_staff"]
    assert section(user, 2022, city) == {"batches": 1, "participants": 3, "average_satisfaction": "3.67"}
    assert section(user, 2022, ld) == {"batches": 0, "participants": 2, "average_satisfaction": "4.50"}
    assert section(user, 2022, qy) == {"batches": 0, "participants": 1, "average_satisfaction": "2.00"}
    assert section(user, 2022, lq) == {"batches": 0, "participants": 0, "average_satisfaction": None}
    # 1 January 2023 belongs to 2023, to 莲都 and to the city, not to 庆元; no survey: null.
    assert section(user, 2023, city) == {"batches": 1, "participants": 1, "average_satisfaction": None}
    assert section(user, 2023, ld) == {"batches": 1, "participants": 1, "average_satisfaction": None}
    assert section(user, 2023, qy) == {"batches": 0, "participants": 0, "average_satisfaction": None}


def test_it_counts_a_worker_who_went_twice_in_a_year_once(orgs, users):
    city, ld = orgs["331100"], orgs["331102"]
    w = F.worker(ld, "张三")
    F.attended_batch(city, [w], start=date(2022, 4, 1), survey={w: 5})
    F.attended_batch(city, [w], start=date(2022, 10, 1), survey={w: 4})
    assert section(users["city_staff"], 2022, city) == {"batches": 2, "participants": 1,
                                                        "average_satisfaction": "4.50"}


def test_it_counts_only_those_who_attended(orgs, users):
    city, ld = orgs["331100"], orgs["331102"]
    b = F.batch(city, start=date(2022, 5, 9))
    went, missed = F.apply(b, F.worker(ld, "去了")), F.apply(b, F.worker(ld, "没去"))
    F.run_to_ongoing(b)
    services.application_record_attendance(actor=SYSTEM, application=went, attended=True)
    services.application_record_attendance(actor=SYSTEM, application=missed, attended=False)
    assert section(users["city_staff"], 2022, city)["participants"] == 1


def test_it_serves_the_section_in_the_api_summary(client, trips, users):
    token = api_token_create(actor=SYSTEM, user=users["county_staff"])[1]
    data = client.get("/api/v1/reports/summary?year=2022", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert data["org"] == "331102"
    assert data["retreats"] == {"batches": 0, "participants": 2, "average_satisfaction": "4.50"}
