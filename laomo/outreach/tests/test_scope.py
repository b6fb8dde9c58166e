"""A county user never sees another county's outreach records: list, detail, search, export, API, guessed ids."""

import io
from datetime import date

import openpyxl
import pytest

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.outreach import services

from .factories import lecture, make_worker, media, photo_upload, session

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_counties(orgs):
    ld, qy = orgs["331102"], orgs["331126"]
    w_ld, w_qy = make_worker(ld, "张三"), make_worker(qy, "叶长文")
    out = {}
    for key, org, worker, name in (("ld", ld, w_ld, "莲都"), ("qy", qy, w_qy, "庆元")):
        lec = lecture(org, speakers=[worker], title=f"{name}宣讲")
        services.photo_add(actor=SYSTEM, lecture=lec, upload=photo_upload(size=(64, 48)))
        item = media(org, title=f"{name}视频")
        services.reading_add(actor=SYSTEM, item=item, date=date(2022, 9, 2), views=100)
        out[key] = {
            "lecture": lec, "photo": lec.photos.get(), "media": item, "worker": worker,
            "campaign": services.campaign_create(actor=SYSTEM, org=org, name=f"{name}活动", start_date=date(2022, 1, 1),
                                                 end_date=date(2022, 12, 31)),
            "session": session(org, speaker=worker, enterprise=f"{name}企业", topic=f"{name}主题"),
            "showcase": services.showcase_create(actor=SYSTEM, org=org, name=f"{name}展示区",
                                                 host_type="cultural_palace",
                                                 host_place=f"{name}工人文化宫", opened_date=date(2022, 5, 1),
                                                 featured_workers=[worker]),
        }
    return out


LISTS = [("/outreach/lectures/", "宣讲"), ("/outreach/media/", "视频"), ("/outreach/sessions/", "主题"),
         ("/outreach/showcases/", "展示区"), ("/outreach/campaigns/", "活动")]


@pytest.mark.parametrize(("url", "suffix"), LISTS)
def test_it_lists_and_searches_only_the_users_county(clients, two_counties, url, suffix):
    page = clients["county_staff"].get(url).content.decode()
    assert f"莲都{suffix}" in page and f"庆元{suffix}" not in page
    searched = clients["county_staff"].get(url, {"q": "庆元"}).content.decode()
    assert f"庆元{suffix}" not in searched
    assert f"庆元{suffix}" in clients["city_staff"].get(url).content.decode()


