"""/api/v1/studios, /api/v1/mentorships, /api/v1/tech-help — scoped by the token's user (the same selectors as
the pages). Money is a decimal string with two places; dates are ISO dates."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import File, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from laomo.api.common import PageNo, Year, org_or_none, paged, requires, with_org
from laomo.core.money import money_str
from laomo.core.years import current_year
from laomo.reports.selectors import OrgNotFound, report_org
from laomo.workers.models import RANK_LEVEL, Worker
from laomo.workers.selectors import worker_base

from . import selectors, services
from .models import (
    FORM_KEYS,
    Mentorship,
    ParticipantRole,
    Studio,
    StudioAchievement,
    TechHelpActivity,
    lead_warning,
)
from .reports import studios_section
from .schemas import (
    AchievementIn,
    AchievementOut,
    AssessmentIn,
    AssessmentOut,
    CheckinIn,
    CheckinOut,
    MentorshipDetail,
    MentorshipIn,
    MentorshipPage,
    OutcomeIn,
    OutcomeOut,
    ReportIn,
    ReportOut,
    StudioDetail,
    StudioIn,
    StudioPage,
    StudioPatch,
    StudiosSection,
    TechHelpIn,
    TechHelpOut,
    TechHelpPage,
    TransitionIn,
)

router = Router(tags=["创新工作室与传帮带"])


# --- helpers ---------------------------------------------------------------------------------------------


def _workers(request, ids: list[int], field: str) -> list[Worker]:
    found = {w.pk: w for w in worker_base(request.user).filter(pk__in=ids).select_related("org")}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({field: f"劳模 {', '.join(map(str, missing))} 不存在或不在您的数据范围内。"})
    return [found[i] for i in ids]


def _studio_ref(request, pk: int | None, field: str = "studio") -> Studio | None:
    if pk is None:
        return None
    studio = selectors.studio_choices(user=request.user).filter(pk=pk).first()
    if studio is None:
        raise ValidationError({field: "工作室不存在、已撤销或不在您的数据范围内。"})
    return studio


def _page(request, qs, page: int, out) -> dict:
    """One page of a list answer: {items: [out(row) …], next: the next page's URL or None}."""
    rows, nxt = paged(request, qs, page)
    return {"items": [out(row) for row in rows], "next": nxt}


def _money(value) -> str | None:
    return None if value is None else money_str(value)


def _worker_ref(w: Worker) -> dict:
    return {"id": w.pk, "worker_no": w.worker_no, "name": w.name, "highest_level": RANK_LEVEL.get(w.highest_level_rank)}


def _studio_out(s: Studio, year: int) -> dict:
    return {
        "id": s.pk, "name": s.name, "studio_type": s.studio_type, "level": s.level, "status": s.status,
        "status_date": s.status_date, "org": s.org.code, "org_name": s.org.name, "lead": _worker_ref(s.lead),
        "lead_warning": s.lead_warning, "host_enterprise": s.host_enterprise, "specialty": s.specialty,
        "founded_date": s.founded_date, "named_date": s.named_date, "revoked_date": s.revoked_date,
        "revoke_reason": s.revoke_reason, "flags": [code for code, _ in selectors.flags_of(s, year)],
    }


# `_studio_out` from a row read with values() (the list: no model instances, issue 16).
STUDIO_VALUES = ("id", "name", "studio_type", "level", "status", "status_date", "org__code", "org__name", "lead_id",
                 "lead__worker_no", "lead__name", "lead__highest_level_rank", "host_enterprise", "specialty",
                 "founded_date", "named_date", "revoked_date", "revoke_reason", "has_project", "has_result",
                 "last_result")


def _studio_values(s: dict, year: int) -> dict:
    rank = s["lead__highest_level_rank"]
    flags = selectors.studio_flags(s["status"], s["founded_date"], s["has_project"], s["has_result"],
                                   s["last_result"], rank, year)
    return {
        "id": s["id"], "name": s["name"], "studio_type": s["studio_type"], "level": s["level"], "status": s["status"],
        "status_date": s["status_date"], "org": s["org__code"], "org_name": s["org__name"],
        "lead": {"id": s["lead_id"], "worker_no": s["lead__worker_no"], "name": s["lead__name"],
                 "highest_level": RANK_LEVEL.get(rank)},
        "lead_warning": lead_warning(s["lead__name"], rank), "host_enterprise": s["host_enterprise"],
        "specialty": s["specialty"], "founded_date": s["founded_date"], "named_date": s["named_date"],
        "revoked_date": s["revoked_date"], "revoke_reason": s["revoke_reason"], "flags": [code for code, _ in flags],
    }


def _studio_detail(request, pk: int, year: Year | None = None) -> dict:
    year = year or current_year()
    s = selectors.studio_get(user=request.user, pk=pk, year=year)
    data = _studio_out(s, year)
    data.update({
        "space_note": s.space_note, "funding_note": s.funding_note, "description": s.description,
        "members": [{"id": m.pk, "name": m.name, "worker_id": m.worker_id, "role": m.role, "title": m.title,
                     "joined_date": m.joined_date, "left_date": m.left_date} for m in selectors.members_of(s)],
        "projects": list(selectors.projects_of(s).values("id", "title", "status", "start_date", "end_date")),
        "history": list(selectors.status_history(s).values("from_status", "to_status", "date", "reason")),
    })
    return data


def _achievement_out(a: StudioAchievement) -> dict:
    return {"id": a.pk, "studio": a.studio_id, "kind": a.kind, "title": a.title, "achieved_date": a.achieved_date,
            "patent_no": a.patent_no, "is_recognized": a.is_recognized, "recognized_by": a.recognized_by,
            "economic_benefit": _money(a.economic_benefit), "credited": [m.name for m in a.credited.all()],
            "evidence": a.evidence_name or None}


def _participant_out(p) -> dict:
    return {"id": p.pk, "role": p.role, "worker_id": p.worker_id, "name": p.name, "employer": p.employer}


def _mentorship_out(m: Mentorship) -> dict:
    people = list(m.participants.all())
    return {
        "id": m.pk, "title": m.title, "form": m.form, "skill": m.skill, "goals": m.goals, "org": m.org.code,
        "studio": m.studio_id, "start_date": m.start_date, "end_date": m.end_date,
        "mentors": [_participant_out(p) for p in people if p.role == ParticipantRole.MENTOR],
        "apprentices": [_participant_out(p) for p in people if p.role == ParticipantRole.APPRENTICE],
    }


def _mentorship_detail(request, pk: int) -> dict:
    m = selectors.mentorship_get(user=request.user, pk=pk)
    data = _mentorship_out(m)
    data["checkins"] = [{"id": c.pk, "date": c.date, "content": c.content,
                         "hours": None if c.hours is None else f"{c.hours:.1f}"} for c in selectors.checkins_of(m)]
    data["outcomes"] = [{"id": o.pk, "apprentice": o.apprentice_id, "apprentice_name": o.apprentice.name,
                         "kind": o.kind, "result": o.result, "certificate_no": o.certificate_no,
                         "achieved_date": o.achieved_date} for o in selectors.outcomes_of(m)]
    return data


def _tech_help_out(a: TechHelpActivity) -> dict:
    return {"id": a.pk, "kind": a.kind, "topic": a.topic, "target_type": a.target_type, "target_name": a.target_name,
            "date": a.date, "participants": [_worker_ref(w) for w in a.participants.all()],
            "trainees_count": a.trainees_count, "problems_solved": a.problems_solved, "studio": a.studio_id,
            "org": a.org.code}


# --- studios -----------------------------------------------------------------------------------------------


@router.get("/studios", response=StudioPage, summary="创新工作室列表")
@requires("view_business")
def studio_list(request, q: str = "", org: str = "", level: str = "", studio_type: str = "", status: str = "",
                flag: str = "", year: Year | None = None, page: PageNo = 1):
    """Filters as on the list page. `flags` and the `flag` filter are computed for `year` (default: this year):
    `no_project` (no project running in the year), `no_result` (no recognized achievement in the year or the year
    before, for studios founded before that window), `failed` (latest assessment 不合格), `lead_low` (lead's
    highest honor below municipal). `flag=any` lists studios with any flag."""
    year = year or current_year()
    filters = selectors.StudioFilters(q=q, org=org_or_none(request, org), level=level,
                                      studio_type=studio_type, status=status, flag=flag, year=year)
    qs = selectors.studio_list(user=request.user, filters=filters).values(*STUDIO_VALUES)
    return _page(request, qs, page, lambda s: _studio_values(s, year))


@router.get("/studios/figures", response=StudiosSection, summary="创新工作室与传帮带年度数据(汇总报表的 studios 部分)")
@requires("view_business")
def studio_figures(request, year: Year | None = None, org: str | None = None):
    """The `studios` section of `/reports/summary` for `org` (default: the caller's unit) and every unit below it.

    - `studios`: studios **in being during the year** — founded on or before 31 December and not revoked
      before 1 January (a studio revoked during the year still counts in it; 培育/创建中 counts too);
      `by_level` groups them by their 示范 level (national, provincial, municipal, county).
    - `mentorships`: pairings **active in the year** — started on or before 31 December and not ended before
      1 January (no end date = still running), so a pairing started in the year counts, and so does one started
      earlier and still running; `mentorships_by_form` groups them by the form derived from the mentor and
      apprentice counts (one_to_one 一带一, one_to_many 一带多, many_to_one 多带一, many_to_many 多带多).
    """
    try:
        unit = report_org(user=request.user, code=org)
    except OrgNotFound as exc:
        raise HttpError(404, str(exc)) from exc
    return studios_section(year=year or current_year(), org=unit)


@router.get("/studios/{studio_id}", response=StudioDetail, summary="创新工作室详情")
@requires("view_business")
def studio_detail(request, studio_id: int, year: Year | None = None):
    return _studio_detail(request, studio_id, year)


@router.post("/studios", response={201: StudioDetail}, summary="登记创新工作室")
@requires("edit_business")
def studio_create(request, payload: StudioIn):
    """A lead whose highest honor is below municipal level is accepted with `lead_warning` set."""
    data = with_org(request, payload)
    data["lead"] = _workers(request, [data["lead"]], "lead")[0]
    studio = services.studio_create(actor=request.user, **data)
    return Status(201, _studio_detail(request, studio.pk))


@router.patch("/studios/{studio_id}", response=StudioDetail, summary="修改创新工作室")
@requires("edit_business")
def studio_update(request, studio_id: int, payload: StudioPatch):
    studio = selectors.studio_get(user=request.user, pk=studio_id)
    changes = with_org(request, payload, partial=True)
    if changes.get("lead") is not None:
        changes["lead"] = _workers(request, [changes["lead"]], "lead")[0]
    services.studio_update(actor=request.user, studio=studio, **changes)
    return _studio_detail(request, studio_id)


@router.post("/studios/{studio_id}/status", response=StudioDetail, summary="工作室状态变更(命名、复核、撤销)")
@requires("edit_business")
def studio_status(request, studio_id: int, payload: TransitionIn):
    """培育/创建中 → 已命名 (named) → 复核中 (reviewing) → 已命名 or 已撤销 (revoked, `reason` required)."""
    studio = selectors.studio_get(user=request.user, pk=studio_id)
    services.studio_transition(actor=request.user, studio=studio, **payload.dict())
    return _studio_detail(request, studio_id)


@router.get("/studios/{studio_id}/achievements", response=list[AchievementOut], summary="工作室成果")
@requires("view_business")
def achievement_list(request, studio_id: int):
    studio = selectors.studio_get(user=request.user, pk=studio_id)
    return [_achievement_out(a) for a in selectors.achievements_of(studio)]


@router.post("/studios/{studio_id}/achievements", response={201: AchievementOut}, summary="登记工作室成果")
@requires("edit_business")
def achievement_create(request, studio_id: int, payload: AchievementIn):
    """`kind` is a code of the data dictionary 成果类型 (`achievement_kind`: patent, innovation, qc, method, standard,
    award, paper, and any kind the city staff add); `credited` are member ids of the studio; `economic_benefit` is
    optional and may not be negative."""
    studio = selectors.studio_get(user=request.user, pk=studio_id)
    data = payload.dict()
    members = {m.pk: m for m in selectors.members_of(studio).filter(pk__in=data["credited"])}
    if len(members) != len(set(data["credited"])):
        raise ValidationError({"credited": "完成人必须是本工作室的成员。"})
    data["credited"] = list(members.values())
    achievement = services.achievement_add(actor=request.user, studio=studio, **data)
    return Status(201, _achievement_out(achievement))


@router.post("/studios/{studio_id}/achievements/{achievement_id}/evidence", response=AchievementOut,
             summary="上传成果佐证材料")
@requires("edit_business")
def achievement_evidence(request, studio_id: int, achievement_id: int, file: File[UploadedFile]):
    """multipart/form-data with `file`: PDF, JPG or PNG up to 10 MB (type checked from the content)."""
    studio = selectors.studio_get(user=request.user, pk=studio_id)
    achievement = get_object_or_404(selectors.achievements_of(studio), pk=achievement_id)
    services.achievement_attach_evidence(actor=request.user, achievement=achievement, evidence=file)
    return _achievement_out(achievement)


@router.get("/studios/{studio_id}/assessments", response=list[AssessmentOut], summary="工作室年度考核")
@requires("view_business")
def assessment_list(request, studio_id: int):
    studio = selectors.studio_get(user=request.user, pk=studio_id)
    return [{**a, "score": f"{a['score']:.1f}"} for a in selectors.assessments_of(studio).values(
        "id", "year", "score", "result", "comment", "assessor", "assessed_date")]


@router.post("/studios/{studio_id}/assessments", response={201: AssessmentOut}, summary="登记年度考核")
@requires("edit_business")
def assessment_create(request, studio_id: int, payload: AssessmentIn):
    """`result`: excellent 优秀 / pass 合格 / fail 不合格; a fail notifies the responsible staff."""
    studio = selectors.studio_get(user=request.user, pk=studio_id)
    a = services.assessment_record(actor=request.user, studio=studio, **payload.dict())
    return Status(201, {"id": a.pk, "year": a.year, "score": f"{a.score:.1f}", "result": a.result,
                        "comment": a.comment, "assessor": a.assessor, "assessed_date": a.assessed_date})


@router.get("/studios/{studio_id}/reports", response=list[ReportOut], summary="工作室季度报告")
@requires("view_business")
def report_list(request, studio_id: int):
    studio = selectors.studio_get(user=request.user, pk=studio_id)
    return [_report_out(r) for r in selectors.reports_of(studio)]


def _report_out(r) -> dict:
    return {"id": r.pk, "year": r.year, "quarter": r.quarter, "summary": r.summary, "next_plan": r.next_plan,
            "activities": r.activities, "participants": r.participants, "trainees": r.trainees,
            "problems_solved": r.problems_solved, "funds_spent": _money(r.funds_spent),
            "submitted_date": r.submitted_date}


@router.post("/studios/{studio_id}/reports", response={201: ReportOut}, summary="报送季度报告")
@requires("edit_business")
def report_create(request, studio_id: int, payload: ReportIn):
    studio = selectors.studio_get(user=request.user, pk=studio_id)
    return Status(201, _report_out(services.report_submit(actor=request.user, studio=studio, **payload.dict())))


# --- mentorships ---------------------------------------------------------------------------------------------


@router.get("/mentorships", response=MentorshipPage, summary="传帮带结对列表")
@requires("view_business")
def mentorship_list(request, q: str = "", org: str = "", form: str = "", state: str = "", year: Year | None = None,
                    studio: int | None = None, page: PageNo = 1):
    """`form` is derived from the counts, never stored: one_to_one 一带一, one_to_many 一带多, many_to_one 多带一,
    many_to_many 多带多. `year` lists the pairings **active in** that year — started on or before 31 December and
    not ended before 1 January (so those started in the year are included) — the same rule as `mentorships` and
    `mentorships_by_form` of the `studios` section of `/reports/summary`. `state` (active/upcoming/ended) is
    relative to today."""
    if form and form not in FORM_KEYS:
        raise HttpError(422, f"未知的结对形式 {form}。")
    filters = selectors.MentorshipFilters(
        q=q, org=org_or_none(request, org), form=form, state=state, year=year,
        studio=selectors.studio_base(request.user).filter(pk=studio).first() if studio else None)
    if studio and filters.studio is None:
        return {"items": [], "next": None}
    return _page(request, selectors.mentorship_list(user=request.user, filters=filters), page, _mentorship_out)


@router.get("/mentorships/{mentorship_id}", response=MentorshipDetail, summary="传帮带结对详情")
@requires("view_business")
def mentorship_detail(request, mentorship_id: int):
    return _mentorship_detail(request, mentorship_id)


@router.post("/mentorships", response={201: MentorshipDetail}, summary="登记传帮带结对")
@requires("edit_business")
def mentorship_create(request, payload: MentorshipIn):
    """`mentors` are worker ids; `apprentices` are `{"worker": id}` or `{"name", "employer"}` for people not in
    the registry. A mentor cannot also be an apprentice; the end date may not precede the start date."""
    data = with_org(request, payload)
    data["mentors"] = _workers(request, data["mentors"], "mentors")
    ids = [a["worker"] for a in data["apprentices"] if a["worker"] is not None]
    found = {w.pk: w for w in _workers(request, ids, "apprentices")}
    data["apprentices"] = [found[a["worker"]] if a["worker"] is not None else
                           services.Person(name=a["name"], employer=a["employer"], job=a["job"])
                           for a in data["apprentices"]]
    data["studio"] = _studio_ref(request, data["studio"])
    m = services.mentorship_create(actor=request.user, **data)
    return Status(201, _mentorship_detail(request, m.pk))


@router.post("/mentorships/{mentorship_id}/checkins", response={201: CheckinOut}, summary="记录带徒情况")
@requires("edit_business")
def checkin_create(request, mentorship_id: int, payload: CheckinIn):
    m = selectors.mentorship_get(user=request.user, pk=mentorship_id)
    c = services.checkin_add(actor=request.user, mentorship=m, **payload.dict())
    return Status(201, {"id": c.pk, "date": c.date, "content": c.content,
                        "hours": None if c.hours is None else f"{c.hours:.1f}"})


@router.post("/mentorships/{mentorship_id}/outcomes", response={201: OutcomeOut}, summary="登记徒弟培养成果")
@requires("edit_business")
def outcome_create(request, mentorship_id: int, payload: OutcomeIn):
    m = selectors.mentorship_get(user=request.user, pk=mentorship_id)
    data = payload.dict()
    data["apprentice"] = next((p for p in m.participants.all() if p.pk == data["apprentice"]
                               and p.role == ParticipantRole.APPRENTICE), None)
    o = services.outcome_add(actor=request.user, mentorship=m, **data)
    return Status(201, {"id": o.pk, "apprentice": o.apprentice_id, "apprentice_name": o.apprentice.name,
                        "kind": o.kind, "result": o.result, "certificate_no": o.certificate_no,
                        "achieved_date": o.achieved_date})


# --- technical help ------------------------------------------------------------------------------------------


@router.get("/tech-help", response=TechHelpPage, summary="技术服务活动列表")
@requires("view_business")
def tech_help_list(request, q: str = "", org: str = "", kind: str = "", target_type: str = "",
                   year: Year | None = None, date_from: date | None = None, date_to: date | None = None,
                   page: PageNo = 1):
    """`kind`: exchange 技术交流 / training 技术培训 / collaboration 技术协作 / assistance 技术帮扶;
    `target_type`: enterprise / community / school / village / other. `year` counts by the activity date."""
    filters = selectors.TechHelpFilters(q=q, org=org_or_none(request, org), kind=kind,
                                        target_type=target_type, year=year, date_from=date_from, date_to=date_to)
    return _page(request, selectors.tech_help_list(user=request.user, filters=filters), page, _tech_help_out)


@router.get("/tech-help/{activity_id}", response=TechHelpOut, summary="技术服务活动详情")
@requires("view_business")
def tech_help_detail(request, activity_id: int):
    return _tech_help_out(selectors.tech_help_get(user=request.user, pk=activity_id))


@router.post("/tech-help", response={201: TechHelpOut}, summary="登记技术服务活动")
@requires("edit_business")
def tech_help_create(request, payload: TechHelpIn):
    data = with_org(request, payload)
    data["participants"] = _workers(request, data["participants"], "participants")
    data["studio"] = _studio_ref(request, data["studio"])
    a = services.tech_help_create(actor=request.user, **data)
    return Status(201, _tech_help_out(selectors.tech_help_get(user=request.user, pk=a.pk)))
