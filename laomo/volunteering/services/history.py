"""Requests recorded by staff after the fact (补录), with their historical dates: a migration or a paper ledger
brings requests received, dispatched, completed and rated long ago. The dates are checked in order and
against the clock, stored as given, marked on the request's timeline as recorded by staff and audited as
`volunteering.request.record_historical`; nobody is notified (it all happened already)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from laomo.core import audit
from laomo.core.actors import is_system, person
from laomo.core.idnumber import mask_phone
from laomo.core.permissions import require_edit
from laomo.core.pii import blind_index
from laomo.core.scope import org_in_scope
from laomo.core.updates import plain
from laomo.core.years import MIN_YEAR
from laomo.orgs.models import OrgUnit

from ..models import RequestChannel, RequestStatus, ServiceRequest, ServiceTeam, TeamType
from .common import WHAT, mask_name, text
from .records import record_create
from .requests import (
    DEFAULT_PROMISE_DAYS,
    PHONE_PURPOSE,
    PII_EXCLUDE,
    _event,
    _rating,
    _unused_tracking_code,
    _validate_request_input,
)

STAFF_NOTE = "工作人员补录(历史数据)"
# The steps of a request, in the order they happen: (field, label, the step it needs before it).
STEPS = (
    ("received_at", "受理时间", None),
    ("dispatched_at", "派单时间", "received_at"),
    ("accepted_at", "接单时间", "dispatched_at"),
    ("completed_at", "完成时间", "dispatched_at"),
    ("rated_at", "评价时间", "completed_at"),
)
LABELS = {field: label for field, label, _ in STEPS}


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)  # a time without offset is Beijing time, as on the pages
    return moment


def check_steps(moments: dict) -> dict:
    """The steps' times made aware and checked: none in the future or before 1949, each after the one before,
    none without the step it needs. Returns {field: aware datetime or None}."""
    times = {field: _aware(moments.get(field)) for field, _, _ in STEPS}
    if times["received_at"] is None:
        raise ValidationError({"received_at": "请填写受理时间。"})
    now, errors, last = timezone.now(), {}, None
    for field, label, needs in STEPS:
        moment = times[field]
        if moment is None:
            continue
        if moment > now:
            errors[field] = f"{label}不能晚于当前时间。"
        elif moment.year < MIN_YEAR:
            errors[field] = f"{label}不能早于{MIN_YEAR}年。"
        elif needs and times[needs] is None:
            errors[field] = f"填写{label}须先填写{LABELS[needs]}。"
        elif last is not None and moment < times[last]:
            errors[field] = f"{label}不能早于{LABELS[last]}。"
        if field not in errors:
            last = field
    if errors:
        raise ValidationError(errors)
    return times


def _status(times: dict) -> str:
    for field, status in (("rated_at", RequestStatus.RATED), ("completed_at", RequestStatus.COMPLETED),
                          ("accepted_at", RequestStatus.ACCEPTED), ("dispatched_at", RequestStatus.DISPATCHED)):
        if times[field] is not None:
            return status
    return RequestStatus.PENDING


def _check_assignee(actor, org: OrgUnit, *, team: ServiceTeam | None, worker, dispatched: datetime | None) -> None:
    """A team or worker that could take the request on the day it was dispatched (a team dissolved or a worker
    deceased since is fine: the service was before)."""
    if dispatched is None:
        if team is not None or worker is not None:
            raise ValidationError({"dispatched_at": "指定了服务队或劳模时须填写派单时间。"})
        return
    if team is None and worker is None:
        raise ValidationError({"team": "已派单的点单须指定服务队或劳模。"})
    day = timezone.localtime(dispatched).date()
    if team is not None:
        if team.is_deleted or (team.dissolved_on is not None and team.dissolved_on < day):
            raise ValidationError({"team": "派单时该服务队已撤销。"})
        nearby = team.org.is_within(org) or org.is_within(team.org)
        if not (is_system(actor) or org_in_scope(actor, team.org) or nearby):
            raise PermissionDenied("该服务队不在您的数据范围内。")
    if worker is not None:
        died = worker.employment_status == "deceased" and worker.status_date is not None and worker.status_date < day
        if worker.is_deleted or died:
            raise ValidationError({"worker": "派单时该劳模不能接受派单。"})


def _check_service(service: dict | None, times: dict) -> None:
    if times["completed_at"] is None:
        if service:
            raise ValidationError({"completed_at": "登记服务情况须填写完成时间。"})
        return
    if not service:
        raise ValidationError({"service": "已完成的点单须登记服务情况(日期、地点、内容、人次、志愿者)。"})
    served = service.get("date")
    if not isinstance(served, date):
        raise ValidationError({"service": "请填写服务日期。"})
    if served < timezone.localtime(times["received_at"]).date():
        raise ValidationError({"service": "服务日期不能早于受理日期。"})
    if served > timezone.localtime(times["completed_at"]).date():
        raise ValidationError({"service": "服务日期不能晚于完成日期。"})


def _new_request(*, org, channel, data: dict, preferred_date, times: dict, team, worker, promised_date,
                 rating, rating_comment: str) -> ServiceRequest:
    status = _status(times)
    if times["dispatched_at"] is not None and promised_date is None:
        promised_date = timezone.localtime(times["dispatched_at"]).date() + timedelta(days=DEFAULT_PROMISE_DAYS)
    return ServiceRequest(
        tracking_code=_unused_tracking_code(), org=org, channel=channel, preferred_date=preferred_date,
        contact_name_masked=mask_name(data["contact_name"]), contact_phone_masked=mask_phone(data["contact_phone"]),
        contact_phone_index=blind_index(data["contact_phone"], purpose=PHONE_PURPOSE), status=status, team=team,
        worker=worker, promised_date=promised_date, rating=rating, rating_comment=rating_comment,
        closed_at=times["rated_at"], **times, **data)


def _timeline(req: ServiceRequest, actor, times: dict) -> None:
    """The steps on the request's timeline at their historical times, each marked as recorded by staff."""
    path = [("submit", "", RequestStatus.PENDING, "received_at"),
            ("dispatch", RequestStatus.PENDING, RequestStatus.DISPATCHED, "dispatched_at"),
            ("accept", RequestStatus.DISPATCHED, RequestStatus.ACCEPTED, "accepted_at"),
            ("complete", RequestStatus.ACCEPTED, RequestStatus.COMPLETED, "completed_at"),
            ("rate", RequestStatus.COMPLETED, RequestStatus.RATED, "rated_at")]
    final, previous = req.status, ""
    for action, _, to_status, field in path:
        if times[field] is None:
            continue
        req.status = to_status
        _event(req, action=action, from_status=previous, actor=actor, note=STAFF_NOTE, at=times[field])
        previous = to_status
    req.status = final


