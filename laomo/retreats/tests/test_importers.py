"""The 疗休养名单 imported (issue 13): batches held, participants with attendance and satisfaction, the benefit in
the care module, counted in the summary as batches run through the pages."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import partial

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laomo.care.models import BenefitGrant
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.core.tests.ledgers import (
    PEOPLE,
    commit_ledger,
    person_id,
    register_people,
    result_page,
    run_ledger,
    upload_ledger,
    write_ledger,
)
from laomo.core.tests.ledgers import figure as _figure
from laomo.orgs.roles import Role
from laomo.reports.selectors import summary
from laomo.retreats import services
from laomo.retreats.models import (
    ApplicationStatus,
    BatchStatus,
    RetreatApplication,
    RetreatBatch,
    SurveyResponse,
    Vendor,
)

from .ledger_samples import HEADER, retreats_ledger

pytestmark = pytest.mark.django_db

SAMPLE_SUMMARY = {"rows": 10, "created": 7, "updated": 0, "unchanged": 0, "rejected_rows": 3, "warnings": 2,
                  "batches": 3, "vendors": 2, "surveys": 5, "benefits": 6}


@pytest.fixture
def people(orgs):
    return register_people(orgs)


_run = partial(run_ledger, "retreats")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_imports_the_sample_ledger_once_and_counts_it_in_the_summary(tmp_path, orgs, people, users, fmt):
    path, figures = retreats_ledger(tmp_path, fmt)
    preview = _run(path, orgs["331100"], dry_run=True)
    assert preview.file_error == ""
    assert not RetreatBatch.objects.exists()
    assert preview.summary() == SAMPLE_SUMMARY
    result = _run(path, orgs["331100"])
    assert result.summary() == SAMPLE_SUMMARY
    assert RetreatBatch.objects.filter(status=BatchStatus.COMPLETED).count() == 3
    assert RetreatApplication.objects.filter(status=ApplicationStatus.ABSENT).count() == 1
    assert BenefitGrant.objects.filter(benefit_type__code="retreat", source__startswith="retreat:").count() == 6
    for year, expected in figures.items():
        data = summary(user=users[Role.CITY_STAFF], year=year, org=orgs["331100"])
        assert {key: _figure(data, key) for key in expected} == expected
    assert figures[2022] == {"retreats.batches": 2, "retreats.participants": 3,
                             "retreats.average_satisfaction": "4.33"}
    again = _run(path, orgs["331100"])
    assert again.summary() == {**SAMPLE_SUMMARY, "created": 0, "unchanged": 7, "warnings": 0, "batches": 0,
                               "vendors": 0, "surveys": 0, "benefits": 0}
    assert RetreatApplication.objects.count() == 7 and SurveyResponse.objects.count() == 5


def test_it_names_every_bad_row_and_keeps_batches_whole(tmp_path, orgs, people):
    path, _ = retreats_ledger(tmp_path)
    result = _run(path, orgs["331100"], dry_run=True, report=tmp_path / "report.xlsx")
    assert sorted(result.errors_by_row) == [12, 13, 14]
    assert "不存在" in result.errors_by_row[12][0]
    assert "有多名名叫“王芳”的劳模" in result.errors_by_row[13][0] and result.names[13] == "王芳"
    assert "赵无名" in result.errors_by_row[14][0]
    first = RetreatBatch.objects.none()
    assert not first.exists()
    _run(path, orgs["331100"])
    batch = RetreatBatch.objects.get(name="2022年第一批劳模疗休养")
    assert (batch.capacity, batch.cost_per_person, batch.budget, batch.vendor.name, batch.org.code) == (
        3, Decimal("2800.00"), Decimal("8400.00"), "丽水国旅", "331100")
    zhoushan = RetreatBatch.objects.get(destination="舟山")
    assert zhoushan.name == "舟山" and zhoushan.vendor == batch.vendor
    assert Vendor.objects.filter(name="丽水国旅").count() == 1
    survey = SurveyResponse.objects.get(application__worker__name="刘伟")
    assert (survey.overall, survey.food) == (4, 4)


def test_it_refuses_rows_that_contradict_the_batch_or_the_record(tmp_path, orgs, people):
    zhang, li = people[0], people[1]
    rows = [
        [1, "春季批", "安吉", "2022-04-10", "2022-04-14", "张建国", "", "莲都区", "是", "", "2800", ""],
        [2, "春季批", "安吉", "2022-04-10", "2022-04-16", "李秀英", "", "莲都", "是", "", "2800", ""],  # other end
        [3, "春季批", "安吉", "2022-04-10", "2022-04-14", "张建国", "", "莲都区", "是", "", "", ""],  # again
        [4, "秋季批", "千岛湖", "2022-10-10", "2022-10-08", "李秀英", "", "莲都", "是", "", "", ""],  # end first
        [5, "秋季批", "千岛湖", "2022-10-10", "2022-10-12", "李秀英", "", "莲都", "否", "", "", "5"],  # absent, rated
        [6, "冬季批", "千岛湖", "2030-01-10", "2030-01-12", "李秀英", "", "莲都", "是", "", "", ""],  # future
        [7, "冬季批", "千岛湖", "2022-12-10", "", "李秀英", "", "莲都", "是", "", "", "8"],  # no end, bad score
    ]
    result = _run(write_ledger(tmp_path, "a", "疗休养名单", HEADER, rows), orgs["331100"], dry_run=True)
    assert "返回日期不一致" in result.errors_by_row[6][0]
    assert "与第5行重复" in result.errors_by_row[7][0]
    assert "返回日期不能早于出发日期" in result.errors_by_row[8][0]
    assert "未参加的人员不能填写满意度" in result.errors_by_row[9][0]
    assert "晚于今天" in result.errors_by_row[10][0]
    assert any("应为1—5分" in m for m in result.errors_by_row[11])
    assert any("返回日期为空" in m for m in result.errors_by_row[11])
    assert (result.created, zhang.name, li.name) == (1, "张建国", "李秀英")


def _held_batch(orgs, worker, *, status=BatchStatus.COMPLETED):
    batch = services.batch_create(actor=SYSTEM, org=orgs["331100"], name="页面批次", destination="安吉",
                                  start_date=date(2023, 4, 10), end_date=date(2023, 4, 14), capacity=1,
                                  cost_per_person=Decimal("1000"), budget=Decimal("1000"), leader_name="领队",
                                  min_level_rank=0)
    if status == BatchStatus.PLANNED:
        return batch
    services.batch_set_status(actor=SYSTEM, batch=batch, status=BatchStatus.OPEN)
    app = services.application_submit(actor=SYSTEM, batch=batch, worker=worker, health_declared=True,
                                      today=date(2023, 3, 1))
    services.application_confirm(actor=SYSTEM, application=app)
    vendor = services.vendor_create(actor=SYSTEM, org=orgs["331100"], name="丽水国旅")
    services.batch_update(actor=SYSTEM, batch=batch, vendor=vendor)
    services.batch_set_status(actor=SYSTEM, batch=batch, status=BatchStatus.CONFIRMED)
    services.batch_set_status(actor=SYSTEM, batch=batch, status=BatchStatus.ONGOING)
    services.application_record_attendance(actor=SYSTEM, application=app, attended=True)
    services.batch_set_status(actor=SYSTEM, batch=batch, status=BatchStatus.COMPLETED)
    return batch


def test_it_adds_people_to_a_batch_run_through_the_pages(tmp_path, orgs, people, users):
    batch = _held_batch(orgs, people[0])
    rows = [
        [1, "页面批次", "安吉", "2023-04-10", "2023-04-14", "张建国", "", "莲都区", "是", "丽水国旅", "", "5"],
        [2, "页面批次", "安吉", "2023-04-10", "2023-04-14", "李秀英", "", "莲都", "是", "丽水国旅", "", "3"],
    ]
    result = _run(write_ledger(tmp_path, "a", "疗休养名单", HEADER, rows), orgs["331100"])
    assert (result.created, result.updated, result.counts) == (
        1, 1, {"batches": 0, "vendors": 0, "surveys": 2, "benefits": 1})
    batch.refresh_from_db()
    assert (batch.capacity, batch.budget) == (2, Decimal("2000.00"))
    assert BenefitGrant.objects.filter(source=f"retreat:{batch.pk}").count() == 2
    data = summary(user=users[Role.CITY_STAFF], year=2023, org=orgs["331100"])["retreats"]
    assert data == {"batches": 1, "participants": 2, "average_satisfaction": "4.00"}
    absent = [[1, "页面批次", "安吉", "2023-04-10", "2023-04-14", "张建国", "", "莲都区", "否", "", "", ""]]
    refused = _run(write_ledger(tmp_path, "b", "疗休养名单", HEADER, absent), orgs["331100"], dry_run=True)
    assert "不能改为未参加" in refused.errors_by_row[5][0]
    assert AuditEntry.objects.filter(action="retreats.application.import").count() == 1


def test_it_refuses_people_for_a_batch_not_yet_held(tmp_path, orgs, people):
    _held_batch(orgs, people[0], status=BatchStatus.PLANNED)
    rows = [[1, "页面批次", "安吉", "2023-04-10", "2023-04-14", "张建国", "", "莲都区", "是", "", "", ""]]
    result = _run(write_ledger(tmp_path, "a", "疗休养名单", HEADER, rows), orgs["331100"], dry_run=True)
    assert "请先在疗休养页面办理出发" in result.errors_by_row[5][0]


def test_it_runs_from_the_cli_with_the_json_summary_last(tmp_path, orgs, people, capsys):
    path, _ = retreats_ledger(tmp_path)
    call_command("import_retreats", str(path), "--json")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == SAMPLE_SUMMARY


def test_it_previews_and_commits_through_the_pages(tmp_path, orgs, people, clients,
                                                   django_capture_on_commit_callbacks):
    client = clients[Role.CITY_STAFF]
    path, _ = retreats_ledger(tmp_path)
    assert client.get(reverse("core:import_template", args=["retreats"])).status_code == 200
    _, job_id = upload_ledger(client, "retreats", path, orgs["331100"], django_capture_on_commit_callbacks)
    body = result_page(client, "retreats", job_id)
    assert "第 13 行" in body and "新建旅行社/基地" in body
    commit_ledger(client, "retreats", job_id, django_capture_on_commit_callbacks)
    assert RetreatApplication.objects.count() == 7


def _many(batches: int) -> list[list]:
    people = [p for p in PEOPLE if p[0] != "王芳"]
    return [[0, f"{batches}-第{b}批", "安吉", f"2022-{b % 12 + 1:02d}-01", f"2022-{b % 12 + 1:02d}-05", p[0],
             person_id(p), p[2], "是", f"{batches}-旅行社{b % 3}", "1000", "5"] for b in range(batches) for p in people]


def test_it_imports_more_batches_in_the_same_number_of_queries(tmp_path, orgs, people):
    counts = []
    for n in (3, 12):
        path = write_ledger(tmp_path, f"m{n}", "疗休养名单", HEADER, _many(n))
        with CaptureQueriesContext(connection) as ctx:
            result = _run(path, orgs["331100"])
        assert result.rejected_rows == 0 and result.created == n * 11
        counts.append(sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT")))  # inserts: batched
        again = _run(path, orgs["331100"])
        assert again.unchanged == n * 11
    assert counts[0] == counts[1]
