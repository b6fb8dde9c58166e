"""Demo outreach: a year of Lishui lectures (468 held in 2022, the seed's figure), 2021 for two-year figures and
this year's ongoing activity; the 开学第一课 video on 之江教育汇 passing 300,000 views and taken up by 学习强国's
“爱·思政”; 班前十分钟 at 丽水万控科技有限公司 and 丽水丽宝安防科技有限公司; showcases. All through the services."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.utils import timezone

from laomo.core import dictionary
from laomo.core.actors import SYSTEM
from laomo.core.demo import demo_step
from laomo.workers.models import Worker
from laomo.workers.services import honor_add, worker_create

from .models import PLATFORM_KIND
from .services import (
    campaign_create,
    lecture_create,
    media_create,
    pickup_add,
    reading_add,
    session_batch,
    showcase_create,
)

LECTURES_2022 = 468  # 全市开展劳模工匠宣讲468场次
LECTURES_2021 = 392

COUNTY_NAMES = {"331100": "丽水市", "331101": "丽水市", "331102": "莲都区", "331121": "青田县", "331122": "缙云县",
                "331123": "遂昌县", "331124": "松阳县", "331125": "云和县", "331126": "庆元县",
                "331127": "景宁畲族自治县", "331181": "龙泉市"}
# (org code, weight): where lectures are organized
UNIT_WEIGHTS = [("331101", 8), ("331102", 14), ("331121", 9), ("331122", 10), ("331123", 8), ("331124", 8),
                ("331125", 6), ("331126", 10), ("331127", 6), ("331181", 11), ("331100", 4)]
VENUE_WEIGHTS = [("agency", 19), ("school", 28), ("hospital", 10), ("enterprise", 26), ("community", 9),
                 ("village", 6), ("online", 2)]
MONTH_WEIGHTS = [4, 3, 7, 8, 14, 9, 7, 5, 12, 10, 12, 9]
TITLES = {
    "agency": ["弘扬劳模精神 凝聚奋斗力量", "守好红色根脉 争当劳模工匠", "以劳模精神推动“两个先行”", "我心向党·劳模工匠主题宣讲"],
    "school": ["劳模工匠进校园:我的成长之路", "崇尚劳动 见贤思齐", "工匠精神伴我成长", "劳动最光荣:劳模故事会"],
    "hospital": ["医者仁心 劳模担当", "守护生命健康的劳模故事", "抗疫一线的劳模力量"],
    "enterprise": ["干一行爱一行专一行", "技能成才 技能报国", "从学徒到工匠:一线班组长的劳模故事", "创新工作室里的传帮带"],
    "community": ["劳模进社区 服务零距离", "身边的劳模:网格里的守护者", "劳模宣讲进文化家园"],
    "village": ["科技助农 劳模在田间", "食用菌技术与乡村振兴", "劳模宣讲进农村文化礼堂"],
    "online": ["云端劳模讲堂", "劳模工匠云宣讲"],
}
VENUES = {
    "agency": ["{c}委党校", "{c}人民政府机关", "{c}总工会职工之家", "{c}机关事务服务中心"],
    "school": ["{c}实验小学", "{c}第一中学", "{c}职业中等专业学校", "丽水学院", "丽水职业技术学院", "丽水技师学院",
               "{c}实验幼儿园"],
    "hospital": ["{c}人民医院", "丽水市中心医院", "{c}中医院"],
    "enterprise": ["丽水万控科技有限公司", "丽水丽宝安防科技有限公司", "国网丽水供电公司", "{c}经济开发区企业服务中心",
                   "龙泉青瓷研究所", "云和木玩有限公司"],
    "community": ["正阳社区", "白云社区", "淤上塘根新时代小区", "{c}城东社区"],
    "village": ["{c}下属行政村文化礼堂", "{c}食用菌专业村", "{c}农村文化礼堂"],
    "online": ["钉钉直播", "微信视频号直播间"],
}
FORMAT_BY_VENUE = {"agency": ["report", "lecture", "symposium"], "school": ["lecture", "report"],
                   "hospital": ["lecture", "symposium"], "enterprise": ["lecture", "onsite", "symposium"],
                   "community": ["lecture", "symposium"], "village": ["onsite", "lecture"], "online": ["live"]}
AUDIENCE = {"agency": (30, 160), "school": (120, 900), "hospital": (30, 120), "enterprise": (25, 220),
            "community": (30, 120), "village": (20, 90), "online": (400, 6000)}
STAGE_BY_MONTH = {m: ("theory" if m <= 4 else "practice" if m <= 8 else "reflection") for m in range(1, 13)}
SESSION_TOPICS = {
    "theory": ["学习党的二十大报告原文", "读《劳模风采录》一章", "安全操作规程学习", "观看《大国工匠》片段", "红色根脉故事学习"],
    "practice": ["劳模讲技术难题复盘", "新员工实操点评", "班组质量改进交流", "安全隐患排查实例", "工艺改进经验分享"],
    "reflection": ["谈谈我的成长体会", "“干不好了还有我”:担当与放手", "劳模故事与岗位感悟", "年度技术攻关心得"],
}


def _pick(rng, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted], k=1)[0]


class _Demo:
    def __init__(self, ctx):

        self.ctx = ctx
        self.rng = ctx.rng
        self.orgs = ctx.orgs
        self.actors = {"331102": ctx.users["liandu"], "331126": ctx.users["qingyuan"], "331181": ctx.users["longquan"]}
        self.workers: dict[str, list[int]] = {}
        self.senior: list[int] = []
        for pk, code, rank in Worker.objects.filter(is_deleted=False).values_list("id", "org__code",
                                                                                  "highest_level_rank"):
            self.workers.setdefault(code, []).append(pk)
            if rank >= 2:
                self.senior.append(pk)
        self.campaigns = []
        self.today = timezone.localdate()

    def actor(self, code):
        return self.actors.get(code, self.ctx.users["city"])

    def speakers(self, code, favourite=None):
        pool = self.workers.get(code) or self.senior
        if code in ("331100", "331101"):
            pool = self.senior or pool
        mine = favourite is not None and favourite in self.workers.get(code, [])
        chosen = [favourite] if mine and self.rng.random() < 0.35 else [self.rng.choice(pool)]
        if self.rng.random() < 0.18:
            other = self.rng.choice(pool)
            if other not in chosen:
                chosen.append(other)
        return chosen

    def campaign_for(self, org_code, day):
        candidates = [c for c in self.campaigns if c.start_date <= day <= c.end_date
                      and (c.org.code == "331100" or c.org.code == org_code) and "班前十分钟" not in c.name]
        return candidates[0] if candidates and self.rng.random() < 0.7 else None

    def lecture(self, *, day, status="held", org_code=None, venue=None, favourite=None, **extra):

        rng = self.rng
        org_code = org_code or _pick(rng, UNIT_WEIGHTS)
        venue = venue or _pick(rng, VENUE_WEIGHTS)
        county = COUNTY_NAMES[org_code]
        campaign = extra.pop("campaign", None) or self.campaign_for(org_code, day)
        title = extra.pop("title", None) or (f"{campaign.name}:{rng.choice(TITLES[venue])}" if campaign and
                                             rng.random() < 0.5 else rng.choice(TITLES[venue]))
        low, high = AUDIENCE[venue]
        return lecture_create(
            actor=self.actor(org_code), org=self.orgs[org_code], date=day, title=title, venue_type=venue,
            venue_name=rng.choice(VENUES[venue]).format(c=county),
            format=extra.pop("format", None) or rng.choice(FORMAT_BY_VENUE[venue]),
            status=status, audience=rng.randint(low, high) if status == "held" else 0, campaign=campaign,
            speakers=extra.pop("speakers", None) or self.speakers(org_code, favourite), **extra)

    def random_day(self, year, *, until=None):
        month = _pick(self.rng, list(zip(range(1, 13), MONTH_WEIGHTS, strict=True)))
        day = date(year, month, self.rng.randint(1, calendar.monthrange(year, month)[1]))
        if until is not None and day > until:
            day = date(year, 1, 1) + timedelta(days=self.rng.randint(0, (until - date(year, 1, 1)).days))
        return day

    def sessions(self, *, org_code, enterprise, workshop, speaker, months, year, shifts=("before",),
                 weekdays=(0, 1, 2, 3, 4), participants=(18, 40)):

        total = 0
        for month in months:
            start = date(year, month, 1)
            end = date(year, month, calendar.monthrange(year, month)[1])
            if start > self.today:
                break
            end = min(end, self.today)
            stage = STAGE_BY_MONTH[month]
            topics = self.rng.sample(SESSION_TOPICS[stage], k=len(SESSION_TOPICS[stage]))
            forms = self.rng.sample(["video", "sharing", "reading", "story"], k=self.rng.randint(1, 3))
            campaign = next((c for c in self.campaigns if c.name.startswith("守好红色根脉") and c.start_date <= start
                             and end <= c.end_date and c.org.code in ("331100", org_code)), None)
            for shift in shifts:
                result = session_batch(
                    actor=self.actor(org_code), org=self.orgs[org_code], enterprise=enterprise, workshop=workshop,
                    shift=shift, date_from=start, date_to=end, weekdays=weekdays, topics=topics, speaker=speaker,
                    stage=stage, forms=forms, participants=self.rng.randint(*participants), minutes=10,
                    campaign=campaign)
                total += len(result.created)
        return total


def _named_worker(ctx, *, org_code, name, title, year, employer, job_title):

    worker = Worker.objects.filter(name=name, org__code=org_code, is_deleted=False).first()
    if worker is None:
        worker = worker_create(actor=ctx.users["city"], org=ctx.orgs[org_code], name=name, employer=employer,
                               job_title=job_title)
        honor_add(actor=ctx.users["city"], worker=worker, title=title, year=year)
    return worker


# The platforms of the data dictionary the demo uses (the migration seeds them on a new database).
PLATFORMS = {"之江教育汇": "zjjyh", "学习强国": "xxqg", "微信视频号": "wxsph", "微信公众号": "wxgzh", "抖音": "douyin",
             "丽水电视台": "lstv", "浙江工人日报": "zjgrrb"}


def _platforms() -> dict:
    """{name: dictionary entry} of the demo's platforms, created where missing."""
    have = {i.label: i for i in dictionary.items(PLATFORM_KIND, active_only=False)}
    for order, (name, code) in enumerate(PLATFORMS.items(), start=1):
        if name not in have:
            have[name] = dictionary.item_save(actor=SYSTEM, kind_code=PLATFORM_KIND, code=code, label=name,
                                              sort_order=order * 10)
    return have


