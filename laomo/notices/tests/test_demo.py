"""The notices demo step, through the services: a policy from the city to every county, three confirmed."""

import random

import pytest

from conftest import make_user
from laomo.core.demo import DemoContext
from laomo.notices import selectors
from laomo.notices.demo import demo_notices
from laomo.notices.models import Notice, NoticeStatus
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import Role

pytestmark = pytest.mark.django_db


def test_it_sends_a_policy_to_every_county_with_some_confirmed(users, orgs, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    demo_users = {"city": users["city_staff"], "liandu": users["county_staff"], "qingyuan": users["county_staff_qy"],
                  "longquan": make_user("t_longquan", Role.COUNTY_STAFF, orgs["331181"])}
    ctx = DemoContext(rng=random.Random(2022), users=demo_users, orgs={o.code: o for o in OrgUnit.objects.all()})
    demo_notices(ctx)
    policy = Notice.objects.get(category="policy")
    assert policy.status == NoticeStatus.PUBLISHED and policy.attachments.count() == 2
    _rows, counts = selectors.receipts_of(policy)
    assert (counts.units, counts.confirmed) == (9, 3)
    assert Notice.objects.filter(status=NoticeStatus.PUBLISHED).count() == 2
