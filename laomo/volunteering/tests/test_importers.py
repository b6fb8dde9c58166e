"""The volunteering ledgers imported (issue 13): teams with members, service records with volunteers and hours
(a cell of names or one row per volunteer), past requests with their real dates; counted by the summary as
records entered through the pages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from laomo.core.models import AuditEntry
from laomo.core.tests.ledgers import commit_ledger, register_people, result_page, upload_ledger, write_ledger
from laomo.core.tests.ledgers import figure as _figure
from laomo.core.tests.ledgers import run_ledger as _run
from laomo.orgs.roles import Role
from laomo.reports.selectors import summary
from laomo.volunteering.models import (
    RequestEvent,
    ServiceHours,
    ServiceRecord,
    ServiceRequest,
    ServiceTeam,
    TeamMember,
)
from laomo.volunteering.tests import ledger_samples as samples

from .factories import make_request


@pytest.fixture
def people(orgs):
    return register_people(orgs)


@pytest.fixture
def teams(tmp_path, orgs, people):
    path, _ = samples.service_teams_ledger(tmp_path)
    result = _run("service_teams", path, orgs["331100"])
    assert result.file_error == "" and result.rejected_rows == 3
    return {t.name: t for t in ServiceTeam.objects.all()}


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_it_imports_the_sample_ledgers_and_the_summary_counts_them_as_entered_by_hand(tmp_path, orgs, people, fmt):
    ledgers, expected = samples.volunteering_ledgers(tmp_path, fmt)
    first = {}
    for kind, path in ledgers:
        result = _run(kind, path, orgs["331100"])
        assert result.file_error == "" and result.rejected_rows == 3, (kind, result.errors_by_row)
        first[kind] = result.summary()
    for year, figures in expected.items():
        data = summary(user=None, year=year, org=orgs["331100"])
        assert {k: _figure(data, k) for k in figures} == figures, year
    counts = (ServiceRecord.objects.count(), ServiceHours.objects.count(), ServiceRequest.objects.count(),
              TeamMember.objects.count())
    for kind, path in ledgers:  # the same files again change nothing
        again = _run(kind, path, orgs["331100"]).summary()
        assert again["created"] == again["updated"] == 0 and again["unchanged"] == first[kind]["created"]
    assert counts == (ServiceRecord.objects.count(), ServiceHours.objects.count(), ServiceRequest.objects.count(),
                      TeamMember.objects.count())


@pytest.mark.django_db
def test_it_gives_each_sample_figures_of_its_own(tmp_path, orgs, people, teams):
    """Each sample's figures hold on their own (teams first, as the records and requests name them)."""
    path, figures = samples.service_records_ledger(tmp_path)
    _run("service_records", path, orgs["331100"])
    for year, values in figures.items():
        data = summary(user=None, year=year, org=orgs["331100"])
        assert {k: _figure(data, k) for k in values} == values
    assert figures[2022]["volunteering.volunteer_hours"] == "16.00"


@pytest.mark.django_db
def test_it_builds_teams_with_members_one_row_per_member(tmp_path, orgs, people):
    leader = make_user("lw_leader", Role.TEAM_LEADER, orgs["331122"], full_name="刘伟")
    path, _ = samples.service_teams_ledger(tmp_path)
    preview = _run("service_teams", path, orgs["331100"], dry_run=True)
    assert preview.summary() == {"rows": 9, "created": 6, "updated": 0, "unchanged": 0, "rejected_rows": 3,
                                 "warnings": 3, "teams": 3, "teams_updated": 0}
    result = _run("service_teams", path, orgs["331100"])
    assert result.summary() == preview.summary()
    liandu = ServiceTeam.objects.get(name=samples.LIANDU_TEAM)
    assert (liandu.team_type, liandu.org.code, str(liandu.founded_on)) == ("medical", "331102", "2021-05-01")
    members = {m.name: m for m in liandu.members.all()}
    assert members["张建国"].duty == "队长" and members["李秀英"].duty == "技术骨干"
    assert members["赵老师"].worker is None and members["赵老师"].phone_masked.startswith("139")
    assert ServiceTeam.objects.get(name=samples.JINYUN_TEAM).leader == leader
    assert sorted(result.errors_by_row) == [10, 12, 13]
    assert "有多名名叫“王芳”的劳模" in result.errors_by_row[10][0] and result.names[10] == "王芳"
    assert "不存在" in result.errors_by_row[12][0] and "未在本单位劳模库中登记" in result.errors_by_row[13][0]
    changed = [[1, samples.LIANDU_TEAM, "", "莲都区", "", "", "李秀英", "", "副队长", ""]]
    again = _run("service_teams", write_ledger(tmp_path, "b", "队员", samples.TEAM_HEADER, changed), orgs["331100"])
    assert (again.created, again.updated) == (0, 1)
    assert TeamMember.objects.get(name="李秀英").duty == "副队长"
    assert AuditEntry.objects.filter(action="volunteering.team.import").count() == 2


