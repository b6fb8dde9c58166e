"""schemathesis over the whole OpenAPI schema (issue 11, robustness tests): every operation, called as a
city, a county and a viewer token with generated requests, never answers a server error.

The schema is the one the API serves; requests go through Django's test client (inside the test's
transaction), so the generated data meets a database with records in each token's scope. Half of the
examples replace the generated ids and org codes with ones that exist, so that operations get past
their 404s and 403s into the services. Derandomized: the same code runs the same examples.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.tests.test_role_matrix import fixtures  # noqa: F401  (records of every module)

pytestmark = [pytest.mark.heavy, pytest.mark.django_db]

EXAMPLES = 12  # per operation and token: ~110 operations × 3 tokens in a few minutes
ROLES = ("city_staff", "county_staff", "viewer")
ID_LIST_KEYS = {"workers", "volunteers", "members", "mentors", "apprentices", "speakers", "worker_ids", "ids"}


def _schema():
    from laomo.api.api import api

    return schemathesis.openapi.from_dict(api.get_openapi_schema())


def _existing(value, key: str, pick: int, org_codes: list[str], *, in_list: bool = False):
    """`value` with its ids and org codes replaced by small ids and real codes (chosen by `pick`)."""
    if isinstance(value, dict):
        return {k: _existing(v, k, pick + i, org_codes) for i, (k, v) in enumerate(value.items())}
    if isinstance(value, list):
        return [_existing(v, key, pick + i, org_codes, in_list=key in ID_LIST_KEYS) for i, v in enumerate(value)]
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and (in_list or key.endswith("_id") or key.endswith("_ids") or key == "id"):
        return pick % 8 + 1
    if isinstance(value, str) and key in ("org", "org_code", "unit"):
        return org_codes[pick % len(org_codes)]
    return value


def _send(client, case, token: str):
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers={"Authorization": f"Bearer {token}"})
    prepared = requests.Request(**{k: v for k, v in kwargs.items() if k in (
        "method", "url", "headers", "params", "json", "data", "files", "cookies", "auth")}).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body or b""
    headers = {k: v for k, v in prepared.headers.items() if k.lower() not in ("content-type", "content-length")}
    response = client.generic(prepared.method, url.path + (f"?{url.query}" if url.query else ""),
                              data=body.encode() if isinstance(body, str) else body,
                              content_type=prepared.headers.get("Content-Type", ""), headers=headers)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    exc_info = getattr(response, "exc_info", None)
    note = f"\n{exc_info[0].__name__}: {exc_info[1]}" if exc_info else ""
    headers = {k.lower(): [v] for k, v in response.items()}
    return schemathesis.Response(status_code=response.status_code, headers=headers, content=content,
                                 request=prepared, elapsed=0.0, verify=True), note


def _fuzz(operation, client, token: str, org_codes: list[str]):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), real=st.booleans(), pick=st.integers(0, 10**6))
    def run(case, real, pick):
        if real:
            case.path_parameters = {k: (pick + i) % 8 + 1 if isinstance(v, int) else v
                                    for i, (k, v) in enumerate((case.path_parameters or {}).items())}
            if isinstance(case.body, dict | list):
                case.body = _existing(case.body, "", pick, org_codes)
        response, note = _send(client, case, token)
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except BaseExceptionGroup as exc:  # schemathesis' FailureGroup of the failed checks
            body = json.dumps(case.body, ensure_ascii=False, default=str)[:500]
            raise AssertionError(f"{exc}{note}\nbody sent: {body}")

    run()


def test_it_answers_no_server_error_to_generated_requests_for_any_token(fixtures, client):  # noqa: F811
    client.raise_request_exception = False  # a 500 is an answer to check, with its exception noted
    org_codes = sorted(fixtures["orgs"])
    schema = _schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100
    failures = []
    for role in ROLES:
        _, token = api_token_create(actor=SYSTEM, user=fixtures["users"][role])
        for operation in operations:
            try:
                _fuzz(operation, client, token, org_codes)
            except Exception as exc:  # collect every operation's failure, then fail once with all of them
                failures.append(f"--- {role} {operation.method.upper()} {operation.path}\n{str(exc)[:3000]}")
    assert not failures, f"{len(failures)} operations answered a server error:\n" + "\n".join(failures)
