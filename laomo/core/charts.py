"""ECharts options built in one place, so every chart reads the same way (issue 15 item 4).

- the grid contains its axis labels (``containLabel``): "10,000" is never cut to "0,000";
- the legend sits at the bottom, so the unit name at the top of the value axis stays visible;
- a chart whose every value is zero or missing says 暂无数据 instead of drawing blank 0–1 axes;
- when one value dwarfs the rest (a month with a special action: ten times the median or more), the value
  axis turns logarithmic and says so in its name (对数刻度), so the other months stay readable; the
  tooltip still shows the real figures, and months with nothing are gaps rather than a log of zero.

The options travel to the page through ``json_script`` and ``laomo/static/laomo/charts.js``.
"""

from __future__ import annotations

import statistics
from decimal import Decimal, InvalidOperation

EMPTY_TEXT = "暂无数据"


def _is_zero(value) -> bool:
    if value in (None, ""):
        return True
    try:
        return Decimal(str(value)) == 0
    except InvalidOperation:
        return False


def is_empty(series: list[dict]) -> bool:
    """True when no series has a non-zero value."""
    return all(_is_zero(v) for s in series for v in s.get("data") or [])


DWARF_FACTOR = 10  # the largest value is this many times the median of the non-zero ones


def _number(value):
    if value in (None, "", "-"):
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def dwarfed(series: list[dict]) -> bool:
    """True when one value is so much larger than the others that a linear axis flattens them."""
    values = []
    for s in series:
        for v in s.get("data") or []:
            n = _number(v)
            if n is None and v not in (None, "", "-"):
                return False  # not plain numbers (dict points, text): leave the chart as it is
            if n is not None and n < 0:
                return False
            if n:
                values.append(n)
    if len(values) < 3:
        return False
    return max(values) >= DWARF_FACTOR * statistics.median(values)


def _log_axis(option: dict, unit: str) -> None:
    option["yAxis"] = {"type": "log", "logBase": 10, "min": 1, "name": f"{unit}(对数刻度)" if unit else "对数刻度",
                       "nameTextStyle": {"align": "left"}}
    for s in option["series"]:
        s["data"] = ["-" if not _number(v) else v for v in s.get("data") or []]


def chart_option(*, categories: list[str], series: list[dict], unit: str | list[str] = "",
                 rotate_labels: bool = False) -> dict:
    """A category chart: ``series`` are ECharts series dicts; ``unit`` names the value axis (a list for two)."""
    units = unit if isinstance(unit, list) else [unit]
    option = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 10, "right": 10, "top": 36, "bottom": 36 if len(series) > 1 else 10,
                 "containLabel": True},
        "xAxis": {"type": "category", "data": categories},
        "yAxis": [{"type": "value", "name": u, "nameTextStyle": {"align": "left" if i == 0 else "right"}}
                  for i, u in enumerate(units)],
        "series": series,
    }
    if len(units) == 1:
        option["yAxis"] = option["yAxis"][0]
    if rotate_labels:
        option["xAxis"]["axisLabel"] = {"interval": 0, "rotate": 35}
    if len(series) > 1:
        option["legend"] = {"type": "scroll", "bottom": 0}
    if len(units) == 1 and not is_empty(series) and dwarfed(series):
        _log_axis(option, units[0])
    if is_empty(series):
        option["graphic"] = [{"type": "text", "left": "center", "top": "middle",
                              "style": {"text": EMPTY_TEXT, "fontSize": 14, "fill": "#6c757d"}}]
        for axis in [option["yAxis"]] if isinstance(option["yAxis"], dict) else option["yAxis"]:
            axis["show"] = False
    return option
