"""Studios: creation, the lead warning, the status flow, members, projects, reports and assessments."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry, Notification
from laomo.studios import services
from laomo.studios.models import Studio, StudioMember, StudioStatus
from laomo.workers import services as worker_services

from .factories import studio, worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(orgs):
    ld = orgs["331102"]
    return {
        "provincial": worker(ld, "省劳模", "浙江省劳动模范"),
        "municipal": worker(ld, "市劳模", "丽水市劳动模范"),
        "county": worker(ld, "县劳模", "莲都区劳动模范"),
        "none": worker(ld, "无荣誉"),
        "qingyuan": worker(orgs["331126"], "庆元劳模", "浙江省劳动模范"),
    }


def test_it_creates_a_studio_with_its_lead_as_a_member_and_a_history(orgs, leads, users):
    s = studio(orgs["331102"], leads["provincial"], actor=users["county_staff"], specialty="智能配电")
    assert s.status == StudioStatus.CULTIVATING and s.status_date == date(2018, 3, 1) and s.named_date is None
    member = s.members.get()
    assert (member.worker, member.role, member.joined_date) == (leads["provincial"], "lead", date(2018, 3, 1))
    assert list(s.status_changes.values_list("from_status", "to_status")) == [("", "cultivating")]
    entry = AuditEntry.objects.get(action="studios.studio.create")
    assert entry.actor_username == "t_liandu" and entry.changes["lead"] == "省劳模"


@pytest.mark.parametrize(("lead", "warned"), [("provincial", False), ("municipal", False), ("county", True),
                                              ("none", True)])
def test_it_warns_but_accepts_a_lead_below_municipal(orgs, leads, lead, warned):
    s = studio(orgs["331102"], leads[lead])
    assert Studio.objects.filter(pk=s.pk).exists()
    assert bool(s.lead_warning) is warned
    if warned:
        assert "低于市级" in s.lead_warning


def test_it_derives_the_warning_from_the_leads_honors(orgs, leads, users):
    s = studio(orgs["331102"], leads["county"])
    assert "县级" in Studio.objects.get(pk=s.pk).lead_warning
    worker_services.honor_add(actor=users["county_staff"], worker=leads["county"], title="丽水市劳动模范", year=2020)
    assert Studio.objects.get(pk=s.pk).lead_warning == ""


def test_it_registers_an_already_named_studio(orgs, leads):
    s = studio(orgs["331102"], leads["municipal"], status="named", named_date=date(2019, 5, 1))
    assert (s.status, s.status_date, s.named_date) == ("named", date(2019, 5, 1), date(2019, 5, 1))


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"name": " "}, "name", "请填写工作室名称。"),
    ({"host_enterprise": ""}, "host_enterprise", "请填写依托企业(单位)。"),
    ({"level": "city"}, "level", "请选择示范级别。"),
    ({"founded": date(2099, 1, 1)}, "founded_date", "创建日期不能晚于今天。"),
    ({"status": "named"}, "named_date", "已命名的工作室请填写命名日期。"),
    ({"status": "named", "named_date": date(2017, 1, 1)}, "named_date", "命名日期不能早于创建日期。"),
    ({"named_date": date(2019, 1, 1)}, "named_date", "培育/创建中的工作室尚未命名,请不要填写命名日期。"),
    ({"status": "revoked"}, "status", "新建工作室的状态只能是“培育/创建中”或“已命名”。"),
])
def test_it_refuses_bad_studio_input(orgs, leads, kwargs, field, message):
    with pytest.raises(ValidationError) as exc:
        studio(orgs["331102"], leads["municipal"], **kwargs)
    assert exc.value.message_dict[field] == [message]


def test_it_refuses_a_duplicate_name_in_the_same_unit_only(orgs, leads):
    studio(orgs["331102"], leads["municipal"], name="同名工作室")
    with pytest.raises(ValidationError) as exc:
        studio(orgs["331102"], leads["provincial"], name="同名工作室")
    assert exc.value.message_dict["name"] == ["莲都区总工会已有名为“同名工作室”的工作室。"]
    assert studio(orgs["331126"], leads["qingyuan"], name="同名工作室").pk


def test_it_refuses_a_deceased_lead_and_one_outside_the_scope(orgs, leads, users):
    worker_services.worker_set_status(actor=users["county_staff"], worker=leads["none"], status="deceased",
                                      status_date=date(2021, 1, 1))
    leads["none"].refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        studio(orgs["331102"], leads["none"])
    assert "已去世" in exc.value.message_dict["lead"][0]
    with pytest.raises(ValidationError) as exc:
        studio(orgs["331102"], leads["qingyuan"], actor=users["county_staff"])
    assert exc.value.message_dict["lead"] == ["劳模 庆元劳模 不在您的数据范围内。"]
    with pytest.raises(PermissionDenied):
        studio(orgs["331126"], leads["qingyuan"], actor=users["county_staff"])
    with pytest.raises(PermissionDenied):
        studio(orgs["331102"], leads["municipal"], actor=users["viewer"])


def test_it_runs_the_status_flow_with_history(orgs, leads):
    s = studio(orgs["331102"], leads["municipal"], founded=date(2018, 3, 1))
    s = services.studio_transition(actor=SYSTEM, studio=s, to_status="named", date=date(2019, 1, 10))
    s = services.studio_transition(actor=SYSTEM, studio=s, to_status="reviewing", date=date(2022, 3, 1), reason="复核")
    s = services.studio_transition(actor=SYSTEM, studio=s, to_status="named", date=date(2022, 6, 1))
    assert s.named_date == date(2019, 1, 10)  # passing a review keeps the first naming date
    s = services.studio_transition(actor=SYSTEM, studio=s, to_status="reviewing", date=date(2023, 3, 1))
    s = services.studio_transition(actor=SYSTEM, studio=s, to_status="revoked", date=date(2023, 5, 1),
                                   reason="连续两年无成果")
    assert (s.status, s.revoked_date, s.revoke_reason) == ("revoked", date(2023, 5, 1), "连续两年无成果")
    assert list(s.status_changes.values_list("to_status", flat=True)) == [
        "cultivating", "named", "reviewing", "named", "reviewing", "revoked"]
    assert AuditEntry.objects.filter(action="studios.studio.status").count() == 5


@pytest.mark.parametrize(("path", "target"), [
    ([], "reviewing"), ([], "cultivating"), (["named"], "cultivating"), (["named"], "named"),
    (["named", "reviewing"], "reviewing"), (["revoked"], "named"), (["revoked"], "cultivating"),
    (["named", "revoked"], "reviewing"),
])
def test_it_refuses_transitions_outside_the_flow(orgs, leads, path, target):
    s = studio(orgs["331102"], leads["municipal"], founded=date(2018, 3, 1))
    for i, step in enumerate(path):
        s = services.studio_transition(actor=SYSTEM, studio=s, to_status=step, date=date(2019, 1, 1 + i), reason="r")
    with pytest.raises(ValidationError) as exc:
        services.studio_transition(actor=SYSTEM, studio=s, to_status=target, date=date(2020, 1, 1), reason="r")
    assert exc.value.message_dict["to_status"][0].startswith(f"工作室当前为“{StudioStatus(s.status).label}”")


def test_it_requires_a_reason_and_a_sensible_date(orgs, leads):
    s = studio(orgs["331102"], leads["municipal"], status="named", named_date=date(2019, 5, 1))
    cases = [
        ("revoked", date(2022, 1, 1), "", "reason", "撤销工作室须填写撤销原因。"),
        ("revoked", date(2019, 4, 30), "r", "date", "日期不能早于上一次状态变更日期 2019-05-01。"),
        ("reviewing", timezone.localdate() + timedelta(days=1), "", "date", "日期不能晚于今天。"),
        ("reviewing", None, "", "date", "请填写日期。"),
    ]
    for target, day, reason, field, message in cases:
        with pytest.raises(ValidationError) as exc:
            services.studio_transition(actor=SYSTEM, studio=s, to_status=target, date=day, reason=reason)
        assert exc.value.message_dict[field] == [message]
    with pytest.raises(IntegrityError), transaction.atomic():  # revoked without reason: refused by the database
        Studio.objects.filter(pk=s.pk).update(status="revoked", revoked_date=date(2022, 1, 1))


def test_it_freezes_a_revoked_studio(orgs, leads):
    s = studio(orgs["331102"], leads["municipal"], status="named", named_date=date(2019, 5, 1))
    s = services.studio_transition(actor=SYSTEM, studio=s, to_status="revoked", date=date(2022, 6, 30), reason="不合格")
    with pytest.raises(ValidationError):
        services.studio_update(actor=SYSTEM, studio=s, name="新名字")
    with pytest.raises(ValidationError):
        services.member_add(actor=SYSTEM, studio=s, name="新人")
    with pytest.raises(ValidationError):
        services.project_add(actor=SYSTEM, studio=s, title="新项目", start_date=date(2022, 7, 1))
    with pytest.raises(ValidationError) as exc:
        services.achievement_add(actor=SYSTEM, studio=s, kind="award", title="获奖", achieved_date=date(2022, 7, 1))
    assert "已于 2022-06-30 撤销" in exc.value.message_dict["achieved_date"][0]
    assert services.achievement_add(actor=SYSTEM, studio=s, kind="award", title="撤销前的获奖",
                                    achieved_date=date(2022, 6, 1)).pk


def test_it_changes_the_lead_and_keeps_the_old_one_as_core_member(orgs, leads, users):
    s = studio(orgs["331102"], leads["municipal"])
    s = services.studio_update(actor=users["county_staff"], studio=s, lead=leads["provincial"], specialty="配电")
    roles = dict(StudioMember.objects.filter(studio=s).values_list("worker__name", "role"))
    assert roles == {"市劳模": "core", "省劳模": "lead"}
    assert AuditEntry.objects.get(action="studios.studio.update").changes["lead"] == ["市劳模", "省劳模"]
    with pytest.raises(PermissionDenied):
        services.studio_update(actor=users["county_staff"], studio=s, org=orgs["331126"])


def test_it_refuses_a_founding_date_after_recorded_events(orgs, leads):
    s = studio(orgs["331102"], leads["municipal"], founded=date(2018, 3, 1))
    services.project_add(actor=SYSTEM, studio=s, title="项目", start_date=date(2018, 6, 1))
    with pytest.raises(ValidationError) as exc:
        services.studio_update(actor=SYSTEM, studio=s, founded_date=date(2019, 1, 1))
    assert "2018-06-01" in exc.value.message_dict["founded_date"][0]
    s = services.studio_update(actor=SYSTEM, studio=s, founded_date=date(2018, 1, 1))
    assert s.status_date == date(2018, 1, 1) and s.status_changes.get().date == date(2018, 1, 1)


def test_it_manages_members(orgs, leads):
    s = studio(orgs["331102"], leads["municipal"], founded=date(2018, 3, 1))
    member = services.member_add(actor=SYSTEM, studio=s, worker=leads["county"], role="core",
                                 joined_date=date(2019, 1, 1))
    staff = services.member_add(actor=SYSTEM, studio=s, name="陈工程师", title="工程师")
    assert staff.worker is None and staff.joined_date == timezone.localdate()
    cases = [
        ({"worker": leads["county"]}, "worker", "县劳模 已是本工作室成员。"),
        ({"name": ""}, "name", "请选择劳模,或填写其他成员的姓名。"),
        ({"name": "x", "role": "lead"}, "role", "请选择核心成员或成员(领衔人在工作室信息中设置)。"),
        ({"name": "x", "joined_date": date(2017, 1, 1)}, "joined_date", "加入日期不能早于工作室创建日期 2018-03-01。"),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(ValidationError) as exc:
            services.member_add(actor=SYSTEM, studio=s, **kwargs)
        assert exc.value.message_dict[field] == [message]
    with pytest.raises(ValidationError) as exc:
        services.member_leave(actor=SYSTEM, member=s.members.get(role="lead"), left_date=date(2022, 1, 1))
    assert exc.value.message_dict["left_date"] == ["领衔人不能退出,请先在工作室信息中更换领衔人。"]
    with pytest.raises(ValidationError) as exc:
        services.member_leave(actor=SYSTEM, member=member, left_date=date(2018, 12, 31))
    assert exc.value.message_dict["left_date"] == ["退出日期不能早于加入日期。"]
    services.member_leave(actor=SYSTEM, member=member, left_date=date(2022, 1, 1))
    assert services.member_add(actor=SYSTEM, studio=s, worker=leads["county"]).pk  # may join again later
    assert StudioMember.objects.filter(studio=s, worker=leads["county"]).count() == 2


def test_it_checks_projects(orgs, leads):
    s = studio(orgs["331102"], leads["municipal"], founded=date(2018, 3, 1))
    cases = [
        ({"title": "", "start_date": date(2019, 1, 1)}, "title", "请填写项目名称。"),
        ({"title": "x", "start_date": date(2018, 1, 1)}, "start_date", "立项日期不能早于工作室创建日期 2018-03-01。"),
        ({"title": "x", "start_date": date(2019, 5, 1), "end_date": date(2019, 4, 1), "status": "concluded"},
         "end_date", "结题日期不能早于立项日期。"),
        ({"title": "x", "start_date": date(2019, 5, 1), "status": "concluded"}, "end_date",
         "已结题或中止的项目请填写结题/中止日期。"),
    ]
    for kwargs, field, message in cases:
        with pytest.raises(ValidationError) as exc:
            services.project_add(actor=SYSTEM, studio=s, **kwargs)
        assert exc.value.message_dict[field] == [message]
    project = services.project_add(actor=SYSTEM, studio=s, title="攻关", start_date=date(2019, 5, 1))
    with pytest.raises(ValidationError) as exc:
        services.project_close(actor=SYSTEM, project=project, status="concluded", end_date=date(2019, 4, 1))
    assert exc.value.message_dict["end_date"] == ["结题日期不能早于立项日期。"]
    services.project_close(actor=SYSTEM, project=project, status="concluded", end_date=date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.project_close(actor=SYSTEM, project=project, status="stopped", end_date=date(2020, 2, 1))


def test_it_checks_quarterly_reports(orgs, leads):
    s = studio(orgs["331102"], leads["municipal"], founded=date(2018, 5, 1))
    report = services.report_submit(actor=SYSTEM, studio=s, year=2022, quarter=4, summary="开展攻关", activities=5,
                                    participants=40, trainees=20, problems_solved=2, funds_spent="12000.50")
    assert report.funds_spent == Decimal("12000.50") and report.submitted_date == timezone.localdate()
    this_year = timezone.localdate().year
    cases = [
        ({"year": 2022, "quarter": 4}, "quarter", "2022年第4季度报告已报送。"),
        ({"year": this_year + 1, "quarter": 1}, "quarter", f"{this_year + 1}年第1季度尚未开始,不能报送。"),
        ({"year": 2018, "quarter": 1}, "quarter", "工作室创建于 2018-05-01,该季度无需报送。"),
        ({"year": 2022, "quarter": 5}, "quarter", "季度须为 1–4。"),
        ({"year": 2022, "quarter": 1, "funds_spent": "-1"}, "funds_spent", "经费投入不能为负数。"),
        ({"year": 2022, "quarter": 1, "summary": " "}, "summary", "请填写工作小结。"),
    ]
    for kwargs, field, message in cases:
        kwargs = {"summary": "小结", **kwargs}
        with pytest.raises(ValidationError) as exc:
            services.report_submit(actor=SYSTEM, studio=s, **kwargs)
        assert exc.value.message_dict[field] == [message]
    assert services.report_submit(actor=SYSTEM, studio=s, year=2018, quarter=2, summary="创建当季").pk


def test_it_checks_yearly_assessments_and_notifies_a_failure(orgs, leads, users):
    s = studio(orgs["331102"], leads["municipal"], founded=date(2018, 5, 1))
    this_year = timezone.localdate().year
    cases = [
        ({"year": 2017}, "year", "工作室创建于 2018 年,不能考核更早的年度。"),
        ({"year": this_year + 1}, "year", "不能考核未来的年度。"),
        ({"score": "100.5"}, "score", "得分须在 0–100 之间,最多一位小数。"),
        ({"score": "-1"}, "score", "得分须在 0–100 之间,最多一位小数。"),
        ({"score": "88.25"}, "score", "得分须在 0–100 之间,最多一位小数。"),
        ({"result": "good"}, "result", "请选择考核结果。"),
        ({"assessed_date": date(2021, 12, 31)}, "assessed_date", "考核日期不能早于考核年度。"),
    ]
    for kwargs, field, message in cases:
        kwargs = {"year": 2022, "score": "85", "result": "pass", "assessed_date": date(2023, 1, 15), **kwargs}
        with pytest.raises(ValidationError) as exc:
            services.assessment_record(actor=SYSTEM, studio=s, **kwargs)
        assert exc.value.message_dict[field] == [message]
    users["county_staff"]  # the 莲都 staff who are told about a failure
    services.assessment_record(actor=SYSTEM, studio=s, year=2022, score="55.5", result="fail",
                               assessed_date=date(2023, 1, 15), comment="无成果")
    note = Notification.objects.get(recipient=users["county_staff"])
    assert "2022年度考核不合格" in note.text and note.url == f"/studios/{s.pk}/"
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(actor=SYSTEM, studio=s, year=2022, score="90", result="pass",
                                   assessed_date=date(2023, 2, 1))
    assert exc.value.message_dict["year"] == ["2022年度考核已登记。"]
