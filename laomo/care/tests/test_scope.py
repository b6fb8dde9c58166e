"""A county user never sees another county's record: by list, detail, search, export, API or a guessed id."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from conftest import login_client
from laomo.api.services import api_token_create
from laomo.care import selectors, services
from laomo.core.actors import SYSTEM

from .factories import campaign, survey, survey_round, worker

HX = {"HTTP_HX_REQUEST": "true"}
QY_NAMES = ("庆元甲", "庆元乙")


@pytest.fixture
def two_counties(orgs):
    lian, qy = orgs["331102"], orgs["331126"]
    people = {"莲都甲": worker(lian, "莲都甲", "provincial"), "莲都乙": worker(lian, "莲都乙", "municipal"),
              "庆元甲": worker(qy, "庆元甲", "provincial"), "庆元乙": worker(qy, "庆元乙", "municipal")}
    city = campaign(orgs["331100"], name="全市春节慰问")
    county_campaign = campaign(qy, name="庆元县自办慰问")
    for c in (city, county_campaign):
        services.recipients_generate(actor=SYSTEM, campaign=c)
    visits = {name: services.visit_record(actor=SYSTEM, worker=w, campaign=city, visit_date=date(2022, 1, 20),
                                          method="home", amount="300", payment_method="transfer")
              for name, w in people.items()}
    rnd = survey_round(orgs["331100"])
    surveys = {name: survey(rnd, w, per_capita="700", approve=name.endswith("甲")) for name, w in people.items()}
    grants = {name: services.benefit_grant_add(actor=SYSTEM, worker=w, benefit_type_code="health_checkup", year=2022,
                                               grant_date=date(2022, 10, 1)) for name, w in people.items()}
    return {"people": people, "city": city, "qy_campaign": county_campaign, "visits": visits, "surveys": surveys,
            "grants": grants, "round": rnd}


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    return response.content.decode()


def _sees_only_lian(text: str):
    assert "莲都甲" in text or "莲都乙" in text
    for name in QY_NAMES:
        assert name not in text


@pytest.mark.django_db
def test_it_keeps_lists_exports_and_searches_in_the_county(two_counties, users):
    client = login_client(users["county_staff"])
    city = two_counties["city"]
    for url, params in [
        ("/care/visits/", {}), ("/care/visits/", {"format": "xlsx"}), ("/care/visits/", {"q": "莲都"}),
        (f"/care/campaigns/{city.pk}/", {}), (f"/care/campaigns/{city.pk}/recipients/", {"format": "xlsx"}),
        (f"/care/campaigns/{city.pk}/sheet/", {}), (f"/care/campaigns/{city.pk}/sheet/", {"format": "xlsx"}),
        ("/care/surveys/", {}), ("/care/surveys/", {"format": "xlsx"}), ("/care/hardship/", {"level": "all"}),
        ("/care/hardship/", {"format": "xlsx", "level": "all"}), ("/care/benefits/", {}),
        ("/care/benefits/", {"format": "xlsx"}), ("/care/hardship/not-surveyed/", {"year": 2022}),
    ]:
        _sees_only_lian(_text(client.get(url, params)))
    assert "庆元甲" not in _text(client.get("/care/visits/", {"q": "庆元甲"}, **HX))
    assert "庆元甲" not in _text(client.get("/care/benefits/report/", {"year": 2022, "q": "庆元甲"}, **HX))
    assert "庆元甲" not in _text(client.get("/care/workers/search/", {"q": "庆元"}))
    listing = _text(client.get("/care/campaigns/"))
    assert "全市春节慰问" in listing and "庆元县自办慰问" not in listing


@pytest.mark.django_db
def test_it_answers_404_for_a_guessed_id_of_another_county(two_counties, users):
    client = login_client(users["county_staff"])
    t = two_counties
    for url in [f"/care/visits/{t['visits']['庆元甲'].pk}/", f"/care/surveys/{t['surveys']['庆元甲'].pk}/",
                f"/care/surveys/{t['surveys']['庆元乙'].pk}/edit/", f"/care/campaigns/{t['qy_campaign'].pk}/",
                f"/care/workers/{t['people']['庆元甲'].pk}/account/"]:
        assert client.get(url).status_code == 404, url
    for url in [f"/care/visits/{t['visits']['庆元甲'].pk}/void/", f"/care/visits/{t['visits']['庆元甲'].pk}/reveal/",
                f"/care/surveys/{t['surveys']['庆元乙'].pk}/submit/",
                f"/care/benefits/{t['grants']['庆元甲'].pk}/void/"]:
        assert client.post(url, {"reason": "试探"}).status_code == 404, url
    other = t["city"].recipients.get(worker=t["people"]["庆元甲"])
    assert client.post(f"/care/campaigns/{t['city'].pk}/recipients/{other.pk}/adjust/",
                       {"action": "exclude", "reason": "试探"}).status_code == 404
    assert not t["visits"]["庆元甲"].__class__.objects.filter(is_void=True).exists()


@pytest.mark.django_db
def test_it_scopes_the_money_of_a_city_campaign_for_a_county(two_counties, users):
    city = two_counties["city"]
    lian = selectors.campaign_figures(user=users["county_staff"], campaign_ids=[city.pk])[city.pk]
    whole = selectors.campaign_figures(user=users["city_staff"], campaign_ids=[city.pk])[city.pk]
    assert (lian["paid"], lian["recipients"]) == (600, 2) and (whole["paid"], whole["recipients"]) == (1200, 4)


@pytest.mark.django_db
def test_it_keeps_the_api_in_the_county(two_counties, users, client):
    _, raw = api_token_create(actor=SYSTEM, user=users["county_staff"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    t = two_counties
    for url in ["/api/v1/care-visits", "/api/v1/hardship-surveys", "/api/v1/benefit-grants",
                f"/api/v1/care-campaigns/{t['city'].pk}/recipients"]:
        response = client.get(url, **auth)
        assert response.status_code == 200, (url, response.content)
        names = {item["name"] for item in response.json()["items"]}
        assert names and names <= {"莲都甲", "莲都乙"}, (url, names)
    campaigns = {c["name"] for c in client.get("/api/v1/care-campaigns", **auth).json()["items"]}
    assert campaigns == {"全市春节慰问"}
    for url in [f"/api/v1/care-visits/{t['visits']['庆元甲'].pk}",
                f"/api/v1/hardship-surveys/{t['surveys']['庆元甲'].pk}",
                f"/api/v1/care-campaigns/{t['qy_campaign'].pk}"]:
        response = client.get(url, **auth)
        assert response.status_code == 404 and set(response.json()) == {"message", "extra"}
    response = client.post("/api/v1/care-visits", {"worker_id": t["people"]["庆元乙"].pk, "visit_date": "2022-01-20",
                                                    "method": "home"}, content_type="application/json", **auth)
    assert response.status_code == 404
