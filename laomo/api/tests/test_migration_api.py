"""The endpoints a migration script or an integration needs (issue 13 item 4): retreat vendors, team members,
worker status, hardship survey rounds, retreat survey links, worker logins, and service requests recorded by
staff with their historical dates. Each: the happy path, a role without the capability (403), another
county's record (403/404/422 as the neighbours answer), and bad input answered in Chinese."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import make_user
from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry, Notification
from laomo.retreats import services as retreats
from laomo.volunteering import services as vol
from laomo.volunteering.models import RequestEvent, ServiceRequest
from laomo.volunteering.services.history import STAFF_NOTE
from laomo.workers.models import Worker
from laomo.workers.services import honor_add, worker_create

JSON = "application/json"


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=SYSTEM, user=user)[1]}"}


def _errors(response) -> str:
    """The Chinese of an error answer: the message and every field's messages."""
    body = response.json()
    assert set(body) == {"message", "extra"}
    texts = [body["message"]]
    for messages in body["extra"].get("errors", {}).values():
        texts += messages if isinstance(messages, list) else [str(messages)]
    return " ".join(texts)


def _audited(action: str) -> bool:
    return AuditEntry.objects.filter(action=action).exists()


@pytest.fixture
def data(orgs, users):
    ld, qy = orgs["331102"], orgs["331126"]
    w_ld = worker_create(actor=SYSTEM, org=ld, name="张三", id_number="331102196503120016")
    honor_add(actor=SYSTEM, worker=w_ld, title="丽水市劳动模范", year=2012)
    w_ld2 = worker_create(actor=SYSTEM, org=ld, name="莲都第二人")
    honor_add(actor=SYSTEM, worker=w_ld2, title="丽水市劳动模范", year=2014)
    w_qy = worker_create(actor=SYSTEM, org=qy, name="叶长文")
    return {
        "ld": ld, "qy": qy, "w_ld": w_ld, "w_ld2": w_ld2, "w_qy": w_qy,
        "ld_team": vol.team_create(actor=SYSTEM, org=ld, name="莲都法律服务队", team_type="legal",
                                   founded_on=date(2020, 1, 1)),
        "qy_team": vol.team_create(actor=SYSTEM, org=qy, name="庆元食用菌服务队", team_type="fungus",
                                   founded_on=date(2020, 1, 1), leader=users["team_leader"]),
    }


# --- 1. retreat vendors --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_lists_creates_and_updates_vendors(client, users, data):
    auth = _auth(users["county_staff"])
    body = {"org": "331102", "name": "丽水青年旅行社", "contact_person": "王经理", "contact_phone": "13905781234",
            "contract_start": "2024-01-01", "contract_end": "2026-12-31"}
    response = client.post("/api/v1/retreat-vendors", body, content_type=JSON, **auth)
    assert response.status_code == 201, response.content
    vendor = response.json()
    assert vendor["org"] == "331102" and vendor["kind"] == "agency" and vendor["is_active"] is True
    assert vendor["batch_count"] == 0 and vendor["rating"] is None
    assert _audited("retreats.vendor.create")
    url = f"/api/v1/retreat-vendors/{vendor['id']}"
    response = client.patch(url, {"address": "丽水市莲都区", "is_active": False, "contract_no": None},
                            content_type=JSON, **auth)
    assert response.status_code == 200 and response.json()["address"] == "丽水市莲都区"
    assert response.json()["is_active"] is False and _audited("retreats.vendor.update")
    listed = client.get("/api/v1/retreat-vendors?active=0", **_auth(users["viewer"])).json()
    assert [v["name"] for v in listed["items"]] == ["丽水青年旅行社"] and listed["next"] is None
    assert client.get(url, **_auth(users["viewer"])).json()["contact_person"] == "王经理"


