"""Writes of 关爱劳模. Every function validates (Chinese messages keyed by field), checks the actor's scope,
saves and audits in one transaction; the database constraints stand behind the checks.

Money rules: one paid visit per worker per campaign, no payment to a worker deceased before the visit date,
a campaign's paid total never above its budget. A visit locks its campaign row (SELECT … FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions serialize writers) and re-sums the paid visits before it
writes, so two clerks paying at the same moment cannot both pass the budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from laomo.core import audit
from laomo.core.money import fen_sum, money_str, parse_money, yuan
from laomo.core.permissions import has_capability
from laomo.core.scope import ensure_org_in_scope
from laomo.core.services import notify
from laomo.orgs.models import OrgKind, OrgUnit
from laomo.workers.models import EmploymentStatus, Worker

from .models import (
    IN_HARDSHIP,
    INSURANCE_CHOICES,
    LIVING_STATUS_CHOICES,
    ZERO,
    BenefitGrant,
    BenefitType,
    CampaignStatus,
    CareCampaign,
    CareRecipient,
    CareVisit,
    DictItem,
    DictKind,
    HardshipLevel,
    HardshipRequirement,
    HardshipSurvey,
    HousingType,
    PaymentMethod,
    RecipientSource,
    RecipientStatus,
    RoundStatus,
    SurveyRound,
    SurveyStatus,
    VerificationMethod,
    VisitMethod,
    VisitType,
    WorkerBankAccount,
)

LIVING_STATUSES = {code for code, _ in LIVING_STATUS_CHOICES}


# --- common checks ----------------------------------------------------------------------------------------


def _check_edit(actor, org: OrgUnit) -> None:
    """Management commands and demo data run as the system (actor None)."""
    if actor is None:
        return
    if not has_capability(actor, "edit_business"):
        raise PermissionDenied("您没有维护关爱慰问业务的权限。")
    ensure_org_in_scope(actor, org)


def _check_dictionary(actor) -> None:
    if actor is not None and not has_capability(actor, "manage_dictionary"):
        raise PermissionDenied("您没有维护数据字典的权限。")


def _today() -> date:
    return timezone.localdate()


def _year_ok(year, field_name: str = "year") -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({field_name: "请填写年度。"})
    if not 2000 <= year <= _today().year + 1:
        raise ValidationError({field_name: f"年度应在 2000 至 {_today().year + 1} 之间。"})
    return year


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def is_deceased_before(worker: Worker, day: date) -> bool:
    return (worker.employment_status == EmploymentStatus.DECEASED and worker.status_date is not None
            and worker.status_date < day)


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
    return {k: _iso(v) for k, v in snap.items()}


def _clean_campaign(c: CareCampaign) -> None:
    errors = {}
    c.name = (c.name or "").strip()
    if not c.name:
        errors["name"] = "请填写活动名称。"
    try:
        c.year = _year_ok(c.year)
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
    _raise(errors)


@transaction.atomic
def campaign_create(*, actor, org: OrgUnit, **fields) -> CareCampaign:
    _check_edit(actor, org)
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields {sorted(unknown)}")
    campaign = CareCampaign(org=org, created_by=actor if actor is not None else None, **fields)
    _clean_campaign(campaign)
    campaign.save()
    audit.record(actor=actor, action="care.campaign.create", obj=campaign, org=org,
                 changes=_campaign_snapshot(campaign))
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: CareCampaign, **changes) -> CareCampaign:
    campaign = CareCampaign.objects.select_for_update(of=("self",)).select_related("org").get(pk=campaign.pk)
    _check_edit(actor, campaign.org)
    before = _campaign_snapshot(campaign)
    new_org = changes.pop("org", None)
    if new_org is not None and new_org.pk != campaign.org_id:
        _check_edit(actor, new_org)
        if campaign.recipients.exists() or campaign.visits.exists():
            raise ValidationError({"org": "已生成名单或登记慰问的活动不能更换组织单位。"})
        campaign.org = new_org
    for key, value in changes.items():
        if key not in CAMPAIGN_FIELDS:
            raise TypeError(f"unknown campaign field {key}")
        setattr(campaign, key, value)
    _clean_campaign(campaign)
    campaign.save()
    diff = audit.diff(before, _campaign_snapshot(campaign))
    if diff:
        audit.record(actor=actor, action="care.campaign.update", obj=campaign, org=campaign.org, changes=diff)
    return campaign


@transaction.atomic
def campaign_set_status(*, actor, campaign: CareCampaign, status: str) -> CareCampaign:
    if status not in CampaignStatus.values:
        raise ValidationError({"status": "未知的活动状态。"})
    campaign = CareCampaign.objects.select_for_update(of=("self",)).select_related("org").get(pk=campaign.pk)
    _check_edit(actor, campaign.org)
    if campaign.status != status:
        before = campaign.status
        campaign.status = status
        campaign.save(update_fields=["status", "updated_at"])
        audit.record(actor=actor, action="care.campaign.status", obj=campaign, org=campaign.org,
                     changes={"status": [before, status]})
    return campaign


def _require_open(campaign: CareCampaign) -> None:
    if not campaign.is_open:
        raise ValidationError({"campaign": f"活动“{campaign.name}”已结束,不能再修改名单或登记发放。"})


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
    from .selectors import eligible_workers

    campaign = CareCampaign.objects.select_for_update(of=("self",)).select_related("org").get(pk=campaign.pk)
    _check_edit(actor, campaign.org)
    _require_open(campaign)
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
    _check_edit(actor, org)
    if actor is not None:
        from .selectors import campaign_base

        if not campaign_base(actor).filter(pk=campaign.pk).exists():
            raise PermissionDenied("该活动不在您的数据范围内。")


@transaction.atomic
def recipient_add(*, actor, campaign: CareCampaign, worker: Worker, reason: str,
                  planned_amount=None) -> CareRecipient:
    from .selectors import hardship_level_asof

    campaign = CareCampaign.objects.select_for_update(of=("self",)).select_related("org").get(pk=campaign.pk)
    worker = Worker.objects.select_related("org").get(pk=worker.pk)
    _recipient_scope(actor, campaign, worker.org)
    _require_open(campaign)
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "请填写添加原因。"
    if worker.is_deleted or not worker.org.path.startswith(campaign.org.path):
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
    _raise(errors)
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
    campaign = CareCampaign.objects.select_for_update(of=("self",)).select_related("org").get(pk=recipient.campaign_id)
    recipient = (CareRecipient.objects.select_for_update(of=("self",))
        .select_related("worker", "org").get(pk=recipient.pk))
    _recipient_scope(actor, campaign, recipient.org)
    _require_open(campaign)
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
    _raise(errors)
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


# --- bank accounts ----------------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789", "0123456789")


def normalize_account(value: str) -> str:
    number = re.sub(r"[\s\-]", "", (value or "").translate(_FULLWIDTH))
    if not re.fullmatch(r"[0-9]{10,30}", number):
        raise ValidationError({"bank_account": "银行账号应为10至30位数字。"})
    return number


def mask_account(number: str) -> str:
    return f"{number[:4]}****{number[-4:]}" if len(number) > 8 else "****"


@transaction.atomic
def bank_account_set(*, actor, worker: Worker, bank_name: str, account_number: str) -> WorkerBankAccount:
    """Register the worker's own account (money goes straight to it); stored encrypted, audited masked."""
    worker = Worker.objects.select_related("org").get(pk=worker.pk)
    _check_edit(actor, worker.org)
    errors = {}
    bank_name = (bank_name or "").strip()
    if not bank_name:
        errors["bank_name"] = "请填写开户银行。"
    try:
        number = normalize_account(account_number)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        number = ""
    _raise(errors)
    account = WorkerBankAccount.objects.select_for_update(of=("self",)).filter(worker=worker).first()
    before = {"bank_name": account.bank_name, "account": account.account_masked} if account else {}
    if account is None:
        account = WorkerBankAccount(worker=worker)
    account.bank_name = bank_name[:100]
    account.account_number = number
    account.account_masked = mask_account(number)
    account.save()
    after = {"bank_name": account.bank_name, "account": account.account_masked}
    audit.record(actor=actor, action="care.bank_account.set", obj=account, org=worker.org,
                 object_repr=f"{worker.name} 银行账户", changes=audit.diff(before, after))
    return account


