"""/api/v1 service teams, records, requests (transitions as actions) and mobilizations; scoped by the token's user."""

from datetime import date, datetime

from django.db.models import Q, Sum
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from laomo.api.common import PageNo, ReasonIn, Year, one_in_scope, org_of, org_or_none, paged, requires, with_org
from laomo.core.permissions import has_capability
from laomo.workers.models import Worker
from laomo.workers.selectors import worker_base

from . import selectors, services
from .models import ServiceRecord, ServiceRequest, ServiceTeam, TeamMember

router = Router(tags=["志愿服务"])


# --- teams ---------------------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    name: str
    team_type: str
    parent_id: int | None
    org: str
    org_name: str
    base: str
    leader: str | None
    founded_on: date
    dissolved_on: date | None
    is_active: bool


class TeamPage(Schema):
    items: list[TeamOut]
    next: str | None


class TeamIn(Schema):
    name: str
    team_type: str
    org: str
    founded_on: date
    parent_id: int | None = None
    base: str = ""
    description: str = ""


def _team(t: ServiceTeam) -> dict:
    return {"id": t.pk, "name": t.name, "team_type": t.team_type, "parent_id": t.parent_id, "org": t.org.code,
            "org_name": t.org.name, "base": t.base, "leader": t.leader.username if t.leader_id else None,
            "founded_on": t.founded_on, "dissolved_on": t.dissolved_on, "is_active": t.is_active}


@router.get("/service-teams", response=TeamPage, summary="志愿服务队列表")
@requires("view_business", "lead_team")
def team_list(request, q: str = "", team_type: str = "", org: str = "", active: str = "1", page: PageNo = 1):
    filters = selectors.TeamFilters(q=q, team_type=team_type, org=org_or_none(request, org), active=active)
    rows, nxt = paged(request, selectors.team_list(user=request.user, filters=filters), page)
    return {"items": [_team(t) for t in rows], "next": nxt}


@router.get("/service-teams/{team_id}", response=TeamOut, summary="服务队详情")
@requires("view_business", "lead_team")
def team_detail(request, team_id: int):
    return _team(selectors.team_get(user=request.user, pk=team_id))


@router.post("/service-teams", response={201: TeamOut}, summary="建立服务队")
@requires("edit_business")
def team_create(request, payload: TeamIn):
    data = with_org(request, payload)
    parent_id = data.pop("parent_id")
    data["parent"] = (one_in_scope(selectors.team_base(request.user), parent_id, "上级服务队")
                      if parent_id else None)
    team = services.team_create(actor=request.user, **data)
    return Status(201, _team(selectors.team_get(user=request.user, pk=team.pk)))


class TeamMemberOut(Schema):
    id: int
    team_id: int
    worker_id: int | None
    worker_no: str | None
    name: str
    phone: str
    duty: str
    joined_on: date
    left_on: date | None
    is_active: bool


class TeamMemberIn(Schema):
    worker_id: int | None = None
    name: str = ""
    phone: str = ""
    duty: str = ""
    joined_on: date | None = None


class TeamMemberLeaveIn(Schema):
    left_on: date | None = None
    reason: str = ""


def _member(m: TeamMember) -> dict:
    return {"id": m.pk, "team_id": m.team_id, "worker_id": m.worker_id,
            "worker_no": m.worker.worker_no if m.worker_id else None, "name": m.name, "phone": m.phone_masked,
            "duty": m.duty, "joined_on": m.joined_on, "left_on": m.left_on, "is_active": m.is_active}


def _member_workers(request, team: ServiceTeam):
    """The workers the team page offers: staff pick in their scope, a leader among the team unit's workers."""
    if has_capability(request.user, "view_business"):
        return selectors.worker_choices(user=request.user)
    return selectors.workers_of_team_unit(team=team)


@router.get("/service-teams/{team_id}/members", response=list[TeamMemberOut], summary="服务队队员")
@requires("view_business", "lead_team")
def member_list(request, team_id: int, with_left: bool = False):
    """Members in the team now; `with_left=true` with those who left too. Phones masked."""
    team = selectors.team_get(user=request.user, pk=team_id)
    return [_member(m) for m in selectors.team_members(team=team, active_only=not with_left)]


@router.post("/service-teams/{team_id}/members", response={201: TeamMemberOut}, summary="添加队员")
@requires("edit_business", "lead_team")
def member_add(request, team_id: int, payload: TeamMemberIn):
    """A registry worker (`worker_id`), or another volunteer by `name` and `phone`; `joined_on` defaults to
    today and cannot be later."""
    team = selectors.team_get(user=request.user, pk=team_id)
    data = payload.dict()
    worker_id = data.pop("worker_id")
    worker = one_in_scope(_member_workers(request, team), worker_id, "劳模") if worker_id else None
    member = services.member_add(actor=request.user, team=team, worker=worker, **data)
    return Status(201, _member(member))


