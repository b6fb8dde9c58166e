"""The 关爱劳模 ledgers imported (issue 13): the 发放表 read back, messy visit ledgers with exact money, hardship
survey ledgers counted in the summary, benefit grants; the services' rules as row errors; the CLI and the pages."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from laomo.care import selectors, services
from laomo.care.export import write_payment_sheet
from laomo.care.models import (
    BenefitGrant,
    CareCampaign,
    CareVisit,
    HardshipSurvey,
    SurveyRound,
    SurveyStatus,
    WorkerBankAccount,
)
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.core.tests.ledgers import (
    PEOPLE,
    commit_ledger,
    person_id,
    register_people,
    result_page,
    upload_ledger,
    write_ledger,
)
from laomo.core.tests.ledgers import figure as _figure
from laomo.core.tests.ledgers import run_ledger as _run
from laomo.orgs.roles import Role
from laomo.reports.selectors import summary
from laomo.workers.services import honor_add, worker_set_status

from . import ledger_samples
from .factories import campaign, worker


@pytest.fixture
def people(orgs):
    return register_people(orgs)


# --- the 发放表 read back -------------------------------------------------------------------------------------


@pytest.fixture
def sheet_world(orgs, users):
    lian = orgs["331102"]
    ws = {"甲": worker(lian, "甲", "national"), "乙": worker(lian, "乙", "provincial"),
          "丙": worker(lian, "丙", "municipal", account=False)}
    c = campaign(orgs["331100"], budget="3000", start=date(2022, 1, 10), end=date(2022, 2, 15))
    services.recipients_generate(actor=SYSTEM, campaign=c)
    return c, ws, users[Role.CITY_STAFF]


def _export_sheet(tmp_path, c, user, *, fill=None):
    """The campaign's 发放表 as the page exports it, then filled by hand like finance does (`fill`: name -> cells)."""
    rows, extra = selectors.payment_sheet(user=user, campaign=c)
    path = tmp_path / f"{c.name}-发放表（完整）20220301 (1).xlsx"  # as the page names it
    write_payment_sheet(path, c, rows, extra, full=False)
    if fill:
        wb = openpyxl.load_workbook(path)
        ws = wb.active
        header = [cell.value for cell in ws[1]]
        for row in ws.iter_rows(min_row=2):
            cells = fill.get(row[header.index("姓名")].value)
            for key, value in (cells or {}).items():
                row[header.index(key)].value = value
        wb.save(path)
    return path


@pytest.mark.django_db
def test_it_reads_back_a_filled_payment_sheet_with_exact_money(tmp_path, orgs, sheet_world):
    c, ws, user = sheet_world
    path = _export_sheet(tmp_path, c, user, fill={
        "甲": {"实发金额(元)": 1999.99, "发放日期": "2022-01-20", "发放方式": "转账至本人账户"},
        "乙": {"实发金额(元)": "999.99", "发放日期": "2022年1月21日", "发放方式": "现金(本人签收)", "签收单号": "QS-1"},
    })
    preview = _run("care_visits", path, orgs["331100"], dry_run=True)
    assert preview.file_error == ""
    assert preview.summary() == {"rows": 3, "created": 2, "updated": 0, "unchanged": 0, "rejected_rows": 0,
                                 "warnings": 1, "grants": 2, "accounts": 0}
    assert not CareVisit.objects.exists()
    result = _run("care_visits", path, orgs["331100"])
    assert result.summary() == preview.summary()
    c.refresh_from_db()
    assert c.paid_total == Decimal("2999.98")
    assert CareVisit.objects.aggregate(t=Sum("amount"))["t"] == Decimal("2999.98")
    jia = CareVisit.objects.get(worker=ws["甲"])
    assert (jia.campaign_id, jia.visit_type, jia.payment_method) == (c.pk, "spring_festival", "transfer")
    assert jia.bank_account == WorkerBankAccount.objects.get(worker=ws["甲"]).account_number
    yi = CareVisit.objects.get(worker=ws["乙"])
    assert (yi.payment_method, yi.receipt_signed, yi.receipt_no) == ("cash", True, "QS-1")
    assert BenefitGrant.objects.filter(benefit_type__code="festival", year=2022, is_void=False).count() == 2
    assert AuditEntry.objects.filter(action="care.visit.import").count() == 1
    # the same file again, then the sheet exported anew (now with the payments): nothing changes
    assert _run("care_visits", path, orgs["331100"]).summary()["unchanged"] == 2
    again = _export_sheet(tmp_path, c, user)
    assert _run("care_visits", again, orgs["331100"]).summary() == {
        "rows": 3, "created": 0, "updated": 0, "unchanged": 2, "rejected_rows": 0, "warnings": 1, "grants": 0,
        "accounts": 0}
    assert CareVisit.objects.count() == 2


