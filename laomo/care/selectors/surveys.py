"""Reads of the hardship survey: rounds, forms, progress, the hardship database, who is not surveyed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from laomo.core.filtering import apply_filters, in_subtree
from laomo.core.scope import scope_queryset
from laomo.core.selectors import get_in_scope
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import DataScope
from laomo.workers.models import EmploymentStatus, Worker
from laomo.workers.selectors import search_q, worker_base, worker_matches

from ..models import (
    IN_HARDSHIP,
    BenefitGrant,
    CareVisit,
    HardshipLevel,
    HardshipSurvey,
    SurveyRound,
    SurveyStatus,
)
from .common import WORKER_PII, WORKER_PII_VIA, level_asof_subquery, living, report_root, rollup

# --- hardship survey --------------------------------------------------------------------------------------


def round_list(*, user) -> QuerySet[SurveyRound]:
    """Rounds are opened by the city for every county: visible to business users whose unit lies below."""
    if user.scope_level == DataScope.ALL:
        return SurveyRound.objects.select_related("org").order_by("-year", "-id")
    if user.scope_level in (DataScope.SUBTREE, DataScope.UNIT) and user.org_id:
        mine = Q(org_id__in=OrgUnit.ids_on_path(user.org.path)) | user.org.subtree_q("org")
        return SurveyRound.objects.filter(mine).select_related("org").order_by("-year", "-id")
    return SurveyRound.objects.none()


def round_get(*, user, pk) -> SurveyRound:
    return get_in_scope(round_list(user=user), pk, "调查不存在或不在您的数据范围内")


def survey_base(user) -> QuerySet[HardshipSurvey]:
    return scope_queryset(HardshipSurvey.objects.filter(is_deleted=False), user, org_field="org")


@dataclass
class SurveyFilters:
    q: str = ""
    round: int | None = None
    year: int | None = None
    status: str = ""
    level: str = ""
    org: OrgUnit | None = None


def _hardship_level_q(level: str) -> Q | None:
    """A hardship level, or "in" for 困难 and 特殊困难 together."""
    if level == "in":
        return Q(hardship_level__in=IN_HARDSHIP)
    return Q(hardship_level=level) if level in HardshipLevel.values else None


SURVEY_RULES = {
    "q": worker_matches,
    "round": "round_id",
    "year": "round__year",
    "status": lambda status: Q(status=status) if status in SurveyStatus.values else None,
    "level": _hardship_level_q,
    "org": in_subtree(),
}


def survey_list(*, user, filters: SurveyFilters | None = None) -> QuerySet[HardshipSurvey]:
    f = filters or SurveyFilters()
    qs = survey_base(user).select_related("worker", "org", "round").defer(*WORKER_PII_VIA, "details")
    return apply_filters(qs, f, SURVEY_RULES).order_by("-survey_date", "-id")


def survey_get(*, user, pk) -> HardshipSurvey:
    return get_in_scope(survey_base(user).select_related("worker", "org", "round", "round__org", "reviewed_by"), pk,
                        "调查表不存在或不在您的数据范围内")


def round_progress(*, user, survey_round: SurveyRound) -> list[dict]:
    """Per unit below the user's report root: forms by status and hardship counts."""
    root = report_root(user)
    if root is None:
        return []
    qs = survey_base(user).filter(root.subtree_q("org"), round=survey_round)
    per_org = {}
    for row in qs.values("org_id").annotate(
            total=Count("id"), draft=Count("id", filter=Q(status__in=[SurveyStatus.DRAFT, SurveyStatus.RETURNED])),
            submitted=Count("id", filter=Q(status=SurveyStatus.SUBMITTED)),
            approved=Count("id", filter=Q(status=SurveyStatus.APPROVED)),
            hardship=Count("id", filter=Q(status=SurveyStatus.APPROVED, hardship_level__in=IN_HARDSHIP))).order_by():
        per_org[row.pop("org_id")] = row
    return rollup(root, per_org, ("total", "draft", "submitted", "approved", "hardship"))


def _is_latest_approved():
    later = HardshipSurvey.objects.filter(worker=OuterRef("worker"), status=SurveyStatus.APPROVED, is_deleted=False)
    later = later.filter(Q(survey_date__gt=OuterRef("survey_date"))
                         | Q(survey_date=OuterRef("survey_date"), pk__gt=OuterRef("pk")))
    return ~Exists(later)


@dataclass
class HardshipFilters:
    q: str = ""
    level: str = "in"  # "in" (困难及特殊困难), a level, or "" for every surveyed worker
    org: OrgUnit | None = None


