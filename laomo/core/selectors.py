from datetime import datetime, time

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
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


_NOT_READ = object()

# The menu's badge on every page: COUNT of the recipient's unread notifications, grouped by the recipient (one
# row, or none for zero) so that it is a plain query, compiled once (laomo.core.prepared).
_UNREAD = PreparedQuery(
    lambda pk: Notification.objects.filter(recipient=pk, read_at__isnull=True).order_by()
    .values("recipient").annotate(n=Count("pk")).values_list("n"),
    0,
)


# Every write of notifications in this process (`core.services.notify`, `notifications_mark_read`) moves this
# on: a count read with the user's row stands only while no such write has happened since it was read.
_notification_writes = 0


def notifications_written() -> None:
    global _notification_writes
    _notification_writes += 1  # a lost update between threads still moves it past what a reader kept


def unread_with_user(user_ref: str = "pk") -> Subquery:
    """The unread count of the user at `user_ref` (outer reference; NULL for none), to annotate as
    `unread_notifications_n` on the session's user query: the menu's badge then needs no query of its own
    (issue 16)."""
    return Subquery(Notification.objects.filter(recipient=OuterRef(user_ref), read_at__isnull=True).order_by()
                    .values("recipient").annotate(n=Count("pk")).values("n"))


def unread_read_with(user) -> None:
    """Called when `user` was loaded with `unread_with_user`: keeps the moment (in notification writes)."""
    user._laomo_unread_at = _notification_writes


def unread_count(*, user) -> int:
    # getattr: request.user is a lazy object around the user
    loaded = getattr(user, "unread_notifications_n", _NOT_READ)
    if loaded is not _NOT_READ and getattr(user, "_laomo_unread_at", None) == _notification_writes:
        return loaded or 0
    rows = _UNREAD.rows(user.pk)
    return rows[0][0] if rows else 0


def get_in_scope(qs: QuerySet, pk, message: str):
    """The row `pk` of a queryset already scoped to the user (`*_base(user)`), or 404 with `message` —
    "…不存在或不在您的数据范围内": the same answer for a missing row and one outside the scope."""
    row = qs.filter(pk=pk).first()
    if row is None:
        raise Http404(message)
    return row