@pytest.mark.django_db
def test_it_keeps_the_campaign_rules_as_row_errors(tmp_path, orgs, sheet_world):
    c, ws, user = sheet_world
    header = ["姓名", "所属单位", "慰问活动", "发放日期", "实发金额", "发放方式"]
    rows = [
        ["甲", "莲都区", c.name, "2022-01-20", "2000", "现金"],
        ["乙", "莲都区", c.name, "2022-01-20", "1000.01", "现金"],  # over the budget of 3000
        ["丙", "莲都区", c.name, "2022-03-01", "500", "现金"],  # after the campaign
        ["丙", "莲都区", c.name, "2022-01-21", "500", "转账"],  # no account registered, none given
        ["甲", "莲都区", c.name, "2022-01-25", "100", "现金"],  # paid twice in the campaign
        ["甲", "莲都区", "不存在的活动", "2022-01-25", "100", "现金"],
    ]
    path = write_ledger(tmp_path, "发放", "慰问金发放表", header, rows)
    result = _run("care_visits", path, orgs["331100"])
    errors = {n: " ".join(m) for n, m in result.errors_by_row.items()}
    assert (result.created, sorted(errors)) == (1, [6, 7, 8, 9, 10])
    assert "超出活动预算" in errors[6] and "剩余 1000.00 元" in errors[6]
    assert "活动期间" in errors[7]
    assert "尚未登记本人银行账户" in errors[8]
    assert "不能重复发放" in errors[9]
    assert "慰问活动“不存在的活动”不存在" in errors[10]
    c.refresh_from_db()
    assert c.paid_total == Decimal("2000.00")
    services.campaign_set_status(actor=SYSTEM, campaign=c, status="closed")
    late = write_ledger(tmp_path, "late", "慰问金发放表", header,
                        [["乙", "莲都区", c.name, "2022-01-20", "10", "现金"]])
    assert "已结束" in _run("care_visits", late, orgs["331100"]).errors_by_row[5][0]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_imports_a_messy_visit_ledger_exactly_once(tmp_path, orgs, people, users, fmt):
    path, figures = ledger_samples.care_visits_ledger(tmp_path, fmt)
    preview = _run("care_visits", path, orgs["331100"], dry_run=True)
    assert preview.file_error == ""
    assert (preview.created, preview.rejected_rows) == (7, 3)
    result = _run("care_visits", path, orgs["331100"])
    assert result.summary() == preview.summary()
    errors = {n: " ".join(m) for n, m in result.errors_by_row.items()}
    assert "不存在" in errors[12] and "有多名名叫“王芳”" in errors[13] and "两位小数" in errors[14]
    assert result.names[13] == "王芳"
    assert CareVisit.objects.aggregate(t=Sum("amount"))["t"] == Decimal("4600.90")
    birthday = CareVisit.objects.get(worker__name="刘伟")
    assert (birthday.visit_type, birthday.amount, birthday.payment_method, birthday.note) == (
        "other", Decimal("0.00"), "none", "生日")
    assert WorkerBankAccount.objects.get(worker__name="周丽").account_number == "6222021234567890123"
    assert result.counts == {"grants": 3, "accounts": 1}  # 春节 → 节日慰问 ×2 in 2022, 困难帮扶 → 困难补助
    assert BenefitGrant.objects.filter(benefit_type__code="hardship_subsidy", year=2023).count() == 1
    for year, expected in figures.items():
        data = summary(user=users[Role.CITY_STAFF], year=year, org=orgs["331100"])
        for key, value in expected.items():
            assert _figure(data, key) == value, (year, key)
    again = _run("care_visits", path, orgs["331100"])
    assert (again.created, again.unchanged, again.counts) == (0, 7, {"grants": 0, "accounts": 0})


