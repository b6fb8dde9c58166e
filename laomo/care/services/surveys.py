"""The yearly hardship survey (困难劳模调查): the city opens a round, counties fill and submit the forms after
their visits, the city reviews. The hardship level is computed from the incomes and causes, never typed in."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from laomo.core import audit, dictionary
from laomo.core.actors import person
from laomo.core.money import money_str, parse_money
from laomo.core.permissions import has_capability
from laomo.core.services import notify
from laomo.core.updates import lock, model_update, plain
from laomo.core.years import check_year
from laomo.orgs.models import OrgKind, OrgUnit
from laomo.orgs.selectors import staff_responsible_for
from laomo.workers.models import EmploymentStatus, Worker

from ..models import (
    INSURANCE_CHOICES,
    DictKind,
    HardshipLevel,
    HardshipSurvey,
    HousingType,
    RoundStatus,
    SurveyRound,
    SurveyStatus,
    VerificationMethod,
)
from .common import LIVING_STATUSES, WHAT, check_edit, is_deceased_before

# --- hardship survey --------------------------------------------------------------------------------------

ROUND_FIELDS = ("year", "name", "start_date", "end_date", "income_threshold", "marginal_factor", "min_level_rank",
                "note")


def _clean_round(r: SurveyRound) -> None:
    errors = {}
    r.name = (r.name or "").strip()
    if not r.name:
        errors["name"] = "请填写调查名称。"
    try:
        r.year = check_year(r.year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not r.start_date:
        errors["start_date"] = "请填写开始日期。"
    if not r.end_date:
        errors["end_date"] = "请填写截止日期。"
    if r.start_date and r.end_date and r.end_date < r.start_date:
        errors["end_date"] = "截止日期不能早于开始日期。"
    try:
        r.income_threshold = parse_money(r.income_threshold, field="income_threshold", label="困难标准")
        if r.income_threshold <= 0:
            errors["income_threshold"] = "困难标准应大于0。"
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        r.marginal_factor = Decimal(str(r.marginal_factor))
        if not Decimal("1") <= r.marginal_factor <= Decimal("3"):
            errors["marginal_factor"] = "低收入边缘系数应在 1 至 3 之间。"
    except Exception:
        errors["marginal_factor"] = "请填写数字。"
    if r.min_level_rank not in (1, 2, 3, 4):
        errors["min_level_rank"] = "请选择调查范围。"
    if not errors.get("year") and SurveyRound.objects.filter(org=r.org, year=r.year).exclude(pk=r.pk).exists():
        errors["year"] = f"{r.org.name}{r.year}年的困难劳模调查已开启。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def round_open(*, actor, org: OrgUnit, **fields) -> SurveyRound:
    """The city opens the year's survey; counties fill the forms after their visits."""
    check_edit(actor, org)
    if org.kind != OrgKind.CITY:
        raise ValidationError({"org": "困难劳模调查由市总工会统一开展。"})
    unknown = set(fields) - set(ROUND_FIELDS)
    if unknown:
        raise TypeError(f"unknown round fields {sorted(unknown)}")
    survey_round = SurveyRound(org=org, created_by=person(actor), **fields)
    _clean_round(survey_round)
    survey_round.save()
    audit.record(actor=actor, action="care.round.open", obj=survey_round, org=org,
                 changes={"year": survey_round.year, "income_threshold": money_str(survey_round.income_threshold),
                          "marginal_factor": str(survey_round.marginal_factor)})
    return survey_round


def _round_snapshot(r: SurveyRound) -> dict:
    return {"threshold": money_str(r.income_threshold), "status": r.status, "end_date": plain(r.end_date),
            "factor": str(r.marginal_factor)}


