"""The records behind a figure of the summary report: every number of the reports workspace links to them.

A module registers, next to its summary section, one `Drill` per figure (or per family of figures, with a `*`
for the last key: `outreach.lectures_by_venue.*`). A drill is built from the same filters as the figure, and
its `value` recomputes the figure from the listed records, so the list and the number cannot disagree (a test
walks every figure and compares).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet


@dataclass
class Column:
    label: str
    value: Callable[[object], object]
    numeric: bool = False


@dataclass
class Drill:
    """`qs`: the records; `columns`: what the list shows; `value(qs)`: the figure from those records
    (default: their count); `link(obj)`: the record's own page, if it has one; `note`: the counting rule."""

    qs: QuerySet
    columns: list[Column]
    note: str = ""
    value: Callable[[QuerySet], object] | None = None
    link: Callable[[object], str | None] | None = None
    measure: str = "记录数"
    order: list[str] = field(default_factory=list)

    def figure(self):
        return self.value(self.qs) if self.value is not None else self.qs.count()


_DRILLS: dict[str, Callable] = {}
_NOTES: dict[str, str] = {}


def register_drill(path: str, note: str = ""):
    """Register `fn(*, year, org, key=None) -> Drill` for the figure at `path` ("section.key[.sub]"; `*` matches
    the last key, passed as `key`)."""

    def decorator(fn):
        _DRILLS[path] = fn
        if note:
            _NOTES[path] = note
        return fn

    return decorator


def _lookup(path: str) -> tuple[Callable, str | None] | None:
    if path in _DRILLS:
        return _DRILLS[path], None
    head, _, last = path.rpartition(".")
    if head and f"{head}.*" in _DRILLS:
        return _DRILLS[f"{head}.*"], last
    return None


def has_drill(path: str) -> bool:
    return _lookup(path) is not None


def drill_for(path: str, *, year: int, org) -> Drill | None:
    found = _lookup(path)
    if found is None:
        return None
    fn, key = found
    return fn(year=year, org=org, key=key) if key is not None else fn(year=year, org=org)


def note_for(path: str) -> str:
    """The counting rule (口径说明) shown beside a figure: its own, else its family's, else its section's."""
    head, _, _ = path.rpartition(".")
    for candidate in (path, f"{head}.*", head, path.split(".")[0]):
        if candidate in _NOTES:
            return _NOTES[candidate]
    return ""


def register_note(path: str, note: str) -> None:
    _NOTES[path] = note


def as_text(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
