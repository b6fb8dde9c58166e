"""Life events of a worker (去世, 退休): each module closes what must close, through its own services.

The registry follows the worker timeline's shape (`workers.timeline.register_timeline`): a module registers a
handler with `@register_life_event` in a module imported from its `AppConfig.ready()`. The workers app never
imports the modules; they import this file (they already depend on `workers`), so there is no import cycle.

A handler is `handler(*, worker, event, day, actor) -> list[str]`: it runs inside the status change's
transaction, calls its module's services (each audits what it closes) and returns short Chinese phrases of
what it closed ("已撤回 2 项疗休养报名"), or notes for the clerk ("1 条去世日期后的慰问记录请核查").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError

from laomo.core.actors import person

from .models import EmploymentStatus, WorkerLifeEvent

DIED = "died"
RETIRED = "retired"
EVENT_OF_STATUS = {EmploymentStatus.DECEASED: DIED, EmploymentStatus.RETIRED: RETIRED}
EVENT_LABELS = {DIED: "去世", RETIRED: "退休"}

_HANDLERS: list[Callable] = []


def register_life_event(fn):
    _HANDLERS.append(fn)
    return fn


@dataclass
class LifeEventResult:
    event: str
    day: date
    closed: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return ",".join(self.closed)


def errors_text(exc: Exception) -> str:
    """A refusal of a closing service, as one line (the item stays open and the clerk is told)."""
    if isinstance(exc, ValidationError):
        return ";".join(m for msgs in getattr(exc, "message_dict", {"": exc.messages}).values() for m in msgs)
    return str(exc)


def run_life_event(*, worker, event: str, day: date, actor) -> LifeEventResult:
    """Run every module's handler for `event` (inside the caller's transaction)."""
    result = LifeEventResult(event=event, day=day)
    for handler in _HANDLERS:
        result.closed.extend(handler(worker=worker, event=event, day=day, actor=actor) or [])
    return result


def close_each(items, close, *, failures: list[str]) -> int:
    """Call `close(item)` for each item; a refusal leaves that item open and is noted. Returns the count closed.

    Each closing service is atomic (a savepoint), so a refused one rolls back alone.
    """
    done = 0
    for item in items:
        try:
            close(item)
        except (ValidationError, PermissionDenied) as exc:
            failures.append(errors_text(exc))
        else:
            done += 1
    return done


def life_event_record(*, worker, before: str, actor) -> LifeEventResult | None:
    """After a status change: run the handlers when the worker newly died or retired, and keep the result."""
    event = EVENT_OF_STATUS.get(worker.employment_status)
    if event is None or worker.status_date is None or before == worker.employment_status:
        return None
    result = run_life_event(worker=worker, event=event, day=worker.status_date, actor=actor)
    WorkerLifeEvent.objects.create(worker=worker, event=event, day=worker.status_date, summary=result.summary,
                                   recorded_by=person(actor))
    return result