@pytest.mark.django_db
def test_it_refuses_vendor_writes_without_the_capability_or_the_scope(client, users, data):
    body = {"org": "331102", "name": "丽水青年旅行社"}
    assert client.post("/api/v1/retreat-vendors", body, content_type=JSON,
                       **_auth(users["viewer"])).status_code == 403
    assert client.get("/api/v1/retreat-vendors", **_auth(users["worker"])).status_code == 403
    auth = _auth(users["county_staff"])
    assert client.post("/api/v1/retreat-vendors", {**body, "org": "331126"}, content_type=JSON,
                       **auth).status_code == 403
    qy_vendor = retreats.vendor_create(actor=SYSTEM, org=data["qy"], name="庆元旅行社")
    assert client.patch(f"/api/v1/retreat-vendors/{qy_vendor.pk}", {"note": "x"}, content_type=JSON,
                        **auth).status_code == 404
    assert client.get(f"/api/v1/retreat-vendors/{qy_vendor.pk}", **auth).status_code == 404
    assert "庆元旅行社" not in [v["name"] for v in client.get("/api/v1/retreat-vendors", **auth).json()["items"]]
    # The city's vendor is seen by the county below, but only the contracting unit edits it.
    city_vendor = retreats.vendor_create(actor=SYSTEM, org=data["ld"].parent, name="市总签约基地", kind="base")
    assert client.get(f"/api/v1/retreat-vendors/{city_vendor.pk}", **auth).status_code == 200
    assert client.patch(f"/api/v1/retreat-vendors/{city_vendor.pk}", {"note": "x"}, content_type=JSON,
                        **auth).status_code == 403


@pytest.mark.django_db
def test_it_refuses_bad_vendor_input_in_chinese(client, users, data):
    auth = _auth(users["county_staff"])
    body = {"org": "331102", "name": "甲旅行社", "contract_start": "2025-01-01", "contract_end": "2024-01-01"}
    response = client.post("/api/v1/retreat-vendors", body, content_type=JSON, **auth)
    assert response.status_code == 422 and "合同终止日不能早于起始日" in _errors(response)
    response = client.post("/api/v1/retreat-vendors", {"org": "331102", "name": "甲旅行社", "contact_phone": "12"},
                           content_type=JSON, **auth)
    assert response.status_code == 422 and "contact_phone" in response.json()["extra"]["errors"]
    vendor = retreats.vendor_create(actor=SYSTEM, org=data["ld"], name="乙旅行社")
    response = client.patch(f"/api/v1/retreat-vendors/{vendor.pk}", {"name": None}, content_type=JSON, **auth)
    assert response.status_code == 422 and "不能为空" in _errors(response)


# --- 2. team members -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_adds_and_removes_team_members(client, users, data):
    auth = _auth(users["county_staff"])
    url = f"/api/v1/service-teams/{data['ld_team'].pk}/members"
    response = client.post(url, {"worker_id": data["w_ld"].pk, "duty": "副队长", "joined_on": "2021-05-01"},
                           content_type=JSON, **auth)
    assert response.status_code == 201, response.content
    member = response.json()
    assert member["worker_no"] == data["w_ld"].worker_no and member["joined_on"] == "2021-05-01"
    response = client.post(url, {"name": "李志愿", "phone": "13905781235"}, content_type=JSON, **auth)
    assert response.status_code == 201 and response.json()["phone"] != "13905781235"
    assert {m["name"] for m in client.get(url, **auth).json()} == {"张三", "李志愿"}
    response = client.post(f"{url}/{member['id']}/leave", {"left_on": "2023-06-30", "reason": "调离"},
                           content_type=JSON, **auth)
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert response.json()["left_on"] == "2023-06-30"
    assert {m["name"] for m in client.get(url, **auth).json()} == {"李志愿"}
    assert len(client.get(f"{url}?with_left=true", **auth).json()) == 2
    assert _audited("volunteering.team.member_add") and _audited("volunteering.team.member_remove")


@pytest.mark.django_db
def test_it_lets_a_team_leader_add_members_to_their_team(client, users, data):
    response = client.post(f"/api/v1/service-teams/{data['qy_team'].pk}/members", {"worker_id": data["w_qy"].pk},
                           content_type=JSON, **_auth(users["team_leader"]))
    assert response.status_code == 201 and response.json()["name"] == "叶长文"


