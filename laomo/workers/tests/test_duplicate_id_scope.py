"""An ID number already registered in another county (issue 11 finding 4): every way of registering a
worker refuses it without naming the person, their number or their unit; inside the actor's scope
the refusal stays helpful."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.models import Job
from laomo.workers import services
from laomo.workers.importer import roster_import
from laomo.workers.models import Worker

from .factories import make_id, make_worker
from .test_importer import _roster, write

NEUTRAL = "该身份证号已登记,不能重复登记;如需调整请联系市级管理员。"
ID_QY = make_id("331126", "19700815", "271")
ID_LD = make_id("331102", "19680101", "331")
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def people(orgs):
    return {
        "qy": make_worker(orgs["331126"], "叶长文", id_number=ID_QY, employer="庆元食用菌研究所"),
        "ld": make_worker(orgs["331102"], "张三", id_number=ID_LD),
    }


def _form(org, **extra):
    return {"name": "孙八", "id_number": "", "sex": "", "birth_date": "", "org": org.pk, "phone": "",
            "address": "", "employer": "", "job_title": "", "industry": "", "political_status": "",
            "education": "", "specialties": "", "note": "", "ethnicity": "", **extra}


def _discloses(text: str, worker: Worker) -> list[str]:
    """The identifying details of `worker` that appear in `text`."""
    return [s for s in (worker.name, worker.worker_no, worker.org.name, worker.org.short_name, worker.employer)
            if s and s in text]


# --- the service: page form, API and edits all go through it ------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_another_countys_id_number_without_naming_the_person(users, orgs, people):
    with pytest.raises(ValidationError) as exc:
        services.worker_create(actor=users["county_staff"], org=orgs["331102"], name="孙八", id_number=ID_QY)
    assert exc.value.message_dict == {"id_number": [NEUTRAL]}
    assert Worker.objects.filter(name="孙八").count() == 0


@pytest.mark.django_db
def test_it_keeps_the_helpful_refusal_inside_the_scope(users, orgs, people):
    with pytest.raises(ValidationError) as exc:
        services.worker_create(actor=users["county_staff"], org=orgs["331102"], name="孙八", id_number=ID_LD)
    message = exc.value.message_dict["id_number"][0]
    assert "张三" in message and people["ld"].worker_no in message
    # City staff see every county: the refusal names the 庆元 worker for them.
    with pytest.raises(ValidationError) as exc:
        services.worker_create(actor=users["city_staff"], org=orgs["331102"], name="孙八", id_number=ID_QY)
    assert "叶长文" in exc.value.message_dict["id_number"][0]


@pytest.mark.django_db
def test_it_refuses_an_edit_to_another_countys_id_number_without_naming_the_person(users, people):
    with pytest.raises(ValidationError) as exc:
        services.worker_update(actor=users["county_staff"], worker=people["ld"], id_number=ID_QY)
    assert exc.value.message_dict == {"id_number": [NEUTRAL]}


# --- the page form and its inline validation ------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_another_countys_id_number_on_the_page_form(clients, orgs, people):
    response = clients["county_staff"].post("/workers/new/", _form(orgs["331102"], id_number=ID_QY))
    page = response.content.decode()
    assert response.status_code == 200 and NEUTRAL in page
    assert _discloses(page, people["qy"]) == []
    assert Worker.objects.filter(name="孙八").count() == 0


@pytest.mark.django_db
def test_it_names_nobody_when_validating_another_countys_id_number_inline(clients, orgs, people):
    response = clients["county_staff"].post("/workers/new/", _form(orgs["331102"], id_number=ID_QY, _validate="1"),
                                            **HX)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="err-id_id_number" hx-swap-oob="true"' in page
    assert _discloses(page, people["qy"]) == []
    assert Worker.objects.filter(name="孙八").count() == 0


@pytest.mark.django_db
def test_it_refuses_another_countys_id_number_on_the_edit_page(clients, orgs, people):
    ld = people["ld"]
    data = _form(orgs["331102"], name=ld.name, id_number=ID_QY)
    page = clients["county_staff"].post(f"/workers/{ld.pk}/edit/", data).content.decode()
    assert NEUTRAL in page and _discloses(page, people["qy"]) == []


# --- the API --------------------------------------------------------------------------------------------------


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=SYSTEM, user=user)[1]}"}


@pytest.mark.django_db
def test_it_refuses_another_countys_id_number_through_the_api(client, users, people):
    auth = _auth(users["county_staff"])
    response = client.post("/api/v1/workers", {"name": "孙八", "org": "331102", "id_number": ID_QY},
                           content_type="application/json", **auth)
    assert response.status_code == 422
    assert response.json()["extra"]["errors"] == {"id_number": [NEUTRAL]}
    assert _discloses(response.content.decode("utf-8"), people["qy"]) == []
    response = client.patch(f"/api/v1/workers/{people['ld'].pk}", {"id_number": ID_QY},
                            content_type="application/json", **auth)
    assert response.status_code == 422 and response.json()["extra"]["errors"] == {"id_number": [NEUTRAL]}


# --- the import preview ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_another_countys_id_number_in_the_import_dry_run(tmp_path, users, orgs, people):
    rows = _roster(["叶长文", ID_QY, "莲都区", "莲都区劳动模范", "2019"])
    result = roster_import(actor=users["county_staff"], source=str(write(tmp_path, rows)), filename="名册.xlsx",
                           org=orgs["331102"], dry_run=True)
    assert result.errors_by_row == {2: [NEUTRAL]}
    # For city staff importing for 莲都区 the worker is in scope: the reason names the unit and number.
    result = roster_import(actor=users["city_staff"], source=str(write(tmp_path, rows)), filename="名册.xlsx",
                           org=orgs["331102"], dry_run=True)
    assert "庆元县" in result.errors_by_row[2][0] and people["qy"].worker_no in result.errors_by_row[2][0]


@pytest.fixture
def job_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.mark.django_db
def test_it_names_nobody_in_the_import_preview_page_and_its_report(clients, users, orgs, people, tmp_path, job_dir,
                                                                   django_capture_on_commit_callbacks):
    import io

    import openpyxl

    client = clients["county_staff"]
    path = write(tmp_path, _roster(["孙八", ID_QY, "莲都区", "莲都区劳动模范", "2019"]))
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as fh:
        client.post("/workers/import/", {"file": fh, "org": orgs["331102"].pk})
    preview = Job.objects.get(owner=users["county_staff"])
    assert preview.status == "done", preview.error
    page = client.get(f"/workers/import/{preview.pk}/").content.decode()
    assert NEUTRAL in page and _discloses(page, people["qy"]) == []
    data = b"".join(client.get(f"/core/jobs/{preview.pk}/download/").streaming_content)
    report = "\n".join(str(c) for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
                       for c in row if c is not None)
    assert NEUTRAL in report and _discloses(report, people["qy"]) == []


@pytest.mark.django_db
def test_it_leaves_fields_as_they_are_for_null_in_an_api_patch(client, users, people):
    """Found by schemathesis: PATCH {"name": null} was a 500 (TypeError in the pinyin of None)."""
    ld = people["ld"]
    response = client.patch(f"/api/v1/workers/{ld.pk}", {"name": None, "phone": None, "employer": "某厂"},
                            content_type="application/json", **_auth(users["county_staff"]))
    assert response.status_code == 200, response.content
    ld.refresh_from_db()
    assert (ld.name, ld.id_number, ld.employer) == ("张三", ID_LD, "某厂")
