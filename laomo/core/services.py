from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .clock import now
from .deliveries import deliveries_create
from .models import Counter, Notification
from .selectors import notifications_written


@transaction.atomic
def counter_allocate(name: str, count: int = 1) -> range:
    """Reserve `count` consecutive numbers of a named counter; safe under concurrent writers."""
    Counter.objects.get_or_create(name=name)
    counter = Counter.objects.select_for_update(of=("self",)).get(name=name)
    start = counter.value + 1
    Counter.objects.filter(name=name).update(value=F("value") + count)
    return range(start, start + count)


def notify(*, recipients, text: str, url: str = "") -> int:
    """Create one in-app notification per recipient, and the deliveries of the configured outbound channels
    (email, SMS, group robots: `core.deliveries`), sent after the commit; the bell never waits for them."""
    created_at = now()  # the moment being replayed when demo data builds history (core.clock.at)
    rows = [Notification(recipient=user, text=text[:300], url=url[:300], created_at=created_at)
            for user in recipients]
    Notification.objects.bulk_create(rows)
    notifications_written()
    if rows:
        deliveries_create(users=[r.recipient for r in rows], text=text, url=url)
    return len(rows)


def notifications_mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    notifications_written()
    return qs.update(read_at=timezone.now())
