"""Long work as jobs: a `Job` row the page polls, run by huey (SQLite-backed by default, Redis when
configured). The CLI runs the same job function in the foreground via `run_job_now`.

A job kind is a function `fn(job, reporter, **params) -> dict` registered with `@job_kind("name")`.
It reports progress with `reporter(done, total, message)` and may write a result file with
`reporter.save_file(filename, bytes_or_path)`.
"""

from __future__ import annotations

import shutil
import traceback
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from .models import Job, JobStatus

_KINDS: dict[str, Callable] = {}


def job_kind(name: str):
    def register(fn):
        _KINDS[name] = fn
        return fn

    return register


def jobs_dir() -> Path:
    path = Path(settings.VAR_DIR) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Reporter:
    def __init__(self, job: Job, every: int = 1):
        self.job = job
        self._last = -1

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        update = {"progress": done}
        if total is not None:
            update["total"] = total
        if message:
            update["message"] = message[:300]
        Job.objects.filter(pk=self.job.pk).update(**update)
        for key, value in update.items():
            setattr(self.job, key, value)

    def save_file(self, filename: str, source) -> None:
        target = jobs_dir() / f"{self.job.pk}{Path(filename).suffix}"
        if isinstance(source, (str, Path)):
            shutil.copyfile(source, target)
        else:
            target.write_bytes(source)
        self.job.result_file = str(target)
        self.job.result_filename = filename
        Job.objects.filter(pk=self.job.pk).update(result_file=str(target), result_filename=filename)


def job_create(*, actor, kind: str, title: str, params: dict | None = None) -> Job:
    """Queue a job; it starts after the surrounding transaction commits."""
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind}")
    job = Job.objects.create(kind=kind, title=title, owner=actor, params=params or {})
    transaction.on_commit(lambda: run_job_task(str(job.pk)))
    return job


def run_job_now(job: Job) -> Job:
    """Run a job in this process (the CLI, the test suite, the huey consumer)."""
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job.refresh_from_db()
    try:
        result = _KINDS[job.kind](job, Reporter(job), **job.params) or {}
    except Exception as exc:  # the job's page shows the error; the traceback goes to the log
        message = getattr(exc, "user_message", None) or str(exc) or exc.__class__.__name__
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        import logging

        logging.getLogger("laomo.jobs").error("job %s failed\n%s", job.pk, traceback.format_exc())
    else:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE, result=result, finished_at=timezone.now(), progress=job.total or job.progress
        )
    job.refresh_from_db()
    return job


@db_task()
def run_job_task(job_id: str) -> None:
    job = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
    if job is not None:
        run_job_now(job)
