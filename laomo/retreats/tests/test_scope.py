"""Data scope: a county sees the city's batches (it nominates for them) but never another county's batch,
and only its own people in any batch — by list, detail, search, export, API or a guessed id."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from conftest import login_client
from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.retreats import selectors

from . import factories as F

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=SYSTEM, user=user)[1]}"}


@pytest.fixture
def world(orgs):
    city, ld, qy = orgs["331100"], orgs["331102"], orgs["331126"]
    city_batch = F.batch(city, name="市级第一批", capacity=5)
    qy_batch = F.batch(qy, name="庆元自办批次", start=date(2030, 7, 1))
    ld_worker, qy_worker = F.worker(ld, "莲都张三"), F.worker(qy, "庆元李四")
    return {
        "city_batch": city_batch, "qy_batch": qy_batch,
        "ld_app": F.apply(city_batch, ld_worker), "qy_app": F.apply(city_batch, qy_worker),
        "qy_own": F.apply(qy_batch, F.worker(qy, "庆元王五")),
        "qy_vendor": F.vendor(qy, "庆元本地旅行社"),
        "ld_worker": ld_worker, "qy_worker": qy_worker,
    }


def test_it_shows_a_county_the_citys_batches_and_its_own_but_not_another_countys(world, users):
    names = {b.name for b in selectors.batch_list(user=users["county_staff"])}
    assert names == {"市级第一批"}
    assert {b.name for b in selectors.batch_list(user=users["county_staff_qy"])} == {"市级第一批", "庆元自办批次"}
    assert {b.name for b in selectors.batch_list(user=users["city_staff"])} == {"市级第一批", "庆元自办批次"}
    assert selectors.batch_list(user=users["sysadmin"]).count() == 0


def test_it_answers_a_guessed_batch_id_of_another_county_with_404(world, users):
    client = login_client(users["county_staff"])
    pk = world["qy_batch"].pk
    for url in (f"/retreats/batches/{pk}/", f"/retreats/batches/{pk}/report/", f"/retreats/batches/{pk}/roster.xlsx",
                f"/retreats/batches/{pk}/insurance.xlsx", f"/retreats/batches/{pk}/nominate/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/retreats/batches/{pk}/status/", {"status": "cancelled", "reason": "x"}).status_code == 404
    assert client.get(f"/api/v1/retreat-batches/{pk}", **bearer(users["county_staff"])).status_code == 404


def test_it_lists_only_the_countys_own_people_in_a_city_batch(world, users):
    client = login_client(users["county_staff"])
    page = client.get(f"/retreats/batches/{world['city_batch'].pk}/", **HX).content.decode()
    assert "莲都张三" in page and "庆元李四" not in page
    page = client.get("/retreats/applications/", {"q": "李四"}, **HX).content.decode()
    assert "庆元李四" not in page
    page = client.get("/retreats/applications/", **HX).content.decode()
    assert "莲都张三" in page and "庆元" not in page
    city_page = login_client(users["city_staff"]).get(f"/retreats/batches/{world['city_batch'].pk}/", **HX)
    assert "庆元李四" in city_page.content.decode()


def test_it_exports_only_the_countys_own_people(world, users):
    client = login_client(users["county_staff"])
    for url in (f"/retreats/batches/{world['city_batch'].pk}/?format=xlsx", "/retreats/applications/?format=xlsx"):
        rows = _xlsx(client.get(url))
        names = {r[3] for r in rows[1:]}
        assert names == {"莲都张三"}, url


def test_it_refuses_actions_on_another_countys_application(world, users):
    client = login_client(users["county_staff"])
    pk = world["qy_app"].pk
    for action in ("confirm", "reject", "withdraw", "attendance"):
        assert client.post(f"/retreats/applications/{pk}/{action}/", {"reason": "x"}).status_code == 404, action
    auth = bearer(users["county_staff"])
    assert client.get(f"/api/v1/retreat-applications/{pk}", **auth).status_code == 404
    assert client.post(f"/api/v1/retreat-applications/{pk}/withdraw", {"reason": "x"},
                       content_type="application/json", **auth).status_code == 404
    items = client.get(f"/api/v1/retreat-applications?batch={world['city_batch'].pk}", **auth).json()["items"]
    assert [i["worker_name"] for i in items] == ["莲都张三"]


def test_it_cannot_nominate_another_countys_worker_even_by_a_guessed_id(world, users):
    client = login_client(users["county_staff"])
    batch = world["city_batch"]
    response = client.get(f"/retreats/batches/{batch.pk}/nominate/", {"worker": world["qy_worker"].pk})
    assert response.status_code == 404
    response = client.post("/api/v1/retreat-applications", {"batch_id": batch.pk, "worker_id": world["qy_worker"].pk},
                           content_type="application/json", **bearer(users["county_staff"]))
    assert response.status_code == 404


def test_it_hides_another_countys_vendor(world, users):
    client = login_client(users["county_staff"])
    assert "庆元本地旅行社" not in client.get("/retreats/vendors/", **HX).content.decode()
    assert client.get(f"/retreats/vendors/{world['qy_vendor'].pk}/").status_code == 404
    assert "庆元本地旅行社" in login_client(users["county_staff_qy"]).get("/retreats/vendors/", **HX).content.decode()


def test_it_shows_a_worker_only_their_own_applications(world, users, orgs):
    user = F.worker_login(world["ld_worker"], "ld_worker")
    apps = selectors.application_list(user=user)
    assert [a.worker.name for a in apps] == ["莲都张三"]
    client = login_client(user)
    assert client.get(f"/retreats/my/applications/{world['qy_app'].pk}/withdraw/").status_code in (404, 405)
    assert client.post(f"/retreats/my/applications/{world['qy_app'].pk}/withdraw/").status_code == 404
    data = client.get("/api/v1/retreat-applications", **bearer(user)).json()
    assert [i["worker_name"] for i in data["items"]] == ["莲都张三"]
    # The batches open to the worker: the city's (their unit's ancestors), not 庆元's own batch.
    assert {b.name for b in selectors.batch_list(user=user)} == {"市级第一批"}


def _xlsx(response):
    data = b"".join(response.streaming_content)
    return [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
