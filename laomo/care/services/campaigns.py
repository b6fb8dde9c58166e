"""Care campaigns and their recipient lists (慰问活动与慰问名单)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from laomo.core import audit
from laomo.core.actors import person
from laomo.core.money import money_str, parse_money
from laomo.core.updates import lock, model_update, plain
from laomo.core.years import check_year
from laomo.orgs.models import OrgUnit
from laomo.workers.models import EmploymentStatus, Worker

from ..models import (
    IN_HARDSHIP,
    CampaignStatus,
    CareCampaign,
    CareRecipient,
    RecipientSource,
    RecipientStatus,
    VisitType,
)
from ..selectors import eligible_workers, hardship_level_asof
from .common import LIVING_STATUSES, WHAT, check_campaign_visible, check_edit, require_open

# --- campaigns --------------------------------------------------------------------------------------------

CAMPAIGN_FIELDS = (
    "name", "year", "visit_type", "start_date", "end_date", "budget", "fund_source", "min_level_rank", "statuses",
    "hardship_only", "amount_national", "amount_provincial", "amount_municipal", "amount_county", "hardship_extra",
    "note",
)
CAMPAIGN_MONEY = ("budget", "amount_national", "amount_provincial", "amount_municipal", "amount_county",
                  "hardship_extra")


def _campaign_snapshot(c: CareCampaign) -> dict:
    snap = {f: getattr(c, f) for f in CAMPAIGN_FIELDS if f != "note"}
    snap.update({f: money_str(getattr(c, f)) for f in CAMPAIGN_MONEY})
    snap["org"] = c.org.code if c.org_id else ""
    snap["status"] = c.status
    return {k: plain(v) for k, v in snap.items()}


def _clean_campaign(c: CareCampaign) -> None:
    errors = {}
    c.name = (c.name or "").strip()
    if not c.name:
        errors["name"] = "请填写活动名称。"
    try:
        c.year = check_year(c.year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if c.visit_type not in VisitType.values:
        errors["visit_type"] = "请选择慰问类型。"
    if not c.start_date:
        errors["start_date"] = "请填写开始日期。"
    if not c.end_date:
        errors["end_date"] = "请填写结束日期。"
    if c.start_date and c.end_date and c.end_date < c.start_date:
        errors["end_date"] = "结束日期不能早于开始日期。"
    if c.start_date and isinstance(c.year, int) and abs(c.start_date.year - c.year) > 1:
        errors["start_date"] = f"活动期间应在{c.year}年前后。"
    for name in CAMPAIGN_MONEY:
        label = CareCampaign._meta.get_field(name).verbose_name
        try:
            setattr(c, name, parse_money(getattr(c, name), field=name, label=str(label).split("(")[0]))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if c.min_level_rank not in (1, 2, 3, 4):
        errors["min_level_rank"] = "请选择最低荣誉级别。"
    statuses = list(c.statuses or [])
    if set(statuses) - LIVING_STATUSES:
        errors["statuses"] = "在职状态无效(去世劳模不在慰问名单中)。"
    c.statuses = [s for s in EmploymentStatus.values if s in statuses]
    if "budget" not in errors and c.pk and c.budget < c.paid_total:
        errors["budget"] = f"预算不能低于已发放金额 {money_str(c.paid_total)} 元。"
    if c.org_id is None:
        errors["org"] = "请选择组织单位。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(*, actor, org: OrgUnit, **fields) -> CareCampaign:
    check_edit(actor, org)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields {sorted(unknown)}")
    campaign = CareCampaign(org=org, created_by=person(actor), **fields)
    _clean_campaign(campaign)
    campaign.save()
    audit.record(actor=actor, action="care.campaign.create", obj=campaign, org=org,
                 changes=_campaign_snapshot(campaign))
    return campaign


def campaign_update(*, actor, campaign: CareCampaign, **changes) -> CareCampaign:
    """Change a campaign; its unit only while it has no list and no visit (they belong to the unit's workers)."""
    if changes.get("org") is None:
        changes.pop("org", None)
    new_org = changes.get("org")

    def check(locked: CareCampaign) -> None:
        moved = new_org is not None and new_org.pk != locked.org_id
        if moved and (locked.recipients.exists() or locked.visits.exists()):
            check_edit(actor, new_org)
            raise ValidationError({"org": "已生成名单或登记慰问的活动不能更换组织单位。"})

    return model_update(campaign, fields=(*CAMPAIGN_FIELDS, "org"), data=changes, actor=actor,
                        action="care.campaign.update", what=WHAT, clean=_clean_campaign, snap=_campaign_snapshot,
                        check=check)


@transaction.atomic
def campaign_set_status(*, actor, campaign: CareCampaign, status: str) -> CareCampaign:
    if status not in CampaignStatus.values:
        raise ValidationError({"status": "未知的活动状态。"})
    campaign = lock(campaign, "org")
    check_edit(actor, campaign.org)
    if campaign.status != status:
        before = campaign.status
        campaign.status = status
        campaign.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="care.campaign.status", obj=campaign, org=campaign.org,
                     changes={"status": [before, status]})
    return campaign


