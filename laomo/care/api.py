"""/api/v1 of 关爱劳模: campaigns (+ generate recipients), visits, hardship survey rounds (+ close) and surveys
(+ submit, approve, return), benefit grants. Scoped by the token's user through the same selectors as the pages;
money as decimal strings."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from laomo.api.common import PageNo, ReasonIn, Year, org_or_none, paged, requires, with_org
from laomo.core.money import money_str
from laomo.core.permissions import has_capability
from laomo.workers.selectors import worker_get

from . import selectors, services
from .models import LEVEL_BY_RANK, BenefitGrant, CareCampaign, CareVisit, HardshipSurvey, SurveyRound

router = Router(tags=["关爱劳模"])


def _worker(request, worker_id: int):
    return worker_get(user=request.user, pk=worker_id)


# --- campaigns --------------------------------------------------------------------------------------------


class CareCampaignOut(Schema):
    id: int
    name: str
    year: int
    visit_type: str
    org: str
    org_name: str
    start_date: date
    end_date: date
    budget: str
    fund_source: str
    min_level: str
    statuses: list[str]
    hardship_only: bool
    amounts: dict[str, str]
    hardship_extra: str
    status: str
    recipients: int
    planned: str
    paid: str
    remaining_budget: str
    visited: int


class CareCampaignPage(Schema):
    items: list[CareCampaignOut]
    next: str | None


class CareCampaignIn(Schema):
    name: str
    year: Year
    org: str
    start_date: date
    end_date: date
    budget: str
    visit_type: str = "spring_festival"
    fund_source: str = ""
    min_level: str = "municipal"
    statuses: list[str] = []
    hardship_only: bool = False
    amount_national: str = "0"
    amount_provincial: str = "0"
    amount_municipal: str = "0"
    amount_county: str = "0"
    hardship_extra: str = "0"
    note: str = ""


class GenerateOut(Schema):
    added: int
    updated: int
    excluded: int
    total: int


class RecipientOut(Schema):
    id: int
    worker_id: int
    worker_no: str
    name: str
    org: str
    level: str | None
    in_hardship: bool
    planned_amount: str
    status: str
    source: str
    reason: str
    paid_amount: str | None


class RecipientPage(Schema):
    items: list[RecipientOut]
    next: str | None


RANK_BY_LEVEL = {level.value: rank for rank, level in LEVEL_BY_RANK.items()}


def _campaign(c: CareCampaign, f: dict) -> dict:
    return {
        "id": c.pk, "name": c.name, "year": c.year, "visit_type": c.visit_type, "org": c.org.code,
        "org_name": c.org.name, "start_date": c.start_date, "end_date": c.end_date, "budget": money_str(c.budget),
        "fund_source": c.fund_source, "min_level": LEVEL_BY_RANK[c.min_level_rank].value, "statuses": c.statuses,
        "hardship_only": c.hardship_only, "hardship_extra": money_str(c.hardship_extra),
        "amounts": {"national": money_str(c.amount_national), "provincial": money_str(c.amount_provincial),
                    "municipal": money_str(c.amount_municipal), "county": money_str(c.amount_county)},
        "status": c.status, "recipients": f["recipients"], "planned": money_str(f["planned"]),
        "paid": money_str(f["paid"]), "remaining_budget": money_str(c.budget - c.paid_total), "visited": f["visited"],
    }


@router.get("/care-campaigns", response=CareCampaignPage, summary="慰问活动列表")
@requires("view_business")
def campaign_list(request, year: Year | None = None, visit_type: str = "", org: str = "", status: str = "",
                  q: str = "", page: PageNo = 1):
    """Planned, paid and counts are those of the caller's scope; the budget is the campaign's."""
    filters = selectors.CampaignFilters(q=q, year=year, visit_type=visit_type, status=status,
                                        org=org_or_none(request, org))
    rows, nxt = paged(request, selectors.campaign_list(user=request.user, filters=filters), page)
    figures = selectors.campaign_figures(user=request.user, campaign_ids=[c.pk for c in rows])
    return {"items": [_campaign(c, figures[c.pk]) for c in rows], "next": nxt}


@router.get("/care-campaigns/{campaign_id}", response=CareCampaignOut, summary="慰问活动详情")
@requires("view_business")
def campaign_detail(request, campaign_id: int):
    c = selectors.campaign_get(user=request.user, pk=campaign_id)
    return _campaign(c, selectors.campaign_figures(user=request.user, campaign_ids=[c.pk])[c.pk])


@router.post("/care-campaigns", response={201: CareCampaignOut}, summary="创建慰问活动")
@requires("edit_business")
def campaign_create(request, payload: CareCampaignIn):
    data = with_org(request, payload)
    org = data.pop("org")
    level = data.pop("min_level")
    if level not in RANK_BY_LEVEL:
        raise HttpError(422, "min_level 应为 national/provincial/municipal/county。")
    data["min_level_rank"] = RANK_BY_LEVEL[level]
    c = services.campaign_create(actor=request.user, org=org, **data)
    return Status(201, _campaign(c, selectors.campaign_figures(user=request.user, campaign_ids=[c.pk])[c.pk]))


@router.post("/care-campaigns/{campaign_id}/generate-recipients", response=GenerateOut, summary="按条件生成慰问名单")
@requires("edit_business")
def campaign_generate(request, campaign_id: int):
    c = selectors.campaign_get(user=request.user, pk=campaign_id)
    return services.recipients_generate(actor=request.user, campaign=c).as_dict()


@router.get("/care-campaigns/{campaign_id}/recipients", response=RecipientPage, summary="慰问名单")
@requires("edit_business")
def campaign_recipients(request, campaign_id: int, status: str = "included", paid: str = "", q: str = "",
                        page: PageNo = 1):
    c = selectors.campaign_get(user=request.user, pk=campaign_id)
    qs = selectors.recipient_list(user=request.user, campaign=c, filters=selectors.RecipientFilters(
        q=q, status="" if status == "all" else status, paid=paid))
    rows, nxt = paged(request, qs, page)
    return {"items": [{
        "id": r.pk, "worker_id": r.worker_id, "worker_no": r.worker.worker_no, "name": r.worker.name,
        "org": r.org.code, "level": LEVEL_BY_RANK[r.level_rank].value if r.level_rank in LEVEL_BY_RANK else None,
        "in_hardship": r.in_hardship, "planned_amount": money_str(r.planned_amount), "status": r.status,
        "source": r.source, "reason": r.reason,
        "paid_amount": money_str(r.paid_amount) if r.paid_amount is not None else None} for r in rows], "next": nxt}


# --- visits -----------------------------------------------------------------------------------------------


class VisitOut(Schema):
    id: int
    campaign_id: int | None
    worker_id: int
    worker_no: str
    name: str
    org: str
    visit_type: str
    visit_date: date
    method: str
    visitors: str
    amount: str
    goods: str
    payment_method: str
    bank_name: str
    bank_account: str
    receipt_signed: bool
    receipt_no: str
    note: str
    is_void: bool
    void_reason: str


class VisitPage(Schema):
    items: list[VisitOut]
    next: str | None


class VisitIn(Schema):
    worker_id: int
    visit_date: date
    method: str
    campaign_id: int | None = None
    visit_type: str = ""
    visitors: str = ""
    amount: str = "0"
    goods: str = ""
    payment_method: str = "none"
    bank_name: str = ""
    bank_account: str = ""
    receipt_signed: bool = False
    receipt_no: str = ""
    note: str = ""


def _visit(v: CareVisit) -> dict:
    return {
        "id": v.pk, "campaign_id": v.campaign_id, "worker_id": v.worker_id, "worker_no": v.worker.worker_no,
        "name": v.worker.name, "org": v.org.code, "visit_type": v.visit_type, "visit_date": v.visit_date,
        "method": v.method, "visitors": v.visitors, "amount": money_str(v.amount), "goods": v.goods,
        "payment_method": v.payment_method, "bank_name": v.bank_name, "bank_account": v.bank_account_masked,
        "receipt_signed": v.receipt_signed, "receipt_no": v.receipt_no, "note": v.note, "is_void": v.is_void,
        "void_reason": v.void_reason,
    }


# `_visit` from a row read with values() (the lists: no model instances; the masked account only).
VISIT_KEYS = {"worker_no": "worker__worker_no", "name": "worker__name", "org": "org__code",
              "bank_account": "bank_account_masked"}
VISIT_VALUES = ("id", "campaign_id", "worker_id", "worker__worker_no", "worker__name", "org__code", "visit_type",
                "visit_date", "method", "visitors", "amount", "goods", "payment_method", "bank_name",
                "bank_account_masked", "receipt_signed", "receipt_no", "note", "is_void", "void_reason")


def _visit_values(r: dict) -> dict:
    out = {key: r[VISIT_KEYS.get(key, key)] for key in VisitOut.model_fields}
    out["amount"] = money_str(r["amount"])
    return out


@router.get("/care-visits", response=VisitPage, summary="慰问记录")
@requires("edit_business")
def visit_list(request, year: Year | None = None, campaign_id: int | None = None, worker_id: int | None = None,
               visit_type: str = "", org: str = "", void: str = "0", q: str = "", page: PageNo = 1):
    """Bank accounts are masked (the full number only on the page, audited)."""
    filters = selectors.VisitFilters(q=q, year=year, campaign=campaign_id, worker=worker_id, visit_type=visit_type,
                                     org=org_or_none(request, org), void=void)
    rows, nxt = paged(request, selectors.visit_list(user=request.user, filters=filters).values(*VISIT_VALUES), page)
    return {"items": [_visit_values(r) for r in rows], "next": nxt}


@router.get("/care-visits/{visit_id}", response=VisitOut, summary="慰问记录详情")
@requires("edit_business")
def visit_detail(request, visit_id: int):
    return _visit(selectors.visit_get(user=request.user, pk=visit_id))


@router.post("/care-visits", response={201: VisitOut}, summary="登记慰问(发放慰问金)")
@requires("edit_business")
def visit_create(request, payload: VisitIn):
    """Refused with 422 and nothing stored: paying twice in a campaign, paying a worker deceased before the visit
    date, exceeding the campaign's budget, a negative amount."""
    data = payload.dict()
    worker = _worker(request, data.pop("worker_id"))
    campaign_id = data.pop("campaign_id")
    campaign = selectors.campaign_get(user=request.user, pk=campaign_id) if campaign_id else None
    visit = services.visit_record(actor=request.user, worker=worker, campaign=campaign, **data)
    return Status(201, _visit(selectors.visit_get(user=request.user, pk=visit.pk)))


