"""A consumer that died mid-job: at the next start its jobs are failed with a Chinese reason."""

from datetime import timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from laomo.core import jobs
from laomo.core.models import Heartbeat, Job, JobStatus
from laomo.orgs.roles import Role


@pytest.fixture
def org_tree(transactional_db):
    """The org tree the migrations seed: an earlier transactional test's flush may have emptied it."""
    import importlib

    from django.apps import apps as django_apps

    importlib.import_module("laomo.orgs.migrations.0002_seed_org_tree").seed(django_apps, None)


def _job(owner, status, age_seconds=0):
    job = Job.objects.create(kind="reports.summary_xlsx", title="t", owner=owner, status=status)
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(seconds=age_seconds))
    return job


@pytest.mark.django_db
def test_it_fails_running_jobs_and_queued_jobs_whose_task_is_gone(users):
    owner = users[Role.CITY_STAFF]
    running = _job(owner, JobStatus.RUNNING, 600)
    lost = _job(owner, JobStatus.QUEUED, 600)
    waiting = _job(owner, JobStatus.QUEUED, 600)
    fresh = _job(owner, JobStatus.QUEUED, 0)  # committed a moment ago, its task not enqueued yet
    done = _job(owner, JobStatus.DONE, 600)

    assert jobs.jobs_fail_abandoned(pending_ids={str(waiting.pk)}) == 2

    states = {j.pk: (j.status, j.error) for j in Job.objects.all()}
    assert states[running.pk] == (JobStatus.FAILED, "任务执行进程意外退出,任务已中止,请重新提交")
    assert states[lost.pk] == (JobStatus.FAILED, "任务执行进程意外退出,任务已中止,请重新提交")
    assert states[waiting.pk][0] == JobStatus.QUEUED
    assert states[fresh.pk][0] == JobStatus.QUEUED
    assert states[done.pk][0] == JobStatus.DONE


@pytest.mark.django_db
def test_it_leaves_queued_jobs_alone_when_the_queue_cannot_be_read(users):
    lost = _job(users[Role.CITY_STAFF], JobStatus.QUEUED, 600)
    assert jobs.jobs_fail_abandoned(pending_ids=None) == 0
    lost.refresh_from_db()
    assert lost.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_it_reads_the_pending_tasks_of_the_queue(users):
    job = _job(users[Role.CITY_STAFF], JobStatus.QUEUED, 600)
    # Straight into the (test, in-memory) queue storage: enqueued, not run.
    HUEY.storage.enqueue(HUEY.serialize_task(jobs.run_job_task.s(str(job.pk))))
    try:
        assert str(job.pk) in jobs._pending_job_ids()
    finally:
        HUEY.storage.flush_queue()


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_recovery_once_at_consumer_start_and_beats(org_tree, users, monkeypatch):
    running = _job(users[Role.CITY_STAFF], JobStatus.RUNNING, 600)
    started_threads = []
    monkeypatch.setattr(jobs.threading, "Thread", lambda **kw: started_threads.append(kw) or _NoThread())
    monkeypatch.setattr(jobs, "_started_done", False)
    monkeypatch.setattr(jobs.os, "umask", lambda mask: 0o022)
    assert "consumer_started" in HUEY._startup  # huey calls it in every worker thread

    for _ in range(3):  # three worker threads
        HUEY._startup["consumer_started"]()

    running.refresh_from_db()
    assert running.status == JobStatus.FAILED
    assert Heartbeat.objects.filter(name="jobs").exists()
    assert len(started_threads) == 1  # one heartbeat thread per consumer


class _NoThread:
    def start(self):
        pass
