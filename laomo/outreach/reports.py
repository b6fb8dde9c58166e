"""The `outreach` section of the summary report (DESIGN.md §7) and the module's dashboard cards."""

from django.db.models import Sum
from django.urls import reverse

from laomo.core.byunit import ByUnit
from laomo.core.charts import chart_option
from laomo.core.dashboard import register_cards
from laomo.core.years import year_dates
from laomo.reports.drill import Column, Drill, register_drill, register_note
from laomo.reports.registry import register_section, register_years

from . import selectors
from .models import Lecture, LectureStatus, MediaItem, PreShiftSession, VenueType


@register_section("outreach", order=20)
def outreach_section(*, year: int, org, units=None) -> dict:
    """A record counts in the year of its date, in its unit and every unit above it. Lectures: held ones;
    online views: gained in the year per media item of the unit, with the cumulative figure beside it."""
    return selectors.figures(
        lectures=Lecture.objects.filter(org.subtree_q(), is_deleted=False),
        media=MediaItem.objects.filter(org.subtree_q(), is_deleted=False),
        sessions=PreShiftSession.objects.filter(org.subtree_q(), is_deleted=False),
        year=year, by=ByUnit(org, units),
    )


@register_years("outreach")
def outreach_years(*, years: list[int], org) -> dict:
    """`outreach_section` for each of `years`, in one query per figure family."""
    return selectors.figures_of_years(
        lectures=Lecture.objects.filter(org.subtree_q(), is_deleted=False),
        media=MediaItem.objects.filter(org.subtree_q(), is_deleted=False),
        sessions=PreShiftSession.objects.filter(org.subtree_q(), is_deleted=False),
        years=years,
    )


@register_cards(order=20)
def outreach_cards(*, user, year: int, org) -> list[dict]:
    if not user.has_perm("core.view_business"):
        return []
    f = selectors.figures_for(user=user, year=year, org=org)
    index = reverse("outreach:index")
    open_showcases = selectors.showcase_base(user).filter(org.subtree_q(), closed_date__isnull=True)
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
    by_month = selectors.lectures_by_month(user=user, year=year, org=org)
    return chart_option(categories=[f"{m}月" for m in range(1, 13)], unit="场次",
                        series=[{"name": label, "type": "bar", "stack": "venue", "data": by_month[v]}
                                for v, label in VenueType.choices])


# --- the records behind the figures (reports workspace) ---------------------------------------------------

register_note("outreach", "宣讲按宣讲日期计入当年(仅已举办),计入组织单位及其上级;班前十分钟按日期计入。")
VIEWS_NOTE = ("线上观看人次为当年新增:每件作品截至当年12月31日的最新读数减去上一年末的最新读数(不为负),"
              "各年相加等于累计数;累计观看人次为截至当年12月31日的最新读数之和。")
register_note("outreach.online_views", VIEWS_NOTE)
register_note("outreach.online_views_cumulative", VIEWS_NOTE)


def _held(year: int, org):
    return (Lecture.objects.filter(org.subtree_q(), is_deleted=False, status=LectureStatus.HELD,
                                   date__range=year_dates(year)).select_related("org"))


_LECTURE_COLUMNS = [Column("日期", lambda x: x.date), Column("宣讲题目", lambda x: x.title),
                    Column("场所类型", lambda x: x.get_venue_type_display()), Column("单位", lambda x: x.org.name),
                    Column("受众人数", lambda x: x.audience, numeric=True)]


def _lecture_drill(qs) -> Drill:
    return Drill(qs=qs, columns=_LECTURE_COLUMNS, link=lambda x: reverse("outreach:lecture_detail", args=[x.pk]),
                 measure="场次")


@register_drill("outreach.lectures")
def drill_lectures(*, year: int, org) -> Drill:
    return _lecture_drill(_held(year, org))


@register_drill("outreach.lectures_by_venue.*")
def drill_lectures_by_venue(*, year: int, org, key: str) -> Drill:
    return _lecture_drill(_held(year, org).filter(venue_type=key))


@register_drill("outreach.audience")
def drill_audience(*, year: int, org) -> Drill:
    drill = _lecture_drill(_held(year, org))
    drill.value = lambda qs: int(qs.aggregate(n=Sum("audience"))["n"] or 0)
    drill.measure = "受众人数合计"
    return drill


@register_drill("outreach.pre_shift_sessions")
def drill_sessions(*, year: int, org) -> Drill:
    qs = PreShiftSession.objects.filter(org.subtree_q(), is_deleted=False,
                                        date__range=year_dates(year)).select_related("org", "speaker")
    return Drill(qs=qs, measure="场次",
                 columns=[Column("日期", lambda x: x.date), Column("主题", lambda x: x.topic),
                          Column("主讲", lambda x: x.speaker.name if x.speaker_id else x.speaker_name),
                          Column("单位", lambda x: x.org.name)],
                 link=lambda x: reverse("outreach:session_detail", args=[x.pk]))


def _media_drill(year: int, org, field: str, label: str) -> Drill:
    qs = selectors.media_with_views(MediaItem.objects.filter(org.subtree_q(), is_deleted=False)
                                    .select_related("org", "platform"), year).filter(**{f"{field}__gt": 0})
    return Drill(qs=qs, measure=label,
                 columns=[Column("标题", lambda x: x.title), Column("平台", lambda x: x.platform.label),
                          Column("单位", lambda x: x.org.name),
                          Column("当年新增", lambda x: x.v_gained, numeric=True),
                          Column("累计", lambda x: x.v_end, numeric=True)],
                 value=lambda qs: int(qs.aggregate(n=Sum(field))["n"] or 0),
                 link=lambda x: reverse("outreach:media_detail", args=[x.pk]))


@register_drill("outreach.online_views")
def drill_views(*, year: int, org) -> Drill:
    return _media_drill(year, org, "v_gained", "新增观看人次合计")


@register_drill("outreach.online_views_cumulative")
def drill_views_cumulative(*, year: int, org) -> Drill:
    return _media_drill(year, org, "v_end", "累计观看人次合计")
