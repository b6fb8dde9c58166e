"""Sections of the summary report (DESIGN.md §7). Each module registers its own when it lands;
a module that has not landed has no section (absent, not zero)."""

from collections.abc import Callable

_SECTIONS: dict[str, tuple[int, Callable]] = {}


def register_section(name: str, order: int):
    def decorator(fn):
        _SECTIONS[name] = (order, fn)
        return fn

    return decorator


def sections() -> list[tuple[str, Callable]]:
    return [(name, fn) for name, (order, fn) in sorted(_SECTIONS.items(), key=lambda item: item[1][0])]
