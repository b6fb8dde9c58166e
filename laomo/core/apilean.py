"""Bearer-token API calls skip the middleware work that cannot apply to them (issue 16).

A script or app calling `/api/v1/...` with `Authorization: Bearer <token>` and no cookie at all has no
session, no logged-in user before the token check, no flash messages and only one language to pick:
the session, authentication, second-factor, messages and locale middlewares still run for it, but
each takes the short way to exactly what its full work gives for such a request:

- authentication + django-otp: the anonymous user (what the lazy user resolves to without a session
  cookie, the session read as before, hence still `Vary: Cookie`), with django-otp's `otp_device` and
  `is_verified`, set at once instead of through two lazy wrappers. The token check then sets the token's
  user, as before; `SessionPolicyMiddleware` sees an anonymous user (nothing to enforce) and still sets
  the client IP the audit entries record.
- messages: the storage is built only if something reads or adds a message (nothing does on the API).
- locale: with one language (`LANGUAGES` holding only `LANGUAGE_CODE`) and no `i18n_patterns`, Django's
  negotiation always ends at `LANGUAGE_CODE`: it is activated, and the response gets the same
  `Vary: Accept-Language` and `Content-Language` headers, without parsing headers and paths.

Every other middleware runs as for any request (security headers, no-store, CSP, CSRF, X-Frame-Options,
htmx, session policy, axes, the DB-busy 503), and the session middleware itself is Django's. A request
with any cookie (a browser, a logged-in session) or without a bearer header takes the full way. The
classes are thin subclasses in the places of Django's in `settings.MIDDLEWARE`, so the test client goes
through them exactly as gunicorn does; laomo/core/tests/test_apilean.py compares every kind of API
response (200, 401, 403, 404, 422, 500, 503, a write and its audited IP, the docs page) with the full
way's.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib import auth
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import middleware as messages_middleware
from django.contrib.messages.storage import default_storage
from django.middleware import locale
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
from django_otp import middleware as otp_middleware

API_PREFIX = "/api/"
_FLAG = "_laomo_lean_api"


def lean_api_request(request) -> bool:
    """A bearer-token call of the API without any cookie (decided once per request)."""
    lean = request.__dict__.get(_FLAG)
    if lean is None:
        meta = request.META
        lean = (request.path_info.startswith(API_PREFIX) and not meta.get("HTTP_COOKIE")
                and meta.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer ")
        request.__dict__[_FLAG] = lean
    return lean


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's; a lean API request gets its (anonymous) user at once instead of a lazy one."""

    def process_request(self, request):
        if not lean_api_request(request):
            return super().process_request(request)
        # The session is read as the lazy user would read it (SessionPolicyMiddleware always evaluates
        # it; the session is then marked accessed, hence `Vary: Cookie`). Without a cookie it holds no
        # user id, and auth.get_user answers the anonymous user: made here without its lookups.
        user = auth.get_user(request) if auth.SESSION_KEY in request.session else AnonymousUser()
        request.user = request._cached_user = user
        request.auser = partial(auth_middleware.auser, request)
        return None


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's; on a lean API request the user's `otp_device`/`is_verified` are set at once."""

    def __call__(self, request):
        if self._is_async or not lean_api_request(request):
            return super().__call__(request)
        user = getattr(request, "user", None)
        if user is not None:
            request.user = self._verify_user_sync(request, user)
        auser = getattr(request, "auser", None)
        if auser is not None:
            request.auser = partial(self._verify_user_async_via_auser, request, auser)
        return self.get_response(request)


class MessageMiddleware(messages_middleware.MessageMiddleware):
    """Django's; on a lean API request the message storage is built when first used, and saved only then."""

    def process_request(self, request):
        if not lean_api_request(request):
            return super().process_request(request)
        request._messages = SimpleLazyObject(lambda: default_storage(request))
        return None

    def process_response(self, request, response):
        if lean_api_request(request):
            messages = getattr(request, "_messages", None)
            if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
                return response  # never read nor added to: nothing to store
        return super().process_response(request, response)


def _only_language(request) -> str | None:
    """`LANGUAGE_CODE` when it is the only language and no URL carries a language prefix, else None."""
    languages = settings.LANGUAGES
    code = settings.LANGUAGE_CODE
    if len(languages) != 1 or languages[0][0] != code:
        return None
    if is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]:
        return None
    return code


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's; on a lean API request with a single language, that language without the negotiation."""

    def process_request(self, request):
        language = _only_language(request) if lean_api_request(request) else None
        if language is None:
            return super().process_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if not lean_api_request(request) or _only_language(request) is None:
            return super().process_response(request, response)
        # What Django's does without i18n_patterns: no redirect to a language prefix, these two headers.
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
