"""Service records with the volunteers present and their hours, their photos, and the certificates of
service (志愿服务记录证明) issued from them."""

from __future__ import annotations

import io
import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from PIL import Image, ImageOps, UnidentifiedImageError

from laomo.core import audit
from laomo.core.actors import person
from laomo.core.permissions import require_edit
from laomo.core.services import counter_allocate
from laomo.core.updates import lock, plain
from laomo.orgs.models import OrgUnit

from ..models import (
    Mobilization,
    PlaceKind,
    ServiceCertificate,
    ServiceHours,
    ServicePhoto,
    ServiceRecord,
    ServiceRequest,
    ServiceTeam,
    TeamType,
)
from .common import WHAT, is_staff_for, leads_team, now, parse_hours, text, today

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
THUMB_SIDE = 320


def _record_snapshot(record: ServiceRecord, volunteers) -> dict:
    return {"date": plain(record.date), "team": record.team_id, "mobilization": record.mobilization_id,
            "team_type": record.team_type, "place": record.place, "person_times": record.person_times,
            "volunteers": [f"{v.name}:{v.hours}" for v in volunteers]}


def may_record(actor, *, team, org, request: ServiceRequest | None = None) -> bool:
    """Staff of the unit, the team's leader, or the worker a request was dispatched to."""
    if is_staff_for(actor, org) or (team is not None and leads_team(actor, team)):
        return True
    return bool(request is not None and request.worker_id and person(actor) is not None
                and request.worker.user_id == actor.pk)


def _require_recorder(actor, record: ServiceRecord, message: str) -> None:
    if not may_record(actor, team=record.team, org=record.org):
        raise PermissionDenied(message)


def _build_volunteers(volunteers, *, team, day: date | None = None) -> list[ServiceHours]:
    """`volunteers`: [{"worker": Worker} or {"member": TeamMember}, plus "hours"]; none deceased before `day`."""
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
        if worker is not None and day is not None and worker.is_deceased and worker.status_date \
                and worker.status_date < day:
            raise ValidationError({"volunteers": f"{worker.name} 已于 {worker.status_date:%Y-%m-%d} 去世,"
                                                 "不能登记为该日期的志愿者。"})
        if member is not None and team is not None and member.team_id not in (team.pk, team.parent_id):
            raise ValidationError({"volunteers": f"{member.name} 不是本队队员。"})
        rows.append(ServiceHours(worker=worker, member=member, name=(worker or member).name,
                                 hours=parse_hours(item.get("hours"))))
    if not rows:
        raise ValidationError({"volunteers": "请至少登记一名到场志愿者及其服务时长。"})
    return rows


def _person_times(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"person_times": "服务人次须为整数。"})
    if value < 0:
        raise ValidationError({"person_times": "服务人次不能为负数。"})
    if value > 100000:
        raise ValidationError({"person_times": "服务人次过大,请核对。"})
    return value


def _validate_record_fields(*, record_date: date, place_kind: str, place: str, content: str, person_times) -> dict:
    if record_date is None:
        raise ValidationError({"date": "请填写服务日期。"})
    if record_date > today():
        raise ValidationError({"date": "服务日期不能晚于今天(记录须真实、及时)。"})
    if place_kind not in PlaceKind.values:
        raise ValidationError({"place_kind": "请选择场所类型。"})
    return {"person_times": _person_times(person_times), "place": text(place, "place", "服务地点", 200),
            "content": text(content, "content", "服务内容", 2000)}


def _record_org(*, date, team, mobilization, request, org) -> OrgUnit:
    """The unit a new record is kept by, after the rules of what it records (a team, a mobilization, a request)."""
    if team is None and mobilization is None and request is None:
        raise ValidationError({"team": "请选择服务队(或应急/专项行动)。"})
    if team is not None and not team.is_active and (team.dissolved_on is None or date > team.dissolved_on):
        raise ValidationError({"team": "该服务队已撤销。"})
    return org or (team.org if team is not None else mobilization.org if mobilization is not None else request.org)


def _record_type(*, date, team, mobilization, team_type) -> str:
    if mobilization is not None and (date < mobilization.start_date
                                     or (mobilization.end_date and date > mobilization.end_date)):
        raise ValidationError({"date": "服务日期须在行动期间内。"})
    team_type = team.team_type if team is not None else (
        mobilization.team_type if mobilization is not None else team_type)
    if team_type not in TeamType.values:
        raise ValidationError({"team_type": "请选择服务类型。"})
    return team_type


def _save_hours(record: ServiceRecord, rows: list[ServiceHours]) -> None:
    for row in rows:
        row.record = record
    ServiceHours.objects.bulk_create(rows)


@transaction.atomic
def record_create(*, actor, date: date, place_kind: str, place: str, content: str, person_times: int,
                  volunteers, team: ServiceTeam | None = None, mobilization: Mobilization | None = None,
                  team_type: str = "", request: ServiceRequest | None = None,
                  org: OrgUnit | None = None) -> ServiceRecord:
    """Log a service record with the volunteers present and their hours."""
    org = _record_org(date=date, team=team, mobilization=mobilization, request=request, org=org)
    if not may_record(actor, team=team, org=org, request=request):
        raise PermissionDenied("您没有为该服务队登记服务记录的权限。")
    fields = _validate_record_fields(record_date=date, place_kind=place_kind, place=place, content=content,
                                     person_times=person_times)
    team_type = _record_type(date=date, team=team, mobilization=mobilization, team_type=team_type)
    rows = _build_volunteers(volunteers, team=team, day=date)
    record = ServiceRecord(org=org, team=team, mobilization=mobilization, team_type=team_type, date=date,
                           place_kind=place_kind, recorded_by=person(actor), **fields)
    record.full_clean()
    record.save()
    _save_hours(record, rows)
    audit.record(actor=actor, action="volunteering.record.create", obj=record, org=org,
                 changes=_record_snapshot(record, rows))
    return record


