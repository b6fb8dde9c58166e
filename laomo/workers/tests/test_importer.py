"""Roster import (DESIGN.md §6, issue 3 item 3): a messy file in every format, the CLI, the rules."""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from laomo.core.actors import SYSTEM
from laomo.core.idnumber import upgrade_15_to_18
from laomo.core.models import AuditEntry
from laomo.workers.importer import roster_import
from laomo.workers.models import Honor, Worker

from .factories import full_width, id_ending_in_x, make_id, make_worker, wrong_check

try:  # the hand-made BIFF8 writer of the Excel tests (no xlwt in the environment)
    from laomo.core.tests.test_excel import build_xls
except ImportError:  # pragma: no cover
    build_xls = None

EXCEL_EPOCH = date(1899, 12, 30)

ID_ZHANG = make_id("331102", "19650312", "131")  # 张三, a man
ID_LI = id_ending_in_x("331102", "19700101")  # 李四, typed with a lower-case x
ID15_WANG = "331102680415152"  # 王五, a 15-digit number: 1968-04-15, a woman
ID_WANG = upgrade_15_to_18(ID15_WANG)
ID_ZHAO = wrong_check(make_id("331102", "19720506", "011"))  # 赵六: wrong check digit
ID_SUN = make_id("331101", "19750808", "033")  # 孙八
ID_ZHOU = make_id("331101", "19690909", "055")  # 周九
ID_WU = make_id("331102", "19650312", "079")  # 吴十, stored as a float by Excel
ID_ZHENG = make_id("331102", "19800101", "099")  # 郑十一, no region column

HEADER = ["序号", "姓名", "公民身份号码", "性 别", "出生年月", "工作单位及职务", "县（市、区）", "荣誉称号",
          "表彰年份", "手机"]
NCOL = len(HEADER)


def _pad(row):
    return list(row) + [None] * (NCOL - len(row))


# Spreadsheet rows 1.. (None = empty cell). Values keep their type: a float ID and a date cell stay
# numbers/dates in .xlsx/.xls and become what Excel would write in a .csv.
MESSY = [
    _pad(["丽水市劳动模范花名册"]),  # 1: title (merged A1:J1)
    _pad(["填报单位:丽水市总工会", None, None, None, None, None, None, "填报日期:2024年5月"]),  # 2
    _pad([]),  # 3: blank
    HEADER,  # 4
    [1, "张三", full_width(ID_ZHANG), "男", "1965.03", "丽水某科技有限公司", "莲都", "浙江省劳动模范", "2015年",
     "138-0578-1234"],  # 5
    _pad([]),  # 6: blank
    [2, "李四", ID_LI.lower(), "", "", "莲都区农业农村局", "莲都区", "丽水市劳动模范", "2015.04", ""],  # 7
    [3, "王五", ID15_WANG, "女", "", "龙泉宝剑厂", "丽水市莲都区", "龙泉市劳动模范", "2015-4-28", None],  # 8
    [4, "赵六", ID_ZHAO, "", "", "莲都某公司", "莲都", "县劳模", "2016", None],  # 9: rejected
    [5, "钱七", None, "女", "1970.05", "景宁惠明茶场", "景宁县", "全国劳动模范", "2015/04/28", None],  # 10
    [6, "张三", ID_ZHANG, "男", None, None, "莲都", "全国五一劳动奖章", date(2016, 4, 28), None],  # 11
    [7, "孙八", ID_SUN, "", "", "市直某单位", "市直", "优秀共产党员", "2017", None],  # 12: rejected
    [8, "周九", ID_ZHOU, "", "", "=1+1", "市直", "丽水市先进工作者", 2018, None],  # 13
    [9, "吴十", float(ID_WU), "", "", "莲都某厂", "莲都", "市劳模", "2019", None],  # 14: rejected
    [10, "郑十一", ID_ZHENG, "", "", "某单位", None, "莲都区劳动模范", 2012, None],  # 15: no region
    _pad(["合计", "10人"]),  # 16
    _pad(["注:本表由各县(市、区)总工会填报,身份证号一列请设为文本格式。"]),  # 17
]
DATE_CELLS = {(10, 8)}  # 0-based (row, col) of the Excel date cell

