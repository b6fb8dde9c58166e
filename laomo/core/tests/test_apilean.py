"""Bearer-token API calls take the short way through the middlewares and get the same answers (issue 16).

laomo.core.apilean: every kind of API answer is asked for twice, once the short way and once with the
short way turned off (Django's full middleware work), and the two must be the same: status, every header
in order, cookies, body (the date of `Expires` and the random CSRF token aside).
"""

from __future__ import annotations

import re

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client
from django.utils.cache import add_never_cache_headers

from conftest import login_client
from laomo.api.services import api_token_create
from laomo.core import apilean
from laomo.core.actors import SYSTEM
from laomo.core.middleware import NoStoreMiddleware
from laomo.core.models import AuditEntry
from laomo.orgs.roles import Role

pytestmark = pytest.mark.django_db

CSP = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
       "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'")
_CSRF = re.compile(r"\b[A-Za-z0-9]{32}(?:[A-Za-z0-9]{32})?\b")


@pytest.fixture
def tokens(users):
    return {key: api_token_create(actor=SYSTEM, user=user)[1] for key, user in users.items()}


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _seen(response):
    """What a caller sees, with the values that differ between any two requests (dates, the CSRF token) put
    aside."""
    headers = [(k, "<date>" if k == "Expires" else v) for k, v in response.headers.items()]
    cookies = {name: {**dict(morsel), "value": morsel.value} for name, morsel in response.cookies.items()}
    if "csrftoken" in cookies:
        cookies["csrftoken"].update(value="<csrf>", expires="<date>")
    body = response.content if response.streaming is False else b"".join(response.streaming_content)
    return response.status_code, headers, cookies, _CSRF.sub("<csrf>", body.decode())


def _both(monkeypatch, method, path, **extra):
    """The answer the short way and the full way, each to a new client (no cookie)."""
    lean = getattr(Client(raise_request_exception=False), method)(path, **extra)
    assert lean.wsgi_request._laomo_lean_api is True
    with monkeypatch.context() as patched:
        patched.setattr(apilean, "lean_api_request", lambda request: False)
        full = getattr(Client(raise_request_exception=False), method)(path, **extra)
    assert not hasattr(full.wsgi_request, "_laomo_lean_api")
    return lean, full


