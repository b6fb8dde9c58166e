"""The reminder kinds: each finds what is due on a given day, from the modules' own records.

`Kind.due(today, refs=None)` answers the reminders whose condition holds on `today` (restricted to the
objects named by `refs` for a cheap re-check of the rows a page shows). These reads are the system's, not a
user's: the daily run sees every unit, and the page then shows each user the rows of their scope.

Windows (settings, see docs/operations.md "Reminders"): a dated item appears `LAOMO_REMINDER_LEAD_DAYS` before
its date and, unless settled, lapses `LAOMO_REMINDER_GRACE_DAYS` after it; yearly items (高龄慰问, 待遇) appear
from a day of the year (`LAOMO_REMINDER_ELDERLY_FROM`, `LAOMO_REMINDER_BENEFITS_FROM`) and lapse with the year.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from laomo.care.models import (
    BenefitGrant,
    BenefitType,
    CareVisit,
    HardshipSurvey,
    RoundStatus,
    SurveyRound,
    SurveyStatus,
)
from laomo.care.selectors import eligibility_q, level_asof_subquery, living
from laomo.orgs.models import OrgUnit
from laomo.retreats.models import BatchStatus, RetreatBatch
from laomo.studios.models import LIVE_STATUSES, QuarterlyReport, Studio
from laomo.studios.services import quarter_bounds
from laomo.volunteering.models import RequestStatus, ServiceRequest
from laomo.volunteering.selectors import overdue_q
from laomo.workers.models import Worker


@dataclass(frozen=True)
class Due:
    ref: str
    period: str
    title: str
    org_id: int
    due_date: date
    url: str

    @property
    def key(self) -> tuple[str, str]:
        return self.ref, self.period


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year: the 28th
        return day.replace(year=day.year + years, day=28)


def lead_days() -> int:
    return settings.LAOMO_REMINDER_LEAD_DAYS


def grace_days() -> int:
    return settings.LAOMO_REMINDER_GRACE_DAYS


def day_of_year(year: int, month_day: str) -> date:
    month, day = (int(p) for p in month_day.split("-"))
    return date(year, month, day)


def ids_of(refs, prefix: str) -> list[int] | None:
    """The object ids of `refs` ("worker:12" → 12), or None when not restricted."""
    if refs is None:
        return None
    return [int(r.split(":")[1]) for r in refs if r.startswith(f"{prefix}:")]


def unit_below(path: str, top: OrgUnit) -> int:
    """The unit directly below `top` on `path` (a county below the city), or `top` itself."""
    ids = OrgUnit.ids_on_path(path)
    return ids[top.depth + 1] if len(ids) > top.depth + 1 else top.pk


def live_workers(ids=None):
    qs = living(Worker.objects.filter(is_deleted=False))
    return qs if ids is None else qs.filter(pk__in=ids)


class Kind:
    code = ""
    label = ""

    def due(self, today: date, refs=None) -> list[Due]:
        raise NotImplementedError


def _visit_url(worker) -> str:
    return f"{reverse('care:visit_create')}?worker={worker.worker_no}"


class Birthday(Kind):
    """80th/90th/100th birthdays (`LAOMO_REMINDER_BIRTHDAY_AGES`), from the registry's birth date; settled by
    any care visit recorded from the day the reminder appeared."""

    code, label = "birthday", "整寿生日"

    def due(self, today, refs=None):
        lead, grace = lead_days(), grace_days()
        first, last = today - timedelta(days=grace), today + timedelta(days=lead)
        ages = settings.LAOMO_REMINDER_BIRTHDAY_AGES
        ranges = Q(pk__in=[])
        for age in ages:
            ranges |= Q(birth_date__gte=add_years(first, -age) - timedelta(days=1),
                        birth_date__lte=add_years(last, -age) + timedelta(days=1))
        found = []
        for w in live_workers(ids_of(refs, "worker")).filter(ranges).only("pk", "name", "birth_date", "org_id",
                                                                           "worker_no"):
            for age in ages:
                birthday = add_years(w.birth_date, age)
                if first <= birthday <= last:
                    found.append((w, age, birthday))
        visits = dict(CareVisit.objects.filter(worker_id__in=[w.pk for w, _, _ in found], is_void=False)
                      .values("worker_id").annotate(last=Max("visit_date")).values_list("worker_id", "last"))
        return [Due(f"worker:{w.pk}", str(birthday.year), f"{w.name} {age}岁生日({birthday:%m月%d日}),请安排祝寿慰问",
                    w.org_id, birthday, _visit_url(w))
                for w, age, birthday in found
                if not (visits.get(w.pk) and visits[w.pk] >= birthday - timedelta(days=lead))]


class Elderly(Kind):
    """高龄慰问: living workers aged `LAOMO_REMINDER_ELDERLY_AGE` or more with no care visit this year."""

    code, label = "elderly", "高龄慰问"

    def due(self, today, refs=None):
        start = day_of_year(today.year, settings.LAOMO_REMINDER_ELDERLY_FROM)
        if today < start:
            return []
        age = settings.LAOMO_REMINDER_ELDERLY_AGE
        visited = CareVisit.objects.filter(worker=OuterRef("pk"), is_void=False, visit_date__year=today.year)
        qs = (live_workers(ids_of(refs, "worker")).filter(birth_date__lte=add_years(today, -age))
              .filter(~Exists(visited)).only("pk", "name", "birth_date", "org_id", "worker_no"))
        end = date(today.year, 12, 31)
        return [Due(f"worker:{w.pk}", str(today.year), f"{w.name}({self._age(w.birth_date, today)}岁)今年尚未慰问",
                    w.org_id, end, _visit_url(w)) for w in qs]

    @staticmethod
    def _age(birth: date, today: date) -> int:
        return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class StudioReport(Kind):
    """A live studio's quarterly report, due `LAOMO_REMINDER_STUDIO_REPORT_DAYS` after the quarter ends; open
    until submitted or until the next quarter's report comes due."""

    code, label = "studio_report", "工作室季度报告"

    def due(self, today, refs=None):
        quarters = []
        year, quarter = today.year, (today.month - 1) // 3 + 1
        for _ in range(3):
            start, end = quarter_bounds(year, quarter)
            deadline = end + timedelta(days=settings.LAOMO_REMINDER_STUDIO_REPORT_DAYS)
            if deadline - timedelta(days=lead_days()) <= today <= deadline + timedelta(days=91):
                quarters.append((year, quarter, start, end, deadline))
            year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        found = []
        ids = ids_of(refs, "studio")
        for year, quarter, _start, end, deadline in quarters:
            qs = Studio.objects.filter(status__in=LIVE_STATUSES, founded_date__lte=end)
            if ids is not None:
                qs = qs.filter(pk__in=ids)
            submitted = QuarterlyReport.objects.filter(studio=OuterRef("pk"), year=year, quarter=quarter)
            for s in qs.filter(~Exists(submitted)).only("pk", "name", "org_id"):
                found.append(Due(f"studio:{s.pk}", f"{year}Q{quarter}", f"“{s.name}”{year}年第{quarter}季度报告待报送",
                                 s.org_id, deadline, reverse("studios:report_add", args=[s.pk])))
        return found