EXPECTED = {"rows": 10, "created_workers": 6, "updated_workers": 0, "created_honors": 7, "rejected_rows": 3,
            "warnings": 2}
NOTHING = {"created_workers": 0, "updated_workers": 0, "created_honors": 0}
# (name, org code, id_number, sex, birth date, highest level, honors as (level, kind, title, year))
EXPECTED_REGISTRY = {
    ("张三", "331102", ID_ZHANG, "M", "1965-03-12", "national", frozenset({
        ("national", "may_day_medal", "全国五一劳动奖章", 2016),
        ("provincial", "model_worker", "浙江省劳动模范", 2015)})),
    ("李四", "331102", ID_LI, "M" if int(ID_LI[16]) % 2 else "F", "1970-01-01", "municipal", frozenset({
        ("municipal", "model_worker", "丽水市劳动模范", 2015)})),
    ("王五", "331102", ID_WANG, "F", "1968-04-15", "county", frozenset({
        ("county", "model_worker", "龙泉市劳动模范", 2015)})),
    ("钱七", "331127", "", "F", "1970-05-01", "national", frozenset({
        ("national", "model_worker", "全国劳动模范", 2015)})),
    ("周九", "331101", ID_ZHOU, "M", "1969-09-09", "municipal", frozenset({
        ("municipal", "advanced_worker", "丽水市先进工作者", 2018)})),
    ("郑十一", "331100", ID_ZHENG, "M", "1980-01-01", "county", frozenset({
        ("county", "model_worker", "莲都区劳动模范", 2012)})),
}


# --- writing the same rows in every format -------------------------------------------------------


