"""Demo of 关爱劳模, built through the services: the 2021 and 2022 Spring Festival campaigns (municipal-and-above
workers, about 1.4 million yuan over the two years, the seed's figure), ad-hoc illness and hardship visits, the
2021/2022 hardship survey rounds and this year's round in progress, and benefit grants with gaps for the 落实
report to find."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from laomo.core import clock
from laomo.core.demo import demo_step
from laomo.workers.models import EmploymentStatus, Worker

from . import services
from .models import HardshipSurvey, PaymentMethod, RecipientStatus, SurveyStatus

BANKS = ["中国农业银行丽水分行", "中国工商银行丽水分行", "中国建设银行丽水分行", "丽水农商银行", "中国邮政储蓄银行丽水分行"]
VISITORS = {"331100": "市总工会 王敏、刘洋", "331101": "市总工会 王敏", "331102": "莲都区总工会 李强",
            "331126": "庆元县总工会 吴芳", "331181": "龙泉市总工会 范斌"}
CLERKS = {"331102": "liandu", "331126": "qingyuan", "331181": "longquan"}
NEEDS = ["医疗费用负担重,希望给予医疗救助", "子女上学费用困难", "房屋老旧需修缮", "希望帮助介绍就业", "行动不便,需定期探望"]


def _account(rng) -> str:
    return "62" + "".join(str(rng.randint(0, 9)) for _ in range(17))


def _county(worker) -> str:
    code = worker.org.code
    return code[:6] if len(code) > 6 else code


@demo_step(60, "关爱劳模(春节慰问、困难调查、待遇落实)")
def demo_care(ctx):
    rng, city = ctx.rng, ctx.users["city"]
    root = ctx.orgs["331100"]
    today = timezone.localdate()
    workers = list(Worker.objects.filter(is_deleted=False, highest_level_rank__gte=2).select_related("org")
                   .order_by("id"))

    # The workers' own bank accounts (about 85% registered; the others are paid in cash and sign for it).
    with_account = [w for w in workers if rng.random() < 0.85]
    account_ids = {w.pk for w in with_account}
    services.bank_accounts_bulk_set(actor=city, accounts=[(w, rng.choice(BANKS), _account(rng)) for w in with_account])

    # Hardship surveys: 2021 and 2022 rounds (the city opens, counties fill after a visit, the city reviews).
    thresholds = {2021: Decimal("900.00"), 2022: Decimal("960.00")}
    cause_pool = ["illness", "disability", "education", "education", "disaster", "unemployment", "unemployment",
                  "other", "other", "other"]
    sample = [w for w in workers if rng.random() < 0.09]
    hard_core = set(w.pk for w in sample[: len(sample) // 2])

    def fill_round(year: int, people, *, submit_ratio: float = 1.0, approve_ratio: float = 1.0, start=None,
                   end=None):
        survey_round = services.round_open(
            actor=city, org=root, year=year, name=f"{year}年全市困难劳模调查走访",
            start_date=start or date(year, 3, 1), end_date=end or date(year, 11, 30),
            income_threshold=thresholds.get(year, Decimal("1100.00")), marginal_factor=Decimal("1.50"),
            min_level_rank=2, note="先核实、后补助:入户走访、电话询访或信息比对后填报")
        made, seen = [], set()
        last = min(end or date(year, 11, 30), today)
        first = start or date(year, 3, 1)
        for w in people:
            if w.employment_status == EmploymentStatus.DECEASED or w.pk in seen:
                continue
            seen.add(w.pk)
            poor = w.pk in hard_core or rng.random() < 0.15
            threshold = survey_round.income_threshold
            per_capita = (threshold * Decimal(rng.uniform(0.45, 0.98)) if poor
                          else threshold * Decimal(rng.uniform(1.2, 4.5))).quantize(Decimal("0.01"))
            causes = sorted(set(rng.sample(cause_pool, rng.choice((1, 1, 2))))) if poor else []
            survey_date = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
            made.append(services.survey_create(
                actor=ctx.users.get(CLERKS.get(_county(w), "city"), city), survey_round=survey_round, worker=w,
                survey_date=survey_date, verification_method=rng.choice(["home", "home", "phone", "data"]),
                visitors=VISITORS.get(_county(w), "市总工会"), household_size=rng.randint(1, 5),
                employment=w.employment_status, insurance=["employee_pension", "employee_medical"],
                housing_type=rng.choice(["own", "own", "public_rent", "private_rent"]),
                housing_area=Decimal(rng.randint(12, 60)), income_own=(per_capita * Decimal("1.1")).quantize(
                    Decimal("0.01")), income_per_capita=per_capita,
                health_category=rng.choice(["chronic", "cancer", "cardiovascular", "disabled"]) if poor and (
                    "illness" in causes or "disability" in causes) else "healthy",
                major_illness="illness" in causes, disability_grade=rng.choice(["2", "3", "4"]) if "disability" in
                causes else "", health_detail="需长期服药治疗" if "illness" in causes else "", causes=causes,
                needs=rng.choice(NEEDS) if poor else ""))
        submitted = [s for s in made if rng.random() < submit_ratio]
        by_clerk: dict = {}
        for s in submitted:
            by_clerk.setdefault(s.created_by_id, []).append(s)
        with clock.at(clock.moment_on(last, 16)):  # the notifications of the round read at its end
            for clerk_surveys in by_clerk.values():
                services.surveys_submit_batch(actor=clerk_surveys[0].created_by, surveys=clerk_surveys)
        approved = [s for s in submitted if rng.random() < approve_ratio]
        with clock.at(clock.moment_on(last, 17)):
            if approved:
                services.surveys_approve_batch(actor=city, surveys=approved, comment="经核实,情况属实")
            for s in [s for s in submitted if s not in approved][:2]:
                services.survey_return(actor=city, survey=s, comment="请补充家庭成员收入证明后重新提交")
        return survey_round, made

    fill_round(2021, sample)
    fill_round(2022, [w for w in sample if rng.random() < 0.9] + [w for w in workers if rng.random() < 0.03])

    # Spring Festival campaigns: 市县两级工会 visit municipal-and-above workers; money straight to their account.
    specs = [
        (2021, "2021年春节劳模走访慰问", date(2021, 1, 18), date(2021, 2, 25), Decimal("760000.00"),
         {"amount_national": "1500", "amount_provincial": "500", "amount_municipal": "210", "hardship_extra": "500"}),
        (2022, "2022年春节劳模走访慰问", date(2022, 1, 10), date(2022, 2, 15), Decimal("800000.00"),
         {"amount_national": "1500", "amount_provincial": "500", "amount_municipal": "210", "hardship_extra": "500"}),
    ]
    methods = ["home", "home", "workplace", "symposium", "letter"]
    for year, name, start, end, budget, amounts in specs:
        campaign = services.campaign_create(
            actor=city, org=root, name=name, year=year, visit_type="spring_festival", start_date=start, end_date=end,
            budget=budget, fund_source="市总工会劳模专项经费、全国劳模专项资金", min_level_rank=2, statuses=[],
            hardship_only=False, amount_county="0", note="重点走访慰问长期坚守生产一线的劳模、生活困难劳模和离退休老劳模",
            **amounts)
        services.recipients_generate(actor=city, campaign=campaign)
        recipients = list(campaign.recipients.filter(status=RecipientStatus.INCLUDED)
                          .select_related("worker", "worker__org", "org"))
        # A few recipients are not reached this time (the ledger and the 落实 report show the gaps).
        recipients = [r for r in recipients if rng.random() > (0.03 if year == 2022 else 0.01)]
        groups: dict = {}
        for r in recipients:
            account = r.worker_id in account_ids
            method = "home" if r.in_hardship or r.worker.employment_status == "retired" else rng.choice(methods)
            pay = PaymentMethod.TRANSFER if account else PaymentMethod.CASH
            groups.setdefault((_county(r.worker), method, pay), []).append(r)
        for (county, method, pay), rows in sorted(groups.items()):
            clerk = ctx.users.get(CLERKS.get(county, "city"), city)
            day = start + timedelta(days=rng.randint(3, (end - start).days - 3))
            services.visits_record_batch(
                actor=clerk, campaign=campaign, recipient_ids=[r.pk for r in rows], visit_date=day, method=method,
                payment_method=pay, visitors=VISITORS.get(county, "市总工会、县总工会"),
                goods="米、油等慰问品" if method == "home" else "", receipt_signed=pay == PaymentMethod.CASH)
        services.campaign_set_status(actor=city, campaign=campaign, status="closed")

    # Ad-hoc visits: illness visits in hospital, hardship help for workers found in hardship, the very old.
    poor_2022 = list(HardshipSurvey.objects.filter(round__year=2022, status=SurveyStatus.APPROVED,
                                                   hardship_level__in=["hardship", "special"]).select_related(
        "worker", "worker__org"))
    for s in poor_2022:
        if rng.random() < 0.8:
            w = s.worker
            services.visit_record(
                actor=ctx.users.get(CLERKS.get(_county(w), "city"), city), worker=w, visit_type="hardship",
                visit_date=max(s.survey_date, date(2022, 6, 1)) + timedelta(days=rng.randint(5, 25)),
                method="home", visitors=VISITORS.get(_county(w), "市总工会"),
                amount="3000" if s.hardship_level == "special" else "2000",
                payment_method="transfer" if w.pk in account_ids else "cash", receipt_signed=w.pk not in account_ids,
                goods="", note="困难补助金")
    for w in rng.sample(workers, 12):
        if w.employment_status == EmploymentStatus.DECEASED:
            continue
        services.visit_record(
            actor=city, worker=w, visit_type="illness", visit_date=date(2022, rng.randint(3, 11), rng.randint(1, 28)),
            method="home", visitors="市总工会 王敏", amount="1000", goods="水果、营养品",
            payment_method="transfer" if w.pk in account_ids else "cash", receipt_signed=w.pk not in account_ids)

    # Benefits by hand, with gaps: honor allowances (provincial and above), health check-ups.
    high = [w for w in workers if w.highest_level_rank >= 3 and w.employment_status != EmploymentStatus.DECEASED]
    mid = [w for w in workers if w.employment_status != EmploymentStatus.DECEASED]
    for year in (2021, 2022):
        services.benefit_grants_bulk_record(actor=city, workers=[w for w in high if rng.random() < 0.9],
                                            benefit_type_code="honor_allowance", year=year,
                                            grant_date=date(year, 12, 20), amount="600", note="按规定发放")
        services.benefit_grants_bulk_record(actor=city, workers=[w for w in mid if rng.random() < 0.7],
                                            benefit_type_code="health_checkup", year=year,
                                            grant_date=date(year, 10, 15), amount="800", note="市中心医院体检")
    special = [s.worker for s in poor_2022 if s.hardship_level == "special" and rng.random() < 0.6]
    if special:
        services.benefit_grants_bulk_record(actor=city, workers=special, benefit_type_code="special_hardship",
                                            year=2022, grant_date=date(2022, 12, 10), amount="5000",
                                            note="特殊困难补助金")

    # This year: the Spring Festival campaign (done) and the survey round in progress.
    this_year = today.year
    if this_year > 2022:
        start, end = date(this_year, 1, 20), date(this_year, 2, 28)
        campaign = services.campaign_create(
            actor=city, org=root, name=f"{this_year}年春节劳模走访慰问", year=this_year, visit_type="spring_festival",
            start_date=start, end_date=end, budget=Decimal("800000.00"), fund_source="市总工会劳模专项经费",
            min_level_rank=2, statuses=[], hardship_only=False, amount_national="1500", amount_provincial="500",
            amount_municipal="210", amount_county="0", hardship_extra="500", note="")
        services.recipients_generate(actor=city, campaign=campaign)
        if today >= start + timedelta(days=6):
            rows = list(campaign.recipients.filter(status=RecipientStatus.INCLUDED).select_related("worker"))
            day = min(today, start + timedelta(days=6))
            for pay, part in ((PaymentMethod.TRANSFER, [r for r in rows if r.worker_id in account_ids]),
                              (PaymentMethod.CASH, [r for r in rows if r.worker_id not in account_ids])):
                part = [r for r in part if rng.random() < 0.9]
                if part:
                    services.visits_record_batch(actor=city, campaign=campaign, recipient_ids=[r.pk for r in part],
                                                 visit_date=day, method="home", payment_method=pay,
                                                 visitors="市县两级工会", receipt_signed=pay == PaymentMethod.CASH)
        round_start = date(this_year, 3, 1)
        if today > round_start:
            people = [w for w in sample if rng.random() < 0.5]
            fill_round(this_year, people, submit_ratio=0.75, approve_ratio=0.7, start=round_start,
                       end=date(this_year, 12, 15))
    ctx.log.append(f"关爱劳模:慰问活动 {len(specs) + (1 if this_year > 2022 else 0)} 个,银行账户 {len(with_account)} 个")
