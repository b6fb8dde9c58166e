"""Ledger imports (DESIGN.md §6, issue 13): the one framework every module's importer is built on.

An importer says what its ledger looks like and how one row becomes one record; the framework does
the rest, the same way for every kind (and the way the roster importer has always done it):

- read `.xlsx`/`.xls`/GB18030 `.csv` in a child process bounded in memory and time (a hostile file
  fails its own import, nothing else), find the header under title rows and 填报单位 lines by the
  columns' synonyms, skip footers (合计, 填表人 …), notes, blank and repeated header rows;
- parse every row through `Row` getters that collect Chinese errors instead of stopping at the first,
  each error shown with the original sheet row number and the person's name;
- match people by ID number, worker number, or name + unit (`WorkerMatcher`): an unknown or ambiguous
  person is a row error, never a guess;
- dry run first (what a commit would do, nothing written), then a commit that writes every valid row
  in one transaction or none, upserting on the importer's natural key, so the same file twice changes
  nothing; one audit entry per batch with its counts;
- an error report `.xlsx` (the original rows with an error column), a template per kind, a job with
  progress per phase, a page per kind (`core/import_views.py`) and `manage.py import_<kind> FILE
  [--org CODE] [--dry-run] [--json]` (`ImportCommand`) whose last line is the JSON summary.

An importer subclasses `Importer` and is registered with `@register`; see `outreach/importers/lectures.py`.
"""

from __future__ import annotations

import json as jsonlib
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from laomo.orgs.models import OrgUnit, User
from laomo.workers.indexes import id_index
from laomo.workers.models import Worker
from laomo.workers.parsing import EXCEL_EPOCH, resolve_region

from . import audit
from .actors import SYSTEM
from .excel import (
    ExcelError,
    find_header,
    iter_data_rows,
    limits_from_settings,
    read_table_isolated,
    write_error_report,
    write_xlsx,
)
from .idnumber import IdNumberError, parse_id_number
from .jobs import job_kind, jobs_dir
from .money import parse_money
from .permissions import require_edit

_REGISTRY: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    if cls.kind in _REGISTRY and _REGISTRY[cls.kind] is not cls:
        raise ValueError(f"import kind {cls.kind} registered twice")
    _REGISTRY[cls.kind] = cls
    return cls


def kinds() -> list[type[Importer]]:
    return sorted(_REGISTRY.values(), key=lambda c: (c.order, c.kind))


def get_kind(kind: str) -> type[Importer] | None:
    return _REGISTRY.get(kind)


@dataclass(frozen=True)
class Column:
    """One column of a ledger: its key, the header the template writes, the headers clerks write."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    example: str = ""
    text: bool = False  # written as a text cell in the template (ID numbers, phones, codes)
    help: str = ""


class RowError(Exception):
    """Raised by an importer's `parse` to refuse a row with one message (or use `row.error`)."""


# --- one row ------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_NEUTRALIZED = re.compile(r"^'(?=[=+\-@])")
_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.年]\s*(?P<m>\d{1,2})\s*(?:[-/.月]\s*(?P<d>\d{1,2})\s*日?)?\s*月?)?"
    r"(?:\s*(?P<H>\d{1,2})[:时](?P<M>\d{1,2})(?:[:分](?P<S>\d{1,2})(?:\.\d+)?)?秒?)?$")
_COMPACT_DATE_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_SERIAL_RE = re.compile(r"^(?P<serial>\d{5})(?:\.(?P<frac>\d+))?$")
_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_TRUE_WORDS = ("是", "有", "√", "✓", "Y", "y", "yes", "true", "1")
_FALSE_WORDS = ("否", "无", "×", "N", "n", "no", "false", "0")


def clean_text(value: Any) -> str:
    """A cell as one line of text: whitespace collapsed, an export's formula guard (a leading ') removed."""
    text = _SPACES.sub(" ", str(value or "")).strip()
    return _NEUTRALIZED.sub("", text)


