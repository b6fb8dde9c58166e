"""The `care` section of the summary report, `workers.in_hardship`'s rule, and the module's dashboard cards."""

from datetime import date

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from laomo.core.byunit import ByUnit
from laomo.core.byyear import ByYear
from laomo.core.charts import chart_option
from laomo.core.dashboard import register_cards
from laomo.core.money import fen_sum, money_display, money_str, yuan
from laomo.core.permissions import has_capability
from laomo.core.years import year_dates, years_dates
from laomo.reports.drill import Column, Drill, register_drill, register_note
from laomo.reports.registry import register_section, register_years
from laomo.workers.models import Worker
from laomo.workers.selectors import registry_as_of

from .models import IN_HARDSHIP, CareVisit, HardshipSurvey, SurveyStatus, VisitType
from .selectors import in_hardship_now, level_asof_subquery, money_by_county, survey_base, visit_base


def _visit_in(first: int, last: int | None = None) -> Q:
    """A visit counts in the year of its date (here: in a year from `first` to `last`, `core.byyear`)."""
    start, end = years_dates(first, last)
    return Q(visit_date__gte=start, visit_date__lte=end)


def _survey_in(first: int, last: int | None = None) -> Q:
    start, end = years_dates(first, last)
    return Q(survey_date__gte=start, survey_date__lte=end)


def _all_visits(org):
    return CareVisit.objects.filter(org.subtree_q("org"), is_void=False)


def _all_surveys(org):
    return HardshipSurvey.objects.filter(org.subtree_q("org"), status=SurveyStatus.APPROVED, is_deleted=False)


def _visits(year: int, org):
    return _all_visits(org).filter(_visit_in(year))


def _surveys(year: int, org):
    return _all_surveys(org).filter(_survey_in(year))


def _visit_figures() -> dict:
    return {"visits": Count("id"), "workers": Count("worker", distinct=True), "amount_fen": fen_sum("amount"),
            **{f"t_{t}": fen_sum("amount", filter=Q(visit_type=t)) for t in VisitType.values}}


def _survey_figures() -> dict:
    return {"n": Count("worker", distinct=True)}


def _section(visits: dict, surveyed: dict) -> dict:
    return {
        "visits": visits["visits"],
        "workers_visited": visits["workers"],
        "amount": money_str(yuan(visits["amount_fen"])),
        "amount_by_type": {t: money_str(yuan(visits[f"t_{t}"])) for t in VisitType.values},
        "hardship_surveyed": surveyed["n"],
    }


@register_section("care", order=40)
def care_section(*, year: int, org, units=None) -> dict:
    """A visit counts in the year of its date, in the unit of the record and every unit above it."""
    by = ByUnit(org, units)
    visits = by.aggregate(_visits(year, org), **_visit_figures())
    surveyed = by.aggregate(_surveys(year, org), **_survey_figures())
    return by.each(lambda k: _section(visits[k], surveyed[k]))


@register_years("care")
def care_years(*, years: list[int], org) -> dict:
    """`care_section` for each of `years`, the visits and the surveys grouped by year."""
    by = ByYear(years)
    visits = by.aggregate(_all_visits(org), _visit_in, **_visit_figures())
    surveyed = by.aggregate(_all_surveys(org), _survey_in, **_survey_figures())
    return by.each(lambda y: _section(visits[y], surveyed[y]))


def in_hardship(*, workers, year: int):
    """Of `workers`, those whose latest approved survey on or before the end of `year` puts them in hardship.

    A semi-join on the surveys in hardship that no later approved survey (by date, then id) follows — an
    anti-join — rather than the latest survey's level looked up per worker (issue 16: 0.5 s of the
    province's summary at 200,000 workers); the same people (test_registry_asof.py)."""
    approved = HardshipSurvey.objects.filter(status=SurveyStatus.APPROVED, is_deleted=False,
                                             survey_date__lte=date(year, 12, 31))
    later = approved.filter(worker=OuterRef("worker_id")).filter(
        Q(survey_date__gt=OuterRef("survey_date")) | Q(survey_date=OuterRef("survey_date"), pk__gt=OuterRef("pk")))
    latest = approved.filter(hardship_level__in=IN_HARDSHIP).filter(~Exists(later))
    return workers.filter(pk__in=latest.values("worker_id"))


