"""The reports workspace: every figure links to the records behind it, and those records give the same figure."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laomo.care.tests import factories as care_f
from laomo.care.tests.test_figures import data as care_data
from laomo.core.actors import SYSTEM
from laomo.orgs.models import OrgUnit
from laomo.orgs.services import org_create
from laomo.outreach import services as outreach_services
from laomo.outreach.tests import factories as outreach_f
from laomo.outreach.tests.factories import lecture
from laomo.outreach.tests.test_figures import data as outreach_data
from laomo.reports import workspace
from laomo.reports.drill import drill_for, has_drill
from laomo.reports.selectors import summaries_below, summaries_for_years, summary
from laomo.retreats.tests.test_reports import trips
from laomo.studios import services as studios_services
from laomo.studios.tests import factories as studios_f
from laomo.studios.tests.test_figures import world
from laomo.volunteering import services as volunteering_services
from laomo.volunteering.tests import factories as volunteering_f
from laomo.volunteering.tests.test_figures import data as volunteering_data
from laomo.workers import services as worker_services
from laomo.workers.tests.factories import make_id, make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(orgs, users):
    """The hand-counted records of every module's figure tests, in one database."""
    outreach_data._get_wrapped_function()(orgs)
    volunteering_data._get_wrapped_function()(orgs, users)
    care_data._get_wrapped_function()(orgs)
    trips._get_wrapped_function()(orgs)
    world._get_wrapped_function()(orgs)
    make_worker(orgs["331102"], "甲", id_number=make_id("331102", "19650101"),
                honors=[("全国劳动模范", 2015), ("浙江省劳动模范", 2010)])
    make_worker(orgs["331126"], "丁", id_number=make_id("331126", "19700101"), honors=[("庆元县劳动模范", 2023)])
    make_worker(orgs["331101"], "己", id_number=make_id("331101", "19720101"), honors=[("丽水市先进工作者", 2022)])
    dead = make_worker(orgs["331126"], "辛", id_number=make_id("331126", "19310101"), honors=[("浙江省劳动模范", 1990)])
    worker_services.worker_set_status(actor=SYSTEM, worker=dead, status="deceased", status_date=date(2023, 3, 1))


def _same(figure, value) -> bool:
    return workspace.number(figure) == workspace.number(value)


def test_it_has_a_drill_for_every_figure_of_the_summary(everything, users, orgs):
    ws = workspace.build(user=users["city_staff"], year=2022, org=orgs["331100"])
    assert len(ws.rows) > 40
    assert [r.path for r in ws.rows if not has_drill(r.path)] == []


@pytest.mark.parametrize("year", [2022, 2023])
def test_it_gives_every_figure_back_from_its_records(everything, users, orgs, year):
    city = orgs["331100"]
    ws = workspace.build(user=users["city_staff"], year=year, org=city)
    checked = 0
    for row in ws.rows:
        for unit, cell in [(city, row.total)] + list(zip(ws.units, row.units, strict=True)):
            drill = drill_for(row.path, year=year, org=unit)
            assert _same(drill.figure(), cell.value), (row.path, unit.code, drill.figure(), cell.value)
            if drill.value is None:
                assert drill.qs.count() == cell.value
            checked += 1
    assert checked == len(ws.rows) * (len(ws.units) + 1)


def test_it_shows_the_same_figure_and_count_on_the_records_page(everything, clients, orgs):
    page = clients["city_staff"].get("/reports/", {"year": 2022})
    ws = page.context["ws"]
    samples = {"workers.total", "outreach.lectures", "outreach.audience", "outreach.online_views",
               "volunteering.person_times", "volunteering.volunteer_hours", "care.amount", "retreats.participants",
               "studios.mentorships_by_form.one_to_many", "volunteering.requests.average_rating"}
    rows = {r.path: r for r in ws.rows}
    for path in samples:
        row = rows[path]
        for cell in [row.total] + row.units:
            assert cell.url, path
            response = clients["city_staff"].get(cell.url)
            assert response.status_code == 200
            assert _same(response.context["drill"].figure(), cell.value), (path, cell.url)
            body = response.content.decode()
            assert f'data-testid="records-count">{response.context["count"]:,}<' in body
    lectures = clients["city_staff"].get(rows["outreach.lectures"].total.url)
    assert lectures.context["count"] == 5 and "宣讲题目" in lectures.content.decode()


