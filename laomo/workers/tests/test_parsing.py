"""Tests for laomo.workers.parsing (pure Python, no database)."""

from datetime import date

import pytest

from laomo.workers.parsing import (
    CITY_LEVEL_UNIT_NAME,
    LISHUI_PLACES,
    HonorParseError,
    ParsedHonor,
    ParseError,
    Place,
    lishui_place_kind,
    make_place_kind,
    normalize_region,
    parse_award_year,
    parse_birth_date,
    parse_honor,
    parse_sex,
    resolve_region,
)

UNITS = {place.name: place.code for place in LISHUI_PLACES} | {"市本级": "331100-01"}


def one(text, **kwargs):
    honors = parse_honor(text, lishui_place_kind, **kwargs)
    assert len(honors) == 1, honors
    return honors[0]


# --- places ----------------------------------------------------------------------------------


def test_it_lists_lishui_and_its_nine_county_level_units():
    assert [(p.code, p.name, p.kind) for p in LISHUI_PLACES] == [
        ("331100", "丽水市", "city"),
        ("331102", "莲都区", "county"),
        ("331121", "青田县", "county"),
        ("331122", "缙云县", "county"),
        ("331123", "遂昌县", "county"),
        ("331124", "松阳县", "county"),
        ("331125", "云和县", "county"),
        ("331126", "庆元县", "county"),
        ("331127", "景宁畲族自治县", "county"),
        ("331181", "龙泉市", "county"),
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("丽水市", "city"),
        ("丽水", "city"),
        ("龙泉市", "county"),
        ("龙泉", "county"),
        ("莲都区", "county"),
        ("庆元县", "county"),
        ("景宁县", "county"),
        ("景宁", "county"),
        ("景宁畲族自治县", "county"),
        ("杭州市", None),
        ("", None),
    ],
)
def test_it_resolves_lishui_place_kinds(name, kind):
    assert lishui_place_kind(name) == kind


# --- parse_honor: kinds and levels -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level", "kind"),
    [
        ("全国劳动模范", "national", "model_worker"),
        ("全国劳模", "national", "model_worker"),
        ("全国先进工作者", "national", "advanced_worker"),
        ("全国五一劳动奖章", "national", "may_day_medal"),
        ("全国五一劳动奖章获得者", "national", "may_day_medal"),
        ("浙江省劳动模范", "provincial", "model_worker"),
        ("浙江劳模", "provincial", "model_worker"),
        ("省劳模", "provincial", "model_worker"),
        ("省级劳动模范", "provincial", "model_worker"),
        ("省部级劳动模范", "provincial", "model_worker"),
        ("浙江省五一劳动奖章", "provincial", "may_day_medal"),
        ("浙江省先进工作者", "provincial", "advanced_worker"),
        ("浙江工匠", "provincial", "craftsman"),
        ("浙江杰出工匠", "provincial", "craftsman"),
        ("上海市劳动模范", "provincial", "model_worker"),  # a municipality is province-level
        ("丽水市劳动模范", "municipal", "model_worker"),
        ("丽水劳模", "municipal", "model_worker"),
        ("丽水工匠", "municipal", "craftsman"),
        ("丽水市五一劳动奖章", "municipal", "may_day_medal"),
        ("市劳模", "municipal", "model_worker"),
        ("市级劳动模范", "municipal", "model_worker"),
        ("龙泉市劳动模范", "county", "model_worker"),  # county-level city: county
        ("龙泉劳模", "county", "model_worker"),
        ("莲都区劳动模范", "county", "model_worker"),
        ("庆元县先进工作者", "county", "advanced_worker"),
        ("景宁县劳模", "county", "model_worker"),
        ("景宁畲族自治县劳动模范", "county", "model_worker"),
        ("丽水市莲都区劳模", "county", "model_worker"),
        ("县劳模", "county", "model_worker"),
        ("区劳模", "county", "model_worker"),
        ("县级劳动模范", "county", "model_worker"),
        ("县(市、区)劳动模范", "county", "model_worker"),
        ("大国工匠", "national", "craftsman"),
        ("享受全国劳模待遇", "national", "model_worker"),
    ],
)
def test_it_parses_honor_level_and_kind(text, level, kind):
    honor = one(text)
    assert (honor.level, honor.kind) == (level, kind)
    assert honor.title == text
    assert honor.year is None


