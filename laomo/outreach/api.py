"""/api/v1 endpoints of 宣讲与宣传: lectures, media items (+ readings, pick-ups), 班前十分钟, campaigns, showcases.

Scoped by the token's user through the same selectors and services as the pages."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from laomo.api.common import PageNo, Year, one_in_scope, org_or_none, paged, requires
from laomo.workers.selectors import worker_base

from . import selectors, services
from .models import Campaign, Lecture, MediaItem, PreShiftSession, Showcase

router = Router(tags=["宣讲与宣传"])
_org = org_or_none  # an optional org code in the caller's scope (no code: None)


def _campaign(request, pk: int | None) -> Campaign | None:
    if pk is None:
        return None
    return one_in_scope(selectors.campaign_base(request.user), pk, "活动")


def _page(request, qs, page: int, item) -> dict:
    rows, nxt = paged(request, qs, page)
    return {"items": [item(r) for r in rows], "next": nxt}


# --- campaigns -------------------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    theme: str
    start_date: dt.date
    end_date: dt.date
    org: str
    org_name: str
    description: str


class CampaignIn(Schema):
    name: str
    org: str
    start_date: dt.date
    end_date: dt.date
    theme: str = ""
    description: str = ""


class CampaignPatch(Schema):
    name: str | None = None
    org: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    theme: str | None = None
    description: str | None = None


class CampaignPage(Schema):
    items: list[CampaignOut]
    next: str | None


def _campaign_out(c: Campaign) -> dict:
    return {"id": c.pk, "name": c.name, "theme": c.theme, "start_date": c.start_date, "end_date": c.end_date,
            "org": c.org.code, "org_name": c.org.name, "description": c.description}


@router.get("/campaigns", response=CampaignPage, summary="主题宣传活动列表")
@requires("view_business")
def campaign_list(request, q: str = "", org: str = "", year: Year | None = None, page: PageNo = 1):
    qs = selectors.campaign_list(user=request.user, filters=selectors.CampaignFilters(q=q, org=_org(request, org),
                                                                                       year=year))
    return _page(request, qs, page, _campaign_out)


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="主题宣传活动详情")
@requires("view_business")
def campaign_detail(request, campaign_id: int):
    return _campaign_out(selectors.campaign_get(user=request.user, pk=campaign_id))


@router.post("/campaigns", response={201: CampaignOut}, summary="新建主题宣传活动")
@requires("edit_business")
def campaign_create(request, payload: CampaignIn):
    data = payload.dict()
    data["org"] = _org(request, data["org"])
    return Status(201, _campaign_out(services.campaign_create(actor=request.user, **data)))


@router.patch("/campaigns/{campaign_id}", response=CampaignOut, summary="修改主题宣传活动")
@requires("edit_business")
def campaign_update(request, campaign_id: int, payload: CampaignPatch):
    campaign = selectors.campaign_get(user=request.user, pk=campaign_id)
    changes = payload.dict(exclude_unset=True)
    if "org" in changes:
        changes["org"] = _org(request, changes["org"])
    return _campaign_out(services.campaign_update(actor=request.user, campaign=campaign, **changes))


# --- lectures --------------------------------------------------------------------------------------------


class SpeakerIO(Schema):
    worker: int | None = None
    name: str = ""


class PhotoOut(Schema):
    id: str
    url: str
    thumb_url: str
    caption: str
    width: int
    height: int


class LectureOut(Schema):
    id: int
    date: dt.date
    title: str
    status: str
    org: str
    org_name: str
    venue_type: str
    venue_name: str
    format: str
    audience: int
    campaign: int | None
    summary: str
    speakers: list[SpeakerIO]
    photos: list[PhotoOut] = []


class LectureIn(Schema):
    date: dt.date
    title: str
    org: str
    venue_type: str
    speakers: list[SpeakerIO]
    venue_name: str = ""
    format: str = "lecture"
    status: str = "held"
    audience: int = 0
    campaign: int | None = None
    summary: str = ""


class LecturePatch(Schema):
    date: dt.date | None = None
    title: str | None = None
    org: str | None = None
    venue_type: str | None = None
    speakers: list[SpeakerIO] | None = None
    venue_name: str | None = None
    format: str | None = None
    status: str | None = None
    audience: int | None = None
    campaign: int | None = None
    summary: str | None = None


class LecturePage(Schema):
    items: list[LectureOut]
    next: str | None


def _photo_out(p) -> dict:
    return {"id": str(p.pk), "url": reverse("outreach:photo", args=[p.pk]),
            "thumb_url": reverse("outreach:photo_thumb", args=[p.pk]), "caption": p.caption, "width": p.width,
            "height": p.height}


def _lecture_out(lec: Lecture, photos=None) -> dict:
    return {
        "id": lec.pk, "date": lec.date, "title": lec.title, "status": lec.status, "org": lec.org.code,
        "org_name": lec.org.name, "venue_type": lec.venue_type, "venue_name": lec.venue_name, "format": lec.format,
        "audience": lec.audience, "campaign": lec.campaign_id, "summary": lec.summary,
        "speakers": [{"worker": s.worker_id, "name": s.display_name} for s in lec.speakers.all()],
        "photos": [_photo_out(p) for p in photos] if photos is not None else [],
    }


def _speakers(items: list[SpeakerIO]) -> list:
    return [services.Speaker(worker=s.worker, name=s.name) for s in items]


@router.get("/lectures", response=LecturePage, summary="宣讲列表")
@requires("view_business")
def lecture_list(request, q: str = "", org: str = "", venue_type: str = "", format: str = "", status: str = "",
                 date_from: dt.date | None = None, date_to: dt.date | None = None, year: Year | None = None,
                 campaign: int | None = None, worker: int | None = None, page: PageNo = 1):
    """Filters as on the list page; `worker` lists the lectures a worker spoke at."""
    f = selectors.LectureFilters(
        q=q, org=_org(request, org), venue_type=venue_type, format=format, status=status, date_from=date_from,
        date_to=date_to, year=year, campaign=_campaign(request, campaign),
        worker=worker_base(request.user).filter(pk=worker).first() if worker else None)
    if worker and f.worker is None:
        return {"items": [], "next": None}
    return _page(request, selectors.lecture_list(user=request.user, filters=f), page, _lecture_out)


@router.get("/lectures/{lecture_id}", response=LectureOut, summary="宣讲详情")
@requires("view_business")
def lecture_detail(request, lecture_id: int):
    lecture = selectors.lecture_get(user=request.user, pk=lecture_id)
    return _lecture_out(lecture, selectors.photos_of(lecture))


@router.post("/lectures", response={201: LectureOut}, summary="登记宣讲")
@requires("edit_business")
def lecture_create(request, payload: LectureIn):
    """Speakers: `{"worker": id}` for a model worker in your scope, `{"name": "…"}` for anyone else."""
    data = payload.dict()
    data["org"] = _org(request, data["org"])
    data["campaign"] = _campaign(request, data["campaign"])
    data["speakers"] = _speakers(payload.speakers)
    lecture = services.lecture_create(actor=request.user, **data)
    return Status(201, _lecture_out(selectors.lecture_get(user=request.user, pk=lecture.pk), []))


@router.patch("/lectures/{lecture_id}", response=LectureOut, summary="修改宣讲")
@requires("edit_business")
def lecture_update(request, lecture_id: int, payload: LecturePatch):
    lecture = selectors.lecture_get(user=request.user, pk=lecture_id)
    changes = payload.dict(exclude_unset=True)
    if "org" in changes:
        changes["org"] = _org(request, changes["org"])
    if "campaign" in changes:
        changes["campaign"] = _campaign(request, changes["campaign"])
    if "speakers" in changes:
        changes["speakers"] = _speakers(payload.speakers or [])
    services.lecture_update(actor=request.user, lecture=lecture, **changes)
    lecture = selectors.lecture_get(user=request.user, pk=lecture_id)
    return _lecture_out(lecture, selectors.photos_of(lecture))


@router.post("/lectures/{lecture_id}/photos", response={201: PhotoOut}, summary="上传宣讲照片")
@requires("edit_business")
def lecture_photo(request, lecture_id: int, photo: File[UploadedFile], caption: Form[str] = ""):
    """multipart/form-data; JPG/PNG/WebP up to 10 MB; re-encoded without EXIF, served only through the scope."""
    lecture = selectors.lecture_get(user=request.user, pk=lecture_id)
    return Status(201, _photo_out(services.photo_add(actor=request.user, upload=photo, lecture=lecture,
                                                     caption=caption)))


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
        data["org"] = _org(request, data["org"])
    if "campaign" in data:
        data["campaign"] = _campaign(request, data["campaign"])
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
    f = selectors.MediaFilters(q=q, org=_org(request, org), kind=kind, year=year,
                               platform=selectors.platform_by_name(platform),
                               campaign=_campaign(request, campaign), picked_up=picked_up)
    if platform and f.platform is None:
        return {"items": [], "next": None}
    return _page(request, selectors.media_list(user=request.user, filters=f), page, _media_out)


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


# --- 班前十分钟 ------------------------------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    org: str
    enterprise: str
    workshop: str
    date: dt.date
    shift: str
    speaker: int | None
    speaker_name: str
    topic: str
    stage: str
    forms: list[str]
    participants: int
    minutes: int
    campaign: int | None
    note: str


class SessionIn(Schema):
    org: str
    enterprise: str
    date: dt.date
    topic: str
    workshop: str = ""
    shift: str = "before"
    speaker: int | None = None
    speaker_name: str = ""
    stage: str = "theory"
    forms: list[str] = []
    participants: int = 0
    minutes: int = 10
    campaign: int | None = None
    note: str = ""


class SessionPatch(Schema):
    org: str | None = None
    enterprise: str | None = None
    date: dt.date | None = None
    topic: str | None = None
    workshop: str | None = None
    shift: str | None = None
    speaker: int | None = None
    speaker_name: str | None = None
    stage: str | None = None
    forms: list[str] | None = None
    participants: int | None = None
    minutes: int | None = None
    campaign: int | None = None
    note: str | None = None


class SessionBatchIn(Schema):
    org: str
    enterprise: str
    date_from: dt.date
    date_to: dt.date
    topics: list[str]
    weekdays: list[int] = [0, 1, 2, 3, 4]
    workshop: str = ""
    shift: str = "before"
    speaker: int | None = None
    speaker_name: str = ""
    stage: str = "theory"
    forms: list[str] = []
    participants: int = 0
    minutes: int = 10
    campaign: int | None = None


class SessionBatchOut(Schema):
    created: list[SessionOut]
    skipped: list[dt.date]


class SessionPage(Schema):
    items: list[SessionOut]
    next: str | None


def _session_out(s: PreShiftSession) -> dict:
    return {"id": s.pk, "org": s.org.code, "enterprise": s.enterprise, "workshop": s.workshop, "date": s.date,
            "shift": s.shift, "speaker": s.speaker_id, "speaker_name": s.speaker_display, "topic": s.topic,
            "stage": s.stage, "forms": s.form_list, "participants": s.participants, "minutes": s.minutes,
            "campaign": s.campaign_id, "note": s.note}


def _session_refs(request, data: dict, session: PreShiftSession | None = None) -> dict:
    if "org" in data:
        data["org"] = _org(request, data["org"])
    if "campaign" in data:
        data["campaign"] = _campaign(request, data["campaign"])
    if data.get("speaker") is not None:
        keep = [session.speaker_id] if session is not None else []
        speaker = selectors.pickable_workers(user=request.user, keep=keep).filter(pk=data["speaker"]).first()
        if speaker is None:  # the services' wording: no hint whether the worker exists
            raise ValidationError({"speaker": f"所选劳模(ID {data['speaker']})不存在或不在您的数据范围内,不能选择。"})
        data["speaker"] = speaker
    return data


@router.get("/pre-shift-sessions", response=SessionPage, summary="班前十分钟列表")
@requires("view_business")
def session_list(request, q: str = "", org: str = "", stage: str = "", form: str = "", shift: str = "",
                 date_from: dt.date | None = None, date_to: dt.date | None = None, page: PageNo = 1):
    f = selectors.SessionFilters(q=q, org=_org(request, org), stage=stage, form=form, shift=shift,
                                 date_from=date_from, date_to=date_to)
    return _page(request, selectors.session_list(user=request.user, filters=f), page, _session_out)


@router.post("/pre-shift-sessions/batch", response={201: SessionBatchOut}, summary="批量登记班前十分钟")
@requires("edit_business")
def session_batch(request, payload: SessionBatchIn):
    """One session per chosen weekday (0 = Monday) in the period, topics in turn; recorded days are skipped."""
    result = services.session_batch(actor=request.user, **_session_refs(request, payload.dict()))
    return Status(201, {"created": [_session_out(s) for s in result.created], "skipped": result.skipped})


@router.get("/pre-shift-sessions/{session_id}", response=SessionOut, summary="班前十分钟详情")
@requires("view_business")
def session_detail(request, session_id: int):
    return _session_out(selectors.session_get(user=request.user, pk=session_id))


@router.post("/pre-shift-sessions", response={201: SessionOut}, summary="登记班前十分钟")
@requires("edit_business")
def session_create(request, payload: SessionIn):
    session = services.session_create(actor=request.user, **_session_refs(request, payload.dict()))
    return Status(201, _session_out(session))


@router.patch("/pre-shift-sessions/{session_id}", response=SessionOut, summary="修改班前十分钟")
@requires("edit_business")
def session_update(request, session_id: int, payload: SessionPatch):
    session = selectors.session_get(user=request.user, pk=session_id)
    session = services.session_update(actor=request.user, session=session,
                                      **_session_refs(request, payload.dict(exclude_unset=True), session))
    return _session_out(selectors.session_get(user=request.user, pk=session.pk))


# --- showcases -------------------------------------------------------------------------------------------


class ShowcaseOut(Schema):
    id: int
    name: str
    host_type: str
    host_place: str
    org: str
    org_name: str
    opened_date: dt.date
    closed_date: dt.date | None
    address: str
    description: str
    featured_workers: list[int]


class ShowcaseIn(Schema):
    name: str
    host_type: str
    host_place: str
    org: str
    opened_date: dt.date
    closed_date: dt.date | None = None
    address: str = ""
    description: str = ""
    featured_workers: list[int] = []


class ShowcasePatch(Schema):
    name: str | None = None
    host_type: str | None = None
    host_place: str | None = None
    org: str | None = None
    opened_date: dt.date | None = None
    closed_date: dt.date | None = None
    address: str | None = None
    description: str | None = None
    featured_workers: list[int] | None = None


class ShowcasePage(Schema):
    items: list[ShowcaseOut]
    next: str | None


def _showcase_out(s: Showcase, user=None) -> dict:
    return {"id": s.pk, "name": s.name, "host_type": s.host_type, "host_place": s.host_place, "org": s.org.code,
            "org_name": s.org.name, "opened_date": s.opened_date, "closed_date": s.closed_date, "address": s.address,
            "description": s.description, "featured_workers": [w.pk for w in s.featured_workers.all()]}


@router.get("/showcases", response=ShowcasePage, summary="风采展示区列表")
@requires("view_business")
def showcase_list(request, q: str = "", org: str = "", host_type: str = "", open: bool | None = None, page: PageNo = 1):
    f = selectors.ShowcaseFilters(q=q, org=_org(request, org), host_type=host_type, open=open)
    return _page(request, selectors.showcase_list(user=request.user, filters=f), page, _showcase_out)


@router.get("/showcases/{showcase_id}", response=ShowcaseOut, summary="风采展示区详情")
@requires("view_business")
def showcase_detail(request, showcase_id: int):
    return _showcase_out(selectors.showcase_get(user=request.user, pk=showcase_id))


@router.post("/showcases", response={201: ShowcaseOut}, summary="新建风采展示区")
@requires("edit_business")
def showcase_create(request, payload: ShowcaseIn):
    data = payload.dict()
    data["org"] = _org(request, data["org"])
    showcase = services.showcase_create(actor=request.user, **data)
    return Status(201, _showcase_out(selectors.showcase_get(user=request.user, pk=showcase.pk)))


@router.patch("/showcases/{showcase_id}", response=ShowcaseOut, summary="修改风采展示区")
@requires("edit_business")
def showcase_update(request, showcase_id: int, payload: ShowcasePatch):
    showcase = selectors.showcase_get(user=request.user, pk=showcase_id)
    changes = payload.dict(exclude_unset=True)
    if "org" in changes:
        changes["org"] = _org(request, changes["org"])
    services.showcase_update(actor=request.user, showcase=showcase, **changes)
    return _showcase_out(selectors.showcase_get(user=request.user, pk=showcase_id))
