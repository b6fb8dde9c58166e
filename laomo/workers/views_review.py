"""Pages of 报送→审核: the submissions list, one submission (review, return, withdraw, correct) and a worker's
history of approved changes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required, has_capability
from laomo.core.web import apply_errors, paged, run_action
from laomo.orgs.selectors import org_choices_for

from . import review, selectors, services
from .forms import HonorForm, NewWorkerForm, WorkerForm, split_honor
from .history import KIND_LABELS
from .models import SubmissionKind, SubmissionStatus

TABS = [("open", "未办结"), ("pending", "待审核"), ("returned", "已退回"), ("approved", "已通过"),
        ("withdrawn", "已撤回"), ("all", "全部")]


@capability_required("edit_business", "review_registry", "import_data")
def submission_list(request):
    reviewer = has_capability(request.user, "review_registry")
    status = request.GET.get("status") or ("pending" if reviewer else "open")
    if status not in dict(TABS):
        status = "open"
    qs = selectors.submission_list(user=request.user, status="" if status == "all" else status)
    ctx = paged(request, qs)
    ctx.update(tabs=TABS, status=status, reviewer=reviewer, submissions=ctx["rows"])
    return render(request, "workers/submission_list.html", ctx)


@capability_required("edit_business", "review_registry", "import_data")
def submission_detail(request, pk):
    submission = selectors.submission_get(user=request.user, pk=pk)
    reviewer = has_capability(request.user, "review_registry")
    return render(request, "workers/submission_detail.html", {
        "submission": submission, "shown": review.display(submission), "reviewer": reviewer,
        "can_decide": reviewer and submission.status == SubmissionStatus.PENDING,
        "can_change": not reviewer and submission.is_open,
        "can_revise": not reviewer and submission.is_open and submission.kind in (
            SubmissionKind.WORKER_CREATE, SubmissionKind.WORKER_UPDATE, SubmissionKind.HONOR_ADD),
    })


def _back(submission) -> str:
    return reverse("workers:submission", args=[submission.pk])


@require_POST
@capability_required("review_registry")
def submission_approve(request, pk):
    submission = selectors.submission_get(user=request.user, pk=pk)
    comment = request.POST.get("comment", "")
    if submission.kind == SubmissionKind.ROSTER_IMPORT:  # the import runs as the reviewer's job
        try:
            job = review.submission_approve(actor=request.user, submission=submission, comment=comment)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect(_back(submission))
        messages.success(request, "已同意,名册正在导入;导入完成后报送即办结。")
        return redirect("core:job_detail", job_id=job.pk)
    return run_action(request, lambda: review.submission_approve(actor=request.user, submission=submission,
                                                                 comment=comment),
                      success=f"已审核通过:{submission.summary}。", redirect_to=_back(submission))


@require_POST
@capability_required("review_registry")
def submission_return(request, pk):
    submission = selectors.submission_get(user=request.user, pk=pk)
    return run_action(request, lambda: review.submission_return(actor=request.user, submission=submission,
                                                                comment=request.POST.get("comment", "")),
                      success="已退回报送单位修改。", redirect_to=_back(submission))


@require_POST
@capability_required("edit_business", "import_data")
def submission_withdraw(request, pk):
    submission = selectors.submission_get(user=request.user, pk=pk)
    return run_action(request, lambda: review.submission_withdraw(actor=request.user, submission=submission),
                      success="已撤回报送。", redirect_to=_back(submission))


def _initial(request, submission) -> dict:
    """The form's starting values: the draft as submitted (a change: the record with the draft over it; its
    full ID number, phone and address are a reveal, audited as the worker's own edit form does)."""
    payload = review.payload_of(submission)
    if request.method != "GET":
        return {}
    if submission.kind == SubmissionKind.HONOR_ADD:
        return review.decode(payload.get("honor", {}))
    values = review.decode(payload.get("fields", {}))
    if submission.kind == SubmissionKind.WORKER_UPDATE:
        record = review.current_values(submission.worker)
        record.update(services.worker_pii_for_edit(actor=request.user, worker=submission.worker))
        values = {**review.decode(record), **values}
    for honor in (payload.get("honors") or [])[:1]:
        values.update({f"honor_{k}": v for k, v in review.decode(honor).items()})
    return values


@capability_required("edit_business")
def submission_edit(request, pk):
    """The county corrects its draft (after a return) and submits it again."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    if not submission.is_open or submission.kind not in (SubmissionKind.WORKER_CREATE, SubmissionKind.WORKER_UPDATE,
                                                          SubmissionKind.HONOR_ADD):
        messages.error(request, "该报送不能修改。")
        return redirect(_back(submission))
    initial = _initial(request, submission)
    if submission.kind == SubmissionKind.HONOR_ADD:
        form = HonorForm(request.POST or None, initial=initial)
    else:
        form_class = NewWorkerForm if submission.kind == SubmissionKind.WORKER_CREATE else WorkerForm
        form = form_class(request.POST or None, request.FILES or None, initial=initial,
                          org_queryset=org_choices_for(user=request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if submission.kind == SubmissionKind.HONOR_ADD:
                review.submission_revise(actor=request.user, submission=submission, honor=data)
            else:
                fields, honors = split_honor(data)
                photo, remove = fields.pop("photo", None), fields.pop("remove_photo", False)
                review.submission_revise(actor=request.user, submission=submission, fields=fields, honors=honors,
                                         photo=photo, remove_photo=remove)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已重新报送,等待审核。")
            return redirect(_back(submission))
    return render(request, "workers/submission_edit.html", {"form": form, "submission": submission})


@capability_required("view_business")
def worker_history(request, pk):
    worker = selectors.worker_get(user=request.user, pk=pk)
    ctx = paged(request, selectors.history_of(worker=worker))
    ctx.update(worker=worker, changes=ctx["rows"], kinds=KIND_LABELS)
    return render(request, "workers/worker_history.html", ctx)
