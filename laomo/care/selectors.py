"""Reads of 关爱劳模, always scoped by the user.

Campaigns: a county user sees the campaigns of their unit and below, and the campaigns of the units above
them (a city campaign is carried out by the counties) — but of those only the recipients, visits and money of
their own subtree. Visits, recipients, surveys and grants are scoped by the unit of the record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from laomo.core.money import fen_sum, yuan
from laomo.core.pagination import page_of  # noqa: F401  (re-exported for the views and the API)
from laomo.core.scope import scope_q, scope_queryset, scope_root
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import DataScope
from laomo.workers.models import LEVEL_RANK, EmploymentStatus, Worker
from laomo.workers.selectors import search_q, worker_base

from .models import (
    IN_HARDSHIP,
    BenefitGrant,
    BenefitType,
    CareCampaign,
    CareRecipient,
    CareVisit,
    HardshipLevel,
    HardshipSurvey,
    RecipientStatus,
    SurveyRound,
    SurveyStatus,
    WorkerBankAccount,
)

# Encrypted worker fields no list needs: deferred so that a page or an export decrypts nothing it does not show.
WORKER_PII = ("id_number", "phone", "address")
WORKER_PII_VIA = tuple(f"worker__{f}" for f in WORKER_PII)


# --- hardship as of a date ----------------------------------------------------------------------------------


def level_asof_subquery(day: date | None = None, worker_ref: str = "pk"):
    """The hardship level of the worker's latest approved survey on or before `day` (None: ever)."""
    qs = HardshipSurvey.objects.filter(worker=OuterRef(worker_ref), status=SurveyStatus.APPROVED, is_deleted=False)
    if day is not None:
        qs = qs.filter(survey_date__lte=day)
    return Subquery(qs.order_by("-survey_date", "-id").values("hardship_level")[:1])


def hardship_level_asof(worker: Worker, day: date | None = None) -> str | None:
    qs = HardshipSurvey.objects.filter(worker=worker, status=SurveyStatus.APPROVED, is_deleted=False)
    if day is not None:
        qs = qs.filter(survey_date__lte=day)
    return qs.order_by("-survey_date", "-id").values_list("hardship_level", flat=True).first()


def living(qs: QuerySet[Worker]) -> QuerySet[Worker]:
    return qs.exclude(employment_status=EmploymentStatus.DECEASED)


# --- campaigns --------------------------------------------------------------------------------------------


def campaign_base(user) -> QuerySet[CareCampaign]:
    qs = CareCampaign.objects.filter(is_deleted=False)
    q = scope_q(user, org_field="org")
    if q is None:
        return qs
    if user.scope_level in (DataScope.SUBTREE, DataScope.UNIT) and user.org_id:
        q = q | Q(org_id__in=OrgUnit.ids_on_path(user.org.path))
    return qs.filter(q)


@dataclass
class CampaignFilters:
    q: str = ""
    year: int | None = None
    visit_type: str = ""
    org: OrgUnit | None = None
    status: str = ""


def campaign_list(*, user, filters: CampaignFilters | None = None) -> QuerySet[CareCampaign]:
    f = filters or CampaignFilters()
    qs = campaign_base(user).select_related("org")
    if f.q.strip():
        qs = qs.filter(Q(name__contains=f.q.strip()) | Q(fund_source__contains=f.q.strip()))
    if f.year:
        qs = qs.filter(year=f.year)
    if f.visit_type:
        qs = qs.filter(visit_type=f.visit_type)
    if f.org is not None:
        qs = qs.filter(f.org.subtree_q("org"))
    if f.status:
        qs = qs.filter(status=f.status)
    return qs.order_by("-year", "-start_date", "-id")


def campaign_get(*, user, pk) -> CareCampaign:
    campaign = campaign_base(user).select_related("org").filter(pk=pk).first()
    if campaign is None:
        raise Http404("慰问活动不存在或不在您的数据范围内")
    return campaign


def recipient_scope(user) -> Q | None:
    return scope_q(user, org_field="org")


