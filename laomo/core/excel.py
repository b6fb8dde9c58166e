"""Spreadsheet input and output for the messy files union offices send.

Pure Python: no Django, no database. Reading uses python-calamine (``.xlsx``, ``.xls``) and the
``csv`` module; writing uses xlsxwriter in constant-memory mode.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

__all__ = [
    "ERROR_COLUMN_HEADER",
    "ROSTER_HEADER_SYNONYMS",
    "ExcelError",
    "cell_text",
    "find_header",
    "is_footer_row",
    "iter_data_rows",
    "normalize_header",
    "read_table",
    "safe_cell",
    "write_error_report",
    "write_xlsx",
]

Rows = list[list[str | None]]

ERROR_COLUMN_HEADER = "错误信息"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# Canonical field → header texts seen in union-office rosters (compared after normalize_header).
ROSTER_HEADER_SYNONYMS: dict[str, list[str]] = {
    "name": ["姓名"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "身份证"],
    "sex": ["性别"],
    "ethnicity": ["民族"],
    "birth_date": ["出生年月", "出生日期"],
    "employer": ["工作单位", "工作单位及职务", "单位"],
    "job_title": ["职务", "职称"],
    "region": ["所属地区", "县(市、区)", "县市区", "地区"],
    "honor": ["荣誉称号", "荣誉", "获得荣誉"],
    "award_year": ["获评时间", "授予年份", "表彰年份", "获评年份", "获奖时间"],
    "phone": ["联系电话", "手机", "手机号码", "电话"],
    "address": ["地址", "家庭住址", "通讯地址"],
    "employment_status": ["在职状态", "状态"],
    "political_status": ["政治面貌"],
    "education": ["学历"],
    "note": ["备注"],
}

FOOTER_PREFIXES = (
    "合计",
    "总计",
    "小计",
    "填表人",
    "填报人",
    "制表人",
    "审核人",
    "负责人",
    "单位负责人",
    "注:",
    "说明",
    "备注:",
    "填表说明",
)

MAX_HEADER_SCAN_ROWS = 50
# Floats at or above this magnitude have more than 15 integer digits: Excel has already
# dropped digits (it keeps 15 significant digits), so they are shown in scientific notation.
LOSSY_FLOAT_LIMIT = 1e15


class ExcelError(ValueError):
    """A spreadsheet cannot be read or has no usable header; message in Chinese."""


# --- reading ------------------------------------------------------------------------------


def cell_text(value: Any) -> str | None:
    """Render one cell value as the text a person sees in Excel; empty cells give ``None``.

    Whole numbers lose the ``.0``; dates become ``YYYY-MM-DD``; numbers of 16 or more digits
    (which Excel cannot store exactly) come back in scientific notation, e.g.
    ``'3.31102196503121E+17'``, so that an ID number stored as a number is detected, not
    silently corrupted.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if abs(value) >= LOSSY_FLOAT_LIMIT:
            text = format(value, ".15G")
        elif value.is_integer():
            text = str(int(value))
        else:
            text = format(value, ".15G")
    elif isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(LOCAL_TZ).replace(tzinfo=None)
        if value.time() == time(0, 0):
            text = value.date().isoformat()
        elif value.second == 0 and value.microsecond == 0:
            text = value.strftime("%Y-%m-%d %H:%M")
        else:
            text = value.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, time):
        text = value.strftime("%H:%M:%S") if value.second else value.strftime("%H:%M")
    elif isinstance(value, timedelta):
        total = int(value.total_seconds())
        hours, rest = divmod(total, 3600)
        text = f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    elif isinstance(value, Decimal):
        text = format(value, "f")
    else:
        text = str(value)
    text = text.strip()
    return text or None


