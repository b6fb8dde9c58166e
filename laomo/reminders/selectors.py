"""Reads of the reminders, scoped: county staff see their county's, city staff all, viewers their unit's."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from laomo.core.scope import scope_queryset

from .kinds import KINDS
from .models import Reminder

PER_KIND = 100


def open_reminders(*, user, org=None, kind: str = "") -> QuerySet[Reminder]:
    qs = scope_queryset(Reminder.objects.filter(settled_at__isnull=True), user, org_field="org")
    if org is not None:
        qs = qs.filter(org.subtree_q("org"))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("org").order_by("due_date", "id")


def grouped(*, user, kind: str = "", per_kind: int = PER_KIND) -> list[dict]:
    """The open reminders in scope by kind (the kinds' order): up to `per_kind` rows each, and the count."""
    counts = dict(open_reminders(user=user, kind=kind).values_list("kind").annotate(n=Count("id"))
                  .values_list("kind", "n"))
    groups = []
    for code, k in KINDS.items():
        if counts.get(code):
            rows = list(open_reminders(user=user, kind=code)[:per_kind])
            groups.append({"code": code, "label": k.label, "rows": rows, "count": counts[code]})
    return groups


def open_count(*, user, org=None) -> int:
    return open_reminders(user=user, org=org).count()
