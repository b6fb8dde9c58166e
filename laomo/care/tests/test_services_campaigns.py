"""Campaigns and their recipient lists: the rule, standard amounts, living workers only, adjustments with a reason."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from laomo.care import services
from laomo.care.models import CareRecipient, RecipientSource, RecipientStatus
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.workers import services as worker_services

from .factories import campaign, money, survey, survey_round, worker


@pytest.fixture
def people(orgs):
    lian, qy, city_direct = orgs["331102"], orgs["331126"], orgs["331101"]
    return {
        "national": worker(lian, "甲", "national"),
        "provincial": worker(lian, "乙", "provincial", birth="19500101"),
        "municipal": worker(qy, "丙", "municipal"),
        "county": worker(qy, "丁", "county"),
        "direct": worker(city_direct, "戊", "municipal"),
        "dead": worker(lian, "己", "provincial", birth="19300101"),
    }


@pytest.fixture
def dead(people, users):
    worker_services.worker_set_status(actor=users["city_staff"], worker=people["dead"], status="deceased",
                                      status_date=date(2021, 6, 1))
    return people["dead"]


def _planned(c) -> dict:
    return {r.worker.name: (r.planned_amount, r.status) for r in c.recipients.select_related("worker")}


@pytest.mark.django_db
def test_it_generates_the_list_from_the_rule_for_living_workers_in_the_unit(orgs, people, dead):
    c = campaign(orgs["331100"], amount_county="100")
    result = services.recipients_generate(actor=SYSTEM, campaign=c)
    assert result.as_dict() == {"added": 4, "updated": 0, "excluded": 0, "total": 4}
    assert _planned(c) == {"甲": (money(2000), "included"), "乙": (money(1000), "included"),
                           "丙": (money(500), "included"), "戊": (money(500), "included")}
    assert AuditEntry.objects.filter(action="care.recipient.generate", changes__added=4).exists()


@pytest.mark.django_db
def test_it_limits_the_list_to_the_campaigns_unit_and_statuses(orgs, people, dead, users):
    c = campaign(orgs["331102"], min_level_rank=1)
    services.recipients_generate(actor=SYSTEM, campaign=c)
    assert set(_planned(c)) == {"甲", "乙"}  # 莲都 only, the deceased 己 never
    worker_services.worker_set_status(actor=users["city_staff"], worker=people["provincial"], status="retired",
                                      status_date=date(2015, 1, 1))
    retired_only = campaign(orgs["331100"], statuses=["retired"], min_level_rank=1, name="离退休劳模慰问")
    services.recipients_generate(actor=SYSTEM, campaign=retired_only)
    assert set(_planned(retired_only)) == {"乙"}


@pytest.mark.django_db
def test_it_adds_the_hardship_extra_and_can_take_workers_in_hardship_only(orgs, people):
    rnd = survey_round(orgs["331100"], year=2021)
    survey(rnd, people["municipal"], per_capita="600", causes=["illness"], day=date(2021, 5, 1))
    survey(rnd, people["provincial"], per_capita="5000", causes=[], day=date(2021, 5, 1))
    c = campaign(orgs["331100"], hardship_extra="300")
    services.recipients_generate(actor=SYSTEM, campaign=c)
    assert _planned(c)["丙"] == (money(800), "included")
    assert CareRecipient.objects.get(campaign=c, worker=people["municipal"]).in_hardship
    only = campaign(orgs["331100"], hardship_only=True, hardship_extra="300", name="困难劳模帮扶")
    services.recipients_generate(actor=SYSTEM, campaign=only)
    assert set(_planned(only)) == {"丙"}


@pytest.mark.django_db
def test_it_regenerates_idempotently_and_keeps_adjustments(orgs, people, users):
    c = campaign(orgs["331100"])
    services.recipients_generate(actor=SYSTEM, campaign=c)
    r = CareRecipient.objects.get(campaign=c, worker=people["direct"])
    services.recipient_adjust(actor=SYSTEM, recipient=r, reason="已调离本市", status=RecipientStatus.EXCLUDED)
    again = services.recipients_generate(actor=SYSTEM, campaign=c)
    assert again.as_dict() == {"added": 0, "updated": 0, "excluded": 0, "total": 4}
    assert _planned(c)["戊"] == (money(500), "excluded")
    # A worker who died before the campaign is moved out at once by the death (workers/lifeevents.py, unless
    # paid), and the next generation leaves them out.
    worker_services.worker_set_status(actor=users["city_staff"], worker=people["municipal"], status="deceased",
                                      status_date=date(2022, 1, 5))
    assert _planned(c)["丙"][1] == "excluded"
    assert CareRecipient.objects.get(campaign=c, worker=people["municipal"]).reason == "劳模已于 2022-01-05 去世"
    third = services.recipients_generate(actor=SYSTEM, campaign=c)
    assert third.excluded == 0 and _planned(c)["丙"][1] == "excluded"


@pytest.mark.django_db
def test_it_requires_a_reason_for_every_adjustment(orgs, people):
    c = campaign(orgs["331100"], min_level_rank=3)
    services.recipients_generate(actor=SYSTEM, campaign=c)
    with pytest.raises(ValidationError) as exc:
        services.recipient_add(actor=SYSTEM, campaign=c, worker=people["municipal"], reason=" ")
    assert exc.value.message_dict["reason"] == ["请填写添加原因。"]
    r = services.recipient_add(actor=SYSTEM, campaign=c, worker=people["municipal"], reason="长期坚守生产一线")
    assert (r.source, r.adjusted, r.planned_amount) == (RecipientSource.MANUAL, True, money(500))
    with pytest.raises(ValidationError) as exc:
        services.recipient_adjust(actor=SYSTEM, recipient=r, reason="", planned_amount="800")
    assert "reason" in exc.value.message_dict
    services.recipient_adjust(actor=SYSTEM, recipient=r, reason="家中突发困难", planned_amount="800")
    r.refresh_from_db()
    assert r.planned_amount == money(800) and r.reason == "家中突发困难"
    entry = AuditEntry.objects.filter(action="care.recipient.adjust").latest("id")
    assert entry.changes["planned_amount"] == ["500.00", "800.00"] and entry.changes["reason"] == "家中突发困难"


@pytest.mark.django_db
def test_it_refuses_deceased_workers_and_workers_of_other_units_on_the_list(orgs, people, dead):
    c = campaign(orgs["331102"])
    with pytest.raises(ValidationError) as exc:
        services.recipient_add(actor=SYSTEM, campaign=c, worker=dead, reason="补录")
    assert "去世" in exc.value.message_dict["worker"][0]
    with pytest.raises(ValidationError) as exc:
        services.recipient_add(actor=SYSTEM, campaign=c, worker=people["municipal"], reason="补录")
    assert "不属于莲都区总工会" in exc.value.message_dict["worker"][0]
    assert not CareRecipient.objects.filter(campaign=c).exists()


@pytest.mark.django_db
def test_it_refuses_a_paid_recipient_being_moved_out(orgs, people):
    c = campaign(orgs["331100"])
    services.recipients_generate(actor=SYSTEM, campaign=c)
    services.visit_record(actor=SYSTEM, worker=people["national"], campaign=c, visit_date=date(2022, 1, 20),
                          method="home", amount="2000", payment_method="transfer")
    r = CareRecipient.objects.get(campaign=c, worker=people["national"])
    with pytest.raises(ValidationError) as exc:
        services.recipient_adjust(actor=SYSTEM, recipient=r, reason="误列", status=RecipientStatus.EXCLUDED)
    assert "已发放慰问金" in exc.value.message_dict["status"][0]


@pytest.mark.django_db
def test_it_lets_county_staff_work_the_city_list_but_not_regenerate_it(orgs, users, people):
    c = campaign(orgs["331100"])
    services.recipients_generate(actor=users["city_staff"], campaign=c)
    with pytest.raises(PermissionDenied):
        services.recipients_generate(actor=users["county_staff"], campaign=c)
    with pytest.raises(PermissionDenied):
        services.campaign_update(actor=users["county_staff"], campaign=c, budget="1")
    r = CareRecipient.objects.get(campaign=c, worker=people["national"])
    services.recipient_adjust(actor=users["county_staff"], recipient=r, reason="核实后调整", planned_amount="1800")
    other = CareRecipient.objects.get(campaign=c, worker=people["municipal"])  # 庆元
    with pytest.raises(PermissionDenied):
        services.recipient_adjust(actor=users["county_staff"], recipient=other, reason="越权", planned_amount="1")


@pytest.mark.django_db
def test_it_validates_campaigns_in_chinese(orgs, users):
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(actor=SYSTEM, org=orgs["331100"], name="", year=2022, visit_type="spring_festival",
                                 start_date=date(2022, 2, 1), end_date=date(2022, 1, 1), budget="-5",
                                 amount_municipal="0.001", statuses=["deceased"])
    errors = exc.value.message_dict
    assert errors["name"] == ["请填写活动名称。"]
    assert errors["end_date"] == ["结束日期不能早于开始日期。"]
    assert errors["budget"] == ["预算不能为负数。"]
    assert errors["amount_municipal"] == ["市级标准最多保留两位小数(精确到分)。"]
    assert "去世" in errors["statuses"][0]
    with pytest.raises(PermissionDenied):
        campaign(orgs["331126"], actor=users["county_staff"])  # 莲都 staff for 庆元
    with pytest.raises(PermissionDenied):
        campaign(orgs["331102"], actor=users["viewer"])


@pytest.mark.django_db
def test_it_refuses_a_budget_below_what_is_paid(orgs, people):
    c = campaign(orgs["331100"], budget="3000")
    services.recipients_generate(actor=SYSTEM, campaign=c)
    services.visit_record(actor=SYSTEM, worker=people["national"], campaign=c, visit_date=date(2022, 1, 20),
                          method="home", amount="2000", payment_method="transfer")
    with pytest.raises(ValidationError) as exc:
        services.campaign_update(actor=SYSTEM, campaign=c, budget="1999.99")
    assert exc.value.message_dict["budget"] == ["预算不能低于已发放金额 2000.00 元。"]