def campaign_figures(*, user, campaign_ids) -> dict[int, dict]:
    """Planned, paid and counts per campaign within the user's scope (two grouped queries)."""
    ids = list(campaign_ids)
    out = {pk: {"planned": Decimal("0.00"), "paid": Decimal("0.00"), "recipients": 0, "visited": 0,
                "unpaid_planned": Decimal("0.00")} for pk in ids}
    if not ids:
        return out
    paid_visit = CareVisit.objects.filter(campaign=OuterRef("campaign"), worker=OuterRef("worker"), is_void=False,
                                          amount__gt=0)
    recipients = scope_queryset(CareRecipient.objects.filter(campaign_id__in=ids, status=RecipientStatus.INCLUDED),
                                user, org_field="org").annotate(paid=Exists(paid_visit))
    for row in recipients.values("campaign_id").annotate(
            n=Count("id"), planned=fen_sum("planned_amount"),
            unpaid=fen_sum("planned_amount", filter=Q(paid=False))).order_by():
        out[row["campaign_id"]].update(recipients=row["n"], planned=yuan(row["planned"]),
                                       unpaid_planned=yuan(row["unpaid"]))
    visits = scope_queryset(CareVisit.objects.filter(campaign_id__in=ids, is_void=False), user, org_field="org")
    for row in visits.values("campaign_id").annotate(paid=fen_sum("amount"),
                                                     visited=Count("worker", distinct=True)).order_by():
        out[row["campaign_id"]].update(paid=yuan(row["paid"]), visited=row["visited"])
    return out


def eligible_workers(campaign: CareCampaign) -> QuerySet[Worker]:
    """Living workers of the campaign's unit and below who meet its rule, with `hardship_level_asof`
    (their latest approved survey up to the campaign's end)."""
    qs = living(Worker.objects.filter(campaign.org.subtree_q("org"), is_deleted=False,
                                      highest_level_rank__gte=campaign.min_level_rank))
    if campaign.statuses:
        qs = qs.filter(employment_status__in=campaign.statuses)
    qs = qs.annotate(hardship_level_asof=level_asof_subquery(campaign.end_date))
    if campaign.hardship_only:
        qs = qs.filter(hardship_level_asof__in=IN_HARDSHIP)
    return qs.only("id", "org_id", "highest_level_rank", "name").order_by("id")


@dataclass
class RecipientFilters:
    q: str = ""
    org: OrgUnit | None = None
    status: str = RecipientStatus.INCLUDED
    paid: str = ""  # "1" paid, "0" not yet
    level: str = ""
    hardship: str = ""


def recipient_list(*, user, campaign: CareCampaign, filters: RecipientFilters | None = None) -> QuerySet:
    f = filters or RecipientFilters()
    paid_visits = CareVisit.objects.filter(campaign=campaign, worker=OuterRef("worker"), is_void=False, amount__gt=0)
    any_visit = CareVisit.objects.filter(campaign=campaign, worker=OuterRef("worker"), is_void=False)
    qs = scope_queryset(CareRecipient.objects.filter(campaign=campaign), user, org_field="org").annotate(
        paid_amount=Subquery(paid_visits.values("amount")[:1]),
        paid_date=Subquery(any_visit.order_by("-visit_date").values("visit_date")[:1]),
        visit_id=Subquery(any_visit.order_by("-amount", "-id").values("id")[:1]),
    ).select_related("worker", "org").defer(*WORKER_PII_VIA)
    if f.q.strip():
        wq = search_q(f.q)
        if wq is not None:
            qs = qs.filter(worker__in=Worker.objects.filter(wq))
    if f.org is not None:
        qs = qs.filter(f.org.subtree_q("org"))
    if f.status in RecipientStatus.values:
        qs = qs.filter(status=f.status)
    if f.paid == "1":
        qs = qs.filter(Exists(paid_visits))
    elif f.paid == "0":
        qs = qs.filter(~Exists(paid_visits))
    if f.level in LEVEL_RANK:
        qs = qs.filter(level_rank=LEVEL_RANK[f.level])
    if f.hardship == "1":
        qs = qs.filter(in_hardship=True)
    return qs.order_by("org__path", "-level_rank", "worker__name_pinyin", "id")


