"""Reminders (issue 17, item 4): each kind appears on its day and not the day before, vanishes when settled,
stays in scope, and a second run changes nothing. Every run takes a fixed date, never the clock."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import login_client
from laomo.api.services import api_token_create
from laomo.care import services as care
from laomo.core import clock
from laomo.core.actors import SYSTEM
from laomo.core.models import Notification
from laomo.reminders.kinds import KINDS
from laomo.reminders.models import Reminder
from laomo.reminders.services import reminders_recheck, reminders_run
from laomo.retreats import services as retreats
from laomo.studios import services as studios
from laomo.volunteering.services.history import request_record_historical
from laomo.volunteering.services.requests import request_refuse
from laomo.workers.services import honor_add, worker_create, worker_set_status


@pytest.fixture
def ld(orgs):
    return orgs["331102"]


def _worker(org, name="王大爷", birth=date(1935, 6, 20), honor="丽水市劳动模范"):
    w = worker_create(actor=SYSTEM, org=org, name=name, birth_date=birth)
    if honor:
        honor_add(actor=SYSTEM, worker=w, title=honor, year=2000)
    w.refresh_from_db()
    return w


def _open(kind: str, **filters):
    return list(Reminder.objects.filter(kind=kind, settled_at__isnull=True, **filters))


def _visit(worker, day):
    return care.visit_record(actor=SYSTEM, worker=worker, visit_date=day, method="home", visit_type="elderly")


@pytest.mark.django_db
def test_it_reminds_of_a_90th_birthday_from_14_days_before_until_a_visit(users, ld):
    w = _worker(ld)
    reminders_run(today=date(2025, 6, 5))
    assert _open("birthday") == []
    reminders_run(today=date(2025, 6, 6))
    (r,) = _open("birthday")
    assert (r.ref, r.period, r.due_date, r.org_id) == (f"worker:{w.pk}", "2025", date(2025, 6, 20), ld.pk)
    assert "王大爷 90岁生日" in r.title and r.url.endswith(f"?worker={w.worker_no}")
    _visit(w, date(2025, 6, 18))
    reminders_run(today=date(2025, 6, 19))
    assert _open("birthday") == []
    assert Reminder.objects.get(kind="birthday").settled_at is not None


@pytest.mark.django_db
def test_it_lets_an_unvisited_birthday_lapse_after_the_grace_days(users, ld):
    _worker(ld)
    reminders_run(today=date(2025, 7, 20))
    assert len(_open("birthday")) == 1
    reminders_run(today=date(2025, 7, 21))
    assert _open("birthday") == []


@pytest.mark.django_db
def test_it_skips_ages_that_are_not_round_and_the_deceased(users, ld):
    _worker(ld, "赵八十五", birth=date(1940, 6, 20))
    w = _worker(ld, "钱百岁", birth=date(1925, 6, 20))
    worker_set_status(actor=SYSTEM, worker=w, status="deceased", status_date=date(2025, 1, 2))
    reminders_run(today=date(2025, 6, 10))
    assert _open("birthday") == []


@pytest.mark.django_db
def test_it_reminds_of_elderly_workers_not_visited_this_year_from_the_configured_day(users, ld):
    w = _worker(ld, "孙老", birth=date(1940, 1, 1))
    young = _worker(ld, "李中年", birth=date(1960, 1, 1))
    reminders_run(today=date(2025, 9, 30))
    assert _open("elderly") == []
    reminders_run(today=date(2025, 10, 1))
    (r,) = _open("elderly")
    assert r.ref == f"worker:{w.pk}" and "孙老(85岁)" in r.title and young.name not in r.title
    _visit(w, date(2025, 10, 8))
    reminders_run(today=date(2025, 10, 9))
    assert _open("elderly") == []


@pytest.mark.django_db
def test_it_counts_a_visit_earlier_in_the_year_for_the_elderly(users, ld):
    w = _worker(ld, "周老", birth=date(1938, 3, 3))
    _visit(w, date(2025, 2, 1))
    reminders_run(today=date(2025, 10, 1))
    assert _open("elderly") == []


def _studio(org):
    lead = _worker(org, "吴工", birth=date(1975, 5, 5))
    return studios.studio_create(actor=SYSTEM, org=org, name="吴工创新工作室", studio_type="model_worker",
                                 level="municipal", lead=lead, host_enterprise="丽水某公司",
                                 founded_date=date(2020, 5, 1))


@pytest.mark.django_db
def test_it_reminds_of_a_studio_quarterly_report_until_it_is_submitted(users, ld):
    studio = _studio(ld)
    reminders_run(today=date(2025, 3, 26))
    assert [r.period for r in _open("studio_report")] == ["2024Q4"]  # last quarter's, never submitted
    reminders_run(today=date(2025, 3, 27))
    (r,) = _open("studio_report", period="2025Q1")
    assert r.due_date == date(2025, 4, 10) and "2025年第1季度" in r.title
    studios.report_submit(actor=SYSTEM, studio=studio, year=2025, quarter=1, summary="一季度开展攻关 3 项")
    reminders_run(today=date(2025, 4, 2))
    assert _open("studio_report", period="2025Q1") == []
    reminders_run(today=date(2025, 4, 12))  # 2024Q4's lapsed 91 days after its due date; 2025Q2's not yet due
    assert [r.period for r in _open("studio_report")] == []


def _round():
    return care.round_open(actor=SYSTEM, org=_city(), year=2025, name="2025年困难劳模调查",
                           start_date=date(2025, 3, 1), end_date=date(2025, 11, 30), income_threshold="960")


def _city():
    from laomo.orgs.models import OrgUnit

    return OrgUnit.objects.get(code="331100")


@pytest.mark.django_db
def test_it_reminds_each_county_of_a_survey_deadline_until_its_forms_are_in(users, ld):
    w = _worker(ld, "郑师傅", birth=date(1960, 2, 2))
    survey_round = _round()
    reminders_run(today=date(2025, 11, 15))
    assert _open("survey_round") == []
    reminders_run(today=date(2025, 11, 16))
    (r,) = _open("survey_round")
    assert r.org_id == ld.pk and "尚有 1 人未提交" in r.title and r.ref == f"round:{survey_round.pk}:{ld.pk}"
    survey = care.survey_create(
        actor=SYSTEM, survey_round=survey_round, worker=w, survey_date=date(2025, 11, 16),
        verification_method="home", household_size=3, employment="active", housing_type="own", income_own="1500",
        income_per_capita="800", health_category="chronic", causes=["illness"])
    care.survey_submit(actor=SYSTEM, survey=survey)
    reminders_run(today=date(2025, 11, 17))
    assert _open("survey_round") == []


def _batch(org, deadline):
    vendor = retreats.vendor_create(actor=SYSTEM, org=org, name="莲都测试旅行社", contract_start=date(2020, 1, 1),
                                    contract_end=date(2030, 12, 31))
    batch = retreats.batch_create(actor=SYSTEM, org=org, name="莲都2025第一批", start_date=date(2025, 5, 9),
                                  end_date=date(2025, 5, 13), registration_deadline=deadline, destination="千岛湖",
                                  vendor=vendor, capacity=5, cost_per_person=Decimal("2000.00"),
                                  budget=Decimal("10000.00"), leader_name="李强", not_attended_years=0)
    return retreats.batch_set_status(actor=SYSTEM, batch=batch, status="open")


@pytest.mark.django_db
def test_it_reminds_of_a_retreat_registration_deadline_while_the_batch_is_open(users, ld):
    batch = _batch(ld, date(2025, 5, 1))
    reminders_run(today=date(2025, 4, 16))
    assert _open("retreat_deadline") == []
    reminders_run(today=date(2025, 4, 17))
    (r,) = _open("retreat_deadline")
    assert "将于05月01日截止" in r.title and r.url.endswith(f"/retreats/batches/{batch.pk}/")
    retreats.batch_set_status(actor=SYSTEM, batch=batch, status="planned")
    reminders_run(today=date(2025, 4, 18))
    assert _open("retreat_deadline") == []


def _request(org, received):
    return request_record_historical(actor=SYSTEM, org=org, category="medical", description="社区老人义诊服务",
                                     town="岩泉街道", contact_name="陈女士", contact_phone="13812345678",
                                     received_at=received)


@pytest.mark.django_db
def test_it_reminds_of_a_request_not_dispatched_in_two_days(users, ld):
    req = _request(ld, timezone.make_aware(datetime(2025, 6, 1, 10, 0)))
    reminders_run(today=date(2025, 6, 3))
    assert _open("request_overdue") == []
    reminders_run(today=date(2025, 6, 4))
    (r,) = _open("request_overdue")
    assert req.tracking_code in r.title and "超时未派单" in r.title and "138" not in r.title
    request_refuse(actor=SYSTEM, request=req, reason="不属于服务范围")
    reminders_run(today=date(2025, 6, 5))
    assert _open("request_overdue") == []


@pytest.mark.django_db
def test_it_reminds_of_benefits_not_granted_this_year_per_county(users, ld):
    from laomo.care.models import BenefitType

    BenefitType.objects.exclude(code="health_checkup").update(is_active=False)  # one yearly type in this test
    w = _worker(ld, "冯劳模", birth=date(1962, 2, 2))
    reminders_run(today=date(2025, 10, 31))
    assert _open("benefits") == []
    reminders_run(today=date(2025, 11, 1))
    (r,) = _open("benefits")
    assert r.org_id == ld.pk and "2025年“健康体检”尚有 1 人未落实" == r.title
    care.benefit_grant_add(actor=SYSTEM, worker=w, benefit_type_code="health_checkup", year=2025,
                           grant_date=date(2025, 11, 2), amount="800")
    reminders_run(today=date(2025, 11, 3))
    assert _open("benefits") == []


@pytest.mark.django_db
def test_it_is_idempotent_and_notifies_the_responsible_staff_once(users, ld):
    _worker(ld)
    first = reminders_run(today=date(2025, 6, 10))
    notes = Notification.objects.filter(recipient=users["county_staff"], text__startswith="新的待办提醒").count()
    second = reminders_run(today=date(2025, 6, 10))
    assert first["created"] >= 1 and second["created"] == 0 and second["settled"] == 0
    assert Reminder.objects.filter(kind="birthday").count() == 1
    assert notes == 1
    assert Notification.objects.filter(recipient=users["county_staff"], text__startswith="新的待办提醒").count() == 1
    assert not Notification.objects.filter(recipient=users["county_staff_qy"]).exists()


@pytest.mark.django_db
def test_it_reopens_a_reminder_when_the_visit_that_settled_it_is_voided(users, ld):
    w = _worker(ld)
    reminders_run(today=date(2025, 6, 10))
    visit = _visit(w, date(2025, 6, 10))
    reminders_run(today=date(2025, 6, 11))
    assert _open("birthday") == []
    care.visit_void(actor=SYSTEM, visit=visit, reason="误录")
    reminders_run(today=date(2025, 6, 12))
    assert len(_open("birthday")) == 1 and Reminder.objects.count() == 1


@pytest.mark.django_db
def test_it_shows_each_user_the_reminders_of_their_scope(users, ld, orgs):
    _worker(ld, "莲都老人")
    _worker(orgs["331126"], "庆元老人")
    reminders_run(today=date(2025, 6, 10))
    with clock.at(timezone.make_aware(datetime(2025, 6, 10, 9, 0))):  # the page re-checks as of "today"
        page = login_client(users["county_staff"]).get("/reminders/").content.decode()
        assert "莲都老人" in page and "庆元老人" not in page
        page = login_client(users["county_staff_qy"]).get("/reminders/").content.decode()
        assert "庆元老人" in page and "莲都老人" not in page
        page = login_client(users["city_staff"]).get("/reminders/").content.decode()
        assert "庆元老人" in page and "莲都老人" in page and "整寿生日" in page
    assert login_client(users["worker"]).get("/reminders/").status_code == 403


@pytest.mark.django_db
def test_it_settles_on_view_what_was_done_since_the_run(users, ld):
    studio = _studio(ld)
    reminders_run(today=date(2025, 4, 1))
    (r,) = _open("studio_report", period="2025Q1")
    studios.report_submit(actor=SYSTEM, studio=studio, year=2025, quarter=1, summary="一季度报告")
    assert reminders_recheck(reminders=_open("studio_report"), today=date(2025, 4, 2)) == 1
    assert _open("studio_report", period="2025Q1") == []
    assert login_client(users["county_staff"]).get("/reminders/").status_code == 200


@pytest.mark.django_db
def test_it_runs_from_the_command_with_a_date(users, ld, capsys):
    _worker(ld)
    call_command("reminders_run", "--date", "2025-06-10")
    assert '"created": 1' in capsys.readouterr().out
    assert len(_open("birthday")) == 1


def test_it_has_a_chinese_label_for_every_kind():
    assert all(k.label for k in KINDS.values()) and len(KINDS) == 7


@pytest.mark.django_db
def test_it_lists_the_scoped_reminders_in_the_api(users, ld, orgs):
    _worker(ld, "莲都老人")
    _worker(orgs["331126"], "庆元老人")
    reminders_run(today=date(2025, 6, 10))
    _, raw = api_token_create(actor=SYSTEM, user=users["county_staff"])
    body = Client().get("/api/v1/reminders?kind=birthday", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert [i["title"][:4] for i in body["items"]] == ["莲都老人"] and body["items"][0]["org"] == "331102"
