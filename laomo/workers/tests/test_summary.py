"""The `workers` section of the summary report (DESIGN.md §7) and the registry's dashboard cards."""

from __future__ import annotations

from datetime import date

import pytest

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.orgs import services as org_services
from laomo.workers import services

from .factories import make_id, make_worker

YEAR = 2022


@pytest.fixture
def tokens(users):
    return {key: api_token_create(actor=SYSTEM, user=user)[1] for key, user in users.items()}


@pytest.fixture
def registry(orgs):
    """莲都: 3 (one in a township below it), 庆元: 2, 市本级: 1, plus the deceased."""
    town = org_services.org_create(actor=SYSTEM, code="331102001", name="紫金街道总工会", kind="township",
                                   parent=orgs["331102"])
    people = {
        "national": make_worker(orgs["331102"], "甲", id_number=make_id("331102", "19650101"),
                                honors=[("全国劳动模范", 2015), ("浙江省劳动模范", 2010)]),
        "provincial": make_worker(town, "乙", id_number=make_id("331102", "19660101"),
                                  honors=[("浙江省劳动模范", 2016)]),
        "none": make_worker(orgs["331102"], "丙"),
        "county_qy": make_worker(orgs["331126"], "丁", id_number=make_id("331126", "19700101"),
                                 honors=[("庆元县劳动模范", 2022)]),
        "municipal_qy": make_worker(orgs["331126"], "戊", id_number=make_id("331126", "19710101"),
                                    honors=[("丽水市劳动模范", 2018)]),
        "city_direct": make_worker(orgs["331101"], "己", id_number=make_id("331101", "19720101"),
                                   honors=[("丽水市先进工作者", 2022)]),
        # Deceased during 2021: counted up to 2020, not in 2021 (the registry as of 31 December).
        "dead_2021": make_worker(orgs["331102"], "庚", id_number=make_id("331102", "19300101"),
                                 honors=[("全国劳动模范", 1985)]),
        # Deceased during 2022: counted in 2021, not in 2022.
        "dead_2022": make_worker(orgs["331126"], "辛", id_number=make_id("331126", "19310101"),
                                 honors=[("浙江省劳动模范", 1990)]),
    }
    services.worker_set_status(actor=SYSTEM, worker=people["dead_2021"], status="deceased",
                               status_date=date(2021, 6, 20))
    services.worker_set_status(actor=SYSTEM, worker=people["dead_2022"], status="deceased",
                               status_date=date(2022, 3, 1))
    return people


