"""The `studios` section of the summary report (DESIGN.md §7) and the module's dashboard cards.

Which records count in a year (the same rule for the report, the API and the cards):
- a studio counts in every year it is in being: founded on or before 31 December and not revoked
  before 1 January (a studio revoked during the year still counts in that year); studios being
  cultivated (培育/创建中) count too. `by_level` groups those by their current 示范 level.
- a mentorship counts in every year it is active in — started on or before 31 December and not
  ended before 1 January (no end date = still running); so one started in the year counts, and so
  does one started earlier and still running. `mentorships_by_form` groups them by the form derived
  from the mentor and apprentice counts (one_to_one, one_to_many, many_to_one, many_to_many).
Each record counts in the org of the record and every org above it.
"""

from django.db.models import Count, Q, Sum
from django.urls import reverse

from laomo.core.byunit import ByUnit
from laomo.core.byyear import ByYear
from laomo.core.dashboard import register_cards
from laomo.core.money import fen_sum, yuan
from laomo.core.years import year_dates, years_dates
from laomo.reports.drill import Column, Drill, register_drill, register_note
from laomo.reports.registry import register_section, register_years

from .models import FORM_KEYS, LEVEL_KEYS, Mentorship, MentorshipForm, Studio, running_q
from .selectors import (
    achievement_base,
    flag_annotations,
    flag_q,
    mentorship_base,
    studio_base,
    tech_help_base,
)

COUNTING_RULE = (
    "工作室:当年在册(创建日期不晚于当年12月31日、且未在当年1月1日前撤销,含培育/创建中)即计入当年;"
    "传帮带结对:当年进行中即计入(开始日期不晚于当年12月31日、且结束日期为空或不早于当年1月1日,含当年开始的结对);"
    "形式按师傅、徒弟人数推导。"
)


def studio_in(first: int, last: int | None = None) -> Q:
    """A studio in being during the year (COUNTING_RULE; here: during some year from `first` to `last`)."""
    start, end = years_dates(first, last)
    return Q(founded_date__lte=end) & (Q(revoked_date__isnull=True) | Q(revoked_date__gte=start))


def mentorship_in(first: int, last: int | None = None) -> Q:
    return running_q(*years_dates(first, last))


def studios_in_year(qs, year: int):
    return qs.filter(studio_in(year))


def mentorships_in_year(qs, year: int):
    return qs.active_in(*year_dates(year))


def by_form(qs) -> dict[str, int]:
    """Counts per derived form, grouped in the database by the form expression."""
    return _forms(ByUnit(None).tally(qs.with_form(), "form_key")[None])


def _forms(counts: dict) -> dict[str, int]:
    return {key: counts.get(key, 0) for key in FORM_KEYS}


def _studio_figures() -> dict:
    return {"total": Count("id"), **{level: Count("id", filter=Q(level=level)) for level in LEVEL_KEYS}}


def _all_mentorships(org):
    return Mentorship.objects.filter(org.subtree_q(), is_deleted=False)


def _section(studios: dict, forms: dict) -> dict:
    forms = _forms(forms)
    return {
        "studios": studios["total"],
        "by_level": {level: studios[level] for level in LEVEL_KEYS},
        "mentorships": sum(forms.values()),
        "mentorships_by_form": forms,
    }


@register_section("studios", order=50)
def studios_section(*, year: int, org, units=None) -> dict:
    by = ByUnit(org, units)
    studios = by.aggregate(studios_in_year(Studio.objects.filter(org.subtree_q()), year), **_studio_figures())
    tallies = by.tally(mentorships_in_year(_all_mentorships(org), year).with_form(), "form_key")
    return by.each(lambda k: _section(studios[k], tallies[k]))


@register_years("studios")
def studios_years(*, years: list[int], org) -> dict:
    """`studios_section` for each of `years`: a studio or a mentorship counts in every year it spans, so each
    year's figures are filtered counts of one query."""
    by = ByYear(years)
    studios = by.aggregate_each(Studio.objects.filter(org.subtree_q()), studio_in, **_studio_figures())
    tallies = by.tally_each(_all_mentorships(org).with_form(), mentorship_in, "form_key")
    return by.each(lambda y: _section(studios[y], tallies[y]))


