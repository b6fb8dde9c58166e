"""Reads of 文件下发, scoped by the user: the publisher side (notices of units in the user's scope), the inbox
(published notices to the user's own unit), and the worker part (published to a unit above the worker's)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from laomo.core.permissions import has_capability
from laomo.core.scope import org_in_scope, scope_queryset
from laomo.core.selectors import get_in_scope
from laomo.orgs.models import OrgKind, OrgUnit

from .models import Notice, NoticeAttachment, NoticeReceipt, NoticeStatus

NOT_FOUND = "通知不存在或不在您的数据范围内"


def notice_base(user) -> QuerySet[Notice]:
    """Notices published by units in the user's scope (the publisher side)."""
    return scope_queryset(Notice.objects.select_related("org"), user, org_field="org")


def notice_list(*, user, status: str = "", q: str = "") -> QuerySet[Notice]:
    qs = notice_base(user).annotate(
        n_units=Count("receipts"), n_confirmed=Count("receipts", filter=Q(receipts__confirmed_at__isnull=False)),
        n_read=Count("receipts", filter=Q(receipts__read_at__isnull=False)))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(doc_number__icontains=q))
    return qs.order_by("-created_at", "-id")


def notice_get(*, user, pk) -> Notice:
    return get_in_scope(notice_base(user), pk, NOT_FOUND)


def inbox_base(user) -> QuerySet[NoticeReceipt]:
    """The receipts of the user's own unit for published (or withdrawn) notices."""
    if not has_capability(user, "view_business") or not user.org_id:
        return NoticeReceipt.objects.none()
    return (NoticeReceipt.objects.select_related("notice", "notice__org", "confirmed_by", "read_by")
            .filter(unit_id=user.org_id).exclude(notice__status=NoticeStatus.DRAFT))


def inbox_list(*, user, unconfirmed: bool = False, q: str = "") -> QuerySet[NoticeReceipt]:
    qs = inbox_base(user)
    if unconfirmed:
        qs = qs.filter(confirmed_at__isnull=True, notice__status=NoticeStatus.PUBLISHED)
    if q:
        qs = qs.filter(Q(notice__title__icontains=q) | Q(notice__doc_number__icontains=q))
    # Unread first, then the newest.
    read = ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField())
    return qs.annotate(is_read=read).order_by("is_read", "-notice__published_at", "-id")


def received_get(*, user, pk) -> NoticeReceipt:
    """The receipt of the user's unit for notice `pk` (404 when the unit is not a target)."""
    receipt = inbox_base(user).filter(notice_id=pk).first()
    if receipt is None:
        raise Http404(NOT_FOUND)
    return receipt


def inbox_unread_count(*, user) -> int:
    return inbox_base(user).filter(read_at__isnull=True, notice__status=NoticeStatus.PUBLISHED).count()


@dataclass
class ReceiptCounts:
    units: int
    read: int
    confirmed: int

    @property
    def unread(self) -> int:
        return self.units - self.read

    @property
    def unconfirmed(self) -> int:
        return self.units - self.confirmed


def receipts_of(notice: Notice, *, unconfirmed: bool = False) -> tuple[list[NoticeReceipt], ReceiptCounts]:
    qs = notice.receipts.select_related("unit", "read_by", "confirmed_by")
    rows = list(qs)
    counts = ReceiptCounts(units=len(rows), read=sum(r.read_at is not None for r in rows),
                           confirmed=sum(r.confirmed_at is not None for r in rows))
    if unconfirmed:
        rows = [r for r in rows if r.confirmed_at is None]
    return rows, counts


def target_choices(user, org: OrgUnit) -> QuerySet[OrgUnit]:
    """The units below `org` a notice may go to (active ones in the user's scope)."""
    qs = OrgUnit.objects.filter(path__startswith=org.path, is_active=True).exclude(pk=org.pk)
    return qs.order_by("path") if org_in_scope(user, org) else OrgUnit.objects.none()


def county_units(org: OrgUnit) -> QuerySet[OrgUnit]:
    """The shortcut “全部县(市、区)”: the county-level units below `org`."""
    return OrgUnit.objects.filter(path__startswith=org.path, kind=OrgKind.COUNTY, is_active=True).order_by("path")


def publisher_units(user) -> QuerySet[OrgUnit]:
    """The units the user may publish for: the user's own unit and those in scope that have units below."""
    qs = OrgUnit.objects.filter(is_active=True, children__isnull=False).distinct().order_by("path")
    return OrgUnit.objects.filter(pk__in=[u.pk for u in qs if org_in_scope(user, u)]).order_by("path")


# --- what a user may see of one notice, and its files -------------------------------------------------------


def may_see_as_publisher(user, notice: Notice) -> bool:
    return has_capability(user, "view_business") and org_in_scope(user, notice.org)


def worker_notices(*, worker) -> QuerySet[Notice]:
    """Published notices with a part for workers, sent to a unit at or above the worker's unit."""
    if worker is None or not worker.org_id:
        return Notice.objects.none()
    units = OrgUnit.ids_on_path(worker.org.path)  # the worker's unit and every unit above it
    return (Notice.objects.filter(status=NoticeStatus.PUBLISHED, receipts__unit_id__in=units)
            .exclude(worker_text="").select_related("org").distinct().order_by("-published_at"))


def attachment_get(*, user, pk, worker=None) -> NoticeAttachment:
    """An attachment the user may download: as the publisher side, as a target unit's staff, or (for a file
    marked for workers) as a worker the notice reaches; otherwise 404, the same for missing and hidden."""
    row = NoticeAttachment.objects.select_related("notice", "notice__org").filter(pk=pk).first()
    if row is None:
        raise Http404("附件不存在或不在您的数据范围内")
    notice = row.notice
    if may_see_as_publisher(user, notice) or inbox_base(user).filter(notice=notice).exists():
        return row
    if row.for_workers and worker is not None and worker_notices(worker=worker).filter(pk=notice.pk).exists():
        return row
    raise Http404("附件不存在或不在您的数据范围内")