def round_update(*, actor, survey_round: SurveyRound, status: str | None = None, **changes) -> SurveyRound:
    if status is not None:
        if status not in RoundStatus.values:
            raise ValidationError({"status": "未知的状态。"})
        changes["status"] = status
    return model_update(survey_round, fields=(*ROUND_FIELDS, "status"), data=changes, actor=actor,
                        action="care.round.update", what=WHAT, clean=_clean_round, snap=_round_snapshot)


def severe_causes(causes: dict) -> list[str]:
    """The codes of the causes marked 重大致困因素 among {code: DictItem}."""
    return [code for code, item in causes.items() if item.flag("severe")]


def compute_hardship_level(*, per_capita: Decimal, threshold: Decimal, factor: Decimal, causes,
                           severe_codes) -> str:
    """The hardship level from per-capita monthly income against the local threshold, plus the causes.

    - below the threshold: 困难; with a severe cause (因病、因残、因灾 by default): 特殊困难;
    - below threshold × factor (低收入边缘) with a severe cause: 困难;
    - otherwise 非困难.
    """
    severe = bool(set(causes) & set(severe_codes))
    if per_capita < threshold:
        return HardshipLevel.SPECIAL if severe else HardshipLevel.HARDSHIP
    if per_capita < threshold * factor and severe:
        return HardshipLevel.HARDSHIP
    return HardshipLevel.NONE


PLAIN_SURVEY_FIELDS = ("survey_date", "verification_method", "visitors", "household_size", "employment", "insurance",
                       "housing_type", "housing_area")
SENSITIVE_SURVEY_FIELDS = ("income_own", "income_per_capita", "health_category", "health_detail", "major_illness",
                           "disability_grade", "causes", "needs")


def _apply_survey(survey: HardshipSurvey, data: dict) -> None:
    """Validate and set the form's fields; the level is computed, never typed in."""
    errors = {}
    unknown = set(data) - set(PLAIN_SURVEY_FIELDS) - set(SENSITIVE_SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"unknown survey fields {sorted(unknown)}")
    details = dict(survey.details or {})
    for key in PLAIN_SURVEY_FIELDS:
        if key in data:
            setattr(survey, key, data[key])
    for key in SENSITIVE_SURVEY_FIELDS:
        if key in data:
            details[key] = data[key]
    survey_round, worker = survey.round, survey.worker
    if not survey.survey_date:
        errors["survey_date"] = "请填写走访日期。"
    elif survey.survey_date > timezone.localdate():
        errors["survey_date"] = "走访日期不能晚于今天。"
    elif survey.survey_date.year != survey_round.year:
        errors["survey_date"] = f"走访日期应在{survey_round.year}年内。"
    elif is_deceased_before(worker, survey.survey_date):
        errors["worker"] = f"{worker.name} 已于 {worker.status_date:%Y-%m-%d} 去世。"
    if survey.verification_method not in VerificationMethod.values:
        errors["verification_method"] = "请选择核实方式(先核实、后补助)。"
    try:
        size = int(survey.household_size)
        if not 1 <= size <= 30:
            raise ValueError
        survey.household_size = size
    except (TypeError, ValueError):
        errors["household_size"] = "家庭人口数应为 1 至 30 的整数。"
    if survey.employment not in LIVING_STATUSES:
        errors["employment"] = "请选择就业状况。"
    insurance = list(survey.insurance or [])
    valid_insurance = {c for c, _ in INSURANCE_CHOICES}
    if set(insurance) - valid_insurance:
        errors["insurance"] = "参保情况无效。"
    survey.insurance = [c for c, _ in INSURANCE_CHOICES if c in insurance]
    if survey.housing_type not in HousingType.values:
        errors["housing_type"] = "请选择住房情况。"
    if survey.housing_area not in (None, ""):
        try:
            area = Decimal(str(survey.housing_area))
            if area < 0 or area > 10000:
                raise ValueError
            survey.housing_area = area.quantize(Decimal("0.01"))
        except Exception:
            errors["housing_area"] = "人均住房面积应为非负数字。"
    else:
        survey.housing_area = None
    incomes = {}
    for key, label in (("income_own", "本人月收入"), ("income_per_capita", "家庭人均月收入")):
        value = details.get(key)
        if value in (None, ""):
            errors[key] = f"请填写{label}(元)。"
            continue
        try:
            incomes[key] = parse_money(value, field=key, label=label)
            details[key] = money_str(incomes[key])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    health = dictionary.by_code(DictKind.HEALTH_CATEGORY, active_only=False)
    causes_all = dictionary.by_code(DictKind.HARDSHIP_CAUSE, active_only=False)
    if details.get("health_category", "") not in health:
        errors["health_category"] = "请选择健康状况。"
    if str(details.get("disability_grade", "") or "") not in ("", "1", "2", "3", "4"):
        errors["disability_grade"] = "残疾等级无效。"
    details["disability_grade"] = str(details.get("disability_grade", "") or "")
    details["major_illness"] = bool(details.get("major_illness"))
    details["health_detail"] = str(details.get("health_detail", "") or "").strip()[:500]
    details["needs"] = str(details.get("needs", "") or "").strip()[:500]
    causes = list(details.get("causes") or [])
    if set(causes) - set(causes_all):
        errors["causes"] = "致困原因无效。"
    details["causes"] = [c for c in causes_all if c in causes]
    if errors:
        raise ValidationError(errors)
    survey.details = details
    survey.hardship_level = compute_hardship_level(
        per_capita=incomes["income_per_capita"], threshold=survey_round.income_threshold,
        factor=survey_round.marginal_factor, causes=details["causes"],
        severe_codes=severe_causes(causes_all))


