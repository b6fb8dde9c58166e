"""The `outreach` section of the summary report: exact figures per unit and year, hand-counted."""

from datetime import date

import pytest

from conftest import login_client
from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.dashboard import cards_for
from laomo.orgs.models import OrgUnit
from laomo.outreach import selectors, services
from laomo.outreach.models import MediaReading
from laomo.reports.selectors import summary

from .factories import lecture, make_worker, media, session

pytestmark = pytest.mark.django_db

VENUES = ["agency", "school", "hospital", "enterprise", "community", "village", "online"]


@pytest.fixture
def data(orgs):
    """Hand-made records in 莲都 (331102), 庆元 (331126) and 市本级 (331101), around the turn of 2022/2023."""
    ld, qy, sb = orgs["331102"], orgs["331126"], orgs["331101"]
    w_ld = make_worker(ld, "张三")
    w_qy = make_worker(qy, "叶长文")
    w_sb = make_worker(sb, "吴长久")
    lecture(ld, day=date(2022, 1, 1), speakers=[w_ld], venue_type="school", audience=300)
    lecture(ld, day=date(2022, 12, 31), speakers=[w_ld], venue_type="enterprise", audience=45)
    lecture(ld, day=date(2023, 1, 1), speakers=[w_ld], venue_type="agency", audience=80)
    lecture(ld, day=date(2022, 6, 1), speakers=[w_ld], venue_type="school", audience=999, status="cancelled")
    gone = lecture(ld, day=date(2022, 7, 1), speakers=[w_ld], venue_type="hospital", audience=70)
    services.lecture_delete(actor=SYSTEM, lecture=gone, reason="重复登记")
    lecture(qy, day=date(2022, 3, 18), speakers=[w_qy], venue_type="village", audience=60)
    lecture(qy, day=date(2022, 11, 15), speakers=[w_qy, w_ld], venue_type="online", audience=1500)
    lecture(sb, day=date(2022, 9, 1), speakers=[w_sb], venue_type="school", audience=1200)
    lecture(sb, day=date(2021, 12, 31), speakers=[w_sb], venue_type="community", audience=40)
    video = media(sb, publish=date(2022, 9, 1))
    for day, views in ((date(2022, 9, 8), 168_430), (date(2022, 12, 31), 312_480), (date(2023, 1, 1), 312_500),
                       (date(2023, 6, 30), 318_900)):
        services.reading_add(actor=SYSTEM, item=video, date=day, views=views)
    article = media(ld, title="劳动创造幸福", platform="微信公众号", publish=date(2022, 5, 1))
    services.reading_add(actor=SYSTEM, item=article, date=date(2022, 5, 4), views=3_000)
    services.reading_add(actor=SYSTEM, item=article, date=date(2022, 5, 30), views=7_500)
    dropped = media(qy, title="已删除的视频", publish=date(2022, 5, 1))
    services.reading_add(actor=SYSTEM, item=dropped, date=date(2022, 5, 2), views=50_000)
    services.media_delete(actor=SYSTEM, item=dropped, reason="误传")
    for day in (date(2022, 12, 31), date(2023, 1, 1), date(2022, 6, 1)):
        session(ld, day=day, speaker=w_ld)
    session(qy, day=date(2022, 4, 1), speaker=w_qy, enterprise="国网庆元县供电公司")
    return {"w_ld": w_ld, "w_qy": w_qy}


def outreach(user, year, code):
    return summary(user=user, year=year, org=OrgUnit.objects.get(code=code))["outreach"]


def venues(**counts):
    return {v: counts.get(v, 0) for v in VENUES}


def test_it_counts_a_county_in_the_county_and_the_city_but_not_another_county(users, data):
    city = users["city_staff"]
    assert outreach(city, 2022, "331102") == {
        "lectures": 2, "audience": 345, "online_views": 7_500, "online_views_cumulative": 7_500,
        "pre_shift_sessions": 2,
        "lectures_by_venue": venues(school=1, enterprise=1)}
    assert outreach(city, 2022, "331126") == {
        "lectures": 2, "audience": 1_560, "online_views": 0, "online_views_cumulative": 0, "pre_shift_sessions": 1,
        "lectures_by_venue": venues(village=1, online=1)}
    assert outreach(city, 2022, "331101") == {
        "lectures": 1, "audience": 1_200, "online_views": 312_480, "online_views_cumulative": 312_480,
        "pre_shift_sessions": 0,
        "lectures_by_venue": venues(school=1)}
    assert outreach(city, 2022, "331100") == {
        "lectures": 5, "audience": 3_105, "online_views": 319_980, "online_views_cumulative": 319_980,
        "pre_shift_sessions": 3,
        "lectures_by_venue": venues(school=2, enterprise=1, village=1, online=1)}
    assert outreach(city, 2022, "331181") == {
        "lectures": 0, "audience": 0, "online_views": 0, "online_views_cumulative": 0, "pre_shift_sessions": 0,
        "lectures_by_venue": venues()}


