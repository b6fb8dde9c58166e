"""/api/v1/studios (+ achievements, assessments, reports), /api/v1/mentorships, /api/v1/tech-help."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.studios.models import Mentorship, Studio

from .factories import PDF_BYTES, mentorship, studio, tech_help, worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(users):
    def make(role="county_staff"):
        return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=SYSTEM, user=users[role])[1]}"}

    return make


@pytest.fixture
def w(orgs):
    ld = orgs["331102"]
    return {"省": worker(ld, "省劳模", "浙江省劳动模范"), "县": worker(ld, "县劳模", "莲都区劳动模范"),
            "徒": worker(ld, "小徒弟")}


def post(client, path, data, headers):
    return client.post(path, data, content_type="application/json", **headers)


def test_it_creates_and_reads_a_studio(client, orgs, w, auth):
    h = auth()
    response = post(client, "/api/v1/studios", {
        "name": "API工作室", "studio_type": "craftsman", "level": "county", "lead": w["县"].pk,
        "host_enterprise": "某厂", "org": "331102", "founded_date": "2019-04-01"}, h)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "cultivating" and body["lead"]["highest_level"] == "county"
    assert "低于市级" in body["lead_warning"] and "lead_low" in body["flags"]
    assert [m["role"] for m in body["members"]] == ["lead"] and body["history"][0]["to_status"] == "cultivating"
    pk = body["id"]
    named = post(client, f"/api/v1/studios/{pk}/status", {"to_status": "named", "date": "2020-01-01"}, h).json()
    assert named["status"] == "named" and named["named_date"] == "2020-01-01"
    patched = client.patch(f"/api/v1/studios/{pk}", {"lead": w["省"].pk, "specialty": "数控"},
                           content_type="application/json", **h).json()
    assert patched["lead"]["name"] == "省劳模" and patched["lead_warning"] == "" and patched["specialty"] == "数控"
    listed = client.get("/api/v1/studios?level=county&year=2022", **h).json()
    assert [s["name"] for s in listed["items"]] == ["API工作室"] and listed["next"] is None
    assert "no_project" in listed["items"][0]["flags"]


def test_it_refuses_bad_studio_input_with_the_error_shape(client, orgs, w, auth):
    h = auth()
    response = post(client, "/api/v1/studios", {
        "name": "x", "studio_type": "craftsman", "level": "county", "lead": w["县"].pk, "host_enterprise": "某厂",
        "org": "331102", "founded_date": "2019-04-01", "status": "named"}, h)
    assert response.status_code == 422
    assert response.json() == {"message": "数据校验未通过。",
                               "extra": {"errors": {"named_date": ["已命名的工作室请填写命名日期。"]}}}
    s = studio(orgs["331102"], w["省"])
    revoke = post(client, f"/api/v1/studios/{s.pk}/status", {"to_status": "revoked", "date": "2022-01-01"}, h)
    assert revoke.json()["extra"]["errors"] == {"reason": ["撤销工作室须填写撤销原因。"]}
    assert post(client, "/api/v1/studios", {"name": "x", "studio_type": "craftsman", "level": "county",
                                            "lead": w["县"].pk, "host_enterprise": "某厂", "org": "331102",
                                            "founded_date": "2019-04-01"}, auth("viewer")).status_code == 403


def test_it_records_achievements_with_decimal_strings(client, orgs, w, auth, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    h = auth()
    s = studio(orgs["331102"], w["省"])
    lead_member = s.members.get()
    ok = post(client, f"/api/v1/studios/{s.pk}/achievements", {
        "kind": "patent", "title": "一种装置", "achieved_date": "2022-03-01", "patent_no": "ZL202210000001.5",
        "economic_benefit": "1234.5", "credited": [lead_member.pk]}, h)
    assert ok.status_code == 201
    body = ok.json()
    assert body["economic_benefit"] == "1234.50" and body["credited"] == ["省劳模"] and body["evidence"] is None
    negative = post(client, f"/api/v1/studios/{s.pk}/achievements", {
        "kind": "qc", "title": "x", "achieved_date": "2022-03-01", "economic_benefit": -1}, h)
    assert negative.status_code == 422
    assert negative.json()["extra"]["errors"] == {"economic_benefit": ["经济效益不能为负数。"]}
    other = studio(orgs["331102"], w["县"], name="另一个")
    stranger = post(client, f"/api/v1/studios/{s.pk}/achievements", {
        "kind": "qc", "title": "x", "achieved_date": "2022-03-01", "credited": [other.members.get().pk]}, h)
    assert stranger.json()["extra"]["errors"] == {"credited": ["完成人必须是本工作室的成员。"]}
    uploaded = client.post(f"/api/v1/studios/{s.pk}/achievements/{body['id']}/evidence",
                           {"file": SimpleUploadedFile("证书.pdf", PDF_BYTES)}, **h)
    assert uploaded.status_code == 200 and uploaded.json()["evidence"] == "证书.pdf"
    bad = client.post(f"/api/v1/studios/{s.pk}/achievements/{body['id']}/evidence",
                      {"file": SimpleUploadedFile("证书.pdf", b"not a pdf")}, **h)
    assert bad.status_code == 422 and "不符" in bad.json()["extra"]["errors"]["evidence"][0]
    assert [a["title"] for a in client.get(f"/api/v1/studios/{s.pk}/achievements", **h).json()] == ["一种装置"]


def test_it_records_assessments_and_reports(client, orgs, w, auth):
    h = auth()
    s = studio(orgs["331102"], w["省"], founded=date(2018, 1, 1))
    a = post(client, f"/api/v1/studios/{s.pk}/assessments", {"year": 2022, "score": "91.5", "result": "excellent",
                                                             "assessed_date": "2023-01-10"}, h)
    assert a.status_code == 201 and a.json()["score"] == "91.5"
    again = post(client, f"/api/v1/studios/{s.pk}/assessments", {"year": 2022, "score": 80, "result": "pass",
                                                                 "assessed_date": "2023-01-10"}, h)
    assert again.json()["extra"]["errors"] == {"year": ["2022年度考核已登记。"]}
    assert client.get(f"/api/v1/studios/{s.pk}/assessments", **h).json()[0]["result"] == "excellent"
    r = post(client, f"/api/v1/studios/{s.pk}/reports", {"year": 2022, "quarter": 3, "summary": "小结",
                                                         "funds_spent": "800.5", "activities": 4}, h)
    assert r.status_code == 201 and r.json()["funds_spent"] == "800.50"
    assert client.get(f"/api/v1/studios/{s.pk}/reports", **h).json()[0]["quarter"] == 3


def test_it_creates_mentorships_with_a_derived_form(client, orgs, w, auth):
    h = auth()
    body = post(client, "/api/v1/mentorships", {
        "title": "API结对", "goals": "取得技师证", "org": "331102", "start_date": "2022-03-01",
        "mentors": [w["省"].pk], "apprentices": [{"worker": w["徒"].pk}, {"name": "王小明", "employer": "某厂"}]},
        h)
    assert body.status_code == 201
    data = body.json()
    assert data["form"] == "one_to_many" and [a["name"] for a in data["apprentices"]] == ["小徒弟", "王小明"]
    pk = data["id"]
    checkin = post(client, f"/api/v1/mentorships/{pk}/checkins", {"date": "2022-03-05", "content": "练习",
                                                                  "hours": 2}, h)
    assert checkin.status_code == 201 and checkin.json()["hours"] == "2.0"
    apprentice = data["apprentices"][0]["id"]
    outcome = post(client, f"/api/v1/mentorships/{pk}/outcomes", {"apprentice": apprentice, "kind": "certificate",
                                                                  "result": "电工证", "achieved_date": "2022-09-01"}, h)
    assert outcome.status_code == 201 and outcome.json()["apprentice_name"] == "小徒弟"
    mentor = data["mentors"][0]["id"]
    refused = post(client, f"/api/v1/mentorships/{pk}/outcomes", {"apprentice": mentor, "kind": "certificate",
                                                                  "result": "x", "achieved_date": "2022-09-01"}, h)
    assert refused.json()["extra"]["errors"] == {"apprentice": ["请选择本结对的徒弟。"]}
    detail = client.get(f"/api/v1/mentorships/{pk}", **h).json()
    assert len(detail["checkins"]) == 1 and detail["outcomes"][0]["result"] == "电工证"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"end_date": "2022-02-01"}, "end_date", "结束日期不能早于开始日期。"),
    ({"apprentices": "self"}, "apprentices", "省劳模 不能既是师傅又是自己的徒弟。"),
    ({"mentors": []}, "mentors", "请至少填写一名师傅。"),
])
def test_it_refuses_bad_mentorships(client, orgs, w, auth, changes, field, message):
    data = {"title": "x", "goals": "g", "org": "331102", "start_date": "2022-03-01", "mentors": [w["省"].pk],
            "apprentices": [{"worker": w["徒"].pk}], **changes}
    if changes.get("apprentices") == "self":
        data["apprentices"] = [{"worker": w["省"].pk}]
    response = post(client, "/api/v1/mentorships", data, auth())
    assert response.status_code == 422 and response.json()["extra"]["errors"][field] == [message]
    assert not Mentorship.objects.exists()


def test_it_filters_mentorships_by_form_and_active_year(client, orgs, w, auth):
    mentorship(orgs["331102"], [w["省"]], ["甲"], start=date(2021, 5, 1), end=date(2021, 12, 31), title="早结束")
    mentorship(orgs["331102"], [w["省"]], ["甲", "乙"], start=date(2022, 12, 31), title="年末开始")
    mentorship(orgs["331102"], [w["省"], w["县"]], ["甲"], start=date(2020, 1, 1), title="长期")
    h = auth()

    def titles(query):
        return sorted(m["title"] for m in client.get(f"/api/v1/mentorships?{query}", **h).json()["items"])

    assert titles("year=2022") == ["年末开始", "长期"]
    assert titles("year=2021") == ["早结束", "长期"]
    assert titles("form=one_to_many") == ["年末开始"] and titles("form=many_to_one&year=2022") == ["长期"]
    assert client.get("/api/v1/mentorships?form=two_to_one", **h).status_code == 422
    description = client.get("/api/v1/openapi.json", **h).json()["paths"]["/api/v1/mentorships"]["get"]["description"]
    assert "active in" in description and "started in the year are included" in description


def test_it_records_and_lists_technical_help(client, orgs, w, auth):
    h = auth()
    s = studio(orgs["331102"], w["省"], founded=date(2018, 1, 1))
    created = post(client, "/api/v1/tech-help", {
        "kind": "assistance", "topic": "菇农帮扶", "target_type": "village", "target_name": "竹口镇黄坛村",
        "date": "2022-05-06", "participants": [w["省"].pk, w["县"].pk], "org": "331102", "trainees_count": 25,
        "studio": s.pk}, h)
    assert created.status_code == 201 and created.json()["studio"] == s.pk
    tech_help(orgs["331102"], [w["县"]], day=date(2021, 5, 6), kind="exchange")
    items = client.get("/api/v1/tech-help?year=2022&kind=assistance", **h).json()["items"]
    assert [i["topic"] for i in items] == ["菇农帮扶"] and len(items[0]["participants"]) == 2
    qy = worker(orgs["331126"], "庆元劳模")
    refused = post(client, "/api/v1/tech-help", {
        "kind": "training", "topic": "x", "target_type": "school", "target_name": "某校", "date": "2022-05-06",
        "participants": [qy.pk], "org": "331102"}, h)
    assert refused.status_code == 422
    assert "不存在或不在您的数据范围内" in refused.json()["extra"]["errors"]["participants"][0]
    assert Studio.objects.count() == 1


def test_it_refuses_an_assessment_year_no_date_can_be_made_from(client, orgs, w, auth):
    """Found by schemathesis: year 10**21 made date(year, 1, 1) raise OverflowError (a 500)."""
    h = auth()
    s = studio(orgs["331102"], w["省"], founded=date(2018, 1, 1))
    for year in (10**21, 99999):
        response = post(client, f"/api/v1/studios/{s.pk}/assessments",
                        {"year": year, "score": 80, "result": "pass", "assessed_date": "2023-01-10"}, h)
        # Refused in the API's error shape (by the parameter's bounds, or by the service), never a 500.
        assert response.status_code == 422 and "year" in str(response.json()["extra"]["errors"])
