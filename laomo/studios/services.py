"""Writes of the studios module. Every function validates (Chinese messages keyed by field), checks the data
scope, saves and writes the audit entry in one transaction. `actor=None` is the system (demo data, commands)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from laomo.core import audit
from laomo.core.permissions import has_capability
from laomo.core.scope import ensure_org_in_scope, org_in_scope
from laomo.core.services import notify
from laomo.workers.models import EmploymentStatus, Worker

from .evidence import check_evidence
from .models import (
    LIVE_STATUSES,
    TRANSITION_LABELS,
    TRANSITIONS,
    AchievementKind,
    AssessmentResult,
    MemberRole,
    Mentorship,
    MentorshipCheckin,
    MentorshipOutcome,
    MentorshipParticipant,
    OutcomeKind,
    ParticipantRole,
    ProjectStatus,
    QuarterlyReport,
    Studio,
    StudioAchievement,
    StudioLevel,
    StudioMember,
    StudioProject,
    StudioStatus,
    StudioStatusChange,
    StudioType,
    TargetType,
    TechHelpActivity,
    TechHelpKind,
    YearlyAssessment,
    evidence_path,
)

CENT = Decimal("0.01")
MAX_MONEY = Decimal("9999999999.99")


# --- helpers ------------------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _check_may_edit(actor, org) -> None:
    if actor is None:
        return
    if not has_capability(actor, "edit_business"):
        raise PermissionDenied("您没有维护创新工作室与传帮带数据的权限。")
    ensure_org_in_scope(actor, org)


def _worker_error(actor, worker, *, allow_deceased: bool = False) -> str:
    """Why `worker` cannot be picked by `actor` ('' when it can)."""
    if worker is None or worker.is_deleted:
        return "劳模不存在。"
    if actor is not None and not org_in_scope(actor, worker.org):
        return f"劳模 {worker.name} 不在您的数据范围内。"
    if not allow_deceased and worker.employment_status == EmploymentStatus.DECEASED:
        return f"劳模 {worker.name} 已去世,不能选为此项人员。"
    return ""


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _required(errors: dict, field: str, value, message: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(field, message)


def _not_future(errors: dict, field: str, value: date | None, label: str) -> None:
    if value is not None and value > _today():
        errors.setdefault(field, f"{label}不能晚于今天。")


def money(value, field: str, label: str, *, required: bool = False) -> Decimal | None:
    """A yuan amount as Decimal with 2 places (never float); negative or malformed is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError({field: f"请填写{label}。"})
        return None
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace(",", ""))
    except InvalidOperation:
        raise ValidationError({field: f"{label}格式不正确,请填写金额(元),如 12000.50。"})
    if not amount.is_finite():
        raise ValidationError({field: f"{label}格式不正确。"})
    if amount < 0:
        raise ValidationError({field: f"{label}不能为负数。"})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: f"{label}最多保留两位小数(分)。"})
    if amount > MAX_MONEY:
        raise ValidationError({field: f"{label}数额过大。"})
    return amount.quantize(CENT)


def _iso(value):
    return value.isoformat() if isinstance(value, date) else (str(value) if isinstance(value, Decimal) else value)


def people_errors(actor, *, lead=None, mentors=None, apprentices=None, participants=None) -> dict:
    """The checks on the people of a record alone (for inline validation before the rest of a form is filled)."""
    errors: dict = {}
    if lead is not None:
        _check_lead(actor, lead, errors)
    if mentors is not None and apprentices is not None:
        _check_people(actor, list(mentors), [_as_person(a) for a in apprentices], errors)
    if participants is not None:
        _check_participants(actor, list(participants), list(participants), errors)
    return errors


def dry_run(fn, **kwargs) -> ValidationError | None:
    """Run a service and roll it back: the same checks as a real save, for inline validation of forms."""

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            fn(**kwargs)
            raise _Rollback
    except _Rollback:
        return None
    except ValidationError as exc:
        return exc


# --- studios ------------------------------------------------------------------------------------------

STUDIO_FIELDS = ("name", "studio_type", "level", "host_enterprise", "specialty", "founded_date", "space_note",
                 "funding_note", "description")


def _studio_snapshot(studio: Studio) -> dict:
    snap = {f: _iso(getattr(studio, f)) for f in STUDIO_FIELDS}
    snap.update({"org": studio.org.code if studio.org_id else "", "lead": studio.lead.name if studio.lead_id else "",
                 "status": studio.status})
    return snap


def _check_lead(actor, lead, errors: dict) -> None:
    message = _worker_error(actor, lead)
    if message:
        errors.setdefault("lead", message)


def _check_studio_fields(studio: Studio, errors: dict) -> None:
    _required(errors, "name", studio.name, "请填写工作室名称。")
    _required(errors, "host_enterprise", studio.host_enterprise, "请填写依托企业(单位)。")
    if studio.studio_type not in StudioType.values:
        errors.setdefault("studio_type", "请选择工作室类型。")
    if studio.level not in StudioLevel.values:
        errors.setdefault("level", "请选择示范级别。")
    if studio.founded_date is None:
        errors.setdefault("founded_date", "请填写创建日期。")
    else:
        _not_future(errors, "founded_date", studio.founded_date, "创建日期")
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