def parse_when(text: str) -> tuple[date, tuple[int, int, int] | None] | None:
    """(date, (hour, minute, second) or None) from how clerks write a date; None when unrecognised.

    2023-04-05, 2023/4/5, 2023.4.5, 2023年4月5日, 20230405, 2023-04-05 09:30(:00), an Excel serial
    (45021 or 45021.375). Raises ValueError for a date that does not exist (2023-02-30).
    """
    text = text.strip()
    if len(text) >= 5 and text[4] == "年":
        text = text[:4].translate(_CN_DIGITS) + text[4:]
    serial = _SERIAL_RE.match(text)
    if serial:
        day = EXCEL_EPOCH + timedelta(days=int(serial["serial"]))
        clock = None
        if serial["frac"]:
            seconds = round(float("0." + serial["frac"]) * 86400)
            clock = (seconds // 3600 % 24, seconds // 60 % 60, seconds % 60)
        return day, clock
    match = _COMPACT_DATE_RE.match(text) or _DATE_RE.match(text)
    if not match or not match["m"] or not match["d"]:
        return None
    day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    groups = match.groupdict()
    clock = (int(groups["H"]), int(groups["M"]), int(groups.get("S") or 0)) if groups.get("H") else None
    return day, clock


class Row:
    """One data row being parsed: typed getters that record a Chinese error and return None on bad input."""

    def __init__(self, number: int, cells: Mapping[str, Any], importer: Importer):
        self.number = number
        self.raw = cells
        self.importer = importer
        self.errors: list[str] = []
        self.warnings: list[tuple[str, str]] = []  # (kind, message)
        self.name = ""  # the person the row is about, shown beside its errors

    # messages
    def error(self, message: str) -> None:
        self.errors.append(message)

    def warn(self, message: str, *, kind: str = "") -> None:
        self.warnings.append((kind or message, message))

    def label(self, key: str) -> str:
        return self.importer.column(key).label

    def present(self, key: str) -> bool:
        return bool(clean_text(self.raw.get(key)))

    # values
    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = clean_text(self.raw.get(key))
        if not value and required:
            self.error(f"{self.label(key)}为空")
        if max_length is not None and len(value) > max_length:
            self.error(f"{self.label(key)}超过{max_length}个字")
            return value[:max_length]
        return value

    def when(self, key: str, *, required: bool = False, not_future: bool = True) -> datetime | None:
        """A date and time (aware, Asia/Shanghai); a date alone is taken at 00:00."""
        text = self.text(key, required=required)
        if not text:
            return None
        try:
            parsed = parse_when(text)
        except ValueError:
            self.error(f"{self.label(key)}“{text}”不存在")
            return None
        if parsed is None:
            self.error(f"{self.label(key)}“{text}”格式不正确(应为如2023-04-05或2023年4月5日)")
            return None
        day, clock = parsed
        if not 1949 <= day.year <= self.importer.today.year + 10:
            self.error(f"{self.label(key)}“{text}”的年份{day.year}不合理")
            return None
        value = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(
            hour=clock[0], minute=clock[1], second=clock[2]) if clock else datetime.combine(day, datetime.min.time()))
        if not_future and value > timezone.now():
            self.error(f"{self.label(key)}“{text}”晚于现在")
            return None
        return value

    def date(self, key: str, *, required: bool = False, not_future: bool = True) -> date | None:
        value = self.when(key, required=required, not_future=False)
        if value is None:
            return None
        day = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        if not_future and day > self.importer.today:
            self.error(f"{self.label(key)}“{self.text(key)}”晚于今天")
            return None
        return day

    def int(self, key: str, *, required: bool = False, minimum: int = 0, maximum: int = 10**9,
            default: int | None = None) -> int | None:
        text = self.text(key, required=required).replace(",", "").replace(",", "")
        text = re.sub(r"(人次|人|次|场|名|个|户|天|小时|分钟)$", "", text)
        if not text:
            return default
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.error(f"{self.label(key)}“{text}”不是整数")
            return None
        if number != number.to_integral_value():
            self.error(f"{self.label(key)}“{text}”不是整数")
            return None
        if not minimum <= number <= maximum:
            self.error(f"{self.label(key)}“{text}”超出范围({minimum}—{maximum})")
            return None
        return int(number)

    def decimal(self, key: str, *, places: int = 1, required: bool = False, minimum: Decimal = Decimal(0),
                maximum: Decimal = Decimal(10**6)) -> Decimal | None:
        text = re.sub(r"(小时|时|h)$", "", self.text(key, required=required))
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.error(f"{self.label(key)}“{text}”不是数字")
            return None
        step = Decimal(1).scaleb(-places)
        if number != number.quantize(step) or not minimum <= number <= maximum:
            self.error(f"{self.label(key)}“{text}”应为{minimum}—{maximum}之间、最多{places}位小数的数字")
            return None
        return number.quantize(step)

    def money(self, key: str, *, required: bool = False) -> Decimal | None:
        text = re.sub(r"元$", "", self.text(key, required=required))
        if not text:
            return None
        try:
            return parse_money(text, label=self.label(key))
        except ValidationError as exc:
            self.error("；".join(exc.messages))
            return None

    def flag(self, key: str, *, default: bool = False) -> bool:
        text = self.text(key)
        if not text:
            return default
        if text in _TRUE_WORDS:
            return True
        if text in _FALSE_WORDS:
            return False
        self.error(f"{self.label(key)}“{text}”应填“是”或“否”")
        return default

    def choice(self, key: str, words: Sequence[tuple[Iterable[str], Any]], *, required: bool = False,
               default: Any = None) -> Any:
        """The value whose words the cell contains (first match in order), as clerks write them."""
        text = self.text(key, required=required)
        if not text:
            return default
        for synonyms, value in words:
            if any(w in text for w in synonyms):
                return value
        allowed = "、".join(next(iter(synonyms)) for synonyms, _ in words)
        self.error(f"无法识别的{self.label(key)}“{text}”(可填:{allowed})")
        return default

    def unit(self, key: str = "unit") -> OrgUnit | None:
        """The org unit a column names, inside the import's unit; the import's unit when the cell is blank."""
        text = self.text(key)
        if not text:
            return self.importer.org
        unit = self.importer.units.resolve(text)
        if unit is None:
            self.error(f"无法识别的{self.label(key)}“{text}”")
            return None
        if not unit.is_within(self.importer.org):
            self.error(f"{self.label(key)}“{text}”不在本次导入单位({self.importer.org.name})范围内")
            return None
        return unit

    def worker(self, *, id_key: str = "id_number", no_key: str = "worker_no", name_key: str = "name",
               unit_key: str = "unit", required: bool = True) -> Worker | None:
        """The registered worker a row names (see WorkerMatcher); an error when unknown or ambiguous."""
        name = self.text(name_key).replace(" ", "") if name_key else ""
        self.name = self.name or name
        id_text = self.text(id_key) if id_key else ""
        number = self.text(no_key) if no_key else ""
        unit_text = self.text(unit_key) if unit_key else ""
        if not (name or id_text or number):
            if required:
                self.error(f"{self.label(name_key)}为空")
            return None
        worker, problem = self.importer.matcher.match(id_text=id_text, number=number, name=name, unit_text=unit_text)
        if problem:
            self.error(problem)
        elif worker is not None and not self.name:
            self.name = worker.name
        return worker

    def workers(self, key: str, *, unit_text: str = "") -> tuple[list[Worker], list[str]]:
        """Workers named in one cell (张三、李四 or 张三,李四): (registered workers, names not registered)."""
        found, others = [], []
        names = split_names(self.text(key))
        self.name = self.name or "、".join(names)
        for name in names:
            worker, problem = self.importer.matcher.match(name=name, unit_text=unit_text)
            if worker is not None:
                found.append(worker)
            elif problem and problem.startswith(AMBIGUOUS):
                self.error(problem)
            else:
                others.append(name)
        return found, others


