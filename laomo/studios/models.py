"""创新工作室与传帮带: innovation studios, their achievements and assessments, mentorships and technical help.

Rules that are derived, never typed:
- a mentorship's form (一带一/一带多/多带一/多带多) comes from its mentor and apprentice counts
  (`derive_form` in Python, `MentorshipQuerySet.with_form()` in SQL, both from `FORM_RULES`);
- the lead warning comes from the lead worker's highest honor level (itself derived from honors).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from laomo.core.models import SoftDeleteModel, TimeStampedModel
from laomo.workers.models import LEVEL_RANK, level_label

# --- enumerations -----------------------------------------------------------------------------------


class StudioType(models.TextChoices):
    MODEL_WORKER = "model_worker", "劳模创新工作室"
    CRAFTSMAN = "craftsman", "工匠创新工作室"
    SKILLED_TALENT = "skilled_talent", "高技能人才创新工作室"


class StudioLevel(models.TextChoices):
    NATIONAL = "national", "全国示范"
    PROVINCIAL = "provincial", "省级示范"
    MUNICIPAL = "municipal", "市级示范"
    COUNTY = "county", "县级示范"


LEVEL_KEYS = ("national", "provincial", "municipal", "county")


class StudioStatus(models.TextChoices):
    CULTIVATING = "cultivating", "培育/创建中"
    NAMED = "named", "已命名"
    REVIEWING = "reviewing", "复核中"
    REVOKED = "revoked", "已撤销"


# The status flow 培育/创建中 → 已命名 → 复核 → 撤销: a review ends named again or revoked; revoked is final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    StudioStatus.CULTIVATING: (StudioStatus.NAMED, StudioStatus.REVOKED),
    StudioStatus.NAMED: (StudioStatus.REVIEWING, StudioStatus.REVOKED),
    StudioStatus.REVIEWING: (StudioStatus.NAMED, StudioStatus.REVOKED),
    StudioStatus.REVOKED: (),
}
TRANSITION_LABELS = {
    StudioStatus.NAMED: "命名", StudioStatus.REVIEWING: "启动复核", StudioStatus.REVOKED: "撤销",
}
LIVE_STATUSES = (StudioStatus.CULTIVATING, StudioStatus.NAMED, StudioStatus.REVIEWING)


class MemberRole(models.TextChoices):
    LEAD = "lead", "领衔人"
    CORE = "core", "核心成员"
    MEMBER = "member", "成员"


class ProjectStatus(models.TextChoices):
    ONGOING = "ongoing", "进行中"
    CONCLUDED = "concluded", "已结题"
    STOPPED = "stopped", "已中止"


# Achievement kinds are the data-dictionary list `achievement_kind` (成果类型; seeded by migration 0002 with
# patent, innovation, qc, method, standard, award, paper; clerks may add more). A patent needs its number.
ACHIEVEMENT_KIND = "achievement_kind"
PATENT = "patent"


class AssessmentResult(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class MentorshipForm(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "一带一"
    ONE_TO_MANY = "one_to_many", "一带多"
    MANY_TO_ONE = "many_to_one", "多带一"
    MANY_TO_MANY = "many_to_many", "多带多"


FORM_KEYS = ("one_to_one", "one_to_many", "many_to_one", "many_to_many")


class ParticipantRole(models.TextChoices):
    MENTOR = "mentor", "师傅"
    APPRENTICE = "apprentice", "徒弟"


class OutcomeKind(models.TextChoices):
    SKILL_LEVEL = "skill_level", "技能等级提升"
    CERTIFICATE = "certificate", "取得证书"
    TITLE = "title", "职称晋升"
    AWARD = "award", "竞赛获奖"
    OTHER = "other", "其他"


class TechHelpKind(models.TextChoices):
    EXCHANGE = "exchange", "技术交流"
    TRAINING = "training", "技术培训"
    COLLABORATION = "collaboration", "技术协作"
    ASSISTANCE = "assistance", "技术帮扶"


class TargetType(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    COMMUNITY = "community", "社区"
    SCHOOL = "school", "学校"
    VILLAGE = "village", "农村"
    OTHER = "other", "其他"


# --- studios --------------------------------------------------------------------------------------


def lead_warning(name: str, rank: int) -> str:
    """`Studio.lead_warning` from the lead's name and `highest_level_rank`."""
    if rank < LEVEL_RANK["municipal"]:
        level = level_label(rank) if rank else "无荣誉"
        return f"领衔人 {name} 的最高荣誉为{level},低于市级;创新工作室一般应由市级及以上劳模领衔。"
    return ""


