"""Parsing of roster cell texts: honors, award years, regions, sex and birth dates.

Pure Python: no Django, no database. All user-facing error messages are in Chinese.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "CITY_LEVEL_ALIASES",
    "CITY_LEVEL_UNIT_NAME",
    "LISHUI_PLACES",
    "PROVINCIAL_NAMES",
    "HonorParseError",
    "ParseError",
    "ParsedHonor",
    "Place",
    "lishui_place_kind",
    "make_place_kind",
    "normalize_region",
    "parse_award_year",
    "parse_birth_date",
    "parse_honor",
    "parse_sex",
    "resolve_region",
]

# Honor levels and kinds (code names of DESIGN.md §2).
NATIONAL = "national"
PROVINCIAL = "provincial"
MUNICIPAL = "municipal"
COUNTY = "county"

MODEL_WORKER = "model_worker"
ADVANCED_WORKER = "advanced_worker"
MAY_DAY_MEDAL = "may_day_medal"
CRAFTSMAN = "craftsman"

MIN_AWARD_YEAR = 1950
MIN_BIRTH_YEAR = 1900
EXCEL_EPOCH = date(1899, 12, 30)
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


class ParseError(ValueError):
    """A cell text cannot be understood; ``str(error)`` is a Chinese message for the user."""


class HonorParseError(ParseError):
    """Honor text that is not a known honor (e.g. 优秀共产党员)."""


# --- places ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    code: str  # GB/T 2260 code
    name: str  # official name, also the org unit name
    kind: str  # 'city' (prefecture-level) or 'county' (county, district, county-level city)
    aliases: tuple[str, ...] = ()


LISHUI_PLACES: tuple[Place, ...] = (
    Place("331100", "丽水市", "city", ("丽水",)),
    Place("331102", "莲都区", "county", ("莲都",)),
    Place("331121", "青田县", "county", ("青田",)),
    Place("331122", "缙云县", "county", ("缙云",)),
    Place("331123", "遂昌县", "county", ("遂昌",)),
    Place("331124", "松阳县", "county", ("松阳",)),
    Place("331125", "云和县", "county", ("云和",)),
    Place("331126", "庆元县", "county", ("庆元",)),
    Place("331127", "景宁畲族自治县", "county", ("景宁县", "景宁", "景宁自治县")),
    Place("331181", "龙泉市", "county", ("龙泉",)),
)

# The org unit for city-level bodies (市直 units); it has no GB/T 2260 code of its own.
CITY_LEVEL_UNIT_NAME = "市本级"
CITY_LEVEL_ALIASES = frozenset({"市本级", "本级", "市直", "市直属", "市直单位", "市级", "市属", "市级机关"})

# Province-level divisions: an honor from any of them is provincial.
PROVINCIAL_NAMES = frozenset(
    {
        "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江",
        "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州",
        "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港",
        "澳门", "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省",
        "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省",
        "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省",
        "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区",
        "新疆维吾尔自治区",
    }
)  # fmt: skip


def _alias_table(places: Iterable[Place]) -> dict[str, Place]:
    table: dict[str, Place] = {}
    for place in places:
        for name in (place.name, *place.aliases):
            table.setdefault(name, place)
    return table


_LISHUI_ALIASES = _alias_table(LISHUI_PLACES)
_LISHUI_CITY = LISHUI_PLACES[0]


def make_place_kind(places: Iterable[Place]) -> Callable[[str], str | None]:
    """Build a ``place_kind(name) -> 'city' | 'county' | None`` resolver from a place table."""
    table = _alias_table(places)

    def place_kind(name: str) -> str | None:
        place = table.get(name)
        return place.kind if place else None

    return place_kind


lishui_place_kind = make_place_kind(LISHUI_PLACES)
lishui_place_kind.__doc__ = "Resolve 丽水市 and its nine county-level units (and their aliases)."


def _clean(text: object) -> str:
    """NFKC (full-width → half-width) and remove all whitespace."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


_ORG_SUFFIXES = ("总工会", "工会")