def to_xlsx(rows, merged_title: bool) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "劳模名册"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as typed after a leading '
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
    if merged_title:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _excel_text(value) -> str:
    """What Excel writes into a .csv for a cell."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(value, ".6G")  # 3.31102E+17
    return str(value)


def to_csv(rows, encoding: str) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_excel_text(v) for v in row])
    return out.getvalue().encode(encoding)


def to_xls(rows, merged_title: bool) -> bytes:
    cells = []
    for r, row in enumerate(rows):
        out = []
        for c, value in enumerate(row):
            if isinstance(value, date):
                assert (r, c) in DATE_CELLS
                value = float((value - EXCEL_EPOCH).days)
            out.append(value)
        cells.append(out)
    merges = [(0, 0, 0, len(rows[0]) - 1)] if merged_title else []
    return build_xls(cells, merges=merges, date_cells=DATE_CELLS)


FORMATS = {
    "xlsx": ("名册.xlsx", to_xlsx),
    "xls": ("名册.xls", to_xls),
    "csv-gb18030": ("名册.csv", lambda rows, merged_title: to_csv(rows, "gb18030")),
    "csv-utf8-bom": ("名册.csv", lambda rows, merged_title: to_csv(rows, "utf-8-sig")),
}


def write(tmp_path, rows, fmt="xlsx"):
    if fmt == "xls" and build_xls is None:  # pragma: no cover
        pytest.skip("no .xls writer available")
    filename, build = FORMATS[fmt]
    path = tmp_path / filename
    path.write_bytes(build(rows, merged_title=rows is MESSY))
    return path


def run(path, org, *, dry_run=False, actor=SYSTEM, report=None):
    return roster_import(actor=actor, source=str(path), filename=path.name, org=org, dry_run=dry_run,
                         report_path=report)


def registry() -> set:
    """The registry as comparable tuples (see EXPECTED_REGISTRY)."""
    return {
        (w.name, w.org.code, w.id_number, w.sex, w.birth_date.isoformat() if w.birth_date else "", w.highest_level,
         frozenset((h.level, h.kind, h.title, h.year) for h in w.honors.all() if not h.is_deleted))
        for w in Worker.objects.select_related("org").prefetch_related("honors")
    }


# --- the messy file ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_it_imports_the_messy_roster_in_every_format_with_the_same_result(tmp_path, orgs, fmt):
    path = write(tmp_path, MESSY, fmt)
    result = run(path, orgs["331100"])
    assert result.file_error == ""
    assert result.summary() == EXPECTED
    assert registry() == EXPECTED_REGISTRY
    assert Worker.objects.count() == 6 and Honor.objects.count() == 7
    again = run(path, orgs["331100"])
    assert again.summary() == {**EXPECTED, **NOTHING}
    assert Worker.objects.count() == 6 and Honor.objects.count() == 7
    assert registry() == EXPECTED_REGISTRY


@pytest.mark.django_db
def test_it_reports_each_rejection_with_its_row_number_and_a_chinese_reason(tmp_path, orgs):
    result = run(write(tmp_path, MESSY), orgs["331100"])
    assert sorted(result.errors_by_row) == [9, 12, 14]
    assert "校验位错误" in result.errors_by_row[9][0]
    assert "优秀共产党员" in result.errors_by_row[12][0] and "无法识别的荣誉称号" in result.errors_by_row[12][0]
    assert "科学计数法" in result.errors_by_row[14][0]
    assert not Worker.objects.filter(name__in=["赵六", "孙八", "吴十"]).exists()


@pytest.mark.django_db
def test_it_warns_about_a_row_without_id_and_merges_the_same_person(tmp_path, orgs):
    result = run(write(tmp_path, MESSY), orgs["331100"])
    assert sorted(result.warnings_by_row) == [10, 11]
    assert "待补全" in result.warnings_by_row[10][0]
    assert "第5行" in result.warnings_by_row[11][0]
    qian = Worker.objects.get(name="钱七")
    assert qian.is_incomplete and qian.id_number == "" and qian.id_number_index is None
    zhang = Worker.objects.get(name="张三")
    assert not zhang.is_incomplete
    assert zhang.highest_level == "national"
    assert sorted(zhang.honors.values_list("title", flat=True)) == ["全国五一劳动奖章", "浙江省劳动模范"]


@pytest.mark.django_db
def test_it_normalizes_ids_phones_dates_and_keeps_formula_text_as_text(tmp_path, orgs):
    run(write(tmp_path, MESSY), orgs["331100"])
    zhang = Worker.objects.get(name="张三")
    assert zhang.id_number == ID_ZHANG  # full-width digits → half-width
    assert zhang.phone == "13805781234" and zhang.phone_masked == "138****1234"
    li = Worker.objects.get(name="李四")
    assert li.id_number == ID_LI and li.id_number.endswith("X")  # lower-case x → X
    wang = Worker.objects.get(name="王五")
    assert wang.id_number == ID_WANG and ID_WANG.startswith("33110219680415152")  # 15 → 18 digits
    assert wang.birth_date == date(1968, 4, 15) and wang.sex == "F"
    assert Worker.objects.get(name="周九").employer == "=1+1"
    dates = dict(Honor.objects.values_list("title", "award_date"))
    assert dates["浙江省劳动模范"] is None  # 2015年
    assert dates["丽水市劳动模范"] == date(2015, 4, 1)  # 2015.04
    assert dates["龙泉市劳动模范"] == date(2015, 4, 28)  # 2015-4-28
    assert dates["全国劳动模范"] == date(2015, 4, 28)  # 2015/04/28
    assert dates["全国五一劳动奖章"] == date(2016, 4, 28)  # an Excel date cell
    assert dates["丽水市先进工作者"] is None  # a bare year as a number
    years = dict(Honor.objects.values_list("title", "year"))
    assert years == {"浙江省劳动模范": 2015, "丽水市劳动模范": 2015, "龙泉市劳动模范": 2015, "全国劳动模范": 2015,
                     "全国五一劳动奖章": 2016, "丽水市先进工作者": 2018, "莲都区劳动模范": 2012}


@pytest.mark.django_db
def test_it_maps_region_spellings_to_org_units(tmp_path, orgs):
    run(write(tmp_path, MESSY), orgs["331100"])
    org_of = dict(Worker.objects.values_list("name", "org__code"))
    assert org_of["张三"] == "331102"  # 莲都
    assert org_of["李四"] == "331102"  # 莲都区
    assert org_of["王五"] == "331102"  # 丽水市莲都区
    assert org_of["钱七"] == "331127"  # 景宁县
    assert org_of["周九"] == "331101"  # 市直
    assert org_of["郑十一"] == "331100"  # no region: the unit of the import


@pytest.mark.django_db
def test_it_derives_the_level_by_the_org_tree_not_by_the_character_shi(tmp_path, orgs):
    run(write(tmp_path, MESSY), orgs["331100"])
    levels = dict(Honor.objects.values_list("title", "level"))
    assert levels["龙泉市劳动模范"] == "county"
    assert levels["丽水市劳动模范"] == "municipal"
    assert Worker.objects.get(name="王五").highest_level == "county"
    assert Worker.objects.get(name="李四").highest_level == "municipal"


@pytest.mark.django_db
def test_it_writes_nothing_on_a_dry_run_but_reports_what_a_commit_would_do(tmp_path, orgs):
    path = write(tmp_path, MESSY)
    audit_before = AuditEntry.objects.count()
    result = run(path, orgs["331100"], dry_run=True)
    assert result.summary() == EXPECTED and result.dry_run
    assert Worker.objects.count() == 0 and Honor.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before
    assert run(path, orgs["331100"]).summary() == EXPECTED


@pytest.mark.django_db
def test_it_rejects_regions_outside_the_import_unit_and_puts_rows_without_region_in_it(tmp_path, orgs):
    result = run(write(tmp_path, MESSY), orgs["331102"])
    # 钱七 (景宁县) and 周九 (市直) are outside 莲都 now; 郑十一 (no region) goes to 莲都.
    assert sorted(result.errors_by_row) == [9, 10, 12, 13, 14]
    assert "不在本次导入单位" in result.errors_by_row[10][0] and "莲都区总工会" in result.errors_by_row[10][0]
    assert "不在本次导入单位" in result.errors_by_row[13][0]
    assert result.summary() == {"rows": 10, "created_workers": 4, "updated_workers": 0, "created_honors": 5,
                                "rejected_rows": 5, "warnings": 2}
    assert set(Worker.objects.values_list("org__code", flat=True)) == {"331102"}
    assert Worker.objects.get(name="郑十一").org.code == "331102"


@pytest.mark.django_db
def test_it_refuses_to_touch_a_worker_registered_outside_the_import_unit(tmp_path, orgs):
    make_worker(orgs["331126"], "郑十一", id_number=ID_ZHENG)
    result = run(write(tmp_path, MESSY), orgs["331102"])
    assert "不在本次导入单位范围内" in result.errors_by_row[15][0]
    assert Worker.objects.get(name="郑十一").org.code == "331126"
    assert not Honor.objects.filter(worker__name="郑十一").exists()


@pytest.mark.django_db
def test_it_updates_an_existing_worker_and_adds_only_new_honors(tmp_path, orgs):
    zhang = make_worker(orgs["331102"], "张三", id_number=ID_ZHANG, employer="旧单位",
                        honors=[("浙江省劳动模范", 2015)])
    result = run(write(tmp_path, MESSY), orgs["331100"])
    assert result.summary() == {**EXPECTED, "created_workers": 5, "updated_workers": 1, "created_honors": 6}
    zhang.refresh_from_db()
    assert zhang.employer == "丽水某科技有限公司" and zhang.phone == "13805781234"
    assert zhang.honors.count() == 2 and zhang.highest_level == "national"
    update = AuditEntry.objects.get(action="workers.worker.import_update", object_id=str(zhang.pk))
    assert update.changes["employer"] == ["旧单位", "丽水某科技有限公司"]
    assert "13805781234" not in json.dumps(update.changes)


@pytest.mark.django_db
def test_it_matches_a_row_without_id_to_the_incomplete_worker_of_the_same_name_and_unit(tmp_path, orgs):
    qian = make_worker(orgs["331127"], "钱七", sex="F")
    result = run(write(tmp_path, MESSY), orgs["331100"])
    assert result.created_workers == 5 and result.updated_workers == 1
    assert Worker.objects.filter(name="钱七").count() == 1
    qian.refresh_from_db()
    assert qian.birth_date == date(1970, 5, 1) and qian.highest_level == "national"


@pytest.mark.django_db
def test_it_audits_the_batch_with_its_counts(tmp_path, orgs):
    run(write(tmp_path, MESSY), orgs["331100"])
    entry = AuditEntry.objects.get(action="workers.worker.import")
    assert entry.object_repr == "名册.xlsx"
    assert entry.org.code == "331100"
    assert {k: entry.changes[k] for k in EXPECTED} == EXPECTED


@pytest.mark.django_db
def test_it_writes_an_error_report_with_the_original_rows_and_an_error_column(tmp_path, orgs):
    report = tmp_path / "报告.xlsx"
    run(write(tmp_path, MESSY), orgs["331100"], report=report)
    rows = list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))
    assert list(rows[0]) == ["原表行号", *HEADER, "错误信息"]
    by_name = {}
    for row in rows[1:]:
        by_name.setdefault(row[2], []).append(row[1:])
    assert by_name["赵六"][0][2] == ID_ZHAO  # the original cell, as text
    assert [row[0] for row in rows[1:] if row[2] == "赵六"] == [9]  # the row number the import page shows
    assert "校验位错误" in by_name["赵六"][0][-1]
    assert "无法识别的荣誉称号" in by_name["孙八"][0][-1]
    assert "科学计数法" in by_name["吴十"][0][-1]
    assert "待补全" in by_name["钱七"][0][-1]
    assert by_name["李四"][0][-1] is None
    assert by_name["周九"][0][5] == "'=1+1"  # neutralized in the report (OWASP ASVS 1.2.10)
    assert len(by_name["张三"]) == 2


# --- rules one by one ---------------------------------------------------------------------------------


def _roster(*rows, header=("姓名", "身份证号", "所属地区", "荣誉称号", "获评时间")):
    return [list(header), *[list(r) for r in rows]]


@pytest.mark.django_db
@pytest.mark.parametrize("header", [
    ("姓名", "身份证号", "所属地区", "荣誉", "授予年份"),
    ("姓名", "身份证号码", "县(市、区)", "荣誉称号", "获评时间"),
    ("姓名", "公民身份号码", "地区", "获得荣誉", "表彰年份"),
])
def test_it_maps_header_synonyms(tmp_path, orgs, header):
    rows = _roster(["王小明", make_id("331126", "19700101"), "庆元", "县劳模", "2010"], header=header)
    assert run(write(tmp_path, rows), orgs["331100"]).summary()["created_workers"] == 1
    assert Worker.objects.get().org.code == "331126"
    assert Honor.objects.get().year == 2010


@pytest.mark.django_db
def test_it_rejects_a_typed_birth_date_or_sex_that_contradicts_the_id(tmp_path, orgs):
    number = make_id("331126", "19700101", "031")  # a man born 1970-01-01
    rows = _roster(["甲", number, "男", "1971.01", "庆元"], ["乙", make_id("331126", "19700101", "051"), "女",
                                                          "1970.01", "庆元"],
                   header=("姓名", "身份证号", "性别", "出生年月", "所属地区"))
    result = run(write(tmp_path, rows), orgs["331100"])
    assert "出生日期与身份证号不符" in result.errors_by_row[2][0]
    assert "性别与身份证号不符" in result.errors_by_row[3][0]
    assert result.rejected_rows == 2 and Worker.objects.count() == 0


@pytest.mark.django_db
def test_it_rejects_the_same_id_with_two_different_names(tmp_path, orgs):
    number = make_id("331126", "19700101")
    result = run(write(tmp_path, _roster(["甲", number, "庆元", "县劳模", "2010"],
                                         ["乙", number, "庆元", "市劳模", "2012"])), orgs["331100"])
    assert "与第2行身份证号相同但姓名不同" in result.errors_by_row[3][0]
    assert result.created_workers == 1 and result.created_honors == 1 and result.rejected_rows == 1


@pytest.mark.django_db
def test_it_imports_several_honors_in_one_cell_and_short_forms(tmp_path, orgs):
    honors = "2010年县劳模、2015年市劳模、全国劳模(2020年)"
    rows = _roster(["王小明", make_id("331126", "19700101"), "庆元", honors, ""])
    result = run(write(tmp_path, rows), orgs["331100"])
    assert result.created_honors == 3
    assert sorted(Honor.objects.values_list("level", "year")) == [("county", 2010), ("municipal", 2015),
                                                                  ("national", 2020)]
    assert Worker.objects.get().highest_level == "national"


@pytest.mark.django_db
def test_it_rejects_an_unknown_region_and_a_bad_phone(tmp_path, orgs):
    rows = _roster(["甲", make_id("331126", "19700101"), "杭州市西湖区", "县劳模", "2010", ""],
                   ["乙", make_id("331126", "19700101"), "庆元", "县劳模", "2010", "12345"],
                   header=("姓名", "身份证号", "所属地区", "荣誉称号", "获评时间", "联系电话"))
    result = run(write(tmp_path, rows), orgs["331100"])
    assert "无法识别所属地区“杭州市西湖区”" in result.errors_by_row[2][0]
    assert "联系电话格式不正确" in result.errors_by_row[3][0]
    assert Worker.objects.count() == 0


@pytest.mark.django_db
def test_it_maps_employment_status_words_and_never_marks_a_worker_deceased(tmp_path, orgs):
    from laomo.workers import services

    dead = make_worker(orgs["331126"], "故人", id_number=make_id("331126", "19300101"))
    services.worker_set_status(actor=SYSTEM, worker=dead, status="deceased", status_date=date(2020, 1, 1))
    living = make_worker(orgs["331126"], "健在", id_number=make_id("331126", "19400101"))
    rows = _roster(["甲", make_id("331126", "19500101"), "庆元", "退休"],
                   ["乙", make_id("331126", "19600101"), "庆元", "去世"],
                   ["健在", living.id_number, "庆元", "已故"],
                   ["故人", dead.id_number, "庆元", "去世"],
                   header=("姓名", "身份证号", "所属地区", "在职状态"))
    result = run(write(tmp_path, rows), orgs["331100"])
    assert sorted(result.errors_by_row) == [3, 4]
    assert "不能通过导入标记" in result.errors_by_row[3][0] and "不能通过导入标记" in result.errors_by_row[4][0]
    assert (result.created_workers, result.updated_workers, result.rejected_rows) == (1, 0, 2)
    assert Worker.objects.get(name="甲").employment_status == "retired"
    living.refresh_from_db()
    assert living.employment_status == "active"


@pytest.mark.django_db
def test_it_reads_neutralized_formula_text_back_as_the_text(tmp_path, orgs):
    rows = _roster(["甲", make_id("331126", "19500101"), "庆元", "'=1+1", "'@某厂"],
                   header=("姓名", "身份证号", "所属地区", "职务", "工作单位"))
    run(write(tmp_path, rows), orgs["331100"])
    assert Worker.objects.values_list("job_title", "employer").get() == ("=1+1", "@某厂")


@pytest.mark.django_db
def test_it_does_not_bring_a_deceased_worker_back_to_active(tmp_path, orgs):
    from laomo.workers import services

    dead = make_worker(orgs["331126"], "故人", id_number=make_id("331126", "19300101"))
    services.worker_set_status(actor=SYSTEM, worker=dead, status="deceased", status_date=date(2020, 1, 1))
    rows = _roster(["故人", dead.id_number, "庆元", "在职", "某新单位"],
                   header=("姓名", "身份证号", "所属地区", "在职状态", "工作单位"))
    result = run(write(tmp_path, rows), orgs["331100"])
    dead.refresh_from_db()
    assert (dead.employment_status, dead.status_date) == ("deceased", date(2020, 1, 1))
    assert dead.employer == "某新单位" and result.updated_workers == 1
    assert result.warnings_by_row[2] == ["未填写荣誉称号", "该劳模已登记去世,在职状态未更新"] and result.warnings == 2


@pytest.mark.django_db
def test_it_moves_a_worker_to_the_unit_the_region_names_and_renames_by_id(tmp_path, orgs):
    worker = make_worker(orgs["331102"], "张三", id_number=ID_ZHANG)
    rows = _roster(["张叁", ID_ZHANG, "庆元", "", ""])
    result = run(write(tmp_path, rows), orgs["331100"])
    assert result.updated_workers == 1 and result.created_workers == 0
    worker.refresh_from_db()
    assert (worker.org.code, worker.name, worker.name_pinyin) == ("331126", "张叁", "zhangsan")
    entry = AuditEntry.objects.get(action="workers.worker.import_update", object_id=str(worker.pk))
    assert entry.changes["name"] == ["张三", "张叁"] and "org_id" in entry.changes


@pytest.mark.django_db
def test_it_matches_an_honor_entered_on_the_form_with_its_year_in_the_title(tmp_path, orgs):
    from laomo.workers import services

    worker = make_worker(orgs["331102"], "张三", id_number=ID_ZHANG)
    services.honor_add(actor=SYSTEM, worker=worker, title="2015年浙江省劳动模范")
    result = run(write(tmp_path, _roster(["张三", ID_ZHANG, "莲都", "浙江省劳动模范", "2015"])), orgs["331100"])
    assert result.created_honors == 0 and worker.honors.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_file_without_a_header(tmp_path, orgs):
    path = tmp_path / "x.csv"
    path.write_text("随便,什么\n1,2\n", encoding="utf-8")
    result = run(path, orgs["331100"])
    assert "未找到表头行" in result.file_error and result.rows == 0
    assert Worker.objects.count() == 0


@pytest.mark.django_db
def test_it_is_all_or_nothing_when_the_commit_fails(tmp_path, orgs, monkeypatch):
    from laomo.workers import importer

    def boom(self, people):
        Worker.objects.create(worker_no="LMBOOM", name="半截", name_pinyin="", name_initials="",
                              org=orgs["331100"])
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer.RosterImporter, "_create_workers", boom)
    with pytest.raises(RuntimeError):
        run(write(tmp_path, MESSY), orgs["331100"])
    assert Worker.objects.count() == 0 and not AuditEntry.objects.filter(action="workers.worker.import").exists()


# --- the command line -------------------------------------------------------------------------------


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.django_db
def test_it_prints_the_json_summary_as_the_last_line(tmp_path, orgs, capsys):
    path = write(tmp_path, MESSY)
    call_command("import_roster", str(path), "--json")
    out = capsys.readouterr().out
    summary = _last_json(out)
    assert summary == EXPECTED
    assert set(summary) == {"rows", "created_workers", "updated_workers", "created_honors", "rejected_rows",
                            "warnings"}
    assert all(type(v) is int for v in summary.values())
    assert "第9行 错误:" in out and "校验位错误" in out
    call_command("import_roster", str(path), "--json")
    assert _last_json(capsys.readouterr().out) == {**EXPECTED, **NOTHING}
    entry = AuditEntry.objects.filter(action="workers.worker.import").first()
    assert entry.actor is None and entry.actor_username == "manage.py"


@pytest.mark.django_db
def test_it_dry_runs_from_the_command_line(tmp_path, orgs, capsys):
    path = write(tmp_path, MESSY, "csv-gb18030")
    call_command("import_roster", str(path), "--dry-run", "--json")
    assert _last_json(capsys.readouterr().out) == EXPECTED
    assert Worker.objects.count() == 0


@pytest.mark.django_db
def test_it_imports_for_a_unit_and_writes_a_report_from_the_command_line(tmp_path, orgs, capsys):
    path = write(tmp_path, MESSY)
    report = tmp_path / "out.xlsx"
    call_command("import_roster", str(path), "--org", "331102", "--report", str(report), "--json")
    assert _last_json(capsys.readouterr().out)["rejected_rows"] == 5
    rows = list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))
    assert rows[0][-1] == "错误信息"
    assert Worker.objects.get(name="郑十一").org.code == "331102"


@pytest.mark.django_db
def test_it_fails_the_command_for_an_unknown_unit_or_file(tmp_path, orgs):
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_roster", str(write(tmp_path, MESSY)), "--org", "999999")
    with pytest.raises(CommandError):
        call_command("import_roster", str(tmp_path / "missing.xlsx"))
