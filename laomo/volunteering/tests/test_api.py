"""/api/v1 service-teams, service-records, service-requests (transitions as actions), mobilizations."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM

from .factories import make_record, make_request, make_team, make_worker


def _client(user):
    _, token = api_token_create(actor=SYSTEM, user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.django_db
def test_it_runs_the_loop_and_refuses_invalid_transitions_with_the_error_shape(orgs, users):
    qy = orgs["331126"]
    me = make_worker(qy, "叶长文")
    me.user = users["worker"]
    me.save(update_fields=["user"])
    team = make_team(qy, "食用菌技术指导服务队", "fungus", members=[me])
    staff, worker = _client(users["county_staff_qy"]), _client(users["worker"])
    created = staff.post("/api/v1/service-requests", {
        "org": "331126", "category": "fungus", "description": "香菇烂棒想请专家", "town": "竹口镇",
        "contact_name": "张大明", "contact_phone": "13905781234"}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["contact_phone"] == "139****1234" and body["contact_name"] == "张**" and body["status"] == "pending"
    rid = body["id"]
    early = staff.post(f"/api/v1/service-requests/{rid}/rate", {"rating": 5}, content_type="application/json")
    assert early.status_code == 422 and set(early.json()) == {"message", "extra"}
    assert "不能评价" in str(early.json()["extra"])
    r = staff.post(f"/api/v1/service-requests/{rid}/dispatch", {"team_id": team.pk, "worker_id": me.pk},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "dispatched"
    again = staff.post(f"/api/v1/service-requests/{rid}/dispatch", {"team_id": team.pk},
                       content_type="application/json")
    assert again.status_code == 422  # a second dispatch is refused (redispatch must say so)
    assert worker.post(f"/api/v1/service-requests/{rid}/accept", {}, content_type="application/json").json()[
        "status"] == "accepted"
    done = worker.post(f"/api/v1/service-requests/{rid}/complete", {
        "date": timezone.localdate().isoformat(), "place_kind": "village", "place": "竹口镇", "content": "指导",
        "person_times": 3, "volunteers": [{"worker_id": me.pk, "hours": "2.5"}]}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "completed" and done.json()["record_id"]
    rated = staff.post(f"/api/v1/service-requests/{rid}/rate", {"rating": 5}, content_type="application/json")
    assert rated.json()["rating"] == 5
    refused = make_request(qy)
    staff.post(f"/api/v1/service-requests/{refused.pk}/refuse", {"reason": "不属于服务范围"},
               content_type="application/json")
    bad = worker.post(f"/api/v1/service-requests/{refused.pk}/accept", {}, content_type="application/json")
    assert bad.status_code == 404  # not dispatched to this worker: outside their scope
    staff_accept = staff.post(f"/api/v1/service-requests/{refused.pk}/accept", {}, content_type="application/json")
    assert staff_accept.status_code == 422 and "已拒绝" in str(staff_accept.json()["extra"])


@pytest.mark.django_db
def test_it_scopes_teams_records_and_mobilizations(orgs, users):
    qy, ld = orgs["331126"], orgs["331102"]
    qy_team, ld_team = make_team(qy), make_team(ld, "莲都队", "technical")
    qy_record = make_record(qy_team, date(2022, 3, 1), 12)
    make_record(ld_team, date(2022, 3, 2), 7)
    liandu = _client(users["county_staff"])
    teams = liandu.get("/api/v1/service-teams").json()
    assert [t["name"] for t in teams["items"]] == ["莲都队"] and teams["next"] is None
    assert liandu.get(f"/api/v1/service-teams/{qy_team.pk}").status_code == 404
    assert liandu.get(f"/api/v1/service-records/{qy_record.pk}").status_code == 404
    assert [r["person_times"] for r in liandu.get("/api/v1/service-records?year=2022").json()["items"]] == [7]
    assert liandu.get("/api/v1/service-records?org=331126").status_code == 403
    city = _client(users["city_staff"])
    created = city.post("/api/v1/mobilizations", {
        "name": "6·20暴雨灾后自救", "kind": "emergency", "org": "331181", "team_type": "agriculture",
        "start_date": "2022-06-20", "end_date": "2022-07-05", "area": "龙泉市", "posts": ["田间指导"]},
        content_type="application/json")
    assert created.status_code == 201 and created.json()["posts"] == ["田间指导"]
    assert liandu.get(f"/api/v1/mobilizations/{created.json()['id']}").status_code == 404
    assert _client(users["viewer"]).post("/api/v1/service-teams", {
        "name": "x", "team_type": "legal", "org": "331100", "founded_on": "2020-01-01"},
        content_type="application/json").status_code == 403
    rec = _client(users["team_leader"]).get("/api/v1/service-records").json()
    assert rec["items"] == []