def test_it_decides_municipal_or_county_by_the_org_tree_not_by_the_city_character():
    assert one("丽水市劳动模范").level == "municipal"
    assert one("龙泉市劳动模范").level == "county"


def test_it_uses_a_caller_supplied_place_resolver():
    places = [Place("330100", "杭州市", "city", ("杭州",)), Place("330185", "临安市", "county")]
    resolver = make_place_kind(places)
    assert parse_honor("杭州市劳动模范", resolver)[0].level == "municipal"
    assert parse_honor("临安市劳动模范", resolver)[0].level == "county"
    seen = []

    def spy(name):
        seen.append(name)
        return "county" if name == "龙泉市" else None

    assert parse_honor("龙泉市劳模", spy)[0].level == "county"
    assert "龙泉市" in seen


def test_it_normalizes_short_forms_before_asking_an_org_tree_resolver():
    official_names_only = {"丽水市": "city", "景宁畲族自治县": "county", "莲都区": "county"}.get
    assert parse_honor("景宁县劳模", official_names_only)[0].level == "county"
    assert parse_honor("莲都劳模", official_names_only)[0].level == "county"
    assert parse_honor("浙江省丽水市劳动模范", official_names_only)[0].level == "municipal"


# --- parse_honor: several honors, years, noise -----------------------------------------------


def test_it_parses_several_honors_in_one_cell():
    text = "全国劳模、浙江省劳动模范,丽水市劳模;龙泉市先进工作者/全国五一劳动奖章\n县劳模；区劳模，市劳模"
    honors = parse_honor(text, lishui_place_kind)
    assert [(h.level, h.kind) for h in honors] == [
        ("national", "model_worker"),
        ("provincial", "model_worker"),
        ("municipal", "model_worker"),
        ("county", "advanced_worker"),
        ("national", "may_day_medal"),
        ("county", "model_worker"),
        ("county", "model_worker"),
        ("municipal", "model_worker"),
    ]


def test_it_parses_honors_written_without_a_separator():
    honors = parse_honor("全国劳模 浙江省劳模", lishui_place_kind)
    assert [(h.level, h.title) for h in honors] == [("national", "全国劳模"), ("provincial", "浙江省劳模")]
    assert len(parse_honor("全国劳模浙江省劳模")) == 2


def test_it_accepts_a_leading_or_trailing_year():
    assert one("2015年浙江省劳动模范") == ParsedHonor("provincial", "model_worker", "浙江省劳动模范", 2015)
    assert one("2015年度丽水市劳模") == ParsedHonor("municipal", "model_worker", "丽水市劳模", 2015)
    assert one("2015浙江省劳动模范").year == 2015
    assert one("全国劳动模范(2010年)") == ParsedHonor("national", "model_worker", "全国劳动模范", 2010)
    assert one("全国劳动模范（2010）").year == 2010
    assert one("浙江省劳模2019年").year == 2019
    honors = parse_honor("2005年全国劳模、2010年浙江省劳模")
    assert [(h.level, h.year) for h in honors] == [("national", 2005), ("provincial", 2010)]


def test_it_rejects_an_impossible_year_in_the_honor():
    with pytest.raises(HonorParseError, match="年份"):
        parse_honor("2099年全国劳模")


def test_it_handles_full_width_characters_and_spaces():
    assert one("全国 劳动 模范").title == "全国劳动模范"
    assert one("县（市、区）劳模").level == "county"
    assert one("浙江省劳动模范（先进工作者）").kind == "model_worker"


def test_it_returns_nothing_for_blank_cells():
    assert parse_honor(None) == []
    assert parse_honor("") == []
    assert parse_honor("  、 \n") == []


@pytest.mark.parametrize("text", ["优秀共产党员", "三八红旗手", "先进个人", "优秀员工", "丽水市优秀共产党员"])
def test_it_rejects_unknown_honor_text_naming_it(text):
    with pytest.raises(HonorParseError) as exc:
        parse_honor(text)
    assert text in str(exc.value)
    assert "无法识别" in str(exc.value)


