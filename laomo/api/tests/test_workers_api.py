import pytest

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.workers.services import honor_add, worker_create

ID_LD = "331102196503120016"


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=SYSTEM, user=user)[1]}"}


@pytest.fixture
def registry(orgs):
    ld = worker_create(actor=SYSTEM, org=orgs["331102"], name="张三", id_number=ID_LD, phone="13805781234")
    honor_add(actor=SYSTEM, worker=ld, title="浙江省劳动模范", year=2015)
    honor_add(actor=SYSTEM, worker=ld, title="丽水市劳动模范", year=2010)
    qy = worker_create(actor=SYSTEM, org=orgs["331126"], name="叶长文", specialties="食用菌栽培")
    honor_add(actor=SYSTEM, worker=qy, title="庆元县劳动模范", year=2018)
    return {"ld": ld, "qy": qy}


@pytest.mark.django_db
def test_it_lists_workers_in_the_contract_shape(client, users, registry):
    data = client.get("/api/v1/workers", **_auth(users["city_staff"])).json()
    assert set(data) == {"items", "next"} and data["next"] is None
    item = next(i for i in data["items"] if i["name"] == "张三")
    assert item["org"] == "331102" and item["highest_level"] == "provincial"
    assert {"level": "provincial", "kind": "model_worker", "year": 2015, "title": "浙江省劳动模范"}.items() <= \
        item["honors"][0].items()
    assert item["id_number"] == "3311**********0016"


@pytest.mark.django_db
def test_it_scopes_the_list_to_the_county(client, users, registry):
    names = {i["name"] for i in client.get("/api/v1/workers", **_auth(users["county_staff"])).json()["items"]}
    assert names == {"张三"}
    response = client.get("/api/v1/workers?org=331126", **_auth(users["county_staff"]))
    assert response.status_code == 403


@pytest.mark.django_db
def test_it_finds_a_worker_by_exact_id_number(client, users, registry):
    auth = _auth(users["city_staff"])
    items = client.get(f"/api/v1/workers?id_number={ID_LD.lower()}", **auth).json()["items"]
    assert [i["name"] for i in items] == ["张三"]
    assert client.get("/api/v1/workers?id_number=331102196503120024", **auth).json()["items"] == []
    assert [i["name"] for i in client.get("/api/v1/workers?q=ycw", **auth).json()["items"]] == ["叶长文"]
    assert [i["name"] for i in client.get("/api/v1/workers?level=county", **auth).json()["items"]] == ["叶长文"]


@pytest.mark.django_db
def test_it_paginates_with_a_next_link(client, users, orgs):
    for i in range(55):
        worker_create(actor=SYSTEM, org=orgs["331102"], name=f"工人{i}")
    auth = _auth(users["city_staff"])
    first = client.get("/api/v1/workers", **auth).json()
    assert len(first["items"]) == 50 and "page=2" in first["next"]
    second = client.get(first["next"], **auth).json()
    assert len(second["items"]) == 5 and second["next"] is None


@pytest.mark.django_db
def test_it_hides_another_countys_worker_behind_a_404(client, users, registry):
    response = client.get(f"/api/v1/workers/{registry['qy'].pk}", **_auth(users["county_staff"]))
    assert response.status_code == 404 and set(response.json()) == {"message", "extra"}


@pytest.mark.django_db
def test_it_reveals_pii_in_detail_only_to_roles_that_may_and_audits_it(client, users, registry):
    data = client.get(f"/api/v1/workers/{registry['ld'].pk}", **_auth(users["county_staff"])).json()
    assert data["id_number"] == ID_LD and data["phone"] == "13805781234" and data["pii_revealed"]
    assert AuditEntry.objects.filter(action="core.pii.reveal", actor_username="t_liandu").exists()
    masked = client.get(f"/api/v1/workers/{registry['ld'].pk}", **_auth(users["viewer"])).json()
    assert masked["id_number"] == "3311**********0016" and masked["phone"] == "138****1234"


@pytest.mark.django_db
def test_it_creates_and_updates_workers(client, users):
    auth = _auth(users["county_staff"])
    response = client.post("/api/v1/workers", {"name": "王五", "org": "331102", "id_number": "331102197001010014"},
                           content_type="application/json", **auth)
    assert response.status_code == 201, response.json()
    worker = response.json()
    assert worker["birth_date"] == "1970-01-01" and worker["sex"] == "M"
    response = client.patch(f"/api/v1/workers/{worker['id']}", {"employer": "丽水某厂"},
                            content_type="application/json", **auth)
    assert response.json()["employer"] == "丽水某厂"


@pytest.mark.django_db
def test_it_refuses_bad_input_in_the_error_shape(client, users):
    auth = _auth(users["county_staff"])
    response = client.post("/api/v1/workers", {"name": "王五", "org": "331102", "id_number": "331102197001010013"},
                           content_type="application/json", **auth)
    assert response.status_code == 422 and "校验位" in response.json()["extra"]["errors"]["id_number"][0]
    response = client.post("/api/v1/workers", {"name": "王五", "org": "331126"}, content_type="application/json",
                           **auth)
    assert response.status_code == 403
    assert client.post("/api/v1/workers", {"org": "331102"}, content_type="application/json",
                       **auth).status_code == 422


@pytest.mark.django_db
def test_it_refuses_writes_to_viewers(client, users, registry):
    auth = _auth(users["viewer"])
    assert client.post("/api/v1/workers", {"name": "x", "org": "331100"}, content_type="application/json",
                       **auth).status_code == 403
    assert client.post(f"/api/v1/workers/{registry['ld'].pk}/honors", {"title": "全国劳动模范"},
                       content_type="application/json", **auth).status_code == 403


@pytest.mark.django_db
def test_it_manages_honors(client, users, registry):
    auth = _auth(users["county_staff"])
    url = f"/api/v1/workers/{registry['ld'].pk}/honors"
    assert len(client.get(url, **auth).json()) == 2
    response = client.post(url, {"title": "全国五一劳动奖章", "year": 2020}, content_type="application/json", **auth)
    assert response.status_code == 201 and response.json()["level"] == "national"
    assert client.get(f"/api/v1/workers/{registry['ld'].pk}", **auth).json()["highest_level"] == "national"
    bad = client.post(url, {"title": "优秀共产党员"}, content_type="application/json", **auth)
    assert bad.status_code == 422
    honor_id = response.json()["id"]
    assert client.delete(f"{url}/{honor_id}?reason=录入错误", **auth).status_code == 204
    assert client.get(f"/api/v1/workers/{registry['ld'].pk}", **auth).json()["highest_level"] == "provincial"


@pytest.mark.django_db
def test_it_counts_workers_in_the_summary(client, users, registry):
    city = client.get("/api/v1/reports/summary?year=2022", **_auth(users["city_staff"])).json()
    assert city["workers"]["total"] == 2
    assert city["workers"]["by_level"] == {"national": 0, "provincial": 1, "municipal": 0, "county": 1}
    county = client.get("/api/v1/reports/summary?year=2022", **_auth(users["county_staff"])).json()
    assert county["workers"]["total"] == 1
