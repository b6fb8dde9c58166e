"""Technical help activities (技术交流、培训、协作、帮扶): rules and refusals of the services."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.studios import services
from laomo.studios.models import TechHelpActivity

from .factories import studio, tech_help, worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(orgs):
    return {"ld": worker(orgs["331102"], "莲都劳模", "丽水市劳动模范"), "ld2": worker(orgs["331102"], "莲都二"),
            "qy": worker(orgs["331126"], "庆元劳模", "丽水市劳动模范")}


def test_it_records_an_activity_with_its_participants(orgs, users, w):
    s = studio(orgs["331102"], w["ld"], founded=date(2019, 1, 1))
    a = tech_help(orgs["331102"], [w["ld"], w["ld2"]], actor=users["county_staff"], studio=s, trainees_count=45,
                  problems_solved="解决设备异响问题")
    assert sorted(p.name for p in a.participants.all()) == ["莲都二", "莲都劳模"]
    assert AuditEntry.objects.get(action="studios.tech_help.create").changes["participants"] == ["莲都二", "莲都劳模"]


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"participants": []}, "participants", "请至少填写一名参与的劳模。"),
    ({"day": None}, "date", "请填写活动日期。"),
    ({"kind": "party"}, "kind", "请选择活动类型。"),
    ({"target_type": "moon"}, "target_type", "请选择服务对象类型。"),
    ({"target_name": " "}, "target_name", "请填写服务对象名称(企业、社区或学校)。"),
    ({"topic": ""}, "topic", "请填写活动主题。"),
    ({"trainees_count": -3}, "trainees_count", "受训人数不能为负数。"),
])
def test_it_refuses_bad_input(orgs, w, kwargs, field, message):
    participants = kwargs.pop("participants", [w["ld"]])
    with pytest.raises(ValidationError) as exc:
        tech_help(orgs["331102"], participants, **kwargs)
    assert exc.value.message_dict[field] == [message]


def test_it_refuses_a_future_date(orgs, w):
    with pytest.raises(ValidationError) as exc:
        tech_help(orgs["331102"], [w["ld"]], day=timezone.localdate() + timedelta(days=1))
    assert exc.value.message_dict["date"] == ["活动日期不能晚于今天。"]


def test_it_keeps_county_staff_inside_their_scope(orgs, users, w):
    staff = users["county_staff"]
    with pytest.raises(ValidationError) as exc:
        tech_help(orgs["331102"], [w["qy"]], actor=staff)
    assert exc.value.message_dict["participants"] == ["劳模 庆元劳模 不在您的数据范围内。"]
    qy_studio = studio(orgs["331126"], w["qy"], name="庆元工作室")
    with pytest.raises(ValidationError) as exc:
        tech_help(orgs["331102"], [w["ld"]], actor=staff, studio=qy_studio)
    assert exc.value.message_dict["studio"] == ["该工作室不在您的数据范围内。"]
    with pytest.raises(PermissionDenied):
        tech_help(orgs["331126"], [w["ld"]], actor=staff)


def test_it_refuses_a_studio_not_yet_founded_or_revoked(orgs, w):
    s = studio(orgs["331102"], w["ld"], founded=date(2022, 6, 1))
    with pytest.raises(ValidationError) as exc:
        tech_help(orgs["331102"], [w["ld"]], studio=s, day=date(2022, 5, 31))
    assert "活动早于创建日期" in exc.value.message_dict["studio"][0]
    s = services.studio_transition(actor=SYSTEM, studio=s, to_status="revoked", date=date(2022, 9, 1), reason="x")
    with pytest.raises(ValidationError) as exc:
        tech_help(orgs["331102"], [w["ld"]], studio=s, day=date(2022, 9, 2))
    assert "已于 2022-09-01 撤销" in exc.value.message_dict["studio"][0]


def test_it_updates_and_keeps_earlier_participants_outside_the_editors_scope(orgs, users, w):
    a = tech_help(orgs["331102"], [w["ld"], w["qy"]])  # recorded by the city
    staff = users["county_staff"]
    a = services.tech_help_update(actor=staff, activity=a, participants=[w["ld"], w["qy"], w["ld2"]], trainees_count=9)
    assert a.participants.count() == 3 and a.trainees_count == 9
    with pytest.raises(ValidationError):
        services.tech_help_update(actor=staff, activity=a, participants=[])
    diff = AuditEntry.objects.get(action="studios.tech_help.update").changes
    assert diff["trainees_count"] == [0, 9] and "莲都二" in diff["participants"][1]


def test_it_soft_deletes_with_a_reason(orgs, w):
    a = tech_help(orgs["331102"], [w["ld"]])
    with pytest.raises(ValidationError):
        services.tech_help_delete(actor=SYSTEM, activity=a, reason="")
    services.tech_help_delete(actor=SYSTEM, activity=a, reason="重复")
    assert TechHelpActivity.objects.get(pk=a.pk).is_deleted