@register_cards(order=50)
def studio_cards(*, user, year: int, org) -> list[dict]:
    if not user.has_perm("core.view_business"):
        return []
    start, end = year_dates(year)
    studios = studios_in_year(studio_base(user).filter(org.subtree_q()), year)
    flagged = (studios.annotate(**flag_annotations(year))
               .filter(flag_q("no_project", year) | flag_q("no_result", year) | flag_q("failed", year)
                       | flag_q("lead_low", year)).count())
    achievements = achievement_base(user).filter(org.subtree_q("studio__org"), achieved_date__gte=start,
                                                 achieved_date__lte=end).aggregate(n=Count("id"),
                                                                                   benefit=fen_sum("economic_benefit"))
    mentorships = mentorships_in_year(mentorship_base(user).filter(org.subtree_q()), year)
    forms = by_form(mentorships)
    help_figures = tech_help_base(user).filter(org.subtree_q(), date__gte=start,
                                               date__lte=end).aggregate(n=Count("id"), trainees=Sum("trainees_count"))
    benefit = yuan(achievements["benefit"])
    return [
        {"label": f"{year}年创新工作室", "value": studios.count(),
         "note": f"需关注 {flagged} 个", "url": f"{reverse('studios:index')}?flag=any"},
        {"label": f"{year}年工作室成果", "value": achievements["n"], "note": f"经济效益 {benefit:,} 元",
         "url": f"{reverse('studios:achievement_list')}?year={year}"},
        {"label": f"{year}年传帮带结对", "value": sum(forms.values()),
         "note": " · ".join(f"{MentorshipForm(k).label}{v}" for k, v in forms.items()),
         "url": f"{reverse('studios:mentorship_list')}?year={year}"},
        {"label": f"{year}年技术服务活动", "value": help_figures["n"],
         "note": f"受训/受益 {help_figures['trainees'] or 0} 人次",
         "url": f"{reverse('studios:tech_help_list')}?year={year}"},
    ]


# --- the records behind the figures (reports workspace) ---------------------------------------------------

register_note("studios", COUNTING_RULE)


def _studios(year: int, org):
    return studios_in_year(Studio.objects.filter(org.subtree_q()), year).select_related("org", "lead")


def _studio_drill(qs) -> Drill:
    return Drill(qs=qs, measure="个",
                 columns=[Column("工作室名称", lambda x: x.name), Column("示范级别", lambda x: x.get_level_display()),
                          Column("领衔人", lambda x: x.lead.name), Column("所属工会", lambda x: x.org.name),
                          Column("创建日期", lambda x: x.founded_date)],
                 link=lambda x: reverse("studios:detail", args=[x.pk]))


@register_drill("studios.studios")
def drill_studios(*, year: int, org) -> Drill:
    return _studio_drill(_studios(year, org))


@register_drill("studios.by_level.*")
def drill_studios_by_level(*, year: int, org, key: str) -> Drill:
    return _studio_drill(_studios(year, org).filter(level=key))


def _mentorships(year: int, org):
    return mentorships_in_year(Mentorship.objects.filter(org.subtree_q(), is_deleted=False), year)


def _mentorship_drill(qs) -> Drill:
    return Drill(qs=qs.select_related("org"), measure="对",
                 columns=[Column("结对名称", lambda m: m.title), Column("所属工会", lambda m: m.org.name),
                          Column("开始日期", lambda m: m.start_date), Column("结束日期", lambda m: m.end_date or "—")],
                 link=lambda m: reverse("studios:mentorship_detail", args=[m.pk]))


@register_drill("studios.mentorships")
def drill_mentorships(*, year: int, org) -> Drill:
    return _mentorship_drill(_mentorships(year, org))


@register_drill("studios.mentorships_by_form.*")
def drill_mentorships_by_form(*, year: int, org, key: str) -> Drill:
    return _mentorship_drill(_mentorships(year, org).with_form().filter(form_key=key))
