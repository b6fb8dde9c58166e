"""Pages: lists (htmx partials, filters, exports, query counts), forms (inline validation, nothing typed lost),
detail pages, the evidence upload, self-service and the worker timeline."""

import io
import re
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import login_client
from laomo.core.actors import SYSTEM
from laomo.studios import services
from laomo.studios.models import Mentorship, Studio, StudioAchievement, TechHelpActivity

from .factories import PDF_BYTES, mentorship, png_bytes, studio, tech_help, worker

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w(orgs):
    ld = orgs["331102"]
    return {"省": worker(ld, "省劳模", "浙江省劳动模范", employer="丽水万控"),
            "县": worker(ld, "县劳模", "莲都区劳动模范"), "徒": worker(ld, "小徒弟"),
            "同名1": worker(ld, "张伟", "丽水市劳动模范"), "同名2": worker(ld, "张伟")}


def xlsx(response):
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return wb.active


# --- lists ---------------------------------------------------------------------------------------------------


def test_it_returns_the_partial_for_htmx_and_filters(clients, orgs, w):
    studio(orgs["331102"], w["省"], name="省级示范室", level="provincial")
    studio(orgs["331102"], w["县"], name="县级示范室", level="county")
    c = clients["county_staff"]
    full = c.get("/studios/").content.decode()
    assert "<html" in full and 'data-testid="studio-tabs"' in full
    part = c.get("/studios/", {"level": "county"}, **HX).content.decode()
    assert "<html" not in part and "县级示范室" in part and "省级示范室" not in part
    flagged = c.get("/studios/", {"flag": "lead_low"}, **HX).content.decode()
    assert "县级示范室" in flagged and "省级示范室" not in flagged and 'data-flag="lead_low"' in flagged
    assert "省级示范室" in c.get("/studios/", {"q": "省劳模"}, **HX).content.decode()


