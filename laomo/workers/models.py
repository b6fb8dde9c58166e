from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from laomo.core.models import SoftDeleteModel, TimeStampedModel
from laomo.core.pii import EncryptedTextField


class HonorLevel(models.TextChoices):
    NATIONAL = "national", "全国"
    PROVINCIAL = "provincial", "省部级"
    MUNICIPAL = "municipal", "市级"
    COUNTY = "county", "县级"


LEVEL_RANK = {HonorLevel.COUNTY: 1, HonorLevel.MUNICIPAL: 2, HonorLevel.PROVINCIAL: 3, HonorLevel.NATIONAL: 4}
RANK_LEVEL = {rank: level for level, rank in LEVEL_RANK.items()}


def level_label(rank: int) -> str:
    """A worker's highest level shown from its rank (`highest_level_rank`): "市级", or "—" for none."""
    level = RANK_LEVEL.get(rank)
    return HonorLevel(level).label if level else "—"


class HonorKind(models.TextChoices):
    MODEL_WORKER = "model_worker", "劳动模范"
    ADVANCED_WORKER = "advanced_worker", "先进工作者"
    MAY_DAY_MEDAL = "may_day_medal", "五一劳动奖章"
    CRAFTSMAN = "craftsman", "工匠"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", "在职"
    RETIRED = "retired", "离退休"
    LAID_OFF = "laid_off", "下岗(买断工龄)"
    SELF_EMPLOYED = "self_employed", "自谋职业"
    OTHER = "other", "其他"
    DECEASED = "deceased", "去世"


class BenefitCategory(models.TextChoices):
    """享受待遇类别: the benefit level granted, which may differ from the highest honor."""

    NATIONAL = "national", "享受全国劳模待遇"
    PROVINCIAL = "provincial", "享受省部级劳模待遇"
    MUNICIPAL = "municipal", "享受市级劳模待遇"
    NONE = "none", "无"


POLITICAL_STATUS_CHOICES = [
    ("", "—"), ("中共党员", "中共党员"), ("中共预备党员", "中共预备党员"), ("共青团员", "共青团员"),
    ("民主党派", "民主党派"), ("无党派人士", "无党派人士"), ("群众", "群众"),
]
EDUCATION_CHOICES = [
    ("", "—"), ("研究生", "研究生"), ("大学本科", "大学本科"), ("大学专科", "大学专科"), ("中专/中技", "中专/中技"),
    ("高中", "高中"), ("初中", "初中"), ("小学及以下", "小学及以下"),
]


