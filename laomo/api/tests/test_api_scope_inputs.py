"""Every id or org code in the body of every write operation resolves through the caller's scope.

For each reference field found by introspecting the input schemas of the API's write operations, a 莲都区
(331102) county_staff token sends the id of a 庆元县 (331126) record in that field, the rest of the body being
valid: the request is refused (403/404/422), nothing is written, and the answer names none of the 庆元
records. The same body with the caller's own ids is accepted (the control: the refusal is the field's doing).
A new reference field without a case here fails `test_it_has_a_case_for_every_reference_field`.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from ninja import Schema

from laomo.api.api import api
from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.core.tests.test_role_matrix import fixtures  # noqa: F401  (own-scope samples in 331102)

# Integer fields of write bodies that are quantities, not references (Schema.field).
NUMBERS = {
    "HonorIn.year", "LectureIn.audience", "LecturePatch.audience", "ReadingIn.views", "SessionIn.participants",
    "SessionIn.minutes", "SessionBatchIn.weekdays", "SessionBatchIn.participants", "SessionBatchIn.minutes",
    "SessionPatch.participants", "SessionPatch.minutes", "RecordIn.person_times", "CompleteIn.person_times",
    "RateIn.rating", "AssessmentIn.year", "ReportIn.year", "ReportIn.quarter", "ReportIn.activities",
    "ReportIn.participants", "ReportIn.trainees", "ReportIn.problems_solved", "TechHelpIn.trainees_count",
    "CareCampaignIn.year", "HardshipSurveyIn.household_size", "HardshipSurveyPatch.household_size", "GrantIn.year",
    "BatchIn.capacity", "BatchIn.min_level_rank", "BatchIn.not_attended_years", "BatchIn.max_age",
    "RetreatSurveyIn.itinerary", "RetreatSurveyIn.accommodation", "RetreatSurveyIn.food", "RetreatSurveyIn.guide",
    "RetreatSurveyIn.overall", "HistoricalServiceIn.person_times", "HistoricalRequestIn.rating", "HardshipRoundIn.year",
}
# References that cannot point into another county, with the reason.
NOT_COUNTY_BOUND = {
    ("post", "/hardship-surveys", "round_id"): "调查轮次由市总工会开展,各县都在其下(round_open 只接受市级单位)",
}


def _walk(owner, name, ann, path):
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin in (typing.Union, types.UnionType):
        for a in args:
            if a is not type(None):
                yield from _walk(owner, name, a, path)
    elif origin is typing.Annotated:
        yield from _walk(owner, name, args[0], path)
    elif isinstance(ann, type) and issubclass(ann, Schema):
        for n, f in ann.model_fields.items():
            yield from _walk(ann.__name__, n, f.annotation, f"{path}.{n}" if path else n)
    elif origin is list:
        inner = args[0] if args else None
        if isinstance(inner, type) and issubclass(inner, Schema):
            yield from _walk(owner, name, inner, path + "[]")
        elif inner is int:
            yield owner, name, path + "[]"
    elif origin is dict:
        yield owner, name, path + "{}"
    elif ann is int or (ann is str and (name == "org" or name.endswith(("_id", "_code")))):
        yield owner, name, path


def reference_fields() -> set[tuple[str, str, str]]:
    """(method, path, field) of every id, list of ids, org code or dict keyed by codes in a write operation's input."""
    out = set()
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for op in path_view.operations:
                method = op.methods[0].lower()
                if method == "get":
                    continue
                for model in op.models:
                    if model.__ninja_param_source__ == "path":
                        continue
                    for top, field in model.model_fields.items():
                        for owner, name, fpath in _walk(None, top, field.annotation, ""):
                            if f"{owner}.{name}" in NUMBERS:
                                continue
                            out.add((method, path, fpath.removeprefix("payload.")))
    return out


@dataclass
class Case:
    method: str
    path: str  # the API path template (without /api/v1)
    field: str
    url: typing.Callable  # s -> concrete path
    good: typing.Callable  # s -> body with the caller's own ids
    bad: typing.Callable  # s -> the same body with a 庆元 id in `field`
    control: bool = True  # False: the control is refused for another reason (given in `why`)
    why: str = ""


