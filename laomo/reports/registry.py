"""Sections of the summary report (DESIGN.md §7). Each module registers its own when it lands;
a module that has not landed has no section (absent, not zero).

A section is `fn(*, year, org)` -> its figures for `org`. One that also takes `units` (the units directly
below `org`) returns {unit pk: figures} for them, computed grouped by unit (`laomo.core.byunit`); the
workspace and the returns then cost the same number of queries whatever the number of units.

A section may also register `fn(*, years, org)` -> {year: its figures for `org` in that year} under its name
(`register_years`), computed for all the years at once (`laomo.core.byyear`): the workspace's five-year trend
then costs about one summary's queries, not five."""

import inspect
from collections.abc import Callable

_SECTIONS: dict[str, tuple[int, Callable]] = {}
_YEARS: dict[str, Callable] = {}


def register_section(name: str, order: int):
    def decorator(fn):
        _SECTIONS[name] = (order, fn)
        return fn

    return decorator


def sections() -> list[tuple[str, Callable]]:
    return [(name, fn) for name, (order, fn) in sorted(_SECTIONS.items(), key=lambda item: item[1][0])]


def groups_by_unit(fn: Callable) -> bool:
    """Whether a section computes the units below a unit in one go (`fn(year=, org=, units=)`)."""
    return "units" in inspect.signature(fn).parameters


def register_years(name: str):
    """`fn(*, years, org)` gives the section `name` for several years: {year: section(year=year, org=org)}."""
    def decorator(fn):
        _YEARS[name] = fn
        return fn

    return decorator


def years_of(name: str) -> Callable | None:
    """The section's function for several years at once, if it has one."""
    return _YEARS.get(name)
