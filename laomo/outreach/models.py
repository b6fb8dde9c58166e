"""宣讲与宣传: campaigns, lectures (speakers, photos), media items (readings, pick-ups), 班前十分钟, showcases."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from laomo.core.models import SoftDeleteModel, TimeStampedModel


class VenueType(models.TextChoices):
    AGENCY = "agency", "机关"
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    ENTERPRISE = "enterprise", "企业"
    COMMUNITY = "community", "社区"
    VILLAGE = "village", "农村"
    ONLINE = "online", "线上"


class LectureFormat(models.TextChoices):
    LECTURE = "lecture", "讲座"
    REPORT = "report", "报告会"
    SYMPOSIUM = "symposium", "座谈"
    ONSITE = "onsite", "现场教学"
    LIVE = "live", "线上直播"


class LectureStatus(models.TextChoices):
    PLANNED = "planned", "计划中"
    HELD = "held", "已举办"
    CANCELLED = "cancelled", "已取消"


class MediaKind(models.TextChoices):
    VIDEO = "video", "视频"
    ARTICLE = "article", "图文"
    LIVE = "live", "直播回放"
    AUDIO = "audio", "音频"


class PickupKind(models.TextChoices):
    ADOPTED = "adopted", "采用/录用"
    REPRINTED = "reprinted", "转载"


class SessionStage(models.TextChoices):
    THEORY = "theory", "学习理论"
    PRACTICE = "practice", "实践活动"
    REFLECTION = "reflection", "提升感悟"


class SessionForm(models.TextChoices):
    VIDEO = "video", "看视频"
    SHARING = "sharing", "谈体会"
    READING = "reading", "读书籍"
    STORY = "story", "讲故事"


class SessionShift(models.TextChoices):
    BEFORE = "before", "班前"
    AFTER = "after", "班后"


class HostType(models.TextChoices):
    CULTURAL_PALACE = "cultural_palace", "工人文化宫"
    VOCATIONAL_SCHOOL = "vocational_school", "职业学校"
    SCHOOL = "school", "中小学/高校"
    ENTERPRISE = "enterprise", "企业"
    COMMUNITY = "community", "社区/职工服务站"
    OTHER = "other", "其他"


PLATFORM_KIND = "platform"  # the data dictionary's list of media platforms (之江教育汇, 学习强国 …)


class Campaign(TimeStampedModel, SoftDeleteModel):
    """主题宣传活动: lectures, media items and sessions may belong to one."""

    name = models.CharField("活动名称", max_length=100)
    theme = models.CharField("主题", max_length=200, blank=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="主办单位", on_delete=models.PROTECT,
                            related_name="outreach_campaigns")
    description = models.TextField("活动说明", blank=True)

    class Meta:
        verbose_name = "主题宣传活动"
        verbose_name_plural = "主题宣传活动"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="campaign_period_order"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("outreach:campaign_detail", args=[self.pk])


class Lecture(TimeStampedModel, SoftDeleteModel):
    """宣讲: a model worker (or several) speaking at a venue."""

    date = models.DateField("宣讲日期", db_index=True)
    title = models.CharField("宣讲题目", max_length=200)
    campaign = models.ForeignKey(Campaign, verbose_name="所属活动", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="lectures")
    venue_type = models.CharField("场所类型", max_length=16, choices=VenueType.choices)
    venue_name = models.CharField("场所名称", max_length=200, blank=True)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="组织单位", on_delete=models.PROTECT,
                            related_name="outreach_lectures")
    format = models.CharField("形式", max_length=16, choices=LectureFormat.choices, default=LectureFormat.LECTURE)
    status = models.CharField("状态", max_length=16, choices=LectureStatus.choices, default=LectureStatus.HELD)
    audience = models.PositiveIntegerField("受众人数", default=0)
    summary = models.TextField("内容摘要", blank=True)

    class Meta:
        verbose_name = "宣讲"
        verbose_name_plural = "宣讲"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["org", "is_deleted", "-date", "-id"], name="lecture_list_idx"),
            models.Index(fields=["is_deleted", "status", "date"], name="lecture_year_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(audience__gte=0), name="lecture_audience_nonnegative"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("outreach:lecture_detail", args=[self.pk])


class LectureSpeaker(models.Model):
    """A speaker of a lecture: a worker of the registry, or a person named in `name`."""

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="speakers")
    worker = models.ForeignKey("workers.Worker", verbose_name="劳模", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="lecture_speeches")
    name = models.CharField("非劳模主讲人", max_length=50, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(worker__isnull=False) | ~Q(name=""), name="speaker_worker_or_name"),
            models.UniqueConstraint(fields=["lecture", "worker"], condition=Q(worker__isnull=False),
                                    name="speaker_once_per_lecture"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.worker.name if self.worker_id else self.name


class MediaItem(TimeStampedModel, SoftDeleteModel):
    """传播: a video or article of a lecture or a campaign on a platform; reach in dated readings."""

    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类型", max_length=16, choices=MediaKind.choices, default=MediaKind.VIDEO)
    platform = models.ForeignKey("core.DictItem", verbose_name="平台", on_delete=models.PROTECT,
                                 limit_choices_to={"kind": PLATFORM_KIND}, related_name="outreach_media")
    url = models.URLField("链接", max_length=500, blank=True)
    publish_date = models.DateField("发布日期", db_index=True)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="发布单位", on_delete=models.PROTECT,
                            related_name="outreach_media")
    lecture = models.ForeignKey(Lecture, verbose_name="对应宣讲", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="media_items")
    campaign = models.ForeignKey(Campaign, verbose_name="所属活动", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="media_items")
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "传播作品"
        verbose_name_plural = "传播作品"
        ordering = ["-publish_date", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("outreach:media_detail", args=[self.pk])


class MediaReading(TimeStampedModel, SoftDeleteModel):
    """A dated reading of a media item's cumulative view count."""

    media_item = models.ForeignKey(MediaItem, on_delete=models.PROTECT, related_name="readings")
    date = models.DateField("读数日期")
    views = models.PositiveBigIntegerField("累计观看/阅读人次")
    note = models.CharField("来源说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = "观看量读数"
        verbose_name_plural = "观看量读数"
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["media_item", "date"], condition=Q(is_deleted=False),
                                    name="reading_one_per_day"),
            models.CheckConstraint(condition=Q(views__gte=0), name="reading_views_nonnegative"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.views}"


