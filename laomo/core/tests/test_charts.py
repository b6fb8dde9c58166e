"""Charts read the same way everywhere (issue 15 item 4): labels fit, the unit name is not under the legend,
an empty year says 暂无数据, and dashboard figures carry thousands separators."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from laomo.core.charts import EMPTY_TEXT, chart_option

CHART_DATA = re.compile(r'<script id="(lm-chart-\d+)" type="application/json">(.*?)</script>', re.S)


def test_it_fits_the_labels_and_keeps_the_legend_off_the_unit_name():
    option = chart_option(categories=["1月", "2月"], unit="人次",
                          series=[{"name": "医疗", "type": "bar", "data": [10000, 3000]},
                                  {"name": "电力", "type": "bar", "data": [0, 5000]}])
    assert option["grid"]["containLabel"] is True  # "10,000" is never cut to "0,000"
    assert option["yAxis"]["name"] == "人次" and "top" not in option["legend"] and option["legend"]["bottom"] == 0
    assert "graphic" not in option and option["yAxis"].get("show", True)


def test_it_says_no_data_instead_of_drawing_blank_axes():
    option = chart_option(categories=["莲都区"], unit="元",
                          series=[{"name": "慰问金", "type": "bar", "data": ["0.00"]}])
    assert option["graphic"][0]["style"]["text"] == EMPTY_TEXT and option["yAxis"]["show"] is False
    assert "graphic" in chart_option(categories=[], unit="场次", series=[])
    two = chart_option(categories=["2022年"], unit=["人次", "元"], series=[{"name": "a", "type": "line", "data": [0]}])
    assert [a["show"] for a in two["yAxis"]] == [False, False]


def test_it_turns_the_axis_logarithmic_when_one_month_dwarfs_the_rest():
    # a special action in July: 4,000 person-times against a few dozen in the other months
    months = [30, 25, 40, 0, 35, 28, 4000, 33, 31, 0, 29, 27]
    option = chart_option(categories=[f"{m}月" for m in range(1, 13)], unit="人次",
                          series=[{"name": "人次", "type": "bar", "data": list(months)}])
    assert option["yAxis"]["type"] == "log" and option["yAxis"]["name"] == "人次(对数刻度)"
    data = option["series"][0]["data"]
    assert data[6] == 4000 and data[0] == 30 and data[3] == "-" and data[9] == "-"  # no log of zero: a gap

    # ordinary months (the largest under ten times the median) keep the linear axis and their zeros
    even = chart_option(categories=["1月", "2月", "3月", "4月"], unit="人次",
                        series=[{"name": "人次", "type": "bar", "data": [30, 25, 200, 0]}])
    assert even["yAxis"]["type"] == "value" and even["series"][0]["data"] == [30, 25, 200, 0]
    # two value axes (different units) are never made logarithmic
    two = chart_option(categories=["2021年", "2022年", "2023年"], unit=["人次", "元"],
                       series=[{"name": "a", "type": "line", "data": [1, 2, 900]}])
    assert [a["type"] for a in two["yAxis"]] == ["value", "value"]


def _charts(page: str) -> dict[str, dict]:
    return {key: json.loads(body) for key, body in CHART_DATA.findall(page)}


@pytest.mark.django_db
def test_it_builds_every_dashboard_chart_with_the_one_helper(clients):
    page = clients["city_staff"].get("/", {"year": 2022}).content.decode()
    charts = _charts(page)
    assert len(charts) >= 3, list(charts)
    for key, option in charts.items():
        assert option["grid"].get("containLabel") is True, key
        assert "top" not in option.get("legend", {}), key
        assert option["graphic"][0]["style"]["text"] == EMPTY_TEXT, key  # nothing recorded in 2022 here


@pytest.mark.django_db
def test_it_formats_dashboard_figures_with_thousands_separators(clients, orgs):
    from laomo.volunteering.tests.factories import make_record, make_team

    make_record(make_team(orgs["331102"], "莲都医疗服务队"), date(2022, 5, 4), 14147)
    page = clients["city_staff"].get("/", {"year": 2022}).content.decode()
    assert re.search(r'2022年志愿服务人次</div>\s*<div class="lm-figure">14,147</div>', page)
    person_times = next(o for o in _charts(page).values() if o.get("yAxis", {}).get("name") == "人次")
    assert "graphic" not in person_times