@pytest.mark.parametrize(("url", "suffix"), LISTS)
def test_it_exports_only_the_users_county(clients, two_counties, url, suffix):
    response = clients["county_staff"].get(url, {"format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = {str(c) for row in ws.iter_rows(values_only=True) for c in row if c}
    assert any(f"莲都{suffix}" in c for c in cells) and not any("庆元" in c for c in cells)


def test_it_answers_a_guessed_id_of_another_county_like_a_missing_one(clients, two_counties):
    qy = two_counties["qy"]
    client = clients["county_staff"]
    for url in (f"/outreach/lectures/{qy['lecture'].pk}/", f"/outreach/lectures/{qy['lecture'].pk}/edit/",
                f"/outreach/media/{qy['media'].pk}/", f"/outreach/sessions/{qy['session'].pk}/",
                f"/outreach/showcases/{qy['showcase'].pk}/", f"/outreach/campaigns/{qy['campaign'].pk}/",
                f"/outreach/photos/{qy['photo'].pk}/", f"/outreach/photos/{qy['photo'].pk}/thumb/"):
        assert client.get(url).status_code == 404, url
    for url in (f"/outreach/lectures/{qy['lecture'].pk}/delete/", f"/outreach/media/{qy['media'].pk}/readings/",
                f"/outreach/sessions/{qy['session'].pk}/repeat/", f"/outreach/photos/{qy['photo'].pk}/delete/"):
        assert client.post(url, {"reason": "x", "date": "2022-10-01", "views": "5"}).status_code == 404, url
    assert two_counties["qy"]["lecture"].speakers.exists() and not qy["photo"].__class__.objects.get(
        pk=qy["photo"].pk).is_deleted
    ld = two_counties["ld"]
    assert client.get(f"/outreach/photos/{ld['photo'].pk}/").status_code == 200


def test_it_scopes_the_calendar_leaderboard_and_overview(clients, two_counties):
    client = clients["county_staff"]
    calendar = client.get("/outreach/lectures/calendar/?month=2022-05").content.decode()
    assert "莲都宣讲" in calendar and "庆元宣讲" not in calendar
    board = client.get("/outreach/speakers/?date_from=2022-01-01&date_to=2022-12-31").content.decode()
    assert "张三" in board and "叶长文" not in board
    assert client.get("/outreach/?year=2022&org=331126").status_code == 404
    overview = client.get("/outreach/?year=2022").content.decode()
    assert "莲都宣讲" in overview and "庆元宣讲" not in overview


def test_it_offers_only_workers_in_scope_in_the_speaker_search(clients, two_counties):
    found = clients["county_staff"].get("/outreach/speakers/search/", {"picker_q": "叶长文"}).content.decode()
    assert "lm-pick" not in found and "没有找到" in found
    assert "叶长文" in clients["city_staff"].get("/outreach/speakers/search/", {"picker_q": "ycw"}).content.decode()


def test_it_scopes_the_api(client, users, two_counties):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=SYSTEM, user=users['county_staff'])[1]}"}
    qy = two_counties["qy"]
    for path, key in (("lectures", "title"), ("media-items", "title"), ("pre-shift-sessions", "topic"),
                      ("showcases", "name"), ("campaigns", "name")):
        items = client.get(f"/api/v1/{path}", **auth).json()["items"]
        assert items and all(not i[key].startswith("庆元") for i in items), path
        assert client.get(f"/api/v1/{path}?org=331126", **auth).status_code == 403
    for path in (f"lectures/{qy['lecture'].pk}", f"media-items/{qy['media'].pk}",
                 f"media-items/{qy['media'].pk}/readings", f"pre-shift-sessions/{qy['session'].pk}",
                 f"showcases/{qy['showcase'].pk}", f"campaigns/{qy['campaign'].pk}"):
        response = client.get(f"/api/v1/{path}", **auth)
        assert response.status_code == 404 and set(response.json()) == {"message", "extra"}, path


def test_it_shows_a_county_the_city_campaigns_it_may_join_but_not_edit(clients, orgs, two_counties):
    city = services.campaign_create(actor=SYSTEM, org=orgs["331100"], name="党的二十大精神劳模工匠宣讲",
                                    start_date=date(2022, 10, 24), end_date=date(2022, 12, 31))
    client = clients["county_staff"]
    assert "党的二十大精神劳模工匠宣讲" in client.get("/outreach/campaigns/").content.decode()
    assert client.get(f"/outreach/campaigns/{city.pk}/").status_code == 200
    assert client.get(f"/outreach/campaigns/{city.pk}/edit/").status_code == 403
    assert client.post(f"/outreach/campaigns/{city.pk}/delete/", {"reason": "x"}).status_code == 403


def test_it_shows_timeline_entries_only_in_scope(clients, users, orgs, two_counties):
    ld, qy = two_counties["ld"], two_counties["qy"]
    lecture(orgs["331126"], actor=users["city_staff"], speakers=[ld["worker"]], title="庆元请莲都劳模宣讲")
    city_view = clients["city_staff"].get(f"/workers/{ld['worker'].pk}/").content.decode()
    assert "莲都宣讲" in city_view and "庆元请莲都劳模宣讲" in city_view
    county_view = clients["county_staff"].get(f"/workers/{ld['worker'].pk}/").content.decode()
    assert "莲都宣讲" in county_view and "庆元请莲都劳模宣讲" not in county_view
    assert clients["county_staff"].get(f"/workers/{qy['worker'].pk}/").status_code == 404
