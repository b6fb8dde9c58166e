"""The studio ledgers imported (issue 13): the 工作室名录, the 成果 ledger and the 师徒结对表, counted in the
summary as records entered through the pages."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
from laomo.core.tests.ledgers import run_ledger as _run
from laomo.orgs.roles import Role
from laomo.reports.selectors import summary
from laomo.studios.models import (
    Mentorship,
    MentorshipParticipant,
    Studio,
    StudioAchievement,
    StudioMember,
    StudioStatusChange,
)

from .ledger_samples import (
    ACHIEVEMENT_HEADER,
    MENTORSHIP_HEADER,
    STUDIO_HEADER,
    mentorships_ledger,
    studio_achievements_ledger,
    studios_ledger,
)

pytestmark = pytest.mark.django_db

STUDIOS = {"rows": 7, "created": 4, "updated": 0, "unchanged": 0, "rejected_rows": 3, "warnings": 0, "members": 4}
MENTORSHIPS = {"rows": 9, "created": 5, "updated": 0, "unchanged": 0, "rejected_rows": 3, "warnings": 1,
               "participants": 13}


@pytest.fixture
def people(orgs):
    return register_people(orgs)


def _figures(user, org, expected: dict) -> dict:
    out = {}
    for year, keys in expected.items():
        data = summary(user=user, year=year, org=org)
        out[year] = {}
        for dotted in keys:
            value = data
            for part in dotted.split("."):
                value = value[part]
            out[year][dotted] = value
    return out


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_imports_the_studio_register_once_and_counts_it(tmp_path, orgs, people, users, fmt):
    path, figures = studios_ledger(tmp_path, fmt)
    preview = _run("studios", path, orgs["331100"], dry_run=True)
    assert preview.file_error == "" and not Studio.objects.exists()
    assert preview.summary() == STUDIOS
    assert _run("studios", path, orgs["331100"]).summary() == STUDIOS
    assert _figures(users[Role.CITY_STAFF], orgs["331100"], figures) == figures
    assert figures[2022]["studios.studios"] == 3 and figures[2023]["studios.by_level.national"] == 1
    again = _run("studios", path, orgs["331100"])
    assert again.summary() == {**STUDIOS, "created": 0, "unchanged": 4, "members": 0}
    assert Studio.objects.count() == 4


def test_it_creates_studios_as_the_pages_do_and_names_bad_rows(tmp_path, orgs, people):
    path, _ = studios_ledger(tmp_path)
    result = _run("studios", path, orgs["331100"])
    assert sorted(result.errors_by_row) == [9, 10, 11]
    assert "无法识别的级别“乡级”" in result.errors_by_row[9][0]
    assert "有多名名叫“王芳”的劳模" in result.errors_by_row[10][0]
    assert "不存在" in result.errors_by_row[11][0]
    zhang = Studio.objects.get(name="张建国劳模创新工作室")
    assert (zhang.level, zhang.status, zhang.named_date, zhang.status_date, zhang.org.code, zhang.studio_type) == (
        "municipal", "named", date(2021, 12, 20), date(2021, 12, 20), "331102", "model_worker")
    assert StudioMember.objects.get(studio=zhang).role == "lead"
    assert Studio.objects.get(name="刘伟工匠创新工作室").studio_type == "craftsman"
    wang = Studio.objects.get(name="王芳技能大师工作室")
    assert (wang.status, wang.lead_id, wang.studio_type) == ("cultivating", people[4].pk, "skilled_talent")
    revoked = Studio.objects.get(name="周丽创新工作室")
    assert (revoked.status, revoked.revoked_date) == ("revoked", date(2022, 6, 30))
    assert list(StudioStatusChange.objects.filter(studio=revoked).values_list("from_status", "to_status")) == [
        ("", "named"), ("named", "revoked")]


def test_it_updates_a_studio_and_hands_the_lead_over(tmp_path, orgs, people):
    rows = [[1, "莲都创新工作室", "县级", "张建国", "", "莲都区", "某厂", "", "2021-03-01", "", "", ""]]
    _run("studios", write_ledger(tmp_path, "a", "名录", STUDIO_HEADER, rows), orgs["331100"])
    rows = [[1, "莲都创新工作室", "市级", "李秀英", "", "莲都区", "", "", "2021-03-01", "", "", ""]]
    result = _run("studios", write_ledger(tmp_path, "b", "名录", STUDIO_HEADER, rows), orgs["331100"])
    assert (result.created, result.updated, result.counts) == (0, 1, {"members": 1})
    studio = Studio.objects.get()
    assert (studio.level, studio.lead.name, studio.host_enterprise) == ("municipal", "李秀英", "某厂")
    assert dict(StudioMember.objects.values_list("name", "role")) == {"张建国": "core", "李秀英": "lead"}
    assert AuditEntry.objects.filter(action="studios.studio.import").count() == 2


def test_it_imports_achievements_with_exact_benefits(tmp_path, orgs, people):
    _run("studios", studios_ledger(tmp_path)[0], orgs["331100"])
    path, figures = studio_achievements_ledger(tmp_path)
    preview = _run("studio_achievements", path, orgs["331100"], dry_run=True)
    result = _run("studio_achievements", path, orgs["331100"])
    assert preview.summary() == result.summary() == {"rows": 6, "created": 3, "updated": 0, "unchanged": 0,
                                                     "rejected_rows": 3, "warnings": 0}
    assert figures == {}
    assert "专利号" in result.errors_by_row[8][0]
    assert "未在丽水市总工会登记" in result.errors_by_row[9][0]
    assert "不能为负数" in result.errors_by_row[10][0]
    assert dict(StudioAchievement.objects.values_list("title", "economic_benefit")) == {
        "数控夹具快速定位改进": Decimal("125000.50"), "一种高精度夹具": None, "降低线损率": Decimal("88000.00")}
    patent = StudioAchievement.objects.get(title="一种高精度夹具")
    assert (patent.kind, patent.patent_no) == ("patent", "ZL202210123456.7")
    assert StudioAchievement.objects.get(title="降低线损率").kind == "qc"
    rows = [[1, "刘伟工匠创新工作室", "QC", "降低线损率", "2022-11-03", "", ""],
            [2, "刘伟工匠创新工作室", "论文", "早于创建", "2021-01-01", "", ""]]
    header = [*ACHIEVEMENT_HEADER[:6], "经济效益(万元)"]
    rows[0][6] = "8.8"
    again = _run("studio_achievements", write_ledger(tmp_path, "b", "成果", header, rows), orgs["331100"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert "不能早于工作室创建日期" in again.errors_by_row[6][0]


def test_it_imports_pairings_with_their_forms_and_counts_them(tmp_path, orgs, people, users):
    path, figures = mentorships_ledger(tmp_path)
    preview = _run("mentorships", path, orgs["331100"], dry_run=True)
    assert preview.summary() == MENTORSHIPS
    result = _run("mentorships", path, orgs["331100"])
    assert result.summary() == MENTORSHIPS
    assert sorted(result.errors_by_row) == [11, 12, 13]
    assert "有多名名叫“王芳”的劳模" in result.errors_by_row[11][0]
    assert "钱多多" in result.errors_by_row[12][0]
    assert "不存在" in result.errors_by_row[13][0]
    assert list(result.warnings_by_row) == [8]
    assert _figures(users[Role.CITY_STAFF], orgs["331100"], figures) == figures
    assert figures[2023]["studios.mentorships_by_form.one_to_many"] == 2
    liu = Mentorship.objects.get(participants__name="小陈")
    assert sorted(liu.participants.values_list("name", flat=True)) == ["刘伟", "小孙", "小陈"]
    assert (liu.form, liu.goals, liu.org.code) == ("one_to_many", "传授钳工", "331122")
    assert MentorshipParticipant.objects.filter(role="apprentice", worker__isnull=False).count() == 0
    again = _run("mentorships", path, orgs["331100"])
    assert again.summary() == {**MENTORSHIPS, "created": 0, "unchanged": 5, "participants": 0}


def test_it_adds_a_new_apprentice_to_a_pairing_and_refuses_contradictions(tmp_path, orgs, people):
    rows = [[1, "张建国", "", "莲都区", "小李", "某厂", "", "2022-03-01", "", ""]]
    _run("mentorships", write_ledger(tmp_path, "a", "结对", MENTORSHIP_HEADER, rows), orgs["331100"])
    rows = [[1, "张建国", "", "莲都区", "小李、小张", "某厂", "一带多", "2022-03-01", "2023-03-01", ""],
            [2, "张建国", "", "莲都区", "小刘、小马", "", "一带一", "2022-04-01", "", ""],
            [3, "张建国、李秀英", "", "莲都区", "小刘", "", "一带一", "2022-04-01", "", ""],
            [4, "张建国", "", "莲都区", "张建国", "", "", "2022-04-01", "", ""]]
    result = _run("mentorships", write_ledger(tmp_path, "b", "结对", MENTORSHIP_HEADER, rows), orgs["331100"])
    assert (result.created, result.updated, result.counts) == (0, 1, {"participants": 1})
    assert "列了2名徒弟" in result.errors_by_row[6][0]
    assert "与师傅人数(2名)不符" in result.errors_by_row[7][0]
    assert "不能既是师傅又是自己的徒弟" in result.errors_by_row[8][0]
    pairing = Mentorship.objects.get()
    assert (pairing.form, pairing.end_date) == ("one_to_many", date(2023, 3, 1))


def test_it_runs_from_the_cli_and_the_pages(tmp_path, orgs, people, clients, capsys,
                                           django_capture_on_commit_callbacks):
    path, _ = mentorships_ledger(tmp_path)
    call_command("import_mentorships", str(path), "--json", "--dry-run")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == MENTORSHIPS
    client = clients[Role.CITY_STAFF]
    for kind in ("studios", "studio_achievements", "mentorships"):
        assert client.get(reverse("core:import_template", args=[kind])).status_code == 200
    studios, _ = studios_ledger(tmp_path)
    _, job_id = upload_ledger(client, "studios", studios, orgs["331100"], django_capture_on_commit_callbacks)
    body = result_page(client, "studios", job_id)
    assert "第 10 行" in body and "王芳" in body
    commit_ledger(client, "studios", job_id, django_capture_on_commit_callbacks)
    assert Studio.objects.count() == 4


def _many(kind: str, n: int) -> tuple[list, list[list]]:
    people = [p for p in PEOPLE if p[0] != "王芳"]
    if kind == "studios":
        return STUDIO_HEADER, [[0, f"{n}-工作室{i}-{p[0]}", "市级", p[0], person_id(p), p[2], "某厂", "", "2021-03-01",
                                "", "", ""] for i in range(n) for p in people]
    return MENTORSHIP_HEADER, [[0, p[0], person_id(p), p[2], f"{n}-徒弟{i}", "某厂", "一带一",
                                f"{2000 + n}-{i % 12 + 1:02d}-01", "", ""] for i in range(n) for p in people]


@pytest.mark.parametrize("kind", ["studios", "mentorships"])
def test_it_imports_more_rows_in_the_same_number_of_queries(tmp_path, orgs, people, kind):
    counts = []
    for n in (3, 12):
        header, rows = _many(kind, n)
        path = write_ledger(tmp_path, f"{kind}{n}", "台账", header, rows)
        with CaptureQueriesContext(connection) as ctx:
            result = _run(kind, path, orgs["331100"])
        assert result.rejected_rows == 0 and result.created == n * 11
        counts.append(sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT")))  # inserts: batched
        assert _run(kind, path, orgs["331100"]).unchanged == n * 11
    assert counts[0] == counts[1]