def test_it_adds_the_units_up_to_the_city(everything, users, orgs):
    for year in (2022, 2023):
        ws = workspace.build(user=users["city_staff"], year=year, org=orgs["331100"])
        for row in ws.rows:
            if not workspace.is_additive(row.path):
                continue
            parts = sum(workspace.number(c.value) for c in row.units) + (row.own or Decimal(0))
            assert parts == workspace.number(row.total.value), (year, row.path)
    # The one batch organized by the city itself is shown as the city's own part.
    ws = workspace.build(user=users["city_staff"], year=2022, org=orgs["331100"])
    assert {r.path: r.own for r in ws.rows}["retreats.batches"] == 1


def test_it_compares_with_the_previous_year(everything, users, orgs):
    ws = workspace.build(user=users["city_staff"], year=2023, org=orgs["331100"])
    lectures = next(r for r in ws.rows if r.path == "outreach.lectures")
    assert (lectures.total.value, lectures.previous) == (1, 5) and lectures.change == "-80.0%"
    assert workspace.change(5, 0) is None and workspace.change("12.50", "10.00") == "+25.0%"
    assert ws.series_years == [2019, 2020, 2021, 2022, 2023]
    assert lectures.series == [0, 0, 1, 5, 1]  # 2021: the 31 December lecture of 市本级
    assert [c["id"] for c in ws.charts][-1] == "chart-series"
    series = ws.charts[-1]["chart"]["series"]
    assert series[0]["name"] == "宣讲场次" and series[0]["data"][-2:] == ["5", "1"]


def test_it_keeps_a_county_to_its_own_figures(everything, clients):
    response = clients["county_staff"].get("/reports/", {"year": 2022})
    ws = response.context["ws"]
    assert ws.org.code == "331102"
    refused = clients["county_staff"].get("/reports/records/", {"metric": "outreach.lectures", "year": 2022,
                                                                "org": "331126"})
    assert refused.status_code == 403
    own = clients["county_staff"].get("/reports/records/", {"metric": "outreach.lectures", "year": 2022})
    assert own.status_code == 200 and own.context["count"] == 2
    unknown = clients["county_staff"].get("/reports/records/", {"metric": "nothing.here", "year": 2022})
    assert unknown.status_code == 302


def test_it_renders_the_workspace_with_links_notes_and_charts(everything, clients):
    body = clients["city_staff"].get("/reports/", {"year": 2022}).content.decode()
    assert body.count('data-testid="figure-link"') > 40 * 11
    assert "口径说明" in body and "当年12月31日" in body and 'data-testid="report-charts"' in body
    assert 'data-metric="outreach.online_views_cumulative"' in body and "同比" in body


def test_it_links_every_cell_as_drill_url_does(everything, users, orgs):
    """The workspace builds its ~600 links from a once-reversed page (issue 16): the same text as drill_url."""
    ws = workspace.build(user=users["city_staff"], year=2022, org=orgs["331100"])
    assert ws.units and any(row.total.url for row in ws.rows)
    for row in ws.rows:
        assert row.total.url == workspace.drill_url(row.path, year=2022, org=orgs["331100"])
        for unit, cell in zip(ws.units, row.units, strict=True):
            assert cell.url == workspace.drill_url(row.path, year=2022, org=unit)


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_it_computes_the_units_below_grouped_as_each_unit_on_its_own(everything, users, orgs, year):
    """Every section grouped by the units below (issue 16) gives each unit's own summary, records of a unit
    two levels down counting in the unit above it."""
    town = org_create(actor=SYSTEM, code="331102002", name="万象街道总工会", kind="township", parent=orgs["331102"])
    worker = make_worker(town, "庚", id_number=make_id("331102", "19680101"), honors=[("丽水市劳动模范", 2018)])
    lecture(town, speakers=[worker], title="街道宣讲", day=date(2022, 7, 1))
    staff, city = users["city_staff"], orgs["331100"]
    units = workspace.child_units(city)
    below = summaries_below(user=staff, year=year, org=city, units=units, previous=True)
    assert list(below) == [u.pk for u in units]
    for unit in units:
        assert below[unit.pk] == summary(user=staff, year=year, org=unit, previous=True), unit.code
    if year == 2022:
        assert below[orgs["331102"].pk]["outreach"]["lectures"] == 3
    assert summaries_below(user=staff, year=year, org=city, units=[]) == {}