class SurveyDeadline(Kind):
    """An open hardship-survey round near its 截止日期: one reminder per unit below the round's unit that
    still has workers in the round's range with no submitted or approved form."""

    code, label = "survey_round", "困难劳模调查截止"

    def due(self, today, refs=None):
        rounds = SurveyRound.objects.filter(status=RoundStatus.OPEN,
                                            end_date__gte=today - timedelta(days=grace_days()),
                                            end_date__lte=today + timedelta(days=lead_days())).select_related("org")
        ids = ids_of(refs, "round")
        if ids is not None:
            rounds = rounds.filter(pk__in=ids)
        found = []
        for r in rounds:
            done = HardshipSurvey.objects.filter(worker=OuterRef("pk"), round=r, is_deleted=False,
                                                 status__in=[SurveyStatus.SUBMITTED, SurveyStatus.APPROVED])
            paths = (live_workers().filter(r.org.subtree_q("org"), highest_level_rank__gte=r.min_level_rank)
                     .filter(~Exists(done)).values_list("org__path", flat=True))
            missing = Counter(unit_below(p, r.org) for p in paths)
            for unit_id, count in sorted(missing.items()):
                title = f"{r.name}于{r.end_date:%m月%d日}截止,尚有 {count} 人未提交调查表"
                found.append(Due(f"round:{r.pk}:{unit_id}", str(r.year), title, unit_id, r.end_date,
                                 f"{reverse('care:not_surveyed')}?year={r.year}&org={unit_id}"))
        return found


