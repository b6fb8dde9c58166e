"""The worker timeline: each module registers a provider of dated entries for a worker."""

from collections.abc import Callable
from datetime import date

_PROVIDERS: list[Callable] = []


def register_timeline(fn):
    _PROVIDERS.append(fn)
    return fn


def timeline_for(*, worker, user) -> list[dict]:
    """Entries {date, label, title, url?} of every module, newest first."""
    entries: list[dict] = []
    for provider in _PROVIDERS:
        entries.extend(provider(worker=worker, user=user) or [])
    return sorted(entries, key=lambda e: e["date"] or date.min, reverse=True)


@register_timeline
def honors_timeline(*, worker, user):
    from .selectors import honors_of

    return [{"date": h.award_date or (date(h.year, 1, 1) if h.year else None), "label": "荣誉",
             "title": f"{h.year or ''}{'年 ' if h.year else ''}{h.title}"} for h in honors_of(worker=worker)]
