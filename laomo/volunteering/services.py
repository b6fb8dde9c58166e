"""Writes of the volunteering module. Every function validates, checks the actor's scope, saves and
audits in one transaction. Requests move through the state machine of `TRANSITIONS` only."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from laomo.core import audit, clock
from laomo.core.idnumber import PhoneError, mask_phone, normalize_phone
from laomo.core.permissions import has_capability
from laomo.core.pii import blind_index
from laomo.core.scope import ensure_org_in_scope, org_in_scope
from laomo.core.services import counter_allocate, notify
from laomo.orgs.models import OrgUnit

from .models import (
    CATEGORY_CHOICES,
    Mobilization,
    MobilizationPost,
    PlaceKind,
    RequestChannel,
    RequestEvent,
    RequestStatus,
    RosterEntry,
    ServiceCertificate,
    ServiceHours,
    ServicePhoto,
    ServiceRecord,
    ServiceRequest,
    ServiceTeam,
    TeamMember,
    TeamType,
)

S = RequestStatus
# The request state machine: action → (states it may start from, state it leads to).
TRANSITIONS: dict[str, tuple[frozenset, str]] = {
    "dispatch": (frozenset({S.PENDING}), S.DISPATCHED),
    "redispatch": (frozenset({S.DISPATCHED, S.ACCEPTED}), S.DISPATCHED),
    "refuse": (frozenset({S.PENDING}), S.REFUSED),
    "cancel": (frozenset({S.PENDING, S.DISPATCHED, S.ACCEPTED}), S.CANCELLED),
    "accept": (frozenset({S.DISPATCHED}), S.ACCEPTED),
    "decline": (frozenset({S.DISPATCHED}), S.PENDING),
    "schedule": (frozenset({S.ACCEPTED}), S.ACCEPTED),
    "complete": (frozenset({S.ACCEPTED}), S.COMPLETED),
    "rate": (frozenset({S.COMPLETED}), S.RATED),
}
ACTION_LABELS = {
    "submit": "点单", "dispatch": "派单", "redispatch": "改派", "refuse": "不予受理", "cancel": "取消",
    "accept": "接单", "decline": "退单", "schedule": "约定时间", "complete": "完成服务", "rate": "评价",
}
REFUSALS = {
    "rate": "服务完成后才能评价;已评价的点单不能重复评价。",
    "accept": "只有已派单、尚未接单的点单可以接单。",
    "decline": "只有已派单、尚未接单的点单可以退单。",
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


def now():
    """The current time; demo data runs the services at past moments with `at(moment)` (core.clock)."""
    return clock.now()


def today() -> date:
    return timezone.localdate(now())


at = clock.at


def can_transition(status: str, action: str) -> bool:
    return status in TRANSITIONS[action][0]


def _check_transition(req: ServiceRequest, action: str) -> str:
    allowed, target = TRANSITIONS[action]
    if req.status not in allowed:
        label = RequestStatus(req.status).label
        raise ValidationError({"status": f"点单当前状态为“{label}”,不能{ACTION_LABELS[action]}。"
                                         f"{REFUSALS.get(action, '')}"})
    return target


# --- helpers ---------------------------------------------------------------------------------------


def mask_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def leads_team(actor, team: ServiceTeam | None) -> bool:
    """The actor leads the team or its parent team."""
    if actor is None or team is None or not has_capability(actor, "lead_team"):
        return False
    if team.leader_id == actor.pk:
        return True
    return bool(team.parent_id and ServiceTeam.objects.filter(pk=team.parent_id, leader_id=actor.pk).exists())


def _is_staff_for(actor, org: OrgUnit) -> bool:
    return has_capability(actor, "edit_business") and org_in_scope(actor, org)


def _require_staff(actor, org: OrgUnit, message: str = "您没有维护志愿服务数据的权限。") -> None:
    if actor is None:  # management commands and demo data run as the system
        return
    if not has_capability(actor, "edit_business"):
        raise PermissionDenied(message)
    ensure_org_in_scope(actor, org)


def _require_team_manager(actor, team: ServiceTeam) -> None:
    """County/city staff of the team's unit, or the team's leader."""
    if actor is None or leads_team(actor, team):
        return
    _require_staff(actor, team.org, "只有所在工会或本队队长可以管理该服务队。")


def _clean_phone(value: str, field: str = "phone", required: bool = False) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError({field: "请填写联系电话。"})
        return ""
    try:
        return normalize_phone(value)
    except PhoneError as exc:
        raise ValidationError({field: str(exc)}) from exc


def _text(value, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}。"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字(当前 {len(value)} 个)。"})
    return value


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"volunteers": f"时长“{value}”不是有效的小时数。"}) from exc
    if hours <= 0 or hours > 24:
        raise ValidationError({"volunteers": "每人每次志愿服务时长应大于0且不超过24小时。"})
    return hours


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


# --- teams -----------------------------------------------------------------------------------------

TEAM_FIELDS = ("name", "team_type", "base", "description", "founded_on", "leader")


def _team_snapshot(team: ServiceTeam) -> dict:
    return {"name": team.name, "team_type": team.team_type, "org": team.org.code,
            "parent": team.parent_id, "base": team.base, "leader": team.leader.username if team.leader_id else "",
            "founded_on": _iso(team.founded_on), "dissolved_on": _iso(team.dissolved_on),
            "is_active": team.is_active}


def _validate_team(team: ServiceTeam) -> None:
    if team.team_type not in TeamType.values:
        raise ValidationError({"team_type": "请选择服务类型。"})
    if team.parent_id:
        parent = team.parent
        if parent.parent_id:
            raise ValidationError({"parent": "服务队最多两级:上级服务队本身不能是分队。"})
        if not team.org.path.startswith(parent.org.path):
            raise ValidationError({"parent": "分队所属单位须在上级服务队的单位之内。"})
        if team.pk and parent.pk == team.pk:
            raise ValidationError({"parent": "服务队不能是自己的上级。"})
    if team.leader_id and not team.leader.has_role("team_leader"):
        raise ValidationError({"leader": "队长账号须具有“服务队队长”角色。"})
    if team.founded_on and team.founded_on > today():
        raise ValidationError({"founded_on": "成立日期不能晚于今天。"})
    clash = ServiceTeam.objects.filter(org=team.org, name=team.name, is_deleted=False).exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": f"{team.org.name}已有同名服务队“{team.name}”。"})


@transaction.atomic
def team_create(*, actor, org: OrgUnit, name: str, team_type: str, founded_on: date, parent: ServiceTeam | None = None,
                base: str = "", description: str = "", leader=None) -> ServiceTeam:
    _require_staff(actor, org)
    team = ServiceTeam(org=org, name=_text(name, "name", "队伍名称", 100), team_type=team_type, parent=parent,
                       base=(base or "").strip(), description=(description or "").strip(), leader=leader,
                       founded_on=founded_on)
    _validate_team(team)
    team.full_clean()
    team.save()
    audit.record(actor=actor, action="volunteering.team.create", obj=team, org=org, changes=_team_snapshot(team))
    if leader is not None:
        notify(recipients=[leader], text=f"您已被设为“{team.name}”队长", url=reverse("volunteering:team_detail",
                                                                                     args=[team.pk]))
    return team


@transaction.atomic
def team_update(*, actor, team: ServiceTeam, **changes) -> ServiceTeam:
    team = ServiceTeam.objects.select_for_update(of=("self",)).select_related("org", "leader").get(pk=team.pk)
    _require_staff(actor, team.org)
    before = _team_snapshot(team)
    if "org" in changes and changes["org"] != team.org:
        _require_staff(actor, changes["org"])
        team.org = changes["org"]
    changes.pop("org", None)
    if "parent" in changes:
        team.parent = changes.pop("parent")
    for key, value in changes.items():
        if key not in TEAM_FIELDS:
            raise TypeError(f"unknown team field {key}")
        setattr(team, key, value.strip() if isinstance(value, str) else value)
    _validate_team(team)
    team.full_clean()
    team.save()
    diff = audit.diff(before, _team_snapshot(team))
    if diff:
        audit.record(actor=actor, action="volunteering.team.update", obj=team, org=team.org, changes=diff)
    return team


@transaction.atomic
def team_dissolve(*, actor, team: ServiceTeam, dissolved_on: date, reason: str) -> ServiceTeam:
    """Teams are never deleted: a dissolved team keeps its records and counts until its dissolution date."""
    team = ServiceTeam.objects.select_for_update(of=("self",)).select_related("org").get(pk=team.pk)
    _require_staff(actor, team.org)
    reason = _text(reason, "reason", "撤销原因", 200)
    if dissolved_on < team.founded_on:
        raise ValidationError({"dissolved_on": "撤销日期不能早于成立日期。"})
    if team.children.filter(is_active=True, is_deleted=False).exists():
        raise ValidationError({"dissolved_on": "请先撤销其下属分队。"})
    if team.requests.filter(status__in=[S.DISPATCHED, S.ACCEPTED]).exists():
        raise ValidationError({"dissolved_on": "该队还有未办结的点单,请先改派。"})
    team.is_active, team.dissolved_on = False, dissolved_on
    team.save(update_fields=["is_active", "dissolved_on", "updated_at"])
    audit.record(actor=actor, action="volunteering.team.dissolve", obj=team, org=team.org,
                 changes={"dissolved_on": dissolved_on.isoformat(), "reason": reason})
    return team


@transaction.atomic
def member_add(*, actor, team: ServiceTeam, worker=None, name: str = "", phone: str = "", duty: str = "",
               joined_on: date | None = None) -> TeamMember:
    _require_team_manager(actor, team)
    if not team.is_active:
        raise ValidationError({"worker": "该服务队已撤销,不能再添加队员。"})
    if worker is not None:
        if actor is not None and not (org_in_scope(actor, worker.org) or leads_team(actor, team)):
            raise PermissionDenied("该劳模不在您的数据范围内。")
        if team.members.filter(worker=worker, is_active=True).exists():
            raise ValidationError({"worker": f"{worker.name} 已是本队队员。"})
        name = worker.name
    else:
        name = _text(name, "name", "队员姓名", 50)
        phone = _clean_phone(phone)
    member = TeamMember(team=team, worker=worker, name=name, phone=phone if worker is None else "",
                        phone_masked=mask_phone(phone) if worker is None else "",
                        duty=(duty or "").strip()[:50], joined_on=joined_on or today())
    member.full_clean()
    member.save()
    audit.record(actor=actor, action="volunteering.team.member_add", obj=team, org=team.org,
                 changes={"member": name, "worker_no": worker.worker_no if worker else "",
                          "phone": member.phone_masked})
    if worker is not None and worker.user_id:
        notify(recipients=[worker.user], text=f"您已加入志愿服务队“{team.name}”", url=reverse("volunteering:me"))
    return member


@transaction.atomic
def member_remove(*, actor, member: TeamMember, left_on: date | None = None, reason: str = "") -> TeamMember:
    member = TeamMember.objects.select_for_update(of=("self",)).select_related("team__org").get(pk=member.pk)
    _require_team_manager(actor, member.team)
    if not member.is_active:
        raise ValidationError({"member": "该队员已退出。"})
    member.is_active, member.left_on = False, left_on or today()
    member.save(update_fields=["is_active", "left_on", "updated_at"])
    audit.record(actor=actor, action="volunteering.team.member_remove", obj=member.team, org=member.team.org,
                 changes={"member": member.name, "reason": (reason or "").strip()[:200]})
    return member


# --- service records -------------------------------------------------------------------------------


def _record_snapshot(record: ServiceRecord, volunteers) -> dict:
    return {"date": _iso(record.date), "team": record.team_id, "mobilization": record.mobilization_id,
            "team_type": record.team_type, "place": record.place, "person_times": record.person_times,
            "volunteers": [f"{v.name}:{v.hours}" for v in volunteers]}


def _may_record(actor, *, team, mobilization, org, request: ServiceRequest | None) -> bool:
    if actor is None:
        return True
    if _is_staff_for(actor, org):
        return True
    if team is not None and leads_team(actor, team):
        return True
    if request is not None and request.worker_id and request.worker.user_id == actor.pk:
        return True
    return False


def _build_volunteers(volunteers, *, team) -> list[ServiceHours]:
    """`volunteers`: [{"worker": Worker} or {"member": TeamMember}, plus "hours"]."""
    rows: list[ServiceHours] = []
    seen: set = set()
    for item in volunteers or []:
        worker, member = item.get("worker"), item.get("member")
        if worker is None and member is None:
            continue
        if member is not None and member.worker_id:
            worker, member = member.worker, None
        key = ("w", worker.pk) if worker is not None else ("m", member.pk)
        if key in seen:
            raise ValidationError({"volunteers": f"{(worker or member).name} 重复登记。"})
        seen.add(key)
        if member is not None and team is not None and member.team_id not in (team.pk, team.parent_id):
            raise ValidationError({"volunteers": f"{member.name} 不是本队队员。"})
        rows.append(ServiceHours(worker=worker, member=member, name=(worker or member).name,
                                 hours=_hours(item.get("hours"))))
    if not rows:
        raise ValidationError({"volunteers": "请至少登记一名到场志愿者及其服务时长。"})
    return rows


def _validate_record_fields(*, record_date: date, place_kind: str, place: str, content: str, person_times) -> dict:
    if record_date is None:
        raise ValidationError({"date": "请填写服务日期。"})
    if record_date > today():
        raise ValidationError({"date": "服务日期不能晚于今天(记录须真实、及时)。"})
    if place_kind not in PlaceKind.values:
        raise ValidationError({"place_kind": "请选择场所类型。"})
    try:
        person_times = int(person_times)
    except (TypeError, ValueError):
        raise ValidationError({"person_times": "服务人次须为整数。"})
    if person_times < 0:
        raise ValidationError({"person_times": "服务人次不能为负数。"})
    if person_times > 100000:
        raise ValidationError({"person_times": "服务人次过大,请核对。"})
    return {"place": _text(place, "place", "服务地点", 200), "content": _text(content, "content", "服务内容", 2000),
            "person_times": person_times}


@transaction.atomic
def record_create(*, actor, date: date, place_kind: str, place: str, content: str, person_times: int,
                  volunteers, team: ServiceTeam | None = None, mobilization: Mobilization | None = None,
                  team_type: str = "", request: ServiceRequest | None = None, org: OrgUnit | None = None,
                  _locked_request: bool = False) -> ServiceRecord:
    """Log a service record with the volunteers present and their hours."""
    if team is None and mobilization is None and request is None:
        raise ValidationError({"team": "请选择服务队(或应急/专项行动)。"})
    if team is not None and not team.is_active and (team.dissolved_on is None or date > team.dissolved_on):
        raise ValidationError({"team": "该服务队已撤销。"})
    org = org or (team.org if team is not None else mobilization.org if mobilization is not None else request.org)
    if not _may_record(actor, team=team, mobilization=mobilization, org=org, request=request):
        raise PermissionDenied("您没有为该服务队登记服务记录的权限。")
    fields = _validate_record_fields(record_date=date, place_kind=place_kind, place=place, content=content,
                                     person_times=person_times)
    if mobilization is not None and (date < mobilization.start_date
                                     or (mobilization.end_date and date > mobilization.end_date)):
        raise ValidationError({"date": "服务日期须在行动期间内。"})
    team_type = team.team_type if team is not None else (
        mobilization.team_type if mobilization is not None else team_type)
    if team_type not in TeamType.values:
        raise ValidationError({"team_type": "请选择服务类型。"})
    rows = _build_volunteers(volunteers, team=team)
    record = ServiceRecord(org=org, team=team, mobilization=mobilization, team_type=team_type, date=date,
                           place_kind=place_kind, recorded_by=actor if actor is not None else None, **fields)
    record.full_clean()
    record.save()
    for row in rows:
        row.record = record
    ServiceHours.objects.bulk_create(rows)
    audit.record(actor=actor, action="volunteering.record.create", obj=record, org=org,
                 changes=_record_snapshot(record, rows))
    return record


@transaction.atomic
def record_update(*, actor, record: ServiceRecord, date: date, place_kind: str, place: str, content: str,
                  person_times: int, volunteers) -> ServiceRecord:
    record = (ServiceRecord.objects.select_for_update(of=("self",))
        .select_related("org", "team", "mobilization").get(pk=record.pk))
    if record.is_deleted:
        raise ValidationError({"date": "该记录已删除。"})
    if not _may_record(actor, team=record.team, mobilization=record.mobilization, org=record.org, request=None):
        raise PermissionDenied("您没有修改该服务记录的权限。")
    before = _record_snapshot(record, list(record.volunteers.all()))
    fields = _validate_record_fields(record_date=date, place_kind=place_kind, place=place, content=content,
                                     person_times=person_times)
    rows = _build_volunteers(volunteers, team=record.team)
    if record_certified(record):
        raise ValidationError({"date": "该记录已出具志愿服务记录证明,不能修改;如确需更正,请先作废证明。"})
    record.date, record.place_kind = date, place_kind
    for key, value in fields.items():
        setattr(record, key, value)
    record.full_clean()
    record.save()
    record.volunteers.all().delete()
    for row in rows:
        row.record = record
    ServiceHours.objects.bulk_create(rows)
    diff = audit.diff(before, _record_snapshot(record, rows))
    if diff:
        audit.record(actor=actor, action="volunteering.record.update", obj=record, org=record.org, changes=diff)
    return record


def record_certified(record: ServiceRecord) -> bool:
    """Is the record listed on a valid certificate? (Certificates are few per worker.)"""
    workers = record.volunteers.exclude(worker=None).values("worker")
    for lines in ServiceCertificate.objects.filter(is_void=False, worker__in=workers).values_list("lines", flat=True):
        if any(line.get("record") == record.pk for line in lines):
            return True
    return False


@transaction.atomic
def record_remove(*, actor, record: ServiceRecord, reason: str) -> ServiceRecord:
    """Soft delete with a reason; a record linked to a completed request stays."""
    record = ServiceRecord.objects.select_for_update(of=("self",)).select_related("org", "team").get(pk=record.pk)
    if not _may_record(actor, team=record.team, mobilization=record.mobilization, org=record.org, request=None):
        raise PermissionDenied("您没有删除该服务记录的权限。")
    reason = _text(reason, "reason", "删除原因", 200)
    if ServiceRequest.objects.filter(record=record).exists():
        raise ValidationError({"reason": "该记录是群众点单的完成记录,不能删除。"})
    if record_certified(record):
        raise ValidationError({"reason": "该记录已出具志愿服务记录证明,不能删除;如确需更正,请先作废证明。"})
    record.is_deleted, record.deleted_at = True, now()
    record.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    audit.record(actor=actor, action="volunteering.record.delete", obj=record, org=record.org,
                 changes={"reason": reason})
    return record


PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
THUMB_SIDE = 320


@transaction.atomic
def photo_add(*, actor, record: ServiceRecord, upload, caption: str = "") -> ServicePhoto:
    """Check type and size, re-encode as JPEG (drops EXIF and any payload), make a thumbnail."""
    import io
    import uuid

    from django.core.files.base import ContentFile
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not _may_record(actor, team=record.team, mobilization=record.mobilization, org=record.org, request=None):
        raise PermissionDenied("您没有为该服务记录上传照片的权限。")
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError({"image": f"照片不能超过 {PHOTO_MAX_BYTES // 1024 // 1024} MB。"})
    try:
        image = Image.open(upload)
        image.verify()
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ("JPEG", "PNG", "WEBP", "GIF"):
            raise ValidationError({"image": "只支持 JPG、PNG、WEBP、GIF 格式的照片。"})
        image = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError({"image": "无法识别的图片文件。"}) from exc
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    full = io.BytesIO()
    image.save(full, "JPEG", quality=85)
    image.thumbnail((THUMB_SIDE, THUMB_SIDE))
    thumb = io.BytesIO()
    image.save(thumb, "JPEG", quality=80)
    key = uuid.uuid4().hex
    photo = ServicePhoto(record=record, caption=(caption or "").strip()[:100])
    photo.image.save(f"{key}.jpg", ContentFile(full.getvalue()), save=False)
    photo.thumbnail.save(f"{key}.jpg", ContentFile(thumb.getvalue()), save=False)
    photo.save()
    audit.record(actor=actor, action="volunteering.record.photo_add", obj=record, org=record.org,
                 changes={"photo": photo.pk})
    return photo


# --- requests --------------------------------------------------------------------------------------


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def _event(req: ServiceRequest, *, action: str, from_status: str, actor, note: str = "", at=None) -> RequestEvent:
    label = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = (actor.full_name or actor.username)[:60]
    return RequestEvent.objects.create(request=req, action=action, from_status=from_status, to_status=req.status,
                                       actor=actor if label else None, actor_label=label or "群众",
                                       note=(note or "")[:300], created_at=at or now())


def _audit_request(actor, req: ServiceRequest, action: str, changes: dict) -> None:
    audit.record(actor=actor, action=f"volunteering.request.{action}", obj=req, org=req.org,
                 object_repr=f"点单 {req.tracking_code}", changes=changes)


def _staff_recipients(org: OrgUnit):
    from laomo.orgs.selectors import staff_responsible_for

    return staff_responsible_for(org)


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


def _validate_request_input(*, org, category, description, town, village, contact_name, contact_phone,
                            preferred_date, preferred_time) -> dict:
    if org is None or org.kind not in ("county", "city", "city_direct", "township"):
        raise ValidationError({"org": "请选择所在县(市、区)。"})
    if category not in dict(CATEGORY_CHOICES):
        raise ValidationError({"category": "请选择服务类别。"})
    data = {
        "description": _text(description, "description", "需求描述", DESCRIPTION_MAX),
        "town": _text(town, "town", "乡镇(街道)", 50),
        "village": _text(village, "village", "村(社区)", 50, required=False),
        "contact_name": _text(contact_name, "contact_name", "联系人姓名", 30),
        "contact_phone": _clean_phone(contact_phone, "contact_phone", required=True),
        "preferred_time": _text(preferred_time, "preferred_time", "期望时间说明", 50, required=False),
    }
    if len(data["description"]) < 5:
        raise ValidationError({"description": "请把需求描述得具体一些(至少5个字)。"})
    day = today()
    if preferred_date is not None and not (day <= preferred_date <= day + timedelta(days=180)):
        raise ValidationError({"preferred_date": "期望服务日期应在今天到半年之内。"})
    return data


@transaction.atomic
def request_submit(*, actor, org: OrgUnit, category: str, description: str, town: str, contact_name: str,
                   contact_phone: str, village: str = "", preferred_date: date | None = None, preferred_time: str = "",
                   channel: str = RequestChannel.PORTAL, ip: str | None = None, received_at=None) -> ServiceRequest:
    """点单: from the public portal (actor None) or a clerk taking a phone call (channel phone/visit)."""
    if actor is not None:
        _require_staff(actor, org)
    elif channel != RequestChannel.PORTAL:
        raise PermissionDenied("电话点单须由工作人员登记。")
    data = _validate_request_input(org=org, category=category, description=description, town=town, village=village,
                                   contact_name=contact_name, contact_phone=contact_phone,
                                   preferred_date=preferred_date, preferred_time=preferred_time)
    moment = received_at or now()
    code = new_tracking_code()
    while ServiceRequest.objects.filter(tracking_code=code).exists():  # pragma: no cover (31^12 codes)
        code = new_tracking_code()
    req = ServiceRequest(
        tracking_code=code, org=org, channel=channel, category=category, preferred_date=preferred_date,
        contact_name_masked=mask_name(data["contact_name"]), contact_phone_masked=mask_phone(data["contact_phone"]),
        contact_phone_index=blind_index(data["contact_phone"], purpose=PHONE_PURPOSE), received_at=moment,
        submit_ip=ip, **data,
    )
    req.full_clean(exclude=["tracking_code", "contact_name_masked", "contact_phone_masked", "contact_phone_index"])
    req.save()
    _event(req, action="submit", from_status="", actor=actor, note=RequestChannel(channel).label, at=moment)
    _audit_request(actor, req, "submit", {"channel": channel, "category": category, "org": org.code,
                                          "contact_name": req.contact_name_masked,
                                          "contact_phone": req.contact_phone_masked})
    notify(recipients=_staff_recipients(org), text=f"新的群众点单({req.get_category_display()}):{req.town}",
           url=reverse("volunteering:request_detail", args=[req.pk]))
    return req


def _lock(req: ServiceRequest) -> ServiceRequest:
    """Lock the request row and read its current state (two clerks cannot both act on a stale copy)."""
    return (ServiceRequest.objects.select_for_update(of=("self",))
            .select_related("org", "team", "team__parent", "worker", "worker__user", "team__leader",
                            "team__parent__leader")
            .get(pk=req.pk))


@transaction.atomic
def request_dispatch(*, actor, request: ServiceRequest, team: ServiceTeam | None = None, worker=None,
                     promised_date: date | None = None, note: str = "", redispatch: bool = False) -> ServiceRequest:
    """派单 a pending request to a team and/or a named worker; `redispatch` (改派) moves an open assignment.

    The two are distinct on purpose: a clerk who saw a pending request and dispatches it is refused when
    another clerk dispatched it first (the state is re-read under the row lock), never silently re-dispatched.
    """
    req = _lock(request)
    _require_staff(actor, req.org, "只有受理单位的工作人员可以派单。")
    action = "redispatch" if redispatch else "dispatch"
    from_status = req.status
    target = _check_transition(req, action)
    if team is None and worker is None:
        raise ValidationError({"team": "请选择派单的服务队或劳模。"})
    if team is not None:
        if not team.is_active or team.is_deleted:
            raise ValidationError({"team": "该服务队已撤销。"})
        if actor is not None and not org_in_scope(actor, team.org) and not team.org.path.startswith(
                req.org.path) and not req.org.path.startswith(team.org.path):
            raise PermissionDenied("该服务队不在您的数据范围内。")
    if worker is not None and (worker.is_deleted or worker.employment_status == "deceased"):
        raise ValidationError({"worker": "该劳模不能接受派单。"})
    if action == "redispatch" and team == req.team and worker == req.worker:
        raise ValidationError({"team": "改派须选择不同的服务队或劳模。"})
    day = today()
    promised = promised_date or req.preferred_date or day + timedelta(days=DEFAULT_PROMISE_DAYS)
    if promised < day:
        raise ValidationError({"promised_date": "承诺完成日期不能早于今天。"})
    previous = _assignee_users(req)
    req.status, req.team, req.worker = target, team, worker
    req.promised_date = promised
    req.dispatch_note = (note or "").strip()[:300]
    req.dispatched_at = now()
    req.accepted_at, req.scheduled_at = None, None
    req.full_clean(exclude=["tracking_code", "contact_name_masked", "contact_phone_masked", "contact_phone_index"])
    req.save()
    _event(req, action=action, from_status=from_status, actor=actor,
           note=f"派给 {req.assignee_label};承诺 {promised:%Y-%m-%d} 前完成。{req.dispatch_note}")
    _audit_request(actor, req, action, {"status": [from_status, req.status], "team": team.name if team else "",
                                        "worker": worker.worker_no if worker else "",
                                        "promised_date": promised.isoformat()})
    url = reverse("volunteering:me")
    notify(recipients=_assignee_users(req), text=f"新派单:{req.get_category_display()} · {req.town}"
                                                 f",请在“我的服务”中接单", url=url)
    dropped = [u for u in previous if u not in _assignee_users(req)]
    if dropped:
        notify(recipients=dropped, text=f"点单 {req.tracking_code} 已改派他人", url=url)
    return req


@transaction.atomic
def request_refuse(*, actor, request: ServiceRequest, reason: str) -> ServiceRequest:
    req = _lock(request)
    _require_staff(actor, req.org, "只有受理单位的工作人员可以审核点单。")
    from_status = req.status
    target = _check_transition(req, "refuse")
    req.refuse_reason = _text(reason, "reason", "不予受理原因", 300)
    req.status, req.closed_at = target, now()
    req.save(update_fields=["status", "refuse_reason", "closed_at", "updated_at"])
    _event(req, action="refuse", from_status=from_status, actor=actor, note=req.refuse_reason)
    _audit_request(actor, req, "refuse", {"status": [from_status, req.status], "reason": req.refuse_reason})
    return req


@transaction.atomic
def request_cancel(*, actor, request: ServiceRequest, reason: str, by_requester: bool = False) -> ServiceRequest:
    req = _lock(request)
    if not by_requester:
        _require_staff(actor, req.org, "只有受理单位的工作人员可以取消点单。")
    from_status = req.status
    target = _check_transition(req, "cancel")
    if by_requester and from_status == S.ACCEPTED:
        raise ValidationError({"status": "劳模已接单,请致电所在工会取消。"})
    req.cancel_reason = _text(reason, "reason", "取消原因", 300)
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
        notify(recipients=_staff_recipients(req.org), text=f"群众取消了点单 {req.tracking_code}",
               url=reverse("volunteering:request_detail", args=[req.pk]))
    return req


def may_serve(actor, req: ServiceRequest) -> bool:
    """The dispatched worker, the dispatched team's leader, or staff of the request's unit (for phone-ins)."""
    if actor is None:
        return True
    if req.worker_id and req.worker.user_id and req.worker.user_id == actor.pk:
        return True
    if req.team_id and leads_team(actor, req.team):
        return True
    return _is_staff_for(actor, req.org)


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
    notify(recipients=_staff_recipients(req.org), text=f"点单 {req.tracking_code} 已接单({req.assignee_label})",
           url=reverse("volunteering:request_detail", args=[req.pk]))
    return req


@transaction.atomic
def request_decline(*, actor, request: ServiceRequest, reason: str) -> ServiceRequest:
    """退单 with a reason: back to the county queue for another dispatch."""
    req = _lock(request)
    _require_server(actor, req)
    from_status = req.status
    target = _check_transition(req, "decline")
    reason = _text(reason, "reason", "退单原因", 300)
    who = req.assignee_label
    req.status, req.decline_reason = target, reason
    req.team, req.worker, req.dispatched_at, req.promised_date = None, None, None, None
    req.save(update_fields=["status", "decline_reason", "team", "worker", "dispatched_at", "promised_date",
                            "updated_at"])
    _event(req, action="decline", from_status=from_status, actor=actor, note=f"{who} 退单:{reason}")
    _audit_request(actor, req, "decline", {"status": [from_status, req.status], "reason": reason, "by": who})
    notify(recipients=_staff_recipients(req.org), text=f"点单 {req.tracking_code} 被退回,请重新派单:{reason}",
           url=reverse("volunteering:request_detail", args=[req.pk]))
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
    notify(recipients=_staff_recipients(req.org), text=f"点单 {req.tracking_code} 已完成服务",
           url=reverse("volunteering:request_detail", args=[req.pk]))
    return req


@transaction.atomic
def request_rate(*, actor, request: ServiceRequest, rating, comment: str = "") -> ServiceRequest:
    """评单: the requester (by tracking code, actor None) or staff recording a rating given by phone."""
    req = _lock(request)
    if actor is not None:
        _require_staff(actor, req.org, "只有受理单位的工作人员可以代为登记评价。")
    from_status = req.status
    target = _check_transition(req, "rate")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise ValidationError({"rating": "请选择1到5星的评分。"})
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": "请选择1到5星的评分。"})
    req.rating, req.rating_comment = rating, _text(comment, "comment", "评价内容", 300, required=False)
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


# --- mobilizations ---------------------------------------------------------------------------------

MOBILIZATION_FIELDS = ("name", "kind", "team_type", "start_date", "end_date", "area", "description")


def _validate_mobilization(m: Mobilization) -> None:
    if m.end_date and m.end_date < m.start_date:
        raise ValidationError({"end_date": "结束日期不能早于开始日期。"})
    if m.start_date > today() + timedelta(days=30):
        raise ValidationError({"start_date": "开始日期过远,请核对。"})


@transaction.atomic
def mobilization_create(*, actor, org: OrgUnit, name: str, kind: str, team_type: str, start_date: date, area: str,
                        end_date: date | None = None, description: str = "", posts=()) -> Mobilization:
    _require_staff(actor, org)
    m = Mobilization(org=org, name=_text(name, "name", "行动名称", 100), kind=kind, team_type=team_type,
                     start_date=start_date, end_date=end_date, area=_text(area, "area", "区域", 200),
                     description=(description or "").strip())
    _validate_mobilization(m)
    m.full_clean()
    m.save()
    for post in posts:
        MobilizationPost.objects.create(mobilization=m, name=post[:100])
    audit.record(actor=actor, action="volunteering.mobilization.create", obj=m, org=org,
                 changes={"name": m.name, "kind": kind, "start_date": start_date.isoformat(), "area": m.area})
    return m


@transaction.atomic
def mobilization_update(*, actor, mobilization: Mobilization, **changes) -> Mobilization:
    m = Mobilization.objects.select_for_update(of=("self",)).select_related("org").get(pk=mobilization.pk)
    _require_staff(actor, m.org)
    before = {f: _iso(getattr(m, f)) for f in MOBILIZATION_FIELDS}
    for key, value in changes.items():
        if key not in MOBILIZATION_FIELDS:
            raise TypeError(f"unknown mobilization field {key}")
        setattr(m, key, value.strip() if isinstance(value, str) else value)
    _validate_mobilization(m)
    if m.records.filter(is_deleted=False).exclude(date__gte=m.start_date).exists() or (
            m.end_date and m.records.filter(is_deleted=False, date__gt=m.end_date).exists()):
        raise ValidationError({"end_date": "已有服务记录的日期不在新的行动期间内。"})
    m.full_clean()
    m.save()
    diff = audit.diff(before, {f: _iso(getattr(m, f)) for f in MOBILIZATION_FIELDS})
    if diff:
        audit.record(actor=actor, action="volunteering.mobilization.update", obj=m, org=m.org, changes=diff)
    return m


@transaction.atomic
def post_add(*, actor, mobilization: Mobilization, name: str, place: str = "", note: str = "") -> MobilizationPost:
    _require_staff(actor, mobilization.org)
    name = _text(name, "name", "点位/任务名称", 100)
    if mobilization.posts.filter(name=name).exists():
        raise ValidationError({"name": "已有同名点位/任务。"})
    post = MobilizationPost.objects.create(mobilization=mobilization, name=name, place=(place or "").strip()[:200],
                                           note=(note or "").strip()[:300])
    audit.record(actor=actor, action="volunteering.mobilization.post_add", obj=mobilization, org=mobilization.org,
                 changes={"post": name})
    return post


@transaction.atomic
def roster_add(*, actor, mobilization: Mobilization, worker, duty_from: date, duty_to: date,
               post: MobilizationPost | None = None, role: str = "") -> RosterEntry:
    _require_staff(actor, mobilization.org)
    if actor is not None:
        ensure_org_in_scope(actor, worker.org)
    if post is not None and post.mobilization_id != mobilization.pk:
        raise ValidationError({"post": "点位不属于本行动。"})
    if duty_to < duty_from:
        raise ValidationError({"duty_to": "值守结束日期不能早于开始日期。"})
    if duty_from < mobilization.start_date or (mobilization.end_date and duty_to > mobilization.end_date):
        raise ValidationError({"duty_from": "值守日期须在行动期间内。"})
    if RosterEntry.objects.filter(mobilization=mobilization, worker=worker, post=post, is_active=True).exists():
        raise ValidationError({"worker": f"{worker.name} 已在该点位的值守名单中。"})
    entry = RosterEntry.objects.create(mobilization=mobilization, worker=worker, post=post, duty_from=duty_from,
                                       duty_to=duty_to, role=(role or "").strip()[:50])
    audit.record(actor=actor, action="volunteering.mobilization.roster_add", obj=mobilization, org=mobilization.org,
                 changes={"worker_no": worker.worker_no, "post": post.name if post else "",
                          "duty": f"{duty_from}~{duty_to}"})
    if worker.user_id:
        notify(recipients=[worker.user], text=f"您已列入“{mobilization.name}”值守名单({duty_from:%m-%d}起)",
               url=reverse("volunteering:me"))
    return entry


@transaction.atomic
def roster_remove(*, actor, entry: RosterEntry, reason: str) -> RosterEntry:
    entry = (RosterEntry.objects.select_for_update(of=("self",))
        .select_related("mobilization__org", "worker").get(pk=entry.pk))
    _require_staff(actor, entry.mobilization.org)
    reason = _text(reason, "reason", "移出原因", 200)
    entry.is_active = False
    entry.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=actor, action="volunteering.mobilization.roster_remove", obj=entry.mobilization,
                 org=entry.mobilization.org, changes={"worker_no": entry.worker.worker_no, "reason": reason})
    return entry


# --- certificates ----------------------------------------------------------------------------------


def certificate_lines(*, worker, org: OrgUnit, period_from: date, period_to: date) -> list[dict]:
    """The worker's records kept by `org` and the units below it in the period (谁记录谁证明)."""
    rows = (ServiceHours.objects.filter(worker=worker, record__is_deleted=False,
                                        record__org__path__startswith=org.path,
                                        record__date__gte=period_from, record__date__lte=period_to)
            .select_related("record", "record__team", "record__mobilization", "record__org")
            .order_by("record__date", "record_id"))
    return [{"record": h.record_id, "date": h.record.date.isoformat(),
             "unit": (h.record.team.name if h.record.team_id else
                      h.record.mobilization.name if h.record.mobilization_id else h.record.org.name),
             "team_type": h.record.get_team_type_display(), "place": h.record.place,
             "content": h.record.content[:100], "hours": str(h.hours)} for h in rows]