def _finish(rows: Iterable[Sequence[Any]]) -> Rows:
    """Convert cells to text, drop trailing empty rows and make the table rectangular."""
    table = [[cell_text(v) for v in row] for row in rows]
    while table and not any(cell is not None for cell in table[-1]):
        table.pop()
    width = 0
    for row in table:
        for index in range(len(row) - 1, -1, -1):
            if row[index] is not None:
                width = max(width, index + 1)
                break
    return [(row + [None] * width)[:width] for row in table]


def _load_bytes(source: str | os.PathLike | bytes | bytearray | IO[bytes]) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise ExcelError(f"无法打开文件:{os.fspath(source)}") from exc
    data = source.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data


_HTML_ERROR = "该文件实际是网页(HTML/XML)格式,不是真正的Excel文件,请用Excel打开后另存为.xlsx再上传"


def _detect_kind(data: bytes, filename: str) -> str:
    ext = Path(filename).suffix.lower() if filename else ""
    if data.startswith(b"PK\x03\x04"):
        return "workbook"  # xlsx / xlsm / ods (zip based)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "workbook"  # xls (OLE2 compound file)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        raise ExcelError(_HTML_ERROR)
    if ext in (".csv", ".txt", ".tsv") or not ext:
        return "csv"
    if ext in (".xlsx", ".xlsm", ".xls", ".et", ".ods"):
        raise ExcelError("文件已损坏或不是有效的Excel文件,请用Excel打开后另存为.xlsx再上传")
    raise ExcelError(f"不支持的文件类型“{ext}”,请上传.xlsx、.xls或.csv文件")


def _read_workbook(data: bytes, sheet: int | str | None) -> Rows:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several error types
        raise ExcelError("无法读取Excel文件,文件可能已损坏或加密,请用Excel打开后另存为.xlsx再上传") from exc
    try:
        if sheet is not None:
            try:
                if isinstance(sheet, int):
                    ws = workbook.get_sheet_by_index(sheet)
                else:
                    ws = workbook.get_sheet_by_name(sheet)
            except Exception as exc:
                raise ExcelError(f"找不到工作表“{sheet}”") from exc
            return _finish(ws.to_python(skip_empty_area=False))
        # Default: the first visible worksheet that holds any data.
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.visible != SheetVisibleEnum.Visible or meta.typ != SheetTypeEnum.WorkSheet:
                continue
            rows = _finish(workbook.get_sheet_by_index(index).to_python(skip_empty_area=False))
            if rows:
                return rows
        return []
    except ExcelError:
        raise
    except Exception as exc:
        raise ExcelError("读取Excel文件时出错,文件可能已损坏,请用Excel打开后另存为.xlsx再上传") from exc
    finally:
        workbook.close()


def _decode_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ExcelError("无法识别CSV文件的编码,请另存为UTF-8或GBK编码的CSV,或直接上传.xlsx") from exc


_EXCEL_TEXT_FORMULA_RE = re.compile(r'^="(.*)"$', re.DOTALL)


def _csv_cell(text: str) -> str | None:
    text = text.strip()
    match = _EXCEL_TEXT_FORMULA_RE.match(text)  # ="0012" — Excel's way of forcing text in CSV
    if match:
        text = match.group(1).replace('""', '"').strip()
    return text or None


