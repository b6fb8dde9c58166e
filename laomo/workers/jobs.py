"""Import and export jobs of the registry (run by the job queue, or in the foreground by the CLI)."""

import tempfile
from contextlib import nullcontext
from pathlib import Path

from django.http import QueryDict
from django.urls import reverse

from laomo.core.importing import group_warnings
from laomo.core.jobs import job_kind, jobs_dir
from laomo.orgs.models import OrgUnit, User

from .export import export_filename
from .forms import filters_from
from .history import applying
from .importer import roster_import
from .models import Submission
from .review import submission_imported
from .selectors import worker_list
from .services import worker_export


def import_upload_path(job_id) -> Path:
    return jobs_dir() / f"upload-{job_id}"


@job_kind("workers.import")
def import_job(job, reporter, *, upload: str, filename: str, org: str, dry_run: bool, preview_of: str = "",
               submission: str = ""):
    actor = User.objects.get(pk=job.owner_id)
    unit = OrgUnit.objects.get(code=org)
    report = jobs_dir() / f"{job.pk}-report.xlsx"
    approved = Submission.objects.filter(pk=submission).select_related("submitted_by").first() if submission else None
    with applying(approved, actor) if approved else nullcontext():  # the clerk who submitted it, in the history
        result = roster_import(actor=actor, source=upload, filename=filename, org=unit, dry_run=dry_run,
                               progress=reporter, report_path=report)
    if approved is not None and not result.file_error:
        submission_imported(actor=actor, submission_pk=approved.pk)
    if result.file_error:
        raise ValueError(result.file_error)
    if report.exists():
        reporter.save_file(f"{Path(filename).stem}-{'预检' if dry_run else '导入'}报告.xlsx", report)
    errors = sorted(result.errors_by_row.items())[:500]
    return {
        **result.summary(), "dry_run": dry_run, "filename": filename, "org": org, "upload": upload,
        "error_rows": [[row, result.names.get(row, ""), msgs] for row, msgs in errors],
        "warning_groups": group_warnings(result.warnings_by_row, result.names),
        "next_url": reverse("workers:import_result", args=[job.pk]),
    }


@job_kind("workers.export")
def export_job(job, reporter, *, query: str, full: bool):
    """The roster export of a list page's filters, for the job's owner and their scope."""
    actor = User.objects.get(pk=job.owner_id)
    _, filters = filters_from(QueryDict(query), user=actor)
    if filters is None:
        raise ValueError("筛选条件有误,请修改后再导出。")
    qs = worker_list(user=actor, filters=filters)
    reporter(0, qs.count(), "正在导出")
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        count = worker_export(actor=actor, qs=qs, full=full, target=tmp.name, query=query, progress=reporter)
        reporter.save_file(export_filename(full), tmp.name)
    return {"rows": count}