@pytest.mark.django_db
def test_it_refuses_a_different_amount_for_a_recorded_visit(tmp_path, orgs, people):
    header = ["姓名", "所属单位", "慰问日期", "慰问类型", "慰问金"]
    first = [["张建国", "莲都区", "2022-06-01", "住院", "300"]]
    _run("care_visits", write_ledger(tmp_path, "a", "台账", header, first), orgs["331100"])
    second = [["张建国", "莲都区", "2022-06-01", "住院慰问", "350"], ["赵六", "云和县", "2022-06-01", "住院", "300"]]
    result = _run("care_visits", write_ledger(tmp_path, "b", "台账", header, second), orgs["331100"])
    assert "与本表350.00元不符" in result.errors_by_row[5][0]
    assert "劳模“赵六”未在“云和县”劳模库中登记" in result.errors_by_row[6][0]
    assert CareVisit.objects.get().amount == Decimal("300.00")


@pytest.mark.django_db
def test_it_pays_no_one_after_their_death_but_records_the_condolence(tmp_path, orgs, people):
    zhang = people[0]
    worker_set_status(actor=SYSTEM, worker=zhang, status="deceased", status_date=date(2022, 3, 1))
    header = ["身份证号", "姓名", "慰问日期", "慰问类型", "慰问金", "发放方式"]
    rows = [[person_id(PEOPLE[0]), "张建国", "2022-02-01", "住院", "500", "现金"],
            [person_id(PEOPLE[0]), "张建国", "2022-03-05", "吊唁", "", ""],
            [person_id(PEOPLE[0]), "张建国", "2022-04-01", "春节慰问", "500", "现金"],
            [person_id(PEOPLE[0]), "张建国", "2022-04-02", "高龄慰问", "", ""]]
    result = _run("care_visits", write_ledger(tmp_path, "d", "台账", header, rows), orgs["331100"])
    assert (result.created, sorted(result.errors_by_row)) == (2, [7, 8])
    assert "不能在去世后向其发放慰问金" in result.errors_by_row[7][0] and "只能登记吊唁" in result.errors_by_row[8][0]
    assert set(CareVisit.objects.values_list("worker_died_on", flat=True)) == {date(2022, 3, 1)}


