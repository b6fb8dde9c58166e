"""关爱劳模: care campaigns and their recipient lists, visits with condolence money, the yearly hardship
survey (困难劳模调查) and the benefits follow-up (劳模待遇落实).

Money is `Decimal` yuan with 2 places. The rules that protect money are database constraints behind
the service checks: one paid visit per worker per campaign, no payment to a worker deceased before the
visit date, a campaign's paid total never above its budget.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from laomo.core.models import SoftDeleteModel, TimeStampedModel
from laomo.core.pii import EncryptedTextField
from laomo.workers.models import EmploymentStatus, HonorLevel

from .fields import EncryptedJSONField

ZERO = Decimal("0.00")


def money_field(label: str, **kwargs):
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kwargs)


class VisitType(models.TextChoices):
    SPRING_FESTIVAL = "spring_festival", "春节慰问"
    HARDSHIP = "hardship", "困难帮扶"
    ILLNESS = "illness", "住院慰问"
    ELDERLY = "elderly", "高龄慰问"
    BEREAVEMENT = "bereavement", "吊唁"
    OTHER = "other", "其他"


class VisitMethod(models.TextChoices):
    HOME = "home", "上门入户"
    WORKPLACE = "workplace", "岗位走访"
    SYMPOSIUM = "symposium", "座谈会"
    LETTER = "letter", "慰问信"


class PaymentMethod(models.TextChoices):
    NONE = "none", "不发放慰问金"
    TRANSFER = "transfer", "转账至本人账户"
    CASH = "cash", "现金(本人签收)"


class CampaignStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class RecipientStatus(models.TextChoices):
    INCLUDED = "included", "在名单中"
    EXCLUDED = "excluded", "已移出"


class RecipientSource(models.TextChoices):
    GENERATED = "generated", "按条件生成"
    MANUAL = "manual", "人工添加"


# Living statuses a rule may name (a deceased worker is never a recipient).
LIVING_STATUS_CHOICES = [c for c in EmploymentStatus.choices if c[0] != EmploymentStatus.DECEASED]
LEVEL_CHOICES = [(4, "全国"), (3, "省部级"), (2, "市级"), (1, "县级")]
LEVEL_BY_RANK = {4: HonorLevel.NATIONAL, 3: HonorLevel.PROVINCIAL, 2: HonorLevel.MUNICIPAL, 1: HonorLevel.COUNTY}


# --- configurable lists (数据字典) -------------------------------------------------------------------------


class DictKind(models.TextChoices):
    """The care lists kept in the one data dictionary (`laomo.core.dictionary`, registered in apps.py)."""

    HARDSHIP_CAUSE = "hardship_cause", "致困原因"
    HEALTH_CATEGORY = "health_category", "健康状况"


class HardshipRequirement(models.TextChoices):
    ANY = "", "不限"
    HARDSHIP = "hardship", "困难及以上"
    SPECIAL = "special", "特殊困难"


class BenefitType(TimeStampedModel):
    """A benefit (劳模待遇) with who is entitled to it each year."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("待遇名称", max_length=50)
    min_level_rank = models.PositiveSmallIntegerField("最低荣誉级别", choices=LEVEL_CHOICES, default=2)
    statuses = models.JSONField("在职状态", default=list, blank=True, help_text="留空为所有在世劳模")
    hardship = models.CharField("困难要求", max_length=16, choices=HardshipRequirement.choices, blank=True,
                                default="")
    standard_amount = money_field("标准金额(元)", null=True, blank=True)
    visit_types = models.JSONField("自动登记的慰问类型", default=list, blank=True,
                                   help_text="这些类型的慰问发放慰问金时,自动登记为本项待遇")
    yearly = models.BooleanField("每年应落实", default=True,
                                 help_text="列入待遇落实情况表:符合条件者当年应享受;轮流安排的待遇(如疗休养)不列入")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "待遇类型"
        verbose_name_plural = "待遇类型"
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_level_rank__gte=1, min_level_rank__lte=4),
                                   name="care_benefittype_level_range"),
            models.CheckConstraint(condition=Q(standard_amount__isnull=True) | Q(standard_amount__gte=0),
                                   name="care_benefittype_amount_nonneg"),
        ]

    def __str__(self):
        return self.name

    @property
    def min_level_label(self) -> str:
        return dict(LEVEL_CHOICES).get(self.min_level_rank, "")

    @property
    def statuses_label(self) -> str:
        labels = dict(EmploymentStatus.choices)
        return "、".join(labels.get(s, s) for s in self.statuses) or "所有在世劳模"


