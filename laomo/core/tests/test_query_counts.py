"""Queries per main page, with a small realistic data set: bounded, and not growing with the rows (issue 16).

Each page is opened once with a first batch of records and once after a second batch (other units,
workers, speakers, teams, volunteers): the count must not grow with the rows shown (an N+1 would add
at least one query per added row), and stays under a bound. Caching of figures is off, so the
dashboard and the reports compute everything.
"""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import login_client
from laomo.api.services import api_token_create
from laomo.care import services as care
from laomo.care.tests import factories as care_f
from laomo.core.actors import SYSTEM
from laomo.orgs.services import org_create
from laomo.outreach.tests.factories import lecture
from laomo.volunteering.tests.factories import make_record, make_team
from laomo.workers.models import Worker

YEAR = 2022
UNITS = ("331102", "331126", "331121")

# Page: upper bound of queries with either data set, uncached (the session, the user with its org, roles,
# permissions, TOTP device and unread count, the data version, the page's own: 5-6 for a list as measured on
# 2026-12-04, 9-11 on 2026-12-02; so two more fail). The reports
# workspace computes the summary of the unit for its year, the year before and the three before those
# (its trend) together, grouped by year (the registry as of 31 December: a query per year), and every
# section once for all the units below it, grouped by unit: 54 for the city (34 for a county, without
# units below) on 2026-12-03 (118 and 98 before the grouping by year), whatever the number of units. The
# dashboard includes the go-live reminder's checks for city staff (about ten counts, cached with the figures):
# 46 for the city, 34 for a county on 2026-12-04.
PAGES = {
    f"/?year={YEAR}": 47,
    f"/reports/?year={YEAR}": 50,
    "/workers/": 7,
    "/care/visits/": 7,
    "/volunteering/records/": 7,  # the city 5, a county 6 (the city's staff's own worker record is not read)
    "/outreach/lectures/": 7,
}
# With the figures cached: the dashboard and the workspace only read the data version (the workspace's
# table and charts are rendered once per data version, without even the list of units below; the dashboard
# reads the data version once for its cards and its go-live reminder): 5 each since the TOTP device and the
# unread count come with the user's row (8 before, 9-10 before that).
CACHED_PAGES = {f"/?year={YEAR}": 5, f"/reports/?year={YEAR}": 5}
# Text of the second batch each list shows, so that its rows are on the page that is counted.
SHOWN = {"/workers/": "乙331102劳模1", "/care/visits/": "乙331102劳模1", "/volunteering/records/": "乙331102服务队",
         "/outreach/lectures/": "乙331102宣讲"}


def _batch(orgs, tag: str, actor) -> None:
    """Per unit: two workers with honors, a lecture by both, a team with a record by both, a visit each."""
    for code in UNITS:
        org = orgs[code]
        workers = [care_f.worker(org, f"{tag}{code}劳模{i}", level=("municipal", "provincial")[i]) for i in range(2)]
        lecture(org, speakers=workers, title=f"{tag}{code}宣讲", day=date(YEAR, 5, 4))
        team = make_team(org, name=f"{tag}{code}服务队", members=workers)
        make_record(team, date(YEAR, 3, 1), 5, workers=workers)
        for w in workers:
            care.visit_record(actor=actor, worker=w, visit_date=date(YEAR, 6, 1), method="home", visit_type="illness",
                              amount="300", payment_method="cash", receipt_signed=True)


def _counts(client, pages=PAGES, shown="") -> dict[str, int]:
    counts = {}
    for url in pages:
        client.get(url)  # warm the session renewal and per-process lookups
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        if url in SHOWN and "乙" in shown:
            assert SHOWN[url] in response.content.decode(), url
        counts[url] = len(ctx)
    return counts


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city_staff", "county_staff"])
def test_it_keeps_the_queries_of_each_main_page_bounded_as_rows_grow(users, orgs, settings, role):
    settings.LAOMO_AGGREGATE_CACHE_SECONDS = 0
    client = login_client(users[role])
    _batch(orgs, "甲", users["city_staff"])
    before = _counts(client)
    _batch(orgs, "乙", users["city_staff"])
    after = _counts(client, shown="乙")
    grown = {url: (before[url], after[url]) for url in PAGES if after[url] > before[url]}
    assert not grown, grown
    over = {url: n for url, n in after.items() if n > PAGES[url]}
    assert not over, over


