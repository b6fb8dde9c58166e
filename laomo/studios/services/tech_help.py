"""技术服务 activities: exchanges, training, collaboration and help given by workers and studios."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from laomo.core import audit
from laomo.core.updates import model_update, soft_delete

from ..models import Studio, TargetType, TechHelpActivity, TechHelpKind
from .common import WHAT, check_may_edit, iso, not_future, raise_if, required, studio_out_of_scope, worker_error
from .mentorships import keep_reason

TECH_HELP_FIELDS = ("kind", "topic", "target_type", "target_name", "date", "trainees_count", "problems_solved", "note",
                    "studio")


def _check_studio(actor, a: TechHelpActivity, errors: dict) -> None:
    if studio_out_of_scope(actor, a.studio):
        errors.setdefault("studio", "该工作室不在您的数据范围内。")
    elif a.date and a.studio.revoked_date and a.date > a.studio.revoked_date:
        errors.setdefault("studio", f"{a.studio.name} 已于 {a.studio.revoked_date:%Y-%m-%d} 撤销。")
    elif a.date and a.date < a.studio.founded_date:
        errors.setdefault("studio", f"{a.studio.name} 创建于 {a.studio.founded_date:%Y-%m-%d},活动早于创建日期。")


def _check_tech_help(actor, a: TechHelpActivity, errors: dict) -> None:
    if a.kind not in TechHelpKind.values:
        errors["kind"] = "请选择活动类型。"
    if a.target_type not in TargetType.values:
        errors["target_type"] = "请选择服务对象类型。"
    required(errors, "topic", a.topic, "请填写活动主题。")
    required(errors, "target_name", a.target_name, "请填写服务对象名称(企业、社区或学校)。")
    if a.date is None:
        errors["date"] = "请填写活动日期。"
    else:
        not_future(errors, "date", a.date, "活动日期")
    if a.trainees_count is None or a.trainees_count < 0:
        errors["trainees_count"] = "受训人数不能为负数。"
    if a.studio_id:
        _check_studio(actor, a, errors)


def check_participants(actor, people: list, added: list, errors: dict) -> None:
    """At least one worker; the ones newly added must be in the actor's scope (deceased allowed for old records)."""
    if not people:
        errors["participants"] = "请至少填写一名参与的劳模。"
    for worker in added:
        message = worker_error(actor, worker, allow_deceased=True)
        if message:
            errors.setdefault("participants", message)


def _tech_help_snapshot(a: TechHelpActivity, participants=None) -> dict:
    snap = {f: iso(getattr(a, f)) for f in TECH_HELP_FIELDS if f != "studio"}
    snap["studio"] = a.studio.name if a.studio_id else ""
    snap["org"] = a.org.code if a.org_id else ""
    if participants is not None:
        snap["participants"] = sorted(w.name for w in participants)
    return snap


@transaction.atomic
def tech_help_create(*, actor, org, kind: str, topic: str, target_type: str, target_name: str, date: date | None,
                     participants, trainees_count: int = 0, problems_solved: str = "", note: str = "",
                     studio: Studio | None = None) -> TechHelpActivity:
    check_may_edit(actor, org)
    people = list(dict.fromkeys(participants or []))
    a = TechHelpActivity(org=org, studio=studio, kind=kind, topic=(topic or "").strip(), target_type=target_type,
                         target_name=(target_name or "").strip(), date=date, trainees_count=trainees_count,
                         problems_solved=(problems_solved or "").strip(), note=(note or "").strip())
    errors: dict = {}
    _check_tech_help(actor, a, errors)
    check_participants(actor, people, people, errors)
    raise_if(errors)
    a.full_clean()
    a.save()
    a.participants.set(people)
    audit.record(actor=actor, action="studios.tech_help.create", obj=a, org=org, changes=_tech_help_snapshot(a, people))
    return a


def _tech_help_clean(actor, participants):
    def clean(a: TechHelpActivity) -> None:
        before_people = list(a.participants.all())
        people = list(dict.fromkeys(participants)) if participants is not None else before_people
        errors: dict = {}
        _check_tech_help(actor, a, errors)
        # Workers already recorded may stay even if they are outside the editor's scope now.
        check_participants(actor, people, [w for w in people if w not in before_people], errors)
        raise_if(errors)
        a.full_clean()
        if participants is not None:
            a.participants.set(people)

    return clean


@transaction.atomic
def tech_help_update(*, actor, activity: TechHelpActivity, participants=None, **changes) -> TechHelpActivity:
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    if data.get("org", "") is None:
        data.pop("org")
    return model_update(activity, fields=(*TECH_HELP_FIELDS, "org"), data=data, actor=actor,
                        action="studios.tech_help.update", what=WHAT, clean=_tech_help_clean(actor, participants),
                        snap=lambda a: _tech_help_snapshot(a, list(a.participants.all())))


@transaction.atomic
def tech_help_delete(*, actor, activity: TechHelpActivity, reason: str) -> TechHelpActivity:
    return soft_delete(activity, actor=actor, action="studios.tech_help.delete", reason=reason, what=WHAT,
                       check=keep_reason(reason or ""))