@router.post("/service-teams/{team_id}/members/{member_id}/leave", response=TeamMemberOut, summary="队员退出")
@requires("edit_business", "lead_team")
def member_leave(request, team_id: int, member_id: int, payload: TeamMemberLeaveIn):
    """The member stays on the team's records with the date they left (default today)."""
    team = selectors.team_get(user=request.user, pk=team_id)
    member = one_in_scope(selectors.team_members(team=team), member_id, "本队队员")
    member = services.member_remove(actor=request.user, member=member, left_on=payload.left_on,
                                    reason=payload.reason)
    return _member(member)


# --- records -------------------------------------------------------------------------------------


class VolunteerOut(Schema):
    name: str
    worker_no: str | None
    hours: str


class RecordOut(Schema):
    id: int
    date: date
    org: str
    team_id: int | None
    mobilization_id: int | None
    team_type: str
    place_kind: str
    place: str
    content: str
    person_times: int
    volunteers: list[VolunteerOut]
    request_code: str | None = None


class RecordPage(Schema):
    items: list[RecordOut]
    next: str | None


class VolunteerIn(Schema):
    worker_id: int | None = None
    member_id: int | None = None
    hours: str


class RecordIn(Schema):
    team_id: int | None = None
    mobilization_id: int | None = None
    date: date
    place_kind: str
    place: str
    content: str
    person_times: int
    volunteers: list[VolunteerIn]


def _record(r: ServiceRecord, volunteers) -> dict:
    return {"id": r.pk, "date": r.date, "org": r.org.code, "team_id": r.team_id, "mobilization_id": r.mobilization_id,
            "team_type": r.team_type, "place_kind": r.place_kind, "place": r.place, "content": r.content,
            "person_times": r.person_times,
            "volunteers": [{"name": v.name, "worker_no": v.worker.worker_no if v.worker_id else None,
                            "hours": str(v.hours)} for v in volunteers]}


def _volunteer_items(request, payload_volunteers, *, team=None, mobilization=None, req=None) -> list[dict]:
    """Volunteers by worker id or team-member id, resolved as the record form resolves them: workers in the
    caller's scope, members of the (scoped) team and its parent team, the (scoped) mobilization's roster and
    the worker the request was dispatched to. Any other id is refused like a missing one, without a name."""
    team_ids = [t for t in ([team.pk, team.parent_id] if team is not None else []) if t]
    nearby = Q(pk__in=worker_base(request.user).values("pk"))
    if team_ids:
        nearby |= Q(pk__in=TeamMember.objects.filter(team_id__in=team_ids, is_active=True, worker__isnull=False)
                    .values("worker_id"))
    if mobilization is not None:
        nearby |= Q(pk__in=selectors.roster_of(mobilization).values("worker_id"))
    if req is not None and req.worker_id:
        nearby |= Q(pk=req.worker_id)
    allowed = Worker.objects.filter(is_deleted=False).filter(nearby)
    members = TeamMember.objects.filter(is_active=True, team_id__in=team_ids)
    items = []
    for v in payload_volunteers:
        if v.worker_id:
            items.append({"worker": one_in_scope(allowed, v.worker_id, "劳模"), "hours": v.hours})
        elif v.member_id:
            items.append({"member": one_in_scope(members, v.member_id, "该服务队的队员"), "hours": v.hours})
    return items


RECORD_LIST_FIELDS = ("id", "date", "org__code", "team_id", "mobilization_id", "team_type", "place_kind", "place",
                      "content", "person_times")


@router.get("/service-records", response=RecordPage, summary="服务记录列表")
@requires("view_business", "lead_team", "self_service")
def record_list(request, q: str = "", team_type: str = "", team_id: int | None = None, org: str = "",
                date_from: date | None = None, date_to: date | None = None, year: Year | None = None, page: PageNo = 1):
    team = selectors.team_get(user=request.user, pk=team_id) if team_id else None
    filters = selectors.RecordFilters(q=q, team_type=team_type, team=team, org=org_or_none(request, org),
                                      date_from=date_from, date_to=date_to, year=year)
    qs = selectors.record_list(user=request.user, filters=filters).values(*RECORD_LIST_FIELDS)
    rows, nxt = paged(request, qs, page)  # values: no model instances, no figures the answer does not carry
    vols = selectors.volunteer_values_for([r["id"] for r in rows])
    items = [{"id": r["id"], "date": r["date"], "org": r["org__code"], "team_id": r["team_id"],
              "mobilization_id": r["mobilization_id"], "team_type": r["team_type"], "place_kind": r["place_kind"],
              "place": r["place"], "content": r["content"], "person_times": r["person_times"],
              "volunteers": vols[r["id"]]} for r in rows]
    return {"items": items, "next": nxt}


