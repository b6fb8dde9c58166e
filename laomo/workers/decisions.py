"""Parsing of award decisions (表彰决定): the text of a decision into its honors and the people named.

Pure Python: no Django, no database (the matching against the registry is in `selectors`). All messages
are in Chinese. A decision looks like::

    丽水市人民政府关于表彰2025年度丽水市劳动模范和先进工作者的决定
    丽政发〔2025〕12号
    ……决定授予以下同志“丽水市劳动模范”称号:
    莲都区(8名)
    张三(莲都区某某公司总经理)、李四 王五、……
    授予以下同志“丽水市先进工作者”称号:
    ……

A line with 授予……称号 (or a heading such as “一、丽水市劳动模范(60名)”) opens a section; unit headers
(“莲都区(8名)”, “莲都区:”) group the names below them; names are separated by 、,; spaces or new lines,
and text in brackets after a name is the employer and title. Full-width and half-width punctuation alike.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import docx

from .parsing import (
    CITY_LEVEL_UNIT_NAME,
    LOCAL_TZ,
    MIN_AWARD_YEAR,
    PROVINCIAL_NAMES,
    HonorParseError,
    PlaceKind,
    lishui_place_kind,
    normalize_region,
    parse_honor,
)

__all__ = ["AMBIGUOUS", "APPLICABLE", "HAS_HONOR", "MATCHED", "NEW", "OUT_OF_SCOPE", "UNKNOWN_UNIT", "Decision",
           "DecisionError", "Entry", "parse_decision", "text_from_upload"]

NATIONAL, PROVINCIAL, MUNICIPAL, COUNTY = "national", "provincial", "municipal", "county"
KIND_WORDS = ("劳动模范", "劳模", "先进工作者", "五一劳动奖章", "工匠")
MAX_TEXT = 500_000

# How a name of a decision stands against the registry (decided by `selectors.decision_review`).
MATCHED, NEW, AMBIGUOUS, HAS_HONOR, OUT_OF_SCOPE, UNKNOWN_UNIT = (
    "matched", "new", "ambiguous", "has_honor", "out_of_scope", "unknown_unit")
APPLICABLE = (MATCHED, NEW, AMBIGUOUS)


class DecisionError(ValueError):
    """The text is not a decision we can read; ``str(error)`` is a Chinese message for the user."""


@dataclass(frozen=True)
class Entry:
    name: str
    unit: str  # the unit header above the name, normalized (莲都区, 市本级); "" without headers
    employer: str  # the text in brackets after the name (employer and title), sex/ethnicity taken out
    title: str  # the honor as the registry stores it (丽水市劳动模范)
    level: str  # national / provincial / municipal / county
    kind: str  # model_worker / advanced_worker / may_day_medal / craftsman
    line: int  # 1-based line of the text
    sex: str = ""  # M / F when the brackets say 男 / 女
    ethnicity: str = ""


@dataclass
class Decision:
    title: str
    doc_no: str
    year: int | None
    issuer: str = ""
    award_date: date | None = None
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def honor_titles(self) -> list[str]:
        return list(dict.fromkeys(e.title for e in self.entries))


# --- small parts -------------------------------------------------------------------------------------------

# 丽政发〔2025〕12号, 浙政发[2024]3号, 丽总工(2025)7号, 【2025】, 2025年第3号 is not a document number.
_DOC_NO_RE = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,12})\s*[〔\[(【［(]\s*(?P<year>(?:19|20)\d{2})\s*[〕\])】］)]\s*"
    r"(?P<num>\d{1,5})\s*号"
)
_TITLE_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年度?")
_DATE_LINE_RE = re.compile(r"^((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日$")
_QUOTED_RE = re.compile(r"[“\"「『‘']([^”\"」』’']+)[”\"」』’']")
_GRANT_RE = re.compile(
    r"授予(?:以下|下列|如下)?(?:[\d一二三四五六七八九十百]+名)?(?:同志|人员|个人|职工|等)*(?P<title>.+?)(?:荣誉)?称号"
)
_ENUM_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\(?[一二三四五六七八九十\d]{1,3}\)|\d{1,3}[、.](?!\d))\s*")
_COUNT_RE = re.compile(r"\(\s*(?:共|计)?\s*(?P<n>\d+)\s*(?:名|人|位)?\s*\)\s*$")
_KIND_RE = re.compile("|".join(KIND_WORDS))
_CJK = "\u4e00-\u9fff\u3400-\u4dbf"
_NAME_RE = re.compile(rf"^[{_CJK}]{{2,5}}$|^[{_CJK}]+[·・•.][{_CJK}·・•.]+$")
_UNIT_SUFFIXES = ("区", "县", "市", "单位", "机关", "系统", "企业", "本级", "市直", "街道", "镇", "乡", "公司", "工会")
_SEPARATORS = "、,;;"


def _normalize(text: str) -> str:
    """NFKC (full-width → half-width) but keep the document-number brackets 〔〕 and the ideographic 、。"""
    text = unicodedata.normalize("NFKC", text).replace("\u3000", " ").replace("\xa0", " ")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _squash(text: str) -> str:
    return "".join(text.split())


def find_doc_no(text: str) -> tuple[str, int | None]:
    """('丽政发〔2025〕12号', 2025) from any of the bracket forms; ('', None) when there is none."""
    match = _DOC_NO_RE.search(text)
    if not match:
        return "", None
    prefix = re.sub(r"^.*?(?:文号|字号)[::]?", "", match.group("prefix"))
    return f"{prefix}〔{match.group('year')}〕{int(match.group('num'))}号", int(match.group("year"))


def issuer_of(title: str) -> str:
    """The body before 关于 in a decision's title (丽水市人民政府), '' when the title does not say."""
    head, sep, _ = title.partition("关于")
    return head.strip() if sep else ""