@router.post("/care-visits/{visit_id}/void", response=VisitOut, summary="作废慰问记录")
@requires("edit_business")
def visit_void(request, visit_id: int, payload: ReasonIn):
    visit = selectors.visit_get(user=request.user, pk=visit_id)
    services.visit_void(actor=request.user, visit=visit, reason=payload.reason)
    return _visit(selectors.visit_get(user=request.user, pk=visit_id))


# --- hardship surveys -------------------------------------------------------------------------------------


class HardshipSurveyOut(Schema):
    id: int
    round_id: int
    year: int
    worker_id: int
    worker_no: str
    name: str
    org: str
    survey_date: date
    verification_method: str
    visitors: str
    household_size: int
    employment: str
    insurance: list[str]
    housing_type: str
    housing_area: str | None
    status: str
    review_comment: str
    hardship_level: str | None
    details: dict | None


class HardshipSurveyPage(Schema):
    items: list[HardshipSurveyOut]
    next: str | None


class HardshipSurveyIn(Schema):
    round_id: int
    worker_id: int
    survey_date: date
    verification_method: str
    household_size: int
    employment: str
    housing_type: str
    income_own: str
    income_per_capita: str
    health_category: str
    visitors: str = ""
    insurance: list[str] = []
    housing_area: str | None = None
    health_detail: str = ""
    major_illness: bool = False
    disability_grade: str = ""
    causes: list[str] = []
    needs: str = ""


