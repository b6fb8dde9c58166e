"""Demo registry: about 3,000 workers across the ten units, a realistic level mix, through the importer."""

import tempfile
from datetime import date

from django.utils import timezone

from laomo.core.actors import SYSTEM
from laomo.core.demo import demo_step
from laomo.core.excel import write_xlsx
from laomo.core.idnumber import check_digit
from laomo.orgs.models import OrgUnit
from laomo.orgs.services import org_update

from . import review
from .importer import roster_import
from .models import Worker
from .services import honor_add, worker_update

SURNAMES = "王李张刘陈杨吴赵周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧巧美金建平国新志海林斌宇浩凯"
GIVEN += "秀兰春梅玉红霞云飞鹏俊峰亮文辉长久世法海菊淑莲夏钗惠萍雷学宝俊声"
UNITS = [  # (region text as offices write it, GB/T 2260 code for ID numbers, weight)
    ("市直", "331100", 8), ("莲都区", "331102", 14), ("青田", "331121", 10), ("缙云县", "331122", 11),
    ("遂昌", "331123", 9), ("松阳县", "331124", 9), ("云和", "331125", 7), ("庆元县", "331126", 9),
    ("景宁", "331127", 7), ("龙泉市", "331181", 12),
]
# Employers by the county of the unit a worker belongs to (the GB/T 2260 code of UNITS): a worker's
# employer lies in the same county as the union that keeps the record. 丽水万控 and 丽宝 are in 莲都区.
EMPLOYERS = {
    "331100": ["国网丽水供电公司", "丽水市中心医院", "丽水学院", "丽水市人民医院", "丽水市市场监督管理局"],
    "331102": ["丽水万控科技有限公司", "丽水丽宝安防科技有限公司", "莲都区紫金街道", "莲都区人民医院", "莲都区农业农村局"],
    "331121": ["青田县石雕厂", "青田县人民医院", "青田县农业农村局", "国网青田县供电公司"],
    "331122": ["缙云县农业农村局", "缙云县人民医院", "缙云县壶镇镇人民政府", "国网缙云县供电公司"],
    "331123": ["遂昌县林业局", "遂昌县人民医院", "遂昌县农业农村局", "国网遂昌县供电公司"],
    "331124": ["松阳县茶叶站", "松阳县人民医院", "松阳县农业农村局", "国网松阳县供电公司"],
    "331125": ["云和木玩有限公司", "云和县人民医院", "云和县农业农村局", "国网云和县供电公司"],
    "331126": ["庆元县人民医院", "庆元县食用菌产业中心", "国网庆元县供电公司", "庆元县林业局"],
    "331127": ["景宁畲族自治县人民医院", "景宁畲族自治县农业农村局", "国网景宁畲族自治县供电公司"],
    "331181": ["龙泉青瓷研究所", "龙泉市人民医院", "国网龙泉市供电公司", "龙泉市林业局"],
}
SPECIALTIES = ["食用菌栽培、香菇", "电力检修、电器维修", "内科、量血压测血糖", "林业苗木栽培", "兽医、畜牧",
               "蔬菜种植、病虫害防治", "法律咨询", "心理咨询", "机械维修", "青瓷烧制", "茶叶加工", "数控加工"]
JOBS = ["高级技师", "车间主任", "主治医师", "工程师", "农艺师", "技术员", "总经理", "班组长", "教师", "护士长"]


def _employer(rng, code: str) -> str:
    """An employer in the worker's county; draws from rng exactly as a choice among 15 did, so that the
    rest of the demo (names, ID numbers, honors) stays what it was."""
    pool = EMPLOYERS[code]
    return pool[rng.randrange(15) % len(pool)]


def demo_rows(rng, count: int = 3000):
    rows = []
    levels = [("全国劳动模范", 1), ("全国五一劳动奖章", 2), ("浙江省劳动模范", 8), ("浙江省先进工作者", 3),
              ("浙江工匠", 3), ("丽水市劳动模范", 30), ("丽水市先进工作者", 8), ("丽水工匠", 5), ("{county}劳动模范", 40)]
    level_pool = [title for title, weight in levels for _ in range(weight)]
    unit_pool = [u for u in UNITS for _ in range(u[2])]
    used = set()
    for i in range(count):
        region, code, _ = rng.choice(unit_pool)
        birth = date(rng.randint(1945, 1992), rng.randint(1, 12), rng.randint(1, 28))
        seq = f"{rng.randint(0, 99):02d}{rng.choice('13579' if i % 2 else '02468')}"
        first17 = f"{code}{birth:%Y%m%d}{seq}"
        if first17 in used:
            continue
        used.add(first17)
        id_number = first17 + check_digit(first17) if i % 40 else ""  # some old records lack ID numbers
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        county = region if region.endswith(("区", "县", "市")) else {
            "市直": "丽水市", "青田": "青田县", "遂昌": "遂昌县", "云和": "云和县", "景宁": "景宁畲族自治县"}.get(region, region)
        honors = []
        for _ in range(rng.choice((1, 1, 1, 2))):
            title = rng.choice(level_pool).format(county=county if county != "丽水市" else "莲都区")
            year = rng.randint(max(1980, birth.year + 22), 2022)
            honors.append(f"{year}年{title}")
        rows.append([name, id_number, region, _employer(rng, code), rng.choice(JOBS), "、".join(honors),
                     f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                     "退休" if birth.year < 1962 else "在职"])
    return rows


