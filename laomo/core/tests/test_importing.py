"""The ledger import framework's own rules (issue 13): dates as clerks write them, grouped warnings, phases."""

from datetime import date

import pytest

from laomo.core.importing import group_warnings, parse_when, split_names, warning_kind
from laomo.core.models import Job, JobStatus


@pytest.mark.parametrize("text, expected", [
    ("2023-04-05", (date(2023, 4, 5), None)),
    ("2023/4/5", (date(2023, 4, 5), None)),
    ("2023.4.5", (date(2023, 4, 5), None)),
    ("2023年4月5日", (date(2023, 4, 5), None)),
    ("二〇二三年4月5日", (date(2023, 4, 5), None)),
    ("20230405", (date(2023, 4, 5), None)),
    ("2023-04-05 09:30", (date(2023, 4, 5), (9, 30, 0))),
    ("2023-04-05 00:00:00", (date(2023, 4, 5), (0, 0, 0))),
    ("45021", (date(2023, 4, 5), None)),
    ("45021.375", (date(2023, 4, 5), (9, 0, 0))),
    ("2023年4月", None),
    ("去年", None),
])
def test_it_reads_dates_as_clerks_write_them(text, expected):
    assert parse_when(text) == expected


def test_it_refuses_a_date_that_does_not_exist():
    with pytest.raises(ValueError):
        parse_when("2023-02-30")


def test_it_splits_a_cell_of_names():
    assert split_names("张三、李四,王五 赵六(莲都区)/张三") == ["张三", "李四", "王五", "赵六"]


def test_it_groups_warnings_by_kind_with_counts_and_names():
    groups = group_warnings({5: ["未填写身份证号,已标记为待补全"], 7: ["未填写身份证号,已标记为待补全",
                                                                    "与第5行为同一人,荣誉已合并"],
                             9: ["荣誉“县劳模”在本行重复填写,只计一次"]}, {5: "张三", 7: "李四"})
    assert [(g["kind"], g["count"]) for g in groups] == [
        ("未填写身份证号,已标记为待补全", 2), ("与第N行为同一人,荣誉已合并", 1), ("荣誉“…”在本行重复填写,只计一次", 1)]
    assert groups[0]["rows"] == [[5, "张三", "未填写身份证号,已标记为待补全"],
                                 [7, "李四", "未填写身份证号,已标记为待补全"]]
    assert warning_kind("与第12行重复") == "与第N行重复"


@pytest.mark.parametrize("status, message, dry_run, expected", [
    (JobStatus.RUNNING, "读取文件", True, ["current", "waiting", "waiting"]),
    (JobStatus.RUNNING, "正在校验", False, ["done", "current", "waiting"]),
    (JobStatus.RUNNING, "正在写入劳模", False, ["done", "done", "current"]),
    (JobStatus.FAILED, "逐行校验", True, ["done", "failed", "waiting"]),
    (JobStatus.DONE, "", True, ["done", "done", "done"]),
])
def test_it_shows_an_import_one_phase_at_a_time(status, message, dry_run, expected):
    job = Job(kind="core.import", status=status, message=message, params={"dry_run": dry_run})
    assert [state for _, state in job.phases] == expected
    assert [label for label, _ in job.phases][-1] == ("比对" if dry_run else "写入数据")
    assert Job(kind="workers.export", status=status).phases == []


@pytest.mark.django_db
def test_it_goes_on_from_a_finished_import_job_to_its_result_without_a_click(users, clients):
    from laomo.orgs.roles import Role

    owner = users[Role.CITY_STAFF]
    result_url = "/core/imports/lectures/00000000-0000-0000-0000-000000000000/"
    done = Job.objects.create(kind="core.import", title="t", owner=owner, status=JobStatus.DONE,
                              params={"dry_run": True}, result={"dry_run": True, "next_url": result_url},
                              message="逐行校验")
    running = Job.objects.create(kind="core.import", title="t", owner=owner, status=JobStatus.RUNNING,
                                 params={"dry_run": True}, message="逐行校验", progress=2000, total=5000)
    client = clients[Role.CITY_STAFF]
    url = f"/core/jobs/{done.pk}/"
    assert client.get(url).url == result_url
    polled = client.get(url, headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled["HX-Redirect"] == result_url
    page = client.get(f"/core/jobs/{running.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "逐行校验" in page and "2000 / 5000 行" in page and 'data-state="current"' in page