def _survey_audit(fields) -> dict:
    """Which fields changed — never their values (health and hardship details stay out of the log)."""
    return {"fields": sorted(fields)}


@transaction.atomic
def survey_create(*, actor, survey_round: SurveyRound, worker: Worker, **data) -> HardshipSurvey:
    worker = Worker.objects.select_related("org").get(pk=worker.pk)
    survey_round = SurveyRound.objects.select_related("org").get(pk=survey_round.pk)
    check_edit(actor, worker.org)
    errors = {}
    if not survey_round.is_open:
        errors["round"] = f"“{survey_round.name}”已结束,不能再填报。"
    if worker.is_deleted or not worker.org.is_within(survey_round.org):
        errors["worker"] = "该劳模不在本次调查范围内。"
    elif worker.employment_status == EmploymentStatus.DECEASED and not data.get("survey_date"):
        errors["worker"] = f"{worker.name} 已去世。"
    if HardshipSurvey.objects.filter(round=survey_round, worker=worker, is_deleted=False).exists():
        errors["worker"] = f"{worker.name} 在“{survey_round.name}”中已有调查表。"
    if errors:
        raise ValidationError(errors)
    survey = HardshipSurvey(round=survey_round, worker=worker, org=worker.org,
                            created_by=person(actor))
    _apply_survey(survey, data)
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError:
        raise ValidationError({"worker": f"{worker.name} 在“{survey_round.name}”中已有调查表。"})
    audit.record(actor=actor, action="care.survey.create", obj=survey, org=survey.org,
                 object_repr=f"{survey_round.name} · {worker.name}", changes=_survey_audit(data))
    return survey


def _lock_survey(survey: HardshipSurvey) -> HardshipSurvey:
    return lock(survey, "round", "round__org", "worker", "org")


