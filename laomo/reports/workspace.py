"""The reports workspace: the year's figures of a unit and of each unit below it, with 同比, a five-year series,
the counting rule of each figure and a link from every number to the records behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe

from laomo.core import aggregates
from laomo.core.charts import chart_option
from laomo.orgs.models import OrgUnit

from .drill import has_drill, note_for
from .labels import label
from .registry import sections
from .selectors import summaries_below, summaries_for_years, with_previous

SERIES_YEARS = 5
# Figures drawn per unit and over five years (path, chart title, unit of measure).
CHARTED = [
    ("outreach.lectures", "宣讲场次", "场"),
    ("volunteering.person_times", "志愿服务人次", "人次"),
    ("care.amount", "慰问金额", "元"),
    ("workers.total", "在册劳模", "人"),
]


def flatten(data: dict, prefix: tuple[str, ...] = ()) -> list[tuple[str, object]]:
    """[("section.key[.sub]", value)] for every figure of a summary, in its order (year/org/previous_year left out)."""
    out: list[tuple[str, object]] = []
    for key, value in data.items():
        if not prefix and key in ("year", "org", "previous_year"):
            continue
        if isinstance(value, dict):
            out.extend(flatten(value, prefix + (key,)))
        else:
            out.append((".".join(prefix + (key,)), value))
    return out


def number(value) -> Decimal | None:
    """A figure as a number (counts are ints, money and hours decimal strings, averages floats or strings)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# Distinct people counted per unit: one person may count in two units, so units need not add up to the total.
DISTINCT_PEOPLE = {"care.workers_visited", "care.hardship_surveyed", "retreats.participants"}


def is_additive(path: str) -> bool:
    return not path.rsplit(".", 1)[-1].startswith("average_") and path not in DISTINCT_PEOPLE


def change(current, previous) -> str | None:
    """同比 as '+12.5%' / '-3.0%'; None when there is no base to compare with."""
    now, before = number(current), number(previous)
    if now is None or before is None or before == 0:
        return None
    pct = (now - before) / before * 100
    return f"{pct:+.1f}%"


def drill_url(path: str, *, year: int, org: OrgUnit) -> str | None:
    if not has_drill(path):
        return None
    return f"{reverse('reports:records')}?{urlencode({'metric': path, 'year': year, 'org': org.code})}"


class _DrillUrls:
    """`drill_url` for the many cells of one workspace: the records page reversed once and each figure's query
    string built once per path (the same text as `drill_url`; a city's workspace has ~600 cells)."""

    def __init__(self, year: int):
        self.year = year
        self.records = reverse("reports:records")
        self.prefixes: dict[str, str | None] = {}

    def __call__(self, path: str, org: OrgUnit) -> str | None:
        prefix = self.prefixes.get(path, "")
        if prefix == "":
            prefix = (f"{self.records}?{urlencode({'metric': path, 'year': self.year})}&" if has_drill(path)
                      else None)
            self.prefixes[path] = prefix
        return None if prefix is None else prefix + urlencode({"org": org.code})


@dataclass
class Cell:
    value: object
    url: str | None


@dataclass
class Row:
    path: str
    label: str
    note: str
    total: Cell
    units: list[Cell]
    previous: object
    change: str | None
    section: str = ""
    series: list = field(default_factory=list)  # the unit's figure in each of the last SERIES_YEARS years
    own: object = None  # the part recorded at the unit itself, when the units below do not add up to the total
    depth: int = 0


@dataclass
class Workspace:
    year: int
    org: OrgUnit
    units: list[OrgUnit]
    rows: list[Row]
    charts: list[dict] = field(default_factory=list)
    has_own: bool = False
    series_years: list[int] = field(default_factory=list)


def child_units(org: OrgUnit) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(parent=org, is_active=True).order_by("sort_order", "code"))


def _labels(path: str) -> tuple[str, int]:
    keys = path.split(".")
    return " / ".join(label(k) for k in keys[1:]) or label(keys[0]), len(keys) - 2