class Studio(TimeStampedModel):
    """A 劳模/工匠/高技能人才创新工作室. Never deleted: a failing studio is revoked (with reason and date)."""

    name = models.CharField("工作室名称", max_length=100)
    studio_type = models.CharField("类型", max_length=20, choices=StudioType.choices)
    level = models.CharField("示范级别", max_length=16, choices=StudioLevel.choices, db_index=True)
    lead = models.ForeignKey("workers.Worker", verbose_name="领衔人", on_delete=models.PROTECT,
                             related_name="led_studios")
    host_enterprise = models.CharField("依托企业(单位)", max_length=200)
    org = models.ForeignKey("orgs.OrgUnit", verbose_name="所属工会", on_delete=models.PROTECT,
                            related_name="studios")
    specialty = models.CharField("专业领域", max_length=100, blank=True)
    founded_date = models.DateField("创建日期")
    status = models.CharField("状态", max_length=16, choices=StudioStatus.choices,
                              default=StudioStatus.CULTIVATING, db_index=True)
    status_date = models.DateField("状态日期")
    named_date = models.DateField("命名日期", null=True, blank=True)
    revoked_date = models.DateField("撤销日期", null=True, blank=True)
    revoke_reason = models.TextField("撤销原因", blank=True)
    space_note = models.TextField("场地情况", blank=True)
    funding_note = models.TextField("经费情况", blank=True)
    description = models.TextField("简介", blank=True)

    class Meta:
        verbose_name = "创新工作室"
        verbose_name_plural = "创新工作室"
        ordering = ["org__path", "name", "id"]
        indexes = [models.Index(fields=["org", "status"], name="studio_org_status_idx")]
        constraints = [
            models.UniqueConstraint("org", "name", name="studio_unique_name_in_org"),
            models.CheckConstraint(
                condition=~Q(status="revoked") | (Q(revoked_date__isnull=False) & ~Q(revoke_reason="")),
                name="studio_revoked_has_date_and_reason",
            ),
            models.CheckConstraint(condition=Q(named_date__isnull=True) | Q(named_date__gte=F("founded_date")),
                                   name="studio_named_after_founded"),
            models.CheckConstraint(condition=Q(revoked_date__isnull=True) | Q(revoked_date__gte=F("founded_date")),
                                   name="studio_revoked_after_founded"),
            models.CheckConstraint(condition=Q(status_date__gte=F("founded_date")), name="studio_status_after_founded"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def lead_warning(self) -> str:
        """Shown (not refused) when the lead's highest honor is below municipal level."""
        return lead_warning(self.lead.name, self.lead.highest_level_rank)

    @property
    def allowed_transitions(self) -> list[tuple[str, str]]:
        return [(s, TRANSITION_LABELS[s]) for s in TRANSITIONS[self.status]]


class StudioStatusChange(models.Model):
    """History of a studio's status (append-only)."""

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField("原状态", max_length=16, choices=StudioStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=StudioStatus.choices)
    date = models.DateField("日期")
    reason = models.TextField("说明", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.studio_id} {self.from_status}→{self.to_status}"


class StudioMember(TimeStampedModel):
    """A member: a registered worker, or other staff by name. Leaving sets `left_date` (kept for history)."""

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="members")
    worker = models.ForeignKey("workers.Worker", verbose_name="劳模", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="studio_memberships")
    name = models.CharField("姓名", max_length=50)
    title = models.CharField("岗位/职称", max_length=100, blank=True)
    role = models.CharField("角色", max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_date = models.DateField("加入日期", null=True, blank=True)
    left_date = models.DateField("退出日期", null=True, blank=True)

    class Meta:
        ordering = ["left_date", "role", "id"]
        constraints = [
            models.UniqueConstraint("studio", "worker", condition=Q(worker__isnull=False, left_date__isnull=True),
                                    name="studio_member_once"),
            models.CheckConstraint(condition=~Q(name=""), name="studio_member_has_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_current(self) -> bool:
        return self.left_date is None


class StudioProject(TimeStampedModel):
    """攻关项目/课题: a studio should have at least one project in every year."""

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="projects")
    title = models.CharField("项目名称", max_length=200)
    goal = models.TextField("目标", blank=True)
    start_date = models.DateField("立项日期")
    end_date = models.DateField("结题/中止日期", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.ONGOING)

    class Meta:
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                   name="studio_project_end_after_start"),
            models.CheckConstraint(condition=Q(status="ongoing") | Q(end_date__isnull=False),
                                   name="studio_project_closed_has_date"),
        ]

    def __str__(self):
        return self.title


def evidence_path(instance, filename: str) -> str:
    """A non-guessable storage name; the original file name is kept in the row, never in the path."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    token = uuid.uuid4().hex
    return f"studios/evidence/{token[:2]}/{token}.{ext}"


class StudioAchievement(TimeStampedModel, SoftDeleteModel):
    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="achievements")
    kind = models.CharField("成果类别", max_length=32, help_text="数据字典“成果类型”的代码")
    title = models.CharField("成果名称", max_length=200)
    achieved_date = models.DateField("取得日期")
    patent_no = models.CharField("专利号", max_length=40, blank=True)
    is_recognized = models.BooleanField("已获认定", default=True,
                                        help_text="已授权、发布、批准、表彰、发表或通过验收")
    recognized_by = models.CharField("认定/授权单位", max_length=100, blank=True)
    economic_benefit = models.DecimalField("经济效益(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    credited = models.ManyToManyField(StudioMember, verbose_name="完成人", related_name="credits", blank=True)
    evidence = models.FileField("佐证材料", upload_to=evidence_path, max_length=300, blank=True)
    evidence_thumb = models.FileField(max_length=300, blank=True)
    evidence_name = models.CharField("佐证材料文件名", max_length=200, blank=True)
    evidence_type = models.CharField(max_length=60, blank=True)
    evidence_size = models.PositiveIntegerField(default=0)
    withdraw_reason = models.TextField("撤回原因", blank=True)

    class Meta:
        verbose_name = "工作室成果"
        verbose_name_plural = "工作室成果"
        ordering = ["-achieved_date", "-id"]
        indexes = [models.Index(fields=["studio", "is_deleted", "achieved_date"], name="achievement_studio_idx"),
                   # The list's order (-achieved_date, -id): its first page never sorts the table.
                   models.Index(fields=["achieved_date", "id"], name="achievement_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(economic_benefit__isnull=True) | Q(economic_benefit__gte=0),
                                   name="achievement_benefit_not_negative"),
            models.CheckConstraint(condition=~Q(kind="patent") | ~Q(patent_no=""), name="achievement_patent_has_no"),
        ]

    def __str__(self):
        return self.title


class QuarterlyReport(TimeStampedModel):
    """季度报告: text plus the quarter's reported figures."""

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="quarterly_reports")
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=[(1, "第一季度"), (2, "第二季度"), (3, "第三季度"),
                                                                (4, "第四季度")])
    summary = models.TextField("工作小结")
    next_plan = models.TextField("下季度计划", blank=True)
    activities = models.PositiveIntegerField("开展活动(次)", default=0)
    participants = models.PositiveIntegerField("参与职工(人次)", default=0)
    trainees = models.PositiveIntegerField("培训(人次)", default=0)
    problems_solved = models.PositiveIntegerField("解决技术难题(项)", default=0)
    funds_spent = models.DecimalField("经费投入(元)", max_digits=12, decimal_places=2, default=0)
    submitted_date = models.DateField("报送日期")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint("studio", "year", "quarter", name="quarterly_report_once"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="quarterly_report_quarter"),
            models.CheckConstraint(condition=Q(funds_spent__gte=0), name="quarterly_report_funds_not_negative"),
        ]

    def __str__(self):
        return f"{self.year}年第{self.quarter}季度"