_NAME_SPLIT = re.compile(r"[、,,;;/\s]+")


def split_names(text: str) -> list[str]:
    seen: list[str] = []
    for part in _NAME_SPLIT.split(text or ""):
        part = re.sub(r"[((][^))]*[))]", "", part).strip()
        if part and part not in seen:
            seen.append(part)
    return seen


# --- units and people ---------------------------------------------------------------------------


class UnitResolver:
    """Org units by the names clerks write (莲都区, 莲都, 莲都区总工会, 331102, 市本级), computed once."""

    def __init__(self):
        units = list(OrgUnit.objects.filter(is_active=True))
        self.codes: dict[str, str] = {}
        for unit in units:
            for name in {unit.name, unit.short_name, unit.name.removesuffix("总工会")} - {""}:
                self.codes.setdefault(name, unit.code)
        self.by_code = {u.code: u for u in units}
        self.by_pk = {u.pk: u for u in units}
        self._cache: dict[str, OrgUnit | None] = {}

    def resolve(self, text: str) -> OrgUnit | None:
        if text not in self._cache:
            code = resolve_region(text, self.codes)
            self._cache[text] = self.by_code.get(code) if code else None
        return self._cache[text]


AMBIGUOUS = "有多名"


class WorkerMatcher:
    """Registered workers inside the import's unit, matched by ID number, worker number or name + unit.

    Loaded once per import (a few columns of every worker in the unit's subtree); an unknown person or a
    name shared by several workers is an error naming what would tell them apart, never a guess.
    """

    def __init__(self, org: OrgUnit, units: UnitResolver):
        self.org = org
        self.units = units
        self.by_index: dict[str, Worker] = {}
        self.by_number: dict[str, Worker] = {}
        self.by_name: dict[str, list[Worker]] = defaultdict(list)
        workers = (Worker.objects.filter(OrgUnit.subtree_q(org, "org"), is_deleted=False)
                   .only("pk", "name", "worker_no", "id_number_index", "org_id", "employer", "employment_status")
                   .order_by("pk"))
        for w in workers.iterator(chunk_size=5000):
            if w.id_number_index:
                self.by_index[w.id_number_index] = w
            self.by_number[w.worker_no] = w
            self.by_name[w.name].append(w)

    def match(self, *, id_text: str = "", number: str = "", name: str = "", unit_text: str = ""
              ) -> tuple[Worker | None, str]:
        if id_text:
            try:
                info = parse_id_number(id_text)
            except IdNumberError as exc:
                return None, str(exc)
            worker = self.by_index.get(id_index(info.number))
            if worker is None:
                return None, f"身份证号{info.number[:6]}……的劳模未在本单位劳模库中登记"
            if name and worker.name != name:
                return None, f"身份证号对应的劳模是{worker.name},与姓名“{name}”不符"
            return worker, ""
        if number:
            worker = self.by_number.get(number)
            if worker is None:
                return None, f"劳模编号{number}不存在或不在本单位"
            if name and worker.name != name:
                return None, f"劳模编号{number}对应的是{worker.name},与姓名“{name}”不符"
            return worker, ""
        candidates = self.by_name.get(name, [])
        if unit_text and candidates:
            unit = self.units.resolve(unit_text)
            if unit is not None:
                candidates = [w for w in candidates if self._within(w, unit)]
            else:
                candidates = [w for w in candidates if unit_text in w.employer or w.employer in unit_text]
        if not candidates:
            where = f"“{unit_text}”" if unit_text else self.org.name
            return None, f"劳模“{name}”未在{where}劳模库中登记(可填身份证号或劳模编号)"
        if len(candidates) > 1:
            shown = "、".join(f"{w.worker_no}({w.employer or self.units.by_pk[w.org_id].name})"
                             for w in candidates[:5])
            return None, f"{AMBIGUOUS}名叫“{name}”的劳模:{shown},请填写身份证号或劳模编号区分"
        return candidates[0], ""

    def _within(self, worker: Worker, unit: OrgUnit) -> bool:
        own = self.units.by_pk.get(worker.org_id)
        return own is not None and own.is_within(unit)


