from django.db import models
from django.db.models import Q

from laomo.core.models import TimeStampedModel


class Reminder(TimeStampedModel):
    """A due item the daily run found (a 90th birthday, a missing quarterly report …), open until settled.

    One row per (kind, object, due period): the run is idempotent. It is settled when its condition no
    longer holds (the visit was recorded, the report submitted, the date long past), and reopened if the
    condition comes back (a voided visit)."""

    kind = models.CharField("类型", max_length=24, db_index=True)
    ref = models.CharField("对象", max_length=64, help_text="worker:12, studio:3, round:4:7 …")
    period = models.CharField("期间", max_length=16)
    title = models.CharField("事项", max_length=200)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField("到期日期")
    url = models.CharField("办理链接", max_length=300, blank=True)
    settled_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "待办提醒"
        verbose_name_plural = "待办提醒"
        ordering = ["due_date", "id"]
        constraints = [models.UniqueConstraint("kind", "ref", "period", name="reminder_once_per_period")]
        indexes = [models.Index(fields=["kind", "due_date"], condition=Q(settled_at__isnull=True),
                                name="reminder_open_idx")]

    def __str__(self):
        return self.title

    @property
    def key(self) -> tuple[str, str]:
        return self.ref, self.period
