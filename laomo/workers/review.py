"""Submissions of registry changes (报送) and their review (审核): the county's side and the city's.

A county clerk's new worker, change, honor, award decision or roster import in a unit under review
(`workers.gate`) is checked at once by running the registry's own service in a savepoint that is rolled back
(the clerk sees the same errors the approval would meet), then kept as a `Submission`. The reviewer approves
it — the registry's services apply it, with the reviewer as the actor and the submission in the workers'
history — or returns it with a comment; a returned submission keeps the clerk's draft, which they correct and
submit again, or withdraw.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from laomo.core import audit
from laomo.core.actors import SYSTEM
from laomo.core.jobs import job_create
from laomo.core.permissions import require_edit
from laomo.core.scope import ensure_org_in_scope
from laomo.core.services import notify
from laomo.core.updates import lock
from laomo.orgs.models import OrgUnit, User

from . import photos, services
from .decisions import parse_decision
from .gate import validating
from .history import applying, field_label, shown_value
from .models import Honor, Submission, Worker
from .models import SubmissionKind as Kind
from .models import SubmissionStatus as Status

WHAT = "劳模信息报送"
DATE_KEYS = {"birth_date", "award_date", "status_date"}
# What a worker form may submit for a change; the form's photo travels separately.
UPDATE_FIELDS = (*services.PLAIN_FIELDS, *services.PII_FIELDS, "org")


# --- payload ---------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, OrgUnit):
        return value.pk
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def encode(fields: dict) -> dict:
    return {key: _plain(value) for key, value in fields.items()}


def decode(fields: dict) -> dict:
    out = {}
    for key, value in fields.items():
        if key in DATE_KEYS:
            value = date.fromisoformat(value) if value else None
        elif key == "org":
            value = OrgUnit.objects.get(pk=value) if value else None
        elif key == "year":
            value = int(value) if value not in ("", None) else None
        out[key] = value
    return out


def payload_of(submission: Submission) -> dict:
    return json.loads(submission.payload or "{}")


def current_values(worker: Worker) -> dict:
    """The worker's values as a submission keeps them (full PII: the payload is encrypted)."""
    return {key: _plain(worker.org if key == "org" else getattr(worker, key)) for key in UPDATE_FIELDS}


# --- applying (approval, and the check at submission in a rolled-back savepoint) ---------------------


def _apply_worker_create(actor, submission, payload) -> Worker:
    return photos.worker_save(actor=actor, honors=[decode(h) for h in payload.get("honors") or []],
                              stored_photo=payload.get("photo", ""), **decode(payload["fields"]))


def _apply_worker_update(actor, submission, payload) -> Worker:
    worker = lock(submission.worker, "org")
    now = current_values(worker)
    moved = [field_label(key) for key, old in (payload.get("base") or {}).items() if now.get(key) != old]
    if moved:
        raise ValidationError(f"报送后以下信息已被修改:{'、'.join(moved)}。请退回,由报送单位按最新信息重新报送。")
    fields = decode(payload.get("fields") or {})
    if fields:
        worker = services.worker_update(actor=actor, worker=worker, **fields)
    if payload.get("photo"):
        worker = photos.worker_set_photo(actor=actor, worker=worker, upload=None, stored=payload["photo"])
    elif payload.get("remove_photo") and worker.photo:
        worker = photos.worker_set_photo(actor=actor, worker=worker, upload=None)
    return worker


def _apply_honor_add(actor, submission, payload) -> Honor:
    return services.honor_add(actor=actor, worker=submission.worker, **decode(payload["honor"]))


def _apply_honor_remove(actor, submission, payload) -> Honor:
    honor = lock(submission.honor)
    if honor.is_deleted:
        raise ValidationError("该荣誉已被删除。")
    return services.honor_remove(actor=actor, honor=honor, reason=payload["reason"])


def _apply_decision(actor, submission, payload) -> dict:
    decision = parse_decision(payload["text"], services.place_kind_from_orgs())
    return services.decision_apply(actor=actor, decision=decision,
                                   choices={int(k): v for k, v in (payload.get("choices") or {}).items()})


APPLY = {
    Kind.WORKER_CREATE: _apply_worker_create,
    Kind.WORKER_UPDATE: _apply_worker_update,
    Kind.HONOR_ADD: _apply_honor_add,
    Kind.HONOR_REMOVE: _apply_honor_remove,
    Kind.DECISION: _apply_decision,
}


class _Checked(Exception):
    """Raised to roll back the savepoint of a check that passed."""


