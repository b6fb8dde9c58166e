"""A generated roster of model workers, as a union office would send it (one header row, text cells).

Deterministic for a given seed; every row is valid (the contenders then do the same amount of work
per row). About one row in ten names two honors in its honor cell.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

HEADERS = ["姓名", "性别", "民族", "出生年月", "身份证号", "联系电话", "所属地区", "工作单位", "职务", "荣誉称号",
           "获评年份", "在职状态", "政治面貌", "学历", "通讯地址"]

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
            "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建国志明海燕小红晓东文斌建华春梅永红"
         "金凤德胜国强立新卫东丽华慧敏建平淑珍福生宝林新民")
# Region cells in the spellings union offices use (all inside the Lishui tree).
REGIONS = ("莲都区", "莲都", "丽水市莲都区", "青田县", "青田", "缙云县", "遂昌县", "松阳县", "云和县", "庆元县",
           "景宁县", "景宁畲族自治县", "龙泉市", "龙泉", "市直", "市本级")
COUNTY_CODES = ("331102", "331121", "331122", "331123", "331124", "331125", "331126", "331127", "331181")
COUNTY_HONOR_PLACES = ("莲都区", "青田县", "缙云县", "遂昌县", "松阳县", "云和县", "庆元县", "景宁县", "龙泉市")
KINDS = ("劳动模范", "劳动模范", "劳动模范", "先进工作者", "五一劳动奖章")
EMPLOYERS = ("丽水市{}科技有限公司", "{}县人民医院", "丽水{}建设集团", "{}镇中心学校", "丽水市{}农业合作社",
             "浙江{}制造有限公司")
EMPLOYER_WORDS = ("华丰", "绿谷", "瓯江", "青山", "金龙", "丰源", "白云", "凤凰", "南明", "东方")
JOBS = ("车间主任", "高级技师", "主任医师", "教师", "总经理", "农艺师", "工程师", "村党支部书记", "班组长", "")
POLITICAL = ("中共党员", "中共党员", "群众", "群众", "无党派人士", "民主党派", "")
EDUCATION = ("大学本科", "大学专科", "高中", "初中", "研究生", "中专/中技", "")
STATUS = ("在职", "在职", "在职", "退休", "离退休")
ETHNICITY = ("汉族", "汉族", "汉族", "汉族", "畲族")


def _check_digit(first17: str) -> str:
    from laomo.core.idnumber import check_digit

    return check_digit(first17)


def _honor(rng: random.Random) -> str:
    r = rng.random()
    kind = rng.choice(KINDS)
    if r < 0.03:
        place = "全国"
    elif r < 0.20:
        place = "浙江省"
    elif r < 0.65:
        place = "丽水市"
    else:
        place = rng.choice(COUNTY_HONOR_PLACES)
    return place + kind


def generate_rows(size: int, seed: int = 20220501) -> list[list[str]]:
    rng = random.Random(seed)
    seen: set[str] = set()
    rows: list[list[str]] = []
    first_day = date(1950, 1, 1)
    span = (date(1995, 12, 31) - first_day).days
    while len(rows) < size:
        birth = first_day + timedelta(days=rng.randrange(span))
        male = rng.random() < 0.6
        seq = rng.randrange(0, 999)
        if (seq % 2 == 1) != male:
            seq += 1
        first17 = f"{rng.choice(COUNTY_CODES)}{birth:%Y%m%d}{seq:03d}"
        if first17 in seen:
            continue
        seen.add(first17)
        id_number = first17 + _check_digit(first17)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        mobile = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        phone = rng.choice((mobile, f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}", f"0578-{rng.randrange(2, 9)}"
                            f"{rng.randrange(10**6):06d}"))
        birth_cell = rng.choice((f"{birth:%Y.%m}", f"{birth:%Y-%m-%d}", f"{birth.year}年{birth.month}月", ""))
        year = rng.randrange(max(birth.year + 20, 1980), 2023)
        if rng.random() < 0.1:  # two honors in one cell, each with its year
            earlier = rng.randrange(max(birth.year + 18, 1975), year)
            honor_cell, year_cell = f"{earlier}年{_honor(rng)}、{year}年{_honor(rng)}", ""
        else:
            honor_cell, year_cell = _honor(rng), rng.choice((str(year), f"{year}年", f"{year}.0{rng.randrange(1, 10)}"))
        word = rng.choice(EMPLOYER_WORDS)
        rows.append([
            name, "男" if male else "女", rng.choice(ETHNICITY), birth_cell, id_number, phone, rng.choice(REGIONS),
            rng.choice(EMPLOYERS).format(word), rng.choice(JOBS), honor_cell, year_cell, rng.choice(STATUS),
            rng.choice(POLITICAL), rng.choice(EDUCATION), f"丽水市{word}路{rng.randrange(1, 999)}号",
        ])
    return rows


def write_roster(path, rows: list[list[str]]) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        ws = workbook.add_worksheet("劳模名册")
        ws.write_row(0, 0, HEADERS)
        for i, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value:
                    ws.write_string(i, col, value)
    finally:
        workbook.close()