@transaction.atomic
def studio_create(*, actor, org, name: str, studio_type: str, level: str, lead: Worker, host_enterprise: str,
                  founded_date: date, status: str = StudioStatus.CULTIVATING, named_date: date | None = None,
                  specialty: str = "", space_note: str = "", funding_note: str = "", description: str = "") -> Studio:
    """A new studio (培育/创建中, or already 已命名 with its naming date when registering an existing one).

    The lead is added as a member (领衔人). A lead below municipal level is allowed with a warning
    (`studio.lead_warning`), not refused.
    """
    _check_may_edit(actor, org)
    studio = Studio(org=org, name=(name or "").strip(), studio_type=studio_type, level=level, lead=lead,
                    host_enterprise=(host_enterprise or "").strip(), founded_date=founded_date,
                    specialty=specialty.strip(), space_note=space_note.strip(), funding_note=funding_note.strip(),
                    description=description.strip(), status=status)
    errors: dict = {}
    _check_studio_fields(studio, errors)
    _check_lead(actor, lead, errors)
    if status not in (StudioStatus.CULTIVATING, StudioStatus.NAMED):
        errors["status"] = "新建工作室的状态只能是“培育/创建中”或“已命名”。"
    elif status == StudioStatus.NAMED:
        if named_date is None:
            errors["named_date"] = "已命名的工作室请填写命名日期。"
        elif founded_date and named_date < founded_date:
            errors["named_date"] = "命名日期不能早于创建日期。"
        else:
            _not_future(errors, "named_date", named_date, "命名日期")
    elif named_date is not None:
        errors["named_date"] = "培育/创建中的工作室尚未命名,请不要填写命名日期。"
    _raise(errors)
    studio.named_date = named_date if status == StudioStatus.NAMED else None
    studio.status_date = studio.named_date or founded_date
    studio.full_clean()
    studio.save()
    StudioStatusChange.objects.create(studio=studio, from_status="", to_status=status, date=studio.status_date,
                                      reason="登记", actor=actor if actor is not None else None)
    _ensure_lead_member(studio, lead, founded_date)
    audit.record(actor=actor, action="studios.studio.create", obj=studio, org=org, changes=_studio_snapshot(studio))
    return studio


@transaction.atomic
def studio_update(*, actor, studio: Studio, **changes) -> Studio:
    """Change plain fields, the unit (`org`, within scope) or the lead (the old lead stays a core member)."""
    studio = Studio.objects.select_for_update(of=("self",)).select_related("org", "lead").get(pk=studio.pk)
    _check_may_edit(actor, studio.org)
    if studio.status == StudioStatus.REVOKED:
        raise ValidationError({"__all__": "已撤销的工作室不能再修改。"})
    before = _studio_snapshot(studio)
    errors: dict = {}
    if "org" in changes and changes["org"] != studio.org:
        _check_may_edit(actor, changes["org"])
        studio.org = changes["org"]
    changes.pop("org", None)
    new_lead = changes.pop("lead", None)
    if new_lead is not None and new_lead.pk != studio.lead_id:
        _check_lead(actor, new_lead, errors)
        studio.lead = new_lead
    else:
        new_lead = None
    for key, value in changes.items():
        if key not in STUDIO_FIELDS:
            raise TypeError(f"unknown studio field {key}")
        setattr(studio, key, value.strip() if isinstance(value, str) else value)
    _check_studio_fields(studio, errors)
    if studio.founded_date:
        later = [studio.named_date, studio.revoked_date,
                 studio.status_changes.exclude(from_status="").order_by("date").values_list("date", flat=True).first(),
                 studio.projects.order_by("start_date").values_list("start_date", flat=True).first(),
                 studio.achievements.filter(is_deleted=False).order_by("achieved_date")
                 .values_list("achieved_date", flat=True).first()]
        later = [d for d in later if d is not None]
        if later and studio.founded_date > min(later):
            errors.setdefault("founded_date",
                              f"创建日期不能晚于已登记的命名、状态变更、项目或成果日期({min(later):%Y-%m-%d})。")
    _raise(errors)
    if studio.status == StudioStatus.CULTIVATING and not studio.status_changes.exclude(from_status="").exists():
        studio.status_date = studio.founded_date
        studio.status_changes.filter(from_status="").update(date=studio.founded_date)
    studio.full_clean()
    studio.save()
    if new_lead is not None:
        _ensure_lead_member(studio, new_lead, _today())
    diff = audit.diff(before, _studio_snapshot(studio))
    if diff:
        audit.record(actor=actor, action="studios.studio.update", obj=studio, org=studio.org, changes=diff)
    return studio


@transaction.atomic
def studio_transition(*, actor, studio: Studio, to_status: str, date: date | None, reason: str = "") -> Studio:
    """培育/创建中 → 已命名 → 复核中 → 已命名 (复核通过) or 已撤销 (with reason and date); 已撤销 is final."""
    studio = Studio.objects.select_for_update(of=("self",)).select_related("org", "lead").get(pk=studio.pk)
    _check_may_edit(actor, studio.org)
    reason = (reason or "").strip()
    current = StudioStatus(studio.status)
    if to_status not in StudioStatus.values:
        raise ValidationError({"to_status": "未知的状态。"})
    if to_status not in TRANSITIONS[current]:
        allowed = "、".join(TRANSITION_LABELS[s] for s in TRANSITIONS[current]) or "无"
        raise ValidationError({"to_status": f"工作室当前为“{current.label}”,不能转为“{StudioStatus(to_status).label}”"
                                            f"(可进行的操作:{allowed})。"})
    errors: dict = {}
    if date is None:
        errors["date"] = "请填写日期。"
    else:
        _not_future(errors, "date", date, "日期")
        if date < studio.status_date:
            errors.setdefault("date", f"日期不能早于上一次状态变更日期 {studio.status_date:%Y-%m-%d}。")
    if to_status == StudioStatus.REVOKED and not reason:
        errors["reason"] = "撤销工作室须填写撤销原因。"
    _raise(errors)
    before = {"status": studio.status, "status_date": _iso(studio.status_date)}
    studio.status = to_status
    studio.status_date = date
    if to_status == StudioStatus.NAMED and studio.named_date is None:
        studio.named_date = date
    if to_status == StudioStatus.REVOKED:
        studio.revoked_date, studio.revoke_reason = date, reason
    studio.full_clean()
    studio.save()
    StudioStatusChange.objects.create(studio=studio, from_status=current, to_status=to_status, date=date, reason=reason,
                                      actor=actor)
    changes = audit.diff(before, {"status": to_status, "status_date": _iso(date)})
    if reason:
        changes["reason"] = reason
    audit.record(actor=actor, action="studios.studio.status", obj=studio, org=studio.org, changes=changes)
    return studio


