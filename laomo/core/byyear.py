"""A report section's figures for several years of one unit, in one query per figure family (issue 16).

The counterpart of `laomo.core.byunit` for the years of a trend. A section states once which records count
in a year, as a function `in_year(year) -> Q`, and uses it both for one year (`qs.filter(in_year(year))`)
and for several:

- flows (a record counts in the one year of its date: lectures, visits, hours, money, trips) are grouped by
  that year, `aggregate` / `count`: the records of all the years in one query, each row keyed by the year
  whose `in_year` it meets;
- figures as of a date or of a period (teams in being, studios in being, mentorships running: a record
  counts in every year it spans) take one filtered aggregate per year in one query, `aggregate_each` /
  `tally_each`.

Either way each year's figure is the aggregate over exactly the rows `qs.filter(in_year(year))` holds, as
the section computes it for that year alone:

    by = ByYear(years)
    visits = by.aggregate(visits_qs, visit_in_year, n=Count("id"))     # {year: {"n": ...}}
    teams = by.aggregate_each(teams_qs, team_in_year, n=Count("id"))   # {year: {"n": ...}}
    return by.each(lambda y: {"visits": visits[y]["n"], "teams": teams[y]["n"]})
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from functools import reduce

from django.db.models import Aggregate, Case, Count, IntegerField, Q, QuerySet, Value, When

_YEAR = "_year"


class ByYear:
    def __init__(self, years: Iterable[int]):
        self.years = list(dict.fromkeys(years))
        if not self.years:
            raise ValueError("ByYear: no year")

    def _any_year(self, in_year: Callable[[int], Q]) -> Q:
        return reduce(operator.or_, (in_year(y) for y in self.years))

    def aggregate(self, qs: QuerySet, in_year: Callable[[int], Q], **aggregates) -> dict:
        """{year: qs.filter(in_year(year)).aggregate(**aggregates)} for a flow: a row meets `in_year` of one
        year at most (for a year without rows: each aggregate's value over no rows)."""
        key = Case(*(When(in_year(y), then=Value(y)) for y in self.years), output_field=IntegerField())
        rows = {row.pop(_YEAR): row
                for row in qs.filter(self._any_year(in_year)).order_by().values(**{_YEAR: key}).annotate(**aggregates)}
        empty = qs.none().aggregate(**aggregates)  # no query: what each aggregate gives over no rows
        return {y: rows.get(y) or dict(empty) for y in self.years}

    def count(self, qs: QuerySet, in_year: Callable[[int], Q]) -> dict:
        """{year: qs.filter(in_year(year)).count()} for a flow."""
        return {y: row["_n"] for y, row in self.aggregate(qs, in_year, _n=Count("*")).items()}

    def aggregate_each(self, qs: QuerySet, in_year: Callable[[int], Q], **aggregates: Aggregate) -> dict:
        """{year: qs.filter(in_year(year)).aggregate(**aggregates)} where a row may count in several years:
        each aggregate once per year, filtered by that year's `in_year` (and its own filter, if any)."""
        per_year = {f"{name}__{y}": _within(agg, in_year(y)) for y in self.years for name, agg in aggregates.items()}
        row = qs.filter(self._any_year(in_year)).aggregate(**per_year)
        return {y: {name: row[f"{name}__{y}"] for name in aggregates} for y in self.years}

    def tally_each(self, qs: QuerySet, in_year: Callable[[int], Q], by: str) -> dict:
        """{year: {value of `by`: number of rows of qs.filter(in_year(year))}} (values without rows absent),
        a row counting in every year whose `in_year` it meets."""
        counts = {f"_n{y}": Count("pk", filter=in_year(y)) for y in self.years}
        out: dict[int, dict] = {y: {} for y in self.years}
        for row in qs.filter(self._any_year(in_year)).order_by().values(by).annotate(**counts):
            for y in self.years:
                if row[f"_n{y}"]:
                    out[y][row[by]] = row[f"_n{y}"]
        return out

    def each(self, build: Callable[[int], dict]) -> dict:
        """The section: {year: build(year)}."""
        return {y: build(y) for y in self.years}


def _within(aggregate: Aggregate, condition: Q) -> Aggregate:
    """`aggregate` over the rows meeting `condition` besides its own filter."""
    if not isinstance(aggregate, Aggregate):
        raise TypeError(f"ByYear.aggregate_each: {aggregate!r} is not an aggregate")
    out = aggregate.copy()
    out.filter = condition if aggregate.filter is None else condition & aggregate.filter
    return out
