"""Spreadsheet input and output for the messy files union offices send.

Pure Python: no Django, no database (``limits_from_settings`` imports Django when called). Reading
uses python-calamine (``.xlsx``, ``.xls``) and the ``csv`` module; writing uses xlsxwriter in
constant-memory mode.

Files from outside are read within limits (:class:`ReadLimits`): the size, an .xlsx's zip directory
and its real uncompressed bytes, and every sheet's extent are checked before calamine sees the
file (calamine allocates the whole grid of a sheet at once, and dies on allocation failure), and
:func:`read_table_isolated` reads in a child process bounded in memory and time.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import posixpath
import re
import struct
import sys
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat as pyexpat
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
    "ReadLimits",
    "check_ole2_workbook",
    "check_zip_workbook",
    "column_letters",
    "limits_from_settings",
    "read_table",
    "read_table_isolated",
    "safe_cell",
    "write_error_report",
    "write_xlsx",
]

Rows = list[list[str | None]]

ERROR_COLUMN_HEADER = "错误信息"
ROW_NUMBER_HEADER = "原表行号"  # the first column of an error report: the row numbers the import page shows
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
    "benefit_category": ["享受待遇类别", "享受待遇", "待遇类别"],
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


# --- limits -------------------------------------------------------------------------------

_MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """What a spreadsheet may hold before it is read (settings ``LAOMO_IMPORT_*``, see settings.py).

    ``max_rows``/``max_columns`` bound the sheet's extent (its last row and last column holding a
    value, as the reader would materialize it from A1) and ``max_cells`` their product;
    ``max_uncompressed`` and ``max_ratio`` bound a zip-based file (.xlsx) as declared in its
    directory and as actually decompressed. ``memory_mb`` and ``seconds`` bound the child process
    of :func:`read_table_isolated`.
    """

    max_bytes: int = 50 * _MB
    max_rows: int = 310_000
    max_columns: int = 200
    max_cells: int = 10_000_000
    max_uncompressed: int = 1024 * _MB
    max_ratio: int = 100
    memory_mb: int = 2048
    seconds: int = 300


def limits_from_settings() -> ReadLimits:
    """The limits configured in Django settings (imports Django: for callers inside the app)."""
    from django.conf import settings

    return ReadLimits(
        max_bytes=settings.LAOMO_IMPORT_MAX_BYTES,
        max_rows=settings.LAOMO_IMPORT_MAX_ROWS,
        max_columns=settings.LAOMO_IMPORT_MAX_COLUMNS,
        max_cells=settings.LAOMO_IMPORT_MAX_CELLS,
        max_uncompressed=settings.LAOMO_IMPORT_MAX_UNCOMPRESSED_MB * _MB,
        max_ratio=settings.LAOMO_IMPORT_MAX_RATIO,
        memory_mb=settings.LAOMO_IMPORT_READ_MEMORY_MB,
        seconds=settings.LAOMO_IMPORT_READ_SECONDS,
    )


_SPLIT_ADVICE = "请删除多余的行列后另存为新文件再上传;数据确实超过上限时请拆分成几个文件分别上传"
_RESAVE_ADVICE = "请用Excel打开后另存为新的.xlsx文件再上传"


def column_letters(number: int) -> str:
    """1 → 'A', 27 → 'AA', 16384 → 'XFD'."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _extent_error(label: str, last_row: int, last_col: int, limits: ReadLimits) -> str | None:
    """The refusal for a sheet whose used range ends at (last_row, last_col), 1-based; None when within limits."""
    ref = f"{column_letters(last_col)}{last_row}"
    if last_row > limits.max_rows and last_col > limits.max_columns:
        return (f"{label}的数据范围达到 {ref}({last_row}行、{last_col}列),超过系统上限{limits.max_rows}行、"
                f"{limits.max_columns}列;{_SPLIT_ADVICE}")
    if last_col > limits.max_columns:
        return f"{label}的数据范围达到 {ref}({last_col}列),超过系统上限{limits.max_columns}列;{_SPLIT_ADVICE}"
    if last_row > limits.max_rows:
        return f"{label}的数据范围达到 {ref}({last_row}行),超过系统上限{limits.max_rows}行;{_SPLIT_ADVICE}"
    if last_row * last_col > limits.max_cells:
        return (f"{label}的数据范围达到 {ref}({last_row}行×{last_col}列,共{last_row * last_col}个单元格),"
                f"超过系统上限{limits.max_cells}个单元格;{_SPLIT_ADVICE}")
    return None


