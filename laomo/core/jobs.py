"""Long work as jobs: a `Job` row the page polls, run by huey (SQLite-backed by default, Redis when
configured). The CLI runs the same job function in the foreground via `run_job_now`.

A job kind is a function `fn(job, reporter, **params) -> dict` registered with `@job_kind("name")`.
It reports progress with `reporter(done, total, message)` and may write a result file with
`reporter.save_file(filename, bytes_or_path)`.

Job files (uploads, reports, exports) live in `var/jobs/` (a 0700 directory), are written 0600 and are
deleted after `LAOMO_JOB_FILE_DAYS` days (`purge_job_files`, daily in the consumer). When the consumer
starts it fails the jobs its dead predecessor left running, then keeps a heartbeat row fresh for
`/healthz`.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from .models import Heartbeat, Job, JobStatus

log = logging.getLogger("laomo.jobs")

ABANDONED_MESSAGE = "任务执行进程意外退出,任务已中止,请重新提交"
HEARTBEAT_NAME = "jobs"

_KINDS: dict[str, Callable] = {}


def job_kind(name: str):
    def register(fn):
        _KINDS[name] = fn
        return fn

    return register


def jobs_dir() -> Path:
    """`var/jobs/`, readable by the service's own user only (uploads and exports hold PII)."""
    path = Path(settings.VAR_DIR) / "jobs"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != 0o700:
        path.chmod(0o700)
    return path


def open_private(path, mode: str = "wb"):
    """Open a job file for writing, created (or truncated) with mode 0600 whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode on O_CREAT
    return os.fdopen(fd, mode)


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
        with open_private(target) as out:
            if isinstance(source, (str, Path)):
                with open(source, "rb") as src:
                    shutil.copyfileobj(src, out)
            else:
                out.write(source)
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


# --- The consumer: abandoned jobs, heartbeat ---------------------------------------------------------


def _pending_job_ids() -> set[str] | None:
    """Ids of the jobs whose huey task is still in the queue (None when the queue cannot be read)."""
    try:
        return {str(task.args[0]) for task in HUEY.pending() if task.name.endswith("run_job_task") and task.args}
    except Exception:  # noqa: BLE001  (an unreadable queue: leave queued jobs alone)
        log.exception("cannot read the job queue")
        return None


def jobs_fail_abandoned(*, pending_ids: set[str] | None = None, queued_grace_seconds: int = 60) -> int:
    """Fail the jobs a dead consumer left behind: every running job, and queued jobs (older than a
    minute, so a job committed a moment ago is not caught before its task is enqueued) whose task is
    no longer in the queue. Call only when no consumer is running jobs (the consumer's start)."""
    now = timezone.now()
    failed = {"status": JobStatus.FAILED, "error": ABANDONED_MESSAGE, "finished_at": now}
    count = Job.objects.filter(status=JobStatus.RUNNING).update(**failed)
    if pending_ids is not None:
        count += (
            Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=now - timedelta(seconds=queued_grace_seconds))
            .exclude(pk__in=list(pending_ids))
            .update(**failed)
        )
    return count


def heartbeat_beat(name: str = HEARTBEAT_NAME) -> None:
    Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": timezone.now(), "detail": f"{socket.gethostname()} pid {os.getpid()}"}
    )


def heartbeat_age(name: str = HEARTBEAT_NAME) -> float | None:
    """Seconds since the last heartbeat (None when there never was one)."""
    beat = Heartbeat.objects.filter(name=name).values_list("beat_at", flat=True).first()
    return None if beat is None else max(0.0, (timezone.now() - beat).total_seconds())


def _heartbeat_loop() -> None:
    while True:
        time.sleep(settings.LAOMO_JOBS_HEARTBEAT_SECONDS)
        try:
            heartbeat_beat()
        except Exception:  # noqa: BLE001  (a locked or lost database: try again at the next beat)
            log.exception("job consumer heartbeat failed")
        finally:
            connection.close()


_started = threading.Lock()
_started_done = False


@HUEY.on_startup()
def consumer_started() -> None:
    """Huey calls this in each worker thread before it takes a task; the first call does the work."""
    global _started_done
    with _started:
        if _started_done:
            return
        os.umask(0o077)  # every file the consumer writes (reports, exports) is its own
        count = jobs_fail_abandoned(pending_ids=_pending_job_ids())
        if count:
            log.warning("marked %s abandoned job(s) failed", count)
        heartbeat_beat()
        connection.close()
        threading.Thread(target=_heartbeat_loop, name="laomo-heartbeat", daemon=True).start()
        _started_done = True


# --- Job files: deleted after LAOMO_JOB_FILE_DAYS ------------------------------------------------------


def job_files_purge(*, days: int | None = None) -> dict:
    """Delete job files older than `days` and clear the result file of their jobs (the page then
    says the file has expired). Returns {"files": deleted, "jobs": cleared}."""
    days = settings.LAOMO_JOB_FILE_DAYS if days is None else days
    cutoff = time.time() - days * 86400
    deleted = 0
    for path in jobs_dir().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except FileNotFoundError:
            continue
    cleared = 0
    for pk, result_file in Job.objects.exclude(result_file="").values_list("pk", "result_file").iterator():
        if not Path(result_file).exists():
            cleared += Job.objects.filter(pk=pk, result_file=result_file).update(result_file="")
    return {"files": deleted, "jobs": cleared}


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_job_files_task() -> None:
    result = job_files_purge()
    if result["files"] or result["jobs"]:
        log.warning("purged %(files)s job file(s), %(jobs)s job(s) now without their file", result)
