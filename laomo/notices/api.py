"""/api/v1/notices: the publisher's notices (with receipts), the unit inbox, and 确认收到; scoped like the pages."""

from __future__ import annotations

from datetime import date, datetime

from django.urls import reverse
from ninja import Router, Schema
from ninja.errors import HttpError

from laomo.api.common import NOT_IN_SCOPE, PageNo, one_in_scope, paged, requires

from . import selectors, services

router = Router(tags=["文件下发"])


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    for_workers: bool
    url: str


class NoticeItem(Schema):
    id: int
    title: str
    doc_number: str
    category: str
    org: str
    org_name: str
    status: str
    published_at: datetime | None
    deadline: date | None


class ReceiptOut(Schema):
    unit: str
    unit_name: str
    read_at: datetime | None
    confirmed_at: datetime | None
    confirmed_by: str


class NoticeDetail(NoticeItem):
    body: str
    worker_text: str
    withdraw_reason: str
    units: int
    confirmed: int
    unread: int
    receipts: list[ReceiptOut]
    attachments: list[AttachmentOut]


class NoticePage(Schema):
    items: list[NoticeItem]
    next: str | None


class InboxItem(NoticeItem):
    read_at: datetime | None
    confirmed_at: datetime | None


class InboxPage(Schema):
    items: list[InboxItem]
    next: str | None


def _item(n) -> dict:
    return {"id": n.pk, "title": n.title, "doc_number": n.doc_number, "category": n.category, "org": n.org.code,
            "org_name": n.org.name, "status": n.status, "published_at": n.published_at, "deadline": n.deadline}


def _attachments(notice) -> list[dict]:
    return [{"id": a.pk, "name": a.name, "size": a.size, "for_workers": a.for_workers,
             "url": reverse("notices:attachment", args=[a.pk])} for a in notice.attachments.all()]


@router.get("/notices", response=NoticePage, summary="已发通知(本单位及下级发布的通知)")
@requires("view_business")
def notice_list(request, q: str = "", status: str = "", page: PageNo = 1):
    rows, nxt = paged(request, selectors.notice_list(user=request.user, status=status, q=q), page)
    return {"items": [_item(n) for n in rows], "next": nxt}


@router.get("/notices/inbox", response=InboxPage, summary="本单位收到的通知(未读在前)")
@requires("view_business")
def inbox_list(request, unconfirmed: bool = False, q: str = "", page: PageNo = 1):
    rows, nxt = paged(request, selectors.inbox_list(user=request.user, unconfirmed=unconfirmed, q=q), page)
    return {"items": [{**_item(r.notice), "read_at": r.read_at, "confirmed_at": r.confirmed_at} for r in rows],
            "next": nxt}


@router.get("/notices/{notice_id}", response=NoticeDetail, summary="通知详情与各单位签收情况")
@requires("view_business")
def notice_detail(request, notice_id: int):
    notice = one_in_scope(selectors.notice_base(request.user), notice_id, "通知")
    receipts, counts = selectors.receipts_of(notice)
    return {**_item(notice), "body": notice.body, "worker_text": notice.worker_text,
            "withdraw_reason": notice.withdraw_reason, "units": counts.units, "confirmed": counts.confirmed,
            "unread": counts.unread, "attachments": _attachments(notice),
            "receipts": [{"unit": r.unit.code, "unit_name": r.unit.name, "read_at": r.read_at,
                          "confirmed_at": r.confirmed_at,
                          "confirmed_by": r.confirmed_by.full_name if r.confirmed_by else ""} for r in receipts]}


@router.post("/notices/{notice_id}/confirm", response=InboxItem, summary="确认收到(本单位)")
@requires("view_business")
def notice_confirm(request, notice_id: int):
    receipt = _receipt(request, notice_id)
    receipt = services.notice_confirm(actor=request.user, notice=receipt.notice)
    return {**_item(receipt.notice), "read_at": receipt.read_at, "confirmed_at": receipt.confirmed_at}


def _receipt(request, notice_id: int):
    """The caller's unit's receipt of the notice, or 422 (the same answer for missing and not a target)."""
    row = selectors.inbox_base(request.user).filter(notice_id=notice_id).first()
    if row is None:
        raise HttpError(422, f"通知(ID {notice_id}){NOT_IN_SCOPE}。")
    return row