@transaction.atomic
def bank_accounts_bulk_set(*, actor, accounts) -> int:
    """Register many workers' own accounts at once (e.g. from the bank's roster of 工资卡/社保卡 accounts):
    `accounts` is [(worker, bank_name, account_number)]. All or nothing; one audit entry for the batch."""
    rows, errors = [], []
    for worker, bank_name, number in accounts:
        _check_edit(actor, worker.org)
        try:
            normalized = normalize_account(number)
        except ValidationError:
            errors.append(f"{worker.name}:银行账号应为10至30位数字")
            continue
        if not (bank_name or "").strip():
            errors.append(f"{worker.name}:请填写开户银行")
            continue
        rows.append((worker, bank_name.strip()[:100], normalized))
    if errors:
        raise ValidationError({"accounts": errors})
    existing = {a.worker_id: a for a in WorkerBankAccount.objects.filter(worker__in=[w for w, _, _ in rows])}
    new, changed = [], []
    for worker, bank_name, number in rows:
        account = existing.get(worker.pk) or WorkerBankAccount(worker=worker)
        account.bank_name, account.account_number, account.account_masked = bank_name, number, mask_account(number)
        (changed if account.pk else new).append(account)
    WorkerBankAccount.objects.bulk_create(new, batch_size=500)
    WorkerBankAccount.objects.bulk_update(changed, ["bank_name", "account_number", "account_masked", "updated_at"],
                                          batch_size=500)
    audit.record(actor=actor, action="care.bank_account.bulk_set", object_type="care.workerbankaccount",
                 object_repr=f"{len(rows)} 个账户", changes={"created": len(new), "updated": len(changed)})
    return len(rows)


def bank_account_reveal(*, actor, visit: CareVisit) -> str:
    """The full account number of a transfer, for a user allowed to reveal PII; audited."""
    if not has_capability(actor, "reveal_pii"):
        raise PermissionDenied("您没有查看完整个人信息的权限。")
    ensure_org_in_scope(actor, visit.org)
    audit.record(actor=actor, action="core.pii.reveal", obj=visit, org=visit.org,
                 changes={"field": "bank_account", "masked": visit.bank_account_masked})
    return visit.bank_account


# --- visits -----------------------------------------------------------------------------------------------


def campaign_paid_total(campaign_id: int) -> Decimal:
    """The campaign's paid total, re-summed from its visits (exact, in fen)."""
    fen = CareVisit.objects.filter(campaign_id=campaign_id, is_void=False, amount__gt=0).aggregate(
        t=fen_sum("amount"))["t"]
    return yuan(fen)


@dataclass
class VisitInput:
    worker: Worker
    visit_date: date | None
    method: str
    campaign: CareCampaign | None = None
    visit_type: str = ""
    visitors: str = ""
    amount: object = "0"
    goods: str = ""
    payment_method: str = PaymentMethod.NONE
    bank_name: str = ""
    bank_account: str = ""
    receipt_signed: bool = False
    receipt_no: str = ""
    note: str = ""
    # filled by visit_check
    clean_amount: Decimal = ZERO
    account_number: str = ""
    account_bank: str = ""
    save_account: bool = False
    errors: dict = field(default_factory=dict)


def visit_check(data: VisitInput, *, paid_total: Decimal | None = None) -> VisitInput:
    """Validate a visit; fills `errors` (field → message) and the cleaned values. No writes.

    `paid_total` is the campaign's paid total re-summed under the lock; without it (inline checks) the
    stored total is used.
    """
    errors = data.errors
    worker, campaign = data.worker, data.campaign
    try:
        data.clean_amount = parse_money(data.amount, label="慰问金额")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        data.clean_amount = ZERO
    amount = data.clean_amount
    if campaign is not None:
        data.visit_type = campaign.visit_type
    if data.visit_type not in VisitType.values:
        errors["visit_type"] = "请选择慰问类型。"
    if data.method not in VisitMethod.values:
        errors["method"] = "请选择慰问方式。"
    if data.payment_method not in PaymentMethod.values:
        errors["payment_method"] = "请选择发放方式。"
    if not data.visit_date:
        errors["visit_date"] = "请填写慰问日期。"
    elif data.visit_date > _today():
        errors["visit_date"] = "慰问日期不能晚于今天。"
    if worker.is_deleted:
        errors["worker"] = "该劳模档案已删除。"
    if campaign is not None:
        if not campaign.is_open:
            errors["campaign"] = f"活动“{campaign.name}”已结束,不能再登记发放。"
        if data.visit_date and not campaign.start_date <= data.visit_date <= campaign.end_date:
            errors["visit_date"] = (f"慰问日期须在活动期间({campaign.start_date:%Y-%m-%d} 至 "
                                    f"{campaign.end_date:%Y-%m-%d})内。")
        recipient = CareRecipient.objects.filter(campaign=campaign, worker=worker).first()
        if recipient is None or recipient.status != RecipientStatus.INCLUDED:
            errors["worker"] = f"{worker.name} 不在“{campaign.name}”的慰问名单中,请先在名单中添加并填写原因。"
    if data.visit_date and worker.employment_status == EmploymentStatus.DECEASED and worker.status_date:
        if worker.status_date < data.visit_date:
            if amount > 0:
                errors["worker"] = (f"{worker.name} 已于 {worker.status_date:%Y-%m-%d} 去世,"
                                    "不能在去世后向其发放慰问金。")
            elif data.visit_type != VisitType.BEREAVEMENT:
                errors["worker"] = f"{worker.name} 已于 {worker.status_date:%Y-%m-%d} 去世,只能登记吊唁。"
    # payment
    if amount > 0 and data.payment_method == PaymentMethod.NONE:
        errors["payment_method"] = "发放慰问金时请选择发放方式(转账至本人账户或现金签收)。"
    if amount == 0 and data.payment_method in (PaymentMethod.TRANSFER, PaymentMethod.CASH) \
            and "amount" not in errors:
        errors["amount"] = "选择了发放方式,请填写慰问金额。"
    if amount > 0 and data.payment_method == PaymentMethod.TRANSFER:
        if data.bank_account.strip():
            try:
                data.account_number = normalize_account(data.bank_account)
            except ValidationError as exc:
                errors.update(exc.message_dict)
            data.account_bank = data.bank_name.strip()
            if not data.account_bank:
                errors["bank_name"] = "请填写开户银行。"
            data.save_account = True
        else:
            account = WorkerBankAccount.objects.filter(worker=worker).first()
            if account is None:
                errors["bank_account"] = f"{worker.name} 尚未登记本人银行账户,请填写开户银行和账号。"
            else:
                data.account_number, data.account_bank = account.account_number, account.bank_name
    if amount > 0 and data.payment_method == PaymentMethod.CASH and not data.receipt_signed:
        errors["receipt_signed"] = "现金发放须由劳模本人签收,请确认已签收。"
    # money rules of the campaign
    if campaign is not None and amount > 0 and "worker" not in errors:
        paid = (CareVisit.objects.filter(campaign=campaign, worker=worker, is_void=False, amount__gt=0)
                .order_by("id").first())
        if paid is not None:
            errors["worker"] = (f"{worker.name} 在“{campaign.name}”中已于 {paid.visit_date:%Y-%m-%d} 领取慰问金 "
                                f"{money_str(paid.amount)} 元,不能重复发放。")
    if campaign is not None and amount > 0 and "amount" not in errors:
        total = campaign.paid_total if paid_total is None else paid_total
        if total + amount > campaign.budget:
            errors["amount"] = (f"超出活动预算:预算 {money_str(campaign.budget)} 元,已发放 {money_str(total)} 元,"
                                f"剩余 {money_str(campaign.budget - total)} 元,本次 {money_str(amount)} 元。")
    return data