class YearlyAssessment(TimeStampedModel):
    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveSmallIntegerField("考核年度")
    score = models.DecimalField("得分", max_digits=4, decimal_places=1)
    result = models.CharField("考核结果", max_length=10, choices=AssessmentResult.choices)
    comment = models.TextField("考核意见", blank=True)
    assessor = models.CharField("考核单位", max_length=100, blank=True)
    assessed_date = models.DateField("考核日期")

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint("studio", "year", name="yearly_assessment_once"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="yearly_assessment_score_range"),
        ]

    def __str__(self):
        return f"{self.year}年度考核"


# --- mentorships ------------------------------------------------------------------------------------

# (mentors, apprentices) → form. "many" is two or more.
FORM_RULES = (
    (Q(n_mentors=1) & Q(n_apprentices=1), MentorshipForm.ONE_TO_ONE),
    (Q(n_mentors=1) & Q(n_apprentices__gte=2), MentorshipForm.ONE_TO_MANY),
    (Q(n_mentors__gte=2) & Q(n_apprentices=1), MentorshipForm.MANY_TO_ONE),
    (Q(n_mentors__gte=2) & Q(n_apprentices__gte=2), MentorshipForm.MANY_TO_MANY),
)


def derive_form(mentors: int, apprentices: int) -> str:
    """The form from the counts; '' while a side is empty (a saved mentorship always has both)."""
    if mentors < 1 or apprentices < 1:
        return ""
    if mentors == 1:
        return MentorshipForm.ONE_TO_ONE if apprentices == 1 else MentorshipForm.ONE_TO_MANY
    return MentorshipForm.MANY_TO_ONE if apprentices == 1 else MentorshipForm.MANY_TO_MANY