@demo_step(10, "劳模库(约3000名劳模)")
def demo_workers(ctx):
    rows = demo_rows(ctx.rng)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        write_xlsx(tmp.name, ["姓名", "身份证号", "所属地区", "工作单位", "职务", "荣誉称号", "联系电话", "在职状态"],
                   rows, text_columns=["身份证号", "联系电话"])
        result = roster_import(actor=ctx.users["city"], source=tmp.name, filename="demo.xlsx",
                               org=OrgUnit.objects.get(code="331100"), dry_run=False)
    # Specialties for matching service requests, and the self-service worker's own record.
    workers = list(Worker.objects.order_by("id").only("id", "specialties"))
    for worker in workers:
        worker.specialties = ctx.rng.choice(SPECIALTIES)
    Worker.objects.bulk_update(workers, ["specialties"], batch_size=2000)
    me = Worker.objects.filter(org__code="331126", is_incomplete=False).order_by("id").first()
    if me is not None:
        worker_update(actor=SYSTEM, worker=me, name="叶长文", specialties="食用菌栽培、香菇、烂棒防治")
        Worker.objects.filter(pk=me.pk).update(user=ctx.users["worker"])
    # Ongoing activity this year, so the dashboard opened today is not empty: new honors awarded.
    this_year = timezone.localdate().year
    for worker in Worker.objects.filter(highest_level_rank__lte=2, is_incomplete=False).order_by("id")[:24]:
        title = "丽水工匠" if worker.pk % 2 else "丽水市劳动模范"
        honor_add(actor=ctx.users["city"], worker=worker, title=title, year=this_year)
    ctx.log.append(f"劳模 {result.created_workers} 名,荣誉 {result.created_honors + 24} 项")


@demo_step(85, "报送审核(市级审核县级报送的劳模信息:待审核、已退回、已通过各有一例)")
def demo_submissions(ctx):
    """The city reviews its counties' registry changes from now on; one submission in each state."""
    city, last_year = ctx.users["city"], timezone.localdate().year - 1
    org_update(actor=SYSTEM, org=ctx.orgs["331100"], registry_review=True)
    # 莲都: a new model worker with the honor that makes her one, waiting for the city.
    review.submit_worker_create(
        actor=ctx.users["liandu"], org=ctx.orgs["331102"],
        fields={"name": "钟秀兰", "id_number": _demo_id("331102", date(1972, 3, 5), "264"), "phone": "13905781234",
                "employer": "莲都区人民医院", "job_title": "护士长", "political_status": "中共党员"},
        honors=[{"title": "丽水市劳动模范", "year": last_year, "document_no": f"丽委〔{last_year}〕8号",
                 "awarding_body": "中共丽水市委 丽水市人民政府"}])
    # 庆元: a change returned with the city's reason, kept for the clerk to correct.
    qingyuan = Worker.objects.filter(org__code="331126", is_incomplete=False).exclude(user__isnull=False).order_by("id")
    changed = review.submit_worker_update(actor=ctx.users["qingyuan"], worker=qingyuan[0],
                                          fields={"employer": "庆元县食用菌产业中心", "job_title": "研究员"})
    review.submission_return(actor=city, submission=changed, comment="职务请按任职文件填写全称,并附单位证明。")
    # 龙泉: an honor approved, now in the worker's history.
    longquan = Worker.objects.filter(org__code="331181", is_incomplete=False).order_by("id")[0]
    added = review.submit_honor_add(actor=ctx.users["longquan"], worker=longquan,
                                    honor={"title": "浙江工匠", "year": timezone.localdate().year,
                                           "certificate_no": f"ZJGJ-{last_year + 1}-0137"})
    review.submission_approve(actor=city, submission=added, comment="证书已核")
    ctx.log.append("报送审核:待审核 1 件、已退回 1 件、已通过 1 件")


def _demo_id(code: str, birth: date, seq: str) -> str:
    first17 = f"{code}{birth:%Y%m%d}{seq}"
    return first17 + check_digit(first17)
