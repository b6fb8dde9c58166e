import time
from datetime import timedelta

import csp.middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.utils import build_policy
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

from laomo.orgs.twofactor import has_confirmed_device, needs_second_factor

from . import audit
from .request_context import client_ip, reset_current_ip, set_current_ip

# Paths a logged-in user may open before finishing the second factor or a forced password change.
_OPEN_PREFIXES = ("/static/", "/accounts/logout/", "/accounts/2fa/", "/accounts/password/", "/api/", "/favicon",
                  "/healthz")


def password_expired(user) -> bool:
    """Periodic password change, when a deployment turns it on (LAOMO_PASSWORD_MAX_AGE_DAYS > 0)."""
    days = settings.LAOMO_PASSWORD_MAX_AGE_DAYS
    if days <= 0:
        return False
    changed = user.password_changed_at or user.date_joined
    return timezone.now() - changed > timedelta(days=days)


class SessionPolicyMiddleware:
    """Absolute session timeout, idle-timeout renewal, enforced second factor, forced password change,
    refusal audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_ip(client_ip(request))
        try:
            redirect_response = self._policy(request)
            if redirect_response is not None:
                return redirect_response
            return self.get_response(request)
        finally:
            reset_current_ip(token)

    def _policy(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        now = int(time.time())
        started = request.session.get("login_at")
        if started is None:
            request.session["login_at"] = now
        elif now - int(started) > settings.LAOMO_SESSION_ABSOLUTE_SECONDS:
            audit.record(actor=user, action="auth.session.expire", obj=user)
            logout(request)
            messages.info(request, "登录已超过最长有效时间,请重新登录。")
            return redirect(settings.LOGIN_URL)
        renewed = request.session.get("renewed_at")
        if renewed is None or now - int(renewed) >= settings.LAOMO_SESSION_RENEW_SECONDS:
            # Marks the session modified: saved with a fresh expiry (the idle timeout) at most once a
            # renewal period, instead of on every request (SESSION_SAVE_EVERY_REQUEST is off).
            request.session["renewed_at"] = now
        if request.path.startswith(_OPEN_PREFIXES):
            return None
        if needs_second_factor(user) and not user.is_verified():
            target = "otp_verify" if has_confirmed_device(user) else "otp_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        if user.must_change_password:
            messages.warning(request, "请先修改初始密码。")
            return redirect("password_change")
        if password_expired(user):
            messages.warning(request, f"密码已使用超过 {settings.LAOMO_PASSWORD_MAX_AGE_DAYS} 天,请修改密码。")
            return redirect("password_change")
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            user = getattr(request, "user", None)
            audit.record(
                actor=user, action="core.permission.deny", result="denied",
                object_type="url", object_id=request.path[:64], object_repr=request.path[:200],
                changes={"method": request.method, "reason": str(exception)[:200]},
            )
        return None


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response Django renders.

    Pages, htmx partials, API answers and downloads carry personal or business data as soon as a user
    is logged in, and the few public pages are forms with a CSRF token or a tracking code's status:
    none may stay in a browser's or a proxy's cache. Static files are served by WhiteNoise, before this
    middleware, and keep their long-lived caching. Overrides any caching a view set itself
    (max-age becomes 0, public becomes private).

    A response without caching headers of its own (nearly all) gets the two headers Django's
    `add_never_cache_headers` would give it, written directly instead of built and parsed again through
    `patch_cache_control` twice (~0.03 ms a response; issue 16); any other goes through Django's.
    """

    NEVER = "max-age=0, no-cache, no-store, must-revalidate, private"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        headers = response.headers
        if headers.get("Cache-Control"):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
            return response
        if "Expires" not in headers:
            headers["Expires"] = http_date(time.time())
        headers["Cache-Control"] = self.NEVER
        return response


_CSP_PARTS = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware with each header built once per policy setting, not on every response.

    No view of laomo asks for a nonce or sets a policy of its own (`@csp_update` and the like), so the
    header is the same on every response; django-csp rebuilds it from the settings twice a response
    (~0.1 ms, a tenth of `/api/v1/me`; issue 16). A response or request that does carry a nonce or its
    own parts goes through django-csp unchanged. The cache holds the setting object it was built from:
    `override_settings` (a new object) builds again."""

    _HEADERS = ((HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
                (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True))

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built: dict[bool, tuple[object, str]] = {}

    def _policy(self, setting, report_only: bool) -> str:
        cached = self._built.get(report_only)
        if cached is None or cached[0] is not setting:
            cached = self._built[report_only] = (setting, build_policy(report_only=report_only))
        return cached[1]

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
                getattr(response, name, None) is not None for name in _CSP_PARTS):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for header, name, exempt, report_only in self._HEADERS:
            setting = getattr(settings, name, None)
            value = self._policy(setting, report_only)
            prefixes = tuple((setting or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
            if (value and header not in response and getattr(response, exempt, False) is False
                    and not request.path_info.startswith(prefixes)):
                response[header] = value
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