# --- recipients -------------------------------------------------------------------------------------------


@dataclass
class GenerateResult:
    added: int = 0
    updated: int = 0
    excluded: int = 0
    total: int = 0

    def as_dict(self) -> dict:
        return {"added": self.added, "updated": self.updated, "excluded": self.excluded, "total": self.total}


@transaction.atomic
def recipients_generate(*, actor, campaign: CareCampaign) -> GenerateResult:
    """Build the recipient list from the campaign's rule within its unit (living workers only).

    Idempotent: new eligible workers are added, untouched generated rows follow the rule (amount, level,
    hardship), generated rows no longer eligible are moved out unless paid; rows adjusted by hand stay.
    """
    campaign = lock(campaign, "org")
    check_edit(actor, campaign.org)
    require_open(campaign)
    eligible = {w.pk: w for w in eligible_workers(campaign)}
    existing = {r.worker_id: r for r in campaign.recipients.all()}
    paid = set(campaign.visits.filter(is_void=False, amount__gt=0).values_list("worker_id", flat=True))
    result = GenerateResult()
    to_create, to_update = [], []
    for wid, w in eligible.items():
        in_hardship = w.hardship_level_asof in IN_HARDSHIP
        amount = campaign.standard_amount(w.highest_level_rank, in_hardship)
        r = existing.get(wid)
        if r is None:
            to_create.append(CareRecipient(
                campaign=campaign, worker_id=wid, org_id=w.org_id, level_rank=w.highest_level_rank,
                in_hardship=in_hardship, planned_amount=amount))
            continue
        if r.adjusted:
            continue
        new = (RecipientStatus.INCLUDED, w.org_id, w.highest_level_rank, in_hardship, amount)
        if (r.status, r.org_id, r.level_rank, r.in_hardship, r.planned_amount) != new:
            r.status, r.org_id, r.level_rank, r.in_hardship, r.planned_amount = new
            r.reason = ""
            to_update.append(r)
            result.updated += 1
    for wid, r in existing.items():
        if (wid not in eligible and r.source == RecipientSource.GENERATED and not r.adjusted
                and r.status == RecipientStatus.INCLUDED and wid not in paid):
            r.status = RecipientStatus.EXCLUDED
            r.reason = "重新生成名单时已不符合条件"
            to_update.append(r)
            result.excluded += 1
    CareRecipient.objects.bulk_create(to_create, batch_size=500)
    CareRecipient.objects.bulk_update(
        to_update, ["status", "org", "level_rank", "in_hardship", "planned_amount", "reason", "updated_at"],
        batch_size=500)
    result.added = len(to_create)
    result.total = campaign.recipients.filter(status=RecipientStatus.INCLUDED).count()
    audit.record(actor=actor, action="care.recipient.generate", obj=campaign, org=campaign.org,
                 changes=result.as_dict())
    return result


def _recipient_scope(actor, campaign: CareCampaign, org: OrgUnit) -> None:
    """Adjusting a row: the worker's unit in the actor's scope, and the campaign visible to the actor."""
    check_edit(actor, org)
    check_campaign_visible(actor, campaign)


