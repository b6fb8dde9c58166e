"""Data scope: a county user never sees another county's studio, achievement, mentorship or activity —
by list, detail, search, export, the API, the evidence file, the worker picker or a guessed id."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.studios import services

from .factories import PDF_BYTES, mentorship, studio, tech_help, worker

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def two_counties(orgs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    out = {}
    for code, tag in (("331102", "莲都"), ("331126", "庆元")):
        org = orgs[code]
        lead = worker(org, f"{tag}领衔人", "丽水市劳动模范")
        s = studio(org, lead, name=f"{tag}创新工作室")
        a = services.achievement_add(actor=SYSTEM, studio=s, kind="patent", title=f"{tag}专利成果",
                                     achieved_date=date(2022, 3, 1), patent_no=f"ZL20221000000{len(out)}.1",
                                     evidence=SimpleUploadedFile("证明.pdf", PDF_BYTES))
        m = mentorship(org, [lead], [f"{tag}徒弟"], title=f"{tag}传帮带")
        t = tech_help(org, [lead], topic=f"{tag}技术培训")
        out[tag] = {"studio": s, "achievement": a, "mentorship": m, "tech_help": t, "lead": lead}
    return out


def xlsx_text(response) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return " ".join(str(c) for row in wb.active.iter_rows(values_only=True) for c in row if c is not None)


LISTS = [("/studios/", "创新工作室"), ("/studios/achievements/", "专利成果"), ("/studios/mentorships/", "传帮带"),
         ("/studios/tech-help/", "技术培训")]


@pytest.mark.parametrize(("url", "suffix"), LISTS)
def test_it_lists_searches_and_exports_only_the_users_county(clients, two_counties, url, suffix):
    liandu = clients["county_staff"]
    for params in ({}, {"q": "庆元"}, {"q": suffix}):
        page = liandu.get(url, params, **HX).content.decode()
        assert "庆元" not in page
        if params.get("q") != "庆元":
            assert f"莲都{suffix}" in page
    exported = xlsx_text(liandu.get(url, {"format": "xlsx", "q": suffix}))
    assert "莲都" in exported and "庆元" not in exported
    city = clients["city_staff"].get(url, **HX).content.decode()
    assert "莲都" in city and "庆元" in city


def test_it_answers_404_for_a_guessed_id_of_another_county(clients, two_counties):
    qy = two_counties["庆元"]
    liandu = clients["county_staff"]
    urls = [f"/studios/{qy['studio'].pk}/", f"/studios/{qy['studio'].pk}/edit/",
            f"/studios/{qy['studio'].pk}/achievements/add/",
            f"/studios/achievements/{qy['achievement'].pk}/evidence/",
            f"/studios/mentorships/{qy['mentorship'].pk}/", f"/studios/mentorships/{qy['mentorship'].pk}/edit/",
            f"/studios/tech-help/{qy['tech_help'].pk}/", f"/studios/tech-help/{qy['tech_help'].pk}/edit/"]
    for url in urls:
        assert liandu.get(url).status_code == 404, url
    posts = [(f"/studios/{qy['studio'].pk}/status/", {"to_status": "revoked", "date": "2022-05-01", "reason": "x"}),
             (f"/studios/{qy['studio'].pk}/members/add/", {"name": "潜入者", "role": "member"}),
             (f"/studios/achievements/{qy['achievement'].pk}/withdraw/", {"reason": "x"}),
             (f"/studios/mentorships/{qy['mentorship'].pk}/checkins/add/", {"date": "2022-05-01", "content": "x"}),
             (f"/studios/mentorships/{qy['mentorship'].pk}/delete/", {"reason": "x"}),
             (f"/studios/tech-help/{qy['tech_help'].pk}/delete/", {"reason": "x"})]
    for url, data in posts:
        assert liandu.post(url, data).status_code == 404, url
    qy["studio"].refresh_from_db()
    assert qy["studio"].status == "cultivating" and not qy["studio"].members.filter(name="潜入者").exists()
    assert clients["county_staff_qy"].get(f"/studios/{qy['studio'].pk}/").status_code == 200


def test_it_serves_the_evidence_file_only_in_scope(clients, two_counties):
    ld = two_counties["莲都"]["achievement"]
    response = clients["county_staff"].get(f"/studios/achievements/{ld.pk}/evidence/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert clients["county_staff_qy"].get(f"/studios/achievements/{ld.pk}/evidence/").status_code == 404
    assert clients["worker"].get(f"/studios/achievements/{ld.pk}/evidence/").status_code == 403
    assert clients["sysadmin"].get(f"/studios/achievements/{ld.pk}/evidence/").status_code == 403


def test_it_scopes_the_api(client, users, two_counties):
    _, raw = api_token_create(actor=SYSTEM, user=users["county_staff"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    qy = two_counties["庆元"]
    for path in ("/api/v1/studios", "/api/v1/mentorships", "/api/v1/tech-help"):
        body = client.get(path, **auth).json()
        assert body["items"] and all("庆元" not in str(item) for item in body["items"]), path
    assert client.get("/api/v1/studios?q=庆元", **auth).json()["items"] == []
    assert client.get("/api/v1/mentorships?q=庆元", **auth).json()["items"] == []
    for path in (f"/api/v1/studios/{qy['studio'].pk}", f"/api/v1/studios/{qy['studio'].pk}/achievements",
                 f"/api/v1/studios/{qy['studio'].pk}/assessments", f"/api/v1/mentorships/{qy['mentorship'].pk}",
                 f"/api/v1/tech-help/{qy['tech_help'].pk}"):
        response = client.get(path, **auth)
        assert response.status_code == 404 and set(response.json()) == {"message", "extra"}, path
    assert client.get("/api/v1/studios?org=331126", **auth).status_code == 403


def test_it_offers_only_workers_in_scope_to_pick(clients, two_counties):
    page = clients["county_staff"].get("/studios/worker-search/", {"q": "领衔人", "target": "id_lead"}).content.decode()
    assert "莲都领衔人" in page and "庆元领衔人" not in page
    response = clients["county_staff"].post("/studios/mentorships/new/", {
        "title": "越界结对", "mentors": "庆元领衔人", "apprentices": "某人",
        "org": two_counties["莲都"]["studio"].org_id, "start_date": "2022-03-01", "goals": "x"})
    assert "未找到劳模“庆元领衔人”(或不在您的数据范围内)。" in response.content.decode()
