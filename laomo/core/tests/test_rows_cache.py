"""The rows of the list pages are rendered once per data version and audience, never stale after a write
(issue 16; laomo/core/web.py: rows_html)."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import login_client
from laomo.care import services as care
from laomo.care.tests import factories as care_f
from laomo.core import aggregates
from laomo.outreach.tests.factories import lecture
from laomo.volunteering.tests.factories import make_record, make_team

YEAR = 2022
LISTS = ("/workers/", "/care/visits/", "/volunteering/records/", "/volunteering/requests/", "/outreach/lectures/",
         "/studios/", "/retreats/")
HX = {"HTTP_HX_REQUEST": "true"}
CSRF = re.compile(r"\b[A-Za-z0-9]{64}\b")  # the masked CSRF token of each response


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.LAOMO_AGGREGATE_CACHE_SECONDS = 300


def _get(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    return CSRF.sub("(csrf)", response.content.decode()), len(ctx)


def _data(orgs, actor, tag: str) -> None:
    org = orgs["331126"]
    workers = [care_f.worker(org, f"{tag}劳模{i}", level="municipal") for i in range(2)]
    lecture(org, speakers=workers, title=f"{tag}宣讲", day=date(YEAR, 5, 4))
    make_record(make_team(org, name=f"{tag}服务队", members=workers), date(YEAR, 3, 1), 5, workers=workers)
    care.visit_record(actor=actor, worker=workers[0], visit_date=date(YEAR, 6, 1), method="home",
                      visit_type="illness", amount="300", payment_method="cash", receipt_signed=True)


@pytest.mark.django_db
@pytest.mark.parametrize("url", LISTS)
def test_it_answers_the_second_view_of_a_list_from_the_cache_with_the_same_page(users, orgs, url):
    _data(orgs, users["city_staff"], "甲")
    client = login_client(users["city_staff"])
    client.get(url)  # the session's renewal and per-process lookups
    aggregates.invalidate_all()
    first, rendered = _get(client, url)
    second, cached = _get(client, url)
    assert second == first
    assert cached < rendered, (rendered, cached)  # the page's rows query (and what its rows need) not run
    partial, _ = _get(client, url, **HX)
    assert partial in second  # the htmx rows are the page's
    main = second[second.index("<main"):second.index("</main>")]  # the cached fragment and the breadcrumbs
    assert "csrfmiddlewaretoken" not in main and "(csrf)" not in main


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "shown"), [("/workers/", "乙劳模1"), ("/care/visits/", "乙劳模0"),
                                            ("/volunteering/records/", "乙服务队"), ("/outreach/lectures/", "乙宣讲")])
def test_it_shows_a_write_on_the_next_view_of_a_list(users, orgs, url, shown):
    _data(orgs, users["city_staff"], "甲")
    client = login_client(users["city_staff"])
    client.get(url)
    before, _ = _get(client, url)
    assert shown not in before and _get(client, url)[0] == before
    _data(orgs, users["city_staff"], "乙")
    assert shown in _get(client, url)[0]
    assert shown in _get(client, url, **HX)[0]


@pytest.mark.django_db
def test_it_keeps_apart_the_rows_of_other_scopes_filters_and_pages(users, orgs):
    _data(orgs, users["city_staff"], "甲")
    city, county = login_client(users["city_staff"]), login_client(users["county_staff"])  # 莲都: not 庆元's
    assert "甲宣讲" in _get(city, "/outreach/lectures/")[0]
    assert "甲宣讲" not in _get(county, "/outreach/lectures/")[0]
    assert "甲宣讲" not in _get(city, "/outreach/lectures/?q=没有这个题目")[0]
    assert "甲宣讲" not in _get(city, "/outreach/lectures/?page=2")[0]
    assert "甲宣讲" in _get(city, "/outreach/lectures/?q=甲")[0]


@pytest.mark.django_db
def test_it_never_serves_users_whose_lists_follow_their_own_identity_from_the_cache(users, orgs):
    """A team leader's lists follow the teams they lead (aggregates.card_audience is None): rendered every time."""
    leader = users["team_leader"]
    assert aggregates.card_audience(leader) is None
    make_record(make_team(orgs["331126"], name="领队的服务队", leader=leader), date(YEAR, 3, 1), 5)
    client = login_client(leader)
    client.get("/volunteering/records/")
    first, rendered = _get(client, "/volunteering/records/")
    second, again = _get(client, "/volunteering/records/")
    assert second == first and again == rendered