def hardship_database(*, user, filters: HardshipFilters | None = None) -> QuerySet[HardshipSurvey]:
    """困难劳模信息库: each living worker's latest approved survey (scoped by the worker's unit)."""
    f = filters or HardshipFilters()
    qs = (HardshipSurvey.objects.filter(status=SurveyStatus.APPROVED, is_deleted=False, worker__is_deleted=False)
          .exclude(worker__employment_status=EmploymentStatus.DECEASED).filter(_is_latest_approved()))
    qs = scope_queryset(qs, user, org_field="worker__org")
    qs = apply_filters(qs, f, {"level": _hardship_level_q, "org": in_subtree("worker__org"), "q": worker_matches})
    rank = Case(When(hardship_level=HardshipLevel.SPECIAL, then=Value(2)),
                When(hardship_level=HardshipLevel.HARDSHIP, then=Value(1)), default=Value(0),
                output_field=IntegerField())
    return (qs.select_related("worker", "worker__org", "round").defer(*WORKER_PII_VIA, "details")
            .annotate(level_rank=rank).order_by("-level_rank", "worker__org__path", "worker__name_pinyin", "id"))


def hardship_extras(rows) -> None:
    """Since when each worker has been in hardship (their unbroken run of approved hardship surveys) and the
    assistance received since then (paid visits and benefit grants) — three queries for a page."""
    worker_ids = [r.worker_id for r in rows]
    history = defaultdict(list)
    for wid, day, level in (HardshipSurvey.objects.filter(worker_id__in=worker_ids, status=SurveyStatus.APPROVED,
                                                          is_deleted=False)
                            .order_by("worker_id", "-survey_date", "-id")
                            .values_list("worker_id", "survey_date", "hardship_level")):
        history[wid].append((day, level))
    visits = defaultdict(list)
    for wid, day, amount in (CareVisit.objects.filter(worker_id__in=worker_ids, is_void=False, amount__gt=0)
                             .values_list("worker_id", "visit_date", "amount")):
        visits[wid].append((day, amount))
    grants = defaultdict(list)
    for wid, day, name in (BenefitGrant.objects.filter(worker_id__in=worker_ids, is_void=False)
                           .order_by("grant_date").values_list("worker_id", "grant_date", "benefit_type__name")):
        grants[wid].append((day, name))
    for r in rows:
        since = None
        for day, level in history[r.worker_id]:
            if level in IN_HARDSHIP:
                since = day
            else:
                break
        r.since = since
        start = since or r.survey_date
        got = [(d, a) for d, a in visits[r.worker_id] if d >= start]
        r.assist_visits = len(got)
        r.assist_amount = sum((a for _, a in got), Decimal("0.00"))
        r.assist_grants = sorted({name for d, name in grants[r.worker_id] if d >= start})


def not_surveyed(*, user, year: int, org: OrgUnit | None = None, q: str = "") -> QuerySet[Worker]:
    """Living workers due a survey this year (the round's level and above, and everyone in the hardship
    database) with no submitted or approved form in a round of that year."""
    rounds = list(SurveyRound.objects.filter(year=year).values_list("min_level_rank", flat=True))
    min_rank = min(rounds) if rounds else 2
    qs = living(worker_base(user)).annotate(current_level=level_asof_subquery(None))
    qs = qs.filter(Q(highest_level_rank__gte=min_rank) | Q(current_level__in=IN_HARDSHIP))
    done = HardshipSurvey.objects.filter(worker=OuterRef("pk"), is_deleted=False, round__year=year,
                                         status__in=[SurveyStatus.SUBMITTED, SurveyStatus.APPROVED])
    pending = HardshipSurvey.objects.filter(worker=OuterRef("pk"), is_deleted=False, round__year=year)
    qs = qs.filter(~Exists(done)).annotate(pending_status=Subquery(pending.values("status")[:1]),
                                           pending_id=Subquery(pending.values("id")[:1]))
    if org is not None:
        qs = qs.filter(org.subtree_q("org"))
    wq = search_q(q)
    if wq is not None:
        qs = qs.filter(wq)
    return qs.select_related("org").defer(*WORKER_PII).order_by("org__path", "-highest_level_rank", "name_pinyin", "id")


def worker_ids_in_hardship(*, worker_ids, on: date) -> list[int]:
    """Of these workers, those whose latest approved survey on or before `on` puts them in hardship (for other
    modules, e.g. the retreats' quota priority; not scoped: the caller has already chosen the workers)."""
    return list(Worker.objects.filter(pk__in=list(worker_ids)).annotate(care_level=level_asof_subquery(on))
                .filter(care_level__in=IN_HARDSHIP).values_list("pk", flat=True))


def in_hardship_now(*, user, org: OrgUnit | None = None) -> int:
    return hardship_database(user=user, filters=HardshipFilters(org=org)).count()


