"""Reads of the model-worker registry, always scoped by the user."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value, When

from laomo.core.actors import SYSTEM
from laomo.core.filtering import apply_filters, in_subtree
from laomo.core.idnumber import IdNumberError, normalize_id_number
from laomo.core.pagination import page_of  # noqa: F401  (re-exported for the views and the API)
from laomo.core.rows import display, pk_url, unit_name, ymd
from laomo.core.scope import org_in_scope, scope_queryset, scope_root
from laomo.core.selectors import get_in_scope
from laomo.orgs.models import OrgUnit

from .decisions import AMBIGUOUS, HAS_HONOR, MATCHED, NEW, OUT_OF_SCOPE, UNKNOWN_UNIT, Decision, Entry
from .indexes import id_index
from .models import (
    LEVEL_RANK,
    OPEN_STATUSES,
    EmploymentStatus,
    Honor,
    Submission,
    Worker,
    WorkerChange,
    level_label,
)
from .parsing import resolve_region

_ID_LIKE = re.compile(r"^[0-9]{15}$|^[0-9]{17}[0-9xX]$")
_PINYIN = re.compile(r"^[a-zA-Z]+$")
_ID_LAST4 = re.compile(r"^[0-9]{3}[0-9xX]$")


def worker_base(user) -> QuerySet[Worker]:
    """Live workers the user may see: by org scope, or their own record for the `self` level."""
    return scope_queryset(Worker.objects.filter(is_deleted=False), user, org_field="org", self_field="user")


@dataclass
class WorkerFilters:
    q: str = ""
    id_number: str = ""
    org: object = None  # an OrgUnit inside the user's scope (subtree filter)
    level: str = ""  # highest level
    kind: str = ""  # has an honor of this kind
    year_from: int | None = None
    year_to: int | None = None
    status: str = ""
    incomplete: bool | None = None
    sort: str = ""
    min_level: str = ""  # this level and above


SORTS = {
    "": ("-highest_level_rank", "name_pinyin", "id"),
    "name": ("name_pinyin", "id"),
    "-name": ("-name_pinyin", "-id"),
    "level": ("highest_level_rank", "name_pinyin", "id"),
    "-level": ("-highest_level_rank", "name_pinyin", "id"),
    "birth": ("birth_date", "id"),
    "-birth": ("-birth_date", "id"),
    "new": ("-id",),
}


def search_q(q: str) -> Q | None:
    """Name, pinyin (zhangsan), initials (zs), employer, worker number, an exact ID number, or its last four.

    The last four characters are matched against the masked copy (``3311**********123X``), which keeps
    them in clear; the full number stays encrypted and is only ever looked up by its keyed index.
    """
    q = q.strip()
    if not q:
        return None
    if _ID_LIKE.match(q):
        try:
            return Q(id_number_index=id_index(normalize_id_number(q)))
        except IdNumberError:
            return Q(pk__in=[])
    if _PINYIN.match(q):
        low = q.lower()
        # First reading by index-friendly prefix; other readings of heteronyms after a space.
        return (Q(name_pinyin__startswith=low) | Q(name_initials__startswith=low) | Q(worker_no__iexact=q)
                | Q(name_pinyin__contains=f" {low}") | Q(name_initials__contains=f" {low}")
                | Q(employer__icontains=q))
    found = Q(name__contains=q) | Q(employer__contains=q) | Q(worker_no__iexact=q)
    if _ID_LAST4.match(q):
        found |= Q(id_number_masked__endswith=q.upper())
    return found


def worker_matches(text: str, field: str = "worker") -> Q | None:
    """Records whose worker (`field`) matches a search text (`search_q`); None when the text asks nothing."""
    found = search_q(text)
    return None if found is None else Q(**{f"{field}__in": Worker.objects.filter(found)})


def _id_number_q(text: str) -> Q:
    try:
        return Q(id_number_index=id_index(normalize_id_number(text)))
    except IdNumberError:
        return Q(pk__in=[])


def _level_q(level: str) -> Q | None:
    if level in LEVEL_RANK:
        return Q(highest_level_rank=LEVEL_RANK[level])
    return Q(highest_level_rank=0) if level == "none" else None


WORKER_RULES = {
    "q": search_q,
    "id_number": _id_number_q,
    "org": in_subtree(),
    "level": _level_q,
    "min_level": lambda level: Q(highest_level_rank__gte=LEVEL_RANK[level]) if level in LEVEL_RANK else None,
}
HONOR_RULES = {"kind": "kind", "year_from": "year__gte", "year_to": "year__lte"}


def worker_list(*, user, filters: WorkerFilters | None = None) -> QuerySet[Worker]:
    f = filters or WorkerFilters()
    qs = apply_filters(worker_base(user).select_related("org"), f, WORKER_RULES)
    if f.kind or f.year_from or f.year_to:  # one honor that meets all three
        honors = apply_filters(Honor.objects.filter(worker=OuterRef("pk"), is_deleted=False), f, HONOR_RULES)
        qs = qs.filter(Exists(honors))
    qs = apply_filters(qs, f, {"status": "employment_status", "incomplete": "is_incomplete"})
    return qs.order_by(*SORTS.get(f.sort, SORTS[""]))


def worker_get(*, user, pk) -> Worker:
    """One worker in the user's scope, or 404 (a guessed id outside the scope looks like a missing one)."""
    return get_in_scope(worker_base(user).select_related("org", "user"), pk, "劳模不存在或不在您的数据范围内")


