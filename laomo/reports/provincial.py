"""The provincial return (上报报表): a fixed-layout .xlsx, one row per unit plus the total, the province's usual
columns for the year, each with last year's figure and 同比 in the sheet below it."""

from __future__ import annotations

from decimal import Decimal

import xlsxwriter

from laomo.core.excel import safe_cell

from .selectors import summaries_below, summary
from .workspace import change, child_units, flatten, number

# (group, column title, summary path): the layout the province's forms use, grouped under merged headers.
COLUMNS = [
    ("劳模队伍", "在册劳模(人)", "workers.total"), ("劳模队伍", "全国级", "workers.by_level.national"),
    ("劳模队伍", "省部级", "workers.by_level.provincial"), ("劳模队伍", "市级", "workers.by_level.municipal"),
    ("劳模队伍", "县级", "workers.by_level.county"), ("劳模队伍", "困难劳模(人)", "workers.in_hardship"),
    ("宣传宣讲", "宣讲(场)", "outreach.lectures"), ("宣传宣讲", "受众(人次)", "outreach.audience"),
    ("宣传宣讲", "班前十分钟(场)", "outreach.pre_shift_sessions"),
    ("宣传宣讲", "线上新增观看(人次)", "outreach.online_views"),
    ("志愿服务", "服务队(支)", "volunteering.teams"), ("志愿服务", "服务(次)", "volunteering.service_records"),
    ("志愿服务", "服务(人次)", "volunteering.person_times"), ("志愿服务", "时长(小时)", "volunteering.volunteer_hours"),
    ("志愿服务", "点单受理(件)", "volunteering.requests.received"),
    ("志愿服务", "点单完成(件)", "volunteering.requests.completed"),
    ("创新工作室", "工作室(个)", "studios.studios"), ("创新工作室", "传帮带结对(对)", "studios.mentorships"),
    ("关爱慰问", "慰问(人次)", "care.visits"), ("关爱慰问", "慰问金(元)", "care.amount"),
    ("关爱慰问", "困难调查(人)", "care.hardship_surveyed"),
    ("疗休养", "批次", "retreats.batches"), ("疗休养", "人数", "retreats.participants"),
]


def _value(flat: dict, path: str):
    value = flat.get(path)
    if isinstance(value, str):
        return Decimal(value)
    return value


def rows_for(*, user, year: int, org) -> list[dict]:
    """[{"unit", "now": {path: value}, "before": {...}}] for each unit below `org`, then `org` itself as 合计."""
    out = []
    units = child_units(org)
    below = summaries_below(user=user, year=year, org=org, units=units, previous=True)
    for unit in units + [org]:
        data = summary(user=user, year=year, org=unit, previous=True) if unit == org else below[unit.pk]
        out.append({"unit": "合计" if unit == org else unit.name, "now": dict(flatten(data)),
                    "before": dict(flatten(data["previous_year"]))})
    return out


def write(target, *, user, year: int, org) -> int:
    """Write the return to `target` (a path or a binary file); returns the number of unit rows."""
    rows = rows_for(user=user, year=year, org=org)
    columns = [c for c in COLUMNS if c[2] in rows[-1]["now"]]
    book = xlsxwriter.Workbook(target, {"in_memory": True})
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                            "bg_color": "#F2F2F2"})
    cell = book.add_format({"border": 1, "num_format": "#,##0"})
    money = book.add_format({"border": 1, "num_format": "#,##0.00"})
    text = book.add_format({"border": 1})
    total = book.add_format({"border": 1, "bold": True, "num_format": "#,##0"})
    for sheet_name, key, caption in (("本年", "now", f"{year}年"), ("上年同期", "before", f"{year - 1}年"),
                                     ("同比", None, f"{year}年同比")):
        ws = book.add_worksheet(sheet_name)
        last = len(columns)
        ws.merge_range(0, 0, 0, last, f"{org.name}{caption}劳模工作情况统计表", title)
        ws.write(1, 0, f"填报单位:{org.name}")
        ws.write(1, last, "同比为与上年同期相比的增减百分比" if key is None else "金额单位:元")
        ws.merge_range(2, 0, 3, 0, "单位", head)
        start = 1
        while start <= last:
            group = columns[start - 1][0]
            end = start
            while end < last and columns[end][0] == group:
                end += 1
            if end > start:
                ws.merge_range(2, start, 2, end, group, head)
            else:
                ws.write(2, start, group, head)
            start = end + 1
        for i, (_, name, _) in enumerate(columns, start=1):
            ws.write(3, i, name, head)
        for r, row in enumerate(rows, start=4):
            ws.write(r, 0, safe_cell(row["unit"]), text)
            for i, (_, _, path) in enumerate(columns, start=1):
                if key is None:
                    ws.write(r, i, change(row["now"].get(path), row["before"].get(path)) or "-", text)
                    continue
                value = _value(row[key], path)
                fmt = total if row["unit"] == "合计" else (money if isinstance(value, Decimal) else cell)
                if value is None:
                    ws.write(r, i, "-", text)
                else:
                    ws.write_number(r, i, float(number(value)), fmt)
        ws.write(len(rows) + 5, 0, "填表人:")
        ws.write(len(rows) + 5, 4, "审核人:")
        ws.write(len(rows) + 5, 8, "填报日期:")
        ws.set_column(0, 0, 22)
        ws.set_column(1, last, 11)
        ws.set_row(3, 36)
        ws.freeze_panes(4, 1)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
    book.close()
    return len(rows) - 1
