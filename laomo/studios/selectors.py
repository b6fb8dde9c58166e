"""Reads of the studios module, always scoped by the user (pages, exports, the API and cards use these)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from laomo.core import dictionary
from laomo.core.filtering import apply_filters, in_subtree, in_year, one_of
from laomo.core.rows import display, number, pk_url, unit_name
from laomo.core.scope import scope_queryset
from laomo.core.selectors import get_in_scope
from laomo.core.years import year_dates
from laomo.workers.models import Worker, level_label
from laomo.workers.selectors import search_q as worker_search_q
from laomo.workers.selectors import worker_base

from .models import (
    ACHIEVEMENT_KIND,
    FORM_KEYS,
    LIVE_STATUSES,
    AssessmentResult,
    Mentorship,
    MentorshipCheckin,
    MentorshipOutcome,
    MentorshipParticipant,
    ParticipantRole,
    QuarterlyReport,
    Studio,
    StudioAchievement,
    StudioMember,
    StudioProject,
    StudioStatusChange,
    TechHelpActivity,
    YearlyAssessment,
    running_q,
)

NOT_FOUND = "记录不存在或不在您的数据范围内"


def _count(qs, fk: str = "studio") -> Coalesce:
    """A correlated COUNT subquery (no join, so several counts never multiply each other)."""
    sub = qs.order_by().values(fk).annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


# --- studios ----------------------------------------------------------------------------------------


def _in_scope(qs: QuerySet[Studio], user) -> QuerySet[Studio]:
    return scope_queryset(qs, user, org_field="org", self_field="lead__user")


def studio_base(user) -> QuerySet[Studio]:
    return _in_scope(Studio.objects.all(), user)


def flag_annotations(year: int) -> dict:
    """Has a project running in `year`; has a recognized result in `year` or the year before; last assessment."""
    start, end = year_dates(year)
    projects = StudioProject.objects.filter(studio=OuterRef("pk"), start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start))
    results = StudioAchievement.objects.filter(studio=OuterRef("pk"), is_deleted=False, is_recognized=True,
                                               achieved_date__gte=date(year - 1, 1, 1), achieved_date__lte=end)
    last = YearlyAssessment.objects.filter(studio=OuterRef("pk"), year__lte=year).order_by("-year").values("result")
    return {"has_project": Exists(projects), "has_result": Exists(results), "last_result": Subquery(last[:1])}


FLAGS = {
    "no_project": "本年度无攻关项目",
    "no_result": "两年内无认定成果",
    "failed": "最近一次考核不合格",
    "lead_low": "领衔人荣誉低于市级",
}


def flag_q(flag: str, year: int) -> Q:
    """The flag as a filter over `flag_annotations(year)`.

    - no_project: a live studio founded by the end of `year` with no project running in it;
    - no_result: a live studio founded before the two-year window (1 January of year-1) with no
      recognized achievement dated in year-1 or year (a younger studio is still in its first cycle);
    - failed: a live studio whose latest assessment up to `year` is 不合格;
    - lead_low: a live studio whose lead's highest honor is below municipal level.
    """
    start, end = year_dates(year)
    live = Q(status__in=LIVE_STATUSES)
    return {
        "no_project": live & Q(founded_date__lte=end, has_project=False),
        "no_result": live & Q(founded_date__lt=date(year - 1, 1, 1), has_result=False),
        "failed": live & Q(last_result=AssessmentResult.FAIL),
        "lead_low": live & Q(lead__highest_level_rank__lt=2),
    }[flag]


def flags_of(studio: Studio, year: int) -> list[tuple[str, str]]:
    """The flags of a studio annotated with `flag_annotations(year)`."""
    return studio_flags(studio.status, studio.founded_date, studio.has_project, studio.has_result, studio.last_result,
                  studio.lead.highest_level_rank, year)


def studio_flags(status, founded_date, has_project, has_result, last_result, lead_rank, year) -> list[tuple[str, str]]:
    """`flags_of` from the values it reads (a row read with values())."""
    if status not in LIVE_STATUSES:
        return []
    out = []
    if founded_date <= date(year, 12, 31) and not has_project:
        out.append(("no_project", FLAGS["no_project"]))
    if founded_date < date(year - 1, 1, 1) and not has_result:
        out.append(("no_result", FLAGS["no_result"]))
    if last_result == AssessmentResult.FAIL:
        out.append(("failed", FLAGS["failed"]))
    if lead_rank < 2:
        out.append(("lead_low", FLAGS["lead_low"]))
    return out


@dataclass
class StudioFilters:
    q: str = ""
    org: object = None
    level: str = ""
    studio_type: str = ""
    status: str = ""
    flag: str = ""
    year: int = 0


def _studio_flag(flag: str, year: int) -> Q | None:
    if flag == "any":
        return (flag_q("no_project", year) | flag_q("no_result", year) | flag_q("failed", year)
                | flag_q("lead_low", year))
    return flag_q(flag, year) if flag in FLAGS else None


def _studio_rules(year: int) -> dict:
    return {
        "q": lambda q: (Q(name__contains=q) | Q(host_enterprise__contains=q) | Q(lead__name__contains=q)
                        | Q(specialty__contains=q)),
        "org": in_subtree(),
        "level": "level",
        "studio_type": "studio_type",
        "status": lambda status: Q(status__in=LIVE_STATUSES) if status == "live" else Q(status=status),
        "flag": lambda flag: _studio_flag(flag, year),
    }


@lru_cache(maxsize=8)
def _annotated_studios(year: int) -> QuerySet[Studio]:
    """Every studio with its figures and flags in `year`, built once per year and never evaluated: the ORM
    resolves the five correlated subqueries when annotating (~3 ms, most of the list's query work), and the
    filters a caller chains on it make new querysets, as chaining always does (`studio_list`)."""
    # The lead is shown by name and level: their encrypted fields are not fetched, so not decrypted (issue 16).
    return (Studio.objects.select_related("org", "lead").defer("lead__id_number", "lead__phone", "lead__address")
            .annotate(
        **flag_annotations(year),
        n_members=_count(StudioMember.objects.filter(studio=OuterRef("pk"), left_date__isnull=True)),
        n_achievements=_count(StudioAchievement.objects.filter(studio=OuterRef("pk"), is_deleted=False)),
    ))


def studio_list(*, user, filters: StudioFilters | None = None) -> QuerySet[Studio]:
    f = filters or StudioFilters()
    year = f.year or timezone.localdate().year
    qs = _in_scope(_annotated_studios(year).all(), user)
    return apply_filters(qs, f, _studio_rules(year)).order_by("org__path", "name", "id")


STUDIO_ROW_FIELDS = ("id", "name", "host_enterprise", "level", "studio_type", "status", "lead__name",
                     "lead__highest_level_rank", "org__short_name", "org__name", "n_members", "n_achievements",
                     "founded_date", "has_project", "has_result", "last_result")


def studio_row_values(qs: QuerySet[Studio]) -> QuerySet:
    """`studio_list` as the dicts the list page shows (laomo.core.rows): the lead by name and level only."""
    return qs.values(*STUDIO_ROW_FIELDS)


def studio_rows(rows: list[dict], year: int) -> list[dict]:
    """A page of `studio_row_values` with its cells' text and its flags in `year` (`flags_of`)."""
    level, kind, status = display(Studio, "level"), display(Studio, "studio_type"), display(Studio, "status")
    url = pk_url("studios:detail")
    for r in rows:
        r.update(level_label=level(r["level"]), type_label=kind(r["studio_type"]), status_label=status(r["status"]),
                 lead_level=level_label(r["lead__highest_level_rank"]), url=url(r["id"]),
                 members_text=number(r["n_members"]), achievements_text=number(r["n_achievements"]),
                 unit=unit_name(r["org__short_name"], r["org__name"]),
                 flag_list=studio_flags(r["status"], r["founded_date"], r["has_project"], r["has_result"],
                                        r["last_result"], r["lead__highest_level_rank"], year))
    return rows


def studio_get(*, user, pk, year: int | None = None) -> Studio:
    return get_in_scope(studio_base(user).select_related("org", "lead", "lead__org")
                        .annotate(**flag_annotations(year or timezone.localdate().year)), pk, NOT_FOUND)


def studio_choices(*, user) -> QuerySet[Studio]:
    """Live studios the user may attach records to (forms, filters)."""
    return studio_base(user).filter(status__in=LIVE_STATUSES).select_related("org").order_by("org__path", "name")


def members_of(studio: Studio, *, current_only: bool = False) -> QuerySet[StudioMember]:
    qs = studio.members.select_related("worker")
    return qs.filter(left_date__isnull=True) if current_only else qs


def projects_of(studio: Studio) -> QuerySet[StudioProject]:
    return studio.projects.all()


def status_history(studio: Studio) -> QuerySet[StudioStatusChange]:
    return studio.status_changes.select_related("actor")


def reports_of(studio: Studio) -> QuerySet[QuarterlyReport]:
    return studio.quarterly_reports.all()


def assessments_of(studio: Studio) -> QuerySet[YearlyAssessment]:
    return studio.assessments.all()


# --- achievements ------------------------------------------------------------------------------------


def achievement_base(user) -> QuerySet[StudioAchievement]:
    return scope_queryset(StudioAchievement.objects.filter(is_deleted=False), user, org_field="studio__org",
                          self_field="studio__lead__user")


@dataclass
class AchievementFilters:
    q: str = ""
    org: object = None
    studio: object = None
    kind: str = ""
    year: int | None = None
    recognized: bool | None = None


ACHIEVEMENT_RULES = {
    "q": lambda q: Q(title__contains=q) | Q(patent_no__contains=q) | Q(studio__name__contains=q),
    "org": in_subtree("studio__org"),
    "studio": "studio",
    "kind": "kind",
    "year": in_year("achieved_date"),
    "recognized": "is_recognized",
}


def achievement_list(*, user, filters: AchievementFilters | None = None) -> QuerySet[StudioAchievement]:
    f = filters or AchievementFilters()
    qs = achievement_base(user).select_related("studio", "studio__org").prefetch_related(
        Prefetch("credited", queryset=StudioMember.objects.order_by("id")))
    return apply_filters(qs, f, ACHIEVEMENT_RULES).order_by("-achieved_date", "-id")


def kind_labels() -> dict[str, str]:
    """{code: label} of the achievement kinds (the data dictionary; retired kinds keep their label)."""
    return dictionary.labels(ACHIEVEMENT_KIND)


def with_kind_labels(rows, labels: dict[str, str] | None = None) -> list[StudioAchievement]:
    """The achievements as a list, each with `kind_label` from the data dictionary (one query for all)."""
    labels = kind_labels() if labels is None else labels
    rows = list(rows)
    for a in rows:
        a.kind_label = labels.get(a.kind, a.kind)
    return rows


def achievements_of(studio: Studio) -> QuerySet[StudioAchievement]:
    return (studio.achievements.filter(is_deleted=False)
            .prefetch_related(Prefetch("credited", queryset=StudioMember.objects.order_by("id"))))


def achievement_get(*, user, pk) -> StudioAchievement:
    return get_in_scope(achievement_base(user).select_related("studio", "studio__org"), pk, NOT_FOUND)


# --- mentorships ------------------------------------------------------------------------------------


def mentorship_base(user) -> QuerySet[Mentorship]:
    return scope_queryset(Mentorship.objects.filter(is_deleted=False), user, org_field="org")


@dataclass
class MentorshipFilters:
    q: str = ""
    org: object = None
    studio: object = None
    form: str = ""
    state: str = ""  # upcoming / active / ended, relative to today
    year: int | None = None  # running at some time in the year


def participants_prefetch() -> Prefetch:
    return Prefetch("participants", queryset=MentorshipParticipant.objects.select_related("worker").order_by("role",
                                                                                                             "id"))


def _mentorship_text(q: str) -> Q:
    people = MentorshipParticipant.objects.filter(mentorship=OuterRef("pk")).filter(
        Q(name__contains=q) | Q(employer__contains=q))
    return Q(title__contains=q) | Q(skill__contains=q) | Exists(people)


def _mentorship_rules(today: date) -> dict:
    states = {"upcoming": Q(start_date__gt=today), "active": running_q(today, today), "ended": Q(end_date__lt=today)}
    return {
        "q": _mentorship_text,
        "org": in_subtree(),
        "studio": "studio",
        "form": lambda form: Q(form_key=form) if form in FORM_KEYS else None,
        "state": one_of(states),
        "year": lambda year: running_q(*year_dates(year)),
    }


def mentorship_list(*, user, filters: MentorshipFilters | None = None, today: date | None = None):
    f = filters or MentorshipFilters()
    today = today or timezone.localdate()
    qs = mentorship_base(user).with_form().select_related("org", "studio").prefetch_related(participants_prefetch())
    return apply_filters(qs, f, _mentorship_rules(today)).order_by("-start_date", "-id")


def mentorship_get(*, user, pk) -> Mentorship:
    return get_in_scope(mentorship_base(user).with_form().select_related("org", "studio")
                        .prefetch_related(participants_prefetch()), pk, NOT_FOUND)


def checkins_of(mentorship: Mentorship) -> QuerySet[MentorshipCheckin]:
    return mentorship.checkins.select_related("recorded_by")


def outcomes_of(mentorship: Mentorship) -> QuerySet[MentorshipOutcome]:
    return mentorship.outcomes.select_related("apprentice")


def mentorships_of_studio(studio: Studio, *, user) -> QuerySet[Mentorship]:
    return mentorship_base(user).filter(studio=studio).with_form().prefetch_related(participants_prefetch())


# --- technical help -----------------------------------------------------------------------------------


def tech_help_base(user) -> QuerySet[TechHelpActivity]:
    return scope_queryset(TechHelpActivity.objects.filter(is_deleted=False), user, org_field="org")


@dataclass
class TechHelpFilters:
    q: str = ""
    org: object = None
    studio: object = None
    kind: str = ""
    target_type: str = ""
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None


TECH_HELP_RULES = {
    "q": lambda q: Q(topic__contains=q) | Q(target_name__contains=q) | Q(problems_solved__contains=q),
    "org": in_subtree(),
    "studio": "studio",
    "kind": "kind",
    "target_type": "target_type",
    "year": in_year("date"),
    "date_from": "date__gte",
    "date_to": "date__lte",
}


def tech_help_list(*, user, filters: TechHelpFilters | None = None) -> QuerySet[TechHelpActivity]:
    f = filters or TechHelpFilters()
    qs = tech_help_base(user).select_related("org", "studio").prefetch_related(
        Prefetch("participants", queryset=Worker.objects.order_by("id").only("id", "name", "worker_no")))
    qs = apply_filters(qs, f, TECH_HELP_RULES)
    return qs.order_by("-date", "-id")


def tech_help_get(*, user, pk) -> TechHelpActivity:
    return get_in_scope(tech_help_base(user).select_related("org", "studio")
                        .prefetch_related(Prefetch("participants", queryset=Worker.objects.select_related("org"))), pk,
                        NOT_FOUND)


def tech_help_of_studio(studio: Studio, *, user) -> QuerySet[TechHelpActivity]:
    return tech_help_base(user).filter(studio=studio).order_by("-date", "-id")


# --- workers picked in forms ----------------------------------------------------------------------------

_SPLIT = re.compile(r"[、,,;;\n\r]+")
_WORKER_NO = re.compile(r"^LM\d{7}$", re.IGNORECASE)


def split_names(text: str) -> list[str]:
    return [t.strip() for t in _SPLIT.split(text or "") if t.strip()]


@dataclass
class Resolved:
    found: dict  # token -> Worker
    unknown: list[str]  # tokens matching no worker in scope
    ambiguous: dict  # token -> [Worker, ...] (several workers of that name)

    @property
    def workers(self) -> list:
        return list(dict.fromkeys(self.found.values()))


def is_worker_no(token: str) -> bool:
    return bool(_WORKER_NO.match(token))


def resolve_workers(*, user, text: str = "", tokens: list[str] | None = None) -> Resolved:
    """Tokens (劳模编号 or exact name, separated by 、 or commas) → workers in the user's scope, in two queries."""
    tokens = list(dict.fromkeys(tokens if tokens is not None else split_names(text)))
    numbers = [t.upper() for t in tokens if is_worker_no(t)]
    names = [t for t in tokens if not is_worker_no(t)]
    base = worker_base(user).select_related("org")
    by_no = {w.worker_no: w for w in base.filter(worker_no__in=numbers)} if numbers else {}
    by_name: dict[str, list] = {}
    if names:
        for w in base.filter(name__in=names).order_by("worker_no"):
            by_name.setdefault(w.name, []).append(w)
    out = Resolved({}, [], {})
    for token in tokens:
        if is_worker_no(token):
            worker = by_no.get(token.upper())
            if worker is not None:
                out.found[token] = worker
            else:
                out.unknown.append(token)
        elif len(by_name.get(token, [])) == 1:
            out.found[token] = by_name[token][0]
        elif by_name.get(token):
            out.ambiguous[token] = by_name[token]
        else:
            out.unknown.append(token)
    return out


def worker_search(*, user, q: str, limit: int = 10) -> list[Worker]:
    """Candidates for the “查找劳模” helper of the forms."""
    query = worker_search_q(q)
    if query is None:
        return []
    return list(worker_base(user).filter(query).select_related("org").order_by("-highest_level_rank", "name_pinyin",
                                                                             "id")[:limit])


# --- self-service --------------------------------------------------------------------------------------


def my_studios(worker: Worker) -> QuerySet[Studio]:
    member_of = StudioMember.objects.filter(studio=OuterRef("pk"), worker=worker, left_date__isnull=True)
    return Studio.objects.filter(Q(lead=worker) | Exists(member_of)).select_related("org").order_by("-founded_date")


def my_mentorships(worker: Worker) -> QuerySet[Mentorship]:
    mine = MentorshipParticipant.objects.filter(mentorship=OuterRef("pk"), worker=worker)
    return (Mentorship.objects.filter(is_deleted=False).filter(Exists(mine)).with_form()
            .select_related("studio").prefetch_related(participants_prefetch()).order_by("-start_date"))


def my_tech_help(worker: Worker, *, limit: int = 20) -> list[TechHelpActivity]:
    return list(worker.tech_help_activities.filter(is_deleted=False).order_by("-date", "-id")[:limit])


def mentor_role(mentorship: Mentorship, worker: Worker | None) -> bool:
    return worker is not None and mentorship.participants.filter(worker=worker, role=ParticipantRole.MENTOR).exists()


def apprentices_of(*, mentorship):
    """The apprentices of a pairing fetched in the user's scope."""
    return MentorshipParticipant.objects.filter(mentorship=mentorship, role=ParticipantRole.APPRENTICE).order_by("id")