@pytest.fixture
def around_the_years(everything, orgs):
    """Besides `everything`: records on both sides of each 31 December of 2020-2023, two levels down too, and
    records that last (a team, a studio, a mentorship) ending in the middle of a year."""
    qy, town = orgs["331126"], OrgUnit.objects.get(code="331102001")  # made by the care records
    gone = make_worker(town, "壬", id_number=make_id("331102", "19400101"), honors=[("莲都区劳动模范", 2019)])
    worker_services.worker_set_status(actor=SYSTEM, worker=gone, status="deceased", status_date=date(2021, 12, 31))
    late = make_worker(qy, "癸", id_number=make_id("331126", "19800101"), honors=[("浙江省劳动模范", 2024)])
    for day in (date(2020, 12, 31), date(2021, 1, 1)):
        lecture(town, speakers=[gone], title=f"街道宣讲{day}", day=day)
    team = volunteering_f.make_team(town, "街道服务队", "fungus", founded=date(2020, 6, 1))
    volunteering_f.make_record(team, date(2020, 12, 31), 11, hours="1.5")
    volunteering_f.make_record(team, date(2021, 1, 1), 13, hours="0.75")
    volunteering_services.team_dissolve(actor=SYSTEM, team=team, dissolved_on=date(2023, 6, 30), reason="合并")
    studio = studios_f.studio(qy, late, name="年中撤销工作室", level="municipal", founded=date(2019, 5, 1))
    studios_services.studio_transition(actor=SYSTEM, studio=studio, to_status="revoked", date=date(2021, 6, 30),
                                       reason="不合格")
    studios_f.mentorship(town, [gone], ["子", "丑"], start=date(2020, 2, 1), end=date(2021, 7, 1))
    item = outreach_f.media(town, title="跨年的视频", publish=date(2020, 3, 1))
    for day, views in ((date(2020, 12, 31), 900), (date(2021, 6, 1), 950), (date(2022, 1, 1), 1_500)):
        outreach_services.reading_add(actor=SYSTEM, item=item, date=day, views=views)
    for year, day in ((2021, date(2021, 12, 31)), (2022, date(2022, 1, 1))):
        care_f.survey(care_f.survey_round(orgs["331100"], year=year), late, per_capita="700", day=day)
    care_f.pay(None, gone, amount="123.45", day=date(2020, 12, 31), visit_type="hardship",
              payment_method="cash", receipt_signed=True)


@pytest.mark.parametrize("code", ["331100", "331102", "331126", "331101", "331102001", "331181"])
def test_it_computes_the_years_grouped_as_each_year_on_its_own(around_the_years, users, orgs, settings, code):
    """Every section for several years at once (issue 16) gives each year's own summary, for a city, counties,
    市本级, a township and a county without records: flows counted by the year of their date, what lasts
    (the registry, teams, studios, mentorships, media views) as of each year."""
    settings.LAOMO_AGGREGATE_CACHE_SECONDS = 0
    staff, org = users["city_staff"], OrgUnit.objects.get(code=code)
    years = [2020, 2021, 2022, 2023, 2024]
    by_year = summaries_for_years(user=staff, years=years, org=org)
    assert list(by_year) == years
    for year in years:
        assert by_year[year] == summary(user=staff, year=year, org=org), (code, year)
    assert summaries_for_years(user=staff, years=[2023, 2021], org=org) == {2023: by_year[2023], 2021: by_year[2021]}
    if code == "331100":
        assert len({str(by_year[y]["workers"]) for y in years}) == len(years)
        assert [by_year[y]["volunteering"]["teams"] for y in years] == [4, 4, 4, 4, 3]


def test_it_reads_and_fills_the_same_cache_entries_for_several_years(around_the_years, users, orgs, settings):
    settings.LAOMO_AGGREGATE_CACHE_SECONDS = 300
    staff, city = users["city_staff"], orgs["331100"]
    one = summary(user=staff, year=2022, org=city, previous=True)  # caches 2021 and 2022
    with CaptureQueriesContext(connection) as ctx:
        by_year = summaries_for_years(user=staff, years=[2020, 2021, 2022], org=city)
    assert by_year[2022] == {k: v for k, v in one.items() if k != "previous_year"}
    computed = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        assert summaries_for_years(user=staff, years=[2020, 2021, 2022], org=city) == by_year
    assert len(ctx.captured_queries) == 1 < computed  # the data version only
    assert summary(user=staff, year=2020, org=city) == by_year[2020]
