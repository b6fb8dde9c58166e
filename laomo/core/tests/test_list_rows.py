"""List pages render rows of plain dicts (laomo.core.rows, issue 16): the same HTML as before, cell for cell.

`reference_rows/` holds each list's rows partial as it was when rendered from model instances (main at
ab3fb98): each list's htmx answer is compared with that template rendered on the model rows of the
selector, as the view used to do. A change to a list's markup changes both the partial and its reference.
The helpers are compared with Django's own paths (`get_FOO_display`, the `date` and `truncatechars` filters).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.test import Client, RequestFactory
from django.utils import timezone

from conftest import login_client
from laomo.api.services import api_token_create
from laomo.care import selectors as care_selectors
from laomo.care import services as care
from laomo.care.models import CareVisit
from laomo.care.tests import factories as care_f
from laomo.care.views.visits import _visit_filters
from laomo.core import rows
from laomo.core.actors import SYSTEM
from laomo.outreach import selectors as outreach_selectors
from laomo.outreach.models import Lecture
from laomo.outreach.services import Speaker, campaign_create
from laomo.outreach.tests.factories import lecture
from laomo.retreats import selectors as retreat_selectors
from laomo.retreats.tests import factories as retreat_f
from laomo.studios import selectors as studio_selectors
from laomo.studios.tests import factories as studio_f
from laomo.volunteering import selectors as vol_selectors
from laomo.volunteering import services as vol
from laomo.volunteering.models import ServiceRequest
from laomo.volunteering.tests.factories import make_record, make_request, make_team, moment
from laomo.workers import selectors as worker_selectors
from laomo.workers.models import Honor, Worker, level_label

REFERENCE = Path(__file__).parent / "reference_rows"


# --- the helpers against Django's own paths ---------------------------------------------------------------


def test_display_gives_get_foo_display_for_every_choice_and_unknown_values():
    for model, field in [(Lecture, "venue_type"), (Lecture, "format"), (Worker, "sex"), (CareVisit, "method"),
                         (CareVisit, "payment_method"), (ServiceRequest, "category"), (ServiceRequest, "status")]:
        label = rows.display(model, field)
        for value in [*(v for v, _ in model._meta.get_field(field).flatchoices), "unknown", ""]:
            assert label(value) == getattr(model(**{field: value}), f"get_{field}_display")(), (model, value)


def test_dates_and_texts_as_the_template_filters_give_them(settings):
    django_engine = engines["django"]

    def shown(source, value):
        return django_engine.from_string(source).render({"v": value})

    aware = datetime(2022, 3, 4, 7, 5, tzinfo=ZoneInfo("UTC"))
    late = datetime(2022, 12, 31, 20, 30, tzinfo=ZoneInfo("UTC"))  # the next year in local time
    for value in (aware, late, None):
        assert rows.ymd_hm(value) == shown('{{ v|date:"Y-m-d H:i" }}', value)
    for value in (date(2022, 1, 2), date(999, 12, 31), None):
        assert rows.ymd(value) == shown('{{ v|date:"Y-m-d" }}', value)
        assert rows.md(value) == shown('{{ v|date:"m-d" }}', value)
    for text in ("短", "一" * 30, "一" * 31, "<b>&" * 20):
        assert rows.truncated(text, 30) == shown("{% autoescape off %}{{ v|truncatechars:30 }}{% endautoescape %}",
                                                 text)
    for value in (0, 7, 12345, -3, Decimal("2.50"), Decimal("0"), "0"):
        assert rows.number(value) == shown("{{ v }}", value), value
    settings.USE_THOUSAND_SEPARATOR = True
    assert rows.number(12345) == shown("{{ v }}", 12345)
    assert rows.unit_name("", "丽水市总工会") == "丽水市总工会" and rows.unit_name("莲都", "x") == "莲都"
    assert [level_label(rank) for rank in range(5)] == ["—", "县级", "市级", "省部级", "全国"]


def test_it_truncates_as_the_filter_with_combining_characters_and_at_any_length():
    """`truncated` skips Truncator for texts no longer than the length: the same text, NFC-normalized."""
    django_engine = engines["django"]
    source = "{% autoescape off %}{{ v|truncatechars:n }}{% endautoescape %}"
    texts = ["", "短", "e\u0301" * 20, "一" * 29 + "e\u0301", "一" * 30 + "\u0301", "一" * 31, "ﬁ" * 30,
             "A\u030a" * 16, None, 12345]
    for text in texts:
        for n in (0, 1, 20, 30, 31, 40):
            assert rows.truncated(text, n) == django_engine.from_string(source).render({"v": text, "n": n}), (text, n)


# --- each list's rows against the model rows of before ----------------------------------------------------


def _reference(name: str, shown: list, *, has_next: bool, var: str = "rows") -> str:
    template = engines["django"].from_string((REFERENCE / name).read_text(encoding="utf-8"))
    return template.render({var: shown, "page": 1, "has_next": has_next, "query": ""})


def _same(client, url: str, name: str, qs, *, each=None, var: str = "rows", min_rows: int = 1) -> None:
    got = client.get(url, HTTP_HX_REQUEST="true")
    assert got.status_code == 200, url
    found = list(qs[:51])
    shown = found[:50]
    assert len(shown) >= min_rows, url
    if each is not None:
        each(shown)
    assert got.content.decode() == _reference(name, shown, has_next=len(found) > 50, var=var), url


@pytest.fixture
def data(orgs, users):
    """A little of everything each list shows in different ways."""
    city, liandu, qingyuan = orgs["331100"], orgs["331102"], orgs["331126"]
    workers = [care_f.worker(liandu, "甲劳模", level="provincial"), care_f.worker(qingyuan, "乙劳模", level="county"),
               care_f.worker(city, "丙<劳模>", level="national")]
    campaign = campaign_create(actor=SYSTEM, org=city, name="劳模工匠宣讲月", start_date=date(2022, 4, 1),
                               end_date=date(2022, 6, 30))
    lecture(liandu, speakers=[workers[0], Speaker(name="王老师"), workers[1]], title="进校园 & <宣讲>",
            day=date(2022, 5, 4), campaign=campaign, venue_name="莲都中学")
    lecture(qingyuan, speakers=[Speaker(name="李师傅")], title="进企业", day=date(2022, 6, 1), status="planned",
            venue_type="enterprise", format="live")
    lecture(city, speakers=[workers[2]], title="取消的宣讲", day=date(2022, 7, 1), status="cancelled")

    team = make_team(liandu, name="莲都医疗服务队", members=workers[:1])
    make_record(team, date(2022, 3, 1), 5, workers=workers[:1])
    make_record(make_team(qingyuan, name="庆元农技服务队", team_type="fungus"), date(2022, 3, 2), 0)
    old = make_request(liandu, when=timezone.now() - timedelta(days=5), description="很长的需求" * 10)
    vol.request_refuse(actor=SYSTEM, request=make_request(qingyuan, category="medical"), reason="不在服务范围")
    with vol.at(moment(date(2022, 1, 5))):  # dispatched then, promised for a day long past: overdue
        vol.request_dispatch(actor=SYSTEM, request=make_request(liandu), team=team, promised_date=date(2022, 1, 10))
    assert old.status == "pending"

    spring = care_f.campaign(city)
    care.recipients_generate(actor=SYSTEM, campaign=spring)  # the municipal level and above: 甲 and 丙
    care_f.pay(spring, workers[0])
    care_f.pay(spring, workers[2], amount="2000")
    cash = care.visit_record(actor=SYSTEM, worker=workers[1], visit_date=date(2022, 6, 1), method="home",
                             visit_type="illness", amount="300", payment_method="cash", receipt_signed=True)
    care.visit_void(actor=SYSTEM, visit=cash, reason="重复登记")
    care.visit_record(actor=SYSTEM, worker=workers[1], visit_date=date(2022, 6, 2), method="letter",
                      visit_type="illness", amount="0", payment_method="none", receipt_signed=False)

    studio_f.studio(liandu, workers[0], name="甲劳模创新工作室")
    studio_f.studio(qingyuan, workers[1], name="乙工作室", level="county", founded=date(2021, 5, 1))
    retreat_f.batch(city, name="千岛湖疗休养", capacity=5)
    retreat_f.batch(liandu, name="待定批次", with_vendor=False, status="planned")
    return workers


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city_staff", "county_staff"])
def test_each_list_shows_the_same_rows_as_from_model_instances(data, users, role):
    user = users[role]
    client = login_client(user)

    _same(client, "/outreach/lectures/", "lecture_rows.html", outreach_selectors.lecture_list(user=user))

    def overdue(shown):
        late = set(vol_selectors.request_base(user).filter(vol_selectors.overdue_q(), pk__in=[r.pk for r in shown])
                   .values_list("pk", flat=True))
        assert late
        for r in shown:
            r.is_overdue = r.pk in late

    _same(client, "/volunteering/requests/", "request_rows.html", vol_selectors.request_list(user=user),
          each=overdue)
    _same(client, "/volunteering/records/", "record_rows.html", vol_selectors.record_list(user=user))

    def honors(shown):  # as the page read them before: model instances, one query
        for w in shown:
            w.honor_list = []
        by_pk = {w.pk: w for w in shown}
        for honor in Honor.objects.filter(worker__in=shown, is_deleted=False).order_by("-year", "id"):
            by_pk[honor.worker_id].honor_list.append(honor)

    _same(client, "/workers/", "worker_rows.html", worker_selectors.worker_list(user=user), each=honors,
          var="workers")

    request = RequestFactory().get("/care/visits/?void=all")
    request.user = user
    _same(client, "/care/visits/?void=all", "visit_rows.html",
          care_selectors.visit_list(user=user, filters=_visit_filters(request)[1]))

    year = timezone.localdate().year

    def flags(shown):
        for s in shown:
            s.flag_list = studio_selectors.flags_of(s, year)

    _same(client, f"/studios/?year={year}", "studio_rows.html",
          studio_selectors.studio_list(user=user, filters=studio_selectors.StudioFilters(year=year)), each=flags)
    _same(client, "/retreats/", "batch_rows.html", retreat_selectors.batch_list(user=user))


@pytest.mark.django_db
def test_the_rows_show_what_the_data_holds(data, users):
    """Not only equal to the reference: the cells that each take their own path are there."""
    client = login_client(users["city_staff"])
    page = client.get("/outreach/lectures/").content.decode()
    assert "进校园 &amp; &lt;宣讲&gt;" in page and "王老师" in page and "劳模工匠宣讲月" in page
    assert f'href="/workers/{data[0].pk}/">甲劳模</a>、王老师、<a' in page
    page = client.get("/volunteering/requests/").content.decode()
    assert 'class="table-warning"' in page and "莲都医疗服务队" in page and "已拒绝" in page
    page = client.get("/care/visits/?void=all").content.decode()
    assert "text-decoration-line-through" in page and "2,000.00" in page and "2022年春节慰问" in page
    page = client.get("/retreats/").content.decode()
    assert "待定" in page and "千岛湖疗休养" in page


@pytest.mark.django_db
def test_each_api_list_item_is_what_its_detail_answers(data, users):
    """The API lists read their items as values (issue 16), the details from model instances: each item is the
    detail's answer for the same fields (a lecture's photos are listed in its detail only)."""
    _, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for url in ("/api/v1/lectures", "/api/v1/service-records", "/api/v1/care-visits?void=", "/api/v1/workers",
                "/api/v1/studios"):
        items = client.get(url).json()["items"]
        assert len(items) >= 2, url
        for item in items:
            detail = client.get(f"{url.split('?')[0]}/{item['id']}").json()
            same = [key for key in item if key not in ("photos", "id_number")]  # the detail reveals the ID number
            assert {key: detail[key] for key in same} == {key: item[key] for key in same}, (url, item["id"])
            assert "*" in item.get("id_number", "*")
    assert any("低于市级" in item["lead_warning"] for item in client.get("/api/v1/studios").json()["items"])