def normalize_region(text: str | None) -> str:
    """Normalize a region cell to the name of an org unit.

    Strips ``浙江省``/``浙江`` and ``丽水市`` prefixes (丽水市莲都区 → 莲都区) and 总工会/工会
    suffixes, maps 市直/市本级/市级 to ``'市本级'`` and known short forms to the official
    name (莲都 → 莲都区, 景宁县 → 景宁畲族自治县, 龙泉 → 龙泉市, 丽水 → 丽水市). Unknown names
    are returned cleaned but otherwise unchanged; blank input gives ``''``.
    """
    if text is None:
        return ""
    name = _clean(text)
    for suffix in _ORG_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    for prefix in ("浙江省", "浙江"):
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
            break
    if name.startswith("丽水市") and len(name) > 3:
        name = name[3:]
    elif name.startswith("丽水") and (name[2:] in _LISHUI_ALIASES or name[2:] in CITY_LEVEL_ALIASES):
        name = name[2:]
    if name in CITY_LEVEL_ALIASES:
        return CITY_LEVEL_UNIT_NAME
    place = _LISHUI_ALIASES.get(name)
    return place.name if place else name


def resolve_region(
    text: str | None,
    units: Mapping[str, str],
    places: Iterable[Place] = LISHUI_PLACES,
) -> str | None:
    """Return the code of the org unit a region cell names, or ``None``.

    ``units`` maps unit names to codes (e.g. ``{'莲都区': '331102', '市本级': '331100-00'}``).
    Matching: exact name, then :func:`normalize_region` of both sides, then the aliases of
    ``places`` (莲都, 景宁县, 龙泉 ...); a cell holding a unit code is accepted as well.
    """
    if text is None:
        return None
    raw = _clean(text)
    if not raw:
        return None
    if raw in units:
        return units[raw]
    if raw in set(units.values()):
        return raw
    key = normalize_region(raw)
    by_key: dict[str, str] = {}
    for name, code in units.items():
        by_key.setdefault(normalize_region(name), code)
    if key in by_key:
        return by_key[key]
    place = _alias_table(places).get(key)
    if place is not None:
        for name in (place.name, *place.aliases):
            if name in by_key:
                return by_key[name]
        if place.code in set(units.values()):
            return place.code
    return None


# --- honors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedHonor:
    level: str  # national / provincial / municipal / county
    kind: str  # model_worker / advanced_worker / may_day_medal / craftsman
    title: str  # the honor as written (whitespace and year removed)
    year: int | None = None


_KIND_WORDS = (
    ("劳动模范", MODEL_WORKER),
    ("劳模", MODEL_WORKER),
    ("先进工作者", ADVANCED_WORKER),
    ("五一劳动奖章", MAY_DAY_MEDAL),
    ("工匠", CRAFTSMAN),
)
_KIND_BY_WORD = dict(_KIND_WORDS)

_HONOR_SEPARATORS = frozenset("、,;/|\\\n\r")
_HONOR_RE = re.compile(
    r"(?P<year1>(?:19|20)\d{2})?(?:年度?)?"
    r"(?P<prefix>.*?)"
    r"(?P<kind>劳动模范|劳模|先进工作者|五一劳动奖章|(?:杰出|青年|金牌|首席|大)?工匠)"
    r"(?:\((?:先进工作者|劳动模范|劳模)\))?"
    r"(?:待遇者?)?"
    r"(?:荣誉称号|称号|获得者)?"
    r"(?:\(?(?P<year2>(?:19|20)\d{2})年度?\)?|\((?P<year3>(?:19|20)\d{2})\))?"
)
_NATIONAL_WORDS = frozenset({"全国", "国家", "国家级", "全国级", "大国", "中华全国总工会", "全国总工会"})
_PROVINCIAL_WORDS = frozenset({"省", "省级", "省部级", "浙江省总工会", "省总工会"})
_MUNICIPAL_WORDS = frozenset({"市", "市级", "地市级", "地级市", "市厅级", "市总工会"})
_COUNTY_WORDS = frozenset({"县", "区", "县级", "区级", "县区", "县市区", "县(市、区)", "县(市,区)", "县区级"})

PlaceKind = Callable[[str], str | None]


