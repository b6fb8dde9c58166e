"""主题宣传活动: create, update, delete."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from laomo.core import audit
from laomo.core.updates import model_update, snapshot, soft_delete

from ..models import Campaign
from .common import WHAT, check_edit, text

CAMPAIGN_FIELDS = ("name", "theme", "start_date", "end_date", "org", "description")


def _clean_campaign(c: Campaign) -> None:
    errors = {}
    c.name, c.theme, c.description = text(c.name), text(c.theme), text(c.description)
    if not c.name:
        errors["name"] = "请填写活动名称。"
    if c.start_date is None:
        errors["start_date"] = "请填写开始日期。"
    if c.end_date is None:
        errors["end_date"] = "请填写结束日期。"
    if c.start_date and c.end_date and c.end_date < c.start_date:
        errors["end_date"] = "结束日期不能早于开始日期。"
    if errors:
        raise ValidationError(errors)


def campaign_check(*, actor, **data) -> None:
    _clean_campaign(Campaign(**{k: v for k, v in data.items() if k in CAMPAIGN_FIELDS}))


@transaction.atomic
def campaign_create(*, actor, org, name: str, start_date: date, end_date: date, theme: str = "",
                    description: str = "") -> Campaign:
    check_edit(actor, org)
    campaign = Campaign(org=org, name=name, theme=theme, start_date=start_date, end_date=end_date,
                        description=description)
    _clean_campaign(campaign)
    campaign.save()
    audit.record(actor=actor, action="outreach.campaign.create", obj=campaign, org=org,
                 changes=snapshot(campaign, CAMPAIGN_FIELDS))
    return campaign


def _clean_with_lectures(campaign: Campaign) -> None:
    _clean_campaign(campaign)
    outside = campaign.lectures.filter(is_deleted=False).exclude(date__range=(campaign.start_date, campaign.end_date))
    if outside.exists():
        raise ValidationError({"start_date": f"活动下有 {outside.count()} 场宣讲不在新的期间内,请先调整宣讲日期。"})


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, **changes) -> Campaign:
    return model_update(campaign, fields=CAMPAIGN_FIELDS, data=changes, actor=actor,
                        action="outreach.campaign.update", what=WHAT, clean=_clean_with_lectures)


def _check_unused(campaign: Campaign) -> None:
    used = (campaign.lectures.filter(is_deleted=False).count() + campaign.media_items.filter(is_deleted=False).count()
            + campaign.sessions.filter(is_deleted=False).count())
    if used:
        raise ValidationError({"reason": f"该活动下还有 {used} 条宣讲、传播或班前十分钟记录,不能删除。"})


def campaign_delete(*, actor, campaign: Campaign, reason: str) -> Campaign:
    return soft_delete(campaign, actor=actor, action="outreach.campaign.delete", reason=reason, what=WHAT,
                       check=_check_unused)
