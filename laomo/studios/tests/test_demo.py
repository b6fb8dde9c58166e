"""The demo step: studios of every level across the counties, pairings of every form, a year of technical help."""

import random
from datetime import date

import pytest
from django.utils import timezone

from laomo.core.actors import SYSTEM
from laomo.core.audit import verify_chain
from laomo.core.demo import DEMO_PASSWORD, DEMO_USERS, DemoContext
from laomo.orgs.services import user_create
from laomo.studios.demo import demo_studios
from laomo.studios.models import Mentorship, Studio, StudioAchievement, TechHelpActivity
from laomo.studios.reports import by_form, mentorships_in_year, studios_in_year
from laomo.workers.demo import demo_workers

pytestmark = pytest.mark.django_db


def test_it_builds_the_demo_through_the_services(orgs):
    users = {}
    for username, full_name, role, code in DEMO_USERS:
        users[username], _ = user_create(actor=SYSTEM, username=username, full_name=full_name, org=orgs[code],
                                         roles=[role], password=DEMO_PASSWORD, must_change_password=False)
    ctx = DemoContext(rng=random.Random(2022), users=users, orgs=orgs)
    demo_workers(ctx)
    demo_studios(ctx)

    studios = Studio.objects.select_related("org", "lead")
    assert {s.level for s in studios} == {"national", "provincial", "municipal", "county"}
    assert {s.org.code for s in studios} == {"331101", "331102", "331121", "331122", "331123", "331124", "331125",
                                             "331126", "331127", "331181"}
    assert {s.status for s in studios} == {"cultivating", "named", "reviewing", "revoked"}
    assert sum(bool(s.lead_warning) for s in studios) == 1
    this_year = timezone.localdate().year
    for year in (2021, 2022, this_year):
        forms = by_form(mentorships_in_year(Mentorship.objects.filter(is_deleted=False), year))
        assert all(forms.values()), (year, forms)
    assert studios_in_year(Studio.objects.all(), 2022).count() >= 20
    activities = TechHelpActivity.objects.filter(date__year=2022)
    assert {d.month for d in activities.dates("date", "month")} == set(range(1, 13))
    assert {a.kind for a in activities} == {"exchange", "training", "collaboration", "assistance"}
    assert TechHelpActivity.objects.filter(date__year=this_year, date__lte=timezone.localdate()).exists()
    assert StudioAchievement.objects.filter(achieved_date__gte=date(this_year, 1, 1)).exists()
    me = Mentorship.objects.filter(participants__worker__user=users["worker"], participants__role="mentor")
    assert me.filter(start_date__year=this_year).exists()
    assert verify_chain().ok
