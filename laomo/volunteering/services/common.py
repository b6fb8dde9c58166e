"""What every part of the volunteering services shares: the clock, the edit rules (staff of the unit, a
team's leader) and the small input checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from laomo.core import clock
from laomo.core.actors import is_system
from laomo.core.idnumber import PhoneError, normalize_phone
from laomo.core.permissions import has_capability, require_edit
from laomo.core.scope import org_in_scope
from laomo.orgs.models import OrgUnit

from ..models import ServiceTeam

WHAT = "志愿服务数据"  # the business named in a refusal: 您没有维护志愿服务数据的权限。


def now():
    """The current time; demo data runs the services at past moments with `at(moment)` (core.clock)."""
    return clock.now()


def today() -> date:
    return timezone.localdate(now())


at = clock.at


def mask_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def leads_team(actor, team: ServiceTeam | None) -> bool:
    """The actor leads the team or its parent team."""
    if team is None or not has_capability(actor, "lead_team"):
        return False
    if team.leader_id == actor.pk:
        return True
    return bool(team.parent_id and ServiceTeam.objects.filter(pk=team.parent_id, leader_id=actor.pk).exists())


def is_staff_for(actor, org: OrgUnit) -> bool:
    """Staff who may edit the unit's business (the system always)."""
    return is_system(actor) or (has_capability(actor, "edit_business") and org_in_scope(actor, org))


def require_team_manager(actor, team: ServiceTeam) -> None:
    """Staff of the team's unit, or the team's leader."""
    if leads_team(actor, team):
        return
    require_edit(actor, team.org, "该服务队")


def clean_phone(value: str, field: str = "phone", required: bool = False) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError({field: "请填写联系电话。"})
        return ""
    try:
        return normalize_phone(value)
    except PhoneError as exc:
        raise ValidationError({field: str(exc)}) from exc


def text(value, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}。"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 个字(当前 {len(value)} 个)。"})
    return value


def parse_hours(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"volunteers": f"时长“{value}”不是有效的小时数。"}) from exc
    if amount <= 0 or amount > 24:
        raise ValidationError({"volunteers": "每人每次志愿服务时长应大于0且不超过24小时。"})
    return amount
