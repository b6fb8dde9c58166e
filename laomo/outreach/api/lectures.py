"""/api/v1 operations of 宣讲 and their photos."""

import datetime as dt

from django.urls import reverse
from ninja import File, Form, Schema, Status
from ninja.files import UploadedFile

from laomo.api.common import PageNo, Year, org_or_none, paged, requires, with_org
from laomo.workers.selectors import worker_base

from .. import selectors, services
from ..models import Lecture
from .common import campaign_in_scope, router

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


LIST_FIELDS = ("id", "date", "title", "status", "org__code", "org__name", "venue_type", "venue_name", "format",
               "audience", "campaign_id", "summary")


def _lecture_items(rows: list[dict]) -> list[dict]:
    """A page of lectures read as values (no model instances, no prefetch) as `_lecture_out` gives them."""
    speakers = selectors.speakers_of([r["id"] for r in rows])
    return [{
        "id": r["id"], "date": r["date"], "title": r["title"], "status": r["status"], "org": r["org__code"],
        "org_name": r["org__name"], "venue_type": r["venue_type"], "venue_name": r["venue_name"],
        "format": r["format"], "audience": r["audience"], "campaign": r["campaign_id"], "summary": r["summary"],
        "speakers": [{"worker": s["worker_id"], "name": s["name"]} for s in speakers[r["id"]]], "photos": [],
    } for r in rows]


def _speakers(items: list[SpeakerIO]) -> list:
    return [services.Speaker(worker=s.worker, name=s.name) for s in items]


@router.get("/lectures", response=LecturePage, summary="宣讲列表")
@requires("view_business")
def lecture_list(request, q: str = "", org: str = "", venue_type: str = "", format: str = "", status: str = "",
                 date_from: dt.date | None = None, date_to: dt.date | None = None, year: Year | None = None,
                 campaign: int | None = None, worker: int | None = None, page: PageNo = 1):
    """Filters as on the list page; `worker` lists the lectures a worker spoke at."""
    f = selectors.LectureFilters(
        q=q, org=org_or_none(request, org), venue_type=venue_type, format=format, status=status, date_from=date_from,
        date_to=date_to, year=year, campaign=campaign_in_scope(request, campaign),
        worker=worker_base(request.user).filter(pk=worker).first() if worker else None)
    if worker and f.worker is None:
        return {"items": [], "next": None}
    rows, nxt = paged(request, selectors.lecture_list(user=request.user, filters=f).prefetch_related(None)
                      .values(*LIST_FIELDS), page)
    return {"items": _lecture_items(rows), "next": nxt}


@router.get("/lectures/{lecture_id}", response=LectureOut, summary="宣讲详情")
@requires("view_business")
def lecture_detail(request, lecture_id: int):
    lecture = selectors.lecture_get(user=request.user, pk=lecture_id)
    return _lecture_out(lecture, selectors.photos_of(lecture))


@router.post("/lectures", response={201: LectureOut}, summary="登记宣讲")
@requires("edit_business")
def lecture_create(request, payload: LectureIn):
    """Speakers: `{"worker": id}` for a model worker in your scope, `{"name": "…"}` for anyone else."""
    data = with_org(request, payload, optional=True)
    data["campaign"] = campaign_in_scope(request, data["campaign"])
    data["speakers"] = _speakers(payload.speakers)
    lecture = services.lecture_create(actor=request.user, **data)
    return Status(201, _lecture_out(selectors.lecture_get(user=request.user, pk=lecture.pk), []))


@router.patch("/lectures/{lecture_id}", response=LectureOut, summary="修改宣讲")
@requires("edit_business")
def lecture_update(request, lecture_id: int, payload: LecturePatch):
    lecture = selectors.lecture_get(user=request.user, pk=lecture_id)
    changes = with_org(request, payload, partial=True, optional=True)
    if "campaign" in changes:
        changes["campaign"] = campaign_in_scope(request, changes["campaign"])
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
