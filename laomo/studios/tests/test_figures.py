"""Exact figures: the `studios` section of the summary report per unit and year, the dashboard cards."""

from datetime import date
from decimal import Decimal

import pytest

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.reports.selectors import summary
from laomo.studios import services
from laomo.studios.reports import studio_cards, studios_section

from .factories import mentorship, studio, tech_help, worker

pytestmark = pytest.mark.django_db

ZERO_LEVELS = {"national": 0, "provincial": 0, "municipal": 0, "county": 0}
ZERO_FORMS = {"one_to_one": 0, "one_to_many": 0, "many_to_one": 0, "many_to_many": 0}


@pytest.fixture
def world(orgs):
    ld, qy = orgs["331102"], orgs["331126"]
    w = {
        "ld1": worker(ld, "莲都一", "浙江省劳动模范"), "ld2": worker(ld, "莲都二", "丽水市劳动模范"),
        "ld3": worker(ld, "莲都三"), "qy1": worker(qy, "庆元一", "全国劳动模范"), "qy2": worker(qy, "庆元二"),
    }
    # Studios: founded on 31 Dec 2022 counts in 2022; founded on 1 Jan 2023 does not.
    studio(ld, w["ld1"], name="年末工作室", level="provincial", founded=date(2022, 12, 31))
    studio(ld, w["ld2"], name="年初工作室", level="municipal", founded=date(2023, 1, 1))
    s = studio(qy, w["qy1"], name="庆元工作室", level="national", founded=date(2015, 1, 1), status="named",
               named_date=date(2016, 1, 1))
    gone = studio(qy, w["qy2"], name="撤销工作室", level="county", founded=date(2015, 1, 1))
    services.studio_transition(actor=SYSTEM, studio=gone, to_status="revoked", date=date(2022, 1, 1), reason="不合格")
    early = studio(ld, w["ld3"], name="早撤工作室", level="county", founded=date(2015, 1, 1))
    services.studio_transition(actor=SYSTEM, studio=early, to_status="revoked", date=date(2021, 12, 31),
                               reason="不合格")
    # Mentorships, counted in the years they are active in.
    mentorship(ld, [w["ld1"]], ["甲"], start=date(2022, 12, 31))  # one_to_one, 2022 on
    mentorship(ld, [w["ld1"]], ["甲", "乙"], start=date(2023, 1, 1))  # one_to_many, 2023 on
    mentorship(ld, [w["ld1"], w["ld2"]], ["丙"], start=date(2021, 3, 1), end=date(2022, 1, 1))  # many_to_one
    mentorship(ld, [w["ld1"], w["ld2"]], ["丁", "戊"], start=date(2020, 3, 1), end=date(2021, 12, 31))
    mentorship(qy, [w["qy1"]], ["己", "庚", w["qy2"]], start=date(2021, 5, 1), studio=s)  # one_to_many, running
    deleted = mentorship(qy, [w["qy1"]], ["辛"], start=date(2022, 5, 1))
    services.mentorship_delete(actor=SYSTEM, mentorship=deleted, reason="重复")
    return w


@pytest.mark.parametrize(("code", "year", "expected"), [
    ("331100", 2022, {"studios": 3, "by_level": {"national": 1, "provincial": 1, "municipal": 0, "county": 1},
                      "mentorships": 3, "mentorships_by_form": {"one_to_one": 1, "one_to_many": 1,
                                                                "many_to_one": 1, "many_to_many": 0}}),
    ("331102", 2022, {"studios": 1, "by_level": {**ZERO_LEVELS, "provincial": 1},
                      "mentorships": 2, "mentorships_by_form": {**ZERO_FORMS, "one_to_one": 1, "many_to_one": 1}}),
    ("331126", 2022, {"studios": 2, "by_level": {**ZERO_LEVELS, "national": 1, "county": 1},
                      "mentorships": 1, "mentorships_by_form": {**ZERO_FORMS, "one_to_many": 1}}),
    ("331121", 2022, {"studios": 0, "by_level": ZERO_LEVELS, "mentorships": 0, "mentorships_by_form": ZERO_FORMS}),
    ("331102", 2023, {"studios": 2, "by_level": {**ZERO_LEVELS, "provincial": 1, "municipal": 1},
                      "mentorships": 2, "mentorships_by_form": {**ZERO_FORMS, "one_to_one": 1, "one_to_many": 1}}),
    ("331126", 2023, {"studios": 1, "by_level": {**ZERO_LEVELS, "national": 1},
                      "mentorships": 1, "mentorships_by_form": {**ZERO_FORMS, "one_to_many": 1}}),
    ("331102", 2021, {"studios": 1, "by_level": {**ZERO_LEVELS, "county": 1},
                      "mentorships": 2, "mentorships_by_form": {**ZERO_FORMS, "many_to_one": 1,
                                                                "many_to_many": 1}}),
])
def test_it_counts_each_record_in_its_unit_and_above_by_year(orgs, world, code, year, expected):
    assert studios_section(year=year, org=orgs[code]) == expected


