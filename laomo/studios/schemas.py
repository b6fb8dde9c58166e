"""Request and response schemas of the studios API (`laomo.studios.api`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Schema

from laomo.api.common import Year


class WorkerRef(Schema):
    id: int
    worker_no: str
    name: str
    highest_level: str | None


class StudioOut(Schema):
    id: int
    name: str
    studio_type: str
    level: str
    status: str
    status_date: date
    org: str
    org_name: str
    lead: WorkerRef
    lead_warning: str
    host_enterprise: str
    specialty: str
    founded_date: date
    named_date: date | None
    revoked_date: date | None
    revoke_reason: str
    flags: list[str]


class MemberOut(Schema):
    id: int
    name: str
    worker_id: int | None
    role: str
    title: str
    joined_date: date | None
    left_date: date | None


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    date: date
    reason: str


class ProjectOut(Schema):
    id: int
    title: str
    status: str
    start_date: date
    end_date: date | None


class StudioDetail(StudioOut):
    space_note: str
    funding_note: str
    description: str
    members: list[MemberOut]
    projects: list[ProjectOut]
    history: list[StatusChangeOut]


class Page(Schema):
    items: list
    next: str | None


class StudioPage(Page):
    items: list[StudioOut]


class StudioIn(Schema):
    name: str
    studio_type: str
    level: str
    lead: int
    host_enterprise: str
    org: str
    founded_date: date
    status: str = "cultivating"
    named_date: date | None = None
    specialty: str = ""
    space_note: str = ""
    funding_note: str = ""
    description: str = ""


class StudioPatch(Schema):
    name: str | None = None
    studio_type: str | None = None
    level: str | None = None
    lead: int | None = None
    host_enterprise: str | None = None
    org: str | None = None
    founded_date: date | None = None
    specialty: str | None = None
    space_note: str | None = None
    funding_note: str | None = None
    description: str | None = None


class TransitionIn(Schema):
    to_status: str
    date: date
    reason: str = ""


class AchievementOut(Schema):
    id: int
    studio: int
    kind: str
    title: str
    achieved_date: date
    patent_no: str
    is_recognized: bool
    recognized_by: str
    economic_benefit: str | None
    credited: list[str]
    evidence: str | None


class AchievementIn(Schema):
    kind: str
    title: str
    achieved_date: date
    patent_no: str = ""
    is_recognized: bool = True
    recognized_by: str = ""
    economic_benefit: Decimal | None = None
    credited: list[int] = []


class AssessmentOut(Schema):
    id: int
    year: int
    score: str
    result: str
    comment: str
    assessor: str
    assessed_date: date


class AssessmentIn(Schema):
    year: Year
    score: Decimal
    result: str
    assessed_date: date
    comment: str = ""
    assessor: str = ""


class ReportOut(Schema):
    id: int
    year: int
    quarter: int
    summary: str
    next_plan: str
    activities: int
    participants: int
    trainees: int
    problems_solved: int
    funds_spent: str
    submitted_date: date


class ReportIn(Schema):
    year: Year
    quarter: int
    summary: str
    next_plan: str = ""
    activities: int = 0
    participants: int = 0
    trainees: int = 0
    problems_solved: int = 0
    funds_spent: Decimal = Decimal("0")


class ParticipantOut(Schema):
    id: int
    role: str
    worker_id: int | None
    name: str
    employer: str


class MentorshipOut(Schema):
    id: int
    title: str
    form: str
    mentors: list[ParticipantOut]
    apprentices: list[ParticipantOut]
    skill: str
    goals: str
    org: str
    studio: int | None
    start_date: date
    end_date: date | None


class MentorshipPage(Page):
    items: list[MentorshipOut]


class CheckinOut(Schema):
    id: int
    date: date
    content: str
    hours: str | None


class OutcomeOut(Schema):
    id: int
    apprentice: int
    apprentice_name: str
    kind: str
    result: str
    certificate_no: str
    achieved_date: date


class MentorshipDetail(MentorshipOut):
    checkins: list[CheckinOut]
    outcomes: list[OutcomeOut]


class ApprenticeIn(Schema):
    worker: int | None = None
    name: str = ""
    employer: str = ""
    job: str = ""


class MentorshipIn(Schema):
    title: str
    goals: str
    org: str
    start_date: date
    mentors: list[int]
    apprentices: list[ApprenticeIn]
    end_date: date | None = None
    skill: str = ""
    studio: int | None = None


class CheckinIn(Schema):
    date: date
    content: str
    hours: Decimal | None = None


class OutcomeIn(Schema):
    apprentice: int
    kind: str
    result: str
    achieved_date: date
    certificate_no: str = ""


class TechHelpOut(Schema):
    id: int
    kind: str
    topic: str
    target_type: str
    target_name: str
    date: date
    participants: list[WorkerRef]
    trainees_count: int
    problems_solved: str
    studio: int | None
    org: str


class TechHelpPage(Page):
    items: list[TechHelpOut]


class TechHelpIn(Schema):
    kind: str
    topic: str
    target_type: str
    target_name: str
    date: date
    participants: list[int]
    org: str
    trainees_count: int = 0
    problems_solved: str = ""
    note: str = ""
    studio: int | None = None


class StudiosSection(Schema):
    studios: int
    by_level: dict[str, int]
    mentorships: int
    mentorships_by_form: dict[str, int]