HEADER = ["序号", "日期", "服务队伍", "服务地点", "服务内容", "受益人次", "参加人员", "服务时长"]


@pytest.mark.django_db
def test_it_merges_one_row_per_volunteer_and_names_every_bad_row(tmp_path, orgs, people, teams):
    rows = [
        [1, "2023-03-01", samples.LIANDU_TEAM, "碧湖镇新合村", "义诊", 50, "张建国", 3],  # 5
        [2, "2023-03-01", samples.LIANDU_TEAM, "碧湖镇新合村", "义诊", "", "李秀英", 2],  # 6: same service
        [3, "2023-03-01", samples.LIANDU_TEAM, "碧湖镇新合村", "义诊", 50, "张建国", 3],  # 7: repeated
        [4, "2023-03-02", "不存在的队", "碧湖镇", "义诊", 5, "张建国", 1],  # 8
        [5, "2023-03-03", samples.LIANDU_TEAM, "碧湖镇", "义诊", 5, "张建国", 30],  # 9: over 24 hours
        [6, "2023-03-04", samples.LIANDU_TEAM, "碧湖镇", "义诊", "", "张建国", 2],  # 10: no person-times
        [7, "2023-03-05", samples.LIANDU_TEAM, "碧湖镇", "义诊", 5, "张建国", ""],  # 11: no hours
        [8, f"{timezone.localdate().year + 1}-01-01", samples.LIANDU_TEAM, "碧湖镇", "义诊", 5, "张建国", 2],  # 12
    ]
    path = write_ledger(tmp_path, "记录", "服务记录", HEADER, rows)
    report = tmp_path / "report.xlsx"
    result = _run("service_records", path, orgs["331100"], report=report)
    assert sorted(result.errors_by_row) == [7, 8, 9, 10, 11, 12]
    assert "与第5行重复" in result.errors_by_row[7][-1]
    assert "服务队“不存在的队”不存在" in result.errors_by_row[8][0]
    assert "24" in result.errors_by_row[9][0] and "服务人次为空" in result.errors_by_row[10][0]
    assert "服务时长为空" in result.errors_by_row[11][0] and "晚于今天" in result.errors_by_row[12][0]
    assert result.warnings_by_row[6][0][1].startswith("与第5行是同一条记录")
    assert result.summary()["volunteers"] == 2
    record = ServiceRecord.objects.get()
    assert (record.person_times, record.team_type, record.place_kind, record.org.code) == (50, "medical", "village",
                                                                                            "331102")
    assert sorted((h.name, h.hours) for h in record.volunteers.all()) == [("张建国", Decimal("3.00")),
                                                                          ("李秀英", Decimal("2.00"))]


@pytest.mark.django_db
def test_it_updates_a_changed_record_and_its_volunteers(tmp_path, orgs, people, teams):
    rows = [[1, "2022-03-01", samples.LIANDU_TEAM, "碧湖镇", "义诊", 50, "张建国、李秀英", 3]]
    _run("service_records", write_ledger(tmp_path, "a", "服务记录", HEADER, rows), orgs["331100"])
    rows[0][5], rows[0][7] = 60, "2.5"
    result = _run("service_records", write_ledger(tmp_path, "b", "服务记录", HEADER, rows), orgs["331100"])
    assert (result.created, result.updated, result.counts["volunteers"]) == (0, 1, 2)
    record = ServiceRecord.objects.get()
    assert record.person_times == 60
    assert sorted(h.hours for h in record.volunteers.all()) == [Decimal("2.50"), Decimal("2.50")]
    assert summary(user=None, year=2022, org=orgs["331100"])["volunteering"]["volunteer_hours"] == "5.00"


@pytest.mark.django_db
def test_it_imports_many_records_in_a_bounded_number_of_queries(tmp_path, orgs, people, teams,
                                                                 django_assert_max_num_queries):
    rows = [[i, f"2022-{1 + i % 12:02d}-{1 + i % 28:02d}", samples.LIANDU_TEAM, f"村{i}", "义诊", 3,
             "张建国、李秀英、赵老师", 2] for i in range(1, 601)]
    path = write_ledger(tmp_path, "many", "服务记录", HEADER, rows)
    with django_assert_max_num_queries(40):
        result = _run("service_records", path, orgs["331100"])
    assert (result.created, result.rejected_rows, result.counts["volunteers"]) == (600, 0, 1800)


