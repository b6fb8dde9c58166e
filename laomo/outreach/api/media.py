"""/api/v1 operations of 传播作品 with their readings and pick-ups."""

import datetime as dt

from ninja import Schema, Status
from ninja.errors import HttpError

from laomo.api.common import PageNo, Year, one_in_scope, org_or_none, requires

from .. import selectors, services
from ..models import MediaItem
from .common import campaign_in_scope, page_of_items, router

# --- media items, readings, pick-ups ---------------------------------------------------------------------


class MediaOut(Schema):
    id: int
    title: str
    kind: str
    platform: str
    url: str
    publish_date: dt.date
    org: str
    org_name: str
    lecture: int | None
    campaign: int | None
    note: str
    latest_views: int | None
    latest_date: dt.date | None
    pickups: int


class MediaIn(Schema):
    title: str
    platform: str
    publish_date: dt.date
    org: str
    kind: str = "video"
    url: str = ""
    lecture: int | None = None
    campaign: int | None = None
    note: str = ""


class MediaPatch(Schema):
    title: str | None = None
    platform: str | None = None
    publish_date: dt.date | None = None
    org: str | None = None
    kind: str | None = None
    url: str | None = None
    lecture: int | None = None
    campaign: int | None = None
    note: str | None = None


class MediaPage(Schema):
    items: list[MediaOut]
    next: str | None


class ReadingOut(Schema):
    id: int
    date: dt.date
    views: int
    note: str


class ReadingIn(Schema):
    date: dt.date
    views: int
    note: str = ""


class PickupOut(Schema):
    id: int
    kind: str
    outlet: str
    column: str
    date: dt.date
    url: str
    note: str


class PickupIn(Schema):
    outlet: str
    date: dt.date
    column: str = ""
    kind: str = "adopted"
    url: str = ""
    note: str = ""


def _media_out(m: MediaItem) -> dict:
    return {"id": m.pk, "title": m.title, "kind": m.kind, "platform": m.platform.label, "url": m.url,
            "publish_date": m.publish_date, "org": m.org.code, "org_name": m.org.name, "lecture": m.lecture_id,
            "campaign": m.campaign_id, "note": m.note, "latest_views": m.latest_views,
            "latest_date": m.latest_date, "pickups": m.pickup_count or 0}


def _media_refs(request, data: dict) -> dict:
    if "org" in data:
        data["org"] = org_or_none(request, data["org"])
    if "campaign" in data:
        data["campaign"] = campaign_in_scope(request, data["campaign"])
    if "platform" in data:
        platform = selectors.platform_by_name(data["platform"])
        if platform is None:
            names = "、".join(p.label for p in selectors.platforms())
            raise HttpError(422, f"平台“{data['platform']}”不存在,可选:{names}。")
        data["platform"] = platform
    if data.get("lecture") is not None:
        data["lecture"] = one_in_scope(selectors.lecture_base(request.user), data["lecture"], "宣讲")
    return data


def _media_item(request, pk: int) -> MediaItem:
    return selectors.media_list(user=request.user).filter(pk=pk).first() or selectors.media_get(
        user=request.user, pk=pk)


@router.get("/media-items", response=MediaPage, summary="传播作品列表")
@requires("view_business")
def media_list(request, q: str = "", org: str = "", platform: str = "", kind: str = "", year: Year | None = None,
               campaign: int | None = None, picked_up: bool | None = None, page: PageNo = 1):
    """`latest_views` is the latest reading; a year's figure in the summary is the latest reading in that year."""
    f = selectors.MediaFilters(q=q, org=org_or_none(request, org), kind=kind, year=year,
                               platform=selectors.platform_by_name(platform),
                               campaign=campaign_in_scope(request, campaign), picked_up=picked_up)
    if platform and f.platform is None:
        return {"items": [], "next": None}
    return page_of_items(request, selectors.media_list(user=request.user, filters=f), page, _media_out)


@router.get("/media-items/{item_id}", response=MediaOut, summary="传播作品详情")
@requires("view_business")
def media_detail(request, item_id: int):
    return _media_out(_media_item(request, item_id))


@router.post("/media-items", response={201: MediaOut}, summary="登记传播作品")
@requires("edit_business")
def media_create(request, payload: MediaIn):
    item = services.media_create(actor=request.user, **_media_refs(request, payload.dict()))
    return Status(201, _media_out(_media_item(request, item.pk)))


@router.patch("/media-items/{item_id}", response=MediaOut, summary="修改传播作品")
@requires("edit_business")
def media_update(request, item_id: int, payload: MediaPatch):
    item = selectors.media_get(user=request.user, pk=item_id)
    services.media_update(actor=request.user, item=item, **_media_refs(request, payload.dict(exclude_unset=True)))
    return _media_out(_media_item(request, item_id))


@router.get("/media-items/{item_id}/readings", response=list[ReadingOut], summary="观看量读数")
@requires("view_business")
def reading_list(request, item_id: int):
    return list(selectors.readings_of(selectors.media_get(user=request.user, pk=item_id)))


@router.post("/media-items/{item_id}/readings", response={201: ReadingOut}, summary="记录观看量读数")
@requires("edit_business")
def reading_create(request, item_id: int, payload: ReadingIn):
    """A dated reading of the cumulative count; it may not be below an earlier reading or above a later one."""
    item = selectors.media_get(user=request.user, pk=item_id)
    return Status(201, services.reading_add(actor=request.user, item=item, **payload.dict()))


@router.get("/media-items/{item_id}/pickups", response=list[PickupOut], summary="采用/转载")
@requires("view_business")
def pickup_list(request, item_id: int):
    return list(selectors.pickups_of(selectors.media_get(user=request.user, pk=item_id)))


@router.post("/media-items/{item_id}/pickups", response={201: PickupOut}, summary="记录采用/转载")
@requires("edit_business")
def pickup_create(request, item_id: int, payload: PickupIn):
    item = selectors.media_get(user=request.user, pk=item_id)
    return Status(201, services.pickup_add(actor=request.user, item=item, **payload.dict()))
