"""Writes of the retreats module. Each function validates, checks scope, saves and audits in one transaction.

Every write to a batch's applications locks the batch row (SELECT … FOR UPDATE; on SQLite the
IMMEDIATE transaction serializes writers), so quotas and seats are counted by one writer at a time:
concurrent confirmations can never put more people in a batch than it has seats.
"""

from __future__ import annotations

import importlib
import secrets
from datetime import date
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from laomo.core import audit
from laomo.core.idnumber import PhoneError, mask_phone, normalize_phone
from laomo.core.permissions import has_capability
from laomo.core.scope import ensure_org_in_scope
from laomo.core.services import notify
from laomo.workers.models import EmploymentStatus, Worker

from . import rules
from .models import (
    BATCH_TRANSITIONS,
    EDITABLE_STATUSES,
    RATING_FIELDS,
    RATING_LABELS,
    SEAT_STATUSES,
    ApplicationStatus,
    BatchQuota,
    BatchStatus,
    Channel,
    ItineraryDay,
    RetreatApplication,
    RetreatBatch,
    SurveyResponse,
    Vendor,
)

VENDOR_FIELDS = ("name", "kind", "contact_person", "contact_phone", "address", "license_no", "contract_no",
                 "contract_start", "contract_end", "inspected_on", "inspection_note", "is_active", "note")
BATCH_FIELDS = ("name", "destination", "start_date", "end_date", "registration_deadline", "vendor", "capacity",
                "cost_per_person", "budget", "leader_name", "leader_phone", "note", "min_level_rank",
                "employment_statuses", "not_attended_years", "max_age", "health_declaration_required")
MONEY = Decimal("0.01")


# --- helpers -----------------------------------------------------------------------------------------


def _may_edit(actor, org) -> None:
    """actor None is the system (demo data, management commands)."""
    if actor is None:
        return
    if not has_capability(actor, "edit_business"):
        raise PermissionDenied("您没有维护疗休养业务的权限。")
    ensure_org_in_scope(actor, org)