def _check_live(studio: Studio) -> None:
    if studio.status not in LIVE_STATUSES:
        raise ValidationError({"__all__": f"工作室已于 {studio.revoked_date:%Y-%m-%d} 撤销,不能再登记此项。"})


@transaction.atomic
def member_add(*, actor, studio: Studio, worker: Worker | None = None, name: str = "", title: str = "",
               role: str = MemberRole.MEMBER, joined_date: date | None = None) -> StudioMember:
    """Add a worker, or other staff by name. The lead is set on the studio, not here."""
    _check_may_edit(actor, studio.org)
    _check_live(studio)
    errors: dict = {}
    if role not in (MemberRole.CORE, MemberRole.MEMBER):
        errors["role"] = "请选择核心成员或成员(领衔人在工作室信息中设置)。"
    if worker is not None:
        message = _worker_error(actor, worker)
        if message:
            errors["worker"] = message
        elif StudioMember.objects.filter(studio=studio, worker=worker, left_date__isnull=True).exists():
            errors["worker"] = f"{worker.name} 已是本工作室成员。"
        name = worker.name
        title = title.strip() or worker.job_title
    elif not (name or "").strip():
        errors["name"] = "请选择劳模,或填写其他成员的姓名。"
    _not_future(errors, "joined_date", joined_date, "加入日期")
    if joined_date and joined_date < studio.founded_date:
        errors.setdefault("joined_date", f"加入日期不能早于工作室创建日期 {studio.founded_date:%Y-%m-%d}。")
    _raise(errors)
    member = StudioMember(studio=studio, worker=worker, name=name.strip(), title=title.strip(), role=role,
                          joined_date=joined_date or _today())
    member.full_clean()
    member.save()
    audit.record(actor=actor, action="studios.member.add", obj=member, org=studio.org,
                 object_repr=f"{studio.name} {member.name}", changes={"role": role, "worker": worker is not None})
    return member


@transaction.atomic
def member_leave(*, actor, member: StudioMember, left_date: date | None) -> StudioMember:
    studio = member.studio
    _check_may_edit(actor, studio.org)
    errors: dict = {}
    if member.left_date is not None:
        errors["left_date"] = f"{member.name} 已于 {member.left_date:%Y-%m-%d} 退出。"
    if member.role == MemberRole.LEAD and member.worker_id == studio.lead_id:
        errors["left_date"] = "领衔人不能退出,请先在工作室信息中更换领衔人。"
    if left_date is None:
        errors.setdefault("left_date", "请填写退出日期。")
    else:
        _not_future(errors, "left_date", left_date, "退出日期")
        if member.joined_date and left_date < member.joined_date:
            errors.setdefault("left_date", "退出日期不能早于加入日期。")
    _raise(errors)
    member.left_date = left_date
    member.save(update_fields=["left_date", "updated_at"])
    audit.record(actor=actor, action="studios.member.leave", obj=member, org=studio.org,
                 object_repr=f"{studio.name} {member.name}", changes={"left_date": _iso(left_date)})
    return member


@transaction.atomic
def project_add(*, actor, studio: Studio, title: str, start_date: date | None, goal: str = "",
                end_date: date | None = None, status: str = ProjectStatus.ONGOING) -> StudioProject:
    _check_may_edit(actor, studio.org)
    _check_live(studio)
    errors: dict = {}
    _required(errors, "title", title, "请填写项目名称。")
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
    _not_future(errors, "end_date", end_date, "结题日期")
    _raise(errors)
    project = StudioProject(studio=studio, title=title.strip(), goal=goal.strip(), start_date=start_date,
                            end_date=end_date, status=status)
    project.full_clean()
    project.save()
    audit.record(actor=actor, action="studios.project.add", obj=project, org=studio.org,
                 changes={"studio": studio.name, "start_date": _iso(start_date), "status": status})
    return project


@transaction.atomic
def project_close(*, actor, project: StudioProject, status: str, end_date: date | None) -> StudioProject:
    studio = project.studio
    _check_may_edit(actor, studio.org)
    errors: dict = {}
    if project.status != ProjectStatus.ONGOING:
        errors["status"] = "该项目已结题或中止。"
    if status not in (ProjectStatus.CONCLUDED, ProjectStatus.STOPPED):
        errors.setdefault("status", "请选择结题或中止。")
    if end_date is None:
        errors["end_date"] = "请填写结题/中止日期。"
    else:
        _not_future(errors, "end_date", end_date, "结题日期")
        if end_date < project.start_date:
            errors.setdefault("end_date", "结题日期不能早于立项日期。")
    _raise(errors)
    project.status, project.end_date = status, end_date
    project.save(update_fields=["status", "end_date", "updated_at"])
    audit.record(actor=actor, action="studios.project.close", obj=project, org=studio.org,
                 changes={"status": status, "end_date": _iso(end_date)})
    return project


