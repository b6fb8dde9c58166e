"""The `volunteering` section of the summary report (DESIGN.md §7) and the dashboard cards."""

from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.urls import reverse

from laomo.core.dashboard import register_cards
from laomo.core.permissions import has_capability
from laomo.reports.registry import register_section

from .models import RequestStatus, ServiceHours, ServiceRecord, ServiceRequest, ServiceTeam, TeamType
from .selectors import overdue_q, request_base, year_bounds

TEAM_TYPE_KEYS = list(TeamType.values)


def _teams_in_year(year: int, org) -> int:
    """Teams in existence during the year: founded by its end, not dissolved before it began."""
    return ServiceTeam.objects.filter(is_deleted=False, org__path__startswith=org.path,
                                      founded_on__lte=date(year, 12, 31)).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=date(year, 1, 1))).count()


@register_section("volunteering", order=30)
def volunteering_section(*, year: int, org) -> dict:
    records = ServiceRecord.objects.filter(is_deleted=False, org__path__startswith=org.path,
                                           date__gte=date(year, 1, 1), date__lt=date(year + 1, 1, 1))
    figures = records.aggregate(
        n=Count("id"), pt_total=Sum("person_times"),
        **{f"pt_{t}": Sum("person_times", filter=Q(team_type=t)) for t in TEAM_TYPE_KEYS},
    )
    hours = ServiceHours.objects.filter(record__in=records).aggregate(s=Sum("hours"))["s"] or Decimal("0")
    start, end = year_bounds(year)
    requests = ServiceRequest.objects.filter(org__path__startswith=org.path)
    received = requests.filter(received_at__gte=start, received_at__lt=end).count()
    completed = requests.filter(completed_at__gte=start, completed_at__lt=end).count()
    avg = requests.filter(rated_at__gte=start, rated_at__lt=end, rating__isnull=False).aggregate(a=Avg("rating"))["a"]
    return {
        "teams": _teams_in_year(year, org),
        "service_records": figures["n"],
        "person_times": figures["pt_total"] or 0,
        "volunteer_hours": str(hours.quantize(Decimal("0.01"))),
        "person_times_by_team_type": {t: figures[f"pt_{t}"] or 0 for t in TEAM_TYPE_KEYS},
        "requests": {
            "received": received,
            "completed": completed,
            "average_rating": None if avg is None else round(float(avg), 2),
        },
    }


@register_cards(order=30)
def volunteering_cards(*, user, year: int, org) -> list[dict]:
    if not (has_capability(user, "view_business") or has_capability(user, "lead_team")):
        return []
    from .selectors import record_base

    records = record_base(user).filter(date__gte=date(year, 1, 1), date__lt=date(year + 1, 1, 1))
    if has_capability(user, "view_business"):
        records = records.filter(org__path__startswith=org.path)
    person_times = records.aggregate(s=Sum("person_times"))["s"] or 0
    hours = ServiceHours.objects.filter(record__in=records).aggregate(s=Sum("hours"))["s"] or Decimal("0")
    requests = request_base(user)
    pending = requests.filter(status=RequestStatus.PENDING).count()
    overdue = requests.filter(overdue_q()).count()
    index = reverse("volunteering:index")
    queue = reverse("volunteering:request_list")
    from .selectors import monthly_person_times

    series = monthly_person_times(user=user, year=year, org=org if has_capability(user, "view_business") else None)
    chart = {
        "tooltip": {"trigger": "axis"}, "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 40, "right": 10, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": [f"{m}月" for m in range(1, 13)]},
        "yAxis": {"type": "value", "name": "人次"},
        "series": [{"name": TeamType(t).label, "type": "bar", "stack": "pt", "data": v}
                   for t, v in series.items() if any(v)],
    }
    return [
        {"label": f"{year}年志愿服务人次", "value": person_times, "url": f"{index}?year={year}"},
        {"label": f"{year}年志愿服务时长(小时)", "value": str(hours.quantize(Decimal('0.01'))),
         "url": reverse("volunteering:hours") + f"?year={year}"},
        {"label": "待审核点单", "value": pending, "url": f"{queue}?status=pending"},
        {"label": "超时点单", "value": overdue, "url": f"{queue}?overdue=1",
         "note": "2天未派单或超过承诺日期未完成"},
        {"label": f"{year}年各类服务队服务人次(按月)", "chart": chart},
    ]
