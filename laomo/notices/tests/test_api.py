"""/api/v1/notices: the publisher's list and detail with receipts, the unit inbox, and 确认收到."""

import pytest

from conftest import make_user
from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.orgs.roles import Role

pytestmark = pytest.mark.django_db


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=SYSTEM, user=user)[1]}"}


def test_it_lists_and_details_notices_with_receipts(client, notice, users, staff):
    body = client.get("/api/v1/notices", **auth(users["city_staff"])).json()
    assert [n["id"] for n in body["items"]] == [notice.pk]
    detail = client.get(f"/api/v1/notices/{notice.pk}", **auth(users["city_staff"])).json()
    assert (detail["units"], detail["confirmed"], detail["unread"]) == (3, 0, 3)
    assert {r["unit"] for r in detail["receipts"]} == {"331102", "331126", "331181"}
    assert detail["attachments"][0]["url"].startswith("/notices/files/")
    # A county sees the notice in its inbox, not on the publisher side.
    assert client.get("/api/v1/notices", **auth(staff["331102"])).json()["items"] == []
    assert client.get(f"/api/v1/notices/{notice.pk}", **auth(staff["331102"])).status_code == 422
    inbox = client.get("/api/v1/notices/inbox", **auth(staff["331102"])).json()
    assert inbox["items"][0]["id"] == notice.pk and inbox["items"][0]["confirmed_at"] is None


def test_it_confirms_once_and_refuses_units_not_targeted(client, notice, staff, orgs):
    url = f"/api/v1/notices/{notice.pk}/confirm"
    response = client.post(url, **auth(staff["331102"]))
    assert response.status_code == 200 and response.json()["confirmed_at"]
    again = client.post(url, **auth(staff["331102"]))
    assert again.status_code == 422 and "已于" in again.json()["message"] + str(again.json()["extra"])
    other = make_user("t_jinyun", Role.COUNTY_STAFF, orgs["331122"])
    assert client.post(url, **auth(other)).status_code == 422


def test_it_refuses_the_api_to_roles_without_business_access(client, notice, users):
    assert client.get("/api/v1/notices", **auth(users["worker"])).status_code == 403
    assert client.post(f"/api/v1/notices/{notice.pk}/confirm", **auth(users["sysadmin"])).status_code == 403
