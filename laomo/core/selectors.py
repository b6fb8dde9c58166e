from datetime import datetime, time

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import AuditEntry, Job, Notification
from .prepared import PreparedQuery


def audit_list(*, user, actor: str = "", action: str = "", obj: str = "", result: str = "",
               date_from=None, date_to=None) -> QuerySet[AuditEntry]:
    """The audit log, for the auditor only (the caller checks the capability)."""
    qs = AuditEntry.objects.select_related("org").order_by("-id")
    if actor:
        qs = qs.filter(actor_username__icontains=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if obj:
        qs = qs.filter(Q(object_repr__icontains=obj) | Q(object_id=obj) | Q(object_type=obj))
    if result:
        qs = qs.filter(result=result)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(date_from, time.min), tz))
    if date_to:
        qs = qs.filter(created_at__lte=timezone.make_aware(datetime.combine(date_to, time.max), tz))
    return qs


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by().values_list("action", flat=True).distinct()[:200])


def job_get(*, user, job_id) -> Job | None:
    """A job is visible to its owner only."""
    return Job.objects.filter(pk=job_id, owner=user).first()


def job_list(*, user, limit: int = 20) -> QuerySet[Job]:
    return Job.objects.filter(owner=user).order_by("-created_at")[:limit]


def notification_list(*, user, limit: int = 100) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("-created_at")[:limit])


# The menu's badge on every page: COUNT of the recipient's unread notifications, grouped by the recipient (one
# row, or none for zero) so that it is a plain query, compiled once (laomo.core.prepared).
_UNREAD = PreparedQuery(
    lambda pk: Notification.objects.filter(recipient=pk, read_at__isnull=True).order_by()
    .values("recipient").annotate(n=Count("pk")).values_list("n"),
    0,
)


def unread_count(*, user) -> int:
    rows = _UNREAD.rows(user.pk)
    return rows[0][0] if rows else 0


def get_in_scope(qs: QuerySet, pk, message: str):
    """The row `pk` of a queryset already scoped to the user (`*_base(user)`), or 404 with `message` —
    "…不存在或不在您的数据范围内": the same answer for a missing row and one outside the scope."""
    row = qs.filter(pk=pk).first()
    if row is None:
        raise Http404(message)
    return row
