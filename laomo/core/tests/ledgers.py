"""Messy ledgers as union offices keep them, for the importer tests (issue 13): a merged title row, a
填报单位 line, a blank row, the header, the data, a 合计 footer and a note; as .xlsx or GB18030 .csv."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl

from laomo.core.importing import get_kind


def ledger_rows(title: str, header: list[str], rows: list[list]) -> list[list]:
    width = len(header)
    pad = lambda r: list(r) + [None] * (width - len(r))  # noqa: E731
    return [pad([title]), pad(["填报单位:丽水市总工会", None, "填报日期:2024年1月"]), pad([]), list(header),
            *[pad(r) for r in rows], pad(["合计", f"{len(rows)}条"]), pad(["注:本表由各县(市、区)总工会填报。"])]


def write_ledger(folder: Path, name: str, title: str, header: list[str], rows: list[list], fmt: str = "xlsx") -> Path:
    """Write the ledger as `folder/name.<fmt>` and return its path."""
    table = ledger_rows(title, header, rows)
    path = Path(folder) / f"{name}.{'csv' if fmt == 'csv' else 'xlsx'}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for row in table:
            writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, date | datetime) else v)
                             for v in row])
        path.write_bytes(out.getvalue().encode("gb18030"))
        return path
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in table:
        ws.append(row)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    wb.save(path)
    return path


def template_header(kind: str) -> list[str]:
    return [c.label for c in get_kind(kind).columns]
