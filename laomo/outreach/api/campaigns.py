"""/api/v1 operations of 主题宣传活动."""

import datetime as dt

from ninja import Schema, Status

from laomo.api.common import PageNo, Year, org_or_none, requires, with_org

from .. import selectors, services
from ..models import Campaign
from .common import page_of_items, router

# --- campaigns -------------------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    theme: str
    start_date: dt.date
    end_date: dt.date
    org: str
    org_name: str
    description: str


class CampaignIn(Schema):
    name: str
    org: str
    start_date: dt.date
    end_date: dt.date
    theme: str = ""
    description: str = ""


class CampaignPatch(Schema):
    name: str | None = None
    org: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    theme: str | None = None
    description: str | None = None


class CampaignPage(Schema):
    items: list[CampaignOut]
    next: str | None


def _campaign_out(c: Campaign) -> dict:
    return {"id": c.pk, "name": c.name, "theme": c.theme, "start_date": c.start_date, "end_date": c.end_date,
            "org": c.org.code, "org_name": c.org.name, "description": c.description}


@router.get("/campaigns", response=CampaignPage, summary="主题宣传活动列表")
@requires("view_business")
def campaign_list(request, q: str = "", org: str = "", year: Year | None = None, page: PageNo = 1):
    f = selectors.CampaignFilters(q=q, org=org_or_none(request, org), year=year)
    qs = selectors.campaign_list(user=request.user, filters=f)
    return page_of_items(request, qs, page, _campaign_out)


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="主题宣传活动详情")
@requires("view_business")
def campaign_detail(request, campaign_id: int):
    return _campaign_out(selectors.campaign_get(user=request.user, pk=campaign_id))


@router.post("/campaigns", response={201: CampaignOut}, summary="新建主题宣传活动")
@requires("edit_business")
def campaign_create(request, payload: CampaignIn):
    data = with_org(request, payload, optional=True)
    return Status(201, _campaign_out(services.campaign_create(actor=request.user, **data)))


@router.patch("/campaigns/{campaign_id}", response=CampaignOut, summary="修改主题宣传活动")
@requires("edit_business")
def campaign_update(request, campaign_id: int, payload: CampaignPatch):
    campaign = selectors.campaign_get(user=request.user, pk=campaign_id)
    changes = with_org(request, payload, partial=True, optional=True)
    return _campaign_out(services.campaign_update(actor=request.user, campaign=campaign, **changes))
