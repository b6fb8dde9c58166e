"""Service teams (two levels at most) and their members."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from laomo.core import audit
from laomo.core.actors import is_system
from laomo.core.idnumber import mask_phone
from laomo.core.permissions import require_edit
from laomo.core.scope import org_in_scope
from laomo.core.services import notify
from laomo.core.updates import lock, model_update, plain
from laomo.orgs.models import OrgUnit

from ..models import RequestStatus, ServiceTeam, TeamMember, TeamType
from .common import WHAT, clean_phone, leads_team, require_team_manager, text, today

TEAM_FIELDS = ("name", "team_type", "base", "description", "founded_on", "leader")


def _team_snapshot(team: ServiceTeam) -> dict:
    return {"name": team.name, "team_type": team.team_type, "org": team.org.code,
            "parent": team.parent_id, "base": team.base, "leader": team.leader.username if team.leader_id else "",
            "founded_on": plain(team.founded_on), "dissolved_on": plain(team.dissolved_on),
            "is_active": team.is_active}


def _validate_team(team: ServiceTeam) -> None:
    if team.team_type not in TeamType.values:
        raise ValidationError({"team_type": "请选择服务类型。"})
    if team.parent_id:
        parent = team.parent
        if parent.parent_id:
            raise ValidationError({"parent": "服务队最多两级:上级服务队本身不能是分队。"})
        if not team.org.is_within(parent.org):
            raise ValidationError({"parent": "分队所属单位须在上级服务队的单位之内。"})
        if team.pk and parent.pk == team.pk:
            raise ValidationError({"parent": "服务队不能是自己的上级。"})
    if team.leader_id and not team.leader.has_role("team_leader"):
        raise ValidationError({"leader": "队长账号须具有“服务队队长”角色。"})
    if team.founded_on and team.founded_on > today():
        raise ValidationError({"founded_on": "成立日期不能晚于今天。"})
    clash = ServiceTeam.objects.filter(org=team.org, name=team.name, is_deleted=False).exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": f"{team.org.name}已有同名服务队“{team.name}”。"})


def _clean_team(team: ServiceTeam) -> None:
    _validate_team(team)
    team.full_clean()


@transaction.atomic
def team_create(*, actor, org: OrgUnit, name: str, team_type: str, founded_on: date, parent: ServiceTeam | None = None,
                base: str = "", description: str = "", leader=None) -> ServiceTeam:
    require_edit(actor, org, WHAT)
    team = ServiceTeam(org=org, name=text(name, "name", "队伍名称", 100), team_type=team_type, parent=parent,
                       base=(base or "").strip(), description=(description or "").strip(), leader=leader,
                       founded_on=founded_on)
    _clean_team(team)
    team.save()
    audit.record(actor=actor, action="volunteering.team.create", obj=team, org=org, changes=_team_snapshot(team))
    if leader is not None:
        notify(recipients=[leader], text=f"您已被设为“{team.name}”队长", url=reverse("volunteering:team_detail",
                                                                                     args=[team.pk]))
    return team


def team_update(*, actor, team: ServiceTeam, **changes) -> ServiceTeam:
    data = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    return model_update(team, fields=(*TEAM_FIELDS, "org", "parent"), data=data, actor=actor,
                        action="volunteering.team.update", what=WHAT, clean=_clean_team, snap=_team_snapshot)


@transaction.atomic
def team_dissolve(*, actor, team: ServiceTeam, dissolved_on: date, reason: str) -> ServiceTeam:
    """Teams are never deleted: a dissolved team keeps its records and counts until its dissolution date."""
    team = lock(team, "org")
    require_edit(actor, team.org, WHAT)
    reason = text(reason, "reason", "撤销原因", 200)
    if dissolved_on < team.founded_on:
        raise ValidationError({"dissolved_on": "撤销日期不能早于成立日期。"})
    if team.children.filter(is_active=True, is_deleted=False).exists():
        raise ValidationError({"dissolved_on": "请先撤销其下属分队。"})
    if team.requests.filter(status__in=[RequestStatus.DISPATCHED, RequestStatus.ACCEPTED]).exists():
        raise ValidationError({"dissolved_on": "该队还有未办结的点单,请先改派。"})
    team.is_active, team.dissolved_on = False, dissolved_on
    team.save(update_fields=["is_active", "dissolved_on", "updated_at"])
    audit.record(actor=actor, action="volunteering.team.dissolve", obj=team, org=team.org,
                 changes={"dissolved_on": dissolved_on.isoformat(), "reason": reason})
    return team


def _new_member(team: ServiceTeam, *, actor, worker, name: str, phone: str, duty: str, joined_on) -> TeamMember:
    if worker is not None:
        if not (is_system(actor) or org_in_scope(actor, worker.org) or leads_team(actor, team)):
            raise PermissionDenied("该劳模不在您的数据范围内。")
        if team.members.filter(worker=worker, is_active=True).exists():
            raise ValidationError({"worker": f"{worker.name} 已是本队队员。"})
        name, phone = worker.name, ""
    else:
        name = text(name, "name", "队员姓名", 50)
        phone = clean_phone(phone)
    return TeamMember(team=team, worker=worker, name=name, phone=phone, phone_masked=mask_phone(phone) if phone else "",
                      duty=(duty or "").strip()[:50], joined_on=joined_on or today())


@transaction.atomic
def member_add(*, actor, team: ServiceTeam, worker=None, name: str = "", phone: str = "", duty: str = "",
               joined_on: date | None = None) -> TeamMember:
    require_team_manager(actor, team)
    if not team.is_active:
        raise ValidationError({"worker": "该服务队已撤销,不能再添加队员。"})
    if joined_on is not None and joined_on > today():
        raise ValidationError({"joined_on": "加入日期不能晚于今天。"})
    member = _new_member(team, actor=actor, worker=worker, name=name, phone=phone, duty=duty, joined_on=joined_on)
    member.full_clean()
    member.save()
    audit.record(actor=actor, action="volunteering.team.member_add", obj=team, org=team.org,
                 changes={"member": member.name, "worker_no": worker.worker_no if worker else "",
                          "phone": member.phone_masked})
    if worker is not None and worker.user_id:
        notify(recipients=[worker.user], text=f"您已加入志愿服务队“{team.name}”", url=reverse("volunteering:me"))
    return member


@transaction.atomic
def member_remove(*, actor, member: TeamMember, left_on: date | None = None, reason: str = "") -> TeamMember:
    member = lock(member, "team__org")
    require_team_manager(actor, member.team)
    if not member.is_active:
        raise ValidationError({"member": "该队员已退出。"})
    if left_on is not None and not member.joined_on <= left_on <= today():
        raise ValidationError({"left_on": "退出日期应在加入日期到今天之间。"})
    member.is_active, member.left_on = False, left_on or today()
    member.save(update_fields=["is_active", "left_on", "updated_at"])
    audit.record(actor=actor, action="volunteering.team.member_remove", obj=member.team, org=member.team.org,
                 changes={"member": member.name, "reason": (reason or "").strip()[:200]})
    return member
