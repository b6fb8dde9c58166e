"""Reads of the volunteering module, always scoped by the user.

Staff (view_business) see their org subtree; a team leader (lead_team) sees the teams they lead and
their sub-teams, those teams' records and the requests dispatched to them; a worker sees their own
records and the requests dispatched to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from laomo.core.filtering import apply_filters, in_subtree, in_year, one_of
from laomo.core.idnumber import PhoneError, normalize_phone
from laomo.core.permissions import has_capability
from laomo.core.pii import blind_index
from laomo.core.rows import display, number, pk_url, truncated, unit_name, ymd, ymd_hm
from laomo.core.scope import scope_q
from laomo.core.selectors import get_in_scope
from laomo.orgs.models import OrgUnit, User
from laomo.workers.models import Worker

from . import matching
from .models import (
    ASSIGNED_STATUSES,
    Mobilization,
    RequestStatus,
    RosterEntry,
    ServiceCertificate,
    ServiceHours,
    ServiceRecord,
    ServiceRequest,
    ServiceTeam,
    TeamMember,
    TeamType,
)
from .services import DISPATCH_DAYS, PHONE_PURPOSE

NONE = Q(pk__in=[])


def _tz():
    return timezone.get_current_timezone()


def day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min), _tz())


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))


def own_worker(user) -> Worker | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Worker.objects.filter(user=user, is_deleted=False).select_related("org").first()


def led_team_ids(user) -> list[int]:
    """Teams the user leads and their sub-teams."""
    if not has_capability(user, "lead_team"):
        return []
    return list(ServiceTeam.objects.filter(Q(leader=user) | Q(parent__leader=user), is_deleted=False)
                .values_list("pk", flat=True))


def _staff_q(user, org_field: str) -> Q | None:
    """The org-scope Q for users who may see business data; NONE for the others."""
    if not has_capability(user, "view_business"):
        return NONE
    return scope_q(user, org_field=org_field)


def _or(*qs: Q | None) -> Q | None:
    """OR of scope Qs; None (no restriction) wins."""
    out = NONE
    for q in qs:
        if q is None:
            return None
        out = out | q
    return out


# --- teams ---------------------------------------------------------------------------------------


def team_base(user) -> QuerySet[ServiceTeam]:
    q = _or(_staff_q(user, "org"), Q(pk__in=led_team_ids(user)) if has_capability(user, "lead_team") else NONE)
    qs = ServiceTeam.objects.filter(is_deleted=False)
    return qs if q is None else qs.filter(q)


@dataclass
class TeamFilters:
    q: str = ""
    team_type: str = ""
    org: object = None
    active: str = "1"


TEAM_RULES = {
    "q": lambda q: Q(name__contains=q) | Q(base__contains=q),
    "team_type": "team_type",
    "org": in_subtree(),
    "active": one_of({"1": Q(is_active=True), "0": Q(is_active=False)}),
}


def team_list(*, user, filters: TeamFilters | None = None) -> QuerySet[ServiceTeam]:
    f = filters or TeamFilters()
    qs = team_base(user).select_related("org", "parent", "leader").annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True))
    return apply_filters(qs, f, TEAM_RULES).order_by("org__path", "parent_id", "name", "id")


def team_get(*, user, pk) -> ServiceTeam:
    return get_in_scope(team_base(user).select_related("org", "parent", "leader"), pk,
                        "服务队不存在或不在您的数据范围内")


def team_members(*, team: ServiceTeam, active_only: bool = True) -> QuerySet[TeamMember]:
    qs = team.members.select_related("worker")
    return qs.filter(is_active=True) if active_only else qs


def members_of_teams(*, team_ids) -> QuerySet[TeamMember]:
    """Active members of the given teams (the caller fetched the teams in the user's scope)."""
    return TeamMember.objects.filter(team_id__in=team_ids, is_active=True).select_related("worker")


def workers_of_team_unit(*, team: ServiceTeam) -> QuerySet[Worker]:
    """Registry workers of a team's unit and below, for its leader to pick members from."""
    return Worker.objects.filter(team.org.subtree_q(), is_deleted=False).order_by("name_pinyin")


def hours_of_worker(*, worker: Worker) -> QuerySet[ServiceHours]:
    """A worker's own service hours (their 我的服务 page)."""
    return ServiceHours.objects.filter(worker=worker, record__is_deleted=False)


def team_choices(*, user) -> QuerySet[ServiceTeam]:
    return team_base(user).filter(is_active=True).select_related("org").order_by("org__path", "name")


def leader_choices(*, user):
    q = scope_q(user, org_field="org")
    qs = User.objects.filter(is_active=True, groups__name="team_leader").distinct().order_by("username")
    return qs if q is None else qs.filter(q)


# --- records -------------------------------------------------------------------------------------


def own_worker_id(user) -> int | None:
    """The pk of the user's own worker record, if any (the id alone: no row, no unit)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Worker.objects.filter(user=user, is_deleted=False).order_by("pk").values_list("pk", flat=True).first()


def record_scope_q(user) -> Q | None:
    q_staff = _staff_q(user, "org")
    if q_staff is None:  # staff who see every unit: the teams led and the own hours add nothing (nor ask)
        return None
    q_lead = Q(team_id__in=led_team_ids(user)) if has_capability(user, "lead_team") else NONE
    worker_id = own_worker_id(user)
    q_self = Q(Exists(ServiceHours.objects.filter(record=OuterRef("pk"), worker_id=worker_id))) if worker_id else NONE
    return _or(q_staff, q_lead, q_self)


def _in_record_scope(qs: QuerySet[ServiceRecord], user) -> QuerySet[ServiceRecord]:
    q = record_scope_q(user)
    return qs if q is None else qs.filter(q)


def record_base(user) -> QuerySet[ServiceRecord]:
    return _in_record_scope(ServiceRecord.objects.filter(is_deleted=False), user)


@dataclass
class RecordFilters:
    q: str = ""
    team_type: str = ""
    team: object = None
    org: object = None
    mobilization: object = None
    date_from: date | None = None
    date_to: date | None = None
    year: int | None = None
    worker: object = None


RECORD_RULES = {
    "team_type": "team_type",
    "team": lambda team: Q(team=team) | Q(team__parent=team),
    "org": in_subtree(),
    "mobilization": "mobilization",
    "year": in_year("date"),
    "date_from": "date__gte",
    "date_to": "date__lte",
    "worker": "volunteers__worker",
}


@lru_cache(maxsize=1)
def _annotated_records() -> QuerySet[ServiceRecord]:
    """Every live record with its two figures, built once and never evaluated: the ORM resolves the correlated
    subqueries when annotating (~1 ms a view), and the filters `record_list` chains on it make new querysets."""
    # The two figures per row are correlated subqueries, not a GROUP BY over the joined hours: the database
    # then computes them only for the rows a page shows (a GROUP BY sums every record in scope before the
    # LIMIT — 1.5 s of a 1.6 s page at 40,000 records in bench/scale.py).
    hours = ServiceHours.objects.filter(record=OuterRef("pk")).order_by().values("record")
    return ServiceRecord.objects.filter(is_deleted=False).select_related("org", "team", "mobilization").annotate(
        volunteer_count=Coalesce(Subquery(hours.annotate(n=Count("id")).values("n")), 0),
        hours_total=Subquery(hours.annotate(total=Sum("hours")).values("total")))


def record_list(*, user, filters: RecordFilters | None = None) -> QuerySet[ServiceRecord]:
    f = filters or RecordFilters()
    qs = _in_record_scope(_annotated_records().all(), user)
    text = f.q.strip()
    if text:
        qs = qs.filter(Q(place__contains=text) | Q(content__contains=text) | Q(team__name__contains=text)
                       | Q(volunteers__name=text)).distinct()
    return apply_filters(qs, f, RECORD_RULES).order_by("-date", "-id")


RECORD_ROW_FIELDS = ("id", "date", "team_id", "team__name", "mobilization_id", "mobilization__name", "org__short_name",
                     "org__name", "team_type", "place", "content", "person_times", "volunteer_count", "hours_total")


def record_row_values(qs: QuerySet[ServiceRecord]) -> QuerySet:
    """`record_list` as the dicts the list page shows (laomo.core.rows)."""
    return qs.values(*RECORD_ROW_FIELDS)


def record_rows(rows: list[dict]) -> list[dict]:
    """A page of `record_row_values` with its cells' text: who served (the team, else the mobilization, else
    the unit), the type, the content cut to 40 characters."""
    team_type, url = display(ServiceRecord, "team_type"), pk_url("volunteering:record_detail")
    for r in rows:
        if r["team_id"] is not None:
            who = r["team__name"]
        elif r["mobilization_id"] is not None:
            who = r["mobilization__name"]
        else:
            who = unit_name(r["org__short_name"], r["org__name"])
        r.update(day=ymd(r["date"]), who=who, type_label=team_type(r["team_type"]), summary=truncated(r["content"], 40),
                 hours=number(r["hours_total"] or "0"), url=url(r["id"]), person_times_text=number(r["person_times"]),
                 volunteers_text=number(r["volunteer_count"]))
    return rows


def record_get(*, user, pk) -> ServiceRecord:
    volunteers = Prefetch("volunteers", queryset=ServiceHours.objects.select_related("worker"))
    return get_in_scope(record_base(user).select_related("org", "team", "mobilization", "recorded_by")
                        .prefetch_related(volunteers), pk, "服务记录不存在或不在您的数据范围内")


def volunteer_values_for(record_ids) -> dict[int, list[dict]]:
    """{record id: [{name, worker_no, hours}]} of a page of records, in one query (the API list: no instances)."""
    out: dict[int, list[dict]] = {pk: [] for pk in record_ids}
    found = ServiceHours.objects.filter(record_id__in=list(out)).order_by("id")
    for record_id, name, worker_no, hours in found.values_list("record_id", "name", "worker__worker_no", "hours"):
        out[record_id].append({"name": name, "worker_no": worker_no, "hours": str(hours)})
    return out


def volunteers_for(records) -> dict[int, list[ServiceHours]]:
    out: dict[int, list[ServiceHours]] = {r.pk: [] for r in records}
    for h in ServiceHours.objects.filter(record_id__in=list(out)).order_by("id"):
        out[h.record_id].append(h)
    return out


def worker_hours(*, user, year: int, org=None, q: str = "") -> QuerySet:
    """Volunteer hours per model worker in a year (rows: worker, records, hours), in the user's scope."""
    records = record_base(user).filter(date__gte=date(year, 1, 1), date__lt=date(year + 1, 1, 1))
    if org is not None:
        records = records.filter(org.subtree_q())
    qs = ServiceHours.objects.filter(record__in=records, worker__isnull=False)
    if q.strip():
        qs = qs.filter(Q(worker__name__contains=q.strip()) | Q(worker__worker_no__iexact=q.strip()))
    return (qs.values("worker_id", "worker__name", "worker__worker_no", "worker__org__name")
            .annotate(records=Count("record", distinct=True), hours=Sum("hours"))
            .order_by("-hours", "worker__worker_no"))


