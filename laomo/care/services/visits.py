"""Visits and the money paid (慰问登记与慰问金发放), one by one or by batch, voids, and the payment sheet's print.

Money rules: one paid visit per worker per campaign, no payment to a worker deceased before the visit date,
a campaign's paid total never above its budget. A visit locks its campaign row (SELECT … FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions serialize writers) and re-sums the paid visits before it
writes, so two clerks paying at the same moment cannot both pass the budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from laomo.core import audit
from laomo.core.actors import person
from laomo.core.money import fen_sum, money_str, parse_money, yuan
from laomo.core.permissions import require_capability
from laomo.core.updates import lock, plain
from laomo.workers.models import EmploymentStatus, Worker

from ..models import (
    ZERO,
    BenefitGrant,
    BenefitType,
    CareCampaign,
    CareRecipient,
    CareVisit,
    PaymentMethod,
    RecipientStatus,
    VisitMethod,
    VisitType,
    WorkerBankAccount,
)
from .accounts import bank_account_set, mask_account, normalize_account
from .common import WHAT, check_campaign_visible, check_edit, is_deceased_before

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
    elif data.visit_date > timezone.localdate():
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
            "visit_date": plain(v.visit_date), "method": v.method, "amount": money_str(v.amount),
            "payment_method": v.payment_method, "bank_account": v.bank_account_masked, "receipt_no": v.receipt_no}


@transaction.atomic
def visit_record(*, actor, worker: Worker, visit_date: date | None, method: str, campaign: CareCampaign | None = None,
                 visit_type: str = "", visitors: str = "", amount=ZERO, goods: str = "",
                 payment_method: str = PaymentMethod.NONE, bank_name: str = "", bank_account: str = "",
                 receipt_signed: bool = False, receipt_no: str = "", note: str = "") -> CareVisit:
    """Record a visit and the money paid; refusals store nothing."""
    worker = Worker.objects.select_related("org").get(pk=worker.pk)
    check_edit(actor, worker.org)
    paid_total = None
    if campaign is not None:
        # The lock: clerks paying from the same campaign queue here, then re-sum what is paid.
        campaign = lock(campaign, "org")
        check_campaign_visible(actor, campaign)
        paid_total = campaign_paid_total(campaign.pk)
    data = visit_check(VisitInput(
        worker=worker, visit_date=visit_date, method=method, campaign=campaign, visit_type=visit_type,
        visitors=visitors, amount=amount, goods=goods, payment_method=payment_method, bank_name=bank_name,
        bank_account=bank_account, receipt_signed=receipt_signed, receipt_no=receipt_no, note=note,
    ), paid_total=paid_total)
    if data.errors:
        raise ValidationError(data.errors)
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
        recorded_by=person(actor),
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
    campaign = lock(campaign, "org")
    require_capability(actor, "edit_business", WHAT)
    check_campaign_visible(actor, campaign)
    recipients = list(CareRecipient.objects.filter(campaign=campaign, pk__in=list(recipient_ids or []))
                      .select_related("worker", "worker__org", "org").order_by("org__path", "id"))
    if not recipients:
        raise ValidationError({"recipients": "请选择要登记发放的劳模。"})
    for r in recipients:
        check_edit(actor, r.worker.org)
    paid_total = campaign_paid_total(campaign.pk)
    already = dict(CareVisit.objects.filter(campaign=campaign, is_void=False, amount__gt=0,
                                            worker__in=[r.worker_id for r in recipients])
                   .values_list("worker_id", "visit_date"))
    accounts = {a.worker_id: a for a in WorkerBankAccount.objects.filter(worker__in=[r.worker_id for r in recipients])}
    result = BatchResult()
    common = {}
    if not visit_date:
        common["visit_date"] = "请填写慰问日期。"
    elif visit_date > timezone.localdate():
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
    if common:
        raise ValidationError(common)
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
            recorded_by=person(actor)))
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
                          "payment_method": payment_method, "visit_date": plain(visit_date)})
    return result


@transaction.atomic
def visit_void(*, actor, visit: CareVisit, reason: str) -> CareVisit:
    """Void a visit recorded in error (never deleted); its money leaves the campaign's paid total."""
    campaign = None
    if visit.campaign_id:
        campaign = lock(CareCampaign(pk=visit.campaign_id))
    visit = lock(visit, "worker", "org")
    check_edit(actor, visit.org)
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
                                         recorded_by=person(actor)))
    BenefitGrant.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)




def payment_sheet_printed(*, actor, campaign: CareCampaign, rows: int, org_code: str = "") -> None:
    """The print view of a payment sheet shows names and masked accounts of a unit's payees: audited."""
    audit.record(actor=actor, action="care.payment_sheet.print", obj=campaign, org=campaign.org,
                 changes={"rows": rows, "org": org_code or ""})
