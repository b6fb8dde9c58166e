"""疗休养: travel agencies and retreat bases, batches with itinerary, eligibility and county quotas,
applications (nomination or self-service), waitlist, attendance and satisfaction surveys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from laomo.core.models import SoftDeleteModel, TimeStampedModel
from laomo.core.pii import EncryptedTextField
from laomo.workers.models import EmploymentStatus, HonorLevel


class VendorKind(models.TextChoices):
    AGENCY = "agency", "旅行社"
    BASE = "base", "疗休养基地"


class Vendor(TimeStampedModel, SoftDeleteModel):
    """A travel agency (旅行社) or retreat base (疗休养基地) under contract with a union."""

    org = models.ForeignKey("orgs.OrgUnit", verbose_name="签约单位", on_delete=models.PROTECT,
                            related_name="retreat_vendors")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=VendorKind.choices, default=VendorKind.AGENCY)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    license_no = models.CharField("经营许可证号", max_length=60, blank=True)
    contract_no = models.CharField("合同编号", max_length=60, blank=True)
    contract_start = models.DateField("合同起始日", null=True, blank=True)
    contract_end = models.DateField("合同终止日", null=True, blank=True)
    inspected_on = models.DateField("最近实地考察日期", null=True, blank=True)
    inspection_note = models.TextField("考察情况", blank=True)
    is_active = models.BooleanField("合作中", default=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "旅行社/疗休养基地"
        verbose_name_plural = "旅行社/疗休养基地"
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_start__isnull=True) | Q(contract_end__isnull=True)
                | Q(contract_end__gte=models.F("contract_start")),
                name="retreat_vendor_contract_period",
            ),
            models.UniqueConstraint("org", "name", condition=Q(is_deleted=False), name="retreat_vendor_unique_name"),
        ]

    def __str__(self):
        return self.name


class BatchStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    OPEN = "open", "报名中"
    CONFIRMED = "confirmed", "已确定"
    ONGOING = "ongoing", "进行中"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "取消"


# Allowed status changes of a batch (取消 only before the trip starts).
BATCH_TRANSITIONS = {
    BatchStatus.PLANNED: {BatchStatus.OPEN, BatchStatus.CANCELLED},
    BatchStatus.OPEN: {BatchStatus.CONFIRMED, BatchStatus.PLANNED, BatchStatus.CANCELLED},
    BatchStatus.CONFIRMED: {BatchStatus.ONGOING, BatchStatus.OPEN, BatchStatus.CANCELLED},
    BatchStatus.ONGOING: {BatchStatus.COMPLETED},
    BatchStatus.COMPLETED: set(),
    BatchStatus.CANCELLED: set(),
}
# Batches that took place: they count in the summary report.
HELD_STATUSES = (BatchStatus.ONGOING, BatchStatus.COMPLETED)
EDITABLE_STATUSES = (BatchStatus.PLANNED, BatchStatus.OPEN, BatchStatus.CONFIRMED)


def default_employment_statuses() -> list[str]:
    return [EmploymentStatus.ACTIVE, EmploymentStatus.RETIRED]


class RetreatBatch(TimeStampedModel, SoftDeleteModel):
    """One 疗休养 batch: a trip with dates, a vendor, seats, money, a team leader and its rules."""

    org = models.ForeignKey("orgs.OrgUnit", verbose_name="组织单位", on_delete=models.PROTECT,
                            related_name="retreat_batches")
    name = models.CharField("批次名称", max_length=100)
    destination = models.CharField("目的地", max_length=100)
    start_date = models.DateField("出发日期", db_index=True)
    end_date = models.DateField("返回日期")
    registration_deadline = models.DateField("报名截止日期", null=True, blank=True)
    vendor = models.ForeignKey(Vendor, verbose_name="承接旅行社/基地", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="batches")
    capacity = models.PositiveIntegerField("名额(人数)")
    cost_per_person = models.DecimalField("人均费用(元)", max_digits=12, decimal_places=2)
    budget = models.DecimalField("预算(元)", max_digits=12, decimal_places=2)
    leader_name = models.CharField("领队", max_length=50, blank=True)
    leader_phone = models.CharField("领队电话", max_length=30, blank=True)
    status = models.CharField("状态", max_length=16, choices=BatchStatus.choices, default=BatchStatus.PLANNED,
                              db_index=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    note = models.TextField("说明", blank=True)
    # Eligibility (报名条件).
    min_level_rank = models.PositiveSmallIntegerField(
        "最低荣誉级别", default=2, choices=[(0, "不限"), (1, "县级及以上"), (2, "市级及以上"), (3, "省部级及以上"),
                                          (4, "全国")])
    employment_statuses = models.JSONField("在职状态", default=default_employment_statuses, blank=True,
                                           help_text="空表示不限")
    not_attended_years = models.PositiveSmallIntegerField(
        "近N年内未参加", default=0, help_text="近 N 年内参加过疗休养的不能报名;0 表示不限")
    max_age = models.PositiveSmallIntegerField("年龄上限(周岁)", null=True, blank=True,
                                               help_text="按出发日计算;留空表示不限")
    health_declaration_required = models.BooleanField("须填写健康声明", default=True)

    class Meta:
        verbose_name = "疗休养批次"
        verbose_name_plural = "疗休养批次"
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["org", "is_deleted", "-start_date"], name="retreat_batch_list_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="retreat_batch_dates"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="retreat_batch_capacity"),
            models.CheckConstraint(condition=Q(cost_per_person__gte=0) & Q(budget__gte=0),
                                   name="retreat_batch_money"),
            models.CheckConstraint(condition=Q(min_level_rank__lte=4), name="retreat_batch_min_level"),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="retreat_batch_cancel_reason"),
        ]

    def __str__(self):
        return self.name

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def min_level_label(self) -> str:
        return dict(self._meta.get_field("min_level_rank").choices).get(self.min_level_rank, "")

    @property
    def employment_status_labels(self) -> str:
        labels = dict(EmploymentStatus.choices)
        return "、".join(labels.get(s, s) for s in self.employment_statuses) or "不限"


class ItineraryDay(models.Model):
    """One day of a batch's itinerary (行程)."""

    batch = models.ForeignKey(RetreatBatch, on_delete=models.CASCADE, related_name="itinerary")
    day_no = models.PositiveSmallIntegerField("第几天")
    title = models.CharField("行程安排", max_length=200)
    activities = models.TextField("活动内容", blank=True)
    accommodation = models.CharField("住宿", max_length=100, blank=True)
    meals = models.CharField("用餐", max_length=100, blank=True)

    class Meta:
        verbose_name = "行程"
        verbose_name_plural = "行程"
        ordering = ["batch", "day_no"]
        constraints = [
            models.UniqueConstraint("batch", "day_no", name="retreat_itinerary_day_unique"),
            models.CheckConstraint(condition=Q(day_no__gte=1), name="retreat_itinerary_day_no"),
        ]

    def __str__(self):
        return f"D{self.day_no} {self.title}"


