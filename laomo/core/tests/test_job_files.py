"""Job files (uploads, reports, exports under var/jobs) are private (0600 in a 0700 directory) and are
deleted after LAOMO_JOB_FILE_DAYS days, after which the job's page says the file has expired."""

import os
import stat
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from conftest import login_client
from laomo.core.jobs import Reporter, job_files_purge, jobs_dir
from laomo.core.models import Job
from laomo.orgs.roles import Role


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)  # the usual umask: files 0644 unless laomo says otherwise
    yield
    os.umask(old)


@pytest.mark.django_db
def test_it_writes_uploads_and_results_0600_in_a_0700_directory(users, orgs, var_dir, loose_umask,
                                                                django_capture_on_commit_callbacks, tmp_path):
    client = login_client(users[Role.CITY_STAFF])
    upload = SimpleUploadedFile("名册.csv", "姓名,身份证号\n张三,331102196503120016\n".encode(), "text/csv")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/workers/import/", {"file": upload, "org": orgs["331100"].pk})
    assert response.status_code == 302
    job = Job.objects.get(owner=users[Role.CITY_STAFF])
    assert mode(job.params["upload"]) == 0o600
    assert mode(jobs_dir()) == 0o700

    source = tmp_path / "report.xlsx"
    source.write_bytes(b"report")
    Reporter(job).save_file("报告.xlsx", source)
    job.refresh_from_db()
    assert mode(job.result_file) == 0o600
    Reporter(job).save_file("报告.csv", b"bytes")
    job.refresh_from_db()
    assert mode(job.result_file) == 0o600


@pytest.mark.django_db
def test_it_purges_old_job_files_and_says_the_file_expired(users, var_dir, settings):
    owner = users[Role.CITY_STAFF]
    old = Job.objects.create(kind="reports.summary_xlsx", title="旧报表", owner=owner, status="done")
    new = Job.objects.create(kind="reports.summary_xlsx", title="新报表", owner=owner, status="done")
    Reporter(old).save_file("旧报表.xlsx", b"old")
    Reporter(new).save_file("新报表.xlsx", b"new")
    upload = jobs_dir() / "upload-abc"
    upload.write_bytes(b"roster")
    aged = time.time() - (settings.LAOMO_JOB_FILE_DAYS + 1) * 86400
    for path in (old.result_file, upload):
        os.utime(path, (aged, aged))

    assert job_files_purge() == {"files": 2, "jobs": 1}

    old.refresh_from_db()
    new.refresh_from_db()
    assert old.result_file == "" and old.result_filename == "旧报表.xlsx"
    assert os.path.exists(new.result_file) and not upload.exists()
    client = login_client(owner)
    page = client.get(f"/core/jobs/{old.pk}/").content.decode()
    assert "已过期删除" in page and f"/core/jobs/{old.pk}/download/" not in page
    assert client.get(f"/core/jobs/{old.pk}/download/").status_code == 404
    assert f"/core/jobs/{new.pk}/download/" in client.get(f"/core/jobs/{new.pk}/").content.decode()


@pytest.mark.django_db
def test_it_answers_404_not_500_when_a_result_file_vanished(users, var_dir):
    job = Job.objects.create(kind="reports.summary_xlsx", title="t", owner=users[Role.CITY_STAFF], status="done")
    Reporter(job).save_file("t.xlsx", b"x")
    os.unlink(job.result_file)
    assert login_client(users[Role.CITY_STAFF]).get(f"/core/jobs/{job.pk}/download/").status_code == 404


@pytest.mark.django_db
def test_it_purges_from_the_command_with_a_days_option(users, var_dir, capsys):
    job = Job.objects.create(kind="reports.summary_xlsx", title="t", owner=users[Role.CITY_STAFF], status="done")
    Reporter(job).save_file("t.xlsx", b"x")
    call_command("purge_job_files", "--days", "3")
    job.refresh_from_db()
    assert job.result_file  # one second old: kept
    aged = time.time() - 4 * 86400
    os.utime(job.result_file, (aged, aged))
    call_command("purge_job_files", "--days", "3")
    job.refresh_from_db()
    assert job.result_file == ""
    assert "已删除 1 个过期任务文件" in capsys.readouterr().out


def test_it_schedules_the_purge_in_the_consumer():
    from huey.contrib.djhuey import HUEY

    assert any(cls.__name__ == "purge_job_files_task" for cls in HUEY._registry._periodic_tasks)