def recipient_get(*, user, campaign: CareCampaign, pk) -> CareRecipient:
    r = (scope_queryset(CareRecipient.objects.filter(campaign=campaign), user, org_field="org")
         .select_related("worker", "org", "campaign").filter(pk=pk).first())
    if r is None:
        raise Http404("名单记录不存在或不在您的数据范围内")
    return r


def payment_sheet(*, user, campaign: CareCampaign, org: OrgUnit | None = None) -> tuple[list, list]:
    """The 发放表: included recipients in scope with their paid visit (transfer account masked)."""
    paid = {v.worker_id: v for v in scope_queryset(
        CareVisit.objects.filter(campaign=campaign, is_void=False, amount__gt=0), user, org_field="org")
        .select_related("worker", "org").defer(*WORKER_PII_VIA)}
    rows = list(recipient_list(user=user, campaign=campaign, filters=RecipientFilters(org=org)))
    for r in rows:
        r.visit = paid.get(r.worker_id)
    listed = {r.worker_id for r in rows}
    extra = [v for wid, v in paid.items() if wid not in listed]
    return rows, extra


# --- visits -----------------------------------------------------------------------------------------------


def visit_base(user) -> QuerySet[CareVisit]:
    return scope_queryset(CareVisit.objects.all(), user, org_field="org", self_field="worker__user")


@dataclass
class VisitFilters:
    q: str = ""
    year: int | None = None
    campaign: int | None = None
    visit_type: str = ""
    method: str = ""
    payment_method: str = ""
    org: OrgUnit | None = None
    void: str = "0"  # "0" valid only, "1" voided only, "" all
    worker: int | None = None


def visit_list(*, user, filters: VisitFilters | None = None) -> QuerySet[CareVisit]:
    f = filters or VisitFilters()
    qs = visit_base(user).select_related("worker", "org", "campaign").defer(*WORKER_PII_VIA, "bank_account")
    if f.q.strip():
        wq = search_q(f.q)
        if wq is not None:
            qs = qs.filter(Q(worker__in=Worker.objects.filter(wq)) | Q(visitors__contains=f.q.strip()))
    if f.year:
        qs = qs.filter(visit_date__gte=date(f.year, 1, 1), visit_date__lte=date(f.year, 12, 31))
    if f.campaign:
        qs = qs.filter(campaign_id=f.campaign)
    if f.visit_type:
        qs = qs.filter(visit_type=f.visit_type)
    if f.method:
        qs = qs.filter(method=f.method)
    if f.payment_method:
        qs = qs.filter(payment_method=f.payment_method)
    if f.org is not None:
        qs = qs.filter(f.org.subtree_q("org"))
    if f.void in ("0", "1"):
        qs = qs.filter(is_void=f.void == "1")
    if f.worker:
        qs = qs.filter(worker_id=f.worker)
    return qs.order_by("-visit_date", "-id")


def visit_get(*, user, pk) -> CareVisit:
    visit = visit_base(user).select_related("worker", "org", "campaign", "recorded_by").filter(pk=pk).first()
    if visit is None:
        raise Http404("慰问记录不存在或不在您的数据范围内")
    return visit


def bank_account_of(*, worker: Worker):
    return WorkerBankAccount.objects.filter(worker=worker).first()


def bank_accounts_for(worker_ids) -> list[int]:
    """Which of these workers have registered their own account (ids only, nothing decrypted)."""
    return list(WorkerBankAccount.objects.filter(worker_id__in=list(worker_ids)).values_list("worker_id", flat=True))


# --- ledgers ----------------------------------------------------------------------------------------------


def _child_units(root: OrgUnit) -> list[OrgUnit]:
    return [root, *OrgUnit.objects.filter(parent=root).order_by("sort_order", "path")]