# --- campaigns, recipients, visits ----------------------------------------------------------------------


class CareCampaign(TimeStampedModel, SoftDeleteModel):
    """A care campaign (慰问活动) with its budget and the rule that generates its recipient list."""

    name = models.CharField("活动名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    visit_type = models.CharField("慰问类型", max_length=20, choices=VisitType.choices,
                                  default=VisitType.SPRING_FESTIVAL)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="组织单位", on_delete=models.PROTECT,
                            related_name="care_campaigns")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    budget = money_field("预算(元)")
    fund_source = models.CharField("资金来源", max_length=100, blank=True)
    # Eligibility rule.
    min_level_rank = models.PositiveSmallIntegerField("最低荣誉级别", choices=LEVEL_CHOICES, default=2)
    statuses = models.JSONField("在职状态", default=list, blank=True, help_text="留空为所有在世劳模")
    hardship_only = models.BooleanField("仅困难劳模", default=False)
    amount_national = money_field("全国级标准(元)", default=ZERO)
    amount_provincial = money_field("省部级标准(元)", default=ZERO)
    amount_municipal = money_field("市级标准(元)", default=ZERO)
    amount_county = money_field("县级标准(元)", default=ZERO)
    hardship_extra = money_field("困难劳模加发(元)", default=ZERO)
    status = models.CharField("状态", max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    # Sum of the campaign's paid visits, kept by the services under the campaign's row lock.
    paid_total = money_field("已发放(元)", default=ZERO, editable=False)
    note = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    class Meta:
        verbose_name = "慰问活动"
        verbose_name_plural = "慰问活动"
        ordering = ["-year", "-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="care_campaign_budget_nonneg"),
            models.CheckConstraint(condition=Q(paid_total__gte=0) & Q(paid_total__lte=F("budget")),
                                   name="care_campaign_paid_within_budget"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="care_campaign_period"),
            models.CheckConstraint(
                condition=Q(amount_national__gte=0, amount_provincial__gte=0, amount_municipal__gte=0,
                            amount_county__gte=0, hardship_extra__gte=0),
                name="care_campaign_amounts_nonneg"),
            models.CheckConstraint(condition=Q(min_level_rank__gte=1, min_level_rank__lte=4),
                                   name="care_campaign_level_range"),
            models.CheckConstraint(condition=Q(year__gte=2000), name="care_campaign_year_range"),
        ]

    def __str__(self):
        return self.name

    def standard_amount(self, level_rank: int, in_hardship: bool) -> Decimal:
        base = {4: self.amount_national, 3: self.amount_provincial, 2: self.amount_municipal,
                1: self.amount_county}.get(level_rank, ZERO)
        return base + (self.hardship_extra if in_hardship else ZERO)

    @property
    def min_level_label(self) -> str:
        return dict(LEVEL_CHOICES).get(self.min_level_rank, "")

    @property
    def statuses_label(self) -> str:
        labels = dict(EmploymentStatus.choices)
        return "、".join(labels.get(s, s) for s in self.statuses) or "所有在世劳模"

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.paid_total

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN


class CareRecipient(TimeStampedModel):
    """A worker on a campaign's recipient list, with the planned amount; adjustments carry a reason."""

    campaign = models.ForeignKey(CareCampaign, verbose_name="慰问活动", on_delete=models.PROTECT,
                                 related_name="recipients")
    worker = models.ForeignKey("workers.Worker", verbose_name="劳模", on_delete=models.PROTECT,
                               related_name="care_recipients")
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+")
    level_rank = models.PositiveSmallIntegerField("荣誉级别", default=0)
    in_hardship = models.BooleanField("困难劳模", default=False)
    planned_amount = money_field("计划金额(元)", default=ZERO)
    status = models.CharField("状态", max_length=16, choices=RecipientStatus.choices,
                              default=RecipientStatus.INCLUDED)
    source = models.CharField("来源", max_length=16, choices=RecipientSource.choices,
                              default=RecipientSource.GENERATED)
    adjusted = models.BooleanField("人工调整", default=False)
    reason = models.CharField("调整原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "慰问名单"
        verbose_name_plural = "慰问名单"
        ordering = ["campaign", "-level_rank", "org__path", "id"]
        constraints = [
            models.UniqueConstraint("campaign", "worker", name="care_recipient_unique"),
            models.CheckConstraint(condition=Q(planned_amount__gte=0), name="care_recipient_amount_nonneg"),
            models.CheckConstraint(condition=Q(adjusted=False) | ~Q(reason=""), name="care_recipient_reason"),
        ]
        indexes = [models.Index(fields=["campaign", "org", "status"], name="care_recipient_org_idx"),
                   models.Index(fields=["worker"], name="care_recipient_worker_idx")]

    def __str__(self):
        return f"{self.campaign} · {self.worker}"

    @property
    def level_label(self) -> str:
        return dict(LEVEL_CHOICES).get(self.level_rank, "—")


class WorkerBankAccount(TimeStampedModel):
    """The worker's own bank account for condolence money (stored encrypted, shown masked)."""

    worker = models.OneToOneField("workers.Worker", verbose_name="劳模", on_delete=models.PROTECT,
                                  related_name="care_bank_account")
    bank_name = models.CharField("开户银行", max_length=100)
    account_number = EncryptedTextField("银行账号")
    account_masked = models.CharField("银行账号(脱敏)", max_length=40, editable=False)

    class Meta:
        verbose_name = "劳模本人银行账户"
        verbose_name_plural = "劳模本人银行账户"

    def __str__(self):
        return f"{self.bank_name} {self.account_masked}"


class CareVisit(TimeStampedModel):
    """A visit (慰问记录), with the money paid; voided with a reason, never deleted."""

    campaign = models.ForeignKey(CareCampaign, verbose_name="慰问活动", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="visits")
    worker = models.ForeignKey("workers.Worker", verbose_name="劳模", on_delete=models.PROTECT,
                               related_name="care_visits")
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+")
    visit_type = models.CharField("慰问类型", max_length=20, choices=VisitType.choices, db_index=True)
    visit_date = models.DateField("慰问日期")
    method = models.CharField("慰问方式", max_length=16, choices=VisitMethod.choices)
    visitors = models.CharField("慰问人", max_length=200, blank=True)
    amount = money_field("慰问金(元)", default=ZERO)
    goods = models.CharField("慰问品", max_length=200, blank=True)
    payment_method = models.CharField("发放方式", max_length=16, choices=PaymentMethod.choices,
                                      default=PaymentMethod.NONE)
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    bank_account = EncryptedTextField("银行账号", blank=True)
    bank_account_masked = models.CharField("银行账号(脱敏)", max_length=40, blank=True)
    receipt_signed = models.BooleanField("本人已签收", default=False)
    receipt_no = models.CharField("签收单号", max_length=50, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    # The worker's date of death when the visit was recorded (the constraint below refuses money after it).
    worker_died_on = models.DateField("去世日期", null=True, blank=True, editable=False)
    is_void = models.BooleanField("已作废", default=False, db_index=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)

    class Meta:
        verbose_name = "慰问记录"
        verbose_name_plural = "慰问记录"
        ordering = ["-visit_date", "-id"]
        constraints = [
            models.UniqueConstraint("campaign", "worker", condition=Q(amount__gt=0, is_void=False),
                                    name="care_visit_one_paid_per_campaign"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="care_visit_amount_nonneg"),
            models.CheckConstraint(
                condition=Q(amount=0) | Q(worker_died_on__isnull=True) | Q(worker_died_on__gte=F("visit_date")),
                name="care_visit_no_pay_after_death"),
            models.CheckConstraint(
                condition=(Q(amount=0, payment_method="none")
                           | Q(amount__gt=0, payment_method__in=["transfer", "cash"])),
                name="care_visit_payment_method"),
            models.CheckConstraint(condition=~Q(payment_method="transfer") | ~Q(bank_account_masked=""),
                                   name="care_visit_transfer_account"),
            models.CheckConstraint(condition=~Q(payment_method="cash") | Q(receipt_signed=True),
                                   name="care_visit_cash_receipt"),
            models.CheckConstraint(condition=Q(is_void=False) | ~Q(void_reason=""), name="care_visit_void_reason"),
        ]
        indexes = [
            models.Index(fields=["org", "visit_date"], name="care_visit_org_date_idx"),
            models.Index(fields=["worker", "visit_date"], name="care_visit_worker_idx"),
            models.Index(fields=["campaign", "worker"], name="care_visit_campaign_idx"),
            # The visits list's default order and its year filter (issue 16): no sort of every visit.
            models.Index(fields=["-visit_date", "-id"], name="care_visit_list_idx"),
        ]

    def __str__(self):
        return f"{self.visit_date:%Y-%m-%d} {self.get_visit_type_display()}"

    @property
    def is_paid(self) -> bool:
        return self.amount > 0 and not self.is_void


# --- hardship survey --------------------------------------------------------------------------------------


class RoundStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class SurveyRound(TimeStampedModel):
    """A yearly hardship survey round opened by the city, with the local income threshold."""

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    name = models.CharField("调查名称", max_length=100)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="组织单位", on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("截止日期")
    income_threshold = money_field("困难标准(人均月收入,元)",
                                   help_text="家庭人均月收入低于此标准为困难;可参照当地低保标准")
    marginal_factor = models.DecimalField("低收入边缘系数", max_digits=4, decimal_places=2, default=Decimal("1.50"),
                                          help_text="人均收入低于标准×系数且有重大致困原因,也评为困难")
    min_level_rank = models.PositiveSmallIntegerField("调查范围(最低荣誉级别)", choices=LEVEL_CHOICES, default=2)
    status = models.CharField("状态", max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    class Meta:
        verbose_name = "困难劳模调查"
        verbose_name_plural = "困难劳模调查"
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint("org", "year", name="care_round_one_per_year"),
            models.CheckConstraint(condition=Q(income_threshold__gt=0), name="care_round_threshold_pos"),
            models.CheckConstraint(condition=Q(marginal_factor__gte=1), name="care_round_factor_min"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="care_round_period"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已通过"


class HardshipLevel(models.TextChoices):
    NONE = "none", "非困难"
    HARDSHIP = "hardship", "困难"
    SPECIAL = "special", "特殊困难"


IN_HARDSHIP = (HardshipLevel.HARDSHIP, HardshipLevel.SPECIAL)


class VerificationMethod(models.TextChoices):
    HOME = "home", "入户走访"
    PHONE = "phone", "电话询访"
    DATA = "data", "信息比对"


class HousingType(models.TextChoices):
    OWN = "own", "自有住房"
    PUBLIC_RENT = "public_rent", "租住公房"
    PRIVATE_RENT = "private_rent", "租住私房"
    BORROWED = "borrowed", "借住"
    OTHER = "other", "其他"


INSURANCE_CHOICES = [
    ("employee_pension", "城镇职工基本养老保险"),
    ("resident_pension", "城乡居民养老保险(新农保)"),
    ("employee_medical", "职工基本医疗保险"),
    ("resident_medical", "城乡居民医疗保险(新农合)"),
    ("unemployment", "失业保险"),
    ("injury", "工伤保险"),
    ("critical_illness", "大病保险"),
    ("none", "未参保"),
]

DISABILITY_GRADES = [("", "无"), ("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级")]


class HardshipSurvey(TimeStampedModel, SoftDeleteModel):
    """One worker's hardship survey form in a round. Health, incomes, causes and needs are encrypted in
    `details`; the computed hardship level is kept in clear for the hardship database and the figures."""

    round = models.ForeignKey(SurveyRound, verbose_name="调查", on_delete=models.PROTECT, related_name="surveys")
    worker = models.ForeignKey("workers.Worker", verbose_name="劳模", on_delete=models.PROTECT,
                               related_name="hardship_surveys")
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+")
    survey_date = models.DateField("走访日期")
    verification_method = models.CharField("核实方式", max_length=16, choices=VerificationMethod.choices)
    visitors = models.CharField("走访人", max_length=200, blank=True)
    household_size = models.PositiveSmallIntegerField("家庭人口数")
    employment = models.CharField("就业状况", max_length=16, choices=LIVING_STATUS_CHOICES)
    insurance = models.JSONField("参保情况", default=list, blank=True)
    housing_type = models.CharField("住房情况", max_length=16, choices=HousingType.choices)
    housing_area = models.DecimalField("人均住房面积(㎡)", max_digits=7, decimal_places=2, null=True, blank=True)
    # Encrypted: income_own, income_per_capita (decimal strings), health_category, health_detail,
    # major_illness (bool), disability_grade, causes (codes), needs.
    details = EncryptedJSONField("敏感信息", blank=True, default=dict)
    hardship_level = models.CharField("困难等级", max_length=16, choices=HardshipLevel.choices, db_index=True)
    status = models.CharField("状态", max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT,
                              db_index=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    review_comment = models.CharField("审核意见", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    class Meta:
        verbose_name = "困难劳模调查表"
        verbose_name_plural = "困难劳模调查表"
        ordering = ["-survey_date", "-id"]
        constraints = [
            models.UniqueConstraint("round", "worker", condition=Q(is_deleted=False), name="care_survey_one_per_round"),
            models.CheckConstraint(condition=Q(household_size__gte=1), name="care_survey_household_min"),
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(review_comment=""),
                                   name="care_survey_return_comment"),
        ]
        indexes = [
            models.Index(fields=["worker", "status", "survey_date"], name="care_survey_worker_idx"),
            models.Index(fields=["org", "survey_date"], name="care_survey_org_date_idx"),
            # The list's order (-survey_date, -id), walked backwards: its first page never sorts the table.
            models.Index(fields=["survey_date", "id"], name="care_survey_date_idx"),
        ]

    def __str__(self):
        return f"{self.round} · {self.worker}"

    @property
    def is_editable(self) -> bool:
        return self.status in (SurveyStatus.DRAFT, SurveyStatus.RETURNED) and not self.is_deleted


# --- benefits follow-up -----------------------------------------------------------------------------------


class BenefitGrant(TimeStampedModel):
    """A benefit a worker received in a year: from a paid visit, a retreat, or recorded by hand."""

    worker = models.ForeignKey("workers.Worker", verbose_name="劳模", on_delete=models.PROTECT,
                               related_name="benefit_grants")
    benefit_type = models.ForeignKey(BenefitType, verbose_name="待遇", on_delete=models.PROTECT,
                                     related_name="grants")
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("待遇年度", db_index=True)
    grant_date = models.DateField("落实日期")
    amount = money_field("金额(元)", null=True, blank=True)
    source = models.CharField("来源", max_length=64, blank=True, default="",
                              help_text="空为人工登记;care_visit:ID 来自慰问记录;retreat:… 来自疗休养")
    note = models.CharField("备注", max_length=300, blank=True)
    is_void = models.BooleanField("已作废", default=False)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)

    class Meta:
        verbose_name = "待遇落实记录"
        verbose_name_plural = "待遇落实记录"
        ordering = ["-year", "-grant_date", "-id"]
        constraints = [
            models.UniqueConstraint("worker", "benefit_type", "year", "source", condition=Q(is_void=False),
                                    name="care_grant_idempotent"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                   name="care_grant_amount_nonneg"),
            models.CheckConstraint(condition=Q(is_void=False) | ~Q(void_reason=""), name="care_grant_void_reason"),
        ]
        indexes = [
            models.Index(fields=["benefit_type", "year", "worker"], name="care_grant_type_year_idx"),
            models.Index(fields=["org", "year"], name="care_grant_org_year_idx"),
        ]

    def __str__(self):
        return f"{self.year}年{self.benefit_type}"

    @property
    def source_label(self) -> str:
        if not self.source:
            return "人工登记"
        if self.source.startswith("care_visit:"):
            return "慰问记录"
        if self.source.startswith("retreat"):
            return "疗休养"
        return self.source