def _summary(client, token, **params):
    response = client.get("/api/v1/reports/summary", {"year": YEAR, **params}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_it_counts_the_county_subtree_for_county_staff(client, tokens, registry):
    data = _summary(client, tokens["county_staff"])
    assert data["org"] == "331102"
    assert data["workers"]["total"] == 2  # 甲, 乙; 丙 has no honor recorded, 庚 died in 2021
    assert data["workers"]["by_level"] == {"national": 1, "provincial": 1, "municipal": 0, "county": 0}
    qy = _summary(client, tokens["county_staff_qy"])
    assert qy["org"] == "331126"
    assert qy["workers"]["total"] == 2  # 丁, 戊; 辛 died in 2022
    assert qy["workers"]["by_level"] == {"national": 0, "provincial": 0, "municipal": 1, "county": 1}


@pytest.mark.django_db
def test_it_sums_the_counties_into_the_city(client, tokens, registry):
    for year in (2020, 2021, 2022, 2023):
        city = _summary(client, tokens["city_staff"], year=year)
        assert city["org"] == "331100"
        parts = [_summary(client, tokens["city_staff"], org=code, year=year)["workers"]
                 for code in ("331101", "331102", "331126")]
        assert city["workers"]["total"] == sum(p["total"] for p in parts)
        for level in ("national", "provincial", "municipal", "county"):
            assert city["workers"]["by_level"][level] == sum(p["by_level"][level] for p in parts)
    city = _summary(client, tokens["city_staff"])
    assert city["workers"]["total"] == 5
    assert city["workers"]["by_level"] == {"national": 1, "provincial": 1, "municipal": 2, "county": 1}
    assert all(type(v) is int for v in city["workers"]["by_level"].values())
    assert _summary(client, tokens["viewer"])["workers"] == city["workers"]


@pytest.mark.django_db
def test_it_counts_the_registry_as_of_31_december(client, tokens, registry):
    ld = {year: _summary(client, tokens["county_staff"], year=year)["workers"] for year in (2020, 2021, 2022)}
    assert ld[2020]["total"] == 3 and ld[2020]["by_level"]["national"] == 2  # 庚 alive until June 2021
    assert ld[2021]["total"] == 2 and ld[2021]["by_level"]["national"] == 1
    assert ld[2022]["total"] == 2
    qy = {year: _summary(client, tokens["county_staff_qy"], year=year)["workers"] for year in (2021, 2022, 2023)}
    assert qy[2021]["total"] == 2 and qy[2021]["by_level"]["county"] == 0  # 戊, 辛; 丁 not honored until 2022
    assert qy[2022]["total"] == 2 and qy[2022]["by_level"]["county"] == 1  # 丁, 戊; 辛 died in 2022
    assert qy[2023]["total"] == 2


@pytest.mark.django_db
def test_it_does_not_count_honors_awarded_after_the_year(client, tokens, registry, orgs):
    """The level split follows the honors awarded by then: 甲 was provincial until the 2015 national title."""
    # (national, provincial) in 莲都 by year: 庚 national since 1985; 甲 provincial 2010, national 2015; 乙 2016.
    expected = {2009: (1, 0), 2010: (1, 1), 2014: (1, 1), 2015: (2, 0), 2016: (2, 1), 2021: (1, 1)}
    for year, (national, provincial) in expected.items():
        by_level = _summary(client, tokens["county_staff"], year=year)["workers"]["by_level"]
        assert (by_level["national"], by_level["provincial"]) == (national, provincial), year
    # A record typed in today for an honor of 2024 does not appear in 2023, whenever it was entered.
    late = make_worker(orgs["331102"], "壬", id_number=make_id("331102", "19800101"), honors=[("丽水市劳动模范", 2024)])
    assert _summary(client, tokens["county_staff"], year=2023)["workers"]["total"] == 2
    assert _summary(client, tokens["county_staff"], year=2024)["workers"]["by_level"]["municipal"] == 1
    # An honor dated only by its award date counts in that date's year.
    services.honor_add(actor=SYSTEM, worker=late, title="浙江省劳动模范", award_date=date(2025, 4, 28))
    assert _summary(client, tokens["county_staff"], year=2024)["workers"]["by_level"]["provincial"] == 1
    assert _summary(client, tokens["county_staff"], year=2025)["workers"]["by_level"]["provincial"] == 2


@pytest.mark.django_db
def test_it_keeps_the_section_within_scope(client, tokens, registry):
    refused = client.get("/api/v1/reports/summary", {"year": YEAR, "org": "331126"},
                         HTTP_AUTHORIZATION=f"Bearer {tokens['county_staff']}")
    assert refused.status_code == 403
    for role in ("worker", "sysadmin"):
        assert client.get("/api/v1/reports/summary", HTTP_AUTHORIZATION=f"Bearer {tokens[role]}").status_code == 403


def _cards(client, year=YEAR) -> dict:
    response = client.get("/", {"year": year})
    assert response.status_code == 200
    return {card["label"]: card for card in response.context["cards"]}


@pytest.mark.django_db
def test_it_shows_the_registry_cards_on_the_dashboard(clients, registry):
    city = _cards(clients["city_staff"])
    assert city["劳模总数"]["value"] == 8
    assert city["省部级及以上劳模"]["value"] == 4  # 甲, 乙, 庚, 辛
    assert city["2022年获评荣誉"]["value"] == 2  # 丁 and 己
    assert city["待补全身份证号"]["value"] == 1 and city["待补全身份证号"]["url"] == "/workers/?incomplete=1"
    county = _cards(clients["county_staff"])
    assert county["劳模总数"]["value"] == 4 and county["待补全身份证号"]["value"] == 1
    assert county["2022年获评荣誉"]["value"] == 0
    qy = _cards(clients["county_staff_qy"])
    assert qy["劳模总数"]["value"] == 3 and qy["2022年获评荣誉"]["value"] == 1
    page = clients["city_staff"].get("/", {"year": YEAR}).content.decode()
    assert "劳模总数" in page and 'data-testid="dashboard-cards"' in page


@pytest.mark.django_db
def test_it_shows_no_registry_cards_without_business_access(clients, registry):
    for role in ("sysadmin", "auditor"):
        response = clients[role].get("/")
        assert response.status_code == 200
        assert not any(card["label"] == "劳模总数" for card in response.context["cards"])


@pytest.mark.django_db
def test_it_serves_the_previous_years_figures_beside_the_years(client, tokens, registry):
    data = _summary(client, tokens["county_staff_qy"], year=2022)
    previous = data["previous_year"]
    assert previous["year"] == 2021
    assert previous["workers"] == _summary(client, tokens["county_staff_qy"], year=2021)["workers"]
    assert set(previous) - {"year"} == set(data) - {"year", "org", "previous_year"}
    assert previous["workers"]["by_level"]["county"] == 0 and data["workers"]["by_level"]["county"] == 1
