"""Sample volunteering ledgers for the go-live acceptance test (issue 13): messy, naming the PEOPLE, over 2022
and 2023, each with a few bad rows, and the summary figures their valid rows must produce, computed here from
the rows written.

Import order matters: records and requests name the teams of the teams ledger, so import `service_teams`,
then `service_records`, then `service_requests` (the order of `core.importing.kinds()`). The figures are each
ledger's own contribution and add up: a completed request in the requests ledger is closed by a service record,
so it adds to `volunteering.service_records`, `person_times`, `volunteer_hours` like the records ledger does.
`volunteering_ledgers()` writes all three and gives the figures of the three together.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from laomo.core.idnumber import check_digit
from laomo.core.tests.ledgers import PEOPLE, person_id, write_ledger

JIANGUO, XIUYING, ZHIQIANG, WANGFANG, _, LIUWEI, *_rest = PEOPLE
XUMING = PEOPLE[12]
UNKNOWN_ID = "33112419800101999" + check_digit("33112419800101999")  # valid, never registered

LIANDU_TEAM, QINGTIAN_TEAM, JINYUN_TEAM = "莲都区劳模医疗服务队", "青田县食用菌技术服务队", "缙云县电力服务队"
TEAM_TYPES = {LIANDU_TEAM: "medical", QINGTIAN_TEAM: "fungus", JINYUN_TEAM: "power"}


def _figures() -> dict:
    return defaultdict(lambda: defaultdict(int))


def _hours(figures: dict) -> dict:
    """Hours as the summary writes them (a string with two decimals)."""
    out = {}
    for year, values in figures.items():
        out[year] = {k: (str(Decimal(v).quantize(Decimal("0.01"))) if k.endswith("volunteer_hours") else v)
                     for k, v in values.items()}
    return out


# --- 1. teams, one row per member ----------------------------------------------------------------------

TEAM_HEADER = ["序号", "队伍名称", "类型", "所属单位", "成立时间", "队长", "姓名", "身份证号码", "职务", "手机"]


def service_teams_ledger(folder, fmt: str = "xlsx") -> tuple[Path, dict]:
    # (row, bad)
    rows = [
        ([1, LIANDU_TEAM, "医疗", "莲都区", "2021-05-01", "张建国", "张建国", "", "", ""], False),
        ([2, LIANDU_TEAM, "", "莲都", "", "", "李秀英", "", "技术骨干", ""], False),
        ([3, LIANDU_TEAM, "", "莲都区", "", "", "赵老师", "", "社区医生", "13905781234"], False),  # not a worker
        ([4, QINGTIAN_TEAM, "香菇", "青田县", "2023年3月15日", "陈志强", "陈志强", "", "", ""], False),
        ([5, QINGTIAN_TEAM, "", "青田县", "", "", "王芳", person_id(WANGFANG), "", ""], False),
        ([6, QINGTIAN_TEAM, "", "青田县", "", "", "王芳", "", "", ""], True),  # two 王芳 in 青田: ambiguous
        ([7, JINYUN_TEAM, "供电", "缙云县", "2022.6.1", "刘伟", "刘伟", person_id(LIUWEI), "", ""], False),
        ([8, "遂昌县法律服务队", "法律", "遂昌县", "2022-02-30", "", "周丽", "", "", ""], True),  # no such date
        ([9, "松阳县农技服务队", "农技", "松阳县", "2022-01-01", "", "吴某", UNKNOWN_ID, "", ""], True),  # unknown
    ]
    path = write_ledger(folder, "志愿服务队台账", "丽水市劳模志愿服务队名册", TEAM_HEADER, [r for r, _ in rows], fmt)
    founded = {}
    for row, bad in rows:
        if not bad and row[4]:
            text = row[4].replace("年", "-").replace("月", "-").replace("日", "").replace(".", "-")
            founded[row[1]] = datetime.strptime(text, "%Y-%m-%d").date()
    figures = _figures()
    for year in (2022, 2023):
        figures[year]["volunteering.teams"] = sum(1 for day in founded.values() if day.year <= year)
    return path, {y: dict(v) for y, v in figures.items()}


# --- 2. service records: volunteers in a cell, or one row per volunteer ---------------------------------

RECORD_HEADER = ["序号", "服务日期", "服务队", "服务地点", "服务内容", "服务人次", "志愿者", "身份证号",
                 "服务时长(小时)", "总时长"]


def service_records_ledger(folder, fmt: str = "xlsx") -> tuple[Path, dict]:
    # (row, bad, year, team, person_times or None for a continuation row, hours of the row)
    rows = [
        ([1, "2022-03-05", LIANDU_TEAM, "碧湖镇新合村", "义诊、送医送药", 120, "张建国、李秀英", "", 3, ""],
         False, 2022, LIANDU_TEAM, 120, Decimal(6)),
        ([2, "2022年5月1日", LIANDU_TEAM, "紫金街道白云社区", "健康讲座", "80人", "张建国(2)、赵老师(1.5)", "", "", ""],
         False, 2022, LIANDU_TEAM, 80, Decimal("3.5")),
        ([3, "2022-09-10", JINYUN_TEAM, "壶镇镇工业园区", "用电安全检查", 30, "刘伟", person_id(LIUWEI), 4, ""],
         False, 2022, JINYUN_TEAM, 30, Decimal(4)),
        ([None, "", "", "", "", "", "张建国", "", 2.5, ""],  # under merged cells: the same service
         False, 2022, JINYUN_TEAM, None, Decimal("2.5")),
        ([4, "2023-06-18", QINGTIAN_TEAM, "仁庄镇香菇基地", "香菇烂棒防治指导", 45, "陈志强 徐明", "", "", 5],
         False, 2023, QINGTIAN_TEAM, 45, Decimal(5)),
        ([5, "2023-07-01", QINGTIAN_TEAM, "祯埠镇", "菌棒接种培训", 10, "王芳", person_id(WANGFANG), 2, ""],
         False, 2023, QINGTIAN_TEAM, 10, Decimal(2)),
        ([6, "2023-02-30", LIANDU_TEAM, "碧湖镇", "义诊", 20, "张建国", "", 2, ""], True, 0, "", 0, 0),  # no such day
        ([7, "2023-03-01", LIANDU_TEAM, "碧湖镇", "义诊", 20, "查无此人", "", 2, ""], True, 0, "", 0, 0),  # unknown
        ([8, "2023-04-01", LIANDU_TEAM, "碧湖镇", "义诊", 20, "李秀英", "", "三小时", ""], True, 0, "", 0, 0),  # hours
    ]
    path = write_ledger(folder, "服务记录台账", "2022—2023年劳模志愿服务记录", RECORD_HEADER,
                        [r[0] for r in rows], fmt)
    figures = _figures()
    for _, bad, year, team, person_times, hours in rows:
        if bad:
            continue
        f = figures[year]
        if person_times is not None:
            f["volunteering.service_records"] += 1
            f["volunteering.person_times"] += person_times
            f[f"volunteering.person_times_by_team_type.{TEAM_TYPES[team]}"] += person_times
        f["volunteering.volunteer_hours"] += hours
    return path, _hours(figures)


# --- 3. the public's past requests -----------------------------------------------------------------------

REQUEST_HEADER = ["序号", "点单时间", "受理单位", "来源", "服务类别", "需求内容", "乡镇", "村(社区)", "点单人",
                  "联系电话", "派单服务队", "派单时间", "完成时间", "服务志愿者", "服务时长", "服务人次", "评分",
                  "评价时间", "办理状态", "原因"]


def service_requests_ledger(folder, fmt: str = "xlsx") -> tuple[Path, dict]:
    rows = [  # (row, bad)
        ([1, "2022-04-01 09:00", "莲都区", "电话", "医疗", "家中老人需要上门测血压、指导用药", "碧湖镇", "新合村",
          "王大妈", "13905781234", LIANDU_TEAM, "2022-04-01 14:00", "2022-04-03", "张建国", 2, 1, 5, "2022-04-05",
          "", ""], False),
        ([2, "2022-12-28 10:00", "缙云县", "网上", "电力", "店里线路老化,经常跳闸", "壶镇镇", "", "李师傅",
          "13712345678", JINYUN_TEAM, "2022-12-28 15:00", "2023-01-04", "刘伟", 3, 2, 4, "2023-01-06", "", ""], False),
        ([3, "2023-05-10", "青田县", "电话", "食用菌", "香菇烂棒比较多,想请专家看看", "仁庄镇", "", "林大伯",
          "13605781111", QINGTIAN_TEAM, "2023-05-11", "2023-05-20", "陈志强(3)", "", "", "", "", "", ""], False),
        ([4, "2023-08-01", "莲都区", "现场", "法律", "劳动合同纠纷想咨询律师", "紫金街道", "", "赵先生",
          "13605782222", "", "", "", "", "", "", "", "", "不予受理", "不属于志愿服务范围,已转法律援助中心"], False),
        ([5, "2023-09-01", "莲都区", "电话", "其他", "想了解工会困难帮扶政策", "碧湖镇", "", "钱阿姨", "13605783333",
          "", "", "", "", "", "", "", "", "", ""], False),
        ([6, "2023-13-01", "莲都区", "电话", "医疗", "需要上门量血压", "碧湖镇", "", "孙大爷", "13605784444",
          "", "", "", "", "", "", "", "", "", ""], True),  # no month 13
        ([7, "2023-06-10", "莲都区", "电话", "医疗", "需要上门量血压", "碧湖镇", "", "周大爷", "13605785555",
          LIANDU_TEAM, "2023-06-10", "2023-06-01", "李秀英", 2, 1, "", "", "", ""], True),  # completed before
        ([8, "2023-06-12", "莲都区", "电话", "医疗", "需要上门量血压", "碧湖镇", "", "吴大爷", "13605786666",
          LIANDU_TEAM, "2023-06-12", "2023-06-13", "李秀英", 2, 1, 6, "2023-06-14", "", ""], True),  # rating 6
    ]
    path = write_ledger(folder, "群众点单台账", "劳模志愿服务群众点单登记表", REQUEST_HEADER, [r for r, _ in rows], fmt)
    figures = _figures()
    ratings = defaultdict(list)
    for row, bad in rows:
        if bad:
            continue
        figures[int(row[1][:4])]["volunteering.requests.received"] += 1
        if row[12]:
            done = int(row[12][:4])
            f = figures[done]
            f["volunteering.requests.completed"] += 1
            person_times = int(row[15] or 1)
            own = row[13].partition("(")[2].rstrip(")")
            f["volunteering.service_records"] += 1
            f["volunteering.person_times"] += person_times
            f[f"volunteering.person_times_by_team_type.{TEAM_TYPES[row[10]]}"] += person_times
            f["volunteering.volunteer_hours"] += Decimal(str(row[14] or own))
        if row[16]:
            ratings[int((row[17] or row[12])[:4])].append(row[16])
    for year, values in ratings.items():
        figures[year]["volunteering.requests.average_rating"] = round(sum(values) / len(values), 2)
    return path, _hours(figures)


SAMPLES = [("service_teams", service_teams_ledger), ("service_records", service_records_ledger),
           ("service_requests", service_requests_ledger)]


def volunteering_ledgers(folder, fmt: str = "xlsx") -> tuple[list[tuple[str, Path]], dict]:
    """The three ledgers in import order, and the figures of the three imported together."""
    paths, total = [], defaultdict(dict)
    for kind, write in SAMPLES:
        path, figures = write(folder, fmt)
        paths.append((kind, path))
        for year, values in figures.items():
            for key, value in values.items():
                before = total[year].get(key)
                if before is None:
                    total[year][key] = value
                elif key.endswith("volunteer_hours"):
                    total[year][key] = str((Decimal(before) + Decimal(value)).quantize(Decimal("0.01")))
                else:
                    total[year][key] = before + value  # average_rating comes from the requests ledger only
    return paths, dict(total)
