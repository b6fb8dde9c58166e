"""Content-Security-Policy without inline code, and `Cache-Control: no-store`, on every page.

Every URL of the role matrix is fetched (GET, the htmx partial GET, and the empty POST that renders
a form's errors) by the roles that see the most pages, and anonymously for the public ones. Each
response must carry the policy (no 'unsafe-inline' or 'unsafe-eval' for scripts) and no-store, and
its HTML must hold no inline code the policy would block: no <script> without src (JSON data blocks
are fine), no on*= attribute, no javascript: URL, no <style> element, no style= attribute, and no
htmx feature that evaluates code (hx-on, js: values, trigger filters).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from conftest import login_client
from laomo.orgs.roles import Role

from .test_role_matrix import EXEMPT, SAMPLE_KWARGS, _is_public, fixtures, page_patterns  # noqa: F401

_URL_ATTRS = {"href", "src", "action", "formaction", "data", "hx-get", "hx-post"}
_TRIGGER_FILTER = re.compile(r"(^|,)\s*[\w:.-]+\[")


class _InlineCodeFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = [(name.lower(), value or "") for name, value in attrs]
        values = dict(attrs)
        if tag == "script" and "src" not in values and values.get("type", "").lower() != "application/json":
            self.found.append(f"inline <script> {attrs}")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            elif name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            elif name in _URL_ATTRS and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"<{tag} {name}=...> (htmx evaluates it)")
            elif name in ("hx-vals", "hx-vars", "hx-headers") and re.match(r"\s*(js|javascript):", value):
                self.found.append(f"<{tag} {name}={value!r}> (htmx evaluates it)")
            elif name == "hx-trigger" and _TRIGGER_FILTER.search(value):
                self.found.append(f"<{tag} hx-trigger={value!r}> (a filter is evaluated)")


def inline_code(html: str) -> list[str]:
    finder = _InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def policy_problems(response) -> list[str]:
    policy = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    problems = []
    if not policy:
        problems.append("no Content-Security-Policy header")
    script = directives.get("script-src", directives.get("default-src", []))
    if "'unsafe-inline'" in script or "'unsafe-eval'" in script:
        problems.append(f"script-src allows inline code: {policy}")
    style = directives.get("style-src", directives.get("default-src", []))
    if "'unsafe-inline'" in style:
        problems.append(f"style-src allows inline style: {policy}")
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control without no-store: {response.get('Cache-Control')!r}")
    return problems


def check(response, label: str) -> list[str]:
    problems = policy_problems(response)
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        problems += inline_code(response.content.decode())
    return [f"{label} ({response.status_code}): {p}" for p in problems]


def _urls(f, *, public_only=False):
    for name, pattern in page_patterns():
        if name in EXEMPT:
            continue
        if public_only and not _is_public(pattern.callback):
            continue
        kwargs = SAMPLE_KWARGS[name](f) if name in SAMPLE_KWARGS else {}
        yield reverse(name, kwargs=kwargs)


def _fetch_everything(client, urls) -> list[str]:
    failures = []
    for url in urls:
        failures += check(client.get(url), f"GET {url}")
        failures += check(client.get(url, HTTP_HX_REQUEST="true"), f"GET (htmx) {url}")
        failures += check(client.post(url), f"POST {url}")
    return failures


def test_it_finds_inline_code():
    # the checker itself, on what it must catch and what it must let through
    bad = ('<script>alert(1)</script><style>p{}</style><p style="x">'
           '<button onclick="f()"></button><a href="javascript:f()"></a><div hx-on:click="f()"></div>'
           '<div hx-vals="js:{a: f()}"></div><div hx-trigger="change[f()] delay:1s"></div>')
    assert len(inline_code(bad)) == 8
    good = ('<script src="/static/a.js"></script><script type="application/json" id="d">{"a": 1}</script>'
            '<div hx-vals=\'{"_validate": "1"}\' hx-trigger="change from:input[type=date], keyup"></div>'
            '<a href="/x" data-confirm="确定?" class="lm-mw-720">x</a>')
    assert inline_code(good) == []


@pytest.mark.heavy  # some 20-30 s per role: about 200 URLs, three requests each
@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CITY_STAFF, Role.SYSADMIN, Role.WORKER])
def test_it_sends_the_policy_and_no_inline_code_on_every_page(role, fixtures):  # noqa: F811
    client = login_client(fixtures["users"][role])
    failures = _fetch_everything(client, list(_urls(fixtures)))
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_it_sends_the_policy_and_no_inline_code_to_anonymous_visitors(fixtures):  # noqa: F811
    client = Client()
    urls = [reverse("login"), "/no-such-page/", *_urls(fixtures, public_only=True)]
    failures = _fetch_everything(client, urls)
    # pages that need a login answer with a redirect, which carries the policy and no-store too
    failures += check(client.get(reverse("workers:list")), "GET workers:list (anonymous)")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_it_answers_a_failed_csrf_check_in_chinese_within_the_policy(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.CITY_STAFF])
    response = client.post(reverse("core:set_year"), {"year": "2024"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page and "CSRF verification failed" not in page
    assert check(response, "csrf failure") == []


def test_it_keeps_the_error_page_free_of_inline_code():
    assert inline_code(render_to_string("500.html")) == []


def test_it_keeps_every_template_free_of_inline_code():
    # Templates that no sample page renders (print views, rare branches) are read as text as well.
    pattern = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|"
                         r"javascript:|hx-on|['\"]js:", re.I)
    roots = [Path(settings.BASE_DIR) / "laomo"]
    found = []
    for root in roots:
        for path in [*root.rglob("templates/**/*.html"), *root.rglob("templates/**/*.jinja")]:
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{n}: {line.strip()[:120]}")
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_it_configures_htmx_to_stay_within_the_policy(client):
    page = client.get(reverse("login")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false}\'>' in page
