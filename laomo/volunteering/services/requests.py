"""Requests from the public (点单): submitted on the portal or taken by a clerk, then moved through the
state machine of `TRANSITIONS` only — dispatched, accepted or declined, scheduled, completed with a
service record, rated; or refused or cancelled."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from laomo.core import audit
from laomo.core.actors import is_public, is_system, person
from laomo.core.idnumber import mask_phone
from laomo.core.permissions import has_capability, require_edit
from laomo.core.pii import blind_index
from laomo.core.scope import ensure_org_in_scope, org_in_scope
from laomo.core.services import notify
from laomo.orgs.models import OrgUnit
from laomo.orgs.selectors import staff_responsible_for

from ..models import (
    CATEGORY_CHOICES,
    RequestChannel,
    RequestEvent,
    RequestStatus,
    ServiceRequest,
    ServiceTeam,
    TeamType,
)
from .common import WHAT, clean_phone, is_staff_for, leads_team, mask_name, now, text, today
from .records import record_create

S = RequestStatus
# The request state machine: action → (states it may start from, state it leads to).
TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "dispatch": (frozenset({S.PENDING}), S.DISPATCHED),
    "redispatch": (frozenset({S.DISPATCHED, S.ACCEPTED}), S.DISPATCHED),
    "refuse": (frozenset({S.PENDING}), S.REFUSED),
    "cancel": (frozenset({S.PENDING, S.DISPATCHED, S.ACCEPTED}), S.CANCELLED),
    "accept": (frozenset({S.DISPATCHED}), S.ACCEPTED),
    "decline": (frozenset({S.DISPATCHED}), S.PENDING),
    "release": (frozenset({S.DISPATCHED, S.ACCEPTED}), S.PENDING),
    "schedule": (frozenset({S.ACCEPTED}), S.ACCEPTED),
    "complete": (frozenset({S.ACCEPTED}), S.COMPLETED),
    "rate": (frozenset({S.COMPLETED}), S.RATED),
}
ACTION_LABELS = {
    "submit": "点单", "dispatch": "派单", "redispatch": "改派", "refuse": "不予受理", "cancel": "取消",
    "accept": "接单", "decline": "退单", "release": "退回待派", "schedule": "约定时间", "complete": "完成服务",
    "rate": "评价",
}
REFUSALS = {
    "rate": "服务完成后才能评价;已评价的点单不能重复评价。",
    "accept": "只有已派单、尚未接单的点单可以接单。",
    "decline": "只有已派单、尚未接单的点单可以退单。",
    "release": "只有已派单或服务中的点单可以退回重新派单。",
    "complete": "接单后才能登记完成服务。",
    "refuse": "只有待审核的点单可以不予受理。",
    "cancel": "该点单已办结,不能取消。",
    "schedule": "接单后才能约定服务时间。",
}
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 12
DESCRIPTION_MAX = 1000
PHONE_PURPOSE = "request_phone"
DISPATCH_DAYS = 2  # a request not dispatched within 2 days is overdue
DEFAULT_PROMISE_DAYS = 7
PUBLIC_LABEL = "群众"  # who acted, on the request's timeline, when no person did
PII_EXCLUDE = ["tracking_code", "contact_name_masked", "contact_phone_masked", "contact_phone_index"]


def can_transition(status: str, action: str) -> bool:
    return status in TRANSITIONS[action][0]


def _check_transition(req: ServiceRequest, action: str) -> str:
    allowed, target = TRANSITIONS[action]
    if req.status not in allowed:
        label = RequestStatus(req.status).label
        raise ValidationError({"status": f"点单当前状态为“{label}”,不能{ACTION_LABELS[action]}。"
                                         f"{REFUSALS.get(action, '')}"})
    return target


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def _event(req: ServiceRequest, *, action: str, from_status: str, actor, note: str = "", at=None) -> RequestEvent:
    """One step on the request's timeline; the public (and the system acting for it) shows as 群众."""
    user = person(actor)
    label = (user.full_name or user.username)[:60] if user is not None else ""
    return RequestEvent.objects.create(request=req, action=action, from_status=from_status, to_status=req.status,
                                       actor=user if label else None, actor_label=label or PUBLIC_LABEL,
                                       note=(note or "")[:300], created_at=at or now())