def _check(actor, submission: Submission, payload: dict) -> None:
    """Run the change as its approval would, in a savepoint rolled back: the service's ValidationError, if any."""
    apply = APPLY.get(submission.kind)
    if apply is None:
        return
    with validating():
        try:
            with transaction.atomic():
                apply(actor, submission, payload)
                raise _Checked
        except _Checked:
            pass


# --- people ----------------------------------------------------------------------------------------


def reviewers_for(org: OrgUnit) -> list[User]:
    """Active users who may review `org`'s submissions: the capability, at a unit that reviews it."""
    reviewing = list(OrgUnit.objects.filter(pk__in=OrgUnit.ids_on_path(org.path)[:-1], registry_review=True)
                     .values_list("path", flat=True))
    users = (User.objects.filter(is_active=True, groups__permissions__codename="review_registry")
             .select_related("org").distinct())
    return [u for u in users if u.org is not None and any(p.startswith(u.org.path) for p in reviewing)]


def _who(actor) -> str:
    return getattr(actor, "full_name", "") or getattr(actor, "username", "") or "系统"


def _log(submission: Submission, actor, action: str, comment: str = "") -> None:
    submission.log = [*submission.log, {"at": timezone.localtime().isoformat(timespec="minutes"),
                                        "who": _who(actor), "action": action, "comment": comment}]


def _url(submission: Submission) -> str:
    return reverse("workers:submission", args=[submission.pk])


# --- the county's side -------------------------------------------------------------------------------


def _submit(*, actor, kind: str, org: OrgUnit, payload: dict, summary: str, worker=None, honor=None,
            capability: str = "edit_business") -> Submission:
    require_edit(actor, org, WHAT, capability=capability)
    submission = Submission(kind=kind, org=org, worker=worker, honor=honor, submitted_by=actor, summary=summary[:200])
    _check(actor, submission, payload)
    with transaction.atomic():
        submission.payload = json.dumps(payload, ensure_ascii=False)
        submission.submitted_at = timezone.now()
        _log(submission, actor, "报送")
        submission.save()
        audit.record(actor=actor, action="workers.submission.create", obj=submission, org=org,
                     changes={"kind": kind, "summary": submission.summary})
        notify(recipients=reviewers_for(org), text=f"{org.name}报送:{submission.summary},待审核", url=_url(submission))
    return submission


def _staged_photo(photo) -> str:
    return photos.stage(photo) if photo is not None else ""


