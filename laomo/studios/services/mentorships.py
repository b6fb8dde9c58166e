"""传帮带 pairings: their people, check-ins (带徒记录) and the apprentices' outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction

from laomo.core import audit
from laomo.core.actors import is_system, person
from laomo.core.permissions import has_capability
from laomo.core.scope import org_in_scope
from laomo.core.updates import model_update, soft_delete
from laomo.workers.models import Worker

from ..models import (
    Mentorship,
    MentorshipCheckin,
    MentorshipOutcome,
    MentorshipParticipant,
    OutcomeKind,
    ParticipantRole,
    Studio,
    StudioStatus,
)
from .common import WHAT, check_may_edit, iso, not_future, raise_if, required, studio_out_of_scope, worker_error


@dataclass
class Person:
    """An apprentice who is not in the registry (or a worker, when `worker` is set)."""

    name: str = ""
    employer: str = ""
    job: str = ""
    worker: Worker | None = None


def as_person(item) -> Person:
    if isinstance(item, Person):
        return item
    if isinstance(item, Worker):
        return Person(name=item.name, employer=item.employer, worker=item)
    raise TypeError(f"not a person: {item!r}")


def _check_apprentices(actor, apprentices: list[Person], errors: dict) -> None:
    for p in apprentices:
        if p.worker is not None:
            message = worker_error(actor, p.worker)
            if message:
                errors.setdefault("apprentices", message)
        elif not p.name.strip():
            errors.setdefault("apprentices", "徒弟须填写姓名。")
    keys = [(p.worker.pk,) if p.worker else (p.name.strip(), p.employer.strip()) for p in apprentices]
    if len(set(keys)) != len(keys):
        errors.setdefault("apprentices", "徒弟名单中有重复的人。")


def check_people(actor, mentors: list, apprentices: list[Person], errors: dict) -> None:
    if not mentors:
        errors["mentors"] = "请至少填写一名师傅。"
    if not apprentices:
        errors["apprentices"] = "请至少填写一名徒弟。"
    for mentor in mentors:
        message = worker_error(actor, mentor)
        if message:
            errors.setdefault("mentors", message)
    mentor_ids = {m.pk for m in mentors}
    both = [p.worker.name for p in apprentices if p.worker is not None and p.worker.pk in mentor_ids]
    if both:
        errors["apprentices"] = f"{'、'.join(both)} 不能既是师傅又是自己的徒弟。"
    if len(mentor_ids) != len(mentors):
        errors.setdefault("mentors", "师傅名单中有重复的人。")
    _check_apprentices(actor, apprentices, errors)


def _check_mentorship_fields(actor, m: Mentorship, errors: dict) -> None:
    required(errors, "title", m.title, "请填写结对名称。")
    required(errors, "goals", m.goals, "请填写培养目标。")
    if m.start_date is None:
        errors.setdefault("start_date", "请填写开始日期。")
    elif m.end_date is not None and m.end_date < m.start_date:
        errors.setdefault("end_date", "结束日期不能早于开始日期。")
    if m.studio_id:
        if studio_out_of_scope(actor, m.studio):
            errors.setdefault("studio", "该工作室不在您的数据范围内。")
        elif m.studio.status == StudioStatus.REVOKED and m.start_date and m.start_date > m.studio.revoked_date:
            errors.setdefault("studio", f"{m.studio.name} 已于 {m.studio.revoked_date:%Y-%m-%d} 撤销。")


def _mentorship_snapshot(m: Mentorship) -> dict:
    return {"title": m.title, "skill": m.skill, "goals": m.goals, "start_date": iso(m.start_date),
            "end_date": iso(m.end_date), "studio": m.studio.name if m.studio_id else "",
            "org": m.org.code if m.org_id else ""}


def _participant_rows(m: Mentorship, mentors, people: list[Person]) -> list[MentorshipParticipant]:
    rows = [MentorshipParticipant(mentorship=m, role=ParticipantRole.MENTOR, worker=w, name=w.name,
                                  employer=w.employer, job=w.job_title) for w in mentors]
    rows += [MentorshipParticipant(mentorship=m, role=ParticipantRole.APPRENTICE, worker=p.worker,
                                   name=(p.worker.name if p.worker else p.name.strip()),
                                   employer=(p.employer or (p.worker.employer if p.worker else "")).strip(),
                                   job=(p.job or (p.worker.job_title if p.worker else "")).strip()) for p in people]
    return rows


@transaction.atomic
def mentorship_create(*, actor, org, title: str, goals: str, start_date: date | None, mentors, apprentices,
                      end_date: date | None = None, skill: str = "", studio: Studio | None = None) -> Mentorship:
    """A 传帮带 pairing of one or more mentors (workers) and one or more apprentices (workers or named people).

    The form (一带一 …) is never stored: it follows from the counts (`Mentorship.form`, `with_form()`).
    """
    check_may_edit(actor, org)
    mentors = list(mentors or [])
    people = [as_person(a) for a in (apprentices or [])]
    m = Mentorship(org=org, studio=studio, title=(title or "").strip(), goals=(goals or "").strip(),
                   skill=(skill or "").strip(), start_date=start_date, end_date=end_date)
    errors: dict = {}
    _check_mentorship_fields(actor, m, errors)
    check_people(actor, list(mentors), people, errors)
    raise_if(errors)
    m.full_clean()
    m.save()
    rows = _participant_rows(m, mentors, people)
    MentorshipParticipant.objects.bulk_create(rows)
    snap = _mentorship_snapshot(m)
    snap.update({"mentors": [r.name for r in rows if r.role == "mentor"],
                 "apprentices": [r.name for r in rows if r.role == "apprentice"]})
    audit.record(actor=actor, action="studios.mentorship.create", obj=m, org=org, changes=snap)
    return m


MENTORSHIP_FIELDS = ("title", "skill", "goals", "start_date", "end_date", "studio")


def _records_outside(m: Mentorship, errors: dict) -> None:
    """Check-ins and outcomes already recorded must stay within the pairing's dates."""
    first = m.checkins.order_by("date").values_list("date", flat=True).first()
    if first and first < m.start_date:
        errors["start_date"] = f"已有 {first:%Y-%m-%d} 的带徒记录,开始日期不能晚于它。"
    last = m.checkins.order_by("-date").values_list("date", flat=True).first()
    if last and m.end_date and last > m.end_date:
        errors["end_date"] = f"已有 {last:%Y-%m-%d} 的带徒记录,结束日期不能早于它。"
    first_outcome = m.outcomes.order_by("achieved_date").values_list("achieved_date", flat=True).first()
    if first_outcome and first_outcome < m.start_date:
        errors.setdefault("start_date", f"已有 {first_outcome:%Y-%m-%d} 的培养成果,开始日期不能晚于它。")


