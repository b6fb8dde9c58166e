"""The annual report (年度工作总结) of a unit, written from the data: sentences built from the year's figures,
tables by unit, charts as images and the year's highlights; rendered as .docx (docxtpl, from a template the
association can edit) and as PDF (WeasyPrint, from an HTML template with a CJK font).

Every number comes from `summary` (the figures of the reports workspace and of `/api/v1/reports/summary`) or
from the highlight queries below; nothing is typed in.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from laomo.orgs.models import OrgUnit
from laomo.outreach.models import MediaItem, Pickup
from laomo.outreach.selectors import media_with_views
from laomo.volunteering.models import ServiceRecord
from laomo.workers.models import Honor

from .labels import label
from .selectors import summaries_below, summary
from .workspace import child_units, flatten, number

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "reports" / "annual_report.docx"
PRINT_CSS = Path(__file__).resolve().parent / "static" / "reports" / "annual_report.css"
TEAM_TYPES = ["medical", "power", "fungus", "agriculture", "forestry", "legal", "counselling", "technical"]
VENUES = ["agency", "school", "hospital", "enterprise", "community", "village", "online"]
VISIT_TYPES = ["spring_festival", "hardship", "illness", "elderly", "bereavement", "other"]
UNIT_COLUMNS = [  # (summary path, column title) of the table by unit
    ("workers.total", "在册劳模(人)"), ("outreach.lectures", "宣讲(场)"), ("outreach.pre_shift_sessions", "班前十分钟(场)"),
    ("volunteering.person_times", "志愿服务(人次)"), ("care.visits", "慰问(人次)"), ("care.amount", "慰问金(元)"),
    ("retreats.participants", "疗休养(人)"),
]


def n(value) -> str:
    """A figure in a sentence: 14,147 · 1,234.50."""
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    text = str(value)
    places = len(text.split(".", 1)[1]) if "." in text else 0
    return f"{Decimal(text):,.{places}f}"


def _parts(values: dict, keys: list[str], unit: str, *, money: bool = False) -> str:
    """'其中医疗卫生1,300人次、电力1,100人次' for the non-zero parts, in the stable order of `keys`."""
    parts = [f"{label(k)}{n(values[k])}{unit}" for k in keys if number(values.get(k))]
    return "、".join(parts)


def _yoy(now, before, what: str) -> str:
    a, b = number(now), number(before)
    if a is None or b is None or b == 0:
        return ""
    pct = (a - b) / b * 100
    if abs(pct) < Decimal("0.05"):
        return f",{what}与上年持平"
    return f",{what}较上年{'增长' if pct > 0 else '下降'}{abs(pct):.1f}%"


@dataclass
class Section:
    heading: str
    paragraphs: list[str]
    chart: bytes | None = None
    chart_title: str = ""


@dataclass
class AnnualReport:
    year: int
    org: OrgUnit
    figures: dict
    title: str
    subtitle: str
    sections: list[Section]
    unit_header: list[str]
    unit_rows: list[list[str]]
    highlights: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- highlights ------------------------------------------------------------------------------------------


def _new_honors(year: int, org) -> list[tuple[str, list[str]]]:
    rows = (Honor.objects.filter(org.subtree_q("worker__org"), is_deleted=False, worker__is_deleted=False)
            .filter(Q(year=year) | Q(year__isnull=True, award_date__year=year))
            .order_by("title", "worker__name_pinyin").values_list("title", "worker__name"))
    grouped: dict[str, list[str]] = {}
    for title, name in rows:
        grouped.setdefault(title, []).append(name)
    return list(grouped.items())


def _busiest_team(year: int, org):
    return (ServiceRecord.objects.filter(org.subtree_q(), is_deleted=False, date__year=year, team__isnull=False)
            .values("team__name").annotate(pt=Sum("person_times")).order_by("-pt", "team__name").first())


def _largest_action(year: int, org):
    return (ServiceRecord.objects.filter(org.subtree_q(), is_deleted=False, date__year=year, mobilization__isnull=False)
            .values("mobilization__name", "mobilization__start_date").annotate(pt=Sum("person_times"))
            .order_by("-pt", "mobilization__name").first())


def _most_watched(year: int, org):
    items = MediaItem.objects.filter(org.subtree_q(), is_deleted=False).select_related("platform")
    return media_with_views(items, year).filter(v_gained__gt=0).order_by("-v_gained", "id").first()


def _pickups(year: int, org) -> int:
    return Pickup.objects.filter(org.subtree_q("media_item__org"), is_deleted=False, date__year=year,
                                 media_item__is_deleted=False).count()


# --- sentences -------------------------------------------------------------------------------------------


def _registry(f: dict, p: dict, year: int, org) -> Section:
    w = f["workers"]
    lv = w["by_level"]
    text = (f"截至{year}年底,{org.name}在册劳模{n(w['total'])}人,其中全国级{n(lv['national'])}人、省部级{n(lv['provincial'])}人、"
            f"市级{n(lv['municipal'])}人、县级{n(lv['county'])}人{_yoy(w['total'], p['workers']['total'], '在册人数')}。")
    if "in_hardship" in w:
        text += f"经年度走访调查,认定困难劳模{n(w['in_hardship'])}人,纳入困难劳模信息库实行动态管理。"
    paragraphs = [text]
    honors = _new_honors(year, org)
    if honors:
        people = sum(len(names) for _, names in honors)
        listed = ";".join(f"{title}:{'、'.join(names[:20])}{'等' if len(names) > 20 else ''}" for title, names in honors)
        paragraphs.append(f"{year}年新获评荣誉{n(people)}人次。{listed}。")
    return Section("一、劳模队伍建设", paragraphs)


def _outreach(f: dict, p: dict, year: int, org) -> Section:
    o = f["outreach"]
    venues = _parts(o["lectures_by_venue"], VENUES, "场")
    text = (f"全年开展宣讲{n(o['lectures'])}场,受众{n(o['audience'])}人次{_yoy(o['lectures'], p['outreach']['lectures'], '宣讲场次')}"
            + (f";其中进{venues}" if venues else "") + "。")
    text += f"在车间班组开展“班前十分钟”{n(o['pre_shift_sessions'])}场。"
    views = (f"劳模宣讲视频、文章线上新增观看{n(o['online_views'])}人次,累计观看{n(o['online_views_cumulative'])}人次")
    pickups = _pickups(year, org)
    if pickups:
        views += f",被各级媒体平台采用转载{n(pickups)}次"
    paragraphs = [text, views + "。"]
    top = _most_watched(year, org)
    if top is not None:
        paragraphs.append(f"其中《{top.title}》({top.platform.label})当年新增观看{n(top.v_gained)}人次,为全年观看最多的作品。")
    return Section("二、劳模精神宣传宣讲", paragraphs)


def _volunteering(f: dict, p: dict, year: int, org) -> Section:
    v = f["volunteering"]
    by_type = _parts(v["person_times_by_team_type"], TEAM_TYPES, "人次")
    text = (f"全年在册劳模志愿服务队{n(v['teams'])}支,开展服务{n(v['service_records'])}次,服务群众{n(v['person_times'])}人次,"
            f"志愿服务时长{n(v['volunteer_hours'])}小时{_yoy(v['person_times'], p['volunteering']['person_times'], '服务人次')}"
            + (f";其中{by_type}" if by_type else "") + "。")
    r = v["requests"]
    orders = f"“群众点单”受理{n(r['received'])}件,完成{n(r['completed'])}件"
    orders += f",群众评价平均{r['average_rating']:.2f}分。" if r["average_rating"] is not None else "。"
    paragraphs = [text, orders]
    team = _busiest_team(year, org)
    if team:
        paragraphs.append(f"{team['team__name']}服务{n(team['pt'])}人次,为全年服务人次最多的服务队。")
    action = _largest_action(year, org)
    if action:
        start = action["mobilization__start_date"]
        paragraphs.append(f"在{start.month}月{start.day}日开始的{action['mobilization__name']}中,劳模志愿者服务{n(action['pt'])}人次,"
                          "为全年规模最大的应急/专项行动。")
    return Section("三、劳模志愿服务", paragraphs)


def _studios(f: dict, p: dict, year: int, org) -> Section:
    s = f["studios"]
    levels = _parts(s["by_level"], ["national", "provincial", "municipal", "county"], "个")
    forms = _parts(s["mentorships_by_form"], ["one_to_one", "one_to_many", "many_to_one", "many_to_many"], "对")
    text = f"全年在册劳模创新工作室{n(s['studios'])}个" + (f",其中{levels}" if levels else "") + "。"
    text += f"开展“传帮带”师徒结对{n(s['mentorships'])}对" + (f",其中{forms}" if forms else "") + "。"
    return Section("四、劳模创新工作室与传帮带", [text])


def _care(f: dict, p: dict, year: int, org) -> Section:
    c = f["care"]
    types = _parts(c["amount_by_type"], VISIT_TYPES, "元")
    text = (f"全年走访慰问劳模{n(c['visits'])}人次,涉及劳模{n(c['workers_visited'])}人,发放慰问金{n(c['amount'])}元"
            f"{_yoy(c['amount'], p['care']['amount'], '慰问金')}" + (f";其中{types}" if types else "") + "。")
    text += f"开展困难劳模走访调查{n(c['hardship_surveyed'])}人。"
    return Section("五、关心关爱与困难帮扶", [text])


def _retreats(f: dict, p: dict, year: int, org) -> Section:
    r = f["retreats"]
    text = f"全年组织劳模疗休养{n(r['batches'])}批次、{n(r['participants'])}人"
    text += f",疗休养满意度平均{r['average_satisfaction']}分(满分5分)。" if r["average_satisfaction"] else "。"
    return Section("六、劳模疗休养", [text])


WRITERS = {"workers": _registry, "outreach": _outreach, "volunteering": _volunteering, "studios": _studios,
           "care": _care, "retreats": _retreats}


# --- charts ----------------------------------------------------------------------------------------------


def _font():
    from matplotlib import font_manager

    for name in ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP"):
        path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
        if path:
            return font_manager.FontProperties(fname=path)
    return None


def bar_chart(labels: list[str], values: list, title: str, unit: str) -> bytes | None:
    """A PNG bar chart (matplotlib, CJK font), or None when every value is zero."""
    numbers = [float(number(v) or 0) for v in values]
    if not any(numbers):
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    try:
        font = _font()
    except Exception:  # no CJK font: the chart still renders, with boxes for the labels
        font = None
    fig, ax = plt.subplots(figsize=(6.4, 3.0), dpi=150)
    bars = ax.bar(labels, numbers, color="#b71c1c")
    ax.bar_label(bars, labels=[f"{v:,.0f}" for v in numbers], fontsize=8)
    ax.set_ylabel(unit, fontproperties=font)
    ax.set_title(title, fontproperties=font, fontsize=11)
    for tick in ax.get_xticklabels():
        tick.set_fontproperties(font)
        tick.set_fontsize(8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def _charts(sections: dict[str, Section], f: dict) -> None:
    if "outreach" in sections:
        venues = f["outreach"]["lectures_by_venue"]
        sections["outreach"].chart = bar_chart([label(k) for k in VENUES], [venues[k] for k in VENUES], "宣讲场次(按场所)", "场")
        sections["outreach"].chart_title = "图1 宣讲场次(按场所)"
    if "volunteering" in sections:
        types = f["volunteering"]["person_times_by_team_type"]
        sections["volunteering"].chart = bar_chart([label(k) for k in TEAM_TYPES], [types[k] for k in TEAM_TYPES],
                                                   "服务人次(按服务队类型)", "人次")
        sections["volunteering"].chart_title = "图2 服务人次(按服务队类型)"


# --- the report --------------------------------------------------------------------------------------------


def build(*, user, year: int, org: OrgUnit) -> AnnualReport:
    figures = summary(user=user, year=year, org=org, previous=True)
    previous = figures["previous_year"]
    sections = {name: writer(figures, previous, year, org) for name, writer in WRITERS.items() if name in figures}
    _charts(sections, figures)
    units = child_units(org)
    columns = [(path, title) for path, title in UNIT_COLUMNS if path.split(".")[0] in figures]
    unit_rows = []
    below = summaries_below(user=user, year=year, org=org, units=units)
    for unit in units + [org]:
        flat = dict(flatten(figures if unit == org else below[unit.pk]))
        name = "合计" if unit == org else (unit.short_name or unit.name)
        unit_rows.append([name] + [n(flat.get(path)) for path, _ in columns])
    return AnnualReport(
        year=year, org=org, figures=figures, title=f"{org.name}{year}年劳模工作总结",
        subtitle=f"(根据劳模服务管理平台{timezone.localdate():%Y年%m月%d}日数据生成)",
        sections=list(sections.values()), unit_header=["单位"] + [title for _, title in columns], unit_rows=unit_rows,
        notes=["在册劳模按当年12月31日统计(截至当年已获评的荣誉、当年在世);线上观看人次为当年新增;"
               "其余数字按记录日期计入当年,计入记录所属单位及其上级单位。金额单位为元。"],
    )


def template_path() -> Path:
    return Path(getattr(settings, "LAOMO_ANNUAL_REPORT_TEMPLATE", "") or DEFAULT_TEMPLATE)


def render_docx(report: AnnualReport, target) -> None:
    """Fill the .docx template (docxtpl: Jinja tags in Word) and save it to `target` (a path or a file)."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    doc = DocxTemplate(str(template_path()))
    sections = [{"heading": s.heading, "paragraphs": s.paragraphs, "chart_title": s.chart_title,
                 "chart": InlineImage(doc, io.BytesIO(s.chart), width=Mm(150)) if s.chart else ""}
                for s in report.sections]
    doc.render({"title": report.title, "subtitle": report.subtitle, "year": report.year, "org": report.org.name,
                "sections": sections, "unit_header": report.unit_header, "unit_rows": report.unit_rows,
                "notes": report.notes}, autoescape=True)
    doc.save(target)


def render_pdf(report: AnnualReport) -> bytes:
    from weasyprint import CSS, HTML

    sections = [{"heading": s.heading, "paragraphs": s.paragraphs, "chart_title": s.chart_title,
                 "chart": base64.b64encode(s.chart).decode() if s.chart else ""} for s in report.sections]
    html = render_to_string("reports/annual_report_print.html", {"report": report, "sections": sections})
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))])