def worker_for_user(user) -> Worker | None:
    """The worker record linked to a self-service login."""
    return Worker.objects.filter(user=user, is_deleted=False).select_related("org").first()


def honor_get(*, worker: Worker, pk) -> Honor:
    return get_in_scope(honors_of(worker=worker), pk, "荣誉不存在")


def honors_of(*, worker: Worker) -> QuerySet[Honor]:
    return worker.honors.filter(is_deleted=False).order_by("-year", "id")


def honor_values_for(worker_ids, fields: tuple[str, ...]) -> dict[int, list[dict]]:
    """{worker id: [{field: value}]} of the live honors of a page of workers, newest first, in one query (the
    list page and the API list: no model instances)."""
    out: dict[int, list[dict]] = {pk: [] for pk in worker_ids}
    found = Honor.objects.filter(worker_id__in=list(out), is_deleted=False).order_by("-year", "id")
    for honor in found.values("worker_id", *fields):
        out[honor.pop("worker_id")].append(honor)
    return out


WORKER_ROW_FIELDS = ("id", "worker_no", "name", "is_incomplete", "sex", "birth_date", "id_number_masked",
                     "org__short_name", "org__name", "employer", "highest_level_rank", "employment_status")


def worker_row_values(qs: QuerySet[Worker]) -> QuerySet:
    """`worker_list` as the dicts the list page shows (laomo.core.rows): masked forms only, nothing decrypted."""
    return qs.values(*WORKER_ROW_FIELDS)


def worker_rows(rows: list[dict]) -> list[dict]:
    """A page of `worker_row_values` with its honors (one query) and its cells' text."""
    honors = honor_values_for([r["id"] for r in rows], ("year", "title"))
    sex, status, url = display(Worker, "sex"), display(Worker, "employment_status"), pk_url("workers:detail")
    for r in rows:
        r.update(honor_list=honors[r["id"]], sex_label=sex(r["sex"]), born=ymd(r["birth_date"]),
                 unit=unit_name(r["org__short_name"], r["org__name"]), status_label=status(r["employment_status"]),
                 level_label=level_label(r["highest_level_rank"]), url=url(r["id"]))
    return rows


# --- the registry as of a year (the summary report's year rules, DESIGN.md §7) ----------------------------


def honors_by_end_of(year: int) -> Q:
    """Honors awarded by 31 December of `year` (DESIGN.md §7): by their year, else their date; an honor with
    neither (an old record) counts as awarded before any year asked for."""
    return (Q(year__lte=year) | Q(year__isnull=True, award_date__lte=date(year, 12, 31))
            | Q(year__isnull=True, award_date__isnull=True))


