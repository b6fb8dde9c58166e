"""文件下发: a notice published by a unit to chosen units of its subtree, with attachments, a part meant for
model workers, and one receipt per target unit (read when its staff open it, confirmed when they say so)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from laomo.core.models import TimeStampedModel
from laomo.orgs.models import OrgUnit


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class NoticeCategory(models.TextChoices):
    POLICY = "policy", "劳模待遇政策"
    CAMPAIGN = "campaign", "活动方案"
    OTHER = "other", "其他"


class Notice(TimeStampedModel):
    org = models.ForeignKey(OrgUnit, verbose_name="发文单位", on_delete=models.PROTECT, related_name="notices")
    title = models.CharField("标题", max_length=200)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    category = models.CharField("类别", max_length=16, choices=NoticeCategory.choices, default=NoticeCategory.OTHER)
    body = models.TextField("正文")
    worker_text = models.TextField("致劳模本人的内容", blank=True,
                                   help_text="填写后,目标单位及其下级的劳模可在“我的档案”中看到这部分内容")
    deadline = models.DateField("确认截止日期", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdraw_reason = models.TextField("撤回原因", blank=True)
    reminded_at = models.DateTimeField("最近提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["org", "status"], name="notice_org_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status="draft") | Q(published_at__isnull=False),
                                   name="notice_published_has_time"),
            models.CheckConstraint(condition=~Q(status="withdrawn") | ~Q(withdraw_reason=""),
                                   name="notice_withdrawn_has_reason"),
        ]

    def __str__(self):
        return self.title


class NoticeReceipt(TimeStampedModel):
    """One target unit of a notice: read when its staff first open it, confirmed once, explicitly."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="receipts")
    unit = models.ForeignKey(OrgUnit, verbose_name="接收单位", on_delete=models.PROTECT, related_name="notice_receipts")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        verbose_name = "签收记录"
        verbose_name_plural = "签收记录"
        ordering = ["unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "unit"], name="notice_receipt_one_per_unit"),
            models.CheckConstraint(condition=Q(confirmed_at__isnull=True) | Q(read_at__isnull=False),
                                   name="notice_receipt_confirmed_was_read"),
        ]


def attachment_path(instance, filename: str) -> str:
    """A non-guessable storage name; the original file name is kept in the row, never in the path."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    token = uuid.uuid4().hex
    return f"notices/{token[:2]}/{token}.{ext}"


class NoticeAttachment(TimeStampedModel):
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    for_workers = models.BooleanField("劳模可见", default=False)

    class Meta:
        verbose_name = "通知附件"
        verbose_name_plural = "通知附件"
        ordering = ["id"]

    def __str__(self):
        return self.name