# --- achievements ---------------------------------------------------------------------------------------


@transaction.atomic
def achievement_add(*, actor, studio: Studio, kind: str, title: str, achieved_date: date | None,
                    patent_no: str = "", is_recognized: bool = True, recognized_by: str = "",
                    economic_benefit=None, credited=(), evidence=None) -> StudioAchievement:
    """An achievement with its credited members, optional economic benefit (Decimal ≥ 0) and evidence file."""
    _check_may_edit(actor, studio.org)
    errors: dict = {}
    if kind not in AchievementKind.values:
        errors["kind"] = "请选择成果类别。"
    _required(errors, "title", title, "请填写成果名称。")
    patent_no = (patent_no or "").replace(" ", "").replace(" ", "").upper()
    if kind == AchievementKind.PATENT and not patent_no:
        errors["patent_no"] = "专利成果须填写专利号(如 ZL202110123456.7)。"
    if kind != AchievementKind.PATENT:
        patent_no = ""
    if achieved_date is None:
        errors["achieved_date"] = "请填写取得日期。"
    else:
        _not_future(errors, "achieved_date", achieved_date, "取得日期")
        if achieved_date < studio.founded_date:
            errors.setdefault("achieved_date", f"取得日期不能早于工作室创建日期 {studio.founded_date:%Y-%m-%d}。")
        if studio.revoked_date and achieved_date > studio.revoked_date:
            errors.setdefault("achieved_date", f"工作室已于 {studio.revoked_date:%Y-%m-%d} 撤销,之后的成果不能记入。")
    try:
        benefit = money(economic_benefit, "economic_benefit", "经济效益")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        benefit = None
    members = list(credited or ())
    if any(m.studio_id != studio.pk for m in members):
        errors["credited"] = "完成人必须是本工作室的成员。"
    checked = None
    if evidence:
        try:
            checked = check_evidence(evidence)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _raise(errors)
    achievement = StudioAchievement(studio=studio, kind=kind, title=title.strip(), achieved_date=achieved_date,
                                    patent_no=patent_no, is_recognized=bool(is_recognized),
                                    recognized_by=(recognized_by or "").strip(), economic_benefit=benefit)
    if checked is not None:
        _store_evidence(achievement, checked)
    achievement.full_clean()
    achievement.save()
    if members:
        achievement.credited.set(members)
    audit.record(actor=actor, action="studios.achievement.add", obj=achievement, org=studio.org, changes={
        "studio": studio.name, "kind": kind, "achieved_date": _iso(achieved_date),
        "economic_benefit": _iso(benefit), "credited": [m.name for m in members],
        "evidence": checked.name if checked else "",
    })
    return achievement


def _store_evidence(achievement: StudioAchievement, checked) -> None:
    achievement.evidence.save(f"e.{checked.ext}", ContentFile(checked.data), save=False)
    if checked.thumb:
        achievement.evidence_thumb.save(evidence_path(achievement, "t.jpg"), ContentFile(checked.thumb), save=False)
    else:
        achievement.evidence_thumb = ""
    achievement.evidence_name = checked.name
    achievement.evidence_type = checked.content_type
    achievement.evidence_size = len(checked.data)


@transaction.atomic
def achievement_attach_evidence(*, actor, achievement: StudioAchievement, evidence) -> StudioAchievement:
    """Attach or replace the evidence file (the old file stays in storage; the audit names both)."""
    studio = achievement.studio
    _check_may_edit(actor, studio.org)
    if not evidence:
        raise ValidationError({"evidence": "请选择要上传的佐证材料。"})
    checked = check_evidence(evidence)
    old = achievement.evidence_name
    _store_evidence(achievement, checked)
    achievement.save()
    audit.record(actor=actor, action="studios.achievement.evidence", obj=achievement, org=studio.org,
                 changes={"evidence": [old, checked.name], "size": len(checked.data)})
    return achievement


@transaction.atomic
def achievement_withdraw(*, actor, achievement: StudioAchievement, reason: str) -> StudioAchievement:
    """Withdraw a wrongly recorded achievement (soft delete with reason)."""
    studio = achievement.studio
    _check_may_edit(actor, studio.org)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写撤回原因。"})
    if achievement.is_deleted:
        raise ValidationError({"reason": "该成果已撤回。"})
    achievement.is_deleted, achievement.deleted_at = True, timezone.now()
    achievement.withdraw_reason = reason.strip()
    achievement.save(update_fields=["is_deleted", "deleted_at", "withdraw_reason", "updated_at"])
    audit.record(actor=actor, action="studios.achievement.withdraw", obj=achievement, org=studio.org,
                 changes={"reason": reason.strip()})
    return achievement


# --- quarterly reports and yearly assessments -------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year, 12, 31) if quarter == 4 else date(year, 3 * quarter + 1, 1) - timedelta(days=1)
    return start, end


