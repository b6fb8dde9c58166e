"""Factories of the registry tests: valid ID numbers and workers made through the services."""

from __future__ import annotations

import itertools

from laomo.core.actors import SYSTEM
from laomo.core.idnumber import check_digit

_seq = itertools.count(101)


def make_id(region: str = "331102", birth: str = "19650312", seq: str | None = None, *,
            male: bool | None = None) -> str:
    """A valid 18-digit ID number; an odd last sequence digit is a man, an even one a woman.

    Without `seq` the sequence comes from one counter shared by every factory, so two numbers made in one test
    never collide (the modules' factories once kept counters of their own, and one's 201 met another's 201).
    """
    if seq is None:
        n = next(_seq)
        while male is not None and n % 2 != (1 if male else 0):
            n = next(_seq)
        seq = f"{n % 1000:03d}"
    first17 = f"{region}{birth}{seq}"
    return first17 + check_digit(first17)


def id_ending_in_x(region: str = "331102", birth: str = "19700101") -> str:
    """A valid ID number whose check character is X."""
    for n in range(1000):
        first17 = f"{region}{birth}{n:03d}"
        if check_digit(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check digit found")


def wrong_check(number: str) -> str:
    """The same number with a wrong check character."""
    right = number[17]
    wrong = "0" if right != "0" else "1"
    return number[:17] + wrong


def full_width(text: str) -> str:
    """Half-width digits and letters → full-width (as typed with a Chinese IME)."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def make_worker(org, name: str = "张三", *, actor=SYSTEM, honors=(), **fields):
    """A worker created through the service; `honors` are (title, year) pairs added through the service."""
    from laomo.workers import services

    worker = services.worker_create(actor=actor, org=org, name=name, **fields)
    for title, year in honors:
        services.honor_add(actor=actor, worker=worker, title=title, year=year)
    worker.refresh_from_db()
    return worker
