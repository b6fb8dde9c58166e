"""The outreach ledgers imported (issue 13): messy lecture ledgers, the framework's rules, the pages, the CLI."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from laomo.core.actors import SYSTEM
from laomo.core.importing import run_import
from laomo.core.models import AuditEntry
from laomo.core.tests.ledgers import write_ledger
from laomo.orgs.roles import Role
from laomo.outreach.models import Lecture, LectureSpeaker
from laomo.workers.tests.factories import make_id, make_worker

HEADER = ["序号", "宣讲时间", "宣讲人", "宣讲主题", "宣讲地点", "宣讲对象", "县(市、区)", "受众(人)"]


@pytest.fixture
def speakers(orgs):
    return {
        "张三": make_worker(name="张三", org=orgs["331102"], id_number=make_id("331102", "19650312")),
        "李四": make_worker(name="李四", org=orgs["331102"], id_number=make_id("331102", "19700101")),
        "王五a": make_worker(name="王五", org=orgs["331121"], id_number=make_id("331121", "19710101")),
        "王五b": make_worker(name="王五", org=orgs["331121"], id_number=make_id("331121", "19720101")),
    }


ROWS = [
    [1, "2022-03-05", "张三", "劳模精神进校园", "丽水中学", "学校", "莲都区", 300],  # 5
    [2, "2022年5月1日", "张三、李四", "工匠故事分享", "某某村文化礼堂", "", "莲都", "80人"],  # 6: venue from 村
    [3, "2023.06.18", "李四 赵老师", "安全生产", "线上直播", "线上", "莲都区", 1200],  # 7: 赵老师 not a worker
    [4, "2023-02-30", "张三", "日期不存在", "市政府", "机关", "莲都区", 10],  # 8: bad date
    [5, "2023-07-01", "王五", "同名两人", "青田中学", "学校", "青田县", 50],  # 9: ambiguous
    [6, "2023-08-01", "张三", "不明场所", "某地", "星球", "莲都区", 50],  # 10: unknown venue type
    [7, "2022-03-05", "张三", "劳模精神进校园", "丽水中学", "学校", "莲都区", 300],  # 11: same as row 5
]


def _run(path, org, *, dry_run=False, actor=SYSTEM, report=None):
    return run_import(kind="lectures", actor=actor, org=org, source=str(path), filename=path.name,
                      dry_run=dry_run, report_path=report)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_imports_a_messy_lecture_ledger_once(tmp_path, orgs, speakers, fmt):
    path = write_ledger(tmp_path, "宣讲台账", "2022—2023年劳模宣讲台账", HEADER, ROWS, fmt)
    preview = _run(path, orgs["331100"], dry_run=True)
    assert preview.file_error == ""
    assert not Lecture.objects.exists()
    assert preview.summary() == {"rows": 7, "created": 3, "updated": 0, "unchanged": 0, "rejected_rows": 4,
                                 "warnings": 1, "speakers": 5}
    result = _run(path, orgs["331100"])
    assert result.summary() == preview.summary()
    assert Lecture.objects.count() == 3 and LectureSpeaker.objects.count() == 5
    village = Lecture.objects.get(title="工匠故事分享")
    assert (village.venue_type, village.audience, village.org.code) == ("village", 80, "331102")
    assert LectureSpeaker.objects.filter(name="赵老师", worker=None).count() == 1
    again = _run(path, orgs["331100"])
    assert again.summary() == {**result.summary(), "created": 0, "unchanged": 3, "speakers": 0}
    assert Lecture.objects.count() == 3 and LectureSpeaker.objects.count() == 5


@pytest.mark.django_db
def test_it_names_every_bad_row_with_its_sheet_row_number_and_person(tmp_path, orgs, speakers):
    path = write_ledger(tmp_path, "宣讲台账", "宣讲台账", HEADER, ROWS)
    report = tmp_path / "report.xlsx"
    result = _run(path, orgs["331100"], dry_run=True, report=report)
    assert sorted(result.errors_by_row) == [8, 9, 10, 11]
    assert "不存在" in result.errors_by_row[8][0]
    assert "有多名名叫“王五”的劳模" in result.errors_by_row[9][0]
    assert "无法识别的场所类型“星球”" in result.errors_by_row[10][0]
    assert "与第5行重复" in result.errors_by_row[11][0]
    assert result.names[9] == "王五"
    groups = result.warning_groups()
    assert groups[0]["count"] == 1 and groups[0]["rows"][0][0] == 7
    from laomo.core.excel import read_table

    written = read_table(report)
    assert written[0][-1] == "错误信息"
    assert any("有多名" in (row[-1] or "") for row in written)


@pytest.mark.django_db
def test_it_updates_a_changed_row_and_counts_it_in_the_year(tmp_path, orgs, speakers):
    path = write_ledger(tmp_path, "a", "宣讲台账", HEADER, ROWS[:3])
    _run(path, orgs["331100"])
    changed = [list(ROWS[0]), *ROWS[1:3]]
    changed[0][7] = 350
    result = _run(write_ledger(tmp_path, "b", "宣讲台账", HEADER, changed), orgs["331100"])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert Lecture.objects.get(title="劳模精神进校园").audience == 350
    assert AuditEntry.objects.filter(action="outreach.lecture.import").count() == 2


@pytest.mark.django_db
def test_it_refuses_a_file_without_the_required_columns(tmp_path, orgs):
    path = write_ledger(tmp_path, "x", "台账", ["序号", "宣讲时间", "宣讲人"], [[1, "2022-01-01", "张三"]])
    result = _run(path, orgs["331100"], dry_run=True)
    assert "表头中没有" in result.file_error and "宣讲题目" in result.file_error


@pytest.mark.django_db
def test_it_runs_from_the_cli_with_the_json_summary_last(tmp_path, orgs, speakers, capsys):
    path = write_ledger(tmp_path, "宣讲台账", "宣讲台账", HEADER, ROWS)
    call_command("import_lectures", str(path), "--json")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last) == {"rows": 7, "created": 3, "updated": 0, "unchanged": 0, "rejected_rows": 4,
                                "warnings": 1, "speakers": 5}


@pytest.mark.django_db
def test_it_previews_and_commits_through_the_pages(tmp_path, orgs, speakers, clients,
                                                   django_capture_on_commit_callbacks):
    client_city, client_county, client_viewer = (clients[Role.CITY_STAFF], clients[Role.COUNTY_STAFF],
                                                 clients[Role.VIEWER])
    path = write_ledger(tmp_path, "宣讲台账", "宣讲台账", HEADER, ROWS)
    assert client_viewer.get(reverse("core:imports")).status_code == 403
    hub = client_city.get(reverse("core:imports"))
    assert hub.status_code == 200 and "宣讲台账" in hub.content.decode()
    template = client_city.get(reverse("core:import_template", args=["lectures"]))
    assert template.status_code == 200
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as fh:
        response = client_city.post(reverse("core:import_upload", args=["lectures"]),
                                    {"file": fh, "org": orgs["331100"].pk})
    assert response.status_code == 302
    job_id = response.url.rstrip("/").split("/")[-1]
    page = client_city.get(reverse("core:import_result", args=["lectures", job_id]))
    body = page.content.decode()
    assert page.status_code == 200 and "第 9 行" in body and "王五" in body and "逐行校验" in body
    assert not Lecture.objects.exists()
    assert client_county.get(reverse("core:import_result", args=["lectures", job_id])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        commit = client_city.post(reverse("core:import_commit", args=["lectures", job_id]))
    assert commit.status_code == 302
    assert Lecture.objects.count() == 3