@transaction.atomic
def report_submit(*, actor, studio: Studio, year: int, quarter: int, summary: str, next_plan: str = "",
                  activities: int = 0, participants: int = 0, trainees: int = 0, problems_solved: int = 0,
                  funds_spent=0) -> QuarterlyReport:
    """A quarterly report (text and figures); one per studio and quarter, for a quarter already begun."""
    _check_may_edit(actor, studio.org)
    errors: dict = {}
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = "季度须为 1–4。"
    if not year or year < 1990:
        errors["year"] = "请填写年度。"
    if not errors:
        start, end = quarter_bounds(year, quarter)
        if start > _today():
            errors["quarter"] = f"{year}年第{quarter}季度尚未开始,不能报送。"
        elif end < studio.founded_date:
            errors["quarter"] = f"工作室创建于 {studio.founded_date:%Y-%m-%d},该季度无需报送。"
        elif studio.revoked_date and start > studio.revoked_date:
            errors["quarter"] = "工作室已撤销,撤销之后的季度无需报送。"
        elif QuarterlyReport.objects.filter(studio=studio, year=year, quarter=quarter).exists():
            errors["quarter"] = f"{year}年第{quarter}季度报告已报送。"
    _required(errors, "summary", summary, "请填写工作小结。")
    for field, value in (("activities", activities), ("participants", participants), ("trainees", trainees),
                         ("problems_solved", problems_solved)):
        if value is None or int(value) < 0:
            errors[field] = "请填写不小于 0 的整数。"
    try:
        funds = money(funds_spent, "funds_spent", "经费投入") or Decimal("0.00")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        funds = Decimal("0.00")
    _raise(errors)
    report = QuarterlyReport(studio=studio, year=year, quarter=quarter, summary=summary.strip(),
                             next_plan=(next_plan or "").strip(), activities=activities, participants=participants,
                             trainees=trainees, problems_solved=problems_solved, funds_spent=funds,
                             submitted_date=_today(), submitted_by=actor)
    report.full_clean()
    report.save()
    audit.record(actor=actor, action="studios.report.submit", obj=report, org=studio.org,
                 object_repr=f"{studio.name} {report}", changes={
                     "activities": activities, "participants": participants, "trainees": trainees,
                     "problems_solved": problems_solved, "funds_spent": _iso(funds)})
    return report


@transaction.atomic
def assessment_record(*, actor, studio: Studio, year: int, score, result: str, assessed_date: date | None,
                      comment: str = "", assessor: str = "") -> YearlyAssessment:
    """The yearly assessment (score 0–100, 优秀/合格/不合格). A 不合格 result notifies the responsible staff."""
    _check_may_edit(actor, studio.org)
    errors: dict = {}
    if not year:
        errors["year"] = "请选择考核年度。"
    elif year < studio.founded_date.year:
        errors["year"] = f"工作室创建于 {studio.founded_date.year} 年,不能考核更早的年度。"
    elif year > _today().year:
        errors["year"] = "不能考核未来的年度。"
    elif studio.revoked_date and year > studio.revoked_date.year:
        errors["year"] = "工作室已撤销,不能考核撤销之后的年度。"
    elif YearlyAssessment.objects.filter(studio=studio, year=year).exists():
        errors["year"] = f"{year}年度考核已登记。"
    try:
        score = Decimal(str(score)) if score not in (None, "") else None
    except InvalidOperation:
        score = None
        errors["score"] = "得分格式不正确。"
    if score is None:
        errors.setdefault("score", "请填写得分。")
    elif not (0 <= score <= 100) or score != score.quantize(Decimal("0.1")):
        errors["score"] = "得分须在 0–100 之间,最多一位小数。"
    if result not in AssessmentResult.values:
        errors["result"] = "请选择考核结果。"
    if assessed_date is None:
        errors["assessed_date"] = "请填写考核日期。"
    else:
        _not_future(errors, "assessed_date", assessed_date, "考核日期")
        if year and "year" not in errors and assessed_date < date(year, 1, 1):  # a refused year may be no date
            errors.setdefault("assessed_date", "考核日期不能早于考核年度。")
    _raise(errors)
    assessment = YearlyAssessment(studio=studio, year=year, score=score, result=result, comment=comment.strip(),
                                  assessor=assessor.strip(), assessed_date=assessed_date)
    assessment.full_clean()
    assessment.save()
    audit.record(actor=actor, action="studios.assessment.record", obj=assessment, org=studio.org,
                 object_repr=f"{studio.name} {assessment}", changes={"score": _iso(score), "result": result})
    if result == AssessmentResult.FAIL and studio.status in LIVE_STATUSES:
        from django.urls import reverse

        from laomo.orgs.selectors import staff_responsible_for

        notify(recipients=staff_responsible_for(studio.org),
               text=f"{studio.name} {year}年度考核不合格,请按规定调整或启动复核、撤销",
               url=reverse("studios:detail", args=[studio.pk]))
    return assessment


# --- mentorships -----------------------------------------------------------------------------------------


@dataclass
class Person:
    """An apprentice who is not in the registry (or a worker, when `worker` is set)."""

    name: str = ""
    employer: str = ""
    job: str = ""
    worker: Worker | None = None


def _as_person(item) -> Person:
    if isinstance(item, Person):
        return item
    if isinstance(item, Worker):
        return Person(name=item.name, employer=item.employer, worker=item)
    raise TypeError(f"not a person: {item!r}")


def _check_people(actor, mentors: list, apprentices: list[Person], errors: dict) -> None:
    if not mentors:
        errors["mentors"] = "请至少填写一名师傅。"
    if not apprentices:
        errors["apprentices"] = "请至少填写一名徒弟。"
    for mentor in mentors:
        message = _worker_error(actor, mentor)
        if message:
            errors.setdefault("mentors", message)
    for person in apprentices:
        if person.worker is not None:
            message = _worker_error(actor, person.worker)
            if message:
                errors.setdefault("apprentices", message)
        elif not person.name.strip():
            errors.setdefault("apprentices", "徒弟须填写姓名。")
    mentor_ids = {m.pk for m in mentors}
    both = [p.worker.name for p in apprentices if p.worker is not None and p.worker.pk in mentor_ids]
    if both:
        errors["apprentices"] = f"{'、'.join(both)} 不能既是师傅又是自己的徒弟。"
    if len(mentor_ids) != len(mentors):
        errors.setdefault("mentors", "师傅名单中有重复的人。")
    keys = [(p.worker.pk,) if p.worker else (p.name.strip(), p.employer.strip()) for p in apprentices]
    if len(set(keys)) != len(keys):
        errors.setdefault("apprentices", "徒弟名单中有重复的人。")