@pytest.mark.django_db
def test_it_refuses_member_changes_without_the_capability_or_the_scope(client, users, data):
    url = f"/api/v1/service-teams/{data['ld_team'].pk}/members"
    for role in ("viewer", "worker"):
        assert client.post(url, {"worker_id": data["w_ld"].pk}, content_type=JSON,
                           **_auth(users[role])).status_code == 403
    auth = _auth(users["county_staff"])
    assert client.post(f"/api/v1/service-teams/{data['qy_team'].pk}/members", {"name": "某人"},
                       content_type=JSON, **auth).status_code == 404
    assert client.get(f"/api/v1/service-teams/{data['qy_team'].pk}/members", **auth).status_code == 404
    response = client.post(url, {"worker_id": data["w_qy"].pk}, content_type=JSON, **auth)
    assert response.status_code == 422 and "不在您的数据范围内" in _errors(response)
    assert "叶长文" not in _errors(response)
    qy_member = vol.member_add(actor=SYSTEM, team=data["qy_team"], worker=data["w_qy"])
    assert client.post(f"{url}/{qy_member.pk}/leave", {}, content_type=JSON, **auth).status_code == 422


@pytest.mark.django_db
def test_it_refuses_bad_member_input_in_chinese(client, users, data):
    auth = _auth(users["county_staff"])
    url = f"/api/v1/service-teams/{data['ld_team'].pk}/members"
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"worker_id": data["w_ld"].pk, "joined_on": tomorrow}, content_type=JSON, **auth)
    assert response.status_code == 422 and "加入日期不能晚于今天" in _errors(response)
    member = client.post(url, {"worker_id": data["w_ld"].pk, "joined_on": "2022-01-01"}, content_type=JSON,
                         **auth).json()
    response = client.post(url, {"worker_id": data["w_ld"].pk}, content_type=JSON, **auth)
    assert response.status_code == 422 and "已是本队队员" in _errors(response)
    assert "请填写队员姓名" in _errors(client.post(url, {}, content_type=JSON, **auth))
    response = client.post(f"{url}/{member['id']}/leave", {"left_on": "2021-01-01"}, content_type=JSON, **auth)
    assert response.status_code == 422 and "退出日期应在加入日期到今天之间" in _errors(response)


# --- 3. worker status ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_retires_and_marks_a_worker_deceased(client, users, data):
    auth = _auth(users["county_staff"])
    url = f"/api/v1/workers/{data['w_ld'].pk}/status"
    response = client.post(url, {"status": "retired", "status_date": "2020-07-01"}, content_type=JSON, **auth)
    assert response.status_code == 200 and response.json()["employment_status"] == "retired"
    response = client.post(url, {"status": "deceased", "status_date": "2024-02-03"}, content_type=JSON, **auth)
    assert response.json() == {"id": data["w_ld"].pk, "worker_no": data["w_ld"].worker_no, "name": "张三",
                               "employment_status": "deceased", "status_date": "2024-02-03",
                               "closed": ["已生成吊唁任务"]}  # what the death closed (workers/lifeevents.py)
    assert AuditEntry.objects.filter(action="workers.worker.status").count() == 2


@pytest.mark.django_db
def test_it_refuses_status_changes_without_the_capability_or_the_scope(client, users, data):
    body = {"status": "retired", "status_date": "2020-07-01"}
    assert client.post(f"/api/v1/workers/{data['w_ld'].pk}/status", body, content_type=JSON,
                       **_auth(users["viewer"])).status_code == 403
    assert client.post(f"/api/v1/workers/{data['w_qy'].pk}/status", body, content_type=JSON,
                       **_auth(users["county_staff"])).status_code == 404
    assert Worker.objects.get(pk=data["w_qy"].pk).employment_status == "active"


@pytest.mark.django_db
def test_it_refuses_bad_status_input_in_chinese(client, users, data):
    auth = _auth(users["county_staff"])
    url = f"/api/v1/workers/{data['w_ld'].pk}/status"
    response = client.post(url, {"status": "deceased"}, content_type=JSON, **auth)
    assert response.status_code == 422 and "请填写状态变更日期" in _errors(response)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"status": "deceased", "status_date": tomorrow}, content_type=JSON, **auth)
    assert response.status_code == 422 and "不能晚于今天" in _errors(response)
    response = client.post(url, {"status": "gone"}, content_type=JSON, **auth)
    assert response.status_code == 422 and "未知的在职状态" in _errors(response)