@pytest.mark.parametrize(("url", "make"), [
    ("/studios/", lambda o, w, i: studio(o, w["省"], name=f"工作室{i}")),
    ("/studios/achievements/", lambda o, w, i: services.achievement_add(
        actor=SYSTEM, studio=Studio.objects.first() or studio(o, w["省"]), kind="qc", title=f"成果{i}",
        achieved_date=date(2022, 1, 1), credited=list((Studio.objects.first()).members.all()))),
    ("/studios/mentorships/", lambda o, w, i: mentorship(o, [w["省"], w["县"]], [f"徒{i}", w["徒"]])),
    ("/studios/tech-help/", lambda o, w, i: tech_help(o, [w["省"], w["县"]])),
])
def test_it_lists_without_n_plus_one(clients, orgs, w, django_assert_max_num_queries, url, make):
    c = clients["city_staff"]
    for i in range(3):
        make(orgs["331102"], w, i)
    with django_assert_max_num_queries(30) as few:
        assert c.get(url, **HX).status_code == 200
    for i in range(3, 12):
        make(orgs["331102"], w, i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = c.get(url, **HX).content.decode()
    assert page.count("<tr>") >= 12


def test_it_exports_the_filtered_lists(clients, orgs, w):
    s = studio(orgs["331102"], w["县"], name="导出工作室", level="county")
    studio(orgs["331102"], w["省"], name="不导出", level="provincial")
    services.achievement_add(actor=SYSTEM, studio=s, kind="patent", title="一种装置", patent_no="ZL202210000001.5",
                             achieved_date=date(2022, 4, 1), economic_benefit="1234.50", credited=[s.members.get()])
    mentorship(orgs["331102"], [w["省"]], ["甲", "乙"], title="一带多结对")
    c = clients["county_staff"]
    ws = xlsx(c.get("/studios/", {"level": "county", "format": "xlsx"}))
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("工作室名称", "类型", "示范级别") and len(rows) == 2 and rows[1][0] == "导出工作室"
    assert rows[1][5] == w["县"].worker_no and ws.cell(row=2, column=6).data_type == "s"
    assert "领衔人荣誉低于市级" in rows[1][-1]
    ach = list(xlsx(c.get("/studios/achievements/", {"format": "xlsx"})).iter_rows(values_only=True))
    assert ach[1][3:5] == ("一种装置", "ZL202210000001.5") and ach[1][8] == 1234.5 and ach[1][9] == "县劳模"
    ms = list(xlsx(c.get("/studios/mentorships/", {"format": "xlsx", "form": "one_to_many"})).iter_rows(
        values_only=True))
    assert ms[1][:4] == ("一带多结对", "一带多", "省劳模", "甲、乙")
    assert len(list(xlsx(c.get("/studios/mentorships/", {"format": "xlsx", "form": "one_to_one"})).iter_rows())) == 1


# --- studio forms ----------------------------------------------------------------------------------------------


def studio_post(org, **extra):
    return {"name": "新工作室", "studio_type": "model_worker", "level": "municipal", "lead": "省劳模",
            "host_enterprise": "丽水万控", "org": org.pk, "founded_date": "2021-04-01", "status": "cultivating",
            **extra}


def test_it_creates_a_studio_and_warns_about_a_low_lead(clients, orgs, w):
    c = clients["county_staff"]
    response = c.post("/studios/new/", studio_post(orgs["331102"], lead="县劳模"), follow=True)
    s = Studio.objects.get(name="新工作室")
    assert response.redirect_chain[-1][0] == f"/studios/{s.pk}/"
    page = response.content.decode()
    assert "已保存工作室“新工作室”" in page and 'data-testid="lead-warning"' in page and "低于市级" in page


def test_it_asks_for_the_number_when_a_name_is_shared(clients, orgs, w):
    response = clients["county_staff"].post("/studios/new/", studio_post(orgs["331102"], lead="张伟",
                                                                         space_note="实训场地 300㎡"))
    page = response.content.decode()
    assert f"“张伟”对应多名劳模,请改填劳模编号:{w['同名1'].worker_no}" in page and w["同名2"].worker_no in page
    assert "实训场地 300㎡" in page and 'value="新工作室"' in page  # nothing typed is lost
    ok = clients["county_staff"].post("/studios/new/", studio_post(orgs["331102"], lead=w["同名2"].worker_no))
    assert ok.status_code == 302 and Studio.objects.get().lead == w["同名2"]


def test_it_validates_the_studio_form_inline(clients, orgs, w):
    c = clients["county_staff"]
    data = studio_post(orgs["331102"], lead="不存在的人", founded_date="2099-01-01", _validate="1", name="")
    page = c.post("/studios/new/", data, **HX).content.decode()
    assert 'hx-swap-oob="true"' in page and "<html" not in page and "<input" not in page
    assert "未找到劳模“不存在的人”(或不在您的数据范围内)。" in page
    assert "请填写工作室名称" not in page  # an empty field is not scolded while typing
    page = c.post("/studios/new/", {**data, "lead": "省劳模"}, **HX).content.decode()
    assert "创建日期不能晚于今天。" in page
    assert not Studio.objects.exists()


def test_it_edits_a_studio(clients, orgs, w):
    s = studio(orgs["331102"], w["县"])
    c = clients["county_staff"]
    assert f'value="{w["县"].worker_no}"' in c.get(f"/studios/{s.pk}/edit/").content.decode()
    data = studio_post(orgs["331102"], name="改名工作室", lead="省劳模", founded_date="2018-03-01")
    data.pop("status")
    assert c.post(f"/studios/{s.pk}/edit/", data).status_code == 302
    s.refresh_from_db()
    assert s.name == "改名工作室" and s.lead == w["省"]


def test_it_changes_the_status_from_the_detail_page(clients, orgs, w):
    s = studio(orgs["331102"], w["省"], founded=date(2018, 3, 1))
    c = clients["county_staff"]
    page = c.get(f"/studios/{s.pk}/").content.decode()
    assert "命名" in page and 'data-testid="studio-status"' in page
    bad = c.post(f"/studios/{s.pk}/status/", {"to_status": "revoked", "date": "2022-01-01", "reason": ""}, **HX)
    assert bad.status_code == 200 and "撤销工作室须填写撤销原因。" in bad.content.decode()
    assert 'id="transition-form"' in bad.content.decode()
    good = c.post(f"/studios/{s.pk}/status/", {"to_status": "named", "date": "2019-01-01"}, **HX)
    assert good.status_code == 204 and good["HX-Redirect"] == f"/studios/{s.pk}/"
    s.refresh_from_db()
    assert s.status == "named"
    wrong = c.post(f"/studios/{s.pk}/status/", {"to_status": "cultivating", "date": "2019-02-01"})
    assert wrong.status_code == 200 and "请修改标出的错误" in wrong.content.decode()


def test_it_adds_members_and_projects_inline(clients, orgs, w):
    s = studio(orgs["331102"], w["省"], founded=date(2018, 3, 1))
    c = clients["county_staff"]
    bad = c.post(f"/studios/{s.pk}/members/add/", {"worker": "", "name": "", "role": "member"}, **HX).content.decode()
    assert "请选择劳模,或填写其他成员的姓名。" in bad and 'id="member-form"' in bad
    assert c.post(f"/studios/{s.pk}/members/add/", {"worker": "小徒弟", "role": "core"}, **HX).status_code == 204
    assert c.post(f"/studios/{s.pk}/members/add/", {"name": "陈工", "title": "工程师", "role": "member",
                                                     "joined_date": "2019-01-01"}, **HX).status_code == 204
    assert sorted(s.members.values_list("name", flat=True)) == ["小徒弟", "省劳模", "陈工"]
    bad = c.post(f"/studios/{s.pk}/projects/add/", {"title": "攻关", "start_date": "2017-01-01"}, **HX)
    assert "立项日期不能早于工作室创建日期 2018-03-01。" in bad.content.decode()
    assert c.post(f"/studios/{s.pk}/projects/add/", {"title": "攻关", "start_date": "2022-01-05"}).status_code == 302
    project = s.projects.get()
    c.post(f"/studios/{s.pk}/projects/{project.pk}/close/", {"status": "concluded", "end_date": "2022-12-20"})
    project.refresh_from_db()
    assert project.status == "concluded"
    member = s.members.get(name="陈工")
    c.post(f"/studios/{s.pk}/members/{member.pk}/leave/", {"left_date": "2022-06-30"})
    member.refresh_from_db()
    assert member.left_date == date(2022, 6, 30)


def test_it_adds_an_achievement_with_evidence_and_serves_it(clients, orgs, w):
    s = studio(orgs["331102"], w["省"], founded=date(2018, 3, 1))
    c = clients["county_staff"]
    lead_member = s.members.get()
    bad = c.post(f"/studios/{s.pk}/achievements/add/", {"kind": "qc", "title": "降低返工率",
                                                         "achieved_date": "2022-03-01", "economic_benefit": "-100",
                                                         "credited": [lead_member.pk]}).content.decode()
    assert "经济效益不能为负数。" in bad and 'value="降低返工率"' in bad and "checked" in bad
    inline = c.post(f"/studios/{s.pk}/achievements/add/", {"kind": "patent", "title": "一种装置",
                                                            "achieved_date": "2022-03-01", "patent_no": "",
                                                            "economic_benefit": "-5", "_validate": "1"}, **HX)
    inline = inline.content.decode()
    assert "经济效益不能为负数。" in inline and 'id="err-id_economic_benefit" hx-swap-oob="true"' in inline
    ok = c.post(f"/studios/{s.pk}/achievements/add/", {
        "kind": "qc", "title": "降低返工率", "achieved_date": "2022-03-01", "economic_benefit": "8800.5",
        "is_recognized": "on", "credited": [lead_member.pk],
        "evidence": SimpleUploadedFile("发布证书.png", png_bytes())})
    assert ok.status_code == 302
    a = StudioAchievement.objects.get()
    assert str(a.economic_benefit) == "8800.50" and list(a.credited.all()) == [lead_member]
    page = c.get(f"/studios/{s.pk}/").content.decode()
    assert f"/studios/achievements/{a.pk}/evidence/" in page and "8800.50" in page
    thumb = c.get(f"/studios/achievements/{a.pk}/evidence/", {"thumb": "1"})
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    full = c.get(f"/studios/achievements/{a.pk}/evidence/", {"download": "1"})
    assert full["Content-Type"] == "image/png" and "attachment" in full["Content-Disposition"]
    assert a.evidence.url.startswith("/media/studios/evidence/")
    assert c.get(a.evidence.url).status_code == 404  # never served from the guessable public URL
    c.post(f"/studios/achievements/{a.pk}/withdraw/", {"reason": "重复"})
    assert c.get(f"/studios/achievements/{a.pk}/evidence/").status_code == 404


def test_it_uploads_evidence_later_and_refuses_a_bad_file(clients, orgs, w):
    s = studio(orgs["331102"], w["省"], founded=date(2018, 3, 1))
    a = services.achievement_add(actor=SYSTEM, studio=s, kind="paper", title="论文", achieved_date=date(2022, 1, 1))
    c = clients["county_staff"]
    bad = c.post(f"/studios/achievements/{a.pk}/evidence/upload/", {"evidence": SimpleUploadedFile("x.pdf", b"MZ")},
                 follow=True)
    assert "文件内容与扩展名 .pdf 不符" in bad.content.decode()
    c.post(f"/studios/achievements/{a.pk}/evidence/upload/", {"evidence": SimpleUploadedFile("论文.pdf", PDF_BYTES)})
    a.refresh_from_db()
    assert a.evidence_name == "论文.pdf"


def test_it_keeps_typed_report_and_assessment_input_on_errors(clients, orgs, w):
    s = studio(orgs["331102"], w["省"], founded=date(2020, 3, 1))
    c = clients["county_staff"]
    page = c.post(f"/studios/{s.pk}/reports/add/", {"year": 2022, "quarter": 2, "summary": "本季度攻关三项",
                                                     "activities": 3, "participants": 20, "trainees": 10,
                                                     "problems_solved": 1, "funds_spent": "-5"}).content.decode()
    assert "经费投入不能为负数。" in page and "本季度攻关三项" in page
    assert c.post(f"/studios/{s.pk}/reports/add/", {"year": 2022, "quarter": 2, "summary": "本季度攻关三项",
                                                     "activities": 3, "participants": 20, "trainees": 10,
                                                     "problems_solved": 1, "funds_spent": "500"}).status_code == 302
    page = c.post(f"/studios/{s.pk}/assessments/add/", {"year": 2019, "score": "88.5", "result": "pass",
                                                         "assessed_date": "2022-01-10", "comment": "良好"}).content
    assert "工作室创建于 2020 年,不能考核更早的年度。" in page.decode() and "良好" in page.decode()
    c.post(f"/studios/{s.pk}/assessments/add/", {"year": 2021, "score": "58", "result": "fail",
                                                  "assessed_date": "2022-01-10"})
    detail = c.get(f"/studios/{s.pk}/", {"year": 2022}).content.decode()
    assert "最近一次考核不合格" in detail and "2022年第2季度" not in detail and "2022年Q2" in detail


# --- mentorship forms -------------------------------------------------------------------------------------------


def mentorship_post(org, **extra):
    return {"title": "数控传帮带", "skill": "数控编程", "mentors": "省劳模", "apprentices": "小徒弟、王小明(丽水万控)",
            "org": org.pk, "start_date": "2022-03-01", "end_date": "", "goals": "一年内取得高级工证书", **extra}


def test_it_creates_a_mentorship_and_shows_the_derived_form(clients, orgs, w):
    c = clients["county_staff"]
    response = c.post("/studios/mentorships/new/", mentorship_post(orgs["331102"]), follow=True)
    m = Mentorship.objects.get()
    page = response.content.decode()
    assert "形式:一带多" in page and 'data-form="one_to_many"' in page
    people = {(p.role, p.name, p.worker_id is not None, p.employer) for p in m.participants.all()}
    assert people == {("mentor", "省劳模", True, "丽水万控"), ("apprentice", "小徒弟", True, ""),
                      ("apprentice", "王小明", False, "丽水万控")}
    listed = c.get("/studios/mentorships/", {"form": "one_to_many"}, **HX).content.decode()
    assert "数控传帮带" in listed and "一带多" in listed
    assert "数控传帮带" not in c.get("/studios/mentorships/", {"form": "one_to_one"}, **HX).content.decode()


@pytest.mark.parametrize(("changes", "message"), [
    ({"end_date": "2022-02-01"}, "结束日期不能早于开始日期。"),
    ({"apprentices": "省劳模、小徒弟"}, "省劳模 不能既是师傅又是自己的徒弟。"),
    ({"mentors": "王小明(丽水万控)"}, "未找到劳模“王小明(丽水万控)”(或不在您的数据范围内)。"),
])
def test_it_shows_clear_errors_on_submit_and_inline(clients, orgs, w, changes, message):
    c = clients["county_staff"]
    page = c.post("/studios/mentorships/new/", mentorship_post(orgs["331102"], **changes)).content.decode()
    assert message in page and "一年内取得高级工证书" in page
    inline = c.post("/studios/mentorships/new/", mentorship_post(orgs["331102"], _validate="1", **changes),
                    **HX).content.decode()
    assert message in inline and 'hx-swap-oob="true"' in inline and "<textarea" not in inline
    assert not Mentorship.objects.exists()


def test_it_manages_a_mentorship_from_its_page(clients, orgs, w):
    m = mentorship(orgs["331102"], [w["省"]], [w["徒"]], start=date(2022, 3, 1))
    c = clients["county_staff"]
    assert 'data-form="one_to_one"' in c.get(f"/studios/mentorships/{m.pk}/").content.decode()
    assert c.post(f"/studios/mentorships/{m.pk}/participants/add/", {"role": "apprentice", "name": "新徒弟",
                                                                     "employer": "某厂"}, **HX).status_code == 204
    assert 'data-form="one_to_many"' in c.get(f"/studios/mentorships/{m.pk}/").content.decode()
    bad = c.post(f"/studios/mentorships/{m.pk}/participants/add/", {"role": "apprentice", "worker": "省劳模"}, **HX)
    assert "师傅不能同时是自己的徒弟" in bad.content.decode()
    bad = c.post(f"/studios/mentorships/{m.pk}/checkins/add/", {"date": "2022-02-01", "content": "练习"}, **HX)
    assert "日期不能早于结对开始日期 2022-03-01。" in bad.content.decode()
    assert c.post(f"/studios/mentorships/{m.pk}/checkins/add/", {"date": "2022-04-01", "content": "练习",
                                                                 "hours": "2"}, **HX).status_code == 204
    apprentice = m.participants.get(worker=w["徒"])
    assert c.post(f"/studios/mentorships/{m.pk}/outcomes/add/", {
        "apprentice": apprentice.pk, "kind": "skill_level", "result": "高级工(三级)",
        "achieved_date": "2022-12-01"}, **HX).status_code == 204
    page = c.get(f"/studios/mentorships/{m.pk}/").content.decode()
    assert "高级工(三级)" in page and "练习" in page
    edit = c.post(f"/studios/mentorships/{m.pk}/edit/", {"title": "改名", "org": orgs["331102"].pk,
                                                         "start_date": "2022-05-01", "goals": "g"})
    assert "已有 2022-04-01 的带徒记录,开始日期不能晚于它。" in edit.content.decode()
    c.post(f"/studios/mentorships/{m.pk}/delete/", {"reason": "重复"})
    assert c.get(f"/studios/mentorships/{m.pk}/").status_code == 404


# --- technical help ---------------------------------------------------------------------------------------------


def test_it_records_and_edits_technical_help(clients, orgs, w):
    c = clients["county_staff"]
    s = studio(orgs["331102"], w["省"], founded=date(2018, 3, 1))
    assert f'<option value="{s.pk}" selected>' in c.get("/studios/tech-help/new/", {"studio": s.pk}).content.decode()
    data = {"kind": "training", "topic": "电工培训", "target_type": "school", "target_name": "丽水职业技术学院",
            "date": "2022-05-06", "participants": "省劳模、县劳模", "trainees_count": "-1", "org": orgs["331102"].pk,
            "studio": s.pk}
    bad = c.post("/studios/tech-help/new/", data).content.decode()
    assert "丽水职业技术学院" in bad and 'id="id_trainees_count"' in bad and "TechHelpActivity" not in bad
    assert not TechHelpActivity.objects.exists()
    assert c.post("/studios/tech-help/new/", {**data, "trainees_count": "40"}).status_code == 302
    a = TechHelpActivity.objects.get()
    assert sorted(p.name for p in a.participants.all()) == ["县劳模", "省劳模"] and a.studio == s
    assert w["省"].worker_no in c.get(f"/studios/tech-help/{a.pk}/edit/").content.decode()
    c.post(f"/studios/tech-help/{a.pk}/edit/", {**data, "participants": w["省"].worker_no, "trainees_count": "41"})
    a.refresh_from_db()
    assert a.trainees_count == 41 and [p.name for p in a.participants.all()] == ["省劳模"]
    listed = c.get("/studios/tech-help/", {"kind": "training", "year": 2022}, **HX).content.decode()
    assert "电工培训" in listed
    assert "电工培训" not in c.get("/studios/tech-help/", {"date_from": "2022-06-01"}, **HX).content.decode()


# --- self-service and timeline ---------------------------------------------------------------------------------


def test_it_lets_a_mentor_log_sessions_from_a_phone(orgs, w, make_worker_login):
    mentor_user = make_worker_login(w["省"], "sheng")
    apprentice_user = make_worker_login(w["徒"], "tu")
    m = mentorship(orgs["331102"], [w["省"]], [w["徒"]], start=date(2022, 3, 1))
    other = mentorship(orgs["331102"], [w["县"]], ["甲"], start=date(2022, 3, 1))
    mentor = login_client(mentor_user)
    page = mentor.get("/studios/me/").content.decode()
    assert m.title in page and "记录本次带徒" in page and 'name="viewport"' in page
    bad = mentor.post(f"/studios/me/mentorships/{m.pk}/checkin/", {"date": "2022-01-01", "content": "x"}, follow=True)
    assert "日期不能早于结对开始日期" in bad.content.decode()
    mentor.post(f"/studios/me/mentorships/{m.pk}/checkin/", {"date": "2022-03-05", "content": "手把手教编程"})
    assert m.checkins.get().content == "手把手教编程"
    assert mentor.post(f"/studios/me/mentorships/{other.pk}/checkin/", {"date": "2022-03-05",
                                                                         "content": "x"}).status_code == 404
    apprentice = login_client(apprentice_user)
    assert "记录本次带徒" not in apprentice.get("/studios/me/").content.decode()
    assert apprentice.post(f"/studios/me/mentorships/{m.pk}/checkin/", {"date": "2022-03-06",
                                                                        "content": "x"}).status_code == 403
    assert apprentice.get("/studios/").status_code == 403


def test_it_adds_timeline_entries_to_the_worker_pages(clients, orgs, w, make_worker_login):
    s = studio(orgs["331102"], w["省"], name="时间线工作室", founded=date(2018, 3, 1))
    services.achievement_add(actor=SYSTEM, studio=s, kind="award", title="省技术创新奖", achieved_date=date(2022, 2, 1),
                             credited=[s.members.get()])
    m = mentorship(orgs["331102"], [w["省"]], [w["徒"]], title="时间线结对")
    services.outcome_add(actor=SYSTEM, mentorship=m, apprentice=m.participants.get(worker=w["徒"]),
                         kind="certificate", result="电工证", achieved_date=date(2022, 6, 1))
    tech_help(orgs["331102"], [w["省"]], topic="时间线培训")
    page = clients["county_staff"].get(f"/workers/{w['省'].pk}/").content.decode()
    expected = ("领衔时间线工作室", "获奖:省技术创新奖(时间线工作室)", "作为师傅参加“时间线结对”",
                "技术培训:时间线培训")
    for text in expected:
        assert text in page
    assert f'href="/studios/{s.pk}/"' in page
    assert "电工证" in clients["county_staff"].get(f"/workers/{w['徒'].pk}/").content.decode()
    assert "时间线工作室" not in clients["county_staff_qy"].get(f"/workers/{w['省'].pk}/").content.decode()
    own = login_client(make_worker_login(w["省"], "sheng")).get("/workers/me/").content.decode()
    assert "领衔时间线工作室" in own and "作为师傅参加“时间线结对”" in own


def test_it_shows_the_cards_on_the_dashboard(clients, orgs, w):
    studio(orgs["331102"], w["省"], founded=date(2018, 3, 1))
    page = clients["county_staff"].get("/", {"year": 2022}).content.decode()
    assert "2022年创新工作室" in page and "2022年传帮带结对" in page
    assert re.search(r"2022年创新工作室</div>\s*<div class=\"lm-figure\">1</div>", page)
