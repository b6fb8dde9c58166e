import pytest
from openpyxl import load_workbook

from laomo.core.models import Job
from laomo.reports.registry import _SECTIONS, register_section


@pytest.fixture
def fake_section():
    @register_section("testing", order=999)
    def section(*, year, org):
        return {"total": 7 if org.code == "331100" else 3, "by_level": {"national": 1}}

    yield
    _SECTIONS.pop("testing")


@pytest.mark.django_db
def test_it_shows_the_summary_page(clients, fake_section):
    page = clients["city_staff"].get("/reports/?year=2022").content.decode()
    assert "2022年统计报表" in page and "丽水市总工会" in page


@pytest.mark.django_db
def test_it_refuses_another_countys_report_page(clients):
    assert clients["county_staff"].get("/reports/?org=331126").status_code == 403
    assert clients["county_staff"].get("/reports/?org=331102").status_code == 200


@pytest.mark.django_db
def test_it_exports_the_summary_as_a_job(clients, users, fake_section, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = clients["city_staff"].post("/reports/export/", {"org": "331100"})
    job = Job.objects.get(owner=users["city_staff"])
    assert response["Location"] == f"/core/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "done", job.error
    page = clients["city_staff"].get(f"/core/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "100%" in page and "下载" in page and "every 1s" not in page
    download = clients["city_staff"].get(f"/core/jobs/{job.pk}/download/")
    wb = load_workbook(filename=__import__("io").BytesIO(b"".join(download.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("指标", "丽水市总工会", "市本级(市直)")
    testing = next(row for row in rows if row[0] == "testing/总数")
    assert testing[1] == 7 and testing[2] == 3


@pytest.mark.django_db
def test_it_shows_a_failed_job_with_its_error(clients, users):
    from laomo.core.jobs import job_kind, run_job_now

    @job_kind("testing.fail")
    def fail(job, reporter):
        reporter(1, 4, "处理中")
        raise ValueError("第3行数据有误")

    job = Job.objects.create(kind="testing.fail", title="失败的任务", owner=users["city_staff"])
    run_job_now(job)
    page = clients["city_staff"].get(f"/core/jobs/{job.pk}/").content.decode()
    assert "任务失败" in page and "第3行数据有误" in page


@pytest.mark.django_db
def test_it_polls_a_running_job(clients, users):
    job = Job.objects.create(kind="reports.summary_xlsx", title="t", owner=users["city_staff"], status="running",
                             progress=2, total=8)
    page = clients["city_staff"].get(f"/core/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" in page and "25%" in page