def issuer_place(issuer: str, place_kind: PlaceKind = lishui_place_kind) -> tuple[str, str | None]:
    """(place, level) the issuing body names: 中华全国总工会 → ('全国', national), 浙江省人民政府 →
    ('浙江省', provincial), 丽水市人民政府 → ('丽水市', municipal), 莲都区人民政府 → ('莲都区', county)."""
    text = _squash(issuer)
    if not text:
        return "", None
    if "全国" in text or "国务院" in text or "中华" in text:
        return "全国", NATIONAL
    for name in sorted(PROVINCIAL_NAMES, key=len, reverse=True):
        if text.startswith(name):
            return name, PROVINCIAL
    match = re.match(rf"^(?:中共)?([{_CJK}]{{1,8}}?(?:自治县|市|县|区))", text)
    if match:
        place = match.group(1)
        kind = place_kind(place) or place_kind(normalize_region(place))
        if kind == "city":
            return place, MUNICIPAL
        if kind == "county":
            return place, COUNTY
        return place, COUNTY if place.endswith(("县", "区")) else MUNICIPAL
    return "", None


def _split_outside_brackets(text: str, is_separator) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if depth == 0 and is_separator(ch):
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


# Column headings of a name table (姓名 | 工作单位及职务): never a person.
_COLUMN_WORDS = frozenset({"姓名", "序号", "单位", "职务", "工作单位", "单位及职务", "工作单位及职务", "性别", "民族",
                           "备注", "所在单位", "推荐单位"})


_ORG_CHARS = frozenset("省县市区镇乡村街厂校局院所司站社会部处科室馆场中心团委办队")
_JOB_WORDS = ("经理", "主任", "书记", "工人", "教师", "医生", "护士", "校长", "院长", "厂长", "局长", "职工", "技师",
              "工程师", "董事长", "干部", "农民", "队长", "科员", "会计", "研究员", "教授")


def _names_in(line: str) -> list[tuple[str, str]] | None:
    """[(name, bracket text)] when the line is a list of names, else None.

    Names are separated by 、,; or whitespace (never inside brackets); two lone characters next to each
    other are one name spaced out for alignment (张　三). A table row (序号, 姓名, 单位及职务 separated by
    spaces) gives its one name with the rest as the bracket text.
    """
    parts = _split_outside_brackets(re.sub(r"^\d{1,4}\s+", "", line.strip()), lambda ch: ch in _SEPARATORS)
    tokens: list[str] = []
    for part in parts:
        merged: list[str] = []
        for token in _split_outside_brackets(part, str.isspace):
            token = token.strip()
            if merged and len(merged[-1]) == 1 and len(token.partition("(")[0]) == 1:
                merged[-1] += token
            else:
                merged.append(token)
        tokens.extend(merged)
    if not tokens or tokens[0] in _COLUMN_WORDS:
        return None
    people = [_person(token) for token in tokens]
    if (len(parts) == 1 and len(tokens) >= 2 and people[0] and not people[0][1]
            and any(_employer_like(token.partition("(")[0]) for token in tokens[1:])):
        return [(people[0][0], " ".join(tokens[1:]))]  # 张三  莲都区某某公司总经理
    return people if all(people) else None


