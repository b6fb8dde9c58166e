"""Visits and money: every refusal gives a clear Chinese error and stores nothing; the database constraints stand
behind the checks; money is exact to the fen; voiding gives the money back to the budget."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from laomo.care import services
from laomo.care.models import BenefitGrant, CareCampaign, CareRecipient, CareVisit, WorkerBankAccount
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.workers import services as worker_services

from .factories import campaign, money, pay, worker


@pytest.fixture
def world(orgs):
    lian = orgs["331102"]
    people = {"甲": worker(lian, "甲", "national"), "乙": worker(lian, "乙", "provincial"),
              "丙": worker(lian, "丙", "municipal", account=False)}
    c = campaign(orgs["331100"], budget="3000")
    services.recipients_generate(actor=SYSTEM, campaign=c)
    return {"campaign": c, **people}


def _refused(field: str, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        services.visit_record(actor=SYSTEM, **kwargs)
    return " ".join(exc.value.message_dict[field])


@pytest.mark.django_db
def test_it_records_a_paid_visit_with_the_account_encrypted(world):
    c = world["campaign"]
    v = pay(c, world["甲"], amount="2000.00", visitors="市总工会 王敏")
    c.refresh_from_db()
    assert c.paid_total == money(2000) and c.remaining == money(1000)
    assert v.bank_account_masked.startswith("6228") and "****" in v.bank_account_masked
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account FROM care_carevisit WHERE id = %s", [v.pk])
        stored = cursor.fetchone()[0]
    assert stored and v.bank_account not in stored  # ciphertext at rest
    entry = AuditEntry.objects.get(action="care.visit.record")
    assert entry.changes["amount"] == "2000.00" and entry.changes["bank_account"] == v.bank_account_masked
    assert v.bank_account not in str(entry.changes)


@pytest.mark.django_db
def test_it_refuses_paying_twice_in_a_campaign(world):
    c = world["campaign"]
    pay(c, world["乙"], amount="1000")
    message = _refused("worker", worker=world["乙"], campaign=c, visit_date=date(2022, 1, 25), method="home",
                       amount="1000", payment_method="transfer")
    assert message == "乙 在“2022年春节慰问”中已于 2022-01-20 领取慰问金 1000.00 元,不能重复发放。"
    assert CareVisit.objects.filter(worker=world["乙"]).count() == 1
    c.refresh_from_db()
    assert c.paid_total == money(1000)
    # A visit without money (a letter) is not a second payment.
    services.visit_record(actor=SYSTEM, worker=world["乙"], campaign=c, visit_date=date(2022, 1, 25), method="letter")


@pytest.mark.django_db
def test_it_refuses_paying_a_worker_deceased_before_the_visit(world, users):
    c, w = world["campaign"], world["乙"]
    worker_services.worker_set_status(actor=users["city_staff"], worker=w, status="deceased",
                                      status_date=date(2022, 1, 15))
    message = _refused("worker", worker=w, campaign=c, visit_date=date(2022, 1, 20), method="home", amount="1000",
                       payment_method="transfer")
    assert message == "乙 已于 2022-01-15 去世,不能在去世后向其发放慰问金。"
    assert not CareVisit.objects.exists()
    # Paid on the day of death or before: allowed. A condolence visit to the family afterwards: no money.
    pay(c, w, amount="1000", day=date(2022, 1, 15))
    services.visit_record(actor=SYSTEM, worker=w, visit_type="bereavement", visit_date=date(2022, 1, 18),
                          method="home", goods="花圈")
    assert "只能登记吊唁" in _refused("worker", worker=w, visit_type="illness", visit_date=date(2022, 1, 18),
                                   method="home")


@pytest.mark.django_db
def test_it_refuses_exceeding_the_budget(world):
    c = world["campaign"]
    pay(c, world["甲"], amount="2000")
    message = _refused("amount", worker=world["乙"], campaign=c, visit_date=date(2022, 1, 20), method="home",
                       amount="1000.01", payment_method="transfer")
    assert message == "超出活动预算:预算 3000.00 元,已发放 2000.00 元,剩余 1000.00 元,本次 1000.01 元。"
    assert CareVisit.objects.count() == 1
    pay(c, world["乙"], amount="1000.00")  # exactly the budget
    c.refresh_from_db()
    assert c.paid_total == c.budget == money(3000)


@pytest.mark.django_db
@pytest.mark.parametrize(("amount", "message"), [
    ("-1", "慰问金额不能为负数。"),
    ("12.345", "慰问金额最多保留两位小数(精确到分)。"),
    ("壹仟", "慰问金额格式不正确,请填写数字(元)。"),
])
def test_it_refuses_bad_amounts(world, amount, message):
    assert _refused("amount", worker=world["甲"], campaign=world["campaign"], visit_date=date(2022, 1, 20),
                    method="home", amount=amount, payment_method="transfer") == message
    assert not CareVisit.objects.exists()


@pytest.mark.django_db
def test_it_requires_the_list_the_period_and_a_way_to_pay(world, orgs):
    c = world["campaign"]
    outsider = worker(orgs["331102"], "庚", "county")
    assert "不在“2022年春节慰问”的慰问名单中" in _refused(
        "worker", worker=outsider, campaign=c, visit_date=date(2022, 1, 20), method="home")
    assert _refused("visit_date", worker=world["甲"], campaign=c, visit_date=date(2022, 3, 1), method="home") == \
        "慰问日期须在活动期间(2022-01-10 至 2022-02-15)内。"
    assert "请选择发放方式" in _refused("payment_method", worker=world["甲"], campaign=c, visit_date=date(2022, 1, 20),
                                 method="home", amount="100")
    assert "尚未登记本人银行账户" in _refused("bank_account", worker=world["丙"], campaign=c,
                                      visit_date=date(2022, 1, 20), method="home", amount="500",
                                      payment_method="transfer")
    assert "本人签收" in _refused("receipt_signed", worker=world["丙"], campaign=c, visit_date=date(2022, 1, 20),
                              method="home", amount="500", payment_method="cash")
    assert not CareVisit.objects.exists()


@pytest.mark.django_db
def test_it_pays_cash_with_a_receipt_or_registers_the_typed_account(world):
    c = world["campaign"]
    v = pay(c, world["丙"], amount="500", payment_method="cash", receipt_signed=True, receipt_no="QS-001")
    assert (v.payment_method, v.receipt_signed, v.receipt_no, v.bank_account_masked) == ("cash", True, "QS-001", "")
    services.visit_void(actor=SYSTEM, visit=v, reason="改为转账")
    v2 = pay(c, world["丙"], amount="500", bank_name="丽水农商银行", bank_account="6214 8301 2345 6789")
    assert v2.bank_account == "6214830123456789" and v2.bank_account_masked == "6214****6789"
    assert WorkerBankAccount.objects.get(worker=world["丙"]).account_number == "6214830123456789"


@pytest.mark.django_db
def test_it_voids_a_visit_returning_the_money_to_the_budget_and_its_grant(world):
    c = world["campaign"]
    v = pay(c, world["甲"], amount="2000")
    assert BenefitGrant.objects.get(source=f"care_visit:{v.pk}").benefit_type.code == "festival"
    with pytest.raises(ValidationError) as exc:
        services.visit_void(actor=SYSTEM, visit=v, reason="")
    assert exc.value.message_dict["reason"] == ["请填写作废原因。"]
    services.visit_void(actor=SYSTEM, visit=v, reason="重复登记")
    c.refresh_from_db()
    assert c.paid_total == money(0)
    assert CareVisit.objects.filter(pk=v.pk, is_void=True).exists()  # kept, never deleted
    assert BenefitGrant.objects.get(source=f"care_visit:{v.pk}").is_void
    pay(c, world["甲"], amount="2000")  # paid once again after the void


@pytest.mark.django_db
def test_it_refuses_workers_outside_the_clerks_scope(world, users, orgs):
    qy = worker(orgs["331126"], "辛", "municipal")
    services.recipients_generate(actor=SYSTEM, campaign=world["campaign"])
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=users["county_staff"], worker=qy, campaign=world["campaign"],
                              visit_date=date(2022, 1, 20), method="home", amount="500", payment_method="transfer")
    v = services.visit_record(actor=users["county_staff"], worker=world["乙"], campaign=world["campaign"],
                              visit_date=date(2022, 1, 20), method="home", amount="1000", payment_method="transfer")
    assert v.recorded_by == users["county_staff"]
    other = campaign(orgs["331126"], name="庆元县春节慰问")
    services.recipients_generate(actor=SYSTEM, campaign=other)
    with pytest.raises(PermissionDenied):  # a sibling county's campaign
        services.visit_record(actor=users["county_staff"], worker=world["甲"], campaign=other,
                              visit_date=date(2022, 1, 20), method="home")


@pytest.mark.django_db
def test_it_records_a_batch_all_or_nothing(world):
    c = world["campaign"]
    ids = list(CareRecipient.objects.filter(campaign=c).values_list("pk", flat=True))
    with pytest.raises(ValidationError) as exc:
        services.visits_record_batch(actor=SYSTEM, campaign=c, recipient_ids=ids, visit_date=date(2022, 1, 21),
                                     method="home", payment_method="transfer")
    assert exc.value.message_dict["recipients"] == ["丙:尚未登记本人银行账户"]
    assert not CareVisit.objects.exists()
    two = list(CareRecipient.objects.filter(campaign=c, worker__name__in=["甲", "乙"]).values_list("pk", flat=True))
    result = services.visits_record_batch(actor=SYSTEM, campaign=c, recipient_ids=two, visit_date=date(2022, 1, 21),
                                          method="home", payment_method="transfer", visitors="市总工会")
    assert (result.created, result.amount) == (2, money(3000))
    c.refresh_from_db()
    assert c.paid_total == money(3000)
    assert BenefitGrant.objects.filter(benefit_type__code="festival", year=2022).count() == 2
    with pytest.raises(ValidationError) as exc:  # again: already paid
        services.visits_record_batch(actor=SYSTEM, campaign=c, recipient_ids=two, visit_date=date(2022, 1, 22),
                                     method="home", payment_method="transfer")
    assert any("不能重复发放" in m for m in exc.value.message_dict["recipients"])


@pytest.mark.django_db
def test_it_refuses_a_batch_over_the_budget(world):
    c = world["campaign"]
    pay(c, world["丙"], amount="500", payment_method="cash", receipt_signed=True)
    two = list(CareRecipient.objects.filter(campaign=c, worker__name__in=["甲", "乙"]).values_list("pk", flat=True))
    with pytest.raises(ValidationError) as exc:
        services.visits_record_batch(actor=SYSTEM, campaign=c, recipient_ids=two, visit_date=date(2022, 1, 21),
                                     method="home", payment_method="transfer")
    assert exc.value.message_dict["recipients"] == [
        "超出活动预算:预算 3000.00 元,已发放 500.00 元,剩余 2500.00 元,本批 3000.00 元"]
    assert CareVisit.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_closed_campaign(world):
    c = services.campaign_set_status(actor=SYSTEM, campaign=world["campaign"], status="closed")
    assert "已结束" in _refused("campaign", worker=world["甲"], campaign=c, visit_date=date(2022, 1, 20),
                             method="home")


@pytest.mark.django_db
def test_it_sums_money_exactly_to_the_fen(orgs):
    c = campaign(orgs["331100"], budget="0.60", amount_municipal="0.10", name="分位测试")
    people = [worker(orgs["331102"], f"工{i}", "municipal", birth=f"1970010{i}") for i in range(1, 7)]
    services.recipients_generate(actor=SYSTEM, campaign=c)
    for w in people:  # 0.10 six times: a float sum would give 0.6000000000000001
        pay(c, w, amount="0.10")
    c.refresh_from_db()
    assert c.paid_total == Decimal("0.60") and services.campaign_paid_total(c.pk) == Decimal("0.60")
    assert c.paid_total == c.budget


# --- the database constraints behind the checks ---------------------------------------------------------


def _raw_visit(c, w, **overrides):
    fields = dict(campaign=c, worker=w, org=w.org, visit_type="spring_festival", visit_date=date(2022, 1, 20),
                  method="home", amount=Decimal("100"), payment_method="cash", receipt_signed=True)
    fields.update(overrides)
    with transaction.atomic():
        CareVisit.objects.create(**fields)


@pytest.mark.django_db
def test_it_has_database_constraints_behind_the_rules(world):
    c, w = world["campaign"], world["甲"]
    _raw_visit(c, w)
    with pytest.raises(IntegrityError):  # one paid visit per worker per campaign
        _raw_visit(c, w)
    _raw_visit(c, w, amount=Decimal("0"), payment_method="none", receipt_signed=False)  # a visit without money
    with pytest.raises(IntegrityError):  # no payment after death
        _raw_visit(None, w, worker_died_on=date(2022, 1, 1))
    with pytest.raises(IntegrityError):  # no negative amount
        _raw_visit(None, w, amount=Decimal("-1"))
    with pytest.raises(IntegrityError):  # money needs a way of payment
        _raw_visit(None, w, payment_method="none")
    with pytest.raises(IntegrityError):  # cash needs the signed receipt
        _raw_visit(None, w, receipt_signed=False)
    with pytest.raises(IntegrityError), transaction.atomic():  # the paid total never above the budget
        CareCampaign.objects.filter(pk=c.pk).update(paid_total=Decimal("3000.01"))