@transaction.atomic
def request_record_historical(*, actor, org: OrgUnit, category: str, description: str, town: str,
                              contact_name: str, contact_phone: str, received_at: datetime, village: str = "",
                              channel: str = RequestChannel.PHONE, preferred_date: date | None = None,
                              preferred_time: str = "", team: ServiceTeam | None = None, worker=None,
                              dispatched_at: datetime | None = None, promised_date: date | None = None,
                              accepted_at: datetime | None = None, completed_at: datetime | None = None,
                              service: dict | None = None, rated_at: datetime | None = None, rating=None,
                              rating_comment: str = "") -> ServiceRequest:
    """A request that went through its loop before it was entered here, recorded by staff of its unit with
    the dates it really had. `service` (date, place_kind, place, content, person_times, volunteers) is the
    service record of a completed request, logged as `record_create` logs it."""
    if person(actor) is None and not is_system(actor):
        raise PermissionDenied("历史点单须由工作人员补录。")
    require_edit(actor, org, WHAT)
    if channel not in RequestChannel.values:
        raise ValidationError({"channel": "点单来源应为 portal(网上)、phone(电话)或 visit(现场)。"})
    times = check_steps({"received_at": received_at, "dispatched_at": dispatched_at, "accepted_at": accepted_at,
                         "completed_at": completed_at, "rated_at": rated_at})
    data = _validate_request_input(org=org, category=category, description=description, town=town, village=village,
                                   contact_name=contact_name, contact_phone=contact_phone, preferred_date=None,
                                   preferred_time=preferred_time)
    data["category"] = category
    _check_assignee(actor, org, team=team, worker=worker, dispatched=times["dispatched_at"])
    _check_service(service, times)
    if (rating is None) != (times["rated_at"] is None):
        raise ValidationError({"rating": "评分与评价时间须同时填写。"})
    rating = _rating(rating) if rating is not None else None
    comment = text(rating_comment, "rating_comment", "评价内容", 300, required=False)
    req = _new_request(org=org, channel=channel, data=data, preferred_date=preferred_date, times=times, team=team,
                       worker=worker, promised_date=promised_date, rating=rating, rating_comment=comment)
    if times["completed_at"] is not None:
        team_type = team.team_type if team is not None else (category if category in TeamType.values
                                                             else TeamType.TECHNICAL)
        req.record = record_create(actor=actor, team=team, team_type=team_type, request=req,
                                   org=team.org if team is not None else org, **service)
    req.full_clean(exclude=PII_EXCLUDE)
    req.save()
    _timeline(req, actor, times)
    audit.record(actor=actor, action="volunteering.request.record_historical", obj=req, org=org,
                 object_repr=f"点单 {req.tracking_code}", changes={
                     "note": STAFF_NOTE, "status": req.status, "channel": channel, "category": category,
                     "org": org.code, "contact_name": req.contact_name_masked,
                     "contact_phone": req.contact_phone_masked, "team": team.name if team else "",
                     "worker": worker.worker_no if worker else "", "record": req.record_id, "rating": rating,
                     **{field: plain(moment) for field, moment in times.items() if moment is not None}})
    return req