def test_it_rejects_an_unknown_honor_next_to_a_known_one():
    with pytest.raises(HonorParseError, match="先进个人"):
        parse_honor("全国劳模、先进个人")
    with pytest.raises(HonorParseError, match="优秀共产党员"):
        parse_honor("浙江省劳动模范优秀共产党员")


def test_it_rejects_an_unknown_place():
    with pytest.raises(HonorParseError, match="杭州市"):
        parse_honor("杭州市劳动模范")


def test_it_requires_a_level_unless_a_default_is_given():
    with pytest.raises(HonorParseError, match="未注明级别"):
        parse_honor("五一劳动奖章获得者")
    with pytest.raises(HonorParseError, match="未注明级别"):
        parse_honor("劳动模范")
    assert one("五一劳动奖章获得者", default_level="national").level == "national"


def test_it_honor_parse_error_is_a_value_error():
    assert issubclass(HonorParseError, ParseError)
    assert issubclass(ParseError, ValueError)


# --- parse_award_year ------------------------------------------------------------------------

TODAY = date(2024, 6, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015年", (2015, None)),
        ("2015", (2015, None)),
        ("2015年度", (2015, None)),
        (2015, (2015, None)),
        (2015.0, (2015, None)),
        ("２０１５年", (2015, None)),
        ("二〇一五年", (2015, None)),
        ("2015.04", (2015, date(2015, 4, 1))),
        ("2015.4", (2015, date(2015, 4, 1))),
        ("2015-04", (2015, date(2015, 4, 1))),
        ("2015年4月", (2015, date(2015, 4, 1))),
        ("201504", (2015, date(2015, 4, 1))),
        ("2015-4-28", (2015, date(2015, 4, 28))),
        ("2015/04/28", (2015, date(2015, 4, 28))),
        ("2015.04.28", (2015, date(2015, 4, 28))),
        ("2015年4月28日", (2015, date(2015, 4, 28))),
        ("20150428", (2015, date(2015, 4, 28))),
        ("2015-04-28 00:00:00", (2015, date(2015, 4, 28))),
        ("42122", (2015, date(2015, 4, 28))),  # Excel serial date as text
        ("42122.0", (2015, date(2015, 4, 28))),
        (" 2015 ", (2015, None)),
        (None, (None, None)),
        ("", (None, None)),
        ("  ", (None, None)),
    ],
)
def test_it_parses_award_years(text, expected):
    assert parse_award_year(text, today=TODAY) == expected


JUNK_AWARD_YEARS = ["去年", "2015年春", "abc", "15", "2015-13", "2015-02-30", "2015-04-28 10:30"]


@pytest.mark.parametrize("text", JUNK_AWARD_YEARS)
def test_it_rejects_junk_award_years(text):
    with pytest.raises(ParseError):
        parse_award_year(text, today=TODAY)


@pytest.mark.parametrize("text", ["1949", "2025", "2030年", "2024-07-01", "99999"])
def test_it_rejects_award_years_out_of_range(text):
    with pytest.raises(ParseError):
        parse_award_year(text, today=TODAY)


def test_it_award_year_error_messages_are_chinese_and_name_the_text():
    with pytest.raises(ParseError) as exc:
        parse_award_year("去年", today=TODAY)
    assert "获评时间" in str(exc.value)
    assert "去年" in str(exc.value)
    with pytest.raises(ParseError, match="1950"):
        parse_award_year("1900", today=TODAY)


# --- parse_birth_date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1965.03", date(1965, 3, 1)),
        ("1965.3", date(1965, 3, 1)),
        ("1965年3月", date(1965, 3, 1)),
        ("1965-03", date(1965, 3, 1)),
        ("196503", date(1965, 3, 1)),
        ("1965-03-12", date(1965, 3, 12)),
        ("1965/3/12", date(1965, 3, 12)),
        ("1965.03.12", date(1965, 3, 12)),
        ("1965年3月12日", date(1965, 3, 12)),
        ("19650312", date(1965, 3, 12)),
        ("1965-03-12 00:00:00", date(1965, 3, 12)),
        ("23813", date(1965, 3, 12)),  # Excel serial
        ("１９６５．０３", date(1965, 3, 1)),
        (None, None),
        ("", None),
    ],
)
def test_it_parses_birth_dates(text, expected):
    assert parse_birth_date(text, today=TODAY) == expected