class Worker(TimeStampedModel, SoftDeleteModel):
    """A model worker (劳模) in the registry."""

    worker_no = models.CharField("劳模编号", max_length=16, editable=False)
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名拼音", max_length=120, editable=False)
    name_initials = models.CharField("拼音首字母", max_length=30, editable=False)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_number = EncryptedTextField("身份证号", blank=True)
    id_number_index = models.CharField(max_length=64, null=True, blank=True, editable=False)
    id_number_masked = models.CharField("身份证号(脱敏)", max_length=18, blank=True, editable=False)
    phone = EncryptedTextField("联系电话", blank=True)
    phone_index = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField("联系电话(脱敏)", max_length=24, blank=True, editable=False)
    address = EncryptedTextField("通讯地址", blank=True)
    employer = models.CharField("工作单位", max_length=200, blank=True)
    job_title = models.CharField("职务/职称", max_length=100, blank=True)
    industry = models.CharField("行业", max_length=50, blank=True)
    political_status = models.CharField("政治面貌", max_length=20, blank=True, choices=POLITICAL_STATUS_CHOICES)
    education = models.CharField("学历", max_length=20, blank=True, choices=EDUCATION_CHOICES)
    employment_status = models.CharField("在职状态", max_length=16, choices=EmploymentStatus.choices,
                                         default=EmploymentStatus.ACTIVE)
    status_date = models.DateField("状态变更日期", null=True, blank=True)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="管理单位", on_delete=models.PROTECT,
                            related_name="workers")
    specialties = models.CharField("专长", max_length=300, blank=True,
                                   help_text="多个专长用顿号或逗号分隔,如:食用菌栽培、香菇")
    showcase_consent = models.BooleanField("同意公开展示", default=False)
    showcase_consent_date = models.DateField("同意公开展示日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    benefit_category = models.CharField("享受待遇类别", max_length=16, choices=BenefitCategory.choices, blank=True)
    # Storage name of the re-encoded ID photo (证件照), served only through a scoped view.
    photo = models.CharField("证件照", max_length=255, blank=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="worker")
    # Derived from the honors by the services, never typed in (0 = no honor).
    highest_level_rank = models.PositiveSmallIntegerField("最高荣誉级别", default=0, editable=False)
    is_incomplete = models.GeneratedField(
        expression=Q(id_number_index__isnull=True), output_field=models.BooleanField(), db_persist=True,
        verbose_name="待补全",
    )

    class Meta:
        verbose_name = "劳模"
        verbose_name_plural = "劳模"
        ordering = ["-highest_level_rank", "name_pinyin", "id"]
        indexes = [
            # Partial on live rows: SQLite cannot use a leading is_deleted column for `WHERE NOT
            # is_deleted`, so the default list order is walked on these instead of sorting every row.
            models.Index("org", F("highest_level_rank").desc(), "name_pinyin", "id", condition=Q(is_deleted=False),
                         name="worker_live_org_idx"),
            models.Index(F("highest_level_rank").desc(), "name_pinyin", "id", condition=Q(is_deleted=False),
                         name="worker_live_idx"),
            # Also the index for `name = …` alone (the duplicate check, the import's match of rows without an ID
            # number): a separate one on the name was one more index to write per roster row (issue 16).
            models.Index(fields=["name", "birth_date"], name="worker_dup_idx"),
            # The single-column indexes as Meta indexes rather than `db_index=True`: on PostgreSQL, Django adds
            # to each `db_index` text column a second, `varchar_pattern_ops` copy for LIKE 'x%', which no query
            # here can use (the search ORs each prefix with a `contains`, so it scans), and which every insert
            # maintained: six indexes less to write per roster row, eight with the two unique columns' (issue 16).
            # The sort by name; the phone's blind index for exact look-up (DESIGN.md); the status filter and its
            # count. None on the initials or the employer: the search matches them with `contains` (a scan of
            # the table whatever the index), and no filter, sort or look-up reads them alone.
            models.Index(fields=["name_pinyin"], name="worker_name_pinyin_idx"),
            models.Index(fields=["phone_index"], name="worker_phone_index_idx"),
            models.Index(fields=["employment_status"], name="worker_employment_status_idx"),
        ]
        constraints = [
            # Unique constraints rather than `unique=True`, for the same reason (no `_like` copies); the same
            # checks in full_clean (keyed by the field, code "unique") and the same unique indexes.
            models.UniqueConstraint(fields=["worker_no"], name="worker_no_unique"),
            models.UniqueConstraint(fields=["id_number_index"], name="worker_id_number_index_unique"),
            models.CheckConstraint(
                condition=~Q(employment_status="deceased") | Q(status_date__isnull=False),
                name="worker_deceased_has_date",
            ),
            models.CheckConstraint(condition=Q(highest_level_rank__lte=4), name="worker_rank_range"),
        ]

    def __str__(self):
        return self.name

    @property
    def highest_level(self) -> str | None:
        return RANK_LEVEL.get(self.highest_level_rank)

    @property
    def highest_level_label(self) -> str:
        return level_label(self.highest_level_rank)

    @property
    def is_deceased(self) -> bool:
        return self.employment_status == EmploymentStatus.DECEASED

    @property
    def specialty_list(self) -> list[str]:
        import re

        return [s for s in re.split(r"[、,,;;\s]+", self.specialties) if s]


class Honor(TimeStampedModel, SoftDeleteModel):
    worker = models.ForeignKey(Worker, verbose_name="劳模", on_delete=models.PROTECT, related_name="honors")
    level = models.CharField("级别", max_length=16, choices=HonorLevel.choices)
    kind = models.CharField("类别", max_length=20, choices=HonorKind.choices)
    title = models.CharField("荣誉称号(原文)", max_length=100)
    year = models.PositiveSmallIntegerField("获评年份", null=True, blank=True)
    award_date = models.DateField("表彰日期", null=True, blank=True)
    awarding_body = models.CharField("表彰机关", max_length=100, blank=True)
    document_no = models.CharField("表彰文号", max_length=100, blank=True)
    certificate_no = models.CharField("证书编号", max_length=100, blank=True)

    class Meta:
        verbose_name = "荣誉"
        verbose_name_plural = "荣誉"
        ordering = ["-year", "id"]
        constraints = [
            # The natural key of an honor: an import of the same file twice adds nothing.
            models.UniqueConstraint("worker", "title", Coalesce("year", 0), condition=Q(is_deleted=False),
                                    name="honor_natural_key"),
            models.CheckConstraint(condition=Q(year__isnull=True) | Q(year__gte=1950), name="honor_year_range"),
        ]

    def __str__(self):
        return f"{self.year or ''}{self.title}"


class WorkerLifeEvent(TimeStampedModel):
    """A life event (去世, 退休) and what the modules closed because of it, for the worker's timeline."""

    worker = models.ForeignKey(Worker, verbose_name="劳模", on_delete=models.PROTECT, related_name="life_events")
    event = models.CharField("事件", max_length=16, choices=[("died", "去世"), ("retired", "退休")])
    day = models.DateField("日期")
    summary = models.TextField("关闭事项", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)

    class Meta:
        verbose_name = "劳模生活事件"
        verbose_name_plural = "劳模生活事件"
        ordering = ["-day", "-id"]

    def __str__(self):
        return f"{self.worker_id} {self.event} {self.day}"


class SubmissionKind(models.TextChoices):
    WORKER_CREATE = "worker_create", "新增劳模"
    WORKER_UPDATE = "worker_update", "修改劳模信息"
    HONOR_ADD = "honor_add", "新增荣誉"
    HONOR_REMOVE = "honor_remove", "删除荣誉"
    ROSTER_IMPORT = "roster_import", "导入名册"
    DECISION = "decision", "录入表彰决定"


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已通过"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATUSES = (SubmissionStatus.PENDING, SubmissionStatus.RETURNED)


class Submission(TimeStampedModel):
    """A county's change to the registry (报送), waiting for the city's review (审核).

    Nothing of it is in the registry until it is approved: the proposed values live in `payload` (JSON,
    encrypted — it may hold ID numbers and phones), and approval applies them through the registry's
    services, with the reviewer as the actor.
    """

    kind = models.CharField("报送事项", max_length=16, choices=SubmissionKind.choices)
    status = models.CharField("状态", max_length=12, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.PENDING, db_index=True)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="报送单位", on_delete=models.PROTECT,
                            related_name="registry_submissions")
    worker = models.ForeignKey(Worker, verbose_name="劳模", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="submissions")
    honor = models.ForeignKey(Honor, verbose_name="荣誉", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    payload = EncryptedTextField("报送内容", blank=True)
    summary = models.CharField("摘要", max_length=200)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField("报送时间")
    rounds = models.PositiveSmallIntegerField("报送次数", default=1)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    comment = models.TextField("审核意见", blank=True)
    # The submission's course: [{"at", "who", "action", "comment"}], oldest first (报送, 退回, 重新报送, 通过).
    log = models.JSONField("办理记录", default=list, blank=True)

    class Meta:
        verbose_name = "劳模信息报送"
        verbose_name_plural = "劳模信息报送"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "org"], name="submission_status_org_idx")]
        constraints = [
            # A return always says why; the county fixes its draft from that comment.
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(comment=""),
                                   name="submission_returned_has_comment"),
            # One open change of a worker at a time: a second would be reviewed against stale values.
            models.UniqueConstraint(fields=["worker"], condition=Q(kind="worker_update", status__in=OPEN_STATUSES),
                                    name="submission_one_open_update"),
            models.CheckConstraint(
                condition=Q(kind__in=["worker_create", "roster_import", "decision"]) | Q(worker__isnull=False),
                name="submission_names_worker"),
        ]

    def __str__(self):
        return self.summary

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class WorkerChange(models.Model):
    """One approved change of a worker's record (变更记录): who, when, and each field old → new.

    Written by the registry's services whenever they change a worker or an honor, directly or by applying
    an approved submission; PII values are kept masked, as in the audit log.
    """

    worker = models.ForeignKey(Worker, verbose_name="劳模", on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("变更事项", max_length=24)
    changes = models.JSONField("变更内容", default=list)  # [[label, old, new], ...]
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("经办人姓名", max_length=150, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    submission = models.ForeignKey(Submission, verbose_name="报送", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="applied_changes")
    direct = models.BooleanField("审核单位直接修改", default=False)

    class Meta:
        verbose_name = "劳模变更记录"
        verbose_name_plural = "劳模变更记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["worker", "-at"], name="workerchange_worker_at_idx")]

    def __str__(self):
        return f"{self.worker_id} {self.kind} {self.at:%Y-%m-%d}"