def _participant_count(role: str):
    counts = (MentorshipParticipant.objects.filter(mentorship=OuterRef("pk"), role=role)
              .order_by().values("mentorship").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counts, output_field=models.IntegerField()), 0)


class MentorshipQuerySet(models.QuerySet):
    def with_form(self):
        """Annotate n_mentors, n_apprentices and the derived form as `form_key` (a query expression, so one can
        filter and group by it); `Mentorship.form` is the same rule in Python."""
        return (self.annotate(n_mentors=_participant_count(ParticipantRole.MENTOR),
                              n_apprentices=_participant_count(ParticipantRole.APPRENTICE))
                .annotate(form_key=Case(*[When(cond, then=Value(form.value)) for cond, form in FORM_RULES],
                                    default=Value(""), output_field=models.CharField())))

    def active_in(self, start: date, end: date):
        """Mentorships running at some time between start and end (started by `end`, not ended before `start`)."""
        return self.filter(running_q(start, end))


def running_q(start: date, end: date) -> Q:
    """Mentorships running at some time between start and end (started by `end`, not ended before `start`)."""
    return Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))


class Mentorship(TimeStampedModel, SoftDeleteModel):
    """传帮带: one or more mentors and one or more apprentices; the form is derived from the counts."""

    org = models.ForeignKey("orgs.OrgUnit", verbose_name="所属工会", on_delete=models.PROTECT,
                            related_name="mentorships")
    studio = models.ForeignKey(Studio, verbose_name="依托工作室", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="mentorships")
    title = models.CharField("结对名称", max_length=100)
    skill = models.CharField("传授技艺", max_length=100, blank=True)
    goals = models.TextField("培养目标")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True, help_text="约定或实际结束日期,可留空")
    delete_reason = models.TextField("删除原因", blank=True)

    objects = MentorshipQuerySet.as_manager()

    class Meta:
        verbose_name = "传帮带结对"
        verbose_name_plural = "传帮带结对"
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["org", "is_deleted", "start_date"], name="mentorship_org_idx"),
                   # The list's order (-start_date, -id): its first page never sorts the table.
                   models.Index(fields=["start_date", "id"], name="mentorship_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                   name="mentorship_end_after_start"),
        ]

    def __str__(self):
        return self.title

    def _counts(self) -> tuple[int, int]:
        if hasattr(self, "n_mentors"):
            return self.n_mentors, self.n_apprentices
        cache = getattr(self, "_prefetched_objects_cache", {}).get("participants")
        people = list(cache) if cache is not None else list(self.participants.all())
        return (sum(p.role == ParticipantRole.MENTOR for p in people),
                sum(p.role == ParticipantRole.APPRENTICE for p in people))

    @property
    def form(self) -> str:
        return derive_form(*self._counts())

    @property
    def form_label(self) -> str:
        form = self.form
        return MentorshipForm(form).label if form else "—"

    def state_on(self, day: date) -> str:
        if day < self.start_date:
            return "未开始"
        if self.end_date and day > self.end_date:
            return "已结束"
        return "进行中"


