"""Demo studios (every level, across the counties), mentorships of every form and a year of technical help.

Everything goes through the services; choices come from ctx.rng so the same seed builds the same data.
Main year 2022 (2021 too, for the two-year result rule), plus activity in the current year.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from laomo.core import clock
from laomo.core.actors import SYSTEM
from laomo.core.demo import demo_step
from laomo.workers.models import Worker

from . import services

UNITS = ["331101", "331102", "331121", "331122", "331123", "331124", "331125", "331126", "331127", "331181"]
# (unit, level, type, theme, host enterprise)
STUDIOS = [
    ("331101", "national", "model_worker", "电力带电作业", "国网丽水供电公司"),
    ("331181", "national", "craftsman", "青瓷烧制", "龙泉青瓷研究所"),
    ("331126", "provincial", "model_worker", "食用菌栽培", "庆元县食用菌产业中心"),
    ("331102", "provincial", "skilled_talent", "智能配电", "丽水万控科技有限公司"),
    ("331121", "provincial", "craftsman", "石雕技艺", "青田县石雕厂"),
    ("331122", "provincial", "model_worker", "高山蔬菜", "缙云县农业农村局"),
    ("331101", "municipal", "model_worker", "急危重症救治", "丽水市中心医院"),
    ("331102", "municipal", "skilled_talent", "安防设备", "丽水丽宝安防科技有限公司"),
    ("331123", "municipal", "model_worker", "林业苗木", "遂昌县林业局"),
    ("331124", "municipal", "craftsman", "茶叶加工", "松阳县茶叶站"),
    ("331125", "municipal", "skilled_talent", "木制玩具设计", "云和木玩有限公司"),
    ("331127", "municipal", "model_worker", "畲医畲药", "景宁畲族自治县人民医院"),
    ("331181", "municipal", "skilled_talent", "数控加工", "龙泉汽车空调有限公司"),
    ("331126", "municipal", "model_worker", "基层医疗", "庆元县人民医院"),
    ("331102", "county", "model_worker", "社区治理", "莲都区紫金街道"),
    ("331121", "county", "skilled_talent", "侨乡电商", "青田县侨乡电商园"),
    ("331122", "county", "craftsman", "缙云烧饼", "缙云县烧饼办"),
    ("331123", "county", "model_worker", "茶园机械", "遂昌县茶叶协会"),
    ("331124", "county", "skilled_talent", "古村落修缮", "松阳县古建公司"),
    ("331125", "county", "model_worker", "梯田种植", "云和县梯田景区"),
    ("331127", "county", "craftsman", "畲族彩带", "景宁畲族彩带协会"),
    ("331181", "county", "model_worker", "竹木加工", "龙泉市竹木产业园"),
]
LEAD_RANKS = {"national": (4, 3), "provincial": (3, 4), "municipal": (2, 3), "county": (2,)}
TYPE_SUFFIX = {"model_worker": "劳模创新工作室", "craftsman": "工匠创新工作室", "skilled_talent": "高技能人才创新工作室"}
STAFF_NAMES = ["陈晓东", "刘佳", "吴俊杰", "周婷", "徐浩", "朱丽娜", "胡建军", "郑敏", "潘伟", "叶静"]
APPRENTICE_NAMES = ["王小明", "李晓燕", "张宇航", "陈思远", "刘欣怡", "杨子豪", "赵雨涵", "黄俊熙", "周梦瑶", "吴嘉诚",
                    "徐一帆", "孙若曦", "马天佑", "朱可欣", "胡博文", "郭晨曦", "何思彤", "高子轩", "林语嫣", "罗浩然"]
ACHIEVEMENT_TITLES = {
    "patent": ["一种{t}用辅助装置", "一种{t}智能监测系统", "{t}快速检测方法"],
    "innovation": ["{t}工艺流程优化", "{t}工装夹具改进"],
    "qc": ["降低{t}返工率", "提高{t}一次合格率"],
    "method": ["{t}标准化施工工法"],
    "standard": ["{t}技术规程(团体标准)"],
    "award": ["{t}项目获省职工技术创新成果奖"],
    "paper": ["{t}关键技术研究与应用"],
}
TARGETS = {
    "enterprise": ["丽水经开区企业", "青田阀门厂", "缙云机床厂", "龙泉汽车空调厂", "庆元竹木厂", "云和木玩企业"],
    "community": ["白云街道社区", "紫金街道社区", "鹤城街道社区", "松庄社区"],
    "school": ["丽水职业技术学院", "龙泉中等职业学校", "庆元职业高中", "缙云职业中专"],
    "village": ["竹口镇黄坛村", "屏都街道菇农合作社", "大均乡伏叶村", "安仁镇农户"],
}
HELP_TOPICS = {
    "exchange": "{t}技术交流会", "training": "{t}技能培训班", "collaboration": "{t}联合攻关",
    "assistance": "{t}上门技术帮扶",
}


def _day(rng, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


@demo_step(40, "创新工作室、传帮带与技术服务")
def demo_studios(ctx):
    rng = ctx.rng
    today = timezone.localdate()
    this_year = today.year
    actors = {"331102": ctx.users["liandu"], "331126": ctx.users["qingyuan"], "331181": ctx.users["longquan"]}
    by_unit: dict[str, list] = {}
    for worker in (Worker.objects.filter(is_deleted=False, org__code__in=UNITS).exclude(employment_status="deceased")
                   .select_related("org").order_by("-highest_level_rank", "id")):
        by_unit.setdefault(worker.org.code, []).append(worker)
    me = Worker.objects.filter(user=ctx.users["worker"]).first()

    studios = []
    used_leads: set[int] = set()
    for i, (code, level, kind, theme, host) in enumerate(STUDIOS):
        pool = by_unit[code]
        if i == len(STUDIOS) - 3:  # one county studio led by a county-level worker: shows the lead warning
            lead = next(w for w in reversed(pool) if w.highest_level_rank == 1 and w.pk not in used_leads)
        elif (code == "331126" and me is not None and me.pk not in used_leads and level == "provincial"
              and me.highest_level_rank >= 2):
            lead = me
        else:  # a lead whose honor fits the studio's level (a county studio is led by a municipal model worker)
            ranks = LEAD_RANKS[level]
            lead = next((w for w in pool if w.pk not in used_leads and w.highest_level_rank in ranks),
                        next(w for w in pool if w.pk not in used_leads))
        used_leads.add(lead.pk)
        actor = actors.get(code, ctx.users["city"])
        founded = date(rng.choice([2014, 2016, 2017, 2018, 2019, 2020]), rng.randint(1, 12), rng.randint(1, 28))
        status, named = "named", founded + timedelta(days=rng.randint(200, 500))
        if i in (4, 17):  # still being cultivated, founded recently
            founded, status, named = date(2022, rng.randint(2, 8), rng.randint(1, 28)), "cultivating", None
        if i == 20:  # created this year, no project yet: flagged
            founded, status, named = _day(rng, date(this_year, 1, 1), today), "cultivating", None
        studio = services.studio_create(
            actor=actor, org=ctx.orgs[code], name=f"{lead.name}{theme}{TYPE_SUFFIX[kind]}", studio_type=kind,
            level=level, lead=lead, host_enterprise=host, founded_date=founded, status=status, named_date=named,
            specialty=theme, space_note=f"实训场地 {rng.randint(8, 40) * 10}㎡,配有专用设备",
            funding_note=f"依托单位年投入 {rng.randint(5, 60)} 万元;工会补助 {rng.choice([2, 3, 5, 10])} 万元",
            description=f"围绕{theme}开展技术攻关、技能培训和传帮带。")
        studio.actor, studio.pool = actor, [w for w in pool if w.pk != lead.pk and w != me]
        studios.append(studio)

    counts = {"members": 0, "achievements": 0, "reports": 0, "projects": 0}
    for i, studio in enumerate(studios):
        actor = studio.actor
        for worker in rng.sample(studio.pool[:60], k=rng.randint(2, 4)):
            services.member_add(actor=actor, studio=studio, worker=worker, role=rng.choice(["core", "member"]),
                                joined_date=_day(rng, studio.founded_date, date(2021, 12, 31)))
        if me is not None and studio.org.code == "331126" and studio.lead_id != me.pk:
            services.member_add(actor=actor, studio=studio, worker=me, role="core",
                                joined_date=_day(rng, studio.founded_date, date(2021, 12, 31)))
        for name in rng.sample(STAFF_NAMES, k=rng.randint(1, 2)):
            services.member_add(actor=actor, studio=studio, name=name, title=rng.choice(["技术员", "工程师", "技师"]),
                                joined_date=_day(rng, studio.founded_date, date(2021, 12, 31)))
        members = list(studio.members.all())
        counts["members"] += len(members)
        revoked = i == 16  # one studio with no results fails its 2022 assessment and is revoked
        years = [y for y in (2021, 2022, this_year) if date(y, 12, 31) >= studio.founded_date]
        for year in years:
            if (revoked and year >= 2022) or (year == this_year and (i % 4 == 3 or studio.founded_date.year == year)):
                continue  # no project this year: flagged on the list
            start = max(studio.founded_date, date(year, 1, 1))
            end = min(date(year, 12, 31), today)
            begun = _day(rng, start, min(end, start + timedelta(days=120)))
            closed = year < this_year
            services.project_add(actor=actor, studio=studio, title=f"{year}年{studio.specialty}攻关项目", start_date=begun,
                                 goal=f"解决{studio.specialty}中的关键技术难题", status="concluded" if closed else "ongoing",
                                 end_date=max(begun, date(year, 12, 20)) if closed else None)
            counts["projects"] += 1
            if revoked:
                continue
            # this year: a few studios have no recognized result yet, so the two-year flag shows
            for _ in range(rng.randint(1, 3) if year != this_year else (0 if i % 5 == 1 else rng.randint(1, 2))):
                kind = rng.choice(list(ACHIEVEMENT_TITLES))
                achieved = _day(rng, start, end)
                benefit = Decimal(rng.randint(2, 800) * 1000) + Decimal(rng.choice(["0", "0.50", "0.80"])) \
                    if kind in ("patent", "innovation", "qc", "method") else None
                services.achievement_add(
                    actor=actor, studio=studio, kind=kind,
                    title=rng.choice(ACHIEVEMENT_TITLES[kind]).format(t=studio.specialty), achieved_date=achieved,
                    patent_no=f"ZL{achieved.year}{rng.randint(10000000, 99999999)}.{rng.randint(0, 9)}"
                    if kind == "patent" else "",
                    is_recognized=rng.random() > 0.15, recognized_by="国家知识产权局" if kind == "patent" else "",
                    economic_benefit=benefit, credited=rng.sample(members, k=min(len(members), rng.randint(1, 3))))
                counts["achievements"] += 1
        if studio.status == "named":
            for year in (2022, this_year):
                for quarter in (1, 2, 3, 4):
                    q_start = date(year, 3 * quarter - 2, 1)
                    if q_start > today or (revoked and year > 2022) or q_start < studio.founded_date:
                        continue
                    services.report_submit(
                        actor=actor, studio=studio, year=year, quarter=quarter,
                        summary=f"本季度开展{studio.specialty}技术攻关和技能培训,推进项目实施。",
                        activities=rng.randint(2, 9), participants=rng.randint(20, 160), trainees=rng.randint(10, 90),
                        problems_solved=rng.randint(0, 5), funds_spent=Decimal(rng.randint(5, 80) * 500))
                    counts["reports"] += 1
            for year in (2021, 2022):
                if year < studio.founded_date.year:
                    continue
                score = Decimal(rng.randint(780, 975)) / 10
                result = "excellent" if score >= 90 else "pass"
                if revoked and year == 2022:
                    score, result = Decimal("52.5"), "fail"
                assessed = date(year + 1, 1, rng.randint(10, 28))
                with clock.at(clock.moment_on(assessed, 10)):
                    services.assessment_record(actor=actor, studio=studio, year=year, score=score, result=result,
                                               assessed_date=assessed, assessor=f"{studio.org.name}",
                                               comment="按年度考核办法评定。")
        if i == 6:  # a review started this year
            services.studio_transition(actor=actor, studio=studio, to_status="reviewing",
                                       date=_day(rng, date(this_year, 1, 1), today), reason="五年一次复核")
        if revoked:
            services.studio_transition(actor=actor, studio=studio, to_status="revoked", date=date(2023, 2, 20),
                                       reason="连续两年无认定成果,2022年度考核不合格")

    # Mentorships: every form in every main year, across the units.
    shapes = [(1, 1), (1, 3), (2, 1), (2, 3), (1, 2), (3, 1), (1, 1), (2, 2)]
    live_studios = [s for s in studios if s.status != "revoked"]
    mentorships = []
    for n in range(40):
        code = UNITS[n % len(UNITS)]
        mentors_n, apprentices_n = shapes[n % len(shapes)]
        pool = by_unit[code]
        mentors = rng.sample(pool[:40], k=mentors_n)
        if me is not None and n == 27:  # the demo worker (庆元) mentors a pairing running this year
            mentors = [me] + [w for w in mentors if w.pk != me.pk][: mentors_n - 1]
        juniors = [w for w in pool[-200:] if w not in mentors]
        outsiders = rng.sample(APPRENTICE_NAMES, k=apprentices_n)
        apprentices = []
        for k in range(apprentices_n):
            if k % 2 and juniors:
                apprentices.append(juniors.pop(rng.randrange(len(juniors))))
            else:
                apprentices.append(services.Person(name=outsiders[k], employer=rng.choice(TARGETS["enterprise"]),
                                                   job="技术员"))
        year = [2021, 2022, 2022, this_year][(n // len(shapes)) % 4]  # every shape in every year
        start = _day(rng, date(year, 1, 1), min(date(year, 10, 31), today))
        end = None if n % 3 == 0 else start + timedelta(days=rng.choice([180, 365, 730]))
        studio = next((s for s in live_studios if s.org.code == code), None) if n % 2 == 0 else None
        skill = studio.specialty if studio else rng.choice(["电工技能", "数控编程", "食用菌栽培", "中医针灸", "茶叶炒制"])
        m = services.mentorship_create(
            actor=actors.get(code, ctx.users["city"]), org=ctx.orgs[code], title=f"{mentors[0].name}{skill}传帮带",
            goals=f"一年内使徒弟掌握{skill}核心技能,取得高一级职业技能等级证书", start_date=start, end_date=end,
            mentors=mentors, apprentices=apprentices, skill=skill, studio=studio)
        mentorships.append(m)
        last = min(today, end or today)
        for _ in range(rng.randint(2, 4)):
            services.checkin_add(actor=SYSTEM, mentorship=m, date=_day(rng, start, last),
                                 content=f"现场示范{skill}操作要点,徒弟实操练习", hours=Decimal(rng.randint(2, 8)))
        if (last - start).days > 120 and rng.random() < 0.6:
            apprentice = m.participants.filter(role="apprentice").first()
            services.outcome_add(actor=SYSTEM, mentorship=m, apprentice=apprentice,
                                 kind=rng.choice(["skill_level", "certificate"]),
                                 result=rng.choice(["高级工(三级)", "技师(二级)", "中级工(四级)", "电工作业操作证"]),
                                 achieved_date=_day(rng, start + timedelta(days=90), last))

    # Technical help: every month of 2022, and this year up to today.
    activities = 0
    months = [(2022, m) for m in range(1, 13)] + [(this_year, m) for m in range(1, today.month + 1)]
    for year, month in months:
        for _ in range(rng.randint(6, 11) if year == 2022 else rng.randint(2, 4)):
            code = rng.choice(UNITS)
            kind = rng.choice(list(HELP_TOPICS))
            target_type = rng.choice(list(TARGETS))
            first = date(year, month, 1)
            last = min(today, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
            if first > today:
                continue
            day = _day(rng, first, last)
            studio = next((s for s in studios if s.org.code == code and s.status != "revoked"
                           and s.founded_date <= day), None)
            theme = studio.specialty if studio and rng.random() < 0.7 else rng.choice(
                ["电器维修", "食用菌病害防治", "安全生产", "数控加工", "茶园管理"])
            services.tech_help_create(
                actor=actors.get(code, ctx.users["city"]), org=ctx.orgs[code], kind=kind,
                topic=HELP_TOPICS[kind].format(t=theme), target_type=target_type,
                target_name=rng.choice(TARGETS[target_type]), date=day,
                participants=rng.sample(by_unit[code][:80], k=rng.randint(1, 3))
                + ([me] if me is not None and code == "331126" and rng.random() < 0.3 else []),
                trainees_count=rng.randint(8, 120) if kind in ("training", "exchange") else rng.randint(0, 20),
                problems_solved=rng.choice(["解决设备异响问题", "改进生产工艺,降低能耗", "指导病虫害防治", ""]),
                studio=studio if studio and theme == studio.specialty else None)
            activities += 1
    ctx.log.append(f"创新工作室 {len(studios)} 个(成员 {counts['members']} 人次,成果 {counts['achievements']} 项,"
                   f"季度报告 {counts['reports']} 份),传帮带结对 {len(mentorships)} 对,技术服务活动 {activities} 场")