def test_it_serves_the_section_in_the_summary_api_for_the_callers_scope(client, orgs, users, world):
    _, raw = api_token_create(actor=SYSTEM, user=users["county_staff"])
    data = client.get("/api/v1/reports/summary?year=2022", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert data["org"] == "331102" and data["studios"]["studios"] == 1
    assert data["studios"]["mentorships_by_form"] == {**ZERO_FORMS, "one_to_one": 1, "many_to_one": 1}
    refused = client.get("/api/v1/reports/summary?year=2022&org=331126", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert refused.status_code == 403
    section = client.get("/api/v1/studios/figures?year=2022", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert section == data["studios"]
    assert client.get("/api/v1/studios/figures?org=331126", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403
    schema = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    doc = schema["paths"]["/api/v1/studios/figures"]["get"]["description"]
    assert "in being during the year" in doc and "active in the year" in doc
    city = summary(user=users["city_staff"], year=2022, org=orgs["331100"])
    assert list(city["studios"]) == ["studios", "by_level", "mentorships", "mentorships_by_form"]


def test_it_shows_cards_from_the_users_scope(orgs, users, world):
    s = services.studio_create(actor=SYSTEM, org=orgs["331102"], name="卡片工作室", studio_type="craftsman",
                               level="municipal", lead=world["ld2"], host_enterprise="某厂",
                               founded_date=date(2019, 1, 1))
    services.achievement_add(actor=SYSTEM, studio=s, kind="qc", title="降低返工率", achieved_date=date(2022, 3, 1),
                             economic_benefit="1234.50")
    services.achievement_add(actor=SYSTEM, studio=s, kind="paper", title="论文", achieved_date=date(2022, 12, 31))
    services.achievement_add(actor=SYSTEM, studio=s, kind="award", title="明年", achieved_date=date(2023, 1, 1),
                             economic_benefit="99")
    tech_help(orgs["331102"], [world["ld1"]], day=date(2022, 1, 1), trainees_count=30)
    tech_help(orgs["331102"], [world["ld1"]], day=date(2022, 12, 31), trainees_count=12)
    tech_help(orgs["331126"], [world["qy1"]], day=date(2022, 6, 1), trainees_count=500)
    cards = {c["label"]: c for c in studio_cards(user=users["county_staff"], year=2022, org=orgs["331102"])}
    assert cards["2022年创新工作室"]["value"] == 2
    assert cards["2022年工作室成果"]["value"] == 2 and cards["2022年工作室成果"]["note"] == "经济效益 1,234.50 元"
    assert cards["2022年传帮带结对"]["value"] == 2
    assert cards["2022年技术服务活动"]["value"] == 2 and cards["2022年技术服务活动"]["note"] == "受训/受益 42 人次"
    # Flagged: 年末工作室 and 卡片工作室 both have no project in 2022 (卡片工作室 has recognized results).
    assert cards["2022年创新工作室"]["note"] == "需关注 2 个"
    assert studio_cards(user=users["worker"], year=2022, org=orgs["331126"]) == []
    assert Decimal("1234.50") == s.achievements.get(kind="qc").economic_benefit


def test_it_sums_the_economic_benefit_to_the_fen(orgs, users, world):
    """SQLite keeps DECIMAL as a float: 0.10 + 0.20 must still show as exactly 0.30 (fen_sum, not a plain Sum)."""
    s = studio(orgs["331102"], world["ld2"], name="分毫工作室", founded=date(2019, 1, 1))
    for benefit in ("0.10", "0.20"):
        services.achievement_add(actor=users["county_staff"], studio=s, kind="qc", title=f"成果{benefit}",
                                 achieved_date=date(2022, 3, 1), economic_benefit=benefit)
    cards = {c["label"]: c for c in studio_cards(user=users["county_staff"], year=2022, org=orgs["331102"])}
    assert cards["2022年工作室成果"]["note"] == "经济效益 0.30 元"
