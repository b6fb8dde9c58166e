"""Volunteer service (志愿服务): teams, service records with hours, the public's requests, mobilizations,
service certificates (民政部令第67号: records true, accurate, complete; 谁记录谁证明)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from laomo.core.models import SoftDeleteModel, TimeStampedModel
from laomo.core.pii import EncryptedTextField


class TeamType(models.TextChoices):
    MEDICAL = "medical", "医疗卫生"
    POWER = "power", "电力"
    FUNGUS = "fungus", "食用菌技术"
    AGRICULTURE = "agriculture", "农技"
    FORESTRY = "forestry", "林业"
    LEGAL = "legal", "法律"
    COUNSELLING = "counselling", "心理咨询"
    TECHNICAL = "technical", "技术服务(综合)"


OTHER_CATEGORY = "other"
CATEGORY_CHOICES = [*TeamType.choices, (OTHER_CATEGORY, "其他")]


class PlaceKind(models.TextChoices):
    VILLAGE = "village", "农村"
    COMMUNITY = "community", "社区"
    ENTERPRISE = "enterprise", "企业"
    SCHOOL = "school", "学校"
    AGENCY = "agency", "机关"
    OTHER = "other", "其他"


class ServiceTeam(TimeStampedModel, SoftDeleteModel):
    """A volunteer service team (志愿服务队); sub-teams have a parent team."""

    name = models.CharField("队伍名称", max_length=100)
    team_type = models.CharField("服务类型", max_length=16, choices=TeamType.choices, db_index=True)
    parent = models.ForeignKey("self", verbose_name="上级服务队", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="所属单位", on_delete=models.PROTECT,
                            related_name="service_teams")
    base = models.CharField("服务阵地", max_length=100, blank=True, help_text="如:庆工益之家")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="队长账号", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="led_teams")
    description = models.TextField("简介", blank=True)
    founded_on = models.DateField("成立日期")
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    is_active = models.BooleanField("在册", default=True, db_index=True)

    class Meta:
        verbose_name = "志愿服务队"
        verbose_name_plural = "志愿服务队"
        ordering = ["org__path", "parent_id", "name", "id"]
        constraints = [
            models.UniqueConstraint("org", "name", condition=Q(is_deleted=False), name="team_unique_name"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="team_not_own_parent"),
            models.CheckConstraint(condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=models.F("founded_on")),
                                   name="team_dissolved_after_founded"),
        ]

    def __str__(self):
        return self.name


class TeamMember(TimeStampedModel):
    """A member: a model worker, or another volunteer by name and phone."""

    team = models.ForeignKey(ServiceTeam, verbose_name="服务队", on_delete=models.PROTECT, related_name="members")
    worker = models.ForeignKey("workers.Worker", verbose_name="劳模", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="team_memberships")
    name = models.CharField("姓名", max_length=50)
    phone = EncryptedTextField("联系电话", blank=True)
    phone_masked = models.CharField("联系电话(脱敏)", max_length=24, blank=True)
    duty = models.CharField("职责", max_length=50, blank=True, help_text="如:副队长、技术骨干")
    joined_on = models.DateField("加入日期")
    left_on = models.DateField("退出日期", null=True, blank=True)
    is_active = models.BooleanField("在队", default=True, db_index=True)

    class Meta:
        verbose_name = "队员"
        verbose_name_plural = "队员"
        ordering = ["team_id", "-is_active", "id"]
        constraints = [
            models.UniqueConstraint("team", "worker", condition=Q(is_active=True, worker__isnull=False),
                                    name="member_unique_worker"),
            models.CheckConstraint(condition=~Q(name=""), name="member_has_name"),
        ]

    def __str__(self):
        return self.name


class Mobilization(TimeStampedModel, SoftDeleteModel):
    """An emergency or special action (应急/专项行动): a flood response, an epidemic testing drive."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", "应急行动"
        SPECIAL = "special", "专项行动"

    name = models.CharField("行动名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="组织单位", on_delete=models.PROTECT,
                            related_name="mobilizations")
    team_type = models.CharField("服务类型", max_length=16, choices=TeamType.choices,
                                 help_text="本行动服务记录计入的服务队类型")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    area = models.CharField("区域", max_length=200)
    description = models.TextField("任务说明", blank=True)

    class Meta:
        verbose_name = "应急/专项行动"
        verbose_name_plural = "应急/专项行动"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                                   name="mobilization_end_after_start"),
        ]

    def __str__(self):
        return self.name