def _with(body: dict, **changes) -> dict:
    return {**body, **changes}


def W(s):  # noqa: N802  the caller's own worker
    return s["worker"].pk


TODAY = timezone.localdate


def worker_body(s):
    return {"name": "新登记劳模", "org": "331102"}


def team_body(s):
    return {"name": "莲都新服务队", "team_type": "legal", "org": "331102", "founded_on": "2022-01-01",
            "parent_id": s["ld_team"].pk}


def record_body(s, **vol):
    return {"team_id": s["ld_team"].pk, "date": "2022-03-01", "place_kind": "village", "place": "岩泉街道",
            "content": "法律咨询", "person_times": 3, "volunteers": [vol or {"worker_id": W(s), "hours": "2"}]}


def complete_body(s, **vol):
    return {"date": TODAY().isoformat(), "place_kind": "village", "place": "岩泉街道", "content": "上门服务",
            "person_times": 1, "volunteers": [vol or {"worker_id": W(s), "hours": "1.5"}]}


def request_body(s):
    return {"org": "331102", "category": "legal", "description": "需要法律咨询", "town": "岩泉街道",
            "contact_name": "王五", "contact_phone": "13905781234"}


def historical_body(s, **vol):
    return {"org": "331102", "category": "legal", "description": "咨询劳动合同纠纷问题", "town": "岩泉街道",
            "contact_name": "王五", "contact_phone": "13905781234", "received_at": "2021-03-01T09:00:00",
            "dispatched_at": "2021-03-02T10:00:00", "team_id": s["ld_team"].pk, "worker_id": W(s),
            "completed_at": "2021-03-05T17:00:00",
            "service": {"date": "2021-03-04", "place_kind": "village", "place": "岩泉街道", "content": "上门法律咨询",
                        "person_times": 3, "volunteers": [vol or {"worker_id": W(s), "hours": "2"}]}}


def mobilization_body(s):
    return {"name": "莲都防汛", "kind": "emergency", "org": "331102", "team_type": "agriculture",
            "start_date": "2022-06-20", "area": "莲都区"}


def care_campaign_body(s):
    return {"name": "莲都新慰问", "year": 2023, "org": "331102", "start_date": "2023-01-10", "end_date": "2023-02-15",
            "budget": "1000"}


def visit_body(s):
    return {"worker_id": s["ld_worker2"].pk, "visit_date": "2022-01-25", "method": "home",
            "campaign_id": s["ld_care_campaign"].pk}


def survey_body(s):
    return {"round_id": s["care_round"].pk, "worker_id": s["ld_worker2"].pk, "survey_date": "2022-04-01",
            "verification_method": "home", "household_size": 3, "employment": "active", "housing_type": "own",
            "income_own": "1500", "income_per_capita": "800", "health_category": "chronic"}


def grant_body(s):
    return {"worker_id": W(s), "benefit_type": "health_checkup", "year": 2023, "grant_date": "2023-10-01",
            "amount": "800"}


def outreach_campaign_body(s):
    return {"name": "莲都新活动", "org": "331102", "start_date": "2022-01-01", "end_date": "2022-12-31"}


def lecture_body(s):
    return {"date": "2022-05-04", "title": "新宣讲", "org": "331102", "venue_type": "school",
            "speakers": [{"worker": W(s)}], "campaign": s["outreach_campaign"].pk}


def media_body(s):
    return {"title": "新视频", "platform": "之江教育汇", "publish_date": "2022-05-05", "org": "331102",
            "lecture": s["outreach_lecture"].pk, "campaign": s["outreach_campaign"].pk}


def batch_sessions_body(s):
    return {"org": "331102", "enterprise": "莲都某厂", "date_from": "2022-03-07", "date_to": "2022-03-08",
            "topics": ["安全生产"], "speaker": W(s), "campaign": s["outreach_campaign"].pk}