@pytest.mark.django_db
def test_it_computes_the_workspace_in_as_many_queries_whatever_the_number_of_units(users, orgs, settings):
    """Each section computes the units below in one grouped query per figure (issue 16): three more counties
    with records of their own add columns to the workspace, not queries."""
    settings.LAOMO_AGGREGATE_CACHE_SECONDS = 0
    client = login_client(users["city_staff"])
    _batch(orgs, "甲", users["city_staff"])
    url = f"/reports/?year={YEAR}"
    before = _counts(client, {url: 0})[url]
    for i in range(3):
        county = org_create(actor=SYSTEM, code=f"33119{i}", name=f"新设{i}县总工会", kind="county",
                            parent=orgs["331100"], short_name=f"新设{i}县")
        worker = care_f.worker(county, f"新设{i}劳模", level="municipal")
        lecture(county, speakers=[worker], title=f"新设{i}宣讲", day=date(YEAR, 5, 4))
    after = _counts(client, {url: 0})[url]
    ws = client.get(url).context["ws"]
    assert {"331190", "331191", "331192"} <= {u.code for u in ws.units}
    assert after == before, (before, after)


@pytest.mark.django_db
def test_it_answers_the_second_dashboard_and_reports_view_from_the_cache(users, orgs, settings):
    settings.LAOMO_AGGREGATE_CACHE_SECONDS = 300
    client = login_client(users["city_staff"])
    _batch(orgs, "甲", users["city_staff"])
    counts = _counts(client, CACHED_PAGES)
    over = {url: n for url, n in counts.items() if n > CACHED_PAGES[url]}
    assert not over, over


@pytest.mark.django_db
def test_it_reads_the_data_version_once_for_the_dashboards_cards_and_go_live_reminder(users, orgs, settings):
    settings.LAOMO_AGGREGATE_CACHE_SECONDS = 300
    client = login_client(users["city_staff"])  # cards, and the go-live reminder (import_data, dictionaries)
    client.get(f"/?year={YEAR}")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/?year={YEAR}").status_code == 200
    assert len([q for q in ctx.captured_queries if "core_audithead" in q["sql"]]) == 1


# The API with a bearer token (issue 16): the token with its user and org in one query, the roles and the
# permissions one each, then the operation's own. /me: the token and the roles.
API_PAGES = {
    "/api/v1/me": 2,
    "/api/v1/workers": 5,
    "/api/v1/care-visits": 4,
    "/api/v1/service-records": 6,  # the volunteers with their worker numbers in one query (7 before)
    "/api/v1/lectures": 5,
    "/api/v1/studios": 4,
}


@pytest.mark.django_db
def test_it_keeps_the_queries_of_the_api_bounded(users, orgs):
    _, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    _batch(orgs, "甲", users["city_staff"])
    counts = _counts(client, API_PAGES)
    _batch(orgs, "乙", users["city_staff"])
    after = _counts(client, API_PAGES)
    grown = {url: (counts[url], after[url]) for url in API_PAGES if after[url] > counts[url]}
    assert not grown, grown
    over = {url: n for url, n in after.items() if n > API_PAGES[url]}
    assert not over, over


# Lists show masked forms and speakers by name: nothing on them is decrypted (issue 16).
NOT_DECRYPTING = ["/workers/", "/outreach/lectures/", "/volunteering/requests/", "/studios/", "/api/v1/workers",
                  "/api/v1/lectures"]


@pytest.mark.django_db
def test_it_decrypts_nothing_to_show_a_list(users, orgs, monkeypatch):
    from laomo.core import pii  # monkeypatched below: the module itself, not its function

    _batch(orgs, "甲", users["city_staff"])
    _, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    page, api = login_client(users["city_staff"]), Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    decrypted = []
    real = pii.decrypt
    monkeypatch.setattr(pii, "decrypt", lambda token: decrypted.append(token) or real(token))
    for url in NOT_DECRYPTING:
        response = (api if url.startswith("/api/") else page).get(url)
        assert response.status_code == 200, url
        assert not decrypted, url
    assert "甲331102劳模1" in page.get("/outreach/lectures/").content.decode()  # speakers with ID numbers shown
    assert not decrypted
    list(Worker.objects.filter(org=orgs["331102"]))  # the counter does count: whole worker rows decrypt
    assert decrypted
