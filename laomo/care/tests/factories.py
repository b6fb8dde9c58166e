"""Factories of the care tests: workers with honors, campaigns, surveys — all through the services."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from laomo.care import services
from laomo.core.actors import SYSTEM
from laomo.workers.tests.factories import make_id, make_worker

_seq = itertools.count(1)

LEVEL_TITLES = {"national": "全国劳动模范", "provincial": "浙江省劳动模范", "municipal": "丽水市劳动模范"}


def worker(org, name: str, level: str = "municipal", *, account: bool = True, birth: str = "19650312", **fields):
    """A worker of `org` with one honor of `level` (county level: the county named after the org)."""
    title = LEVEL_TITLES.get(level) or f"{org.short_name or '庆元县'}劳动模范"
    w = make_worker(org, name, id_number=make_id(org.code[:6], birth),
                    honors=[(title, 2015)], **fields)
    if account:
        services.bank_account_set(actor=SYSTEM, worker=w, bank_name="中国农业银行丽水分行",
                                  account_number=f"62284801{next(_seq):011d}")
    return w


def campaign(org, *, year: int = 2022, budget="100000", start=date(2022, 1, 10), end=date(2022, 2, 15),
             actor=SYSTEM, **fields):
    fields.setdefault("amount_national", "2000")
    fields.setdefault("amount_provincial", "1000")
    fields.setdefault("amount_municipal", "500")
    fields.setdefault("min_level_rank", 2)
    return services.campaign_create(actor=actor, org=org, name=fields.pop("name", f"{year}年春节慰问"), year=year,
                                    visit_type=fields.pop("visit_type", "spring_festival"), start_date=start,
                                    end_date=end, budget=budget, **fields)


def pay(campaign, w, *, amount="500", day=date(2022, 1, 20), actor=SYSTEM, **extra):
    extra.setdefault("payment_method", "transfer")
    extra.setdefault("method", "home")
    return services.visit_record(actor=actor, worker=w, campaign=campaign, visit_date=day, amount=amount, **extra)


def survey_round(org, year: int = 2022, threshold="1000", actor=SYSTEM):
    return services.round_open(actor=actor, org=org, year=year, name=f"{year}年困难劳模调查",
                               start_date=date(year, 1, 1), end_date=date(year, 12, 31), income_threshold=threshold)


SURVEY = dict(verification_method="home", household_size=3, employment="active", housing_type="own",
              income_own="1500.00", health_category="chronic", health_detail="高血压,长期服药",
              needs="希望减免医疗费用")


def survey(rnd, w, *, per_capita="800", causes=("illness",), day=None, approve=True, actor=SYSTEM, **fields):
    data = {**SURVEY, **fields}
    s = services.survey_create(actor=actor, survey_round=rnd, worker=w, survey_date=day or date(rnd.year, 4, 1),
                               income_per_capita=per_capita, causes=list(causes), **data)
    if approve:
        services.survey_submit(actor=SYSTEM, survey=s)
        services.survey_approve(actor=SYSTEM, survey=s)
        s.refresh_from_db()
    return s


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