@transaction.atomic
def survey_update(*, actor, survey: HardshipSurvey, **data) -> HardshipSurvey:
    survey = _lock_survey(survey)
    check_edit(actor, survey.org)
    if not survey.is_editable:
        raise ValidationError({"status": f"调查表{survey.get_status_display()},不能修改。"})
    before = {k: getattr(survey, k) for k in PLAIN_SURVEY_FIELDS}
    before.update({k: survey.details.get(k) for k in SENSITIVE_SURVEY_FIELDS})
    _apply_survey(survey, data)
    survey.save()
    after = {k: getattr(survey, k) for k in PLAIN_SURVEY_FIELDS}
    after.update({k: survey.details.get(k) for k in SENSITIVE_SURVEY_FIELDS})
    changed = [k for k in after if before.get(k) != after.get(k)]
    if changed:
        audit.record(actor=actor, action="care.survey.update", obj=survey, org=survey.org,
                     object_repr=f"{survey.round.name} · {survey.worker.name}", changes=_survey_audit(changed))
    return survey


@transaction.atomic
def survey_submit(*, actor, survey: HardshipSurvey) -> HardshipSurvey:
    """County submits the form for the city's review."""
    survey = _lock_survey(survey)
    check_edit(actor, survey.org)
    if survey.status not in (SurveyStatus.DRAFT, SurveyStatus.RETURNED) or survey.is_deleted:
        raise ValidationError({"status": f"调查表{survey.get_status_display()},不能提交。"})
    if not survey.round.is_open:
        raise ValidationError({"round": f"“{survey.round.name}”已结束,不能再提交。"})
    survey.status = SurveyStatus.SUBMITTED
    survey.submitted_at = timezone.now()
    survey.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record(actor=actor, action="care.survey.submit", obj=survey, org=survey.org,
                 object_repr=f"{survey.round.name} · {survey.worker.name}", changes={"status": "submitted"})
    reviewers = [u for u in staff_responsible_for(survey.round.org) if u.pk != actor.pk]
    notify(recipients=reviewers, text=f"{survey.org.name} 提交了 {survey.worker.name} 的困难劳模调查表,请审核",
           url=reverse("care:survey_detail", args=[survey.pk]))
    return survey


def _check_reviewer(actor, survey: HardshipSurvey) -> None:
    """The city (the unit that opened the round) reviews."""
    check_edit(actor, survey.round.org)


@transaction.atomic
def surveys_submit_batch(*, actor, surveys) -> int:
    """Submit several forms at once (a county's finished visits); each is checked as survey_submit does."""
    ids = [s.pk for s in surveys]
    locked = list(HardshipSurvey.objects.select_for_update(of=("self",))
                  .select_related("round", "round__org", "org", "worker")
                  .filter(pk__in=ids))
    errors = []
    for s in locked:
        check_edit(actor, s.org)
        if s.is_deleted or s.status not in (SurveyStatus.DRAFT, SurveyStatus.RETURNED):
            errors.append(f"{s.worker.name}:调查表{s.get_status_display()},不能提交")
        elif not s.round.is_open:
            errors.append(f"{s.worker.name}:“{s.round.name}”已结束")
    if errors:
        raise ValidationError({"surveys": errors})
    now = timezone.now()
    HardshipSurvey.objects.filter(pk__in=[s.pk for s in locked]).update(status=SurveyStatus.SUBMITTED, submitted_at=now,
                                                                      updated_at=now)
    for round_org in {s.round.org for s in locked}:
        reviewers = [u for u in staff_responsible_for(round_org) if u.pk != actor.pk]
        notify(recipients=reviewers, text=f"收到 {len(locked)} 份困难劳模调查表,请审核",
               url=reverse("care:survey_list") + "?status=submitted")
    audit.record(actor=actor, action="care.survey.submit_batch", object_type="care.hardshipsurvey",
                 object_repr=f"{len(locked)} 份", changes={"ids": [s.pk for s in locked][:500]})
    return len(locked)