def session_body(s):
    return {"org": "331102", "enterprise": "莲都某厂", "date": "2022-03-09", "topic": "安全生产", "speaker": W(s),
            "campaign": s["outreach_campaign"].pk}


def showcase_body(s):
    return {"name": "新展示区", "host_type": "cultural_palace", "host_place": "莲都区工人文化宫", "org": "331102",
            "opened_date": "2022-04-28", "featured_workers": [W(s)]}


def retreat_batch_body(s):
    return {"org": "331102", "name": "莲都2030第二批", "destination": "千岛湖", "start_date": "2030-07-06",
            "end_date": "2030-07-10", "capacity": 2, "cost_per_person": "100", "budget": "1000",
            "vendor_id": s["retreat_vendor"].pk, "quotas": {"331102": 1}}


def application_body(s):
    return {"batch_id": s["retreat_open"].pk, "worker_id": s["retreat_attended"].worker_id, "health_declared": True}


def retreat_survey_body(s):
    return {"application_id": s["retreat_attended"].pk, "itinerary": 5, "accommodation": 5, "food": 5, "guide": 5,
            "overall": 5}


def studio_body(s):
    return {"name": "莲都新工作室", "studio_type": "model_worker", "level": "municipal", "lead": W(s),
            "host_enterprise": "莲都某厂", "org": "331102", "founded_date": "2020-05-01"}


def achievement_body(s):
    return {"kind": "innovation", "title": "新成果", "achieved_date": "2021-06-01", "credited": [s["studio_member"].pk]}


def mentorship_body(s):
    return {"title": "新结对", "goals": "掌握技能", "org": "331102", "start_date": "2021-03-01", "mentors": [W(s)],
            "apprentices": [{"worker": s["ld_worker2"].pk}], "studio": s["studio"].pk}


def outcome_body(s):
    return {"apprentice": s["apprentice"].pk, "kind": "certificate", "result": "取得高级工证书",
            "achieved_date": "2022-01-01"}


def tech_help_body(s):
    return {"kind": "training", "topic": "电工培训", "target_type": "school", "target_name": "莲都某校",
            "date": "2022-04-01", "participants": [W(s)], "org": "331102", "studio": s["studio"].pk}


def QW(s):  # noqa: N802  a 庆元 worker
    return s["qy_worker"].pk


