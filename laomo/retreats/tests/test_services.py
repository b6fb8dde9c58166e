"""Rules of 疗休养 (issue 7): eligibility with its reasons, quota, overlap, waitlist, status flow, attendance
and the benefit link, the survey, money and dates — each refusal with its Chinese message."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from laomo.care import selectors as care_selectors
from laomo.care import services as care_services
from laomo.care.models import BenefitGrant
from laomo.core.actors import PUBLIC, SYSTEM
from laomo.core.models import AuditEntry, Notification
from laomo.retreats import rules, services
from laomo.retreats.models import RetreatApplication, SurveyResponse
from laomo.workers.services import worker_grant_login, worker_set_status

from . import factories as F

pytestmark = pytest.mark.django_db


def reasons_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def refused(batch, worker, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        F.apply(batch, worker, **kwargs)
    return reasons_of(exc.value)


# --- eligibility ---------------------------------------------------------------------------------------


def test_it_refuses_a_worker_below_the_minimum_level_and_says_why(city, ld):
    b = F.batch(city, min_level_rank=2)
    county = F.worker(ld, "县劳模", title="莲都区劳动模范")
    assert "荣誉级别:要求市级及以上,本人最高为县级" in refused(b, county)
    assert F.apply(b, F.worker(ld, "市劳模")).status == "pending"


def test_it_refuses_an_employment_status_outside_the_batch(city, ld):
    b = F.batch(city, employment_statuses=["active"])
    w = F.worker(ld, "退休劳模")
    worker_set_status(actor=F.staff(), worker=w, status="retired", status_date=date(2020, 1, 1))
    assert "在职状态:本批次限在职,本人为离退休" in refused(b, w)


def test_it_refuses_a_deceased_worker(city, ld):
    b = F.batch(city, employment_statuses=[])
    w = F.worker(ld, "故去劳模")
    worker_set_status(actor=F.staff(), worker=w, status="deceased", status_date=date(2021, 1, 1))
    assert "已去世" in refused(b, w)


def test_it_refuses_someone_who_attended_within_n_years(city, ld):
    w = F.worker(ld, "去过的")
    F.attended_batch(city, [w], start=date(2028, 6, 1), name="2028年第一批")
    within = F.batch(city, start=date(2030, 5, 6), not_attended_years=3)
    assert "近3年内已参加疗休养:2028年06月“2028年第一批”" in refused(within, w)
    after = F.batch(city, start=date(2031, 6, 2), not_attended_years=3)
    assert F.apply(after, w).status == "pending"
    anyone = F.batch(city, start=date(2030, 8, 6), not_attended_years=0)
    assert F.apply(anyone, w).status == "pending"


def test_it_checks_the_age_limit_on_the_departure_day(city, ld):
    b = F.batch(city, start=date(2030, 5, 6), max_age=60)
    turns_61_before = F.worker(ld, "六十一", birth="19690505")
    turns_61_after = F.worker(ld, "刚六十", birth="19690507")
    assert "年龄:本批次限 60 周岁及以下,本人出发时 61 周岁" in refused(b, turns_61_before)
    assert F.apply(b, turns_61_after).status == "pending"
    no_birth = F.worker(ld, "无生日", id_number="")
    assert "出生日期未登记,无法核对年龄限制" in refused(b, no_birth)


def test_it_requires_the_health_declaration_when_the_batch_does(city, ld):
    b = F.batch(city, health_declaration_required=True)
    w = F.worker(ld, "未声明")
    assert "本批次须本人作健康声明" in refused(b, w, health_declared=False)
    assert F.apply(b, w, health_declared=True).health_declared


def test_it_keeps_workers_of_another_county_out_of_a_county_batch(ld, qy):
    b = F.batch(ld)
    assert "本批次由莲都区总工会组织,庆元县总工会的劳模不在报名范围内" in refused(b, F.worker(qy, "庆元人"))


def test_it_takes_applications_only_while_open_and_before_the_deadline(city, ld):
    planned = F.batch(city, status="planned")
    w = F.worker(ld, "张三")
    assert "不在报名期" in refused(planned, w)
    b = F.batch(city, registration_deadline=date(2030, 4, 30))
    assert "报名已于 2030-04-30 截止" in refused(b, w, today=date(2030, 5, 1))
    assert F.apply(b, w, today=date(2030, 4, 30)).status == "pending"


def test_it_refuses_a_second_application_to_the_same_batch_until_withdrawn(city, ld):
    b = F.batch(city)
    w = F.worker(ld, "张三")
    first = F.apply(b, w)
    assert "已报名本批次(状态:待审核)" in refused(b, w)
    services.application_withdraw(actor=SYSTEM, application=first, reason="家里有事")
    assert F.apply(b, w).status == "pending"
    assert RetreatApplication.objects.filter(batch=b, worker=w).count() == 2  # history kept


def test_it_refuses_overlapping_batches_for_one_person(city, ld):
    w = F.worker(ld, "张三")
    a = F.batch(city, name="第一批", start=date(2030, 5, 6), days=5)  # 6–10 May
    F.apply(a, w)
    overlapping = F.batch(city, name="第二批", start=date(2030, 5, 10), days=3)
    assert "与已报名的“第一批”(2030-05-06至2030-05-10)日期重叠" in refused(overlapping, w)
    next_day = F.batch(city, name="第三批", start=date(2030, 5, 11), days=3)
    assert F.apply(next_day, w).status == "pending"


def test_it_lets_a_cancelled_or_withdrawn_batch_stop_blocking_the_dates(city, ld):
    w = F.worker(ld, "张三")
    a = F.batch(city, name="第一批")
    app = F.apply(a, w)
    b = F.batch(city, name="同期批次")
    assert "日期重叠" in refused(b, w)
    services.application_withdraw(actor=SYSTEM, application=app, reason="改报同期批次")
    assert F.apply(b, w).status == "pending"
    c = F.batch(city, name="又一批")
    services.batch_set_status(actor=SYSTEM, batch=b, status="cancelled", reason="天气原因")
    assert F.apply(c, w).status == "pending"


def test_it_lists_every_check_with_its_outcome(city, ld):
    b = F.batch(city, max_age=70, not_attended_years=3, quotas={ld: 2})
    v = rules.evaluate_one(b, F.worker(ld, "张三"))
    assert v.ok and v.reasons == []
    texts = [c.text for c in v.checks if c.ok]
    assert "荣誉级别符合(市级)。" in texts and "近3年内未参加疗休养。" in texts
    assert "莲都区名额 已用 0/2。" in texts and any(t.startswith("年龄符合") for t in texts)


# --- quota ---------------------------------------------------------------------------------------------


def test_it_keeps_a_county_within_its_quota(city, ld, qy):
    b = F.batch(city, capacity=10, quotas={ld: 1, qy: 2})
    F.apply(b, F.worker(ld, "莲都一"))
    assert "莲都区名额已满(已用 1/1)" in refused(b, F.worker(ld, "莲都二"))
    F.apply(b, F.worker(qy, "庆元一"))
    F.apply(b, F.worker(qy, "庆元二"))
    assert "庆元县名额已满(已用 2/2)" in refused(b, F.worker(qy, "庆元三"))


def test_it_refuses_a_unit_without_a_quota_when_quotas_are_set(city, ld, orgs):
    b = F.batch(city, quotas={ld: 3})
    assert "本批次未给龙泉市总工会分配名额" in refused(b, F.worker(orgs["331181"], "龙泉人"))
    open_batch = F.batch(city)  # no quotas at all: no unit limit
    assert F.apply(open_batch, F.worker(orgs["331181"], "龙泉二")).status == "pending"


def test_it_frees_the_quota_when_someone_withdraws_or_is_rejected(city, ld):
    b = F.batch(city, quotas={ld: 1})
    first = F.apply(b, F.worker(ld, "一"))
    services.application_reject(actor=SYSTEM, application=first, reason="身体原因")
    second = F.apply(b, F.worker(ld, "二"))
    assert second.quota_org == ld
    services.application_withdraw(actor=SYSTEM, application=second, reason="工作忙")
    assert F.apply(b, F.worker(ld, "三")).status == "pending"


def test_it_refuses_a_quota_below_what_a_unit_already_used(city, ld, qy):
    b = F.batch(city, quotas={ld: 2})
    F.apply(b, F.worker(ld, "一"))
    F.apply(b, F.worker(ld, "二"))
    with pytest.raises(ValidationError) as exc:
        services.batch_set_quotas(actor=SYSTEM, batch=b, quotas={ld: 1})
    assert "莲都区总工会 已报名 2 人,名额不能少于已报名人数" in reasons_of(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.batch_set_quotas(actor=SYSTEM, batch=F.batch(ld), quotas={qy: 1})
    assert "不在本批次组织单位之下" in reasons_of(exc.value)
    services.batch_set_quotas(actor=SYSTEM, batch=b, quotas={ld: 3, qy: 1})
    assert {q.org.code: q.quota for q in b.quotas.all()} == {"331102": 3, "331126": 1}


# --- confirmation, capacity and the waitlist -------------------------------------------------------------


def test_it_confirms_until_full_then_waitlists(city, ld):
    b = F.batch(city, capacity=2)
    apps = [F.apply(b, F.worker(ld, n)) for n in ("一", "二", "三")]
    statuses = [services.application_confirm(actor=SYSTEM, application=a).status for a in apps]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    with pytest.raises(ValidationError) as exc:
        services.application_confirm(actor=SYSTEM, application=apps[2])
    assert "名额已满(2 人),三 仍在候补" in reasons_of(exc.value)


def test_it_moves_the_waitlist_up_in_priority_order_when_someone_withdraws(city, ld, users):
    b = F.batch(city, capacity=1)
    seated = F.apply(b, F.worker(ld, "已确定"))
    services.application_confirm(actor=SYSTEM, application=seated)
    low = F.apply(b, F.worker(ld, "低分"))
    high = F.apply(b, F.worker(ld, "高分"), front_line=True)
    assert high.priority_score > low.priority_score
    for app in (low, high):
        assert services.application_confirm(actor=SYSTEM, application=app).status == "waitlisted"
    user, _ = worker_grant_login(actor=F.staff(), worker=high.worker, username="gaofen")
    _, promoted = services.application_withdraw(actor=SYSTEM, application=seated, reason="生病住院")
    assert promoted.pk == high.pk
    high.refresh_from_db()
    low.refresh_from_db()
    assert (high.status, low.status) == ("confirmed", "waitlisted")
    assert Notification.objects.filter(recipient=user, text__contains="已确定").exists()
    assert AuditEntry.objects.filter(action="retreats.application.promote", object_id=str(high.pk)).exists()


def test_it_does_not_promote_when_a_waitlisted_or_pending_person_withdraws(city, ld):
    b = F.batch(city, capacity=1)
    seated = F.apply(b, F.worker(ld, "一"))
    services.application_confirm(actor=SYSTEM, application=seated)
    waiting = F.apply(b, F.worker(ld, "二"))
    services.application_confirm(actor=SYSTEM, application=waiting)
    later = F.apply(b, F.worker(ld, "三"))
    services.application_confirm(actor=SYSTEM, application=later)
    _, promoted = services.application_withdraw(actor=SYSTEM, application=waiting, reason="不去了")
    assert promoted is None
    assert RetreatApplication.objects.get(pk=later.pk).status == "waitlisted"


def test_it_skips_a_waitlisted_person_who_is_now_in_an_overlapping_batch(city, ld):
    b = F.batch(city, capacity=1, name="甲批")
    seated = F.apply(b, F.worker(ld, "一"))
    services.application_confirm(actor=SYSTEM, application=seated)
    w = F.worker(ld, "二")
    first = F.apply(b, w)
    services.application_confirm(actor=SYSTEM, application=first)
    third = F.apply(b, F.worker(ld, "三"))
    services.application_confirm(actor=SYSTEM, application=third)
    # 二 is on the waitlist; the rules keep 二 out of an overlapping batch while waiting.
    other = F.batch(city, name="乙批")
    assert "日期重叠" in refused(other, w)


def test_it_confirms_every_pending_application_in_priority_order(city, ld):
    b = F.batch(city, capacity=2)
    apps = {n: F.apply(b, F.worker(ld, n), front_line=fl) for n, fl in (("普通甲", False), ("一线", True),
                                                                         ("普通乙", False))}
    counts = services.batch_confirm_by_priority(actor=SYSTEM, batch=b)
    assert (counts["confirmed"], counts["waitlisted"]) == (2, 1)
    status = {n: RetreatApplication.objects.get(pk=a.pk).status for n, a in apps.items()}
    assert status == {"一线": "confirmed", "普通甲": "confirmed", "普通乙": "waitlisted"}  # ties: earlier first


def test_it_rechecks_the_rules_when_confirming(city, ld):
    b = F.batch(city)
    w = F.worker(ld, "张三")
    app = F.apply(b, w)
    worker_set_status(actor=F.staff(), worker=w, status="deceased", status_date=date(2024, 1, 1))
    # The death withdrew the registration at once (workers/lifeevents.py); it cannot be confirmed after.
    app.refresh_from_db()
    assert app.status == "withdrawn" and app.reason == "劳模已于 2024-01-01 去世"
    with pytest.raises(ValidationError):
        services.application_confirm(actor=SYSTEM, application=app)
    # A registration the death did not close (its batch under way) is still refused by the rules on confirming.
    app.status = "pending"
    app.save(update_fields=["status"])
    with pytest.raises(ValidationError) as exc:
        services.application_confirm(actor=SYSTEM, application=app)
    assert "张三:该劳模已去世" in reasons_of(exc.value)


def test_it_refuses_a_capacity_below_the_seats_taken(city, ld):
    b = F.batch(city, capacity=2)
    for n in ("一", "二"):
        services.application_confirm(actor=SYSTEM, application=F.apply(b, F.worker(ld, n)))
    with pytest.raises(ValidationError) as exc:
        services.batch_update(actor=SYSTEM, batch=b, capacity=1)
    assert "已确定 2 人,名额不能少于已确定人数" in reasons_of(exc.value)


def test_it_refuses_moving_dates_onto_an_applicants_other_batch(city, ld):
    w = F.worker(ld, "张三")
    F.apply(F.batch(city, name="五月批", start=date(2030, 5, 6)), w)
    june = F.batch(city, name="六月批", start=date(2030, 6, 1))
    F.apply(june, w)
    with pytest.raises(ValidationError) as exc:
        services.batch_update(actor=SYSTEM, batch=june, start_date=date(2030, 5, 8), end_date=date(2030, 5, 12))
    assert "改期后与以下人员已报名的其他批次日期重叠:张三" in reasons_of(exc.value)


# --- priority ------------------------------------------------------------------------------------------


def test_it_explains_the_priority_score(city, ld):
    # Active woman turning 54 before departure (statutory 55): near retirement; never attended; front line.
    w = F.worker(ld, "王芳", birth="19760301", male=False)
    b = F.batch(city, start=date(2030, 5, 6))
    with mock.patch.object(rules, "hardship_worker_ids", return_value=set()):
        app = F.apply(b, w, front_line=True)
    codes = {r["code"]: r["points"] for r in app.priority_reasons}
    assert codes == {"never_attended": 30, "near_retirement": 20, "front_line": 10}
    assert app.priority_score == 60
    texts = " ".join(r["text"] for r in app.priority_reasons)
    assert "临近退休(出发时 54 周岁,法定退休年龄 55 周岁)" in texts


def test_it_scores_no_never_attended_points_after_a_trip(city, ld):
    w = F.worker(ld, "老去的", birth="19800101")
    F.attended_batch(city, [w], start=date(2026, 3, 2))
    app = F.apply(F.batch(city, start=date(2030, 5, 6)), w)
    assert "never_attended" not in {r["code"] for r in app.priority_reasons}


def test_it_adds_hardship_points_from_the_care_module_and_hides_them_from_others(city, ld, monkeypatch):
    w = F.worker(ld, "困难劳模", birth="19800101")
    monkeypatch.setattr(rules, "hardship_worker_ids", lambda ids, on: {w.pk})
    app = F.apply(F.batch(city), w)
    assert app.priority_score == 40 + 30
    assert {"code": "hardship", "points": 40, "text": "困难劳模"} in app.priority_reasons
    hidden = rules.shown_reasons(app.priority_reasons, may_reveal=False)
    assert "困难" not in " ".join(r["text"] for r in hidden) and sum(r["points"] for r in hidden) == 70
    assert rules.shown_reasons(app.priority_reasons, may_reveal=True) == app.priority_reasons


def test_it_reads_hardship_from_the_care_modules_survey_levels(city, ld, monkeypatch):
    w = F.worker(ld, "困难劳模")
    assert rules.hardship_worker_ids([w.pk], date(2030, 1, 1)) == set()  # no approved survey: not in hardship
    monkeypatch.setattr(care_selectors, "worker_ids_in_hardship", lambda *, worker_ids, on: [w.pk])
    assert rules.hardship_worker_ids([w.pk], date(2030, 1, 1)) == {w.pk}


# --- permissions -------------------------------------------------------------------------------------


def test_it_lets_a_worker_apply_only_for_themself(city, ld, users):
    b = F.batch(city)
    me = F.worker(ld, "本人")
    user, _ = worker_grant_login(actor=F.staff(), worker=me, username="benren")
    app = F.apply(b, me, actor=user)
    assert app.channel == "self" and app.submitted_by == user
    with pytest.raises(PermissionDenied):
        F.apply(b, F.worker(ld, "别人"), actor=user)
    assert Notification.objects.filter(text__contains="本人 报名了疗休养").exists()


def test_it_lets_county_staff_nominate_only_their_own_workers(city, ld, qy, users):
    b = F.batch(city)
    app = F.apply(b, F.worker(ld, "莲都人"), actor=users["county_staff"])
    assert app.channel == "nominated"
    with pytest.raises(PermissionDenied):
        F.apply(b, F.worker(qy, "庆元人"), actor=users["county_staff"])
    with pytest.raises(PermissionDenied):
        F.apply(b, F.worker(ld, "看看"), actor=users["viewer"])


def test_it_lets_only_the_organizer_confirm_and_record_attendance(city, ld, users):
    b = F.batch(city)
    app = F.apply(b, F.worker(ld, "张三"), actor=users["county_staff"])
    with pytest.raises(PermissionDenied):
        services.application_confirm(actor=users["county_staff"], application=app)
    assert services.application_confirm(actor=users["city_staff"], application=app).status == "confirmed"
    with pytest.raises(PermissionDenied):
        services.batch_set_status(actor=users["county_staff"], batch=b, status="cancelled", reason="x")


def test_it_lets_the_county_withdraw_its_own_worker_but_not_anothers(city, ld, qy, users):
    b = F.batch(city)
    mine = F.apply(b, F.worker(ld, "莲都人"))
    theirs = F.apply(b, F.worker(qy, "庆元人"))
    with pytest.raises(PermissionDenied):
        services.application_withdraw(actor=users["county_staff"], application=theirs, reason="x")
    app, _ = services.application_withdraw(actor=users["county_staff"], application=mine, reason="本人有事")
    assert app.status == "withdrawn" and app.reason == "本人有事"


def test_it_requires_a_reason_to_reject_or_withdraw_for_someone(city, ld, users):
    b = F.batch(city)
    app = F.apply(b, F.worker(ld, "张三"))
    with pytest.raises(ValidationError) as exc:
        services.application_reject(actor=SYSTEM, application=app, reason=" ")
    assert "请填写未通过的原因" in reasons_of(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.application_withdraw(actor=users["city_staff"], application=app, reason="")
    assert "请填写退出原因" in reasons_of(exc.value)


# --- status flow ---------------------------------------------------------------------------------------


def test_it_follows_the_status_flow(city, ld):
    b = F.batch(city, status="planned")
    with pytest.raises(ValidationError) as exc:
        services.batch_set_status(actor=SYSTEM, batch=b, status="ongoing")
    assert "批次状态不能从“计划”改为“进行中”" in reasons_of(exc.value)
    services.batch_set_status(actor=SYSTEM, batch=b, status="open")
    app = F.apply(b, F.worker(ld, "张三"))
    with pytest.raises(ValidationError) as exc:
        services.batch_set_status(actor=SYSTEM, batch=b, status="confirmed")
    assert "还有 1 份报名待审核" in reasons_of(exc.value)
    services.application_confirm(actor=SYSTEM, application=app)
    services.batch_set_status(actor=SYSTEM, batch=b, status="confirmed")
    services.batch_set_status(actor=SYSTEM, batch=b, status="ongoing")
    with pytest.raises(ValidationError) as exc:
        services.batch_set_status(actor=SYSTEM, batch=b, status="completed")
    assert "还有 1 人未登记是否参加" in reasons_of(exc.value)
    services.application_record_attendance(actor=SYSTEM, application=app, attended=True)
    services.batch_set_status(actor=SYSTEM, batch=b, status="completed")
    with pytest.raises(ValidationError):
        services.batch_set_status(actor=SYSTEM, batch=b, status="cancelled", reason="x")


def test_it_needs_a_leader_and_a_vendor_before_fixing_the_list(city, ld):
    b = F.batch(city, leader_name="", with_vendor=False)
    services.application_confirm(actor=SYSTEM, application=F.apply(b, F.worker(ld, "张三")))
    with pytest.raises(ValidationError) as exc:
        services.batch_set_status(actor=SYSTEM, batch=b, status="confirmed")
    assert "请先指定领队" in reasons_of(exc.value) and "请先选定承接的旅行社/基地" in reasons_of(exc.value)


def test_it_cancels_a_batch_with_a_reason_and_tells_the_applicants(city, ld):
    b = F.batch(city)
    w = F.worker(ld, "张三")
    user, _ = worker_grant_login(actor=F.staff(), worker=w, username="zhangsan")
    app = F.apply(b, w)
    with pytest.raises(ValidationError) as exc:
        services.batch_set_status(actor=SYSTEM, batch=b, status="cancelled")
    assert "请填写取消原因" in reasons_of(exc.value)
    services.batch_set_status(actor=SYSTEM, batch=b, status="cancelled", reason="台风预警")
    app.refresh_from_db()
    assert app.status == "cancelled" and app.reason == "批次取消:台风预警"
    assert Notification.objects.filter(recipient=user, text__contains="已取消:台风预警").exists()


def test_it_refuses_editing_a_batch_after_the_trip_started(city, ld):
    b = F.attended_batch(city, [F.worker(ld, "张三")], start=date(2026, 3, 2), complete=False)
    with pytest.raises(ValidationError) as exc:
        services.batch_update(actor=SYSTEM, batch=b, name="改名")
    assert "后不能再修改" in reasons_of(exc.value)


# --- batch and vendor validation -----------------------------------------------------------------------


def test_it_validates_a_batch_with_clear_messages(city):
    base = {"name": "第一批", "destination": "千岛湖", "capacity": 10, "cost_per_person": Decimal("2500.00"),
            "budget": Decimal("20000.00"), "start_date": date(2030, 5, 6), "end_date": date(2030, 5, 10)}
    with pytest.raises(ValidationError) as exc:
        services.batch_create(actor=SYSTEM, org=city, **base)
    assert exc.value.message_dict["budget"] == ["预算不足:人均费用 × 名额 = 25000.00 元,超出预算 20000.00 元。"]
    with pytest.raises(ValidationError) as exc:
        services.batch_create(actor=SYSTEM, org=city, **{**base, "budget": Decimal("30000"),
                                                       "end_date": date(2030, 5, 1),
                                                       "registration_deadline": date(2030, 6, 1)})
    errors = exc.value.message_dict
    assert errors["end_date"] == ["返回日期不能早于出发日期。"]
    assert errors["registration_deadline"] == ["报名截止日期不能晚于出发日期。"]
    with pytest.raises(ValidationError) as exc:
        services.batch_create(actor=SYSTEM, org=city, **{**base, "budget": Decimal("30000"),
                                                       "employment_statuses": ["deceased"]})
    assert exc.value.message_dict["employment_statuses"] == ["去世的劳模不能参加疗休养。"]


def test_it_refuses_a_vendor_whose_contract_does_not_cover_the_batch(city, ld, qy):
    short = F.vendor(city, "短合同旅行社", contract_start=date(2029, 1, 1), contract_end=date(2030, 5, 8))
    with pytest.raises(ValidationError) as exc:
        F.batch(city, vendor=short)
    assert "短合同旅行社 的合同期限(2029-01-01至2030-05-08)不覆盖本批次日期" in exc.value.message_dict["vendor"][0]
    other_county = F.vendor(qy, "庆元旅行社")
    with pytest.raises(ValidationError) as exc:
        F.batch(ld, vendor=other_county)
    assert "不属于本单位或上级单位签约范围" in exc.value.message_dict["vendor"][0]
    stopped = F.vendor(city, "停用旅行社", is_active=False)
    with pytest.raises(ValidationError) as exc:
        F.batch(city, vendor=stopped)
    assert "已停止合作" in exc.value.message_dict["vendor"][0]


def test_it_validates_vendors(city, users):
    F.vendor(city, "丽水国旅", contact_phone="0578 2123456")
    with pytest.raises(ValidationError) as exc:
        F.vendor(city, "丽水国旅")
    assert exc.value.message_dict["name"] == ["同名的旅行社/基地已登记。"]
    with pytest.raises(ValidationError) as exc:
        F.vendor(city, "新旅行社", contract_start=date(2030, 1, 1), contract_end=date(2029, 1, 1))
    assert exc.value.message_dict["contract_end"] == ["合同终止日不能早于起始日。"]
    with pytest.raises(ValidationError) as exc:
        F.vendor(city, "坏电话", contact_phone="12345")
    assert "contact_phone" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.vendor_create(actor=users["county_staff"], org=city, name="越权")


# --- attendance and the benefit link -------------------------------------------------------------------


def test_it_records_attendance_only_after_departure(city, ld):
    b = F.batch(city)
    app = F.apply(b, F.worker(ld, "张三"))
    services.application_confirm(actor=SYSTEM, application=app)
    with pytest.raises(ValidationError) as exc:
        services.application_record_attendance(actor=SYSTEM, application=app, attended=True)
    assert "批次出发后才能登记出勤" in reasons_of(exc.value)


def test_it_records_the_retreat_benefit_through_the_care_module(city, ld, users):
    b = F.batch(city, start=date(2022, 5, 9), name="2022年第一批", destination="千岛湖")
    app = F.apply(b, F.worker(ld, "张三"))
    F.run_to_ongoing(b)
    with mock.patch.object(care_services, "benefit_grant_record") as grant:
        app, benefit = services.application_record_attendance(actor=users["city_staff"], application=app,
                                                              attended=True)
    assert benefit == "recorded" and app.benefit_recorded and app.status == "attended"
    grant.assert_called_once_with(
        actor=users["city_staff"], worker=app.worker, benefit_type_code="retreat", year=2022,
        grant_date=date(2022, 5, 13), amount=None, source=f"retreat:{b.pk}",
        note="参加疗休养“2022年第一批”(2022-05-09至2022-05-13,千岛湖)")


def test_it_grants_no_benefit_for_an_absence(city, ld):
    b = F.batch(city, start=date(2022, 5, 9))
    app = F.apply(b, F.worker(ld, "张三"))
    F.run_to_ongoing(b)
    with mock.patch.object(care_services, "benefit_grant_record") as grant:
        app, benefit = services.application_record_attendance(actor=SYSTEM, application=app, attended=False)
    assert app.status == "absent" and benefit == "skipped"
    grant.assert_not_called()


def test_it_keeps_the_attendance_and_audits_a_failed_benefit_grant(city, ld):
    b = F.batch(city, start=date(2022, 5, 9))
    app = F.apply(b, F.worker(ld, "张三"))
    F.run_to_ongoing(b)
    refusal = ValidationError({"benefit_type": "未知的待遇类型“retreat”。"})
    with mock.patch.object(care_services, "benefit_grant_record", side_effect=refusal):
        app, benefit = services.application_record_attendance(actor=SYSTEM, application=app, attended=True)
    assert app.status == "attended" and benefit == "failed:未知的待遇类型“retreat”。"
    assert AuditEntry.objects.filter(action="retreats.application.benefit_failed", result="failure").exists()


def test_it_grants_the_benefit_in_the_real_care_module(city, ld, users):
    w = F.worker(ld, "张三")
    b = F.attended_batch(city, [w], start=date(2022, 5, 9), actor=users["city_staff"])
    grant = BenefitGrant.objects.get(worker=w, source=f"retreat:{b.pk}")
    assert (grant.benefit_type.code, grant.year, grant.grant_date) == ("retreat", 2022, date(2022, 5, 13))
    assert RetreatApplication.objects.get(batch=b, worker=w).benefit_recorded


def test_it_refuses_turning_an_attended_participant_into_absent(city, ld):
    b = F.batch(city, start=date(2022, 5, 9))
    a1, a2 = F.apply(b, F.worker(ld, "一")), F.apply(b, F.worker(ld, "二"))
    F.run_to_ongoing(b)
    services.application_record_attendance(actor=SYSTEM, application=a1, attended=True)
    with pytest.raises(ValidationError) as exc:
        services.application_record_attendance(actor=SYSTEM, application=a1, attended=False)
    assert "已登记参加并已记录疗休养待遇,不能改为未参加" in reasons_of(exc.value)
    app, _ = services.application_record_attendance(actor=SYSTEM, application=a2, attended=False)
    assert app.status == "absent"
    app, _ = services.application_record_attendance(actor=SYSTEM, application=a2, attended=True)  # corrected
    assert app.status == "attended"


# --- survey --------------------------------------------------------------------------------------------


def test_it_takes_one_survey_from_each_participant_who_attended(city, ld):
    w = F.worker(ld, "张三")
    b = F.attended_batch(city, [w], start=date(2022, 5, 9))
    app = RetreatApplication.objects.get(batch=b, worker=w)
    ratings = {"itinerary": 5, "accommodation": 4, "food": 3, "guide": 5, "overall": 4}
    services.survey_submit(application=app, actor=PUBLIC, comment="很好", **ratings)
    with pytest.raises(ValidationError) as exc:
        services.survey_submit(application=app, actor=PUBLIC, **ratings)
    assert "您已提交过问卷" in reasons_of(exc.value)
    assert SurveyResponse.objects.get(application=app).overall == 4


def test_it_validates_the_ratings(city, ld):
    w = F.worker(ld, "张三")
    b = F.attended_batch(city, [w], start=date(2022, 5, 9))
    app = RetreatApplication.objects.get(batch=b, worker=w)
    with pytest.raises(ValidationError) as exc:
        services.survey_submit(application=app, actor=PUBLIC, itinerary=6, accommodation=0, food="好", guide=None,
                               overall=3)
    errors = exc.value.message_dict
    assert errors["itinerary"] == ["“行程安排”的评分应为 1–5 分。"]
    assert errors["accommodation"] == ["“住宿”的评分应为 1–5 分。"]
    assert errors["food"] == ["请为“餐饮”打分(1–5 分)。"]
    assert errors["guide"] == ["请为“导游/服务”打分(1–5 分)。"]


def test_it_refuses_a_survey_from_someone_who_did_not_go(city, ld):
    b = F.batch(city, start=date(2022, 5, 9))
    went, missed = F.apply(b, F.worker(ld, "去了")), F.apply(b, F.worker(ld, "没去"))
    F.run_to_ongoing(b)
    services.application_record_attendance(actor=SYSTEM, application=went, attended=True)
    services.application_record_attendance(actor=SYSTEM, application=missed, attended=False)
    with pytest.raises(ValidationError) as exc:
        services.survey_submit(application=missed, actor=PUBLIC, itinerary=5, accommodation=5, food=5, guide=5,
                               overall=5)
    assert "只有实际参加的劳模才能填写" in reasons_of(exc.value)


# --- audit ---------------------------------------------------------------------------------------------


def test_it_never_puts_health_notes_in_the_audit_log(city, ld):
    b = F.batch(city)
    app = F.apply(b, F.worker(ld, "张三"), health_note="冠心病,心脏支架术后", dietary_note="清真")
    entry = AuditEntry.objects.get(action="retreats.application.nominate", object_id=str(app.pk))
    assert entry.changes["health_note"] == "已填写" and entry.changes["dietary_note"] == "已填写"
    assert "支架" not in str(entry.changes) and "清真" not in str(entry.changes)
    app.refresh_from_db()
    assert app.health_note == "冠心病,心脏支架术后"  # stored encrypted, read back in full
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT health_note FROM retreats_retreatapplication WHERE id = %s", [app.pk])
        assert "支架" not in cursor.fetchone()[0]


def test_it_keeps_dates_in_shanghai(city, ld):
    b = F.batch(city, start=date(2030, 5, 6), registration_deadline=date(2030, 5, 1))
    # the deadline compares local dates: the last day is still open
    assert F.apply(b, F.worker(ld, "张三"), today=date(2030, 5, 1)).status == "pending"
    assert b.days == 5 and b.end_date - b.start_date == timedelta(days=4)
