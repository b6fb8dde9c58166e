"""Writes of 关爱劳模. Every function validates (Chinese messages keyed by field), checks the actor's scope,
saves and audits in one transaction; the database constraints stand behind the checks.

One module per sub-domain; every public name is re-exported here, so `from laomo.care import services` and
`from laomo.care.services import x` work as before (the retreats module records its grants through
`benefit_grant_record`).
"""

from .accounts import bank_account_reveal, bank_account_set, bank_accounts_bulk_set, mask_account, normalize_account
from .benefits import (
    BENEFIT_TYPE_FIELDS,
    benefit_grant_add,
    benefit_grant_record,
    benefit_grant_void,
    benefit_grants_bulk_record,
    benefit_type_save,
)
from .campaigns import (
    CAMPAIGN_FIELDS,
    CAMPAIGN_MONEY,
    GenerateResult,
    campaign_create,
    campaign_set_status,
    campaign_update,
    recipient_add,
    recipient_adjust,
    recipients_generate,
)
from .common import LIVING_STATUSES, WHAT, is_deceased_before
from .surveys import (
    PLAIN_SURVEY_FIELDS,
    ROUND_FIELDS,
    SENSITIVE_SURVEY_FIELDS,
    compute_hardship_level,
    round_open,
    round_update,
    severe_causes,
    survey_approve,
    survey_create,
    survey_discard,
    survey_return,
    survey_reveal,
    survey_submit,
    survey_update,
    surveys_approve_batch,
    surveys_submit_batch,
)
from .visits import (
    BatchResult,
    VisitInput,
    campaign_paid_total,
    payment_sheet_printed,
    visit_check,
    visit_record,
    visit_void,
    visits_record_batch,
)

__all__ = [
    "BENEFIT_TYPE_FIELDS", "CAMPAIGN_FIELDS", "CAMPAIGN_MONEY", "LIVING_STATUSES", "PLAIN_SURVEY_FIELDS",
    "ROUND_FIELDS", "SENSITIVE_SURVEY_FIELDS", "WHAT", "BatchResult", "GenerateResult", "VisitInput",
    "bank_account_reveal", "bank_account_set", "bank_accounts_bulk_set", "benefit_grant_add", "benefit_grant_record",
    "benefit_grant_void", "benefit_grants_bulk_record", "benefit_type_save", "campaign_create", "campaign_paid_total",
    "campaign_set_status", "campaign_update", "compute_hardship_level", "is_deceased_before", "mask_account",
    "normalize_account", "payment_sheet_printed", "recipient_add", "recipient_adjust", "recipients_generate",
    "round_open", "round_update", "severe_causes", "survey_approve", "survey_create", "survey_discard",
    "survey_return", "survey_reveal", "survey_submit", "survey_update", "surveys_approve_batch",
    "surveys_submit_batch", "visit_check", "visit_record", "visit_void", "visits_record_batch",
]