# --- requests ------------------------------------------------------------------------------------


def request_scope_q(user) -> Q | None:
    q_staff = _staff_q(user, "org")
    if q_staff is None:  # staff who see every unit
        return None
    q_lead = Q(team_id__in=led_team_ids(user)) if has_capability(user, "lead_team") else NONE
    worker_id = own_worker_id(user)
    q_self = Q(worker_id=worker_id) if worker_id else NONE
    return _or(q_staff, q_lead, q_self)


def request_base(user) -> QuerySet[ServiceRequest]:
    q = request_scope_q(user)
    return ServiceRequest.objects.all() if q is None else ServiceRequest.objects.filter(q)


def overdue_q(now=None) -> Q:
    """Not dispatched within 2 days, or not done by the promised date."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return (Q(status=RequestStatus.PENDING, received_at__lt=now - timedelta(days=DISPATCH_DAYS))
            | Q(status__in=ASSIGNED_STATUSES, promised_date__lt=today))


@dataclass
class RequestFilters:
    q: str = ""
    status: str = ""
    category: str = ""
    org: object = None
    overdue: bool = False
    team: object = None
    channel: str = ""


def _request_text(text: str) -> Q:
    """A phone number (7+ digits) by its blind index, else the tracking code or the words of the request."""
    if text.isdigit() and len(text) >= 7:
        try:
            return Q(contact_phone_index=blind_index(normalize_phone(text), purpose=PHONE_PURPOSE))
        except PhoneError:
            return Q(pk__in=[])
    return (Q(tracking_code__iexact=text) | Q(description__contains=text) | Q(town__contains=text)
            | Q(village__contains=text))


REQUEST_RULES = {
    "q": _request_text,
    "status": lambda status: (Q(status__in=[RequestStatus.PENDING, *ASSIGNED_STATUSES]) if status == "open"
                              else Q(status=status)),
    "category": "category",
    "org": in_subtree(),
    "overdue": lambda overdue: overdue_q() if overdue else None,
    "team": "team",
    "channel": "channel",
}


def request_list(*, user, filters: RequestFilters | None = None) -> QuerySet[ServiceRequest]:
    f = filters or RequestFilters()
    # Lists show the masked contact and the worker by name: the encrypted fields are loaded (and decrypted) only
    # by what reads them, e.g. the audited reveal (issue 16: ~100 decryptions a page).
    qs = request_base(user).select_related("org", "team", "worker").defer(
        "contact_name", "contact_phone", "worker__id_number", "worker__phone", "worker__address")
    return apply_filters(qs, f, REQUEST_RULES).order_by("-received_at", "-id")


REQUEST_ROW_FIELDS = ("id", "tracking_code", "received_at", "org__short_name", "org__name", "category", "town",
                      "description", "contact_name_masked", "contact_phone_masked", "status", "team_id", "team__name",
                      "worker_id", "worker__name", "promised_date", "rating")


def request_row_values(qs: QuerySet[ServiceRequest]) -> QuerySet:
    """`request_list` as the dicts the list page shows (laomo.core.rows), whether overdue included."""
    overdue = ExpressionWrapper(overdue_q(), output_field=BooleanField())
    return qs.values(*REQUEST_ROW_FIELDS, is_overdue=overdue)


def request_rows(rows: list[dict]) -> list[dict]:
    """A page of `request_row_values` with its cells' text (`ServiceRequest.assignee_label`'s included)."""
    category, status = display(ServiceRequest, "category"), display(ServiceRequest, "status")
    url = pk_url("volunteering:request_detail")
    for r in rows:
        parts = [r["team__name"] if r["team_id"] else "", f"劳模 {r['worker__name']}" if r["worker_id"] else ""]
        r.update(received=ymd_hm(r["received_at"]), unit=unit_name(r["org__short_name"], r["org__name"]),
                 category_label=category(r["category"]), status_label=status(r["status"]),
                 summary=truncated(r["description"], 30), assignee=" · ".join(p for p in parts if p) or "—",
                 promised=ymd(r["promised_date"]) or "—", url=url(r["id"]))
    return rows


def request_get(*, user, pk) -> ServiceRequest:
    return get_in_scope(request_base(user).select_related("org", "team", "team__leader", "worker", "record"), pk,
                        "点单不存在或不在您的数据范围内")


def request_by_code(code: str) -> ServiceRequest | None:
    """The public tracking page: exact, case-insensitive code (the code is the only key).

    Spaces and dashes are ignored: the code is read out in groups of four (ABCD-EFGH-JKMN).
    """
    code = "".join(ch for ch in (code or "") if ch not in " -\u3000").upper()
    if not code or len(code) > 16:
        return None
    return ServiceRequest.objects.select_related("org", "team").filter(tracking_code=code).first()


def request_events(req: ServiceRequest):
    return list(req.events.order_by("created_at", "id"))


def my_requests(*, user) -> QuerySet[ServiceRequest]:
    """Requests dispatched to the user's worker record or to the teams they lead (the phone page)."""
    worker = own_worker(user)
    q = NONE
    if worker is not None:
        q |= Q(worker=worker)
    teams = led_team_ids(user)
    if teams:
        q |= Q(team_id__in=teams)
    return (ServiceRequest.objects.filter(q).select_related("org", "team", "worker")
            .order_by("status", "promised_date", "-received_at"))


