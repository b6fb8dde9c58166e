"""Mentorships (传帮带): the derived form, and every rule and refusal of the services."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.studios import services
from laomo.studios.models import (
    FORM_KEYS,
    Mentorship,
    MentorshipCheckin,
    MentorshipParticipant,
    derive_form,
)
from laomo.workers import services as worker_services

from .factories import mentorship, studio, worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(orgs):
    ld = orgs["331102"]
    return {
        "张师傅": worker(ld, "张师傅", "浙江省劳动模范"),
        "李师傅": worker(ld, "李师傅", "丽水市劳动模范"),
        "王徒弟": worker(ld, "王徒弟"),
        "赵徒弟": worker(ld, "赵徒弟"),
        "庆元劳模": worker(orgs["331126"], "庆元劳模", "庆元县劳动模范"),
    }


@pytest.mark.parametrize(("mentors", "apprentices", "form"), [
    (1, 1, "one_to_one"), (1, 2, "one_to_many"), (1, 5, "one_to_many"), (2, 1, "many_to_one"),
    (3, 1, "many_to_one"), (2, 2, "many_to_many"), (3, 4, "many_to_many"), (0, 1, ""), (1, 0, ""),
])
def test_it_derives_the_form_from_the_counts(mentors, apprentices, form):
    assert derive_form(mentors, apprentices) == form


def test_it_derives_the_same_form_in_python_and_in_sql(orgs, people):
    ld = orgs["331102"]
    made = {
        "one_to_one": mentorship(ld, [people["张师傅"]], ["甲"]),
        "one_to_many": mentorship(ld, [people["张师傅"]], ["甲", "乙", people["王徒弟"]]),
        "many_to_one": mentorship(ld, [people["张师傅"], people["李师傅"]], [people["赵徒弟"]]),
        "many_to_many": mentorship(ld, [people["张师傅"], people["李师傅"]], ["甲", "乙"]),
    }
    annotated = {m.pk: m.form_key for m in Mentorship.objects.with_form()}
    for form, m in made.items():
        fresh = Mentorship.objects.get(pk=m.pk)
        assert fresh.form == form == annotated[m.pk]
    assert "form" not in {f.name for f in Mentorship._meta.get_fields()}  # never stored, never typed
    assert {form: Mentorship.objects.with_form().filter(form_key=form).count() for form in FORM_KEYS} == {
        "one_to_one": 1, "one_to_many": 1, "many_to_one": 1, "many_to_many": 1}


def test_it_changes_the_form_when_people_join_or_leave(orgs, people):
    m = mentorship(orgs["331102"], [people["张师傅"]], [people["王徒弟"]])
    assert Mentorship.objects.get(pk=m.pk).form == "one_to_one"
    extra = services.participant_add(actor=SYSTEM, mentorship=m, role="apprentice", name="钱小二", employer="某厂")
    assert Mentorship.objects.get(pk=m.pk).form == "one_to_many"
    services.participant_add(actor=SYSTEM, mentorship=m, role="mentor", worker=people["李师傅"])
    assert Mentorship.objects.get(pk=m.pk).form == "many_to_many"
    services.participant_remove(actor=SYSTEM, participant=extra, reason="录入错误")
    assert Mentorship.objects.with_form().get(pk=m.pk).form_key == "many_to_one"
    assert AuditEntry.objects.filter(action="studios.mentorship.participant_remove").exists()


def test_it_refuses_a_mentor_who_is_their_own_apprentice(orgs, people):
    with pytest.raises(ValidationError) as exc:
        mentorship(orgs["331102"], [people["张师傅"], people["李师傅"]], [people["张师傅"]])
    assert exc.value.message_dict["apprentices"] == ["张师傅 不能既是师傅又是自己的徒弟。"]
    m = mentorship(orgs["331102"], [people["张师傅"]], [people["王徒弟"]])
    with pytest.raises(ValidationError) as exc:
        services.participant_add(actor=SYSTEM, mentorship=m, role="apprentice", worker=people["张师傅"])
    assert "师傅不能同时是自己的徒弟" in exc.value.message_dict["worker"][0]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        MentorshipParticipant.objects.create(mentorship=m, role="apprentice", worker=people["张师傅"], name="张师傅")


def test_it_refuses_an_end_before_the_start(orgs, people):
    with pytest.raises(ValidationError) as exc:
        mentorship(orgs["331102"], [people["张师傅"]], ["甲"], start=date(2022, 3, 1), end=date(2022, 2, 28))
    assert exc.value.message_dict["end_date"] == ["结束日期不能早于开始日期。"]
    m = mentorship(orgs["331102"], [people["张师傅"]], ["甲"], start=date(2022, 3, 1), end=date(2022, 3, 1))
    with pytest.raises(ValidationError):
        services.mentorship_update(actor=SYSTEM, mentorship=m, end_date=date(2022, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Mentorship.objects.filter(pk=m.pk).update(end_date=date(2021, 1, 1))


@pytest.mark.parametrize(("mentors", "apprentices", "field", "message"), [
    ([], ["甲"], "mentors", "请至少填写一名师傅。"),
    (["张师傅"], [], "apprentices", "请至少填写一名徒弟。"),
    (["张师傅", "张师傅"], ["甲"], "mentors", "师傅名单中有重复的人。"),
    (["张师傅"], ["甲", "甲"], "apprentices", "徒弟名单中有重复的人。"),
])
def test_it_refuses_incomplete_or_repeated_people(orgs, people, mentors, apprentices, field, message):
    with pytest.raises(ValidationError) as exc:
        services.mentorship_create(actor=SYSTEM, org=orgs["331102"], title="t", goals="g", start_date=date(2022, 1, 1),
                                   mentors=[people[n] for n in mentors],
                                   apprentices=[services.Person(name=a) for a in apprentices])
    assert exc.value.message_dict[field] == [message]


def test_it_refuses_missing_title_goals_and_start(orgs, people):
    with pytest.raises(ValidationError) as exc:
        services.mentorship_create(actor=SYSTEM, org=orgs["331102"], title=" ", goals="", start_date=None,
                                   mentors=[people["张师傅"]], apprentices=[people["王徒弟"]])
    assert set(exc.value.message_dict) == {"title", "goals", "start_date"}


def test_it_keeps_county_staff_to_their_own_workers_and_units(orgs, users, people):
    staff = users["county_staff"]  # 莲都
    with pytest.raises(ValidationError) as exc:
        mentorship(orgs["331102"], [people["庆元劳模"]], ["甲"], actor=staff)
    assert exc.value.message_dict["mentors"] == ["劳模 庆元劳模 不在您的数据范围内。"]
    with pytest.raises(PermissionDenied):
        mentorship(orgs["331126"], [people["张师傅"]], ["甲"], actor=staff)
    with pytest.raises(PermissionDenied):
        mentorship(orgs["331102"], [people["张师傅"]], ["甲"], actor=users["viewer"])


def test_it_refuses_a_deceased_mentor(orgs, people, users):
    worker_services.worker_set_status(actor=users["county_staff"], worker=people["李师傅"], status="deceased",
                                      status_date=date(2020, 1, 1))
    people["李师傅"].refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        mentorship(orgs["331102"], [people["李师傅"]], ["甲"])
    assert "已去世" in exc.value.message_dict["mentors"][0]


def test_it_keeps_one_of_each_role_and_apprentices_with_outcomes(orgs, people):
    m = mentorship(orgs["331102"], [people["张师傅"]], [people["王徒弟"], "甲"])
    mentor = m.participants.get(role="mentor")
    with pytest.raises(ValidationError) as exc:
        services.participant_remove(actor=SYSTEM, participant=mentor, reason="x")
    assert exc.value.message_dict["participant"] == ["结对至少要有一名师傅,不能移除最后一名。"]
    wang = m.participants.get(worker=people["王徒弟"])
    services.outcome_add(actor=SYSTEM, mentorship=m, apprentice=wang, kind="skill_level", result="高级工(三级)",
                         achieved_date=date(2022, 9, 1))
    with pytest.raises(ValidationError) as exc:
        services.participant_remove(actor=SYSTEM, participant=wang, reason="x")
    assert "已有培养成果记录" in exc.value.message_dict["participant"][0]
    with pytest.raises(ValidationError) as exc:
        services.participant_remove(actor=SYSTEM, participant=m.participants.get(name="甲"), reason=" ")
    assert exc.value.message_dict["reason"] == ["请填写移除原因。"]


def test_it_checks_checkin_dates_and_content(orgs, people):
    m = mentorship(orgs["331102"], [people["张师傅"]], ["甲"], start=date(2022, 3, 1), end=date(2022, 12, 31))
    ok = services.checkin_add(actor=SYSTEM, mentorship=m, date=date(2022, 3, 1), content="示范操作", hours="2.5")
    assert ok.hours == Decimal("2.5")
    cases = [
        (date(2022, 2, 28), "x", None, "date", "日期不能早于结对开始日期 2022-03-01。"),
        (date(2023, 1, 1), "x", None, "date", "日期不能晚于结对结束日期 2022-12-31。"),
        (date(2022, 5, 1), " ", None, "content", "请填写带徒内容。"),
        (date(2022, 5, 1), "x", "25", "hours", "时长须在 0–24 小时之间,最多一位小数。"),
        (date(2022, 5, 1), "x", "-1", "hours", "时长须在 0–24 小时之间,最多一位小数。"),
    ]
    for day, content, hours, field, message in cases:
        with pytest.raises(ValidationError) as exc:
            services.checkin_add(actor=SYSTEM, mentorship=m, date=day, content=content, hours=hours)
        assert exc.value.message_dict[field] == [message]
    running = mentorship(orgs["331102"], [people["李师傅"]], ["乙"], start=date(2022, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.checkin_add(actor=SYSTEM, mentorship=running, date=timezone.localdate() + timedelta(days=1),
                             content="x")
    assert exc.value.message_dict["date"] == ["日期不能晚于今天。"]


def test_it_lets_a_mentor_but_not_an_apprentice_log_their_sessions(orgs, people, make_worker_login):
    m = mentorship(orgs["331102"], [people["张师傅"]], [people["王徒弟"]])
    mentor_user = make_worker_login(people["张师傅"], "zhang_login")
    apprentice_user = make_worker_login(people["王徒弟"], "wang_login")
    checkin = services.checkin_add(actor=mentor_user, mentorship=m, date=date(2022, 4, 1), content="带徒练习")
    assert checkin.recorded_by == mentor_user
    with pytest.raises(PermissionDenied):
        services.checkin_add(actor=apprentice_user, mentorship=m, date=date(2022, 4, 2), content="自己记")
    assert MentorshipCheckin.objects.count() == 1


def test_it_checks_outcomes(orgs, people):
    m = mentorship(orgs["331102"], [people["张师傅"]], [people["王徒弟"]], start=date(2022, 3, 1))
    mentor = m.participants.get(role="mentor")
    apprentice = m.participants.get(role="apprentice")
    with pytest.raises(ValidationError) as exc:
        services.outcome_add(actor=SYSTEM, mentorship=m, apprentice=mentor, kind="certificate", result="证",
                             achieved_date=date(2022, 5, 1))
    assert exc.value.message_dict["apprentice"] == ["请选择本结对的徒弟。"]
    with pytest.raises(ValidationError) as exc:
        services.outcome_add(actor=SYSTEM, mentorship=m, apprentice=apprentice, kind="certificate", result="证",
                             achieved_date=date(2022, 2, 1))
    assert exc.value.message_dict["achieved_date"] == ["取得日期不能早于结对开始日期 2022-03-01。"]
    outcome = services.outcome_add(actor=SYSTEM, mentorship=m, apprentice=apprentice, kind="skill_level",
                                   result="技师(二级)", certificate_no="Z2022001", achieved_date=date(2022, 12, 1))
    assert outcome.apprentice.name == "王徒弟"


def test_it_refuses_a_start_after_existing_checkins(orgs, people):
    m = mentorship(orgs["331102"], [people["张师傅"]], ["甲"], start=date(2022, 3, 1))
    services.checkin_add(actor=SYSTEM, mentorship=m, date=date(2022, 3, 10), content="x")
    with pytest.raises(ValidationError) as exc:
        services.mentorship_update(actor=SYSTEM, mentorship=m, start_date=date(2022, 4, 1))
    assert exc.value.message_dict["start_date"] == ["已有 2022-03-10 的带徒记录,开始日期不能晚于它。"]


def test_it_soft_deletes_with_a_reason(orgs, people):
    m = mentorship(orgs["331102"], [people["张师傅"]], ["甲"])
    with pytest.raises(ValidationError):
        services.mentorship_delete(actor=SYSTEM, mentorship=m, reason="")
    services.mentorship_delete(actor=SYSTEM, mentorship=m, reason="重复录入")
    m.refresh_from_db()
    assert m.is_deleted and m.delete_reason == "重复录入" and Mentorship.objects.filter(pk=m.pk).exists()


def test_it_refuses_a_host_studio_revoked_before_the_start(orgs, people):
    s = studio(orgs["331102"], people["张师傅"], founded=date(2018, 1, 1), status="named", named_date=date(2019, 1, 1))
    s = services.studio_transition(actor=SYSTEM, studio=s, to_status="revoked", date=date(2021, 6, 1),
                                   reason="考核不合格")
    with pytest.raises(ValidationError) as exc:
        mentorship(orgs["331102"], [people["李师傅"]], ["甲"], start=date(2022, 1, 1), studio=s)
    assert "已于 2021-06-01 撤销" in exc.value.message_dict["studio"][0]
