"""The time services see: now, or a past moment while demo data (or a test) replays history with `at`.

Business rows carry their own dates; this clock stamps what services create as a side effect
(notifications, events) so that replayed history reads in order instead of all at the moment it ran.
"""

import contextvars
from contextlib import contextmanager

from django.utils import timezone

_moment: contextvars.ContextVar = contextvars.ContextVar("laomo_clock", default=None)


def now():
    return _moment.get() or timezone.now()


@contextmanager
def at(moment):
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)


def moment_on(day, hour: int = 9):
    """`hour` o'clock of `day`, local time, never later than now (for replaying history with `at`)."""
    from datetime import datetime, time

    return min(timezone.make_aware(datetime.combine(day, time(hour, 0))), timezone.now())
