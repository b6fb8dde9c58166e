"""Role-matrix samples of the retreats pages: a 莲都 batch open for applications and one completed."""

from datetime import date
from decimal import Decimal

from laomo.core.actors import SYSTEM
from laomo.retreats import services
from laomo.workers.services import honor_add, worker_create

SAMPLES = {
    "retreats:batch_detail": lambda f: {"pk": f["retreat_open"].pk},
    "retreats:batch_edit": lambda f: {"pk": f["retreat_open"].pk},
    "retreats:batch_status": lambda f: {"pk": f["retreat_open"].pk},
    "retreats:batch_itinerary": lambda f: {"pk": f["retreat_open"].pk},
    "retreats:batch_quotas": lambda f: {"pk": f["retreat_open"].pk},
    "retreats:batch_nominate": lambda f: {"pk": f["retreat_open"].pk},
    "retreats:batch_confirm_all": lambda f: {"pk": f["retreat_open"].pk},
    "retreats:batch_roster": lambda f: {"pk": f["retreat_done"].pk},
    "retreats:batch_insurance": lambda f: {"pk": f["retreat_done"].pk},
    "retreats:batch_report": lambda f: {"pk": f["retreat_done"].pk},
    "retreats:batch_survey_qr": lambda f: {"pk": f["retreat_done"].pk},
    "retreats:application_confirm": lambda f: {"pk": f["retreat_app"].pk},
    "retreats:application_reject": lambda f: {"pk": f["retreat_app"].pk},
    "retreats:application_withdraw": lambda f: {"pk": f["retreat_app"].pk},
    "retreats:application_attendance": lambda f: {"pk": f["retreat_attended"].pk},
    "retreats:vendor_detail": lambda f: {"pk": f["retreat_vendor"].pk},
    "retreats:vendor_edit": lambda f: {"pk": f["retreat_vendor"].pk},
    "retreats:my_apply": lambda f: {"pk": f["retreat_open"].pk},
    "retreats:my_withdraw": lambda f: {"pk": f["retreat_app"].pk},
    "retreats:survey": lambda f: {"token": f["retreat_attended"].survey_token},
}


def build(f) -> dict:
    ld = f["orgs"]["331102"]
    vendor = services.vendor_create(actor=SYSTEM, org=ld, name="莲都测试旅行社", contract_start=date(2020, 1, 1),
                                    contract_end=date(2030, 12, 31))
    common = {"destination": "千岛湖", "vendor": vendor, "capacity": 5, "cost_per_person": Decimal("2000.00"),
              "budget": Decimal("10000.00"), "leader_name": "李强", "not_attended_years": 0}
    done = services.batch_create(actor=SYSTEM, org=ld, name="莲都2022第一批", start_date=date(2022, 5, 9),
                                 end_date=date(2022, 5, 13), **common)
    other = worker_create(actor=f["users"]["city_staff"], org=ld, name="李四", id_number="331102197001010030")
    honor_add(actor=f["users"]["city_staff"], worker=other, title="丽水市劳动模范", year=2012)
    services.batch_set_status(actor=SYSTEM, batch=done, status="open")
    attended = services.application_submit(actor=SYSTEM, batch=done, worker=other, health_declared=True)
    services.application_confirm(actor=SYSTEM, application=attended)
    services.batch_set_status(actor=SYSTEM, batch=done, status="confirmed")
    services.batch_set_status(actor=SYSTEM, batch=done, status="ongoing")
    attended, _ = services.application_record_attendance(actor=SYSTEM, application=attended, attended=True)
    open_ = services.batch_create(actor=SYSTEM, org=ld, name="莲都2030第一批", start_date=date(2030, 5, 6),
                                  end_date=date(2030, 5, 10), **common)
    services.batch_set_status(actor=SYSTEM, batch=open_, status="open")
    app = services.application_submit(actor=SYSTEM, batch=open_, worker=f["worker"], health_declared=True)
    return {"retreat_vendor": vendor, "retreat_done": done, "retreat_open": open_, "retreat_app": app,
            "retreat_attended": attended}
