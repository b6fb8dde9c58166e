"""Each worker's history of changes (变更记录): written by the registry's services, read on the worker's page.

Every service that changes a worker or an honor calls `record_change` in its transaction with the field diff
({field: [old, new]}, PII masked as in the audit log). While an approved submission is applied
(`applying`), the entry names the county clerk who submitted it and the reviewer who approved it; a change
by a reviewer to a unit under review, outside a submission, is a direct edit (`direct`), audited as such.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

from laomo.core import audit
from laomo.core.actors import SYSTEM

from .gate import is_reviewer, review_applies
from .models import Worker, WorkerChange

# (submission, reviewer) while an approved submission is being applied.
_APPLYING: ContextVar[tuple | None] = ContextVar("laomo_registry_applying", default=None)

KIND_LABELS = {
    "create": "登记建档", "update": "修改信息", "honor_add": "新增荣誉", "honor_remove": "删除荣誉",
    "status": "在职状态变更", "photo": "更换证件照", "contact": "本人更新联系方式", "import": "名册导入更新",
}
EXTRA_LABELS = {"org": "管理单位", "org_id": "管理单位", "honor": "荣誉", "reason": "原因",
                "id_number": "身份证号", "phone": "联系电话", "address": "通讯地址",
                "title": "荣誉称号", "year": "获评年份", "document_no": "表彰文号"}
HIDDEN = {"name_pinyin", "name_initials", "phone_index", "phone_masked", "id_number_index", "id_number_masked"}


@contextmanager
def applying(submission, reviewer):
    token = _APPLYING.set((submission, reviewer))
    try:
        yield
    finally:
        _APPLYING.reset(token)


def current_submission():
    state = _APPLYING.get()
    return state[0] if state else None


def field_label(name: str) -> str:
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name]
    try:
        return str(Worker._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a name that is no field is shown as it is
        return name


def shown_value(name: str, value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    field = None
    try:
        field = Worker._meta.get_field(name)
    except Exception:  # noqa: BLE001
        field = None
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    return str(choices.get(value, value))


def rows_from_diff(diff: dict) -> list[list[str]]:
    """[[label, old, new], ...] of an audit-style diff, in the order given, without derived fields."""
    return [[field_label(k), shown_value(k, old), shown_value(k, new)] for k, (old, new) in diff.items()
            if k not in HIDDEN and shown_value(k, old) != shown_value(k, new)]


def record_change(*, worker, kind: str, diff: dict | None = None, rows: list | None = None,
                  actor) -> WorkerChange | None:
    """One history entry of `worker` (nothing when nothing changed)."""
    rows = rows if rows is not None else rows_from_diff(diff or {})
    if not rows and kind not in ("create", "photo"):
        return None
    state = _APPLYING.get()
    submission, reviewer = state if state else (None, None)
    person = submission.submitted_by if submission is not None else (actor if getattr(actor, "pk", None) else None)
    direct = False
    if submission is None and actor is not SYSTEM and person is not None:
        direct = is_reviewer(actor) and review_applies(worker.org)
    change = WorkerChange.objects.create(
        worker=worker, at=timezone.now(), kind=kind, changes=rows, actor=person,
        actor_name=(getattr(person, "full_name", "") or getattr(person, "username", "")) if person else "系统",
        approved_by=reviewer, submission=submission, direct=direct)
    if direct:
        audit.record(actor=actor, action="workers.worker.direct_edit", obj=worker, org=worker.org,
                     changes={"kind": KIND_LABELS.get(kind, kind), "fields": [r[0] for r in rows]})
    return change


def bulk_record(*, entries: list[tuple], actor) -> None:
    """Entries (worker, kind, diff) of an import, in one insert."""
    state = _APPLYING.get()
    submission, reviewer = state if state else (None, None)
    person = submission.submitted_by if submission is not None else (actor if getattr(actor, "pk", None) else None)
    name = (getattr(person, "full_name", "") or getattr(person, "username", "")) if person else "系统"
    now = timezone.now()
    WorkerChange.objects.bulk_create([
        WorkerChange(worker=worker, at=now, kind=kind, changes=rows_from_diff(diff), actor=person, actor_name=name,
                     approved_by=reviewer, submission=submission)
        for worker, kind, diff in entries if rows_from_diff(diff)], batch_size=1000)
