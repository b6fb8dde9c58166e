"""The provincial return: one row per unit and the total, the summary's figures, last year's and 同比."""

import pytest
from openpyxl import load_workbook

from conftest import login_client
from laomo.reports import provincial
from laomo.reports.selectors import summary
from laomo.reports.tests.test_workspace import everything  # noqa: F401  (the shared fixture)
from laomo.reports.workspace import child_units, flatten, number

pytestmark = pytest.mark.django_db


def _sheet_rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows(min_row=5)]


def test_it_writes_each_unit_and_the_total_with_last_year_and_the_change(everything, users, orgs, tmp_path):  # noqa: F811
    city, user = orgs["331100"], users["city_staff"]
    target = tmp_path / "return.xlsx"
    assert provincial.write(str(target), user=user, year=2023, org=city) == len(child_units(city))
    book = load_workbook(target)
    assert book.sheetnames == ["本年", "上年同期", "同比"]
    now, before, change = (_sheet_rows(book[name]) for name in book.sheetnames)
    header = [c.value for c in book["本年"][4]]
    columns = [c for c in provincial.COLUMNS if c[1] in header]
    assert len(columns) == len(provincial.COLUMNS)
    units = {row[0]: row for row in now if row[0]}
    for unit in child_units(city) + [city]:
        flat = dict(flatten(summary(user=user, year=2023, org=unit)))
        row = units["合计" if unit == city else unit.name]
        for i, (_, _, path) in enumerate(columns, start=1):
            assert number(row[i]) == number(flat[path]), (unit.code, path)
    lectures = header.index("宣讲(场)")
    total_before = next(r for r in before if r[0] == "合计")
    total_change = next(r for r in change if r[0] == "合计")
    assert (units["合计"][lectures], total_before[lectures], total_change[lectures]) == (1, 5, "-80.0%")
    assert book["本年"]["A1"].value == "丽水市总工会2023年劳模工作情况统计表"


def test_it_generates_the_return_as_a_job_in_scope(everything, users, django_capture_on_commit_callbacks):  # noqa: F811
    client = login_client(users["county_staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/provincial/", {"year": 2022})
    job = client.get(response["Location"]).context["job"]
    assert job.status == "done", job.error and job.result["org"] == "331102"
    assert client.post("/reports/provincial/", {"year": 2022, "org": "331126"}).status_code == 403
