"""`GET /healthz`: is this instance fit to serve? For a load balancer and for `make run`'s start-up check.

No login, no business data, no session: 200 with {"status": "ok", "checks": {...}} when the database
answers, the job consumer's heartbeat is fresh and the disk under VAR_DIR has room; 503 with
"status": "fail" otherwise.
"""

import shutil

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .jobs import heartbeat_age
from .permissions import public_view


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001  (any failure is "fail"; the reason goes to the log, not out)
        return {"status": "fail"}
    return {"status": "ok"}


def _jobs() -> dict:
    try:
        age = heartbeat_age()
    except Exception:  # noqa: BLE001
        return {"status": "fail"}
    limit = settings.LAOMO_JOBS_HEARTBEAT_STALE_SECONDS
    if age is None:
        return {"status": "stale", "age_seconds": None, "max_age_seconds": limit}
    return {"status": "ok" if age <= limit else "stale", "age_seconds": int(age), "max_age_seconds": limit}


def _disk() -> dict:
    minimum = settings.LAOMO_HEALTH_MIN_FREE_MB
    try:
        free_mb = shutil.disk_usage(settings.VAR_DIR).free // (1024 * 1024)
    except OSError:
        return {"status": "fail"}
    return {"status": "ok" if free_mb >= minimum else "low", "free_mb": free_mb, "min_free_mb": minimum}


def health() -> dict:
    checks = {"database": _database(), "jobs": _jobs(), "disk": _disk()}
    ok = all(check["status"] == "ok" for check in checks.values())
    return {"status": "ok" if ok else "fail", "checks": checks}


@public_view
@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request):
    body = health()
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
