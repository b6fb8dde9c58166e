"""Pages of the volunteering module. Thin: forms in, services for writes, selectors for reads; the lists,
htmx redirects, form errors and audited exports come from `laomo.core.web`.

By page group: `overview` (landing page, 我的服务), `teams`, `records` (records, photos, hours), `requests`
(点单 and its steps), `mobilizations`, `certificates`."""

from .certificates import certificate_create, certificate_detail, certificate_list, certificate_void
from .mobilizations import (
    mobilization_create,
    mobilization_detail,
    mobilization_edit,
    mobilization_list,
    post_add,
    roster_add,
    roster_remove,
)
from .overview import index, me
from .records import hours, photo, photo_add, record_create, record_delete, record_detail, record_edit, record_list
from .requests import (
    request_accept,
    request_cancel,
    request_complete,
    request_create,
    request_decline,
    request_detail,
    request_dispatch,
    request_list,
    request_rate,
    request_refuse,
    request_reveal,
    request_schedule,
)
from .teams import member_add, member_remove, team_create, team_detail, team_dissolve, team_edit, team_list

__all__ = [
    "certificate_create", "certificate_detail", "certificate_list", "certificate_void", "hours", "index", "me",
    "member_add", "member_remove", "mobilization_create", "mobilization_detail", "mobilization_edit",
    "mobilization_list", "photo", "photo_add", "post_add", "record_create", "record_delete", "record_detail",
    "record_edit", "record_list", "request_accept", "request_cancel", "request_complete", "request_create",
    "request_decline", "request_detail", "request_dispatch", "request_list", "request_rate", "request_refuse",
    "request_reveal", "request_schedule", "roster_add", "roster_remove", "team_create", "team_detail",
    "team_dissolve", "team_edit", "team_list",
]