def _read_csv(data: bytes) -> Rows:
    text = _decode_text(data)
    sample_lines = [line for line in text.splitlines()[:30] if line.strip()]
    sample = "\n".join(sample_lines)
    delimiter = max((",", "\t", ";"), key=lambda d: (sample.count(d), d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [[_csv_cell(cell) for cell in row] for row in reader]
    except csv.Error as exc:
        raise ExcelError("CSV文件格式错误,无法读取") from exc
    return _finish(rows)


def read_table(
    source: str | os.PathLike | bytes | bytearray | IO[bytes],
    filename: str | None = None,
    *,
    sheet: int | str | None = None,
) -> Rows:
    """Read the first (or the given) worksheet of an ``.xlsx``/``.xls``/``.csv`` file.

    ``source`` is a path, the file's bytes or a binary file object; ``filename`` (used for the
    extension) defaults to the path. Row ``i`` of the result is spreadsheet row ``i + 1``;
    every cell is the text a person sees (see :func:`cell_text`) or ``None`` when empty.
    Merged cells carry their value in the top-left cell only.
    """
    if filename is None and isinstance(source, (str, os.PathLike)):
        filename = os.fspath(source)
    data = _load_bytes(source)
    if not data.strip():
        return []
    if _detect_kind(data, filename or "") == "csv":
        return _read_csv(data)
    return _read_workbook(data, sheet)


# --- header and rows ----------------------------------------------------------------------

_HEADER_DROP_RE = re.compile(r"[\s*※★☆:]+")
_PARENS_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>|《[^《》]*》")


def normalize_header(text: str | None) -> str:
    """Normalize header text: half-width, no whitespace/newlines, no '*' markers or colons."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    return _HEADER_DROP_RE.sub("", text)


def _header_lookup(synonyms: Mapping[str, Sequence[str]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for field, names in synonyms.items():
        for name in names:
            lookup.setdefault(normalize_header(name), field)
    return lookup


def _match_header_cell(text: str | None, lookup: Mapping[str, str]) -> str | None:
    key = normalize_header(text)
    if not key:
        return None
    if key in lookup:
        return lookup[key]
    stripped = _PARENS_RE.sub("", key)  # "身份证号码(18位)", "姓名(必填)"
    if stripped != key and stripped in lookup:
        return lookup[stripped]
    return None


def _match_header_row(row: Sequence[str | None], lookup: Mapping[str, str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        field = _match_header_cell(cell, lookup)
        if field is not None and field not in columns:
            columns[field] = index
    return columns


def find_header(
    rows: Sequence[Sequence[str | None]],
    synonyms: Mapping[str, Sequence[str]] = ROSTER_HEADER_SYNONYMS,
    *,
    min_matches: int = 2,
    max_scan: int = MAX_HEADER_SCAN_ROWS,
) -> tuple[int, dict[str, int]]:
    """Find the header row: the first row naming at least ``min_matches`` known fields.

    Returns ``(header_row_index, {canonical_field: column_index})`` (indexes are 0-based).
    Title rows, "填报单位:..." lines and blank rows above the header are skipped.
    """
    lookup = _header_lookup(synonyms)
    for index, row in enumerate(rows[:max_scan]):
        columns = _match_header_row(row, lookup)
        if len(columns) >= min_matches:
            return index, columns
    examples = "、".join(f"“{names[0]}”" for names in list(synonyms.values())[:3] if names)
    raise ExcelError(f"未找到表头行:请确认表格前{max_scan}行中有{examples}等列标题")


_NOTE_ENUM_RE = re.compile(
    r"^(?:\d{1,2}[.、)]|[一二三四五六七八九十]{1,3}[、.]|\(\d{1,2}\)|\([一二三四五六七八九十]\))"
)
_NOTE_PUNCT_RE = re.compile(r"[。;:!?]")


def _compact(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def is_footer_row(row: Sequence[str | None]) -> bool:
    """True when the first non-empty cell starts with 合计/总计/小计/填表人/审核人/注:/说明/备注: ..."""
    first = next((cell for cell in row if cell), None)
    if first is None:
        return False
    compact = _compact(first)
    return compact.startswith(FOOTER_PREFIXES) or compact in ("注", "备注")


_NOTE_PREFIXES = ("注", "说明", "备注", "附", "填报单位", "填报日期", "单位:")
# A long or punctuated lone cell is a note only where notes land: the first column (merged
# note lines), an unmapped column, or the name/note columns.
_NOTE_FIELDS = frozenset({"name", "note"})


def _is_note_row(row: Sequence[str | None], columns: Mapping[str, int]) -> bool:
    """A row with a single non-empty cell that reads like a note, not like data."""
    filled = [(index, cell) for index, cell in enumerate(row) if cell]
    if len(filled) != 1:
        return False
    index, text = filled[0]
    compact = _compact(text)
    if compact.startswith(_NOTE_PREFIXES) or _NOTE_ENUM_RE.match(compact):
        return True
    if len(compact) > 20 or _NOTE_PUNCT_RE.search(compact):
        field = next((name for name, col in columns.items() if col == index), None)
        return index == 0 or field is None or field in _NOTE_FIELDS
    return False


def iter_data_rows(
    rows: Sequence[Sequence[str | None]],
    header_index: int,
    columns: Mapping[str, int],
    *,
    synonyms: Mapping[str, Sequence[str]] | None = ROSTER_HEADER_SYNONYMS,
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """Yield ``(excel_row_number, {field: text or None})`` for each data row below the header.

    ``excel_row_number`` is 1-based as shown in the spreadsheet. Skipped (not data rows): blank
    rows, rows whose mapped columns are all empty, footers (合计, 填表人, 注: ...), single-cell
    note lines and repeated header rows (when ``synonyms`` is given).
    """
    lookup = _header_lookup(synonyms) if synonyms else None
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if not any(row) or is_footer_row(row) or _is_note_row(row, columns):
            continue
        record = {field: (row[col] if col < len(row) else None) for field, col in columns.items()}
        if not any(record.values()):
            continue
        if lookup is not None and len(_match_header_row(row, lookup)) >= 2:
            continue  # header repeated (e.g. printed page breaks)
        yield index + 1, record


# --- writing ------------------------------------------------------------------------------

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def safe_cell(value: Any) -> str:
    """Neutralize spreadsheet formula injection (OWASP ASVS 1.2.10).

    ``None`` gives ``''``; a text beginning with ``= + - @``, tab, CR or NUL gets a leading
    ``'`` so spreadsheet programs show it as text instead of evaluating it.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text


_SHEET_NAME_BAD_RE = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str | None) -> str:
    name = _SHEET_NAME_BAD_RE.sub("_", (name or "").strip()).strip("'")[:31]
    return name or "Sheet1"


def _display_width(text: str) -> int:
    longest = max((line for line in text.split("\n")), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def _resolve_text_columns(headers: Sequence[str], text_columns: Iterable[int | str]) -> set[int]:
    result: set[int] = set()
    positions = {str(h): i for i, h in enumerate(headers)}
    for item in text_columns:
        if isinstance(item, int):
            result.add(item)
        elif item in positions:
            result.add(positions[item])
    return result


class _SheetWriter:
    """Writes typed values with the formats shared by write_xlsx and write_error_report."""

    def __init__(self, workbook: Any) -> None:
        self.bold = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        self.text = workbook.add_format({"num_format": "@"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.money = workbook.add_format({"num_format": "#,##0.00"})
        self.error = workbook.add_format({"font_color": "#C00000", "text_wrap": True, "num_format": "@"})

    def write(self, ws: Any, row: int, col: int, value: Any, as_text: bool) -> None:
        if value is None:
            return
        if as_text:
            ws.write_string(row, col, safe_cell(cell_text(value) or ""), self.text)
        elif isinstance(value, bool):
            ws.write_string(row, col, "是" if value else "否")
        elif isinstance(value, Decimal):
            ws.write_number(row, col, float(value), self.money)
        elif isinstance(value, (int, float)):
            if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
                return
            ws.write_number(row, col, value)
        elif isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(LOCAL_TZ).replace(tzinfo=None)
            ws.write_datetime(row, col, value, self.datetime)
        elif isinstance(value, date):
            ws.write_datetime(row, col, value, self.date)
        else:
            ws.write_string(row, col, safe_cell(value))


def _column_width(width: int) -> int:
    return min(max(width + 2, 6), 60)


def _write_sheet(
    target: str | os.PathLike | IO[bytes],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    text_cols: set[int],
    sheet_name: str,
    width_sample: int,
    error_col: int | None = None,
) -> int:
    import xlsxwriter

    path = os.fspath(target) if isinstance(target, (str, os.PathLike)) else target
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    try:
        fmt = _SheetWriter(workbook)
        ws = workbook.add_worksheet(_sheet_name(sheet_name))
        iterator = iter(rows)
        sample: list[Sequence[Any]] = []
        for row in iterator:
            sample.append(row)
            if len(sample) >= width_sample:
                break
        widths = [_display_width(str(h)) for h in headers]
        for row in sample:
            for col, value in enumerate(row):
                if col >= len(widths):
                    widths.extend([0] * (col + 1 - len(widths)))
                widths[col] = max(widths[col], _display_width(cell_text(value) or ""))
        for col, width in enumerate(widths):
            ws.set_column(col, col, _column_width(width), fmt.text if col in text_cols else None)
        ws.freeze_panes(1, 0)
        for col, header in enumerate(headers):
            ws.write_string(0, col, safe_cell(header), fmt.bold)
        count = 0
        for row in _chain(sample, iterator):
            count += 1
            for col, value in enumerate(row):
                if col == error_col:
                    if value:
                        ws.write_string(count, col, safe_cell(value), fmt.error)
                else:
                    fmt.write(ws, count, col, value, col in text_cols)
    finally:
        workbook.close()
    return count


def _chain(first: Iterable[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest


def write_xlsx(
    target: str | os.PathLike | IO[bytes],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    text_columns: Iterable[int | str] = (),
    sheet_name: str = "Sheet1",
    *,
    width_sample: int = 200,
) -> int:
    """Write one worksheet with a bold, frozen header row; return the number of data rows.

    ``target`` is a path or a writable binary file object. xlsxwriter runs in constant-memory
    mode, so ``rows`` may be a generator over a large queryset. ``text_columns`` (indexes or
    header texts) are written as text cells, so ID numbers and phones never become numbers.
    Every string goes through :func:`safe_cell`. Numbers, ``Decimal`` (shown with 2 places),
    dates and datetimes (aware ones converted to Asia/Shanghai) keep their types; booleans
    become 是/否. Column widths are estimated from the header and the first ``width_sample`` rows.
    """
    text_cols = _resolve_text_columns(headers, text_columns)
    return _write_sheet(target, headers, rows, text_cols, sheet_name, width_sample)


def write_error_report(
    original_rows: Sequence[Sequence[str | None]],
    header_index: int,
    errors_by_row: Mapping[int, Sequence[str]],
    out: str | os.PathLike | IO[bytes],
    *,
    only_errors: bool = False,
    sheet_name: str = "错误报告",
) -> int:
    """Write the original rows back with an extra last column "错误信息".

    Rows above ``header_index`` (titles, 填报单位 lines) are dropped, the header row is kept,
    blank rows are dropped. ``errors_by_row`` is keyed by the 1-based spreadsheet row number
    (as yielded by :func:`iter_data_rows`); several messages for a row are joined by newlines
    and shown in red. Every original cell is written as text. With ``only_errors`` only rows
    with errors are written. Returns the number of rows written (header excluded).
    """
    width = max((len(r) for r in original_rows[header_index:]), default=0)
    header = list(original_rows[header_index]) if header_index < len(original_rows) else []
    header = (header + [None] * width)[:width]
    body: list[list[Any]] = []
    for index in range(header_index + 1, len(original_rows)):
        row = list(original_rows[index])
        errors = errors_by_row.get(index + 1) or ()
        if (not any(row) and not errors) or (only_errors and not errors):
            continue
        message = "\n".join(str(e) for e in errors)
        body.append([*(row + [None] * width)[:width], message or None])
    headers = [cell or "" for cell in header] + [ERROR_COLUMN_HEADER]
    return _write_sheet(out, headers, body, set(range(width)), sheet_name, 200, error_col=width)