@router.get("/service-records/{record_id}", response=RecordOut, summary="服务记录详情")
@requires("view_business", "lead_team", "self_service")
def record_detail(request, record_id: int):
    r = selectors.record_get(user=request.user, pk=record_id)
    data = _record(r, r.volunteers.all())
    req = ServiceRequest.objects.filter(record=r).only("tracking_code").first()
    data["request_code"] = req.tracking_code if req else None
    return data


@router.post("/service-records", response={201: RecordOut}, summary="登记服务记录")
@requires("edit_business", "lead_team")
def record_create(request, payload: RecordIn):
    team = one_in_scope(selectors.team_base(request.user), payload.team_id, "服务队") if payload.team_id else None
    mobilization = (one_in_scope(selectors.mobilization_base(request.user), payload.mobilization_id, "行动")
                    if payload.mobilization_id else None)
    record = services.record_create(actor=request.user, team=team, mobilization=mobilization, date=payload.date,
                                    place_kind=payload.place_kind, place=payload.place, content=payload.content,
                                    person_times=payload.person_times,
                                    volunteers=_volunteer_items(request, payload.volunteers, team=team,
                                                                mobilization=mobilization))
    r = selectors.record_get(user=request.user, pk=record.pk)
    return Status(201, _record(r, r.volunteers.all()))


# --- requests ------------------------------------------------------------------------------------


class RequestOut(Schema):
    id: int
    tracking_code: str
    org: str
    channel: str
    category: str
    description: str
    town: str
    village: str
    contact_name: str
    contact_phone: str
    preferred_date: date | None
    status: str
    team_id: int | None
    worker_id: int | None
    promised_date: date | None
    received_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    completed_at: datetime | None
    rating: int | None
    rating_comment: str
    record_id: int | None
    overdue: bool


class RequestPage(Schema):
    items: list[RequestOut]
    next: str | None


class RequestIn(Schema):
    org: str
    category: str
    description: str
    town: str
    village: str = ""
    contact_name: str
    contact_phone: str
    preferred_date: date | None = None
    preferred_time: str = ""
    channel: str = "phone"


class DispatchIn(Schema):
    team_id: int | None = None
    worker_id: int | None = None
    promised_date: date | None = None
    note: str = ""
    redispatch: bool = False


class AcceptIn(Schema):
    scheduled_at: datetime | None = None


class CompleteIn(Schema):
    date: date
    place_kind: str
    place: str
    content: str
    person_times: int
    volunteers: list[VolunteerIn]


class RateIn(Schema):
    rating: int
    comment: str = ""


def _request(r: ServiceRequest, overdue: set) -> dict:
    return {"id": r.pk, "tracking_code": r.tracking_code, "org": r.org.code, "channel": r.channel,
            "category": r.category, "description": r.description, "town": r.town, "village": r.village,
            "contact_name": r.contact_name_masked, "contact_phone": r.contact_phone_masked,
            "preferred_date": r.preferred_date, "status": r.status, "team_id": r.team_id, "worker_id": r.worker_id,
            "promised_date": r.promised_date, "received_at": r.received_at, "dispatched_at": r.dispatched_at,
            "accepted_at": r.accepted_at, "completed_at": r.completed_at, "rating": r.rating,
            "rating_comment": r.rating_comment, "record_id": r.record_id, "overdue": r.pk in overdue}


def _overdue_ids(request, rows) -> set:
    return set(selectors.request_base(request.user).filter(selectors.overdue_q(), pk__in=[r.pk for r in rows])
               .values_list("pk", flat=True))


def _one(request, pk: int) -> dict:
    r = selectors.request_get(user=request.user, pk=pk)
    return _request(r, _overdue_ids(request, [r]))


def _step(request, request_id: int, step, **kwargs) -> dict:
    """One step of the state machine on a request in the caller's scope; the request as it is after it."""
    step(actor=request.user, request=selectors.request_get(user=request.user, pk=request_id), **kwargs)
    return _one(request, request_id)