BAD_BIRTH_DATES = ["1965", "1965年", "六五年", "1965-13", "1965-02-30", "1899-12", "2025-01", "abc"]


@pytest.mark.parametrize("text", BAD_BIRTH_DATES)
def test_it_rejects_bad_birth_dates(text):
    with pytest.raises(ParseError):
        parse_birth_date(text, today=TODAY)


def test_it_birth_date_error_says_the_month_is_missing():
    with pytest.raises(ParseError, match="缺少月份"):
        parse_birth_date("1965", today=TODAY)


# --- parse_sex -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("男", "M"),
        (" 男 ", "M"),
        ("男性", "M"),
        ("M", "M"),
        ("m", "M"),
        ("Ｍ", "M"),
        ("male", "M"),
        ("1", "M"),
        ("女", "F"),
        ("女性", "F"),
        ("F", "F"),
        ("f", "F"),
        ("Female", "F"),
        ("2", "F"),
        (None, None),
        ("", None),
    ],
)
def test_it_parses_sex(text, expected):
    assert parse_sex(text) == expected


@pytest.mark.parametrize("text", ["未知", "x", "3", "男女"])
def test_it_rejects_unknown_sex(text):
    with pytest.raises(ParseError, match="性别"):
        parse_sex(text)


# --- regions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("莲都区", "莲都区"),
        ("莲都", "莲都区"),
        ("丽水市莲都区", "莲都区"),
        ("浙江省丽水市莲都区", "莲都区"),
        ("丽水莲都", "莲都区"),
        ("景宁县", "景宁畲族自治县"),
        ("景宁", "景宁畲族自治县"),
        ("龙泉", "龙泉市"),
        ("龙泉市", "龙泉市"),
        ("丽水市", "丽水市"),
        ("丽水", "丽水市"),
        ("浙江省丽水市", "丽水市"),
        ("市直", CITY_LEVEL_UNIT_NAME),
        ("市本级", CITY_LEVEL_UNIT_NAME),
        ("市级", CITY_LEVEL_UNIT_NAME),
        ("丽水市本级", CITY_LEVEL_UNIT_NAME),
        ("丽水市市直", CITY_LEVEL_UNIT_NAME),
        ("莲都区总工会", "莲都区"),
        (" 庆元 县 ", "庆元县"),
        ("丽水经济技术开发区", "丽水经济技术开发区"),
        ("杭州市", "杭州市"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_normalizes_regions(text, expected):
    assert normalize_region(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("莲都区", "331102"),
        ("莲都", "331102"),
        ("丽水市莲都区", "331102"),
        ("景宁县", "331127"),
        ("景宁", "331127"),
        ("龙泉", "331181"),
        ("丽水市", "331100"),
        ("市直", "331100-01"),
        ("331126", "331126"),
        ("杭州市", None),
        ("", None),
        (None, None),
    ],
)
def test_it_resolves_regions_to_unit_codes(text, expected):
    assert resolve_region(text, UNITS) == expected


def test_it_resolves_regions_against_units_named_like_unions():
    units = {"丽水市总工会": "U0", "景宁畲族自治县总工会": "U7", "市直机关工会": "U9", "龙泉市总工会": "U8"}
    assert resolve_region("景宁", units) == "U7"
    assert resolve_region("丽水", units) == "U0"
    assert resolve_region("龙泉市", units) == "U8"
    assert resolve_region("丽水市龙泉市", units) == "U8"


def test_it_resolves_regions_against_units_named_by_an_alias():
    assert resolve_region("景宁畲族自治县", {"景宁县": "X"}) == "X"
    assert resolve_region("龙泉", {"市本级": "C", "龙泉": "L"}) == "L"