# --- hardship surveys -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_imports_a_survey_ledger_counted_in_the_summary(tmp_path, orgs, people, users, fmt):
    path, figures = ledger_samples.care_surveys_ledger(tmp_path, fmt)
    preview = _run("care_surveys", path, orgs["331100"], dry_run=True)
    assert preview.file_error == ""
    assert preview.summary() == {"rows": 8, "created": 5, "updated": 0, "unchanged": 0, "rejected_rows": 3,
                                 "warnings": preview.warnings, "rounds": 2}
    result = _run("care_surveys", path, orgs["331100"])
    errors = {n: " ".join(m) for n, m in result.errors_by_row.items()}
    assert "有多名名叫“王芳”" in errors[10] and "无法识别的致困原因“因懒”" in errors[11] and "家庭人口" in errors[12]
    assert {r.year: (r.status, r.income_threshold) for r in SurveyRound.objects.all()} == {
        2022: ("closed", Decimal("900.00")), 2023: ("closed", Decimal("950.00"))}
    assert set(HardshipSurvey.objects.values_list("status", flat=True)) == {SurveyStatus.APPROVED}
    chen = HardshipSurvey.objects.get(worker__name="陈志强")
    assert (chen.survey_date, chen.details["income_per_capita"], chen.details["causes"], chen.hardship_level) == (
        date(2022, 12, 31), "750.00", ["education", "unemployment"], "hardship")
    wang = HardshipSurvey.objects.get(worker__name="王芳")
    assert (wang.hardship_level, wang.details["health_detail"]) == ("special", "高血压")  # computed: 因残
    for year, expected in figures.items():
        data = summary(user=users[Role.CITY_STAFF], year=year, org=orgs["331100"])
        for key, value in expected.items():
            assert _figure(data, key) == value, (year, key)
    # in hardship: the latest approved survey by the end of the year, for the workers on the registry
    for w in people:
        honor_add(actor=SYSTEM, worker=w, title="丽水市劳动模范", year=2015)
    in_hardship = {y: summary(user=users[Role.CITY_STAFF], year=y, org=orgs["331100"])["workers"]["in_hardship"]
                   for y in (2022, 2023)}
    assert in_hardship == {2022: 2, 2023: 3}  # 2022: 张建国, 陈志强; 2023: 张建国, 陈志强 (2022's), 王芳
    again = _run("care_surveys", path, orgs["331100"])
    assert (again.created, again.unchanged, again.counts) == (0, 5, {"rounds": 0})


@pytest.mark.django_db
def test_it_submits_a_county_clerks_surveys_for_review_and_needs_the_round(tmp_path, orgs, people, users):
    header = ["姓名", "所属单位", "走访日期", "家庭人口", "人均月收入", "致困原因", "认定结果"]
    rows = [["张建国", "莲都区", "2023-05-01", 3, "800", "因病", "困难"]]
    county = users[Role.COUNTY_STAFF]
    path = write_ledger(tmp_path, "s", "摸底表", header, rows)
    refused = _run("care_surveys", path, orgs["331102"], actor=county)
    assert "尚未开启" in refused.errors_by_row[5][0]
    services.round_open(actor=SYSTEM, org=orgs["331100"], year=2023, name="2023年困难劳模调查",
                        start_date=date(2023, 1, 1), end_date=date(2023, 12, 31), income_threshold="1000")
    result = _run("care_surveys", path, orgs["331102"], actor=county)
    assert (result.created, result.rejected_rows) == (1, 0)
    survey = HardshipSurvey.objects.get()
    assert (survey.status, survey.hardship_level) == (SurveyStatus.SUBMITTED, "hardship")
    assert "特殊困难" in " ".join(m for _, m in result.warnings_by_row[5])  # computed (800 < 1000, 因病): noted


# --- benefit grants -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_imports_a_grant_ledger_and_updates_a_hand_recorded_grant(tmp_path, orgs, people):
    path, _ = ledger_samples.care_grants_ledger(tmp_path)
    result = _run("care_grants", path, orgs["331100"])
    errors = {n: " ".join(m) for n, m in result.errors_by_row.items()}
    assert (result.created, sorted(errors)) == (4, [9, 10, 11])
    assert "不存在" in errors[9] and "有多名名叫“王芳”" in errors[10] and "无法识别的待遇“购物卡”" in errors[11]
    grants = {g.worker.name: g for g in BenefitGrant.objects.select_related("worker", "benefit_type")}
    assert (grants["张建国"].benefit_type.code, grants["张建国"].amount) == ("health_checkup", Decimal("800.00"))
    assert (grants["李秀英"].benefit_type.code, grants["李秀英"].amount) == ("honor_allowance", Decimal("1200.00"))
    assert (grants["吴海"].grant_date, grants["吴海"].benefit_type.code) == (date(2023, 12, 31), "hardship_subsidy")
    assert (grants["孙强"].benefit_type.code, grants["孙强"].amount, grants["孙强"].source) == ("retreat", None, "")
    assert _run("care_grants", path, orgs["331100"]).unchanged == 4
    header = ["姓名", "所属单位", "待遇", "年度", "发放日期", "金额"]
    fix = write_ledger(tmp_path, "fix", "台账", header, [["张建国", "莲都区", "健康体检", 2022, "2022-05-20", "850"]])
    assert _run("care_grants", fix, orgs["331100"]).updated == 1
    assert BenefitGrant.objects.get(worker__name="张建国").amount == Decimal("850.00")


