"""The hardship survey: the level from per-capita income against the threshold plus causes, the review (county
submits → city approves or returns with a comment), sensitive details encrypted and kept out of the audit log."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from laomo.care import services
from laomo.care.models import HardshipLevel, HardshipSurvey, SurveyStatus
from laomo.care.selectors import worker_ids_in_hardship
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry, Notification
from laomo.workers import services as worker_services

from .factories import survey, survey_round, worker

D = Decimal


@pytest.mark.parametrize(("per_capita", "causes", "level"), [
    ("999.99", [], HardshipLevel.HARDSHIP),
    ("999.99", ["education"], HardshipLevel.HARDSHIP),
    ("999.99", ["illness"], HardshipLevel.SPECIAL),
    ("1000.00", [], HardshipLevel.NONE),
    ("1000.00", ["disaster"], HardshipLevel.HARDSHIP),  # low-income margin with a severe cause
    ("1499.99", ["disability"], HardshipLevel.HARDSHIP),
    ("1500.00", ["disability"], HardshipLevel.NONE),
    ("1200.00", ["unemployment"], HardshipLevel.NONE),
])
def test_it_computes_the_level_from_income_and_causes(per_capita, causes, level):
    assert services.compute_hardship_level(per_capita=D(per_capita), threshold=D("1000"), factor=D("1.5"),
                                           causes=causes, severe_codes=["illness", "disability", "disaster"]) == level


@pytest.fixture
def rnd(orgs):
    return survey_round(orgs["331100"], threshold="1000")


@pytest.fixture
def w(orgs):
    return worker(orgs["331102"], "张三", "municipal")


@pytest.mark.django_db
def test_it_stores_health_and_hardship_details_encrypted_and_out_of_the_audit_log(rnd, w, users):
    s = survey(rnd, w, per_capita="800", causes=["illness"], approve=False, actor=users["county_staff"])
    assert s.hardship_level == HardshipLevel.SPECIAL
    assert s.details["health_detail"] == "高血压,长期服药" and s.details["income_per_capita"] == "800.00"
    with connection.cursor() as cursor:
        cursor.execute("SELECT details FROM care_hardshipsurvey WHERE id = %s", [s.pk])
        raw = cursor.fetchone()[0]
    for secret in ("高血压", "800.00", "illness", "医疗费用", "chronic"):
        assert secret not in raw
    logged = " ".join(str(e.changes) for e in AuditEntry.objects.filter(object_type="care.hardshipsurvey"))
    for secret in ("高血压", "800", "illness", "医疗费用", "chronic", "special"):
        assert secret not in logged
    assert "health_detail" in logged  # which fields, never their values


@pytest.mark.django_db
def test_it_reviews_county_submits_city_approves_or_returns(rnd, w, users):
    county, city = users["county_staff"], users["city_staff"]
    s = survey(rnd, w, approve=False, actor=county)
    services.survey_submit(actor=county, survey=s)
    assert Notification.objects.filter(recipient=city, text__contains="请审核").exists()
    with pytest.raises(PermissionDenied):  # the county does not review
        services.survey_approve(actor=county, survey=s)
    with pytest.raises(ValidationError) as exc:
        services.survey_return(actor=city, survey=s, comment="  ")
    assert exc.value.message_dict["comment"] == ["请填写退回意见,说明需要补充或更正的内容。"]
    services.survey_return(actor=city, survey=s, comment="请补充医疗费用票据")
    s.refresh_from_db()
    assert (s.status, s.review_comment) == (SurveyStatus.RETURNED, "请补充医疗费用票据")
    assert Notification.objects.filter(recipient=county, text__contains="被退回").exists()
    services.survey_update(actor=county, survey=s, income_per_capita="1200")
    s.refresh_from_db()
    assert s.hardship_level == HardshipLevel.HARDSHIP  # 1200 < 1500 with illness
    services.survey_submit(actor=county, survey=s)
    services.survey_approve(actor=city, survey=s, comment="属实")
    s.refresh_from_db()
    assert s.status == SurveyStatus.APPROVED and s.reviewed_by == city
    with pytest.raises(ValidationError):  # approved forms are final
        services.survey_update(actor=county, survey=s, needs="改")
    with pytest.raises(ValidationError):
        services.survey_approve(actor=city, survey=s)


@pytest.mark.django_db
def test_it_validates_the_form_in_chinese(rnd, w):
    with pytest.raises(ValidationError) as exc:
        services.survey_create(actor=SYSTEM, survey_round=rnd, worker=w, survey_date=date(2021, 12, 1),
                               verification_method="guess", household_size=0, employment="deceased",
                               housing_type="own", income_own="-1", income_per_capita="", health_category="x",
                               causes=["laziness"])
    errors = exc.value.message_dict
    assert errors["survey_date"] == ["走访日期应在2022年内。"]
    assert errors["verification_method"] == ["请选择核实方式(先核实、后补助)。"]
    assert errors["household_size"] == ["家庭人口数应为 1 至 30 的整数。"]
    assert errors["employment"] == ["请选择就业状况。"]
    assert errors["income_own"] == ["本人月收入不能为负数。"]
    assert errors["income_per_capita"] == ["请填写家庭人均月收入(元)。"]
    assert errors["health_category"] == ["请选择健康状况。"]
    assert errors["causes"] == ["致困原因无效。"]
    assert not HardshipSurvey.objects.exists()


@pytest.mark.django_db
def test_it_allows_one_form_per_worker_per_round(rnd, w):
    survey(rnd, w, approve=False)
    with pytest.raises(ValidationError) as exc:
        survey(rnd, w, approve=False)
    assert exc.value.message_dict["worker"] == ["张三 在“2022年困难劳模调查”中已有调查表。"]
    first = HardshipSurvey.objects.get()
    services.survey_discard(actor=SYSTEM, survey=first, reason="填错劳模")
    survey(rnd, w, approve=False)  # a discarded form is kept (soft) but does not block a new one
    assert HardshipSurvey.objects.count() == 2


@pytest.mark.django_db
def test_it_refuses_a_deceased_worker_and_the_county_opening_a_round(rnd, w, users, orgs):
    worker_services.worker_set_status(actor=users["city_staff"], worker=w, status="deceased",
                                      status_date=date(2022, 3, 1))
    with pytest.raises(ValidationError) as exc:
        survey(rnd, w, approve=False)
    assert "已于 2022-03-01 去世" in exc.value.message_dict["worker"][0]
    with pytest.raises(PermissionDenied):
        survey_round(orgs["331100"], year=2021, actor=users["county_staff"])
    with pytest.raises(ValidationError) as exc:
        survey_round(orgs["331102"], year=2021)
    assert exc.value.message_dict["org"] == ["困难劳模调查由市总工会统一开展。"]
    with pytest.raises(ValidationError) as exc:
        survey_round(orgs["331100"], year=2022)
    assert exc.value.message_dict["year"] == ["丽水市总工会2022年的困难劳模调查已开启。"]


@pytest.mark.django_db
def test_it_submits_and_approves_in_batches(rnd, orgs, users):
    people = [worker(orgs["331102"], f"工{i}", "municipal", birth=f"1970010{i}") for i in range(1, 4)]
    forms = [survey(rnd, p, approve=False) for p in people]
    assert services.surveys_submit_batch(actor=users["county_staff"], surveys=forms) == 3
    with pytest.raises(PermissionDenied):
        services.surveys_approve_batch(actor=users["county_staff"], surveys=forms)
    assert services.surveys_approve_batch(actor=users["city_staff"], surveys=forms) == 3
    assert set(HardshipSurvey.objects.values_list("status", flat=True)) == {SurveyStatus.APPROVED}
    with pytest.raises(ValidationError):
        services.surveys_approve_batch(actor=users["city_staff"], surveys=forms)


@pytest.mark.django_db
def test_it_tells_other_modules_who_is_in_hardship_on_a_day(rnd, w, orgs):
    other = worker(orgs["331126"], "李四", "municipal")
    survey(rnd, w, per_capita="700", day=date(2022, 4, 1))
    survey(rnd, other, per_capita="7000", causes=[], day=date(2022, 4, 1))
    assert worker_ids_in_hardship(worker_ids=[w.pk, other.pk], on=date(2022, 4, 1)) == [w.pk]
    assert worker_ids_in_hardship(worker_ids=[w.pk, other.pk], on=date(2022, 3, 31)) == []
