"""Writes of the volunteering module. Every function validates, checks the actor (a user, `SYSTEM` or, on
the portal, `PUBLIC`), saves and audits in one transaction. Requests move through the state machine of
`TRANSITIONS` only.

By sub-domain: `teams` (teams and members), `records` (service records, photos, certificates), `requests`
(点单 and its state machine), `history` (requests recorded by staff with their historical dates),
`mobilizations` (应急/专项行动 and rosters); `common` holds what they share.
"""

from .common import WHAT, at, is_staff_for, leads_team, mask_name, now, today
from .history import request_record_historical
from .mobilizations import (
    MOBILIZATION_FIELDS,
    mobilization_create,
    mobilization_update,
    post_add,
    roster_add,
    roster_remove,
)
from .records import (
    PHOTO_MAX_BYTES,
    PHOTO_MAX_SIDE,
    THUMB_SIDE,
    certificate_issue,
    certificate_lines,
    certificate_void,
    may_record,
    photo_add,
    record_certified,
    record_create,
    record_remove,
    record_update,
    worker_hours_total,
)
from .requests import (
    ACTION_LABELS,
    DEFAULT_PROMISE_DAYS,
    DESCRIPTION_MAX,
    DISPATCH_DAYS,
    PHONE_PURPOSE,
    PUBLIC_LABEL,
    REFUSALS,
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    TRANSITIONS,
    can_transition,
    may_serve,
    new_tracking_code,
    request_accept,
    request_cancel,
    request_complete,
    request_decline,
    request_dispatch,
    request_rate,
    request_refuse,
    request_release,
    request_reveal,
    request_schedule,
    request_submit,
)
from .teams import TEAM_FIELDS, member_add, member_remove, team_create, team_dissolve, team_update

__all__ = [
    "ACTION_LABELS", "DEFAULT_PROMISE_DAYS", "DESCRIPTION_MAX", "DISPATCH_DAYS", "MOBILIZATION_FIELDS",
    "PHONE_PURPOSE", "PHOTO_MAX_BYTES", "PHOTO_MAX_SIDE", "PUBLIC_LABEL", "REFUSALS", "TEAM_FIELDS", "THUMB_SIDE",
    "TRACKING_ALPHABET", "TRACKING_LENGTH", "TRANSITIONS", "WHAT", "at", "can_transition", "certificate_issue",
    "certificate_lines", "certificate_void", "is_staff_for", "leads_team", "mask_name", "may_record",
    "may_serve", "member_add", "member_remove", "mobilization_create", "mobilization_update", "new_tracking_code",
    "now", "photo_add", "post_add", "record_certified", "record_create", "record_remove",
    "record_update", "request_accept", "request_cancel", "request_complete", "request_decline", "request_dispatch",
    "request_rate", "request_release", "request_record_historical", "request_refuse", "request_reveal",
    "request_schedule",
    "request_submit", "roster_add",
    "roster_remove", "team_create", "team_dissolve", "team_update", "today", "worker_hours_total",
]