@transaction.atomic
def recipient_add(*, actor, campaign: CareCampaign, worker: Worker, reason: str,
                  planned_amount=None) -> CareRecipient:
    campaign = lock(campaign, "org")
    worker = Worker.objects.select_related("org").get(pk=worker.pk)
    _recipient_scope(actor, campaign, worker.org)
    require_open(campaign)
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "请填写添加原因。"
    if worker.is_deleted or not worker.org.is_within(campaign.org):
        errors["worker"] = f"该劳模不属于{campaign.org.name},不能列入本活动名单。"
    elif worker.employment_status == EmploymentStatus.DECEASED:
        errors["worker"] = f"该劳模已于 {worker.status_date:%Y-%m-%d} 去世,不能列入慰问名单。"
    in_hardship = hardship_level_asof(worker, campaign.end_date) in IN_HARDSHIP
    try:
        amount = parse_money(planned_amount, field="planned_amount", label="计划金额", allow_none=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        amount = None
    if amount is None:
        amount = campaign.standard_amount(worker.highest_level_rank, in_hardship)
    existing = CareRecipient.objects.filter(campaign=campaign, worker=worker).first()
    if existing is not None and existing.status == RecipientStatus.INCLUDED:
        errors["worker"] = f"{worker.name} 已在名单中。"
    if errors:
        raise ValidationError(errors)
    if existing is None:
        recipient = CareRecipient(campaign=campaign, worker=worker, org=worker.org, source=RecipientSource.MANUAL)
    else:
        recipient = existing
    recipient.status = RecipientStatus.INCLUDED
    recipient.level_rank = worker.highest_level_rank
    recipient.in_hardship = in_hardship
    recipient.planned_amount = amount
    recipient.adjusted = True
    recipient.reason = reason[:200]
    recipient.save()
    audit.record(actor=actor, action="care.recipient.add", obj=recipient, org=recipient.org,
                 object_repr=f"{campaign.name} · {worker.name}",
                 changes={"planned_amount": money_str(amount), "reason": reason[:200]})
    return recipient


@transaction.atomic
def recipient_adjust(*, actor, recipient: CareRecipient, reason: str, status: str | None = None,
                     planned_amount=None) -> CareRecipient:
    """Move a worker out of (or back into) the list, or change the planned amount; a reason is required."""
    campaign = lock(CareCampaign(pk=recipient.campaign_id), "org")
    recipient = lock(recipient, "worker", "org")
    _recipient_scope(actor, campaign, recipient.org)
    require_open(campaign)
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "请填写调整原因。"
    if status is not None and status not in RecipientStatus.values:
        errors["status"] = "未知的名单状态。"
    amount = None
    if planned_amount not in (None, ""):
        try:
            amount = parse_money(planned_amount, field="planned_amount", label="计划金额")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if status is None and amount is None and "planned_amount" not in errors:
        errors["status"] = "请选择调整内容(移出名单、恢复或修改金额)。"
    paid = campaign.visits.filter(worker=recipient.worker_id, is_void=False, amount__gt=0).first()
    if status == RecipientStatus.EXCLUDED and paid is not None:
        errors["status"] = "该劳模已发放慰问金,不能移出名单;如需更正请先作废慰问记录。"
    if status == RecipientStatus.INCLUDED and recipient.worker.employment_status == EmploymentStatus.DECEASED:
        errors["status"] = "该劳模已去世,不能恢复到慰问名单。"
    if errors:
        raise ValidationError(errors)
    before = {"status": recipient.status, "planned_amount": money_str(recipient.planned_amount)}
    if status is not None:
        recipient.status = status
    if amount is not None:
        recipient.planned_amount = amount
    recipient.adjusted = True
    recipient.reason = reason[:200]
    recipient.save()
    after = {"status": recipient.status, "planned_amount": money_str(recipient.planned_amount)}
    audit.record(actor=actor, action="care.recipient.adjust", obj=recipient, org=recipient.org,
                 object_repr=f"{campaign.name} · {recipient.worker.name}",
                 changes={**audit.diff(before, after), "reason": reason[:200]})
    return recipient


