"""The retreats demo step, built through the services on a smaller registry: 2022 has the seed's figures."""

import random

import pytest

from laomo.core.demo import DemoContext
from laomo.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_it_builds_2022_with_four_batches_and_69_participants(users, monkeypatch):
    from laomo.reports.selectors import summary
    from laomo.retreats.demo import demo_retreats
    from laomo.retreats.models import ApplicationStatus, RetreatApplication, RetreatBatch, SurveyResponse
    from laomo.workers import demo as workers_demo

    real_rows = workers_demo.demo_rows
    monkeypatch.setattr(workers_demo, "demo_rows", lambda rng: real_rows(rng, 700))
    demo_users = {"city": users["city_staff"], "liandu": users["county_staff"], "qingyuan": users["county_staff_qy"],
                  "longquan": users["city_staff"], "worker": users["worker"]}
    ctx = DemoContext(rng=random.Random(2022), users=demo_users, orgs={o.code: o for o in OrgUnit.objects.all()})
    workers_demo.demo_workers(ctx)
    demo_retreats(ctx)

    root = ctx.orgs["331100"]
    figures = summary(user=users["city_staff"], year=2022, org=root)["retreats"]
    assert figures["batches"] == 4 and figures["participants"] == 69
    attended = RetreatApplication.objects.filter(batch__start_date__year=2022, status=ApplicationStatus.ATTENDED)
    answered = SurveyResponse.objects.filter(application__in=attended).count()
    assert answered > attended.count() * 0.7  # surveys answered by most
    assert summary(user=users["city_staff"], year=2021, org=root)["retreats"]["batches"] == 3
    open_batch = RetreatBatch.objects.get(status="open")  # this year's batch takes applications
    from laomo.retreats.rules import evaluate_one
    from laomo.workers.models import Worker

    me = Worker.objects.select_related("org").get(user=users["worker"])
    assert evaluate_one(open_batch, me).ok  # the demo worker can try applying from the phone
    assert RetreatApplication.objects.filter(status=ApplicationStatus.WITHDRAWN).exists()  # the waitlist moved up