def _json(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return str(value)
    return value


def _snapshot(obj, fields) -> dict:
    return {f: _json(getattr(obj, f)) for f in fields}


def _raise_model_errors(exc: ValidationError):
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


def _lock_batch(batch: RetreatBatch) -> RetreatBatch:
    return RetreatBatch.objects.select_for_update(of=("self",)).select_related("org", "vendor").get(pk=batch.pk)


def _worker_url(application) -> str:
    return reverse("retreats:my")


def _notify_worker(application, text: str, url: str | None = None) -> None:
    user_id = application.worker.user_id
    if user_id:
        from laomo.orgs.models import User

        notify(recipients=User.objects.filter(pk=user_id, is_active=True), text=text,
               url=url or _worker_url(application))


def seats_taken(batch: RetreatBatch) -> int:
    return RetreatApplication.objects.filter(batch=batch, status__in=SEAT_STATUSES).count()


# --- vendors -----------------------------------------------------------------------------------------


def _validate_vendor(vendor: Vendor) -> None:
    errors = {}
    if not vendor.name.strip():
        errors["name"] = "请填写名称。"
    if vendor.contract_start and vendor.contract_end and vendor.contract_end < vendor.contract_start:
        errors["contract_end"] = "合同终止日不能早于起始日。"
    if vendor.contact_phone:
        try:
            vendor.contact_phone = normalize_phone(vendor.contact_phone)
        except PhoneError as exc:
            errors["contact_phone"] = str(exc)
    dup = Vendor.objects.filter(org=vendor.org, name=vendor.name.strip(), is_deleted=False).exclude(pk=vendor.pk)
    if dup.exists():
        errors["name"] = "同名的旅行社/基地已登记。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def vendor_create(*, actor, org, name: str, **fields) -> Vendor:
    _may_edit(actor, org)
    vendor = Vendor(org=org, name=name.strip())
    for key, value in fields.items():
        if key not in VENDOR_FIELDS:
            raise TypeError(f"unknown vendor field {key}")
        setattr(vendor, key, value.strip() if isinstance(value, str) else value)
    _validate_vendor(vendor)
    vendor.full_clean()
    vendor.save()
    audit.record(actor=actor, action="retreats.vendor.create", obj=vendor, org=org,
                 changes=_snapshot(vendor, VENDOR_FIELDS))
    return vendor


@transaction.atomic
def vendor_update(*, actor, vendor: Vendor, **changes) -> Vendor:
    vendor = Vendor.objects.select_for_update(of=("self",)).select_related("org").get(pk=vendor.pk)
    _may_edit(actor, vendor.org)
    before = _snapshot(vendor, VENDOR_FIELDS)
    for key, value in changes.items():
        if key not in VENDOR_FIELDS:
            raise TypeError(f"unknown vendor field {key}")
        setattr(vendor, key, value.strip() if isinstance(value, str) else value)
    _validate_vendor(vendor)
    vendor.full_clean()
    vendor.save()
    diff = audit.diff(before, _snapshot(vendor, VENDOR_FIELDS))
    if diff:
        audit.record(actor=actor, action="retreats.vendor.update", obj=vendor, org=vendor.org, changes=diff)
    return vendor


# --- batches -----------------------------------------------------------------------------------------


def _validate_batch(batch: RetreatBatch, *, actor) -> None:
    errors: dict[str, str] = {}
    if not (batch.name or "").strip():
        errors["name"] = "请填写批次名称。"
    if not (batch.destination or "").strip():
        errors["destination"] = "请填写目的地。"
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
        need = (batch.cost_per_person * batch.capacity).quantize(MONEY)
        errors["budget"] = f"预算不足:人均费用 × 名额 = {need} 元,超出预算 {batch.budget.quantize(MONEY)} 元。"
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
    if batch.leader_phone:
        try:
            batch.leader_phone = normalize_phone(batch.leader_phone)
        except PhoneError as exc:
            errors["leader_phone"] = str(exc)
    vendor = batch.vendor
    if vendor is not None:
        if vendor.is_deleted or not batch.org.path.startswith(vendor.org.path):
            errors["vendor"] = "所选旅行社/基地不属于本单位或上级单位签约范围。"
        elif not vendor.is_active:
            errors["vendor"] = f"{vendor.name} 已停止合作。"
        elif batch.start_date and batch.end_date and (
                (vendor.contract_start and batch.start_date < vendor.contract_start)
                or (vendor.contract_end and batch.end_date > vendor.contract_end)):
            period = f"{vendor.contract_start or '—'}至{vendor.contract_end or '—'}"
            errors["vendor"] = f"{vendor.name} 的合同期限({period})不覆盖本批次日期。"
    if errors:
        raise ValidationError(errors)


def _batch_audit(batch) -> dict:
    snap = _snapshot(batch, BATCH_FIELDS)
    snap["leader_phone"] = mask_phone(batch.leader_phone)
    snap["org"] = batch.org.code
    return snap


@transaction.atomic
def batch_create(*, actor, org, itinerary: list[dict] | None = None, quotas: dict | None = None,
                 **fields) -> RetreatBatch:
    _may_edit(actor, org)
    batch = RetreatBatch(org=org)
    for key, value in fields.items():
        if key not in BATCH_FIELDS:
            raise TypeError(f"unknown batch field {key}")
        setattr(batch, key, value.strip() if isinstance(value, str) else value)
    _validate_batch(batch, actor=actor)
    try:
        batch.full_clean()
    except ValidationError as exc:
        _raise_model_errors(exc)
    batch.save()
    audit.record(actor=actor, action="retreats.batch.create", obj=batch, org=org, changes=_batch_audit(batch))
    if itinerary:
        batch_set_itinerary(actor=actor, batch=batch, days=itinerary)
    if quotas:
        batch_set_quotas(actor=actor, batch=batch, quotas=quotas)
    return batch


@transaction.atomic
def batch_update(*, actor, batch: RetreatBatch, **changes) -> RetreatBatch:
    batch = _lock_batch(batch)
    _may_edit(actor, batch.org)
    if batch.status not in EDITABLE_STATUSES:
        raise ValidationError(f"批次“{batch.get_status_display()}”后不能再修改。")
    before = _batch_audit(batch)
    old_dates = (batch.start_date, batch.end_date)
    for key, value in changes.items():
        if key not in BATCH_FIELDS:
            raise TypeError(f"unknown batch field {key}")
        setattr(batch, key, value.strip() if isinstance(value, str) else value)
    _validate_batch(batch, actor=actor)
    taken = seats_taken(batch)
    if batch.capacity < taken:
        raise ValidationError({"capacity": f"已确定 {taken} 人,名额不能少于已确定人数。"})
    if (batch.start_date, batch.end_date) != old_dates:
        live = list(batch.applications.filter(status__in=rules.OVERLAP_STATUSES).select_related("worker__org"))
        if live:
            verdicts = rules.evaluate(batch, [a.worker for a in live], for_submission=False)
            clash = [a.worker.name for a in live if any(c.code == "overlap" for c in verdicts[a.worker_id].checks
                                                        if c.ok is False)]
            if clash:
                raise ValidationError({"start_date": "改期后与以下人员已报名的其他批次日期重叠:" + "、".join(clash)})
    try:
        batch.full_clean()
    except ValidationError as exc:
        _raise_model_errors(exc)
    batch.save()
    diff = audit.diff(before, _batch_audit(batch))
    if diff:
        audit.record(actor=actor, action="retreats.batch.update", obj=batch, org=batch.org, changes=diff)
    return batch


@transaction.atomic
def batch_set_itinerary(*, actor, batch: RetreatBatch, days: list[dict]) -> list[ItineraryDay]:
    """Replace the day-by-day itinerary: [{"title", "activities", "accommodation", "meals"}, …] in day order."""
    batch = _lock_batch(batch)
    _may_edit(actor, batch.org)
    if batch.status not in EDITABLE_STATUSES:
        raise ValidationError("批次出发后不能再修改行程。")
    days = [d for d in days if any((d.get(k) or "").strip() for k in ("title", "activities", "accommodation",
                                                                         "meals"))]
    errors = []
    for i, d in enumerate(days, start=1):
        if not (d.get("title") or "").strip():
            errors.append(f"第 {i} 天:请填写行程安排。")
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


@transaction.atomic
def batch_set_quotas(*, actor, batch: RetreatBatch, quotas: dict) -> list[BatchQuota]:
    """Set the quota of each unit ({OrgUnit: n}); 0 or None removes it. Refused below what a unit already uses."""
    batch = _lock_batch(batch)
    _may_edit(actor, batch.org)
    if batch.status not in EDITABLE_STATUSES:
        raise ValidationError("批次出发后不能再调整名额。")
    errors = {}
    usage = rules.quota_usage(batch)
    existing = {q.org_id: q for q in batch.quotas.all()}
    for org, n in quotas.items():
        if not org.path.startswith(batch.org.path):
            errors[org.code] = f"{org.name} 不在本批次组织单位之下。"
            continue
        n = int(n or 0)
        if n < 0:
            errors[org.code] = f"{org.name} 的名额不能为负数。"
        elif n < usage.get(org.pk, 0):
            errors[org.code] = f"{org.name} 已报名 {usage[org.pk]} 人,名额不能少于已报名人数。"
    if errors:
        raise ValidationError({"quotas": list(errors.values())})
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


@transaction.atomic
def batch_set_status(*, actor, batch: RetreatBatch, status: str, reason: str = "") -> RetreatBatch:
    batch = _lock_batch(batch)
    _may_edit(actor, batch.org)
    if status not in BatchStatus.values:
        raise ValidationError({"status": "未知的批次状态。"})
    current = BatchStatus(batch.status)
    if status not in BATCH_TRANSITIONS[current]:
        raise ValidationError({"status": f"批次状态不能从“{current.label}”改为“{BatchStatus(status).label}”。"})
    apps = batch.applications
    if status == BatchStatus.CONFIRMED:
        problems = []
        pending = apps.filter(status=ApplicationStatus.PENDING).count()
        if pending:
            problems.append(f"还有 {pending} 份报名待审核,请先确定或退回。")
        if not batch.leader_name.strip():
            problems.append("请先指定领队。")
        if batch.vendor_id is None:
            problems.append("请先选定承接的旅行社/基地。")
        if not apps.filter(status=ApplicationStatus.CONFIRMED).exists():
            problems.append("还没有确定的参加人员。")
        if problems:
            raise ValidationError({"status": problems})
    if status == BatchStatus.ONGOING and not apps.filter(status=ApplicationStatus.CONFIRMED).exists():
        raise ValidationError({"status": "没有确定的参加人员,不能出发。"})
    if status == BatchStatus.COMPLETED:
        left = apps.filter(status=ApplicationStatus.CONFIRMED).count()
        if left:
            raise ValidationError({"status": f"还有 {left} 人未登记是否参加,请先登记出勤。"})
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
        for app in apps.filter(status__in=(ApplicationStatus.PENDING, ApplicationStatus.CONFIRMED,
                                           ApplicationStatus.WAITLISTED)).select_related("worker"):
            app.status = ApplicationStatus.CANCELLED
            app.reason = f"批次取消:{reason}"[:200]
            app.save(update_fields=["status", "reason", "updated_at"])
            _notify_worker(app, f"疗休养“{batch.name}”已取消:{reason}")
    return batch


# --- applications ------------------------------------------------------------------------------------


def _application_audit(app: RetreatApplication) -> dict:
    return {"batch": app.batch_id, "worker": app.worker.worker_no, "status": app.status, "channel": app.channel,
            "front_line": app.front_line, "health_declared": app.health_declared,
            "health_note": "已填写" if app.health_note else "", "dietary_note": "已填写" if app.dietary_note else "",
            "priority_score": app.priority_score}


def _check_submitter(actor, worker: Worker) -> str:
    """Channel of an application by `actor` for `worker`: the worker themself, or nominated by staff in scope."""
    if actor is None:
        return Channel.NOMINATED
    if worker.user_id and worker.user_id == actor.pk and has_capability(actor, "self_service"):
        return Channel.SELF
    if has_capability(actor, "edit_business"):
        ensure_org_in_scope(actor, worker.org)
        return Channel.NOMINATED
    raise PermissionDenied("只能为本人报名,或由所在工会推荐。")


@transaction.atomic
def application_submit(*, actor, batch: RetreatBatch, worker: Worker, front_line: bool = False,
                       health_declared: bool = False, health_note: str = "", dietary_note: str = "",
                       today: date | None = None) -> RetreatApplication:
    """A worker applies, or county staff nominate: eligibility, quota, no overlap; the record is 待审核."""
    batch = _lock_batch(batch)
    worker = Worker.objects.select_for_update(of=("self",)).select_related("org").get(pk=worker.pk)
    channel = _check_submitter(actor, worker)
    health_note, dietary_note = (health_note or "").strip(), (dietary_note or "").strip()
    if len(health_note) > 500 or len(dietary_note) > 200:
        raise ValidationError({"health_note": "健康状况说明最多 500 字,饮食禁忌最多 200 字。"})
    verdict = rules.evaluate_one(batch, worker, today=today, front_line=front_line,
                                 health_declared=health_declared)
    if not verdict.ok:
        raise ValidationError({"worker": verdict.reasons})
    app = RetreatApplication(
        batch=batch, worker=worker, org=worker.org, quota_org=verdict.quota_org, channel=channel,
        submitted_by=actor if actor is not None else None, front_line=bool(front_line),
        health_declared=bool(health_declared), health_note=health_note, dietary_note=dietary_note,
        priority_score=verdict.score, priority_reasons=verdict.priority, level_rank=worker.highest_level_rank,
        survey_token=secrets.token_urlsafe(24),
    )
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError:  # the one-live-application constraint behind the check above
        raise ValidationError({"worker": ["已报名本批次。"]})
    action = "retreats.application.apply" if channel == Channel.SELF else "retreats.application.nominate"
    audit.record(actor=actor, action=action, obj=app, org=worker.org, object_repr=f"{worker.name} · {batch.name}",
                 changes=_application_audit(app))
    if channel == Channel.SELF:
        from laomo.orgs.selectors import staff_responsible_for

        notify(recipients=staff_responsible_for(worker.org), text=f"劳模 {worker.name} 报名了疗休养“{batch.name}”",
               url=reverse("retreats:batch_detail", args=[batch.pk]))
    else:
        _notify_worker(app, f"您已被推荐参加疗休养“{batch.name}”,请等待市总工会确定。")
    return app


def _lock_application(application) -> tuple[RetreatApplication, RetreatBatch]:
    batch = _lock_batch(application.batch)
    app = (RetreatApplication.objects.select_for_update(of=("self",)).select_related("worker__org", "org")
           .get(pk=application.pk))
    app.batch = batch
    return app, batch


def _seat_or_waitlist(actor, app: RetreatApplication, batch: RetreatBatch) -> RetreatApplication:
    """Give `app` a seat if one is free, else put it on the waitlist (batch row already locked)."""
    verdict = rules.evaluate_one(batch, app.worker, for_submission=False, exclude_application=app)
    if not verdict.ok:
        raise ValidationError({"worker": [f"{app.worker.name}:" + r for r in verdict.reasons]})
    now = timezone.now()
    before = app.status
    if seats_taken(batch) < batch.capacity:
        app.status = ApplicationStatus.CONFIRMED
        text = f"您参加疗休养“{batch.name}”({batch.start_date:%m月%d日}出发)已确定。"
    else:
        if app.status == ApplicationStatus.WAITLISTED:
            raise ValidationError({"status": f"名额已满({batch.capacity} 人),{app.worker.name} 仍在候补。"})
        app.status = ApplicationStatus.WAITLISTED
        app.waitlisted_at = now
        text = f"疗休养“{batch.name}”名额已满,您已列入候补名单,有人退出时按优先顺序递补。"
    app.decided_at, app.decided_by = now, actor
    app.save(update_fields=["status", "waitlisted_at", "decided_at", "decided_by", "updated_at"])
    audit.record(actor=actor, action="retreats.application.confirm", obj=app, org=app.org,
                 object_repr=f"{app.worker.name} · {batch.name}", changes={"status": [before, app.status]})
    _notify_worker(app, text)
    return app


@transaction.atomic
def application_confirm(*, actor, application: RetreatApplication) -> RetreatApplication:
    """The organizer confirms: a seat while there is one, else the waitlist."""
    app, batch = _lock_application(application)
    _may_edit(actor, batch.org)
    if batch.status not in (BatchStatus.OPEN, BatchStatus.CONFIRMED):
        raise ValidationError({"status": f"批次“{batch.get_status_display()}”时不能确定人员。"})
    if app.status not in (ApplicationStatus.PENDING, ApplicationStatus.WAITLISTED):
        raise ValidationError({"status": f"{app.worker.name} 的报名状态为“{app.get_status_display()}”,不能确定。"})
    return _seat_or_waitlist(actor, app, batch)


def application_order():
    return ("-priority_score", "-level_rank", "created_at", "id")


def waitlist_order():
    return ("-priority_score", "-level_rank", "waitlisted_at", "id")


@transaction.atomic
def batch_confirm_by_priority(*, actor, batch: RetreatBatch) -> dict:
    """Confirm every pending application in priority order: seats first, then the waitlist."""
    batch = _lock_batch(batch)
    _may_edit(actor, batch.org)
    if batch.status not in (BatchStatus.OPEN, BatchStatus.CONFIRMED):
        raise ValidationError({"status": f"批次“{batch.get_status_display()}”时不能确定人员。"})
    counts = {"confirmed": 0, "waitlisted": 0, "refused": []}
    pending = (batch.applications.filter(status=ApplicationStatus.PENDING).select_related("worker__org", "org")
               .order_by(*application_order()))
    for app in pending:
        app.batch = batch
        try:
            with transaction.atomic():
                _seat_or_waitlist(actor, app, batch)
        except ValidationError as exc:
            counts["refused"].extend(exc.messages)
            continue
        counts[app.status] += 1
    return counts


@transaction.atomic
def application_reject(*, actor, application: RetreatApplication, reason: str) -> RetreatApplication:
    app, batch = _lock_application(application)
    _may_edit(actor, batch.org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写未通过的原因。"})
    if app.status not in (ApplicationStatus.PENDING, ApplicationStatus.WAITLISTED):
        raise ValidationError({"status": f"报名状态为“{app.get_status_display()}”,不能退回。"})
    before = app.status
    app.status, app.reason = ApplicationStatus.REJECTED, reason[:200]
    app.decided_at, app.decided_by = timezone.now(), actor
    app.save(update_fields=["status", "reason", "decided_at", "decided_by", "updated_at"])
    audit.record(actor=actor, action="retreats.application.reject", obj=app, org=app.org,
                 object_repr=f"{app.worker.name} · {batch.name}", changes={"status": [before, app.status],
                                                                          "reason": app.reason})
    _notify_worker(app, f"您报名的疗休养“{batch.name}”未通过:{app.reason}")
    return app


def _promote_from_waitlist(actor, batch: RetreatBatch) -> RetreatApplication | None:
    """The first on the waitlist (priority order) takes a freed seat."""
    if seats_taken(batch) >= batch.capacity:
        return None
    for app in (batch.applications.filter(status=ApplicationStatus.WAITLISTED).select_related("worker__org", "org")
                .order_by(*waitlist_order())):
        app.batch = batch
        try:
            with transaction.atomic():
                _seat_or_waitlist(actor, app, batch)
        except ValidationError:
            continue  # no longer eligible (e.g. now in an overlapping batch): the next one moves up
        audit.record(actor=actor, action="retreats.application.promote", obj=app, org=app.org,
                     object_repr=f"{app.worker.name} · {batch.name}", changes={"status": ["waitlisted", app.status]})
        return app
    return None


def _may_withdraw(actor, app: RetreatApplication, batch: RetreatBatch) -> None:
    if actor is None:
        return
    if app.worker.user_id == actor.pk and has_capability(actor, "self_service"):
        return
    if not has_capability(actor, "edit_business"):
        raise PermissionDenied("只能退出本人的报名。")
    from laomo.core.scope import org_in_scope

    if not (org_in_scope(actor, app.org) or org_in_scope(actor, batch.org)):
        raise PermissionDenied("该报名不在您的数据范围内。")


@transaction.atomic
def application_withdraw(*, actor, application: RetreatApplication, reason: str = ""
                         ) -> tuple[RetreatApplication, RetreatApplication | None]:
    """The worker (or their union) withdraws; a freed seat goes to the first on the waitlist."""
    app, batch = _lock_application(application)
    _may_withdraw(actor, app, batch)
    if app.status not in (ApplicationStatus.PENDING, ApplicationStatus.CONFIRMED, ApplicationStatus.WAITLISTED):
        raise ValidationError({"status": f"报名状态为“{app.get_status_display()}”,不能退出。"})
    if batch.status not in (BatchStatus.PLANNED, BatchStatus.OPEN, BatchStatus.CONFIRMED):
        raise ValidationError({"status": "批次已出发,不能再退出;请在出勤登记中登记为未参加。"})
    self_service = actor is not None and app.worker.user_id == actor.pk
    reason = (reason or "").strip() or ("本人退出" if self_service else "")
    if not reason:
        raise ValidationError({"reason": "请填写退出原因。"})
    before = app.status
    app.status, app.reason = ApplicationStatus.WITHDRAWN, reason[:200]
    app.save(update_fields=["status", "reason", "updated_at"])
    audit.record(actor=actor, action="retreats.application.withdraw", obj=app, org=app.org,
                 object_repr=f"{app.worker.name} · {batch.name}", changes={"status": [before, app.status],
                                                                          "reason": app.reason})
    promoted = None
    if before == ApplicationStatus.CONFIRMED:
        promoted = _promote_from_waitlist(actor, batch)
    if not self_service:
        _notify_worker(app, f"您已退出疗休养“{batch.name}”:{app.reason}")
    return app, promoted


def care_services():
    """laomo.care.services when the care module is installed and offers `benefit_grant_record`, else None.

    Imported only when needed: this module never imports care at import time.
    """
    from django.apps import apps

    if not apps.is_installed("laomo.care"):
        return None
    try:
        module = importlib.import_module("laomo.care.services")
    except ImportError:
        return None
    return module if hasattr(module, "benefit_grant_record") else None


def _record_benefit(actor, app: RetreatApplication, batch: RetreatBatch) -> str:
    """Attendance grants the 疗休养 benefit in the care module when it is installed (else skipped)."""
    care = care_services()
    if care is None:
        return "skipped"
    try:
        with transaction.atomic():
            care.benefit_grant_record(
                actor=actor, worker=app.worker, benefit_type_code="retreat", year=batch.start_date.year,
                grant_date=min(batch.end_date, timezone.localdate()), amount=None, source=f"retreat:{batch.pk}",
                note=f"参加疗休养“{batch.name}”({batch.start_date:%Y-%m-%d}至{batch.end_date:%Y-%m-%d},{batch.destination})",
            )
    except (ValidationError, PermissionDenied, ObjectDoesNotExist, LookupError, ValueError) as exc:
        message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        audit.record(actor=actor, action="retreats.application.benefit_failed", obj=app, org=app.org, result="failure",
                     object_repr=f"{app.worker.name} · {batch.name}", changes={"error": message[:300]})
        return f"failed:{message}"
    return "recorded"


@transaction.atomic
def application_record_attendance(*, actor, application: RetreatApplication, attended: bool
                                  ) -> tuple[RetreatApplication, str]:
    """After the trip: 已参加 (records the 疗休养 benefit grant) or 未参加. Returns (application, benefit result)."""
    app, batch = _lock_application(application)
    _may_edit(actor, batch.org)
    if batch.status not in (BatchStatus.ONGOING, BatchStatus.COMPLETED):
        raise ValidationError({"status": "批次出发后才能登记出勤。"})
    if app.status not in (ApplicationStatus.CONFIRMED, ApplicationStatus.ABSENT, ApplicationStatus.ATTENDED):
        raise ValidationError({"status": f"{app.worker.name} 未确定参加本批次,不能登记出勤。"})
    if app.status == ApplicationStatus.ATTENDED and not attended:
        raise ValidationError({"status": f"{app.worker.name} 已登记参加并已记录疗休养待遇,不能改为未参加。"})
    new = ApplicationStatus.ATTENDED if attended else ApplicationStatus.ABSENT
    if app.status == new:
        return app, "unchanged"
    if app.status == ApplicationStatus.CONFIRMED and batch.status == BatchStatus.COMPLETED:
        raise ValidationError({"status": "批次已完成。"})
    before = app.status
    app.status = new
    app.attendance_recorded_at = timezone.now()
    benefit = "skipped"
    if attended:
        benefit = _record_benefit(actor, app, batch)
        app.benefit_recorded = benefit == "recorded"
    app.save(update_fields=["status", "attendance_recorded_at", "benefit_recorded", "updated_at"])
    audit.record(actor=actor, action="retreats.application.attendance", obj=app, org=app.org,
                 object_repr=f"{app.worker.name} · {batch.name}",
                 changes={"status": [before, new], "benefit": benefit.split(":")[0]})
    if attended:
        _notify_worker(app, f"感谢参加疗休养“{batch.name}”,请填写满意度问卷。",
                       url=reverse("retreats:survey", args=[app.survey_token]))
    return app, benefit


# --- survey ------------------------------------------------------------------------------------------


def survey_open_for(app: RetreatApplication) -> str | None:
    """None when the participant may answer now, else why not (Chinese)."""
    if app.status != ApplicationStatus.ATTENDED:
        return "只有实际参加的劳模才能填写本批次的满意度问卷。"
    if app.batch.status not in (BatchStatus.ONGOING, BatchStatus.COMPLETED):
        return "问卷在批次出发后开放。"
    if SurveyResponse.objects.filter(application=app).exists():
        return "您已提交过问卷,感谢您的评价。"
    return None


@transaction.atomic
def survey_submit(*, application: RetreatApplication, actor=None, comment: str = "", **ratings) -> SurveyResponse:
    """A participant's answers (from the link or QR code; `actor` is set when logged in)."""
    app = (RetreatApplication.objects.select_for_update(of=("self",)).select_related("batch", "worker", "org")
           .get(pk=application.pk))
    if actor is not None and getattr(actor, "is_authenticated", False) and app.worker.user_id not in (None, actor.pk):
        raise PermissionDenied("只能填写本人的问卷。")
    closed = survey_open_for(app)
    if closed:
        raise ValidationError({"__all__": closed})
    errors = {}
    clean = {}
    for name in RATING_FIELDS:
        value = ratings.get(name)
        try:
            value = int(value)
        except (TypeError, ValueError):
            errors[name] = f"请为“{RATING_LABELS[name]}”打分(1–5 分)。"
            continue
        if not 1 <= value <= 5:
            errors[name] = f"“{RATING_LABELS[name]}”的评分应为 1–5 分。"
        clean[name] = value
    unknown = set(ratings) - set(RATING_FIELDS)
    if unknown:
        raise TypeError(f"unknown rating {unknown}")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        errors["comment"] = "意见建议最多 1000 字。"
    if errors:
        raise ValidationError(errors)
    response = SurveyResponse(application=app, batch=app.batch, comment=comment, **clean)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise ValidationError({"__all__": "您已提交过问卷,感谢您的评价。"})
    audit.record(actor=actor if getattr(actor, "is_authenticated", False) else None, action="retreats.survey.submit",
                 obj=response, org=app.org, object_repr=f"{app.batch.name} 问卷",
                 username="" if actor else "survey-link", changes=clean)
    return response


# --- exports -----------------------------------------------------------------------------------------


def record_export(*, actor, batch: RetreatBatch, kind: str, rows: int, full_phone: bool, full_id: bool = False,
                  notes: bool = False) -> None:
    audit.record(actor=actor, action=f"retreats.batch.export_{kind}", obj=batch, org=batch.org,
                 changes={"rows": rows, "full_phone": full_phone, "full_id_number": full_id, "health_notes": notes})