@demo_step(20, "宣讲与宣传(2022年宣讲468场、开学第一课视频30余万人次、班前十分钟、风采展示区)")
def demo_outreach(ctx):


    d = _Demo(ctx)
    rng, city, orgs, today = d.rng, ctx.users["city"], ctx.orgs, d.today
    this_year = today.year
    platforms = _platforms()

    # People the seed names.
    wu = _named_worker(ctx, org_code="331101", name="吴长久", title="丽水市劳动模范", year=2015,
                       employer="丽水市市场监督管理局", job_title="高级工程师")
    jiang = _named_worker(ctx, org_code="331102", name="姜雷", title="莲都区劳动模范", year=2019,
                          employer="丽水丽宝安防科技有限公司", job_title="技术副总")
    ye = Worker.objects.filter(user=ctx.users["worker"]).first()  # 叶长文, the self-service demo worker (庆元)
    wankong = (Worker.objects.filter(org__code="331102", employer="丽水万控科技有限公司", is_deleted=False)
               .order_by("id").first() or Worker.objects.filter(org__code="331102").order_by("id").first())
    d.workers.setdefault("331101", []).append(wu.pk)
    d.senior.append(wu.pk)

    # Campaigns.
    def campaign(code, name, theme, start, end):
        c = campaign_create(actor=d.actor(code), org=orgs[code], name=name, theme=theme, start_date=start,
                            end_date=end)
        d.campaigns.append(c)
        return c

    for year in sorted({2021, 2022, this_year}):
        if year == this_year and date(year, 5, 1) > today:
            continue
        campaign("331100", f"“劳动创造幸福”{year}年五月主题宣传", "唱响劳动光荣、致敬劳模的主旋律", date(year, 5, 1),
                 date(year, 5, 31))
    campaign("331100", "庆祝建党100周年劳模工匠宣讲", "百年征程 劳模风采", date(2021, 6, 1), date(2021, 7, 31))
    heart = campaign("331100", "“我心向党”劳模工匠主题宣讲", "劳模工匠讲党史、颂党恩", date(2022, 6, 1), date(2022, 8, 31))
    first_class = campaign("331101", "劳动教育开学第一课", "劳模工匠进校园", date(2022, 8, 25), date(2022, 9, 30))
    campaign("331100", "党的二十大精神劳模工匠宣讲", "学习贯彻党的二十大精神和省市党代会精神", date(2022, 10, 24),
             date(2022, 12, 31))
    campaign("331102", "守好红色根脉·班前十分钟", "融入红色教育元素,强化政治引领", date(2022, 3, 1), date(2022, 12, 31))
    if date(this_year, 3, 1) <= today:
        campaign("331102", f"守好红色根脉·班前十分钟({this_year}年)", "班前十分钟常态化",
                 date(this_year, 3, 1), date(this_year, 12, 31))

    # 2022: the seed's named lectures, then the rest up to 468 held.
    opening = d.lecture(day=date(2022, 9, 1), org_code="331101", venue="school", campaign=first_class,
                        title="劳动教育开学第一课", speakers=[wu.pk, rng.choice(d.senior)], format="report",
                        summary="劳模工匠进校园,节目视频上传“之江教育汇”平台,全市大中小学组织收看。")
    d.lecture(day=date(2022, 6, 28), org_code="331101", venue="school", campaign=heart,
              title="“我心向党”劳模工匠主题宣讲(幼儿教师专场)", speakers=[wu.pk], summary="市劳模吴长久为幼儿教师作主题宣讲。")
    held_2022 = 2
    if ye is not None:
        for day in (date(2022, 3, 18), date(2022, 7, 6), date(2022, 11, 15)):
            d.lecture(day=day, org_code="331126", venue="village", speakers=[ye.pk], title="食用菌技术与乡村振兴")
            held_2022 += 1
    while held_2022 < LECTURES_2022:
        d.lecture(day=d.random_day(2022), favourite=ye.pk if ye else None)
        held_2022 += 1
    for _ in range(5):  # called off (epidemic control): not counted
        d.lecture(day=d.random_day(2022), status="cancelled")

    for _ in range(LECTURES_2021):
        d.lecture(day=d.random_day(2021))

    # This year so far (about one a day), and some planned ahead.
    days_so_far = (today - date(this_year, 1, 1)).days + 1
    for _ in range(days_so_far * 9 // 10):
        d.lecture(day=d.random_day(this_year, until=today), favourite=ye.pk if ye else None)
    for i in range(6):
        d.lecture(day=today + timedelta(days=3 + 4 * i), status="planned")

    # Media: the 开学第一课 video and its reach, the May series, reports.
    zj, xx, wx, dy, tv = (platforms[n] for n in ("之江教育汇", "学习强国", "微信公众号", "抖音", "丽水电视台"))
    video = media_create(actor=city, org=orgs["331101"], title="劳模工匠进校园——“劳动教育开学第一课”", platform=zj,
                         kind="video", publish_date=date(2022, 9, 1), lecture=opening, campaign=first_class,
                         url="https://zjjyh.example.cn/video/lishui-2022-first-class",
                         note="全市大中小学组织收看")
    for day, views in ((date(2022, 9, 2), 45_120), (date(2022, 9, 8), 168_430), (date(2022, 9, 15), 241_870),
                       (date(2022, 9, 30), 288_650), (date(2022, 10, 31), 305_210), (date(2022, 12, 31), 312_480),
                       (date(2023, 6, 30), 318_900)):
        reading_add(actor=city, item=video, date=day, views=views, note="平台后台数据")
    pickup_add(actor=city, item=video, outlet="学习强国", column="爱·思政", date=date(2022, 9, 20), kind="adopted")

    media_count = 1
    for year in sorted({2021, 2022, this_year}):
        may = next((c for c in d.campaigns if c.name.startswith("“劳动创造幸福”") and c.start_date.year == year), None)
        if may is None:
            continue
        for i in range(6):
            day = date(year, 5, 1 + i * 5)
            item = media_create(actor=city, org=orgs["331100"], title=f"劳动创造幸福·劳模风采({i + 1})",
                                platform=rng.choice([wx, dy]), kind=rng.choice(["article", "video"]), publish_date=day,
                                campaign=may)
            views = rng.randint(2_000, 9_000)
            for step in range(3):
                reading_day = day + timedelta(days=3 + step * 20)
                if reading_day > today:
                    break
                reading_add(actor=city, item=item, date=reading_day, views=views)
                views += rng.randint(500, 4_000)
            media_count += 1
    for code, day in (("331102", date(2022, 11, 8)), ("331181", date(2022, 11, 22)), ("331126", date(2022, 12, 6))):
        item = media_create(actor=d.actor(code), org=orgs[code], title=f"{COUNTY_NAMES[code]}劳模工匠宣讲二十大精神",
                            platform=tv, kind="video", publish_date=day)
        reading_add(actor=d.actor(code), item=item, date=day + timedelta(days=10), views=rng.randint(8_000, 30_000))
        if code == "331181":
            pickup_add(actor=d.actor(code), item=item, outlet="学习强国", column="浙江学习平台", date=day + timedelta(days=4),
                       kind="reprinted")
        media_count += 1

    # 班前十分钟: 万控 before and after every shift, 丽宝 with 姜雷, a power supply team in 庆元.
    sessions = 0
    for year, months in ((2021, range(10, 13)), (2022, range(3, 13)), (this_year, range(1, 13))):
        sessions += d.sessions(org_code="331102", enterprise="丽水万控科技有限公司", workshop="总装车间", speaker=wankong,
                               months=months, year=year, shifts=("before", "after"), weekdays=(0, 1, 2, 3, 4, 5))
        sessions += d.sessions(org_code="331102", enterprise="丽水丽宝安防科技有限公司", workshop="技术部", speaker=jiang,
                               months=months, year=year, participants=(8, 16))
    for year in (2022, this_year):
        qy = d.workers.get("331126") or [None]
        sessions += d.sessions(org_code="331126", enterprise="国网庆元县供电公司", workshop="运维班",
                               speaker=Worker.objects.filter(pk=qy[0]).first(), months=range(4, 13), year=year,
                               weekdays=(0, 2, 4), participants=(10, 20))

    # 风采展示区.
    def featured(codes, n):
        pool = [pk for code in codes for pk in d.workers.get(code, [])]
        return rng.sample(pool, k=min(n, len(pool)))

    showcases = [
        ("331100", "劳模工匠风采展示区", "cultural_palace", "丽水市工人文化宫", date(2021, 4, 28),
         featured(["331101", "331102"], 6) + [wu.pk]),
        ("331126", "“庆工益之家”劳模风采墙", "cultural_palace", "庆元县工人文化宫", date(2021, 9, 10),
         featured(["331126"], 8) + ([ye.pk] if ye else [])),
        ("331101", "劳模工匠风采展示区", "vocational_school", "丽水技师学院", date(2022, 4, 28), featured(["331101"], 6)),
        ("331181", "龙泉劳模工匠风采馆", "cultural_palace", "龙泉市工人文化宫", date(2022, 5, 1), featured(["331181"], 8)),
        ("331122", "劳模工匠风采长廊", "vocational_school", "缙云县职业中等专业学校", date(2022, 9, 1),
         featured(["331122"], 5)),
        ("331102", "班组劳模风采角", "enterprise", "丽水丽宝安防科技有限公司", date(2022, 3, 1), [jiang.pk]),
    ]
    for code, name, host_type, place, opened, workers in showcases:
        showcase_create(actor=d.actor(code), org=orgs[code], name=name, host_type=host_type, host_place=place,
                        opened_date=opened, featured_workers=sorted(set(workers)))

    ctx.log.append(f"宣讲 2022年 {LECTURES_2022} 场、2021年 {LECTURES_2021} 场,传播作品 {media_count} 件,"
                   f"班前十分钟 {sessions} 场,风采展示区 {len(showcases)} 处")
