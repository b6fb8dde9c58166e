"""Samples for the role matrix: a 庆元 team led by the team leader, a record, a request dispatched to the
worker's own record, a mobilization and a certificate."""

from datetime import date
from decimal import Decimal

from laomo.core.actors import PUBLIC, SYSTEM
from laomo.core.testing import pk_samples
from laomo.volunteering import services
from laomo.workers.tests.factories import make_worker

SAMPLES = {
    **pk_samples("vol_team",
                 "volunteering:team_detail", "volunteering:team_edit", "volunteering:team_dissolve",
                 "volunteering:member_add"),
    "volunteering:member_remove": lambda f: {"pk": f["vol_team"].pk, "member_pk": f["vol_member"].pk},
    **pk_samples("vol_record",
                 "volunteering:record_detail", "volunteering:record_edit", "volunteering:record_delete",
                 "volunteering:photo_add"),
    "volunteering:photo": lambda f: {"pk": f["vol_record"].pk, "photo_pk": 999999},
    **pk_samples("vol_request",
                 "volunteering:request_detail", "volunteering:request_dispatch", "volunteering:request_refuse",
                 "volunteering:request_cancel", "volunteering:request_accept", "volunteering:request_decline",
                 "volunteering:request_schedule", "volunteering:request_complete", "volunteering:request_rate",
                 "volunteering:request_reveal"),
    **pk_samples("vol_mobilization",
                 "volunteering:mobilization_detail", "volunteering:mobilization_edit", "volunteering:post_add",
                 "volunteering:roster_add"),
    "volunteering:roster_remove": lambda f: {"pk": f["vol_mobilization"].pk, "entry_pk": f["vol_roster"].pk},
    **pk_samples("vol_certificate", "volunteering:certificate_detail", "volunteering:certificate_void"),
}


def build(f):
    qy = f["orgs"]["331126"]
    me = make_worker(qy, "叶长文", specialties="食用菌栽培、香菇")
    me.user = f["users"]["worker"]
    me.save(update_fields=["user"])
    team = services.team_create(actor=SYSTEM, org=qy, name="食用菌技术指导服务队", team_type="fungus",
                                founded_on=date(2020, 5, 1), leader=f["users"]["team_leader"])
    member = services.member_add(actor=SYSTEM, team=team, worker=me)
    record = services.record_create(actor=SYSTEM, team=team, date=date(2022, 3, 1), place_kind="village",
                                    place="竹口镇",
                                    content="香菇技术指导", person_times=12,
                                    volunteers=[{"worker": me, "hours": Decimal("3")}])
    req = services.request_submit(actor=PUBLIC, org=qy, category="fungus", description="香菇烂棒想请专家指导",
                                  town="竹口镇", contact_name="张大明", contact_phone="13905781234")
    services.request_dispatch(actor=SYSTEM, request=req, team=team, worker=me)
    m = services.mobilization_create(actor=SYSTEM, org=qy, name="防汛应急", kind="emergency", team_type="agriculture",
                                     start_date=date(2022, 6, 20), end_date=date(2022, 7, 5), area="庆元县",
                                     posts=["城区内涝点"])
    roster = services.roster_add(actor=SYSTEM, mobilization=m, worker=me, duty_from=date(2022, 6, 20),
                                 duty_to=date(2022, 6, 22))
    cert = services.certificate_issue(actor=SYSTEM, worker=me, org=qy, period_from=date(2022, 1, 1),
                                      period_to=date(2022, 12, 31))
    return {"vol_team": team, "vol_member": member, "vol_record": record, "vol_request": req,
            "vol_mobilization": m, "vol_roster": roster, "vol_certificate": cert}
