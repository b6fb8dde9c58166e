"""/api/v1/retreat-*: batches, applications (+ confirm, withdraw, attend), surveys and their links, vendors
(旅行社/疗休养基地); scoped like the pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from laomo.api.common import PageNo, Year, one_in_scope, org_of, org_or_none, paged, requires, with_org
from laomo.core.actors import PUBLIC
from laomo.core.money import money_str
from laomo.core.permissions import has_capability
from laomo.workers.selectors import worker_base, worker_for_user

from . import rules, selectors, services
from .models import RATING_FIELDS, ApplicationStatus, SurveyResponse

router = Router(tags=["疗休养"])


# --- schemas ---------------------------------------------------------------------------------------


class ItineraryDayOut(Schema):
    day_no: int
    title: str
    activities: str = ""
    accommodation: str = ""
    meals: str = ""


class ItineraryDayIn(Schema):
    title: str
    activities: str = ""
    accommodation: str = ""
    meals: str = ""


class QuotaOut(Schema):
    org: str
    org_name: str
    quota: int
    used: int


class EligibilityRules(Schema):
    min_level_rank: int
    employment_statuses: list[str]
    not_attended_years: int
    max_age: int | None
    health_declaration_required: bool


class BatchItem(Schema):
    id: int
    name: str
    org: str
    org_name: str
    destination: str
    start_date: date
    end_date: date
    registration_deadline: date | None
    vendor_id: int | None
    vendor_name: str
    capacity: int
    seats_taken: int
    pending: int
    waitlisted: int
    attended: int
    cost_per_person: str
    budget: str
    leader_name: str
    status: str
    status_label: str


class BatchDetail(BatchItem):
    note: str
    cancel_reason: str
    eligibility: EligibilityRules
    itinerary: list[ItineraryDayOut]
    quotas: list[QuotaOut]


class BatchPage(Schema):
    items: list[BatchItem]
    next: str | None


class BatchIn(Schema):
    org: str
    name: str
    destination: str
    start_date: date
    end_date: date
    registration_deadline: date | None = None
    vendor_id: int | None = None
    capacity: int
    cost_per_person: Decimal
    budget: Decimal
    leader_name: str = ""
    leader_phone: str = ""
    note: str = ""
    min_level_rank: int = 2
    employment_statuses: list[str] = ["active", "retired"]
    not_attended_years: int = 0
    max_age: int | None = None
    health_declaration_required: bool = True
    itinerary: list[ItineraryDayIn] = []
    quotas: dict[str, int] = {}


class BatchStatusIn(Schema):
    status: str
    reason: str = ""


class CheckOut(Schema):
    code: str
    ok: bool | None
    text: str


class PriorityReason(Schema):
    code: str
    points: int
    text: str


class EligibilityOut(Schema):
    worker_id: int
    eligible: bool
    reasons: list[str]
    checks: list[CheckOut]
    priority_score: int
    priority: list[PriorityReason]


class ApplicationOut(Schema):
    id: int
    batch_id: int
    batch_name: str
    worker_id: int
    worker_name: str
    org: str
    channel: str
    status: str
    status_label: str
    front_line: bool
    health_declared: bool
    priority_score: int
    priority: list[PriorityReason]
    waitlist_position: int | None = None
    reason: str
    created_at: datetime
    promoted_id: int | None = None
    benefit: str | None = None


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    next: str | None


class ApplicationIn(Schema):
    batch_id: int
    worker_id: int | None = None  # omitted: the caller's own worker record (self-service)
    front_line: bool = False
    health_declared: bool = False
    health_note: str = ""
    dietary_note: str = ""


class RetreatReasonIn(Schema):
    reason: str = ""


class AttendIn(Schema):
    attended: bool = True


class RetreatSurveyIn(Schema):
    application_id: int | None = None
    token: str | None = None
    itinerary: int
    accommodation: int
    food: int
    guide: int
    overall: int
    comment: str = ""


class RetreatSurveyOut(Schema):
    id: int
    batch_id: int
    application_id: int
    itinerary: int
    accommodation: int
    food: int
    guide: int
    overall: int
    comment: str
    created_at: datetime


class RetreatSurveyPage(Schema):
    items: list[RetreatSurveyOut]
    next: str | None


class SurveyLinkOut(Schema):
    application_id: int
    worker_id: int
    worker_name: str
    org: str
    link: str
    answered: bool


class SurveyReportOut(Schema):
    batch_id: int
    attended: int
    responses: int
    response_rate: str | None
    averages: dict[str, str | None]
    distribution: list[int]


# --- serializers -----------------------------------------------------------------------------------


def _batch_item(b) -> dict:
    return {
        "id": b.pk, "name": b.name, "org": b.org.code, "org_name": b.org.name, "destination": b.destination,
        "start_date": b.start_date, "end_date": b.end_date, "registration_deadline": b.registration_deadline,
        "vendor_id": b.vendor_id, "vendor_name": b.vendor.name if b.vendor else "", "capacity": b.capacity,
        "seats_taken": getattr(b, "seats", 0), "pending": getattr(b, "pending", 0),
        "waitlisted": getattr(b, "waitlisted", 0), "attended": getattr(b, "attended", 0),
        "cost_per_person": money_str(b.cost_per_person), "budget": money_str(b.budget), "leader_name": b.leader_name,
        "status": b.status, "status_label": b.get_status_display(),
    }


def _batch_detail(request, b) -> dict:
    data = _batch_item(b)
    data.update({
        "note": b.note, "cancel_reason": b.cancel_reason,
        "eligibility": {"min_level_rank": b.min_level_rank, "employment_statuses": b.employment_statuses,
                        "not_attended_years": b.not_attended_years, "max_age": b.max_age,
                        "health_declaration_required": b.health_declaration_required},
        "itinerary": selectors.itinerary_of(b),
        "quotas": [{"org": q["org"].code, "org_name": q["org"].name, "quota": q["quota"], "used": q["used"]}
                   for q in selectors.quotas_with_usage(user=request.user, batch=b)],
    })
    return data


def _app_out(request, a, positions=None, **extra) -> dict:
    may_reveal = has_capability(request.user, "reveal_pii") or a.worker.user_id == request.user.pk
    return {
        "id": a.pk, "batch_id": a.batch_id, "batch_name": a.batch.name, "worker_id": a.worker_id,
        "worker_name": a.worker.name, "org": a.org.code, "channel": a.channel, "status": a.status,
        "status_label": a.get_status_display(), "front_line": a.front_line, "health_declared": a.health_declared,
        "priority_score": a.priority_score, "priority": rules.shown_reasons(a.priority_reasons, may_reveal=may_reveal),
        "waitlist_position": (positions or {}).get(a.pk), "reason": a.reason, "created_at": a.created_at, **extra,
    }


def _batch(request, batch_id: int):
    return selectors.batch_get(user=request.user, pk=batch_id)


def _application(request, application_id: int):
    return selectors.application_get(user=request.user, pk=application_id)


def _worker(request, worker_id: int | None, missing: str):
    """The worker `worker_id` in the caller's scope (404 otherwise), or the caller's own record (422 `missing`)."""
    if worker_id is None:
        worker = worker_for_user(request.user)
        if worker is None:
            raise HttpError(422, missing)
        return worker
    worker = worker_base(request.user).select_related("org").filter(pk=worker_id).first()
    if worker is None:
        raise Http404
    return worker


# --- batches ---------------------------------------------------------------------------------------


@router.get("/retreat-batches", response=BatchPage, summary="疗休养批次列表")
@requires("view_business", "self_service")
def batch_list(request, q: str = "", year: Year | None = None, status: str = "", vendor: int | None = None,
               org: str = "", page: PageNo = 1):
    filters = selectors.BatchFilters(q=q, year=year, status=status, vendor=vendor,
                                     org=org_or_none(request, org))
    rows, nxt = paged(request, selectors.batch_list(user=request.user, filters=filters), page)
    return {"items": [_batch_item(b) for b in rows], "next": nxt}


@router.get("/retreat-batches/{batch_id}", response=BatchDetail, summary="批次详情(行程、条件、名额)")
@requires("view_business", "self_service")
def batch_detail(request, batch_id: int):
    return _batch_detail(request, _batch(request, batch_id))


@router.post("/retreat-batches", response={201: BatchDetail}, summary="创建批次")
@requires("edit_business")
def batch_create(request, payload: BatchIn):
    data = with_org(request, payload)
    org = data.pop("org")
    vendor_id = data.pop("vendor_id")
    if vendor_id is not None:
        data["vendor"] = one_in_scope(selectors.vendor_base(request.user), vendor_id, "旅行社/基地")
    itinerary = data.pop("itinerary")
    quota_codes = data.pop("quotas")
    quotas = {}
    for code, n in quota_codes.items():
        quotas[org_of(request, code)] = n
    batch = services.batch_create(actor=request.user, org=org, itinerary=itinerary, quotas=quotas, **data)
    return Status(201, _batch_detail(request, _batch(request, batch.pk)))


@router.post("/retreat-batches/{batch_id}/status", response=BatchDetail, summary="变更批次状态")
@requires("edit_business")
def batch_set_status(request, batch_id: int, payload: BatchStatusIn):
    """计划 → 报名中 → 已确定 → 进行中 → 已完成;出发前可取消(须填原因)。"""
    batch = _batch(request, batch_id)
    services.batch_set_status(actor=request.user, batch=batch, status=payload.status, reason=payload.reason)
    return _batch_detail(request, _batch(request, batch_id))


@router.post("/retreat-batches/{batch_id}/confirm-all", response=dict, summary="按优先顺序确定全部待审核报名")
@requires("edit_business")
def batch_confirm_all(request, batch_id: int):
    return services.batch_confirm_by_priority(actor=request.user, batch=_batch(request, batch_id))


@router.get("/retreat-batches/{batch_id}/eligibility", response=EligibilityOut, summary="核对报名条件与优先分")
@requires("view_business", "self_service")
def batch_eligibility(request, batch_id: int, worker_id: int | None = None, front_line: bool = False):
    """Every condition with its outcome, and why someone is not eligible."""
    batch = _batch(request, batch_id)
    worker = _worker(request, worker_id, "请指定 worker_id。")
    v = rules.evaluate_one(batch, worker, front_line=front_line)
    return {"worker_id": worker.pk, "eligible": v.ok, "reasons": v.reasons,
            "checks": [c.__dict__ for c in v.checks], "priority_score": v.score, "priority": v.priority}


@router.get("/retreat-batches/{batch_id}/survey-report", response=SurveyReportOut, summary="批次满意度统计")
@requires("view_business")
def batch_survey_report(request, batch_id: int):
    batch = _batch(request, batch_id)
    r = selectors.survey_report(user=request.user, batch=batch)
    return {"batch_id": batch.pk, "attended": r["attended"], "responses": r["responses"],
            "response_rate": str(r["response_rate"]) if r["response_rate"] is not None else None,
            "averages": {k: (str(v) if v is not None else None) for k, v in r["averages"].items()},
            "distribution": r["distribution"]}


# --- applications ----------------------------------------------------------------------------------


@router.get("/retreat-applications", response=ApplicationPage, summary="报名列表")
@requires("view_business", "self_service")
def application_list(request, batch: int | None = None, status: str = "", org: str = "", q: str = "",
                     year: Year | None = None, page: PageNo = 1):
    filters = selectors.ApplicationFilters(q=q, batch=batch, status=status, year=year,
                                           org=org_or_none(request, org))
    rows, nxt = paged(request, selectors.application_list(user=request.user, filters=filters), page)
    positions = {}
    for b in {a.batch for a in rows if a.status == "waitlisted"}:
        positions.update(selectors.waitlist_positions(b))
    return {"items": [_app_out(request, a, positions) for a in rows], "next": nxt}


@router.get("/retreat-applications/{application_id}", response=ApplicationOut, summary="报名详情")
@requires("view_business", "self_service")
def application_detail(request, application_id: int):
    app = _application(request, application_id)
    return _app_out(request, app, selectors.waitlist_positions(app.batch))


@router.post("/retreat-applications", response={201: ApplicationOut}, summary="报名(本人)或推荐(工会)")
@requires("edit_business", "self_service")
def application_create(request, payload: ApplicationIn):
    batch = _batch(request, payload.batch_id)
    worker = _worker(request, payload.worker_id, "您的账号尚未关联劳模档案;推荐他人请指定 worker_id。")
    app = services.application_submit(actor=request.user, batch=batch, worker=worker,
                                      front_line=payload.front_line, health_declared=payload.health_declared,
                                      health_note=payload.health_note, dietary_note=payload.dietary_note)
    return Status(201, _app_out(request, _application(request, app.pk)))


@router.post("/retreat-applications/{application_id}/confirm", response=ApplicationOut,
             summary="确定(名额已满则进入候补)")
@requires("edit_business")
def application_confirm(request, application_id: int):
    app = services.application_confirm(actor=request.user, application=_application(request, application_id))
    app = _application(request, app.pk)
    return _app_out(request, app, selectors.waitlist_positions(app.batch))


@router.post("/retreat-applications/{application_id}/reject", response=ApplicationOut, summary="退回(须填原因)")
@requires("edit_business")
def application_reject(request, application_id: int, payload: RetreatReasonIn):
    app = services.application_reject(actor=request.user, application=_application(request, application_id),
                                      reason=payload.reason)
    return _app_out(request, _application(request, app.pk))


@router.post("/retreat-applications/{application_id}/withdraw", response=ApplicationOut,
             summary="退出(空出的名额由候补第一位递补)")
@requires("edit_business", "self_service")
def application_withdraw(request, application_id: int, payload: RetreatReasonIn):
    app, promoted = services.application_withdraw(actor=request.user,
                                                  application=_application(request, application_id),
                                                  reason=payload.reason)
    return _app_out(request, _application(request, app.pk), promoted_id=promoted.pk if promoted else None)


@router.post("/retreat-applications/{application_id}/attend", response=ApplicationOut,
             summary="登记出勤(参加即记录疗休养待遇)")
@requires("edit_business")
def application_attend(request, application_id: int, payload: AttendIn):
    app, benefit = services.application_record_attendance(
        actor=request.user, application=_application(request, application_id), attended=payload.attended)
    return _app_out(request, _application(request, app.pk), benefit=benefit.split(":")[0])


# --- surveys ---------------------------------------------------------------------------------------


@router.get("/retreat-surveys", response=RetreatSurveyPage, summary="满意度问卷答卷")
@requires("view_business")
def survey_list(request, batch: int | None = None, year: Year | None = None, page: PageNo = 1):
    """Answers of the applications in the caller's scope (no names: the survey is about the trip)."""
    apps = selectors.application_base(request.user)
    qs = SurveyResponse.objects.filter(application__in=apps).order_by("-created_at", "-id")
    if batch:
        qs = qs.filter(batch_id=batch)
    if year:
        qs = qs.filter(batch__start_date__year=selectors.ensure_year(year))
    rows, nxt = paged(request, qs, page)
    return {"items": rows, "next": nxt}