def _split_honors(text: str) -> list[str]:
    """Split on 、,;/| and newlines, but not inside brackets (县(市、区)劳模)."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if ch in _HONOR_SEPARATORS and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _level_of(prefix: str, place_kind: PlaceKind) -> str | None:
    """Level of the place named in ``prefix``; None when no place is named."""
    prefix = prefix.removeprefix("享受")
    if not prefix:
        return None
    if prefix in _NATIONAL_WORDS:
        return NATIONAL
    if prefix in _PROVINCIAL_WORDS or prefix in PROVINCIAL_NAMES:
        return PROVINCIAL
    if prefix in _MUNICIPAL_WORDS:
        return MUNICIPAL
    if prefix in _COUNTY_WORDS:
        return COUNTY
    candidates = [prefix]
    stripped = prefix.removesuffix("级")
    if stripped != prefix:
        candidates.append(stripped)
    for candidate in list(candidates):
        normalized = normalize_region(candidate)
        if normalized not in candidates:
            candidates.append(normalized)
    for candidate in candidates:
        kind = place_kind(candidate)
        if kind == "city":
            return MUNICIPAL
        if kind == "county":
            return COUNTY
    return "?"


def parse_honor(
    text: str | None,
    place_kind: PlaceKind = lishui_place_kind,
    *,
    default_level: str | None = None,
) -> list[ParsedHonor]:
    """Parse an honor cell into ``ParsedHonor(level, kind, title, year)`` items.

    The kind comes from the words (劳动模范/劳模, 先进工作者, 五一劳动奖章, 工匠); the level from
    the place named before them: 全国 → national; 浙江省/浙江/省/省部级 → provincial; a
    prefecture-level city or 市/市级 → municipal; a county, district or county-level city (as
    ``place_kind`` says) or 县/区/县级 → county. So 丽水市劳动模范 is municipal and 龙泉市劳动模范
    county. A cell may hold several honors separated by 、,,;;/ or newlines; a year may lead
    ("2015年浙江省劳动模范") or follow in brackets ("全国劳动模范(2010年)"). A blank cell gives
    ``[]``. Unknown honors, unknown places and honors naming no level (unless ``default_level``
    is given) raise ``HonorParseError``.
    """
    if text is None:
        return []
    normalized = unicodedata.normalize("NFKC", str(text))
    honors: list[ParsedHonor] = []
    for raw_segment in _split_honors(normalized):
        segment = "".join(raw_segment.split())
        if segment:
            honors.extend(_parse_honor_segment(segment, place_kind, default_level))
    return honors


def _parse_honor_segment(segment: str, place_kind: PlaceKind, default_level: str | None) -> list[ParsedHonor]:
    honors: list[ParsedHonor] = []
    position = 0
    while position < len(segment):
        match = _HONOR_RE.match(segment, position)
        if match is None or match.end() == position:
            rest = segment[position:]
            if honors:
                raise HonorParseError(f"荣誉称号“{segment}”中的“{rest}”无法识别")
            raise HonorParseError(
                f"无法识别的荣誉称号:“{segment}”(只能是劳动模范、先进工作者、五一劳动奖章或工匠类荣誉)"
            )
        position = match.end()
        prefix = match.group("prefix")
        kind_word = match.group("kind")
        kind = _KIND_BY_WORD.get(kind_word, CRAFTSMAN)
        level = _level_of(prefix, place_kind)
        title = match.group(0)
        year_text = match.group("year1") or match.group("year2") or match.group("year3")
        if match.group("year1"):
            title = re.sub(r"^(?:19|20)\d{2}(?:年度?)?", "", title)
        elif year_text:
            title = re.sub(r"\(?(?:19|20)\d{2}年?度?\)?$", "", title)
        if level == "?":
            raise HonorParseError(f"荣誉称号“{title}”中的地名“{prefix}”无法识别")
        if level is None:
            if default_level is None:
                raise HonorParseError(f"荣誉称号“{title}”未注明级别(全国、省、市或县)")
            level = default_level
        year = int(year_text) if year_text else None
        if year is not None and not MIN_AWARD_YEAR <= year <= _today().year:
            raise HonorParseError(f"荣誉称号“{segment}”中的年份{year}不合理")
        honors.append(ParsedHonor(level=level, kind=kind, title=title, year=year))
    return honors


# --- dates -------------------------------------------------------------------------------

_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_YMD = r"^(?P<y>\d{4})[-./年](?P<m>\d{1,2})[-./月](?P<d>\d{1,2})日?"
_MIDNIGHT = r"(?:(?:T|\s)?0{1,2}:00(?::00(?:\.0+)?)?)?$"
_DATE_PATTERNS = (
    # year, month, day with separators (time part ignored when it is midnight)
    re.compile(_YMD + _MIDNIGHT),
    re.compile(r"^(?P<y>\d{4})[-./年](?P<m>\d{1,2})月?(?:份)?$"),
    re.compile(r"^(?P<y>\d{4})年?度?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})$"),
)
_SERIAL_RE = re.compile(r"^(?P<serial>\d{5})(?:\.0+)?$")


def _loose_date(text: object) -> tuple[int, int | None, int | None] | None:
    """Parse a free-form date text into (year, month or None, day or None); None if no match.

    Raises ``ParseError`` for an impossible month or day.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    cleaned = _clean(text)
    if len(cleaned) >= 5 and cleaned[4] == "年":
        cleaned = cleaned[:4].translate(_CN_DIGITS) + cleaned[4:]
    serial = _SERIAL_RE.match(cleaned)
    if serial:
        value = EXCEL_EPOCH + timedelta(days=int(serial.group("serial")))
        return value.year, value.month, value.day
    for pattern in _DATE_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            parts = match.groupdict()
            year = int(parts["y"])
            month = int(parts["m"]) if parts.get("m") else None
            day = int(parts["d"]) if parts.get("d") else None
            if month is not None and not 1 <= month <= 12:
                raise ParseError(f"日期“{text}”中的月份{month}不存在")
            if day is not None:
                try:
                    date(year, month or 1, day)
                except ValueError as exc:
                    raise ParseError(f"日期“{text}”不存在") from exc
            return year, month, day
    return None


