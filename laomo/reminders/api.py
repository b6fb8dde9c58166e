"""/api/v1/reminders: the open reminders of the caller's scope (the same rows as 待办提醒)."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema

from laomo.api.common import PageNo, paged, requires

from . import selectors
from .kinds import KINDS

router = Router(tags=["待办提醒"])


class ReminderItem(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    org: str
    due_date: date
    url: str


class ReminderPage(Schema):
    items: list[ReminderItem]
    next: str | None


@router.get("/reminders", response=ReminderPage, summary="待办提醒列表")
@requires("view_business")
def reminder_list(request, kind: str = "", page: PageNo = 1):
    """Open reminders in the caller's scope, earliest due first; `kind`: birthday, elderly, studio_report,
    survey_round, retreat_deadline, request_overdue, benefits."""
    qs = selectors.open_reminders(user=request.user, kind=kind if kind in KINDS else "")
    rows, nxt = paged(request, qs, page)
    return {"items": [{"id": r.pk, "kind": r.kind, "kind_label": KINDS[r.kind].label if r.kind in KINDS else r.kind,
                       "title": r.title, "org": r.org.code, "due_date": r.due_date, "url": r.url} for r in rows],
            "next": nxt}