def test_it_answers_an_api_call_with_the_headers_it_always_had(tokens):
    response = Client().get("/api/v1/me", **_bearer(tokens[Role.CITY_STAFF]))
    assert response.status_code == 200 and response.wsgi_request._laomo_lean_api is True
    headers = dict(response.headers)
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", headers.pop("Expires"))
    assert sorted(headers.pop("Content-Security-Policy").split("; ")) == sorted(CSP)
    assert headers == {
        "Content-Type": "application/json; charset=utf-8",
        "X-Frame-Options": "DENY",
        "Content-Length": str(len(response.content)),
        "Vary": "Accept-Language, Cookie",
        "Content-Language": "zh-hans",
        "Cache-Control": "max-age=0, no-cache, no-store, must-revalidate, private",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    assert not response.cookies


@pytest.mark.parametrize("role, path", [
    (Role.CITY_STAFF, "/api/v1/me"),
    (Role.CITY_STAFF, "/api/v1/workers"),
    (Role.COUNTY_STAFF, "/api/v1/care-visits"),
    (Role.WORKER, "/api/v1/workers"),  # 403, audited
    (Role.CITY_STAFF, "/api/v1/workers/999999"),  # 404 in the error shape
    (Role.CITY_STAFF, "/api/v1/workers?page=x"),  # 422
    (Role.CITY_STAFF, "/api/v1/no-such-thing"),  # Django's 404 page
    (Role.CITY_STAFF, "/api/v1/me/"),
    (Role.CITY_STAFF, "/api/v1/docs"),
    (Role.CITY_STAFF, "/api/v1/openapi.json"),
    (None, "/api/v1/me"),  # a token that is none: 401
])
def test_it_answers_the_short_way_as_the_full_way(monkeypatch, tokens, role, path):
    lean, full = _both(monkeypatch, "get", path, **_bearer(tokens[role] if role else "lm_nope"))
    assert _seen(lean) == _seen(full)


def test_it_answers_a_write_the_same_and_audits_the_client_ip(monkeypatch, tokens):
    auth = {**_bearer(tokens[Role.COUNTY_STAFF]), "REMOTE_ADDR": "203.0.113.7"}
    lean = Client().post("/api/v1/workers", {"name": "王五", "org": "331102"}, content_type="application/json",
                         **auth)
    assert lean.status_code == 201 and lean.wsgi_request._laomo_lean_api is True, lean.json()
    entry = AuditEntry.objects.filter(action="workers.worker.create").latest("pk")
    assert (entry.ip, entry.object_id) == ("203.0.113.7", str(lean.json()["id"]))
    monkeypatch.setattr(apilean, "lean_api_request", lambda request: False)
    full = Client().post("/api/v1/workers", {"name": "赵六", "org": "331102"}, content_type="application/json",
                         **auth)
    assert full.status_code == 201
    assert [(k, v) for k, v in _seen(lean)[1] if k != "Content-Length"] == [
        (k, v) for k, v in _seen(full)[1] if k != "Content-Length"]
    assert AuditEntry.objects.filter(action="workers.worker.create", ip="203.0.113.7").count() == 2


def test_it_audits_a_refusal_with_the_client_ip(tokens):
    response = Client(REMOTE_ADDR="198.51.100.4").get("/api/v1/workers", **_bearer(tokens[Role.WORKER]))
    assert response.status_code == 403 and response.wsgi_request._laomo_lean_api is True
    entry = AuditEntry.objects.filter(action="core.permission.deny").latest("pk")
    assert (entry.ip, entry.object_type, entry.result) == ("198.51.100.4", "api", "denied")


def test_it_answers_a_busy_database_and_a_bug_the_same(monkeypatch, tokens):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("laomo.api.routers_core.summary", locked)
    lean, full = _both(monkeypatch, "get", "/api/v1/reports/summary", **_bearer(tokens[Role.CITY_STAFF]))
    assert lean.status_code == 503 and lean.json()["message"] == "系统繁忙,请稍后重试"
    assert _seen(lean) == _seen(full)

    def bug(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("laomo.api.routers_core.summary", bug)
    lean, full = _both(monkeypatch, "get", "/api/v1/reports/summary", **_bearer(tokens[Role.CITY_STAFF]))
    assert lean.status_code == 500 and "text/html" in lean["Content-Type"]
    assert _seen(lean) == _seen(full)


def test_it_negotiates_the_language_when_there_is_more_than_one(monkeypatch, settings, tokens):
    settings.LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
    auth = {**_bearer(tokens[Role.CITY_STAFF]), "HTTP_ACCEPT_LANGUAGE": "en"}
    lean, full = _both(monkeypatch, "get", "/api/v1/me", **auth)
    assert lean["Content-Language"] == "en" and _seen(lean) == _seen(full)


def test_it_takes_the_full_way_for_a_call_with_a_cookie(users, tokens, settings):
    """A browser's call carries the session cookie: the session policy runs for it as for a page (here: the
    absolute timeout logs out and redirects). The API itself answers to the bearer token only."""
    client = login_client(users[Role.CITY_STAFF])
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", **_bearer(tokens[Role.COUNTY_STAFF]))
    assert response.status_code == 200 and response.json()["username"] == "t_liandu"
    assert response.wsgi_request._laomo_lean_api is False
    assert "login_at" in client.session  # SessionPolicyMiddleware ran on the session's user
    session = client.session
    session["login_at"] -= settings.LAOMO_SESSION_ABSOLUTE_SECONDS + 10
    session.save()
    response = client.get("/api/v1/me", **_bearer(tokens[Role.COUNTY_STAFF]))
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert AuditEntry.objects.filter(action="auth.session.expire").exists()


@pytest.mark.parametrize("path, extra, lean", [
    ("/api/v1/me", {"HTTP_AUTHORIZATION": "bearer x"}, True),
    ("/api/v1/me", {"HTTP_AUTHORIZATION": "Token x"}, False),
    ("/api/v1/me", {}, False),
    ("/api/v1/me", {"HTTP_AUTHORIZATION": "Bearer x", "HTTP_COOKIE": "csrftoken=abc"}, False),
    ("/workers/", {"HTTP_AUTHORIZATION": "Bearer x"}, False),
])
def test_it_takes_the_short_way_only_for_bearer_calls_of_the_api_without_cookies(rf, path, extra, lean):
    assert apilean.lean_api_request(rf.get(path, **extra)) is lean


def test_it_leaves_pages_to_the_full_way(users, monkeypatch):
    client = login_client(users[Role.CITY_STAFF])
    response = client.get("/workers/", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 200 and response.wsgi_request._laomo_lean_api is False
    assert type(response.wsgi_request.user).__name__ == "SimpleLazyObject"  # Django's lazy user
    assert response["Vary"] == "Cookie, Accept-Language" and response["Content-Language"] == "zh-hans"
    anonymous = Client().get("/workers/", HTTP_AUTHORIZATION="Bearer x")
    assert anonymous.status_code == 302 and anonymous.wsgi_request._laomo_lean_api is False


@pytest.mark.parametrize("preset", [
    {},
    {"Cache-Control": "public, max-age=600"},
    {"Cache-Control": "no-cache=Set-Cookie"},
    {"Expires": "Thu, 01 Jan 2099 00:00:00 GMT"},
    {"Cache-Control": ""},
])
def test_it_writes_the_no_store_headers_djangos_way(preset):
    def response():
        answer = HttpResponse("x")
        for name, value in preset.items():
            answer[name] = value
        return answer

    ours = NoStoreMiddleware(lambda request: response())(None)
    django = response()
    add_never_cache_headers(django)
    mine, theirs = dict(ours.headers), dict(django.headers)
    assert mine.pop("Expires")[-4:] == theirs.pop("Expires")[-4:] == " GMT"
    assert list(ours.headers) == list(django.headers) and mine == theirs


@pytest.mark.django_db
def test_it_logs_only_the_scheme_of_an_unexpected_authorization_header(settings, caplog):
    settings.DEBUG = True
    with caplog.at_level("ERROR", logger="django"):
        response = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Basic c2VjcmV0OnBhc3N3b3Jk")
    assert response.status_code == 401
    assert "Basic" in caplog.text and "c2VjcmV0OnBhc3N3b3Jk" not in caplog.text