class BatchQuota(models.Model):
    """How many people a county (or another unit below the organizer) may send to a batch."""

    batch = models.ForeignKey(RetreatBatch, on_delete=models.CASCADE, related_name="quotas")
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveIntegerField("名额")

    class Meta:
        verbose_name = "名额分配"
        verbose_name_plural = "名额分配"
        ordering = ["batch", "org__path"]
        constraints = [models.UniqueConstraint("batch", "org", name="retreat_quota_unique")]

    def __str__(self):
        return f"{self.org} {self.quota}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    CONFIRMED = "confirmed", "已确定"
    WAITLISTED = "waitlisted", "候补"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已退出"
    CANCELLED = "cancelled", "批次取消"
    ATTENDED = "attended", "已参加"
    ABSENT = "absent", "未参加"


# A person holds a place in the batch (one live application per person and batch).
LIVE_STATUSES = (ApplicationStatus.PENDING, ApplicationStatus.CONFIRMED, ApplicationStatus.WAITLISTED,
                 ApplicationStatus.ATTENDED, ApplicationStatus.ABSENT)
# Counted against the county's quota.
QUOTA_STATUSES = LIVE_STATUSES
# Occupying a seat of the batch's capacity.
SEAT_STATUSES = (ApplicationStatus.CONFIRMED, ApplicationStatus.ATTENDED, ApplicationStatus.ABSENT)
# Blocking another batch whose dates overlap.
OVERLAP_STATUSES = (ApplicationStatus.PENDING, ApplicationStatus.CONFIRMED, ApplicationStatus.WAITLISTED,
                    ApplicationStatus.ATTENDED)
# The order applications are decided in, and the order the waitlist moves up in.
APPLICATION_ORDER = ("-priority_score", "-level_rank", "created_at", "id")
WAITLIST_ORDER = ("-priority_score", "-level_rank", "waitlisted_at", "id")