def test_it_counts_31_december_and_1_january_in_their_own_years(users, data):
    city = users["city_staff"]
    assert outreach(city, 2023, "331102") == {
        "lectures": 1, "audience": 80, "online_views": 0, "online_views_cumulative": 7_500, "pre_shift_sessions": 1,
        "lectures_by_venue": venues(agency=1)}
    # The video gained 318,900 − 312,480 in 2023: its 2022 views are not counted again.
    assert outreach(city, 2023, "331100")["online_views"] == 6_420
    assert outreach(city, 2023, "331100")["online_views_cumulative"] == 326_400
    assert outreach(city, 2021, "331100") == {
        "lectures": 1, "audience": 40, "online_views": 0, "online_views_cumulative": 0, "pre_shift_sessions": 0,
        "lectures_by_venue": venues(community=1)}


def test_it_adds_the_gains_of_successive_years_up_to_the_latest_reading(users, data, orgs):
    city = users["city_staff"]
    gains = [outreach(city, year, "331101")["online_views"] for year in (2021, 2022, 2023, 2024)]
    assert gains == [0, 312_480, 6_420, 0] and sum(gains) == 318_900
    assert [outreach(city, year, "331101")["online_views_cumulative"] for year in (2022, 2023, 2024)] == [
        312_480, 318_900, 318_900]
    # A platform that reset its counter (readings the service refuses today, as old ledgers hold them): the gain is
    # never negative, and the cumulative figure follows the reading.
    reset = media(orgs["331181"], title="重新上传的视频", publish=date(2022, 1, 10))
    for day, views in ((date(2022, 2, 1), 9_000), (date(2023, 2, 1), 1_000), (date(2024, 2, 1), 4_000)):
        MediaReading.objects.create(media_item=reset, date=day, views=views)
    assert [outreach(city, year, "331181")["online_views"] for year in (2022, 2023, 2024)] == [9_000, 0, 3_000]
    assert outreach(city, 2023, "331181")["online_views_cumulative"] == 1_000


def test_it_serves_the_same_figures_through_the_api(client, users, data):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=SYSTEM, user=users['county_staff'])[1]}"}
    body = client.get("/api/v1/reports/summary?year=2022", **auth).json()
    assert body["org"] == "331102" and body["outreach"]["lectures"] == 2 and body["outreach"]["online_views"] == 7_500
    assert list(body["outreach"]["lectures_by_venue"]) == VENUES
    assert client.get("/api/v1/reports/summary?year=2022&org=331126", **auth).status_code == 403


def test_it_shows_the_figures_on_the_report_page(users, data):
    response = login_client(users["city_staff"]).get("/reports/?year=2022&org=331126")
    page = response.content.decode()
    assert "宣讲宣传" in page and "宣讲场次" in page and 'data-metric="outreach.lectures_by_venue.online"' in page
    rows = {r.path: r for r in response.context["ws"].rows}
    assert rows["outreach.lectures"].total.value == 2 and rows["outreach.lectures_by_venue.online"].total.value == 1


def test_it_builds_dashboard_cards_in_the_users_scope(users, orgs, data):
    cards = {c["label"]: c for c in cards_for(user=users["county_staff"], year=2022, org=orgs["331102"])}
    assert cards["2022年宣讲场次"]["value"] == 2 and "受众 345 人次" in cards["2022年宣讲场次"]["note"]
    assert cards["2022年线上观看人次"]["value"] == "7,500" and cards["2022年班前十分钟"]["value"] == 2
    assert not any("宣讲" in c["label"] for c in cards_for(user=users["worker"], year=2022, org=orgs["331126"]))
    page = login_client(users["county_staff"]).get("/?year=2022").content.decode()
    assert "2022年宣讲场次" in page


def test_it_charts_lectures_per_month_by_venue(users, orgs, data):
    by_month = selectors.lectures_by_month(user=users["city_staff"], year=2022, org=orgs["331100"])
    assert by_month["school"] == [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]
    assert by_month["enterprise"][11] == 1 and by_month["online"][10] == 1 and by_month["village"][2] == 1
    assert sum(sum(v) for v in by_month.values()) == 5
    county = selectors.lectures_by_month(user=users["county_staff"], year=2022, org=orgs["331102"])
    assert sum(sum(v) for v in county.values()) == 2


def test_it_ranks_speakers_by_lectures_then_audience(users, data):
    board = selectors.speaker_leaderboard(user=users["city_staff"], date_from=date(2022, 1, 1),
                                          date_to=date(2022, 12, 31))
    assert [(r.name, r.lectures, r.audience, r.sessions) for r in board] == [
        ("张三", 3, 1_845, 2), ("叶长文", 2, 1_560, 1), ("吴长久", 1, 1_200, 0)]
    county = selectors.speaker_leaderboard(user=users["county_staff"], date_from=date(2022, 1, 1),
                                           date_to=date(2022, 12, 31))
    assert [(r.name, r.lectures) for r in county] == [("张三", 2)]  # 庆元's joint lecture is not 莲都's to see
