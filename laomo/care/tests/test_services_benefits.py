"""Benefits follow-up: grants per worker per year, idempotent for other modules (retreats), by hand, in bulk;
the configurable lists edited by city staff only."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from laomo.care import services
from laomo.care.models import BenefitGrant, BenefitType
from laomo.core import dictionary
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry

from .factories import money, worker


@pytest.fixture
def w(orgs):
    return worker(orgs["331102"], "张三", "provincial")


@pytest.mark.django_db
def test_it_seeds_the_default_lists_with_retreat_among_the_benefits():
    assert set(BenefitType.objects.values_list("code", flat=True)) >= {
        "honor_allowance", "hardship_subsidy", "special_hardship", "health_checkup", "retreat", "festival"}
    assert BenefitType.objects.get(code="retreat").name == "疗休养"
    causes = {i.label: i.flag("severe") for i in dictionary.items("hardship_cause")}
    assert causes == {"因病": True, "因残": True, "因学": False, "因灾": True, "失业": False, "其他": False}
    assert dictionary.labels("health_category")["cancer"] == "恶性肿瘤"


@pytest.mark.django_db
def test_it_records_a_retreat_idempotently_for_the_retreats_module(w, users):
    kwargs = dict(worker=w, benefit_type_code="retreat", year=2022, grant_date=date(2022, 6, 10),
                  source="retreat:batch-3", note="2022年第3批疗休养")
    first = services.benefit_grant_record(actor=users["city_staff"], **kwargs)
    again = services.benefit_grant_record(actor=users["city_staff"], **kwargs)
    assert first.pk == again.pk and BenefitGrant.objects.count() == 1
    assert (first.benefit_type.code, first.org, first.amount, first.source_label) == ("retreat", w.org, None, "疗休养")
    other = services.benefit_grant_record(actor=SYSTEM, **{**kwargs, "source": "retreat:batch-4"})
    assert other.pk != first.pk
    assert AuditEntry.objects.filter(action="care.grant.record").count() == 2


@pytest.mark.django_db
def test_it_restores_a_default_benefit_type_missing_after_a_flush(w):
    BenefitType.objects.filter(code="retreat").delete()
    grant = services.benefit_grant_record(actor=SYSTEM, worker=w, benefit_type_code="retreat", year=2022,
                                          grant_date=date(2022, 6, 10), source="retreat:1")
    assert grant.benefit_type.name == "疗休养"


@pytest.mark.django_db
def test_it_validates_grants_in_chinese_and_checks_scope(w, users, orgs):
    with pytest.raises(ValidationError) as exc:
        services.benefit_grant_record(actor=SYSTEM, worker=w, benefit_type_code="pension", year=2022,
                                      grant_date=date(2030, 1, 1), amount="-5")
    errors = exc.value.message_dict
    assert errors["benefit_type"] == ["未知的待遇类型“pension”。"]
    assert errors["grant_date"] == ["落实日期不能晚于今天。"]
    assert errors["amount"] == ["金额不能为负数。"]
    qy = worker(orgs["331126"], "李四", "municipal")
    with pytest.raises(PermissionDenied):
        services.benefit_grant_record(actor=users["county_staff"], worker=qy, benefit_type_code="retreat", year=2022,
                                      grant_date=date(2022, 6, 1))
    with pytest.raises(PermissionDenied):
        services.benefit_grant_record(actor=users["viewer"], worker=w, benefit_type_code="retreat", year=2022,
                                      grant_date=date(2022, 6, 1))
    assert not BenefitGrant.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_second_manual_grant_of_the_year_and_voids_with_a_reason(w):
    g = services.benefit_grant_add(actor=SYSTEM, worker=w, benefit_type_code="health_checkup", year=2022,
                                   grant_date=date(2022, 10, 1), amount="800")
    with pytest.raises(ValidationError) as exc:
        services.benefit_grant_add(actor=SYSTEM, worker=w, benefit_type_code="health_checkup", year=2022,
                                   grant_date=date(2022, 11, 1))
    assert exc.value.message_dict["benefit_type"] == ["张三 2022年的“健康体检”已登记(2022-10-01)。"]
    with pytest.raises(ValidationError):
        services.benefit_grant_void(actor=SYSTEM, grant=g, reason="")
    services.benefit_grant_void(actor=SYSTEM, grant=g, reason="体检未成行")
    g.refresh_from_db()
    assert g.is_void and g.void_reason == "体检未成行" and g.amount == money(800)
    services.benefit_grant_add(actor=SYSTEM, worker=w, benefit_type_code="health_checkup", year=2022,
                               grant_date=date(2022, 11, 1))


@pytest.mark.django_db
def test_it_records_in_bulk_skipping_those_already_recorded(w, orgs):
    others = [worker(orgs["331102"], f"工{i}", "municipal", birth=f"1970010{i}") for i in range(1, 3)]
    services.benefit_grant_add(actor=SYSTEM, worker=w, benefit_type_code="health_checkup", year=2022,
                               grant_date=date(2022, 10, 1))
    created = services.benefit_grants_bulk_record(actor=SYSTEM, workers=[w, *others],
                                                  benefit_type_code="health_checkup",
                                                  year=2022, grant_date=date(2022, 10, 2), amount="800")
    assert created == 2 and BenefitGrant.objects.filter(year=2022).count() == 3
    entry = AuditEntry.objects.get(action="care.grant.bulk_record")
    assert entry.changes["created"] == 2 and entry.changes["skipped"] == 1


@pytest.mark.django_db
def test_it_lets_only_city_staff_edit_the_benefit_types(users):
    t = services.benefit_type_save(actor=users["city_staff"], code="birthday", name="生日慰问", min_level_rank=3,
                                   statuses=["retired"], hardship="", standard_amount="200", visit_types=["elderly"])
    assert t.standard_amount == money(200)
    with pytest.raises(ValidationError) as exc:
        services.benefit_type_save(actor=users["city_staff"], benefit_type=t, code="bday")
    assert exc.value.message_dict["code"] == ["代码创建后不能修改(其他模块按代码引用)。"]
    with pytest.raises(PermissionDenied):
        services.benefit_type_save(actor=users["county_staff"], code="x1", name="x", min_level_rank=1)