def _visit_snapshot(v: CareVisit) -> dict:
    return {"campaign": v.campaign_id, "worker": v.worker.worker_no, "visit_type": v.visit_type,
            "visit_date": _iso(v.visit_date), "method": v.method, "amount": money_str(v.amount),
            "payment_method": v.payment_method, "bank_account": v.bank_account_masked, "receipt_no": v.receipt_no}


@transaction.atomic
def visit_record(*, actor, worker: Worker, visit_date: date | None, method: str, campaign: CareCampaign | None = None,
                 visit_type: str = "", visitors: str = "", amount=ZERO, goods: str = "",
                 payment_method: str = PaymentMethod.NONE, bank_name: str = "", bank_account: str = "",
                 receipt_signed: bool = False, receipt_no: str = "", note: str = "") -> CareVisit:
    """Record a visit and the money paid; refusals store nothing."""
    worker = Worker.objects.select_related("org").get(pk=worker.pk)
    _check_edit(actor, worker.org)
    paid_total = None
    if campaign is not None:
        # The lock: clerks paying from the same campaign queue here, then re-sum what is paid.
        campaign = CareCampaign.objects.select_for_update(of=("self",)).select_related("org").get(pk=campaign.pk)
        if actor is not None:
            from .selectors import campaign_base

            if not campaign_base(actor).filter(pk=campaign.pk).exists():
                raise PermissionDenied("该活动不在您的数据范围内。")
        paid_total = campaign_paid_total(campaign.pk)
    data = visit_check(VisitInput(
        worker=worker, visit_date=visit_date, method=method, campaign=campaign, visit_type=visit_type,
        visitors=visitors, amount=amount, goods=goods, payment_method=payment_method, bank_name=bank_name,
        bank_account=bank_account, receipt_signed=receipt_signed, receipt_no=receipt_no, note=note,
    ), paid_total=paid_total)
    _raise(data.errors)
    if data.save_account:
        bank_account_set(actor=actor, worker=worker, bank_name=data.account_bank, account_number=data.account_number)
    transfer = data.payment_method == PaymentMethod.TRANSFER and data.clean_amount > 0
    visit = CareVisit(
        campaign=campaign, worker=worker, org=worker.org, visit_type=data.visit_type, visit_date=visit_date,
        method=method, visitors=visitors.strip()[:200], amount=data.clean_amount, goods=goods.strip()[:200],
        payment_method=data.payment_method if data.clean_amount > 0 else PaymentMethod.NONE,
        bank_name=data.account_bank[:100] if transfer else "",
        bank_account=data.account_number if transfer else "",
        bank_account_masked=mask_account(data.account_number) if transfer else "",
        receipt_signed=bool(receipt_signed) and data.payment_method == PaymentMethod.CASH,
        receipt_no=receipt_no.strip()[:50] if data.payment_method == PaymentMethod.CASH else "",
        note=note.strip()[:300],
        worker_died_on=worker.status_date if worker.employment_status == EmploymentStatus.DECEASED else None,
        recorded_by=actor if actor is not None else None,
    )
    try:
        with transaction.atomic():
            visit.save()
            if campaign is not None and visit.amount > 0:
                campaign.paid_total = paid_total + visit.amount
                campaign.save(update_fields=["paid_total", "updated_at"])
    except IntegrityError as exc:  # the constraints behind the checks (a writer that skipped the lock)
        raise ValidationError({"worker": f"登记未保存:违反慰问金发放规则({_constraint_name(exc)})。"}) from exc
    _grants_from_visits(actor, [visit])
    audit.record(actor=actor, action="care.visit.record", obj=visit, org=visit.org,
                 object_repr=f"{worker.name} {visit}", changes=_visit_snapshot(visit))
    return visit


def _constraint_name(exc: IntegrityError) -> str:
    text = str(exc)
    if "one_paid" in text or "UNIQUE" in text.upper():
        return "同一活动不能重复发放"
    if "budget" in text:
        return "超出预算"
    if "death" in text:
        return "不能向已去世劳模发放"
    return "数据约束"


@dataclass
class BatchResult:
    created: int = 0
    amount: Decimal = ZERO
    errors: list = field(default_factory=list)  # [(worker name, message)]


