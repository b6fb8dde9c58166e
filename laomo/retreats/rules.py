"""Eligibility and priority of retreat applicants: the rules, computed for many workers in a few queries.

`evaluate(batch, workers)` returns, per worker, every check with its outcome (shown to clerks and to
the worker: why someone is not eligible) and the priority score with the reasons behind it.

Priority (DOMAIN.md: quota priority goes to hardship, front-line jobs, people near retirement):

    困难劳模 +40 · 从未参加疗休养 +30 · 临近退休(两年内)+20 · 一线/艰苦岗位 +10

Ties go to the higher honor level, then to the earlier application. Hardship comes from the care
module's approved hardship surveys (its hardship level as of the day of the check). Hardship is
sensitive: `shown_reasons` hides which factor it was from users who may not reveal personal information.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from laomo.care import selectors as care_selectors
from laomo.workers.models import EmploymentStatus

from .models import (
    LEVEL_LABEL_BY_RANK,
    LIVE_STATUSES,
    OVERLAP_STATUSES,
    QUOTA_STATUSES,
    ApplicationStatus,
    BatchQuota,
    BatchStatus,
    RetreatApplication,
    RetreatBatch,
)

PRIORITY_WEIGHTS = {"hardship": 40, "never_attended": 30, "near_retirement": 20, "front_line": 10}
RETIREMENT_AGE = {"M": 60, "F": 55}
NEAR_RETIREMENT_YEARS = 2
PRIORITY_RULE_TEXT = ("优先分从高到低:困难劳模 +40,从未参加疗休养 +30,临近退休(距法定退休年龄两年内)+20,"
                      "一线/艰苦岗位 +10;同分时荣誉级别高者优先,再按报名先后。")
STATUS_LABELS = dict(EmploymentStatus.choices)


@dataclass
class Check:
    code: str
    ok: bool | None  # None: information only (not a condition of this batch)
    text: str


@dataclass
class Eligibility:
    worker: object
    checks: list[Check] = field(default_factory=list)
    score: int = 0
    priority: list[dict] = field(default_factory=list)
    quota_org: object = None
    level_rank: int = 0

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.checks)

    @property
    def reasons(self) -> list[str]:
        return [c.text for c in self.checks if c.ok is False]


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def hardship_worker_ids(worker_ids, on: date) -> set[int]:
    """Workers in hardship on `on` per the care module's approved hardship surveys."""
    return set(care_selectors.worker_ids_in_hardship(worker_ids=list(worker_ids), on=on))


def quotas_of(batch: RetreatBatch) -> list[BatchQuota]:
    return list(batch.quotas.select_related("org").order_by("org__path"))


def quota_for(quotas: list[BatchQuota], org) -> BatchQuota | None:
    """The quota a worker of `org` counts against: the deepest quota unit at or above `org`."""
    best = None
    for q in quotas:
        if org.is_within(q.org) and (best is None or len(q.org.path) > len(best.org.path)):
            best = q
    return best


def quota_usage(batch: RetreatBatch, *, exclude_application=None) -> dict[int, int]:
    qs = RetreatApplication.objects.filter(batch=batch, status__in=QUOTA_STATUSES, quota_org__isnull=False)
    if exclude_application is not None:
        qs = qs.exclude(pk=exclude_application.pk)
    return dict(qs.order_by().values("quota_org").annotate(n=Count("id")).values_list("quota_org", "n"))


def _fmt_range(batch) -> str:
    return f"{batch.start_date:%Y-%m-%d}至{batch.end_date:%Y-%m-%d}"


