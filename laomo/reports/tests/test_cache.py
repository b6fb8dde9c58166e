"""Summary sections and dashboard cards come from the shared cache and are never stale after a write (issue 16)."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login_client
from laomo.care.tests import factories as care_f
from laomo.core import aggregates
from laomo.core.actors import SYSTEM
from laomo.core.dashboard import cards_for
from laomo.outreach.tests.factories import lecture
from laomo.reports.selectors import summary
from laomo.volunteering.tests.factories import make_record, make_team
from laomo.workers.tests.factories import make_worker

YEAR = 2022


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.LAOMO_AGGREGATE_CACHE_SECONDS = 300


@pytest.fixture
def city(orgs):
    return orgs["331100"]


def _card(user, org, label: str):
    return next(c["value"] for c in cards_for(user=user, year=YEAR, org=org) if c["label"] == label)


def _both(user, org, section: str, key: str, label: str):
    return summary(user=user, year=YEAR, org=org)[section][key], _card(user, org, label)


@pytest.mark.django_db
def test_it_shows_a_new_lecture_in_the_next_summary_and_dashboard(users, orgs, city):
    staff = users["city_staff"]
    speaker = make_worker(orgs["331126"], "宣讲人", honors=[("丽水市劳动模范", 2015)])
    lecture(orgs["331126"], speakers=[speaker])
    assert _both(staff, city, "outreach", "lectures", f"{YEAR}年宣讲场次") == (1, 1)
    assert _both(staff, city, "outreach", "lectures", f"{YEAR}年宣讲场次") == (1, 1)  # from the cache
    lecture(orgs["331102"], speakers=[speaker], title="第二场")
    assert _both(staff, city, "outreach", "lectures", f"{YEAR}年宣讲场次") == (2, 2)


@pytest.mark.django_db
def test_it_shows_a_new_service_record_in_the_next_summary_and_dashboard(users, orgs, city):
    staff = users["city_staff"]
    team = make_team(orgs["331126"])
    make_record(team, date(YEAR, 3, 1), 7)
    assert _both(staff, city, "volunteering", "person_times", f"{YEAR}年志愿服务人次") == (7, 7)
    make_record(team, date(YEAR, 4, 1), 5)
    assert _both(staff, city, "volunteering", "person_times", f"{YEAR}年志愿服务人次") == (12, 12)


@pytest.mark.django_db
def test_it_shows_a_new_care_visit_in_the_next_summary_and_dashboard(users, orgs, city):
    staff = users["city_staff"]
    from laomo.care import services

    w1 = care_f.worker(orgs["331126"], "慰问甲")
    w2 = care_f.worker(orgs["331126"], "慰问乙")
    services.visit_record(actor=staff, worker=w1, visit_date=date(YEAR, 5, 1), method="home", visit_type="illness")
    assert _both(staff, city, "care", "visits", f"{YEAR}年慰问人次") == (1, 1)
    services.visit_record(actor=staff, worker=w2, visit_date=date(YEAR, 6, 1), method="home", visit_type="illness")
    assert _both(staff, city, "care", "visits", f"{YEAR}年慰问人次") == (2, 2)


@pytest.mark.django_db
def test_it_shows_a_new_honor_in_the_next_summary_and_dashboard(users, orgs, city):
    staff = users["city_staff"]
    make_worker(orgs["331126"], "甲", honors=[("丽水市劳动模范", 2015)])
    assert summary(user=staff, year=YEAR, org=city)["workers"]["total"] == 1
    assert _card(staff, city, "劳模总数") == 1
    newcomer = make_worker(orgs["331102"], "乙")  # no honor yet: on the roster, not in the registry
    assert summary(user=staff, year=YEAR, org=city)["workers"]["total"] == 1
    assert _card(staff, city, "劳模总数") == 2
    from laomo.workers import services

    services.honor_add(actor=SYSTEM, worker=newcomer, title="浙江省劳动模范", year=2020)
    assert summary(user=staff, year=YEAR, org=city)["workers"]["by_level"]["provincial"] == 1
    assert _card(staff, city, "省部级及以上劳模") == 1


@pytest.mark.django_db
def test_it_serves_the_second_dashboard_view_from_the_cache(users, orgs):
    speaker = make_worker(orgs["331126"], "宣讲人", honors=[("丽水市劳动模范", 2015)])
    lecture(orgs["331126"], speakers=[speaker])
    make_record(make_team(orgs["331126"]), date(YEAR, 3, 1), 7)
    client = login_client(users["city_staff"])
    with CaptureQueriesContext(connection) as first:
        assert client.get(f"/?year={YEAR}").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(f"/?year={YEAR}").status_code == 200
    assert len(first) > 30
    # Session, user, permissions, data version, recent jobs, notifications: no aggregate.
    assert len(second) <= 12, [q["sql"] for q in second.captured_queries]


@pytest.mark.django_db
def test_it_serves_the_second_summary_from_the_cache(users, city, django_assert_max_num_queries):
    staff = users["city_staff"]
    with CaptureQueriesContext(connection) as first:
        summary(user=staff, year=YEAR, org=city, previous=True)
    with django_assert_max_num_queries(1):  # the data version only
        again = summary(user=staff, year=YEAR, org=city, previous=True)
    assert len(first) > 10 and again["year"] == YEAR


@pytest.mark.django_db
def test_it_never_shows_a_county_user_a_card_cached_for_the_city(users, orgs, city, settings):
    speaker = make_worker(orgs["331126"], "宣讲人", honors=[("丽水市劳动模范", 2015)])
    lecture(orgs["331126"], speakers=[speaker])
    lecture(orgs["331102"], speakers=[speaker], title="莲都宣讲")
    lecture(orgs["331102"], speakers=[speaker], title="莲都宣讲二")
    county_user, county = users["county_staff"], orgs["331102"]
    settings.LAOMO_AGGREGATE_CACHE_SECONDS = 0
    expected = cards_for(user=county_user, year=YEAR, org=county)
    settings.LAOMO_AGGREGATE_CACHE_SECONDS = 300
    city_cards = cards_for(user=users["city_staff"], year=YEAR, org=city)
    # A city user asking for the county's unit (their scope covers it) caches under their own audience.
    cards_for(user=users["city_staff"], year=YEAR, org=county)
    assert cards_for(user=county_user, year=YEAR, org=county) == expected
    lectures = f"{YEAR}年宣讲场次"
    assert _card(county_user, county, lectures) == 2 and next(
        c["value"] for c in city_cards if c["label"] == lectures) == 3


@pytest.mark.django_db
def test_it_keeps_personal_cards_out_of_the_cache(users):
    assert aggregates.card_audience(users["worker"]) is None
    assert aggregates.card_audience(users["team_leader"]) is None
    assert aggregates.card_audience(users["city_staff"]) != aggregates.card_audience(users["viewer"])
    assert aggregates.card_audience(users["county_staff"]) != aggregates.card_audience(users["county_staff_qy"])


@pytest.mark.django_db
def test_it_recomputes_everything_after_invalidate_all(users, city):
    version = aggregates.data_version()
    aggregates.invalidate_all()
    assert aggregates.data_version() != version


@pytest.mark.django_db
def test_it_computes_when_the_cache_does_not_answer(users, city, monkeypatch):
    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(aggregates, "cache", Down())
    assert summary(user=users["city_staff"], year=YEAR, org=city)["year"] == YEAR
    assert cards_for(user=users["city_staff"], year=YEAR, org=city)


@pytest.mark.django_db
def test_it_never_shows_a_viewer_the_cards_cached_for_an_editor_of_the_same_unit(users, orgs):
    from conftest import make_user

    county = orgs["331102"]
    viewer = make_user("t_liandu_viewer", "viewer", county)
    editor_labels = [c["label"] for c in cards_for(user=users["county_staff"], year=YEAR, org=county)]
    viewer_labels = [c["label"] for c in cards_for(user=viewer, year=YEAR, org=county)]
    assert "待审核困难调查表" in editor_labels and "待审核困难调查表" not in viewer_labels


def _figures(client, path: str, **params) -> list[str]:
    """The figures of one row of the reports workspace as shown: the unit's total, the year before, 同比,
    then each unit below."""
    body = client.get("/reports/", {"year": YEAR, **params}).content.decode()
    row = re.search(rf'<tr data-metric="{re.escape(path)}">(.*?)</tr>', body, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


@pytest.mark.django_db
def test_it_shows_a_new_lecture_and_visit_in_the_next_workspace_view(users, orgs):
    """The workspace's table is rendered once per data version: a business write shows on the next view."""
    staff = users["city_staff"]
    client = login_client(staff)
    speaker = make_worker(orgs["331126"], "宣讲人", honors=[("丽水市劳动模范", 2015)])
    lecture(orgs["331126"], speakers=[speaker])
    assert _figures(client, "outreach.lectures")[0] == "1"
    with CaptureQueriesContext(connection) as warm:
        assert _figures(client, "outreach.lectures")[0] == "1"  # from the cache
    lecture(orgs["331102"], speakers=[speaker], title="第二场")
    after = _figures(client, "outreach.lectures")
    assert after[0] == "2"
    from laomo.care import services

    assert _figures(client, "care.visits")[0] == "0"
    services.visit_record(actor=staff, worker=care_f.worker(orgs["331102"], "慰问甲"), visit_date=date(YEAR, 5, 1),
                          method="home", visit_type="illness")
    assert _figures(client, "care.visits")[0] == "1"
    # Session, user, permissions, scope, the data version, the page's pickers: no figure, no unit list.
    assert len(warm) <= 9, [q["sql"] for q in warm.captured_queries]


