"""Samples for the role matrix: a 庆元 team led by the team leader, a record, a request dispatched to the
worker's own record, a mobilization and a certificate."""

from datetime import date
from decimal import Decimal

from laomo.core.actors import PUBLIC, SYSTEM
from laomo.volunteering import services
from laomo.workers.tests.factories import make_worker

SAMPLES = {
    "volunteering:team_detail": lambda f: {"pk": f["vol_team"].pk},
    "volunteering:team_edit": lambda f: {"pk": f["vol_team"].pk},
    "volunteering:team_dissolve": lambda f: {"pk": f["vol_team"].pk},
    "volunteering:member_add": lambda f: {"pk": f["vol_team"].pk},
    "volunteering:member_remove": lambda f: {"pk": f["vol_team"].pk, "member_pk": f["vol_member"].pk},
    "volunteering:record_detail": lambda f: {"pk": f["vol_record"].pk},
    "volunteering:record_edit": lambda f: {"pk": f["vol_record"].pk},
    "volunteering:record_delete": lambda f: {"pk": f["vol_record"].pk},
    "volunteering:photo_add": lambda f: {"pk": f["vol_record"].pk},
    "volunteering:photo": lambda f: {"pk": f["vol_record"].pk, "photo_pk": 999999},
    "volunteering:request_detail": lambda f: {"pk": f["vol_request"].pk},
    "volunteering:request_dispatch": lambda f: {"pk": f["vol_request"].pk},
    "volunteering:request_refuse": lambda f: {"pk": f["vol_request"].pk},
    "volunteering:request_cancel": lambda f: {"pk": f["vol_request"].pk},
    "volunteering:request_accept": lambda f: {"pk": f["vol_request"].pk},
    "volunteering:request_decline": lambda f: {"pk": f["vol_request"].pk},
    "volunteering:request_schedule": lambda f: {"pk": f["vol_request"].pk},
    "volunteering:request_complete": lambda f: {"pk": f["vol_request"].pk},
    "volunteering:request_rate": lambda f: {"pk": f["vol_request"].pk},
    "volunteering:request_reveal": lambda f: {"pk": f["vol_request"].pk},
    "volunteering:mobilization_detail": lambda f: {"pk": f["vol_mobilization"].pk},
    "volunteering:mobilization_edit": lambda f: {"pk": f["vol_mobilization"].pk},
    "volunteering:post_add": lambda f: {"pk": f["vol_mobilization"].pk},
    "volunteering:roster_add": lambda f: {"pk": f["vol_mobilization"].pk},
    "volunteering:roster_remove": lambda f: {"pk": f["vol_mobilization"].pk, "entry_pk": f["vol_roster"].pk},
    "volunteering:certificate_detail": lambda f: {"pk": f["vol_certificate"].pk},
    "volunteering:certificate_void": lambda f: {"pk": f["vol_certificate"].pk},
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
