"""A list's filters declared once: which attribute of the filter dataclass narrows the queryset, and how.

Every module's list selector used to write the same chain (`if f.org is not None: qs = qs.filter(...)`,
`if f.status: ...`, `if f.date_from: ...`) field by field. A selector now declares its rules and calls
`apply_filters`:

    LECTURE_RULES = {
        "q": lambda q: Q(title__contains=q) | Q(venue_name__contains=q),
        "org": in_subtree(),                 # a unit: records of it and below it
        "status": "status",                  # a lookup: Q(status=value)
        "date_from": "date__gte",
        "year": in_year("date"),             # the calendar year of a date field
    }
    qs = apply_filters(qs, filters, LECTURE_RULES)

A filter with no value (None, "", whitespace, an empty list) narrows nothing; False and 0 are values.
Strings are stripped. A rule that is a function gets the value and returns a condition (a Q or an
expression such as Exists), or None to narrow nothing for that value. Each rule is its own `.filter()`
call, in the order declared, exactly as the chains it replaces (this matters for multi-valued joins).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Q, QuerySet

from .years import year_dates

Rule = str | Callable[[Any], Any]


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset):
        return not value
    return False


def apply_filters(qs: QuerySet, filters, rules: Mapping[str, Rule]) -> QuerySet:
    """`qs` narrowed by every rule whose filter attribute has a value (see the module docstring)."""
    for name, rule in rules.items():
        value = getattr(filters, name)
        if is_empty(value):
            continue
        if isinstance(value, str):
            value = value.strip()
        condition = Q(**{rule: value}) if isinstance(rule, str) else rule(value)
        if condition is not None:
            qs = qs.filter(condition)
    return qs


def in_subtree(field: str = "org") -> Callable:
    """A unit as the value: records whose unit (`field`) is that unit or below it."""
    return lambda org: org.subtree_q(field)


def in_year(field: str) -> Callable:
    """A year as the value: records whose date `field` falls in that calendar year."""
    def rule(year: int) -> Q | None:
        if not year:  # 0: no year chosen
            return None
        start, end = year_dates(year)
        return Q(**{f"{field}__gte": start, f"{field}__lte": end})
    return rule


def one_of(mapping: Mapping[Any, Any]) -> Callable:
    """A value that names a condition (`{"1": Q(is_void=True), "0": Q(is_void=False)}`); others narrow nothing."""
    return lambda value: mapping.get(value)
