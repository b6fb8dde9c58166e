"""Writes of the retreats module, by sub-domain. Each function validates, checks the actor and the data
scope, saves and audits in one transaction. `from laomo.retreats import services; services.x(...)` and
`from laomo.retreats.services import x` both work for every public name."""

from .applications import (
    application_confirm,
    application_order,
    application_record_attendance,
    application_reject,
    application_submit,
    application_withdraw,
    batch_confirm_by_priority,
    waitlist_order,
)
from .batches import (
    BATCH_FIELDS,
    batch_create,
    batch_set_itinerary,
    batch_set_quotas,
    batch_set_status,
    batch_update,
    batch_validate,
)
from .common import seats_taken
from .exports import insurance_export, roster_export
from .surveys import survey_links_issue, survey_open_for, survey_qr_issue, survey_submit
from .vendors import VENDOR_FIELDS, vendor_create, vendor_update

__all__ = [
    "BATCH_FIELDS", "VENDOR_FIELDS", "application_confirm", "application_order", "application_record_attendance",
    "application_reject", "application_submit", "application_withdraw", "batch_confirm_by_priority", "batch_create",
    "batch_set_itinerary", "batch_set_quotas", "batch_set_status", "batch_update", "batch_validate",
    "insurance_export", "roster_export", "seats_taken", "survey_links_issue", "survey_open_for", "survey_qr_issue",
    "survey_submit", "vendor_create", "vendor_update", "waitlist_order",
]
