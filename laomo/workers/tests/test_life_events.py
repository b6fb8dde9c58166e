"""Life events (issue 17 item 3): a death closes what must close in every module, through their services, and
every module that pays or enrols refuses a worker deceased before the date in question."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from laomo.care import services as care
from laomo.care.models import CareRecipient, RecipientStatus
from laomo.care.selectors import hardship_database, in_hardship_now, not_surveyed
from laomo.care.tests import factories as cf
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry, Notification
from laomo.orgs.roles import Role
from laomo.outreach.tests import factories as of
from laomo.retreats.models import ApplicationStatus
from laomo.retreats.tests import factories as rf
from laomo.studios import services as studios
from laomo.studios.tests import factories as sf
from laomo.volunteering import services as vol
from laomo.volunteering.models import RequestStatus
from laomo.volunteering.tests.factories import make_request, make_team
from laomo.workers import services
from laomo.workers.models import WorkerLifeEvent
from laomo.workers.reports import workers_section
from laomo.workers.timeline import timeline_for

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def died(worker, actor=SYSTEM, day=None):
    return services.worker_set_status(actor=actor, worker=worker, status="deceased",
                                      status_date=day or today() - timedelta(days=3))


def test_it_closes_what_a_death_must_close_in_every_module_and_says_so(orgs, users):
    liandu, city = orgs["331102"], orgs["331100"]
    clerk = users[Role.COUNTY_STAFF]
    w = cf.worker(liandu, "钱老师", "municipal")
    mentor2 = sf.worker(liandu, "孙师傅", "丽水市劳动模范")
    # care: an open campaign whose list holds the worker
    camp = cf.campaign(city, year=today().year, start=today() - timedelta(days=1), end=today() + timedelta(days=30))
    running = cf.campaign(city, year=today().year, name="进行中的慰问", start=today() - timedelta(days=30),
                          end=today() + timedelta(days=30))
    care.recipients_generate(actor=SYSTEM, campaign=running)
    care.recipients_generate(actor=SYSTEM, campaign=camp)
    assert CareRecipient.objects.get(campaign=camp, worker=w).status == RecipientStatus.INCLUDED
    # retreats: two open registrations of future batches
    b1, b2 = rf.batch(city, capacity=5), rf.batch(city, capacity=5, start=date(2031, 5, 6))
    a1, a2 = rf.apply(b1, w), rf.apply(b2, w)
    # studios: a membership and a pairing with the worker as the only mentor
    st = sf.studio(liandu, mentor2, founded=date(2018, 3, 1))
    member = studios.member_add(actor=SYSTEM, studio=st, worker=w, joined_date=date(2019, 1, 1))
    pairing = sf.mentorship(liandu, [w], ["徒弟甲"], start=date(2022, 3, 1))
    # volunteering: a team membership and a request dispatched to the worker
    team = make_team(liandu, members=[w])
    req = make_request(liandu)
    vol.request_dispatch(actor=SYSTEM, request=req, worker=w)

    w.refresh_from_db()
    w = died(w, actor=clerk)
    result = w.life_event

    assert "已撤回 2 项疗休养报名" in result.closed
    assert "移出 1 个慰问名单" in result.closed
    assert "已生成吊唁任务" in result.closed
    assert "结束 1 个工作室成员身份" in result.closed
    assert "结束 1 个传帮带结对" in result.closed
    assert "结束 1 个服务队队员身份" in result.closed
    assert "退回 1 个点单待重新派单" in result.closed
    for obj in (a1, a2, member, pairing, req):
        obj.refresh_from_db()
    assert a1.status == a2.status == ApplicationStatus.WITHDRAWN and "去世" in a1.reason
    assert CareRecipient.objects.get(campaign=camp, worker=w).status == RecipientStatus.EXCLUDED
    # a campaign under way at the death keeps them (a visit before the death may still be recorded), named
    assert CareRecipient.objects.get(campaign=running, worker=w).status == RecipientStatus.INCLUDED
    assert "1 个进行中的慰问活动名单请核查" in result.closed
    assert member.left_date == w.status_date and pairing.end_date == w.status_date
    assert not team.members.get(worker=w).is_active
    assert req.status == RequestStatus.PENDING and req.worker is None
    # the 吊唁 task reaches the county's staff, with a link to record the condolence visit
    task = Notification.objects.get(recipient=clerk, text__startswith="吊唁任务")
    assert f"worker={w.worker_no}" in task.url and "type=bereavement" in task.url
    # each closure audited by its module's service
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"retreats.application.withdraw", "care.recipient.adjust", "studios.member.leave",
            "studios.mentorship.update", "volunteering.team.member_remove", "volunteering.request.release"} <= actions
    # and kept for the worker's timeline
    event = WorkerLifeEvent.objects.get(worker=w)
    assert "已撤回 2 项疗休养报名" in event.summary
    assert any("已撤回 2 项疗休养报名" in e["title"] for e in timeline_for(worker=w, user=clerk))


def test_it_shows_the_closed_items_in_the_status_change_flash(orgs, users, clients):
    w = cf.worker(orgs["331102"], "周师傅", "municipal")
    rf.apply(rf.batch(orgs["331100"], capacity=5), w)
    day = today() - timedelta(days=2)
    resp = clients[Role.COUNTY_STAFF].post(f"/workers/{w.pk}/status/",
                                           {"status": "deceased", "status_date": day.isoformat()}, follow=True)
    text = resp.content.decode()
    assert "已撤回 1 项疗休养报名" in text and "已生成吊唁任务" in text


def test_it_does_not_run_the_closures_twice_or_for_a_correction(orgs, users):
    w = cf.worker(orgs["331102"], "吴老师", "municipal")
    died(w)
    w.refresh_from_db()
    # correcting the date of an already registered death closes nothing more
    again = services.worker_set_status(actor=SYSTEM, worker=w, status="deceased", status_date=today() - timedelta(5))
    assert again.life_event is None
    assert WorkerLifeEvent.objects.filter(worker=w).count() == 1


def test_it_withdraws_retirees_from_batches_for_active_workers_only(orgs):
    city = orgs["331100"]
    w = cf.worker(orgs["331102"], "冯师傅", "municipal")
    active_only = rf.batch(city, capacity=5, employment_statuses=["active"])
    anyone = rf.batch(city, capacity=5, start=date(2031, 5, 6), employment_statuses=[])
    a_active, a_any = rf.apply(active_only, w), rf.apply(anyone, w)
    w.refresh_from_db()
    result = services.worker_set_status(actor=SYSTEM, worker=w, status="retired",
                                        status_date=today() - timedelta(days=1)).life_event
    a_active.refresh_from_db()
    a_any.refresh_from_db()
    assert a_active.status == ApplicationStatus.WITHDRAWN and "退休" in a_active.reason
    assert a_any.status == ApplicationStatus.PENDING
    assert "已撤回 1 项疗休养报名" in result.closed
    # and the eligibility rules refuse a new registration of the active-only batch
    again = rf.batch(city, capacity=5, start=date(2032, 5, 6), employment_statuses=["active"])
    with pytest.raises(ValidationError, match="在职状态"):
        rf.apply(again, w)


def test_it_drops_the_deceased_from_the_hardship_database_figures_and_survey_rounds(orgs, users):
    liandu, year = orgs["331102"], today().year
    rnd = cf.survey_round(orgs["331100"], year=year)
    w = cf.worker(liandu, "陈老师", "municipal")
    unsurveyed = cf.worker(liandu, "褚老师", "municipal")
    cf.survey(rnd, w, per_capita="300", causes=("illness",), day=today() - timedelta(days=20))
    city = users[Role.CITY_STAFF]
    assert hardship_database(user=city).filter(worker=w).exists()
    assert in_hardship_now(user=city) == 1 and workers_section(year=year, org=orgs["331100"])["in_hardship"] == 1
    assert not_surveyed(user=city, year=year).filter(pk=unsurveyed.pk).exists()
    died(w, day=today() - timedelta(days=10))
    died(unsurveyed, day=today() - timedelta(days=10))
    assert not hardship_database(user=city).filter(worker=w).exists()
    assert in_hardship_now(user=city) == 0 and workers_section(year=year, org=orgs["331100"])["in_hardship"] == 0
    assert not not_surveyed(user=city, year=year).filter(pk=unsurveyed.pk).exists()
    unsurveyed.refresh_from_db()
    with pytest.raises(ValidationError, match="去世"):
        cf.survey(rnd, unsurveyed, day=today(), approve=False)


# --- every module that pays or enrols refuses a worker deceased before the date in question ---------------


def _dead(org, name, maker=cf.worker, **kw):
    w = maker(org, name, **kw)
    died(w, day=date(2022, 3, 1))
    w.refresh_from_db()
    return w


def test_it_refuses_care_money_and_grants_after_the_death(orgs):
    w = _dead(orgs["331102"], "卫老师")
    with pytest.raises(ValidationError, match="去世"):
        care.visit_record(actor=SYSTEM, worker=w, visit_date=date(2022, 3, 5), visit_type="illness", method="home",
                          amount="300", payment_method="cash", receipt_signed=True)
    with pytest.raises(ValidationError, match="去世"):
        care.benefit_grant_add(actor=SYSTEM, worker=w, benefit_type_code="retreat",
                               year=2022, grant_date=date(2022, 3, 5))
    # a condolence visit without money stays possible
    care.visit_record(actor=SYSTEM, worker=w, visit_date=date(2022, 3, 5), visit_type="bereavement", method="home")


def test_it_refuses_a_retreat_registration_of_the_deceased(orgs):
    w = _dead(orgs["331102"], "蒋老师")
    with pytest.raises(ValidationError, match="去世"):
        rf.apply(rf.batch(orgs["331100"], capacity=5), w)


def test_it_refuses_the_deceased_as_studio_member_or_mentor(orgs):
    liandu = orgs["331102"]
    w = _dead(liandu, "沈老师")
    lead = sf.worker(liandu, "韩师傅", "丽水市劳动模范")
    st = sf.studio(liandu, lead)
    with pytest.raises(ValidationError, match="去世"):
        studios.member_add(actor=SYSTEM, studio=st, worker=w, joined_date=date(2022, 5, 1))
    with pytest.raises(ValidationError, match="去世"):
        sf.mentorship(liandu, [w], ["徒弟乙"], start=date(2022, 5, 1))


def test_it_refuses_to_dispatch_a_request_to_the_deceased(orgs):
    liandu = orgs["331102"]
    w = _dead(liandu, "杨老师")
    with pytest.raises(ValidationError):
        vol.request_dispatch(actor=SYSTEM, request=make_request(liandu), worker=w)
    team = make_team(liandu)
    with pytest.raises(ValidationError, match="去世"):
        vol.record_create(actor=SYSTEM, team=team, date=date(2022, 4, 1), place_kind="village", place="竹口镇",
                          content="义诊", person_times=3, volunteers=[{"worker": w, "hours": "2"}])


def test_it_refuses_the_deceased_as_a_lecture_speaker_after_the_death(orgs):
    w = _dead(orgs["331102"], "朱老师")
    with pytest.raises(ValidationError, match="去世"):
        of.lecture(orgs["331102"], day=date(2022, 5, 4), speakers=[w])
    of.lecture(orgs["331102"], day=date(2022, 2, 4), speakers=[w])  # before the death: recorded


def test_it_answers_what_was_closed_through_the_api(orgs, users, client):
    from laomo.api.services import api_token_create  # noqa: PLC0415  (only this test calls the API)

    w = cf.worker(orgs["331102"], "何老师", "municipal")
    rf.apply(rf.batch(orgs["331100"], capacity=5), w)
    _, raw = api_token_create(actor=SYSTEM, user=users[Role.COUNTY_STAFF])
    resp = client.post(f"/api/v1/workers/{w.pk}/status", data={"status": "deceased",
                                                               "status_date": str(today() - timedelta(days=1))},
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resp.status_code == 200, resp.content
    assert "已撤回 1 项疗休养报名" in resp.json()["closed"] and "已生成吊唁任务" in resp.json()["closed"]
