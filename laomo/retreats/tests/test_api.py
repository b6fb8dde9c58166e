"""/api/v1/retreat-batches, /api/v1/retreat-applications (+ confirm, withdraw, attend), /api/v1/retreat-surveys."""

from __future__ import annotations

from datetime import date

import pytest

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.retreats.models import RetreatApplication

from . import factories as F

pytestmark = pytest.mark.django_db
JSON = "application/json"


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=SYSTEM, user=user)[1]}"}


def test_it_creates_and_lists_batches_with_money_as_decimal_strings(client, users, orgs):
    vendor = F.vendor(orgs["331100"], "丽水国旅")
    payload = {"org": "331100", "name": "2030年第一批", "destination": "千岛湖", "start_date": "2030-05-06",
               "end_date": "2030-05-10", "capacity": 2, "cost_per_person": "2500.5", "budget": "6000",
               "vendor_id": vendor.pk, "itinerary": [{"title": "丽水—千岛湖"}, {"title": "游船"}],
               "quotas": {"331102": 1, "331126": 2}}
    response = client.post("/api/v1/retreat-batches", payload, content_type=JSON, **auth(users["city_staff"]))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["cost_per_person"] == "2500.50" and data["budget"] == "6000.00" and data["status"] == "planned"
    assert [d["title"] for d in data["itinerary"]] == ["丽水—千岛湖", "游船"]
    assert {q["org"]: q["quota"] for q in data["quotas"]} == {"331102": 1, "331126": 2}
    listed = client.get("/api/v1/retreat-batches?year=2030", **auth(users["county_staff"])).json()
    assert set(listed) == {"items", "next"} and [b["name"] for b in listed["items"]] == ["2030年第一批"]


def test_it_answers_bad_input_with_the_error_shape_in_chinese(client, users):
    payload = {"org": "331100", "name": "x", "destination": "千岛湖", "start_date": "2030-05-06",
               "end_date": "2030-05-01", "capacity": 2, "cost_per_person": "100", "budget": "1000"}
    response = client.post("/api/v1/retreat-batches", payload, content_type=JSON, **auth(users["city_staff"]))
    assert response.status_code == 422
    assert response.json() == {"message": "数据校验未通过。",
                               "extra": {"errors": {"end_date": ["返回日期不能早于出发日期。"]}}}
    response = client.post("/api/v1/retreat-batches", {**payload, "org": "331126"}, content_type=JSON,
                           **auth(users["county_staff"]))
    assert response.status_code == 403 and set(response.json()) == {"message", "extra"}


def test_it_runs_the_whole_flow_through_the_api(client, users, orgs):
    city, ld = orgs["331100"], orgs["331102"]
    b = F.batch(city, capacity=1, start=date(2022, 5, 9))
    w1, w2 = F.worker(ld, "张三"), F.worker(ld, "李四")
    me = F.worker_login(w2, "lisi")
    county, staff = auth(users["county_staff"]), auth(users["city_staff"])
    eligibility = client.get(f"/api/v1/retreat-batches/{b.pk}/eligibility?worker_id={w1.pk}", **county).json()
    assert eligibility["eligible"] and eligibility["priority_score"] >= 30
    r1 = client.post("/api/v1/retreat-applications", {"batch_id": b.pk, "worker_id": w1.pk, "health_declared": True},
                     content_type=JSON, **county)
    assert r1.status_code == 201 and r1.json()["channel"] == "nominated"
    r2 = client.post("/api/v1/retreat-applications", {"batch_id": b.pk, "health_declared": True}, content_type=JSON,
                     **auth(me))
    assert r2.status_code == 201 and r2.json()["channel"] == "self" and r2.json()["worker_name"] == "李四"
    a1, a2 = r1.json()["id"], r2.json()["id"]
    assert client.post(f"/api/v1/retreat-applications/{a1}/confirm", **county).status_code == 403
    assert client.post(f"/api/v1/retreat-applications/{a1}/confirm", **staff).json()["status"] == "confirmed"
    waiting = client.post(f"/api/v1/retreat-applications/{a2}/confirm", **staff).json()
    assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == 1
    out = client.post(f"/api/v1/retreat-applications/{a1}/withdraw", {"reason": "工作冲突"}, content_type=JSON,
                      **county).json()
    assert out["status"] == "withdrawn" and out["promoted_id"] == a2
    for status in ("confirmed", "ongoing"):
        r = client.post(f"/api/v1/retreat-batches/{b.pk}/status", {"status": status}, content_type=JSON, **staff)
        assert r.status_code == 200, r.content
    attended = client.post(f"/api/v1/retreat-applications/{a2}/attend", {"attended": True}, content_type=JSON,
                           **staff).json()
    assert attended["status"] == "attended"
    survey = {"application_id": a2, "itinerary": 5, "accommodation": 4, "food": 4, "guide": 5, "overall": 5,
              "comment": "很满意"}
    assert client.post("/api/v1/retreat-surveys", survey, content_type=JSON, **auth(me)).status_code == 201
    again = client.post("/api/v1/retreat-surveys", survey, content_type=JSON, **auth(me))
    assert again.status_code == 422 and "您已提交过问卷" in str(again.json()["extra"])
    report = client.get(f"/api/v1/retreat-batches/{b.pk}/survey-report", **staff).json()
    assert report["responses"] == 1 and report["response_rate"] == "100.0" and report["averages"]["overall"] == "5.00"
    surveys = client.get(f"/api/v1/retreat-surveys?batch={b.pk}", **county).json()["items"]
    assert [s["overall"] for s in surveys] == [5]


def test_it_refuses_a_survey_for_someone_elses_application(client, users, orgs):
    w = F.worker(orgs["331102"], "张三")
    b = F.attended_batch(orgs["331100"], [w], start=date(2022, 5, 9))
    app = RetreatApplication.objects.get(batch=b, worker=w)
    other = F.worker_login(F.worker(orgs["331102"], "李四"), "lisi")
    survey = {"application_id": app.pk, "itinerary": 5, "accommodation": 5, "food": 5, "guide": 5, "overall": 5}
    assert client.post("/api/v1/retreat-surveys", survey, content_type=JSON, **auth(other)).status_code == 404
    bad = client.post("/api/v1/retreat-surveys", {**survey, "token": app.survey_token, "overall": 7},
                      content_type=JSON, **auth(users["city_staff"]))
    assert bad.status_code == 422 and bad.json()["extra"]["errors"]["overall"] == ["“总体满意度”的评分应为 1–5 分。"]


def test_it_shows_why_someone_is_not_eligible(client, users, orgs):
    b = F.batch(orgs["331100"], min_level_rank=3)
    w = F.worker(orgs["331102"], "张三")
    data = client.get(f"/api/v1/retreat-batches/{b.pk}/eligibility?worker_id={w.pk}",
                      **auth(users["county_staff"])).json()
    assert data["eligible"] is False
    assert data["reasons"] == ["荣誉级别:要求省部级及以上,本人最高为市级。"]
    response = client.post("/api/v1/retreat-applications", {"batch_id": b.pk, "worker_id": w.pk}, content_type=JSON,
                           **auth(users["county_staff"]))
    assert response.status_code == 422
    assert response.json()["extra"]["errors"]["worker"] == ["荣誉级别:要求省部级及以上,本人最高为市级。"]
