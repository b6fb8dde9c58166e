"""A report section's figures for one unit, or for each unit below it in one grouped query per figure (issue 16).

A section is written once against a `ByUnit`. For the unit alone (`units` None) each figure family is the
plain query it always was (`aggregate`, `count`), under the key None. For the units directly below a unit,
the same querysets are narrowed to the records below it and grouped by the child unit whose subtree holds
each record (`OrgUnit.child_key`): one query per figure family whatever the number of units, and the same
figures as computing each unit on its own (a record counts in its unit and every unit above it):

    by = ByUnit(org, units)
    visits = by.aggregate(visits_qs, n=Count("id"))          # {key: {"n": ...}}
    surveyed = by.count(surveys_qs)                          # {key: int}
    return by.each(lambda k: {"visits": visits[k]["n"], "surveyed": surveyed[k]})

`each` returns the section's dict for the unit alone, or {unit pk: dict} for the units below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.models import Count, QuerySet

_COUNT = "_n"


class ByUnit:
    def __init__(self, org, units: Sequence | None = None):
        self.org = org
        self.units = None if units is None else list(units)

    def _key(self, unit) -> str:
        """The value of `OrgUnit.child_key` for records in `unit`'s subtree: its segment of the path."""
        return unit.path[len(self.org.path):].strip("/")

    def _grouped(self, qs: QuerySet, field: str, *extra: str) -> QuerySet:
        return (qs.filter(self.org.below_q(field)).order_by()
                .values(*extra, _unit=self.org.child_key(field)))

    def aggregate(self, qs: QuerySet, field: str = "org", **aggregates) -> dict:
        """{key: qs.aggregate(**aggregates)} (for a unit without records: each aggregate's value over no rows)."""
        if self.units is None:
            return {None: qs.aggregate(**aggregates)}
        rows = {row.pop("_unit"): row for row in self._grouped(qs, field).annotate(**aggregates)}
        empty = qs.none().aggregate(**aggregates)  # no query: what each aggregate gives over no rows
        return {u.pk: rows.get(self._key(u)) or dict(empty) for u in self.units}

    def count(self, qs: QuerySet, field: str = "org") -> dict:
        """{key: qs.count()}."""
        if self.units is None:
            return {None: qs.count()}
        return {k: row[_COUNT] for k, row in self.aggregate(qs, field, **{_COUNT: Count("*")}).items()}

    def tally(self, qs: QuerySet, by: str, field: str = "org") -> dict:
        """{key: {value of `by`: number of rows}} (values without rows absent)."""
        if self.units is None:
            return {None: dict(qs.order_by().values(by).annotate(**{_COUNT: Count("*")}).values_list(by, _COUNT))}
        out = {u.pk: {} for u in self.units}
        by_text = {self._key(u): u.pk for u in self.units}
        for row in self._grouped(qs, field, by).annotate(**{_COUNT: Count("*")}):
            pk = by_text.get(row["_unit"])
            if pk is not None:
                out[pk][row[by]] = row[_COUNT]
        return out

    def each(self, build: Callable[[object], dict]):
        """The section: build(None) for the unit alone, else {unit pk: build(unit pk)}."""
        if self.units is None:
            return build(None)
        return {u.pk: build(u.pk) for u in self.units}