def _employer_like(token: str) -> bool:
    """An employer or a job (莲都区某某公司, 龙泉某校, 总经理), not a name: four characters or more with a place
    or organization character, or a job word."""
    return (len(token) >= 4 and any(ch in _ORG_CHARS for ch in token)) or any(word in token for word in _JOB_WORDS)


def _person(token: str) -> tuple[str, str] | None:
    name, _, rest = token.partition("(")
    if not _NAME_RE.match(name) or (rest and not rest.endswith(")")):
        return None
    return name, rest[:-1].strip() if rest else ""


def _split_note(note: str) -> tuple[str, str, str]:
    """(employer, sex, ethnicity) of a bracket text: 女、畲族 are taken out, the rest is the employer."""
    sex = ethnicity = ""
    rest = []
    for part in re.split(r"[,、;;]", note):
        part = part.strip()
        if part in ("男", "女"):
            sex = "M" if part == "男" else "F"
        elif re.fullmatch(rf"[{_CJK}]{{1,4}}族", part):
            ethnicity = part
        elif part:
            rest.append(part)
    return ",".join(rest)[:200], sex, ethnicity


def _looks_like_unit(name: str, place_kind: PlaceKind) -> bool:
    """A known place (莲都, 景宁县, 市直单位) or a name ending like a unit (……区, ……单位, ……公司)."""
    normalized = normalize_region(name)
    return (len(name) >= 2 and (normalized == CITY_LEVEL_UNIT_NAME or place_kind(normalized) is not None
                                or (len(name) >= 3 and name.endswith(_UNIT_SUFFIXES))))


def _unit_header(line: str, place_kind: PlaceKind) -> tuple[str, int | None, str] | None:
    """(unit, announced count or None, names after a colon) for a unit header line, else None."""
    body = _ENUM_RE.sub("", line).strip()
    unit, sep, rest = body.partition(":")
    if sep and 0 < len(_squash(unit)) <= 20 and not _KIND_RE.search(unit):
        count = _COUNT_RE.search(unit)
        name = _squash(_COUNT_RE.sub("", unit))
        if name and "(" not in name and (count or _looks_like_unit(name, place_kind)):
            return normalize_region(name), int(count.group("n")) if count else None, rest.strip()
        return None
    count = _COUNT_RE.search(body)
    if count:
        name = _squash(body[: count.start()])
        if name and len(name) <= 20 and "(" not in name and not _KIND_RE.search(name):
            return normalize_region(name), int(count.group("n")), ""
        return None
    name = _squash(body)
    if "(" in name or len(name) > 20 or not _looks_like_unit(name, place_kind):
        return None
    # A bare line of two to five characters is a person unless it is a known place or says 单位/机关…
    known = place_kind(normalize_region(name)) is not None or normalize_region(name) == CITY_LEVEL_UNIT_NAME
    if known or not _NAME_RE.match(name) or name.endswith(_UNIT_SUFFIXES[3:]):
        return normalize_region(name), None, ""
    return None


class _Section:
    def __init__(self, title: str, level: str, kind: str, count: int | None, line: int):
        self.title, self.level, self.kind, self.count, self.line = title, level, kind, count, line
        self.unit = ""
        self.unit_count: int | None = None
        self.unit_found = 0
        self.found = 0


