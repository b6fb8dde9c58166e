"""Studios, their members and their projects (攻关项目)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from laomo.core import audit
from laomo.core.actors import person
from laomo.core.updates import model_update
from laomo.workers.models import Worker

from ..models import (
    LIVE_STATUSES,
    TRANSITION_LABELS,
    TRANSITIONS,
    MemberRole,
    ProjectStatus,
    Studio,
    StudioLevel,
    StudioMember,
    StudioProject,
    StudioStatus,
    StudioStatusChange,
    StudioType,
)
from .common import WHAT, check_may_edit, iso, not_future, raise_if, required, worker_error

STUDIO_FIELDS = ("name", "studio_type", "level", "host_enterprise", "specialty", "founded_date", "space_note",
                 "funding_note", "description")


def _studio_snapshot(studio: Studio) -> dict:
    snap = {f: iso(getattr(studio, f)) for f in STUDIO_FIELDS}
    snap.update({"org": studio.org.code if studio.org_id else "", "lead": studio.lead.name if studio.lead_id else "",
                 "status": studio.status})
    return snap


def check_lead(actor, lead, errors: dict) -> None:
    message = worker_error(actor, lead)
    if message:
        errors.setdefault("lead", message)


def _check_studio_fields(studio: Studio, errors: dict) -> None:
    required(errors, "name", studio.name, "请填写工作室名称。")
    required(errors, "host_enterprise", studio.host_enterprise, "请填写依托企业(单位)。")
    if studio.studio_type not in StudioType.values:
        errors.setdefault("studio_type", "请选择工作室类型。")
    if studio.level not in StudioLevel.values:
        errors.setdefault("level", "请选择示范级别。")
    if studio.founded_date is None:
        errors.setdefault("founded_date", "请填写创建日期。")
    else:
        not_future(errors, "founded_date", studio.founded_date, "创建日期")
    if studio.name and studio.org_id and Studio.objects.filter(org=studio.org, name=studio.name).exclude(
            pk=studio.pk).exists():
        errors.setdefault("name", f"{studio.org.name}已有名为“{studio.name}”的工作室。")


def _ensure_lead_member(studio: Studio, lead: Worker, joined: date) -> None:
    StudioMember.objects.filter(studio=studio, role=MemberRole.LEAD, left_date__isnull=True).exclude(
        worker=lead).update(role=MemberRole.CORE)
    member = StudioMember.objects.filter(studio=studio, worker=lead, left_date__isnull=True).first()
    if member is None:
        StudioMember.objects.create(studio=studio, worker=lead, name=lead.name, title=lead.job_title,
                                    role=MemberRole.LEAD, joined_date=joined)
    elif member.role != MemberRole.LEAD:
        member.role = MemberRole.LEAD
        member.save(update_fields=["role", "updated_at"])


def _check_new_status(status: str, founded_date, named_date, errors: dict) -> None:
    if status not in (StudioStatus.CULTIVATING, StudioStatus.NAMED):
        errors["status"] = "新建工作室的状态只能是“培育/创建中”或“已命名”。"
    elif status == StudioStatus.NAMED:
        if named_date is None:
            errors["named_date"] = "已命名的工作室请填写命名日期。"
        elif founded_date and named_date < founded_date:
            errors["named_date"] = "命名日期不能早于创建日期。"
        else:
            not_future(errors, "named_date", named_date, "命名日期")
    elif named_date is not None:
        errors["named_date"] = "培育/创建中的工作室尚未命名,请不要填写命名日期。"


@transaction.atomic
def studio_create(*, actor, org, name: str, studio_type: str, level: str, lead: Worker, host_enterprise: str,
                  founded_date: date, status: str = StudioStatus.CULTIVATING, named_date: date | None = None,
                  specialty: str = "", space_note: str = "", funding_note: str = "", description: str = "") -> Studio:
    """A new studio (培育/创建中, or already 已命名 with its naming date when registering an existing one).

    The lead is added as a member (领衔人). A lead below municipal level is allowed with a warning
    (`studio.lead_warning`), not refused.
    """
    check_may_edit(actor, org)
    studio = Studio(org=org, name=(name or "").strip(), studio_type=studio_type, level=level, lead=lead,
                    host_enterprise=(host_enterprise or "").strip(), founded_date=founded_date,
                    specialty=specialty.strip(), space_note=space_note.strip(), funding_note=funding_note.strip(),
                    description=description.strip(), status=status)
    errors: dict = {}
    _check_studio_fields(studio, errors)
    check_lead(actor, lead, errors)
    _check_new_status(status, founded_date, named_date, errors)
    raise_if(errors)
    studio.named_date = named_date if status == StudioStatus.NAMED else None
    studio.status_date = studio.named_date or founded_date
    studio.full_clean()
    studio.save()
    StudioStatusChange.objects.create(studio=studio, from_status="", to_status=status, date=studio.status_date,
                                      reason="登记", actor=person(actor))
    _ensure_lead_member(studio, lead, founded_date)
    audit.record(actor=actor, action="studios.studio.create", obj=studio, org=org, changes=_studio_snapshot(studio))
    return studio


def _first_later_date(studio: Studio):
    """The earliest naming, status change, project or achievement date: the founding date may not pass it."""
    later = [studio.named_date, studio.revoked_date,
             studio.status_changes.exclude(from_status="").order_by("date").values_list("date", flat=True).first(),
             studio.projects.order_by("start_date").values_list("start_date", flat=True).first(),
             studio.achievements.filter(is_deleted=False).order_by("achieved_date")
             .values_list("achieved_date", flat=True).first()]
    later = [d for d in later if d is not None]
    return min(later) if later else None


def _studio_clean(actor, new_lead):
    def clean(studio: Studio) -> None:
        errors: dict = {}
        if new_lead is not None:
            check_lead(actor, new_lead, errors)
        _check_studio_fields(studio, errors)
        first = _first_later_date(studio) if studio.founded_date else None
        if first and studio.founded_date > first:
            errors.setdefault("founded_date",
                              f"创建日期不能晚于已登记的命名、状态变更、项目或成果日期({first:%Y-%m-%d})。")
        raise_if(errors)
        if studio.status == StudioStatus.CULTIVATING and not studio.status_changes.exclude(from_status="").exists():
            studio.status_date = studio.founded_date
            studio.status_changes.filter(from_status="").update(date=studio.founded_date)
        studio.full_clean()

    return clean


def _not_revoked(studio: Studio) -> None:
    if studio.status == StudioStatus.REVOKED:
        raise ValidationError({"__all__": "已撤销的工作室不能再修改。"})


@transaction.atomic
def studio_update(*, actor, studio: Studio, **changes) -> Studio:
    """Change plain fields, the unit (`org`, within scope) or the lead (the old lead stays a core member)."""
    unknown = set(changes) - {*STUDIO_FIELDS, "org", "lead"}
    if unknown:
        raise TypeError(f"unknown studio field {sorted(unknown)}")
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    if data.get("org") is None:
        data.pop("org", None)
    new_lead = data.pop("lead", None)
    if new_lead is not None and new_lead.pk != studio.lead_id:
        data["lead"] = new_lead
    else:
        new_lead = None
    saved = model_update(studio, fields=(*STUDIO_FIELDS, "org", "lead"), data=data, actor=actor,
                         action="studios.studio.update", what=WHAT, clean=_studio_clean(actor, new_lead),
                         snap=_studio_snapshot, check=_not_revoked)
    if new_lead is not None:
        _ensure_lead_member(saved, new_lead, timezone.localdate())
    return saved


def _check_transition(studio: Studio, to_status: str, day: date | None, reason: str) -> None:
    current = StudioStatus(studio.status)
    if to_status not in StudioStatus.values:
        raise ValidationError({"to_status": "未知的状态。"})
    if to_status not in TRANSITIONS[current]:
        allowed = "、".join(TRANSITION_LABELS[s] for s in TRANSITIONS[current]) or "无"
        raise ValidationError({"to_status": f"工作室当前为“{current.label}”,不能转为“{StudioStatus(to_status).label}”"
                                            f"(可进行的操作:{allowed})。"})
    errors: dict = {}
    if day is None:
        errors["date"] = "请填写日期。"
    else:
        not_future(errors, "date", day, "日期")
        if day < studio.status_date:
            errors.setdefault("date", f"日期不能早于上一次状态变更日期 {studio.status_date:%Y-%m-%d}。")
    if to_status == StudioStatus.REVOKED and not reason:
        errors["reason"] = "撤销工作室须填写撤销原因。"
    raise_if(errors)


@transaction.atomic
def studio_transition(*, actor, studio: Studio, to_status: str, date: date | None, reason: str = "") -> Studio:
    """培育/创建中 → 已命名 → 复核中 → 已命名 (复核通过) or 已撤销 (with reason and date); 已撤销 is final."""
    studio = Studio.objects.select_for_update(of=("self",)).select_related("org", "lead").get(pk=studio.pk)
    check_may_edit(actor, studio.org)
    reason = (reason or "").strip()
    current = studio.status
    _check_transition(studio, to_status, date, reason)
    before = {"status": studio.status, "status_date": iso(studio.status_date)}
    studio.status = to_status
    studio.status_date = date
    if to_status == StudioStatus.NAMED and studio.named_date is None:
        studio.named_date = date
    if to_status == StudioStatus.REVOKED:
        studio.revoked_date, studio.revoke_reason = date, reason
    studio.full_clean()
    studio.save()
    StudioStatusChange.objects.create(studio=studio, from_status=current, to_status=to_status, date=date, reason=reason,
                                      actor=person(actor))
    changes = audit.diff(before, {"status": to_status, "status_date": iso(date)})
    if reason:
        changes["reason"] = reason
    audit.record(actor=actor, action="studios.studio.status", obj=studio, org=studio.org, changes=changes)
    return studio


def check_live(studio: Studio) -> None:
    if studio.status not in LIVE_STATUSES:
        raise ValidationError({"__all__": f"工作室已于 {studio.revoked_date:%Y-%m-%d} 撤销,不能再登记此项。"})


# --- members ----------------------------------------------------------------------------------------------


def _check_member(actor, studio: Studio, worker, name: str, role: str, joined_date, errors: dict) -> None:
    if role not in (MemberRole.CORE, MemberRole.MEMBER):
        errors["role"] = "请选择核心成员或成员(领衔人在工作室信息中设置)。"
    if worker is not None:
        message = worker_error(actor, worker)
        if message:
            errors["worker"] = message
        elif StudioMember.objects.filter(studio=studio, worker=worker, left_date__isnull=True).exists():
            errors["worker"] = f"{worker.name} 已是本工作室成员。"
    elif not (name or "").strip():
        errors["name"] = "请选择劳模,或填写其他成员的姓名。"
    not_future(errors, "joined_date", joined_date, "加入日期")
    if joined_date and joined_date < studio.founded_date:
        errors.setdefault("joined_date", f"加入日期不能早于工作室创建日期 {studio.founded_date:%Y-%m-%d}。")


@transaction.atomic
def member_add(*, actor, studio: Studio, worker: Worker | None = None, name: str = "", title: str = "",
               role: str = MemberRole.MEMBER, joined_date: date | None = None) -> StudioMember:
    """Add a worker, or other staff by name. The lead is set on the studio, not here."""
    check_may_edit(actor, studio.org)
    check_live(studio)
    errors: dict = {}
    _check_member(actor, studio, worker, name, role, joined_date, errors)
    if worker is not None:
        name = worker.name
        title = title.strip() or worker.job_title
    raise_if(errors)
    member = StudioMember(studio=studio, worker=worker, name=name.strip(), title=title.strip(), role=role,
                          joined_date=joined_date or timezone.localdate())
    member.full_clean()
    member.save()
    audit.record(actor=actor, action="studios.member.add", obj=member, org=studio.org,
                 object_repr=f"{studio.name} {member.name}", changes={"role": role, "worker": worker is not None})
    return member


@transaction.atomic
def member_leave(*, actor, member: StudioMember, left_date: date | None) -> StudioMember:
    studio = member.studio
    check_may_edit(actor, studio.org)
    errors: dict = {}
    if member.left_date is not None:
        errors["left_date"] = f"{member.name} 已于 {member.left_date:%Y-%m-%d} 退出。"
    if member.role == MemberRole.LEAD and member.worker_id == studio.lead_id:
        errors["left_date"] = "领衔人不能退出,请先在工作室信息中更换领衔人。"
    if left_date is None:
        errors.setdefault("left_date", "请填写退出日期。")
    else:
        not_future(errors, "left_date", left_date, "退出日期")
        if member.joined_date and left_date < member.joined_date:
            errors.setdefault("left_date", "退出日期不能早于加入日期。")
    raise_if(errors)
    member.left_date = left_date
    member.save(update_fields=["left_date", "updated_at"])
    audit.record(actor=actor, action="studios.member.leave", obj=member, org=studio.org,
                 object_repr=f"{studio.name} {member.name}", changes={"left_date": iso(left_date)})
    return member


# --- projects ---------------------------------------------------------------------------------------------


def _check_project(studio: Studio, title, start_date, end_date, status, errors: dict) -> None:
    required(errors, "title", title, "请填写项目名称。")
    if start_date is None:
        errors["start_date"] = "请填写立项日期。"
    else:
        if start_date < studio.founded_date:
            errors["start_date"] = f"立项日期不能早于工作室创建日期 {studio.founded_date:%Y-%m-%d}。"
        if end_date and end_date < start_date:
            errors["end_date"] = "结题日期不能早于立项日期。"
    if status not in ProjectStatus.values:
        errors["status"] = "未知的项目状态。"
    elif status != ProjectStatus.ONGOING and end_date is None:
        errors["end_date"] = "已结题或中止的项目请填写结题/中止日期。"
    not_future(errors, "end_date", end_date, "结题日期")


@transaction.atomic
def project_add(*, actor, studio: Studio, title: str, start_date: date | None, goal: str = "",
                end_date: date | None = None, status: str = ProjectStatus.ONGOING) -> StudioProject:
    check_may_edit(actor, studio.org)
    check_live(studio)
    errors: dict = {}
    _check_project(studio, title, start_date, end_date, status, errors)
    raise_if(errors)
    project = StudioProject(studio=studio, title=title.strip(), goal=goal.strip(), start_date=start_date,
                            end_date=end_date, status=status)
    project.full_clean()
    project.save()
    audit.record(actor=actor, action="studios.project.add", obj=project, org=studio.org,
                 changes={"studio": studio.name, "start_date": iso(start_date), "status": status})
    return project


@transaction.atomic
def project_close(*, actor, project: StudioProject, status: str, end_date: date | None) -> StudioProject:
    studio = project.studio
    check_may_edit(actor, studio.org)
    errors: dict = {}
    if project.status != ProjectStatus.ONGOING:
        errors["status"] = "该项目已结题或中止。"
    if status not in (ProjectStatus.CONCLUDED, ProjectStatus.STOPPED):
        errors.setdefault("status", "请选择结题或中止。")
    if end_date is None:
        errors["end_date"] = "请填写结题/中止日期。"
    else:
        not_future(errors, "end_date", end_date, "结题日期")
        if end_date < project.start_date:
            errors.setdefault("end_date", "结题日期不能早于立项日期。")
    raise_if(errors)
    project.status, project.end_date = status, end_date
    project.save(update_fields=["status", "end_date", "updated_at"])
    audit.record(actor=actor, action="studios.project.close", obj=project, org=studio.org,
                 changes={"status": status, "end_date": iso(end_date)})
    return project
