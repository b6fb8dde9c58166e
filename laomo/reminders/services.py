"""The daily run (`reminders_run`) and the cheap re-check of the rows a page shows (`reminders_recheck`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from laomo.core import audit
from laomo.core.actors import SYSTEM
from laomo.core.clock import now
from laomo.core.models import Counter
from laomo.core.services import notify
from laomo.orgs.models import OrgUnit
from laomo.orgs.selectors import staff_responsible_for

from .kinds import KINDS, Kind
from .models import Reminder

LOCK_NAME = "reminders.run"


def _lock() -> None:
    """Serialize runs (the consumer's daily task and a manual `reminders_run`) on one row."""
    Counter.objects.get_or_create(name=LOCK_NAME)
    Counter.objects.select_for_update(of=("self",)).get(name=LOCK_NAME)


@transaction.atomic
def reminders_run(*, today: date, actor=SYSTEM) -> dict:
    """Compute every kind's due items on `today`: create the new ones (and notify the staff responsible for
    their unit), reopen those whose condition came back, settle the open ones whose condition no longer holds.
    Idempotent: a second run on the same day changes nothing."""
    _lock()
    counts = {"created": 0, "reopened": 0, "settled": 0, "open": 0}
    created: list[Reminder] = []
    for kind in KINDS.values():
        result = _sync_kind(kind, today)
        created += result.pop("new")
        for key, value in result.items():
            counts[key] += value
    if created or counts["reopened"] or counts["settled"]:
        audit.record(actor=actor, action="reminders.reminder.run", object_type="reminders.reminder",
                     object_repr=f"{today:%Y-%m-%d} 待办提醒", changes={k: [None, v] for k, v in counts.items()})
    _notify_new(created)
    return counts


def _sync_kind(kind: Kind, today: date) -> dict:
    dues = {d.key: d for d in kind.due(today)}
    periods = {period for _, period in dues}  # a few values, where the refs may be thousands
    existing = {r.key: r for r in Reminder.objects.filter(Q(settled_at__isnull=True) | Q(period__in=periods),
                                                          kind=kind.code)}
    moment = now()
    new = [Reminder(kind=kind.code, ref=d.ref, period=d.period, title=d.title, org_id=d.org_id, due_date=d.due_date,
                    url=d.url) for key, d in dues.items() if key not in existing]
    Reminder.objects.bulk_create(new)
    reopened = settled = 0
    for key, row in existing.items():
        d = dues.get(key)
        if d is None:
            if row.settled_at is None:
                settled += Reminder.objects.filter(pk=row.pk, settled_at__isnull=True).update(settled_at=moment)
            continue
        fields = {"title": d.title, "org_id": d.org_id, "due_date": d.due_date, "url": d.url}
        if row.settled_at is not None:
            reopened += 1
            fields["settled_at"] = None
        if any(getattr(row, f) != v for f, v in fields.items()):
            Reminder.objects.filter(pk=row.pk).update(**fields)
    return {"new": new, "created": len(new), "reopened": reopened, "settled": settled, "open": len(dues)}


def _notify_new(created: list[Reminder]) -> None:
    """One notification per staff member per run (not one per reminder): the count and the first title."""
    if not created:
        return
    per_user: dict[int, list] = defaultdict(list)
    users = {}
    orgs = OrgUnit.objects.in_bulk({r.org_id for r in created})
    staff_of = {}
    for r in sorted(created, key=lambda x: (x.due_date, x.pk or 0)):
        if r.org_id not in staff_of:
            staff_of[r.org_id] = staff_responsible_for(orgs[r.org_id])
        for user in staff_of[r.org_id]:
            users[user.pk] = user
            per_user[user.pk].append(r.title)
    url = reverse("reminders:index")
    for pk, titles in per_user.items():
        more = f"等 {len(titles)} 条" if len(titles) > 1 else ""
        notify(recipients=[users[pk]], text=f"新的待办提醒:{titles[0]}{more}"[:300], url=url)


@transaction.atomic
def reminders_recheck(*, reminders, today: date, actor=SYSTEM) -> int:
    """Settle the given open reminders whose condition no longer holds on `today` (the page's cheap
    re-check of the rows it is about to show: one query per kind, on those objects only)."""
    by_kind = defaultdict(list)
    for r in reminders:
        if r.settled_at is None:
            by_kind[r.kind].append(r)
    gone = []
    for code, rows in by_kind.items():
        kind = KINDS.get(code)
        if kind is None:
            continue
        keys = {d.key for d in kind.due(today, refs={r.ref for r in rows})}
        gone += [r.pk for r in rows if r.key not in keys]
    if not gone:
        return 0
    settled = Reminder.objects.filter(pk__in=gone, settled_at__isnull=True).update(settled_at=now())
    audit.record(actor=actor, action="reminders.reminder.settle", object_type="reminders.reminder",
                 object_repr=f"{settled} 条待办提醒已办结", changes={"settled": [None, settled]})
    return settled
