"""ECharts options built in one place, so every chart reads the same way (issue 15 item 4).

- the grid contains its axis labels (``containLabel``): "10,000" is never cut to "0,000";
- the legend sits at the bottom, so the unit name at the top of the value axis stays visible;
- a chart whose every value is zero or missing says 暂无数据 instead of drawing blank 0–1 axes.

The options travel to the page through ``json_script`` and ``laomo/static/laomo/charts.js``.
"""

from __future__ import annotations

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
    if is_empty(series):
        option["graphic"] = [{"type": "text", "left": "center", "top": "middle",
                              "style": {"text": EMPTY_TEXT, "fontSize": 14, "fill": "#6c757d"}}]
        for axis in [option["yAxis"]] if isinstance(option["yAxis"], dict) else option["yAxis"]:
            axis["show"] = False
    return option