def _audit_request(actor, req: ServiceRequest, action: str, changes: dict) -> None:
    audit.record(actor=actor, action=f"volunteering.request.{action}", obj=req, org=req.org,
                 object_repr=f"点单 {req.tracking_code}", changes=changes)


def _notify_staff(req: ServiceRequest, message: str) -> None:
    notify(recipients=staff_responsible_for(req.org), text=message,
           url=reverse("volunteering:request_detail", args=[req.pk]))


def _assignee_users(req: ServiceRequest) -> list:
    users = []
    if req.worker_id and req.worker.user_id:
        users.append(req.worker.user)
    if req.team_id:
        leader = req.team.leader
        if leader is None and req.team.parent_id:
            leader = req.team.parent.leader
        if leader is not None and leader not in users:
            users.append(leader)
    return users


def _lock(req: ServiceRequest) -> ServiceRequest:
    """Lock the request row and read its current state (two clerks cannot both act on a stale copy)."""
    return (ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("org", "team", "team__parent", "worker", "worker__user", "team__leader",
                            "team__parent__leader")
            .get(pk=req.pk))


# --- submission ----------------------------------------------------------------------------------


def _validate_request_input(*, org, category, description, town, village, contact_name, contact_phone,
                            preferred_date, preferred_time) -> dict:
    if org is None or org.kind not in ("county", "city", "city_direct", "township"):
        raise ValidationError({"org": "请选择所在县(市、区)。"})
    if category not in dict(CATEGORY_CHOICES):
        raise ValidationError({"category": "请选择服务类别。"})
    data = {
        "description": text(description, "description", "需求描述", DESCRIPTION_MAX),
        "town": text(town, "town", "乡镇(街道)", 50),
        "village": text(village, "village", "村(社区)", 50, required=False),
        "contact_name": text(contact_name, "contact_name", "联系人姓名", 30),
        "contact_phone": clean_phone(contact_phone, "contact_phone", required=True),
        "preferred_time": text(preferred_time, "preferred_time", "期望时间说明", 50, required=False),
    }
    if len(data["description"]) < 5:
        raise ValidationError({"description": "请把需求描述得具体一些(至少5个字)。"})
    day = today()
    if preferred_date is not None and not (day <= preferred_date <= day + timedelta(days=180)):
        raise ValidationError({"preferred_date": "期望服务日期应在今天到半年之内。"})
    return data


def _unused_tracking_code() -> str:
    code = new_tracking_code()
    while ServiceRequest.objects.filter(tracking_code=code).exists():  # pragma: no cover (31^12 codes)
        code = new_tracking_code()
    return code


@transaction.atomic
def request_submit(*, actor, org: OrgUnit, category: str, description: str, town: str, contact_name: str,
                   contact_phone: str, village: str = "", preferred_date: date | None = None, preferred_time: str = "",
                   channel: str = RequestChannel.PORTAL, ip: str | None = None, received_at=None) -> ServiceRequest:
    """点单: from the public portal (PUBLIC) or a clerk taking a phone call (channel phone/visit)."""
    if is_public(actor):
        if channel != RequestChannel.PORTAL:
            raise PermissionDenied("电话点单须由工作人员登记。")
    else:
        require_edit(actor, org, WHAT)
    data = _validate_request_input(org=org, category=category, description=description, town=town, village=village,
                                   contact_name=contact_name, contact_phone=contact_phone,
                                   preferred_date=preferred_date, preferred_time=preferred_time)
    moment = received_at or now()
    req = ServiceRequest(
        tracking_code=_unused_tracking_code(), org=org, channel=channel, category=category,
        preferred_date=preferred_date, contact_name_masked=mask_name(data["contact_name"]),
        contact_phone_masked=mask_phone(data["contact_phone"]),
        contact_phone_index=blind_index(data["contact_phone"], purpose=PHONE_PURPOSE), received_at=moment,
        submit_ip=ip, **data,
    )
    req.full_clean(exclude=PII_EXCLUDE)
    req.save()
    _event(req, action="submit", from_status="", actor=actor, note=RequestChannel(channel).label, at=moment)
    _audit_request(actor, req, "submit", {"channel": channel, "category": category, "org": org.code,
                                          "contact_name": req.contact_name_masked,
                                          "contact_phone": req.contact_phone_masked})
    _notify_staff(req, f"新的群众点单({req.get_category_display()}):{req.town}")
    return req