def _rollup(root: OrgUnit, per_org: dict[int, dict], keys) -> list[dict]:
    """Fold per-unit figures into the units directly below `root` (records of `root` itself stay on it)."""
    units = _child_units(root)
    by_pk = {u.pk: u for u in units}
    rows = {u.pk: {"org": u, **{k: 0 for k in keys}} for u in units}
    paths = dict(OrgUnit.objects.filter(pk__in=list(per_org)).values_list("pk", "path")) if per_org else {}
    for org_id, figures in per_org.items():
        segs = paths.get(org_id, "").strip("/").split("/")
        target = int(segs[root.depth + 1]) if len(segs) > root.depth + 1 else root.pk
        target = target if target in by_pk else root.pk
        for k in keys:
            rows[target][k] += figures.get(k, 0)
    out = [rows[u.pk] for u in units]
    return [r for r in out if r["org"].pk != root.pk or any(r[k] for k in keys)]


def report_root(user, org: OrgUnit | None = None) -> OrgUnit | None:
    return org or (user.org if user.scope_level in (DataScope.SUBTREE, DataScope.UNIT) else scope_root(user))


def county_ledger(*, user, year: int, campaign: CareCampaign | None = None, org: OrgUnit | None = None) -> list[dict]:
    """Per unit below `org`: recipients, planned, paid, visited, unpaid planned, for the year's campaigns."""
    root = report_root(user, org)
    if root is None:
        return []
    campaigns = campaign_base(user).filter(year=year) if campaign is None else CareCampaign.objects.filter(
        pk=campaign.pk)
    paid_visit = CareVisit.objects.filter(campaign=OuterRef("campaign"), worker=OuterRef("worker"), is_void=False,
                                          amount__gt=0)
    per_org: dict[int, dict] = defaultdict(dict)
    recipients = scope_queryset(CareRecipient.objects.filter(root.subtree_q("org"), campaign__in=campaigns,
                                                             status=RecipientStatus.INCLUDED), user, org_field="org")
    for row in recipients.annotate(paid=Exists(paid_visit)).values("org_id").annotate(
            n=Count("id"), planned=fen_sum("planned_amount"),
            unpaid=fen_sum("planned_amount", filter=Q(paid=False))).order_by():
        per_org[row["org_id"]].update(recipients=row["n"], planned=row["planned"], unpaid=row["unpaid"])
    visits = scope_queryset(CareVisit.objects.filter(root.subtree_q("org"), campaign__in=campaigns,
                                                     is_void=False), user, org_field="org")
    for row in visits.values("org_id").annotate(paid=fen_sum("amount"), visits=Count("id"),
                                                paid_n=Count("id", filter=Q(amount__gt=0))).order_by():
        per_org[row["org_id"]].update(paid=row["paid"], visits=row["visits"], paid_n=row["paid_n"])
    rows = _rollup(root, per_org, ("recipients", "planned", "unpaid", "paid", "visits", "paid_n"))
    for r in rows:
        for k in ("planned", "unpaid", "paid"):
            r[k] = yuan(r[k])
    return rows


def ledger_totals(rows: list[dict]) -> dict:
    keys = ("recipients", "planned", "unpaid", "paid", "visits", "paid_n")
    return {k: sum((r[k] for r in rows), Decimal("0.00") if k in ("planned", "unpaid", "paid") else 0) for k in keys}


def money_by_county(*, user, year: int, org: OrgUnit | None = None) -> list[dict]:
    """Condolence money paid in the year (by visit date, every visit type) per unit below `org`; the same
    figures as the summary report's care.amount of each unit."""
    root = report_root(user, org)
    if root is None:
        return []
    visits = visit_base(user).filter(root.subtree_q("org"), is_void=False, visit_date__gte=date(year, 1, 1),
                                     visit_date__lte=date(year, 12, 31))
    per_org = {row["org_id"]: {"amount": row["amount_fen"], "visits": row["n"]}
               for row in visits.values("org_id").annotate(amount_fen=fen_sum("amount"), n=Count("id")).order_by()}
    rows = _rollup(root, per_org, ("amount", "visits"))
    for r in rows:
        r["amount"] = yuan(r["amount"])
    return rows


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
    r = round_list(user=user).filter(pk=pk).first()
    if r is None:
        raise Http404("调查不存在或不在您的数据范围内")
    return r


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


