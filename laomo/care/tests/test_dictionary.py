"""The care lists on the one data dictionary page (/core/dictionary/): hardship causes with their 重大致困因素
flag, health categories, and the benefit types' panel with their own create/edit pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import login_client
from laomo.care import services
from laomo.care.models import BenefitType
from laomo.core import dictionary
from laomo.core.models import AuditEntry, DictItem

from .factories import survey, survey_round, worker


@pytest.mark.django_db
def test_the_dictionary_page_shows_the_care_lists_and_the_benefit_types(users):
    city = login_client(users["city_staff"])
    page = city.get("/core/dictionary/").content.decode()
    assert 'data-testid="dict-hardship_cause"' in page and 'data-testid="dict-health_category"' in page
    assert 'data-testid="benefit-types"' in page and "疗休养" in page and "重大致困因素" in page
    assert city.get("/care/settings/")["Location"] == "/core/dictionary/"
    assert login_client(users["county_staff"]).get("/core/dictionary/").status_code == 403
    assert login_client(users["county_staff"]).get("/care/settings/").status_code == 403


@pytest.mark.django_db
def test_city_staff_add_a_severe_cause_that_the_survey_then_uses(users, orgs):
    city = login_client(users["city_staff"])
    response = city.post("/core/dictionary/hardship_cause/new/", {"code": "debt", "label": "因债", "sort_order": "9",
                                                                   "is_active": "on", "flag_severe": "on"})
    assert response.status_code == 302 and response["Location"] == "/core/dictionary/"
    item = DictItem.objects.get(kind="hardship_cause", code="debt")
    assert item.flag("severe") and AuditEntry.objects.filter(action="core.dictionary.save").exists()
    # 800 < 1000 with a severe cause: 特殊困难
    s = survey(survey_round(orgs["331100"]), worker(orgs["331102"], "甲"), per_capita="800", causes=["debt"])
    assert s.hardship_level == "special"
    with pytest.raises(PermissionDenied):
        dictionary.item_save(actor=users["county_staff"], kind_code="hardship_cause", code="x1", label="其他原因")
    with pytest.raises(ValidationError):
        dictionary.item_save(actor=users["city_staff"], kind_code="hardship_cause", code="debt", label="重复")


@pytest.mark.django_db
def test_a_deactivated_cause_is_not_offered_but_old_forms_keep_its_label(users, orgs):
    rnd = survey_round(orgs["331100"])
    s = survey(rnd, worker(orgs["331102"], "甲"), causes=["education"], approve=False)
    education = DictItem.objects.get(kind="hardship_cause", code="education")
    dictionary.item_save(actor=users["city_staff"], item=education, is_active=False)
    city = login_client(users["city_staff"])
    form = city.get("/care/surveys/new/").content.decode()
    assert 'value="education"' not in form and 'value="illness"' in form
    assert "因学" in city.get(f"/care/surveys/{s.pk}/").content.decode()


@pytest.mark.django_db
def test_benefit_types_are_edited_on_their_own_pages_and_return_to_the_dictionary(users):
    city = login_client(users["city_staff"])
    t = BenefitType.objects.get(code="health_checkup")
    assert "健康体检" in city.get(f"/care/settings/benefit-types/{t.pk}/").content.decode()
    response = city.post("/care/settings/benefit-types/new/", {
        "code": "birthday", "name": "生日慰问", "min_level_rank": "3", "statuses": ["retired"], "hardship": "",
        "standard_amount": "200", "visit_types": ["elderly"], "yearly": "on", "sort_order": "9", "is_active": "on"})
    assert response.status_code == 302 and response["Location"] == "/core/dictionary/"
    assert BenefitType.objects.get(code="birthday").name == "生日慰问"
    assert AuditEntry.objects.filter(action="care.benefit_type.save").exists()
    assert login_client(users["county_staff"]).get("/care/settings/benefit-types/new/").status_code == 403
    assert services.benefit_type_save  # the retreats module and the panel keep the public name


@pytest.mark.django_db
def test_the_level_preview_reads_the_severe_flag_from_the_dictionary(users, orgs):
    survey_round(orgs["331100"], year=timezone.localdate().year)
    city = login_client(users["city_staff"])
    page = city.post("/care/surveys/new/", {"_validate": "1", "income_per_capita": "800", "causes": ["illness"]},
                     HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="level-preview"' in page and "特殊困难" in page