@transaction.atomic
def surveys_approve_batch(*, actor, surveys, comment: str = "") -> int:
    """The city approves several submitted forms at once."""
    ids = [s.pk for s in surveys]
    locked = list(HardshipSurvey.objects.select_for_update(of=("self",)).select_related("round", "round__org", "worker")
                  .filter(pk__in=ids))
    errors = []
    for s in locked:
        _check_reviewer(actor, s)
        if s.status != SurveyStatus.SUBMITTED or s.is_deleted:
            errors.append(f"{s.worker.name}:调查表{s.get_status_display()},只有待审核的调查表可以审核")
    if errors:
        raise ValidationError({"surveys": errors})
    now = timezone.now()
    HardshipSurvey.objects.filter(pk__in=[s.pk for s in locked]).update(
        status=SurveyStatus.APPROVED, reviewed_at=now, reviewed_by=person(actor),
        review_comment=(comment or "").strip()[:300], updated_at=now)
    audit.record(actor=actor, action="care.survey.approve_batch", object_type="care.hardshipsurvey",
                 object_repr=f"{len(locked)} 份", changes={"ids": [s.pk for s in locked][:500]})
    return len(locked)


@transaction.atomic
def survey_approve(*, actor, survey: HardshipSurvey, comment: str = "") -> HardshipSurvey:
    survey = _lock_survey(survey)
    _check_reviewer(actor, survey)
    if survey.status != SurveyStatus.SUBMITTED:
        raise ValidationError({"status": f"调查表{survey.get_status_display()},只有待审核的调查表可以审核。"})
    survey.status = SurveyStatus.APPROVED
    survey.reviewed_at = timezone.now()
    survey.reviewed_by = person(actor)
    survey.review_comment = (comment or "").strip()[:300]
    survey.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment", "updated_at"])
    audit.record(actor=actor, action="care.survey.approve", obj=survey, org=survey.org,
                 object_repr=f"{survey.round.name} · {survey.worker.name}", changes={"status": "approved"})
    return survey


@transaction.atomic
def survey_return(*, actor, survey: HardshipSurvey, comment: str) -> HardshipSurvey:
    survey = _lock_survey(survey)
    _check_reviewer(actor, survey)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "请填写退回意见,说明需要补充或更正的内容。"})
    if survey.status != SurveyStatus.SUBMITTED:
        raise ValidationError({"status": f"调查表{survey.get_status_display()},只有待审核的调查表可以退回。"})
    survey.status = SurveyStatus.RETURNED
    survey.reviewed_at = timezone.now()
    survey.reviewed_by = person(actor)
    survey.review_comment = comment[:300]
    survey.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment", "updated_at"])
    audit.record(actor=actor, action="care.survey.return", obj=survey, org=survey.org,
                 object_repr=f"{survey.round.name} · {survey.worker.name}",
                 changes={"status": "returned", "comment": comment[:300]})
    notify(recipients=staff_responsible_for(survey.org),
           text=f"{survey.worker.name} 的困难劳模调查表被退回:{comment[:60]}",
           url=reverse("care:survey_detail", args=[survey.pk]))
    return survey


@transaction.atomic
def survey_discard(*, actor, survey: HardshipSurvey, reason: str) -> HardshipSurvey:
    """Discard a draft or returned form (soft delete, audited)."""
    survey = _lock_survey(survey)
    check_edit(actor, survey.org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写作废原因。"})
    if not survey.is_editable:
        raise ValidationError({"status": f"调查表{survey.get_status_display()},不能作废。"})
    survey.is_deleted = True
    survey.deleted_at = timezone.now()
    survey.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    audit.record(actor=actor, action="care.survey.discard", obj=survey, org=survey.org,
                 object_repr=f"{survey.round.name} · {survey.worker.name}", changes={"reason": reason[:200]})
    return survey


def survey_reveal(*, actor, survey, field: str) -> None:
    """Opening a survey's health and hardship details is a reveal of sensitive data: audited."""
    if not has_capability(actor, "reveal_pii"):
        raise PermissionDenied("您没有查看困难调查敏感信息的权限。")
    audit.record(actor=actor, action="core.pii.reveal", obj=survey, org=survey.org,
                 object_repr=f"{survey.round.name} · {survey.worker.name}", changes={"field": field})