# --- 4. hardship survey rounds -------------------------------------------------------------------------


ROUND = {"org": "331100", "year": 2023, "name": "2023年困难劳模调查", "start_date": "2023-03-01",
         "end_date": "2023-11-30", "income_threshold": "960"}


@pytest.mark.django_db
def test_it_opens_lists_and_closes_hardship_rounds(client, users, data):
    auth = _auth(users["city_staff"])
    response = client.post("/api/v1/hardship-rounds", ROUND, content_type=JSON, **auth)
    assert response.status_code == 201, response.content
    r = response.json()
    assert r["status"] == "open" and r["min_level"] == "municipal" and r["income_threshold"] == "960.00"
    assert r["marginal_factor"] == "1.50" and _audited("care.round.open")
    listed = client.get("/api/v1/hardship-rounds?year=2023", **_auth(users["county_staff"])).json()
    assert [i["id"] for i in listed["items"]] == [r["id"]]
    response = client.post(f"/api/v1/hardship-rounds/{r['id']}/status", {"status": "closed"}, content_type=JSON,
                           **auth)
    assert response.status_code == 200 and response.json()["status"] == "closed" and _audited("care.round.update")
    assert client.get(f"/api/v1/hardship-rounds/{r['id']}", **auth).json()["status"] == "closed"


@pytest.mark.django_db
def test_it_refuses_rounds_without_the_capability_or_the_scope(client, users, data):
    assert client.get("/api/v1/hardship-rounds", **_auth(users["viewer"])).status_code == 403
    assert client.post("/api/v1/hardship-rounds", ROUND, content_type=JSON,
                       **_auth(users["viewer"])).status_code == 403
    county = _auth(users["county_staff"])
    assert client.post("/api/v1/hardship-rounds", ROUND, content_type=JSON, **county).status_code == 403
    r = client.post("/api/v1/hardship-rounds", ROUND, content_type=JSON, **_auth(users["city_staff"])).json()
    assert client.post(f"/api/v1/hardship-rounds/{r['id']}/status", {"status": "closed"}, content_type=JSON,
                       **county).status_code == 403


@pytest.mark.django_db
def test_it_refuses_bad_round_input_in_chinese(client, users, data):
    auth = _auth(users["city_staff"])
    response = client.post("/api/v1/hardship-rounds", {**ROUND, "end_date": "2023-01-01"}, content_type=JSON, **auth)
    assert response.status_code == 422 and "截止日期不能早于开始日期" in _errors(response)
    response = client.post("/api/v1/hardship-rounds", {**ROUND, "org": "331102"}, content_type=JSON, **auth)
    assert response.status_code == 422 and "由市总工会统一开展" in _errors(response)
    response = client.post("/api/v1/hardship-rounds", {**ROUND, "min_level": "village"}, content_type=JSON, **auth)
    assert response.status_code == 422 and "min_level 应为" in _errors(response)
    response = client.post("/api/v1/hardship-rounds", {**ROUND, "income_threshold": "很多"}, content_type=JSON,
                           **auth)
    assert response.status_code == 422 and "income_threshold" in response.json()["extra"]["errors"]
    r = client.post("/api/v1/hardship-rounds", ROUND, content_type=JSON, **auth).json()
    response = client.post("/api/v1/hardship-rounds", ROUND, content_type=JSON, **auth)
    assert response.status_code == 422 and "已开启" in _errors(response)
    response = client.post(f"/api/v1/hardship-rounds/{r['id']}/status", {"status": "paused"}, content_type=JSON,
                           **auth)
    assert response.status_code == 422 and "未知的状态" in _errors(response)


# --- 5. retreat survey links ---------------------------------------------------------------------------


