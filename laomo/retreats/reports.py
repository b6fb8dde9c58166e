"""The `retreats` section of the summary report (DESIGN.md §7), dashboard cards and timeline entries.

A batch counts in the year of its start date, in the organizing unit (and every unit above it),
once it was held (进行中 or 已完成). A participant counts in the year of the batch's start date, in
the unit of the application (the worker's unit when applying) and above; a worker who attended two
batches in a year counts once. The average satisfaction is the mean of the 总体满意度 ratings of
those participants' surveys, exact to 2 places (a decimal string), or null without any survey.
"""

from django.db.models import Count, Q, Sum
from django.urls import reverse

from laomo.core.byunit import ByUnit
from laomo.core.byyear import ByYear
from laomo.core.dashboard import register_cards
from laomo.reports.drill import Column, Drill, register_drill, register_note
from laomo.reports.registry import register_section, register_years
from laomo.workers.models import Worker
from laomo.workers.selectors import worker_for_user
from laomo.workers.timeline import register_timeline

from .models import HELD_STATUSES, ApplicationStatus, RetreatApplication, RetreatBatch, SurveyResponse
from .selectors import average, open_batches_for


def _batch_in(first: int, last: int | None = None, *, via: str = "") -> Q:
    """A batch (a participant, a survey: `via` the path to the batch) counts in the year of its start date
    (here: in a year from `first` to `last`, `core.byyear`)."""
    last = first if last is None else last
    return Q(**{f"{via}start_date__year__gte": first, f"{via}start_date__year__lte": last})


def _attended_in(first: int, last: int | None = None) -> Q:
    return _batch_in(first, last, via="batch__")


def _surveyed_in(first: int, last: int | None = None) -> Q:
    return _batch_in(first, last, via="application__batch__")


def _all_batches(org):
    return RetreatBatch.objects.filter(org.subtree_q(), is_deleted=False, status__in=HELD_STATUSES)


def _all_attended(org):
    return RetreatApplication.objects.filter(org.subtree_q(), status=ApplicationStatus.ATTENDED,
                                             batch__is_deleted=False)


def _batches(year: int, org):
    return _all_batches(org).filter(_batch_in(year))


def _attended(year: int, org):
    return _all_attended(org).filter(_attended_in(year))


def _satisfaction(attended) -> str | None:
    return _average(SurveyResponse.objects.filter(application__in=attended).aggregate(**_SURVEYS))


_SURVEYS = {"n": Count("id"), "total": Sum("overall")}


def _average(surveys: dict) -> str | None:
    avg = average(surveys["total"], surveys["n"])
    return str(avg) if avg is not None else None


def _section(batches: int, participants: dict, surveys: dict) -> dict:
    return {"batches": batches, "participants": participants["n"], "average_satisfaction": _average(surveys)}


def figures(*, year: int, org, units=None) -> dict:
    """The year's figures of `org`; with `units` (the units below it), {unit pk: figures} grouped by unit."""
    by = ByUnit(org, units)
    attended = _attended(year, org)
    batches = by.count(_batches(year, org))
    participants = by.aggregate(attended, n=Count("worker", distinct=True))
    surveys = by.aggregate(SurveyResponse.objects.filter(application__in=attended), "application__org", **_SURVEYS)
    return by.each(lambda k: _section(batches[k], participants[k], surveys[k]))


def figures_of_years(*, years: list[int], org) -> dict:
    """{year: figures(year=year, org=org)} for `years`, each figure grouped by the year of the batch."""
    by = ByYear(years)
    attended = _all_attended(org).filter(by.within(_attended_in))
    batches = by.count(_all_batches(org), _batch_in)
    participants = by.aggregate(attended, _attended_in, n=Count("worker", distinct=True))
    surveys = by.aggregate(SurveyResponse.objects.filter(application__in=attended), _surveyed_in, **_SURVEYS)
    return by.each(lambda y: _section(batches[y], participants[y], surveys[y]))


@register_section("retreats", order=50)
def retreats_section(*, year: int, org, units=None) -> dict:
    return figures(year=year, org=org, units=units)


@register_years("retreats")
def retreats_years(*, years: list[int], org) -> dict:
    return figures_of_years(years=years, org=org)


@register_cards(order=50)
def retreat_cards(*, user, year: int, org) -> list[dict]:
    if user.has_perm("core.view_business"):
        f = figures(year=year, org=org)
        url = reverse("retreats:index")
        note = f"{f['batches']} 批次"
        if f["average_satisfaction"] is not None:
            note += f" · 满意度 {f['average_satisfaction']}"
        return [{"label": f"{year}年疗休养人数", "value": f["participants"], "url": f"{url}?year={year}",
                 "note": note}]
    if user.has_perm("core.self_service"):
        worker = worker_for_user(user)
        if worker is None:
            return []
        return [{"label": "可报名的疗休养", "value": len(open_batches_for(worker)), "url": reverse("retreats:my"),
                 "note": "点击查看条件并报名"}]
    return []


@register_timeline
def retreat_timeline(*, worker, user):
    staff = user.has_perm("core.view_business")
    entries = []
    for app in (RetreatApplication.objects.filter(worker=worker).exclude(batch__is_deleted=True)
                .select_related("batch").order_by("-batch__start_date")):
        batch = app.batch
        url = reverse("retreats:batch_detail", args=[batch.pk]) if staff else reverse("retreats:my")
        entries.append({"date": batch.start_date, "label": "疗休养",
                        "title": f"{batch.name}({batch.destination},{app.get_status_display()})", "url": url})
    return entries


# --- the records behind the figures (reports workspace) ---------------------------------------------------

register_note("retreats", "批次按出发日期计入当年(进行中或已完成),计入组织单位及其上级;参加人数按出行登记的劳模计,"
                          "同一年参加两批的计一人;平均满意度为这些参加者问卷总体满意度的平均值。")


@register_drill("retreats.batches")
def drill_batches(*, year: int, org) -> Drill:
    return Drill(qs=_batches(year, org).select_related("org"), measure="批次",
                 columns=[Column("批次名称", lambda b: b.name), Column("出发日期", lambda b: b.start_date),
                          Column("返回日期", lambda b: b.end_date), Column("组织单位", lambda b: b.org.name)],
                 link=lambda b: reverse("retreats:batch_detail", args=[b.pk]))


@register_drill("retreats.participants")
def drill_participants(*, year: int, org) -> Drill:
    workers = Worker.objects.filter(pk__in=_attended(year, org).values("worker_id")).select_related("org")
    return Drill(qs=workers, measure="人数",
                 columns=[Column("姓名", lambda w: w.name), Column("劳模编号", lambda w: w.worker_no),
                          Column("单位", lambda w: w.org.name)],
                 link=lambda w: reverse("workers:detail", args=[w.pk]))


@register_drill("retreats.average_satisfaction")
def drill_satisfaction(*, year: int, org) -> Drill:
    attended = _attended(year, org).filter(survey__isnull=False).select_related("worker", "batch", "survey")
    return Drill(qs=attended, measure="平均满意度", value=_satisfaction,
                 columns=[Column("劳模", lambda a: a.worker.name), Column("批次", lambda a: a.batch.name),
                          Column("总体满意度", lambda a: a.survey.overall, numeric=True)],
                 link=lambda a: reverse("retreats:batch_detail", args=[a.batch_id]))