class HardshipSurveyPatch(Schema):
    survey_date: date | None = None
    verification_method: str | None = None
    household_size: int | None = None
    employment: str | None = None
    housing_type: str | None = None
    income_own: str | None = None
    income_per_capita: str | None = None
    health_category: str | None = None
    visitors: str | None = None
    insurance: list[str] | None = None
    housing_area: str | None = None
    health_detail: str | None = None
    major_illness: bool | None = None
    disability_grade: str | None = None
    causes: list[str] | None = None
    needs: str | None = None


class CommentIn(Schema):
    comment: str = ""


def _survey(request, s: HardshipSurvey, *, with_details: bool = False) -> dict:
    reveal = has_capability(request.user, "reveal_pii")
    data = {
        "id": s.pk, "round_id": s.round_id, "year": s.round.year, "worker_id": s.worker_id,
        "worker_no": s.worker.worker_no, "name": s.worker.name, "org": s.org.code, "survey_date": s.survey_date,
        "verification_method": s.verification_method, "visitors": s.visitors, "household_size": s.household_size,
        "employment": s.employment, "insurance": s.insurance, "housing_type": s.housing_type,
        "housing_area": str(s.housing_area) if s.housing_area is not None else None, "status": s.status,
        "review_comment": s.review_comment, "hardship_level": s.hardship_level if reveal else None,
        "details": None,
    }
    if reveal and with_details:
        data["details"] = dict(s.details)
        services.survey_reveal(actor=request.user, survey=s, field="api_survey_details")
    return data