@transaction.atomic
def visits_record_batch(*, actor, campaign: CareCampaign, recipient_ids, visit_date: date | None, method: str,
                        payment_method: str, visitors: str = "", goods: str = "", receipt_signed: bool = False,
                        note: str = "") -> BatchResult:
    """Record the visits of several recipients at once (e.g. after one bank batch transfer), each paid its
    planned amount. All or nothing: any refused row (no account, already paid, deceased, over budget)
    stores nothing and is reported by name."""
    campaign = CareCampaign.objects.select_for_update(of=("self",)).select_related("org").get(pk=campaign.pk)
    if actor is not None:
        from .selectors import campaign_base

        if not has_capability(actor, "edit_business") or not campaign_base(actor).filter(pk=campaign.pk).exists():
            raise PermissionDenied("该活动不在您的数据范围内。")
    recipients = list(CareRecipient.objects.filter(campaign=campaign, pk__in=list(recipient_ids or []))
                      .select_related("worker", "worker__org", "org").order_by("org__path", "id"))
    if not recipients:
        raise ValidationError({"recipients": "请选择要登记发放的劳模。"})
    for r in recipients:
        _check_edit(actor, r.worker.org)
    paid_total = campaign_paid_total(campaign.pk)
    already = dict(CareVisit.objects.filter(campaign=campaign, is_void=False, amount__gt=0,
                                            worker__in=[r.worker_id for r in recipients])
                   .values_list("worker_id", "visit_date"))
    accounts = {a.worker_id: a for a in WorkerBankAccount.objects.filter(worker__in=[r.worker_id for r in recipients])}
    result = BatchResult()
    common = {}
    if not visit_date:
        common["visit_date"] = "请填写慰问日期。"
    elif visit_date > _today():
        common["visit_date"] = "慰问日期不能晚于今天。"
    elif not campaign.start_date <= visit_date <= campaign.end_date:
        common["visit_date"] = (f"慰问日期须在活动期间({campaign.start_date:%Y-%m-%d} 至 "
                                f"{campaign.end_date:%Y-%m-%d})内。")
    if method not in VisitMethod.values:
        common["method"] = "请选择慰问方式。"
    if payment_method not in PaymentMethod.values:
        common["payment_method"] = "请选择发放方式。"
    elif payment_method == PaymentMethod.CASH and not receipt_signed:
        common["receipt_signed"] = "现金发放须由劳模本人签收,请确认已全部签收。"
    if not campaign.is_open:
        common["campaign"] = f"活动“{campaign.name}”已结束,不能再登记发放。"
    _raise(common)
    visits = []
    for r in recipients:
        w = r.worker
        amount = r.planned_amount if payment_method != PaymentMethod.NONE else ZERO
        if r.status != RecipientStatus.INCLUDED:
            result.errors.append((w.name, "已移出名单"))
            continue
        if w.pk in already:
            result.errors.append((w.name, f"已于 {already[w.pk]:%Y-%m-%d} 领取慰问金,不能重复发放"))
            continue
        if is_deceased_before(w, visit_date):
            result.errors.append((w.name, f"已于 {w.status_date:%Y-%m-%d} 去世,不能发放慰问金"))
            continue
        if payment_method != PaymentMethod.NONE and amount <= 0:
            result.errors.append((w.name, "计划金额为0,无需发放"))
            continue
        account = accounts.get(w.pk)
        if payment_method == PaymentMethod.TRANSFER and account is None:
            result.errors.append((w.name, "尚未登记本人银行账户"))
            continue
        transfer = payment_method == PaymentMethod.TRANSFER
        visits.append(CareVisit(
            campaign=campaign, worker=w, org=w.org, visit_type=campaign.visit_type, visit_date=visit_date,
            method=method, visitors=visitors.strip()[:200], amount=amount, goods=goods.strip()[:200],
            payment_method=payment_method if amount > 0 else PaymentMethod.NONE,
            bank_name=account.bank_name if transfer else "", bank_account=account.account_number if transfer else "",
            bank_account_masked=account.account_masked if transfer else "",
            receipt_signed=payment_method == PaymentMethod.CASH, note=note.strip()[:300],
            worker_died_on=w.status_date if w.employment_status == EmploymentStatus.DECEASED else None,
            recorded_by=actor if actor is not None else None))
        result.amount += amount
    if paid_total + result.amount > campaign.budget:
        left, batch = money_str(campaign.budget - paid_total), money_str(result.amount)
        result.errors.append(("", f"超出活动预算:预算 {money_str(campaign.budget)} 元,"
                                  f"已发放 {money_str(paid_total)} 元,剩余 {left} 元,本批 {batch} 元"))
    if result.errors:
        raise ValidationError({"recipients": [f"{name}:{msg}" if name else msg for name, msg in result.errors]})
    try:
        with transaction.atomic():
            CareVisit.objects.bulk_create(visits, batch_size=500)
            if result.amount > 0:
                campaign.paid_total = paid_total + result.amount
                campaign.save(update_fields=["paid_total", "updated_at"])
    except IntegrityError as exc:
        raise ValidationError({"recipients": f"登记未保存:违反慰问金发放规则({_constraint_name(exc)})。"}) from exc
    if any(v.pk is None for v in visits):  # backends without RETURNING ids (none of ours): fetch them
        visits = list(CareVisit.objects.filter(campaign=campaign, worker__in=[v.worker_id for v in visits],
                                               visit_date=visit_date, is_void=False))
    _grants_from_visits(actor, visits)
    result.created = len(visits)
    audit.record(actor=actor, action="care.visit.batch", obj=campaign, org=campaign.org,
                 changes={"visits": result.created, "amount": money_str(result.amount), "method": method,
                          "payment_method": payment_method, "visit_date": _iso(visit_date)})
    return result