# --- recommendations -----------------------------------------------------------------------------


@dataclass
class Candidate:
    kind: str  # "team" or "worker"
    obj: object
    score: int
    open_load: int
    reasons: list[str]
    team: object = None  # for a worker: their matching team, if any


def _county(org: OrgUnit) -> OrgUnit:
    """The county-level unit an org lies in (the org itself at county level and above)."""
    ids = OrgUnit.ids_on_path(org.path)
    return org if len(ids) <= 2 else OrgUnit.objects.get(pk=ids[1])


def recommend(*, user, request: ServiceRequest, limit_teams: int = 5, limit_workers: int = 8) -> dict:
    """Teams and workers for a request, best first, each with the reasons shown to the clerk.

    Team type matching the category (or the type the description implies), same county first,
    specialties matching the description (bigrams and type keywords), fewer open requests first.
    """
    county = _county(request.org)
    desc_types = matching.infer_types(request.description)
    wanted = set(desc_types) | ({request.category} if request.category in TeamType.values else set())
    teams = list(team_choices(user=user).filter(Q(team_type__in=wanted) | county.subtree_q())
                 .annotate(open_load=Count("requests", filter=Q(requests__status__in=ASSIGNED_STATUSES)))
                 .select_related("org"))
    team_candidates = []
    for team in teams:
        score, reasons = 0, []
        if team.team_type == request.category:
            score += 10
            reasons.append(f"服务类型“{team.get_team_type_display()}”与点单类别一致")
        elif team.team_type in desc_types:
            score += 8
            reasons.append(f"需求描述提到“{'、'.join(desc_types[team.team_type])}”,属{team.get_team_type_display()}")
        if team.org.is_within(county):
            score += 5
            reasons.append(f"同县:{team.org.short_name or team.org.name}")
        if team.open_load:
            score -= 2 * team.open_load
            reasons.append(f"当前在办 {team.open_load} 单")
        else:
            reasons.append("当前无在办点单")
        if score > 0 and (team.team_type in wanted or not wanted):
            team_candidates.append(Candidate("team", team, score, team.open_load, reasons))
    team_candidates.sort(key=lambda c: (-c.score, c.open_load, c.obj.pk))

    words = matching.search_words(request.description, request.category)
    word_q = Q()
    for word in words:
        word_q |= Q(specialties__contains=word)
    member_of = {}
    for m in TeamMember.objects.filter(is_active=True, worker__isnull=False, team__is_active=True,
                                       team__is_deleted=False, team__team_type__in=wanted).select_related("team"):
        member_of.setdefault(m.worker_id, m.team)
    worker_qs = (Worker.objects.filter(is_deleted=False).exclude(employment_status="deceased")
                 .filter(word_q | Q(pk__in=list(member_of)) if words else Q(pk__in=list(member_of)))
                 .select_related("org").only("id", "name", "worker_no", "specialties", "org__path", "org__name",
                                              "org__short_name", "user_id"))
    scope = scope_q(user, org_field="org")
    rows = list(worker_qs[:2000])
    loads = dict(ServiceRequest.objects.filter(status__in=ASSIGNED_STATUSES, worker_id__in=[w.pk for w in rows])
                 .values_list("worker_id").annotate(n=Count("id")))
    worker_candidates = []
    for worker in rows:
        score, reasons = matching.specialty_match(request.description, worker.specialties, request.category)
        team = member_of.get(worker.pk)
        if team is not None:
            score += 4
            reasons.append(f"{team.name}队员")
        if score <= 0:
            continue
        if worker.org.is_within(county):
            score += 5
            reasons.append(f"同县:{worker.org.short_name or worker.org.name}")
        load = loads.get(worker.pk, 0)
        if load:
            score -= 2 * load
            reasons.append(f"当前在办 {load} 单")
        else:
            reasons.append("当前无在办点单")
        if not worker.user_id:
            reasons.append("无登录账号,接单需电话联系")
        worker_candidates.append(Candidate("worker", worker, score, load, reasons, team=team))
    if scope is not None:  # outside the clerk's scope only when matching well (city teams, neighbours)
        visible = set(Worker.objects.filter(scope, pk__in=[c.obj.pk for c in worker_candidates])
                      .values_list("pk", flat=True))
        worker_candidates = [c for c in worker_candidates if c.obj.pk in visible]
    worker_candidates.sort(key=lambda c: (-c.score, c.open_load, c.obj.pk))
    return {"teams": team_candidates[:limit_teams], "workers": worker_candidates[:limit_workers]}


