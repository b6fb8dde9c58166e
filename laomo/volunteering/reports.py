"""The `volunteering` section of the summary report (DESIGN.md §7) and the dashboard cards."""

from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from laomo.core.byunit import ByUnit
from laomo.core.byyear import ByYear
from laomo.core.charts import chart_option
from laomo.core.dashboard import register_cards
from laomo.core.permissions import has_capability
from laomo.reports.drill import Column, Drill, register_drill, register_note
from laomo.reports.registry import register_section, register_years

from .models import RequestStatus, ServiceHours, ServiceRecord, ServiceRequest, ServiceTeam, TeamType
from .selectors import monthly_person_times, overdue_q, record_base, request_base, year_bounds

TEAM_TYPE_KEYS = list(TeamType.values)


def _team_in(first: int, last: int | None = None) -> Q:
    """Teams in existence during the year: founded by its end, not dissolved before it began (here: during some
    year from `first` to `last`, `core.byyear`)."""
    last = first if last is None else last
    return Q(founded_on__lte=date(last, 12, 31)) & (Q(dissolved_on__isnull=True)
                                                    | Q(dissolved_on__gte=date(first, 1, 1)))


def _record_in(first: int, last: int | None = None) -> Q:
    """A service record counts in the year of its date."""
    last = first if last is None else last
    return Q(date__gte=date(first, 1, 1), date__lt=date(last + 1, 1, 1))


def _hours_in(first: int, last: int | None = None) -> Q:
    """Hours count in the year of their record."""
    last = first if last is None else last
    return Q(record__date__gte=date(first, 1, 1), record__date__lt=date(last + 1, 1, 1))


def _request_in(field: str):
    """A service request counts in the year of its `field` (received, completed, rated)."""
    def in_years(first: int, last: int | None = None) -> Q:
        start, end = year_bounds(first)[0], year_bounds(first if last is None else last)[1]
        return Q(**{f"{field}__gte": start, f"{field}__lt": end})

    return in_years


def _all_teams(org):
    return ServiceTeam.objects.filter(org.subtree_q(), is_deleted=False)


def _all_records(org):
    return ServiceRecord.objects.filter(org.subtree_q(), is_deleted=False)


def _all_requests(org):
    return ServiceRequest.objects.filter(org.subtree_q())


def _teams(year: int, org):
    return _all_teams(org).filter(_team_in(year))


def _records(year: int, org):
    return _all_records(org).filter(_record_in(year))


def _requests(org, field: str, year: int):
    return _all_requests(org).filter(_request_in(field)(year))


def _average_rating(requests) -> float | None:
    return _rounded(requests.filter(rating__isnull=False).aggregate(a=Avg("rating"))["a"])


def _rounded(avg) -> float | None:
    return None if avg is None else round(float(avg), 2)


def _record_figures() -> dict:
    return {"n": Count("id"), "pt_total": Sum("person_times"),
            **{f"pt_{t}": Sum("person_times", filter=Q(team_type=t)) for t in TEAM_TYPE_KEYS}}


def _section(*, teams: int, records: dict, hours: dict, received: int, completed: int, ratings: dict) -> dict:
    return {
        "teams": teams,
        "service_records": records["n"],
        "person_times": records["pt_total"] or 0,
        "volunteer_hours": str((hours["s"] or Decimal("0")).quantize(Decimal("0.01"))),
        "person_times_by_team_type": {t: records[f"pt_{t}"] or 0 for t in TEAM_TYPE_KEYS},
        "requests": {
            "received": received,
            "completed": completed,
            "average_rating": _rounded(ratings["a"]),
        },
    }


@register_section("volunteering", order=30)
def volunteering_section(*, year: int, org, units=None) -> dict:
    by = ByUnit(org, units)
    records = _records(year, org)
    figures = by.aggregate(records, **_record_figures())
    hours = by.aggregate(ServiceHours.objects.filter(record__in=records), "record__org", s=Sum("hours"))
    received = by.count(_requests(org, "received_at", year))
    completed = by.count(_requests(org, "completed_at", year))
    ratings = by.aggregate(_requests(org, "rated_at", year).filter(rating__isnull=False), a=Avg("rating"))
    teams = by.count(_teams(year, org))
    return by.each(lambda k: _section(teams=teams[k], records=figures[k], hours=hours[k], received=received[k],
                                      completed=completed[k], ratings=ratings[k]))


@register_years("volunteering")
def volunteering_years(*, years: list[int], org) -> dict:
    """`volunteering_section` for each of `years`: records, hours and requests grouped by year, the teams
    in being counted once per year in one query."""
    by = ByYear(years)
    figures = by.aggregate(_all_records(org), _record_in, **_record_figures())
    hours = by.aggregate(ServiceHours.objects.filter(record__in=_all_records(org).filter(by.within(_record_in))),
                         _hours_in, s=Sum("hours"))
    received = by.count(_all_requests(org), _request_in("received_at"))
    completed = by.count(_all_requests(org), _request_in("completed_at"))
    ratings = by.aggregate(_all_requests(org).filter(rating__isnull=False), _request_in("rated_at"), a=Avg("rating"))
    teams = by.aggregate_each(_all_teams(org), _team_in, n=Count("id"))
    return by.each(lambda y: _section(teams=teams[y]["n"], records=figures[y], hours=hours[y], received=received[y],
                                      completed=completed[y], ratings=ratings[y]))


