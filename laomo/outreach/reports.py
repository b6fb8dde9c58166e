"""The `outreach` section of the summary report (DESIGN.md §7) and the module's dashboard cards."""

from django.urls import reverse

from laomo.core.dashboard import register_cards
from laomo.reports.registry import register_section

from . import selectors
from .models import Lecture, MediaItem, PreShiftSession


@register_section("outreach", order=20)
def outreach_section(*, year: int, org) -> dict:
    """A record counts in the year of its date, in its unit and every unit above it. Lectures: held ones;
    online views: gained in the year per media item of the unit, with the cumulative figure beside it."""
    return selectors.figures(
        lectures=Lecture.objects.filter(is_deleted=False, org__path__startswith=org.path),
        media=MediaItem.objects.filter(is_deleted=False, org__path__startswith=org.path),
        sessions=PreShiftSession.objects.filter(is_deleted=False, org__path__startswith=org.path),
        year=year,
    )


@register_cards(order=20)
def outreach_cards(*, user, year: int, org) -> list[dict]:
    if not user.has_perm("core.view_business"):
        return []
    f = selectors.figures_for(user=user, year=year, org=org)
    index = reverse("outreach:index")
    open_showcases = selectors.showcase_base(user).filter(org__path__startswith=org.path, closed_date__isnull=True)
    return [
        {"label": f"{year}年宣讲场次", "value": f["lectures"], "note": f"受众 {f['audience']:,} 人次 · 查看按月图表",
         "url": f"{index}?year={year}&org={org.code}"},
        {"label": f"{year}年线上观看人次", "value": f"{f['online_views']:,}",
         "note": f"累计 {f['online_views_cumulative']:,} 人次",
         "url": f"{reverse('outreach:media_list')}?org={org.pk}"},
        {"label": f"{year}年班前十分钟", "value": f["pre_shift_sessions"],
         "url": f"{reverse('outreach:session_list')}?org={org.pk}&date_from={year}-01-01&date_to={year}-12-31"},
        {"label": "开放中的风采展示区", "value": open_showcases.count(),
         "url": f"{reverse('outreach:showcase_list')}?org={org.pk}&open=1"},
        {"label": f"{year}年各月宣讲场次(按场所)", "chart": _lectures_chart(user=user, year=year, org=org)},
    ]


def _lectures_chart(*, user, year: int, org) -> dict:
    """An ECharts option: held lectures per month, stacked by venue type."""
    from .models import VenueType

    by_month = selectors.lectures_by_month(user=user, year=year, org=org)
    return {
        "tooltip": {"trigger": "axis"}, "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 40, "right": 10, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": [f"{m}月" for m in range(1, 13)]},
        "yAxis": {"type": "value", "name": "场次"},
        "series": [{"name": label, "type": "bar", "stack": "venue", "data": by_month[v]}
                   for v, label in VenueType.choices],
    }
