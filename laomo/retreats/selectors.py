"""Reads of the retreats module, always scoped by the user.

Batches and vendors are visible to the units that run them and everything below (data scope), and
to the units below the organizer (a county sees the city's batches, which it nominates for, but
never another county's). Applications belong to the worker's unit: a county sees only its own
people, also in a city batch. A worker sees the batches open to them and their own applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from laomo.core.filtering import apply_filters, in_subtree
from laomo.core.rows import md, number, pk_url, unit_name, ymd
from laomo.core.scope import org_in_scope, scope_queryset
from laomo.core.selectors import get_in_scope
from laomo.core.years import ensure_year
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import DataScope
from laomo.workers.selectors import worker_for_user, worker_matches

from . import rules
from .models import (
    RATING_FIELDS,
    RATING_LABELS,
    SEAT_STATUSES,
    WAITLIST_ORDER,
    ApplicationStatus,
    BatchStatus,
    RetreatApplication,
    RetreatBatch,
    SurveyResponse,
    Vendor,
)

TWO = Decimal("0.01")


def average(total, count) -> Decimal | None:
    """Exact average with 2 places (half up), None when there is nothing to average."""
    if not count:
        return None
    return (Decimal(total or 0) / Decimal(count)).quantize(TWO, rounding=ROUND_HALF_UP)


def ancestor_ids(org) -> list[int]:
    """The unit and every unit above it."""
    return OrgUnit.ids_on_path(org.path)


def _up_and_down(user, org_field: str = "org") -> Q | None:
    """Records of the user's units and below, and of the units above (which run things for them)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    level = user.scope_level
    if level == DataScope.ALL:
        return None
    if level in (DataScope.SUBTREE, DataScope.UNIT) and user.org_id:
        q = Q(**{f"{org_field}_id__in": ancestor_ids(user.org)})
        if level == DataScope.SUBTREE:
            q |= user.org.subtree_q(org_field)
        return q
    return Q(pk__in=[])


# --- batches ---------------------------------------------------------------------------------------


def batch_base(user, qs: QuerySet[RetreatBatch] | None = None) -> QuerySet[RetreatBatch]:
    """The batches `user` may see (of `qs`, by default every batch not deleted)."""
    qs = RetreatBatch.objects.filter(is_deleted=False) if qs is None else qs
    if getattr(user, "is_authenticated", False) and user.is_active and user.scope_level == DataScope.SELF:
        worker = worker_for_user(user)
        if worker is None:
            return qs.none()
        mine = RetreatApplication.objects.filter(batch=OuterRef("pk"), worker=worker)
        return qs.filter((Q(org_id__in=ancestor_ids(worker.org)) & ~Q(status=BatchStatus.PLANNED)) | Exists(mine))
    q = _up_and_down(user)
    return qs if q is None else qs.filter(q)


def with_counts(qs: QuerySet[RetreatBatch]) -> QuerySet[RetreatBatch]:
    def count(*statuses):
        sub = (RetreatApplication.objects.filter(batch=OuterRef("pk"), status__in=statuses).order_by()
               .values("batch").annotate(n=Count("id")).values("n"))
        return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))

    return qs.annotate(seats=count(*SEAT_STATUSES), pending=count(ApplicationStatus.PENDING),
                       waitlisted=count(ApplicationStatus.WAITLISTED), attended=count(ApplicationStatus.ATTENDED))


@dataclass
class BatchFilters:
    q: str = ""
    year: int | None = None
    status: str = ""
    vendor: int | None = None
    org: object = None


BATCH_RULES = {
    "q": lambda q: (Q(name__contains=q) | Q(destination__contains=q) | Q(vendor__name__contains=q)
                    | Q(leader_name__contains=q)),
    "year": lambda year: Q(start_date__year=ensure_year(year)),
    "status": lambda status: Q(status=status) if status in BatchStatus.values else None,
    "vendor": "vendor_id",
    "org": in_subtree(),
}


@lru_cache(maxsize=1)
def _batches_with_counts() -> QuerySet[RetreatBatch]:
    """Every batch not deleted with its four counts, built once and never evaluated: the ORM resolves the
    correlated subqueries when annotating (~40 % of the list page's work, issue 16); `batch_list` chains on
    a copy (`.all()`), as chaining always does."""
    return with_counts(RetreatBatch.objects.filter(is_deleted=False).select_related("org", "vendor"))


def batch_list(*, user, filters: BatchFilters | None = None) -> QuerySet[RetreatBatch]:
    f = filters or BatchFilters()
    qs = apply_filters(batch_base(user, _batches_with_counts().all()), f, BATCH_RULES)
    return qs.order_by("-start_date", "-id")


BATCH_ROW_FIELDS = ("id", "name", "destination", "start_date", "end_date", "org__short_name", "org__name", "vendor_id",
                    "vendor__name", "capacity", "seats", "pending", "waitlisted", "attended", "cost_per_person",
                    "status")