@register_cards(order=30)
def volunteering_cards(*, user, year: int, org) -> list[dict]:
    if not (has_capability(user, "view_business") or has_capability(user, "lead_team")):
        return []
    records = record_base(user).filter(date__gte=date(year, 1, 1), date__lt=date(year + 1, 1, 1))
    if has_capability(user, "view_business"):
        records = records.filter(org.subtree_q())
    person_times = records.aggregate(s=Sum("person_times"))["s"] or 0
    hours = ServiceHours.objects.filter(record__in=records).aggregate(s=Sum("hours"))["s"] or Decimal("0")
    requests = request_base(user)
    pending = requests.filter(status=RequestStatus.PENDING).count()
    overdue = requests.filter(overdue_q()).count()
    index = reverse("volunteering:index")
    queue = reverse("volunteering:request_list")
    series = monthly_person_times(user=user, year=year, org=org if has_capability(user, "view_business") else None)
    chart = chart_option(categories=[f"{m}月" for m in range(1, 13)], unit="人次",
                         series=[{"name": TeamType(t).label, "type": "bar", "stack": "pt", "data": v}
                                 for t, v in series.items() if any(v)])
    return [
        {"label": f"{year}年志愿服务人次", "value": person_times, "url": f"{index}?year={year}"},
        {"label": f"{year}年志愿服务时长(小时)", "value": str(hours.quantize(Decimal('0.01'))),
         "url": reverse("volunteering:hours") + f"?year={year}"},
        {"label": "待审核点单", "value": pending, "url": f"{queue}?status=pending"},
        {"label": "超时点单", "value": overdue, "url": f"{queue}?overdue=1",
         "note": "2天未派单或超过承诺日期未完成"},
        {"label": f"{year}年各类服务队服务人次(按月)", "chart": chart},
    ]


# --- the records behind the figures (reports workspace) ---------------------------------------------------

register_note("volunteering", "服务记录按服务日期计入当年,计入记录单位及其上级;服务队按当年存续(当年12月31日前成立、"
                              "未在当年1月1日前撤销)统计;点单按受理、完成、评价时间分别计入当年。")


def _record_drill(qs, *, value=None, measure="记录数") -> Drill:
    qs = qs.select_related("org", "team").annotate(hours=Coalesce(Sum("volunteers__hours"), Decimal("0")))
    return Drill(qs=qs, value=value, measure=measure,
                 columns=[Column("日期", lambda r: r.date),
                          Column("服务队", lambda r: r.team.name if r.team_id else "—"),
                          Column("服务类型", lambda r: r.get_team_type_display()), Column("单位", lambda r: r.org.name),
                          Column("服务人次", lambda r: r.person_times, numeric=True),
                          Column("志愿服务时长", lambda r: r.hours, numeric=True)],
                 link=lambda r: reverse("volunteering:record_detail", args=[r.pk]))


def _person_times(qs) -> int:
    return int(qs.aggregate(n=Sum("person_times"))["n"] or 0)


@register_drill("volunteering.teams")
def drill_teams(*, year: int, org) -> Drill:
    return Drill(qs=_teams(year, org).select_related("org"), measure="支",
                 columns=[Column("队伍名称", lambda t: t.name), Column("服务类型", lambda t: t.get_team_type_display()),
                          Column("单位", lambda t: t.org.name), Column("成立日期", lambda t: t.founded_on)],
                 link=lambda t: reverse("volunteering:team_detail", args=[t.pk]))


@register_drill("volunteering.service_records")
def drill_records(*, year: int, org) -> Drill:
    return _record_drill(_records(year, org))


@register_drill("volunteering.person_times")
def drill_person_times(*, year: int, org) -> Drill:
    return _record_drill(_records(year, org), value=_person_times, measure="服务人次合计")


@register_drill("volunteering.person_times_by_team_type.*")
def drill_person_times_by_type(*, year: int, org, key: str) -> Drill:
    return _record_drill(_records(year, org).filter(team_type=key), value=_person_times, measure="服务人次合计")


@register_drill("volunteering.volunteer_hours")
def drill_hours(*, year: int, org) -> Drill:
    def hours(qs) -> str:
        total = ServiceHours.objects.filter(record__in=qs.values("pk")).aggregate(s=Sum("hours"))["s"]
        return str((total or Decimal("0")).quantize(Decimal("0.01")))

    return _record_drill(_records(year, org), value=hours, measure="志愿服务时长合计(小时)")


def _request_drill(qs, *, value=None, measure="件") -> Drill:
    return Drill(qs=qs.select_related("org"), value=value, measure=measure,
                 columns=[Column("查询码", lambda r: r.tracking_code),
                          Column("类别", lambda r: r.get_category_display()),
                          Column("受理单位", lambda r: r.org.name), Column("受理时间", lambda r: r.received_at),
                          Column("完成时间", lambda r: r.completed_at or "—"),
                          Column("评分", lambda r: r.rating if r.rating is not None else "—")],
                 link=lambda r: reverse("volunteering:request_detail", args=[r.pk]))


@register_drill("volunteering.requests.received")
def drill_received(*, year: int, org) -> Drill:
    return _request_drill(_requests(org, "received_at", year))


@register_drill("volunteering.requests.completed")
def drill_completed(*, year: int, org) -> Drill:
    return _request_drill(_requests(org, "completed_at", year))


@register_drill("volunteering.requests.average_rating")
def drill_rating(*, year: int, org) -> Drill:
    return _request_drill(_requests(org, "rated_at", year).filter(rating__isnull=False), value=_average_rating,
                          measure="平均评分")
