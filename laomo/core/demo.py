"""Deterministic demo data, built through services (Zulip's populate_db style).

Each module adds a step with `@demo_step(order)`; a step receives the seeded `random.Random`,
the demo users and the org units by code.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from laomo.orgs.models import OrgUnit
from laomo.orgs.services import user_create

from .actors import SYSTEM
from .golive import DEMO_MARKER, foreign_business_data, is_demo_database
from .models import Counter

DEMO_PASSWORD = "Laomo@2022demo"

# (username, full name, role, org code): people's names, as they sign what they issue (with DEMO_TITLES).
DEMO_USERS = [
    ("city", "王敏", "city_staff", "331100"),
    ("liandu", "李强", "county_staff", "331102"),
    ("qingyuan", "吴芳", "county_staff", "331126"),
    ("longquan", "范斌", "county_staff", "331181"),
    ("leader", "周卫东", "team_leader", "331126"),
    ("worker", "叶长文", "worker", "331126"),
    ("viewer", "陈志明", "viewer", "331100"),
    ("sysadmin", "刘洋", "sysadmin", "331100"),
    ("secadmin", "徐静", "secadmin", "331100"),
    ("auditor", "郑伟", "auditor", "331100"),
]
DEMO_TITLES = {
    "city": "劳模服务科科长", "liandu": "办公室主任", "qingyuan": "办公室主任", "longquan": "办公室主任",
    "leader": "医疗卫生服务队队长", "viewer": "副主席", "sysadmin": "信息中心工程师", "secadmin": "安全管理员",
    "auditor": "审计员",
}

_STEPS: list[tuple[int, str, Callable]] = []


@dataclass
class DemoContext:
    rng: random.Random
    users: dict
    orgs: dict
    log: list[str] = field(default_factory=list)


def demo_step(order: int, name: str):
    def decorator(fn):
        _STEPS.append((order, name, fn))
        _STEPS.sort(key=lambda s: s[0])
        return fn

    return decorator


class DemoRefused(Exception):
    """The database holds business data the demo did not create."""


def populate(*, seed: int = 2022, if_empty: bool = False, stdout=None) -> list[str]:
    if is_demo_database():
        return ["演示数据已存在,跳过。"]
    found = foreign_business_data()
    if found:  # --if-empty or not: the demo never goes into a database it did not create
        raise DemoRefused(
            f"此数据库已有业务数据({'、'.join(found)}),不是演示数据库,拒绝生成演示数据。"
            "演示请用 `make run`(独立的演示数据库 var/demo.sqlite3);正式数据请用 `make golive`。")
    orgs = {o.code: o for o in OrgUnit.objects.all()}
    ctx = DemoContext(rng=random.Random(seed), users={}, orgs=orgs)
    with transaction.atomic():
        Counter.objects.create(name=DEMO_MARKER, value=seed)  # lets --if-empty recognise its own database
        for username, full_name, role, org_code in DEMO_USERS:
            user, _ = user_create(actor=SYSTEM, username=username, full_name=full_name, org=orgs[org_code],
                                  title=DEMO_TITLES.get(username, ""), roles=[role], password=DEMO_PASSWORD,
                                  must_change_password=False)
            ctx.users[username] = user
        ctx.log.append(f"演示账号 {len(DEMO_USERS)} 个,密码均为 {DEMO_PASSWORD}")
        for _, name, step in _STEPS:
            step(ctx)
            if stdout is not None:
                stdout.write(f"  已生成:{name}")
    return ctx.log
