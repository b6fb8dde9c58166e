"""The demo's outreach year: 468 lectures in 2022, the 开学第一课 video past 300,000 views and taken up by
学习强国 “爱·思政”, 班前十分钟 at 丽水万控 and 丽水丽宝 — built through the services."""

from datetime import date

import pytest
from django.utils import timezone

from laomo.core import demo
from laomo.core.audit import verify_chain
from laomo.orgs.models import OrgUnit, User
from laomo.outreach.models import Lecture, MediaItem, PreShiftSession, Showcase
from laomo.reports.selectors import summary

pytestmark = pytest.mark.django_db


def test_it_builds_a_year_of_lishui_outreach(monkeypatch):
    monkeypatch.setattr(demo, "_STEPS", [s for s in demo._STEPS if s[0] <= 20])  # the registry and this module
    demo.populate(seed=2022)
    city = User.objects.get(username="city")
    figures = summary(user=city, year=2022, org=OrgUnit.objects.get(code="331100"))["outreach"]
    assert figures["lectures"] == 468
    assert sum(figures["lectures_by_venue"].values()) == 468 and all(figures["lectures_by_venue"].values())
    assert figures["online_views"] > 300_000 and figures["pre_shift_sessions"] > 200
    assert summary(user=city, year=2021, org=OrgUnit.objects.get(code="331100"))["outreach"]["lectures"] > 0
    this_year = timezone.localdate().year
    assert summary(user=city, year=this_year, org=OrgUnit.objects.get(code="331100"))["outreach"]["lectures"] > 0

    video = MediaItem.objects.get(platform__label="之江教育汇", title__contains="劳动教育开学第一课")
    readings = list(video.readings.order_by("date").values_list("date", "views"))
    in_2022 = [v for d, v in readings if d.year == 2022]
    assert in_2022[-1] >= 300_000 and [v for _, v in readings] == sorted(v for _, v in readings)
    assert video.pickups.filter(outlet="学习强国", column="爱·思政").exists()
    assert video.lecture.date == date(2022, 9, 1) and video.lecture.speakers.filter(worker__name="吴长久").exists()

    for enterprise in ("丽水万控科技有限公司", "丽水丽宝安防科技有限公司"):
        assert PreShiftSession.objects.filter(enterprise=enterprise, date__year=2022).count() > 100, enterprise
    assert PreShiftSession.objects.filter(enterprise="丽水丽宝安防科技有限公司", speaker__name="姜雷").exists()
    assert set(PreShiftSession.objects.filter(enterprise="丽水万控科技有限公司").values_list("shift", flat=True)) == {
        "before", "after"}
    assert Showcase.objects.filter(host_place="庆元县工人文化宫").exists()
    me = User.objects.get(username="worker").worker  # 叶长文's phone shows his lectures
    assert Lecture.objects.filter(speakers__worker=me, status="held").exists()
    assert not Lecture.objects.filter(status="held", date__gt=timezone.localdate()).exists()
    assert verify_chain().ok
