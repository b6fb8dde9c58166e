"""宣讲 with their speakers, and the photos of lectures and showcases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from laomo.core import audit
from laomo.core.actors import person
from laomo.core.updates import model_update, snapshot, soft_delete
from laomo.workers.models import Worker

from .. import photos as photo_files
from ..models import Lecture, LectureFormat, LectureSpeaker, LectureStatus, Photo, Showcase, VenueType
from .common import (
    MAX_AUDIENCE,
    MAX_PHOTOS,
    WHAT,
    check_edit,
    check_in_campaign,
    first_errors,
    text,
    visible_campaign,
    worker_id,
    workers_allowed,
)

LECTURE_FIELDS = ("date", "title", "campaign", "venue_type", "venue_name", "org", "format", "status", "audience",
                  "summary")

CHOICE_FIELDS = (("venue_type", VenueType, "请选择场所类型。"), ("format", LectureFormat, "请选择宣讲形式。"),
                 ("status", LectureStatus, "请选择状态。"))


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


def _checked_worker(worker: Worker, on) -> Speaker:
    if on is not None and worker.is_deceased and worker.status_date and worker.status_date < on:
        raise ValidationError({"speakers": f"{worker.name} 已于 {worker.status_date:%Y-%m-%d} 去世,"
                                           "不能作为该日期的主讲人。"})
    return Speaker(worker=worker)


def _checked_name(name: str) -> Speaker:
    if len(name) > 50:
        raise ValidationError({"speakers": f"主讲人姓名“{name[:20]}…”过长(最多 50 字)。"})
    return Speaker(name=name)


def _resolve_speakers(actor, speakers, *, already: set[int] | frozenset = frozenset(), on=None) -> list[Speaker]:
    """Validated speakers (workers in scope, names trimmed, duplicates dropped); at least one."""
    items = [_as_speaker(s) for s in speakers or []]
    ids = [worker_id(s.worker) for s in items if s.worker not in (None, "")]
    found = workers_allowed(actor, ids, already=already, field="speakers") if ids else {}
    out, seen = [], set()
    for s in items:
        if s.worker not in (None, ""):
            key = found[worker_id(s.worker)]
            if key.pk not in seen:
                out.append(_checked_worker(key, on))
            seen.add(key.pk)
        else:
            name = text(s.name)
            if name and name not in seen:
                out.append(_checked_name(name))
            seen.add(name)
    if not out:
        raise ValidationError({"speakers": "请至少填写一位主讲人(劳模或其他主讲人)。"})
    return out


def _audience(lecture: Lecture, errors: dict) -> None:
    try:
        audience = int(lecture.audience if lecture.audience not in (None, "") else 0)
    except (TypeError, ValueError):
        errors["audience"] = "受众人数应为整数。"
        return
    if audience < 0:
        errors["audience"] = "受众人数不能小于 0。"
    elif audience > MAX_AUDIENCE:
        errors["audience"] = f"受众人数超过 {MAX_AUDIENCE:,},请核对。"
    lecture.audience = audience


def _clean_lecture(actor, lecture: Lecture) -> None:
    errors = {}
    lecture.title, lecture.venue_name, lecture.summary = text(lecture.title), text(lecture.venue_name), text(
        lecture.summary)
    today = timezone.localdate()
    if not lecture.title:
        errors["title"] = "请填写宣讲题目。"
    if lecture.date is None:
        errors["date"] = "请填写宣讲日期。"
    elif lecture.status == LectureStatus.HELD and lecture.date > today:
        errors["date"] = f"已举办的宣讲日期不能晚于今天({today:%Y-%m-%d});尚未举办的请将状态设为“计划中”。"
    for field, choices, message in CHOICE_FIELDS:
        if getattr(lecture, field) not in choices.values:
            errors[field] = message
    _audience(lecture, errors)
    try:
        lecture.campaign = visible_campaign(actor, lecture.campaign)
    except ValidationError as exc:
        first_errors(errors, exc)
    else:
        check_in_campaign(errors, lecture.campaign, lecture.date)
    if errors:
        raise ValidationError(errors)


def _lecture_snapshot(lecture: Lecture, speakers: list[Speaker] | None = None) -> dict:
    snap = snapshot(lecture, LECTURE_FIELDS)
    if speakers is None:
        speakers = [Speaker(worker=s.worker, name=s.name) for s in lecture.speakers.select_related("worker")]
    snap["speakers"] = [f"{s.worker.name}(劳模 {s.worker.worker_no})" if s.worker else s.name for s in speakers]
    return snap


def _collect(errors: dict, check, *args, **kwargs):
    """Run `check`, adding its ValidationError to `errors` (all of a form's errors at once)."""
    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


def _speaker_ids(lecture: Lecture | None) -> set[int]:
    if lecture is None:
        return set()
    return set(lecture.speakers.exclude(worker=None).values_list("worker_id", flat=True))


def lecture_check(*, actor, speakers=None, lecture: Lecture | None = None, **data) -> None:
    """Validate a lecture as typed (inline validation); raises ValidationError, saves nothing."""
    probe = Lecture(**{k: v for k, v in data.items() if k in LECTURE_FIELDS})
    errors = {}
    _collect(errors, _clean_lecture, actor, probe)
    if speakers is not None:
        _collect(errors, _resolve_speakers, actor, speakers, already=_speaker_ids(lecture), on=probe.date)
    if errors:
        raise ValidationError(errors)


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
                   campaign=None, summary: str = "", photos=()) -> Lecture:
    """A lecture with its speakers (and photos, all checked before anything is saved)."""
    check_edit(actor, org)
    lecture = Lecture(org=org, date=date, title=title, venue_type=venue_type, venue_name=venue_name, format=format,
                      status=status, audience=audience, campaign=campaign, summary=summary)
    errors = {}
    _collect(errors, _clean_lecture, actor, lecture)
    resolved = _collect(errors, _resolve_speakers, actor, speakers, on=lecture.date)
    if len(photos or []) > MAX_PHOTOS:
        errors["photos"] = [f"每条记录最多 {MAX_PHOTOS} 张照片。"]
    if errors:
        raise ValidationError(errors)
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
    """The lecture's fields through `model_update`; its speakers (when given) replaced after the save, the
    audit diff showing the new ones."""
    resolved: dict = {}

    def clean(obj: Lecture) -> None:
        errors = {}
        _collect(errors, _clean_lecture, actor, obj)
        if speakers is not None:
            resolved["speakers"] = _collect(errors, _resolve_speakers, actor, speakers,
                                            already=_speaker_ids(obj), on=obj.date)
        if errors:
            raise ValidationError(errors)

    lecture = model_update(lecture, fields=LECTURE_FIELDS, data=changes, actor=actor,
                           action="outreach.lecture.update", what=WHAT, clean=clean,
                           snap=lambda obj: _lecture_snapshot(obj, resolved.get("speakers")))
    if "speakers" in resolved:
        _save_speakers(lecture, resolved["speakers"])
    return lecture