@pytest.mark.django_db
def test_it_renders_every_view_with_the_cache_off(users, orgs, settings):
    settings.LAOMO_AGGREGATE_CACHE_SECONDS = 0
    client = login_client(users["city_staff"])
    client.get("/workers/")
    _, first = _get(client, "/workers/")
    _, second = _get(client, "/workers/")
    assert first == second


@pytest.mark.django_db
def test_it_keeps_apart_the_rows_of_each_year_chosen_in_the_top_bar(users, orgs):
    """The year chosen in the top bar lives in the session, not the query string: the studios' flags follow it."""
    from laomo.studios.tests import factories as studio_f

    org = orgs["331126"]
    studio_f.studio(org, studio_f.worker(org, "领衔人", "浙江省劳动模范"), founded=date(2018, 3, 1))
    client = login_client(users["city_staff"])
    session = client.session
    session["year"] = 2010  # before the studio was founded: no flag
    session.save()
    assert 'data-flag="no_project"' not in _get(client, "/studios/")[0]
    session["year"] = YEAR
    session.save()
    assert 'data-flag="no_project"' in _get(client, "/studios/")[0]


@pytest.mark.django_db
def test_it_shows_a_new_unit_in_the_next_view_of_a_filter_bar(users, orgs):
    """The filter bar is part of the cached fragment: its units come from the data, so a new one shows at once."""
    from laomo.core.actors import SYSTEM
    from laomo.orgs.services import org_create

    client = login_client(users["city_staff"])
    client.get("/care/visits/")
    before, _ = _get(client, "/care/visits/")
    assert "新设县总工会" not in before and _get(client, "/care/visits/")[0] == before
    org_create(actor=SYSTEM, code="331199", name="新设县总工会", kind="county", parent=orgs["331100"],
               short_name="新设县")
    assert "新设县总工会" in _get(client, "/care/visits/")[0]


def test_it_renders_a_fragment_as_it_is_without_the_fragments_of_a_list():
    from django.template import Context, Template

    tpl = Template("{% load laomo %}[{% fragment page_fragment %}<b>{{ x }}</b>{% endfragment %}]")
    assert tpl.render(Context({"x": "<i>"})) == "[<b>&lt;i&gt;</b>]"


@pytest.mark.django_db
def test_it_keeps_apart_the_lists_of_two_colleagues_of_one_county(users, orgs):
    """A county's staff member who is a model worker too sees the service records of their own hours in other
    counties (volunteering.selectors.record_scope_q): a colleague of the same county never reads their page."""
    from conftest import make_user
    from laomo.orgs.roles import Role
    from laomo.workers.models import Worker

    staff = users["county_staff"]  # 莲都
    colleague = make_user("t_liandu2", Role.COUNTY_STAFF, orgs["331102"])
    worker = care_f.worker(orgs["331126"], "兼任劳模", level="municipal")  # 庆元
    Worker.objects.filter(pk=worker.pk).update(user=staff)
    make_record(make_team(orgs["331126"], name="庆元的服务队", members=[worker]), date(YEAR, 3, 1), 5, workers=[worker])
    mine, theirs = login_client(staff), login_client(colleague)  # both logins (audited) before the views
    theirs.get("/volunteering/records/")  # the colleague's session renewal, which is no audited write
    mine.get("/volunteering/records/")
    assert "庆元的服务队" in _get(mine, "/volunteering/records/")[0]
    assert "庆元的服务队" not in _get(theirs, "/volunteering/records/")[0]  # not the colleague's cached page
    assert aggregates.card_audience(staff) != aggregates.card_audience(colleague)  # nor their dashboard cards
