import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from laomo.core.importing import group_warnings
from laomo.core.jobs import job_create, open_private
from laomo.core.permissions import capability_required, has_capability
from laomo.core.scope import scope_root
from laomo.core.selectors import job_get
from laomo.core.web import (
    apply_errors,
    errors_text,
    hx_redirect,
    is_inline_check,
    paged,
    query_string,
    rows_response,
    run_action,
    validate_inline,
    wants_export,
    xlsx_response,
)
from laomo.orgs.models import OrgUnit
from laomo.orgs.selectors import org_choices_for

from . import gate, photos, review, selectors, services
from .decisions import APPLICABLE, DecisionError, parse_decision
from .export import write_roster, write_template
from .forms import (
    ContactForm,
    DecisionForm,
    GrantLoginForm,
    HonorForm,
    ImportUploadForm,
    NewWorkerForm,
    StatusForm,
    WorkerForm,
    decision_choices,
    filters_from,
    split_honor,
)
from .jobs import import_upload_path
from .models import Worker
from .quality import quality_report
from .timeline import timeline_for

BAD_FILTER = "筛选条件有误,请修改后再导出。"


def _export(request, qs):
    """The filtered roster as a spreadsheet: a job with a progress bar (`job=1`, big lists) or at once."""
    full = request.GET.get("full") == "1"
    services.export_allowed(actor=request.user, full=full)
    if request.GET.get("job") == "1":
        job = job_create(actor=request.user, kind="workers.export", title=f"导出劳模名册{'(完整)' if full else ''}",
                         params={"query": query_string(request, drop=("format", "job", "page")), "full": full})
        return redirect("core:job_detail", job_id=job.pk)
    return xlsx_response(request, filename=f"{services.EXPORT_WHAT}{'(完整)' if full else ''}",
                         action=services.export_action(full), what=services.EXPORT_WHAT,
                         write=lambda target: write_roster(target, qs, full=full), object_type="workers.worker")


@capability_required("view_business")
def worker_list(request):
    form, filters = filters_from(request.GET, user=request.user)
    exporting = wants_export(request)
    if filters is None and exporting:
        return HttpResponse(BAD_FILTER, status=400, content_type="text/plain; charset=utf-8")
    qs = selectors.worker_list(user=request.user, filters=filters or selectors.WorkerFilters())
    if exporting:
        return _export(request, qs)
    # The page shows the masked forms only (worker_row_values): never decrypts ID number, phone and address.
    shown = selectors.worker_row_values(qs.none() if filters is None else qs)

    def page_rows():
        page = paged(request, shown)
        page["rows"] = page["workers"] = selectors.worker_rows(page["rows"])
        return page

    ctx = {"form": form, "query": query_string(request), "can_edit": has_capability(request.user, "edit_business"),
           "can_export_full": has_capability(request.user, "export_pii")}
    return rows_response(request, "workers/worker_list.html", "workers/partials/worker_rows.jinja", ctx,
                         rows=page_rows)


@capability_required("view_business")
def worker_detail(request, pk):
    worker = selectors.worker_get(user=request.user, pk=pk)
    return render(request, "workers/worker_detail.html", {
        "worker": worker, "honors": selectors.honors_of(worker=worker),
        "timeline": timeline_for(worker=worker, user=request.user),
        "can_edit": has_capability(request.user, "edit_business"),
        "can_reveal": has_capability(request.user, "reveal_pii"),
        "open_submissions": selectors.open_submissions_of(worker=worker),
        "submits": gate.needs_review(request.user, worker.org),
        "honor_form": HonorForm(), "status_form": StatusForm(initial={"status": worker.employment_status}),
        "grant_form": GrantLoginForm(),
    })


@require_POST
@capability_required("reveal_pii")
def worker_reveal(request, pk, field):
    worker = selectors.worker_get(user=request.user, pk=pk)
    value = services.worker_reveal(actor=request.user, worker=worker, field=field)
    return render(request, "workers/partials/revealed.html", {"value": value or "(空)", "field": field})


