"""Writes of the studios module, by sub-domain. Every function validates (Chinese messages keyed by field), checks
the actor may edit the unit (`laomo.core.permissions.require_edit`; `SYSTEM` for demo data and commands), saves and
writes the audit entry in one transaction.

`from laomo.studios import services; services.studio_create(...)` keeps working: every public name is here.
"""

from .achievements import ACHIEVEMENT_KIND, achievement_add, achievement_attach_evidence, achievement_withdraw
from .assessments import assessment_record, quarter_bounds, report_submit
from .common import WHAT, check_may_edit, dry_run
from .mentorships import (
    MENTORSHIP_FIELDS,
    Person,
    as_person,
    check_people,
    checkin_add,
    may_log_checkin,
    mentorship_create,
    mentorship_delete,
    mentorship_update,
    outcome_add,
    participant_add,
    participant_remove,
)
from .studios import (
    STUDIO_FIELDS,
    check_lead,
    member_add,
    member_leave,
    project_add,
    project_close,
    studio_create,
    studio_transition,
    studio_update,
)
from .tech_help import TECH_HELP_FIELDS, check_participants, tech_help_create, tech_help_delete, tech_help_update


def people_errors(actor, *, lead=None, mentors=None, apprentices=None, participants=None) -> dict:
    """The checks on the people of a record alone (for inline validation before the rest of a form is filled)."""
    errors: dict = {}
    if lead is not None:
        check_lead(actor, lead, errors)
    if mentors is not None and apprentices is not None:
        check_people(actor, list(mentors), [as_person(a) for a in apprentices], errors)
    if participants is not None:
        check_participants(actor, list(participants), list(participants), errors)
    return errors


__all__ = [
    "ACHIEVEMENT_KIND", "MENTORSHIP_FIELDS", "STUDIO_FIELDS", "TECH_HELP_FIELDS", "WHAT", "Person",
    "achievement_add", "achievement_attach_evidence", "achievement_withdraw", "as_person", "assessment_record",
    "check_may_edit", "checkin_add", "dry_run", "may_log_checkin", "member_add", "member_leave", "mentorship_create",
    "mentorship_delete", "mentorship_update", "outcome_add", "participant_add", "participant_remove", "people_errors",
    "project_add", "project_close", "quarter_bounds", "report_submit", "studio_create", "studio_transition",
    "studio_update", "tech_help_create", "tech_help_delete", "tech_help_update",
]
