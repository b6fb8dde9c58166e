"""/api/v1: lectures, media items (+ readings, pick-ups), 班前十分钟, campaigns, showcases — shapes, rules, scope."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.outreach.models import Lecture

from .factories import jpeg_bytes, lecture, make_worker, upload

pytestmark = pytest.mark.django_db


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=SYSTEM, user=user)[1]}"}


@pytest.fixture
def people(orgs):
    return {"ld": make_worker(orgs["331102"], "张三"), "ld2": make_worker(orgs["331102"], "李四"),
            "qy": make_worker(orgs["331126"], "叶长文")}


def post(client, user, path, payload):
    return client.post(f"/api/v1/{path}", payload, content_type="application/json", **auth(user))


def patch(client, user, path, payload):
    return client.patch(f"/api/v1/{path}", payload, content_type="application/json", **auth(user))


def test_it_creates_and_lists_lectures(client, users, people):
    county = users["county_staff"]
    response = post(client, county, "lectures", {
        "date": "2022-05-04", "title": "劳模工匠进校园", "org": "331102", "venue_type": "school", "audience": 300,
        "speakers": [{"worker": people["ld"].pk}, {"worker": people["ld2"].pk}, {"name": "王老师"}]})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["org"] == "331102" and body["status"] == "held" and [s["name"] for s in body["speakers"]] == [
        "张三", "李四", "王老师"]
    listed = client.get("/api/v1/lectures?venue_type=school&year=2022", **auth(county)).json()
    assert set(listed) == {"items", "next"} and [i["id"] for i in listed["items"]] == [body["id"]]
    assert client.get(f"/api/v1/lectures?worker={people['ld2'].pk}", **auth(county)).json()["items"]
    assert client.get(f"/api/v1/lectures?worker={people['qy'].pk}", **auth(county)).json()["items"] == []
    changed = patch(client, county, f"lectures/{body['id']}", {"audience": 320, "speakers": [{"name": "赵老师"}]})
    assert changed.json()["audience"] == 320 and changed.json()["speakers"] == [{"worker": None, "name": "赵老师"}]


@pytest.mark.parametrize(("payload", "field", "text"), [
    ({"audience": -1}, "audience", "受众人数不能小于 0"),
    ({"date": "FUTURE"}, "date", "已举办的宣讲日期不能晚于今天"),
    ({"speakers": "QY"}, "speakers", "不在您的数据范围内"),
    ({"speakers": [{"worker": 987654}]}, "speakers", "不存在或不在您的数据范围内"),
    ({"speakers": []}, "speakers", "请至少填写一位主讲人"),
    ({"venue_type": "stadium"}, "venue_type", "请选择场所类型"),
])
def test_it_refuses_bad_lectures_with_the_error_shape(client, users, people, payload, field, text):
    data = {"date": "2022-05-04", "title": "宣讲", "org": "331102", "venue_type": "school",
            "speakers": [{"worker": people["ld"].pk}], **payload}
    if data["date"] == "FUTURE":
        data["date"] = (timezone.localdate() + timedelta(days=3)).isoformat()
    if data["speakers"] == "QY":
        data["speakers"] = [{"worker": people["qy"].pk}]
    response = post(client, users["county_staff"], "lectures", data)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"message", "extra"} and text in body["extra"]["errors"][field][0]
    assert not Lecture.objects.exists()


def test_it_refuses_writes_outside_scope_and_for_readers(client, users, people):
    data = {"date": "2022-05-04", "title": "宣讲", "org": "331126", "venue_type": "school",
            "speakers": [{"name": "王老师"}]}
    assert post(client, users["county_staff"], "lectures", data).status_code == 403
    assert post(client, users["viewer"], "lectures", {**data, "org": "331102"}).status_code == 403
    assert client.get("/api/v1/lectures", **auth(users["worker"])).status_code == 403


def test_it_uploads_a_lecture_photo(client, users, orgs, people):
    lec = lecture(orgs["331102"], speakers=[people["ld"]])
    response = client.post(f"/api/v1/lectures/{lec.pk}/photos", {"photo": upload(jpeg_bytes((500, 400))),
                                                                 "caption": "合影"}, **auth(users["county_staff"]))
    assert response.status_code == 201 and response.json()["url"].startswith("/outreach/photos/")
    bad = client.post(f"/api/v1/lectures/{lec.pk}/photos", {"photo": upload(b"not an image")},
                      **auth(users["county_staff"]))
    assert bad.status_code == 422 and "不是有效的图片" in bad.json()["extra"]["errors"]["photo"][0]
    detail = client.get(f"/api/v1/lectures/{lec.pk}", **auth(users["viewer"])).json()
    assert [p["caption"] for p in detail["photos"]] == ["合影"]


def test_it_records_media_items_readings_and_pickups(client, users):
    city = users["city_staff"]
    created = post(client, city, "media-items", {"title": "劳动教育开学第一课", "platform": "之江教育汇",
                                                "publish_date": "2022-09-01", "org": "331101", "kind": "video"})
    assert created.status_code == 201
    item = created.json()["id"]
    for day, views in (("2022-09-08", 168430), ("2022-12-31", 312480)):
        assert post(client, city, f"media-items/{item}/readings", {"date": day, "views": views}).status_code == 201
    lower = post(client, city, f"media-items/{item}/readings", {"date": "2023-01-02", "views": 100})
    assert lower.status_code == 422 and "累计数" in lower.json()["extra"]["errors"]["views"][0]
    readings = client.get(f"/api/v1/media-items/{item}/readings", **auth(city)).json()
    assert [(r["date"], r["views"]) for r in readings] == [("2022-12-31", 312480), ("2022-09-08", 168430)]
    assert post(client, city, f"media-items/{item}/pickups", {"outlet": "学习强国", "column": "爱·思政",
                                                              "date": "2022-09-20"}).status_code == 201
    detail = client.get(f"/api/v1/media-items/{item}", **auth(city)).json()
    assert detail["latest_views"] == 312480 and detail["pickups"] == 1 and detail["platform"] == "之江教育汇"
    unknown = post(client, city, "media-items", {"title": "x", "platform": "火星台", "publish_date": "2022-09-01",
                                                 "org": "331101"})
    assert unknown.status_code == 422 and "之江教育汇" in unknown.json()["message"]
    assert patch(client, city, f"media-items/{item}", {"title": "开学第一课(完整版)"}).json()["title"] == \
        "开学第一课(完整版)"


def test_it_records_pre_shift_sessions_one_by_one_and_in_batches(client, users, people):
    county = users["county_staff"]
    one = post(client, county, "pre-shift-sessions", {
        "org": "331102", "enterprise": "丽水万控科技有限公司", "date": "2022-06-01", "topic": "安全操作",
        "speaker": people["ld"].pk, "forms": ["video", "story"], "participants": 30})
    assert one.status_code == 201 and one.json()["forms"] == ["story", "video"]
    batch = post(client, county, "pre-shift-sessions/batch", {
        "org": "331102", "enterprise": "丽水万控科技有限公司", "date_from": "2022-06-01", "date_to": "2022-06-10",
        "topics": ["学习理论", "谈体会"], "speaker": people["ld"].pk})
    assert batch.status_code == 201
    assert len(batch.json()["created"]) == 7 and batch.json()["skipped"] == ["2022-06-01"]
    refused = post(client, county, "pre-shift-sessions", {
        "org": "331102", "enterprise": "丽水万控科技有限公司", "date": "2022-06-05", "topic": "x",
        "speaker": people["qy"].pk})
    assert refused.status_code == 422 and "不在您的数据范围内" in refused.json()["extra"]["errors"]["speaker"][0]
    listed = client.get("/api/v1/pre-shift-sessions?form=story", **auth(county)).json()["items"]
    assert [i["id"] for i in listed] == [one.json()["id"]]
    assert patch(client, county, f"pre-shift-sessions/{one.json()['id']}", {"participants": 31}).json()[
        "participants"] == 31


def test_it_creates_campaigns_and_showcases(client, users, people):
    county = users["county_staff"]
    campaign = post(client, county, "campaigns", {"name": "守好红色根脉·班前十分钟", "org": "331102",
                                                  "start_date": "2022-03-01", "end_date": "2022-12-31"})
    assert campaign.status_code == 201
    bad = post(client, county, "campaigns", {"name": "x", "org": "331102", "start_date": "2022-03-01",
                                             "end_date": "2022-01-01"})
    assert bad.status_code == 422 and bad.json()["extra"]["errors"]["end_date"] == ["结束日期不能早于开始日期。"]
    changed = patch(client, county, f"campaigns/{campaign.json()['id']}", {"theme": "红色根脉"})
    assert changed.json()["theme"] == "红色根脉"
    showcase = post(client, county, "showcases", {
        "name": "劳模风采展示区", "host_type": "cultural_palace", "host_place": "莲都区工人文化宫", "org": "331102",
        "opened_date": "2022-04-28", "featured_workers": [people["ld"].pk]})
    assert showcase.status_code == 201 and showcase.json()["featured_workers"] == [people["ld"].pk]
    refused = patch(client, county, f"showcases/{showcase.json()['id']}", {"featured_workers": [people["qy"].pk]})
    assert refused.status_code == 422
    assert client.get("/api/v1/showcases?open=true", **auth(county)).json()["items"][0]["name"] == "劳模风采展示区"


def test_it_pages_lists_with_a_next_link(client, users, orgs, people):
    for i in range(55):
        lecture(orgs["331102"], speakers=[people["ld"]], day=date(2022, 1, 1) + timedelta(days=i), title=f"宣讲{i}")
    first = client.get("/api/v1/lectures", **auth(users["city_staff"])).json()
    assert len(first["items"]) == 50 and "page=2" in first["next"]
    assert len(client.get(first["next"], **auth(users["city_staff"])).json()["items"]) == 5