# --- results ------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    kind: str
    dry_run: bool = True
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_rows: int = 0
    warnings: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # more created records: speakers, members …
    errors_by_row: dict[int, list[str]] = field(default_factory=dict)
    warnings_by_row: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    phases: list[dict] = field(default_factory=list)
    file_error: str = ""

    def summary(self) -> dict:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected_rows": self.rejected_rows, "warnings": self.warnings, **self.counts}

    def error_rows(self, limit: int = 500) -> list[list]:
        rows = sorted(self.errors_by_row.items())[:limit]
        return [[row, self.names.get(row, ""), messages] for row, messages in rows]

    def warning_groups(self, limit: int = 200) -> list[dict]:
        """Warnings grouped by kind: how many rows each, with the rows (and names) for the expandable list."""
        groups: dict[str, dict] = {}
        for row, items in sorted(self.warnings_by_row.items()):
            for kind, message in items:
                group = groups.setdefault(kind, {"kind": kind, "count": 0, "rows": []})
                group["count"] += 1
                if len(group["rows"]) < limit:
                    group["rows"].append([row, self.names.get(row, ""), message])
        return sorted(groups.values(), key=lambda g: -g["count"])

    def report_messages(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for row, items in self.warnings_by_row.items():
            out[row] = [f"提示:{m}" for _, m in items]
        for row, messages in self.errors_by_row.items():
            out[row] = list(messages) + out.get(row, [])
        return out


_QUOTED = re.compile(r"“[^”]*”")
_ROW_REF = re.compile(r"第\d+行")


def warning_kind(message: str) -> str:
    """A warning's kind: the message without what is particular to one row (quoted values, row numbers)."""
    return _ROW_REF.sub("第N行", _QUOTED.sub("“…”", message))


def group_warnings(warnings_by_row: Mapping[int, Sequence[str]], names: Mapping[int, str], limit: int = 200
                   ) -> list[dict]:
    """Plain warning messages grouped by kind, most frequent first (the roster's; see ImportResult)."""
    result = ImportResult(kind="", names=dict(names))
    result.warnings_by_row = {row: [(warning_kind(m), m) for m in messages]
                              for row, messages in warnings_by_row.items()}
    return result.warning_groups(limit)


@dataclass
class Plan:
    creates: list = field(default_factory=list)  # items with no record yet
    updates: list = field(default_factory=list)  # (item, record, {field: value})
    unchanged: int = 0


# --- the importer -------------------------------------------------------------------------------


class Importer:
    """Subclass per ledger kind; see the module docstring. `parse`, `key`, `existing`, `write` are the hooks."""

    kind: ClassVar[str]  # "lectures": the CLI is import_lectures, the job and page use it
    label: ClassVar[str]  # 宣讲台账
    module_label: ClassVar[str]  # 宣传宣讲 (groups the kinds on the import page)
    record_label: ClassVar[str] = "记录"  # 场宣讲: “新增 3 场宣讲”
    columns: ClassVar[tuple[Column, ...]]
    audit_action: ClassVar[str]
    what: ClassVar[str] = "此项业务"
    key_help: ClassVar[str] = ""  # how a row is recognised as one already imported, shown on the page
    order: ClassVar[int] = 100
    count_labels: ClassVar[dict[str, str]] = {}  # extra counts' labels (key of ImportResult.counts -> label)
    min_header_matches: ClassVar[int] = 2
    do_not_call_in_templates: ClassVar[bool] = True  # the pages show the class's labels

    def __init__(self, *, actor, org: OrgUnit, progress: Callable | None = None):
        self.actor = actor
        self.org = org
        self.progress = progress or (lambda done, total=None, message="": None)
        self.today = timezone.localdate()
        self._units: UnitResolver | None = None
        self._matcher: WorkerMatcher | None = None
        self.counts: dict[str, int] = defaultdict(int)

    # lazily built helpers
    @property
    def units(self) -> UnitResolver:
        if self._units is None:
            self._units = UnitResolver()
        return self._units

    @property
    def matcher(self) -> WorkerMatcher:
        if self._matcher is None:
            self._matcher = WorkerMatcher(self.org, self.units)
        return self._matcher

    @classmethod
    def column(cls, key: str) -> Column:
        for column in cls.columns:
            if column.key == key:
                return column
        return Column(key, key)

    @classmethod
    def synonyms(cls) -> dict[str, list[str]]:
        return {c.key: [c.label, *c.synonyms] for c in cls.columns}

    # hooks ---------------------------------------------------------------------------------------
    def parse(self, row: Row) -> Any:
        """The row as an item to write (row.error / RowError to refuse it)."""
        raise NotImplementedError

    def key(self, item) -> tuple:
        """The natural key: the same key in the database or earlier in the file is the same record."""
        raise NotImplementedError

    def existing(self, keys: list[tuple]) -> dict[tuple, Any]:
        """The records already stored under these keys (read-only)."""
        raise NotImplementedError

    def changes(self, item, record) -> dict:
        """What the row would change on an existing record ({} = nothing: the row is unchanged)."""
        return {}

    def write(self, plan: Plan) -> None:
        """Inside the write transaction: create `plan.creates`, apply `plan.updates`."""
        raise NotImplementedError

    def merge(self, first, item, row: Row) -> bool:
        """A second row with the same key in the file: fold it into the first (True) or refuse it (False)."""
        return False

    # the whole file -------------------------------------------------------------------------------
    def run(self, source, filename: str, *, dry_run: bool, report_path=None) -> ImportResult:
        require_edit(self.actor, self.org, self.what, capability="import_data")
        result = ImportResult(kind=self.kind, dry_run=dry_run)
        started = time.monotonic()
        self.progress(0, None, "读取文件")
        try:
            rows = read_table_isolated(source, filename, limits=limits_from_settings())
            header_index, columns = find_header(rows, self.synonyms(), min_matches=self.min_header_matches)
        except ExcelError as exc:
            result.file_error = str(exc)
            return result
        missing = [c.label for c in self.columns if c.required and c.key not in columns]
        if missing:
            result.file_error = f"表头中没有“{'”“'.join(missing)}”列,请对照导入模板。"
            return result
        data = list(iter_data_rows(rows, header_index, columns, synonyms=self.synonyms()))
        result.rows = len(data)
        started = self._phase(result, "读取文件", started, len(data))
        items = self._parse_all(data, result)
        started = self._phase(result, "逐行校验", started, len(data))
        if dry_run:
            plan = self._plan(items, result)
            self._count(plan, result)
        else:
            with transaction.atomic():
                plan = self._plan(items, result)
                self.progress(0, len(plan.creates) + len(plan.updates), "写入数据")
                self.write(plan)
                self._count(plan, result)
                audit.record(actor=self.actor, action=self.audit_action, object_type=f"import.{self.kind}",
                             object_repr=str(filename)[:200], org=self.org,
                             username="manage.py" if self.actor is SYSTEM else "",
                             changes={**result.summary(), "filename": str(filename)[:200]})
        self._phase(result, "比对" if dry_run else "写入", started, len(items))
        if report_path is not None and rows:
            write_error_report(rows, header_index, result.report_messages(), report_path)
        return result

    def _phase(self, result: ImportResult, label: str, started: float, rows: int) -> float:
        now = time.monotonic()
        result.phases.append({"label": label, "rows": rows, "seconds": round(now - started, 2)})
        return now

    def _parse_all(self, data, result: ImportResult) -> list[tuple[Row, Any]]:
        items: dict[tuple, tuple[Row, Any]] = {}
        self.progress(0, len(data), "逐行校验")
        for i, (number, cells) in enumerate(data, start=1):
            row = Row(number, cells, self)
            try:
                item = self.parse(row)
            except RowError as exc:
                row.error(str(exc))
                item = None
            if item is not None and not row.errors:
                key = self.key(item)
                if key in items:
                    first_row, first = items[key]
                    if self.merge(first, item, row):
                        row.warn(f"与第{first_row.number}行是同一条记录,已合并", kind="与前面的行是同一条记录,已合并")
                    else:
                        row.error(f"与第{first_row.number}行重复")
                elif not row.errors:
                    items[key] = (row, item)
            if row.name:
                result.names[number] = row.name
            if row.errors:
                result.errors_by_row[number] = row.errors
            if row.warnings:
                result.warnings_by_row[number] = row.warnings
            if i % 2000 == 0:
                self.progress(i, len(data), "逐行校验")
        result.rejected_rows = len(result.errors_by_row)
        result.warnings = sum(len(v) for v in result.warnings_by_row.values())
        return list(items.values())

    def conflicts(self, batch: list[tuple[Row, Any, Any]]) -> dict[int, str]:
        """Rows that can only be judged against the database, a batch at a time (a shift another session already
        holds, a reading lower than a stored one): {row number: Chinese error}. A refused item is left out of the
        plan, so a commit never meets a constraint of the database. `batch` is (row, item, stored record or None).
        """
        return {}

    def refused_with(self, item, refused: dict[int, str]) -> bool:
        """Whether refusing these rows leaves `item` out too (an item made of several rows)."""
        return False

    def _plan(self, items: list[tuple[Row, Any]], result: ImportResult) -> Plan:
        plan = Plan()
        for start in range(0, len(items), 900):
            chunk = items[start:start + 900]
            found = self.existing([self.key(item) for _, item in chunk])
            batch = [(row, item, found.get(self.key(item))) for row, item in chunk]
            refused = self.conflicts(batch)
            for number, message in refused.items():
                result.errors_by_row.setdefault(number, []).append(message)
            for row, item, record in batch:
                if row.number in refused or self.refused_with(item, refused):
                    continue
                if record is None:
                    plan.creates.append(item)
                    continue
                changes = self.changes(item, record)
                if changes:
                    plan.updates.append((item, record, changes))
                else:
                    plan.unchanged += 1
        result.rejected_rows = len(result.errors_by_row)
        return plan

    def _count(self, plan: Plan, result: ImportResult) -> None:
        result.created, result.updated, result.unchanged = len(plan.creates), len(plan.updates), plan.unchanged
        result.counts = dict(self.counts) if not result.dry_run else self.dry_counts(plan)

    def dry_counts(self, plan: Plan) -> dict[str, int]:
        """The extra counts a commit of `plan` would report (default: none beyond created/updated)."""
        return {}

    # template ------------------------------------------------------------------------------------
    @classmethod
    def write_template(cls, target) -> None:
        headers = [c.label + ("*" if c.required else "") for c in cls.columns]
        write_xlsx(target, headers, [[c.example for c in cls.columns]],
                   text_columns=[i for i, c in enumerate(cls.columns) if c.text], sheet_name=cls.label)

    @classmethod
    def template_filename(cls) -> str:
        return f"{cls.label}导入模板.xlsx"


def bulk_update(model, plan: Plan, *, batch_size: int = 1000) -> None:
    """Apply `plan.updates` ({field: value} per record) in one UPDATE per batch, `updated_at` stamped."""
    records, fields = [], {"updated_at"}
    now = timezone.now()
    for _, record, changes in plan.updates:
        for key, value in changes.items():
            setattr(record, key, value)
        record.updated_at = now
        fields.update(changes)
        records.append(record)
    if records:
        model.objects.bulk_update(records, sorted(fields), batch_size=batch_size)


def run_import(*, kind: str, actor, org: OrgUnit, source, filename: str, dry_run: bool, progress=None,
               report_path=None) -> ImportResult:
    cls = _REGISTRY[kind]
    return cls(actor=actor, org=org, progress=progress).run(source, filename, dry_run=dry_run,
                                                             report_path=report_path)


# --- the CLI ------------------------------------------------------------------------------------


class ImportCommand(BaseCommand):
    """`manage.py import_<kind> FILE [--org CODE] [--dry-run] [--report OUT.xlsx] [--json]`; subclass sets kind."""

    kind: ClassVar[str]

    @property
    def help(self) -> str:  # type: ignore[override]
        cls = _REGISTRY.get(self.kind)
        label = cls.label if cls else self.kind
        return (f"导入{label}(.xlsx/.xls/.csv):import_{self.kind} PATH"
                " [--org CODE] [--dry-run] [--report OUT.xlsx] [--json]")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--org", help="导入单位代码(默认为组织树顶层);各行按所属单位列归入其下单位")
        parser.add_argument("--dry-run", action="store_true", help="只预检,不写入")
        parser.add_argument("--report", help="把原表加错误信息列写入此 .xlsx 文件")
        parser.add_argument("--json", action="store_true", help="最后一行输出 JSON 汇总")

    def handle(self, *args, path, org, dry_run, report, json: bool, **options):
        unit = OrgUnit.objects.filter(code=org).first() if org else OrgUnit.objects.filter(parent=None).first()
        if unit is None:
            raise CommandError(f"组织代码 {org} 不存在。")
        try:
            result = run_import(kind=self.kind, actor=SYSTEM, org=unit, source=path, filename=path,
                                dry_run=dry_run, report_path=report)
        except OSError as exc:
            raise CommandError(f"无法读取文件:{exc}") from exc
        if result.file_error:
            raise CommandError(result.file_error)
        for row, name, messages in result.error_rows(limit=10**9):
            self.stdout.write(f"第{row}行{f'({name})' if name else ''} 错误:{';'.join(messages)}")
        for row, items in sorted(result.warnings_by_row.items()):
            self.stdout.write(f"第{row}行 提示:{';'.join(m for _, m in items)}")
        s = result.summary()
        cls = _REGISTRY[self.kind]
        extra = "".join(f",{cls.count_labels.get(k, k)} {v}" for k, v in result.counts.items())
        self.stdout.write(f"{'预检' if dry_run else '导入'}完成:数据行 {s['rows']},新增 {s['created']},"
                          f"更新 {s['updated']},未变 {s['unchanged']}{extra},错误行 {s['rejected_rows']},"
                          f"提示 {s['warnings']}")
        if json:
            self.stdout.write(jsonlib.dumps(s, ensure_ascii=False))


# --- the job the pages run ----------------------------------------------------------------------


def upload_path(token) -> Path:
    return jobs_dir() / f"import-{token}"


@job_kind("core.import")
def import_job(job, reporter, *, kind: str, upload: str, filename: str, org: str, dry_run: bool,
               preview_of: str = ""):
    """A dry run or a commit of one uploaded ledger, for the job's owner (the page's clerk)."""
    actor = User.objects.get(pk=job.owner_id)
    unit = OrgUnit.objects.get(code=org)
    report = jobs_dir() / f"{job.pk}-report.xlsx"
    result = run_import(kind=kind, actor=actor, org=unit, source=upload, filename=filename, dry_run=dry_run,
                        progress=reporter, report_path=report)
    if result.file_error:
        raise ValueError(result.file_error)
    if report.exists():
        reporter.save_file(f"{Path(filename).stem}-{'预检' if dry_run else '导入'}报告.xlsx", report)
    return {
        **result.summary(), "kind": kind, "dry_run": dry_run, "filename": filename, "org": org, "upload": upload,
        "counts": result.counts, "phases": result.phases,
        "error_rows": result.error_rows(), "warning_groups": result.warning_groups(),
        "next_url": reverse("core:import_result", args=[kind, job.pk]),
    }