class MobilizationPost(TimeStampedModel):
    """A post or task of a mobilization (e.g. 银苑小广场核酸检测点)."""

    mobilization = models.ForeignKey(Mobilization, on_delete=models.PROTECT, related_name="posts")
    name = models.CharField("点位/任务", max_length=100)
    place = models.CharField("地点", max_length=200, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint("mobilization", "name", name="post_unique_name")]

    def __str__(self):
        return self.name


class RosterEntry(TimeStampedModel):
    """A worker on duty in a mobilization (值守名单)."""

    mobilization = models.ForeignKey(Mobilization, on_delete=models.PROTECT, related_name="roster")
    post = models.ForeignKey(MobilizationPost, verbose_name="点位/任务", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="roster")
    worker = models.ForeignKey("workers.Worker", verbose_name="劳模", on_delete=models.PROTECT,
                               related_name="mobilization_duties")
    duty_from = models.DateField("值守开始")
    duty_to = models.DateField("值守结束")
    role = models.CharField("岗位职责", max_length=50, blank=True, help_text="如:点位负责人")
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        ordering = ["duty_from", "id"]
        constraints = [
            models.UniqueConstraint("mobilization", "worker", "post", condition=Q(is_active=True),
                                    name="roster_unique_worker_post"),
            models.CheckConstraint(condition=Q(duty_to__gte=models.F("duty_from")), name="roster_to_after_from"),
        ]


class ServiceRecord(TimeStampedModel, SoftDeleteModel):
    """One service activity (服务记录): who served whom, where, how many people (服务人次), how many hours."""

    org = models.ForeignKey("orgs.OrgUnit", verbose_name="记录单位", on_delete=models.PROTECT,
                            related_name="service_records")
    team = models.ForeignKey(ServiceTeam, verbose_name="服务队", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="records")
    mobilization = models.ForeignKey(Mobilization, verbose_name="应急/专项行动", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="records")
    team_type = models.CharField("服务类型", max_length=16, choices=TeamType.choices, db_index=True)
    date = models.DateField("服务日期", db_index=True)
    place_kind = models.CharField("场所类型", max_length=16, choices=PlaceKind.choices)
    place = models.CharField("服务地点", max_length=200)
    content = models.TextField("服务内容")
    person_times = models.PositiveIntegerField("服务人次")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "服务记录"
        verbose_name_plural = "服务记录"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "is_deleted", "date"], name="record_org_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(person_times__gte=0), name="record_person_times_nonneg"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.place}"


class ServiceHours(models.Model):
    """A volunteer present at a record, with their hours (志愿服务时长)."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="volunteers")
    worker = models.ForeignKey("workers.Worker", verbose_name="劳模", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="service_hours")
    member = models.ForeignKey(TeamMember, verbose_name="队员", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="service_hours")
    name = models.CharField("姓名", max_length=50)
    hours = models.DecimalField("时长(小时)", max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="hours_range"),
            models.CheckConstraint(condition=Q(worker__isnull=False) | Q(member__isnull=False),
                                   name="hours_has_person"),
            models.UniqueConstraint("record", "worker", condition=Q(worker__isnull=False), name="hours_unique_worker"),
            models.UniqueConstraint("record", "member", condition=Q(member__isnull=False), name="hours_unique_member"),
        ]

    def __str__(self):
        return f"{self.name} {self.hours}"


class ServicePhoto(TimeStampedModel):
    """A photo of a record, re-encoded as JPEG, served only through a scoped view."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="volunteering/photos/")
    thumbnail = models.FileField(upload_to="volunteering/thumbs/")
    caption = models.CharField("说明", max_length=100, blank=True)
    is_deleted = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    DISPATCHED = "dispatched", "已派单"
    ACCEPTED = "accepted", "服务中"
    COMPLETED = "completed", "已完成"
    RATED = "rated", "已评价"
    REFUSED = "refused", "已拒绝"
    CANCELLED = "cancelled", "已取消"


OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.DISPATCHED, RequestStatus.ACCEPTED)
ASSIGNED_STATUSES = (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED)


class RequestChannel(models.TextChoices):
    PORTAL = "portal", "网上点单"
    PHONE = "phone", "电话点单"
    VISIT = "visit", "现场登记"