def evaluate(batch: RetreatBatch, workers, *, today: date | None = None, front_line: bool | None = None,
             health_declared: bool | None = None, exclude_application=None,
             for_submission: bool = True) -> dict[int, Eligibility]:
    """Checks and priority of each worker for `batch` (workers need `org` loaded).

    `for_submission` adds the conditions of applying now (batch open, deadline, no duplicate, quota);
    `exclude_application` is the application being re-checked (at confirmation).
    """
    today = today or timezone.localdate()
    workers = list(workers)
    ids = [w.pk for w in workers]
    start = batch.start_date
    cutoff = years_before(start, batch.not_attended_years) if batch.not_attended_years else None

    attended: dict[int, list] = {pk: [] for pk in ids}
    for row in (RetreatApplication.objects.filter(worker_id__in=ids, status=ApplicationStatus.ATTENDED)
                .exclude(batch=batch).values("worker_id", "batch__name", "batch__start_date")
                .order_by("-batch__start_date")):
        attended[row["worker_id"]].append(row)

    live = RetreatApplication.objects.filter(worker_id__in=ids, batch__is_deleted=False).exclude(
        batch__status=BatchStatus.CANCELLED)
    if exclude_application is not None:
        live = live.exclude(pk=exclude_application.pk)
    overlap_q = Q(status__in=OVERLAP_STATUSES, batch__start_date__lte=batch.end_date,
                  batch__end_date__gte=batch.start_date) & ~Q(batch=batch)
    same_q = Q(batch=batch, status__in=LIVE_STATUSES)
    overlaps: dict[int, list] = {pk: [] for pk in ids}
    duplicates: dict[int, str] = {}
    for row in live.filter(overlap_q | same_q).values("worker_id", "batch_id", "status", "batch__name",
                                                        "batch__start_date", "batch__end_date"):
        if row["batch_id"] == batch.pk:
            duplicates[row["worker_id"]] = ApplicationStatus(row["status"]).label
        else:
            overlaps[row["worker_id"]].append(row)

    quotas = quotas_of(batch) if for_submission else []
    usage = quota_usage(batch, exclude_application=exclude_application) if quotas else {}
    hardship = hardship_worker_ids(ids, today)

    out: dict[int, Eligibility] = {}
    for w in workers:
        e = Eligibility(worker=w, level_rank=w.highest_level_rank)
        checks = e.checks
        # Who may go.
        if w.is_deleted or w.employment_status == EmploymentStatus.DECEASED:
            checks.append(Check("alive", False, "该劳模已去世或已注销,不能报名。"))
        if not w.org.is_within(batch.org):
            checks.append(Check("scope", False, f"本批次由{batch.org.name}组织,{w.org.name}的劳模不在报名范围内。"))
        need = batch.min_level_rank
        have = w.highest_level_rank
        if need:
            checks.append(Check("level", have >= need,
                                f"荣誉级别:要求{batch.min_level_label},本人最高为{LEVEL_LABEL_BY_RANK[have]}。"
                                if have < need else f"荣誉级别符合({LEVEL_LABEL_BY_RANK[have]})。"))
        allowed = list(batch.employment_statuses or [])
        if allowed and w.employment_status != EmploymentStatus.DECEASED:
            ok = w.employment_status in allowed
            label = STATUS_LABELS.get(w.employment_status, w.employment_status)
            checks.append(Check("employment", ok, f"在职状态符合({label})。" if ok else
                                f"在职状态:本批次限{batch.employment_status_labels},本人为{label}。"))
        if cutoff is not None:
            recent = [r for r in attended[w.pk] if cutoff <= r["batch__start_date"] < start]
            if recent:
                r = recent[0]
                checks.append(Check("recent", False, f"近{batch.not_attended_years}年内已参加疗休养:"
                                    f"{r['batch__start_date']:%Y年%m月}“{r['batch__name']}”。"))
            else:
                checks.append(Check("recent", True, f"近{batch.not_attended_years}年内未参加疗休养。"))
        age = age_on(w.birth_date, start)
        if batch.max_age:
            if age is None:
                checks.append(Check("age", False, "出生日期未登记,无法核对年龄限制,请先补全劳模档案。"))
            else:
                ok = age <= batch.max_age
                checks.append(Check("age", ok, f"年龄符合(出发时 {age} 周岁)。" if ok else
                                    f"年龄:本批次限 {batch.max_age} 周岁及以下,本人出发时 {age} 周岁。"))
        for row in overlaps[w.pk]:
            checks.append(Check("overlap", False, f"与已报名的“{row['batch__name']}”"
                                f"({row['batch__start_date']:%Y-%m-%d}至{row['batch__end_date']:%Y-%m-%d})日期重叠。"))
        # Applying now.
        if for_submission:
            if batch.status != BatchStatus.OPEN:
                checks.append(Check("open", False, f"本批次当前为“{batch.get_status_display()}”,不在报名期。"))
            elif batch.registration_deadline and today > batch.registration_deadline:
                checks.append(Check("deadline", False, f"报名已于 {batch.registration_deadline:%Y-%m-%d} 截止。"))
            if w.pk in duplicates:
                checks.append(Check("duplicate", False, f"已报名本批次(状态:{duplicates[w.pk]})。"))
            if quotas:
                q = quota_for(quotas, w.org)
                if q is None:
                    checks.append(Check("quota", False, f"本批次未给{w.org.name}分配名额。"))
                else:
                    used = usage.get(q.org_id, 0)
                    e.quota_org = q.org
                    ok = used < q.quota
                    unit = q.org.short_name or q.org.name
                    checks.append(Check("quota", ok, f"{unit}名额 已用 {used}/{q.quota}。" if ok else
                                        f"{unit}名额已满(已用 {used}/{q.quota})。"))
            if batch.health_declaration_required and health_declared is not None:
                checks.append(Check("health", bool(health_declared), "已作健康声明。" if health_declared
                                    else "本批次须本人作健康声明(身体状况适合参加)。"))
        # Priority.
        reasons = []
        if w.pk in hardship:
            reasons.append({"code": "hardship", "points": PRIORITY_WEIGHTS["hardship"], "text": "困难劳模"})
        if not attended[w.pk]:
            reasons.append({"code": "never_attended", "points": PRIORITY_WEIGHTS["never_attended"],
                            "text": "从未参加疗休养"})
        retirement = RETIREMENT_AGE.get(w.sex)
        if (w.employment_status == EmploymentStatus.ACTIVE and age is not None and retirement
                and 0 <= retirement - age <= NEAR_RETIREMENT_YEARS):
            reasons.append({"code": "near_retirement", "points": PRIORITY_WEIGHTS["near_retirement"],
                            "text": f"临近退休(出发时 {age} 周岁,法定退休年龄 {retirement} 周岁)"})
        if front_line:
            reasons.append({"code": "front_line", "points": PRIORITY_WEIGHTS["front_line"], "text": "一线/艰苦岗位"})
        e.priority = reasons
        e.score = sum(r["points"] for r in reasons)
        out[w.pk] = e
    return out


HIDDEN_HARDSHIP = "特殊优先因素(仅授权人员可见)"


def shown_reasons(reasons, *, may_reveal: bool) -> list[dict]:
    """Priority reasons for display: the hardship factor is named only to users who may reveal PII."""
    if may_reveal:
        return list(reasons or [])
    return [{**r, "text": HIDDEN_HARDSHIP} if r.get("code") == "hardship" and r.get("points") else r
            for r in reasons or []]


def evaluate_one(batch, worker, **kwargs) -> Eligibility:
    return evaluate(batch, [worker], **kwargs)[worker.pk]
