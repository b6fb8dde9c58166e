"""Factories of the volunteering tests, through the services."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from laomo.core.actors import PUBLIC, SYSTEM
from laomo.volunteering import services
from laomo.workers.tests.factories import make_worker


def moment(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour)))


def make_team(org, name="医疗卫生服务队", team_type="medical", *, leader=None, parent=None, founded=date(2020, 1, 1),
              members=()):
    team = services.team_create(actor=SYSTEM, org=org, name=name, team_type=team_type, founded_on=founded,
                                leader=leader, parent=parent, base="庆工益之家")
    for worker in members:
        services.member_add(actor=SYSTEM, team=team, worker=worker, joined_on=founded)
    return team


def make_record(team, d: date, person_times: int, *, workers=(), hours="2", actor=SYSTEM, **extra):
    vols = [{"worker": w, "hours": Decimal(hours)} for w in workers]
    if not vols:
        member = team.members.filter(is_active=True).first() or services.member_add(
            actor=SYSTEM, team=team, name="志愿者甲", phone="13800000000", joined_on=team.founded_on)
        vols = [{"member": member, "hours": Decimal(hours)}]
    with services.at(moment(d, 18)):
        return services.record_create(actor=actor, team=team, date=d, place_kind="village", place="竹口镇",
                                      content="量血压、测血糖", person_times=person_times, volunteers=vols, **extra)


def make_request(org, *, category="fungus", description="香菇烂棒比较多,想请专家看看", when=None, **extra):
    data = {"org": org, "category": category, "description": description, "town": "竹口镇", "village": "黄坛村",
            "contact_name": "张大明", "contact_phone": "13905781234"}
    data.update(extra)
    if when is not None:
        with services.at(when):
            return services.request_submit(actor=PUBLIC, **data)
    return services.request_submit(actor=PUBLIC, **data)


__all__ = ["make_worker", "make_team", "make_record", "make_request", "moment"]
