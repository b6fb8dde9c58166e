"""Batches: the trip itself, its day-by-day itinerary, the units' quotas and the status flow.

Every write locks the batch row (SELECT … FOR UPDATE; SQLite's IMMEDIATE transaction serializes writers),
so quotas and seats are counted by one writer at a time.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from laomo.core import audit
from laomo.core.idnumber import PhoneError, mask_phone, normalize_phone
from laomo.core.money import money_str
from laomo.core.updates import model_update, snapshot
from laomo.workers.models import EmploymentStatus

from .. import rules
from ..models import (
    BATCH_TRANSITIONS,
    EDITABLE_STATUSES,
    ApplicationStatus,
    BatchQuota,
    BatchStatus,
    ItineraryDay,
    RetreatBatch,
)
from .common import WHAT, check_edit, clean_value, lock_batch, notify_worker, seats_taken

BATCH_FIELDS = ("name", "destination", "start_date", "end_date", "registration_deadline", "vendor", "capacity",
                "cost_per_person", "budget", "leader_name", "leader_phone", "note", "min_level_rank",
                "employment_statuses", "not_attended_years", "max_age", "health_declaration_required")


# --- validation ----------------------------------------------------------------------------------------


def _dates_and_money(batch: RetreatBatch, errors: dict) -> None:
    if batch.start_date and batch.end_date and batch.end_date < batch.start_date:
        errors["end_date"] = "返回日期不能早于出发日期。"
    if batch.registration_deadline and batch.start_date and batch.registration_deadline > batch.start_date:
        errors["registration_deadline"] = "报名截止日期不能晚于出发日期。"
    if batch.capacity is not None and batch.capacity < 1:
        errors["capacity"] = "名额至少为 1 人。"
    for name in ("cost_per_person", "budget"):
        value = getattr(batch, name)
        if value is not None and value < 0:
            errors[name] = "金额不能为负数。"
    if (batch.cost_per_person is not None and batch.budget is not None and batch.capacity
            and batch.cost_per_person * batch.capacity > batch.budget and "budget" not in errors):
        need = money_str(batch.cost_per_person * batch.capacity)
        errors["budget"] = f"预算不足:人均费用 × 名额 = {need} 元,超出预算 {money_str(batch.budget)} 元。"


def _conditions(batch: RetreatBatch, errors: dict) -> None:
    if batch.min_level_rank is not None and batch.min_level_rank > 4:
        errors["min_level_rank"] = "最低荣誉级别无效。"
    statuses = batch.employment_statuses or []
    if not isinstance(statuses, list) or any(s not in EmploymentStatus.values for s in statuses):
        errors["employment_statuses"] = "在职状态无效。"
    elif EmploymentStatus.DECEASED in statuses:
        errors["employment_statuses"] = "去世的劳模不能参加疗休养。"
    if batch.max_age is not None and not (30 <= batch.max_age <= 100):
        errors["max_age"] = "年龄上限应在 30 至 100 周岁之间。"
    if batch.not_attended_years is not None and batch.not_attended_years > 20:
        errors["not_attended_years"] = "“近N年内未参加”最多 20 年。"


def _vendor_error(batch: RetreatBatch) -> str | None:
    vendor = batch.vendor
    if vendor is None:
        return None
    if vendor.is_deleted or not batch.org.is_within(vendor.org):
        return "所选旅行社/基地不属于本单位或上级单位签约范围。"
    if not vendor.is_active:
        return f"{vendor.name} 已停止合作。"
    if batch.start_date and batch.end_date and (
            (vendor.contract_start and batch.start_date < vendor.contract_start)
            or (vendor.contract_end and batch.end_date > vendor.contract_end)):
        period = f"{vendor.contract_start or '—'}至{vendor.contract_end or '—'}"
        return f"{vendor.name} 的合同期限({period})不覆盖本批次日期。"
    return None


def _validate_batch(batch: RetreatBatch) -> None:
    errors: dict[str, str] = {}
    if not (batch.name or "").strip():
        errors["name"] = "请填写批次名称。"
    if not (batch.destination or "").strip():
        errors["destination"] = "请填写目的地。"
    _dates_and_money(batch, errors)
    _conditions(batch, errors)
    if batch.leader_phone:
        try:
            batch.leader_phone = normalize_phone(batch.leader_phone)
        except PhoneError as exc:
            errors["leader_phone"] = str(exc)
    vendor_error = _vendor_error(batch)
    if vendor_error:
        errors["vendor"] = vendor_error
    if errors:
        raise ValidationError(errors)


def batch_validate(*, org, **fields) -> None:
    """The batch rules on fields as typed (the form's inline check): a ValidationError, nothing saved."""
    _validate_batch(RetreatBatch(org=org, **_fields(fields)))


def _fields(data: dict) -> dict:
    unknown = set(data) - set(BATCH_FIELDS)
    if unknown:
        raise TypeError(f"unknown batch field {sorted(unknown)}")
    return {key: clean_value(value) for key, value in data.items()}


def _batch_audit(batch) -> dict:
    snap = snapshot(batch, BATCH_FIELDS)
    snap["leader_phone"] = mask_phone(batch.leader_phone)
    snap["org"] = batch.org.code
    return snap


# --- create and update ---------------------------------------------------------------------------------


@transaction.atomic
def batch_create(*, actor, org, itinerary: list[dict] | None = None, quotas: dict | None = None,
                 **fields) -> RetreatBatch:
    check_edit(actor, org)
    batch = RetreatBatch(org=org, **_fields(fields))
    _validate_batch(batch)
    batch.full_clean()
    batch.save()
    audit.record(actor=actor, action="retreats.batch.create", obj=batch, org=org, changes=_batch_audit(batch))
    if itinerary:
        batch_set_itinerary(actor=actor, batch=batch, days=itinerary)
    if quotas:
        batch_set_quotas(actor=actor, batch=batch, quotas=quotas)
    return batch


def _refuse_date_clash(batch: RetreatBatch) -> None:
    """New dates must not overlap another batch someone applied for."""
    live = list(batch.applications.filter(status__in=rules.OVERLAP_STATUSES).select_related("worker__org"))
    if not live:
        return
    verdicts = rules.evaluate(batch, [a.worker for a in live], for_submission=False)
    clash = [a.worker.name for a in live
             if any(c.code == "overlap" for c in verdicts[a.worker_id].checks if c.ok is False)]
    if clash:
        raise ValidationError({"start_date": "改期后与以下人员已报名的其他批次日期重叠:" + "、".join(clash)})


def batch_update(*, actor, batch: RetreatBatch, **changes) -> RetreatBatch:
    old_dates = {}

    def check(locked):
        if locked.status not in EDITABLE_STATUSES:
            raise ValidationError(f"批次“{locked.get_status_display()}”后不能再修改。")
        old_dates["dates"] = (locked.start_date, locked.end_date)

    def clean(locked):
        _validate_batch(locked)
        taken = seats_taken(locked)
        if locked.capacity < taken:
            raise ValidationError({"capacity": f"已确定 {taken} 人,名额不能少于已确定人数。"})
        if (locked.start_date, locked.end_date) != old_dates["dates"]:
            _refuse_date_clash(locked)
        locked.full_clean()

    return model_update(batch, fields=BATCH_FIELDS, data=_fields(changes), actor=actor,
                        action="retreats.batch.update", what=WHAT, check=check, clean=clean, snap=_batch_audit)


# --- itinerary and quotas ------------------------------------------------------------------------------


def _locked_editable(actor, batch: RetreatBatch, refusal: str) -> RetreatBatch:
    batch = lock_batch(batch)
    check_edit(actor, batch.org)
    if batch.status not in EDITABLE_STATUSES:
        raise ValidationError(refusal)
    return batch


@transaction.atomic
def batch_set_itinerary(*, actor, batch: RetreatBatch, days: list[dict]) -> list[ItineraryDay]:
    """Replace the day-by-day itinerary: [{"title", "activities", "accommodation", "meals"}, …] in day order."""
    batch = _locked_editable(actor, batch, "批次出发后不能再修改行程。")
    keys = ("title", "activities", "accommodation", "meals")
    days = [d for d in days if any((d.get(k) or "").strip() for k in keys)]
    errors = [f"第 {i} 天:请填写行程安排。" for i, d in enumerate(days, start=1) if not (d.get("title") or "").strip()]
    if len(days) > batch.days:
        errors.append(f"行程共 {len(days)} 天,超过批次天数({batch.days} 天)。")
    if errors:
        raise ValidationError({"itinerary": errors})
    batch.itinerary.all().delete()  # the itinerary is a plan, not history; the audit keeps the old one
    rows = [ItineraryDay(batch=batch, day_no=i, title=d["title"].strip()[:200],
                         activities=(d.get("activities") or "").strip(),
                         accommodation=(d.get("accommodation") or "").strip()[:100],
                         meals=(d.get("meals") or "").strip()[:100]) for i, d in enumerate(days, start=1)]
    ItineraryDay.objects.bulk_create(rows)
    audit.record(actor=actor, action="retreats.batch.itinerary", obj=batch, org=batch.org,
                 changes={"days": [r.title for r in rows]})
    return rows


def _quota_errors(batch: RetreatBatch, quotas: dict) -> list[str]:
    errors = {}
    usage = rules.quota_usage(batch)
    for org, n in quotas.items():
        if not org.is_within(batch.org):
            errors[org.code] = f"{org.name} 不在本批次组织单位之下。"
            continue
        n = int(n or 0)
        if n < 0:
            errors[org.code] = f"{org.name} 的名额不能为负数。"
        elif n < usage.get(org.pk, 0):
            errors[org.code] = f"{org.name} 已报名 {usage[org.pk]} 人,名额不能少于已报名人数。"
    return list(errors.values())


@transaction.atomic
def batch_set_quotas(*, actor, batch: RetreatBatch, quotas: dict) -> list[BatchQuota]:
    """Set the quota of each unit ({OrgUnit: n}); 0 or None removes it. Refused below what a unit already uses."""
    batch = _locked_editable(actor, batch, "批次出发后不能再调整名额。")
    errors = _quota_errors(batch, quotas)
    if errors:
        raise ValidationError({"quotas": errors})
    existing = {q.org_id: q for q in batch.quotas.all()}
    before = {q.org.code: q.quota for q in batch.quotas.select_related("org")}
    for org, n in quotas.items():
        n = int(n or 0)
        if n == 0:
            if org.pk in existing:
                existing[org.pk].delete()
        elif org.pk in existing:
            BatchQuota.objects.filter(pk=existing[org.pk].pk).update(quota=n)
        else:
            BatchQuota.objects.create(batch=batch, org=org, quota=n)
    after = {q.org.code: q.quota for q in batch.quotas.select_related("org")}
    diff = audit.diff(before, after) | {k: [v, None] for k, v in before.items() if k not in after}
    if diff:
        audit.record(actor=actor, action="retreats.batch.quotas", obj=batch, org=batch.org, changes=diff)
    return list(batch.quotas.select_related("org"))


# --- status --------------------------------------------------------------------------------------------


def _status_problems(batch: RetreatBatch, status: str) -> list[str]:
    """Why the batch cannot move to `status` now (empty when it can)."""
    apps = batch.applications
    confirmed = apps.filter(status=ApplicationStatus.CONFIRMED)
    if status == BatchStatus.CONFIRMED:
        problems = []
        pending = apps.filter(status=ApplicationStatus.PENDING).count()
        if pending:
            problems.append(f"还有 {pending} 份报名待审核,请先确定或退回。")
        if not batch.leader_name.strip():
            problems.append("请先指定领队。")
        if batch.vendor_id is None:
            problems.append("请先选定承接的旅行社/基地。")
        if not confirmed.exists():
            problems.append("还没有确定的参加人员。")
        return problems
    if status == BatchStatus.ONGOING and not confirmed.exists():
        return ["没有确定的参加人员,不能出发。"]
    if status == BatchStatus.COMPLETED:
        left = confirmed.count()
        if left:
            return [f"还有 {left} 人未登记是否参加,请先登记出勤。"]
    return []


def _cancel_applications(batch: RetreatBatch, reason: str) -> None:
    for app in batch.applications.filter(status__in=(ApplicationStatus.PENDING, ApplicationStatus.CONFIRMED,
                                                     ApplicationStatus.WAITLISTED)).select_related("worker"):
        app.status = ApplicationStatus.CANCELLED
        app.reason = f"批次取消:{reason}"[:200]
        app.save(update_fields=["status", "reason", "updated_at"])
        notify_worker(app, f"疗休养“{batch.name}”已取消:{reason}")


@transaction.atomic
def batch_set_status(*, actor, batch: RetreatBatch, status: str, reason: str = "") -> RetreatBatch:
    batch = lock_batch(batch)
    check_edit(actor, batch.org)
    if status not in BatchStatus.values:
        raise ValidationError({"status": "未知的批次状态。"})
    current = BatchStatus(batch.status)
    if status not in BATCH_TRANSITIONS[current]:
        raise ValidationError({"status": f"批次状态不能从“{current.label}”改为“{BatchStatus(status).label}”。"})
    problems = _status_problems(batch, status)
    if problems:
        raise ValidationError({"status": problems})
    if status == BatchStatus.CANCELLED:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": "请填写取消原因。"})
        batch.cancel_reason = reason[:200]
    old = batch.status
    batch.status = status
    batch.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit.record(actor=actor, action="retreats.batch.status", obj=batch, org=batch.org,
                 changes={"status": [old, status], **({"reason": reason} if reason else {})})
    if status == BatchStatus.CANCELLED:
        _cancel_applications(batch, reason)
    return batch