@pytest.mark.django_db
def test_it_does_not_record_a_grant_twice_when_a_visit_recorded_it(tmp_path, orgs, people):
    visits = ["姓名", "所属单位", "慰问日期", "慰问类型", "慰问金", "发放方式"]
    _run("care_visits", write_ledger(tmp_path, "v", "台账", visits,
                                     [["张建国", "莲都区", "2022-01-20", "春节慰问", "500", "现金"]]), orgs["331100"])
    grants = ["姓名", "所属单位", "待遇", "发放日期", "金额"]
    result = _run("care_grants", write_ledger(tmp_path, "g", "台账", grants,
                                              [["张建国", "莲都区", "节日慰问", "2022-01-20", "600"]]), orgs["331100"])
    assert (result.created, result.unchanged) == (0, 1)
    assert BenefitGrant.objects.get().amount == Decimal("500.00")


# --- the CLI and the pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_runs_from_the_cli_with_the_json_summary_last(tmp_path, orgs, people, capsys):
    path, _ = ledger_samples.care_grants_ledger(tmp_path, "csv")
    call_command("import_care_grants", str(path), "--json")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last) == {"rows": 7, "created": 4, "updated": 0, "unchanged": 0, "rejected_rows": 3,
                                "warnings": 1}


@pytest.mark.django_db
def test_it_previews_and_commits_through_the_pages(tmp_path, orgs, people, clients,
                                                   django_capture_on_commit_callbacks):
    client = clients[Role.CITY_STAFF]
    hub = client.get(reverse("core:imports")).content.decode()
    assert "慰问台账" in hub and "困难劳模调查台账" in hub and "待遇落实台账" in hub
    assert client.get(reverse("core:import_template", args=["care_visits"])).status_code == 200
    path, _ = ledger_samples.care_visits_ledger(tmp_path)
    response, job_id = upload_ledger(client, "care_visits", path, orgs["331100"], django_capture_on_commit_callbacks)
    assert response.status_code == 302
    body = result_page(client, "care_visits", job_id)
    assert "第 13 行" in body and "王芳" in body
    assert not CareVisit.objects.exists()
    assert commit_ledger(client, "care_visits", job_id, django_capture_on_commit_callbacks).status_code == 302
    assert CareVisit.objects.count() == 7


# --- the samples for the go-live acceptance test ----------------------------------------------------------------


@pytest.mark.django_db
def test_it_produces_the_figures_the_sample_ledgers_promise(tmp_path, orgs, people, users):
    assert len(PEOPLE) == len(people) and people[0].id_number == person_id(PEOPLE[0])
    promised: dict = {}
    for kind in ("care_visits", "care_surveys", "care_grants"):
        path, figures = getattr(ledger_samples, f"{kind}_ledger")(tmp_path)
        result = _run(kind, path, orgs["331100"])
        assert result.file_error == "" and result.rejected_rows == 3
        for year, values in figures.items():
            promised.setdefault(year, {}).update(values)
    assert set(promised) == {2022, 2023}
    for year, expected in promised.items():
        data = summary(user=users[Role.CITY_STAFF], year=year, org=orgs["331100"])
        for key, value in expected.items():
            assert _figure(data, key) == value, (year, key)
    assert CareCampaign.objects.count() == 0