@transaction.atomic
def certificate_issue(*, actor, worker, org: OrgUnit, period_from: date, period_to: date) -> ServiceCertificate:
    _require_staff(actor, org, "只有记录单位的工作人员可以出具志愿服务记录证明。")
    if period_to < period_from:
        raise ValidationError({"period_to": "截止日期不能早于起始日期。"})
    day = today()
    if period_to > day:
        raise ValidationError({"period_to": "截止日期不能晚于今天。"})
    lines = certificate_lines(worker=worker, org=org, period_from=period_from, period_to=period_to)
    if not lines:
        raise ValidationError({"worker": f"{worker.name} 在该期间没有由{org.name}记录的志愿服务,不能出具证明。"})
    total = sum((Decimal(line["hours"]) for line in lines), Decimal("0.00"))
    year = day.year
    number = f"{org.code}-{year}-{counter_allocate(f'volunteer_cert_{org.code}_{year}')[0]:05d}"
    cert = ServiceCertificate(number=number, worker=worker, org=org, period_from=period_from, period_to=period_to,
                              total_hours=total, record_count=len(lines), lines=lines, issued_on=day,
                              issued_by=actor)
    cert.full_clean(exclude=["number"])
    cert.save()
    audit.record(actor=actor, action="volunteering.certificate.issue", obj=cert, org=org,
                 changes={"worker_no": worker.worker_no, "period": f"{period_from}~{period_to}",
                          "hours": str(total), "records": len(lines)})
    return cert


@transaction.atomic
def certificate_void(*, actor, certificate: ServiceCertificate, reason: str) -> ServiceCertificate:
    cert = ServiceCertificate.objects.select_for_update(of=("self",)).select_related("org").get(pk=certificate.pk)
    _require_staff(actor, cert.org)
    if cert.is_void:
        raise ValidationError({"reason": "该证明已作废。"})
    cert.is_void, cert.void_reason = True, _text(reason, "reason", "作废原因", 200)
    cert.save(update_fields=["is_void", "void_reason", "updated_at"])
    audit.record(actor=actor, action="volunteering.certificate.void", obj=cert, org=cert.org,
                 changes={"reason": cert.void_reason})
    return cert


def worker_hours_total(*, worker, year: int) -> Decimal:
    total = ServiceHours.objects.filter(worker=worker, record__is_deleted=False, record__date__year=year).aggregate(
        s=Sum("hours"))["s"]
    return (total or Decimal("0")).quantize(Decimal("0.01"))
