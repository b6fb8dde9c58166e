"""What the operations of the outreach API share: the router, a campaign in the caller's scope, a page."""

from ninja import Router

from laomo.api.common import one_in_scope, paged

from .. import selectors
from ..models import Campaign

router = Router(tags=["宣讲与宣传"])


def campaign_in_scope(request, pk: int | None) -> Campaign | None:
    if pk is None:
        return None
    return one_in_scope(selectors.campaign_base(request.user), pk, "活动")


def page_of_items(request, qs, page: int, item) -> dict:
    rows, nxt = paged(request, qs, page)
    return {"items": [item(r) for r in rows], "next": nxt}
