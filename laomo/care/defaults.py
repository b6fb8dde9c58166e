"""The configurable lists every deployment starts with (benefit types, hardship causes, health categories).

Seeded after every migrate/flush (post_migrate), idempotently: an entry is created when its code is missing
and never overwritten, so city staff's edits stay. Causes and health categories live in the one data
dictionary (`core.DictItem`); benefit types keep their own model (they carry eligibility rules).
"""

from decimal import Decimal

from django.apps import apps as django_apps

HARDSHIP_CAUSES = [  # (code, label, severe)
    ("illness", "因病", True),
    ("disability", "因残", True),
    ("education", "因学", False),
    ("disaster", "因灾", True),
    ("unemployment", "失业", False),
    ("other", "其他", False),
]

HEALTH_CATEGORIES = [  # DOMAIN.md: fixed lists of hardship registration forms
    ("healthy", "健康"),
    ("chronic", "一般慢性病"),
    ("cancer", "恶性肿瘤"),
    ("cardiovascular", "心脑血管病"),
    ("uremia", "尿毒症"),
    ("occupational", "职业病"),
    ("disabled", "残疾"),
    ("other_major", "其他重大疾病"),
]

# (code, name, min level rank, statuses, hardship requirement, standard amount, auto from visit types, yearly, note)
BENEFIT_TYPES = [
    ("honor_allowance", "荣誉津贴", 3, [], "", None, [], True, "省部级及以上劳模按规定享受"),
    ("hardship_subsidy", "困难补助", 2, [], "hardship", None, ["hardship"], True,
     "困难补助金;困难帮扶慰问发放时自动登记"),
    ("special_hardship", "特殊困难帮扶", 2, [], "special", None, [], True, "特殊困难补助金"),
    ("health_checkup", "健康体检", 2, [], "", Decimal("800.00"), [], True, "全国劳模专项资金健康体检补助"),
    ("retreat", "疗休养", 2, ["active", "retired"], "", None, [], False, "轮流安排;参加疗休养时由疗休养模块自动登记"),
    ("festival", "节日慰问", 2, [], "", None, ["spring_festival"], True, "春节慰问金;春节慰问发放时自动登记"),
]


def seed_defaults(apps=None, schema_editor=None) -> None:
    apps = apps or django_apps
    DictItem = apps.get_model("core", "DictItem")
    BenefitType = apps.get_model("care", "BenefitType")
    existing = set(DictItem.objects.filter(kind__in=["hardship_cause", "health_category"])
                   .values_list("kind", "code"))
    rows = []
    for order, (code, label, severe) in enumerate(HARDSHIP_CAUSES):
        if ("hardship_cause", code) not in existing:
            rows.append(DictItem(kind="hardship_cause", code=code, label=label, flags={"severe": severe},
                                 sort_order=order))
    for order, (code, label) in enumerate(HEALTH_CATEGORIES):
        if ("health_category", code) not in existing:
            rows.append(DictItem(kind="health_category", code=code, label=label, sort_order=order))
    # ignore_conflicts: an entry renamed by city staff to a default's label keeps its own code
    DictItem.objects.bulk_create(rows, ignore_conflicts=True)
    have = set(BenefitType.objects.values_list("code", flat=True))
    BenefitType.objects.bulk_create([
        BenefitType(code=code, name=name, min_level_rank=rank, statuses=statuses, hardship=hardship,
                    standard_amount=amount, visit_types=visit_types, yearly=yearly, sort_order=order, note=note)
        for order, (code, name, rank, statuses, hardship, amount, visit_types, yearly, note)
        in enumerate(BENEFIT_TYPES)
        if code not in have
    ])