def _held_batch(org, worker, name="莲都2022第一批"):
    vendor = retreats.vendor_create(actor=SYSTEM, org=org, name=f"{name}旅行社")
    batch = retreats.batch_create(actor=SYSTEM, org=org, name=name, destination="千岛湖", start_date=date(2022, 5, 9),
                                  end_date=date(2022, 5, 13), capacity=5, cost_per_person=Decimal("2000.00"),
                                  budget=Decimal("10000.00"), not_attended_years=0, vendor=vendor, leader_name="李强")
    retreats.batch_set_status(actor=SYSTEM, batch=batch, status="open")
    app = retreats.application_submit(actor=SYSTEM, batch=batch, worker=worker, health_declared=True)
    retreats.application_confirm(actor=SYSTEM, application=app)
    retreats.batch_set_status(actor=SYSTEM, batch=batch, status="confirmed")
    retreats.batch_set_status(actor=SYSTEM, batch=batch, status="ongoing")
    retreats.application_record_attendance(actor=SYSTEM, application=app, attended=True)
    app.refresh_from_db()
    return batch, app


@pytest.mark.django_db
def test_it_gives_the_organizer_the_survey_links(client, users, data):
    batch, app = _held_batch(data["ld"], data["w_ld"])
    response = client.get(f"/api/v1/retreat-batches/{batch.pk}/survey-links", **_auth(users["county_staff"]))
    assert response.status_code == 200, response.content
    (link,) = response.json()
    assert link["application_id"] == app.pk and link["worker_name"] == "张三" and link["answered"] is False
    assert link["link"].endswith(f"/retreats/survey/{app.survey_token}/")
    assert AuditEntry.objects.get(action="retreats.survey.links").changes == {"links": 1}
    # The link is the participant's key: the survey answered through it shows as answered.
    answer = {"token": app.survey_token, "itinerary": 5, "accommodation": 4, "food": 4, "guide": 5, "overall": 5}
    assert client.post("/api/v1/retreat-surveys", answer, content_type=JSON,
                       **_auth(users["county_staff"])).status_code == 201
    again = client.get(f"/api/v1/retreat-batches/{batch.pk}/survey-links", **_auth(users["county_staff"])).json()
    assert again[0]["answered"] is True


@pytest.mark.django_db
def test_it_refuses_survey_links_to_others(client, users, data):
    batch, _ = _held_batch(data["ld"], data["w_ld"])
    url = f"/api/v1/retreat-batches/{batch.pk}/survey-links"
    for role in ("viewer", "worker"):
        assert client.get(url, **_auth(users[role])).status_code == 403
    assert client.get(url, **_auth(users["county_staff_qy"])).status_code == 404
    # A county sees the city's batch (its quota) but only the city hands out the links.
    city_batch, _ = _held_batch(data["ld"].parent, data["w_ld2"], name="市总2022第一批")
    response = client.get(f"/api/v1/retreat-batches/{city_batch.pk}/survey-links", **_auth(users["county_staff"]))
    assert response.status_code == 403 and "只有组织单位" in response.json()["message"]
    assert not AuditEntry.objects.filter(action="retreats.survey.links").exists()


@pytest.mark.django_db
def test_it_refuses_a_bad_batch_id_in_chinese(client, users, data):
    response = client.get("/api/v1/retreat-batches/abc/survey-links", **_auth(users["county_staff"]))
    assert response.status_code == 422 and response.json()["message"] == "请求参数有误。"
    response = client.get("/api/v1/retreat-batches/987654/survey-links", **_auth(users["county_staff"]))
    assert response.status_code == 404 and "不在您的数据范围内" in response.json()["message"]


