"""A report section's figures for several years of one unit, in one query per figure family (issue 16).

The counterpart of `laomo.core.byunit` for the years of a trend. A section states once which records count
in a run of years, as a function `in_years(first, last=None) -> Q` (a record counting in some year from
`first` to `last`, `last` defaulting to `first`), and uses it both for one year (`qs.filter(in_years(year))`)
and for several (the records of consecutive years are read as one range, which an index serves best):

- flows (a record counts in the one year of its date: lectures, visits, hours, money, trips) are grouped by
  that year, `aggregate` / `count`: the records of all the years in one query, each row keyed by the year
  whose `in_years` it meets;
- figures as of a date or of a period (teams in being, studios in being, mentorships running: a record
  counts in every year it spans) take one filtered aggregate per year in one query, `aggregate_each` /
  `tally_each`.

Either way each year's figure is the aggregate over exactly the rows `qs.filter(in_years(year))` holds, as
the section computes it for that year alone:

    by = ByYear(years)
    visits = by.aggregate(visits_qs, visit_in, n=Count("id"))      # {year: {"n": ...}}
    teams = by.aggregate_each(teams_qs, team_in, n=Count("id"))    # {year: {"n": ...}}
    return by.each(lambda y: {"visits": visits[y]["n"], "teams": teams[y]["n"]})
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from functools import reduce

from django.db.models import Aggregate, Case, Count, IntegerField, Q, QuerySet, Value, When

_YEAR = "_year"
InYears = Callable[..., Q]  # in_years(first, last=None) -> Q


class ByYear:
    def __init__(self, years: Iterable[int]):
        self.years = list(dict.fromkeys(years))
        if not self.years:
            raise ValueError("ByYear: no year")

    def _runs(self) -> list[tuple[int, int]]:
        """The years as runs of consecutive years, (first, last) each."""
        runs: list[list[int]] = []
        for y in sorted(self.years):
            if runs and y == runs[-1][1] + 1:
                runs[-1][1] = y
            else:
                runs.append([y, y])
        return [(first, last) for first, last in runs]

    def within(self, in_years: InYears) -> Q:
        """The records that count in any of the years."""
        return reduce(operator.or_, (in_years(first, last) for first, last in self._runs()))

    def aggregate(self, qs: QuerySet, in_years: InYears, **aggregates) -> dict:
        """{year: qs.filter(in_years(year)).aggregate(**aggregates)} for a flow: a row meets `in_years` of one
        year at most (for a year without rows: each aggregate's value over no rows)."""
        key = Case(*(When(in_years(y), then=Value(y)) for y in self.years), output_field=IntegerField())
        rows = {row.pop(_YEAR): row
                for row in qs.filter(self.within(in_years)).order_by().values(**{_YEAR: key}).annotate(**aggregates)}
        empty = qs.none().aggregate(**aggregates)  # no query: what each aggregate gives over no rows
        return {y: rows.get(y) or dict(empty) for y in self.years}

    def count(self, qs: QuerySet, in_years: InYears) -> dict:
        """{year: qs.filter(in_years(year)).count()} for a flow."""
        return {y: row["_n"] for y, row in self.aggregate(qs, in_years, _n=Count("*")).items()}

    def aggregate_each(self, qs: QuerySet, in_years: InYears, **aggregates: Aggregate) -> dict:
        """{year: qs.filter(in_years(year)).aggregate(**aggregates)} where a row may count in several years:
        each aggregate once per year, filtered by that year's `in_years` (and its own filter, if any)."""
        per_year = {f"{name}__{y}": _within(agg, in_years(y)) for y in self.years for name, agg in aggregates.items()}
        row = qs.filter(self.within(in_years)).aggregate(**per_year)
        return {y: {name: row[f"{name}__{y}"] for name in aggregates} for y in self.years}

    def tally_each(self, qs: QuerySet, in_years: InYears, by: str) -> dict:
        """{year: {value of `by`: number of rows of qs.filter(in_years(year))}} (values without rows absent),
        a row counting in every year whose `in_years` it meets."""
        counts = {f"_n{y}": Count("pk", filter=in_years(y)) for y in self.years}
        out: dict[int, dict] = {y: {} for y in self.years}
        for row in qs.filter(self.within(in_years)).order_by().values(by).annotate(**counts):
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
