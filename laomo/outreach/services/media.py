"""传播作品 with their dated view readings and their pick-ups by other outlets."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from laomo.core import audit, dictionary
from laomo.core.actors import is_system, person
from laomo.core.models import DictItem
from laomo.core.updates import lock, model_update, snapshot, soft_delete

from ..models import PLATFORM_KIND, Lecture, MediaItem, MediaKind, MediaReading, Pickup, PickupKind
from ..selectors import lecture_base
from .common import WHAT, check_edit, first_errors, text, visible_campaign

MEDIA_FIELDS = ("title", "kind", "platform", "url", "publish_date", "org", "lecture", "campaign", "note")
URL_ERROR = "请输入有效的链接(以 http:// 或 https:// 开头)。"


def platform_named(value) -> DictItem | None:
    """A platform of the data dictionary given as an entry or by its name (the API and older callers)."""
    if value is None or isinstance(value, DictItem):
        return value
    return dictionary.items(PLATFORM_KIND, active_only=False).filter(label=text(value)).first()


def _url_error(url: str) -> str | None:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return URL_ERROR
    return None


def _platform_error(item: MediaItem, *, new_platform: bool) -> str | None:
    platform = item.platform if item.platform_id else None
    if platform is None or platform.kind != PLATFORM_KIND:
        names = "、".join(dictionary.items(PLATFORM_KIND).values_list("label", flat=True))
        return f"请选择平台(可选:{names})。"
    if new_platform and not platform.is_active:
        return f"平台“{platform.label}”已停用。"
    return None


def _lecture_error(actor, lecture: Lecture | None) -> str | None:
    if lecture is None:
        return None
    if not is_system(actor) and not lecture_base(actor).filter(pk=lecture.pk).exists():
        return "所选宣讲不存在或不在您的数据范围内。"
    return "所选宣讲已删除。" if lecture.is_deleted else None


def _clean_media(actor, item: MediaItem, *, new_platform: bool) -> None:
    item.title, item.url, item.note = text(item.title), text(item.url), text(item.note)
    errors = {
        "title": None if item.title else "请填写标题。",
        "kind": None if item.kind in MediaKind.values else "请选择类型。",
        "platform": _platform_error(item, new_platform=new_platform),
        "url": _url_error(item.url) if item.url else None,
        "lecture": _lecture_error(actor, item.lecture),
    }
    if item.publish_date is None:
        errors["publish_date"] = "请填写发布日期。"
    elif item.publish_date > timezone.localdate():
        errors["publish_date"] = "发布日期不能晚于今天。"
    errors = {k: v for k, v in errors.items() if v}
    try:
        item.campaign = visible_campaign(actor, item.campaign)
    except ValidationError as exc:
        first_errors(errors, exc)
    if errors:
        raise ValidationError(errors)


def media_check(*, actor, **data) -> None:
    data = {k: v for k, v in data.items() if k in MEDIA_FIELDS}
    data["platform"] = platform_named(data.get("platform"))
    _clean_media(actor, MediaItem(**data), new_platform=True)


@transaction.atomic
def media_create(*, actor, org, title: str, platform, publish_date: date, kind: str = MediaKind.VIDEO,
                 url: str = "", lecture: Lecture | None = None, campaign=None, note: str = "") -> MediaItem:
    check_edit(actor, org)
    item = MediaItem(org=org, title=title, platform=platform_named(platform), publish_date=publish_date, kind=kind,
                     url=url, lecture=lecture, campaign=campaign, note=note)
    _clean_media(actor, item, new_platform=True)
    item.save()
    audit.record(actor=actor, action="outreach.media.create", obj=item, org=org,
                 changes=snapshot(item, MEDIA_FIELDS))
    return item


@transaction.atomic
def media_update(*, actor, item: MediaItem, **changes) -> MediaItem:
    if "platform" in changes:
        changes["platform"] = platform_named(changes["platform"])
    old_platform = MediaItem.objects.filter(pk=item.pk).values_list("platform_id", flat=True).first()

    def clean(obj: MediaItem) -> None:
        _clean_media(actor, obj, new_platform=obj.platform_id != old_platform)
        first = obj.readings.filter(is_deleted=False).order_by("date").first()
        if first is not None and obj.publish_date > first.date:
            raise ValidationError({"publish_date": f"发布日期不能晚于最早的观看量读数日期({first.date:%Y-%m-%d})。"})

    return model_update(item, fields=MEDIA_FIELDS, data=changes, actor=actor, action="outreach.media.update",
                        what=WHAT, clean=clean)


def media_delete(*, actor, item: MediaItem, reason: str) -> MediaItem:
    return soft_delete(item, actor=actor, action="outreach.media.delete", reason=reason, what=WHAT)


# --- readings --------------------------------------------------------------------------------------------


def _reading_value_errors(item: MediaItem, day: date | None, views) -> tuple[dict, int | None]:
    errors = {}
    if day is None:
        errors["date"] = "请填写读数日期。"
    elif day > timezone.localdate():
        errors["date"] = "读数日期不能晚于今天。"
    elif day < item.publish_date:
        errors["date"] = f"读数日期不能早于发布日期({item.publish_date:%Y-%m-%d})。"
    try:
        views = int(views)
    except (TypeError, ValueError):
        errors["views"] = "观看人次应为整数。"
        return errors, None
    if views < 0:
        errors["views"] = "观看人次不能小于 0。"
    return errors, views


def _clean_reading(item: MediaItem, day: date | None, views) -> int:
    errors, views = _reading_value_errors(item, day, views)
    if errors:
        raise ValidationError(errors)
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
    item = lock(item, "org")
    check_edit(actor, item.org)
    views = _clean_reading(item, date, views)
    note = text(note)
    if len(note) > 200:
        raise ValidationError({"note": "来源说明最多 200 字。"})
    reading = MediaReading.objects.create(media_item=item, date=date, views=views, note=note,
                                          recorded_by=person(actor))
    audit.record(actor=actor, action="outreach.reading.add", obj=reading, org=item.org,
                 object_repr=f"{item.title} {reading}", changes={"date": date.isoformat(), "views": views})
    return reading


def _remove_entry(entry, *, actor, action: str, reason: str):
    """Soft-delete a reading or a pick-up: `soft_delete`'s sequence, the unit being the media item's (the
    entry has none of its own)."""
    reason = text(reason)
    if not reason:
        raise ValidationError({"reason": "请填写删除原因。"})
    entry = lock(entry, "media_item__org")
    org = entry.media_item.org
    check_edit(actor, org)
    if not entry.is_deleted:
        entry.is_deleted, entry.deleted_at = True, timezone.now()
        entry.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
        audit.record(actor=actor, action=action, obj=entry, org=org, changes={"reason": reason})
    return entry


@transaction.atomic
def reading_remove(*, actor, reading: MediaReading, reason: str) -> MediaReading:
    return _remove_entry(reading, actor=actor, action="outreach.reading.delete", reason=reason)


# --- pick-ups --------------------------------------------------------------------------------------------


def _pickup_errors(item: MediaItem, pickup: Pickup) -> dict:
    errors = {}
    if not pickup.outlet:
        errors["outlet"] = "请填写采用平台或媒体(如:学习强国)。"
    if pickup.kind not in PickupKind.values:
        errors["kind"] = "请选择采用方式。"
    if pickup.date is None:
        errors["date"] = "请填写采用日期。"
    elif pickup.date > timezone.localdate():
        errors["date"] = "采用日期不能晚于今天。"
    elif pickup.date < item.publish_date:
        errors["date"] = f"采用日期不能早于发布日期({item.publish_date:%Y-%m-%d})。"
    if pickup.url and _url_error(pickup.url):
        errors["url"] = URL_ERROR
    return errors


@transaction.atomic
def pickup_add(*, actor, item: MediaItem, outlet: str, date: date, column: str = "", kind: str = PickupKind.ADOPTED,
               url: str = "", note: str = "") -> Pickup:
    check_edit(actor, item.org)
    pickup = Pickup(media_item=item, outlet=text(outlet), column=text(column), date=date, kind=kind,
                    url=text(url), note=text(note))
    errors = _pickup_errors(item, pickup)
    if errors:
        raise ValidationError(errors)
    pickup.full_clean()
    pickup.save()
    audit.record(actor=actor, action="outreach.pickup.add", obj=pickup, org=item.org,
                 object_repr=f"{item.title} 被 {pickup} 采用",
                 changes={"outlet": pickup.outlet, "column": pickup.column, "date": date.isoformat()})
    return pickup


@transaction.atomic
def pickup_remove(*, actor, pickup: Pickup, reason: str) -> Pickup:
    return _remove_entry(pickup, actor=actor, action="outreach.pickup.delete", reason=reason)
