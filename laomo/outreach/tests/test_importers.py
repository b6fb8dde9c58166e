"""The outreach ledgers imported (issue 13): messy lecture ledgers, the framework's rules, the pages, the CLI."""

from __future__ import annotations

import json
from datetime import date
from functools import partial

import pytest
from django.core.management import call_command
from django.urls import reverse

from laomo.core.actors import SYSTEM
from laomo.core.importing import get_kind, run_import
from laomo.core.models import AuditEntry
from laomo.core.tests.ledgers import register_people, run_ledger, write_ledger
from laomo.orgs.roles import Role
from laomo.outreach import selectors, services
from laomo.outreach.models import Lecture, LectureSpeaker, MediaItem, MediaReading, PreShiftSession
from laomo.outreach.tests import factories, ledger_samples
from laomo.reports.selectors import summary
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


_run = partial(run_ledger, "lectures")


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
    before = Lecture.objects.get(title="劳模精神进校园").updated_at
    changed = [list(ROWS[0]), *ROWS[1:3]]
    changed[0][7] = 350
    result = _run(write_ledger(tmp_path, "b", "宣讲台账", HEADER, changed), orgs["331100"])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    lecture = Lecture.objects.get(title="劳模精神进校园")
    assert lecture.audience == 350 and lecture.updated_at > before
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


# --- 班前十分钟 and media ledgers, and the sample ledgers' figures ------------------------------------------


def _import(kind, path, org, *, dry_run=False, actor=SYSTEM):
    return run_import(kind=kind, actor=actor, org=org, source=str(path), filename=path.name, dry_run=dry_run)