def _check_mentorship_fields(actor, m: Mentorship, errors: dict) -> None:
    _required(errors, "title", m.title, "请填写结对名称。")
    _required(errors, "goals", m.goals, "请填写培养目标。")
    if m.start_date is None:
        errors.setdefault("start_date", "请填写开始日期。")
    elif m.end_date is not None and m.end_date < m.start_date:
        errors.setdefault("end_date", "结束日期不能早于开始日期。")
    if m.studio_id:
        if actor is not None and not org_in_scope(actor, m.studio.org):
            errors.setdefault("studio", "该工作室不在您的数据范围内。")
        elif m.studio.status == StudioStatus.REVOKED and m.start_date and m.start_date > m.studio.revoked_date:
            errors.setdefault("studio", f"{m.studio.name} 已于 {m.studio.revoked_date:%Y-%m-%d} 撤销。")


def _mentorship_snapshot(m: Mentorship) -> dict:
    return {"title": m.title, "skill": m.skill, "goals": m.goals, "start_date": _iso(m.start_date),
            "end_date": _iso(m.end_date), "studio": m.studio.name if m.studio_id else "",
            "org": m.org.code if m.org_id else ""}


@transaction.atomic
def mentorship_create(*, actor, org, title: str, goals: str, start_date: date | None, mentors, apprentices,
                      end_date: date | None = None, skill: str = "", studio: Studio | None = None) -> Mentorship:
    """A 传帮带 pairing of one or more mentors (workers) and one or more apprentices (workers or named people).

    The form (一带一 …) is never stored: it follows from the counts (`Mentorship.form`, `with_form()`).
    """
    _check_may_edit(actor, org)
    mentors = list(mentors or [])
    people = [_as_person(a) for a in (apprentices or [])]
    m = Mentorship(org=org, studio=studio, title=(title or "").strip(), goals=(goals or "").strip(),
                   skill=(skill or "").strip(), start_date=start_date, end_date=end_date)
    errors: dict = {}
    _check_mentorship_fields(actor, m, errors)
    _check_people(actor, list(mentors), people, errors)
    _raise(errors)
    m.full_clean()
    m.save()
    rows = [MentorshipParticipant(mentorship=m, role=ParticipantRole.MENTOR, worker=w, name=w.name,
                                  employer=w.employer, job=w.job_title) for w in mentors]
    rows += [MentorshipParticipant(mentorship=m, role=ParticipantRole.APPRENTICE, worker=p.worker,
                                   name=(p.worker.name if p.worker else p.name.strip()),
                                   employer=(p.employer or (p.worker.employer if p.worker else "")).strip(),
                                   job=(p.job or (p.worker.job_title if p.worker else "")).strip()) for p in people]
    MentorshipParticipant.objects.bulk_create(rows)
    snap = _mentorship_snapshot(m)
    snap.update({"mentors": [r.name for r in rows if r.role == "mentor"],
                 "apprentices": [r.name for r in rows if r.role == "apprentice"]})
    audit.record(actor=actor, action="studios.mentorship.create", obj=m, org=org, changes=snap)
    return m


MENTORSHIP_FIELDS = ("title", "skill", "goals", "start_date", "end_date", "studio")


@transaction.atomic
def mentorship_update(*, actor, mentorship: Mentorship, **changes) -> Mentorship:
    m = Mentorship.objects.select_for_update(of=("self",)).select_related("org", "studio").get(pk=mentorship.pk)
    _check_may_edit(actor, m.org)
    before = _mentorship_snapshot(m)
    if "org" in changes and changes["org"] != m.org:
        _check_may_edit(actor, changes["org"])
        m.org = changes["org"]
    changes.pop("org", None)
    for key, value in changes.items():
        if key not in MENTORSHIP_FIELDS:
            raise TypeError(f"unknown mentorship field {key}")
        setattr(m, key, value.strip() if isinstance(value, str) else value)
    errors: dict = {}
    _check_mentorship_fields(actor, m, errors)
    if m.start_date and not errors:
        first = m.checkins.order_by("date").values_list("date", flat=True).first()
        if first and first < m.start_date:
            errors["start_date"] = f"已有 {first:%Y-%m-%d} 的带徒记录,开始日期不能晚于它。"
        last = m.checkins.order_by("-date").values_list("date", flat=True).first()
        if last and m.end_date and last > m.end_date:
            errors["end_date"] = f"已有 {last:%Y-%m-%d} 的带徒记录,结束日期不能早于它。"
        first_outcome = m.outcomes.order_by("achieved_date").values_list("achieved_date", flat=True).first()
        if first_outcome and first_outcome < m.start_date:
            errors.setdefault("start_date", f"已有 {first_outcome:%Y-%m-%d} 的培养成果,开始日期不能晚于它。")
    _raise(errors)
    m.full_clean()
    m.save()
    diff = audit.diff(before, _mentorship_snapshot(m))
    if diff:
        audit.record(actor=actor, action="studios.mentorship.update", obj=m, org=m.org, changes=diff)
    return m


