"""The ledger import pages (issue 13): one hub, and per kind an upload, a preview, a commit, a template."""

import tempfile
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from laomo.orgs.selectors import org_choices_for

from . import importing, selectors
from .jobs import job_create, open_private
from .permissions import capability_required
from .scope import scope_root


class LedgerUploadForm(forms.Form):
    file = forms.FileField(label="台账文件", help_text="支持 .xlsx、.xls、.csv(UTF-8 或 GBK/GB18030)")
    org = forms.ModelChoiceField(label="导入单位", queryset=None,
                                 help_text="各行按“所属单位”列归入其下单位;未填的行归入本单位")

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError("只支持 .xlsx、.xls、.csv 文件。")
        limit = settings.LAOMO_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"文件过大(上限 {limit // (1024 * 1024)} MB)。")
        return upload


def _kind(kind: str):
    cls = importing.get_kind(kind)
    if cls is None:
        raise Http404("没有这种台账")
    return cls


@capability_required("import_data")
def import_hub(request):
    groups: dict[str, list] = {}
    for cls in importing.kinds():
        groups.setdefault(cls.module_label, []).append(cls)
    return render(request, "core/imports/hub.html", {"groups": groups})


@capability_required("import_data")
def import_upload(request, kind):
    cls = _kind(kind)
    form = LedgerUploadForm(request.POST or None, request.FILES or None,
                            org_queryset=org_choices_for(user=request.user), initial={"org": scope_root(request.user)})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        path = importing.upload_path(uuid.uuid4())  # saved before the job exists: it may start at once
        with open_private(path) as fh:  # 0600: a ledger holds names, ID numbers, amounts
            for chunk in upload.chunks():
                fh.write(chunk)
        job = job_create(actor=request.user, kind="core.import", title=f"{cls.label}预检:{upload.name}",
                         params={"kind": kind, "upload": str(path), "filename": upload.name,
                                 "org": form.cleaned_data["org"].code, "dry_run": True})
        return redirect("core:job_detail", job_id=job.pk)
    return render(request, "core/imports/upload.html", {"form": form, "importer": cls})


def _finished_job(request, kind, job_id):
    job = selectors.job_get(user=request.user, job_id=job_id)
    if job is None or job.kind != "core.import" or job.params.get("kind") != kind or not job.is_finished:
        raise Http404("任务不存在")
    return job


@capability_required("import_data")
def import_result(request, kind, job_id):
    cls = _kind(kind)
    job = _finished_job(request, kind, job_id)
    if job.status != "done":
        return redirect("core:job_detail", job_id=job.pk)
    counts = [(cls.count_labels.get(k, k), v) for k, v in (job.result.get("counts") or {}).items()]
    return render(request, "core/imports/result.html", {"job": job, "r": job.result, "importer": cls,
                                                        "counts": counts})


@require_POST
@capability_required("import_data")
def import_commit(request, kind, job_id):
    cls = _kind(kind)
    preview = _finished_job(request, kind, job_id)
    if not preview.result.get("dry_run"):
        raise Http404("预检任务不存在")
    upload = preview.params.get("upload")
    if not upload or not Path(upload).exists():
        messages.error(request, "上传的文件已过期,请重新上传。")
        return redirect("core:import_upload", kind=kind)
    job = job_create(actor=request.user, kind="core.import", title=f"{cls.label}导入:{preview.params['filename']}",
                     params={**preview.params, "dry_run": False, "preview_of": str(preview.pk)})
    return redirect("core:job_detail", job_id=job.pk)


@capability_required("import_data")
def import_template(request, kind):
    cls = _kind(kind)
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")
    cls.write_template(tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=cls.template_filename())