@pytest.mark.django_db
def test_it_imports_past_requests_at_their_real_dates_with_their_timeline(tmp_path, orgs, people, teams):
    path, _ = samples.service_requests_ledger(tmp_path)
    preview = _run("service_requests", path, orgs["331100"], dry_run=True)
    result = _run("service_requests", path, orgs["331100"])
    assert result.summary() == preview.summary()
    assert (result.created, result.rejected_rows, result.counts["records"], result.counts["volunteers"]) == (5, 3, 3,
                                                                                                              3)
    assert "不存在" in result.errors_by_row[10][0] and "完成时间早于派单时间" in " ".join(result.errors_by_row[11])
    assert "评分" in result.errors_by_row[12][0]
    rated = ServiceRequest.objects.get(contact_phone_masked__startswith="139")
    assert (rated.status, rated.rating, rated.contact_name_masked, rated.contact_name) == ("rated", 5, "王**", "王大妈")
    assert rated.record.volunteers.get().name == "张建国" and rated.record.date.isoformat() == "2022-04-03"
    assert [(e.action, timezone.localtime(e.created_at).date().isoformat()) for e in rated.events.all()] == [
        ("submit", "2022-04-01"), ("dispatch", "2022-04-01"), ("complete", "2022-04-03"), ("rate", "2022-04-05")]
    refused = ServiceRequest.objects.get(status="refused")
    assert refused.refuse_reason.startswith("不属于") and refused.events.count() == 2
    assert ServiceRequest.objects.filter(status="pending").count() == 1
    assert RequestEvent.objects.count() == 4 + 4 + 3 + 2 + 1


@pytest.mark.django_db
def test_it_adds_a_rating_given_after_the_first_import(tmp_path, orgs, people, teams):
    header = samples.REQUEST_HEADER
    row = [1, "2023-05-10", "青田县", "电话", "食用菌", "香菇烂棒比较多,想请专家看看", "仁庄镇", "", "林大伯",
           "13605781111", samples.QINGTIAN_TEAM, "2023-05-11", "2023-05-20", "陈志强", 3, 5, "", "", "", ""]
    _run("service_requests", write_ledger(tmp_path, "a", "点单", header, [row]), orgs["331100"])
    row[16], row[17] = 4, "2023-05-25"
    result = _run("service_requests", write_ledger(tmp_path, "b", "点单", header, [row]), orgs["331100"])
    assert (result.created, result.updated, result.counts["rated"]) == (0, 1, 1)
    req = ServiceRequest.objects.get()
    assert (req.status, req.rating, timezone.localtime(req.rated_at).date().isoformat()) == ("rated", 4, "2023-05-25")
    assert summary(user=None, year=2023, org=orgs["331100"])["volunteering"]["requests"]["average_rating"] == 4.0
    assert ServiceRecord.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_request_out_of_order_or_not_yet_possible(tmp_path, orgs, people, teams):
    make_request(orgs["331102"])  # a request on the pages does not disturb the import
    header = samples.REQUEST_HEADER
    base = [1, "2023-05-10", "莲都区", "电话", "医疗", "需要上门测血压", "碧湖镇", "", "钱大伯", "13605781111"]
    rows = [
        base + ["", "", "2023-05-20", "", "", "", "", "", "", ""],  # 5: completed without an assignee
        base + [samples.LIANDU_TEAM, "2023-05-11", "", "", "", "", "", "", "已取消", ""],  # 6: no reason
        base + [samples.LIANDU_TEAM, "2023-05-11", "2023-05-12", "张建国", 2, 1, 5, "2023-05-11", "", ""],  # 7
        [1, "2023-05-10", "丽水市总工会", "电话", "医疗", "需要上门测血压", "碧湖镇", "", "钱大伯", "12345"],  # 8
    ]
    result = _run("service_requests", write_ledger(tmp_path, "x", "点单", header, rows), orgs["331100"], dry_run=True)
    assert sorted(result.errors_by_row) == [5, 6, 7, 8]
    assert "须填写派单服务队或派单劳模" in result.errors_by_row[5][0]
    assert "须填写原因" in result.errors_by_row[6][0]
    assert "评价时间早于完成时间" in result.errors_by_row[7][0]
    assert any("电话" in m or "手机" in m for m in result.errors_by_row[8])


@pytest.mark.django_db
def test_it_runs_from_the_cli_with_the_json_summary_last(tmp_path, orgs, people, teams, capsys):
    path, _ = samples.service_records_ledger(tmp_path)
    call_command("import_service_records", str(path), "--json")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last) == {"rows": 9, "created": 5, "updated": 0, "unchanged": 0, "rejected_rows": 3,
                                "warnings": 1, "volunteers": 9}


@pytest.mark.django_db
def test_it_previews_and_commits_through_the_pages(tmp_path, orgs, people, teams, clients,
                                                   django_capture_on_commit_callbacks):
    client = clients[Role.CITY_STAFF]
    hub = client.get(reverse("core:imports"))
    assert hub.status_code == 200 and "服务记录台账" in hub.content.decode() and "群众点单台账" in hub.content.decode()
    for kind in ("service_teams", "service_records", "service_requests"):
        assert client.get(reverse("core:import_template", args=[kind])).status_code == 200
    path, _ = samples.service_records_ledger(tmp_path)
    response, job_id = upload_ledger(client, "service_records", path, orgs["331100"],
                                     django_capture_on_commit_callbacks)
    assert response.status_code == 302
    body = result_page(client, "service_records", job_id)
    assert "第 11 行" in body and "查无此人" in body
    assert not ServiceRecord.objects.exists()
    commit_ledger(client, "service_records", job_id, django_capture_on_commit_callbacks)
    assert ServiceRecord.objects.count() == 5