class _Reader:
    def __init__(self, lines: list[str], place_kind: PlaceKind):
        self.lines = lines
        self.place_kind = place_kind
        self.title = _find_title(lines)
        self.issuer = issuer_of(_squash(self.title))
        self.place, self.level = issuer_place(self.issuer, place_kind)
        self.entries: list[Entry] = []
        self.warnings: list[str] = []
        self.section: _Section | None = None
        self.sections = 0
        self.empty: list[tuple[int, str]] = []

    def honor(self, title_text: str, line_no: int) -> tuple[str, str, str] | None:
        """(title, level, kind) of an honor named in a section header; None (with a warning) if unknown."""
        title_text = _squash(title_text).strip("“”\"'「」『』")
        try:
            parsed = parse_honor(title_text, self.place_kind, default_level=self.level)
        except HonorParseError as exc:
            self.warnings.append(f"第{line_no}行:{exc},其下人员未识别")
            return None
        if len(parsed) != 1:
            self.warnings.append(f"第{line_no}行:一次授予了多个称号“{title_text}”,请分开书写")
            return None
        honor = parsed[0]
        title = honor.title
        if _level_words(title) and self.place:
            title = f"{self.place}{title}"  # 授予“劳动模范”称号 in a 丽水市 decision: 丽水市劳动模范
        return title, honor.level, honor.kind

    def open_section(self, line: str, line_no: int) -> bool:
        squashed = _squash(line)
        grant = _GRANT_RE.search(squashed) if "授予" in squashed else None
        if grant:
            quoted = _QUOTED_RE.findall(grant.group("title"))
            title_text = quoted[0] if quoted else grant.group("title")
            if not _KIND_RE.search(title_text):
                self.close_section()
                self.sections += 1
                self.warnings.append(f"第{line_no}行:称号“{title_text}”不是劳模类荣誉(劳动模范、先进工作者、"
                                     "五一劳动奖章、工匠),其下人员未识别")
                return True
            count_match = re.search(r"(\d+)名", squashed)
            count = int(count_match.group(1)) if count_match else None
        else:
            body = _ENUM_RE.sub("", squashed)
            count_match = _COUNT_RE.search(body)
            title_text = body[: count_match.start()] if count_match else body
            title_text = title_text.rstrip(":").removesuffix("称号").removesuffix("荣誉")
            if (not _KIND_RE.search(title_text) or "(" in title_text or "关于" in title_text
                    or "决定" in title_text or len(title_text) > 20):
                return False
            count = int(count_match.group("n")) if count_match else None
        self.close_section()
        honor = self.honor(title_text, line_no)
        self.section = _Section(*honor, count, line_no) if honor else None
        self.sections += 1
        return True

    def close_unit(self) -> None:
        section = self.section
        if section and section.unit and section.unit_count is not None and section.unit_count != section.unit_found:
            self.warnings.append(f"“{section.title}”中{section.unit}标注{section.unit_count}名,"
                                 f"实际识别{section.unit_found}名,请核对")

    def close_section(self) -> None:
        section = self.section
        if section is None:
            return
        self.close_unit()
        if section.found and section.count is not None and section.count != section.found:
            self.warnings.append(f"“{section.title}”标注{section.count}名,实际识别{section.found}名,请核对")
        if not section.found:
            # A preamble (授予张三等60名同志……称号) names the honor before its list: warned at the end if
            # no list of that honor follows.
            self.empty.append((section.line, section.title))
        self.section = None

    def add_names(self, people, line_no: int) -> None:
        section = self.section
        for name, note in people:
            employer, sex, ethnicity = _split_note(note)
            self.entries.append(Entry(name=name, unit=section.unit, employer=employer, title=section.title,
                                      level=section.level, kind=section.kind, line=line_no, sex=sex,
                                      ethnicity=ethnicity))
            section.found += 1
            section.unit_found += 1

    def read_line(self, raw: str, line_no: int) -> None:
        line = raw.strip()
        if not line or self.open_section(line, line_no):
            return
        section = self.section
        if section is None:
            return
        header = _unit_header(line, self.place_kind)
        if header is not None:
            self.close_unit()
            section.unit, section.unit_count, rest = header
            section.unit_found = 0
            people = _names_in(rest) if rest else None
            if people:
                self.add_names(people, line_no)
            return
        people = _names_in(line)
        if people:
            self.add_names(people, line_no)
        elif section.found:
            self.close_section()  # the closing paragraphs and the signature follow the names


def _find_title(lines: list[str]) -> str:
    """The title: the line with 关于 (joined with the next ones up to 的决定), else the first with 决定."""
    stripped = [ln.strip() for ln in lines if ln.strip()][:30]
    for i, line in enumerate(stripped):
        if "关于" in line and "授予" not in line:
            parts = [line]
            for following in stripped[i + 1: i + 3]:
                if "决定" in parts[-1]:
                    break
                parts.append(following)
            if "决定" in parts[-1]:
                return "".join(parts)
            return line
    return next((ln for ln in stripped if "决定" in ln), stripped[0] if stripped else "")


def _level_words(title: str) -> bool:
    """True when the honor title names no place (劳动模范, 先进工作者)."""
    return _KIND_RE.sub("", title) in ("", "称号")