# --- mobilizations -------------------------------------------------------------------------------


def mobilization_base(user) -> QuerySet[Mobilization]:
    q = _staff_q(user, "org")
    if q is not None:  # else staff who see every unit
        worker_id = own_worker_id(user)
        q_self = Q(Exists(RosterEntry.objects.filter(mobilization=OuterRef("pk"), worker_id=worker_id,
                                                     is_active=True))) if worker_id else NONE
        q = _or(q, q_self)
    qs = Mobilization.objects.filter(is_deleted=False)
    return qs if q is None else qs.filter(q)


def mobilization_list(*, user, q: str = "", kind: str = "", org=None, year: int | None = None):
    qs = mobilization_base(user).select_related("org").annotate(
        roster_count=Count("roster", filter=Q(roster__is_active=True), distinct=True),
        record_count=Count("records", filter=Q(records__is_deleted=False), distinct=True))
    if q.strip():
        qs = qs.filter(Q(name__contains=q.strip()) | Q(area__contains=q.strip()))
    if kind:
        qs = qs.filter(kind=kind)
    if org is not None:
        qs = qs.filter(org.subtree_q())
    if year:
        qs = qs.filter(start_date__lte=date(year, 12, 31)).filter(Q(end_date__isnull=True)
                                                                   | Q(end_date__gte=date(year, 1, 1)))
    return qs.order_by("-start_date", "-id")


