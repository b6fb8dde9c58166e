"""Sections of the summary report (DESIGN.md §7). Each module registers its own when it lands;
a module that has not landed has no section (absent, not zero).

A section is `fn(*, year, org)` -> its figures for `org`. One that also takes `units` (the units directly
below `org`) returns {unit pk: figures} for them, computed grouped by unit (`laomo.core.byunit`); the
workspace and the returns then cost the same number of queries whatever the number of units."""

import inspect
from collections.abc import Callable

_SECTIONS: dict[str, tuple[int, Callable]] = {}


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