BATCH_COUNTS = ("capacity", "seats", "pending", "waitlisted", "attended")


def batch_row_values(qs: QuerySet[RetreatBatch]) -> QuerySet:
    """`batch_list` as the dicts the list page shows (laomo.core.rows)."""
    return qs.values(*BATCH_ROW_FIELDS)


def batch_rows(rows: list[dict]) -> list[dict]:
    """A page of `batch_row_values` with its cells' text; the status badge rendered once per status shown."""
    badge = get_template("retreats/partials/status_badge.html")
    badges = {s: mark_safe(badge.render({"s": s})) for s in {r["status"] for r in rows}}  # noqa: S308  (a template's)
    url, vendor_url = pk_url("retreats:batch_detail"), pk_url("retreats:vendor_detail")
    for r in rows:
        r.update(start=ymd(r["start_date"]), end=md(r["end_date"]), badge=badges[r["status"]], url=url(r["id"]),
                 vendor_url=vendor_url(r["vendor_id"]) if r["vendor_id"] else "", cost=number(r["cost_per_person"]),
                 **{f"{key}_text": number(r[key]) for key in BATCH_COUNTS},
                 unit=unit_name(r["org__short_name"], r["org__name"]))
    return rows


def batch_get(*, user, pk) -> RetreatBatch:
    return get_in_scope(with_counts(batch_base(user).select_related("org", "vendor")), pk,
                        "批次不存在或不在您的数据范围内")


def is_organizer(user, batch: RetreatBatch) -> bool:
    """May the user run the batch (confirm, attendance, edit)? The organizing unit's scope."""
    return org_in_scope(user, batch.org)


def itinerary_of(batch):
    return list(batch.itinerary.order_by("day_no"))


def quotas_with_usage(*, user, batch) -> list[dict]:
    """Each unit's quota and use; counts are totals (numbers only), names of other units' people are not shown."""
    used = rules.quota_usage(batch)
    rows = []
    for q in batch.quotas.select_related("org").order_by("org__path"):
        rows.append({"org": q.org, "quota": q.quota, "used": used.get(q.org_id, 0),
                     "mine": org_in_scope(user, q.org)})
    return rows


# --- applications ----------------------------------------------------------------------------------


def application_base(user) -> QuerySet[RetreatApplication]:
    return scope_queryset(RetreatApplication.objects.all(), user, org_field="org", self_field="worker__user")


@dataclass
class ApplicationFilters:
    q: str = ""
    batch: int | None = None
    status: str = ""
    org: object = None
    year: int | None = None
    channel: str = ""


APPLICATION_RULES = {
    "q": worker_matches,
    "status": lambda status: Q(status=status) if status in ApplicationStatus.values else None,
    "org": in_subtree(),
    "year": lambda year: Q(batch__start_date__year=ensure_year(year)),
    "channel": "channel",
}


def application_list(*, user, filters: ApplicationFilters | None = None, batch=None) -> QuerySet[RetreatApplication]:
    f = filters or ApplicationFilters()
    qs = application_base(user).select_related("worker", "org", "batch", "quota_org")
    if batch is not None:
        qs = qs.filter(batch=batch)
    elif f.batch:
        qs = qs.filter(batch_id=f.batch)
    return apply_filters(qs, f, APPLICATION_RULES).order_by("-priority_score", "-level_rank", "created_at", "id")


def application_get(*, user, pk) -> RetreatApplication:
    return get_in_scope(application_base(user).select_related("worker__org", "org", "batch__org", "batch__vendor"), pk,
                        "报名记录不存在或不在您的数据范围内")


def waitlist_positions(batch) -> dict[int, int]:
    """{application id: place on the waitlist} in the order that moves up (whole batch)."""
    ids = (RetreatApplication.objects.filter(batch=batch, status=ApplicationStatus.WAITLISTED)
           .order_by(*WAITLIST_ORDER).values_list("pk", flat=True))
    return {pk: i for i, pk in enumerate(ids, start=1)}


def application_by_token(token: str) -> RetreatApplication:
    app = (RetreatApplication.objects.select_related("batch", "worker", "batch__vendor")
           .filter(survey_token=token, batch__is_deleted=False).first()) if token else None
    if app is None:
        raise Http404("问卷链接无效")
    return app


# --- self-service ----------------------------------------------------------------------------------


def open_batches_for(worker) -> list[RetreatBatch]:
    """Batches taking applications that the worker's unit may join."""
    return list(RetreatBatch.objects.filter(is_deleted=False, status=BatchStatus.OPEN,
                                            org_id__in=ancestor_ids(worker.org))
                .select_related("org", "vendor").prefetch_related("itinerary").order_by("start_date"))