def mobilization_get(*, user, pk) -> Mobilization:
    return get_in_scope(mobilization_base(user).select_related("org"), pk, "行动不存在或不在您的数据范围内")


def roster_of(m: Mobilization):
    return m.roster.filter(is_active=True).select_related("worker", "post").order_by("duty_from", "id")


# --- certificates --------------------------------------------------------------------------------


def certificate_base(user) -> QuerySet[ServiceCertificate]:
    q = _staff_q(user, "org")
    if q is not None:  # else staff who see every unit
        worker_id = own_worker_id(user)
        q = _or(q, Q(worker_id=worker_id) if worker_id else NONE)
    return ServiceCertificate.objects.all() if q is None else ServiceCertificate.objects.filter(q)


def certificate_list(*, user, q: str = "", org=None):
    qs = certificate_base(user).select_related("worker", "org")
    if q.strip():
        qs = qs.filter(Q(number__iexact=q.strip()) | Q(worker__name__contains=q.strip())
                       | Q(worker__worker_no__iexact=q.strip()))
    if org is not None:
        qs = qs.filter(org.subtree_q())
    return qs.order_by("-issued_on", "-id")


def certificate_get(*, user, pk) -> ServiceCertificate:
    return get_in_scope(certificate_base(user).select_related("worker", "org", "issued_by"), pk,
                        "证明不存在或不在您的数据范围内")


def worker_choices(*, user):
    q = scope_q(user, org_field="org")
    qs = Worker.objects.filter(is_deleted=False).exclude(employment_status="deceased")
    return qs if q is None else qs.filter(q)


# --- figures for pages ---------------------------------------------------------------------------


def monthly_person_times(*, user, year: int, org=None) -> dict:
    """{team_type: [12 monthly person-times]} of the records the user may see."""
    qs = record_base(user).filter(date__gte=date(year, 1, 1), date__lt=date(year + 1, 1, 1))
    if org is not None:
        qs = qs.filter(org.subtree_q())
    series = {t: [0] * 12 for t in TeamType.values}
    for row in qs.values("team_type", "date__month").annotate(n=Sum("person_times")).order_by():
        series[row["team_type"]][row["date__month"] - 1] = row["n"] or 0
    return series


def hours_sum(qs) -> Decimal:
    total = qs.aggregate(s=Sum("hours"))["s"] or Decimal("0")
    return total.quantize(Decimal("0.01"))