@transaction.atomic
def participant_add(*, actor, mentorship: Mentorship, role: str, worker: Worker | None = None, name: str = "",
                    employer: str = "", job: str = "") -> MentorshipParticipant:
    _check_may_edit(actor, mentorship.org)
    errors: dict = {}
    if role not in ParticipantRole.values:
        errors["role"] = "请选择师傅或徒弟。"
    elif role == ParticipantRole.MENTOR and worker is None:
        errors["worker"] = "师傅须是劳模库中的劳模,请填写劳模编号或姓名。"
    if worker is not None:
        message = _worker_error(actor, worker)
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
    _raise(errors)
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
    _check_may_edit(actor, mentorship.org)
    errors: dict = {}
    if not (reason or "").strip():
        errors["reason"] = "请填写移除原因。"
    if mentorship.participants.filter(role=participant.role).count() <= 1:
        errors["participant"] = f"结对至少要有一名{participant.get_role_display()},不能移除最后一名。"
    elif participant.outcomes.exists():
        errors["participant"] = f"{participant.name} 已有培养成果记录,不能移除。"
    _raise(errors)
    audit.record(actor=actor, action="studios.mentorship.participant_remove", obj=participant, org=mentorship.org,
                 object_repr=f"{mentorship.title} {participant.name}",
                 changes={"role": participant.role, "reason": reason.strip()})
    participant.delete()


def may_log_checkin(actor, mentorship: Mentorship) -> bool:
    """Staff who may edit the unit, or a mentor of this pairing logging their own sessions (self-service)."""
    if actor is None:
        return True
    if has_capability(actor, "edit_business") and org_in_scope(actor, mentorship.org):
        return True
    return mentorship.participants.filter(role=ParticipantRole.MENTOR, worker__user=actor,
                                          worker__is_deleted=False).exists()


@transaction.atomic
def checkin_add(*, actor, mentorship: Mentorship, date: date | None, content: str, hours=None) -> MentorshipCheckin:
    if not may_log_checkin(actor, mentorship):
        raise PermissionDenied("只有本结对的师傅或所属工会的业务人员可以填写带徒记录。")
    errors: dict = {}
    if date is None:
        errors["date"] = "请填写日期。"
    else:
        _not_future(errors, "date", date, "日期")
        if date < mentorship.start_date:
            errors.setdefault("date", f"日期不能早于结对开始日期 {mentorship.start_date:%Y-%m-%d}。")
        if mentorship.end_date and date > mentorship.end_date:
            errors.setdefault("date", f"日期不能晚于结对结束日期 {mentorship.end_date:%Y-%m-%d}。")
    _required(errors, "content", content, "请填写带徒内容。")
    if hours not in (None, ""):
        try:
            hours = Decimal(str(hours))
        except InvalidOperation:
            errors["hours"] = "时长格式不正确。"
        else:
            if hours < 0 or hours > 24 or hours != hours.quantize(Decimal("0.1")):
                errors["hours"] = "时长须在 0–24 小时之间,最多一位小数。"
    else:
        hours = None
    _raise(errors)
    checkin = MentorshipCheckin(mentorship=mentorship, date=date, content=content.strip(), hours=hours,
                                recorded_by=actor)
    checkin.full_clean()
    checkin.save()
    audit.record(actor=actor, action="studios.mentorship.checkin", obj=checkin, org=mentorship.org,
                 object_repr=f"{mentorship.title} {date}", changes={"date": _iso(date), "hours": _iso(hours)})
    return checkin


@transaction.atomic
def outcome_add(*, actor, mentorship: Mentorship, apprentice: MentorshipParticipant | None, kind: str, result: str,
                achieved_date: date | None, certificate_no: str = "") -> MentorshipOutcome:
    """An apprentice's new skill level, certificate, title or award, with its date."""
    _check_may_edit(actor, mentorship.org)
    errors: dict = {}
    if apprentice is None or apprentice.mentorship_id != mentorship.pk or apprentice.role != ParticipantRole.APPRENTICE:
        errors["apprentice"] = "请选择本结对的徒弟。"
    if kind not in OutcomeKind.values:
        errors["kind"] = "请选择成果类别。"
    _required(errors, "result", result, "请填写新的技能等级或证书名称。")
    if achieved_date is None:
        errors["achieved_date"] = "请填写取得日期。"
    else:
        _not_future(errors, "achieved_date", achieved_date, "取得日期")
        if achieved_date < mentorship.start_date:
            errors.setdefault("achieved_date", f"取得日期不能早于结对开始日期 {mentorship.start_date:%Y-%m-%d}。")
    _raise(errors)
    outcome = MentorshipOutcome(mentorship=mentorship, apprentice=apprentice, kind=kind, result=result.strip(),
                                certificate_no=(certificate_no or "").strip(), achieved_date=achieved_date)
    outcome.full_clean()
    outcome.save()
    audit.record(actor=actor, action="studios.mentorship.outcome", obj=outcome, org=mentorship.org,
                 object_repr=f"{apprentice.name} {outcome.result}",
                 changes={"kind": kind, "achieved_date": _iso(achieved_date)})
    return outcome


@transaction.atomic
def mentorship_delete(*, actor, mentorship: Mentorship, reason: str) -> Mentorship:
    """Soft delete of a pairing entered by mistake (kept with the reason; the audit has the details)."""
    _check_may_edit(actor, mentorship.org)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写删除原因。"})
    mentorship.is_deleted, mentorship.deleted_at = True, timezone.now()
    mentorship.delete_reason = reason.strip()
    mentorship.save(update_fields=["is_deleted", "deleted_at", "delete_reason", "updated_at"])
    audit.record(actor=actor, action="studios.mentorship.delete", obj=mentorship, org=mentorship.org,
                 changes={"reason": reason.strip()})
    return mentorship