@router.post("/retreat-surveys", response={201: RetreatSurveyOut}, summary="提交满意度问卷")
@requires("self_service", "edit_business")
def survey_create(request, payload: RetreatSurveyIn):
    """By the participant: `application_id` of their own application, or the `token` of the survey link."""
    if payload.token:
        app = selectors.application_by_token(payload.token)
    elif payload.application_id:
        app = _application(request, payload.application_id)
    else:
        raise HttpError(422, "请提供 application_id 或 token。")
    if app.worker.user_id != request.user.pk and not payload.token:
        raise PermissionDenied("只能填写本人的问卷。")
    ratings = {f: getattr(payload, f) for f in RATING_FIELDS}
    response = services.survey_submit(application=app, actor=PUBLIC if payload.token else request.user,
                                      comment=payload.comment, **ratings)
    return Status(201, response)


@router.get("/retreat-batches/{batch_id}/survey-links", response=list[SurveyLinkOut],
            summary="批次满意度问卷链接(组织单位)")
@requires("edit_business")
def batch_survey_links(request, batch_id: int):
    """Each participant's personal survey link (the link the QR cards carry; made with the application), for the
    unit that runs the batch. Only those who attended may answer; every read of the links is audited."""
    batch = _batch(request, batch_id)
    if not selectors.is_organizer(request.user, batch):
        raise PermissionDenied("只有组织单位可以获取问卷链接。")
    apps = list(selectors.application_list(user=request.user, batch=batch)
                .filter(status=ApplicationStatus.ATTENDED).select_related("survey").order_by("org__path", "id"))
    services.survey_links_issue(actor=request.user, batch=batch, links=len(apps))
    return [{"application_id": a.pk, "worker_id": a.worker_id, "worker_name": a.worker.name, "org": a.org.code,
             "link": request.build_absolute_uri(reverse("retreats:survey", args=[a.survey_token])),
             "answered": hasattr(a, "survey")} for a in apps]


