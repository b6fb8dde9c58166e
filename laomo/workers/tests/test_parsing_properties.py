"""Properties of the honor-text parser (DESIGN.md §4 "Honor text → (level, kind)"), checked with hypothesis.

Derandomized with modest example counts: the same examples on every run, in well under a second each.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from laomo.workers.parsing import LISHUI_PLACES, HonorParseError, lishui_place_kind, parse_honor

PROPERTY = settings(max_examples=150, derandomize=True, database=None, deadline=None)

# (the words naming the place, the level they give). The level of a Lishui place comes from the org
# tree's kind, never from the 市 character: 丽水市 is a city (municipal), 龙泉市 a county-level city.
PLACES = [
    *[(name, "municipal" if place.kind == "city" else "county")
      for place in LISHUI_PLACES for name in (place.name, *place.aliases)],
    ("全国", "national"), ("浙江省", "provincial"), ("浙江", "provincial"), ("省", "provincial"),
    ("省部级", "provincial"), ("市", "municipal"), ("市级", "municipal"), ("县", "county"), ("区", "county"),
    ("县级", "county"),
]
KINDS = [("劳动模范", "model_worker"), ("劳模", "model_worker"), ("先进工作者", "advanced_worker"),
         ("五一劳动奖章", "may_day_medal"), ("工匠", "craftsman")]
YEARS = st.one_of(st.none(), st.integers(1950, 2025))


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@st.composite
def titles(draw) -> tuple[str, str, str, int | None, str]:
    """A well-formed honor text and what it must parse to: (text, level, kind, year, title without year)."""
    place, level = draw(st.sampled_from(PLACES))
    word, kind = draw(st.sampled_from(KINDS))
    year = draw(YEARS)
    bare = text = place + word
    if year is not None:
        text = draw(st.sampled_from([f"{year}年{text}", f"{year}年度{text}", f"{text}({year}年)", f"{text}({year})"]))
    return text, level, kind, year, bare


@st.composite
def variants(draw, text: str) -> str:
    """The same text as typed elsewhere: full-width brackets and digits, spaces anywhere in it."""
    if draw(st.booleans()):
        text = full_width(text)
    out = []
    for ch in text:
        out.append(draw(st.sampled_from(["", "", "", " ", "\u3000", "\t"])))
        out.append(ch)
    return "".join(out) + draw(st.sampled_from(["", " ", "\u3000"]))


@PROPERTY
@given(st.one_of(
    st.text(max_size=60),
    st.text(alphabet="全国浙江省市县区丽水龙泉莲都劳动模范先进工作者五一奖章工匠劳模年度称号()（）、,;/|\n 0129",
            max_size=40),
))
@example("2015年")
@example("(((")
def test_it_gives_honors_or_its_own_error_for_any_text(text):
    try:
        honors = parse_honor(text, lishui_place_kind)
    except HonorParseError:
        return
    for honor in honors:
        assert honor.level in {"national", "provincial", "municipal", "county"}
        assert honor.kind in {"model_worker", "advanced_worker", "may_day_medal", "craftsman"}


@PROPERTY
@given(titles())
@example(("龙泉市劳动模范", "county", "model_worker", None, "龙泉市劳动模范"))
@example(("丽水市劳动模范", "municipal", "model_worker", None, "丽水市劳动模范"))
def test_it_parses_a_well_formed_title_to_the_level_of_its_place(title):
    text, level, kind, year, bare = title
    [honor] = parse_honor(text, lishui_place_kind)
    assert (honor.level, honor.kind, honor.year) == (level, kind, year)
    assert honor.title == bare  # the year is kept apart from the title


@PROPERTY
@given(st.data())
def test_it_parses_whitespace_and_full_width_variants_the_same(data):
    text, *_ = data.draw(titles())
    assert parse_honor(data.draw(variants(text)), lishui_place_kind) == parse_honor(text, lishui_place_kind)


@PROPERTY
@given(st.lists(titles(), min_size=1, max_size=4), st.sampled_from(["、", ",", ";", "/", "\n", ",", ";"]))
def test_it_parses_several_titles_in_one_cell_as_each_alone(many, separator):
    cell = separator.join(text for text, *_ in many)
    alone = [h for text, *_ in many for h in parse_honor(text, lishui_place_kind)]
    assert parse_honor(cell, lishui_place_kind) == alone


@pytest.mark.django_db
def test_it_decides_the_level_by_the_org_tree_of_the_database_as_well(orgs):
    """Every (place, kind) pair parses the same with the resolver the importer builds from the org tree."""
    from laomo.workers.services import place_kind_from_orgs

    from_tree = place_kind_from_orgs()
    for place, level in PLACES:
        for word, kind in KINDS:
            [honor] = parse_honor(place + word, from_tree)
            assert (honor.level, honor.kind) == (level, kind), place + word