# --- the clerk's steps ---------------------------------------------------------------------------


def _check_assignee(actor, req: ServiceRequest, *, team, worker, action: str) -> None:
    if team is None and worker is None:
        raise ValidationError({"team": "请选择派单的服务队或劳模。"})
    if team is not None:
        if not team.is_active or team.is_deleted:
            raise ValidationError({"team": "该服务队已撤销。"})
        if not (is_system(actor) or org_in_scope(actor, team.org) or team.org.is_within(req.org)
                or req.org.is_within(team.org)):
            raise PermissionDenied("该服务队不在您的数据范围内。")
    if worker is not None and (worker.is_deleted or worker.employment_status == "deceased"):
        raise ValidationError({"worker": "该劳模不能接受派单。"})
    if action == "redispatch" and team == req.team and worker == req.worker:
        raise ValidationError({"team": "改派须选择不同的服务队或劳模。"})


def _notify_dispatch(req: ServiceRequest, previous: list) -> None:
    url = reverse("volunteering:me")
    now_assigned = _assignee_users(req)
    notify(recipients=now_assigned, text=f"新派单:{req.get_category_display()} · {req.town}"
                                         f",请在“我的服务”中接单", url=url)
    dropped = [u for u in previous if u not in now_assigned]
    if dropped:
        notify(recipients=dropped, text=f"点单 {req.tracking_code} 已改派他人", url=url)


@transaction.atomic
def request_dispatch(*, actor, request: ServiceRequest, team: ServiceTeam | None = None, worker=None,
                     promised_date: date | None = None, note: str = "", redispatch: bool = False) -> ServiceRequest:
    """派单 a pending request to a team and/or a named worker; `redispatch` (改派) moves an open assignment.

    The two are distinct on purpose: a clerk who saw a pending request and dispatches it is refused when
    another clerk dispatched it first (the state is re-read under the row lock), never silently re-dispatched.
    """
    req = _lock(request)
    require_edit(actor, req.org, WHAT)
    action = "redispatch" if redispatch else "dispatch"
    from_status = req.status
    target = _check_transition(req, action)
    _check_assignee(actor, req, team=team, worker=worker, action=action)
    day = today()
    promised = promised_date or req.preferred_date or day + timedelta(days=DEFAULT_PROMISE_DAYS)
    if promised < day:
        raise ValidationError({"promised_date": "承诺完成日期不能早于今天。"})
    previous = _assignee_users(req)
    req.status, req.team, req.worker, req.promised_date = target, team, worker, promised
    req.dispatch_note = (note or "").strip()[:300]
    req.dispatched_at, req.accepted_at, req.scheduled_at = now(), None, None
    req.full_clean(exclude=PII_EXCLUDE)
    req.save()
    _event(req, action=action, from_status=from_status, actor=actor,
           note=f"派给 {req.assignee_label};承诺 {promised:%Y-%m-%d} 前完成。{req.dispatch_note}")
    _audit_request(actor, req, action, {"status": [from_status, req.status], "team": team.name if team else "",
                                        "worker": worker.worker_no if worker else "",
                                        "promised_date": promised.isoformat()})
    _notify_dispatch(req, previous)
    return req


@transaction.atomic
def request_refuse(*, actor, request: ServiceRequest, reason: str) -> ServiceRequest:
    req = _lock(request)
    require_edit(actor, req.org, WHAT)
    from_status = req.status
    target = _check_transition(req, "refuse")
    req.refuse_reason = text(reason, "reason", "不予受理原因", 300)
    req.status, req.closed_at = target, now()
    req.save(update_fields=["status", "refuse_reason", "closed_at", "updated_at"])
    _event(req, action="refuse", from_status=from_status, actor=actor, note=req.refuse_reason)
    _audit_request(actor, req, "refuse", {"status": [from_status, req.status], "reason": req.refuse_reason})
    return req