CASES = [
    Case("post", "/workers", "org", lambda s: "/workers", worker_body, lambda s: _with(worker_body(s), org="331126")),
    Case("patch", "/workers/{worker_id}", "org", lambda s: f"/workers/{W(s)}", lambda s: {"org": "331102"},
         lambda s: {"org": "331126"}),
    # volunteering
    Case("post", "/service-teams", "org", lambda s: "/service-teams", team_body,
         lambda s: _with(team_body(s), org="331126")),
    Case("post", "/service-teams", "parent_id", lambda s: "/service-teams", team_body,
         lambda s: _with(team_body(s), parent_id=s["vol_team"].pk)),
    Case("post", "/service-records", "team_id", lambda s: "/service-records", record_body,
         lambda s: _with(record_body(s), team_id=s["vol_team"].pk)),
    Case("post", "/service-records", "mobilization_id", lambda s: "/service-records",
         lambda s: _with(record_body(s), team_id=None, mobilization_id=s["ld_mobilization"].pk),
         lambda s: _with(record_body(s), team_id=None, mobilization_id=s["vol_mobilization"].pk)),
    Case("post", "/service-records", "volunteers[].worker_id", lambda s: "/service-records", record_body,
         lambda s: record_body(s, worker_id=QW(s), hours="2")),
    Case("post", "/service-records", "volunteers[].member_id", lambda s: "/service-records",
         lambda s: record_body(s, member_id=s["ld_member"].pk, hours="2"),
         lambda s: record_body(s, member_id=s["vol_member"].pk, hours="2")),
    Case("post", "/service-requests", "org", lambda s: "/service-requests", request_body,
         lambda s: _with(request_body(s), org="331126")),
    Case("post", "/service-requests/{request_id}/dispatch", "team_id",
         lambda s: f"/service-requests/{s['ld_pending'].pk}/dispatch", lambda s: {"team_id": s["ld_team"].pk},
         lambda s: {"team_id": s["vol_team"].pk}),
    Case("post", "/service-requests/{request_id}/dispatch", "worker_id",
         lambda s: f"/service-requests/{s['ld_pending'].pk}/dispatch", lambda s: {"worker_id": W(s)},
         lambda s: {"worker_id": QW(s)}),
    Case("post", "/service-requests/{request_id}/complete", "volunteers[].worker_id",
         lambda s: f"/service-requests/{s['ld_accepted'].pk}/complete", complete_body,
         lambda s: complete_body(s, worker_id=QW(s), hours="1.5")),
    Case("post", "/service-requests/{request_id}/complete", "volunteers[].member_id",
         lambda s: f"/service-requests/{s['ld_accepted'].pk}/complete",
         lambda s: complete_body(s, member_id=s["ld_member"].pk, hours="1.5"),
         lambda s: complete_body(s, member_id=s["vol_member"].pk, hours="1.5")),
    Case("post", "/service-teams/{team_id}/members", "worker_id",
         lambda s: f"/service-teams/{s['ld_team'].pk}/members", lambda s: {"worker_id": W(s)},
         lambda s: {"worker_id": QW(s)}),
    *[Case("post", "/service-requests/historical", field, lambda s: "/service-requests/historical", historical_body,
           bad) for field, bad in [
        ("org", lambda s: _with(historical_body(s), org="331126")),
        ("team_id", lambda s: _with(historical_body(s), team_id=s["vol_team"].pk)),
        ("worker_id", lambda s: _with(historical_body(s), worker_id=QW(s))),
    ]],
    Case("post", "/service-requests/historical", "service.volunteers[].worker_id",
         lambda s: "/service-requests/historical", historical_body,
         lambda s: historical_body(s, worker_id=QW(s), hours="2")),
    Case("post", "/service-requests/historical", "service.volunteers[].member_id",
         lambda s: "/service-requests/historical", lambda s: historical_body(s, member_id=s["ld_member"].pk, hours="2"),
         lambda s: historical_body(s, member_id=s["vol_member"].pk, hours="2")),
    Case("post", "/mobilizations", "org", lambda s: "/mobilizations", mobilization_body,
         lambda s: _with(mobilization_body(s), org="331126")),
    # care
    Case("post", "/care-campaigns", "org", lambda s: "/care-campaigns", care_campaign_body,
         lambda s: _with(care_campaign_body(s), org="331126")),
    Case("post", "/care-visits", "worker_id", lambda s: "/care-visits", visit_body,
         lambda s: _with(visit_body(s), worker_id=QW(s))),
    Case("post", "/care-visits", "campaign_id", lambda s: "/care-visits", visit_body,
         lambda s: _with(visit_body(s), campaign_id=s["qy_care_campaign"].pk)),
    Case("post", "/hardship-surveys", "worker_id", lambda s: "/hardship-surveys", survey_body,
         lambda s: _with(survey_body(s), worker_id=QW(s))),
    Case("post", "/hardship-rounds", "org", lambda s: "/hardship-rounds",
         lambda s: {"org": "331100", "year": 2030, "name": "2030年困难劳模调查", "start_date": "2030-03-01",
                    "end_date": "2030-11-30", "income_threshold": "960"},
         lambda s: {"org": "331126", "year": 2030, "name": "2030年困难劳模调查", "start_date": "2030-03-01",
                    "end_date": "2030-11-30", "income_threshold": "960"}, control=False,
         why="rounds are opened by the city union only: a county's own code is refused too (422)"),
    Case("post", "/benefit-grants", "worker_id", lambda s: "/benefit-grants", grant_body,
         lambda s: _with(grant_body(s), worker_id=QW(s))),
    # outreach
    Case("post", "/campaigns", "org", lambda s: "/campaigns", outreach_campaign_body,
         lambda s: _with(outreach_campaign_body(s), org="331126")),
    Case("patch", "/campaigns/{campaign_id}", "org", lambda s: f"/campaigns/{s['outreach_campaign'].pk}",
         lambda s: {"org": "331102"}, lambda s: {"org": "331126"}),
    *[Case(m, p, "org", u, b, lambda s, b=b: _with(b(s), org="331126")) for m, p, u, b in [
        ("post", "/lectures", lambda s: "/lectures", lecture_body),
        ("patch", "/lectures/{lecture_id}", lambda s: f"/lectures/{s['outreach_lecture'].pk}", lecture_body),
        ("post", "/media-items", lambda s: "/media-items", media_body),
        ("patch", "/media-items/{item_id}", lambda s: f"/media-items/{s['outreach_media'].pk}", media_body),
        ("post", "/pre-shift-sessions/batch", lambda s: "/pre-shift-sessions/batch", batch_sessions_body),
        ("post", "/pre-shift-sessions", lambda s: "/pre-shift-sessions", session_body),
        ("patch", "/pre-shift-sessions/{session_id}", lambda s: f"/pre-shift-sessions/{s['outreach_session'].pk}",
         session_body),
        ("post", "/showcases", lambda s: "/showcases", showcase_body),
        ("patch", "/showcases/{showcase_id}", lambda s: f"/showcases/{s['outreach_showcase'].pk}", showcase_body),
    ]],
    *[Case(m, p, "campaign", u, b, lambda s, b=b: _with(b(s), campaign=s["qy_campaign"].pk)) for m, p, u, b in [
        ("post", "/lectures", lambda s: "/lectures", lecture_body),
        ("patch", "/lectures/{lecture_id}", lambda s: f"/lectures/{s['outreach_lecture'].pk}", lecture_body),
        ("post", "/media-items", lambda s: "/media-items", media_body),
        ("patch", "/media-items/{item_id}", lambda s: f"/media-items/{s['outreach_media'].pk}", media_body),
        ("post", "/pre-shift-sessions/batch", lambda s: "/pre-shift-sessions/batch", batch_sessions_body),
        ("post", "/pre-shift-sessions", lambda s: "/pre-shift-sessions", session_body),
        ("patch", "/pre-shift-sessions/{session_id}", lambda s: f"/pre-shift-sessions/{s['outreach_session'].pk}",
         session_body),
    ]],
    *[Case(m, p, "speakers[].worker", u, lecture_body, lambda s: _with(lecture_body(s), speakers=[{"worker": QW(s)}]))
      for m, p, u in [("post", "/lectures", lambda s: "/lectures"),
                      ("patch", "/lectures/{lecture_id}", lambda s: f"/lectures/{s['outreach_lecture'].pk}")]],
    *[Case(m, p, "lecture", u, media_body, lambda s: _with(media_body(s), lecture=s["qy_lecture"].pk))
      for m, p, u in [("post", "/media-items", lambda s: "/media-items"),
                      ("patch", "/media-items/{item_id}", lambda s: f"/media-items/{s['outreach_media'].pk}")]],
    *[Case(m, p, "speaker", u, b, lambda s, b=b: _with(b(s), speaker=QW(s))) for m, p, u, b in [
        ("post", "/pre-shift-sessions/batch", lambda s: "/pre-shift-sessions/batch", batch_sessions_body),
        ("post", "/pre-shift-sessions", lambda s: "/pre-shift-sessions", session_body),
        ("patch", "/pre-shift-sessions/{session_id}", lambda s: f"/pre-shift-sessions/{s['outreach_session'].pk}",
         session_body),
    ]],
    *[Case(m, p, "featured_workers[]", u, showcase_body,
           lambda s: _with(showcase_body(s), featured_workers=[W(s), QW(s)]))
      for m, p, u in [("post", "/showcases", lambda s: "/showcases"),
                      ("patch", "/showcases/{showcase_id}", lambda s: f"/showcases/{s['outreach_showcase'].pk}")]],
    # retreats
    Case("post", "/retreat-batches", "org", lambda s: "/retreat-batches", retreat_batch_body,
         lambda s: _with(retreat_batch_body(s), org="331126", vendor_id=None, quotas={})),
    Case("post", "/retreat-batches", "vendor_id", lambda s: "/retreat-batches", retreat_batch_body,
         lambda s: _with(retreat_batch_body(s), vendor_id=s["qy_vendor"].pk)),
    Case("post", "/retreat-batches", "quotas{}", lambda s: "/retreat-batches", retreat_batch_body,
         lambda s: _with(retreat_batch_body(s), quotas={"331126": 1})),
    Case("post", "/retreat-vendors", "org", lambda s: "/retreat-vendors",
         lambda s: {"org": "331102", "name": "莲都新旅行社"}, lambda s: {"org": "331126", "name": "莲都新旅行社"}),
    Case("post", "/retreat-applications", "batch_id", lambda s: "/retreat-applications", application_body,
         lambda s: _with(application_body(s), batch_id=s["qy_batch"].pk)),
    Case("post", "/retreat-applications", "worker_id", lambda s: "/retreat-applications", application_body,
         lambda s: _with(application_body(s), worker_id=QW(s))),
    Case("post", "/retreat-surveys", "application_id", lambda s: "/retreat-surveys", retreat_survey_body,
         lambda s: _with(retreat_survey_body(s), application_id=s["qy_application"].pk), control=False,
         why="only the participant answers their own survey: staff are refused for their own county too"),
    # studios
    Case("post", "/studios", "org", lambda s: "/studios", studio_body, lambda s: _with(studio_body(s), org="331126")),
    Case("post", "/studios", "lead", lambda s: "/studios", studio_body, lambda s: _with(studio_body(s), lead=QW(s))),
    Case("patch", "/studios/{studio_id}", "org", lambda s: f"/studios/{s['studio'].pk}", lambda s: {"org": "331102"},
         lambda s: {"org": "331126"}),
    Case("patch", "/studios/{studio_id}", "lead", lambda s: f"/studios/{s['studio'].pk}", lambda s: {"lead": W(s)},
         lambda s: {"lead": QW(s)}),
    Case("post", "/studios/{studio_id}/achievements", "credited[]",
         lambda s: f"/studios/{s['studio'].pk}/achievements", achievement_body,
         lambda s: _with(achievement_body(s), credited=[s["qy_studio_member"].pk])),
    Case("post", "/mentorships", "org", lambda s: "/mentorships", mentorship_body,
         lambda s: _with(mentorship_body(s), org="331126", studio=None)),
    Case("post", "/mentorships", "mentors[]", lambda s: "/mentorships", mentorship_body,
         lambda s: _with(mentorship_body(s), mentors=[QW(s)])),
    Case("post", "/mentorships", "apprentices[].worker", lambda s: "/mentorships", mentorship_body,
         lambda s: _with(mentorship_body(s), apprentices=[{"worker": QW(s)}])),
    Case("post", "/mentorships", "studio", lambda s: "/mentorships", mentorship_body,
         lambda s: _with(mentorship_body(s), studio=s["qy_studio"].pk)),
    Case("post", "/mentorships/{mentorship_id}/outcomes", "apprentice",
         lambda s: f"/mentorships/{s['mentorship'].pk}/outcomes", outcome_body,
         lambda s: _with(outcome_body(s), apprentice=s["qy_apprentice"].pk)),
    Case("post", "/tech-help", "org", lambda s: "/tech-help", tech_help_body,
         lambda s: _with(tech_help_body(s), org="331126", studio=None)),
    Case("post", "/tech-help", "participants[]", lambda s: "/tech-help", tech_help_body,
         lambda s: _with(tech_help_body(s), participants=[QW(s)])),
    Case("post", "/tech-help", "studio", lambda s: "/tech-help", tech_help_body,
         lambda s: _with(tech_help_body(s), studio=s["qy_studio"].pk)),
]


