"""What the care ledgers share: the columns naming a person, words clerks write, a date from a year."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import PermissionDenied

from laomo.core.importing import Column, Row
from laomo.core.permissions import require_edit

from ..services.common import WHAT

MODULE_LABEL = "关爱慰问"

ID_NUMBER = Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "身份证", "证件号码"), text=True,
                   example="", help="填身份证号时按身份证号匹配劳模(最可靠)")
WORKER_NO = Column("worker_no", "劳模编号", ("编号", "劳模证号"), text=True, example="")
NAME = Column("name", "姓名", ("劳模姓名", "慰问对象", "对象姓名", "劳模", "名字"), required=True, example="张建国")
UNIT = Column("unit", "所属单位", ("单位", "所属工会", "县(市、区)", "县(市区)", "所属地区", "地区", "区县"),
              example="莲都区", help="无身份证号和编号时,按姓名 + 所属单位匹配劳模")
PERSON_COLUMNS = (NAME, ID_NUMBER, WORKER_NO, UNIT)


def may_edit(actor, org) -> bool:
    try:
        require_edit(actor, org, WHAT)
    except PermissionDenied:
        return False
    return True


def date_or_year(row: Row, *, date_key: str, year_key: str, today: date, label: str) -> tuple[date | None, int | None]:
    """(date, year) from a date column and/or a year column; a year alone gives 31 December (today in the
    current year), with a warning; a date outside the year written beside it is an error."""
    day = row.date(date_key)
    year = row.int(year_key, minimum=1949, maximum=today.year) if row.present(year_key) else None
    if row.present(year_key) and year is None:
        return None, None
    if day is not None and year is not None and day.year != year:
        row.error(f"{row.label(date_key)}{day:%Y-%m-%d}不在{year}年内")
        return None, None
    if day is None and year is not None and not row.present(date_key):
        day = min(date(year, 12, 31), today)
        row.warn(f"未填{row.label(date_key)},按{day:%Y-%m-%d}登记",
                 kind=f"只填了年度,{label}按当年12月31日(本年按今天)登记")
    if day is None and not row.errors:
        row.error(f"{row.label(date_key)}为空")
    return day, (year or (day.year if day else None))


def split_words(text: str) -> list[str]:
    return [p for p in (s.strip() for s in re.split(r"[、,,;;/\s+和及]+", text or "")) if p]