def _check_no_media(lecture: Lecture) -> None:
    if lecture.media_items.filter(is_deleted=False).exists():
        raise ValidationError({"reason": "该宣讲有关联的传播作品,请先删除或改挂传播作品。"})


def lecture_delete(*, actor, lecture: Lecture, reason: str) -> Lecture:
    return soft_delete(lecture, actor=actor, action="outreach.lecture.delete", reason=reason, what=WHAT,
                       check=_check_no_media)


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
    try:
        photo = Photo.objects.create(
            lecture=owner if isinstance(owner, Lecture) else None,
            showcase=owner if isinstance(owner, Showcase) else None,
            file=name, thumb=thumb, content_type=image.content_type, width=image.width, height=image.height,
            size=len(image.data), caption=caption, original_name=text(getattr(upload, "name", ""))[:200],
            uploaded_by=person(actor))
        audit.record(actor=actor, action="outreach.photo.add", obj=photo, org=owner.org, object_repr=f"{owner} 照片",
                     changes={"owner": f"{owner._meta.model_name}:{owner.pk}", "size": len(image.data),
                              "width": image.width, "height": image.height})
    except Exception:
        default_storage.delete(name)
        default_storage.delete(thumb)
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
    check_edit(actor, owner.org)
    _check_photo_room(owner, 1)
    caption = text(caption)
    if len(caption) > 100:
        raise ValidationError({"caption": "照片说明最多 100 字。"})
    image = photo_files.process_image(upload)
    with transaction.atomic():
        return _attach_photo(actor, owner, upload, image, caption)


@transaction.atomic
def photo_remove(*, actor, photo: Photo) -> Photo:
    owner = photo.lecture or photo.showcase
    check_edit(actor, owner.org)
    photo.is_deleted = True
    photo.deleted_at = timezone.now()
    photo.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    audit.record(actor=actor, action="outreach.photo.delete", obj=photo, org=owner.org, object_repr=f"{owner} 照片")
    return photo