@transaction.atomic
def request_cancel(*, actor, request: ServiceRequest, reason: str, by_requester: bool = False) -> ServiceRequest:
    """取消 by the receiving unit's staff, or by the requester on the portal (PUBLIC, `by_requester`) before a
    worker accepted it."""
    req = _lock(request)
    if by_requester and not (is_public(actor) or is_system(actor)):
        raise PermissionDenied("只有点单群众本人可以撤回点单。")
    if not by_requester:
        require_edit(actor, req.org, WHAT)
    from_status = req.status
    target = _check_transition(req, "cancel")
    if by_requester and from_status == S.ACCEPTED:
        raise ValidationError({"status": "劳模已接单,请致电所在工会取消。"})
    req.cancel_reason = text(reason, "reason", "取消原因", 300)
    assignees = _assignee_users(req)
    req.status, req.closed_at = target, now()
    req.save(update_fields=["status", "cancel_reason", "closed_at", "updated_at"])
    _event(req, action="cancel", from_status=from_status, actor=actor,
           note=("群众取消:" if by_requester else "") + req.cancel_reason)
    _audit_request(actor, req, "cancel", {"status": [from_status, req.status], "reason": req.cancel_reason,
                                          "by_requester": by_requester})
    if assignees:
        notify(recipients=assignees, text=f"点单 {req.tracking_code} 已取消", url=reverse("volunteering:me"))
    if by_requester:
        _notify_staff(req, f"群众取消了点单 {req.tracking_code}")
    return req


# --- the assignee's steps ------------------------------------------------------------------------


def may_serve(actor, req: ServiceRequest) -> bool:
    """The dispatched worker, the dispatched team's leader, or staff of the request's unit (for phone-ins)."""
    user = person(actor)
    if user is not None and req.worker_id and req.worker.user_id == user.pk:
        return True
    if req.team_id and leads_team(actor, req.team):
        return True
    return is_staff_for(actor, req.org)


def _require_server(actor, req: ServiceRequest) -> None:
    if not may_serve(actor, req):
        raise PermissionDenied("该点单未派给您或您所带领的服务队。")


@transaction.atomic
def request_accept(*, actor, request: ServiceRequest, scheduled_at=None) -> ServiceRequest:
    req = _lock(request)
    _require_server(actor, req)
    from_status = req.status
    target = _check_transition(req, "accept")
    req.status, req.accepted_at = target, now()
    if scheduled_at is not None:
        req.scheduled_at = scheduled_at
    req.save(update_fields=["status", "accepted_at", "scheduled_at", "updated_at"])
    _event(req, action="accept", from_status=from_status, actor=actor,
           note=f"约定 {timezone.localtime(scheduled_at):%Y-%m-%d %H:%M}" if scheduled_at else "")
    _audit_request(actor, req, "accept", {"status": [from_status, req.status]})
    _notify_staff(req, f"点单 {req.tracking_code} 已接单({req.assignee_label})")
    return req


@transaction.atomic
def request_decline(*, actor, request: ServiceRequest, reason: str) -> ServiceRequest:
    """退单 with a reason: back to the county queue for another dispatch."""
    req = _lock(request)
    _require_server(actor, req)
    from_status = req.status
    target = _check_transition(req, "decline")
    reason = text(reason, "reason", "退单原因", 300)
    who = req.assignee_label
    req.status, req.decline_reason = target, reason
    req.team, req.worker, req.dispatched_at, req.promised_date = None, None, None, None
    req.save(update_fields=["status", "decline_reason", "team", "worker", "dispatched_at", "promised_date",
                            "updated_at"])
    _event(req, action="decline", from_status=from_status, actor=actor, note=f"{who} 退单:{reason}")
    _audit_request(actor, req, "decline", {"status": [from_status, req.status], "reason": reason, "by": who})
    _notify_staff(req, f"点单 {req.tracking_code} 被退回,请重新派单:{reason}")
    return req


@transaction.atomic
def request_release(*, actor, request: ServiceRequest, reason: str) -> ServiceRequest:
    """Staff take an assigned request back to the queue for another dispatch (e.g. the 劳模 died), with a reason."""
    req = _lock(request)
    require_edit(actor, req.org, WHAT)
    from_status = req.status
    target = _check_transition(req, "release")
    reason = text(reason, "reason", "退回原因", 300)
    who = req.assignee_label
    req.status, req.decline_reason = target, reason
    req.team, req.worker, req.dispatched_at, req.accepted_at, req.scheduled_at, req.promised_date = (
        None, None, None, None, None, None)
    req.save(update_fields=["status", "decline_reason", "team", "worker", "dispatched_at", "accepted_at",
                            "scheduled_at", "promised_date", "updated_at"])
    _event(req, action="release", from_status=from_status, actor=actor, note=f"{who} 的派单退回待派:{reason}")
    _audit_request(actor, req, "release", {"status": [from_status, req.status], "reason": reason, "from": who})
    _notify_staff(req, f"点单 {req.tracking_code} 已退回待派,请重新派单:{reason}")
    return req