class MentorshipParticipant(TimeStampedModel):
    """A mentor (a registered worker) or an apprentice (a worker, or a person by name and employer)."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.PROTECT, related_name="participants")
    role = models.CharField("角色", max_length=12, choices=ParticipantRole.choices)
    worker = models.ForeignKey("workers.Worker", verbose_name="劳模", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="mentorship_roles")
    name = models.CharField("姓名", max_length=50)
    employer = models.CharField("工作单位", max_length=200, blank=True)
    job = models.CharField("岗位", max_length=100, blank=True)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            # One person, one role: a mentor can never also be their own apprentice.
            models.UniqueConstraint("mentorship", "worker", condition=Q(worker__isnull=False),
                                    name="mentorship_worker_once"),
            models.CheckConstraint(condition=~Q(role="mentor") | Q(worker__isnull=False),
                                   name="mentorship_mentor_is_worker"),
            models.CheckConstraint(condition=~Q(name=""), name="mentorship_participant_has_name"),
        ]

    def __str__(self):
        return self.name


class MentorshipCheckin(TimeStampedModel):
    """带徒记录: a dated session or check-in."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.PROTECT, related_name="checkins")
    date = models.DateField("日期")
    content = models.TextField("内容")
    hours = models.DecimalField("时长(小时)", max_digits=5, decimal_places=1, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__isnull=True) | Q(hours__gte=0),
                                   name="checkin_hours_not_negative"),
        ]

    def __str__(self):
        return f"{self.date} {self.content[:20]}"


class MentorshipOutcome(TimeStampedModel):
    """An apprentice's outcome: a new skill level, a certificate, a title, an award (with its date)."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.PROTECT, related_name="outcomes")
    apprentice = models.ForeignKey(MentorshipParticipant, verbose_name="徒弟", on_delete=models.PROTECT,
                                   related_name="outcomes")
    kind = models.CharField("类别", max_length=12, choices=OutcomeKind.choices)
    result = models.CharField("新技能等级/证书名称", max_length=200)
    certificate_no = models.CharField("证书编号", max_length=60, blank=True)
    achieved_date = models.DateField("取得日期")

    class Meta:
        ordering = ["-achieved_date", "-id"]

    def __str__(self):
        return self.result


# --- technical help -----------------------------------------------------------------------------------


class TechHelpActivity(TimeStampedModel, SoftDeleteModel):
    """技术交流、培训、协作、帮扶 at an enterprise, community or school."""

    org = models.ForeignKey("orgs.OrgUnit", verbose_name="所属工会", on_delete=models.PROTECT,
                            related_name="tech_help_activities")
    studio = models.ForeignKey(Studio, verbose_name="工作室", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="tech_help_activities")
    kind = models.CharField("类型", max_length=16, choices=TechHelpKind.choices)
    topic = models.CharField("主题", max_length=200)
    target_type = models.CharField("对象类型", max_length=12, choices=TargetType.choices)
    target_name = models.CharField("服务对象", max_length=200)
    date = models.DateField("日期", db_index=True)
    participants = models.ManyToManyField("workers.Worker", verbose_name="参与劳模",
                                          related_name="tech_help_activities")
    trainees_count = models.PositiveIntegerField("受训/受益人数", default=0)
    problems_solved = models.TextField("解决的问题", blank=True)
    note = models.TextField("备注", blank=True)
    delete_reason = models.TextField("删除原因", blank=True)

    class Meta:
        verbose_name = "技术服务活动"
        verbose_name_plural = "技术服务活动"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["org", "is_deleted", "date"], name="techhelp_org_idx")]

    def __str__(self):
        return self.topic