def _mentorship_clean(actor):
    def clean(m: Mentorship) -> None:
        errors: dict = {}
        _check_mentorship_fields(actor, m, errors)
        if m.start_date and not errors:
            _records_outside(m, errors)
        raise_if(errors)
        m.full_clean()

    return clean


@transaction.atomic
def mentorship_update(*, actor, mentorship: Mentorship, **changes) -> Mentorship:
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    if data.get("org", "") is None:
        data.pop("org")
    return model_update(mentorship, fields=(*MENTORSHIP_FIELDS, "org"), data=data, actor=actor,
                        action="studios.mentorship.update", what=WHAT, clean=_mentorship_clean(actor),
                        snap=_mentorship_snapshot)


def _check_participant(actor, mentorship: Mentorship, role: str, worker, name: str, employer: str) -> dict:
    errors: dict = {}
    if role not in ParticipantRole.values:
        errors["role"] = "请选择师傅或徒弟。"
    elif role == ParticipantRole.MENTOR and worker is None:
        errors["worker"] = "师傅须是劳模库中的劳模,请填写劳模编号或姓名。"
    if worker is not None:
        message = worker_error(actor, worker)
        existing = mentorship.participants.filter(worker=worker).first()
        if message:
            errors["worker"] = message
        elif existing is not None and existing.role == role:
            errors["worker"] = f"{worker.name} 已在本结对中。"
        elif existing is not None:
            errors["worker"] = (f"{worker.name} 已是本结对的{existing.get_role_display()},"
                                "师傅不能同时是自己的徒弟。")
    elif not (name or "").strip():
        errors["name"] = "请填写徒弟姓名或选择劳模。"
    elif mentorship.participants.filter(worker__isnull=True, name=name.strip(), employer=employer.strip()).exists():
        errors["name"] = f"{name.strip()} 已在本结对中。"
    return errors


@transaction.atomic
def participant_add(*, actor, mentorship: Mentorship, role: str, worker: Worker | None = None, name: str = "",
                    employer: str = "", job: str = "") -> MentorshipParticipant:
    check_may_edit(actor, mentorship.org)
    raise_if(_check_participant(actor, mentorship, role, worker, name, employer))
    participant = MentorshipParticipant(
        mentorship=mentorship, role=role, worker=worker, name=worker.name if worker else name.strip(),
        employer=(employer.strip() or (worker.employer if worker else "")),
        job=(job.strip() or (worker.job_title if worker else "")))
    participant.full_clean()
    participant.save()
    audit.record(actor=actor, action="studios.mentorship.participant_add", obj=participant, org=mentorship.org,
                 object_repr=f"{mentorship.title} {participant.name}", changes={"role": role})
    return participant


