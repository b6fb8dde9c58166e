"""The test factories' ID numbers: one counter for every module's factory, so a test's workers never collide."""

from __future__ import annotations

from laomo.core.idnumber import parse_id_number
from laomo.workers.tests.factories import make_id


def test_it_never_repeats_a_number_within_a_thousand_calls_whatever_the_sex_asked():
    made = [make_id("331126", "19700101", male=[None, True, False][n % 3]) for n in range(600)]
    assert len(set(made)) == len(made)


def test_it_gives_the_sex_asked_for():
    for _ in range(20):
        assert parse_id_number(make_id("331102", "19650312", male=True)).sex == "M"
        assert parse_id_number(make_id("331102", "19650312", male=False)).sex == "F"
