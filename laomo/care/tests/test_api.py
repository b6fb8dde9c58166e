"""/api/v1 of 关爱劳模: money as decimal strings, refusals as 422 in the one error shape with nothing stored."""

from __future__ import annotations

from datetime import date

import pytest

from laomo.api.services import api_token_create
from laomo.care.models import BenefitGrant, CareVisit, HardshipSurvey
from laomo.core.actors import SYSTEM
from laomo.workers import services as worker_services

from .factories import survey_round, worker


@pytest.fixture
def api(client, users):
    tokens = {key: api_token_create(actor=SYSTEM, user=user)[1] for key, user in users.items()}

    def call(role, method, url, data=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return getattr(client, method)(url, **kwargs)

    return call


@pytest.fixture
def people(orgs):
    return {"甲": worker(orgs["331102"], "甲", "provincial"), "乙": worker(orgs["331102"], "乙", "municipal")}


CAMPAIGN = {"name": "2022年春节慰问", "year": 2022, "org": "331100", "start_date": "2022-01-10",
            "end_date": "2022-02-15", "budget": "1500.00", "min_level": "municipal", "amount_provincial": "1000",
            "amount_municipal": "500.50"}


def _error(response, status=422):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "extra"}
    return body


@pytest.mark.django_db
def test_it_creates_a_campaign_generates_and_pays_through_the_api(api, people):
    response = api("city_staff", "post", "/api/v1/care-campaigns", CAMPAIGN)
    assert response.status_code == 201, response.content
    c = response.json()
    assert (c["budget"], c["amounts"]["municipal"], c["paid"], c["min_level"]) == ("1500.00", "500.50", "0.00",
                                                                                    "municipal")
    gen = api("city_staff", "post", f"/api/v1/care-campaigns/{c['id']}/generate-recipients").json()
    assert gen == {"added": 2, "updated": 0, "excluded": 0, "total": 2}
    recipients = api("city_staff", "get", f"/api/v1/care-campaigns/{c['id']}/recipients").json()["items"]
    assert {r["name"]: r["planned_amount"] for r in recipients} == {"甲": "1000.00", "乙": "500.50"}
    visit = {"worker_id": people["甲"].pk, "campaign_id": c["id"], "visit_date": "2022-01-20", "method": "home",
             "amount": "1000.00", "payment_method": "transfer"}
    created = api("county_staff", "post", "/api/v1/care-visits", visit)
    assert created.status_code == 201 and created.json()["amount"] == "1000.00"
    assert "****" in created.json()["bank_account"]
    after = api("viewer", "get", f"/api/v1/care-campaigns/{c['id']}").json()
    assert (after["paid"], after["remaining_budget"], after["visited"]) == ("1000.00", "500.00", 1)


@pytest.mark.django_db
def test_it_refuses_with_422_and_stores_nothing(api, people, users):
    c = api("city_staff", "post", "/api/v1/care-campaigns", CAMPAIGN).json()
    api("city_staff", "post", f"/api/v1/care-campaigns/{c['id']}/generate-recipients")
    base = {"campaign_id": c["id"], "visit_date": "2022-01-20", "method": "home", "payment_method": "transfer"}
    api("city_staff", "post", "/api/v1/care-visits", {**base, "worker_id": people["甲"].pk, "amount": "1000"})
    twice = _error(api("city_staff", "post", "/api/v1/care-visits",
                       {**base, "worker_id": people["甲"].pk, "amount": "1000"}))
    assert "不能重复发放" in twice["extra"]["errors"]["worker"][0]
    budget = _error(api("city_staff", "post", "/api/v1/care-visits",
                        {**base, "worker_id": people["乙"].pk, "amount": "500.01"}))
    assert budget["extra"]["errors"]["amount"][0].startswith("超出活动预算")
    negative = _error(api("city_staff", "post", "/api/v1/care-visits",
                          {**base, "worker_id": people["乙"].pk, "amount": "-1"}))
    assert negative["extra"]["errors"]["amount"] == ["慰问金额不能为负数。"]
    worker_services.worker_set_status(actor=users["city_staff"], worker=people["乙"], status="deceased",
                                      status_date=date(2022, 1, 11))
    dead = _error(api("city_staff", "post", "/api/v1/care-visits",
                      {**base, "worker_id": people["乙"].pk, "amount": "500"}))
    assert "去世" in dead["extra"]["errors"]["worker"][0]
    assert CareVisit.objects.count() == 1
    assert _error(api("viewer", "post", "/api/v1/care-visits", {**base, "worker_id": people["乙"].pk}), 403)
    assert api("viewer", "get", "/api/v1/care-visits").status_code == 403
    assert api("sysadmin", "get", "/api/v1/care-campaigns").status_code == 403


@pytest.mark.django_db
def test_it_runs_the_survey_review_through_the_api(api, people, orgs):
    rnd = survey_round(orgs["331100"])
    form = {"round_id": rnd.pk, "worker_id": people["乙"].pk, "survey_date": "2022-04-01",
            "verification_method": "data", "household_size": 2, "employment": "active", "housing_type": "own",
            "income_own": "1200", "income_per_capita": "600", "health_category": "healthy", "causes": ["unemployment"]}
    created = api("county_staff", "post", "/api/v1/hardship-surveys", form)
    assert created.status_code == 201, created.content
    s = created.json()
    assert s["hardship_level"] == "hardship" and s["details"]["income_per_capita"] == "600.00"
    sid = s["id"]
    assert api("county_staff", "post", f"/api/v1/hardship-surveys/{sid}/submit").json()["status"] == "submitted"
    assert api("county_staff", "post", f"/api/v1/hardship-surveys/{sid}/approve", {"comment": ""}).status_code == 403
    returned = _error(api("city_staff", "post", f"/api/v1/hardship-surveys/{sid}/return", {"comment": ""}))
    assert "退回意见" in returned["extra"]["errors"]["comment"][0]
    assert api("city_staff", "post", f"/api/v1/hardship-surveys/{sid}/return",
               {"comment": "补充收入证明"}).json()["status"] == "returned"
    patched = api("county_staff", "patch", f"/api/v1/hardship-surveys/{sid}", {"income_per_capita": "2500"}).json()
    assert patched["hardship_level"] == "none"
    api("county_staff", "post", f"/api/v1/hardship-surveys/{sid}/submit")
    assert api("city_staff", "post", f"/api/v1/hardship-surveys/{sid}/approve",
               {"comment": "属实"}).json()["status"] == "approved"
    listed = api("city_staff", "get", "/api/v1/hardship-surveys").json()["items"][0]
    assert listed["details"] is None  # details only on the detail, audited
    assert HardshipSurvey.objects.get().status == "approved"


@pytest.mark.django_db
def test_it_records_benefit_grants_through_the_api(api, people):
    body = {"worker_id": people["甲"].pk, "benefit_type": "honor_allowance", "year": 2022,
            "grant_date": "2022-12-01", "amount": "600"}
    created = api("county_staff", "post", "/api/v1/benefit-grants", body)
    assert created.status_code == 201 and created.json()["amount"] == "600.00"
    again = _error(api("county_staff", "post", "/api/v1/benefit-grants", body))
    assert "已登记" in again["extra"]["errors"]["benefit_type"][0]
    items = api("city_staff", "get", "/api/v1/benefit-grants?year=2022").json()["items"]
    assert [(i["name"], i["benefit_type"], i["amount"]) for i in items] == [("甲", "honor_allowance", "600.00")]
    assert BenefitGrant.objects.count() == 1