def my_applications(worker) -> list[RetreatApplication]:
    return list(RetreatApplication.objects.filter(worker=worker).select_related("batch", "batch__vendor")
                .order_by("-batch__start_date", "-id"))


# --- vendors ---------------------------------------------------------------------------------------


def vendor_base(user) -> QuerySet[Vendor]:
    qs = Vendor.objects.filter(is_deleted=False)
    q = _up_and_down(user)
    return qs if q is None else qs.filter(q)


def _vendor_rating_annotations(qs):
    responses = SurveyResponse.objects.filter(batch__vendor=OuterRef("pk"), batch__is_deleted=False).order_by()
    n = responses.values("batch__vendor").annotate(n=Count("id")).values("n")
    total = responses.values("batch__vendor").annotate(s=Sum("overall")).values("s")
    batches = (RetreatBatch.objects.filter(vendor=OuterRef("pk"), is_deleted=False).order_by().values("vendor")
               .annotate(n=Count("id")).values("n"))
    return qs.annotate(
        batch_count=Coalesce(Subquery(batches, output_field=IntegerField()), Value(0)),
        response_count=Coalesce(Subquery(n, output_field=IntegerField()), Value(0)),
        overall_total=Coalesce(Subquery(total, output_field=IntegerField()), Value(0)),
    )


def vendor_list(*, user, q: str = "", kind: str = "", active: str = "") -> QuerySet[Vendor]:
    qs = _vendor_rating_annotations(vendor_base(user).select_related("org"))
    if q.strip():
        qs = qs.filter(Q(name__contains=q.strip()) | Q(contact_person__contains=q.strip())
                       | Q(contract_no__contains=q.strip()))
    if kind:
        qs = qs.filter(kind=kind)
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    return qs.order_by("-is_active", "name", "id")


def vendor_get(*, user, pk) -> Vendor:
    return get_in_scope(_vendor_rating_annotations(vendor_base(user).select_related("org")), pk,
                        "旅行社/基地不存在或不在您的数据范围内")


def vendor_choices(*, user, org=None) -> QuerySet[Vendor]:
    """Vendors a batch of `org` may use: active, contracted by that unit or a unit above it."""
    qs = vendor_base(user).filter(is_active=True)
    if org is not None:
        qs = qs.filter(org_id__in=ancestor_ids(org))
    return qs.order_by("name")


def vendor_rating_history(vendor) -> list[dict]:
    """One row per batch of the vendor: response count and the average of each rating (aggregates only)."""
    rows = (RetreatBatch.objects.filter(vendor=vendor, is_deleted=False)
            .exclude(status=BatchStatus.CANCELLED).order_by("-start_date", "-id")
            .annotate(responses=Count("survey_responses"),
                      **{f"sum_{f}": Sum(f"survey_responses__{f}") for f in RATING_FIELDS}))
    attended = dict(RetreatApplication.objects.filter(batch__vendor=vendor, status=ApplicationStatus.ATTENDED)
                    .order_by().values("batch").annotate(n=Count("id")).values_list("batch", "n"))
    out = []
    for b in rows:
        out.append({"batch": b, "responses": b.responses, "attended": attended.get(b.pk, 0),
                    "averages": {f: average(getattr(b, f"sum_{f}"), b.responses) for f in RATING_FIELDS}})
    return out


def vendor_overall(vendor) -> dict:
    agg = SurveyResponse.objects.filter(batch__vendor=vendor, batch__is_deleted=False).aggregate(
        n=Count("id"), **{f: Sum(f) for f in RATING_FIELDS})
    return {"responses": agg["n"], "averages": {f: average(agg[f], agg["n"]) for f in RATING_FIELDS}}


# --- survey report ---------------------------------------------------------------------------------


def survey_report(*, user, batch) -> dict:
    """Response rate and averages of a batch; comments (anonymous) for the organizers only."""
    attended = RetreatApplication.objects.filter(batch=batch, status=ApplicationStatus.ATTENDED).count()
    responses = SurveyResponse.objects.filter(batch=batch)
    agg = responses.aggregate(n=Count("id"), **{f: Sum(f) for f in RATING_FIELDS})
    n = agg["n"]
    distribution = dict(responses.order_by().values("overall").annotate(c=Count("id")).values_list("overall", "c"))
    comments = []
    if is_organizer(user, batch):
        comments = list(responses.exclude(comment="").order_by("-created_at").values_list("comment", flat=True)[:200])
    return {
        "attended": attended,
        "responses": n,
        "response_rate": (Decimal(n * 100) / Decimal(attended)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if attended else None,
        "averages": {f: average(agg[f], n) for f in RATING_FIELDS},
        "labels": RATING_LABELS,
        "distribution": [distribution.get(score, 0) for score in range(1, 6)],
        "comments": comments,
        "show_comments": is_organizer(user, batch),
    }
