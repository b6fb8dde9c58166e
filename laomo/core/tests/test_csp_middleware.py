"""laomo's CSPMiddleware (the header built once per policy setting) sets exactly what django-csp's does."""

import csp.middleware
import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from laomo.core.middleware import CSPMiddleware

POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}}
OTHER = {"DIRECTIVES": {"default-src": ["'none'"]}, "EXCLUDE_URL_PREFIXES": ["/excluded/"]}
REPORT = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-report/"}}


def _headers(middleware_class, path="/x/", *, response_attrs=None, nonce=False, status=200):
    def view(request):
        if nonce:
            str(request.csp_nonce)  # a template asking for the nonce
        response = HttpResponse("ok", status=status)
        for name, value in (response_attrs or {}).items():
            setattr(response, name, value)
        return response

    middleware = middleware_class(view)
    request = RequestFactory().get(path)
    response = middleware(request)
    headers = {k: v for k, v in response.items() if k.lower().startswith("content-security-policy")}
    return headers, request


CASES = [
    {},
    {"path": "/excluded/page/"},
    {"status": 404},
    {"response_attrs": {"_csp_exempt": True}},
    {"response_attrs": {"_csp_update": {"img-src": ["https://example.org"]}}},
    {"response_attrs": {"_csp_replace": {"default-src": ["'none'"]}}},
]


@pytest.mark.parametrize("policy", [POLICY, OTHER])
@pytest.mark.parametrize("report_only", [None, REPORT])
@pytest.mark.parametrize("case", CASES)
def test_it_sets_the_headers_django_csp_sets(policy, report_only, case):
    with override_settings(CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):
        ours, _ = _headers(CSPMiddleware, **case)
        theirs, _ = _headers(csp.middleware.CSPMiddleware, **case)
    assert ours == theirs


def test_it_builds_again_when_the_setting_changes():
    def view(request):
        return HttpResponse("ok")

    middleware = CSPMiddleware(view)
    request = RequestFactory().get("/")
    with override_settings(CONTENT_SECURITY_POLICY=POLICY):
        first = middleware(request)["Content-Security-Policy"]
        assert middleware(RequestFactory().get("/"))["Content-Security-Policy"] == first
    with override_settings(CONTENT_SECURITY_POLICY=OTHER):
        assert middleware(RequestFactory().get("/"))["Content-Security-Policy"] == "default-src 'none'"
    assert "'self'" in first


def test_it_keeps_a_nonce_a_page_asked_for_and_refuses_one_asked_after_the_header():
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": ["'self'", csp.constants.NONCE]}}):
        headers, request = _headers(CSPMiddleware, nonce=True)
        assert f"'nonce-{request._csp_nonce}'" in headers["Content-Security-Policy"]
        _, later = _headers(CSPMiddleware)
    with pytest.raises(csp.exceptions.CSPNonceError):
        str(later.csp_nonce)