def _survey_data(payload: dict) -> dict:
    if payload.get("housing_area") == "":
        payload["housing_area"] = None
    return payload


@router.get("/hardship-surveys", response=HardshipSurveyPage, summary="困难劳模调查表")
@requires("edit_business")
def survey_list(request, round_id: int | None = None, year: Year | None = None, status: str = "", org: str = "",
                q: str = "", page: PageNo = 1):
    """Health, incomes, causes and needs are not in the list; the hardship level only for roles that may reveal."""
    filters = selectors.SurveyFilters(q=q, round=round_id, year=year, status=status,
                                      org=org_or_none(request, org))
    rows, nxt = paged(request, selectors.survey_list(user=request.user, filters=filters), page)
    return {"items": [_survey(request, s) for s in rows], "next": nxt}


@router.get("/hardship-surveys/{survey_id}", response=HardshipSurveyOut, summary="困难劳模调查表详情")
@requires("edit_business")
def survey_detail(request, survey_id: int):
    """With the encrypted details for roles that may reveal them (audited)."""
    return _survey(request, selectors.survey_get(user=request.user, pk=survey_id), with_details=True)


@router.post("/hardship-surveys", response={201: HardshipSurveyOut}, summary="填报困难劳模调查表(草稿)")
@requires("edit_business")
def survey_create(request, payload: HardshipSurveyIn):
    data = _survey_data(payload.dict())
    survey_round = selectors.round_get(user=request.user, pk=data.pop("round_id"))
    worker = _worker(request, data.pop("worker_id"))
    s = services.survey_create(actor=request.user, survey_round=survey_round, worker=worker, **data)
    return Status(201, _survey(request, selectors.survey_get(user=request.user, pk=s.pk), with_details=True))


@router.patch("/hardship-surveys/{survey_id}", response=HardshipSurveyOut, summary="修改调查表(草稿或已退回)")
@requires("edit_business")
def survey_update(request, survey_id: int, payload: HardshipSurveyPatch):
    s = selectors.survey_get(user=request.user, pk=survey_id)
    services.survey_update(actor=request.user, survey=s, **_survey_data(payload.dict(exclude_unset=True)))
    return _survey(request, selectors.survey_get(user=request.user, pk=survey_id), with_details=True)


@router.post("/hardship-surveys/{survey_id}/submit", response=HardshipSurveyOut, summary="提交审核")
@requires("edit_business")
def survey_submit(request, survey_id: int):
    s = services.survey_submit(actor=request.user, survey=selectors.survey_get(user=request.user, pk=survey_id))
    return _survey(request, selectors.survey_get(user=request.user, pk=s.pk))


@router.post("/hardship-surveys/{survey_id}/approve", response=HardshipSurveyOut, summary="审核通过(市级)")
@requires("edit_business")
def survey_approve(request, survey_id: int, payload: CommentIn):
    s = services.survey_approve(actor=request.user, survey=selectors.survey_get(user=request.user, pk=survey_id),
                                comment=payload.comment)
    return _survey(request, selectors.survey_get(user=request.user, pk=s.pk))


@router.post("/hardship-surveys/{survey_id}/return", response=HardshipSurveyOut, summary="退回(市级,须填写意见)")
@requires("edit_business")
def survey_return(request, survey_id: int, payload: CommentIn):
    s = services.survey_return(actor=request.user, survey=selectors.survey_get(user=request.user, pk=survey_id),
                               comment=payload.comment)
    return _survey(request, selectors.survey_get(user=request.user, pk=s.pk))


# --- hardship survey rounds -------------------------------------------------------------------------------


class HardshipRoundOut(Schema):
    id: int
    year: int
    name: str
    org: str
    org_name: str
    start_date: date
    end_date: date
    income_threshold: str
    marginal_factor: str
    min_level: str
    status: str
    note: str


class HardshipRoundPage(Schema):
    items: list[HardshipRoundOut]
    next: str | None


class HardshipRoundIn(Schema):
    org: str
    year: Year
    name: str
    start_date: date
    end_date: date
    income_threshold: str
    marginal_factor: str = "1.50"
    min_level: str = "municipal"
    note: str = ""


class HardshipRoundStatusIn(Schema):
    status: str