# --- vendors ---------------------------------------------------------------------------------------


class VendorOut(Schema):
    id: int
    name: str
    kind: str
    org: str
    org_name: str
    contact_person: str
    contact_phone: str
    address: str
    license_no: str
    contract_no: str
    contract_start: date | None
    contract_end: date | None
    inspected_on: date | None
    inspection_note: str
    is_active: bool
    note: str
    batch_count: int
    response_count: int
    rating: str | None


class VendorPage(Schema):
    items: list[VendorOut]
    next: str | None


class VendorIn(Schema):
    org: str
    name: str
    kind: str = "agency"
    contact_person: str = ""
    contact_phone: str = ""
    address: str = ""
    license_no: str = ""
    contract_no: str = ""
    contract_start: date | None = None
    contract_end: date | None = None
    inspected_on: date | None = None
    inspection_note: str = ""
    is_active: bool = True
    note: str = ""


class VendorPatch(Schema):
    name: str | None = None
    kind: str | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    address: str | None = None
    license_no: str | None = None
    contract_no: str | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    inspected_on: date | None = None
    inspection_note: str | None = None
    is_active: bool | None = None
    note: str | None = None


VENDOR_REQUIRED = {"name": "名称", "kind": "类型", "is_active": "合作中"}
VENDOR_DATES = {"contract_start", "contract_end", "inspected_on"}