@transaction.atomic
def visit_void(*, actor, visit: CareVisit, reason: str) -> CareVisit:
    """Void a visit recorded in error (never deleted); its money leaves the campaign's paid total."""
    campaign = None
    if visit.campaign_id:
        campaign = CareCampaign.objects.select_for_update(of=("self",)).get(pk=visit.campaign_id)
    visit = CareVisit.objects.select_for_update(of=("self",)).select_related("worker", "org").get(pk=visit.pk)
    _check_edit(actor, visit.org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写作废原因。"})
    if visit.is_void:
        raise ValidationError({"reason": "该慰问记录已作废。"})
    visit.is_void = True
    visit.void_reason = reason[:200]
    visit.voided_at = timezone.now()
    visit.save(update_fields=["is_void", "void_reason", "voided_at", "updated_at"])
    if campaign is not None:
        campaign.paid_total = campaign_paid_total(campaign.pk)
        campaign.save(update_fields=["paid_total", "updated_at"])
    for grant in BenefitGrant.objects.filter(source=f"care_visit:{visit.pk}", is_void=False):
        grant.is_void, grant.void_reason, grant.voided_at = True, f"慰问记录作废:{reason}"[:200], timezone.now()
        grant.save(update_fields=["is_void", "void_reason", "voided_at", "updated_at"])
    audit.record(actor=actor, action="care.visit.void", obj=visit, org=visit.org,
                 object_repr=f"{visit.worker.name} {visit}",
                 changes={"amount": money_str(visit.amount), "reason": reason[:200]})
    return visit


def _grants_from_visits(actor, visits) -> None:
    """Paid visits of a type a benefit follows (e.g. 春节慰问 → 节日慰问) are recorded as that benefit."""
    types = [t for t in BenefitType.objects.filter(is_active=True) if t.visit_types]
    if not types:
        return
    rows = []
    for v in visits:
        if v.amount <= 0 or v.is_void:
            continue
        for t in types:
            if v.visit_type in t.visit_types:
                rows.append(BenefitGrant(worker_id=v.worker_id, benefit_type=t, org_id=v.org_id,
                                         year=v.visit_date.year, grant_date=v.visit_date, amount=v.amount,
                                         source=f"care_visit:{v.pk}", note=f"{v.get_visit_type_display()}自动登记",
                                         recorded_by=actor if actor is not None else None))
    BenefitGrant.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


# --- hardship survey --------------------------------------------------------------------------------------

ROUND_FIELDS = ("year", "name", "start_date", "end_date", "income_threshold", "marginal_factor", "min_level_rank",
                "note")


def _clean_round(r: SurveyRound) -> None:
    errors = {}
    r.name = (r.name or "").strip()
    if not r.name:
        errors["name"] = "请填写调查名称。"
    try:
        r.year = _year_ok(r.year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not r.start_date:
        errors["start_date"] = "请填写开始日期。"
    if not r.end_date:
        errors["end_date"] = "请填写截止日期。"
    if r.start_date and r.end_date and r.end_date < r.start_date:
        errors["end_date"] = "截止日期不能早于开始日期。"
    try:
        r.income_threshold = parse_money(r.income_threshold, field="income_threshold", label="困难标准")
        if r.income_threshold <= 0:
            errors["income_threshold"] = "困难标准应大于0。"
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        r.marginal_factor = Decimal(str(r.marginal_factor))
        if not Decimal("1") <= r.marginal_factor <= Decimal("3"):
            errors["marginal_factor"] = "低收入边缘系数应在 1 至 3 之间。"
    except Exception:
        errors["marginal_factor"] = "请填写数字。"
    if r.min_level_rank not in (1, 2, 3, 4):
        errors["min_level_rank"] = "请选择调查范围。"
    if not errors.get("year") and SurveyRound.objects.filter(org=r.org, year=r.year).exclude(pk=r.pk).exists():
        errors["year"] = f"{r.org.name}{r.year}年的困难劳模调查已开启。"
    _raise(errors)


@transaction.atomic
def round_open(*, actor, org: OrgUnit, **fields) -> SurveyRound:
    """The city opens the year's survey; counties fill the forms after their visits."""
    _check_edit(actor, org)
    if org.kind != OrgKind.CITY:
        raise ValidationError({"org": "困难劳模调查由市总工会统一开展。"})
    unknown = set(fields) - set(ROUND_FIELDS)
    if unknown:
        raise TypeError(f"unknown round fields {sorted(unknown)}")
    survey_round = SurveyRound(org=org, created_by=actor if actor is not None else None, **fields)
    _clean_round(survey_round)
    survey_round.save()
    audit.record(actor=actor, action="care.round.open", obj=survey_round, org=org,
                 changes={"year": survey_round.year, "income_threshold": money_str(survey_round.income_threshold),
                          "marginal_factor": str(survey_round.marginal_factor)})
    return survey_round


@transaction.atomic
def round_update(*, actor, survey_round: SurveyRound, status: str | None = None, **changes) -> SurveyRound:
    survey_round = SurveyRound.objects.select_for_update(of=("self",)).select_related("org").get(pk=survey_round.pk)
    _check_edit(actor, survey_round.org)
    before = {"threshold": money_str(survey_round.income_threshold), "status": survey_round.status,
              "end_date": _iso(survey_round.end_date), "factor": str(survey_round.marginal_factor)}
    for key, value in changes.items():
        if key not in ROUND_FIELDS:
            raise TypeError(f"unknown round field {key}")
        setattr(survey_round, key, value)
    if status is not None:
        if status not in RoundStatus.values:
            raise ValidationError({"status": "未知的状态。"})
        survey_round.status = status
    _clean_round(survey_round)
    survey_round.save()
    after = {"threshold": money_str(survey_round.income_threshold), "status": survey_round.status,
             "end_date": _iso(survey_round.end_date), "factor": str(survey_round.marginal_factor)}
    diff = audit.diff(before, after)
    if diff:
        audit.record(actor=actor, action="care.round.update", obj=survey_round, org=survey_round.org, changes=diff)
    return survey_round


def dict_codes(kind: str, *, active_only: bool = True) -> dict[str, DictItem]:
    qs = DictItem.objects.filter(kind=kind)
    if active_only:
        qs = qs.filter(is_active=True)
    return {item.code: item for item in qs}


def compute_hardship_level(*, per_capita: Decimal, threshold: Decimal, factor: Decimal, causes,
                           severe_codes) -> str:
    """The hardship level from per-capita monthly income against the local threshold, plus the causes.

    - below the threshold: 困难; with a severe cause (因病、因残、因灾 by default): 特殊困难;
    - below threshold × factor (低收入边缘) with a severe cause: 困难;
    - otherwise 非困难.
    """
    severe = bool(set(causes) & set(severe_codes))
    if per_capita < threshold:
        return HardshipLevel.SPECIAL if severe else HardshipLevel.HARDSHIP
    if per_capita < threshold * factor and severe:
        return HardshipLevel.HARDSHIP
    return HardshipLevel.NONE


PLAIN_SURVEY_FIELDS = ("survey_date", "verification_method", "visitors", "household_size", "employment", "insurance",
                       "housing_type", "housing_area")
SENSITIVE_SURVEY_FIELDS = ("income_own", "income_per_capita", "health_category", "health_detail", "major_illness",
                           "disability_grade", "causes", "needs")


def _apply_survey(survey: HardshipSurvey, data: dict) -> None:
    """Validate and set the form's fields; the level is computed, never typed in."""
    errors = {}
    unknown = set(data) - set(PLAIN_SURVEY_FIELDS) - set(SENSITIVE_SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"unknown survey fields {sorted(unknown)}")
    details = dict(survey.details or {})
    for key in PLAIN_SURVEY_FIELDS:
        if key in data:
            setattr(survey, key, data[key])
    for key in SENSITIVE_SURVEY_FIELDS:
        if key in data:
            details[key] = data[key]
    survey_round, worker = survey.round, survey.worker
    if not survey.survey_date:
        errors["survey_date"] = "请填写走访日期。"
    elif survey.survey_date > _today():
        errors["survey_date"] = "走访日期不能晚于今天。"
    elif survey.survey_date.year != survey_round.year:
        errors["survey_date"] = f"走访日期应在{survey_round.year}年内。"
    elif is_deceased_before(worker, survey.survey_date):
        errors["worker"] = f"{worker.name} 已于 {worker.status_date:%Y-%m-%d} 去世。"
    if survey.verification_method not in VerificationMethod.values:
        errors["verification_method"] = "请选择核实方式(先核实、后补助)。"
    try:
        size = int(survey.household_size)
        if not 1 <= size <= 30:
            raise ValueError
        survey.household_size = size
    except (TypeError, ValueError):
        errors["household_size"] = "家庭人口数应为 1 至 30 的整数。"
    if survey.employment not in LIVING_STATUSES:
        errors["employment"] = "请选择就业状况。"
    insurance = list(survey.insurance or [])
    valid_insurance = {c for c, _ in INSURANCE_CHOICES}
    if set(insurance) - valid_insurance:
        errors["insurance"] = "参保情况无效。"
    survey.insurance = [c for c, _ in INSURANCE_CHOICES if c in insurance]
    if survey.housing_type not in HousingType.values:
        errors["housing_type"] = "请选择住房情况。"
    if survey.housing_area not in (None, ""):
        try:
            area = Decimal(str(survey.housing_area))
            if area < 0 or area > 10000:
                raise ValueError
            survey.housing_area = area.quantize(Decimal("0.01"))
        except Exception:
            errors["housing_area"] = "人均住房面积应为非负数字。"
    else:
        survey.housing_area = None
    incomes = {}
    for key, label in (("income_own", "本人月收入"), ("income_per_capita", "家庭人均月收入")):
        value = details.get(key)
        if value in (None, ""):
            errors[key] = f"请填写{label}(元)。"
            continue
        try:
            incomes[key] = parse_money(value, field=key, label=label)
            details[key] = money_str(incomes[key])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    items = DictItem.objects.filter(kind__in=[DictKind.HEALTH_CATEGORY, DictKind.HARDSHIP_CAUSE])
    health = {i.code: i for i in items if i.kind == DictKind.HEALTH_CATEGORY}
    causes_all = {i.code: i for i in items if i.kind == DictKind.HARDSHIP_CAUSE}
    if details.get("health_category", "") not in health:
        errors["health_category"] = "请选择健康状况。"
    if str(details.get("disability_grade", "") or "") not in ("", "1", "2", "3", "4"):
        errors["disability_grade"] = "残疾等级无效。"
    details["disability_grade"] = str(details.get("disability_grade", "") or "")
    details["major_illness"] = bool(details.get("major_illness"))
    details["health_detail"] = str(details.get("health_detail", "") or "").strip()[:500]
    details["needs"] = str(details.get("needs", "") or "").strip()[:500]
    causes = list(details.get("causes") or [])
    if set(causes) - set(causes_all):
        errors["causes"] = "致困原因无效。"
    details["causes"] = [c for c in causes_all if c in causes]
    _raise(errors)
    survey.details = details
    survey.hardship_level = compute_hardship_level(
        per_capita=incomes["income_per_capita"], threshold=survey_round.income_threshold,
        factor=survey_round.marginal_factor, causes=details["causes"],
        severe_codes=[c for c, item in causes_all.items() if item.severe])


def _survey_audit(fields) -> dict:
    """Which fields changed — never their values (health and hardship details stay out of the log)."""
    return {"fields": sorted(fields)}


@transaction.atomic
def survey_create(*, actor, survey_round: SurveyRound, worker: Worker, **data) -> HardshipSurvey:
    worker = Worker.objects.select_related("org").get(pk=worker.pk)
    survey_round = SurveyRound.objects.select_related("org").get(pk=survey_round.pk)
    _check_edit(actor, worker.org)
    errors = {}
    if not survey_round.is_open:
        errors["round"] = f"“{survey_round.name}”已结束,不能再填报。"
    if worker.is_deleted or not worker.org.path.startswith(survey_round.org.path):
        errors["worker"] = "该劳模不在本次调查范围内。"
    elif worker.employment_status == EmploymentStatus.DECEASED and not data.get("survey_date"):
        errors["worker"] = f"{worker.name} 已去世。"
    if HardshipSurvey.objects.filter(round=survey_round, worker=worker, is_deleted=False).exists():
        errors["worker"] = f"{worker.name} 在“{survey_round.name}”中已有调查表。"
    _raise(errors)
    survey = HardshipSurvey(round=survey_round, worker=worker, org=worker.org,
                            created_by=actor if actor is not None else None)
    _apply_survey(survey, data)
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError:
        raise ValidationError({"worker": f"{worker.name} 在“{survey_round.name}”中已有调查表。"})
    audit.record(actor=actor, action="care.survey.create", obj=survey, org=survey.org,
                 object_repr=f"{survey_round.name} · {worker.name}", changes=_survey_audit(data))
    return survey


def _lock_survey(survey: HardshipSurvey) -> HardshipSurvey:
    return (HardshipSurvey.objects.select_for_update(of=("self",))
        .select_related("round", "round__org", "worker", "org")
            .get(pk=survey.pk))


@transaction.atomic
def survey_update(*, actor, survey: HardshipSurvey, **data) -> HardshipSurvey:
    survey = _lock_survey(survey)
    _check_edit(actor, survey.org)
    if not survey.is_editable:
        raise ValidationError({"status": f"调查表{survey.get_status_display()},不能修改。"})
    before = {k: getattr(survey, k) for k in PLAIN_SURVEY_FIELDS}
    before.update({k: survey.details.get(k) for k in SENSITIVE_SURVEY_FIELDS})
    _apply_survey(survey, data)
    survey.save()
    after = {k: getattr(survey, k) for k in PLAIN_SURVEY_FIELDS}
    after.update({k: survey.details.get(k) for k in SENSITIVE_SURVEY_FIELDS})
    changed = [k for k in after if before.get(k) != after.get(k)]
    if changed:
        audit.record(actor=actor, action="care.survey.update", obj=survey, org=survey.org,
                     object_repr=f"{survey.round.name} · {survey.worker.name}", changes=_survey_audit(changed))
    return survey


@transaction.atomic
def survey_submit(*, actor, survey: HardshipSurvey) -> HardshipSurvey:
    """County submits the form for the city's review."""
    from laomo.orgs.selectors import staff_responsible_for

    survey = _lock_survey(survey)
    _check_edit(actor, survey.org)
    if survey.status not in (SurveyStatus.DRAFT, SurveyStatus.RETURNED) or survey.is_deleted:
        raise ValidationError({"status": f"调查表{survey.get_status_display()},不能提交。"})
    if not survey.round.is_open:
        raise ValidationError({"round": f"“{survey.round.name}”已结束,不能再提交。"})
    survey.status = SurveyStatus.SUBMITTED
    survey.submitted_at = timezone.now()
    survey.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record(actor=actor, action="care.survey.submit", obj=survey, org=survey.org,
                 object_repr=f"{survey.round.name} · {survey.worker.name}", changes={"status": "submitted"})
    reviewers = [u for u in staff_responsible_for(survey.round.org) if actor is None or u.pk != actor.pk]
    notify(recipients=reviewers, text=f"{survey.org.name} 提交了 {survey.worker.name} 的困难劳模调查表,请审核",
           url=reverse("care:survey_detail", args=[survey.pk]))
    return survey


def _check_reviewer(actor, survey: HardshipSurvey) -> None:
    """The city (the unit that opened the round) reviews."""
    _check_edit(actor, survey.round.org)


@transaction.atomic
def surveys_submit_batch(*, actor, surveys) -> int:
    """Submit several forms at once (a county's finished visits); each is checked as survey_submit does."""
    from laomo.orgs.selectors import staff_responsible_for

    ids = [s.pk for s in surveys]
    locked = list(HardshipSurvey.objects.select_for_update(of=("self",))
                  .select_related("round", "round__org", "org", "worker")
                  .filter(pk__in=ids))
    errors = []
    for s in locked:
        _check_edit(actor, s.org)
        if s.is_deleted or s.status not in (SurveyStatus.DRAFT, SurveyStatus.RETURNED):
            errors.append(f"{s.worker.name}:调查表{s.get_status_display()},不能提交")
        elif not s.round.is_open:
            errors.append(f"{s.worker.name}:“{s.round.name}”已结束")
    if errors:
        raise ValidationError({"surveys": errors})
    now = timezone.now()
    HardshipSurvey.objects.filter(pk__in=[s.pk for s in locked]).update(status=SurveyStatus.SUBMITTED, submitted_at=now,
                                                                      updated_at=now)
    for round_org in {s.round.org for s in locked}:
        reviewers = [u for u in staff_responsible_for(round_org) if actor is None or u.pk != actor.pk]
        notify(recipients=reviewers, text=f"收到 {len(locked)} 份困难劳模调查表,请审核",
               url=reverse("care:survey_list") + "?status=submitted")
    audit.record(actor=actor, action="care.survey.submit_batch", object_type="care.hardshipsurvey",
                 object_repr=f"{len(locked)} 份", changes={"ids": [s.pk for s in locked][:500]})
    return len(locked)


@transaction.atomic
def surveys_approve_batch(*, actor, surveys, comment: str = "") -> int:
    """The city approves several submitted forms at once."""
    ids = [s.pk for s in surveys]
    locked = list(HardshipSurvey.objects.select_for_update(of=("self",)).select_related("round", "round__org", "worker")
                  .filter(pk__in=ids))
    errors = []
    for s in locked:
        _check_reviewer(actor, s)
        if s.status != SurveyStatus.SUBMITTED or s.is_deleted:
            errors.append(f"{s.worker.name}:调查表{s.get_status_display()},只有待审核的调查表可以审核")
    if errors:
        raise ValidationError({"surveys": errors})
    now = timezone.now()
    HardshipSurvey.objects.filter(pk__in=[s.pk for s in locked]).update(
        status=SurveyStatus.APPROVED, reviewed_at=now, reviewed_by=actor if actor is not None else None,
        review_comment=(comment or "").strip()[:300], updated_at=now)
    audit.record(actor=actor, action="care.survey.approve_batch", object_type="care.hardshipsurvey",
                 object_repr=f"{len(locked)} 份", changes={"ids": [s.pk for s in locked][:500]})
    return len(locked)


@transaction.atomic
def survey_approve(*, actor, survey: HardshipSurvey, comment: str = "") -> HardshipSurvey:
    survey = _lock_survey(survey)
    _check_reviewer(actor, survey)
    if survey.status != SurveyStatus.SUBMITTED:
        raise ValidationError({"status": f"调查表{survey.get_status_display()},只有待审核的调查表可以审核。"})
    survey.status = SurveyStatus.APPROVED
    survey.reviewed_at = timezone.now()
    survey.reviewed_by = actor if actor is not None else None
    survey.review_comment = (comment or "").strip()[:300]
    survey.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment", "updated_at"])
    audit.record(actor=actor, action="care.survey.approve", obj=survey, org=survey.org,
                 object_repr=f"{survey.round.name} · {survey.worker.name}", changes={"status": "approved"})
    return survey


@transaction.atomic
def survey_return(*, actor, survey: HardshipSurvey, comment: str) -> HardshipSurvey:
    from laomo.orgs.selectors import staff_responsible_for

    survey = _lock_survey(survey)
    _check_reviewer(actor, survey)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "请填写退回意见,说明需要补充或更正的内容。"})
    if survey.status != SurveyStatus.SUBMITTED:
        raise ValidationError({"status": f"调查表{survey.get_status_display()},只有待审核的调查表可以退回。"})
    survey.status = SurveyStatus.RETURNED
    survey.reviewed_at = timezone.now()
    survey.reviewed_by = actor if actor is not None else None
    survey.review_comment = comment[:300]
    survey.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment", "updated_at"])
    audit.record(actor=actor, action="care.survey.return", obj=survey, org=survey.org,
                 object_repr=f"{survey.round.name} · {survey.worker.name}",
                 changes={"status": "returned", "comment": comment[:300]})
    notify(recipients=staff_responsible_for(survey.org),
           text=f"{survey.worker.name} 的困难劳模调查表被退回:{comment[:60]}",
           url=reverse("care:survey_detail", args=[survey.pk]))
    return survey


