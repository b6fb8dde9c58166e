"""/api/v1 operations of 班前十分钟."""

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Schema, Status

from laomo.api.common import PageNo, org_or_none, requires

from .. import selectors, services
from ..models import PreShiftSession
from .common import campaign_in_scope, page_of_items, router

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
        data["org"] = org_or_none(request, data["org"])
    if "campaign" in data:
        data["campaign"] = campaign_in_scope(request, data["campaign"])
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
    f = selectors.SessionFilters(q=q, org=org_or_none(request, org), stage=stage, form=form, shift=shift,
                                 date_from=date_from, date_to=date_to)
    return page_of_items(request, selectors.session_list(user=request.user, filters=f), page, _session_out)


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
