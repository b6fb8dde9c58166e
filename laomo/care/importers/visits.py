"""The visits ledger (慰问台账) and a campaign's payment sheet (发放表) read back: one visit per row, its money
exact to the fen, under the money rules the services keep (recipient list, one payment per campaign, the
budget, no payment after death), the campaign's paid total and the benefits that follow a paid visit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Q

from laomo.core.actors import is_system, person
from laomo.core.importing import Column, Importer, Plan, Row, register
from laomo.core.money import money_str
from laomo.core.updates import lock
from laomo.workers.models import EmploymentStatus, Worker

from ..models import (
    ZERO,
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
from ..selectors import campaign_base
from ..services.accounts import mask_account, normalize_account
from ..services.common import WHAT
from ..services.visits import _grants_from_visits, campaign_paid_total
from .common import MODULE_LABEL, PERSON_COLUMNS

# Visit types as clerks write them; the first match wins (吊唁 and 住院 before 春节: 春节住院慰问 is a hospital visit).
TYPE_WORDS = [
    (("吊唁", "丧", "去世", "逝世", "悼", "治丧"), VisitType.BEREAVEMENT),
    (("住院", "生病", "患病", "病", "医院", "手术", "探视"), VisitType.ILLNESS),
    (("春节", "新春", "过年", "元旦", "两节", "节日", "年终"), VisitType.SPRING_FESTIVAL),
    (("困难", "帮扶", "救助", "补助", "解困", "扶贫"), VisitType.HARDSHIP),
    (("高龄", "祝寿", "寿", "老劳模", "百岁"), VisitType.ELDERLY),
    (("其他", "其它", "生日", "慰问", "走访", "看望"), VisitType.OTHER),
]
METHOD_WORDS = [
    (("慰问信", "信"), VisitMethod.LETTER), (("座谈",), VisitMethod.SYMPOSIUM),
    (("岗位", "单位", "车间", "企业", "工地", "现场"), VisitMethod.WORKPLACE),
    (("上门", "入户", "家", "走访", "登门", "看望", "医院", "病房"), VisitMethod.HOME),
]
PAYMENT_WORDS = [
    (("不发", "未发", "无", "实物", "慰问品", "仅慰问"), PaymentMethod.NONE),
    (("转账", "银行", "打卡", "代发", "卡", "汇款", "账户"), PaymentMethod.TRANSFER),
    (("现金", "签收", "领取", "当面"), PaymentMethod.CASH),
]
# The export's file name: "<活动名称>-发放表(完整)20240115.xlsx", maybe with a browser's " (1)".
_SHEET_SUFFIX = re.compile(r"[-_\s]*(发放表|发放名单|慰问台账|台账)\s*([(\uff08]完整[)\uff09])?\s*(\d{8})?"
                           r"\s*([(\uff08]\d+[)\uff09])?$")


@dataclass
class VisitRow:
    worker: Worker
    org_id: int
    visit_date: date
    visit_type: str
    campaign: CareCampaign | None
    method: str
    amount: Decimal
    payment_method: str
    bank_name: str
    bank_account: str
    bank_account_masked: str
    receipt_signed: bool
    receipt_no: str
    visitors: str
    goods: str
    note: str
    died_on: date | None
    register_account: bool = False  # the worker had no account of their own yet: register this one


@dataclass
class _CampaignState:
    campaign: CareCampaign
    visible: bool
    recipients: dict  # worker_id -> status
    running: Decimal  # paid total with the rows accepted so far


@register
class VisitImporter(Importer):
    kind = "care_visits"
    label = "慰问台账"
    module_label = MODULE_LABEL
    record_label = "条慰问记录"
    what = WHAT
    audit_action = "care.visit.import"
    order = 40
    key_help = ("同一劳模、同一慰问日期、同一慰问类型视为同一条慰问记录(已有的不会被修改;金额不符时请先作废原记录)。"
                "导出的发放表可直接导回:按文件名或“慰问活动”列归入活动,未发放的行跳过。")
    count_labels = {"grants": "自动登记待遇", "accounts": "登记本人账户"}
    columns = (
        *PERSON_COLUMNS,
        Column("visit_date", "慰问日期", ("发放日期", "日期", "慰问时间", "走访日期", "走访时间", "时间"),
               required=True, example="2023-01-15"),
        Column("visit_type", "慰问类型", ("类型", "慰问项目", "项目", "慰问事由", "事由", "慰问类别", "类别"),
               example="春节慰问",
               help="春节慰问、困难帮扶、住院慰问、高龄慰问、吊唁、其他(写“生日”“中秋”等记为其他,原文记入备注)"),
        Column("campaign", "慰问活动", ("活动名称", "活动", "所属活动"), example="",
               help="填写系统中慰问活动的名称时,按活动登记发放(须在慰问名单中,受活动预算限制)"),
        Column("amount", "慰问金(元)", ("慰问金", "实发金额", "实发金额(元)", "慰问金额", "慰问金额(元)", "金额",
                                      "金额(元)", "发放金额", "发放金额(元)", "慰问金(元)"), example="1000.00"),
        Column("planned", "计划金额(元)", ("计划金额", "应发金额"), example=""),
        Column("payment_method", "发放方式", ("支付方式", "领取方式"), example="转账",
               help="转账(至本人账户)、现金(本人签收)或不发放;有金额未填时,有账号按转账,否则按现金签收登记"),
        Column("bank_name", "开户银行", ("开户行", "银行", "开户银行名称"), example=""),
        Column("bank_account", "银行账号", ("账号", "银行卡号", "卡号", "账户", "银行账户"), text=True, example=""),
        Column("receipt_no", "签收单号", ("单据号", "凭证号", "收据号"), text=True, example=""),
        Column("method", "慰问方式", ("方式", "走访方式"), example="上门入户",
               help="上门入户、岗位走访、座谈会、慰问信;不填按上门入户"),
        Column("visitors", "慰问人", ("慰问领导", "走访人", "慰问人员", "带队领导"), example="市总工会领导"),
        Column("goods", "慰问品", ("慰问物品", "实物"), example=""),
        Column("note", "备注", ("说明",), example=""),
    )

    def run(self, source, filename: str, **kwargs):
        self.filename = str(filename or "")
        return super().run(source, filename, **kwargs)

    # --- what parsing needs, loaded once ------------------------------------------------------------------
    def _load(self) -> None:
        if getattr(self, "_loaded", False):
            return
        self._loaded = True
        subtree = self.org.subtree_q("worker__org")
        self._visits: dict[tuple, tuple] = {}  # (worker, date, type) -> (pk, amount)
        self._paid: dict[tuple, tuple] = {}  # (campaign, worker) -> (key, date, amount)
        for pk, worker_id, day, kind, amount, campaign_id in (
                CareVisit.objects.filter(subtree, is_void=False).order_by("id")
                .values_list("pk", "worker_id", "visit_date", "visit_type", "amount", "campaign_id").iterator(5000)):
            key = (worker_id, day, kind)
            self._visits.setdefault(key, (pk, Decimal(amount).quantize(Decimal("0.01"))))
            if campaign_id and amount > 0:
                self._paid.setdefault((campaign_id, worker_id), (key, day, amount))
        self._died = dict(Worker.objects.filter(self.org.subtree_q("org"), employment_status=EmploymentStatus.DECEASED)
                          .values_list("pk", "status_date"))
        self._campaigns: dict[str, list[CareCampaign]] = {}
        for c in CareCampaign.objects.filter(is_deleted=False).order_by("-year", "-id"):
            self._campaigns.setdefault(c.name.strip(), []).append(c)
        self._states: dict[int, _CampaignState] = {}
        self._accounts: dict[int, tuple[str, str, str]] | None = None
        self._file_campaign = self._campaign_in_filename()

    def _campaign_in_filename(self) -> CareCampaign | None:
        stem = _SHEET_SUFFIX.sub("", Path(self.filename).stem).strip()
        found = self._campaigns.get(stem, [])
        return found[0] if len(found) == 1 else None

    def _accounts_of(self) -> dict[int, tuple[str, str, str]]:
        if self._accounts is None:
            self._accounts = {a.worker_id: (a.bank_name, a.account_number, a.account_masked)
                              for a in WorkerBankAccount.objects.filter(self.org.subtree_q("worker__org"))}
        return self._accounts

    def _state(self, campaign: CareCampaign) -> _CampaignState:
        if campaign.pk not in self._states:
            visible = is_system(self.actor) or campaign_base(self.actor).filter(pk=campaign.pk).exists()
            recipients = dict(CareRecipient.objects.filter(campaign=campaign).values_list("worker_id", "status"))
            self._states[campaign.pk] = _CampaignState(campaign, visible, recipients,
                                                       campaign_paid_total(campaign.pk))
        return self._states[campaign.pk]

    # --- one row ------------------------------------------------------------------------------------------
    def parse(self, row: Row) -> VisitRow | None:
        self._load()
        if not row.present("visit_date") and not row.present("amount") and row.present("planned"):
            row.name = row.text("name")
            row.warn("发放表中尚未发放的行(无实发金额和发放日期),已跳过", kind="尚未发放的行,已跳过")
            return None
        worker = row.worker()
        amount = row.money("amount")
        day = row.date("visit_date", required=True)
        campaign = self._campaign(row, day)
        visit_type = campaign.visit_type if campaign is not None else self._visit_type(row)
        note = row.text("note", max_length=300)
        written = row.text("visit_type")
        if visit_type == VisitType.OTHER and written and written not in ("其他", "其它") and written not in note:
            note = f"{written};{note}" if note else written
        method = row.choice("method", METHOD_WORDS, default=VisitMethod.HOME)
        visitors = row.text("visitors", max_length=200)
        goods = row.text("goods", max_length=200)
        if worker is None or day is None or visit_type is None or row.errors:
            return None
        amount = amount if amount is not None else ZERO
        key = (worker.pk, day, visit_type)
        stored = self._visits.get(key)
        if stored is not None:
            if row.present("amount") and stored[1] != amount:
                row.error(f"已有{day:%Y-%m-%d}的{VisitType(visit_type).label}记录,慰问金{money_str(stored[1])}元,"
                          f"与本表{money_str(amount)}元不符;如需更正请先作废原记录")
            return None if row.errors else self._item(row, worker, day, visit_type, campaign, method, amount,
                                                     visitors, goods, note, existing=True)
        item = self._item(row, worker, day, visit_type, campaign, method, amount, visitors, goods, note)
        if item is None or row.errors:
            return None
        died = self._died.get(worker.pk)
        if died and died < day:
            if amount > 0:
                row.error(f"{worker.name} 已于 {died:%Y-%m-%d} 去世,不能在去世后向其发放慰问金")
            elif visit_type != VisitType.BEREAVEMENT:
                row.error(f"{worker.name} 已于 {died:%Y-%m-%d} 去世,只能登记吊唁")
        if campaign is not None and not row.errors:
            self._campaign_rules(row, item, key)
        return None if row.errors else item

    def _visit_type(self, row: Row) -> str | None:
        if not row.present("visit_type"):
            row.error("慰问类型为空(可填:" + "、".join(VisitType.labels) + ";或填写慰问活动)")
            return None
        return row.choice("visit_type", TYPE_WORDS)

    def _campaign(self, row: Row, day: date | None) -> CareCampaign | None:
        name = row.text("campaign")
        if not name:
            if not row.present("visit_type"):
                return self._file_campaign
            return None
        found = self._campaigns.get(name, [])
        if len(found) > 1 and day is not None:
            found = [c for c in found if c.start_date <= day <= c.end_date] or found
        if not found:
            row.error(f"慰问活动“{name}”不存在(请填写系统中的活动名称,或不填按慰问类型登记)")
            return None
        if len(found) > 1:
            row.error(f"有多个名为“{name}”的慰问活动({'、'.join(str(c.year) for c in found)}年),请核对慰问日期")
            return None
        return found[0]

    def _item(self, row: Row, worker: Worker, day: date, visit_type: str, campaign, method: str, amount: Decimal,
              visitors: str, goods: str, note: str, *, existing: bool = False) -> VisitRow | None:
        payment = row.choice("payment_method", PAYMENT_WORDS)
        account_text = row.text("bank_account")
        bank_name = row.text("bank_name", max_length=100)
        receipt_no = row.text("receipt_no", max_length=50)
        item = VisitRow(worker=worker, org_id=worker.org_id, visit_date=day, visit_type=visit_type, campaign=campaign,
                        method=method, amount=amount, payment_method=PaymentMethod.NONE, bank_name="", bank_account="",
                        bank_account_masked="", receipt_signed=False, receipt_no="", visitors=visitors, goods=goods,
                        note=note, died_on=self._died.get(worker.pk))
        if existing or amount == 0:
            if amount == 0 and payment in (PaymentMethod.TRANSFER, PaymentMethod.CASH) and not existing:
                row.error("填写了发放方式,但慰问金为空或为0")
            return item
        if payment == PaymentMethod.NONE:
            row.error(f"慰问金{money_str(amount)}元,发放方式却为“{row.text('payment_method')}”")
            return None
        if payment is None:
            payment = PaymentMethod.TRANSFER if account_text else PaymentMethod.CASH
            if payment == PaymentMethod.CASH:
                row.warn("未填发放方式,按现金(本人签收)登记", kind="未填发放方式,无账号的按现金(本人签收)登记")
        item.payment_method = payment
        if payment == PaymentMethod.CASH:
            item.receipt_signed, item.receipt_no = True, receipt_no
            return item
        registered = self._accounts_of().get(worker.pk)
        if "*" in account_text:
            if registered is None or registered[2] != account_text.replace(" ", ""):
                row.error(f"银行账号“{account_text}”已脱敏,且与{worker.name}登记的本人账户不符,请填写完整账号")
                return None
            account_text = ""
        if account_text:
            try:
                number = normalize_account(account_text)
            except ValidationError as exc:
                row.error("；".join(exc.messages))
                return None
            if not bank_name:
                row.error("转账发放请填写开户银行")
                return None
            item.register_account = registered is None
            if registered is None:
                self._accounts_of()[worker.pk] = (bank_name, number, mask_account(number))
        elif registered is not None:
            bank_name, number = registered[0], registered[1]
        else:
            row.error(f"{worker.name} 尚未登记本人银行账户,转账发放请填写开户银行和银行账号")
            return None
        item.bank_name, item.bank_account, item.bank_account_masked = bank_name, number, mask_account(number)
        return item

    def _campaign_rules(self, row: Row, item: VisitRow, key: tuple) -> None:
        """The campaign's rules for a new visit, as visit_check keeps them; the budget counts the rows before."""
        state = self._state(item.campaign)
        campaign, worker = item.campaign, item.worker
        if not state.visible:
            row.error(f"慰问活动“{campaign.name}”不在您的数据范围内")
            return
        if not campaign.is_open:
            row.error(f"活动“{campaign.name}”已结束,不能再登记发放")
            return
        if not campaign.start_date <= item.visit_date <= campaign.end_date:
            row.error(f"慰问日期须在活动期间({campaign.start_date:%Y-%m-%d} 至 {campaign.end_date:%Y-%m-%d})内")
            return
        if state.recipients.get(worker.pk) != RecipientStatus.INCLUDED:
            row.error(f"{worker.name} 不在“{campaign.name}”的慰问名单中,请先在名单中添加并填写原因")
            return
        if item.amount <= 0:
            return
        paid = self._paid.get((campaign.pk, worker.pk))
        if paid is not None and paid[0] != key:
            row.error(f"{worker.name} 在“{campaign.name}”中已于 {paid[1]:%Y-%m-%d} 领取慰问金 {money_str(paid[2])} 元,"
                      "不能重复发放")
            return
        if paid is not None:
            return  # the same visit again: the framework refuses the duplicate row
        if state.running + item.amount > campaign.budget:
            row.error(f"超出活动预算:预算 {money_str(campaign.budget)} 元,已发放(含本表前面的行) "
                      f"{money_str(state.running)} 元,剩余 {money_str(campaign.budget - state.running)} 元,"
                      f"本行 {money_str(item.amount)} 元")
            return
        state.running += item.amount
        self._paid[(campaign.pk, worker.pk)] = (key, item.visit_date, item.amount)

    # --- the plan -----------------------------------------------------------------------------------------
    def key(self, item: VisitRow) -> tuple:
        return (item.worker.pk, item.visit_date, item.visit_type)

    def existing(self, keys):
        return {k: self._visits[k] for k in keys if k in self._visits}

    def changes(self, item: VisitRow, record) -> dict:
        return {}  # a recorded visit is corrected by voiding it (services.visit_void), never edited

    def write(self, plan: Plan) -> None:
        campaigns = {i.campaign.pk for i in plan.creates if i.campaign is not None and i.amount > 0}
        locked = {pk: lock(CareCampaign(pk=pk)) for pk in sorted(campaigns)}
        recorded_by = person(self.actor)
        visits = CareVisit.objects.bulk_create([
            CareVisit(campaign=i.campaign, worker=i.worker, org_id=i.org_id, visit_type=i.visit_type,
                      visit_date=i.visit_date, method=i.method, visitors=i.visitors, amount=i.amount, goods=i.goods,
                      payment_method=i.payment_method, bank_name=i.bank_name, bank_account=i.bank_account,
                      bank_account_masked=i.bank_account_masked, receipt_signed=i.receipt_signed,
                      receipt_no=i.receipt_no, note=i.note, worker_died_on=i.died_on, recorded_by=recorded_by)
            for i in plan.creates], batch_size=2000)
        accounts = {}
        for i in plan.creates:
            if i.register_account and i.worker.pk not in accounts:
                accounts[i.worker.pk] = WorkerBankAccount(worker=i.worker, bank_name=i.bank_name,
                                                          account_number=i.bank_account,
                                                          account_masked=i.bank_account_masked)
        have = set(WorkerBankAccount.objects.filter(worker__in=list(accounts)).values_list("worker_id", flat=True))
        WorkerBankAccount.objects.bulk_create([a for pk, a in accounts.items() if pk not in have], batch_size=2000)
        self.counts["accounts"] = len(set(accounts) - have)
        for pk, campaign in locked.items():
            total = campaign_paid_total(pk)
            if total > campaign.budget:  # a clerk paid from the campaign while the file was checked
                raise ValidationError(f"活动“{campaign.name}”已发放 {money_str(total)} 元,超出预算 "
                                      f"{money_str(campaign.budget)} 元,请重新预检后导入。")
            campaign.paid_total = total
            campaign.save(update_fields=["paid_total", "updated_at"])
        _grants_from_visits(self.actor, visits)
        self.counts["grants"] = self._grant_count(plan)

    def dry_counts(self, plan: Plan) -> dict:
        accounts = {i.worker.pk for i in plan.creates if i.register_account}
        return {"grants": self._grant_count(plan), "accounts": len(accounts)}

    def _grant_count(self, plan: Plan) -> int:
        follows = [set(t.visit_types) for t in BenefitType.objects.filter(Q(is_active=True)) if t.visit_types]
        return sum(1 for i in plan.creates if i.amount > 0 for types in follows if i.visit_type in types)
