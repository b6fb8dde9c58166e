"""`Cache-Control: no-store` on pages with personal data, on every export and download, on the API.

Static files are served by WhiteNoise and stay cacheable; every response Django renders is no-store
(laomo.core.middleware.NoStoreMiddleware), whatever a view set itself.
"""

import pytest
from django.urls import reverse

from conftest import login_client
from laomo.core.actors import SYSTEM
from laomo.orgs.roles import Role

from .test_role_matrix import EXEMPT, SAMPLE_KWARGS, fixtures, page_patterns  # noqa: F401


def no_store(response) -> bool:
    value = response.get("Cache-Control", "")
    return "no-store" in value and "private" in value and "max-age=0" in value


def _is_download(response) -> bool:
    return "attachment" in response.get("Content-Disposition", "") or response.streaming


@pytest.fixture
def worker(orgs):
    from laomo.workers.services import worker_create

    return worker_create(actor=SYSTEM, org=orgs["331102"], name="李四", id_number="331102196503120016",
                         phone="13800000000")


@pytest.mark.django_db
def test_it_never_stores_pages_with_personal_data(users, worker):
    client = login_client(users[Role.CITY_STAFF])
    responses = {
        "worker detail": client.get(reverse("workers:detail", kwargs={"pk": worker.pk})),
        "worker list": client.get(reverse("workers:list")),
        "reveal": client.post(reverse("workers:reveal", kwargs={"pk": worker.pk, "field": "id_number"})),
        "dashboard": client.get(reverse("dashboard")),
        "audit log": login_client(users[Role.AUDITOR]).get(reverse("core:audit_list")),
    }
    assert responses["reveal"].status_code == 200 and "331102196503120016" in responses["reveal"].content.decode()
    for label, response in responses.items():
        assert response.status_code == 200, label
        assert no_store(response), (label, response.get("Cache-Control"))


@pytest.mark.django_db
def test_it_never_stores_exports_and_downloads(users, worker, tmp_path):
    from laomo.core.models import Job

    client = login_client(users[Role.CITY_STAFF])
    lst = client.get(reverse("workers:list") + "?format=xlsx")
    full = client.get(reverse("workers:list") + "?format=xlsx&full=1")
    for response in (lst, full):
        assert response.status_code == 200 and _is_download(response)
        assert no_store(response), response.get("Cache-Control")

    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    job = Job.objects.create(kind="workers.export", title="导出", owner=users[Role.CITY_STAFF], status="done",
                             result_file=str(path), result_filename="劳模名册.xlsx")
    download = client.get(reverse("core:job_download", kwargs={"job_id": job.pk}))
    assert download.status_code == 200 and _is_download(download)
    assert no_store(download), download.get("Cache-Control")

    template = client.get(reverse("workers:import_template"))
    assert template.status_code == 200 and no_store(template)


@pytest.mark.django_db
def test_it_never_stores_api_answers(users, worker, client):
    from laomo.api.services import api_token_create

    _, raw = api_token_create(actor=SYSTEM, user=users[Role.CITY_STAFF])
    response = client.get("/api/v1/workers", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.json()["items"][0]["name"] == "李四"
    assert no_store(response), response.get("Cache-Control")


@pytest.mark.django_db
def test_it_overrides_the_caching_a_view_sets(users, orgs):
    # photo views used to answer "private, max-age=...": the browser kept people's photos on disk
    from django.http import HttpResponse

    from laomo.core.middleware import NoStoreMiddleware

    def view(request):
        response = HttpResponse(b"jpeg")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    from django.test import RequestFactory

    response = NoStoreMiddleware(view)(RequestFactory().get("/x"))
    assert no_store(response) and "public" not in response["Cache-Control"]


@pytest.mark.heavy  # about 200 URLs, twice each
@pytest.mark.django_db
def test_it_never_stores_any_export(fixtures):  # noqa: F811
    client = login_client(fixtures["users"][Role.CITY_STAFF])
    downloads, failures = [], []
    for name, _pattern in page_patterns():
        if name in EXEMPT:
            continue
        url = reverse(name, kwargs=SAMPLE_KWARGS[name](fixtures) if name in SAMPLE_KWARGS else {})
        for query in ("?format=xlsx", "?format=xlsx&full=1"):
            response = client.get(url + query)
            if _is_download(response):
                downloads.append(url + query)
            if not no_store(response):
                failures.append(f"{url}{query}: {response.status_code} {response.get('Cache-Control')!r}")
    assert not failures, "\n".join(failures)
    assert len(downloads) >= 20, downloads  # the exports were reached, not refused
