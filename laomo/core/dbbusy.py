"""A database that is busy or read-only answers 503 with a Chinese retry message, never a bare 500.

Two writers meet on SQLite's single write lock: a writer waits up to the busy timeout
(`LAOMO_DB_LOCK_TIMEOUT_MS`) and then gets "database is locked". On PostgreSQL a row or table lock
waits up to `lock_timeout`, and serialization failures, deadlocks and statement timeouts abort the
statement. A database put read-only (a full disk remounted, a standby, a file without write
permission) refuses every write, the session and lockout rows of a login too. All of these are
passing conditions of the service, not bugs: the client is told to retry (503 + Retry-After), as a
page for the web and as the API's JSON error shape for /api/.

The web gets it from `DatabaseBusyMiddleware.process_exception` (an exception in a view) and from
`error_500` (an exception outside a view, e.g. in a middleware); the API from its exception handler.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger("laomo.db")

BUSY_MESSAGE = "系统繁忙,请稍后重试"
DETAILS = {
    "busy": "其他操作(例如正在提交的大批量导入)暂时占用了数据库,本次操作未保存。",
    "readonly": "数据库当前为只读状态(例如正在维护或恢复),本次操作未保存;如持续出现,请联系系统管理员。",
}
# PostgreSQL SQLSTATEs of a passing condition (https://www.postgresql.org/docs/current/errcodes-appendix.html).
PG_BUSY = {
    "55P03",  # lock_not_available: lock_timeout expired
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "57014",  # query_canceled: statement_timeout expired
    "53300",  # too_many_connections
    "57P03",  # cannot_connect_now: starting up or in recovery
}
PG_READONLY = {"25006"}  # read_only_sql_transaction: a standby, or default_transaction_read_only
SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
SQLITE_READONLY = ("readonly database", "read-only database")


def busy_kind(exc: BaseException | None) -> str | None:
    """'busy' or 'readonly' when `exc` (or what caused it) is a passing database condition, else None."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, DatabaseError) or type(exc).__module__.startswith(("sqlite3", "psycopg")):
            code = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
            text = str(exc).lower()
            if code in PG_BUSY or any(m in text for m in SQLITE_BUSY):
                return "busy"
            if code in PG_READONLY or any(m in text for m in SQLITE_READONLY):
                return "readonly"
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _retry_after() -> str:
    return str(getattr(settings, "LAOMO_BUSY_RETRY_AFTER", 5))


def busy_payload(kind: str) -> dict:
    return {"message": BUSY_MESSAGE, "extra": {"reason": kind, "detail": DETAILS[kind],
                                                "retry_after": int(_retry_after())}}


def busy_response(request, exc: BaseException | None) -> HttpResponse | None:
    """The 503 for `exc` when it is a passing database condition (JSON under /api/), else None."""
    kind = busy_kind(exc)
    if kind is None:
        return None
    logger.warning("database %s on %s %s: %s", kind, request.method, request.path, exc)
    if request.path.startswith("/api/"):
        response = JsonResponse(busy_payload(kind), status=503, json_dumps_params={"ensure_ascii": False})
    else:
        # No request context: the context processors would query the database that just failed.
        html = loader.render_to_string("503.html", {"message": BUSY_MESSAGE, "detail": DETAILS[kind],
                                                    "retry_after": _retry_after()})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = _retry_after()
    response["Cache-Control"] = "no-store"
    return response


class DatabaseBusyMiddleware:
    """Turns a locked or read-only database in a view into the 503 page (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return busy_response(request, exception)