@transaction.atomic
def survey_discard(*, actor, survey: HardshipSurvey, reason: str) -> HardshipSurvey:
    """Discard a draft or returned form (soft delete, audited)."""
    survey = _lock_survey(survey)
    _check_edit(actor, survey.org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写作废原因。"})
    if not survey.is_editable:
        raise ValidationError({"status": f"调查表{survey.get_status_display()},不能作废。"})
    survey.is_deleted = True
    survey.deleted_at = timezone.now()
    survey.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    audit.record(actor=actor, action="care.survey.discard", obj=survey, org=survey.org,
                 object_repr=f"{survey.round.name} · {survey.worker.name}", changes={"reason": reason[:200]})
    return survey


# --- benefits ---------------------------------------------------------------------------------------------


def _grant_record(*, actor, worker: Worker, benefit_type_code: str, year: int, grant_date, amount=None,
                  source: str = "", note: str = "") -> tuple[BenefitGrant, bool]:
    worker = Worker.objects.select_related("org").get(pk=worker.pk)
    _check_edit(actor, worker.org)
    source = (source or "").strip()[:64]
    errors = {}
    benefit_type = BenefitType.objects.filter(code=benefit_type_code).first()
    if benefit_type is None:
        from .defaults import BENEFIT_TYPES, seed_defaults

        if benefit_type_code in {row[0] for row in BENEFIT_TYPES}:  # restored after a flush of the defaults
            seed_defaults()
            benefit_type = BenefitType.objects.filter(code=benefit_type_code).first()
    if benefit_type is None:
        errors["benefit_type"] = f"未知的待遇类型“{benefit_type_code}”。"
    try:
        year = _year_ok(year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not grant_date:
        errors["grant_date"] = "请填写落实日期。"
    elif grant_date > _today():
        errors["grant_date"] = "落实日期不能晚于今天。"
    elif isinstance(year, int) and not year - 1 <= grant_date.year <= year + 1:
        errors["grant_date"] = f"落实日期应在{year}年前后。"
    try:
        amount = parse_money(amount, label="金额", allow_none=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if worker.is_deleted:
        errors["worker"] = "该劳模档案已删除。"
    _raise(errors)
    existing = BenefitGrant.objects.filter(worker=worker, benefit_type=benefit_type, year=year, source=source,
                                           is_void=False).first()
    if existing is not None:
        return existing, False
    grant = BenefitGrant(worker=worker, benefit_type=benefit_type, org=worker.org, year=year, grant_date=grant_date,
                         amount=amount, source=source, note=(note or "").strip()[:300],
                         recorded_by=actor if actor is not None else None)
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:  # a concurrent call recorded it first: idempotent
        return BenefitGrant.objects.get(worker=worker, benefit_type=benefit_type, year=year, source=source,
                                        is_void=False), False
    audit.record(actor=actor, action="care.grant.record", obj=grant, org=grant.org,
                 object_repr=f"{worker.name} {grant}",
                 changes={"benefit_type": benefit_type.code, "year": year, "amount": money_str(amount) if amount
                          is not None else "", "source": source})
    return grant, True


@transaction.atomic
def benefit_grant_record(*, actor, worker: Worker, benefit_type_code: str, year: int, grant_date, amount=None,
                         source: str = "", note: str = "") -> BenefitGrant:
    """Record that a worker received a benefit in a year (idempotent per worker, type, year and source).

    Called by the retreats module when a worker attends a trip: ``benefit_type_code="retreat"``,
    ``source="retreat:<batch id>"``. `actor` needs edit_business with the worker's unit in scope (None = the
    system). A second call with the same key returns the first grant unchanged.
    """
    grant, _ = _grant_record(actor=actor, worker=worker, benefit_type_code=benefit_type_code, year=year,
                             grant_date=grant_date, amount=amount, source=source, note=note)
    return grant


@transaction.atomic
def benefit_grant_add(*, actor, worker: Worker, benefit_type_code: str, year: int, grant_date, amount=None,
                      note: str = "") -> BenefitGrant:
    """A grant recorded by hand on the page: refused (not silently merged) when that year's is recorded."""
    grant, created = _grant_record(actor=actor, worker=worker, benefit_type_code=benefit_type_code, year=year,
                                   grant_date=grant_date, amount=amount, source="", note=note)
    if not created:
        raise ValidationError({"benefit_type": f"{worker.name} {year}年的“{grant.benefit_type.name}”已登记"
                                               f"({grant.grant_date:%Y-%m-%d})。"})
    return grant


@transaction.atomic
def benefit_grants_bulk_record(*, actor, workers, benefit_type_code: str, year: int, grant_date, amount=None,
                               note: str = "") -> int:
    """Record one benefit for several workers by hand (e.g. the hospital's list of this year's check-ups);
    workers already recorded for that year are skipped. One audit entry for the batch; returns how many new."""
    probe = list(workers)
    if not probe:
        raise ValidationError({"workers": "请选择劳模。"})
    for w in probe:
        _check_edit(actor, w.org)
    errors = {}
    benefit_type = BenefitType.objects.filter(code=benefit_type_code, is_active=True).first()
    if benefit_type is None:
        errors["benefit_type"] = "请选择待遇。"
    try:
        year = _year_ok(year)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not grant_date:
        errors["grant_date"] = "请填写落实日期。"
    elif grant_date > _today():
        errors["grant_date"] = "落实日期不能晚于今天。"
    elif isinstance(year, int) and not year - 1 <= grant_date.year <= year + 1:
        errors["grant_date"] = f"落实日期应在{year}年前后。"
    try:
        amount = parse_money(amount, label="金额", allow_none=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _raise(errors)
    have = set(BenefitGrant.objects.filter(benefit_type=benefit_type, year=year, source="", is_void=False,
                                           worker__in=probe).values_list("worker_id", flat=True))
    rows = [BenefitGrant(worker=w, benefit_type=benefit_type, org=w.org, year=year, grant_date=grant_date,
                         amount=amount, source="", note=(note or "").strip()[:300],
                         recorded_by=actor if actor is not None else None)
            for w in probe if w.pk not in have and not w.is_deleted]
    BenefitGrant.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    audit.record(actor=actor, action="care.grant.bulk_record", object_type="care.benefitgrant",
                 object_repr=f"{year}年{benefit_type.name} {len(rows)} 人",
                 changes={"benefit_type": benefit_type.code, "year": year, "created": len(rows),
                          "skipped": len(probe) - len(rows), "amount": money_str(amount) if amount is not None else ""})
    return len(rows)


@transaction.atomic
def benefit_grant_void(*, actor, grant: BenefitGrant, reason: str) -> BenefitGrant:
    grant = (BenefitGrant.objects.select_for_update(of=("self",))
        .select_related("worker", "org", "benefit_type").get(pk=grant.pk))
    _check_edit(actor, grant.org)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写作废原因。"})
    if grant.is_void:
        raise ValidationError({"reason": "该记录已作废。"})
    if grant.source.startswith("care_visit:"):
        raise ValidationError({"reason": "该记录由慰问记录自动生成,请作废对应的慰问记录。"})
    grant.is_void, grant.void_reason, grant.voided_at = True, reason[:200], timezone.now()
    grant.save(update_fields=["is_void", "void_reason", "voided_at", "updated_at"])
    audit.record(actor=actor, action="care.grant.void", obj=grant, org=grant.org,
                 object_repr=f"{grant.worker.name} {grant}", changes={"reason": reason[:200]})
    return grant


# --- configurable lists -----------------------------------------------------------------------------------

BENEFIT_TYPE_FIELDS = ("code", "name", "min_level_rank", "statuses", "hardship", "standard_amount", "visit_types",
                       "yearly", "sort_order", "is_active", "note")


@transaction.atomic
def benefit_type_save(*, actor, benefit_type: BenefitType | None = None, **fields) -> BenefitType:
    _check_dictionary(actor)
    unknown = set(fields) - set(BENEFIT_TYPE_FIELDS)
    if unknown:
        raise TypeError(f"unknown benefit type fields {sorted(unknown)}")
    obj = benefit_type or BenefitType()
    before = {f: getattr(obj, f) for f in BENEFIT_TYPE_FIELDS} if obj.pk else {}
    if obj.pk and "code" in fields and fields["code"] != obj.code:
        raise ValidationError({"code": "代码创建后不能修改(其他模块按代码引用)。"})
    for key, value in fields.items():
        setattr(obj, key, value)
    errors = {}
    obj.name = (obj.name or "").strip()
    if not obj.name:
        errors["name"] = "请填写待遇名称。"
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,31}", obj.code or ""):
        errors["code"] = "代码为2至32位小写字母、数字或下划线,以字母开头。"
    elif BenefitType.objects.filter(code=obj.code).exclude(pk=obj.pk).exists():
        errors["code"] = "该代码已存在。"
    if obj.min_level_rank not in (1, 2, 3, 4):
        errors["min_level_rank"] = "请选择最低荣誉级别。"
    if set(obj.statuses or []) - LIVING_STATUSES:
        errors["statuses"] = "在职状态无效。"
    if obj.hardship not in HardshipRequirement.values:
        errors["hardship"] = "困难要求无效。"
    if set(obj.visit_types or []) - set(VisitType.values):
        errors["visit_types"] = "慰问类型无效。"
    try:
        obj.standard_amount = parse_money(obj.standard_amount, field="standard_amount", label="标准金额",
                                          allow_none=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _raise(errors)
    obj.save()
    after = {f: getattr(obj, f) for f in BENEFIT_TYPE_FIELDS}
    audit.record(actor=actor, action="care.benefit_type.save", obj=obj, org=None,
                 changes=audit.diff(before, {k: (money_str(v) if isinstance(v, Decimal) else v)
                                             for k, v in after.items()}))
    return obj


@transaction.atomic
def dict_item_save(*, actor, item: DictItem | None = None, kind: str | None = None, **fields) -> DictItem:
    _check_dictionary(actor)
    obj = item or DictItem(kind=kind)
    if obj.kind not in DictKind.values:
        raise ValidationError({"kind": "未知的字典。"})
    if obj.pk and "code" in fields and fields["code"] != obj.code:
        raise ValidationError({"code": "代码创建后不能修改(已填报的调查表按代码引用)。"})
    before = {"label": obj.label, "severe": obj.severe, "is_active": obj.is_active, "sort_order": obj.sort_order}
    for key, value in fields.items():
        if key not in ("code", "label", "severe", "sort_order", "is_active"):
            raise TypeError(f"unknown dictionary field {key}")
        setattr(obj, key, value)
    errors = {}
    obj.label = (obj.label or "").strip()
    if not obj.label:
        errors["label"] = "请填写名称。"
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,31}", obj.code or ""):
        errors["code"] = "代码为2至32位小写字母、数字或下划线,以字母开头。"
    elif DictItem.objects.filter(kind=obj.kind, code=obj.code).exclude(pk=obj.pk).exists():
        errors["code"] = "该代码已存在。"
    _raise(errors)
    obj.save()
    after = {"label": obj.label, "severe": obj.severe, "is_active": obj.is_active, "sort_order": obj.sort_order}
    audit.record(actor=actor, action="core.dictionary.save", obj=obj, org=None,
                 object_repr=f"{obj.get_kind_display()}:{obj.label}", changes=audit.diff(before, after))
    return obj


def survey_reveal(*, actor, survey, field: str) -> None:
    """Opening a survey's health and hardship details is a reveal of sensitive data: audited."""
    if not has_capability(actor, "reveal_pii"):
        raise PermissionDenied("您没有查看困难调查敏感信息的权限。")
    audit.record(actor=actor, action="core.pii.reveal", obj=survey, org=survey.org,
                 object_repr=f"{survey.round.name} · {survey.worker.name}", changes={"field": field})