def alive_at_end_of(year: int, prefix: str = "") -> Q:
    """Workers alive on 31 December of `year`: not deceased, or deceased after that day (`prefix`: the lookup
    path to the worker, e.g. "worker__" from an honor)."""
    return (~Q(**{f"{prefix}employment_status": EmploymentStatus.DECEASED})
            | Q(**{f"{prefix}status_date__gt": date(year, 12, 31)}))


def _rank_case() -> Case:
    return Case(*(When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()),
                output_field=IntegerField())


def _ranked_honors(year: int) -> QuerySet[Honor]:
    """Live honors awarded by 31 December of `year` at a level the registry ranks: a worker is on the registry
    of that year (alive) exactly when they hold one."""
    return Honor.objects.filter(honors_by_end_of(year), is_deleted=False, level__in=list(LEVEL_RANK))


def registry_as_of(workers, year: int):
    """`workers` as the registry stood on 31 December of `year`, annotated with `rank_asof`, the highest level
    of the honors awarded by then. A person is on it from the year of their first honor (whenever the record
    was typed in) while alive; someone with no honor recorded is not (yet) counted.

    Who is on it is a semi-join on the honors (`pk IN (…)`, one pass over them); `rank_asof`, a subquery per
    worker, is computed only where it is read (rows shown, a filter on it): to count by rank, use
    `registry_honors`, which gives the same ranks without a subquery per worker (issue 16)."""
    best = (_ranked_honors(year).filter(worker=OuterRef("pk"))
            .values("worker").annotate(best=Max(_rank_case())).values("best")[:1])
    return (workers.filter(alive_at_end_of(year), pk__in=_ranked_honors(year).values("worker_id"))
            .annotate(rank_asof=Subquery(best, output_field=IntegerField())))


def registry_honors(year: int, workers: Q) -> QuerySet[Honor]:
    """One honor per person on the registry as of `year` among the workers matching `workers` (lookups from the
    honor, e.g. `Q(worker__is_deleted=False)`): their highest-ranked honor awarded by then (the first by id of
    equals), annotated `rank` — the `rank_asof` of `registry_as_of`. A plain row per person, so the registry is
    counted by rank and unit in one grouped query, the databases running the "no better honor" condition as
    one anti-join over the honors (PostgreSQL: hash anti join) instead of a subquery per worker (issue 16)."""
    better = (_ranked_honors(year).filter(worker=OuterRef("worker_id")).alias(r=_rank_case())
              .filter(Q(r__gt=OuterRef("rank")) | Q(r=OuterRef("rank"), pk__lt=OuterRef("pk"))))
    return (_ranked_honors(year).filter(workers, alive_at_end_of(year, prefix="worker__"))
            .annotate(rank=_rank_case()).filter(~Exists(better)))


# --- award decisions (表彰决定): who in the registry each name of a decision is -------------------------------

# The review table's groups, in the order shown: what needs a decision first.
DECISION_STATUSES = {
    AMBIGUOUS: "同名多人,请选择",
    NEW: "库中无此人,将新建档案(待补全)",
    MATCHED: "匹配到库中一人",
    HAS_HONOR: "已有此荣誉(跳过)",
    OUT_OF_SCOPE: "不在您的数据范围内(跳过)",
    UNKNOWN_UNIT: "单位无法识别(跳过)",
}

@dataclass
class ReviewRow:
    index: int  # the entry's position in decision.entries (the form's key)
    entry: Entry
    status: str
    org: OrgUnit | None  # the unit the name is looked up in, and a new person is filed under
    worker: Worker | None = None  # the one matched, or the one who already has the honor
    candidates: list[Worker] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return DECISION_STATUSES[self.status]