class Pickup(TimeStampedModel, SoftDeleteModel):
    """采用/转载: a media item taken up by another outlet's column (学习强国 “爱·思政”)."""

    media_item = models.ForeignKey(MediaItem, on_delete=models.PROTECT, related_name="pickups")
    kind = models.CharField("方式", max_length=16, choices=PickupKind.choices, default=PickupKind.ADOPTED)
    outlet = models.CharField("采用平台/媒体", max_length=100)
    column = models.CharField("栏目", max_length=100, blank=True)
    date = models.DateField("采用日期")
    url = models.URLField("链接", max_length=500, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "采用转载"
        verbose_name_plural = "采用转载"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.outlet}{(' ' + self.column) if self.column else ''}"


class PreShiftSession(TimeStampedModel, SoftDeleteModel):
    """班前十分钟: a short talk before (or after) a shift in an enterprise's workshop or team."""

    org = models.ForeignKey("orgs.OrgUnit", verbose_name="所属工会", on_delete=models.PROTECT,
                            related_name="outreach_sessions")
    enterprise = models.CharField("企业", max_length=100, db_index=True)
    workshop = models.CharField("车间/班组", max_length=100, blank=True)
    date = models.DateField("日期", db_index=True)
    shift = models.CharField("时段", max_length=8, choices=SessionShift.choices, default=SessionShift.BEFORE)
    speaker = models.ForeignKey("workers.Worker", verbose_name="主讲劳模", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="pre_shift_sessions")
    speaker_name = models.CharField("其他主讲人", max_length=50, blank=True)
    topic = models.CharField("主题", max_length=200)
    stage = models.CharField("阶段", max_length=16, choices=SessionStage.choices, default=SessionStage.THEORY)
    # Forms used, as ",video,story," (sorted codes between commas) so one form is found with __contains.
    forms = models.CharField("形式", max_length=60, blank=True)
    participants = models.PositiveIntegerField("参加人数", default=0)
    minutes = models.PositiveSmallIntegerField("时长(分钟)", default=10)
    campaign = models.ForeignKey(Campaign, verbose_name="所属活动", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="sessions")
    note = models.CharField("备注", max_length=300, blank=True)

    class Meta:
        verbose_name = "班前十分钟"
        verbose_name_plural = "班前十分钟"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "is_deleted", "-date", "-id"], name="session_list_idx")]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "workshop", "date", "shift"], condition=Q(is_deleted=False),
                                    name="session_one_per_shift"),
            models.CheckConstraint(condition=Q(participants__gte=0), name="session_participants_nonnegative"),
            models.CheckConstraint(condition=Q(minutes__gte=1) & Q(minutes__lte=120), name="session_minutes_range"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.enterprise} {self.topic}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("outreach:session_detail", args=[self.pk])

    @property
    def form_list(self) -> list[str]:
        return [f for f in self.forms.split(",") if f]

    @property
    def form_labels(self) -> list[str]:
        labels = dict(SessionForm.choices)
        return [labels.get(f, f) for f in self.form_list]

    @property
    def speaker_display(self) -> str:
        return self.speaker.name if self.speaker_id else self.speaker_name


class Showcase(TimeStampedModel, SoftDeleteModel):
    """风采展示区: a display of model workers in a workers' cultural palace, a vocational school …"""

    name = models.CharField("展示区名称", max_length=100)
    host_type = models.CharField("场所类型", max_length=20, choices=HostType.choices)
    host_place = models.CharField("所在场所", max_length=200)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="建设单位", on_delete=models.PROTECT,
                            related_name="outreach_showcases")
    opened_date = models.DateField("开放日期")
    closed_date = models.DateField("撤展日期", null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    description = models.TextField("介绍", blank=True)
    featured_workers = models.ManyToManyField("workers.Worker", verbose_name="展示劳模", blank=True,
                                              related_name="showcases")

    class Meta:
        verbose_name = "风采展示区"
        verbose_name_plural = "风采展示区"
        ordering = ["-opened_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closed_date__isnull=True) | Q(closed_date__gte=F("opened_date")),
                                   name="showcase_closed_after_opened"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("outreach:showcase_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_date is None


class Photo(TimeStampedModel, SoftDeleteModel):
    """A re-encoded photo of a lecture or a showcase, stored under a random name, served through a scoped view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lecture = models.ForeignKey(Lecture, null=True, blank=True, on_delete=models.PROTECT, related_name="photos")
    showcase = models.ForeignKey(Showcase, null=True, blank=True, on_delete=models.PROTECT, related_name="photos")
    file = models.CharField("文件", max_length=255, editable=False)
    thumb = models.CharField("缩略图", max_length=255, editable=False)
    content_type = models.CharField(max_length=20, editable=False)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    size = models.PositiveIntegerField("大小(字节)", editable=False)
    caption = models.CharField("说明", max_length=100, blank=True)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(lecture__isnull=False) & Q(showcase__isnull=True))
                | (Q(lecture__isnull=True) & Q(showcase__isnull=False)),
                name="photo_one_owner",
            ),
        ]

    def __str__(self):
        return self.caption or self.original_name or str(self.pk)