class HistoricalServiceIn(Schema):
    date: date
    place_kind: str
    place: str
    content: str
    person_times: int
    volunteers: list[VolunteerIn]


class HistoricalRequestIn(Schema):
    org: str
    category: str
    description: str
    town: str
    village: str = ""
    contact_name: str
    contact_phone: str
    channel: str = "phone"
    preferred_date: date | None = None
    preferred_time: str = ""
    received_at: datetime
    dispatched_at: datetime | None = None
    team_id: int | None = None
    worker_id: int | None = None
    promised_date: date | None = None
    accepted_at: datetime | None = None
    completed_at: datetime | None = None
    service: HistoricalServiceIn | None = None
    rated_at: datetime | None = None
    rating: int | None = None
    rating_comment: str = ""


@router.post("/service-requests/historical", response={201: RequestOut}, summary="补录历史点单(工作人员,含历史时间)")
@requires("edit_business")
def request_record_historical(request, payload: HistoricalRequestIn):
    """A request handled before it was entered here (a paper ledger, another system), with the times it really
    had: `received_at`, then optionally `dispatched_at` (with `team_id` and/or `worker_id`), `accepted_at`,
    `completed_at` (with `service`: the service record) and `rated_at` (with `rating`). Times without an offset
    are Beijing time; each must follow the one before and none may be in the future. The status follows from
    the last time given. Nobody is notified; the request's timeline and the audit log say it was recorded by
    staff (`volunteering.request.record_historical`)."""
    data = payload.dict(exclude={"team_id", "worker_id", "service"})
    data["org"] = org_of(request, data["org"])
    team = one_in_scope(selectors.team_base(request.user), payload.team_id, "服务队") if payload.team_id else None
    worker = one_in_scope(worker_base(request.user), payload.worker_id, "劳模") if payload.worker_id else None
    service = None
    if payload.service is not None:
        service = payload.service.dict(exclude={"volunteers"})
        service["volunteers"] = _volunteer_items(request, payload.service.volunteers, team=team)
    req = services.request_record_historical(actor=request.user, team=team, worker=worker, service=service, **data)
    return Status(201, _one(request, req.pk))


@router.get("/service-requests", response=RequestPage, summary="群众点单列表")
@requires("view_business", "lead_team", "self_service")
def request_list(request, q: str = "", status: str = "", category: str = "", org: str = "", overdue: bool = False,
                 page: PageNo = 1):
    """Contact name and phone are always masked here (use the page's audited reveal for the full values)."""
    filters = selectors.RequestFilters(q=q, status=status, category=category, overdue=overdue,
                                       org=org_or_none(request, org))
    rows, nxt = paged(request, selectors.request_list(user=request.user, filters=filters), page)
    overdue_ids = _overdue_ids(request, rows)
    return {"items": [_request(r, overdue_ids) for r in rows], "next": nxt}


@router.get("/service-requests/{request_id}", response=RequestOut, summary="点单详情")
@requires("view_business", "lead_team", "self_service")
def request_detail(request, request_id: int):
    return _one(request, request_id)


@router.post("/service-requests", response={201: RequestOut}, summary="登记点单(电话/现场)")
@requires("edit_business")
def request_create(request, payload: RequestIn):
    data = with_org(request, payload)
    if data["channel"] not in ("phone", "visit"):
        raise HttpError(422, "工作人员登记的点单来源须为 phone 或 visit。")
    req = services.request_submit(actor=request.user, **data)
    return Status(201, _one(request, req.pk))


@router.post("/service-requests/{request_id}/dispatch", response=RequestOut, summary="派单(redispatch=true 为改派)")
@requires("edit_business")
def request_dispatch(request, request_id: int, payload: DispatchIn):
    req = selectors.request_get(user=request.user, pk=request_id)
    team = (one_in_scope(selectors.team_choices(user=request.user), payload.team_id, "可派单的服务队")
            if payload.team_id else None)
    worker = (one_in_scope(selectors.worker_choices(user=request.user), payload.worker_id, "劳模")
              if payload.worker_id else None)
    services.request_dispatch(actor=request.user, request=req, team=team, worker=worker,
                              promised_date=payload.promised_date, note=payload.note, redispatch=payload.redispatch)
    return _one(request, request_id)


@router.post("/service-requests/{request_id}/refuse", response=RequestOut, summary="不予受理(须填原因)")
@requires("edit_business")
def request_refuse(request, request_id: int, payload: ReasonIn):
    return _step(request, request_id, services.request_refuse, reason=payload.reason)