def _decision_units() -> tuple[dict[str, str], dict[str, OrgUnit]]:
    orgs = {org.code: org for org in OrgUnit.objects.filter(is_active=True)}
    by_pk = {org.pk: org for org in orgs.values()}
    for org in orgs.values():
        if org.parent_id in by_pk:
            org.parent = by_pk[org.parent_id]  # place_name (市本级 → 丽水市本级) asks the parent: no query per row
    names: dict[str, str] = {}
    for org in orgs.values():
        for name in (org.short_name, org.name, org.name.removesuffix("总工会")):
            if name:
                names.setdefault(name, org.code)
    return names, orgs


def decision_review(*, user, decision: Decision) -> list[ReviewRow]:
    """Each entry of `decision` against the registry the user may see, never guessed.

    A name is looked up in its unit's subtree (the user's whole scope when the decision has no unit
    headers): one live worker → matched; none → new; several → ambiguous (the candidates listed); one of
    them already holding this honor (same title and year) → has_honor. Units outside the user's scope and
    units that name no org unit are skipped. Four queries whatever the length of the decision.
    """
    names, orgs = _decision_units()
    if user is SYSTEM:
        root = min((org for org in orgs.values() if org.parent_id is None), key=lambda org: org.pk, default=None)
    else:
        root = scope_root(user)
    base = Worker.objects.filter(is_deleted=False) if user is SYSTEM else worker_base(user)
    people: dict[str, list[Worker]] = {}
    for worker in (base.filter(name__in={e.name for e in decision.entries}).select_related("org__parent")
                   .defer("id_number", "phone", "address").order_by("worker_no")):
        people.setdefault(worker.name, []).append(worker)
    held = set(Honor.objects.filter(worker_id__in=[w.pk for ws in people.values() for w in ws], is_deleted=False,
                                    title__in=decision.honor_titles, year=decision.year)
               .values_list("worker_id", "title")) if people else set()
    rows = []
    for index, entry in enumerate(decision.entries):
        org = orgs.get(resolve_region(entry.unit, names) or "") if entry.unit else root
        if org is None:
            rows.append(ReviewRow(index, entry, UNKNOWN_UNIT, None))
            continue
        if user is not SYSTEM and not org_in_scope(user, org):
            rows.append(ReviewRow(index, entry, OUT_OF_SCOPE, org))
            continue
        found = [w for w in people.get(entry.name, []) if w.org.is_within(org)]
        holders = [w for w in found if (w.pk, entry.title) in held]
        if holders:
            rows.append(ReviewRow(index, entry, HAS_HONOR, org, worker=holders[0], candidates=found))
        elif not found:
            rows.append(ReviewRow(index, entry, NEW, org))
        elif len(found) == 1:
            rows.append(ReviewRow(index, entry, MATCHED, org, worker=found[0], candidates=found))
        else:
            rows.append(ReviewRow(index, entry, AMBIGUOUS, org, candidates=found))
    return rows


def decision_groups(rows: list[ReviewRow]) -> list[tuple[str, str, list[ReviewRow]]]:
    """(status, label, rows) for the review table, the statuses that occur in their fixed order."""
    groups = []
    for status, label in DECISION_STATUSES.items():
        members = [row for row in rows if row.status == status]
        if members:
            groups.append((status, label, members))
    return groups


# --- 报送→审核 ----------------------------------------------------------------------------------------


def submission_list(*, user, status: str = "") -> QuerySet[Submission]:
    """Submissions of the units in the user's scope; `status` "open" means pending or returned."""
    qs = scope_queryset(Submission.objects.select_related("org", "worker", "submitted_by", "reviewed_by"), user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-id")


def submission_get(*, user, pk) -> Submission:
    return get_in_scope(submission_list(user=user), pk, "报送不存在或不在您的数据范围内")


def open_submissions_of(*, worker: Worker) -> QuerySet[Submission]:
    return worker.submissions.filter(status__in=OPEN_STATUSES).order_by("-submitted_at")


def history_of(*, worker: Worker) -> QuerySet[WorkerChange]:
    return worker.changes.select_related("actor", "approved_by", "submission").order_by("-at", "-id")
