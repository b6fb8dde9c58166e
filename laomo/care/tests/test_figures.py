"""Exact figures: the `care` section of the summary report and `workers.in_hardship` per unit and year; the
ledger, the 发放表 export and the summary agree to the fen; dashboard cards."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.test import override_settings

from conftest import login_client
from laomo.api.services import api_token_create
from laomo.care import selectors, services
from laomo.care.reports import care_section
from laomo.core.actors import SYSTEM
from laomo.core.dashboard import cards_for
from laomo.core.money import money_str, parse_money
from laomo.orgs import services as org_services
from laomo.workers import services as worker_services

from .factories import campaign, survey, survey_round, worker

ZERO_TYPES = {"spring_festival": "0.00", "hardship": "0.00", "illness": "0.00", "elderly": "0.00",
              "bereavement": "0.00", "other": "0.00"}


@pytest.fixture
def data(orgs):
    """莲都 (one worker in a township below it), 庆元, 市本级; visits on 31 Dec 2021, 1 Jan 2022 and through 2022."""
    town = org_services.org_create(actor=SYSTEM, code="331102001", name="紫金街道总工会", kind="township",
                                   parent=orgs["331102"])
    lian_a = worker(orgs["331102"], "甲", "provincial")
    lian_b = worker(town, "乙", "municipal")
    qy = worker(orgs["331126"], "丙", "municipal")
    direct = worker(orgs["331101"], "丁", "national")
    c21 = campaign(orgs["331100"], year=2021, start=date(2021, 12, 1), end=date(2021, 12, 31), name="2021年岁末慰问",
                   budget="100000")
    c22 = campaign(orgs["331100"], year=2022, start=date(2022, 1, 1), end=date(2022, 2, 15), budget="100000",
                   hardship_extra="0.33")
    for c in (c21, c22):
        services.recipients_generate(actor=SYSTEM, campaign=c)
    pay = dict(method="home", payment_method="transfer")
    services.visit_record(actor=SYSTEM, worker=lian_a, campaign=c21, visit_date=date(2021, 12, 31), amount="1000.10",
                          **pay)
    services.visit_record(actor=SYSTEM, worker=lian_a, campaign=c22, visit_date=date(2022, 1, 1), amount="1000.20",
                          **pay)
    services.visit_record(actor=SYSTEM, worker=lian_b, campaign=c22, visit_date=date(2022, 1, 2),
                          amount="500.30", **pay)
    services.visit_record(actor=SYSTEM, worker=qy, campaign=c22, visit_date=date(2022, 1, 3), amount="500.40", **pay)
    services.visit_record(actor=SYSTEM, worker=direct, campaign=c22, visit_date=date(2022, 1, 4), amount="2000.50",
                          **pay)
    services.visit_record(actor=SYSTEM, worker=lian_b, visit_type="illness", visit_date=date(2022, 12, 31),
                          amount="300.33", **pay)
    services.visit_record(actor=SYSTEM, worker=qy, visit_type="hardship", visit_date=date(2022, 6, 1), method="letter")
    voided = services.visit_record(actor=SYSTEM, worker=qy, visit_type="elderly", visit_date=date(2022, 7, 1),
                                   amount="99.99", **pay)
    services.visit_void(actor=SYSTEM, visit=voided, reason="登记错误")
    services.visit_record(actor=SYSTEM, worker=direct, visit_type="other", visit_date=date(2023, 1, 1), amount="7.77",
                          **pay)
    return {"town": town, "lian_a": lian_a, "lian_b": lian_b, "qy": qy, "direct": direct, "c21": c21, "c22": c22}


@pytest.mark.django_db
def test_it_counts_each_visit_in_its_year_and_unit_and_above(data, orgs):
    city = care_section(year=2022, org=orgs["331100"])
    assert city == {"visits": 6, "workers_visited": 4, "amount": "4301.73",
                    "amount_by_type": {**ZERO_TYPES, "spring_festival": "4001.40", "illness": "300.33"},
                    "hardship_surveyed": 0}
    lian = care_section(year=2022, org=orgs["331102"])
    assert lian == {"visits": 3, "workers_visited": 2, "amount": "1800.83",
                    "amount_by_type": {**ZERO_TYPES, "spring_festival": "1500.50", "illness": "300.33"},
                    "hardship_surveyed": 0}
    assert care_section(year=2022, org=data["town"])["amount"] == "800.63"
    qy = care_section(year=2022, org=orgs["331126"])
    assert (qy["visits"], qy["workers_visited"], qy["amount"]) == (2, 1, "500.40")  # the letter counts, the void not
    assert care_section(year=2022, org=orgs["331122"]) == {"visits": 0, "workers_visited": 0, "amount": "0.00",
                                                          "amount_by_type": ZERO_TYPES, "hardship_surveyed": 0}
    assert care_section(year=2021, org=orgs["331100"])["amount"] == "1000.10"  # 31 December
    assert care_section(year=2023, org=orgs["331100"])["amount_by_type"]["other"] == "7.77"  # 1 January
    parts = [care_section(year=2022, org=orgs[code]) for code in ("331101", "331102", "331126")]
    assert sum(Decimal(p["amount"]) for p in parts) == Decimal(city["amount"])
    assert all(type(v) is str for v in city["amount_by_type"].values())


@pytest.mark.django_db
def test_it_counts_hardship_surveys_and_workers_in_hardship_by_year(data, orgs, client, users):
    r21 = survey_round(orgs["331100"], year=2021)
    r22 = survey_round(orgs["331100"], year=2022)
    survey(r21, data["qy"], per_capita="700", day=date(2021, 12, 31))  # in hardship from 31 Dec 2021
    survey(r22, data["qy"], per_capita="3000", causes=[], day=date(2022, 6, 1))  # out of it in 2022
    survey(r22, data["lian_b"], per_capita="900", causes=[], day=date(2022, 1, 1))
    survey(r22, data["lian_a"], per_capita="500", approve=False)  # not approved: not counted
    assert care_section(year=2021, org=orgs["331100"])["hardship_surveyed"] == 1
    assert care_section(year=2022, org=orgs["331100"])["hardship_surveyed"] == 2
    assert care_section(year=2022, org=orgs["331126"])["hardship_surveyed"] == 1
    assert care_section(year=2022, org=orgs["331122"])["hardship_surveyed"] == 0
    _, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])

    def in_hardship(year, org="331100"):
        response = client.get("/api/v1/reports/summary", {"year": year, "org": org}, HTTP_AUTHORIZATION=f"Bearer {raw}")
        return response.json()["workers"]["in_hardship"]

    assert in_hardship(2021) == 1 and in_hardship(2021, "331126") == 1 and in_hardship(2021, "331102") == 0
    assert in_hardship(2022) == 1 and in_hardship(2022, "331102") == 1 and in_hardship(2022, "331126") == 0
    assert in_hardship(2020) == 0
    body = client.get("/api/v1/reports/summary", {"year": 2022}, HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert body["care"]["amount"] == "4301.73" and body["care"]["visits"] == 6


@pytest.mark.django_db
def test_the_ledger_the_export_and_the_summary_agree(data, orgs, users):
    city = users["city_staff"]
    rows = selectors.county_ledger(user=city, year=2022)
    totals = selectors.ledger_totals(rows)
    assert totals["paid"] == Decimal("4001.40")  # the 2022 campaign: 1000.20 + 500.30 + 500.40 + 2000.50
    by_unit = {r["org"].code: r["paid"] for r in rows}
    assert by_unit == {"331101": Decimal("2000.50"), "331102": Decimal("1500.50"), "331126": Decimal("500.40")} | {
        code: Decimal("0.00") for code in by_unit if code not in ("331101", "331102", "331126")}
    campaign_only = care_section(year=2022, org=orgs["331100"])["amount_by_type"]["spring_festival"]
    assert Decimal(campaign_only) == totals["paid"]
    client = login_client(city)
    sheet = client.get(f"/care/campaigns/{data['c22'].pk}/sheet/", {"format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(sheet.streaming_content))).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0][13] == "本人签名"
    assert values[-1][0] == "合计" and Decimal(str(values[-1][7])) == totals["paid"]
    ledger = client.get("/care/ledger/", {"year": 2022, "format": "xlsx"})
    lv = [list(r) for r in openpyxl.load_workbook(io.BytesIO(b"".join(ledger.streaming_content))).active.iter_rows(
        values_only=True)]
    assert lv[-1][0] == "合计" and Decimal(str(lv[-1][3])) == totals["paid"]
    chart = selectors.money_by_county(user=city, year=2022)
    assert sum(r["amount"] for r in chart) == Decimal(care_section(year=2022, org=orgs["331100"])["amount"])


@pytest.mark.django_db
def test_it_shows_dashboard_cards_in_scope(data, orgs, users):
    county = cards_for(user=users["county_staff"], year=2022, org=orgs["331102"])
    cards = {c.get("label"): c.get("value") for c in county}
    assert cards["2022年慰问人次"] == 3 and cards["2022年慰问金(元)"] == "1,800.83"
    viewer = {c.get("label") for c in cards_for(user=users["viewer"], year=2022, org=orgs["331100"])}
    assert "2022年慰问金(元)" in viewer and "待审核困难调查表" not in viewer
    chart = next(c["chart"] for c in county if c.get("label") == "2022年各单位慰问金(元)")
    assert dict(zip(chart["xAxis"]["data"], chart["series"][0]["data"], strict=True)) == {
        "莲都区": "1000.20", "紫金街道总工会": "800.63"}  # the county's own records, then the unit below it
    own = cards_for(user=users["worker"], year=2022, org=orgs["331126"])
    assert not [c for c in own if "慰问" in c.get("label", "")]


@pytest.mark.django_db
def test_a_deceased_worker_still_counts_in_the_year_of_the_visit(data, orgs, users):
    worker_services.worker_set_status(actor=users["city_staff"], worker=data["qy"], status="deceased",
                                      status_date=date(2022, 3, 1))
    assert care_section(year=2022, org=orgs["331126"])["amount"] == "500.40"


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_it_is_exact_with_awkward_amounts():
    assert money_str(parse_money("0.1") + parse_money("0.2")) == "0.30"
    assert money_str(parse_money("1,234.5")) == "1234.50"