@transaction.atomic
def participant_remove(*, actor, participant: MentorshipParticipant, reason: str) -> None:
    """Remove a mentor or apprentice entered by mistake; one of each role must remain."""
    mentorship = participant.mentorship
    check_may_edit(actor, mentorship.org)
    errors: dict = {}
    if not (reason or "").strip():
        errors["reason"] = "请填写移除原因。"
    if mentorship.participants.filter(role=participant.role).count() <= 1:
        errors["participant"] = f"结对至少要有一名{participant.get_role_display()},不能移除最后一名。"
    elif participant.outcomes.exists():
        errors["participant"] = f"{participant.name} 已有培养成果记录,不能移除。"
    raise_if(errors)
    audit.record(actor=actor, action="studios.mentorship.participant_remove", obj=participant, org=mentorship.org,
                 object_repr=f"{mentorship.title} {participant.name}",
                 changes={"role": participant.role, "reason": reason.strip()})
    participant.delete()


def may_log_checkin(actor, mentorship: Mentorship) -> bool:
    """Staff who may edit the unit, or a mentor of this pairing logging their own sessions (self-service)."""
    if is_system(actor):
        return True
    if has_capability(actor, "edit_business") and org_in_scope(actor, mentorship.org):
        return True
    return bool(getattr(actor, "is_authenticated", False)) and mentorship.participants.filter(
        role=ParticipantRole.MENTOR, worker__user=actor, worker__is_deleted=False).exists()


def _hours(hours, errors: dict):
    if hours in (None, ""):
        return None
    try:
        hours = Decimal(str(hours))
    except InvalidOperation:
        errors["hours"] = "时长格式不正确。"
        return None
    if hours < 0 or hours > 24 or hours != hours.quantize(Decimal("0.1")):
        errors["hours"] = "时长须在 0–24 小时之间,最多一位小数。"
    return hours


def _within(mentorship: Mentorship, field: str, day: date, label: str, errors: dict) -> None:
    not_future(errors, field, day, label)
    if day < mentorship.start_date:
        errors.setdefault(field, f"{label}不能早于结对开始日期 {mentorship.start_date:%Y-%m-%d}。")


@transaction.atomic
def checkin_add(*, actor, mentorship: Mentorship, date: date | None, content: str, hours=None) -> MentorshipCheckin:
    if not may_log_checkin(actor, mentorship):
        raise PermissionDenied("只有本结对的师傅或所属工会的业务人员可以填写带徒记录。")
    errors: dict = {}
    if date is None:
        errors["date"] = "请填写日期。"
    else:
        _within(mentorship, "date", date, "日期", errors)
        if mentorship.end_date and date > mentorship.end_date:
            errors.setdefault("date", f"日期不能晚于结对结束日期 {mentorship.end_date:%Y-%m-%d}。")
    required(errors, "content", content, "请填写带徒内容。")
    hours = _hours(hours, errors)
    raise_if(errors)
    checkin = MentorshipCheckin(mentorship=mentorship, date=date, content=content.strip(), hours=hours,
                                recorded_by=person(actor))
    checkin.full_clean()
    checkin.save()
    audit.record(actor=actor, action="studios.mentorship.checkin", obj=checkin, org=mentorship.org,
                 object_repr=f"{mentorship.title} {date}", changes={"date": iso(date), "hours": iso(hours)})
    return checkin


@transaction.atomic
def outcome_add(*, actor, mentorship: Mentorship, apprentice: MentorshipParticipant | None, kind: str, result: str,
                achieved_date: date | None, certificate_no: str = "") -> MentorshipOutcome:
    """An apprentice's new skill level, certificate, title or award, with its date."""
    check_may_edit(actor, mentorship.org)
    errors: dict = {}
    if apprentice is None or apprentice.mentorship_id != mentorship.pk or apprentice.role != ParticipantRole.APPRENTICE:
        errors["apprentice"] = "请选择本结对的徒弟。"
    if kind not in OutcomeKind.values:
        errors["kind"] = "请选择成果类别。"
    required(errors, "result", result, "请填写新的技能等级或证书名称。")
    if achieved_date is None:
        errors["achieved_date"] = "请填写取得日期。"
    else:
        _within(mentorship, "achieved_date", achieved_date, "取得日期", errors)
    raise_if(errors)
    outcome = MentorshipOutcome(mentorship=mentorship, apprentice=apprentice, kind=kind, result=result.strip(),
                                certificate_no=(certificate_no or "").strip(), achieved_date=achieved_date)
    outcome.full_clean()
    outcome.save()
    audit.record(actor=actor, action="studios.mentorship.outcome", obj=outcome, org=mentorship.org,
                 object_repr=f"{apprentice.name} {outcome.result}",
                 changes={"kind": kind, "achieved_date": iso(achieved_date)})
    return outcome


def keep_reason(reason: str):
    """The `check` of `soft_delete` that also keeps the reason on the record (shown on its page)."""
    def check(obj) -> None:
        obj.delete_reason = reason.strip()
        obj.save(update_fields=["delete_reason"])

    return check


@transaction.atomic
def mentorship_delete(*, actor, mentorship: Mentorship, reason: str) -> Mentorship:
    """Soft delete of a pairing entered by mistake (kept with the reason; the audit has the details)."""
    return soft_delete(mentorship, actor=actor, action="studios.mentorship.delete", reason=reason, what=WHAT,
                       check=keep_reason(reason or ""))