def _mb(size: int) -> str:
    return f"{size / _MB:.1f}".removesuffix(".0")


def _too_big(size: int, limits: ReadLimits) -> ExcelError:
    return ExcelError(f"文件过大({_mb(size)} MB),超过系统上限{_mb(limits.max_bytes)} MB;"
                      "请删除多余的行列,或拆分成几个文件分别上传")


# --- zip-based workbooks (.xlsx): directory, actual sizes, sheet extents ----------------------

_MAX_ZIP_MEMBERS = 10_000
_RATIO_MIN_BYTES = _MB  # members smaller than this may compress as well as they like
_XML_SUFFIXES = (".xml", ".rels", ".vml")
# Cells as Excel, WPS, xlsxwriter and openpyxl write them: <c r="B2" ...>, r first, no namespace prefix.
# Anything else (a prefix, cells without r, quotes or spaces elsewhere) goes to the exact scan.
_ODD_CELL_TAG_RE = re.compile(rb"<c[>/\t\r\n]")  # a cell tag not followed by a space
_CELL_REF_RE = re.compile(rb'<c r="([A-Za-z]{1,9})([0-9]{1,12})"')
_PREFIXED_CELL_RE = re.compile(rb"<[A-Za-z_][\w.\-]*:c[\s/>]")
# Self-closing cells (<c r="B2" s="3"/>) hold no value: the reader skips them.
_EMPTY_CELL_RE = re.compile(rb"<c(?:\s[^<>]*)?/>")
_DOCTYPE_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_MAX_TAG_BYTES = 1 << 20


class _NeedExactScan(Exception):
    """The fast cell scan met markup it does not model (cells without a leading r, huge tags)."""


class _SheetScan:
    """Streams a worksheet part and keeps the extent of its cells that hold something."""

    def __init__(self) -> None:
        self.last_row = 0
        self.last_col = 0
        self.cells = 0
        self._tail = b""
        self._columns: set[bytes] = set()

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self._tail + chunk
        if final:
            self._tail = b""
        else:
            cut = data.rfind(b"<")
            if cut == -1 or data.rfind(b">") > cut:
                self._tail = b""
            else:
                data, self._tail = data[:cut], data[cut:]
                if len(self._tail) > _MAX_TAG_BYTES:
                    raise _NeedExactScan
        if b"<!" in data and _DOCTYPE_RE.search(data):
            raise ExcelError(_XML_DTD_ERROR)
        if b":c" in data and _PREFIXED_CELL_RE.search(data):
            raise _NeedExactScan
        if b"/>" in data and _EMPTY_CELL_RE.search(data):
            data = _EMPTY_CELL_RE.sub(b"", data)
        if _ODD_CELL_TAG_RE.search(data):
            raise _NeedExactScan  # <c>, <c/>, <c followed by a newline or tab
        tags = data.count(b"<c ")
        if not tags:
            return
        refs = _CELL_REF_RE.findall(data)
        if len(refs) != tags:
            raise _NeedExactScan  # a cell without a leading, well-formed r="A1": count it the slow way
        self.cells += tags
        self._columns.update(map(itemgetter(0), refs))
        self.last_row = max(self.last_row, max(map(int, map(itemgetter(1), refs))))

    def finish(self) -> None:
        if self._tail:
            self.feed(b"", final=True)
        if self._columns:
            self.last_col = max(_column_number(c.decode("ascii")) for c in self._columns)


class _ExactSheetScan:
    """The reader's own rules, element by element (slow): cells without r follow the previous one."""

    def __init__(self) -> None:
        self.last_row = 0
        self.last_col = 0
        self.cells = 0
        self._row = 0  # 1-based row of the current <row>
        self._col = 0  # column of the previous cell in this row
        self._cell: tuple[int, int] | None = None
        self._filled = False
        parser = pyexpat.ParserCreate()
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        self._parser = parser

    def _start(self, name: str, attrs: dict) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "row":
            ref = attrs.get("r", "")
            self._row = int(ref) if ref.isdigit() else self._row + 1
            self._col = 0
        elif local == "c":
            ref = _REF_RE.match(attrs.get("r", ""))
            if ref:
                row, col = int(ref.group(2)), _column_number(ref.group(1))
            else:
                row, col = self._row, self._col + 1
            self._col = col
            self._cell, self._filled = (row, col), False
        elif local in ("v", "is") and self._cell is not None:
            self._filled = True

    def _end(self, name: str) -> None:
        if name.rsplit(":", 1)[-1] == "c" and self._cell is not None:
            if self._filled:
                self.cells += 1
                self.last_row = max(self.last_row, self._cell[0])
                self.last_col = max(self.last_col, self._cell[1])
            self._cell = None

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self._parser.Parse(chunk, final)
        except pyexpat.ExpatError as exc:
            raise ExcelError(f"文件中的XML内容已损坏,无法读取;{_RESAVE_ADVICE}") from exc

    def finish(self) -> None:
        self.feed(b"", final=True)


