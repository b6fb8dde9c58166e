"""What every write of 关爱劳模 shares: the edit check, the campaign-visible check, the open-campaign rule."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError

from laomo.core.actors import is_system
from laomo.core.permissions import require_edit
from laomo.workers.models import EmploymentStatus, Worker

from ..models import LIVING_STATUS_CHOICES, CareCampaign
from ..selectors import campaign_base

WHAT = "关爱慰问业务"
LIVING_STATUSES = {code for code, _ in LIVING_STATUS_CHOICES}


def check_edit(actor, org) -> None:
    """edit_business and `org` in the actor's scope (您没有维护关爱慰问业务的权限。); SYSTEM passes."""
    require_edit(actor, org, WHAT)


def check_campaign_visible(actor, campaign: CareCampaign) -> None:
    """A county clerk works in the campaigns of their unit and the units above it, never in another county's."""
    if is_system(actor):
        return
    if not campaign_base(actor).filter(pk=campaign.pk).exists():
        raise PermissionDenied("该活动不在您的数据范围内。")


def require_open(campaign: CareCampaign) -> None:
    if not campaign.is_open:
        raise ValidationError({"campaign": f"活动“{campaign.name}”已结束,不能再修改名单或登记发放。"})


def is_deceased_before(worker: Worker, day: date) -> bool:
    return (worker.employment_status == EmploymentStatus.DECEASED and worker.status_date is not None
            and worker.status_date < day)
