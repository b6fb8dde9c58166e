"""The worker timeline: each module registers a provider of dated entries for a worker."""

from collections.abc import Callable
from datetime import date

from .models import WorkerLifeEvent
from .selectors import honors_of

_PROVIDERS: list[Callable] = []


def register_timeline(fn):
    _PROVIDERS.append(fn)
    return fn


def timeline_for(*, worker, user) -> list[dict]:
    """Entries {date, label, title, url?, when?} of every module, newest first.

    ``when``, if given, is shown instead of the date (a year-only honor reads "2020年").
    """
    entries: list[dict] = []
    for provider in _PROVIDERS:
        entries.extend(provider(worker=worker, user=user) or [])
    return sorted(entries, key=lambda e: e["date"] or date.min, reverse=True)


@register_timeline
def honors_timeline(*, worker, user):
    # A year-only honor sorts as 1 January but reads "2020年", never a made-up "2020-01-01".
    return [{"date": h.award_date or (date(h.year, 1, 1) if h.year else None), "label": "荣誉",
             "when": "" if h.award_date or not h.year else f"{h.year}年",
             "title": h.title} for h in honors_of(worker=worker)]


@register_timeline
def life_events_timeline(*, worker, user):
    return [{"date": e.day, "label": e.get_event_display(),
             "title": f"登记{e.get_event_display()}" + (f":{e.summary}" if e.summary else "")}
            for e in WorkerLifeEvent.objects.filter(worker=worker).order_by("-day", "-id")]