def _duplicates(entries: list[Entry]) -> list[str]:
    seen: dict[tuple[str, str, str], int] = {}
    for entry in entries:
        key = (entry.title, entry.unit, entry.name)
        seen[key] = seen.get(key, 0) + 1
    return [f"“{title}”中{unit or ''}“{name}”出现{n}次,请核对是否为同名的不同人员"
            for (title, unit, name), n in seen.items() if n > 1]


def parse_decision(text: str | None, place_kind: PlaceKind = lishui_place_kind, *,
                   today: date | None = None) -> Decision:
    """Parse the text of an award decision; raises ``DecisionError`` (Chinese) when nothing can be read."""
    if text is None or not text.strip():
        raise DecisionError("请粘贴或上传表彰决定的全文。")
    if len(text) > MAX_TEXT:
        raise DecisionError("文本过长,请只粘贴一份表彰决定。")
    today = today or datetime.now(LOCAL_TZ).date()
    lines = _normalize(text).split("\n")
    reader = _Reader(lines, place_kind)
    award_date = None
    for number, line in enumerate(lines, start=1):
        reader.read_line(line, number)
        match = _DATE_LINE_RE.match(_squash(line))
        if match:
            try:
                award_date = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                reader.warnings.append(f"第{number}行的日期“{line.strip()}”不存在")
    reader.close_section()
    listed = {entry.title for entry in reader.entries}
    reader.warnings.extend(f"第{line}行“{title}”下未识别到人员姓名" for line, title in reader.empty
                           if title not in listed)
    doc_no, doc_year = find_doc_no("\n".join(lines[:15]))
    title_year = _TITLE_YEAR_RE.search(_squash(reader.title))
    year = int(title_year.group(1)) if title_year else doc_year or (award_date.year if award_date else None)
    if year is not None and not MIN_AWARD_YEAR <= year <= today.year:
        raise DecisionError(f"表彰年度{year}不合理,请核对文本")
    if not reader.sections:
        raise DecisionError("未找到“授予……称号”的表彰内容,请检查是否粘贴了完整的决定全文。")
    if not reader.entries:
        raise DecisionError("未识别到任何受表彰人员姓名,请检查名单格式(姓名之间用顿号、逗号、空格或换行分隔)。")
    if year is None:
        reader.warnings.append("未能从标题或文号中识别表彰年度")
    if not doc_no:
        reader.warnings.append("未识别到文号(如 丽政发〔2025〕12号)")
    return Decision(title=reader.title, doc_no=doc_no, year=year, issuer=reader.issuer, award_date=award_date,
                    entries=reader.entries, warnings=[*reader.warnings, *_duplicates(reader.entries)])


def text_from_upload(name: str, data: bytes) -> str:
    """The text of an uploaded decision: .txt (UTF-8 or GB18030) or .docx (paragraphs and table cells in
    document order, one cell a line). Raises ``DecisionError`` (Chinese) for other formats or a broken file."""
    lower = (name or "").lower()
    if lower.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise DecisionError("文本文件编码无法识别,请另存为 UTF-8 后再上传,或直接粘贴文字。")
    if lower.endswith(".docx"):
        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises zipfile, lxml and its own errors alike
            raise DecisionError("无法读取该 Word 文件,请确认是 .docx 格式,或直接粘贴文字。") from exc
        return "\n".join(_docx_lines(document))
    if lower.endswith((".doc", ".wps", ".pdf")):
        raise DecisionError("暂不支持该格式,请在 Word/WPS 中另存为 .docx,或复制文字粘贴。")
    raise DecisionError("只支持 .txt、.docx 文件,或直接粘贴文字。")


def _docx_lines(document):
    """Paragraphs as lines; a table row as one line of its cells (姓名  单位及职务), except that a unit
    header in the first cell (莲都区(8名)) stays a line of its own above the rest of the row."""
    for block in document.iter_inner_content():
        if not isinstance(block, docx.table.Table):
            yield block.text
            continue
        for row in block.rows:
            cells, seen = [], set()
            for cell in row.cells:
                if id(cell._tc) not in seen:  # a merged cell appears once per column it spans
                    seen.add(id(cell._tc))
                    cells.append(" ".join(cell.text.split()))
            header = _unit_header(_normalize(cells[0]), lishui_place_kind) if cells else None
            if header is not None and not header[2]:
                yield cells.pop(0)
            yield "  ".join(cell for cell in cells if cell)
