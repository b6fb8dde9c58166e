"""Reads of the benefits follow-up: grants, benefit types, eligibility and the yearly report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from laomo.core.filtering import apply_filters, in_subtree, one_of
from laomo.core.scope import scope_queryset
from laomo.core.selectors import get_in_scope
from laomo.orgs.models import OrgUnit
from laomo.workers.selectors import search_q, worker_base, worker_matches

from ..models import (
    IN_HARDSHIP,
    BenefitGrant,
    BenefitType,
    HardshipLevel,
)
from .common import WORKER_PII, WORKER_PII_VIA, level_asof_subquery, living

# --- benefits ---------------------------------------------------------------------------------------------


def grant_base(user) -> QuerySet[BenefitGrant]:
    return scope_queryset(BenefitGrant.objects.all(), user, org_field="org", self_field="worker__user")


@dataclass
class GrantFilters:
    q: str = ""
    year: int | None = None
    benefit_type: str = ""
    source: str = ""  # manual / visit / retreat
    org: OrgUnit | None = None
    void: str = "0"


GRANT_RULES = {
    "q": worker_matches,
    "year": "year",
    "benefit_type": "benefit_type__code",
    "source": one_of({"manual": Q(source=""), "visit": Q(source__startswith="care_visit:"),
                      "retreat": Q(source__startswith="retreat")}),
    "org": in_subtree(),
    "void": one_of({"0": Q(is_void=False), "1": Q(is_void=True)}),
}


def grant_list(*, user, filters: GrantFilters | None = None) -> QuerySet[BenefitGrant]:
    f = filters or GrantFilters()
    qs = grant_base(user).select_related("worker", "org", "benefit_type").defer(*WORKER_PII_VIA)
    return apply_filters(qs, f, GRANT_RULES).order_by("-year", "-grant_date", "-id")


def grant_get(*, user, pk) -> BenefitGrant:
    return get_in_scope(grant_base(user).select_related("worker", "org", "benefit_type"), pk,
                        "待遇记录不存在或不在您的数据范围内")


def benefit_types(*, active_only: bool = True, yearly_only: bool = False) -> list[BenefitType]:
    qs = BenefitType.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    if yearly_only:
        qs = qs.filter(yearly=True)
    return list(qs.order_by("sort_order", "id"))


def eligibility_q(t: BenefitType) -> Q:
    """Who is entitled to `t` (on a queryset annotated with `hardship_asof`)."""
    q = Q(highest_level_rank__gte=t.min_level_rank)
    if t.statuses:
        q &= Q(employment_status__in=t.statuses)
    if t.hardship == "hardship":
        q &= Q(hardship_asof__in=IN_HARDSHIP)
    elif t.hardship == "special":
        q &= Q(hardship_asof=HardshipLevel.SPECIAL)
    return q


def is_eligible(worker, t: BenefitType) -> bool:
    if worker.highest_level_rank < t.min_level_rank:
        return False
    if t.statuses and worker.employment_status not in t.statuses:
        return False
    if t.hardship == "hardship":
        return worker.hardship_asof in IN_HARDSHIP
    if t.hardship == "special":
        return worker.hardship_asof == HardshipLevel.SPECIAL
    return True


@dataclass
class BenefitReport:
    types: list
    summary: list  # [{"type", "eligible", "received", "missing"}]
    missing: QuerySet  # workers with at least one benefit not received


def benefit_report(*, user, year: int, org: OrgUnit | None = None, type_code: str = "", q: str = "") -> BenefitReport:
    """落实 report: for the year and unit, who is entitled to which benefit and has not received it."""
    types = benefit_types(yearly_only=True)
    if type_code:
        types = [t for t in types if t.code == type_code]
    base = living(worker_base(user)).filter(highest_level_rank__gte=1)
    if org is not None:
        base = base.filter(org.subtree_q("org"))
    base = base.annotate(hardship_asof=level_asof_subquery(date(year, 12, 31)))
    for t in types:
        base = base.annotate(**{f"got_{t.code}": Exists(BenefitGrant.objects.filter(
            worker=OuterRef("pk"), benefit_type=t, year=year, is_void=False))})
    summary = []
    if types:
        agg = {}
        for t in types:
            elig = eligibility_q(t)
            agg[f"e_{t.code}"] = Count("id", filter=elig)
            agg[f"m_{t.code}"] = Count("id", filter=elig & Q(**{f"got_{t.code}": False}))
        figures = base.aggregate(**agg)
        for t in types:
            eligible, missing = figures[f"e_{t.code}"], figures[f"m_{t.code}"]
            summary.append({"type": t, "eligible": eligible, "received": eligible - missing, "missing": missing})
        missing_q = reduce(or_, [eligibility_q(t) & Q(**{f"got_{t.code}": False}) for t in types])
        missing_qs = base.filter(missing_q)
    else:
        missing_qs = base.none()
    wq = search_q(q)
    if wq is not None:
        missing_qs = missing_qs.filter(wq)
    missing_qs = (missing_qs.select_related("org").defer(*WORKER_PII)
                  .order_by("org__path", "-highest_level_rank", "name_pinyin", "id"))
    return BenefitReport(types=types, summary=summary, missing=missing_qs)


def missing_types(worker, types) -> list[BenefitType]:
    return [t for t in types if is_eligible(worker, t) and not getattr(worker, f"got_{t.code}")]