def test_it_has_a_case_for_every_reference_field():
    covered = {(c.method, c.path, c.field) for c in CASES} | set(NOT_COUNTY_BOUND)
    missing = sorted(reference_fields() - covered)
    assert not missing, f"add a Case for {missing}"
    assert not covered - reference_fields(), sorted(covered - reference_fields())


@pytest.fixture
def samples(fixtures):  # noqa: F811
    """Own (331102) records besides the matrix's, and 庆元 (331126) records with names that must not leak."""
    from laomo.care import services as care
    from laomo.outreach import services as outreach
    from laomo.retreats import services as retreats
    from laomo.studios import services as studios
    from laomo.volunteering import services as vol
    from laomo.workers.services import honor_add, worker_create

    s = dict(fixtures)
    staff = s["users"]["city_staff"]  # the other modules' records, as the city staff would enter them
    ld, qy = s["orgs"]["331102"], s["orgs"]["331126"]
    s["ld_worker2"] = worker_create(actor=SYSTEM, org=ld, name="莲都第二人")
    honor_add(actor=SYSTEM, worker=s["ld_worker2"], title="丽水市劳动模范", year=2015)
    s["ld_care_campaign"] = care.campaign_create(
        actor=staff, org=ld, name="莲都慰问", year=2022, visit_type="spring_festival", start_date=date(2022, 1, 10),
        end_date=date(2022, 2, 15), budget="10000", min_level_rank=2)
    care.recipients_generate(actor=staff, campaign=s["ld_care_campaign"])
    s["ld_team"] = vol.team_create(actor=staff, org=ld, name="莲都法律服务队", team_type="legal",
                                   founded_on=date(2020, 1, 1))
    s["ld_member"] = vol.member_add(actor=staff, team=s["ld_team"], name="莲都志愿者", phone="13800000001",
                                    joined_on=date(2020, 1, 1))
    s["ld_mobilization"] = vol.mobilization_create(actor=staff, org=ld, name="莲都抗疫", kind="emergency",
                                                   team_type="medical", start_date=date(2022, 1, 1), area="莲都区")
    s["ld_pending"] = vol.request_submit(actor=staff, org=ld, category="legal", description="想咨询劳动合同问题",
                                         town="岩泉街道", contact_name="王五", contact_phone="13905781234")
    accepted = vol.request_submit(actor=staff, org=ld, category="legal", description="请上门讲解法律知识",
                                  town="岩泉街道", contact_name="王六", contact_phone="13905781235")
    vol.request_dispatch(actor=staff, request=accepted, team=s["ld_team"], worker=s["worker"])
    s["ld_accepted"] = vol.request_accept(actor=staff, request=accepted)

    s["qy_worker"] = worker_create(actor=SYSTEM, org=qy, name="庆元秘密劳模", id_number="331126196801010019")
    honor_add(actor=SYSTEM, worker=s["qy_worker"], title="丽水市劳动模范", year=2012)
    s["qy_care_campaign"] = care.campaign_create(
        actor=staff, org=qy, name="庆元秘密慰问", year=2022, visit_type="spring_festival",
        start_date=date(2022, 1, 10), end_date=date(2022, 2, 15), budget="10000", min_level_rank=2)
    s["qy_campaign"] = outreach.campaign_create(actor=staff, org=qy, name="庆元秘密活动", start_date=date(2022, 1, 1),
                                                end_date=TODAY())
    s["qy_lecture"] = outreach.lecture_create(actor=staff, org=qy, date=date(2022, 5, 4), title="庆元秘密宣讲",
                                              venue_type="school", speakers=[s["qy_worker"]], audience=10)
    s["qy_vendor"] = retreats.vendor_create(actor=staff, org=qy, name="庆元秘密旅行社", contract_start=date(2020, 1, 1),
                                            contract_end=date(2035, 12, 31))
    s["qy_batch"] = retreats.batch_create(
        actor=staff, org=qy, name="庆元秘密批次", destination="百山祖", start_date=date(2031, 5, 6),
        end_date=date(2031, 5, 10), vendor=s["qy_vendor"], capacity=5, cost_per_person=Decimal("100"),
        budget=Decimal("1000"), not_attended_years=0)
    retreats.batch_set_status(actor=staff, batch=s["qy_batch"], status="open")
    s["qy_application"] = retreats.application_submit(actor=staff, batch=s["qy_batch"], worker=s["qy_worker"],
                                                      health_declared=True)
    qy_other = worker_create(actor=SYSTEM, org=qy, name="庆元秘密徒弟")
    s["qy_studio"] = studios.studio_create(actor=staff, org=qy, name="庆元秘密工作室", studio_type="model_worker",
                                           level="county", lead=s["qy_worker"], host_enterprise="庆元某厂",
                                           founded_date=date(2020, 5, 1))
    s["qy_studio_member"] = studios.member_add(actor=staff, studio=s["qy_studio"], worker=qy_other)
    qy_mentorship = studios.mentorship_create(
        actor=staff, org=qy, title="庆元秘密结对", goals="技能", start_date=date(2021, 3, 1), mentors=[s["qy_worker"]],
        apprentices=[qy_other])
    s["qy_apprentice"] = qy_mentorship.participants.get(worker=qy_other)
    s["secrets"] = [s["qy_worker"].name, s["qy_worker"].worker_no, qy_other.name, qy_other.worker_no,
                    s["vol_team"].name, s["vol_member"].name, s["vol_mobilization"].name, "叶长文",
                    "庆元秘密慰问", "庆元秘密活动", "庆元秘密宣讲", "庆元秘密旅行社", "庆元秘密批次", "庆元秘密工作室"]
    return s


