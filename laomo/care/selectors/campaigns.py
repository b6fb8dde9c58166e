"""Reads of campaigns, their recipient lists, visits, payment sheets and the county ledgers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from laomo.core.filtering import apply_filters, in_subtree, in_year, one_of
from laomo.core.money import fen_sum, yuan
from laomo.core.rows import display, pk_url, unit_name, ymd
from laomo.core.scope import scope_q, scope_queryset
from laomo.core.selectors import get_in_scope
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import DataScope
from laomo.workers.models import LEVEL_RANK, Worker
from laomo.workers.selectors import worker_matches

from ..models import (
    IN_HARDSHIP,
    CareCampaign,
    CareRecipient,
    CareVisit,
    RecipientStatus,
    WorkerBankAccount,
)
from ..templatetags.care_tags import yuan as money_cell
from .common import WORKER_PII_VIA, level_asof_subquery, living, report_root, rollup

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


CAMPAIGN_RULES = {
    "q": lambda q: Q(name__contains=q) | Q(fund_source__contains=q),
    "year": "year",
    "visit_type": "visit_type",
    "org": in_subtree(),
    "status": "status",
}


def campaign_list(*, user, filters: CampaignFilters | None = None) -> QuerySet[CareCampaign]:
    f = filters or CampaignFilters()
    qs = apply_filters(campaign_base(user).select_related("org"), f, CAMPAIGN_RULES)
    return qs.order_by("-year", "-start_date", "-id")


def campaign_get(*, user, pk) -> CareCampaign:
    return get_in_scope(campaign_base(user).select_related("org"), pk, "慰问活动不存在或不在您的数据范围内")


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
    rules = {
        "q": worker_matches,
        "org": in_subtree(),
        "status": lambda status: Q(status=status) if status in RecipientStatus.values else None,
        "paid": one_of({"1": Exists(paid_visits), "0": ~Exists(paid_visits)}),
        "level": lambda level: Q(level_rank=LEVEL_RANK[level]) if level in LEVEL_RANK else None,
        "hardship": one_of({"1": Q(in_hardship=True)}),
    }
    return apply_filters(qs, f, rules).order_by("org__path", "-level_rank", "worker__name_pinyin", "id")


def recipient_get(*, user, campaign: CareCampaign, pk) -> CareRecipient:
    return get_in_scope(scope_queryset(CareRecipient.objects.filter(campaign=campaign), user, org_field="org")
                        .select_related("worker", "org", "campaign"), pk, "名单记录不存在或不在您的数据范围内")


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


def _visit_text(text: str) -> Q | None:
    found = worker_matches(text)
    return None if found is None else found | Q(visitors__contains=text)


VISIT_RULES = {
    "q": _visit_text,
    "year": in_year("visit_date"),
    "campaign": "campaign_id",
    "visit_type": "visit_type",
    "method": "method",
    "payment_method": "payment_method",
    "org": in_subtree(),
    "void": one_of({"0": Q(is_void=False), "1": Q(is_void=True)}),
    "worker": "worker_id",
}


def visit_list(*, user, filters: VisitFilters | None = None) -> QuerySet[CareVisit]:
    f = filters or VisitFilters()
    qs = visit_base(user).select_related("worker", "org", "campaign").defer(*WORKER_PII_VIA, "bank_account")
    qs = apply_filters(qs, f, VISIT_RULES)
    return qs.order_by("-visit_date", "-id")


VISIT_ROW_FIELDS = ("id", "is_void", "visit_date", "worker__name", "worker__worker_no", "org__short_name", "org__name",
                    "campaign_id", "campaign__name", "visit_type", "method", "amount", "payment_method",
                    "bank_account_masked", "visitors")


def visit_row_values(qs: QuerySet[CareVisit]) -> QuerySet:
    """`visit_list` as the dicts the list page shows (laomo.core.rows): the masked account only."""
    return qs.values(*VISIT_ROW_FIELDS)


def visit_rows(rows: list[dict]) -> list[dict]:
    """A page of `visit_row_values` with its cells' text."""
    kind, method = display(CareVisit, "visit_type"), display(CareVisit, "method")
    payment, url = display(CareVisit, "payment_method"), pk_url("care:visit_detail")
    for r in rows:
        r.update(day=ymd(r["visit_date"]), unit=unit_name(r["org__short_name"], r["org__name"]),
                 what=r["campaign__name"] if r["campaign_id"] is not None else kind(r["visit_type"]),
                 method_label=method(r["method"]), money=money_cell(r["amount"]),
                 payment_label=payment(r["payment_method"]), url=url(r["id"]))
    return rows


def visit_get(*, user, pk) -> CareVisit:
    return get_in_scope(visit_base(user).select_related("worker", "org", "campaign", "recorded_by"), pk,
                        "慰问记录不存在或不在您的数据范围内")


def bank_account_of(*, worker: Worker):
    return WorkerBankAccount.objects.filter(worker=worker).first()


def bank_accounts_for(worker_ids) -> list[int]:
    """Which of these workers have registered their own account (ids only, nothing decrypted)."""
    return list(WorkerBankAccount.objects.filter(worker_id__in=list(worker_ids)).values_list("worker_id", flat=True))


# --- ledgers ----------------------------------------------------------------------------------------------


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
    rows = rollup(root, per_org, ("recipients", "planned", "unpaid", "paid", "visits", "paid_n"))
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
    rows = rollup(root, per_org, ("amount", "visits"))
    for r in rows:
        r["amount"] = yuan(r["amount"])
    return rows