@pytest.mark.django_db
def test_it_never_shows_a_county_user_the_workspace_cached_for_the_city(users, orgs):
    speaker = make_worker(orgs["331126"], "宣讲人", honors=[("丽水市劳动模范", 2015)])
    lecture(orgs["331126"], speakers=[speaker])
    lecture(orgs["331102"], speakers=[speaker], title="莲都宣讲")
    lecture(orgs["331102"], speakers=[speaker], title="莲都宣讲二")
    city_client, county_client = login_client(users["city_staff"]), login_client(users["county_staff"])
    city = _figures(city_client, "outreach.lectures")
    assert city[0] == "3" and len(city) > 4  # the city's total and its counties' columns
    county = _figures(county_client, "outreach.lectures")
    assert county[0] == "2"
    assert _figures(city_client, "outreach.lectures") == city
    # The city user asking for the county gets the county's table, the same as the county user's own.
    assert _figures(city_client, "outreach.lectures", org="331102") == county
    assert _figures(county_client, "outreach.lectures") == county
    # The county's scope is checked before any cached table is read: the city and another county stay refused.
    for code in ("331100", "331126"):
        assert county_client.get("/reports/", {"year": YEAR, "org": code}).status_code == 403
    def header(client):
        body = client.get("/reports/", {"year": YEAR}).content.decode()
        return body.split('data-testid="summary-table"')[1].split("</thead>")[0]

    assert "庆元" in header(city_client) and "庆元" not in header(county_client)


def test_it_starts_every_run_with_a_new_data_version_so_no_entry_of_the_code_before_is_read(settings, orgs):
    from django.core.management import call_command

    settings.LAOMO_DEMO = False
    before = aggregates.data_version()
    aggregates.cached(("probe", before), lambda: "old code's entry")
    call_command("prepare_start")  # what `make run` / `make golive` run before serving
    after = aggregates.data_version()
    assert after != before
    assert aggregates.cached(("probe", after), lambda: "computed again") == "computed again"