def _discard_photo(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def _create_summary(fields: dict, honors: list[dict]) -> str:
    titles = "、".join(h["title"] for h in honors)
    return (f"新增劳模 {(fields.get('name') or '').strip()}" + (f"({titles})" if titles else ""))[:200]


def _honor_summary(worker: Worker, honor: dict) -> str:
    return f"为 {worker.name} 新增荣誉“{(honor.get('title') or '').strip()}”"[:200]


def submit_worker_create(*, actor, org: OrgUnit, fields: dict, honors=(), photo=None) -> Submission:
    """A new worker (with their honors and ID photo) for review."""
    fields = {key: value for key, value in fields.items() if key not in ("photo", "remove_photo")}
    honors = [encode(h) for h in honors if (h.get("title") or "").strip()]
    stored = _staged_photo(photo)
    payload = {"fields": encode({**fields, "org": org}), "honors": honors, "photo": stored}
    try:
        return _submit(actor=actor, kind=Kind.WORKER_CREATE, org=org, payload=payload,
                       summary=_create_summary(fields, honors))
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise


def _open_update(worker: Worker) -> Submission | None:
    return Submission.objects.filter(worker=worker, kind=Kind.WORKER_UPDATE,
                                     status__in=(Status.PENDING, Status.RETURNED)).first()


def _update_payload(worker: Worker, fields: dict, *, photo: str, remove_photo: bool) -> tuple[dict, list[str]]:
    now = current_values(worker)
    proposed = encode({key: value for key, value in fields.items() if key in UPDATE_FIELDS})
    # A blank sex or birth date means "as the ID number says" (the direct update never clears them either).
    changes = {key: value for key, value in proposed.items()
               if value != now.get(key) and not (key in ("sex", "birth_date") and value == "")}
    if not changes and not photo and not (remove_photo and worker.photo):
        raise ValidationError("没有修改任何信息。")
    labels = [field_label(key) for key in changes] + (["证件照"] if photo or remove_photo else [])
    return ({"fields": changes, "base": {key: now.get(key) for key in changes}, "photo": photo,
             "remove_photo": bool(remove_photo)}, labels)


def submit_worker_update(*, actor, worker: Worker, fields: dict, photo=None, remove_photo: bool = False) -> Submission:
    """A change of a worker's record for review: only the fields that differ, with the values they replace."""
    existing = _open_update(worker)
    if existing is not None:
        raise ValidationError(f"该劳模已有一条未办结的修改报送(第 {existing.pk} 号),请在原报送中修改或撤回后再报送。")
    stored = _staged_photo(photo)
    try:
        payload, labels = _update_payload(worker, fields, photo=stored, remove_photo=remove_photo)
        return _submit(actor=actor, kind=Kind.WORKER_UPDATE, org=worker.org, worker=worker, payload=payload,
                       summary=f"修改 {worker.name} 的{'、'.join(labels)}")
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise


def submit_honor_add(*, actor, worker: Worker, honor: dict) -> Submission:
    return _submit(actor=actor, kind=Kind.HONOR_ADD, org=worker.org, worker=worker, payload={"honor": encode(honor)},
                   summary=_honor_summary(worker, honor))


def submit_honor_remove(*, actor, honor: Honor, reason: str) -> Submission:
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写删除原因。"})
    worker = honor.worker
    return _submit(actor=actor, kind=Kind.HONOR_REMOVE, org=worker.org, worker=worker, honor=honor,
                   payload={"reason": reason.strip()}, summary=f"删除 {worker.name} 的荣誉“{honor}”")


def submit_decision(*, actor, text: str, choices: dict, counts_hint: str = "") -> Submission:
    decision = parse_decision(text, services.place_kind_from_orgs())
    org = actor.org
    return _submit(actor=actor, kind=Kind.DECISION, org=org, capability="import_data",
                   payload={"text": text, "choices": {str(k): v for k, v in choices.items()}},
                   summary=f"录入表彰决定 {decision.doc_no or decision.title}"[:200])


def submissions_dir() -> Path:
    path = Path(settings.VAR_DIR) / "submissions"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def submit_roster_import(*, actor, preview) -> Submission:
    """A checked roster (the preview job's file and counts) for review; the file is kept until it is settled."""
    params, result = preview.params, preview.result or {}
    org = OrgUnit.objects.get(code=params["org"])
    require_edit(actor, org, WHAT, capability="import_data")
    source = Path(params["upload"])
    if not source.exists():
        raise ValidationError("上传的文件已过期,请重新上传。")
    counts = {"rows": result.get("rows", 0), "created": result.get("created_workers", 0),
              "updated": result.get("updated_workers", 0), "honors": result.get("created_honors", 0),
              "rejected_rows": result.get("rejected_rows", 0)}
    with transaction.atomic():
        submission = _submit(actor=actor, kind=Kind.ROSTER_IMPORT, org=org, capability="import_data",
                             payload={"filename": params["filename"], "org": params["org"], "upload": "",
                                      "counts": counts, "preview": str(preview.pk)},
                             summary=f"导入名册 {params['filename']}:新增 {counts['created']} 人,"
                                     f"更新 {counts['updated']} 人")
        kept = submissions_dir() / f"roster-{submission.pk}"
        shutil.copyfile(source, kept)
        kept.chmod(0o600)
        Submission.objects.filter(pk=submission.pk).update(payload=json.dumps(
            {**payload_of(submission), "upload": str(kept)}, ensure_ascii=False))
        submission.refresh_from_db()
    return submission


def _own_open(actor, submission: Submission) -> Submission:
    submission = lock(submission, "org", "worker")
    require_edit(actor, submission.org, WHAT, capability="edit_business"
                 if submission.kind not in (Kind.ROSTER_IMPORT, Kind.DECISION) else "import_data")
    if not submission.is_open:
        raise ValidationError(f"该报送{submission.get_status_display()},不能再修改。")
    return submission


def submission_revise(*, actor, submission: Submission, fields: dict | None = None, honors=None, honor=None,
                      photo=None, remove_photo: bool = False) -> Submission:
    """The county corrects its draft (after a return, or while it waits) and submits it again."""
    if submission.kind in (Kind.ROSTER_IMPORT, Kind.DECISION, Kind.HONOR_REMOVE):
        raise ValidationError("该类报送不能修改,请撤回后重新报送。")
    old = payload_of(submission)
    stored = _staged_photo(photo)
    try:
        with transaction.atomic():
            submission = _own_open(actor, submission)
            if submission.kind == Kind.WORKER_CREATE:
                fields = {k: v for k, v in (fields or {}).items() if k not in ("photo", "remove_photo")}
                org = fields.get("org") or submission.org
                require_edit(actor, org, WHAT)
                payload = {"fields": encode({**fields, "org": org}),
                           "honors": [encode(h) for h in (honors or []) if (h.get("title") or "").strip()],
                           "photo": stored or ("" if remove_photo else old.get("photo", ""))}
                submission.org = org
                submission.summary = _create_summary(fields, payload["honors"])
            elif submission.kind == Kind.WORKER_UPDATE:
                payload, labels = _update_payload(submission.worker, fields or {},
                                                  photo=stored or ("" if remove_photo else old.get("photo", "")),
                                                  remove_photo=remove_photo)
                submission.summary = f"修改 {submission.worker.name} 的{'、'.join(labels)}"[:200]
            else:
                payload = {"honor": encode(honor or {})}
                submission.summary = _honor_summary(submission.worker, honor or {})
            _check(actor, submission, payload)
            if old.get("photo") and old.get("photo") != payload.get("photo"):
                _discard_photo(old["photo"])
            resubmitted = submission.status == Status.RETURNED
            submission.payload = json.dumps(payload, ensure_ascii=False)
            submission.status = Status.PENDING
            submission.rounds += 1 if resubmitted else 0
            submission.submitted_at = timezone.now()
            _log(submission, actor, "修改后重新报送" if resubmitted else "修改报送内容")
            submission.save()
            audit.record(actor=actor, action="workers.submission.revise", obj=submission, org=submission.org,
                         changes={"rounds": submission.rounds})
            if resubmitted:
                notify(recipients=reviewers_for(submission.org),
                       text=f"{submission.org.name}重新报送:{submission.summary},待审核", url=_url(submission))
    except Exception:
        if stored:
            default_storage.delete(stored)
        raise
    return submission


def _drop_files(submission: Submission, payload: dict) -> None:
    _discard_photo(payload.get("photo", ""))
    if payload.get("upload"):
        path = Path(payload["upload"])
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


@transaction.atomic
def submission_withdraw(*, actor, submission: Submission) -> Submission:
    submission = _own_open(actor, submission)
    submission.status = Status.WITHDRAWN
    _log(submission, actor, "撤回")
    submission.save()
    _drop_files(submission, payload_of(submission))
    audit.record(actor=actor, action="workers.submission.withdraw", obj=submission, org=submission.org)
    return submission


# --- the reviewer's side ------------------------------------------------------------------------------


def _pending_for_review(actor, submission: Submission) -> Submission:
    submission = lock(submission, "org", "worker", "submitted_by")
    if actor is not SYSTEM:
        if not actor.has_perm("core.review_registry"):
            raise PermissionDenied("您没有审核劳模信息报送的权限。")
        ensure_org_in_scope(actor, submission.org)
    if submission.status != Status.PENDING:
        raise ValidationError(f"该报送{submission.get_status_display()},不能审核。")
    return submission


@transaction.atomic
def submission_return(*, actor, submission: Submission, comment: str) -> Submission:
    """Send it back with the reason; the county's draft stays as it was for them to correct."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "请填写退回意见,说明需要修改的内容。"})
    submission = _pending_for_review(actor, submission)
    submission.status = Status.RETURNED
    submission.comment = comment[:2000]
    submission.reviewed_by = actor if getattr(actor, "pk", None) else None
    submission.reviewed_at = timezone.now()
    _log(submission, actor, "退回", comment)
    submission.save()
    audit.record(actor=actor, action="workers.submission.return", obj=submission, org=submission.org,
                 changes={"comment": comment[:200]})
    if submission.submitted_by_id:
        notify(recipients=[submission.submitted_by], text=f"报送已退回:{submission.summary}。意见:{comment}"[:300],
               url=_url(submission))
    return submission


def submission_approve(*, actor, submission: Submission, comment: str = ""):
    """Apply it through the registry's services (the reviewer acting, the clerk named in the history).

    A roster import is started as the reviewer's import job, which settles the submission when it has
    written the file; everything else is applied here, in one transaction. Returns what was written (the
    worker, the honor, the decision's counts) or the job."""
    comment = (comment or "").strip()
    with transaction.atomic():
        submission = _pending_for_review(actor, submission)
        payload = payload_of(submission)
        if submission.kind == Kind.ROSTER_IMPORT:
            if not Path(payload.get("upload", "")).exists():
                raise ValidationError("报送的名册文件已不存在,请退回,由报送单位重新上传。")
            _log(submission, actor, "同意导入,正在导入", comment)
            submission.save(update_fields=["log", "updated_at"])
            return job_create(actor=actor, kind="workers.import", title=f"导入(审核通过):{payload['filename']}",
                              params={"upload": payload["upload"], "filename": payload["filename"],
                                      "org": payload["org"], "dry_run": False, "submission": str(submission.pk)})
        with applying(submission, actor):
            result = APPLY[submission.kind](actor, submission, payload)
        if submission.kind == Kind.WORKER_CREATE:
            submission.worker = result
        _settle(submission, actor, comment)
    return result


def _settle(submission: Submission, actor, comment: str) -> None:
    submission.status = Status.APPROVED
    submission.comment = comment[:2000] or submission.comment
    submission.reviewed_by = actor if getattr(actor, "pk", None) else None
    submission.reviewed_at = timezone.now()
    _log(submission, actor, "审核通过", comment)
    submission.save()
    audit.record(actor=actor, action="workers.submission.approve", obj=submission, org=submission.org,
                 changes={"kind": submission.kind, "summary": submission.summary})
    if submission.submitted_by_id:
        notify(recipients=[submission.submitted_by], text=f"报送已审核通过:{submission.summary}",
               url=reverse("workers:detail", args=[submission.worker_id]) if submission.worker_id else _url(submission))


def submission_imported(*, actor, submission_pk) -> None:
    """The roster import job of an approved submission has written the file: settle it."""
    with transaction.atomic():
        submission = lock(Submission(pk=submission_pk), "org", "submitted_by")
        if submission.status != Status.PENDING:
            return
        _settle(submission, actor, "")
        _drop_files(submission, payload_of(submission))


# --- what the review page shows -------------------------------------------------------------------------

HONOR_LABELS = {"title": "荣誉称号", "year": "获评年份", "award_date": "表彰日期", "awarding_body": "表彰机关",
                "document_no": "表彰文号", "certificate_no": "证书编号", "level": "级别", "kind": "类别"}


def _shown(key: str, value) -> str:
    """A payload value as the page shows it: PII masked, the unit by name, choices by label."""
    if value in ("", None):
        return ""
    if key in services.PII_FIELDS:
        return services.mask_for_audit(key, value)
    if key == "org":
        return OrgUnit.objects.filter(pk=value).values_list("name", flat=True).first() or str(value)
    return shown_value(key, value)  # the history's labels of choices and booleans


def display(submission: Submission) -> dict:
    """{"rows": [(label, now, proposed)], "honors": [[(label, value)]], "notes": [text]} for the review page."""
    payload = payload_of(submission)
    out: dict = {"rows": [], "honors": [], "notes": []}
    if submission.kind == Kind.WORKER_CREATE:
        out["rows"] = [(field_label(k), "", _shown(k, v)) for k, v in payload.get("fields", {}).items()
                       if v not in ("", None, False)]
        out["honors"] = [[(HONOR_LABELS.get(k, k), str(v)) for k, v in h.items() if v not in ("", None)]
                         for h in payload.get("honors") or []]
    elif submission.kind == Kind.WORKER_UPDATE:
        now = current_values(submission.worker) if submission.is_open else payload.get("base", {})
        out["rows"] = [(field_label(k), _shown(k, now.get(k)), _shown(k, v))
                       for k, v in payload.get("fields", {}).items()]
    elif submission.kind == Kind.HONOR_ADD:
        out["honors"] = [[(HONOR_LABELS.get(k, k), str(v)) for k, v in payload.get("honor", {}).items()
                          if v not in ("", None)]]
    elif submission.kind == Kind.HONOR_REMOVE:
        out["rows"] = [("荣誉称号", str(submission.honor), "(删除)"), ("删除原因", "", payload.get("reason", ""))]
    elif submission.kind == Kind.DECISION:
        out["notes"] = [f"确认写入的名单行:{len(payload.get('choices') or {})} 行"]
        out["text"] = payload.get("text", "")
    elif submission.kind == Kind.ROSTER_IMPORT:
        counts = payload.get("counts", {})
        out["notes"] = [f"文件:{payload.get('filename', '')}",
                        f"预检结果:共 {counts.get('rows', 0)} 行,新增 {counts.get('created', 0)} 人,"
                        f"更新 {counts.get('updated', 0)} 人,新增荣誉 {counts.get('honors', 0)} 条,"
                        f"有错误未导入 {counts.get('rejected_rows', 0)} 行"]
    if payload.get("photo"):
        out["notes"].append("附新证件照(审核通过后启用)")
    if payload.get("remove_photo"):
        out["notes"].append("删除现有证件照")
    return out