def _text(response) -> str:
    """The answer as the caller reads it (JSON escapes Chinese as \\uXXXX)."""
    try:
        return json.dumps(response.json(), ensure_ascii=False)
    except ValueError:
        return response.content.decode()


def _writes() -> int:
    return AuditEntry.objects.exclude(action="core.permission.deny").count()


@pytest.mark.django_db
def test_it_refuses_another_countys_id_in_every_reference_field(samples, users):
    _, raw = api_token_create(actor=SYSTEM, user=users["county_staff"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    failures = []
    for case in CASES:
        url = "/api/v1" + case.url(samples)
        before = _writes()
        response = getattr(client, case.method)(url, case.bad(samples), content_type="application/json")
        text = _text(response)
        label = f"{case.method.upper()} {case.path} {case.field}"
        if response.status_code not in (403, 404, 422):
            failures.append(f"{label}: {response.status_code} {text[:200]}")
        if _writes() != before:
            failures.append(f"{label}: something was written")
        leaked = [name for name in samples["secrets"] if name in text]
        if leaked:
            failures.append(f"{label}: answer names {leaked}")
        if case.control:
            with transaction.atomic():  # each control on the same starting data: rolled back after
                good = getattr(client, case.method)(url, case.good(samples), content_type="application/json")
                transaction.set_rollback(True)
            if good.status_code >= 300:
                failures.append(f"{label}: control refused {good.status_code} {good.content.decode()[:300]}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_it_no_longer_takes_or_names_another_countys_volunteer(samples, users):
    """Finding 3: a 庆元 worker id in `volunteers` was stored (201) and answered with name and number."""
    from laomo.volunteering.models import ServiceRecord

    _, raw = api_token_create(actor=SYSTEM, user=users["county_staff"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    count = ServiceRecord.objects.count()
    response = client.post("/api/v1/service-records", record_body(samples, worker_id=QW(samples), hours="2"),
                           content_type="application/json")
    assert response.status_code == 422 and set(response.json()) == {"message", "extra"}
    assert "不存在或不在您的数据范围内" in response.json()["message"]
    assert samples["qy_worker"].name not in _text(response)
    assert samples["qy_worker"].worker_no not in _text(response)
    assert ServiceRecord.objects.count() == count
    # A guessed id that does not exist gets the very same answer.
    missing = client.post("/api/v1/service-records", record_body(samples, worker_id=987654, hours="2"),
                          content_type="application/json")
    assert missing.status_code == 422
    assert missing.json()["message"].replace("987654", "X") == response.json()["message"].replace(
        str(QW(samples)), "X")
