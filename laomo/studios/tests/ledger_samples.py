"""Messy studio ledgers for the go-live acceptance test (issue 13), naming the ledger PEOPLE.

Each `<kind>_ledger(folder, fmt)` writes one ledger and returns (path, figures): the summary figures its valid
rows must produce, computed here from the rows written, for the top unit (市总工会; import with the default
--org), as `{year: {"studios.studios": n, "studios.by_level.municipal": n, ...}}`.

Order: `studio_achievements_ledger` names the studios of `studios_ledger`, so import the 工作室名录 first.
Achievements are not in the summary (its figures are empty); the mentorship ledger names no studio.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from laomo.core.tests.ledgers import PEOPLE, person_id, write_ledger

STUDIO_HEADER = ["序号", "工作室名称", "示范级别", "领衔人", "身份证号", "所属单位", "依托单位", "专业领域", "成立时间",
                 "命名时间", "状态", "撤销时间"]
ACHIEVEMENT_HEADER = ["序号", "所属工作室", "成果类型", "成果名称", "取得时间", "专利号", "经济效益(元)"]
MENTORSHIP_HEADER = ["序号", "师傅姓名", "身份证号", "所属单位", "徒弟姓名", "徒弟单位", "结对形式", "结对时间",
                     "结束时间", "传授技艺"]
LEVELS = {"国家级": "national", "省级": "provincial", "市级": "municipal", "县级": "county"}
LEVEL_KEYS = ("national", "provincial", "municipal", "county")
FORMS = {(1, 1): "one_to_one", (1, 2): "one_to_many", (2, 1): "many_to_one", (2, 2): "many_to_many"}


def _person(name: str, nth: int = 0):
    return [p for p in PEOPLE if p[0] == name][nth]


def _in_year(start: date, end: date | None, year: int) -> bool:
    return start <= date(year, 12, 31) and (end is None or end >= date(year, 1, 1))


def studios_ledger(folder, fmt: str = "xlsx") -> tuple[Path, dict]:
    zhang, liu, zhou, wang = _person("张建国"), _person("刘伟"), _person("周丽"), _person("王芳", 1)
    # (name, level, lead, by ID number, host, founded, named, status, revoked)
    valid = [
        ("张建国劳模创新工作室", "市级", zhang, False, "丽水市精工机械有限公司", date(2021, 3, 1), date(2021, 12, 20),
         "", None),
        ("刘伟工匠创新工作室", "省级", liu, False, "缙云县某电力公司", date(2022, 6, 1), date(2023, 1, 10), "已命名",
         None),
        ("王芳技能大师工作室", "国家级", wang, True, "青田县某石雕厂", date(2023, 2, 1), None, "培育", None),
        ("周丽创新工作室", "县级", zhou, False, "遂昌县某茶叶公司", date(2020, 5, 1), date(2020, 10, 1), "已撤销",
         date(2022, 6, 30)),
    ]
    rows = []
    for n, (name, level, p, by_id, host, founded, named, status, revoked) in enumerate(valid, start=1):
        rows.append([n, name, level, p[0], person_id(p) if by_id else "", p[2], host, "机械", founded.isoformat(),
                     named.isoformat() if named else "", status, revoked.isoformat() if revoked else ""])
    chen = _person("陈志强")
    rows += [
        [5, "陈志强创新工作室", "乡级", chen[0], "", chen[2], "青田某厂", "", "2022-01-01", "", "", ""],
        [6, "王芳创新工作室", "市级", "王芳", "", "青田县", "青田某厂", "", "2022-01-01", "", "", ""],
        [7, "刘伟第二工作室", "市级", liu[0], "", liu[2], "缙云某厂", "", "2022/13/01", "", "", ""],
    ]
    path = write_ledger(folder, "工作室名录", "丽水市劳模创新工作室名录", STUDIO_HEADER, rows, fmt)
    figures: dict[int, dict] = {}
    for year in (2022, 2023):
        live = [v for v in valid if _in_year(v[5], v[8], year)]
        figures[year] = {"studios.studios": len(live),
                         **{f"studios.by_level.{key}": sum(1 for v in live if LEVELS[v[1]] == key)
                            for key in LEVEL_KEYS}}
    return path, figures


def studio_achievements_ledger(folder, fmt: str = "xlsx") -> tuple[Path, dict]:
    rows = [
        [1, "张建国劳模创新工作室", "技术革新", "数控夹具快速定位改进", "2022-05-18", "", "125000.50"],
        [2, "张建国劳模创新工作室", "发明专利", "一种高精度夹具", "2023-03-02", "ZL 2022 1 0123456.7", ""],
        [3, "刘伟工匠创新工作室", "QC成果", "降低线损率", "2022年11月3日", "", "88,000"],
        [4, "刘伟工匠创新工作室", "专利", "一种绝缘支架", "2023-04-01", "", ""],  # a patent needs its number
        [5, "不存在的工作室", "论文", "某论文", "2023-04-01", "", ""],
        [6, "刘伟工匠创新工作室", "论文", "配网运维经验", "2023-04-01", "", "-5"],
    ]
    path = write_ledger(folder, "工作室成果", "创新工作室成果台账", ACHIEVEMENT_HEADER, rows, fmt)
    return path, {}


def mentorships_ledger(folder, fmt: str = "xlsx") -> tuple[Path, dict]:
    zhang, li, liu, sun = _person("张建国"), _person("李秀英"), _person("刘伟"), _person("孙强")
    # (mentors, by ID number, unit, apprentices, form, start, end); rows of one 一带多 pairing are merged
    valid = [
        ([zhang], False, "莲都区", ["小李"], "一带一", date(2022, 3, 1), date(2022, 12, 31)),
        ([li], False, "莲都", ["小王", "小赵"], "一带多", date(2022, 5, 1), None),
        ([liu], False, "缙云县", ["小陈"], "一带多", date(2023, 2, 1), None),
        ([liu], False, "缙云县", ["小孙"], "一带多", date(2023, 2, 1), None),
        ([zhang, li], False, "莲都区", ["小周"], "多带一", date(2023, 6, 1), None),
        ([sun], True, "庆元县", ["小冯"], "", date(2021, 9, 1), date(2023, 3, 1)),
    ]
    rows = []
    for n, (mentors, by_id, unit, apprentices, form, start, end) in enumerate(valid, start=1):
        rows.append([n, "、".join(p[0] for p in mentors), person_id(mentors[0]) if by_id else "", unit,
                     "、".join(apprentices), "某企业", form, start.isoformat(), end.isoformat() if end else "",
                     "钳工"])
    rows += [
        [7, "王芳", "", "青田县", "小钱", "", "一带一", "2022-04-01", "", ""],
        [8, "钱多多", "", "莲都区", "小钱", "", "一带一", "2022-04-01", "", ""],
        [9, zhang[0], "", zhang[2], "小吴", "", "一带一", "2022-02-30", "", ""],
    ]
    path = write_ledger(folder, "师徒结对表", "2022—2023年师徒结对表", MENTORSHIP_HEADER, rows, fmt)
    pairings: dict[tuple, list] = {}
    for mentors, _, _, apprentices, _form, start, end in valid:
        key = (tuple(person_id(p) for p in mentors), start)
        pairing = pairings.setdefault(key, [len(mentors), set(), start, end])
        pairing[1].update(apprentices)
    figures: dict[int, dict] = {}
    for year in (2022, 2023):
        live = [p for p in pairings.values() if _in_year(p[2], p[3], year)]
        forms = [FORMS[(min(p[0], 2), min(len(p[1]), 2))] for p in live]
        figures[year] = {"studios.mentorships": len(live),
                         **{f"studios.mentorships_by_form.{key}": forms.count(key) for key in FORMS.values()}}
    return path, figures
