"""What every read of 关爱劳模 shares: hardship as of a date, living workers, the worker lookup box."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery

from laomo.core.scope import scope_root
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import DataScope
from laomo.workers.models import EmploymentStatus, Worker
from laomo.workers.selectors import search_q, worker_base

from ..models import (
    HardshipSurvey,
    SurveyStatus,
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


# --- the unit rows of a ledger ------------------------------------------------------------------------


def child_units(root: OrgUnit) -> list[OrgUnit]:
    return [root, *OrgUnit.objects.filter(parent=root).order_by("sort_order", "path")]


def rollup(root: OrgUnit, per_org: dict[int, dict], keys) -> list[dict]:
    """Fold per-unit figures into the units directly below `root` (records of `root` itself stay on it)."""
    units = child_units(root)
    by_pk = {u.pk: u for u in units}
    rows = {u.pk: {"org": u, **{k: 0 for k in keys}} for u in units}
    paths = dict(OrgUnit.objects.filter(pk__in=list(per_org)).values_list("pk", "path")) if per_org else {}
    for org_id, figures in per_org.items():
        ids = OrgUnit.ids_on_path(paths.get(org_id, ""))
        target = ids[root.depth + 1] if len(ids) > root.depth + 1 else root.pk
        target = target if target in by_pk else root.pk
        for k in keys:
            rows[target][k] += figures.get(k, 0)
    out = [rows[u.pk] for u in units]
    return [r for r in out if r["org"].pk != root.pk or any(r[k] for k in keys)]


def report_root(user, org: OrgUnit | None = None) -> OrgUnit | None:
    return org or (user.org if user.scope_level in (DataScope.SUBTREE, DataScope.UNIT) else scope_root(user))
