"""Messy 关爱劳模 ledgers naming the PEOPLE, for the importer tests and the lead's go-live acceptance test.

Each `<kind>_ledger(folder, fmt)` writes the ledger and returns (path, figures): the summary report's figures
the valid rows must produce, computed here from the rows written, `{year: {"<section>.<key>": value}}`.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from laomo.care.models import VisitType
from laomo.core.money import money_str
from laomo.core.tests.ledgers import PEOPLE, person_id, write_ledger

ZHANG, LI, CHEN, WANG_A, WANG_B, LIU, ZHOU, WU, ZHENG, SUN, LIN, HE, XU = PEOPLE


def _who(person, *, by_id: bool = False) -> tuple[str, str, str]:
    """(name, ID number, unit) cells: by name + unit, or by ID number (the unit left as clerks may leave it)."""
    name, _, unit, *_ = person
    return (name, person_id(person), unit) if by_id else (name, "", unit)


# --- visits -------------------------------------------------------------------------------------------------

VISIT_HEADER = ["序号", "慰问时间", "劳模姓名", "身份证号", "县(市、区)", "慰问项目", "慰问金额(元)", "发放方式",
                "开户行", "银行卡号", "慰问领导", "备注"]


def care_visits_ledger(folder, fmt: str = "xlsx") -> tuple[Path, dict]:
    # (person, by id, date, what the clerk wrote, the type it is, amount written, the amount or None if bad row)
    valid = [
        (ZHANG, False, "2022-01-20", "春节慰问", VisitType.SPRING_FESTIVAL, "1,000.50", "现金"),
        (LI, True, "2022年1月21日", "新春走访慰问", VisitType.SPRING_FESTIVAL, "800元", "现金签收"),
        (CHEN, False, "2022.06.03", "住院看望", VisitType.ILLNESS, "500.25", ""),
        (WANG_A, True, "2023-01-10", "困难帮扶", VisitType.HARDSHIP, "2000", "现金"),
        (LIU, False, "2023-03-15", "生日", VisitType.OTHER, "", ""),
        (ZHOU, False, "2023-08-01", "住院慰问", VisitType.ILLNESS, "300.10", "转账"),
        (XU, True, "2023/12/30", "高龄慰问", VisitType.ELDERLY, "0.05", "现金"),
    ]
    rows = []
    for n, (person, by_id, day, written, _, amount, payment) in enumerate(valid, start=1):
        name, id_number, unit = _who(person, by_id=by_id)
        bank = ("中国工商银行丽水分行", "6222 0212 3456 7890 123") if payment == "转账" else ("", "")
        rows.append([n, day, name, id_number, unit, written, amount, payment, *bank, "市总工会领导", ""])
    bad = [
        [8, "2023-02-30", WU[0], "", WU[2], "春节慰问", "500", "现金", "", "", "", "日期不存在"],
        [9, "2023-02-01", "王芳", "", "青田县", "春节慰问", "500", "现金", "", "", "", "同名两人"],
        [10, "2023-02-01", ZHENG[0], "", ZHENG[2], "春节慰问", "12.345", "现金", "", "", "", "金额多一位小数"],
    ]
    path = write_ledger(folder, "慰问台账", "2022—2023年劳模慰问台账", VISIT_HEADER, rows + bad, fmt)
    figures: dict = defaultdict(lambda: defaultdict(Decimal))
    people: dict = defaultdict(set)
    for person, _, day, _, kind, amount, _ in valid:
        year = int(day[:4])
        money = Decimal(amount.replace(",", "").removesuffix("元") or "0")
        figures[year]["care.visits"] += 1
        figures[year]["care.amount"] += money
        figures[year][f"care.amount_by_type.{kind}"] += money
        people[year].add(person_id(person))
    out = {}
    for year, values in figures.items():
        out[year] = {"care.visits": int(values["care.visits"]), "care.workers_visited": len(people[year]),
                     "care.amount": money_str(values["care.amount"])}
        out[year].update({f"care.amount_by_type.{t}": money_str(values.get(f"care.amount_by_type.{t}", 0))
                          for t in VisitType.values})
    return path, out


# --- hardship surveys ---------------------------------------------------------------------------------------

SURVEY_HEADER = ["序号", "姓名", "身份证号码", "所属单位", "调查年度", "走访日期", "家庭人口", "家庭月收入(元)",
                 "人均月收入", "致困原因", "健康状况", "认定结果", "当地低保标准"]
THRESHOLDS = {2022: "900", 2023: "950"}


def care_surveys_ledger(folder, fmt: str = "xlsx") -> tuple[Path, dict]:
    # (person, by id, year, date, household, family income, per capita, causes, health, result)
    valid = [
        (ZHANG, False, 2022, "2022-05-10", 3, "", "850.00", "因病", "恶性肿瘤", "特殊困难"),
        (CHEN, True, 2022, "", 4, "3000", "", "因学、失业", "健康", "困难"),
        (LIN, False, 2022, "2022-07-01", 2, "", "2600", "", "健康", "非困难"),
        (ZHANG, True, 2023, "2023-04-02", 3, "", "1100.00", "因病", "恶性肿瘤", "困难"),
        (WANG_B, True, 2023, "2023-06-18", 5, "", "700", "因残、其他", "高血压", ""),
    ]
    rows = []
    for n, (person, by_id, year, day, size, family, per_capita, causes, health, result) in enumerate(valid, 1):
        name, id_number, unit = _who(person, by_id=by_id)
        rows.append([n, name, id_number, unit, year, day, size, family, per_capita, causes, health, result,
                     THRESHOLDS[year]])
    bad = [
        [6, "王芳", "", "青田县", 2023, "2023-06-18", 2, "", "700", "因病", "健康", "困难", THRESHOLDS[2023]],
        [7, SUN[0], "", SUN[2], 2023, "2023-06-18", 2, "", "700", "因懒", "健康", "困难", THRESHOLDS[2023]],
        [8, HE[0], "", HE[2], 2023, "2023-06-18", 0, "", "700", "因病", "健康", "困难", THRESHOLDS[2023]],
    ]
    path = write_ledger(folder, "困难劳模调查台账", "困难劳模摸底调查表", SURVEY_HEADER, rows + bad, fmt)
    surveyed: dict = defaultdict(set)
    for person, _, year, *_ in valid:
        surveyed[year].add(person_id(person))
    return path, {year: {"care.hardship_surveyed": len(ids)} for year, ids in surveyed.items()}


# --- benefit grants -----------------------------------------------------------------------------------------

GRANT_HEADER = ["序号", "姓名", "身份证号", "单位", "待遇项目", "年度", "发放时间", "金额(元)", "备注"]


def care_grants_ledger(folder, fmt: str = "xlsx") -> tuple[Path, dict]:
    rows = [
        [1, ZHANG[0], "", ZHANG[2], "健康体检", 2022, "2022-05-20", "800", ""],
        [2, LI[0], person_id(LI), "", "荣誉津贴", 2022, "2022-12-15", "1,200.00", ""],
        [3, WU[0], "", WU[2], "困难补助", 2023, "", "3000", "只填了年度"],
        [4, SUN[0], person_id(SUN), SUN[2], "疗养", 2023, "2023-10-08", "", ""],
        [5, ZHENG[0], "", ZHENG[2], "体检费", 2023, "2023-13-01", "800", "日期不存在"],
        [6, "王芳", "", "青田县", "健康体检", 2023, "2023-05-01", "800", "同名两人"],
        [7, HE[0], "", HE[2], "购物卡", 2023, "2023-05-01", "300", "不是待遇"],
    ]
    path = write_ledger(folder, "待遇落实台账", "劳模待遇落实台账", GRANT_HEADER, rows, fmt)
    return path, {}  # grants feed the benefits follow-up, no figure of the summary report