def _flat(data: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_imports_a_messy_session_ledger_once(tmp_path, orgs, fmt):
    people = register_people(orgs)
    path, _ = ledger_samples.pre_shift_sessions_ledger(tmp_path, fmt)
    preview = _import("pre_shift_sessions", path, orgs["331100"], dry_run=True)
    assert preview.file_error == "" and not PreShiftSession.objects.exists()
    assert preview.summary() == {"rows": 11, "created": 8, "updated": 0, "unchanged": 0, "rejected_rows": 3,
                                 "warnings": 1}
    assert sorted(preview.errors_by_row) == [13, 14, 15]
    assert "不存在" in preview.errors_by_row[13][0]
    assert "有多名名叫“王芳”的劳模" in preview.errors_by_row[14][0] and preview.names[14] == "王芳"
    assert "时长" in preview.errors_by_row[15][0]
    result = _import("pre_shift_sessions", path, orgs["331100"])
    assert result.summary() == preview.summary()
    story = PreShiftSession.objects.get(topic="劳模故事会")
    assert (story.speaker, story.shift, story.stage, story.form_list, story.participants, story.org.code) == (
        people[3], "after", "reflection", ["reading", "story"], 30, "331121")
    plain = PreShiftSession.objects.get(topic="质量就是生命")
    assert (plain.shift, plain.stage, plain.forms, plain.participants, plain.minutes) == (
        "before", "theory", "", 18, 10)
    other = PreShiftSession.objects.get(topic="制茶技艺")
    assert (other.speaker, other.speaker_name) == (None, "陈老师")
    again = _import("pre_shift_sessions", path, orgs["331100"])
    assert again.summary() == {**result.summary(), "created": 0, "unchanged": 8}
    assert PreShiftSession.objects.count() == 8
    assert AuditEntry.objects.filter(action="outreach.session.import").count() == 2


SESSION_HEADER = ["日期", "企业", "车间", "时段", "主讲人", "主题", "参加人数", "单位"]


@pytest.mark.django_db
def test_it_keeps_one_session_per_workshop_and_shift_and_never_erases_with_blank_cells(tmp_path, orgs):
    register_people(orgs)
    rows = [["2023-03-01", "某厂", "一车间", "班前", "张建国", "主题甲", 20, "莲都区"],
            ["2023-03-01", "某厂", "一车间", "班后", "张建国", "主题乙", "", "莲都区"]]
    _import("pre_shift_sessions", write_ledger(tmp_path, "a", "台账", SESSION_HEADER, rows), orgs["331100"])
    changed = [["2023-03-01", "某厂", "一车间", "班前", "李秀英", "主题甲", "", "莲都区"],  # new speaker, no count
               ["2023-03-01", "某厂", "一车间", "班后", "张建国", "主题丙", 5, "莲都区"],  # the 班后 slot is taken
               ["2023-03-02", "某厂", "一车间", "班前", "张建国", "主题丁", 5, "莲都区"],
               ["2023-03-02", "某厂", "一车间", "班前", "张建国", "主题戊", 5, "莲都区"]]  # the same slot in the file
    result = _import("pre_shift_sessions", write_ledger(tmp_path, "b", "台账", SESSION_HEADER, changed),
                     orgs["331100"])
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert "已有记录(主题“主题乙”" in result.errors_by_row[6][0]
    assert "与第7行是同一企业车间同一天的同一时段" in result.errors_by_row[8][0]
    first = PreShiftSession.objects.get(topic="主题甲")
    assert (first.speaker.name, first.participants) == ("李秀英", 20)
    assert PreShiftSession.objects.count() == 3


MEDIA_HEADER = ["作品名称", "发布平台", "发布时间", "单位", "统计日期", "累计播放量"]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_imports_media_items_with_their_readings_once(tmp_path, orgs, fmt):
    path, _ = ledger_samples.media_ledger(tmp_path, fmt)
    preview = _import("media", path, orgs["331100"], dry_run=True)
    assert preview.file_error == "" and not MediaItem.objects.exists()
    assert preview.summary() == {"rows": 12, "created": 4, "updated": 0, "unchanged": 0, "rejected_rows": 3,
                                 "warnings": 0, "readings": 8, "readings_updated": 0}
    assert sorted(preview.errors_by_row) == [10, 13, 16]
    assert "很多" in preview.errors_by_row[10][0]
    assert "早于发布日期" in preview.errors_by_row[13][0]
    assert "平台“某某网”不在数据字典的“传播平台”中" in preview.errors_by_row[16][0]
    result = _import("media", path, orgs["331100"])
    assert result.summary() == preview.summary()
    lesson = MediaItem.objects.get(title="劳动教育开学第一课")
    assert (lesson.platform.label, lesson.kind, lesson.url, lesson.org.code) == (
        "之江教育汇", "video", "https://example.com/v/1", "331102")
    assert list(lesson.readings.order_by("date").values_list("views", flat=True)) == [1000, 12000, 15000, 20000]
    assert MediaItem.objects.get(title="劳模直播间").kind == "live"
    again = _import("media", path, orgs["331100"])
    assert again.summary() == {**result.summary(), "created": 0, "unchanged": 4, "readings": 0}
    assert MediaReading.objects.count() == 8


@pytest.mark.django_db
def test_it_adds_and_corrects_readings_but_never_lets_views_go_down(tmp_path, orgs):
    item = factories.media(orgs["331102"], publish=date(2022, 9, 1))
    services.reading_add(actor=SYSTEM, item=item, date=date(2022, 12, 31), views=5000)
    rows = [["劳动教育开学第一课", "之江教育汇", "", "莲都区", "2022-12-31", 5200],  # a correction
            ["劳动教育开学第一课", "之江教育汇", "", "莲都区", "2023-12-31", 9000],
            ["劳动教育开学第一课", "之江教育汇", "", "莲都区", "2023-06-30", 8000]]
    result = _import("media", write_ledger(tmp_path, "a", "台账", MEDIA_HEADER, rows), orgs["331100"])
    assert (result.created, result.updated, result.counts) == (0, 1, {"readings": 2, "readings_updated": 1})
    assert result.warnings == 0
    assert selectors.views_of_year(MediaItem.objects.all(), 2023) == {"gained": 3800, "cumulative": 9000}
    down = [["劳动教育开学第一课", "之江教育汇", "", "莲都区", "2024-03-31", 9500],
            ["劳动教育开学第一课", "之江教育汇", "", "莲都区", "2023-09-30", 7000]]
    refused = _import("media", write_ledger(tmp_path, "b", "台账", MEDIA_HEADER, down), orgs["331100"])
    assert refused.created + refused.updated == 0
    assert "观看人次是累计数:2023-09-30 的 7,000 少于 2023-06-30 的 8,000" in refused.errors_by_row[6][0]
    assert "同一作品第6行有错误" in refused.errors_by_row[5][0]
    assert MediaReading.objects.count() == 3


@pytest.mark.django_db
def test_it_runs_the_new_kinds_from_the_cli(tmp_path, orgs, capsys):
    register_people(orgs)
    path, _ = ledger_samples.pre_shift_sessions_ledger(tmp_path)
    call_command("import_pre_shift_sessions", str(path), "--json", "--dry-run")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["created"] == 8
    path, _ = ledger_samples.media_ledger(tmp_path)
    call_command("import_media", str(path), "--json")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["readings"] == 8


@pytest.mark.django_db
def test_it_counts_the_sample_ledgers_in_the_summary_as_their_figures_say(tmp_path, orgs, users):
    register_people(orgs)
    expected: dict[int, dict] = {}
    for make in (ledger_samples.lectures_ledger, ledger_samples.pre_shift_sessions_ledger,
                 ledger_samples.media_ledger):
        path, figures = make(tmp_path)
        kind = make.__name__.removesuffix("_ledger")
        result = _import(kind, path, orgs["331100"])
        assert result.file_error == "" and result.created > 0 and 2 <= result.rejected_rows <= 3, kind
        for year, values in figures.items():
            expected.setdefault(year, {}).update(values)
    assert set(expected) == {2022, 2023}
    for year, values in expected.items():
        flat = _flat(summary(user=users[Role.CITY_STAFF], year=year, org=orgs["331100"]))
        assert {k: flat[k] for k in values} == values
    assert expected[2023]["outreach.online_views"] == 11000 and expected[2022]["outreach.lectures"] == 4


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["pre_shift_sessions", "media"])
def test_it_reads_back_its_own_template(tmp_path, orgs, kind):
    path = tmp_path / get_kind(kind).template_filename()
    get_kind(kind).write_template(path)
    result = _import(kind, path, orgs["331100"], dry_run=True)
    assert (result.file_error, result.rows, result.created, result.rejected_rows) == ("", 1, 1, 0)
