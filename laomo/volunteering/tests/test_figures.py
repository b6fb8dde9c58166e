"""Exact figures of the `volunteering` section per unit and year (DESIGN.md §7)."""

from datetime import date, timedelta

import pytest

from conftest import login_client
from laomo.api.services import api_token_create
from laomo.core.actors import PUBLIC, SYSTEM
from laomo.reports import registry
from laomo.reports.selectors import summary
from laomo.volunteering import services
from laomo.volunteering.models import ServiceRecord
from laomo.volunteering.reports import volunteering_section

from .factories import make_record, make_request, make_team, make_worker, moment

KEYS = {"teams", "service_records", "person_times", "volunteer_hours", "person_times_by_team_type", "requests"}
TYPES = {"medical", "power", "fungus", "agriculture", "forestry", "legal", "counselling", "technical"}


@pytest.fixture
def data(orgs, users):
    qy, ld = orgs["331126"], orgs["331102"]
    w = make_worker(qy, "叶长文")
    medical = make_team(qy, "医疗卫生服务队", "medical", members=[w])
    power = make_team(qy, "电力服务队", "power", founded=date(2022, 12, 31))
    liandu = make_team(ld, "莲都区劳模志愿服务队", "technical")
    gone = make_team(ld, "已撤销服务队", "legal", founded=date(2019, 1, 1))
    services.team_dissolve(actor=SYSTEM, team=gone, dissolved_on=date(2021, 12, 31), reason="合并")
    make_record(medical, date(2022, 12, 31), 100, workers=[w], hours="2.5")  # 31 December counts in 2022
    make_record(medical, date(2023, 1, 1), 7, workers=[w])  # 1 January in 2023
    make_record(power, date(2022, 12, 31), 30, hours="1.25")
    make_record(liandu, date(2022, 6, 1), 50, hours="3")
    # Requests: one received 31 Dec 2022 23:30 local, completed and rated on 1 Jan 2023; one received 1 Jan 2023.
    req = make_request(qy, when=moment(date(2022, 12, 31), 23))
    with services.at(moment(date(2022, 12, 31), 23) + timedelta(minutes=40)):
        services.request_dispatch(actor=SYSTEM, request=req, team=medical, worker=w)
        services.request_accept(actor=SYSTEM, request=req)
    with services.at(moment(date(2023, 1, 1), 15)):
        services.request_complete(actor=SYSTEM, request=req, date=date(2023, 1, 1), place_kind="village",
                                  place="竹口镇", content="上门量血压", person_times=2,
                                  volunteers=[{"worker": w, "hours": "1"}])
        services.request_rate(actor=PUBLIC, request=req, rating=4)
    make_request(ld, category="power", description="电路老化经常跳闸", when=moment(date(2023, 1, 1), 0))
    return {"qy": qy, "ld": ld}


@pytest.mark.django_db
def test_it_has_exactly_the_design_keys(data, orgs):
    section = volunteering_section(year=2022, org=orgs["331100"])
    assert set(section) == KEYS
    assert set(section["person_times_by_team_type"]) == TYPES
    assert set(section["requests"]) == {"received", "completed", "average_rating"}
    assert isinstance(section["volunteer_hours"], str)


@pytest.mark.django_db
def test_it_counts_a_county_for_itself_and_the_city_but_not_another_county(data, orgs):
    qy = volunteering_section(year=2022, org=orgs["331126"])
    assert qy == {
        "teams": 2, "service_records": 2, "person_times": 130, "volunteer_hours": "3.75",
        "person_times_by_team_type": {"medical": 100, "power": 30, "fungus": 0, "agriculture": 0, "forestry": 0,
                                      "legal": 0, "counselling": 0, "technical": 0},
        "requests": {"received": 1, "completed": 0, "average_rating": None},
    }
    ld = volunteering_section(year=2022, org=orgs["331102"])
    assert ld["service_records"] == 1 and ld["person_times"] == 50 and ld["volunteer_hours"] == "3.00"
    assert ld["teams"] == 1  # the team dissolved on 31 Dec 2021 no longer counts
    assert ld["requests"] == {"received": 0, "completed": 0, "average_rating": None}
    city = volunteering_section(year=2022, org=orgs["331100"])
    assert city["person_times"] == 180 and city["service_records"] == 3 and city["volunteer_hours"] == "6.75"
    assert city["teams"] == 3 and city["person_times_by_team_type"]["technical"] == 50
    assert volunteering_section(year=2022, org=orgs["331181"])["person_times"] == 0  # 龙泉 has none


@pytest.mark.django_db
def test_it_puts_1_january_in_the_new_year(data, orgs):
    qy = volunteering_section(year=2023, org=orgs["331126"])
    assert qy["service_records"] == 2 and qy["person_times"] == 9  # the 1 Jan record and the completion record
    assert qy["requests"] == {"received": 0, "completed": 1, "average_rating": 4.0}
    assert volunteering_section(year=2021, org=orgs["331102"])["teams"] == 2  # the dissolved one still counts in 2021
    city = volunteering_section(year=2023, org=orgs["331100"])
    assert city["requests"]["received"] == 1 and city["teams"] == 3


@pytest.mark.django_db
def test_it_leaves_out_deleted_records_and_serves_the_api(data, orgs, users, monkeypatch):
    # Only this module's section: other modules' sections are tested by their own suites.
    monkeypatch.setattr(registry, "_SECTIONS", {"volunteering": registry._SECTIONS["volunteering"]})
    record = ServiceRecord.objects.get(person_times=50)
    services.record_remove(actor=SYSTEM, record=record, reason="重复登记")
    assert volunteering_section(year=2022, org=orgs["331102"])["person_times"] == 0
    assert summary(user=users["city_staff"], year=2022, org=orgs["331100"])["volunteering"]["person_times"] == 130
    _, token = api_token_create(actor=SYSTEM, user=users["county_staff_qy"], name="t")
    body = login_client(users["county_staff_qy"]).get(
        "/api/v1/reports/summary?year=2022", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["volunteering"]["person_times"] == 130 and body["org"] == "331126"
