"""The JSON API (/api/v1/), django-ninja. Modules add routers with `api.add_router`."""

import logging

import pydantic_core
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, DataError
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from laomo.care.api import router as care_router
from laomo.core import audit
from laomo.core.dbbusy import busy_response
from laomo.notices.api import router as notices_router
from laomo.outreach.api import router as outreach_router
from laomo.portal.api import router as portal_router
from laomo.reminders.api import router as reminders_router
from laomo.retreats.api import router as retreats_router
from laomo.studios.api import router as studios_router
from laomo.volunteering.api import router as volunteering_router

from .common import BearerAuth
from .routers_core import router as core_router
from .routers_review import router as review_router
from .routers_workers import router as workers_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="劳模服务管理平台 API",
    version="1",
    description=(
        "laomo 的 JSON 接口。认证:`Authorization: Bearer <token>`,令牌由 "
        "`manage.py create_api_token USERNAME` 生成。所有数据按令牌所属用户的数据范围过滤;"
        '错误统一为 `{"message": ..., "extra": {...}}`。'
    ),
    auth=BearerAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class ErrorOut(Schema):
    message: str
    extra: dict = {}


def error(request, message: str, status: int, extra: dict | None = None):
    return api.create_response(request, {"message": message, "extra": extra or {}}, status=status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, "未认证:请在 Authorization 头中提供有效的 Bearer 令牌。", 401)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    user = getattr(request, "user", None)
    audit.record(actor=user, action="core.permission.deny", result="denied", object_type="api",
                 object_id=request.path[:64], object_repr=request.path[:200],
                 changes={"method": request.method, "reason": str(exc)[:200]})
    return error(request, str(exc) or "没有权限。", 403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, "对象不存在或不在您的数据范围内。", 404)


@api.exception_handler(NinjaValidationError)
def on_validation(request, exc):
    return error(request, "请求参数有误。", 422, {"errors": exc.errors})


@api.exception_handler(ValidationError)
def on_model_validation(request, exc):
    extra = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return error(request, "数据校验未通过。", 422, {"errors": extra})


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return error(request, str(exc), exc.status_code)


@api.exception_handler(OverflowError)
@api.exception_handler(ValueError)
@api.exception_handler(DataError)
def on_out_of_range(request, exc):
    """A value past what Python or the database can hold (a page or a count beyond int64, a date out of range):
    the caller's mistake, answered in the API's error shape instead of an HTML 500."""
    if isinstance(exc, pydantic_core.ValidationError):
        raise exc  # a response that does not fit its schema is our bug, not the caller's
    logger.warning("API parameter out of range on %s: %r", request.path, exc)
    return error(request, "请求参数超出允许范围。", 400)


# Every module's router (laomo/<module>/api.py), registered in menu order.
for _router in (core_router, workers_router, review_router, outreach_router, volunteering_router, studios_router,
                care_router, retreats_router, notices_router, reminders_router, portal_router):
    api.add_router("/", _router)


@api.exception_handler(DatabaseError)
def on_database_busy(request, exc):
    """A locked or read-only database: 503 + Retry-After in the error shape; other database errors stay 500s."""
    response = busy_response(request, exc)
    if response is None:
        raise exc
    return response
