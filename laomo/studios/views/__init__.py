"""Pages of 创新工作室与传帮带, by sub-domain. Thin: forms in, services for writes, selectors for reads, the
web kit (`laomo.core.web`) for lists, exports, htmx redirects and inline validation."""

from .achievements import (
    achievement_add,
    achievement_evidence,
    achievement_evidence_upload,
    achievement_list,
    achievement_withdraw,
)
from .me import my_checkin, my_studios, worker_search
from .mentorships import (
    checkin_add,
    mentorship_create,
    mentorship_delete,
    mentorship_detail,
    mentorship_edit,
    mentorship_list,
    outcome_add,
    participant_add,
    participant_remove,
)
from .studios import (
    assessment_add,
    member_add,
    member_leave,
    project_add,
    project_close,
    report_add,
    studio_create,
    studio_detail,
    studio_edit,
    studio_list,
    studio_status,
)
from .tech_help import tech_help_create, tech_help_delete, tech_help_detail, tech_help_edit, tech_help_list

__all__ = [
    "achievement_add", "achievement_evidence", "achievement_evidence_upload", "achievement_list",
    "achievement_withdraw", "assessment_add", "checkin_add", "member_add", "member_leave", "mentorship_create",
    "mentorship_delete", "mentorship_detail", "mentorship_edit", "mentorship_list", "my_checkin", "my_studios",
    "outcome_add", "participant_add", "participant_remove", "project_add", "project_close", "report_add",
    "studio_create", "studio_detail", "studio_edit", "studio_list", "studio_status", "tech_help_create",
    "tech_help_delete", "tech_help_detail", "tech_help_edit", "tech_help_list", "worker_search",
]
