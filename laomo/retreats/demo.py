"""Demo 疗休养, built through the services: three agencies/bases; 2021 (3 batches); 2022 as the seed reports
it (4 batches, 69 workers attended, surveys answered by most); this year one batch held and one open."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from laomo.core.actors import PUBLIC
from laomo.core.demo import demo_step
from laomo.workers.models import Worker

from . import rules, services
from .models import ApplicationStatus

COUNTY_USERS = {"331102": "liandu", "331126": "qingyuan", "331181": "longquan"}
QUOTA_UNITS = ["331101", "331102", "331121", "331122", "331123", "331124", "331125", "331126", "331127", "331181"]
DIETS = ["", "", "", "", "不吃辣", "素食", "清真", "海鲜过敏", "少盐"]
HEALTH = ["", "", "", "", "", "高血压,按时服药", "糖尿病,随身带药", "腰椎不好,不宜长时间步行", "心脏支架术后三年"]
COMMENTS = ["行程安排合理,劳逸结合。", "住宿条件很好,感谢工会关怀!", "导游讲解细致,服务周到。", "餐饮口味偏淡,希望更有地方特色。",
            "希望增加健康讲座和体检项目。", "大巴车程较长,老同志有些吃力。", "活动丰富,和其他劳模交流收获很大。", ""]

ITINERARIES = {
    "千岛湖": [("丽水—千岛湖,入住疗休养基地", "开营仪式、劳模座谈会", "千岛湖职工疗休养基地", "午餐、晚餐"),
            ("千岛湖游船,梅峰揽胜", "游船观光、登梅峰观岛", "千岛湖职工疗休养基地", "三餐"),
            ("健康体检与中医理疗", "基地健康体检、健康讲座", "千岛湖职工疗休养基地", "三餐"),
            ("下姜村乡村振兴学习", "参观下姜村、交流座谈", "千岛湖职工疗休养基地", "三餐"),
            ("返程", "返回丽水", "", "早餐、午餐")],
    "安吉": [("丽水—安吉余村", "参观“两山”理念发源地", "安吉度假酒店", "午餐、晚餐"),
           ("安吉竹博园、大竹海", "竹文化参观", "安吉度假酒店", "三餐"),
           ("健康讲座与茶文化体验", "白茶基地体验", "安吉度假酒店", "三餐"),
           ("鲁家村田园综合体", "乡村振兴学习", "安吉度假酒店", "三餐"),
           ("返程", "返回丽水", "", "早餐、午餐")],
    "舟山": [("丽水—舟山", "途经跨海大桥", "普陀山庄", "午餐、晚餐"),
           ("普陀山", "登山游览", "普陀山庄", "三餐"),
           ("沈家门渔港", "渔港风情、海鲜市场", "普陀山庄", "三餐"),
           ("朱家尖", "海滨休闲", "普陀山庄", "三餐"),
           ("返程", "返回丽水", "", "早餐、午餐")],
    "仙居": [("丽水—仙居", "入住", "神仙居度假酒店", "午餐、晚餐"),
           ("神仙居景区", "观光索道、栈道", "神仙居度假酒店", "三餐"),
           ("高迁古村", "古民居参观", "神仙居度假酒店", "三餐"),
           ("健康体检", "体检、健康讲座", "神仙居度假酒店", "三餐"),
           ("返程", "返回丽水", "", "早餐、午餐")],
}


def _itinerary(place: str, days: int) -> list[dict]:
    rows = ITINERARIES[place][:days]
    return [{"title": t, "activities": a, "accommodation": h, "meals": m} for t, a, h, m in rows]


class _Builder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng
        self.city = ctx.users["city"]
        self.orgs = ctx.orgs
        self.used: set[int] = set()
        pool = list(Worker.objects.filter(is_deleted=False, birth_date__isnull=False, highest_level_rank__gte=1)
                    .exclude(employment_status="deceased").select_related("org").order_by("id"))
        self.rng.shuffle(pool)
        self.pool = pool
        self.log = {"batches": 0, "attended": 0, "surveys": 0}
        # The self-service demo worker is left free to apply for this year's open batch.
        self.me = set(Worker.objects.filter(user=ctx.users["worker"]).values_list("pk", flat=True))
        self.skip: set[int] = set()
        self.went: dict[int, date] = {}  # worker → start of the last batch attended

    def actor_for(self, org):
        for code, username in COUNTY_USERS.items():
            if org.is_within(self.orgs[code]):
                return self.ctx.users[username]
        return self.city

    def looks_eligible(self, batch, worker, unit) -> bool:
        went = self.went.get(worker.pk)
        if went and batch.not_attended_years and went.year > batch.start_date.year - batch.not_attended_years - 1:
            return False  # the three-year rule would refuse them: spare the demo the attempt
        return (worker.pk not in self.used and worker.pk not in self.skip and worker.org.is_within(unit)
                and worker.highest_level_rank >= batch.min_level_rank
                and worker.employment_status in batch.employment_statuses
                and (not batch.max_age or rules.age_on(worker.birth_date, batch.start_date) <= batch.max_age))

    def batch(self, *, name, place, start, days, vendor, capacity, cost, year_quotas, min_level=2,
              not_attended=3, max_age=70, leader=("王敏", "13905780001"), deadline_days=15):
        end = start + timedelta(days=days - 1)
        quotas = {self.orgs[code]: n for code, n in year_quotas.items() if n}
        batch = services.batch_create(
            actor=self.city, org=self.orgs["331100"], name=name, destination=place, start_date=start, end_date=end,
            registration_deadline=start - timedelta(days=deadline_days), vendor=vendor, capacity=capacity,
            cost_per_person=Decimal(cost), budget=Decimal(cost) * capacity + Decimal("5000.00"),
            leader_name=leader[0], leader_phone=leader[1], min_level_rank=min_level,
            employment_statuses=["active", "retired"], not_attended_years=not_attended, max_age=max_age,
            health_declaration_required=True, itinerary=_itinerary(place, days), quotas=quotas,
            note="市总工会组织市级以上劳模疗休养,旅行社负责交通、食宿和保险。")
        services.batch_set_status(actor=self.city, batch=batch, status="open")
        return batch

    def fill(self, batch, *, today, spare: dict | None = None):
        """Each unit nominates up to its quota (less `spare` seats); a candidate a rule refuses is skipped."""
        for quota in batch.quotas.select_related("org"):
            done = 0
            for worker in self.pool:
                if done >= quota.quota - (spare or {}).get(quota.org.code, 0):
                    break
                if not self.looks_eligible(batch, worker, quota.org):
                    continue
                try:
                    services.application_submit(
                        actor=self.actor_for(worker.org), batch=batch, worker=worker,
                        front_line=self.rng.random() < 0.35, health_declared=True,
                        health_note=self.rng.choice(HEALTH), dietary_note=self.rng.choice(DIETS), today=today)
                except ValidationError:
                    continue
                self.used.add(worker.pk)
                done += 1

    def run_trip(self, batch, *, withdraw: int, absent: int, response_rate: float, weights):
        """Confirm by priority, withdrawals (the waitlist moves up), the trip, attendance and surveys."""
        services.batch_confirm_by_priority(actor=self.city, batch=batch)
        confirmed = list(batch.applications.filter(status=ApplicationStatus.CONFIRMED).order_by("id"))
        for app in self.rng.sample(confirmed, withdraw):
            services.application_withdraw(actor=self.city, application=app, reason="工作安排冲突,本人申请退出")
        for app in batch.applications.filter(status=ApplicationStatus.WAITLISTED):
            services.application_withdraw(actor=self.city, application=app, reason="名额已满,转下一批次")
        services.batch_set_status(actor=self.city, batch=batch, status="confirmed")
        services.batch_set_status(actor=self.city, batch=batch, status="ongoing")
        going = list(batch.applications.filter(status=ApplicationStatus.CONFIRMED).select_related("worker")
                     .order_by("id"))
        missing = set(a.pk for a in self.rng.sample(going, absent))
        for app in going:
            services.application_record_attendance(actor=self.city, application=app, attended=app.pk not in missing)
        services.batch_set_status(actor=self.city, batch=batch, status="completed")
        self.log["batches"] += 1
        for app in going:
            if app.pk in missing:
                continue
            self.log["attended"] += 1
            self.went[app.worker_id] = batch.start_date
            if self.rng.random() >= response_rate:
                continue
            ratings = {f: self.rng.choices([5, 4, 3, 2], weights=weights)[0]
                       for f in ("itinerary", "accommodation", "food", "guide", "overall")}
            services.survey_submit(application=app, actor=PUBLIC, comment=self.rng.choice(COMMENTS), **ratings)
            self.log["surveys"] += 1


def _quotas(rng, capacity: int, extra: int = 2) -> dict[str, int]:
    """Spread capacity + extra seats over the ten units (everyone gets at least one)."""
    quotas = {code: 1 for code in QUOTA_UNITS}
    weights = [3, 3, 2, 2, 2, 2, 1, 2, 1, 2]
    for _ in range(capacity + extra - len(QUOTA_UNITS)):
        quotas[rng.choices(QUOTA_UNITS, weights=weights)[0]] += 1
    return quotas


@demo_step(70, "疗休养(2021年3批、2022年4批69人、本年在办批次)")
def demo_retreats(ctx):
    city = ctx.users["city"]
    root = ctx.orgs["331100"]
    this_year = timezone.localdate().year
    until = date(this_year + 1, 12, 31)  # past the upcoming batches, also those a December schedules for January
    qiandao = services.vendor_create(
        actor=city, org=root, name="浙江省总工会千岛湖职工疗休养基地", kind="base", contact_person="徐经理",
        contact_phone="0571-64812345", address="杭州市淳安县千岛湖镇", contract_no="LSZGH-LXY-2021-01",
        contract_start=date(2021, 1, 1), contract_end=until, inspected_on=date(2021, 3, 10),
        inspection_note="实地考察:住宿、餐饮、医疗保障符合疗休养要求。")
    cits = services.vendor_create(
        actor=city, org=root, name="丽水中国国际旅行社有限公司", kind="agency", contact_person="陈经理",
        contact_phone="0578-2123456", address="丽水市莲都区中山街", license_no="L-ZJ-CJ00123",
        contract_no="LSZGH-LXY-2021-02", contract_start=date(2021, 1, 1), contract_end=until,
        inspected_on=date(2022, 5, 20), inspection_note="新线路安吉、仙居已实地踩线。")
    youth = services.vendor_create(
        actor=city, org=root, name="丽水青年旅行社有限公司", kind="agency", contact_person="周经理",
        contact_phone="0578-2234567", contract_no="LSZGH-LXY-2021-03", contract_start=date(2021, 1, 1),
        contract_end=date(2022, 12, 31), inspected_on=date(2022, 8, 30),
        inspection_note="舟山线路考察:住宿偏远,已要求整改。")

    b = _Builder(ctx)
    good, fair = [55, 32, 10, 3], [28, 40, 24, 8]
    plans = {
        2021: [("千岛湖", date(2021, 5, 10), qiandao, 16, "2600.00"), ("安吉", date(2021, 9, 13), cits, 15, "2300.00"),
               ("舟山", date(2021, 11, 8), youth, 15, "2400.00")],
        2022: [("千岛湖", date(2022, 4, 18), qiandao, 18, "2680.00"), ("安吉", date(2022, 6, 13), cits, 18, "2380.00"),
               ("舟山", date(2022, 9, 19), youth, 17, "2450.00"), ("仙居", date(2022, 11, 7), cits, 18, "2350.00")],
    }
    numbers = "一二三四"
    for year, batches in plans.items():
        for i, (place, start, vendor, capacity, cost) in enumerate(batches):
            batch = b.batch(name=f"{year}年市级劳模疗休养第{numbers[i]}批({place})", place=place, start=start, days=5,
                            vendor=vendor, capacity=capacity, cost=cost, year_quotas=_quotas(ctx.rng, capacity))
            b.fill(batch, today=start - timedelta(days=20))
            # 2022: 18+18+17+18 seats, two people did not go in the end: 69 attended (the seed's figure).
            absent = {(2022, 0): 1, (2022, 2): 1}.get((year, i), 0)
            b.run_trip(batch, withdraw=1, absent=absent, response_rate=0.88, weights=fair if vendor == youth else good)
        b.used.clear()  # the three-year rule keeps 2021's participants out of 2022 by itself

    # This year: one batch held, one open for applications (the demo worker may apply).
    today = timezone.localdate()
    b.skip = b.me
    held_start = today - timedelta(days=40)
    if held_start.year == this_year:
        batch = b.batch(name=f"{this_year}年市级劳模疗休养第一批(千岛湖)", place="千岛湖", start=held_start, days=5,
                        vendor=qiandao, capacity=12, cost="2780.00", year_quotas=_quotas(ctx.rng, 12))
        b.fill(batch, today=held_start - timedelta(days=20))
        b.run_trip(batch, withdraw=1, absent=0, response_rate=0.8, weights=good)
    start = today + timedelta(days=25)
    if start.year == this_year:
        batch = b.batch(name=f"{this_year}年劳模疗休养第二批(仙居)", place="仙居", start=start, days=4, vendor=cits,
                        capacity=15, cost="2250.00", year_quotas=_quotas(ctx.rng, 15, extra=5), min_level=1, max_age=None,
                        deadline_days=10)
        b.fill(batch, today=today, spare={"331126": 1})  # a 庆元 place left for the demo worker to apply
        pending = list(batch.applications.filter(status=ApplicationStatus.PENDING).order_by("id"))
        for app in pending[: len(pending) // 2]:
            services.application_confirm(actor=city, application=app)
    ctx.log.append(f"疗休养 {b.log['batches']} 批次已完成,参加 {b.log['attended']} 人次,问卷 {b.log['surveys']} 份")
