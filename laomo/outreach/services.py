"""Writes of the outreach module. Each validates (Chinese messages keyed by field), checks the scope,
saves and writes the audit entry in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from laomo.core import audit
from laomo.core.permissions import has_capability
from laomo.core.scope import ensure_org_in_scope
from laomo.workers.models import Worker
from laomo.workers.selectors import worker_base

from . import photos as photo_files
from .models import (
    Campaign,
    HostType,
    Lecture,
    LectureFormat,
    LectureSpeaker,
    LectureStatus,
    MediaItem,
    MediaKind,
    MediaReading,
    Photo,
    Pickup,
    PickupKind,
    Platform,
    PreShiftSession,
    SessionForm,
    SessionShift,
    SessionStage,
    Showcase,
    VenueType,
)

MAX_PHOTOS = 30
MAX_AUDIENCE = 10_000_000
MAX_BATCH_DAYS = 92
ENCRYPTED_WORKER_FIELDS = ("id_number", "phone", "address")  # never decrypted just to name a speaker


def _today() -> date:
    return timezone.localdate()


def _check_editor(actor, org) -> None:
    """`actor=None` is the system (demo data, commands)."""
    if actor is None:
        return
    if not has_capability(actor, "edit_business"):
        raise PermissionDenied("您没有维护宣讲宣传数据的权限。")
    ensure_org_in_scope(actor, org)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def _snapshot(obj, fields) -> dict:
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if hasattr(value, "code") and hasattr(value, "path"):
            value = value.code
        elif hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, date):
            value = value.isoformat()
        out[name] = value
    return out


def _soft_delete(obj, *, actor, action: str, reason: str, org) -> None:
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": "请填写删除原因。"})
    obj.is_deleted = True
    obj.deleted_at = timezone.now()
    obj.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    audit.record(actor=actor, action=action, obj=obj, org=org, changes={"reason": reason})


def _visible_campaign(actor, campaign):
    if campaign is None:
        return None
    from .selectors import campaign_base

    if campaign.is_deleted or (actor is not None and not campaign_base(actor).filter(pk=campaign.pk).exists()):
        raise ValidationError({"campaign": "所选活动不存在或不在您的数据范围内。"})
    return campaign


def _check_in_campaign(errors: dict, campaign, day: date | None, field: str = "date") -> None:
    if campaign is not None and day is not None and not (campaign.start_date <= day <= campaign.end_date):
        errors.setdefault(field, f"日期不在活动“{campaign.name}”的期间"
                                 f"({campaign.start_date:%Y-%m-%d} 至 {campaign.end_date:%Y-%m-%d})内。")


def _workers_allowed(actor, worker_ids, *, already: set[int] | frozenset = frozenset(), field: str) -> dict:
    """Workers by id that the actor may pick (in their scope, or already on the record); refuse the others
    without saying whether they exist (a guessed id outside the scope looks like a missing one)."""
    worker_ids = [int(w) for w in worker_ids]
    base = Worker.objects.all() if actor is None else worker_base(actor)
    found = {w.pk: w for w in base.filter(pk__in=worker_ids, is_deleted=False).defer(*ENCRYPTED_WORKER_FIELDS)}
    kept = [pk for pk in worker_ids if pk not in found and pk in already]
    if kept:  # on the record already (even if since moved out of scope or deleted): kept as they are
        found.update({w.pk: w for w in Worker.objects.filter(pk__in=kept).defer(*ENCRYPTED_WORKER_FIELDS)})
    refused = sorted({pk for pk in worker_ids if pk not in found})
    if refused:
        raise ValidationError({field: f"所选劳模(ID {', '.join(str(w) for w in refused)})"
                                      "不存在或不在您的数据范围内,不能选择。"})
    return found


def _worker_id(value) -> int:
    return value.pk if isinstance(value, Worker) else int(value)


# --- campaigns -------------------------------------------------------------------------------------------

CAMPAIGN_FIELDS = ("name", "theme", "start_date", "end_date", "org", "description")


def _clean_campaign(c: Campaign) -> None:
    errors = {}
    c.name, c.theme, c.description = _text(c.name), _text(c.theme), _text(c.description)
    if not c.name:
        errors["name"] = "请填写活动名称。"
    if c.start_date is None:
        errors["start_date"] = "请填写开始日期。"
    if c.end_date is None:
        errors["end_date"] = "请填写结束日期。"
    if c.start_date and c.end_date and c.end_date < c.start_date:
        errors["end_date"] = "结束日期不能早于开始日期。"
    _raise(errors)


def campaign_check(*, actor, **data) -> None:
    _clean_campaign(Campaign(**{k: v for k, v in data.items() if k in CAMPAIGN_FIELDS}))


@transaction.atomic
def campaign_create(*, actor, org, name: str, start_date: date, end_date: date, theme: str = "",
                    description: str = "") -> Campaign:
    _check_editor(actor, org)
    campaign = Campaign(org=org, name=name, theme=theme, start_date=start_date, end_date=end_date,
                        description=description)
    _clean_campaign(campaign)
    campaign.save()
    audit.record(actor=actor, action="outreach.campaign.create", obj=campaign, org=org,
                 changes=_snapshot(campaign, CAMPAIGN_FIELDS))
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, **changes) -> Campaign:
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("org").get(pk=campaign.pk)
    _check_editor(actor, campaign.org)
    before = _snapshot(campaign, CAMPAIGN_FIELDS)
    if "org" in changes and changes["org"] != campaign.org:
        _check_editor(actor, changes["org"])
    for key, value in changes.items():
        if key not in CAMPAIGN_FIELDS:
            raise TypeError(f"unknown campaign field {key}")
        setattr(campaign, key, value)
    _clean_campaign(campaign)
    outside = campaign.lectures.filter(is_deleted=False).exclude(date__range=(campaign.start_date, campaign.end_date))
    if outside.exists():
        raise ValidationError({"start_date": f"活动下有 {outside.count()} 场宣讲不在新的期间内,请先调整宣讲日期。"})
    campaign.save()
    diff = audit.diff(before, _snapshot(campaign, CAMPAIGN_FIELDS))
    if diff:
        audit.record(actor=actor, action="outreach.campaign.update", obj=campaign, org=campaign.org, changes=diff)
    return campaign


@transaction.atomic
def campaign_delete(*, actor, campaign: Campaign, reason: str) -> Campaign:
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("org").get(pk=campaign.pk)
    _check_editor(actor, campaign.org)
    used = (campaign.lectures.filter(is_deleted=False).count() + campaign.media_items.filter(is_deleted=False).count()
            + campaign.sessions.filter(is_deleted=False).count())
    if used:
        raise ValidationError({"reason": f"该活动下还有 {used} 条宣讲、传播或班前十分钟记录,不能删除。"})
    _soft_delete(campaign, actor=actor, action="outreach.campaign.delete", reason=reason, org=campaign.org)
    return campaign


# --- lectures --------------------------------------------------------------------------------------------

LECTURE_FIELDS = ("date", "title", "campaign", "venue_type", "venue_name", "org", "format", "status", "audience",
                  "summary")


@dataclass
class Speaker:
    """A speaker as given to the services: a worker (instance or id) or a name."""

    worker: Worker | int | None = None
    name: str = ""


def _as_speaker(value) -> Speaker:
    if isinstance(value, Speaker):
        return value
    if isinstance(value, Worker | int):
        return Speaker(worker=value)
    if isinstance(value, str):
        return Speaker(name=value)
    if isinstance(value, dict):
        return Speaker(worker=value.get("worker"), name=value.get("name") or "")
    raise TypeError(f"speaker {value!r}")


def _resolve_speakers(actor, speakers, *, already: set[int] | frozenset = frozenset(), on=None) -> list[Speaker]:
    """Validated speakers (workers in scope, names trimmed, duplicates dropped); at least one."""
    items = [_as_speaker(s) for s in speakers or []]
    ids = [_worker_id(s.worker) for s in items if s.worker not in (None, "")]
    found = _workers_allowed(actor, ids, already=already, field="speakers") if ids else {}
    out, seen_workers, seen_names = [], set(), set()
    for s in items:
        if s.worker not in (None, ""):
            worker = found[_worker_id(s.worker)]
            if worker.pk in seen_workers:
                continue
            if on is not None and worker.is_deceased and worker.status_date and worker.status_date < on:
                raise ValidationError({"speakers": f"{worker.name} 已于 {worker.status_date:%Y-%m-%d} 去世,"
                                                   "不能作为该日期的主讲人。"})
            seen_workers.add(worker.pk)
            out.append(Speaker(worker=worker))
        else:
            name = _text(s.name)
            if not name or name in seen_names:
                continue
            if len(name) > 50:
                raise ValidationError({"speakers": f"主讲人姓名“{name[:20]}…”过长(最多 50 字)。"})
            seen_names.add(name)
            out.append(Speaker(name=name))
    if not out:
        raise ValidationError({"speakers": "请至少填写一位主讲人(劳模或其他主讲人)。"})
    return out


def _clean_lecture(actor, lecture: Lecture) -> None:
    errors = {}
    lecture.title, lecture.venue_name, lecture.summary = (_text(lecture.title), _text(lecture.venue_name),
                                                          _text(lecture.summary))
    if not lecture.title:
        errors["title"] = "请填写宣讲题目。"
    if lecture.date is None:
        errors["date"] = "请填写宣讲日期。"
    elif lecture.status == LectureStatus.HELD and lecture.date > _today():
        errors["date"] = (f"已举办的宣讲日期不能晚于今天({_today():%Y-%m-%d});"
                          "尚未举办的请将状态设为“计划中”。")
    if lecture.venue_type not in VenueType.values:
        errors["venue_type"] = "请选择场所类型。"
    if lecture.format not in LectureFormat.values:
        errors["format"] = "请选择宣讲形式。"
    if lecture.status not in LectureStatus.values:
        errors["status"] = "请选择状态。"
    try:
        audience = int(lecture.audience if lecture.audience not in (None, "") else 0)
    except (TypeError, ValueError):
        errors["audience"] = "受众人数应为整数。"
    else:
        if audience < 0:
            errors["audience"] = "受众人数不能小于 0。"
        elif audience > MAX_AUDIENCE:
            errors["audience"] = f"受众人数超过 {MAX_AUDIENCE:,},请核对。"
        lecture.audience = audience
    try:
        lecture.campaign = _visible_campaign(actor, lecture.campaign)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    else:
        _check_in_campaign(errors, lecture.campaign, lecture.date)
    _raise(errors)


def _lecture_snapshot(lecture: Lecture, speakers: list[Speaker] | None = None) -> dict:
    snap = _snapshot(lecture, LECTURE_FIELDS)
    if speakers is None:
        speakers = [Speaker(worker=s.worker, name=s.name) for s in lecture.speakers.select_related("worker")]
    snap["speakers"] = [f"{s.worker.name}(劳模 {s.worker.worker_no})" if s.worker else s.name for s in speakers]
    return snap


def lecture_check(*, actor, speakers=None, lecture: Lecture | None = None, **data) -> None:
    """Validate a lecture as typed (inline validation); raises ValidationError, saves nothing."""
    probe = Lecture(**{k: v for k, v in data.items() if k in LECTURE_FIELDS})
    errors = {}
    try:
        _clean_lecture(actor, probe)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if speakers is not None:
        already = set(lecture.speakers.exclude(worker=None).values_list("worker_id", flat=True)) if lecture else set()
        try:
            _resolve_speakers(actor, speakers, already=already, on=probe.date)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _raise(errors)


def _save_speakers(lecture: Lecture, speakers: list[Speaker], *, replace: bool = True) -> None:
    if replace:
        lecture.speakers.all().delete()
    LectureSpeaker.objects.bulk_create([
        LectureSpeaker(lecture=lecture, worker=s.worker if isinstance(s.worker, Worker) else None,
                       name="" if s.worker else s.name, position=i)
        for i, s in enumerate(speakers)
    ])


@transaction.atomic
def lecture_create(*, actor, org, date: date, title: str, venue_type: str, speakers, venue_name: str = "",
                   format: str = LectureFormat.LECTURE, status: str = LectureStatus.HELD, audience: int = 0,
                   campaign: Campaign | None = None, summary: str = "", photos=()) -> Lecture:
    """A lecture with its speakers (and photos, all checked before anything is saved)."""
    _check_editor(actor, org)
    lecture = Lecture(org=org, date=date, title=title, venue_type=venue_type, venue_name=venue_name, format=format,
                      status=status, audience=audience, campaign=campaign, summary=summary)
    errors = {}
    try:
        _clean_lecture(actor, lecture)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        resolved = _resolve_speakers(actor, speakers, on=lecture.date)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if len(photos or []) > MAX_PHOTOS:
        errors["photos"] = [f"每条记录最多 {MAX_PHOTOS} 张照片。"]
    _raise(errors)
    images = _process_uploads(photos)
    lecture.save()
    _save_speakers(lecture, resolved, replace=False)
    audit.record(actor=actor, action="outreach.lecture.create", obj=lecture, org=org,
                 changes=_lecture_snapshot(lecture, resolved))
    for upload, image in images:
        _attach_photo(actor, lecture, upload, image)
    return lecture


@transaction.atomic
def lecture_update(*, actor, lecture: Lecture, speakers=None, **changes) -> Lecture:
    lecture = Lecture.objects.select_for_update(of=("self",)).select_related("org", "campaign").get(pk=lecture.pk)
    _check_editor(actor, lecture.org)
    before = _lecture_snapshot(lecture)
    if "org" in changes and changes["org"] != lecture.org:
        _check_editor(actor, changes["org"])  # a lecture cannot be moved out of scope
    for key, value in changes.items():
        if key not in LECTURE_FIELDS:
            raise TypeError(f"unknown lecture field {key}")
        setattr(lecture, key, value)
    errors = {}
    try:
        _clean_lecture(actor, lecture)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    resolved = None
    if speakers is not None:
        already = set(lecture.speakers.exclude(worker=None).values_list("worker_id", flat=True))
        try:
            resolved = _resolve_speakers(actor, speakers, already=already, on=lecture.date)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _raise(errors)
    lecture.save()
    if resolved is not None:
        _save_speakers(lecture, resolved)
    diff = audit.diff(before, _lecture_snapshot(lecture))
    if diff:
        audit.record(actor=actor, action="outreach.lecture.update", obj=lecture, org=lecture.org, changes=diff)
    return lecture


@transaction.atomic
def lecture_delete(*, actor, lecture: Lecture, reason: str) -> Lecture:
    lecture = Lecture.objects.select_for_update(of=("self",)).select_related("org").get(pk=lecture.pk)
    _check_editor(actor, lecture.org)
    if lecture.media_items.filter(is_deleted=False).exists():
        raise ValidationError({"reason": "该宣讲有关联的传播作品,请先删除或改挂传播作品。"})
    _soft_delete(lecture, actor=actor, action="outreach.lecture.delete", reason=reason, org=lecture.org)
    return lecture


# --- photos ----------------------------------------------------------------------------------------------


def _process_uploads(uploads, *, field: str = "photos") -> list:
    """Check and re-encode every upload before anything is saved; errors name the file."""
    out, errors = [], []
    for upload in uploads or []:
        try:
            out.append((upload, photo_files.process_image(upload)))
        except ValidationError as exc:
            errors.append(f"{getattr(upload, 'name', '')}:{exc.message_dict['photo'][0]}")
    if errors:
        raise ValidationError({field: errors})
    return out


def _attach_photo(actor, owner, upload, image, caption: str = "") -> Photo:
    """Store a processed image and record it; the files are removed again if the record cannot be written.
    (Files of a transaction rolled back later stay behind under random names no record points to.)"""
    name, thumb = photo_files.store(image)

    def cleanup():
        default_storage.delete(name)
        default_storage.delete(thumb)

    try:
        photo = Photo.objects.create(
            lecture=owner if isinstance(owner, Lecture) else None,
            showcase=owner if isinstance(owner, Showcase) else None,
            file=name, thumb=thumb, content_type=image.content_type, width=image.width, height=image.height,
            size=len(image.data), caption=caption, original_name=_text(getattr(upload, "name", ""))[:200],
            uploaded_by=actor if actor is not None else None)
        audit.record(actor=actor, action="outreach.photo.add", obj=photo, org=owner.org, object_repr=f"{owner} 照片",
                     changes={"owner": f"{owner._meta.model_name}:{owner.pk}", "size": len(image.data),
                              "width": image.width, "height": image.height})
    except Exception:
        cleanup()
        raise
    return photo


def _check_photo_room(owner, adding: int) -> None:
    existing = owner.photos.filter(is_deleted=False).count() if owner.pk else 0
    if existing + adding > MAX_PHOTOS:
        raise ValidationError({"photo": f"每条记录最多 {MAX_PHOTOS} 张照片(已有 {existing} 张)。"})


def photo_add(*, actor, upload, lecture: Lecture | None = None, showcase: Showcase | None = None,
              caption: str = "") -> Photo:
    """Check, re-encode and store a photo of a lecture or a showcase."""
    owner = lecture or showcase
    if owner is None or (lecture is not None and showcase is not None):
        raise TypeError("a photo belongs to one lecture or one showcase")
    _check_editor(actor, owner.org)
    _check_photo_room(owner, 1)
    caption = _text(caption)
    if len(caption) > 100:
        raise ValidationError({"caption": "照片说明最多 100 字。"})
    image = photo_files.process_image(upload)
    with transaction.atomic():
        return _attach_photo(actor, owner, upload, image, caption)


@transaction.atomic
def photo_remove(*, actor, photo: Photo) -> Photo:
    owner = photo.lecture or photo.showcase
    _check_editor(actor, owner.org)
    photo.is_deleted = True
    photo.deleted_at = timezone.now()
    photo.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    audit.record(actor=actor, action="outreach.photo.delete", obj=photo, org=owner.org, object_repr=f"{owner} 照片")
    return photo


# --- media items, readings, pick-ups ---------------------------------------------------------------------

MEDIA_FIELDS = ("title", "kind", "platform", "url", "publish_date", "org", "lecture", "campaign", "note")


def _platform(value) -> Platform | None:
    if value is None or isinstance(value, Platform):
        return value
    return Platform.objects.filter(name=_text(value)).first()


def _clean_media(actor, item: MediaItem, *, new_platform: bool) -> None:
    from django.core.validators import URLValidator

    errors = {}
    item.title, item.url, item.note = _text(item.title), _text(item.url), _text(item.note)
    if not item.title:
        errors["title"] = "请填写标题。"
    if item.kind not in MediaKind.values:
        errors["kind"] = "请选择类型。"
    if item.platform_id is None:
        names = "、".join(Platform.objects.filter(is_active=True).values_list("name", flat=True))
        errors["platform"] = f"请选择平台(可选:{names})。"
    elif new_platform and not item.platform.is_active:
        errors["platform"] = f"平台“{item.platform.name}”已停用。"
    if item.publish_date is None:
        errors["publish_date"] = "请填写发布日期。"
    elif item.publish_date > _today():
        errors["publish_date"] = "发布日期不能晚于今天。"
    if item.url:
        try:
            URLValidator(schemes=["http", "https"])(item.url)
        except ValidationError:
            errors["url"] = "请输入有效的链接(以 http:// 或 https:// 开头)。"
    if item.lecture is not None:
        from .selectors import lecture_base

        if actor is not None and not lecture_base(actor).filter(pk=item.lecture.pk).exists():
            errors["lecture"] = "所选宣讲不存在或不在您的数据范围内。"
        elif item.lecture.is_deleted:
            errors["lecture"] = "所选宣讲已删除。"
    try:
        item.campaign = _visible_campaign(actor, item.campaign)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    _raise(errors)


def media_check(*, actor, **data) -> None:
    data = {k: v for k, v in data.items() if k in MEDIA_FIELDS}
    data["platform"] = _platform(data.get("platform"))
    _clean_media(actor, MediaItem(**data), new_platform=True)


@transaction.atomic
def media_create(*, actor, org, title: str, platform, publish_date: date, kind: str = MediaKind.VIDEO,
                 url: str = "", lecture: Lecture | None = None, campaign: Campaign | None = None,
                 note: str = "") -> MediaItem:
    _check_editor(actor, org)
    item = MediaItem(org=org, title=title, platform=_platform(platform), publish_date=publish_date, kind=kind,
                     url=url, lecture=lecture, campaign=campaign, note=note)
    _clean_media(actor, item, new_platform=True)
    item.save()
    audit.record(actor=actor, action="outreach.media.create", obj=item, org=org,
                 changes=_snapshot(item, MEDIA_FIELDS))
    return item


@transaction.atomic
def media_update(*, actor, item: MediaItem, **changes) -> MediaItem:
    item = MediaItem.objects.select_for_update(of=("self",)).select_related("org", "platform").get(pk=item.pk)
    _check_editor(actor, item.org)
    before = _snapshot(item, MEDIA_FIELDS)
    if "org" in changes and changes["org"] != item.org:
        _check_editor(actor, changes["org"])
    old_platform = item.platform_id
    for key, value in changes.items():
        if key not in MEDIA_FIELDS:
            raise TypeError(f"unknown media field {key}")
        setattr(item, key, _platform(value) if key == "platform" else value)
    _clean_media(actor, item, new_platform=item.platform_id != old_platform)
    first = item.readings.filter(is_deleted=False).order_by("date").first()
    if first is not None and item.publish_date > first.date:
        raise ValidationError({"publish_date": f"发布日期不能晚于最早的观看量读数日期({first.date:%Y-%m-%d})。"})
    item.save()
    diff = audit.diff(before, _snapshot(item, MEDIA_FIELDS))
    if diff:
        audit.record(actor=actor, action="outreach.media.update", obj=item, org=item.org, changes=diff)
    return item


@transaction.atomic
def media_delete(*, actor, item: MediaItem, reason: str) -> MediaItem:
    item = MediaItem.objects.select_for_update(of=("self",)).select_related("org").get(pk=item.pk)
    _check_editor(actor, item.org)
    _soft_delete(item, actor=actor, action="outreach.media.delete", reason=reason, org=item.org)
    return item


def _clean_reading(item: MediaItem, day: date | None, views) -> int:
    errors = {}
    if day is None:
        errors["date"] = "请填写读数日期。"
    elif day > _today():
        errors["date"] = "读数日期不能晚于今天。"
    elif day < item.publish_date:
        errors["date"] = f"读数日期不能早于发布日期({item.publish_date:%Y-%m-%d})。"
    try:
        views = int(views)
    except (TypeError, ValueError):
        errors["views"] = "观看人次应为整数。"
    else:
        if views < 0:
            errors["views"] = "观看人次不能小于 0。"
    _raise(errors)
    live = item.readings.filter(is_deleted=False)
    same = live.filter(date=day).first()
    if same is not None:
        raise ValidationError({"date": f"{day:%Y-%m-%d} 已有读数 {same.views:,},如需更正请先删除该读数。"})
    before = live.filter(date__lt=day).order_by("-date").first()
    after = live.filter(date__gt=day).order_by("date").first()
    if before is not None and views < before.views:
        raise ValidationError({"views": f"观看人次是累计数,不能少于 {before.date:%Y-%m-%d} 的读数 {before.views:,}。"})
    if after is not None and views > after.views:
        raise ValidationError({"views": f"观看人次是累计数,不能多于之后 {after.date:%Y-%m-%d} 的读数"
                                        f" {after.views:,}。"})
    return views


@transaction.atomic
def reading_add(*, actor, item: MediaItem, date: date, views: int, note: str = "") -> MediaReading:
    item = MediaItem.objects.select_for_update(of=("self",)).select_related("org").get(pk=item.pk)
    _check_editor(actor, item.org)
    views = _clean_reading(item, date, views)
    note = _text(note)
    if len(note) > 200:
        raise ValidationError({"note": "来源说明最多 200 字。"})
    reading = MediaReading.objects.create(media_item=item, date=date, views=views, note=note,
                                          recorded_by=actor if actor is not None else None)
    audit.record(actor=actor, action="outreach.reading.add", obj=reading, org=item.org,
                 object_repr=f"{item.title} {reading}", changes={"date": date.isoformat(), "views": views})
    return reading


@transaction.atomic
def reading_remove(*, actor, reading: MediaReading, reason: str) -> MediaReading:
    item = reading.media_item
    _check_editor(actor, item.org)
    _soft_delete(reading, actor=actor, action="outreach.reading.delete", reason=reason, org=item.org)
    return reading


@transaction.atomic
def pickup_add(*, actor, item: MediaItem, outlet: str, date: date, column: str = "", kind: str = PickupKind.ADOPTED,
               url: str = "", note: str = "") -> Pickup:
    from django.core.validators import URLValidator

    _check_editor(actor, item.org)
    pickup = Pickup(media_item=item, outlet=_text(outlet), column=_text(column), date=date, kind=kind,
                    url=_text(url), note=_text(note))
    errors = {}
    if not pickup.outlet:
        errors["outlet"] = "请填写采用平台或媒体(如:学习强国)。"
    if kind not in PickupKind.values:
        errors["kind"] = "请选择采用方式。"
    if date is None:
        errors["date"] = "请填写采用日期。"
    elif date > _today():
        errors["date"] = "采用日期不能晚于今天。"
    elif date < item.publish_date:
        errors["date"] = f"采用日期不能早于发布日期({item.publish_date:%Y-%m-%d})。"
    if pickup.url:
        try:
            URLValidator(schemes=["http", "https"])(pickup.url)
        except ValidationError:
            errors["url"] = "请输入有效的链接(以 http:// 或 https:// 开头)。"
    _raise(errors)
    pickup.full_clean()
    pickup.save()
    audit.record(actor=actor, action="outreach.pickup.add", obj=pickup, org=item.org,
                 object_repr=f"{item.title} 被 {pickup} 采用",
                 changes={"outlet": pickup.outlet, "column": pickup.column, "date": date.isoformat()})
    return pickup


@transaction.atomic
def pickup_remove(*, actor, pickup: Pickup, reason: str) -> Pickup:
    item = pickup.media_item
    _check_editor(actor, item.org)
    _soft_delete(pickup, actor=actor, action="outreach.pickup.delete", reason=reason, org=item.org)
    return pickup


# --- platforms (数据字典) ---------------------------------------------------------------------------------


def _check_dictionary(actor) -> None:
    if actor is not None and not has_capability(actor, "manage_dictionary"):
        raise PermissionDenied("您没有维护数据字典的权限。")


@transaction.atomic
def platform_create(*, actor, name: str, sort_order: int = 100) -> Platform:
    _check_dictionary(actor)
    name = _text(name)
    if not name:
        raise ValidationError({"name": "请填写平台名称。"})
    if Platform.objects.filter(name=name).exists():
        raise ValidationError({"name": f"平台“{name}”已存在。"})
    platform = Platform.objects.create(name=name[:50], sort_order=sort_order or 100)
    audit.record(actor=actor, action="outreach.platform.create", obj=platform, changes={"name": name})
    return platform


@transaction.atomic
def platform_update(*, actor, platform: Platform, name: str | None = None, sort_order: int | None = None,
                    is_active: bool | None = None) -> Platform:
    _check_dictionary(actor)
    before = _snapshot(platform, ("name", "sort_order", "is_active"))
    if name is not None:
        name = _text(name)
        if not name:
            raise ValidationError({"name": "请填写平台名称。"})
        if Platform.objects.filter(name=name).exclude(pk=platform.pk).exists():
            raise ValidationError({"name": f"平台“{name}”已存在。"})
        platform.name = name[:50]
    if sort_order is not None:
        platform.sort_order = sort_order
    if is_active is not None:
        platform.is_active = is_active
    platform.save()
    diff = audit.diff(before, _snapshot(platform, ("name", "sort_order", "is_active")))
    if diff:
        audit.record(actor=actor, action="outreach.platform.update", obj=platform, changes=diff)
    return platform


# --- 班前十分钟 ------------------------------------------------------------------------------------------

SESSION_FIELDS = ("org", "enterprise", "workshop", "date", "shift", "speaker", "speaker_name", "topic", "stage",
                  "forms", "participants", "minutes", "campaign", "note")


def forms_value(forms) -> str:
    """The stored form of the forms used: ',reading,video,' (known codes, sorted)."""
    if isinstance(forms, str):
        forms = [f for f in forms.split(",") if f]
    unknown = [f for f in forms or [] if f not in SessionForm.values]
    if unknown:
        raise ValidationError({"forms": f"未知的形式:{'、'.join(unknown)}。"})
    codes = sorted(set(forms or []))
    return f",{','.join(codes)}," if codes else ""


def _clean_session(actor, s: PreShiftSession, *, already_speaker: int | None = None) -> None:
    errors = {}
    s.enterprise, s.workshop, s.topic = _text(s.enterprise), _text(s.workshop), _text(s.topic)
    s.speaker_name, s.note = _text(s.speaker_name), _text(s.note)
    if not s.enterprise:
        errors["enterprise"] = "请填写企业名称。"
    if not s.topic:
        errors["topic"] = "请填写主题。"
    if s.date is None:
        errors["date"] = "请填写日期。"
    elif s.date > _today():
        errors["date"] = "班前十分钟只登记已开展的场次,日期不能晚于今天。"
    if s.shift not in SessionShift.values:
        errors["shift"] = "请选择时段。"
    if s.stage not in SessionStage.values:
        errors["stage"] = "请选择阶段。"
    try:
        s.forms = forms_value(s.forms)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    for field, label in (("participants", "参加人数"), ("minutes", "时长")):
        try:
            value = int(getattr(s, field) if getattr(s, field) not in (None, "") else 0)
        except (TypeError, ValueError):
            errors[field] = f"{label}应为整数。"
            continue
        setattr(s, field, value)
    if "participants" not in errors and s.participants < 0:
        errors["participants"] = "参加人数不能小于 0。"
    if "minutes" not in errors and not 1 <= s.minutes <= 120:
        errors["minutes"] = "时长应在 1 至 120 分钟之间。"
    if s.speaker_id is None and not s.speaker_name:
        errors["speaker"] = "请选择主讲劳模或填写其他主讲人。"
    elif s.speaker_id is not None:
        try:
            _workers_allowed(actor, [s.speaker_id], already={already_speaker} if already_speaker else set(),
                             field="speaker")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        s.campaign = _visible_campaign(actor, s.campaign)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    else:
        _check_in_campaign(errors, s.campaign, s.date)
    if not errors and s.date is not None:
        clash = PreShiftSession.objects.filter(is_deleted=False, enterprise=s.enterprise, workshop=s.workshop,
                                               date=s.date, shift=s.shift).exclude(pk=s.pk)
        if clash.exists():
            errors["date"] = (f"{s.enterprise}{s.workshop and ' ' + s.workshop} {s.date:%Y-%m-%d}"
                              f"{SessionShift(s.shift).label}已有记录。")
    _raise(errors)


def session_check(*, actor, session: PreShiftSession | None = None, **data) -> None:
    probe = PreShiftSession(**{k: v for k, v in data.items() if k in SESSION_FIELDS})
    if session is not None:
        probe.pk = session.pk
    _clean_session(actor, probe, already_speaker=session.speaker_id if session else None)


def _session_snapshot(s: PreShiftSession) -> dict:
    return _snapshot(s, SESSION_FIELDS)


@transaction.atomic
def session_create(*, actor, org, enterprise: str, date: date, topic: str, workshop: str = "",
                   shift: str = SessionShift.BEFORE, speaker: Worker | None = None, speaker_name: str = "",
                   stage: str = SessionStage.THEORY, forms=(), participants: int = 0, minutes: int = 10,
                   campaign: Campaign | None = None, note: str = "") -> PreShiftSession:
    _check_editor(actor, org)
    session = PreShiftSession(org=org, enterprise=enterprise, workshop=workshop, date=date, shift=shift,
                              speaker=speaker, speaker_name=speaker_name, topic=topic, stage=stage, forms=forms,
                              participants=participants, minutes=minutes, campaign=campaign, note=note)
    _clean_session(actor, session)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as exc:  # a concurrent entry of the same shift
        raise ValidationError({"date": "该企业车间当天该时段已有记录。"}) from exc
    audit.record(actor=actor, action="outreach.session.create", obj=session, org=org,
                 changes=_session_snapshot(session))
    return session


@transaction.atomic
def session_update(*, actor, session: PreShiftSession, **changes) -> PreShiftSession:
    session = PreShiftSession.objects.select_for_update(of=("self",)).select_related("org").get(pk=session.pk)
    _check_editor(actor, session.org)
    before = _session_snapshot(session)
    already = session.speaker_id
    if "org" in changes and changes["org"] != session.org:
        _check_editor(actor, changes["org"])
    for key, value in changes.items():
        if key not in SESSION_FIELDS:
            raise TypeError(f"unknown session field {key}")
        setattr(session, key, value)
    _clean_session(actor, session, already_speaker=already)
    session.save()
    diff = audit.diff(before, _session_snapshot(session))
    if diff:
        audit.record(actor=actor, action="outreach.session.update", obj=session, org=session.org, changes=diff)
    return session


@transaction.atomic
def session_delete(*, actor, session: PreShiftSession, reason: str) -> PreShiftSession:
    session = PreShiftSession.objects.select_for_update(of=("self",)).select_related("org").get(pk=session.pk)
    _check_editor(actor, session.org)
    _soft_delete(session, actor=actor, action="outreach.session.delete", reason=reason, org=session.org)
    return session


def next_session_date(session: PreShiftSession) -> date:
    """The day after the latest session of the same enterprise, workshop and shift."""
    latest = (PreShiftSession.objects.filter(is_deleted=False, enterprise=session.enterprise,
                                             workshop=session.workshop, shift=session.shift)
              .order_by("-date").values_list("date", flat=True).first()) or session.date
    return latest + timedelta(days=1)


@transaction.atomic
def session_repeat(*, actor, session: PreShiftSession, date: date | None = None, topic: str | None = None
                   ) -> PreShiftSession:
    """重复上一场: the same session again, on `date` or the day after the latest of its enterprise/workshop."""
    day = date or next_session_date(session)
    if day > _today():
        raise ValidationError({"date": f"{session.enterprise}{session.workshop and ' ' + session.workshop}"
                                       f"已登记到 {day - timedelta(days=1):%Y-%m-%d},不能登记今天之后的场次。"})
    return session_create(
        actor=actor, org=session.org, enterprise=session.enterprise, workshop=session.workshop, date=day,
        shift=session.shift, speaker=session.speaker, speaker_name=session.speaker_name,
        topic=topic if topic is not None else session.topic, stage=session.stage, forms=session.forms,
        participants=session.participants, minutes=session.minutes,
        campaign=session.campaign if session.campaign and not session.campaign.is_deleted
        and session.campaign.start_date <= day <= session.campaign.end_date else None,
        note=session.note)


@dataclass
class BatchResult:
    created: list[PreShiftSession]
    skipped: list[date]


@transaction.atomic
def session_batch(*, actor, org, enterprise: str, date_from: date, date_to: date, weekdays, topics,
                  workshop: str = "", shift: str = SessionShift.BEFORE, speaker: Worker | None = None,
                  speaker_name: str = "", stage: str = SessionStage.THEORY, forms=(), participants: int = 0,
                  minutes: int = 10, campaign: Campaign | None = None, note: str = "") -> BatchResult:
    """A run of sessions (a month of daily sessions in one go): one per chosen weekday in the period,
    topics used in turn; days already recorded for that enterprise/workshop/shift are skipped."""
    _check_editor(actor, org)
    errors = {}
    weekdays = {int(w) for w in weekdays or []}
    topics = [t.strip() for t in (topics.splitlines() if isinstance(topics, str) else topics or []) if t.strip()]
    if date_from is None:
        errors["date_from"] = "请填写开始日期。"
    if date_to is None:
        errors["date_to"] = "请填写结束日期。"
    if date_from and date_to:
        if date_to < date_from:
            errors["date_to"] = "结束日期不能早于开始日期。"
        elif date_to > _today():
            errors["date_to"] = "只登记已开展的场次,结束日期不能晚于今天。"
        elif (date_to - date_from).days + 1 > MAX_BATCH_DAYS:
            errors["date_to"] = f"一次最多登记 {MAX_BATCH_DAYS} 天。"
    if not weekdays or not weekdays <= set(range(7)):
        errors["weekdays"] = "请选择开展的星期。"
    if not topics:
        errors["topics"] = "请至少填写一个主题。"
    elif any(len(t) > 200 for t in topics):
        errors["topics"] = "每个主题最多 200 字。"
    _raise(errors)
    days = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    days = [d for d in days if d.weekday() in weekdays]
    if not days:
        raise ValidationError({"weekdays": "所选期间内没有所选星期的日期。"})
    template = PreShiftSession(org=org, enterprise=enterprise, workshop=workshop, date=days[0], shift=shift,
                               speaker=speaker, speaker_name=speaker_name, topic=topics[0], stage=stage, forms=forms,
                               participants=participants, minutes=minutes, campaign=campaign, note=note)
    template_errors = {}
    try:
        _clean_session(actor, template)
    except ValidationError as exc:
        template_errors = {k: v for k, v in exc.message_dict.items() if k != "date"}
    _raise(template_errors)
    if campaign is not None:
        _check_in_campaign(errors, campaign, days[0], "date_from")
        _check_in_campaign(errors, campaign, days[-1], "date_to")
        _raise(errors)
    taken = set(PreShiftSession.objects.filter(
        is_deleted=False, enterprise=template.enterprise, workshop=template.workshop, shift=shift,
        date__range=(days[0], days[-1])).values_list("date", flat=True))
    rows, skipped = [], []
    for i, day in enumerate(days):
        if day in taken:
            skipped.append(day)
            continue
        rows.append(PreShiftSession(
            org=org, enterprise=template.enterprise, workshop=template.workshop, date=day, shift=shift,
            speaker=template.speaker, speaker_name=template.speaker_name, topic=topics[i % len(topics)],
            stage=template.stage, forms=template.forms, participants=template.participants,
            minutes=template.minutes, campaign=template.campaign, note=template.note))
    created = PreShiftSession.objects.bulk_create(rows)
    audit.record(actor=actor, action="outreach.session.batch", object_type="outreach.preshiftsession",
                 object_repr=f"{template.enterprise} {len(created)} 场", org=org,
                 changes={"enterprise": template.enterprise, "workshop": template.workshop,
                          "from": days[0].isoformat(), "to": days[-1].isoformat(), "created": len(created),
                          "skipped": [d.isoformat() for d in skipped]})
    return BatchResult(created=created, skipped=skipped)


# --- showcases -------------------------------------------------------------------------------------------

SHOWCASE_FIELDS = ("name", "host_type", "host_place", "org", "opened_date", "closed_date", "address", "description")


def _clean_showcase(s: Showcase) -> None:
    errors = {}
    s.name, s.host_place, s.address, s.description = (_text(s.name), _text(s.host_place), _text(s.address),
                                                      _text(s.description))
    if not s.name:
        errors["name"] = "请填写展示区名称。"
    if s.host_type not in HostType.values:
        errors["host_type"] = "请选择场所类型。"
    if not s.host_place:
        errors["host_place"] = "请填写所在场所(如:庆元县工人文化宫)。"
    if s.opened_date is None:
        errors["opened_date"] = "请填写开放日期。"
    if s.closed_date is not None:
        if s.closed_date > _today():
            errors["closed_date"] = "撤展日期不能晚于今天。"
        elif s.opened_date and s.closed_date < s.opened_date:
            errors["closed_date"] = "撤展日期不能早于开放日期。"
    _raise(errors)


def showcase_check(*, actor, featured_workers=None, showcase: Showcase | None = None, **data) -> None:
    errors = {}
    try:
        _clean_showcase(Showcase(**{k: v for k, v in data.items() if k in SHOWCASE_FIELDS}))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if featured_workers:
        already = set(showcase.featured_workers.values_list("pk", flat=True)) if showcase else set()
        try:
            _workers_allowed(actor, [_worker_id(w) for w in featured_workers], already=already,
                             field="featured_workers")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _raise(errors)


def _showcase_snapshot(s: Showcase) -> dict:
    snap = _snapshot(s, SHOWCASE_FIELDS)
    snap["featured_workers"] = sorted(s.featured_workers.values_list("worker_no", flat=True))
    return snap


@transaction.atomic
def showcase_create(*, actor, org, name: str, host_type: str, host_place: str, opened_date: date,
                    closed_date: date | None = None, address: str = "", description: str = "",
                    featured_workers=()) -> Showcase:
    _check_editor(actor, org)
    showcase = Showcase(org=org, name=name, host_type=host_type, host_place=host_place, opened_date=opened_date,
                        closed_date=closed_date, address=address, description=description)
    _clean_showcase(showcase)
    ids = [_worker_id(w) for w in featured_workers or []]
    workers = _workers_allowed(actor, ids, field="featured_workers") if ids else {}
    showcase.save()
    showcase.featured_workers.set(list(workers.values()))
    audit.record(actor=actor, action="outreach.showcase.create", obj=showcase, org=org,
                 changes=_showcase_snapshot(showcase))
    return showcase


@transaction.atomic
def showcase_update(*, actor, showcase: Showcase, featured_workers=None, **changes) -> Showcase:
    showcase = Showcase.objects.select_for_update(of=("self",)).select_related("org").get(pk=showcase.pk)
    _check_editor(actor, showcase.org)
    before = _showcase_snapshot(showcase)
    if "org" in changes and changes["org"] != showcase.org:
        _check_editor(actor, changes["org"])
    for key, value in changes.items():
        if key not in SHOWCASE_FIELDS:
            raise TypeError(f"unknown showcase field {key}")
        setattr(showcase, key, value)
    _clean_showcase(showcase)
    if featured_workers is not None:
        already = set(showcase.featured_workers.values_list("pk", flat=True))
        ids = [_worker_id(w) for w in featured_workers]
        workers = _workers_allowed(actor, ids, already=already, field="featured_workers") if ids else {}
    showcase.save()
    if featured_workers is not None:
        showcase.featured_workers.set(list(workers.values()))
    diff = audit.diff(before, _showcase_snapshot(showcase))
    if diff:
        audit.record(actor=actor, action="outreach.showcase.update", obj=showcase, org=showcase.org, changes=diff)
    return showcase


@transaction.atomic
def showcase_delete(*, actor, showcase: Showcase, reason: str) -> Showcase:
    showcase = Showcase.objects.select_for_update(of=("self",)).select_related("org").get(pk=showcase.pk)
    _check_editor(actor, showcase.org)
    _soft_delete(showcase, actor=actor, action="outreach.showcase.delete", reason=reason, org=showcase.org)
    return showcase