_REF_RE = re.compile(r"^\s*([A-Za-z]{1,9})([0-9]{1,12})\s*$")
_XML_DTD_ERROR = f"文件中含有不安全的XML声明(DOCTYPE/实体),可能是恶意构造的文件,已拒绝读取;{_RESAVE_ADVICE}"


def _refuse_dtd(*args: Any) -> None:
    raise ExcelError(_XML_DTD_ERROR)


def _check_prolog(head: bytes) -> None:
    """An XML part must be UTF-8 (or ASCII-compatible) and carry no DTD."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00", b"\x4c\x6f\xa7\x94")) or head[1:2] == b"\x00":
        raise ExcelError(f"文件中的XML内容使用了不支持的编码,无法读取;{_RESAVE_ADVICE}")
    if _DOCTYPE_RE.search(head):
        raise ExcelError(_XML_DTD_ERROR)


def _zip_members_stream(data: bytes, info: zipfile.ZipInfo, limits: ReadLimits, budget: list[int]) -> Iterator[bytes]:
    """The member's bytes as they really decompress (never trusting the declared size), in chunks."""
    view = memoryview(data)
    offset = info.header_offset
    header = bytes(view[offset:offset + 30])
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise ExcelError(f"文件已损坏(压缩包结构错误),无法读取;{_RESAVE_ADVICE}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_len + extra_len
    raw = view[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise ExcelError(f"文件已损坏(压缩包不完整),无法读取;{_RESAVE_ADVICE}")
    produced = 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    step = 1 << 20
    for pos in range(0, max(len(raw), 1), step):
        piece = bytes(raw[pos:pos + step])
        while piece:
            if inflater is None:
                out, piece = piece, b""
            else:
                try:
                    out = inflater.decompress(piece, step)
                except zlib.error as exc:
                    raise ExcelError(f"文件已损坏(解压失败),无法读取;{_RESAVE_ADVICE}") from exc
                piece = inflater.unconsumed_tail
            if not out:
                break
            produced += len(out)
            budget[0] -= len(out)
            if produced > info.file_size:
                raise _lying_member(info)
            if budget[0] < 0:
                raise ExcelError(f"文件解压后超过系统上限{_mb(limits.max_uncompressed)} MB;{_SPLIT_ADVICE}")
            if produced > _RATIO_MIN_BYTES and produced > limits.max_ratio * max(info.compress_size, 1):
                raise _ratio_error(produced, info.compress_size, limits)
            yield out
    if inflater is not None:
        tail = inflater.flush()
        if tail:
            produced += len(tail)
            if produced > info.file_size:
                raise _lying_member(info)
            yield tail
    if produced != info.file_size:
        raise ExcelError(f"文件已损坏(“{info.filename}”大小与声明不符),无法读取;{_RESAVE_ADVICE}")


def _lying_member(info: zipfile.ZipInfo) -> ExcelError:
    return ExcelError(f"文件已损坏或是恶意构造的(“{info.filename}”解压后比声明的大),已拒绝读取;{_RESAVE_ADVICE}")


def _ratio_error(size: int, compressed: int, limits: ReadLimits) -> ExcelError:
    ratio = size / max(compressed, 1)
    return ExcelError(f"文件压缩比异常(解压后是压缩前的{ratio:.0f}倍,系统上限{limits.max_ratio}倍),"
                      f"可能是恶意构造的文件,已拒绝读取;{_RESAVE_ADVICE}")


def _sheet_labels(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """Worksheet part → "第N个工作表“名称”" from xl/workbook.xml and its relationships (best effort)."""
    labels: dict[str, str] = {}
    try:
        sheets: list[tuple[str, str]] = []
        targets: dict[str, str] = {}

        def on_sheet(name: str, attrs: dict) -> None:
            local = name.rsplit(":", 1)[-1]
            if local == "sheet":
                rid = next((v for k, v in attrs.items() if k.rsplit(":", 1)[-1] == "id"), "")
                sheets.append((attrs.get("name", ""), rid))
            elif local == "Relationship":
                targets[attrs.get("Id", "")] = attrs.get("Target", "")

        for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            info = members.get(part.lower())
            if info is None or info.file_size > 16 * _MB:
                return labels
            parser = pyexpat.ParserCreate()
            parser.StartDoctypeDeclHandler = _refuse_dtd
            parser.EntityDeclHandler = _refuse_dtd
            parser.StartElementHandler = on_sheet
            parser.Parse(zf.read(info), True)
        for index, (name, rid) in enumerate(sheets, start=1):
            target = targets.get(rid, "")
            path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            labels[path.lower()] = f"第{index}个工作表“{name}”" if name else f"第{index}个工作表"
    except (pyexpat.ExpatError, zipfile.BadZipFile, RuntimeError, ValueError, OSError):
        pass
    return labels


def check_zip_workbook(data: bytes, limits: ReadLimits) -> None:
    """Refuse a zip-based workbook that is not a plain .xlsx or would not fit the limits.

    Checks the directory (member count, declared sizes and ratios, methods, encryption), then
    decompresses every member as a stream, counting the real bytes, refusing DTDs in XML parts,
    and scanning each worksheet for the extent of the cells that hold a value. Nothing is kept.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ExcelError(f"文件已损坏或不是有效的Excel文件;{_RESAVE_ADVICE}") from exc
    if len(infos) > _MAX_ZIP_MEMBERS:
        raise ExcelError(f"文件结构异常(压缩包内有{len(infos)}个部件),可能是恶意构造的文件,已拒绝读取;{_RESAVE_ADVICE}")
    members = {info.filename.lower(): info for info in infos}
    if "content.xml" in members or "mimetype" in members:
        raise ExcelError("不支持OpenDocument(.ods)表格,请用Excel或WPS另存为.xlsx再上传")
    if "xl/workbook.bin" in members:
        raise ExcelError("不支持Excel二进制工作簿(.xlsb),请用Excel另存为.xlsx再上传")
    if "xl/workbook.xml" not in members:
        raise ExcelError(f"文件已损坏或不是有效的Excel文件(缺少工作簿部件);{_RESAVE_ADVICE}")
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ExcelError("文件已加密,请在Excel中取消密码保护后另存为.xlsx再上传")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ExcelError(f"文件使用了不支持的压缩方式,无法读取;{_RESAVE_ADVICE}")
        declared += info.file_size
        if info.file_size > _RATIO_MIN_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _ratio_error(info.file_size, info.compress_size, limits)
    if declared > limits.max_uncompressed:
        raise ExcelError(f"文件解压后有{_mb(declared)} MB,超过系统上限{_mb(limits.max_uncompressed)} MB;"
                         f"{_SPLIT_ADVICE}")
    budget = [limits.max_uncompressed]
    extents: list[tuple[str, int, int]] = []
    for info in infos:
        if info.is_dir():
            continue
        is_xml = info.filename.lower().endswith(_XML_SUFFIXES)
        if not is_xml:
            for _ in _zip_members_stream(data, info, limits, budget):
                pass
            continue
        before = budget[0]
        try:
            scan: _SheetScan | _ExactSheetScan = _SheetScan()
            _scan_member(data, info, limits, budget, scan)
        except _NeedExactScan:
            budget[0] = before
            scan = _ExactSheetScan()
            _scan_member(data, info, limits, budget, scan)
        if scan.cells:
            extents.append((info.filename, scan.last_row, scan.last_col))
    if extents:
        labels = _sheet_labels(zf, members)
        for part, last_row, last_col in extents:
            label = labels.get(part.lower()) or f"文件中的“{part}”"
            error = _extent_error(label, last_row, last_col, limits)
            if error:
                raise ExcelError(error)


def _scan_member(data: bytes, info: zipfile.ZipInfo, limits: ReadLimits, budget: list[int], scan) -> None:
    first = True
    for chunk in _zip_members_stream(data, info, limits, budget):
        if first:
            _check_prolog(chunk[:4096])
            first = False
        scan.feed(chunk)
    scan.finish()


# --- OLE2 workbooks (.xls, BIFF5/8): the cell records of every sheet ---------------------------

# Records holding a cell value (row and column in the first 4 bytes). Blank cells are not read.
_BIFF_CELLS = frozenset({0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x0002, 0x0003, 0x0004, 0x0005,
                         0x0406, 0x0206})
_BIFF_MULRK, _BIFF_BOF, _BIFF_EOF, _BIFF_BOUNDSHEET = 0x00BD, 0x0809, 0x000A, 0x0085


def check_ole2_workbook(data: bytes, limits: ReadLimits) -> None:
    """Refuse an .xls whose sheets (any BIFF substream) reach past the limits, before it is opened."""
    from xlrd.compdoc import CompDoc, CompDocError

    try:
        doc = CompDoc(data, logfile=io.StringIO())
        stream = doc.get_named_stream("Workbook") or doc.get_named_stream("Book")
    except (CompDocError, struct.error, IndexError, ValueError, MemoryError) as exc:
        raise ExcelError(f"文件已损坏或不是有效的Excel文件;{_RESAVE_ADVICE}") from exc
    if not stream:
        raise ExcelError(f"文件已损坏或不是有效的Excel文件(找不到工作簿数据);{_RESAVE_ADVICE}")
    view = memoryview(stream)
    size = len(stream)
    pos = depth = 0
    substream = -1  # 0: workbook globals, 1..: the sheets in order; cells outside any substream count too
    bofs: set[int] = set()
    sheet_offsets: list[int] = []
    extents: dict[int, list[int]] = {}
    unpack = struct.unpack_from
    while pos + 4 <= size:
        rtype, length = unpack("<HH", view, pos)
        body = pos + 4
        if body + length > size:
            break
        if rtype == _BIFF_BOF:
            if depth == 0:
                substream += 1
                bofs.add(pos)
            depth += 1
        elif rtype == _BIFF_EOF:
            depth = max(depth - 1, 0)
        elif rtype == _BIFF_BOUNDSHEET and length >= 4:
            sheet_offsets.append(unpack("<I", view, body)[0])
        elif rtype in _BIFF_CELLS and length >= 4:
            row, col = unpack("<HH", view, body)
            _grow(extents, substream if depth else -1, row + 1, col + 1)
        elif rtype == _BIFF_MULRK and length >= 6:
            row, first = unpack("<HH", view, body)
            stated = unpack("<H", view, body + length - 2)[0]
            _grow(extents, substream if depth else -1, row + 1, max(first + (length - 6) // 6, stated + 1))
        pos = body + length
    if any(offset not in bofs for offset in sheet_offsets):
        raise ExcelError(f"文件结构异常(工作表位置与内容不符),可能已损坏或是恶意构造的,已拒绝读取;{_RESAVE_ADVICE}")
    for index, (last_row, last_col) in sorted(extents.items()):
        label = f"第{index}个工作表" if index > 0 else "文件中的工作簿数据"
        error = _extent_error(label, last_row, last_col, limits)
        if error:
            raise ExcelError(error)


def _grow(extents: dict[int, list[int]], key: int, row: int, col: int) -> None:
    extent = extents.setdefault(key, [0, 0])
    if row > extent[0]:
        extent[0] = row
    if col > extent[1]:
        extent[1] = col


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
    return _finish_in_place([[cell_text(v) for v in row] for row in rows])


def _finish_in_place(table: list[list[str | None]]) -> Rows:
    """Drop trailing empty rows and pad or cut every row to the widest filled column (in place)."""
    while table and not any(cell is not None for cell in table[-1]):
        table.pop()
    width = 0
    for row in table:
        for index in range(len(row) - 1, width - 1, -1):
            if row[index] is not None:
                width = index + 1
                break
    for row in table:
        if len(row) < width:
            row.extend([None] * (width - len(row)))
        elif len(row) > width:
            del row[width:]
    return table


def _load_bytes(source: str | os.PathLike | bytes | bytearray | IO[bytes], limits: ReadLimits) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            size = os.stat(source).st_size
            if size > limits.max_bytes:
                raise _too_big(size, limits)
            data = Path(source).read_bytes()
        except OSError as exc:
            raise ExcelError(f"无法打开文件:{os.fspath(source)}") from exc
    else:
        data = source.read(limits.max_bytes + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > limits.max_bytes:
        raise _too_big(len(data), limits)
    return data


_HTML_ERROR = "该文件实际是网页(HTML/XML)格式,不是真正的Excel文件,请用Excel打开后另存为.xlsx再上传"
_MAGIC = ((b"%PDF", "PDF文档"), (b"\x89PNG", "PNG图片"), (b"\xff\xd8\xff", "JPEG图片"), (b"GIF8", "GIF图片"),
          (b"Rar!", "RAR压缩包"), (b"7z\xbc\xaf", "7z压缩包"), (b"\x1f\x8b", "gzip压缩包"))


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                return True
    return False


def _detect_kind(data: bytes, filename: str) -> str:
    ext = Path(filename).suffix.lower() if filename else ""
    if data.startswith(b"PK\x03\x04"):
        return "zip"  # xlsx / xlsm
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2"  # xls (OLE2 compound file)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        raise ExcelError(_HTML_ERROR)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise ExcelError(f"该文件实际是{kind},不是Excel或CSV表格;请上传.xlsx、.xls或.csv文件")
    if ext in (".csv", ".txt", ".tsv") or not ext:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_like_text(data):
            return "csv"
        raise ExcelError("该文件不是文本格式的CSV文件,也不是Excel文件;请上传.xlsx、.xls或.csv文件")
    if ext in (".xlsx", ".xlsm", ".xls", ".et", ".ods"):
        if _looks_like_text(data):
            raise ExcelError(f"文件已损坏或不是有效的Excel文件:它实际是文本(CSV)文件,扩展名却是“{ext}”;"
                             "请把扩展名改为.csv,或用Excel打开后另存为.xlsx再上传")
        raise ExcelError("文件已损坏或不是有效的Excel文件,请用Excel打开后另存为.xlsx再上传")
    raise ExcelError(f"不支持的文件类型“{ext}”,请上传.xlsx、.xls或.csv文件")


def _iter_workbook(data: bytes, sheet: int | str | None) -> Iterator[list[str | None]]:
    """Rows of the chosen sheet, row 0 being A1's row, cells converted, trailing empty cells cut.

    Row by row (the Python rows are never all held here). Without ``sheet``, the first visible
    worksheet that holds any data.
    """
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
            yield from _sheet_rows(ws)
            return
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.visible != SheetVisibleEnum.Visible or meta.typ != SheetTypeEnum.WorkSheet:
                continue
            blank = 0
            found = False
            for row in _sheet_rows(workbook.get_sheet_by_index(index)):
                if not found:
                    if not row:
                        blank += 1
                        continue
                    found = True
                    for _ in range(blank):
                        yield []
                yield row
            if found:
                return
    except ExcelError:
        raise
    except MemoryError:
        raise
    except Exception as exc:
        raise ExcelError("读取Excel文件时出错,文件可能已损坏,请用Excel打开后另存为.xlsx再上传") from exc
    finally:
        workbook.close()


def _sheet_rows(ws: Any) -> Iterator[list[str | None]]:
    # iter_rows starts at row 0 but at the first used column: pad the left like to_python(skip_empty_area=False).
    pad = [None] * ws.start[1] if ws.height else []
    for values in ws.iter_rows():
        row = [cell_text(v) for v in values]
        while row and row[-1] is None:
            row.pop()
        yield pad + row if row and pad else row


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


def _first_lines(text: str, count: int) -> list[str]:
    lines: list[str] = []
    start = 0
    while len(lines) < count and start < len(text):
        end = text.find("\n", start)
        if end == -1:
            end = len(text)
        line = text[start:min(end, start + 65536)]
        if line.strip():
            lines.append(line)
        start = end + 1
    return lines


def _iter_csv(data: bytes, limits: ReadLimits) -> Iterator[list[str | None]]:
    """Rows of a CSV file; its extent is checked on a first pass that keeps nothing."""
    text = _decode_text(data)
    del data
    sample = "\n".join(_first_lines(text, 30))
    delimiter = max((",", "\t", ";"), key=lambda d: (sample.count(d), d == ","))

    def reader() -> Iterator[list[str]]:
        try:
            yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        except csv.Error as exc:
            raise ExcelError(f"CSV文件格式错误,无法读取({exc})") from exc

    last_row = last_col = 0
    for number, row in enumerate(reader(), start=1):
        width = len(row)
        while width and not row[width - 1].strip():
            width -= 1
        if width:
            last_row = number
            if width > last_col:
                last_col = width
                if last_col > limits.max_columns:
                    break
        if number > limits.max_rows:
            last_row = number
            break
    error = _extent_error("CSV文件", last_row, last_col, limits) if last_row else None
    if error:
        raise ExcelError(error)
    for row in reader():
        cells = [_csv_cell(cell) for cell in row]
        while cells and cells[-1] is None:
            cells.pop()
        yield cells


def _iter_table(
    source: str | os.PathLike | bytes | bytearray | IO[bytes],
    filename: str | None,
    sheet: int | str | None,
    limits: ReadLimits,
) -> Iterator[list[str | None]]:
    """Check the file against ``limits`` before anything is materialized, then yield its rows."""
    if filename is None and isinstance(source, (str, os.PathLike)):
        filename = os.fspath(source)
    data = _load_bytes(source, limits)
    if not data or data.isspace():
        return
    kind = _detect_kind(data, filename or "")
    if kind == "csv":
        yield from _iter_csv(data, limits)
        return
    if kind == "zip":
        check_zip_workbook(data, limits)
    else:
        check_ole2_workbook(data, limits)
    yield from _iter_workbook(data, sheet)


def read_table(
    source: str | os.PathLike | bytes | bytearray | IO[bytes],
    filename: str | None = None,
    *,
    sheet: int | str | None = None,
    limits: ReadLimits | None = None,
) -> Rows:
    """Read the first (or the given) worksheet of an ``.xlsx``/``.xls``/``.csv`` file, in this process.

    ``source`` is a path, the file's bytes or a binary file object; ``filename`` (used for the
    extension) defaults to the path. Row ``i`` of the result is spreadsheet row ``i + 1``;
    every cell is the text a person sees (see :func:`cell_text`) or ``None`` when empty.
    Merged cells carry their value in the top-left cell only.

    The file is checked against ``limits`` (default :class:`ReadLimits`) before it is read: size,
    and for an .xlsx its real uncompressed size, compression ratio and every sheet's extent; for an
    .xls the extent of every sheet; for a CSV its extent. Files from outside should be read with
    :func:`read_table_isolated`, which also bounds memory and time.
    """
    return _finish_in_place(list(_iter_table(source, filename, sheet, limits or ReadLimits())))


# --- reading in a child process -------------------------------------------------------------

_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent.parent)
_CHILD_CODE = (f"import sys; sys.path.insert(0, {_PROJECT_ROOT!r}); "
               "from laomo.core.excel import _child_main; _child_main()")
_CHUNK_ROWS = 5000
_EXIT_MEMORY = 3


def _memory_error(limits: ReadLimits) -> ExcelError:
    return ExcelError(f"读取文件所需内存超过系统上限({limits.memory_mb} MB),已停止读取;{_SPLIT_ADVICE}")


def _timeout_error(limits: ReadLimits) -> ExcelError:
    return ExcelError(f"读取文件超过{limits.seconds}秒仍未完成,已停止读取;请删除多余的行列,或拆分成几个文件分别上传")


def _write_frame(out: IO[bytes], payload: Any) -> None:
    import marshal

    blob = marshal.dumps(payload)
    out.write(struct.pack("<Q", len(blob)))
    out.write(blob)


def _child_main() -> None:
    """Entry point of the reading child: a request on stdin, frames of rows on stdout."""
    import gc
    import marshal
    import resource

    gc.disable()  # short-lived and builds no cycles: collections would only cost time
    request = marshal.loads(sys.stdin.buffer.read())
    limits = ReadLimits(**request["limits"])
    memory = limits.memory_mb * _MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.seconds + 5, limits.seconds + 10))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    out = sys.stdout.buffer
    try:
        source = request["path"] if request["path"] is not None else request["data"]
        chunk: list[list[str | None]] = []
        for row in _iter_table(source, request["filename"], request["sheet"], limits):
            chunk.append(row)
            if len(chunk) >= _CHUNK_ROWS:
                _write_frame(out, ("rows", chunk))
                chunk = []
        _write_frame(out, ("rows", chunk))
        _write_frame(out, ("done", None))
    except ExcelError as exc:
        _write_frame(out, ("error", str(exc)))
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    out.flush()


def read_table_isolated(
    source: str | os.PathLike | bytes | bytearray | IO[bytes],
    filename: str | None = None,
    *,
    sheet: int | str | None = None,
    limits: ReadLimits | None = None,
) -> Rows:
    """:func:`read_table` in a child process bounded by ``limits.memory_mb`` and ``limits.seconds``.

    A file that makes the reader die (a signal, running out of memory, running out of time)
    raises :class:`ExcelError` with a Chinese reason here; this process is never at risk. The
    child is a fresh interpreter (no Django, no database connection, no threads inherited).
    """
    import gc
    import logging
    import marshal
    import select
    import signal
    import subprocess
    import tempfile
    import time

    limits = limits or ReadLimits()
    if filename is None and isinstance(source, (str, os.PathLike)):
        filename = os.fspath(source)
    request: dict[str, Any] = {"path": None, "data": None, "filename": filename, "sheet": sheet,
                               "limits": {k: getattr(limits, k) for k in limits.__dataclass_fields__}}
    if isinstance(source, (str, os.PathLike)):
        try:
            size = os.stat(source).st_size
        except OSError as exc:
            raise ExcelError(f"无法打开文件:{os.fspath(source)}") from exc
        if size > limits.max_bytes:
            raise _too_big(size, limits)
        request["path"] = os.path.abspath(os.fspath(source))
    else:
        request["data"] = _load_bytes(source, limits)
    deadline = time.monotonic() + limits.seconds
    rows: list[list[str | None]] = []
    state = {"done": False, "error": None}
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen([sys.executable, "-I", "-c", _CHILD_CODE], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=errors, close_fds=True,
                                env={**os.environ, "RUST_BACKTRACE": "0"})
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            try:
                proc.stdin.write(marshal.dumps(request))
                proc.stdin.close()
            except BrokenPipeError:
                pass
            del request
            fd = proc.stdout.fileno()
            poller = select.poll()  # not select.select: a busy process may hold descriptors above 1024
            poller.register(fd, select.POLLIN | select.POLLHUP)
            buffer = bytearray()
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _timeout_error(limits)
                if not poller.poll(max(int(remaining * 1000), 1)):
                    continue
                block = os.read(fd, 1 << 20)
                if not block:
                    break
                buffer += block
                while len(buffer) >= 8:
                    (length,) = struct.unpack_from("<Q", buffer)
                    if len(buffer) < 8 + length:
                        break
                    kind, payload = marshal.loads(bytes(buffer[8:8 + length]))
                    del buffer[:8 + length]
                    if kind == "rows":
                        rows.extend(payload)
                    elif kind == "error":
                        state["error"] = payload
                    elif kind == "done":
                        state["done"] = True
            code = proc.wait(timeout=max(deadline - time.monotonic(), 1))
        except subprocess.TimeoutExpired as exc:
            raise _timeout_error(limits) from exc
        except ExcelError:
            raise
        except (ValueError, EOFError, TypeError) as exc:  # a frame that does not decode
            raise ExcelError(f"读取文件时出错,文件可能已损坏;{_RESAVE_ADVICE}") from exc
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            if was_enabled:
                gc.enable()
        if state["error"]:
            raise ExcelError(state["error"])
        if code == 0 and state["done"]:
            return _finish_in_place(rows)
        del rows
        errors.seek(0, os.SEEK_END)
        errors.seek(max(errors.tell() - 4096, 0))
        stderr = errors.read().decode("utf-8", "replace")
    logging.getLogger("laomo.excel").warning("spreadsheet reader exited with %s: %s", code, stderr[-2000:])
    if code == _EXIT_MEMORY or "memory allocation" in stderr or "MemoryError" in stderr or code == -signal.SIGKILL:
        raise _memory_error(limits)
    if code == -signal.SIGXCPU:
        raise _timeout_error(limits)
    reason = f"信号{-code}" if code < 0 else f"代码{code}"
    raise ExcelError(f"读取文件时读取程序异常退出({reason}),文件可能已损坏或是恶意构造的;{_RESAVE_ADVICE}")


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
    """Write the original rows back with an extra last column "错误信息" and a first column "原表行号".

    Rows above ``header_index`` (titles, 填报单位 lines) are dropped, the header row is kept, and each row
    keeps its original sheet row number in the first column (the number the import page names it by),
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
        body.append([index + 1, *(row + [None] * width)[:width], message or None])
    headers = [ROW_NUMBER_HEADER] + [cell or "" for cell in header] + [ERROR_COLUMN_HEADER]
    return _write_sheet(out, headers, body, set(range(1, width + 1)), sheet_name, 200, error_col=width + 1)
