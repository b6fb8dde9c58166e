"""Messy ledgers as union offices keep them, for the importer tests (issue 13): a merged title row, a
填报单位 line, a blank row, the header, the data, a 合计 footer and a note; as .xlsx or GB18030 .csv."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
from django.urls import reverse

from laomo.core.actors import SYSTEM
from laomo.core.idnumber import check_digit
from laomo.core.importing import get_kind, run_import
from laomo.workers.services import worker_create


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


# --- the people every sample ledger names ----------------------------------------------------------
#
# Registered first (through the services, or the roster import in the go-live test); each module's
# `tests/ledger_samples.py` names them in its ledgers. 王芳 is registered twice in 青田 (two people of one
# name): a ledger naming her by name alone is ambiguous, by ID number it is not.

PEOPLE = [
    # (name, unit code, unit name as clerks write it, birth date, sequence)
    ("张建国", "331102", "莲都区", "19650312", "131"),
    ("李秀英", "331102", "莲都", "19700101", "142"),
    ("陈志强", "331121", "青田县", "19680415", "153"),
    ("王芳", "331121", "青田县", "19720506", "164"),
    ("王芳", "331121", "青田县", "19750808", "176"),
    ("刘伟", "331122", "缙云县", "19690909", "187"),
    ("周丽", "331123", "遂昌县", "19800101", "198"),
    ("吴海", "331124", "松阳县", "19710202", "219"),
    ("郑小红", "331125", "云和县", "19730303", "222"),
    ("孙强", "331126", "庆元县", "19740404", "233"),
    ("林美华", "331127", "景宁畲族自治县", "19760505", "244"),
    ("何建军", "331181", "龙泉市", "19770606", "255"),
    ("徐明", "331101", "市本级", "19780707", "277"),
]


def person_id(person) -> str:
    name, code, _, birth, seq = person
    first17 = f"{code if code != '331101' else '331100'}{birth}{seq}"
    return first17 + check_digit(first17)


def register_people(orgs) -> list:
    """The PEOPLE as workers (through the service), in PEOPLE's order."""
    return [worker_create(actor=SYSTEM, org=orgs[code], name=name, id_number=person_id(p))
            for p in PEOPLE for name, code, *_ in [p]]


# --- running a ledger: directly, and through the pages as a clerk does -----------------------------------


def run_ledger(kind: str, path: Path, org, *, dry_run: bool = False, actor=SYSTEM, report=None):
    """`run_import` of a ledger file, as the `import_<kind>` command and the job call it."""
    return run_import(kind=kind, actor=actor, org=org, source=str(path), filename=path.name, dry_run=dry_run,
                      report_path=report)


def figure(data: dict, dotted: str):
    """A figure of a summary section by its dotted key (`volunteering.hours`)."""
    for part in dotted.split("."):
        data = data[part]
    return data


def upload_ledger(client, kind: str, path: Path, org, capture):
    """Post a ledger to the upload page (the job runs at once): the response and the preview job's id."""
    with capture(execute=True), open(path, "rb") as fh:
        response = client.post(reverse("core:import_upload", args=[kind]), {"file": fh, "org": org.pk})
    return response, response.url.rstrip("/").split("/")[-1] if response.status_code == 302 else None


def result_page(client, kind: str, job_id) -> str:
    return client.get(reverse("core:import_result", args=[kind, job_id])).content.decode()


def commit_ledger(client, kind: str, job_id, capture):
    """Press 确认导入 on a preview (the job runs at once)."""
    with capture(execute=True):
        return client.post(reverse("core:import_commit", args=[kind, job_id]))