# --- 6. worker logins ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_grants_a_new_login_or_links_an_existing_one(client, users, data):
    auth = _auth(users["county_staff"])
    response = client.post(f"/api/v1/workers/{data['w_ld'].pk}/grant-login", {"username": "zhangsan"},
                           content_type=JSON, **auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "zhangsan" and body["created"] is True and len(body["password"]) >= 10
    assert Worker.objects.get(pk=data["w_ld"].pk).user.username == "zhangsan"
    account = make_user("ld_worker2", "worker", data["ld"])
    response = client.post(f"/api/v1/workers/{data['w_ld2'].pk}/link-login", {"username": "LD_worker2"},
                           content_type=JSON, **auth)
    assert response.status_code == 200, response.content
    assert response.json() == {"worker_id": data["w_ld2"].pk, "username": "ld_worker2", "created": False,
                               "password": None}
    assert Worker.objects.get(pk=data["w_ld2"].pk).user == account
    assert _audited("workers.worker.grant_login") and _audited("workers.worker.link_login")


@pytest.mark.django_db
def test_it_refuses_logins_without_the_capability_or_the_scope(client, users, data):
    for role in ("viewer", "worker", "sysadmin"):
        assert client.post(f"/api/v1/workers/{data['w_ld'].pk}/grant-login", {"username": "x1"},
                           content_type=JSON, **_auth(users[role])).status_code == 403
    auth = _auth(users["county_staff"])
    assert client.post(f"/api/v1/workers/{data['w_qy'].pk}/link-login", {"username": "t_worker"},
                       content_type=JSON, **auth).status_code == 404
    # t_worker's account is in 庆元: refused like an account that does not exist.
    response = client.post(f"/api/v1/workers/{data['w_ld'].pk}/link-login", {"username": "t_worker"},
                           content_type=JSON, **auth)
    assert response.status_code == 422 and "不存在或不在您的数据范围内" in _errors(response)
    assert Worker.objects.get(pk=data["w_ld"].pk).user is None


@pytest.mark.django_db
def test_it_refuses_bad_login_input_in_chinese(client, users, data):
    auth = _auth(users["county_staff"])
    url = f"/api/v1/workers/{data['w_ld'].pk}"
    response = client.post(f"{url}/link-login", {"username": "t_liandu"}, content_type=JSON, **auth)
    assert response.status_code == 422 and "只能关联具有“劳模”角色的账号" in _errors(response)
    response = client.post(f"{url}/grant-login", {"username": "t_viewer"}, content_type=JSON, **auth)
    assert response.status_code == 422 and "该用户名已存在" in _errors(response)
    make_user("ld_worker3", "worker", data["ld"])
    assert client.post(f"{url}/link-login", {"username": "ld_worker3"}, content_type=JSON, **auth).status_code == 200
    response = client.post(f"{url}/grant-login", {"username": "zhangsan"}, content_type=JSON, **auth)
    assert response.status_code == 422 and "已有登录账号" in _errors(response)
    response = client.post(f"/api/v1/workers/{data['w_ld2'].pk}/link-login", {"username": "ld_worker3"},
                           content_type=JSON, **auth)
    assert response.status_code == 422 and "已关联劳模" in _errors(response)


# --- 7. service requests recorded with their historical dates ------------------------------------------


def _historical(data, **changes):
    body = {"org": "331102", "category": "legal", "description": "咨询劳动合同纠纷问题", "town": "岩泉街道",
            "contact_name": "王五", "contact_phone": "13905781234", "received_at": "2021-03-01T09:00:00",
            "dispatched_at": "2021-03-02T10:00:00", "team_id": data["ld_team"].pk, "worker_id": data["w_ld"].pk,
            "accepted_at": "2021-03-03T08:30:00+08:00", "completed_at": "2021-03-05T17:00:00",
            "service": {"date": "2021-03-04", "place_kind": "village", "place": "岩泉街道", "content": "上门法律咨询",
                        "person_times": 3, "volunteers": [{"worker_id": data["w_ld"].pk, "hours": "2"}]},
            "rated_at": "2021-03-06T12:00:00", "rating": 5, "rating_comment": "很满意"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.django_db
def test_it_records_a_request_with_its_historical_dates(client, users, data):
    notifications = Notification.objects.count()
    response = client.post("/api/v1/service-requests/historical", _historical(data), content_type=JSON,
                           **_auth(users["county_staff"]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "rated" and body["rating"] == 5 and body["record_id"] and body["overdue"] is False
    req = ServiceRequest.objects.get(pk=body["id"])
    local = timezone.localtime
    assert local(req.received_at).replace(tzinfo=None) == datetime(2021, 3, 1, 9, 0)
    assert local(req.completed_at).replace(tzinfo=None) == datetime(2021, 3, 5, 17, 0)
    assert local(req.rated_at).year == 2021 and req.closed_at == req.rated_at and req.record.date == date(2021, 3, 4)
    events = list(RequestEvent.objects.filter(request=req))
    assert [e.action for e in events] == ["submit", "dispatch", "accept", "complete", "rate"]
    assert all(e.note == STAFF_NOTE and e.actor == users["county_staff"] for e in events)
    assert [e.to_status for e in events][-1] == "rated" and events[0].created_at == req.received_at
    entry = AuditEntry.objects.get(action="volunteering.request.record_historical")
    assert entry.changes["note"] == STAFF_NOTE and entry.changes["completed_at"].startswith("2021-03-05T17:00")
    assert "13905781234" not in str(entry.changes)
    assert Notification.objects.count() == notifications  # it all happened already: nobody is told


@pytest.mark.django_db
def test_it_records_a_request_that_stopped_on_the_way(client, users, data):
    auth = _auth(users["county_staff"])
    pending = _historical(data, dispatched_at=None, team_id=None, worker_id=None, accepted_at=None,
                          completed_at=None, service=None, rated_at=None, rating=None, rating_comment=None)
    response = client.post("/api/v1/service-requests/historical", pending, content_type=JSON, **auth)
    assert response.status_code == 201 and response.json()["status"] == "pending"
    done = _historical(data, rated_at=None, rating=None, rating_comment=None, accepted_at=None, channel="portal")
    response = client.post("/api/v1/service-requests/historical", done, content_type=JSON, **auth)
    assert response.status_code == 201 and response.json()["status"] == "completed"
    assert response.json()["channel"] == "portal"


@pytest.mark.django_db
def test_it_refuses_historical_requests_without_the_capability_or_the_scope(client, users, data):
    for role in ("viewer", "team_leader", "worker"):
        assert client.post("/api/v1/service-requests/historical", _historical(data), content_type=JSON,
                           **_auth(users[role])).status_code == 403
    auth = _auth(users["county_staff"])
    assert client.post("/api/v1/service-requests/historical", _historical(data, org="331126"), content_type=JSON,
                       **auth).status_code == 403
    response = client.post("/api/v1/service-requests/historical", _historical(data, team_id=data["qy_team"].pk),
                           content_type=JSON, **auth)
    assert response.status_code == 422 and "不在您的数据范围内" in _errors(response)
    response = client.post("/api/v1/service-requests/historical", _historical(data, worker_id=data["w_qy"].pk),
                           content_type=JSON, **auth)
    assert response.status_code == 422 and "叶长文" not in _errors(response)
    assert not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_it_refuses_historical_dates_out_of_order_or_in_the_future(client, users, data):
    auth = _auth(users["county_staff"])
    url = "/api/v1/service-requests/historical"
    future = (timezone.localtime() + timedelta(days=2)).replace(tzinfo=None).isoformat(timespec="seconds")
    cases = [
        (_historical(data, dispatched_at="2021-02-28T10:00:00"), "派单时间不能早于受理时间"),
        (_historical(data, rated_at=future), "评价时间不能晚于当前时间"),
        (_historical(data, received_at="1900-01-01T00:00:00"), "受理时间不能早于1949年"),
        (_historical(data, dispatched_at=None, accepted_at=None), "须先填写派单时间"),
        (_historical(data, team_id=None, worker_id=None), "须指定服务队或劳模"),
        (_historical(data, service=None), "须登记服务情况"),
        (_historical(data, rating=None), "评分与评价时间须同时填写"),
        (_historical(data, rating=7), "1到5星"),
        (_historical(data, channel="fax"), "点单来源应为"),
        (_historical(data, service={**_historical(data)["service"], "date": "2021-03-06"}), "服务日期不能晚于完成日期"),
    ]
    for body, message in cases:
        response = client.post(url, body, content_type=JSON, **auth)
        assert response.status_code == 422 and message in _errors(response), (message, response.content.decode())
    response = client.post(url, {"org": "331102"}, content_type=JSON, **auth)
    assert response.status_code == 422 and response.json()["message"] == "请求参数有误。"
    assert not ServiceRequest.objects.exists()
