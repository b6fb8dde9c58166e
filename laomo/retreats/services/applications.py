"""Applications: a worker applies or a union nominates, the organizer confirms (a seat or the waitlist) or
rejects, people withdraw (the waitlist moves up), and attendance after the trip grants the 疗休养 benefit in
the care module.

Every write locks the batch row first, so concurrent confirmations can never put more people in a batch
than it has seats.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from laomo.care import services as care_services
from laomo.core import audit
from laomo.core.actors import is_system, person
from laomo.core.permissions import has_capability
from laomo.core.scope import ensure_org_in_scope, org_in_scope
from laomo.core.services import notify
from laomo.orgs.selectors import staff_responsible_for
from laomo.workers.models import Worker

from .. import rules
from ..models import (
    APPLICATION_ORDER,
    WAITLIST_ORDER,
    ApplicationStatus,
    BatchStatus,
    Channel,
    RetreatApplication,
    RetreatBatch,
)
from .common import check_edit, lock_batch, notify_worker, seats_taken

DECIDABLE = (ApplicationStatus.PENDING, ApplicationStatus.WAITLISTED)


def application_order():
    return APPLICATION_ORDER


def waitlist_order():
    return WAITLIST_ORDER


def _label(app: RetreatApplication, batch: RetreatBatch) -> str:
    return f"{app.worker.name} · {batch.name}"


def _is_own(actor, app: RetreatApplication) -> bool:
    """The actor is the worker of the application (a person, not SYSTEM or PUBLIC)."""
    return bool(person(actor)) and app.worker.user_id == actor.pk


# --- submit --------------------------------------------------------------------------------------------


def _application_audit(app: RetreatApplication) -> dict:
    return {"batch": app.batch_id, "worker": app.worker.worker_no, "status": app.status, "channel": app.channel,
            "front_line": app.front_line, "health_declared": app.health_declared,
            "health_note": "已填写" if app.health_note else "", "dietary_note": "已填写" if app.dietary_note else "",
            "priority_score": app.priority_score}


def _check_submitter(actor, worker: Worker) -> str:
    """Channel of an application by `actor` for `worker`: the worker themself, or nominated by staff in scope."""
    if is_system(actor):
        return Channel.NOMINATED
    if worker.user_id and worker.user_id == actor.pk and has_capability(actor, "self_service"):
        return Channel.SELF
    if not has_capability(actor, "edit_business"):
        raise PermissionDenied("只能为本人报名,或由所在工会推荐。")
    ensure_org_in_scope(actor, worker.org)
    return Channel.NOMINATED


def _announce(app: RetreatApplication, batch: RetreatBatch, worker: Worker) -> None:
    if app.channel == Channel.SELF:
        notify(recipients=staff_responsible_for(worker.org), text=f"劳模 {worker.name} 报名了疗休养“{batch.name}”",
               url=reverse("retreats:batch_detail", args=[batch.pk]))
    else:
        notify_worker(app, f"您已被推荐参加疗休养“{batch.name}”,请等待市总工会确定。")


@transaction.atomic
def application_submit(*, actor, batch: RetreatBatch, worker: Worker, front_line: bool = False,
                       health_declared: bool = False, health_note: str = "", dietary_note: str = "",
                       today: date | None = None) -> RetreatApplication:
    """A worker applies, or county staff nominate: eligibility, quota, no overlap; the record is 待审核."""
    batch = lock_batch(batch)
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
        submitted_by=person(actor), front_line=bool(front_line),
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
    audit.record(actor=actor, action=action, obj=app, org=worker.org, object_repr=_label(app, batch),
                 changes=_application_audit(app))
    _announce(app, batch, worker)
    return app


# --- confirm, reject -----------------------------------------------------------------------------------


def _lock_application(application) -> tuple[RetreatApplication, RetreatBatch]:
    batch = lock_batch(application.batch)
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
    app.decided_at, app.decided_by = now, person(actor)
    app.save(update_fields=["status", "waitlisted_at", "decided_at", "decided_by", "updated_at"])
    audit.record(actor=actor, action="retreats.application.confirm", obj=app, org=app.org,
                 object_repr=_label(app, batch), changes={"status": [before, app.status]})
    notify_worker(app, text)
    return app


def _check_deciding(batch: RetreatBatch) -> None:
    if batch.status not in (BatchStatus.OPEN, BatchStatus.CONFIRMED):
        raise ValidationError({"status": f"批次“{batch.get_status_display()}”时不能确定人员。"})


@transaction.atomic
def application_confirm(*, actor, application: RetreatApplication) -> RetreatApplication:
    """The organizer confirms: a seat while there is one, else the waitlist."""
    app, batch = _lock_application(application)
    check_edit(actor, batch.org)
    _check_deciding(batch)
    if app.status not in DECIDABLE:
        raise ValidationError({"status": f"{app.worker.name} 的报名状态为“{app.get_status_display()}”,不能确定。"})
    return _seat_or_waitlist(actor, app, batch)


@transaction.atomic
def batch_confirm_by_priority(*, actor, batch: RetreatBatch) -> dict:
    """Confirm every pending application in priority order: seats first, then the waitlist."""
    batch = lock_batch(batch)
    check_edit(actor, batch.org)
    _check_deciding(batch)
    counts = {"confirmed": 0, "waitlisted": 0, "refused": []}
    pending = (batch.applications.filter(status=ApplicationStatus.PENDING).select_related("worker__org", "org")
               .order_by(*APPLICATION_ORDER))
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
    check_edit(actor, batch.org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写未通过的原因。"})
    if app.status not in DECIDABLE:
        raise ValidationError({"status": f"报名状态为“{app.get_status_display()}”,不能退回。"})
    before = app.status
    app.status, app.reason = ApplicationStatus.REJECTED, reason[:200]
    app.decided_at, app.decided_by = timezone.now(), person(actor)
    app.save(update_fields=["status", "reason", "decided_at", "decided_by", "updated_at"])
    audit.record(actor=actor, action="retreats.application.reject", obj=app, org=app.org,
                 object_repr=_label(app, batch), changes={"status": [before, app.status], "reason": app.reason})
    notify_worker(app, f"您报名的疗休养“{batch.name}”未通过:{app.reason}")
    return app


# --- withdraw and the waitlist -------------------------------------------------------------------------


def _promote_from_waitlist(actor, batch: RetreatBatch) -> RetreatApplication | None:
    """The first on the waitlist (priority order) takes a freed seat."""
    if seats_taken(batch) >= batch.capacity:
        return None
    for app in (batch.applications.filter(status=ApplicationStatus.WAITLISTED).select_related("worker__org", "org")
                .order_by(*WAITLIST_ORDER)):
        app.batch = batch
        try:
            with transaction.atomic():
                _seat_or_waitlist(actor, app, batch)
        except ValidationError:
            continue  # no longer eligible (e.g. now in an overlapping batch): the next one moves up
        audit.record(actor=actor, action="retreats.application.promote", obj=app, org=app.org,
                     object_repr=_label(app, batch), changes={"status": ["waitlisted", app.status]})
        return app
    return None


def _may_withdraw(actor, app: RetreatApplication, batch: RetreatBatch) -> None:
    """The worker themself, or staff with the application's or the batch's unit in scope; SYSTEM may."""
    if is_system(actor) or (_is_own(actor, app) and has_capability(actor, "self_service")):
        return
    if not has_capability(actor, "edit_business"):
        raise PermissionDenied("只能退出本人的报名。")
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
    self_service = _is_own(actor, app)
    reason = (reason or "").strip() or ("本人退出" if self_service else "")
    if not reason:
        raise ValidationError({"reason": "请填写退出原因。"})
    before = app.status
    app.status, app.reason = ApplicationStatus.WITHDRAWN, reason[:200]
    app.save(update_fields=["status", "reason", "updated_at"])
    audit.record(actor=actor, action="retreats.application.withdraw", obj=app, org=app.org,
                 object_repr=_label(app, batch), changes={"status": [before, app.status], "reason": app.reason})
    promoted = _promote_from_waitlist(actor, batch) if before == ApplicationStatus.CONFIRMED else None
    if not self_service:
        notify_worker(app, f"您已退出疗休养“{batch.name}”:{app.reason}")
    return app, promoted


# --- attendance and the benefit ------------------------------------------------------------------------


def _record_benefit(actor, app: RetreatApplication, batch: RetreatBatch) -> str:
    """Attendance grants the 疗休养 benefit in the care module; a refusal there is audited, not fatal."""
    try:
        with transaction.atomic():
            care_services.benefit_grant_record(
                actor=actor, worker=app.worker, benefit_type_code="retreat", year=batch.start_date.year,
                grant_date=min(batch.end_date, timezone.localdate()), amount=None, source=f"retreat:{batch.pk}",
                note=f"参加疗休养“{batch.name}”({batch.start_date:%Y-%m-%d}至{batch.end_date:%Y-%m-%d},{batch.destination})",
            )
    except (ValidationError, PermissionDenied, ObjectDoesNotExist, LookupError, ValueError) as exc:
        message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        audit.record(actor=actor, action="retreats.application.benefit_failed", obj=app, org=app.org,
                     result="failure", object_repr=_label(app, batch), changes={"error": message[:300]})
        return f"failed:{message}"
    return "recorded"


def _check_attendance(app: RetreatApplication, batch: RetreatBatch, attended: bool) -> None:
    if batch.status not in (BatchStatus.ONGOING, BatchStatus.COMPLETED):
        raise ValidationError({"status": "批次出发后才能登记出勤。"})
    if app.status not in (ApplicationStatus.CONFIRMED, ApplicationStatus.ABSENT, ApplicationStatus.ATTENDED):
        raise ValidationError({"status": f"{app.worker.name} 未确定参加本批次,不能登记出勤。"})
    if app.status == ApplicationStatus.ATTENDED and not attended:
        raise ValidationError({"status": f"{app.worker.name} 已登记参加并已记录疗休养待遇,不能改为未参加。"})


@transaction.atomic
def application_record_attendance(*, actor, application: RetreatApplication, attended: bool
                                  ) -> tuple[RetreatApplication, str]:
    """After the trip: 已参加 (records the 疗休养 benefit grant) or 未参加. Returns (application, benefit result)."""
    app, batch = _lock_application(application)
    check_edit(actor, batch.org)
    _check_attendance(app, batch, attended)
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
                 object_repr=_label(app, batch), changes={"status": [before, new], "benefit": benefit.split(":")[0]})
    if attended:
        notify_worker(app, f"感谢参加疗休养“{batch.name}”,请填写满意度问卷。",
                      url=reverse("retreats:survey", args=[app.survey_token]))
    return app, benefit