def parse_award_year(text: object, *, today: date | None = None) -> tuple[int | None, date | None]:
    """Parse an award time cell into ``(year, date or None)``.

    Accepts 2015, 2015年, 2015年度, 2015.04, 2015年4月, 2015-4-28, 2015/04/28, 2015年4月28日,
    20150428, '2015-04-28 00:00:00' and Excel serial dates as text ('42123'). A month without
    a day gives the first of the month. Blank gives ``(None, None)``. Junk or a year outside
    1950..this year raises ``ParseError``.
    """
    if text is None or not _clean(text):
        return None, None
    today = today or _today()
    parsed = _loose_date(text)
    if parsed is None:
        raise ParseError(f"获评时间格式不正确:“{text}”(应为如2015、2015年4月或2015-04-28)")
    year, month, day = parsed
    if not MIN_AWARD_YEAR <= year <= today.year:
        raise ParseError(f"获评时间“{text}”的年份{year}不合理(应在{MIN_AWARD_YEAR}—{today.year}之间)")
    if month is None:
        return year, None
    value = date(year, month, day or 1)
    if value > today:
        raise ParseError(f"获评时间“{text}”晚于今天")
    return year, value


def parse_birth_date(text: object, *, today: date | None = None) -> date | None:
    """Parse a birth date cell: 1965.03, 1965年3月, 1965-03-12, 196503, 19650312 ...

    A month without a day gives the first of the month. Blank gives ``None``; junk, a year
    without a month, dates before 1900 or in the future raise ``ParseError``.
    """
    if text is None or not _clean(text):
        return None
    today = today or _today()
    parsed = _loose_date(text)
    if parsed is None:
        raise ParseError(f"出生年月格式不正确:“{text}”(应为如1965.03、1965年3月或1965-03-12)")
    year, month, day = parsed
    if month is None:
        raise ParseError(f"出生年月“{text}”缺少月份(应为如1965.03或1965年3月)")
    value = date(year, month, day or 1)
    if year < MIN_BIRTH_YEAR or value > today:
        raise ParseError(f"出生年月“{text}”不合理")
    return value


# --- sex ---------------------------------------------------------------------------------

_SEX_VALUES = {
    "男": "M",
    "男性": "M",
    "M": "M",
    "MALE": "M",
    "1": "M",
    "女": "F",
    "女性": "F",
    "F": "F",
    "FEMALE": "F",
    "2": "F",
}


def parse_sex(text: object) -> str | None:
    """男/男性/M/1 → 'M', 女/女性/F/2 → 'F' (1/2 as in GB/T 2261.1); blank → None."""
    if text is None:
        return None
    key = _clean(text).upper()
    if not key:
        return None
    if key in _SEX_VALUES:
        return _SEX_VALUES[key]
    raise ParseError(f"性别“{text}”无法识别(应为男或女)")