def county_money_chart(*, user, year: int, org) -> dict:
    """An ECharts option: condolence money paid in the year per unit below `org` (money as decimal strings)."""
    rows = money_by_county(user=user, year=year, org=org)
    return chart_option(categories=[r["org"].short_name or r["org"].name for r in rows], unit="元",
                        rotate_labels=True,
                        series=[{"name": "慰问金", "type": "bar", "data": [money_str(r["amount"]) for r in rows],
                                 "itemStyle": {"color": "#b71c1c"}}])


@register_cards(order=40)
def care_cards(*, user, year: int, org) -> list[dict]:
    if not has_capability(user, "view_business"):
        return []
    start, end = year_dates(year)
    visits = visit_base(user).filter(org.subtree_q("org"), is_void=False, visit_date__gte=start,
                                     visit_date__lte=end)
    figures = visits.aggregate(n=Count("id"), workers=Count("worker", distinct=True), amount_fen=fen_sum("amount"))
    index = reverse("care:index")
    cards = [
        {"label": f"{year}年慰问人次", "value": figures["n"], "url": f"{index}?year={year}",
         "note": f"慰问劳模 {figures['workers']} 人"},
        {"label": f"{year}年慰问金(元)", "value": money_display(yuan(figures["amount_fen"])),
         "url": f"{reverse('care:ledger')}?year={year}"},
        {"label": "困难劳模(当前)", "value": in_hardship_now(user=user, org=org),
         "url": reverse("care:hardship") if has_capability(user, "edit_business") else index},
    ]
    cards.append({"label": f"{year}年各单位慰问金(元)", "chart": county_money_chart(user=user, year=year, org=org)})
    if has_capability(user, "edit_business"):
        pending = survey_base(user).filter(org.subtree_q("org"), status=SurveyStatus.SUBMITTED).count()
        cards.append({"label": "待审核困难调查表", "value": pending,
                      "url": f"{reverse('care:survey_list')}?status=submitted"})
    return cards


# --- the records behind the figures (reports workspace) ---------------------------------------------------

register_note("care", "慰问按慰问日期计入当年(作废的不计),计入所属单位及其上级;金额按分精确求和。"
                      "困难调查人数为当年经审核的走访调查所涉劳模人数。")
register_note("workers.in_hardship", "困难劳模:截至当年12月31日最近一次经审核的困难调查认定为困难的在册劳模。")


def _visit_drill(qs, *, value=None, measure="人次") -> Drill:
    return Drill(qs=qs.select_related("worker", "org"), value=value, measure=measure,
                 columns=[Column("日期", lambda v: v.visit_date), Column("劳模", lambda v: v.worker.name),
                          Column("慰问类型", lambda v: v.get_visit_type_display()),
                          Column("单位", lambda v: v.org.name),
                          Column("金额(元)", lambda v: v.amount, numeric=True)],
                 link=lambda v: reverse("care:visit_detail", args=[v.pk]))


def _amount(qs) -> str:
    return money_str(yuan(qs.aggregate(fen=fen_sum("amount"))["fen"]))


@register_drill("care.visits")
def drill_visits(*, year: int, org) -> Drill:
    return _visit_drill(_visits(year, org))


@register_drill("care.amount")
def drill_amount(*, year: int, org) -> Drill:
    return _visit_drill(_visits(year, org), value=_amount, measure="慰问金额合计(元)")


@register_drill("care.amount_by_type.*")
def drill_amount_by_type(*, year: int, org, key: str) -> Drill:
    return _visit_drill(_visits(year, org).filter(visit_type=key), value=_amount, measure="慰问金额合计(元)")


def _worker_drill(qs) -> Drill:
    return Drill(qs=qs.select_related("org"), measure="人数",
                 columns=[Column("姓名", lambda w: w.name), Column("劳模编号", lambda w: w.worker_no),
                          Column("单位", lambda w: w.org.name)],
                 link=lambda w: reverse("workers:detail", args=[w.pk]))


@register_drill("care.workers_visited")
def drill_workers_visited(*, year: int, org) -> Drill:
    return _worker_drill(Worker.objects.filter(pk__in=_visits(year, org).values("worker_id")))


@register_drill("care.hardship_surveyed")
def drill_surveyed(*, year: int, org) -> Drill:
    return _worker_drill(Worker.objects.filter(pk__in=_surveys(year, org).values("worker_id")))


@register_drill("workers.in_hardship")
def drill_in_hardship(*, year: int, org) -> Drill:
    registry = registry_as_of(Worker.objects.filter(org.subtree_q("org"), is_deleted=False), year)
    qs = registry.annotate(care_level=level_asof_subquery(date(year, 12, 31))).filter(care_level__in=IN_HARDSHIP)
    return _worker_drill(qs)