def _round(r: SurveyRound) -> dict:
    return {"id": r.pk, "year": r.year, "name": r.name, "org": r.org.code, "org_name": r.org.name,
            "start_date": r.start_date, "end_date": r.end_date, "income_threshold": money_str(r.income_threshold),
            "marginal_factor": str(r.marginal_factor), "min_level": LEVEL_BY_RANK[r.min_level_rank].value,
            "status": r.status, "note": r.note}


@router.get("/hardship-rounds", response=HardshipRoundPage, summary="困难劳模调查(年度)列表")
@requires("edit_business")
def round_list(request, year: Year | None = None, status: str = "", page: PageNo = 1):
    """The yearly rounds opened by the city, visible to the units below it. `status`: open(进行中)或 closed(已结束)。"""
    qs = selectors.round_list(user=request.user)
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    rows, nxt = paged(request, qs, page)
    return {"items": [_round(r) for r in rows], "next": nxt}


@router.get("/hardship-rounds/{round_id}", response=HardshipRoundOut, summary="困难劳模调查(年度)详情")
@requires("edit_business")
def round_detail(request, round_id: int):
    return _round(selectors.round_get(user=request.user, pk=round_id))


@router.post("/hardship-rounds", response={201: HardshipRoundOut}, summary="开启年度困难劳模调查(市级)")
@requires("edit_business")
def round_create(request, payload: HardshipRoundIn):
    """Opened by the city union (`org` a city unit) for every county below it, one per year; `income_threshold`
    is the monthly income per head below which a family is in hardship; `min_level` the lowest honor level
    surveyed (national/provincial/municipal/county)."""
    data = with_org(request, payload)
    org = data.pop("org")
    level = data.pop("min_level")
    if level not in RANK_BY_LEVEL:
        raise HttpError(422, "min_level 应为 national/provincial/municipal/county。")
    r = services.round_open(actor=request.user, org=org, min_level_rank=RANK_BY_LEVEL[level], **data)
    return Status(201, _round(selectors.round_get(user=request.user, pk=r.pk)))


@router.post("/hardship-rounds/{round_id}/status", response=HardshipRoundOut, summary="结束或重新开启调查(市级)")
@requires("edit_business")
def round_set_status(request, round_id: int, payload: HardshipRoundStatusIn):
    """`status`: closed(结束,不能再填报、提交)或 open(重新开启)。Only the unit that opened the round."""
    r = selectors.round_get(user=request.user, pk=round_id)
    services.round_update(actor=request.user, survey_round=r, status=payload.status)
    return _round(selectors.round_get(user=request.user, pk=round_id))


# --- benefit grants ---------------------------------------------------------------------------------------


class GrantOut(Schema):
    id: int
    worker_id: int
    worker_no: str
    name: str
    org: str
    benefit_type: str
    benefit_name: str
    year: int
    grant_date: date
    amount: str | None
    source: str
    note: str
    is_void: bool


class GrantPage(Schema):
    items: list[GrantOut]
    next: str | None


class GrantIn(Schema):
    worker_id: int
    benefit_type: str
    year: Year
    grant_date: date
    amount: str | None = None
    note: str = ""


def _grant(g: BenefitGrant) -> dict:
    return {"id": g.pk, "worker_id": g.worker_id, "worker_no": g.worker.worker_no, "name": g.worker.name,
            "org": g.org.code, "benefit_type": g.benefit_type.code, "benefit_name": g.benefit_type.name, "year": g.year,
            "grant_date": g.grant_date, "amount": money_str(g.amount) if g.amount is not None else None,
            "source": g.source, "note": g.note, "is_void": g.is_void}


@router.get("/benefit-grants", response=GrantPage, summary="待遇落实记录")
@requires("edit_business")
def grant_list(request, year: Year | None = None, benefit_type: str = "", source: str = "", org: str = "",
               q: str = "", page: PageNo = 1):
    filters = selectors.GrantFilters(q=q, year=year, benefit_type=benefit_type, source=source,
                                     org=org_or_none(request, org))
    rows, nxt = paged(request, selectors.grant_list(user=request.user, filters=filters), page)
    return {"items": [_grant(g) for g in rows], "next": nxt}


@router.post("/benefit-grants", response={201: GrantOut}, summary="登记待遇落实")
@requires("edit_business")
def grant_create(request, payload: GrantIn):
    data = payload.dict()
    worker = _worker(request, data.pop("worker_id"))
    g = services.benefit_grant_add(actor=request.user, worker=worker, benefit_type_code=data.pop("benefit_type"),
                                   **data)
    return Status(201, _grant(selectors.grant_get(user=request.user, pk=g.pk)))
