"""Pieces every /api/v1 router uses: the token check with each operation's declared capabilities, org and
record lookups through the caller's scope, and pagination within bounds.

Every operation declares who may call it, the way pages do with `capability_required`:

    @router.get("/workers", response=WorkerPage)
    @requires("view_business")
    def worker_list(request, ...): ...

`@requires(...)` (at least one of the capabilities) or `@any_user` (any valid token, like /me) goes under
the router decorator. The check runs with the token check, before the parameters and the body are read,
so a caller without the capability gets 403 whatever they send. The capabilities are recorded on the
function (`laomo_capabilities`) and in the OpenAPI operation (`x-capabilities`), and the API role matrix
(laomo/api/tests/test_api_matrix.py) enumerates every operation with them.
"""

from __future__ import annotations

import logging
from typing import Annotated

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from ninja import Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.utils import contribute_operation_callback
from pydantic import AfterValidator

from laomo.core.pagination import page_of
from laomo.core.permissions import has_capability
from laomo.core.scope import org_in_scope
from laomo.core.years import MIN_YEAR, max_year, year_in_range
from laomo.orgs.models import OrgUnit

from .services import api_token_authenticate

logger = logging.getLogger("django")  # ninja's HttpBearer logs there

PAGE_SIZE = 50
# A page number beyond this is refused (422, the error shape) before it reaches the database: 10^6 pages.
MAX_PAGE = 1_000_000
DENIED = "您没有此操作的权限。"
NOT_IN_SCOPE = "不存在或不在您的数据范围内"


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`; with `capabilities`, the token's user must hold one of them."""

    def __init__(self, capabilities: tuple[str, ...] = ()):
        super().__init__()
        self.capabilities = tuple(capabilities)

    def __call__(self, request):
        """ninja's, with the header read from `request.META` instead of `request.headers` (the same value:
        building that mapping of every header costs more than the rest of this check; issue 16)."""
        auth_value = request.META.get("HTTP_AUTHORIZATION")
        if not auth_value:
            return None
        parts = auth_value.split(" ")
        if parts[0].lower() != self.openapi_scheme:
            if settings.DEBUG:
                # The scheme only: the rest of the header may be credentials (ninja logs the whole value).
                logger.error("Unexpected auth scheme - '%s'", parts[0][:20])
            return None
        return self.authenticate(request, " ".join(parts[1:]))

    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        if self.capabilities and not any(has_capability(user, c) for c in self.capabilities):
            raise PermissionDenied(DENIED)
        return user


def _declare(func, capabilities: tuple[str, ...]):
    func.laomo_capabilities = capabilities

    def contribute(operation):
        operation.auth_param = [BearerAuth(capabilities)]
        operation._set_auth(operation.auth_param)
        operation.openapi_extra = {**(operation.openapi_extra or {}), "x-capabilities": list(capabilities)}

    contribute_operation_callback(func, contribute)
    return func


def requires(*capabilities: str):
    """Declare the capabilities of an API operation: a caller needs at least one (403, audited, otherwise).

    The function itself is returned unchanged (ninja reads its signature and annotations); the check is
    installed on its operation's token check, which runs before the parameters and the body are read."""
    if not capabilities:
        raise ValueError("requires() needs at least one capability; use @any_user for operations open to all")

    def decorator(func):
        return _declare(func, tuple(capabilities))

    return decorator


def any_user(func):
    """Declare an API operation open to any user with a valid token (its data still scoped to that user)."""
    return _declare(func, ())


# --- lookups through the caller's scope ----------------------------------------------------------------


def org_of(request, code: str) -> OrgUnit:
    """The org unit of `code` in the caller's scope: 422 if unknown, 403 (audited) if outside the scope."""
    org = OrgUnit.objects.filter(code=code).first()
    if org is None:
        raise HttpError(422, f"组织代码 {code} 不存在。")
    if not org_in_scope(request.user, org):
        raise PermissionDenied("该单位不在您的数据范围内。")
    return org


def org_or_none(request, code: str | None) -> OrgUnit | None:
    """`org_of` for an optional filter: no code, no unit."""
    return org_of(request, code) if code else None


def with_org(request, payload, *, partial: bool = False, optional: bool = False) -> dict:
    """A payload's fields as a dict, its org code (`org`) resolved to the unit in the caller's scope (`org_of`:
    422 unknown, 403 outside; `optional`: no code, no unit — the service picks one). `partial` (a PATCH): only
    the fields sent, the org only when it is one of them."""
    data = payload.dict(exclude_unset=True) if partial else payload.dict()
    if "org" in data:
        data["org"] = (org_or_none if optional else org_of)(request, data["org"])
    return data


def one_in_scope(qs: QuerySet, pk, what: str):
    """The row `pk` of a queryset already scoped to the caller, or 422 saying it does not exist or lies outside
    the caller's scope (the same answer for both, so a guessed id tells nothing)."""
    row = qs.filter(pk=pk).first() if pk is not None else None
    if row is None:
        raise HttpError(422, f"{what}(ID {pk}){NOT_IN_SCOPE}。")
    return row


# --- bounds ------------------------------------------------------------------------------------------------


def _check_page(page: int) -> int:
    if page > MAX_PAGE:
        raise ValueError(f"页码不能超过 {MAX_PAGE}。")
    return max(1, page)  # 0 and below: the first page, as on the list pages


def _check_year(year: int) -> int:
    if not year_in_range(year):
        raise ValueError(f"年份应在 {MIN_YEAR} 到 {max_year()} 之间。")
    return year


# Parameter and field types: a value out of bounds is a 422 in the API's error shape, never a 500.
PageNo = Annotated[int, AfterValidator(_check_page)]
Year = Annotated[int, AfterValidator(_check_year)]


# --- pagination ---------------------------------------------------------------------------------------


def next_url(request, page: int, has_next: bool) -> str | None:
    if not has_next:
        return None
    params = request.GET.copy()
    params["page"] = page + 1
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def paged(request, qs, page: int, per_page: int = PAGE_SIZE) -> tuple[list, str | None]:
    """One page of `qs` and the URL of the next page, if any."""
    page = _check_page(page)
    rows, has_next = page_of(qs, page=page, per_page=per_page)
    return rows, next_url(request, page, has_next)


# --- shared schemas ----------------------------------------------------------------------------------------


class ReasonIn(Schema):
    reason: str