@transaction.atomic
def request_schedule(*, actor, request: ServiceRequest, scheduled_at) -> ServiceRequest:
    req = _lock(request)
    _require_server(actor, req)
    _check_transition(req, "schedule")
    if scheduled_at is None:
        raise ValidationError({"scheduled_at": "请填写约定服务时间。"})
    req.scheduled_at = scheduled_at
    req.save(update_fields=["scheduled_at", "updated_at"])
    _event(req, action="schedule", from_status=req.status, actor=actor,
           note=f"约定 {timezone.localtime(scheduled_at):%Y-%m-%d %H:%M}")
    _audit_request(actor, req, "schedule", {"scheduled_at": scheduled_at.isoformat()})
    return req


@transaction.atomic
def request_complete(*, actor, request: ServiceRequest, date: date, place_kind: str, place: str, content: str,
                     person_times: int, volunteers) -> ServiceRequest:
    """完成: log the service record (people served, volunteers and hours) and close the request."""
    req = _lock(request)
    _require_server(actor, req)
    from_status = req.status
    target = _check_transition(req, "complete")
    if date < timezone.localtime(req.received_at).date():
        raise ValidationError({"date": "服务日期不能早于点单日期。"})
    team_type = req.team.team_type if req.team_id else (req.category if req.category in TeamType.values
                                                         else TeamType.TECHNICAL)
    record = record_create(actor=actor, date=date, place_kind=place_kind, place=place, content=content,
                           person_times=person_times, volunteers=volunteers, team=req.team,
                           team_type=team_type, request=req, org=req.team.org if req.team_id else req.org)
    req.status, req.record, req.completed_at = target, record, now()
    req.save(update_fields=["status", "record", "completed_at", "updated_at"])
    _event(req, action="complete", from_status=from_status, actor=actor,
           note=f"服务 {record.person_times} 人次,志愿者 {record.volunteers.count()} 人")
    _audit_request(actor, req, "complete", {"status": [from_status, req.status], "record": record.pk})
    _notify_staff(req, f"点单 {req.tracking_code} 已完成服务")
    return req


# --- the requester's rating, and the clerk's look at the contact ---------------------------------


def _rating(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"rating": "请选择1到5星的评分。"})
    if not 1 <= value <= 5:
        raise ValidationError({"rating": "请选择1到5星的评分。"})
    return value


@transaction.atomic
def request_rate(*, actor, request: ServiceRequest, rating, comment: str = "") -> ServiceRequest:
    """评单: the requester (by tracking code, PUBLIC) or staff recording a rating given by phone."""
    req = _lock(request)
    if not is_public(actor):
        require_edit(actor, req.org, WHAT)
    from_status = req.status
    target = _check_transition(req, "rate")
    rating = _rating(rating)
    req.rating, req.rating_comment = rating, text(comment, "comment", "评价内容", 300, required=False)
    req.status, req.rated_at, req.closed_at = target, now(), now()
    req.save(update_fields=["status", "rating", "rating_comment", "rated_at", "closed_at", "updated_at"])
    _event(req, action="rate", from_status=from_status, actor=actor, note=f"{rating} 星")
    _audit_request(actor, req, "rate", {"status": [from_status, req.status], "rating": rating})
    notify(recipients=_assignee_users(req), text=f"群众对点单 {req.tracking_code} 的评价:{'★' * rating}",
           url=reverse("volunteering:me"))
    return req


def request_reveal(*, actor, request: ServiceRequest) -> dict:
    """The requester's full name and phone, for staff who may see PII; audited."""
    if not has_capability(actor, "reveal_pii"):
        raise PermissionDenied("您没有查看完整个人信息的权限。")
    ensure_org_in_scope(actor, request.org)
    audit.record(actor=actor, action="core.pii.reveal", obj=request, org=request.org,
                 object_repr=f"点单 {request.tracking_code}",
                 changes={"field": "contact", "masked": request.contact_phone_masked})
    return {"contact_name": request.contact_name, "contact_phone": request.contact_phone}
