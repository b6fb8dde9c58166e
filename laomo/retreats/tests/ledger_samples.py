"""A messy 疗休养名单 for the go-live acceptance test (issue 13), naming the ledger PEOPLE.

`retreats_ledger(folder, fmt)` writes it and returns (path, figures): the summary figures the valid rows must
produce, computed here from the rows written, for the top unit (市总工会; import with the default --org):
`{year: {"retreats.batches": n, "retreats.participants": n, "retreats.average_satisfaction": "4.50"}}`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from laomo.core.tests.ledgers import PEOPLE, person_id, write_ledger
from laomo.retreats.selectors import average

HEADER = ["序号", "批次", "疗休养地点", "出发时间", "结束时间", "姓名", "身份证号码", "单位", "是否参加", "旅行社",
          "人均费用(元)", "满意度"]
SCORES = {"非常满意": 5, "满意": 4, "基本满意": 3}


def _person(name: str, nth: int = 0):
    return [p for p in PEOPLE if p[0] == name][nth]


def retreats_ledger(folder, fmt: str = "xlsx") -> tuple[Path, dict]:
    zhang, li, chen = _person("张建国"), _person("李秀英"), _person("陈志强")
    liu, zhou, wang = _person("刘伟"), _person("周丽"), _person("王芳", 1)
    first = ("2022年第一批劳模疗休养", "安吉", date(2022, 4, 10), date(2022, 4, 14))
    second = ("2022年第二批劳模疗休养", "千岛湖", date(2022, 9, 5), date(2022, 9, 9))
    third = ("", "舟山", date(2023, 5, 8), date(2023, 5, 12))  # no batch name: the destination names it
    # (batch, person, by ID number, attended, vendor, cost, satisfaction as written)
    valid = [
        (first, zhang, False, "是", "丽水国旅", "2800", "5"),
        (first, li, False, "已参加", "", "", "4"),
        (first, chen, True, "否", "", "", ""),
        (second, liu, False, "是", "浙江中旅", "3000", "满意"),
        (third, zhang, False, "√", "丽水国旅", "3200", "非常满意"),
        (third, wang, True, "是", "", "", "3"),
        (third, zhou, False, "", "", "", ""),  # blank: attended
    ]
    rows = []
    for n, (batch, p, by_id, attended, vendor, cost, score) in enumerate(valid, start=1):
        name, start, end = batch[0], batch[2], batch[3]
        start_text = f"{start.year}年{start.month}月{start.day}日" if n == 4 else start.isoformat()
        rows.append([n, name, batch[1], start_text, end.isoformat(), p[0], person_id(p) if by_id else "", p[2],
                     attended, vendor, cost, score])
    rows += [
        [8, "2023年第二批劳模疗休养", "莫干山", "2023-02-30", "2023-03-03", zhou[0], "", zhou[2], "是", "", "", ""],
        [9, "2023年第二批劳模疗休养", "莫干山", "2023-03-01", "2023-03-03", "王芳", "", "青田县", "是", "", "", ""],
        [10, "2023年第二批劳模疗休养", "莫干山", "2023-03-01", "2023-03-03", "赵无名", "", "莲都区", "是", "", "", ""],
    ]
    path = write_ledger(folder, "疗休养名单", "2022—2023年劳模疗休养名单", HEADER, rows, fmt)
    figures: dict[int, dict] = {}
    for year in (2022, 2023):
        mine = [v for v in valid if v[0][2].year == year]
        went = [v for v in mine if v[3] != "否"]
        scores = [int(SCORES.get(v[6], v[6] or 0)) for v in went if v[6]]
        avg = average(sum(scores), len(scores))
        figures[year] = {"retreats.batches": len({v[0] for v in mine}),
                         "retreats.participants": len({person_id(v[1]) for v in went}),
                         "retreats.average_satisfaction": str(avg) if avg is not None else None}
    return path, figures
