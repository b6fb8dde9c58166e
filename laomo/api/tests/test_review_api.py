"""报送→审核 through the API: a county's write to a reviewed registry is a submission (202), which the city
approves or returns through /api/v1/submissions; the worker's history shows what was approved."""

import io

import pytest
from django.test import Client
from PIL import Image

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry, Job
from laomo.orgs.models import OrgUnit
from laomo.workers import review
from laomo.workers.models import Honor, Submission, Worker
from laomo.workers.services import honor_add, worker_create
from laomo.workers.tests.factories import make_id

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(actor=SYSTEM, user=user)[1]}")


@pytest.fixture
def reviewed(orgs):
    """The city reviews its counties' registry changes."""
    OrgUnit.objects.filter(code="331100").update(registry_review=True)
    return orgs


@pytest.fixture
def api(users):
    return {key: _client(users[key]) for key in ("city_staff", "county_staff", "county_staff_qy", "viewer")}


@pytest.fixture
def zhang(orgs):
    worker = worker_create(actor=SYSTEM, org=orgs["331102"], name="张三", id_number=make_id("331102", "19650312"),
                           phone="13805781234", employer="莲都区人民医院")
    honor_add(actor=SYSTEM, worker=worker, title="浙江省劳动模范", year=2015)
    return worker


NEW = {"name": "钟秀兰", "org": "331102", "phone": "13905781234", "employer": "莲都区人民医院"}


def _submit_new(api) -> dict:
    response = api["county_staff"].post("/api/v1/workers", {**NEW, "id_number": make_id("331102", "19700305")},
                                        content_type="application/json")
    assert response.status_code == 202, response.content
    return response.json()["submission"]


def test_it_answers_a_county_create_under_review_with_the_submission_and_writes_nothing(reviewed, api):
    submission = _submit_new(api)
    assert set(submission) == {"id", "kind", "status", "summary", "url"}
    assert submission["kind"] == "worker_create" and submission["status"] == "pending"
    assert "钟秀兰" in submission["summary"] and submission["url"].endswith(f"/{submission['id']}/")
    assert not Worker.objects.filter(name="钟秀兰").exists()
    for who in ("county_staff", "city_staff"):
        names = {i["name"] for i in api[who].get("/api/v1/workers").json()["items"]}
        assert "钟秀兰" not in names
    assert AuditEntry.objects.filter(action="workers.submission.create", actor_username="t_liandu").exists()


def test_it_writes_directly_where_nobody_reviews(orgs, api):
    response = api["county_staff"].post("/api/v1/workers", NEW, content_type="application/json")
    assert response.status_code == 201 and response.json()["name"] == "钟秀兰"


def test_it_lets_the_reviewer_write_directly(reviewed, api):
    response = api["city_staff"].post("/api/v1/workers", NEW, content_type="application/json")
    assert response.status_code == 201
    assert not Submission.objects.exists()


def test_it_answers_a_submission_the_check_refuses_with_the_usual_422(reviewed, api):
    response = api["county_staff"].post("/api/v1/workers", {**NEW, "id_number": "331102196503120011"},
                                        content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()) == {"message", "extra"} and "id_number" in response.json()["extra"]["errors"]
    assert not Submission.objects.exists()


