"""/api/v1/submissions: 报送→审核 through the API, the same services and scope as the pages
(laomo/workers/views_review.py).

A county's write to the registry of a unit under review (`workers.gate.needs_review`) is answered 202 with
the submission it became (`accepted`, used by the workers router); the reviewer approves or returns it here,
the county withdraws it. The services audit each step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from laomo.core.models import Job
from laomo.workers import review, selectors
from laomo.workers.models import Submission

from .common import PageNo, paged, requires

router = Router(tags=["劳模信息报送"])

# What the county submitted and the reviewer decides; "open" is pending or returned.
StatusFilter = Literal["", "open", "pending", "returned", "approved", "withdrawn"]


class SubmissionRef(Schema):
    id: int
    kind: str
    status: str
    summary: str
    url: str


class SubmissionAccepted(Schema):
    """202: the change was submitted for review; nothing is in the registry until it is approved."""

    submission: SubmissionRef


class SubmissionItem(SubmissionRef):
    kind_label: str
    status_label: str
    org: str
    org_name: str
    worker_id: int | None
    submitted_by: str
    submitted_at: datetime
    rounds: int
    reviewed_by: str
    reviewed_at: datetime | None
    comment: str


class SubmissionPage(Schema):
    items: list[SubmissionItem]
    next: str | None


class SubmissionRowOut(Schema):
    label: str
    current: str
    proposed: str


class SubmissionPairOut(Schema):
    label: str
    value: str


class SubmissionLogOut(Schema):
    at: str
    who: str
    action: str
    comment: str = ""


class SubmissionDetail(SubmissionItem):
    rows: list[SubmissionRowOut]
    honors: list[list[SubmissionPairOut]]
    notes: list[str]
    text: str = ""
    log: list[SubmissionLogOut]


class SubmissionCommentIn(Schema):
    comment: str = ""


class SubmissionJobOut(Schema):
    id: str
    url: str


class SubmissionApproveOut(Schema):
    submission: SubmissionItem
    job: SubmissionJobOut | None = None


def _name(user) -> str:
    return (user.full_name or user.username) if user is not None else ""


def ref(submission: Submission) -> dict:
    return {"id": submission.pk, "kind": submission.kind, "status": submission.status, "summary": submission.summary,
            "url": reverse("workers:submission", args=[submission.pk])}


def accepted(submission: Submission):
    """The answer to a write that became a submission: 202 and the submission."""
    return Status(202, {"submission": ref(submission)})


def _item(submission: Submission) -> dict:
    return {**ref(submission), "kind_label": submission.get_kind_display(),
            "status_label": submission.get_status_display(), "org": submission.org.code,
            "org_name": submission.org.name, "worker_id": submission.worker_id,
            "submitted_by": _name(submission.submitted_by), "submitted_at": submission.submitted_at,
            "rounds": submission.rounds, "reviewed_by": _name(submission.reviewed_by),
            "reviewed_at": submission.reviewed_at, "comment": submission.comment}


def _detail(submission: Submission) -> dict:
    """The item with what the review page shows (`review.display`: PII masked) and the submission's course."""
    shown = review.display(submission)
    return {**_item(submission),
            "rows": [{"label": label, "current": now, "proposed": proposed} for label, now, proposed in shown["rows"]],
            "honors": [[{"label": label, "value": value} for label, value in honor] for honor in shown["honors"]],
            "notes": shown["notes"], "text": shown.get("text", ""),
            "log": [{"at": e.get("at", ""), "who": e.get("who", ""), "action": e.get("action", ""),
                     "comment": e.get("comment", "")} for e in submission.log or []]}


# As the pages: the staff who submit, review or import (a viewer does not see changes not yet in the registry).
READERS = ("edit_business", "review_registry", "import_data")


@router.get("/submissions", response=SubmissionPage, summary="劳模信息报送列表")
@requires(*READERS)
def submission_list(request, status: StatusFilter = "", page: PageNo = 1):
    """Submissions of the units in the caller's scope, newest first; `status=open`: pending or returned."""
    rows, nxt = paged(request, selectors.submission_list(user=request.user, status=status), page)
    return {"items": [_item(s) for s in rows], "next": nxt}


@router.get("/submissions/{submission_id}", response=SubmissionDetail, summary="劳模信息报送详情")
@requires(*READERS)
def submission_detail(request, submission_id: int):
    """The proposed values beside the current ones (ID number, phone and address masked) and the course."""
    return _detail(selectors.submission_get(user=request.user, pk=submission_id))


@router.post("/submissions/{submission_id}/approve", response={200: SubmissionApproveOut, 202: SubmissionApproveOut},
             summary="审核通过")
@requires("review_registry")
def submission_approve(request, submission_id: int, payload: SubmissionCommentIn | None = None):
    """Applies the change through the registry's services (200); the body (`comment`) is optional. A roster
    import starts the reviewer's import job instead (202, `job`); the submission is settled when the job has
    written the file."""
    submission = selectors.submission_get(user=request.user, pk=submission_id)
    comment = payload.comment if payload is not None else ""
    result = review.submission_approve(actor=request.user, submission=submission, comment=comment)
    submission = selectors.submission_get(user=request.user, pk=submission_id)
    if isinstance(result, Job):
        return Status(202, {"submission": _item(submission),
                            "job": {"id": str(result.pk), "url": reverse("core:job_detail", args=[result.pk])}})
    return {"submission": _item(submission), "job": None}


@router.post("/submissions/{submission_id}/return", response=SubmissionItem, summary="退回修改")
@requires("review_registry")
def submission_return(request, submission_id: int, payload: SubmissionCommentIn | None = None):
    """`comment` is required: it tells the submitting unit what to correct (400 without it)."""
    submission = selectors.submission_get(user=request.user, pk=submission_id)
    try:
        submission = review.submission_return(actor=request.user, submission=submission,
                                              comment=payload.comment if payload is not None else "")
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "comment" in exc.error_dict:
            raise HttpError(400, exc.message_dict["comment"][0]) from exc
        raise
    return _item(submission)


@router.post("/submissions/{submission_id}/withdraw", response=SubmissionItem, summary="撤回报送")
@requires("edit_business", "import_data")
def submission_withdraw(request, submission_id: int):
    """An open (pending or returned) submission, by the unit that may edit it."""
    submission = selectors.submission_get(user=request.user, pk=submission_id)
    return _item(review.submission_withdraw(actor=request.user, submission=submission))