def build(*, user, year: int, org: OrgUnit, version: str | None = None) -> Workspace:
    """The workspace of `org` (the caller resolved it in the user's scope) for `year`; `version`: the data
    version a read-only caller read once (read here when not given)."""
    units = child_units(org)
    if version is None and aggregates.enabled():
        version = aggregates.data_version()  # read once: this page only reads
    years = list(range(year - SERIES_YEARS + 1, year + 1))
    # The year, the year before (同比) and the rest of the trend, each section computed for them all at once.
    by_year = summaries_for_years(user=user, years=years, org=org, version=version)
    data = with_previous(by_year, year)
    per_unit = {pk: dict(flatten(data_u))
                for pk, data_u in summaries_below(user=user, year=year, org=org, units=units, version=version).items()}
    previous = dict(flatten(data["previous_year"]))
    rows = []
    drill = _DrillUrls(year)
    for path, value in flatten(data):
        text, depth = _labels(path)
        cells = [Cell(per_unit[u.pk].get(path), drill(path, u)) for u in units]
        own = None
        if units and is_additive(path):
            total, parts = number(value), [number(c.value) for c in cells]
            if total is not None and None not in parts and sum(parts) < total:
                own = total - sum(parts)
        rows.append(Row(path=path, label=text, note=note_for(path),
                        total=Cell(value, drill(path, org)), units=cells,
                        previous=previous.get(path), change=change(value, previous.get(path)), own=own, depth=depth,
                        section=label(path.split(".")[0])))
    series = {y: dict(flatten(summary_y)) for y, summary_y in by_year.items()}
    for row in rows:
        row.series = [series[y].get(row.path) for y in years]
    workspace = Workspace(year=year, org=org, units=units, rows=rows, has_own=any(r.own for r in rows),
                          series_years=years)
    workspace.charts = charts(year=year, org=org, units=units, rows=rows, years=years)
    return workspace


def charts(*, year: int, org: OrgUnit, units: list[OrgUnit], rows: list[Row], years: list[int]) -> list[dict]:
    """ECharts options: each charted figure per unit, and its five-year series for the unit."""
    by_path = {r.path: r for r in rows}
    out = []
    names = [u.short_name or u.name for u in units]
    for path, title, unit in CHARTED:
        row = by_path.get(path)
        if row is None or not units:
            continue
        out.append({"id": f"chart-units-{path.replace('.', '-')}", "label": f"{year}年各单位{title}",
                    "chart": chart_option(categories=names, unit=unit, rotate_labels=True,
                                          series=[{"name": title, "type": "bar",
                                                   "data": [str(number(c.value) or 0) for c in row.units]}])})
    series = [{"name": title, "type": "line", "yAxisIndex": 1 if unit == "元" else 0,
               "data": [str(number(value) or 0) for value in by_path[path].series]}
              for path, title, unit in CHARTED if path in by_path]
    if series:
        out.append({"id": "chart-series", "label": f"{org.short_name or org.name}近{SERIES_YEARS}年主要指标",
                    "chart": chart_option(categories=[f"{y}年" for y in years], unit=["场/人次/人", "元"],
                                          series=series)})
    return out


TABLE_TEMPLATE = "reports/partials/workspace_table.html"


@dataclass
class Page:
    """What the workspace page shows: the rendered table and charts, whether there are charts (their scripts),
    and the workspace itself, built only when something reads it (tests, on a cached view)."""
    table: SafeString
    has_charts: bool
    ws: Workspace


def page(*, user, year: int, org: OrgUnit) -> Page:
    """The workspace of `org` for `year` (the caller resolved `org` in the user's scope), its table and charts
    rendered once per data version: they show the figures of (unit, year) only, the same for every user who
    may see that unit (no form, no token, no link that depends on the user), so they are kept in the
    aggregate cache under (data version, sections registered, unit, year) like the summary's sections
    (selectors._cache_parts); any audited write changes the version and the next view renders anew."""
    version = aggregates.data_version() if aggregates.enabled() else None  # read once: this page only reads
    built: list[Workspace] = []

    def workspace() -> Workspace:
        if not built:
            built.append(build(user=user, year=year, org=org, version=version))
        return built[0]

    def render() -> dict:
        ws = workspace()
        return {"html": render_to_string(TABLE_TEMPLATE, {"ws": ws, "org": org}), "charts": bool(ws.charts)}

    parts = ("workspace", version, "-".join(name for name, _ in sections()), org.pk, year)
    table = aggregates.cached(parts, render)
    return Page(table=mark_safe(table["html"]), has_charts=table["charts"], ws=SimpleLazyObject(workspace))
