"""Demo volunteering: 庆元's teams as the seed names them (庆工益之家), teams in other counties, a year of
records whose 2022 summary for 庆元 gives the seed's figures, the 6·20 flood and an epidemic testing drive,
a few hundred requests in every state, and ongoing activity this year. All through the services."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from laomo.core.actors import SYSTEM
from laomo.core.demo import demo_step
from laomo.workers import services as worker_services
from laomo.workers.models import Worker

from . import services as s
from .models import RequestStatus, ServiceRecord, ServiceRequest, TeamType

# 庆元县 2022 person-times by team type: the seed's 1300+ medical, 1100+ power, 80+ fungus, 50+ agriculture,
# 60+ forestry (tests check these exact totals).
QINGYUAN_2022 = {"medical": 1326, "power": 1118, "fungus": 86, "agriculture": 54, "forestry": 63}
OTHER_2022 = {  # (county, team type): person-times
    ("331102", "technical"): 420, ("331102", "medical"): 510, ("331181", "agriculture"): 230,
    ("331181", "forestry"): 150, ("331100", "legal"): 160, ("331100", "counselling"): 120,
}
PLACES = {
    "331126": ["淤上塘根新时代小区", "松源街道", "屏都街道", "竹口镇", "黄田镇", "贤良镇", "荷地镇", "安南乡", "百山祖镇"],
    "331102": ["紫金街道", "万象街道", "岩泉街道", "碧湖镇", "老竹畲族镇", "丽水万控科技有限公司"],
    "331181": ["剑池街道", "龙渊街道", "八都镇", "上垟镇", "安仁镇", "兰巨乡"],
    "331100": ["丽水市工人文化宫", "白云街道", "丽水经济技术开发区"],
}
CONTENT = {
    "medical": ["量血压、测血糖义诊", "慢性病用药咨询", "结核病防治宣传与义诊", "老年人健康体检"],
    "power": ["农村电路检修", "家用电器维修", "用电安全检查", "线路老化排查"],
    "fungus": ["香菇制棒技术指导", "菇农出菇管理咨询", "烂棒防治现场指导"],
    "agriculture": ["蔬菜病虫害防治指导", "兽医服务", "水稻种植技术指导"],
    "forestry": ["苗木栽培技术指导", "林下经济种植咨询", "毛竹林抚育指导"],
    "legal": ["劳动合同法律咨询", "欠薪维权咨询", "法律知识讲座"],
    "counselling": ["职工心理疏导", "青少年心理健康讲座", "情绪压力团体辅导"],
    "technical": ["设备维修技术帮扶", "数控加工技术交流", "一线职工技能培训"],
}
REQUEST_TEXT = {
    "medical": "家里老人高血压,想请医生上门量血压、讲讲用药",
    "power": "村里老房子电路老化经常跳闸,想请电力师傅来检修",
    "fungus": "今年香菇烂棒比较多,想请专家来看看是什么原因",
    "agriculture": "大棚蔬菜叶子发黄,怀疑病虫害,需要技术指导",
    "forestry": "承包的山上苗木长势不好,想请林业专家指导栽培",
    "legal": "在工地干活老板拖欠工资三个月,想咨询怎么维权",
    "counselling": "孩子高考压力大晚上失眠,想找心理老师疏导一下",
    "technical": "小作坊的机械设备老是出故障,想请师傅来看看",
    "other": "社区想请劳模来给孩子们讲讲劳模故事",
}
SPECIALTY_TYPES = {"食用菌": "fungus", "电力": "power", "内科": "medical", "林业": "forestry", "兽医": "agriculture",
                   "蔬菜": "agriculture", "法律": "legal", "心理": "counselling", "机械": "technical",
                   "数控": "technical"}
NAMED_WORKERS = [  # (name, county, honor, specialties) from the seed
    ("范世法", "331181", "丽水市劳动模范", "蔬菜种植、病虫害防治、灾后恢复"),
    ("范海菊", "331181", "丽水市劳动模范", "内科、结核病防治、义诊"),
    ("赵夏钗", "331102", "莲都区劳动模范", "社区管理、核酸检测组织"),
    ("吴淑莲", "331102", "浙江省劳动模范", "网格管理、心理疏导"),
    ("叶惠萍", "331102", "莲都区劳动模范", "社区网格、核酸检测"),
    ("赖俊声", "331126", "庆元县劳动模范", "林业苗木栽培、育苗"),
    ("吴学宝", "331126", "庆元县劳动模范", "兽医、畜牧"),
]


def _moment(d: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(hour, 0)))


def _split(rng, total: int, parts: int) -> list[int]:
    """`total` split into `parts` positive integers (deterministic from rng)."""
    parts = max(1, min(parts, total))
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return [bounds[i + 1] - bounds[i] for i in range(parts)]


def _in_place(org, name: str) -> str:
    """`name` of a team of `org`, prefixed with the place unless it already names it (no 丽水市丽水市)."""
    place = org.short_name or org.name
    return name if name.startswith(place) else f"{place}{name}"


def _type_of(specialties: str) -> str | None:
    for word, team_type in SPECIALTY_TYPES.items():
        if word in specialties:
            return team_type
    return None


@demo_step(30, "志愿服务(服务队、服务记录、群众点单、应急行动、证明)")
def demo_volunteering(ctx):
    rng, orgs, users = ctx.rng, ctx.orgs, ctx.users
    city, qingyuan, liandu, longquan = users["city"], users["qingyuan"], users["liandu"], users["longquan"]
    today = timezone.localdate()

    named = {}
    for name, county, honor, specialties in NAMED_WORKERS:
        w = worker_services.worker_create(actor=SYSTEM, org=orgs[county], name=name, specialties=specialties)
        worker_services.honor_add(actor=SYSTEM, worker=w, title=honor, year=2018)
        named[name] = w
    by_county_type: dict[tuple[str, str], list] = {}
    for w in Worker.objects.filter(is_deleted=False, org__code__in=list(PLACES)).exclude(
            employment_status="deceased").select_related("org").order_by("id"):
        team_type = _type_of(w.specialties)
        if team_type:
            by_county_type.setdefault((w.org.code, team_type), []).append(w)

    def team(org, name, team_type, *, parent=None, base="", leader=None, founded=date(2020, 5, 1), actor=city):
        t = s.team_create(actor=actor, org=org, name=name, team_type=team_type, parent=parent, base=base,
                          founded_on=founded, leader=leader, description=_in_place(org, name))
        pool = by_county_type.get((org.code, team_type), [])
        for w in pool[:8]:
            s.member_add(actor=actor, team=t, worker=w, joined_on=founded)
        if len(pool) < 2:
            for volunteer in ("志愿者甲", "志愿者乙")[len(pool):]:
                s.member_add(actor=actor, team=t, name=f"{name[:2]}{volunteer}", phone="13800000000",
                             joined_on=founded)
        return t

    qy = orgs["331126"]
    base = "庆工益之家"
    tech = team(qy, "劳模技术服务队", "technical", base=base, actor=qingyuan)
    teams = {
        ("331126", "medical"): team(qy, "医疗卫生服务队", "medical", parent=tech, base=base, leader=users["leader"],
                                    actor=qingyuan),
        ("331126", "fungus"): team(qy, "食用菌技术指导服务队", "fungus", parent=tech, base=base, actor=qingyuan),
        ("331126", "power"): team(qy, "电力服务队", "power", parent=tech, base=base, actor=qingyuan),
        ("331126", "agriculture"): team(qy, "农技服务队", "agriculture", parent=tech, base=base, actor=qingyuan),
        ("331126", "forestry"): team(qy, "林业服务队", "forestry", parent=tech, base=base, actor=qingyuan),
        ("331126", "legal"): team(qy, "法律志愿服务队", "legal", base=base, actor=qingyuan),
        ("331126", "counselling"): team(qy, "心理咨询服务队", "counselling", base=base, actor=qingyuan),
        ("331102", "technical"): team(orgs["331102"], "莲都区劳模志愿服务队", "technical", actor=liandu),
        ("331102", "medical"): team(orgs["331102"], "莲都区劳模医疗服务队", "medical", actor=liandu),
        ("331181", "agriculture"): team(orgs["331181"], "龙泉市劳模工匠农技服务队", "agriculture", actor=longquan),
        ("331181", "forestry"): team(orgs["331181"], "龙泉市林业劳模服务队", "forestry", actor=longquan),
        ("331100", "legal"): team(orgs["331100"], "丽水市劳模法律服务队", "legal"),
        ("331100", "counselling"): team(orgs["331100"], "丽水市劳模心理咨询服务队", "counselling"),
    }
    teams[("331126", "technical")] = tech
    me = Worker.objects.filter(user=users["worker"]).first()
    if me is not None and not teams[("331126", "fungus")].members.filter(worker=me).exists():
        s.member_add(actor=qingyuan, team=teams[("331126", "fungus")], worker=me, duty="技术骨干",
                     joined_on=date(2020, 5, 1))
    s.member_add(actor=qingyuan, team=teams[("331126", "medical")], name="刘护士", phone="13957812345",
                 duty="志愿者", joined_on=date(2021, 3, 1))
    for name in ("赖俊声",):
        s.member_add(actor=qingyuan, team=teams[("331126", "forestry")], worker=named[name])
    s.member_add(actor=qingyuan, team=teams[("331126", "agriculture")], worker=named["吴学宝"])
    s.member_add(actor=longquan, team=teams[("331181", "agriculture")], worker=named["范世法"])
    s.member_add(actor=liandu, team=teams[("331102", "medical")], worker=named["叶惠萍"])

    actor_for = {"331126": qingyuan, "331102": liandu, "331181": longquan, "331100": city}

    def volunteers(t, count):
        members = list(t.members.filter(is_active=True)) or list(t.parent.members.filter(is_active=True))
        chosen = rng.sample(members, min(count, len(members)))
        return [{"member": m, "hours": Decimal(rng.choice(["1.5", "2", "2.5", "3", "4"]))} for m in chosen]

    def records(county, team_type, total, year, *, count=None, until=None):
        t = teams[(county, team_type)]
        if total <= 0:
            return
        n = count or max(3, total // 22)
        last = until or date(year, 12, 31)
        for person_times in _split(rng, total, n):
            d = date(year, 1, 1) + timedelta(days=rng.randrange((last - date(year, 1, 1)).days + 1))
            with s.at(_moment(d, 18)):
                s.record_create(actor=actor_for[county], team=t, date=d,
                                place_kind=rng.choice(["village", "community", "village", "enterprise"]),
                                place=rng.choice(PLACES[county]), content=rng.choice(CONTENT[team_type]),
                                person_times=person_times, volunteers=volunteers(t, rng.randint(1, 3)))

    # --- requests: a few hundred, in every state ------------------------------------------------
    request_counties = ["331126"] * 5 + ["331102"] * 2 + ["331181"] * 2 + ["331100"]
    categories = list(TeamType.values) + ["other"]
    qingyuan_2022_request_pt = {t: 0 for t in QINGYUAN_2022}

    ceiling = timezone.now() - timedelta(minutes=1)

    def past(moment: datetime) -> datetime:
        """No step of a request happens later than now (the newest ones are still in progress)."""
        return min(moment, ceiling)

    def make_request(county, when: datetime, final: str, category=None):
        category = category or rng.choice(categories)
        staff = actor_for[county]
        when = past(when)
        with s.at(when):
            req = s.request_submit(actor=SYSTEM, org=orgs[county], category=category,
                                   description=REQUEST_TEXT[category], town=rng.choice(PLACES[county]),
                                   village=f"{rng.choice('东西南北上下')}村", contact_name=rng.choice("张王李吴叶赵")
                                   + rng.choice("大小") + rng.choice("明华英芳"),
                                   contact_phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                                   preferred_time=rng.choice(["工作日上午", "周末", "尽快", ""]))
        if final == "pending":
            return req
        if final == "refused":
            with s.at(past(when + timedelta(hours=5))):
                return s.request_refuse(actor=staff, request=req, reason="不属于劳模志愿服务范围,已转交相关部门")
        key = (county, category if category in TeamType.values else "technical")
        t = teams.get(key) or teams.get((county, "technical")) or next(v for k, v in teams.items() if k[0] == county)
        worker = me if (county == "331126" and category == "fungus" and me is not None) else None
        with s.at(past(when + timedelta(hours=rng.randint(2, 30)))):
            s.request_dispatch(actor=staff, request=req, team=t, worker=worker)
        if final == "cancelled":
            with s.at(past(when + timedelta(days=1, hours=3))):
                return s.request_cancel(actor=staff, request=req, reason="群众来电表示问题已自行解决")
        if final == "declined":
            with s.at(past(when + timedelta(days=1, hours=5))):
                return s.request_decline(actor=users["leader"] if t.leader_id == users["leader"].pk else staff,
                                         request=req, reason="该时段队员均有任务,请改派")
        if final == "dispatched":
            return req
        with s.at(past(when + timedelta(days=1, hours=6))):
            s.request_accept(actor=staff, request=req)
        if final == "accepted":
            return req
        served = min((when + timedelta(days=rng.randint(2, 5))).date(), timezone.localdate(ceiling))
        with s.at(past(_moment(served, 17))):
            person_times = rng.randint(1, 6)
            vols = [{"worker": worker, "hours": Decimal("2")}] if worker else volunteers(t, 1)
            s.request_complete(actor=staff, request=req, date=served, place_kind="village",
                               place=f"{req.town}{req.village}", content=f"上门服务:{REQUEST_TEXT[category][:20]}",
                               person_times=person_times, volunteers=vols)
            if county == "331126" and served.year == 2022 and t.team_type in qingyuan_2022_request_pt:
                qingyuan_2022_request_pt[t.team_type] += person_times
        if final == "completed":
            return req
        with s.at(past(_moment(served + timedelta(days=rng.randint(1, 4)), 20))):
            return s.request_rate(actor=SYSTEM, request=req, rating=rng.choice([5, 5, 5, 4, 4, 3]),
                                  comment=rng.choice(["劳模师傅很专业,感谢!", "服务及时,很满意", "解决了大问题", ""]))

    # 2022: the main year, every request closed.
    finals_2022 = ["rated"] * 8 + ["completed"] * 2 + ["refused", "cancelled"]
    for i in range(96):
        when = _moment(date(2022, 1, 3) + timedelta(days=rng.randrange(350)), rng.randint(8, 20))
        make_request(rng.choice(request_counties), when, finals_2022[i % len(finals_2022)])
    # This year: every state, some overdue.
    recent = ["rated"] * 3 + ["completed", "accepted", "dispatched", "pending", "refused", "cancelled", "declined"]
    span = max(1, (today - date(today.year, 1, 1)).days - 6)
    for i in range(110):
        when = _moment(date(today.year, 1, 1) + timedelta(days=rng.randrange(span)), rng.randint(8, 20))
        make_request(rng.choice(request_counties), when, recent[i % len(recent)])
    for county in ("331126", "331102"):  # in the queue for days: overdue
        make_request(county, timezone.now() - timedelta(days=4), "pending")
    # For the demo worker's phone page: dispatched to 叶长文 now.
    for _ in range(2):
        make_request("331126", timezone.now() - timedelta(hours=3), "dispatched", category="fungus")

    # --- service records: 庆元's seed figures for 2022, the other counties, 2021 and this year ---------
    for team_type, total in QINGYUAN_2022.items():
        records("331126", team_type, total - qingyuan_2022_request_pt[team_type], 2022)
    for (county, team_type), total in OTHER_2022.items():
        records(county, team_type, total, 2022)
    for (county, team_type), total in {**{("331126", k): v - 80 for k, v in QINGYUAN_2022.items() if v > 500},
                                       ("331126", "fungus"): 71, ("331102", "technical"): 380,
                                       ("331181", "agriculture"): 200}.items():
        records(county, team_type, total, 2021)
    if today.timetuple().tm_yday > 20:
        for (county, team_type), total in {("331126", "medical"): 260, ("331126", "power"): 210,
                                           ("331126", "fungus"): 24, ("331102", "technical"): 90}.items():
            records(county, team_type, total, today.year, count=8, until=today - timedelta(days=1))

    # --- mobilizations ---------------------------------------------------------------------------
    flood = s.mobilization_create(actor=longquan, org=orgs["331181"], name="“6·20”特大暴雨灾后生产自救",
                                  kind="emergency", team_type="agriculture", start_date=date(2022, 6, 20),
                                  end_date=date(2022, 7, 5), area="龙泉市城区及受灾乡镇",
                                  description="指导受灾菜农清理沟渠、扶正理藤,开展灾后病害预防。",
                                  posts=["城区内涝点", "受灾菜地田间指导"])
    drive = s.mobilization_create(actor=liandu, org=orgs["331102"], name="市区全员核酸检测", kind="special",
                                  team_type="medical", start_date=date(2022, 4, 8), end_date=date(2022, 4, 11),
                                  area="莲都区城区", description="劳模下沉网格,负责核酸检测点位布置、秩序维护、标本转运。",
                                  posts=["银苑小广场核酸检测点", "正阳社区核酸检测点"])
    posts = {p.name: p for m in (flood, drive) for p in m.posts.all()}
    s.roster_add(actor=longquan, mobilization=flood, worker=named["范世法"], post=posts["受灾菜地田间指导"],
                 duty_from=date(2022, 6, 20), duty_to=date(2022, 7, 5), role="技术指导")
    s.roster_add(actor=liandu, mobilization=drive, worker=named["赵夏钗"], post=posts["银苑小广场核酸检测点"],
                 duty_from=date(2022, 4, 8), duty_to=date(2022, 4, 10), role="点位负责人")
    s.roster_add(actor=liandu, mobilization=drive, worker=named["叶惠萍"], post=posts["正阳社区核酸检测点"],
                 duty_from=date(2022, 4, 8), duty_to=date(2022, 4, 11), role="网格员")
    s.roster_add(actor=liandu, mobilization=drive, worker=named["吴淑莲"], post=posts["正阳社区核酸检测点"],
                 duty_from=date(2022, 4, 8), duty_to=date(2022, 4, 11), role="网格排查")
    for d, pt in ((date(2022, 6, 21), 46), (date(2022, 6, 23), 38), (date(2022, 6, 27), 25)):
        s.record_create(actor=longquan, mobilization=flood, date=d, place_kind="village", place="龙泉市八都镇受灾菜地",
                        content="指导菜农清沟排水、扶正理藤、病害预防", person_times=pt,
                        volunteers=[{"worker": named["范世法"], "hours": Decimal("8")}])
    for d in (date(2022, 4, 8), date(2022, 4, 9), date(2022, 4, 10)):
        s.record_create(actor=liandu, mobilization=drive, date=d, place_kind="community", place="银苑小广场",
                        content="核酸检测点位布置、人员协调、标本转运", person_times=3200,
                        volunteers=[{"worker": named["赵夏钗"], "hours": Decimal("12")},
                                    {"worker": named["叶惠萍"], "hours": Decimal("10")}])

    # --- a certificate for the demo worker ----------------------------------------------------------
    certificates = 0
    if me is not None and ServiceRecord.objects.filter(volunteers__worker=me, date__year=2022).exists():
        s.certificate_issue(actor=qingyuan, worker=me, org=qy, period_from=date(2022, 1, 1),
                            period_to=date(2022, 12, 31))
        certificates = 1
    ctx.log.append(f"志愿服务队 {len(teams)} 支,服务记录 {ServiceRecord.objects.count()} 条,"
                   f"群众点单 {ServiceRequest.objects.count()} 件(待审核 "
                   f"{ServiceRequest.objects.filter(status=RequestStatus.PENDING).count()} 件),证明 {certificates} 份")