class RetreatDeadline(Kind):
    """A recuperation batch still taking applications near its 报名截止日期; settled when the batch leaves
    报名中 (the list confirmed, or the batch cancelled)."""

    code, label = "retreat_deadline", "疗休养报名截止"

    def due(self, today, refs=None):
        qs = RetreatBatch.objects.filter(is_deleted=False, status=BatchStatus.OPEN,
                                         registration_deadline__gte=today - timedelta(days=grace_days()),
                                         registration_deadline__lte=today + timedelta(days=lead_days()))
        ids = ids_of(refs, "batch")
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        found = []
        for b in qs.only("pk", "name", "org_id", "registration_deadline"):
            when = "已于" if b.registration_deadline < today else "将于"
            found.append(Due(f"batch:{b.pk}", b.registration_deadline.isoformat(),
                             f"疗休养“{b.name}”报名{when}{b.registration_deadline:%m月%d日}截止,请确认名单", b.org_id,
                             b.registration_deadline, reverse("retreats:batch_detail", args=[b.pk])))
        return found


class RequestOverdue(Kind):
    """群众点单 not dispatched within the module's limit, or not done by the promised date (the module's own
    `overdue_q`, as of the start of `today`)."""

    code, label = "request_overdue", "点单超时"

    def due(self, today, refs=None):
        start = timezone.make_aware(datetime.combine(today, time.min))
        qs = ServiceRequest.objects.filter(overdue_q(start))
        ids = ids_of(refs, "request")
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        found = []
        for r in qs.only("pk", "tracking_code", "org_id", "status", "received_at", "promised_date", "category",
                         "town"):
            pending = r.status == RequestStatus.PENDING
            due_date = timezone.localdate(r.received_at) + timedelta(days=2) if pending else r.promised_date
            what = "超时未派单" if pending else "未按承诺日期完成"
            found.append(Due(f"request:{r.pk}", "pending" if pending else "assigned",
                             f"点单 {r.tracking_code}({r.get_category_display()}·{r.town}){what}", r.org_id, due_date,
                             reverse("volunteering:request_detail", args=[r.pk])))
        return found


class BenefitsMissing(Kind):
    """Yearly benefits (待遇, `BenefitType.yearly`) not yet granted this year to those entitled, per unit below
    the top of the tree, from the care module's own eligibility rule."""

    code, label = "benefits", "待遇未落实"

    def due(self, today, refs=None):
        if today < day_of_year(today.year, settings.LAOMO_REMINDER_BENEFITS_FROM):
            return []
        top = OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()
        types = BenefitType.objects.filter(is_active=True, yearly=True).order_by("sort_order", "id")
        ids = ids_of(refs, "benefit")
        if ids is not None:
            types = types.filter(pk__in=ids)
        base = (live_workers().filter(highest_level_rank__gte=1)
                .annotate(hardship_asof=level_asof_subquery(date(today.year, 12, 31))))
        found = []
        for t in types:
            got = BenefitGrant.objects.filter(worker=OuterRef("pk"), benefit_type=t, year=today.year, is_void=False)
            paths = base.filter(eligibility_q(t)).filter(~Exists(got)).values_list("org__path", flat=True)
            per_unit = defaultdict(int)
            for p in paths:
                per_unit[unit_below(p, top)] += 1
            for unit_id, count in sorted(per_unit.items()):
                found.append(Due(f"benefit:{t.pk}:{unit_id}", str(today.year),
                                 f"{today.year}年“{t.name}”尚有 {count} 人未落实", unit_id, date(today.year, 12, 31),
                                 f"{reverse('care:benefits_report')}?year={today.year}&org={unit_id}&benefit_type={t.code}"))
        return found


KINDS: dict[str, Kind] = {k.code: k for k in (Birthday(), Elderly(), StudioReport(), SurveyDeadline(),
                                              RetreatDeadline(), RequestOverdue(), BenefitsMissing())}
KIND_CHOICES = [(k.code, k.label) for k in KINDS.values()]
