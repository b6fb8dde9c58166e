import pytest
from django.core.management import call_command

from laomo.api.models import ApiToken
from laomo.api.services import api_token_create, api_token_revoke
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry


def _auth(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def tokens(users):
    return {key: api_token_create(actor=SYSTEM, user=user)[1] for key, user in users.items()}


@pytest.mark.django_db
def test_it_answers_me(client, tokens):
    data = client.get("/api/v1/me", **_auth(tokens["county_staff"])).json()
    assert data["username"] == "t_liandu" and data["roles"] == ["county_staff"]
    assert data["org"] == {"code": "331102", "name": "莲都区总工会", "kind": "county"}
    assert data["data_scope"] == "subtree"


@pytest.mark.django_db
def test_it_refuses_no_bad_or_revoked_tokens_with_one_error_shape(client, users):
    token, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    assert client.get("/api/v1/me").status_code == 401
    body = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nope").json()
    assert set(body) == {"message", "extra"} and "令牌" in body["message"]
    api_token_revoke(actor=SYSTEM, token=token)
    assert client.get("/api/v1/me", **_auth(raw)).status_code == 401


@pytest.mark.django_db
def test_it_refuses_tokens_of_disabled_users(client, users):
    from laomo.orgs.services import user_set_active

    _, raw = api_token_create(actor=SYSTEM, user=users["viewer"])
    user_set_active(actor=SYSTEM, user=users["viewer"], active=False)
    assert client.get("/api/v1/me", **_auth(raw)).status_code == 401


@pytest.mark.django_db
def test_it_refuses_a_token_at_once_however_it_or_its_user_was_turned_off(client, users):
    """Nothing of the token check is cached between requests: a change written straight to the database
    (not through the services) is seen by the very next request."""
    from laomo.orgs.models import User

    token, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    assert client.get("/api/v1/me", **_auth(raw)).status_code == 200
    User.objects.filter(pk=users["city_staff"].pk).update(is_active=False)
    assert client.get("/api/v1/me", **_auth(raw)).status_code == 401
    User.objects.filter(pk=users["city_staff"].pk).update(is_active=True)
    assert client.get("/api/v1/workers", **_auth(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.created_at)
    assert client.get("/api/v1/me", **_auth(raw)).status_code == 401


@pytest.mark.django_db
def test_it_sees_a_role_taken_away_on_the_next_request(client, users):
    _, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    assert client.get("/api/v1/workers", **_auth(raw)).status_code == 200
    users["city_staff"].groups.clear()
    assert client.get("/api/v1/workers", **_auth(raw)).status_code == 403
    assert client.get("/api/v1/me", **_auth(raw)).json()["roles"] == []


@pytest.mark.django_db
def test_it_stores_only_the_token_hash(users):
    token, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    assert raw not in token.key_hash and not ApiToken.objects.filter(key_hash=raw).exists()
    assert AuditEntry.objects.filter(action="api.token.create").exists()


@pytest.mark.django_db
def test_it_prints_the_token_alone_on_the_last_line(users, capsys, client):
    call_command("create_api_token", "t_city")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert client.get("/api/v1/me", **_auth(raw)).status_code == 200


@pytest.mark.django_db
def test_it_serves_the_summary_for_the_callers_unit(client, tokens):
    data = client.get("/api/v1/reports/summary?year=2022", **_auth(tokens["county_staff"])).json()
    assert data["year"] == 2022 and data["org"] == "331102"


@pytest.mark.django_db
def test_it_refuses_a_summary_of_another_county(client, tokens):
    response = client.get("/api/v1/reports/summary?year=2022&org=331126", **_auth(tokens["county_staff"]))
    assert response.status_code == 403 and set(response.json()) == {"message", "extra"}
    assert AuditEntry.objects.filter(action="core.permission.deny", actor_username="t_liandu").exists()
    assert client.get("/api/v1/reports/summary?year=2022&org=331126",
                      **_auth(tokens["city_staff"])).status_code == 200


@pytest.mark.django_db
def test_it_refuses_the_summary_to_administrators_and_workers(client, tokens):
    for role in ("sysadmin", "auditor", "worker"):
        assert client.get("/api/v1/reports/summary", **_auth(tokens[role])).status_code == 403


@pytest.mark.django_db
def test_it_gives_a_404_for_an_unknown_org(client, tokens):
    response = client.get("/api/v1/reports/summary?org=999999", **_auth(tokens["city_staff"]))
    assert response.status_code == 404 and "message" in response.json()


@pytest.mark.django_db
def test_it_reports_bad_parameters_in_the_error_shape(client, tokens):
    response = client.get("/api/v1/reports/summary?year=abc", **_auth(tokens["city_staff"]))
    assert response.status_code == 422 and response.json()["extra"]["errors"]


@pytest.mark.django_db
def test_it_publishes_openapi_and_local_docs(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.") and "/api/v1/me" in schema["paths"]
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()


@pytest.mark.django_db
def test_it_lets_the_security_admin_revoke_a_token(client, users, clients):
    token, raw = api_token_create(actor=SYSTEM, user=users["viewer"])
    assert token.prefix in clients["secadmin"].get("/system/security/").content.decode()
    clients["secadmin"].post(f"/system/security/tokens/{token.pk}/revoke/")
    assert client.get("/api/v1/me", **_auth(raw)).status_code == 401
    assert AuditEntry.objects.filter(action="api.token.revoke", actor_username="t_secadmin").exists()