def test_it_applies_an_approved_create_and_records_it_in_the_history(reviewed, api):
    submission = _submit_new(api)
    detail = api["city_staff"].get(f"/api/v1/submissions/{submission['id']}").json()
    shown = {row["label"]: row["proposed"] for row in detail["rows"]}
    assert shown["姓名"] == "钟秀兰" and shown["管理单位"] == "莲都区总工会"
    assert shown["联系电话"] == "139****1234" and "19700305" not in str(detail)  # PII only masked
    assert detail["log"][0]["action"] == "报送" and detail["submitted_by"] == "t_liandu"

    response = api["city_staff"].post(f"/api/v1/submissions/{submission['id']}/approve", {"comment": "同意"},
                                      content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["job"] is None and body["submission"]["status"] == "approved"
    assert body["submission"]["reviewed_by"] == "t_city" and body["submission"]["comment"] == "同意"
    worker_id = body["submission"]["worker_id"]
    items = api["county_staff"].get("/api/v1/workers").json()["items"]
    assert worker_id in {i["id"] for i in items if i["name"] == "钟秀兰"}

    history = api["county_staff"].get(f"/api/v1/workers/{worker_id}/history").json()
    assert history["next"] is None
    (entry,) = history["items"]
    assert entry["kind"] == "create" and entry["kind_label"] == "登记建档"
    assert entry["actor"] == "t_liandu" and entry["approved_by"] == "t_city"
    assert entry["submission_id"] == submission["id"] and entry["direct"] is False
    assert {"label": "姓名", "old": "", "new": "钟秀兰"} in entry["changes"]


def test_it_submits_a_change_and_shows_its_diff_in_the_history_once_approved(reviewed, api, zhang):
    response = api["county_staff"].patch(f"/api/v1/workers/{zhang.pk}", {"employer": "莲都区中医院", "name": None},
                                         content_type="application/json")
    assert response.status_code == 202, response.content
    submission = response.json()["submission"]
    assert submission["kind"] == "worker_update" and "工作单位" in submission["summary"]
    zhang.refresh_from_db()
    assert zhang.employer == "莲都区人民医院" and zhang.name == "张三"
    rows = api["city_staff"].get(f"/api/v1/submissions/{submission['id']}").json()["rows"]
    assert rows == [{"label": "工作单位", "current": "莲都区人民医院", "proposed": "莲都区中医院"}]
    # A second change of the same worker waits for the first.
    again = api["county_staff"].patch(f"/api/v1/workers/{zhang.pk}", {"employer": "别处"},
                                      content_type="application/json")
    assert again.status_code == 422 and "未办结" in str(again.json())

    assert api["city_staff"].post(f"/api/v1/submissions/{submission['id']}/approve", {},
                                  content_type="application/json").status_code == 200
    zhang.refresh_from_db()
    assert zhang.employer == "莲都区中医院"
    latest = api["county_staff"].get(f"/api/v1/workers/{zhang.pk}/history").json()["items"][0]
    assert latest["kind"] == "update" and latest["actor"] == "t_liandu" and latest["approved_by"] == "t_city"
    assert latest["changes"] == [{"label": "工作单位", "old": "莲都区人民医院", "new": "莲都区中医院"}]


def test_it_submits_honor_changes(reviewed, api, zhang):
    added = api["county_staff"].post(f"/api/v1/workers/{zhang.pk}/honors", {"title": "丽水市劳动模范", "year": 2010},
                                     content_type="application/json")
    assert added.status_code == 202 and added.json()["submission"]["kind"] == "honor_add"
    honor = zhang.honors.get()
    removed = api["county_staff"].delete(f"/api/v1/workers/{zhang.pk}/honors/{honor.pk}?reason=误录")
    assert removed.status_code == 202 and removed.json()["submission"]["kind"] == "honor_remove"
    assert Honor.objects.filter(worker=zhang, is_deleted=False).count() == 1
    blank = api["county_staff"].delete(f"/api/v1/workers/{zhang.pk}/honors/{honor.pk}?reason=")
    assert blank.status_code == 422 and "删除原因" in str(blank.json())


def test_it_requires_a_comment_to_return_and_keeps_the_draft(reviewed, api):
    submission = _submit_new(api)
    url = f"/api/v1/submissions/{submission['id']}"
    for body in ({}, {"comment": "  "}):
        response = api["city_staff"].post(f"{url}/return", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {"message": "请填写退回意见,说明需要修改的内容。", "extra": {}}
    response = api["city_staff"].post(f"{url}/return", {"comment": "请补充身份证号"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert response.json()["comment"] == "请补充身份证号"
    listed = api["county_staff"].get("/api/v1/submissions?status=open").json()["items"]
    assert [s["id"] for s in listed] == [submission["id"]]
    assert api["county_staff"].get("/api/v1/submissions?status=pending").json()["items"] == []
    # Returned: nothing to approve until it is submitted again.
    approve = api["city_staff"].post(f"{url}/approve", {}, content_type="application/json")
    assert approve.status_code == 422 and "不能审核" in str(approve.json())


def test_it_lets_the_county_withdraw_an_open_submission(reviewed, api):
    submission = _submit_new(api)
    url = f"/api/v1/submissions/{submission['id']}/withdraw"
    response = api["county_staff"].post(url)
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert api["county_staff"].post(url).status_code == 422
    assert AuditEntry.objects.filter(action="workers.submission.withdraw").exists()


def test_it_keeps_another_county_out(reviewed, api):
    submission = _submit_new(api)
    url = f"/api/v1/submissions/{submission['id']}"
    other = api["county_staff_qy"]
    assert other.get("/api/v1/submissions").json()["items"] == []
    assert other.get(url).status_code == 404
    assert other.post(f"{url}/withdraw").status_code == 404
    assert api["county_staff"].get("/api/v1/submissions").json()["items"][0]["id"] == submission["id"]


def test_it_lets_only_reviewers_approve(reviewed, api):
    submission = _submit_new(api)
    url = f"/api/v1/submissions/{submission['id']}"
    assert api["viewer"].get(url).status_code == 403  # as the pages: changes not yet in the registry
    for who in ("viewer", "county_staff", "county_staff_qy"):
        for action in ("approve", "return"):
            response = api[who].post(f"{url}/{action}", {"comment": "x"}, content_type="application/json")
            assert response.status_code == 403, (who, action)
            assert response.json()["message"] == "您没有此操作的权限。"
    assert Submission.objects.get(pk=submission["id"]).status == "pending"
    assert not Worker.objects.filter(name="钟秀兰").exists()


def test_it_refuses_an_unknown_status_filter(reviewed, api):
    assert api["city_staff"].get("/api/v1/submissions?status=bogus").status_code == 422


def test_it_answers_an_approved_roster_import_with_its_job(reviewed, api, users, settings, tmp_path):
    settings.VAR_DIR = str(tmp_path)
    upload = tmp_path / "upload.xlsx"
    upload.write_bytes(b"roster")
    preview = Job.objects.create(kind="workers.import", title="t", owner=users["county_staff"], status="done",
                                 params={"upload": str(upload), "filename": "名册.xlsx", "org": "331102",
                                         "dry_run": True},
                                 result={"dry_run": True, "rows": 1, "created": 1})
    submission = review.submit_roster_import(actor=users["county_staff"], preview=preview)
    response = api["city_staff"].post(f"/api/v1/submissions/{submission.pk}/approve", {},
                                      content_type="application/json")
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get(pk=body["job"]["id"])
    assert job.kind == "workers.import" and job.params["submission"] == str(submission.pk)
    assert body["job"]["url"].endswith(f"{job.pk}/")
    assert body["submission"]["status"] == "pending"  # settled when the job has written the file


def test_it_submits_a_new_photo_and_its_removal(reviewed, api, zhang, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    jpeg = io.BytesIO()
    Image.new("RGB", (300, 400), (180, 40, 40)).save(jpeg, format="JPEG")
    jpeg.seek(0)
    jpeg.name = "photo.jpg"
    url = f"/api/v1/workers/{zhang.pk}/photo"
    response = api["county_staff"].post(url, {"photo": jpeg})
    assert response.status_code == 202, response.content
    submission = response.json()["submission"]
    assert submission["kind"] == "worker_update" and "证件照" in submission["summary"]
    zhang.refresh_from_db()
    assert not zhang.photo
    # The removal is a change of the same worker: it waits for the open one (the usual 422).
    removed = api["county_staff"].delete(url)
    assert removed.status_code == 422 and "未办结" in str(removed.json())
    api["county_staff"].post(f"/api/v1/submissions/{submission['id']}/withdraw")
    # Nothing to remove: 422 as well, no submission.
    assert api["county_staff"].delete(url).status_code == 422
    assert Submission.objects.filter(status="pending").count() == 0