def _vendor(v) -> dict:
    data = {f: getattr(v, f) for f in services.VENDOR_FIELDS}
    rating = selectors.average(getattr(v, "overall_total", 0), getattr(v, "response_count", 0))
    return {**data, "id": v.pk, "org": v.org.code, "org_name": v.org.name, "batch_count": getattr(v, "batch_count", 0),
            "response_count": getattr(v, "response_count", 0), "rating": str(rating) if rating is not None else None}


def _vendor_changes(payload: VendorPatch) -> dict:
    """The fields sent; null clears a date or a text, never the name, the kind or the cooperation flag."""
    changes = payload.dict(exclude_unset=True)
    for key, value in changes.items():
        if value is None and key in VENDOR_REQUIRED:
            raise HttpError(422, f"{VENDOR_REQUIRED[key]}({key})不能为空。")
        if value is None and key not in VENDOR_DATES:
            changes[key] = ""
    return changes


@router.get("/retreat-vendors", response=VendorPage, summary="旅行社/疗休养基地列表")
@requires("view_business")
def vendor_list(request, q: str = "", kind: str = "", active: str = "", page: PageNo = 1):
    """`kind`: agency(旅行社)或 base(疗休养基地);`active`: 1 合作中、0 已停止合作。Ratings are the participants'
    average overall score."""
    rows, nxt = paged(request, selectors.vendor_list(user=request.user, q=q, kind=kind, active=active), page)
    return {"items": [_vendor(v) for v in rows], "next": nxt}


@router.get("/retreat-vendors/{vendor_id}", response=VendorOut, summary="旅行社/疗休养基地详情")
@requires("view_business")
def vendor_detail(request, vendor_id: int):
    return _vendor(selectors.vendor_get(user=request.user, pk=vendor_id))


@router.post("/retreat-vendors", response={201: VendorOut}, summary="登记旅行社/疗休养基地")
@requires("edit_business")
def vendor_create(request, payload: VendorIn):
    data = payload.dict()
    org = org_of(request, data.pop("org"))
    vendor = services.vendor_create(actor=request.user, org=org, **data)
    return Status(201, _vendor(selectors.vendor_get(user=request.user, pk=vendor.pk)))


@router.patch("/retreat-vendors/{vendor_id}", response=VendorOut, summary="修改旅行社/疗休养基地(签约单位)")
@requires("edit_business")
def vendor_update(request, vendor_id: int, payload: VendorPatch):
    """The contracting unit (签约单位) cannot change; units above it may see the vendor but not edit it."""
    vendor = selectors.vendor_get(user=request.user, pk=vendor_id)
    services.vendor_update(actor=request.user, vendor=vendor, **_vendor_changes(payload))
    return _vendor(selectors.vendor_get(user=request.user, pk=vendor_id))