class Channel(models.TextChoices):
    NOMINATED = "nominated", "单位推荐"
    SELF = "self", "本人申请"


class RetreatApplication(TimeStampedModel):
    """A worker's place (or wish for one) in a batch. Never deleted: withdrawn, rejected, cancelled."""

    batch = models.ForeignKey(RetreatBatch, verbose_name="批次", on_delete=models.PROTECT,
                              related_name="applications")
    worker = models.ForeignKey("workers.Worker", verbose_name="劳模", on_delete=models.PROTECT,
                               related_name="retreat_applications")
    # The worker's unit when applying: the record's org for scope, figures and quota.
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+")
    quota_org = models.ForeignKey("orgs.OrgUnit", verbose_name="占用名额单位", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("报名方式", max_length=16, choices=Channel.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.PENDING, db_index=True)
    front_line = models.BooleanField("一线/艰苦岗位", default=False)
    health_declared = models.BooleanField("已作健康声明", default=False)
    health_note = EncryptedTextField("健康状况说明", blank=True)
    dietary_note = EncryptedTextField("饮食禁忌", blank=True)
    priority_score = models.SmallIntegerField("优先分", default=0, db_index=True)
    priority_reasons = models.JSONField("优先依据", default=list, blank=True)
    level_rank = models.PositiveSmallIntegerField("申请时最高荣誉级别", default=0)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    waitlisted_at = models.DateTimeField("进入候补时间", null=True, blank=True)
    reason = models.CharField("退出/未通过原因", max_length=200, blank=True)
    attendance_recorded_at = models.DateTimeField("出勤登记时间", null=True, blank=True)
    benefit_recorded = models.BooleanField("已记录疗休养待遇", default=False)
    survey_token = models.CharField(max_length=43, unique=True, editable=False)

    class Meta:
        verbose_name = "疗休养报名"
        verbose_name_plural = "疗休养报名"
        ordering = ["-priority_score", "-level_rank", "created_at", "id"]
        indexes = [
            models.Index(fields=["batch", "status", "-priority_score", "-level_rank", "created_at"],
                         name="retreat_app_batch_idx"),
            models.Index(fields=["worker", "status"], name="retreat_app_worker_idx"),
            models.Index(fields=["org", "status"], name="retreat_app_org_idx"),
            # The list's order across batches: its first page never sorts nor reads the whole table.
            models.Index(fields=["-priority_score", "-level_rank", "created_at", "id"], name="retreat_app_order_idx"),
        ]
        constraints = [
            models.UniqueConstraint("batch", "worker", condition=Q(status__in=LIVE_STATUSES),
                                    name="retreat_app_one_live_per_batch"),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "withdrawn", "cancelled"]) | ~Q(reason=""),
                name="retreat_app_reason_required"),
        ]

    def __str__(self):
        return f"{self.worker} · {self.batch}"


RATING_FIELDS = ("itinerary", "accommodation", "food", "guide", "overall")
RATING_LABELS = {"itinerary": "行程安排", "accommodation": "住宿", "food": "餐饮", "guide": "导游/服务",
                 "overall": "总体满意度"}


def _rating(label: str):
    return models.PositiveSmallIntegerField(label)


class SurveyResponse(TimeStampedModel):
    """A participant's satisfaction survey (1–5 on five points, plus a comment); one per application."""

    application = models.OneToOneField(RetreatApplication, on_delete=models.PROTECT, related_name="survey")
    batch = models.ForeignKey(RetreatBatch, on_delete=models.PROTECT, related_name="survey_responses")
    itinerary = _rating("行程安排")
    accommodation = _rating("住宿")
    food = _rating("餐饮")
    guide = _rating("导游/服务")
    overall = _rating("总体满意度")
    comment = models.TextField("意见建议", blank=True)

    class Meta:
        verbose_name = "满意度问卷"
        verbose_name_plural = "满意度问卷"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(**{f"{f}__gte": 1}) & Q(**{f"{f}__lte": 5}),
                                   name=f"retreat_survey_{f}_range")
            for f in RATING_FIELDS
        ]

    def __str__(self):
        return f"{self.application} {self.overall}"


LEVEL_LABEL_BY_RANK = {0: "无", 1: HonorLevel.COUNTY.label, 2: HonorLevel.MUNICIPAL.label,
                       3: HonorLevel.PROVINCIAL.label, 4: HonorLevel.NATIONAL.label}
