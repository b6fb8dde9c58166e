"""Every /api/v1 operation × every role, enumerated from the ninja API (the API side of test_role_matrix).

Each operation declares its capabilities with `@requires(...)`, or `@any_user` (laomo/api/common.py). A role
holding none of them must get 403 whatever it sends; a role holding one must not get 403 (nor a 500);
without a token it is 401. An operation without a declaration fails here, and so does a path parameter
without a sample in PATH_SAMPLES (built from the modules' tests/matrix.py fixtures).
"""

import re

import pytest
from django.test import Client

from laomo.api.api import api
from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.tests.test_role_matrix import fixtures  # noqa: F401  (the shared samples of every module)
from laomo.orgs.roles import ROLE_CAPABILITIES, Role

PREFIX = "/api/v1"

# (first path segment, path parameter) → the sample object's key in the `fixtures` dict.
PATH_SAMPLES = {
    ("workers", "worker_id"): "worker",
    ("workers", "honor_id"): "honor",
    ("submissions", "submission_id"): "submission",
    ("service-teams", "team_id"): "vol_team",
    ("service-teams", "member_id"): "vol_member",
    ("service-records", "record_id"): "vol_record",
    ("service-requests", "request_id"): "vol_request",
    ("mobilizations", "mobilization_id"): "vol_mobilization",
    ("care-campaigns", "campaign_id"): "care_campaign",
    ("care-visits", "visit_id"): "care_visit",
    ("hardship-surveys", "survey_id"): "care_survey",
    ("hardship-rounds", "round_id"): "care_round",
    ("campaigns", "campaign_id"): "outreach_campaign",
    ("lectures", "lecture_id"): "outreach_lecture",
    ("media-items", "item_id"): "outreach_media",
    ("pre-shift-sessions", "session_id"): "outreach_session",
    ("showcases", "showcase_id"): "outreach_showcase",
    ("retreat-batches", "batch_id"): "retreat_open",
    ("retreat-applications", "application_id"): "retreat_app",
    ("retreat-vendors", "vendor_id"): "retreat_vendor",
    ("studios", "studio_id"): "studio",
    ("studios", "achievement_id"): "achievement",
    ("mentorships", "mentorship_id"): "mentorship",
    ("tech-help", "activity_id"): "tech_help",
    ("notices", "notice_id"): "notice",
}

ROLES = [r.value for r in Role]

# Operations whose service refuses some holders of the capability by a rule of its own (not the scope):
# (method, path) → (roles refused, the rule).
SERVICE_RULES = {
    ("post", "/api/v1/hardship-surveys/{survey_id}/approve"): ({"county_staff"}, "审核由市级进行"),
    ("post", "/api/v1/hardship-surveys/{survey_id}/return"): ({"county_staff"}, "退回由市级进行"),
}


def api_operations():
    """(method, path, view function) of every operation mounted on the API."""
    ops = []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for op in path_view.operations:
                full = PREFIX + "/" + "/".join(p.strip("/") for p in (bound.prefix, path) if p.strip("/"))
                for method in op.methods:
                    ops.append((method.lower(), full, op.view_func))
    return sorted(ops, key=lambda o: (o[1], o[0]))


def declared(view):
    return getattr(view, "laomo_capabilities", None)


def url_for(path: str, f: dict) -> str:
    segment = path[len(PREFIX):].strip("/").split("/")[0]

    def sample(match):
        return str(f[PATH_SAMPLES[(segment, match.group(1))]].pk)

    return re.sub(r"{(\w+)}", sample, path)


def test_it_enumerates_every_operation_with_a_declaration_and_path_samples():
    ops = api_operations()
    assert len(ops) >= 100
    undeclared = [f"{m.upper()} {p}" for m, p, view in ops if declared(view) is None]
    assert not undeclared, f"declare @requires(...) or @any_user on {undeclared}"
    missing = sorted({(p[len(PREFIX):].strip("/").split("/")[0], name) for _, p, _ in ops
                      for name in re.findall(r"{(\w+)}", p)} - set(PATH_SAMPLES))
    assert not missing, f"add PATH_SAMPLES for {missing}"
    schema = api.get_openapi_schema()
    for method, path, view in ops:
        assert schema["paths"][path][method]["x-capabilities"] == list(declared(view)), (method, path)


def _allowed(view, role: str) -> bool:
    caps = declared(view)
    return not caps or bool(ROLE_CAPABILITIES[Role(role)] & set(caps))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_it_enforces_declared_capabilities_for_every_operation(role, fixtures):  # noqa: F811
    _, raw = api_token_create(actor=SYSTEM, user=fixtures["users"][role])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    failures = []
    for method, path, view in api_operations():
        url = url_for(path, fixtures)
        kwargs = {"content_type": "application/json", "data": {}} if method in ("post", "patch", "put") else {}
        status = getattr(client, method)(url, **kwargs).status_code
        allowed = _allowed(view, role)
        if status >= 500:
            failures.append(f"{method.upper()} {url}: {status}")
        elif not allowed and status != 403:
            failures.append(f"{method.upper()} {url}: expected 403 for {role}, got {status}")
        elif allowed and status == 403 and role not in SERVICE_RULES.get((method, path), ((), ""))[0]:
            failures.append(f"{method.upper()} {url}: {role} refused despite {declared(view)}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_it_answers_401_without_a_token_for_every_operation(fixtures):  # noqa: F811
    client = Client()
    for method, path, _ in api_operations():
        response = getattr(client, method)(url_for(path, fixtures))
        assert response.status_code == 401, (method, path, response.status_code)
        assert set(response.json()) == {"message", "extra"}


@pytest.mark.django_db
def test_it_refuses_before_reading_the_body_and_audits_the_refusal(users):
    from laomo.core.models import AuditEntry

    _, raw = api_token_create(actor=SYSTEM, user=users["viewer"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post("/api/v1/workers", "not json at all", content_type="application/json")
    assert response.status_code == 403 and response.json() == {"message": "您没有此操作的权限。", "extra": {}}
    entry = AuditEntry.objects.filter(action="core.permission.deny", actor_username="t_viewer").get()
    assert entry.object_id == "/api/v1/workers"
