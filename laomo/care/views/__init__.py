"""Pages of 关爱劳模. Thin: forms in, services for writes, selectors for reads (all scoped), the web kit of
`laomo.core.web` for lists, exports and inline checks. One module per part of the menu."""

from .benefits import (
    benefit_type_create,
    benefit_type_edit,
    benefit_types_panel,
    benefits_report,
    dictionary,
    grant_create,
    grant_list,
    grant_void,
)
from .campaigns import (
    campaign_create,
    campaign_detail,
    campaign_edit,
    campaign_list,
    campaign_status,
    index,
    ledger,
    payment_sheet,
    recipient_add,
    recipient_adjust,
    recipient_list,
    recipients_generate,
)
from .surveys import (
    hardship,
    not_surveyed,
    round_create,
    round_detail,
    round_edit,
    round_list,
    survey_approve,
    survey_create,
    survey_detail,
    survey_discard,
    survey_edit,
    survey_list,
    survey_return,
    survey_submit,
)
from .visits import (
    bank_account,
    visit_batch,
    visit_create,
    visit_detail,
    visit_list,
    visit_reveal,
    visit_void,
    worker_search,
)

__all__ = [
    "bank_account", "benefit_type_create", "benefit_type_edit", "benefit_types_panel", "benefits_report",
    "campaign_create", "campaign_detail", "campaign_edit", "campaign_list", "campaign_status", "dictionary",
    "grant_create", "grant_list", "grant_void", "hardship", "index", "ledger", "not_surveyed", "payment_sheet",
    "recipient_add", "recipient_adjust", "recipient_list", "recipients_generate", "round_create", "round_detail",
    "round_edit", "round_list", "survey_approve", "survey_create", "survey_detail", "survey_discard", "survey_edit",
    "survey_list", "survey_return", "survey_submit", "visit_batch", "visit_create", "visit_detail", "visit_list",
    "visit_reveal", "visit_void", "worker_search",
]
