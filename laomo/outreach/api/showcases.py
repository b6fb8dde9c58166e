"""/api/v1 operations of 风采展示区."""

import datetime as dt

from ninja import Schema, Status

from laomo.api.common import PageNo, org_or_none, requires, with_org

from .. import selectors, services
from ..models import Showcase
from .common import page_of_items, router

# --- showcases -------------------------------------------------------------------------------------------


class ShowcaseOut(Schema):
    id: int
    name: str
    host_type: str
    host_place: str
    org: str
    org_name: str
    opened_date: dt.date
    closed_date: dt.date | None
    address: str
    description: str
    featured_workers: list[int]


class ShowcaseIn(Schema):
    name: str
    host_type: str
    host_place: str
    org: str
    opened_date: dt.date
    closed_date: dt.date | None = None
    address: str = ""
    description: str = ""
    featured_workers: list[int] = []


class ShowcasePatch(Schema):
    name: str | None = None
    host_type: str | None = None
    host_place: str | None = None
    org: str | None = None
    opened_date: dt.date | None = None
    closed_date: dt.date | None = None
    address: str | None = None
    description: str | None = None
    featured_workers: list[int] | None = None


class ShowcasePage(Schema):
    items: list[ShowcaseOut]
    next: str | None


def _showcase_out(s: Showcase, user=None) -> dict:
    return {"id": s.pk, "name": s.name, "host_type": s.host_type, "host_place": s.host_place, "org": s.org.code,
            "org_name": s.org.name, "opened_date": s.opened_date, "closed_date": s.closed_date, "address": s.address,
            "description": s.description, "featured_workers": [w.pk for w in s.featured_workers.all()]}


@router.get("/showcases", response=ShowcasePage, summary="风采展示区列表")
@requires("view_business")
def showcase_list(request, q: str = "", org: str = "", host_type: str = "", open: bool | None = None, page: PageNo = 1):
    f = selectors.ShowcaseFilters(q=q, org=org_or_none(request, org), host_type=host_type, open=open)
    return page_of_items(request, selectors.showcase_list(user=request.user, filters=f), page, _showcase_out)


@router.get("/showcases/{showcase_id}", response=ShowcaseOut, summary="风采展示区详情")
@requires("view_business")
def showcase_detail(request, showcase_id: int):
    return _showcase_out(selectors.showcase_get(user=request.user, pk=showcase_id))


@router.post("/showcases", response={201: ShowcaseOut}, summary="新建风采展示区")
@requires("edit_business")
def showcase_create(request, payload: ShowcaseIn):
    data = with_org(request, payload, optional=True)
    showcase = services.showcase_create(actor=request.user, **data)
    return Status(201, _showcase_out(selectors.showcase_get(user=request.user, pk=showcase.pk)))


@router.patch("/showcases/{showcase_id}", response=ShowcaseOut, summary="修改风采展示区")
@requires("edit_business")
def showcase_update(request, showcase_id: int, payload: ShowcasePatch):
    showcase = selectors.showcase_get(user=request.user, pk=showcase_id)
    changes = with_org(request, payload, partial=True, optional=True)
    services.showcase_update(actor=request.user, showcase=showcase, **changes)
    return _showcase_out(selectors.showcase_get(user=request.user, pk=showcase_id))