@transaction.atomic
def record_update(*, actor, record: ServiceRecord, date: date, place_kind: str, place: str, content: str,
                  person_times: int, volunteers) -> ServiceRecord:
    record = lock(record, "org", "team", "mobilization")
    if record.is_deleted:
        raise ValidationError({"date": "该记录已删除。"})
    _require_recorder(actor, record, "您没有修改该服务记录的权限。")
    before = _record_snapshot(record, list(record.volunteers.all()))
    fields = _validate_record_fields(record_date=date, place_kind=place_kind, place=place, content=content,
                                     person_times=person_times)
    rows = _build_volunteers(volunteers, team=record.team, day=date)
    if record_certified(record):
        raise ValidationError({"date": "该记录已出具志愿服务记录证明,不能修改;如确需更正,请先作废证明。"})
    record.date, record.place_kind = date, place_kind
    for key, value in fields.items():
        setattr(record, key, value)
    record.full_clean()
    record.save()
    record.volunteers.all().delete()
    _save_hours(record, rows)
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
    """Soft delete with a reason; a record linked to a completed request stays.

    Not `core.updates.soft_delete`: a team's leader may delete their team's records, which `require_edit`
    (staff only) would refuse."""
    record = lock(record, "org", "team")
    _require_recorder(actor, record, "您没有删除该服务记录的权限。")
    reason = text(reason, "reason", "删除原因", 200)
    if ServiceRequest.objects.filter(record=record).exists():
        raise ValidationError({"reason": "该记录是群众点单的完成记录,不能删除。"})
    if record_certified(record):
        raise ValidationError({"reason": "该记录已出具志愿服务记录证明,不能删除;如确需更正,请先作废证明。"})
    record.is_deleted, record.deleted_at = True, now()
    record.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    audit.record(actor=actor, action="volunteering.record.delete", obj=record, org=record.org,
                 changes={"reason": reason})
    return record


def _jpeg_pair(upload) -> tuple[bytes, bytes]:
    """The upload re-encoded as JPEG (drops EXIF and any payload) and its thumbnail; refuses what is no image."""
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
    return full.getvalue(), thumb.getvalue()


@transaction.atomic
def photo_add(*, actor, record: ServiceRecord, upload, caption: str = "") -> ServicePhoto:
    """Check type and size, re-encode as JPEG, make a thumbnail."""
    _require_recorder(actor, record, "您没有为该服务记录上传照片的权限。")
    full, thumb = _jpeg_pair(upload)
    key = uuid.uuid4().hex
    photo = ServicePhoto(record=record, caption=(caption or "").strip()[:100])
    photo.image.save(f"{key}.jpg", ContentFile(full), save=False)
    photo.thumbnail.save(f"{key}.jpg", ContentFile(thumb), save=False)
    photo.save()
    audit.record(actor=actor, action="volunteering.record.photo_add", obj=record, org=record.org,
                 changes={"photo": photo.pk})
    return photo


# --- certificates ----------------------------------------------------------------------------------


def certificate_lines(*, worker, org: OrgUnit, period_from: date, period_to: date) -> list[dict]:
    """The worker's records kept by `org` and the units below it in the period (谁记录谁证明)."""
    rows = (ServiceHours.objects.filter(org.subtree_q("record__org"), worker=worker, record__is_deleted=False,
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
    require_edit(actor, org, WHAT)
    if period_to < period_from:
        raise ValidationError({"period_to": "截止日期不能早于起始日期。"})
    day = today()
    if period_to > day:
        raise ValidationError({"period_to": "截止日期不能晚于今天。"})
    lines = certificate_lines(worker=worker, org=org, period_from=period_from, period_to=period_to)
    if not lines:
        raise ValidationError({"worker": f"{worker.name} 在该期间没有由{org.name}记录的志愿服务,不能出具证明。"})
    total = sum((Decimal(line["hours"]) for line in lines), Decimal("0.00"))
    number = f"{org.code}-{day.year}-{counter_allocate(f'volunteer_cert_{org.code}_{day.year}')[0]:05d}"
    cert = ServiceCertificate(number=number, worker=worker, org=org, period_from=period_from, period_to=period_to,
                              total_hours=total, record_count=len(lines), lines=lines, issued_on=day,
                              issued_by=person(actor))
    cert.full_clean(exclude=["number"])
    cert.save()
    audit.record(actor=actor, action="volunteering.certificate.issue", obj=cert, org=org,
                 changes={"worker_no": worker.worker_no, "period": f"{period_from}~{period_to}",
                          "hours": str(total), "records": len(lines)})
    return cert


@transaction.atomic
def certificate_void(*, actor, certificate: ServiceCertificate, reason: str) -> ServiceCertificate:
    cert = lock(certificate, "org")
    require_edit(actor, cert.org, WHAT)
    if cert.is_void:
        raise ValidationError({"reason": "该证明已作废。"})
    cert.is_void, cert.void_reason = True, text(reason, "reason", "作废原因", 200)
    cert.save(update_fields=["is_void", "void_reason", "updated_at"])
    audit.record(actor=actor, action="volunteering.certificate.void", obj=cert, org=cert.org,
                 changes={"reason": cert.void_reason})
    return cert


def worker_hours_total(*, worker, year: int) -> Decimal:
    total = ServiceHours.objects.filter(worker=worker, record__is_deleted=False, record__date__year=year).aggregate(
        s=Sum("hours"))["s"]
    return (total or Decimal("0")).quantize(Decimal("0.01"))