class ServiceRequest(TimeStampedModel):
    """A member of the public's request (群众点单) and its closed loop."""

    tracking_code = models.CharField("查询码", max_length=16, unique=True, editable=False)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="受理单位", on_delete=models.PROTECT,
                            related_name="service_requests")
    channel = models.CharField("来源", max_length=16, choices=RequestChannel.choices, default=RequestChannel.PORTAL)
    category = models.CharField("服务类别", max_length=16, choices=CATEGORY_CHOICES, db_index=True)
    description = models.TextField("需求描述", max_length=1000)
    town = models.CharField("乡镇(街道)", max_length=50)
    village = models.CharField("村(社区)", max_length=50, blank=True)
    contact_name = EncryptedTextField("联系人")
    contact_name_masked = models.CharField("联系人(脱敏)", max_length=30, editable=False)
    contact_phone = EncryptedTextField("联系电话")
    contact_phone_masked = models.CharField("联系电话(脱敏)", max_length=24, editable=False)
    contact_phone_index = models.CharField(max_length=64, db_index=True, editable=False)
    preferred_date = models.DateField("期望服务日期", null=True, blank=True)
    preferred_time = models.CharField("期望时间说明", max_length=50, blank=True)
    status = models.CharField("状态", max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING,
                              db_index=True)
    team = models.ForeignKey(ServiceTeam, verbose_name="派单服务队", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="requests")
    worker = models.ForeignKey("workers.Worker", verbose_name="派单劳模", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="service_requests")
    promised_date = models.DateField("承诺完成日期", null=True, blank=True)
    scheduled_at = models.DateTimeField("约定服务时间", null=True, blank=True)
    received_at = models.DateTimeField("受理时间", db_index=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True, db_index=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    refuse_reason = models.CharField("不予受理原因", max_length=300, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    decline_reason = models.CharField("最近退单原因", max_length=300, blank=True)
    dispatch_note = models.CharField("派单说明", max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField("评分", null=True, blank=True)
    rating_comment = models.CharField("评价内容", max_length=300, blank=True)
    record = models.OneToOneField(ServiceRecord, verbose_name="服务记录", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="request")
    submit_ip = models.GenericIPAddressField("提交IP", null=True, blank=True)

    class Meta:
        verbose_name = "群众点单"
        verbose_name_plural = "群众点单"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["org", "status", "received_at"], name="request_queue_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="request_rating_range"),
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="request_status_valid"),
            models.CheckConstraint(condition=~Q(status__in=ASSIGNED_STATUSES)
                                   | Q(team__isnull=False) | Q(worker__isnull=False),
                                   name="request_assigned_has_assignee"),
            models.CheckConstraint(condition=~Q(status="rated") | Q(rating__isnull=False),
                                   name="request_rated_has_rating"),
            models.CheckConstraint(condition=~Q(status__in=["completed", "rated"]) | Q(record__isnull=False),
                                   name="request_completed_has_record"),
            models.CheckConstraint(condition=~Q(status="refused") | ~Q(refuse_reason=""),
                                   name="request_refused_has_reason"),
        ]

    def __str__(self):
        return f"点单 {self.tracking_code}"

    @property
    def assignee_label(self) -> str:
        parts = [self.team.name if self.team_id else "", f"劳模 {self.worker.name}" if self.worker_id else ""]
        return " · ".join(p for p in parts if p) or "—"


class RequestEvent(models.Model):
    """One step of a request's loop, timed (the audit log holds the same with the actor's IP)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField("操作人", max_length=60, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.action} {self.created_at:%Y-%m-%d %H:%M}"


class ServiceCertificate(TimeStampedModel):
    """志愿服务记录证明: issued by the unit that keeps the records (谁记录谁证明); no ID number on it."""

    number = models.CharField("证明编号", max_length=40, unique=True, editable=False)
    worker = models.ForeignKey("workers.Worker", verbose_name="志愿者", on_delete=models.PROTECT,
                               related_name="service_certificates")
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="出具单位", on_delete=models.PROTECT,
                            related_name="service_certificates")
    period_from = models.DateField("起始日期")
    period_to = models.DateField("截止日期")
    total_hours = models.DecimalField("志愿服务时长", max_digits=10, decimal_places=2)
    record_count = models.PositiveIntegerField("服务次数")
    lines = models.JSONField("服务记录", default=list)
    issued_on = models.DateField("出具日期")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    is_void = models.BooleanField("已作废", default=False)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "志愿服务记录证明"
        verbose_name_plural = "志愿服务记录证明"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_to__gte=models.F("period_from")), name="cert_period_order"),
        ]

    def __str__(self):
        return self.number
