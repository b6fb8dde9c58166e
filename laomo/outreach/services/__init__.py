"""Writes of the outreach module, by sub-domain. Each validates (Chinese messages keyed by field), checks the
actor may edit the unit (`laomo.core.permissions.require_edit`), saves and audits in one transaction.

`from laomo.outreach import services; services.lecture_create(...)` keeps working: every public name is here.
"""

from .campaigns import CAMPAIGN_FIELDS, campaign_check, campaign_create, campaign_delete, campaign_update
from .common import ENCRYPTED_WORKER_FIELDS, MAX_AUDIENCE, MAX_BATCH_DAYS, MAX_PHOTOS, WHAT
from .lectures import (
    LECTURE_FIELDS,
    Speaker,
    lecture_check,
    lecture_create,
    lecture_delete,
    lecture_update,
    photo_add,
    photo_remove,
)
from .media import (
    MEDIA_FIELDS,
    media_check,
    media_create,
    media_delete,
    media_update,
    pickup_add,
    pickup_remove,
    platform_named,
    reading_add,
    reading_remove,
)
from .sessions import (
    SESSION_FIELDS,
    BatchResult,
    forms_value,
    next_session_date,
    session_batch,
    session_check,
    session_create,
    session_delete,
    session_repeat,
    session_update,
)
from .showcases import SHOWCASE_FIELDS, showcase_check, showcase_create, showcase_delete, showcase_update

__all__ = [
    "CAMPAIGN_FIELDS", "ENCRYPTED_WORKER_FIELDS", "LECTURE_FIELDS", "MAX_AUDIENCE", "MAX_BATCH_DAYS", "MAX_PHOTOS",
    "MEDIA_FIELDS", "SESSION_FIELDS", "SHOWCASE_FIELDS", "WHAT", "BatchResult", "Speaker", "campaign_check",
    "campaign_create", "campaign_delete", "campaign_update", "forms_value", "lecture_check", "lecture_create",
    "lecture_delete", "lecture_update", "media_check", "media_create", "media_delete", "media_update",
    "next_session_date", "photo_add", "photo_remove", "pickup_add", "pickup_remove", "platform_named",
    "reading_add", "reading_remove", "session_batch", "session_check", "session_create", "session_delete",
    "session_repeat", "session_update", "showcase_check", "showcase_create", "showcase_delete", "showcase_update",
]