@router.post("/service-requests/{request_id}/cancel", response=RequestOut, summary="取消点单")
@requires("edit_business")
def request_cancel(request, request_id: int, payload: ReasonIn):
    return _step(request, request_id, services.request_cancel, reason=payload.reason)


@router.post("/service-requests/{request_id}/accept", response=RequestOut, summary="接单")
@requires("edit_business", "lead_team", "self_service")
def request_accept(request, request_id: int, payload: AcceptIn):
    return _step(request, request_id, services.request_accept, scheduled_at=payload.scheduled_at)


@router.post("/service-requests/{request_id}/decline", response=RequestOut, summary="退单(须填原因)")
@requires("edit_business", "lead_team", "self_service")
def request_decline(request, request_id: int, payload: ReasonIn):
    req = selectors.request_get(user=request.user, pk=request_id)
    services.request_decline(actor=request.user, request=req, reason=payload.reason)
    return _one(request, request_id) if selectors.request_base(request.user).filter(pk=request_id).exists() else \
        _request(ServiceRequest.objects.select_related("org").get(pk=request_id), set())


@router.post("/service-requests/{request_id}/complete", response=RequestOut, summary="完成服务(登记服务记录)")
@requires("edit_business", "lead_team", "self_service")
def request_complete(request, request_id: int, payload: CompleteIn):
    req = selectors.request_get(user=request.user, pk=request_id)
    data = payload.dict()
    data.pop("volunteers")
    services.request_complete(actor=request.user, request=req,
                              volunteers=_volunteer_items(request, payload.volunteers, team=req.team, req=req),
                              **data)
    return _one(request, request_id)


@router.post("/service-requests/{request_id}/rate", response=RequestOut, summary="评单(代群众登记评价)")
@requires("edit_business")
def request_rate(request, request_id: int, payload: RateIn):
    return _step(request, request_id, services.request_rate, rating=payload.rating, comment=payload.comment)


# --- mobilizations -------------------------------------------------------------------------------


class RosterOut(Schema):
    worker_no: str
    name: str
    post: str | None
    duty_from: date
    duty_to: date
    role: str


class MobilizationOut(Schema):
    id: int
    name: str
    kind: str
    org: str
    team_type: str
    start_date: date
    end_date: date | None
    area: str
    description: str
    posts: list[str]
    roster: list[RosterOut]
    person_times: int


class MobilizationPage(Schema):
    items: list[MobilizationOut]
    next: str | None


class MobilizationIn(Schema):
    name: str
    kind: str
    org: str
    team_type: str
    start_date: date
    end_date: date | None = None
    area: str
    description: str = ""
    posts: list[str] = []


def _mobilization(m, *, full: bool = True) -> dict:
    roster = [{"worker_no": e.worker.worker_no, "name": e.worker.name, "post": e.post.name if e.post_id else None,
               "duty_from": e.duty_from, "duty_to": e.duty_to, "role": e.role}
              for e in selectors.roster_of(m)] if full else []
    return {"id": m.pk, "name": m.name, "kind": m.kind, "org": m.org.code, "team_type": m.team_type,
            "start_date": m.start_date, "end_date": m.end_date, "area": m.area, "description": m.description,
            "posts": [p.name for p in m.posts.all()], "roster": roster,
            "person_times": m.records.filter(is_deleted=False).aggregate(s=Sum("person_times"))["s"] or 0}


@router.get("/mobilizations", response=MobilizationPage, summary="应急/专项行动列表")
@requires("view_business", "self_service")
def mobilization_list(request, q: str = "", kind: str = "", org: str = "", year: Year | None = None, page: PageNo = 1):
    """Items carry the posts and person-times; the roster is in the detail."""
    qs = selectors.mobilization_list(user=request.user, q=q, kind=kind, org=org_or_none(request, org),
                                     year=year).prefetch_related("posts")
    rows, nxt = paged(request, qs, page)
    return {"items": [_mobilization(m, full=False) for m in rows], "next": nxt}


@router.get("/mobilizations/{mobilization_id}", response=MobilizationOut, summary="行动详情(含值守名单)")
@requires("view_business", "self_service")
def mobilization_detail(request, mobilization_id: int):
    return _mobilization(selectors.mobilization_get(user=request.user, pk=mobilization_id))


@router.post("/mobilizations", response={201: MobilizationOut}, summary="建立应急/专项行动")
@requires("edit_business")
def mobilization_create(request, payload: MobilizationIn):
    data = with_org(request, payload)
    m = services.mobilization_create(actor=request.user, **data)
    return Status(201, _mobilization(selectors.mobilization_get(user=request.user, pk=m.pk)))
