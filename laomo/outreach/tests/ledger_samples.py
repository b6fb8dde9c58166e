"""Sample outreach ledgers for the go-live acceptance test (issue 13): messy, spanning 2022 and 2023, each with
a few bad rows, and the summary figures their valid rows must produce, computed here from the rows written.

Each `<kind>_ledger(folder, fmt)` returns (path, {year: {"outreach.<key>": value}}); the database is assumed to
hold only `PEOPLE` (registered) and these ledgers, imported into the top unit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from pathlib import Path

from laomo.core.importing import parse_when
from laomo.core.tests.ledgers import PEOPLE, person_id, write_ledger
from laomo.outreach.models import VenueType

YEARS = (2022, 2023)
ZHANG, LI, CHEN, WANG_A, _WANG_B, LIU, ZHOU, WU, ZHENG, SUN, LIN, HE, XU = PEOPLE


def _name(person) -> str:
    return person[0]


def _unit(person) -> str:
    return person[2]


def _year(cell) -> int:
    return parse_when(str(cell))[0].year


def _number(cell) -> int:
    """A count as written (300, "80人", "15,000", "1.2万", "2500人次")."""
    text = str(cell or "0").replace(",", "")
    digits = re.sub(r"[^\d.]", "", text)
    return round(float(digits) * (10_000 if "万" in text else 1)) if digits else 0


def _flat(figures: dict) -> dict:
    return {year: dict(values) for year, values in figures.items()}


# --- 宣讲台账 --------------------------------------------------------------------------------------------

LECTURE_HEADER = ["序号", "宣讲时间", "宣讲人", "宣讲主题", "宣讲地点", "宣讲对象", "县(市、区)", "受众(人)",
                  "举办情况"]


def lectures_ledger(folder: Path, fmt: str = "xlsx") -> tuple[Path, dict]:
    # (row, venue type the row means or None for a bad row)
    entries = [
        (["2022-03-05", _name(ZHANG), "劳模精神进校园", "丽水中学", "学校", _unit(ZHANG), 300, "已举办"],
         VenueType.SCHOOL),
        (["2022年5月1日", f"{_name(ZHANG)}、{_name(LI)}", "工匠故事分享", "某某村文化礼堂", "", _unit(LI), "80人", ""],
         VenueType.VILLAGE),
        (["2022/09/10", _name(CHEN), "安全生产讲座", "青田县人民医院", "医院", _unit(CHEN), 150, "已开展"],
         VenueType.HOSPITAL),
        (["2022-11-20", f"{_name(LIU)} 赵老师", "匠心筑梦", "缙云某机械公司", "企业", _unit(LIU), 60, ""],
         VenueType.ENTERPRISE),
        (["2023.06.18", _name(ZHOU), "劳动创造幸福", "线上直播", "线上", _unit(ZHOU), "1,200", "已举办"],
         VenueType.ONLINE),
        (["2023-03-01", _name(WU), "劳模进社区", "西屏街道某社区", "社区", _unit(WU), 90, "完成"], VenueType.COMMUNITY),
        (["2023-04-12", _name(HE), "青年干部座谈", "龙泉市委党校", "机关", _unit(HE), 45, "已举办"], VenueType.AGENCY),
        (["2023-05-20", _name(ZHENG), "计划中的宣讲", "云和中学", "学校", _unit(ZHENG), 0, "计划"], VenueType.SCHOOL),
        (["2023-10-08", _name(XU), "市级劳模宣讲", "丽水学院", "学校", _unit(XU), 500, "已举办"], VenueType.SCHOOL),
        (["2023-02-30", _name(SUN), "日期不存在", "庆元中学", "学校", _unit(SUN), 40, ""], None),  # bad date
        (["2023-07-01", "王芳", "同名两人", "青田中学", "学校", _unit(WANG_A), 50, ""], None),  # ambiguous name
        (["2023-08-01", _name(LIN), "不明场所", "某地", "星球", _unit(LIN), 50, ""], None),  # unknown venue type
    ]
    rows = [[i, *cells] for i, (cells, _) in enumerate(entries, start=1)]
    path = write_ledger(folder, "宣讲台账", "2022—2023年劳模宣讲台账", LECTURE_HEADER, rows, fmt)
    figures = {y: {"outreach.lectures": 0, "outreach.audience": 0,
                   **{f"outreach.lectures_by_venue.{v}": 0 for v in VenueType.values}} for y in YEARS}
    for cells, venue in entries:
        if venue is None or any(w in cells[7] for w in ("计划", "取消")):
            continue
        year = figures[_year(cells[0])]
        year["outreach.lectures"] += 1
        year["outreach.audience"] += _number(cells[6])
        year[f"outreach.lectures_by_venue.{venue}"] += 1
    return path, _flat(figures)


# --- 班前十分钟台账 ---------------------------------------------------------------------------------------

SESSION_HEADER = ["序号", "开展日期", "企业名称", "班组", "班前/班后", "主讲劳模", "身份证号", "学习内容", "阶段",
                  "开展形式", "参加人数", "时长(分钟)", "所属单位"]


def pre_shift_sessions_ledger(folder: Path, fmt: str = "xlsx") -> tuple[Path, dict]:
    # (row, whether the row is valid)
    entries = [
        (["2022-03-07", "丽水某机械有限公司", "一车间", "班前", _name(ZHANG), "", "安全生产从我做起", "学习理论",
          "看视频、谈体会", 25, 10, _unit(ZHANG)], True),
        (["2022-03-08", "丽水某机械有限公司", "一车间", "班前", _name(LI), person_id(LI), "工匠精神代代传", "实践活动",
          "讲故事", 20, "15分钟", _unit(LI)], True),
        (["2022年6月1日", "青田某鞋业公司", "包装班组", "班后", _name(WANG_A), person_id(WANG_A), "劳模故事会",
          "提升感悟", "读书籍/讲故事", 30, "10", _unit(WANG_A)], True),
        (["2022/09/15", "缙云某五金厂", "", "", _name(LIU), "", "质量就是生命", "", "", "18人", "", _unit(LIU)], True),
        (["2023-01-10", "遂昌某矿业公司", "采掘一班", "班前", _name(ZHOU), "", "安全第一", "学习理论", "看视频",
          40, 10, _unit(ZHOU)], True),
        (["2023-04-18", "松阳某茶厂", "制茶车间", "班前", "陈老师", "", "制茶技艺", "实践活动", "谈体会", 12, 20,
          _unit(WU)], True),  # not a registered worker: another speaker, with a warning
        (["2023-05-05", "龙泉某宝剑厂", "锻造车间", "班前", _name(HE), person_id(HE), "匠心铸剑", "提升感悟",
          "讲故事、谈体会", 15, 10, _unit(HE)], True),
        (["2023-11-11", "丽水某电力公司", "运维班", "班后", _name(XU), "", "电力安全", "学习理论", "读书籍", 22, 10,
          _unit(XU)], True),
        (["2023-02-30", "庆元某食品厂", "", "班前", _name(SUN), "", "日期不存在", "", "", 10, 10, _unit(SUN)],
         False),  # bad date
        (["2023-03-03", "青田某鞋业公司", "包装班组", "班前", "王芳", "", "同名两人", "", "", 10, 10, _unit(WANG_A)],
         False),  # ambiguous name
        (["2023-06-06", "云和某木玩厂", "", "班前", _name(ZHENG), "", "时长过长", "", "", 10, 200, _unit(ZHENG)],
         False),  # minutes out of range
    ]
    rows = [[i, *cells] for i, (cells, _) in enumerate(entries, start=1)]
    path = write_ledger(folder, "班前十分钟台账", "2022—2023年班前十分钟开展情况登记表", SESSION_HEADER, rows, fmt)
    figures = {y: {"outreach.pre_shift_sessions": 0} for y in YEARS}
    for cells, valid in entries:
        if valid:
            figures[_year(cells[0])]["outreach.pre_shift_sessions"] += 1
    return path, _flat(figures)


# --- 传播作品台账 -----------------------------------------------------------------------------------------

MEDIA_HEADER = ["序号", "作品名称", "发布平台", "作品类型", "发布时间", "所属单位", "统计日期", "累计播放量", "链接"]


def media_ledger(folder: Path, fmt: str = "xlsx") -> tuple[Path, dict]:
    """One row per item per reading date (the way the ledger is kept), an item without a reading yet."""
    lesson = ["劳动教育开学第一课", "之江教育汇", "视频", "2022-09-01", "莲都区"]
    story = ["工匠故事", "学习强国", "图文", "2022-05-01", "青田县"]
    live = ["劳模直播间", "抖音", "直播回放", "2023-03-01", "缙云县"]
    entries = [
        ([*lesson, "2022-09-30", 1000, "https://example.com/v/1"], True),
        ([*lesson, "2022-12-31", "1.2万", ""], True),
        ([*lesson, "2023-06-30", "15,000", ""], True),
        ([*lesson, "2023-12-31", 20000, ""], True),
        ([*story, "2022-12-31", 3000, ""], True),
        ([*story, "2023-06-30", "很多", ""], False),  # not a number
        ([*story, "2023-12-31", 3500, ""], True),
        ([*live, "2023-03-02", 800, ""], True),
        ([*live, "2023-02-01", 100, ""], False),  # before the publish date
        ([*live, "2023-12-01", "2500人次", ""], True),
        (["一线风采", "微信公众号", "图文", "2023-07-01", "市本级", "", "", ""], True),  # no reading yet
        (["不明平台的作品", "某某网", "视频", "2023-01-01", "莲都区", "2023-12-31", 100, ""],
         False),  # a platform not in the data dictionary
    ]
    rows = [[i, *cells] for i, (cells, _) in enumerate(entries, start=1)]
    path = write_ledger(folder, "传播作品台账", "2022—2023年宣传作品传播情况统计表", MEDIA_HEADER, rows, fmt)
    readings: dict[str, dict[date, int]] = defaultdict(dict)
    for cells, valid in entries:
        if valid and cells[5]:
            readings[cells[0]][parse_when(cells[5])[0]] = _number(cells[6])
    figures = {}
    for year in YEARS:
        gained = cumulative = 0
        for by_date in readings.values():
            end = _latest(by_date, date(year, 12, 31))
            gained += max(end - _latest(by_date, date(year - 1, 12, 31)), 0)
            cumulative += end
        figures[year] = {"outreach.online_views": gained, "outreach.online_views_cumulative": cumulative}
    return path, figures


def _latest(by_date: dict[date, int], on_or_before: date) -> int:
    days = [d for d in by_date if d <= on_or_before]
    return by_date[max(days)] if days else 0
