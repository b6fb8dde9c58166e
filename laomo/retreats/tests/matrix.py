"""Role-matrix samples of the retreats pages: a 莲都 batch open for applications and one completed."""

from datetime import date
from decimal import Decimal

from laomo.core.actors import SYSTEM
from laomo.core.testing import pk_samples
from laomo.retreats import services
from laomo.workers.services import honor_add, worker_create

SAMPLES = {
    **pk_samples("retreat_open",
                 "retreats:batch_detail", "retreats:batch_edit", "retreats:batch_status", "retreats:batch_itinerary",
                 "retreats:batch_quotas", "retreats:batch_nominate", "retreats:batch_confirm_all", "retreats:my_apply"),
    **pk_samples("retreat_done",
                 "retreats:batch_roster", "retreats:batch_insurance", "retreats:batch_report",
                 "retreats:batch_survey_qr"),
    **pk_samples("retreat_app",
                 "retreats:application_confirm", "retreats:application_reject", "retreats:application_withdraw",
                 "retreats:my_withdraw"),
    **pk_samples("retreat_attended", "retreats:application_attendance"),
    **pk_samples("retreat_vendor", "retreats:vendor_detail", "retreats:vendor_edit"),
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