def _worker_form(request, worker, orgs) -> WorkerForm:
    initial = {}
    if worker is not None:
        initial = {f: getattr(worker, f) for f in services.PLAIN_FIELDS}
        initial["org"] = worker.org
        if request.method == "GET":
            initial.update(services.worker_pii_for_edit(actor=request.user, worker=worker))
    elif orgs.count() == 1:
        initial["org"] = orgs.first()
    form_class = NewWorkerForm if worker is None else WorkerForm
    return form_class(request.POST or None, request.FILES or None, initial=initial, org_queryset=orgs)


def _save_worker(request, form, worker):
    """Where to go once the form is saved — the worker's page, or the submission's where the change is
    submitted for review (报送) — or None with the service's errors on the form."""
    data, honors = split_honor(form.cleaned_data)
    try:
        units = [data["org"]] if worker is None else [worker.org, data["org"]]
        if any(gate.needs_review(request.user, unit) for unit in units):
            photo, remove = data.pop("photo", None), data.pop("remove_photo", False)
            if worker is None:
                submission = review.submit_worker_create(actor=request.user, org=data.pop("org"), fields=data,
                                                         honors=honors, photo=photo)
            else:
                submission = review.submit_worker_update(actor=request.user, worker=worker, fields=data,
                                                         photo=photo, remove_photo=remove)
            messages.success(request, f"已报送审核:{submission.summary}。审核通过后生效。")
            return reverse("workers:submission", args=[submission.pk])
        created = worker is None
        worker = photos.worker_save(actor=request.user, worker=worker, honors=honors, **data)
        messages.success(request, f"已登记劳模 {worker.name}(编号 {worker.worker_no})。" if created
                         else f"已保存 {worker.name} 的信息。")
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    return reverse("workers:detail", args=[worker.pk])


def _worker_form_view(request, worker=None):
    orgs = org_choices_for(user=request.user)
    form = _worker_form(request, worker, orgs)
    if is_inline_check(request):
        return _validate_identity(request, form, orgs)
    if request.method == "POST" and form.is_valid():
        target = _save_worker(request, form, worker)
        if target is not None:
            return redirect(target)
    template = "workers/partials/worker_form_fields.html" if request.htmx else "workers/worker_form.html"
    return render(request, template, {"form": form, "worker": worker,
                                      "submits": gate.needs_review(request.user, worker.org if worker
                                                                   else scope_root(request.user))})