def survey_list(*, user, filters: SurveyFilters | None = None) -> QuerySet[HardshipSurvey]:
    f = filters or SurveyFilters()
    qs = survey_base(user).select_related("worker", "org", "round").defer(*WORKER_PII_VIA, "details")
    if f.q.strip():
        wq = search_q(f.q)
        if wq is not None:
            qs = qs.filter(worker__in=Worker.objects.filter(wq))
    if f.round:
        qs = qs.filter(round_id=f.round)
    if f.year:
        qs = qs.filter(round__year=f.year)
    if f.status in SurveyStatus.values:
        qs = qs.filter(status=f.status)
    if f.level in HardshipLevel.values:
        qs = qs.filter(hardship_level=f.level)
    elif f.level == "in":
        qs = qs.filter(hardship_level__in=IN_HARDSHIP)
    if f.org is not None:
        qs = qs.filter(f.org.subtree_q("org"))
    return qs.order_by("-survey_date", "-id")


def survey_get(*, user, pk) -> HardshipSurvey:
    s = survey_base(user).select_related("worker", "org", "round", "round__org", "reviewed_by").filter(pk=pk).first()
    if s is None:
        raise Http404("调查表不存在或不在您的数据范围内")
    return s


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
    return _rollup(root, per_org, ("total", "draft", "submitted", "approved", "hardship"))


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
    if f.level == "in":
        qs = qs.filter(hardship_level__in=IN_HARDSHIP)
    elif f.level in HardshipLevel.values:
        qs = qs.filter(hardship_level=f.level)
    if f.org is not None:
        qs = qs.filter(f.org.subtree_q("worker__org"))
    if f.q.strip():
        wq = search_q(f.q)
        if wq is not None:
            qs = qs.filter(worker__in=Worker.objects.filter(wq))
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


def grant_list(*, user, filters: GrantFilters | None = None) -> QuerySet[BenefitGrant]:
    f = filters or GrantFilters()
    qs = grant_base(user).select_related("worker", "org", "benefit_type").defer(*WORKER_PII_VIA)
    if f.q.strip():
        wq = search_q(f.q)
        if wq is not None:
            qs = qs.filter(worker__in=Worker.objects.filter(wq))
    if f.year:
        qs = qs.filter(year=f.year)
    if f.benefit_type:
        qs = qs.filter(benefit_type__code=f.benefit_type)
    if f.source == "manual":
        qs = qs.filter(source="")
    elif f.source == "visit":
        qs = qs.filter(source__startswith="care_visit:")
    elif f.source == "retreat":
        qs = qs.filter(source__startswith="retreat")
    if f.org is not None:
        qs = qs.filter(f.org.subtree_q("org"))
    if f.void in ("0", "1"):
        qs = qs.filter(is_void=f.void == "1")
    return qs.order_by("-year", "-grant_date", "-id")


def grant_get(*, user, pk) -> BenefitGrant:
    g = grant_base(user).select_related("worker", "org", "benefit_type").filter(pk=pk).first()
    if g is None:
        raise Http404("待遇记录不存在或不在您的数据范围内")
    return g


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


# --- lookups ----------------------------------------------------------------------------------------------


def worker_lookup(*, user, q: str, limit: int = 10) -> list[Worker]:
    wq = search_q(q)
    if wq is None:
        return []
    return list(worker_base(user).filter(wq).select_related("org").defer(*WORKER_PII)
                .order_by("-highest_level_rank", "name_pinyin")[:limit])


def worker_by_no(*, user, worker_no: str) -> Worker | None:
    worker_no = (worker_no or "").strip().upper()
    if not worker_no:
        return None
    return worker_base(user).select_related("org").filter(worker_no=worker_no).first()


def worker_resolve(*, user, text: str) -> tuple[Worker | None, int]:
    """A worker by number, else the single match of a name / pinyin / ID-last-four search in scope.

    Returns (worker, 1), or (None, n) when n workers match (0: none; 2: more than one, ask to choose).
    """
    worker = worker_by_no(user=user, worker_no=text)
    if worker is not None:
        return worker, 1
    if not (text or "").strip():
        return None, 0
    found = worker_lookup(user=user, q=text, limit=2)
    if len(found) != 1:
        return None, len(found)
    return worker_by_no(user=user, worker_no=found[0].worker_no), 1


def today() -> date:
    return timezone.localdate()