# --- technical help ------------------------------------------------------------------------------------------

TECH_HELP_FIELDS = ("kind", "topic", "target_type", "target_name", "date", "trainees_count", "problems_solved", "note",
                    "studio")


def _check_tech_help(actor, a: TechHelpActivity, errors: dict) -> None:
    if a.kind not in TechHelpKind.values:
        errors["kind"] = "请选择活动类型。"
    if a.target_type not in TargetType.values:
        errors["target_type"] = "请选择服务对象类型。"
    _required(errors, "topic", a.topic, "请填写活动主题。")
    _required(errors, "target_name", a.target_name, "请填写服务对象名称(企业、社区或学校)。")
    if a.date is None:
        errors["date"] = "请填写活动日期。"
    else:
        _not_future(errors, "date", a.date, "活动日期")
    if a.trainees_count is None or a.trainees_count < 0:
        errors["trainees_count"] = "受训人数不能为负数。"
    if a.studio_id:
        if actor is not None and not org_in_scope(actor, a.studio.org):
            errors.setdefault("studio", "该工作室不在您的数据范围内。")
        elif a.date and a.studio.revoked_date and a.date > a.studio.revoked_date:
            errors.setdefault("studio", f"{a.studio.name} 已于 {a.studio.revoked_date:%Y-%m-%d} 撤销。")
        elif a.date and a.date < a.studio.founded_date:
            errors.setdefault("studio", f"{a.studio.name} 创建于 {a.studio.founded_date:%Y-%m-%d},活动早于创建日期。")


def _check_participants(actor, people: list, added: list, errors: dict) -> None:
    """At least one worker; the ones newly added must be in the actor's scope (deceased allowed for old records)."""
    if not people:
        errors["participants"] = "请至少填写一名参与的劳模。"
    for worker in added:
        message = _worker_error(actor, worker, allow_deceased=True)
        if message:
            errors.setdefault("participants", message)


def _tech_help_snapshot(a: TechHelpActivity, participants=None) -> dict:
    snap = {f: _iso(getattr(a, f)) for f in TECH_HELP_FIELDS if f != "studio"}
    snap["studio"] = a.studio.name if a.studio_id else ""
    snap["org"] = a.org.code if a.org_id else ""
    if participants is not None:
        snap["participants"] = sorted(w.name for w in participants)
    return snap


@transaction.atomic
def tech_help_create(*, actor, org, kind: str, topic: str, target_type: str, target_name: str, date: date | None,
                     participants, trainees_count: int = 0, problems_solved: str = "", note: str = "",
                     studio: Studio | None = None) -> TechHelpActivity:
    _check_may_edit(actor, org)
    people = list(dict.fromkeys(participants or []))
    a = TechHelpActivity(org=org, studio=studio, kind=kind, topic=(topic or "").strip(), target_type=target_type,
                         target_name=(target_name or "").strip(), date=date, trainees_count=trainees_count,
                         problems_solved=(problems_solved or "").strip(), note=(note or "").strip())
    errors: dict = {}
    _check_tech_help(actor, a, errors)
    _check_participants(actor, people, people, errors)
    _raise(errors)
    a.full_clean()
    a.save()
    a.participants.set(people)
    audit.record(actor=actor, action="studios.tech_help.create", obj=a, org=org, changes=_tech_help_snapshot(a, people))
    return a


@transaction.atomic
def tech_help_update(*, actor, activity: TechHelpActivity, participants=None, **changes) -> TechHelpActivity:
    a = TechHelpActivity.objects.select_for_update(of=("self",)).select_related("org", "studio").get(pk=activity.pk)
    _check_may_edit(actor, a.org)
    before_people = list(a.participants.all())
    before = _tech_help_snapshot(a, before_people)
    if "org" in changes and changes["org"] != a.org:
        _check_may_edit(actor, changes["org"])
        a.org = changes["org"]
    changes.pop("org", None)
    for key, value in changes.items():
        if key not in TECH_HELP_FIELDS:
            raise TypeError(f"unknown activity field {key}")
        setattr(a, key, value.strip() if isinstance(value, str) else value)
    people = list(dict.fromkeys(participants)) if participants is not None else before_people
    errors: dict = {}
    _check_tech_help(actor, a, errors)
    # Workers already recorded may stay even if they are outside the editor's scope now.
    _check_participants(actor, people, [w for w in people if w not in before_people], errors)
    _raise(errors)
    a.full_clean()
    a.save()
    if participants is not None:
        a.participants.set(people)
    diff = audit.diff(before, _tech_help_snapshot(a, people))
    if diff:
        audit.record(actor=actor, action="studios.tech_help.update", obj=a, org=a.org, changes=diff)
    return a


@transaction.atomic
def tech_help_delete(*, actor, activity: TechHelpActivity, reason: str) -> TechHelpActivity:
    _check_may_edit(actor, activity.org)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写删除原因。"})
    activity.is_deleted, activity.deleted_at = True, timezone.now()
    activity.delete_reason = reason.strip()
    activity.save(update_fields=["is_deleted", "deleted_at", "delete_reason", "updated_at"])
    audit.record(actor=actor, action="studios.tech_help.delete", obj=activity, org=activity.org,
                 changes={"reason": reason.strip()})
    return activity