def _validate_identity(request, form, orgs):
    """Check the form as it is typed, the ID number, birth date, sex and phone by the services' rules; a valid
    ID number fills the birth date and sex it implies (swapped in out of band, like the error boxes)."""
    probe = Worker()

    def check(data):
        errors = {}
        try:
            services.apply_identity(probe, id_number=(data.get("id_number") or "").strip(),
                                    sex=data.get("sex") or "", birth_date=data.get("birth_date"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if data.get("phone"):
            try:
                services.apply_phone(probe, data["phone"])
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)

    response = validate_inline(request, form, check)
    if probe.id_number and not form.errors.get("id_number"):
        filled = request.POST.copy()
        filled.update({"birth_date": probe.birth_date.isoformat(), "sex": probe.sex})
        shown = type(form)(filled, org_queryset=orgs)
        for name in ("birth_date", "sex"):
            shown.fields[name].widget.attrs["hx-swap-oob"] = "true"
        response.content += render_to_string("workers/partials/identity_filled.html", {"form": shown}, request).encode()
    return response


@capability_required("edit_business")
def worker_create(request):
    return _worker_form_view(request)


@capability_required("edit_business")
def worker_edit(request, pk):
    worker = selectors.worker_get(user=request.user, pk=pk)
    return _worker_form_view(request, worker)


@require_POST
@capability_required("edit_business")
def worker_status(request, pk):
    worker = selectors.worker_get(user=request.user, pk=pk)
    form = StatusForm(request.POST)
    return run_action(request, lambda: services.worker_set_status(
        actor=request.user, worker=worker, status=form.cleaned_data["status"],
        status_date=form.cleaned_data["status_date"]), form=form, invalid="请选择状态并填写日期。",
        success=status_message, redirect_to=reverse("workers:detail", args=[worker.pk]))


def status_message(worker) -> str:
    """The flash after a status change: what a death or a retirement closed in the modules."""
    event = getattr(worker, "life_event", None)
    return f"已更新在职状态:{event.summary}。" if event is not None and event.closed else "已更新在职状态。"


@require_POST
@capability_required("edit_business")
def honor_add(request, pk):
    worker = selectors.worker_get(user=request.user, pk=pk)
    form = HonorForm(request.POST)
    submitted = gate.needs_review(request.user, worker.org)
    if form.is_valid():
        try:
            if submitted:
                review.submit_honor_add(actor=request.user, worker=worker, honor=form.cleaned_data)
            else:
                services.honor_add(actor=request.user, worker=worker, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
    if form.errors:
        if request.htmx:
            # 200: htmx swaps only successful responses; the fragment carries the errors.
            return render(request, "workers/partials/honor_form.html", {"honor_form": form, "worker": worker})
        messages.error(request, errors_text(form))
    else:
        messages.success(request, "已报送审核,审核通过后生效。" if submitted else "已添加荣誉。")
    return hx_redirect(request, reverse("workers:detail", args=[worker.pk]))


@require_POST
@capability_required("edit_business")
def honor_remove(request, pk, honor_pk):
    worker = selectors.worker_get(user=request.user, pk=pk)
    honor = selectors.honor_get(worker=worker, pk=honor_pk)
    reason = request.POST.get("reason", "")
    if gate.needs_review(request.user, worker.org):
        return run_action(request, lambda: review.submit_honor_remove(actor=request.user, honor=honor, reason=reason),
                          success=f"已报送删除荣誉“{honor.title}”,审核通过后生效。",
                          redirect_to=reverse("workers:detail", args=[worker.pk]))
    return run_action(request, lambda: services.honor_remove(actor=request.user, honor=honor, reason=reason),
                      success=f"已删除荣誉“{honor.title}”。", redirect_to=reverse("workers:detail", args=[worker.pk]))


@require_POST
@capability_required("edit_business")
def worker_grant_login(request, pk):
    worker = selectors.worker_get(user=request.user, pk=pk)
    form = GrantLoginForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("workers:detail", pk=worker.pk)
    try:
        user, password = services.worker_grant_login(actor=request.user, worker=worker,
                                                     username=form.cleaned_data["username"])
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
        return redirect("workers:detail", pk=worker.pk)
    return render(request, "orgs/user_password.html", {"target": user, "password": password, "created": True})


# --- import ----------------------------------------------------------------------------------------


@capability_required("import_data")
def import_upload(request):
    orgs = org_choices_for(user=request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, org_queryset=orgs,
                            initial={"org": scope_root(request.user)}, max_bytes=settings.LAOMO_IMPORT_MAX_BYTES)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        path = import_upload_path(uuid.uuid4())  # saved before the job exists: it may start at once
        with open_private(path) as fh:  # 0600: a roster holds ID numbers
            for chunk in upload.chunks():
                fh.write(chunk)
        job = job_create(actor=request.user, kind="workers.import", title=f"导入预检:{upload.name}",
                         params={"upload": str(path), "filename": upload.name,
                                 "org": form.cleaned_data["org"].code, "dry_run": True})
        return redirect("core:job_detail", job_id=job.pk)
    return render(request, "workers/import_upload.html", {"form": form})


@capability_required("import_data")
def import_result(request, job_id):
    job = job_get(user=request.user, job_id=job_id)
    if job is None or job.kind != "workers.import" or not job.is_finished:
        raise Http404("任务不存在")
    if job.status != "done":
        return redirect("core:job_detail", job_id=job.pk)
    return render(request, "workers/import_result.html", {"job": job, "r": _with_names(job.result)})


def _with_names(result: dict) -> dict:
    """A roster job's result in the shape of the import pages (jobs finished before names and warning groups
    were recorded show blank names and their warnings grouped here)."""
    errors = [row if len(row) == 3 else [row[0], "", row[1]] for row in result.get("error_rows") or []]
    groups = result.get("warning_groups")
    if groups is None:
        groups = group_warnings(dict(result.get("warning_rows") or []), {})
    return {**result, "error_rows": errors, "warning_groups": groups}


@require_POST
@capability_required("import_data")
def import_commit(request, job_id):
    preview = job_get(user=request.user, job_id=job_id)
    if preview is None or preview.kind != "workers.import" or not preview.result.get("dry_run"):
        raise Http404("预检任务不存在")
    if not preview.params.get("upload") or not Path(preview.params["upload"]).exists():
        messages.error(request, "上传的文件已过期,请重新上传。")
        return redirect("workers:import")
    if gate.needs_review(request.user, OrgUnit.objects.get(code=preview.params["org"])):
        try:
            submission = review.submit_roster_import(actor=request.user, preview=preview)
        except ValidationError as exc:
            messages.error(request, errors_text(exc))
            return redirect("workers:import")
        messages.success(request, f"已报送审核:{submission.summary}。审核通过后导入。")
        return redirect("workers:submission", pk=submission.pk)
    job = job_create(actor=request.user, kind="workers.import", title=f"导入:{preview.params['filename']}",
                     params={**preview.params, "dry_run": False, "preview_of": str(preview.pk)})
    return redirect("core:job_detail", job_id=job.pk)


@capability_required("import_data")
def import_template(request):
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")
    write_template(tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename="劳模名册导入模板.xlsx")


# --- award decisions (表彰决定) ------------------------------------------------------------------------


def _decision_context(request, text: str, form) -> dict:
    """The parsed decision and its review rows, or the parser's refusal on the form."""
    try:
        decision = parse_decision(text, services.place_kind_from_orgs())
    except DecisionError as exc:
        form.add_error(None, str(exc))
        return {}
    rows = selectors.decision_review(user=request.user, decision=decision)
    titles = {title: sum(1 for e in decision.entries if e.title == title) for title in decision.honor_titles}
    return {"decision": decision, "text": text, "rows": rows, "groups": selectors.decision_groups(rows),
            "titles": titles, "applicable": sum(1 for row in rows if row.status in APPLICABLE)}


@capability_required("import_data")
def decision_upload(request):
    """Paste or upload a decision, then review how each name stands against the registry."""
    form = DecisionForm(request.POST or None, request.FILES or None)
    ctx = {"form": form}
    if request.method == "POST" and form.is_valid():
        ctx.update(_decision_context(request, form.cleaned_data["text"], form))
    partial = request.htmx and request.method == "POST"
    return render(request, "workers/partials/decision_review.html" if partial else "workers/decision_upload.html", ctx)


@require_POST
@capability_required("import_data")
def decision_apply(request):
    """Write the reviewed decision: the text is parsed and matched again, the clerk's choices applied."""
    try:
        if gate.needs_review(request.user, scope_root(request.user)):
            submission = review.submit_decision(actor=request.user, text=request.POST.get("text", ""),
                                                choices=decision_choices(request.POST))
            messages.success(request, f"已报送审核:{submission.summary}。审核通过后写入荣誉。")
            return hx_redirect(request, reverse("workers:submission", args=[submission.pk]))
        decision = parse_decision(request.POST.get("text", ""), services.place_kind_from_orgs())
        counts = services.decision_apply(actor=request.user, decision=decision,
                                         choices=decision_choices(request.POST))
    except (DecisionError, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return hx_redirect(request, reverse("workers:decisions"))
    messages.success(request, f"已写入荣誉 {counts['honors']} 条(其中新建待补全档案 {counts['new_workers']} 人),"
                              f"跳过 {counts['skipped']} 条。")
    return hx_redirect(request, reverse("workers:decisions"))


# --- data quality ----------------------------------------------------------------------------------


@capability_required("edit_business")
def quality(request):
    return render(request, "workers/quality.html", {"report": quality_report(user=request.user)})


# --- self-service ----------------------------------------------------------------------------------


@login_required
def my_profile(request):
    worker = selectors.worker_for_user(request.user)
    if worker is None:
        raise Http404("您的账号尚未关联劳模档案,请联系所在工会。")
    form = ContactForm(request.POST or None, initial={"phone": worker.phone, "address": worker.address})
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_update_contact(actor=request.user, worker=worker, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "联系方式已更新,所在工会已收到通知。")
            return redirect("workers:me")
    return render(request, "workers/my_profile.html", {
        "worker": worker, "honors": selectors.honors_of(worker=worker), "form": form,
        "timeline": timeline_for(worker=worker, user=request.user),
    })
