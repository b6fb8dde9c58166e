"""Every URL pattern × every role × (GET, POST), enumerated from the URL conf.

A view protected with `capability_required` declares its capabilities; a role without any of them
must get 403, a role with one must not. Anonymous users are sent to the login page (pages) or get
401 (API). A new URL with path parameters fails here until it gets a sample in SAMPLE_KWARGS.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from conftest import login_client
from laomo.care.tests import matrix as care_matrix
from laomo.core.actors import SYSTEM
from laomo.notices.tests import matrix as notices_matrix
from laomo.orgs.roles import ROLE_CAPABILITIES, Role
from laomo.outreach.tests import matrix as outreach_matrix
from laomo.portal.tests import matrix as portal_matrix
from laomo.reminders.tests import matrix as reminders_matrix
from laomo.retreats.tests import matrix as retreats_matrix
from laomo.studios.tests import matrix as studios_matrix
from laomo.volunteering.tests import matrix as volunteering_matrix

# Sample path arguments per URL name: callables receiving the fixtures dict.
SAMPLE_KWARGS = {
    "orgs:org_edit": lambda f: {"pk": f["orgs"]["331102"].pk},
    "orgs:user_edit": lambda f: {"pk": f["users"]["county_staff_qy"].pk},
    "orgs:user_toggle_active": lambda f: {"pk": f["users"]["county_staff_qy"].pk},
    "orgs:user_reset_password": lambda f: {"pk": f["users"]["county_staff_qy"].pk},
    "orgs:security_reset_2fa": lambda f: {"pk": f["users"]["county_staff_qy"].pk},
    "orgs:security_revoke_token": lambda f: {"pk": f["token"].pk},
    "core:job_detail": lambda f: {"job_id": f["job"].pk},
    "core:job_download": lambda f: {"job_id": f["job"].pk},
    "core:dictionary_item_create": lambda f: {"kind": "hardship_cause"},
    "core:dictionary_item_edit": lambda f: {"pk": f["dict_item"].pk},
    "workers:detail": lambda f: {"pk": f["worker"].pk},
    "workers:edit": lambda f: {"pk": f["worker"].pk},
    "workers:status": lambda f: {"pk": f["worker"].pk},
    "workers:reveal": lambda f: {"pk": f["worker"].pk, "field": "id_number"},
    "workers:honor_add": lambda f: {"pk": f["worker"].pk},
    "workers:honor_remove": lambda f: {"pk": f["worker"].pk, "honor_pk": f["honor"].pk},
    "workers:grant_login": lambda f: {"pk": f["worker"].pk},
    "workers:card": lambda f: {"pk": f["worker"].pk},
    "workers:card_pdf": lambda f: {"pk": f["worker"].pk},
    "workers:photo": lambda f: {"pk": f["worker"].pk},
    "workers:history": lambda f: {"pk": f["worker"].pk},
    "workers:submission": lambda f: {"pk": f["submission"].pk},
    "workers:submission_edit": lambda f: {"pk": f["submission"].pk},
    "workers:submission_approve": lambda f: {"pk": f["submission"].pk},
    "workers:submission_return": lambda f: {"pk": f["submission"].pk},
    "workers:submission_withdraw": lambda f: {"pk": f["submission"].pk},
    "workers:import_result": lambda f: {"job_id": f["import_job"].pk},
    "workers:import_commit": lambda f: {"job_id": f["import_job"].pk},
    "core:import_upload": lambda f: {"kind": "lectures"},
    "core:import_template": lambda f: {"kind": "lectures"},
    "core:import_result": lambda f: {"kind": "lectures", "job_id": f["ledger_job"].pk},
    "core:import_commit": lambda f: {"kind": "lectures", "job_id": f["ledger_job"].pk},
    "core:delivery_resend": lambda f: {"pk": f["delivery"].pk},
}

MODULE_MATRICES = (care_matrix, notices_matrix, outreach_matrix, portal_matrix, reminders_matrix, retreats_matrix,
                   studios_matrix, volunteering_matrix)
for _matrix in MODULE_MATRICES:
    SAMPLE_KWARGS.update(_matrix.SAMPLES)

# URLs outside the matrix, with the reason.
EXEMPT = {
    "login", "logout",  # authentication itself (tested in test_auth)
    "healthz",  # the public health probe: 503 without a job consumer (tested in core/tests/test_health)
}


def _walk(resolver, prefix="", namespace=None):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns in ("api",) or "api/v1" in prefix + str(p.pattern):
                continue  # the API has its own matrix below
            yield from _walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name, p


def page_patterns():
    return sorted({name: p for name, p in _walk(get_resolver())}.items())


def _caps(view):
    return getattr(view, "laomo_capabilities", None)


def _is_public(view) -> bool:
    """Views of the public portal, marked with @public_view; open to anyone."""
    return getattr(view, "laomo_public", False)


@pytest.fixture
def fixtures(orgs, users):
    from laomo.core.models import Job
    from laomo.workers.services import honor_add, worker_create

    job = Job.objects.create(kind="reports.summary_xlsx", title="t", owner=users[Role.CITY_STAFF])
    import_job = Job.objects.create(kind="workers.import", title="t", owner=users[Role.CITY_STAFF], status="done",
                                    result={"dry_run": True, "rows": 0})
    ledger_job = Job.objects.create(kind="core.import", title="t", owner=users[Role.CITY_STAFF], status="done",
                                    params={"kind": "lectures", "dry_run": True}, result={"dry_run": True, "rows": 0})
    worker = worker_create(actor=SYSTEM, org=orgs["331102"], name="张三", id_number="331102196503120016")
    honor = honor_add(actor=SYSTEM, worker=worker, title="浙江省劳动模范", year=2015)
    from laomo.api.services import api_token_create

    token, _ = api_token_create(actor=SYSTEM, user=users[Role.VIEWER])
    from laomo.core.models import DictItem

    dict_item = DictItem.objects.get_or_create(kind="hardship_cause", code="matrix", defaults={"label": "矩阵测试"})[0]
    from laomo.core.models import Delivery

    delivery = Delivery.objects.create(channel="wecom", recipient="wecom", text="矩阵测试", status="failed", attempts=4)
    from laomo.workers.models import Submission

    submission = Submission.objects.create(
        kind="honor_add", org=orgs["331102"], worker=worker, summary="矩阵测试", submitted_at=timezone.now(),
        submitted_by=users[Role.COUNTY_STAFF], payload='{"honor": {"title": "丽水市劳动模范", "year": 2016}}')
    f = {"token": token, "orgs": orgs, "users": users, "job": job, "import_job": import_job, "ledger_job": ledger_job,
         "worker": worker, "submission": submission,
         "honor": honor, "dict_item": dict_item, "delivery": delivery}
    for matrix in MODULE_MATRICES:
        f.update(matrix.build(f) or {})
    return f


ROLES = [r.value for r in Role]


def test_it_has_samples_for_every_parameterized_url():
    missing = [name for name, p in page_patterns()
               if p.pattern.regex.groups and name not in SAMPLE_KWARGS and name not in EXEMPT]
    assert not missing, f"add SAMPLE_KWARGS for {missing}"


def _expected_allowed(view, role: str) -> bool | None:
    caps = _caps(view)
    if caps is None:
        return None  # login only
    return bool(ROLE_CAPABILITIES[Role(role)] & set(caps))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_it_enforces_capabilities_for_every_page(role, fixtures):
    user = fixtures["users"][role]
    client = login_client(user)
    failures = []
    for name, pattern in page_patterns():
        if name in EXEMPT:
            continue
        kwargs = SAMPLE_KWARGS[name](fixtures) if name in SAMPLE_KWARGS else {}
        url = reverse(name, kwargs=kwargs)
        allowed = _expected_allowed(pattern.callback, role)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            status = response.status_code
            if status >= 500:
                failures.append(f"{method.upper()} {url}: {status}")
            elif allowed is False and status != 403 and not (method == "get" and status == 405):
                failures.append(f"{method.upper()} {url}: expected 403 for {role}, got {status}")
            elif allowed is True and status == 403:
                failures.append(f"{method.upper()} {url}: {role} refused")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_it_sends_anonymous_users_to_login(fixtures, client):
    for name, pattern in page_patterns():
        if name in EXEMPT:
            continue
        kwargs = SAMPLE_KWARGS[name](fixtures) if name in SAMPLE_KWARGS else {}
        url = reverse(name, kwargs=kwargs)
        if _is_public(pattern.callback):
            for method in ("get", "post"):
                assert getattr(client, method)(url).status_code < 500, (url, method)
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (302, 403, 405), (url, method, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.django_db
def test_it_keeps_jobs_private_to_their_owner(fixtures):
    other = login_client(fixtures["users"][Role.COUNTY_STAFF])
    assert other.get(reverse("core:job_detail", kwargs={"job_id": fixtures["job"].pk})).status_code == 404
    owner = login_client(fixtures["users"][Role.CITY_STAFF])
    assert owner.get(reverse("core:job_detail", kwargs={"job_id": fixtures["job"].pk})).status_code == 200


def api_paths():
    from laomo.api.api import api

    schema = api.get_openapi_schema()
    return sorted((path, method) for path, ops in schema["paths"].items() for method in ops)


@pytest.mark.django_db
def test_it_requires_a_token_for_every_api_operation(client):
    for path, method in api_paths():
        url = path.replace("{", "").replace("}", "")
        response = getattr(client, method)(url)
        assert response.status_code == 401, (method, path, response.status_code)
        assert set(response.json()) == {"message", "extra"}
