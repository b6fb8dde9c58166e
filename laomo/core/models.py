import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from laomo.orgs.roles import CAPABILITIES


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class SoftDeleteModel(models.Model):
    """Records carrying money, PII or history are never hard-deleted.

    `is_deleted` has no index of its own: live rows are read with `WHERE NOT is_deleted`, true of nearly every
    row (SQLite cannot use an index for `NOT x`; PostgreSQL's planner never picks one that selects everything),
    and every insert paid for it (issue 16). Indexes that lead to live rows are partial
    (`condition=Q(is_deleted=False)`), as the registry's are.
    """

    is_deleted = models.BooleanField("已删除", default=False)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)

    class Meta:
        abstract = True


class Capability(models.Model):
    """Holder of the custom permissions that roles (groups) are granted; has no rows."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = CAPABILITIES

    def __str__(self):
        return "capability"


class AuditResult(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


class AuditEntry(models.Model):
    """Append-only, HMAC-chained audit log (DESIGN.md §5). Written only by `core.audit.record`.

    Database triggers refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL) of its rows
    (`core.audit_triggers`); `hash` is an HMAC under `LAOMO_AUDIT_KEY`, named by `key_id`.
    """

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_username = models.CharField("操作账号", max_length=150, blank=True, db_index=True)
    org = models.ForeignKey(
        "orgs.OrgUnit", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    result = models.CharField("结果", max_length=16, choices=AuditResult.choices, default=AuditResult.SUCCESS)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField("签名密钥", max_length=16, blank=True, default="")

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"


class AuditHead(models.Model):
    """One row: the hash and count of the newest audit entry, locked while appending.

    It serializes writers (so the chain never forks) and lets `verify_audit` notice a deleted
    tail entry.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    last_id = models.BigIntegerField(default=0)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audithead_single_row")]

    def __str__(self):
        return f"audit head #{self.last_id}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    """A long task (import, export, report) with progress that pages poll."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("任务类型", max_length=64)
    title = models.CharField("任务", max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField("进度说明", max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    result_file = models.CharField(max_length=300, blank=True)
    result_filename = models.CharField(max_length=200, blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.progress * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def phases(self) -> list[tuple[str, str]]:
        """An import's phases as (label, state), state one of done/current/waiting/failed, from the message
        the importer reports (读取文件, 逐行校验/正在校验, 写入数据/正在写入…): one state at a time."""
        if self.kind not in IMPORT_JOB_KINDS:
            return []
        labels = ["读取文件", "逐行校验", "比对" if self.params.get("dry_run") else "写入数据"]
        if self.status == JobStatus.DONE:
            return [(label, "done") for label in labels]
        message = self.message or ""
        current = 2 if ("写入" in message or "比对" in message) else 1 if "校验" in message else 0
        state = "failed" if self.status == JobStatus.FAILED else "current"
        return [(label, "done" if i < current else state if i == current else "waiting")
                for i, label in enumerate(labels)]


IMPORT_JOB_KINDS = ("core.import", "workers.import")


class Counter(models.Model):
    """Named counters for human-readable numbers (劳模编号 …), allocated in blocks under a row lock."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}={self.value}"


class Notification(models.Model):
    """An in-app notification (the bell in the top bar)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.text


KEY_CHECK_PLAINTEXT = "laomo-key-check-v1"


class KeyCheck(models.Model):
    """One row proving which keys this database was written with (see `core.keycheck`).

    `pii_token` is a known constant encrypted under the PII keys, `blind_hmac` the blind-index HMAC of
    that constant. A database restored without its key files fails the start-up check instead of
    answering 500 on every page that decrypts.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    pii_token = models.TextField()
    blind_hmac = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="keycheck_single_row")]

    def __str__(self):
        return "key check"


class Heartbeat(models.Model):
    """The last sign of life of a background process (the job consumer), read by /healthz."""

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()
    detail = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.name} @ {self.beat_at}"


class DictItem(TimeStampedModel):
    """An entry of a configurable list (数据字典): hardship causes, health categories, media platforms,
    achievement kinds … one model for all, each list a `kind` registered by its module in
    `laomo.core.dictionary`. City staff edit them on one page; entries are deactivated, never deleted,
    so old records keep their label. Kind-specific switches live in `flags` ({"severe": true})."""

    kind = models.CharField("字典", max_length=32)
    code = models.SlugField("代码", max_length=32)
    label = models.CharField("名称", max_length=50)
    flags = models.JSONField("选项", default=dict, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "数据字典项"
        verbose_name_plural = "数据字典项"
        ordering = ["kind", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint("kind", "code", name="core_dictitem_unique_code"),
            models.UniqueConstraint("kind", "label", name="core_dictitem_unique_label"),
        ]

    def __str__(self):
        return self.label

    def flag(self, name: str) -> bool:
        return bool((self.flags or {}).get(name))


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"
    WEBHOOK = "webhook", "通用 Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Delivery(models.Model):
    """One message handed to an outbound channel (email, SMS, 企业微信, 钉钉, webhook), kept with its attempts.

    Written in the transaction of the business write that caused it, sent after the commit by the job queue,
    retried with backoff; a failure after the last attempt stays here for the system administrator to see and
    resend. `recipient` names a user by id (`user:12`) or a group robot by channel name: never a phone or
    an address, which the channel looks up when it sends."""

    channel = models.CharField("渠道", max_length=20, choices=DeliveryChannel.choices, db_index=True)
    recipient = models.CharField("接收方", max_length=64)
    user_ids = models.JSONField("接收用户", default=list, blank=True)
    text = models.CharField("内容", max_length=500)
    url = models.CharField("链接", max_length=300, blank=True)
    status = models.CharField("状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息发送记录"
        verbose_name_plural = "消息发送记录"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["-created_at", "-id"], name="delivery_list_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "sent", "failed"]), name="delivery_status_valid"),
        ]

    def __str__(self):
        return f"{self.channel} → {self.recipient}"
