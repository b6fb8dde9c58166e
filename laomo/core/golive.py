"""Demo or go-live: which kind of database this is, and the first-login checklist of a go-live start.

The demo marks its database with one row (a `core.Counter` named DEMO_MARKER, written in the demo's own
transaction), so that `populate_demo --if-empty` recognises its own database and refuses every other one
that holds business data, and the go-live start refuses a database that holds the demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_MARKER = "demo_database"


def is_demo_database() -> bool:
    """True when the demo wrote this database (its marker, or the demo's city account of older versions)."""
    from laomo.core.demo import LEGACY_DEMO_CITY
    from laomo.orgs.models import User

    from .models import Counter

    if Counter.objects.filter(name=DEMO_MARKER).exists():
        return True
    return User.objects.filter(username=LEGACY_DEMO_CITY[0], full_name=LEGACY_DEMO_CITY[1]).exists()


def foreign_business_data() -> list[str]:
    """What this database holds that the demo did not put there (empty: the demo may fill it)."""
    from laomo.orgs.models import OrgUnit, User
    from laomo.orgs.seed import LISHUI_CHILDREN, LISHUI_ROOT
    from laomo.workers.models import Worker

    found = []
    users = User.objects.count()
    if users:
        found.append(f"{users} 个用户账号")
    workers = Worker.objects.count()
    if workers:
        found.append(f"{workers} 名劳模")
    seeded = {LISHUI_ROOT[0], *(code for code, *_ in LISHUI_CHILDREN)}
    extra = OrgUnit.objects.exclude(code__in=seeded).count()
    if extra:
        found.append(f"{extra} 个新增单位")
    return found


@dataclass
class Step:
    key: str
    title: str
    done: bool
    detail: str
    url: str = ""  # the page that does it, when the viewer may open it
    who: str = ""  # who does it, when it is not the viewer
    missing: list[str] = field(default_factory=list)


def checklist(*, user) -> list[Step]:
    """The go-live steps the user is concerned with, each done or not from what the database holds."""
    from django.urls import reverse

    from laomo.core.permissions import has_capability
    from laomo.orgs.models import OrgUnit, User
    from laomo.orgs.roles import Role
    from laomo.workers.models import Worker

    business = has_capability(user, "manage_dictionary")
    admin = has_capability(user, "manage_users") or has_capability(user, "manage_orgs")
    steps: list[Step] = []
    if not (business or admin):
        return steps

    units = OrgUnit.objects.filter(is_active=True).count()
    steps.append(Step(
        key="orgs", title="核对组织机构", done=units > 1,
        detail=f"已有 {units} 个单位(丽水市总工会、市本级和九个县市区总工会已预置);请核对名称,按需增加下级单位。",
        url=reverse("orgs:org_list") if has_capability(user, "manage_orgs") else "",
        who="" if has_capability(user, "manage_orgs") else "系统管理员"))

    active = User.objects.filter(is_active=True)
    missing = [label for role, label in [(Role.SYSADMIN, "系统管理员"), (Role.SECADMIN, "安全管理员"),
                                         (Role.AUDITOR, "审计管理员"), (Role.CITY_STAFF, "市级业务管理员"),
                                         (Role.COUNTY_STAFF, "县级业务管理员")]
               if not active.filter(groups__name=role).exists()]
    steps.append(Step(
        key="users", title="创建用户账号", done=not missing,
        detail=(f"已有 {active.count()} 个启用的账号。" + (f"还缺:{'、'.join(missing)}。" if missing else
                                                          "三员账号和业务管理员均已创建。")),
        url=reverse("orgs:user_list") if has_capability(user, "manage_users") else "",
        who="" if has_capability(user, "manage_users") else "系统管理员", missing=missing))
    if not business:
        return steps

    dictionaries = _dictionaries()
    empty = [label for label, count, _ in dictionaries if not count]
    steps.append(Step(
        key="dictionaries", title="核对数据字典", done=not empty,
        detail="、".join(f"{label} {count} 项" for label, count, _ in dictionaries) + "。"
               + (f"请补充:{'、'.join(empty)}。" if empty else "预置项目请按本会实际核对。"),
        url=dictionaries[0][2] if dictionaries else "", missing=empty))

    workers = Worker.objects.count()
    steps.append(Step(
        key="imports", title="导入劳模名册", done=workers > 0,
        detail=f"劳模库已有 {workers} 名劳模。" if workers else "劳模库还是空的:下载模板,按模板整理名册后导入。",
        url=reverse("workers:import") if has_capability(user, "import_data") else ""))
    return steps


def _dictionaries() -> list[tuple[str, int, str]]:
    """(label, active entries, page) of each configurable list of the installed modules."""
    from django.apps import apps
    from django.urls import reverse

    out = []
    if apps.is_installed("laomo.care"):
        from laomo.care.models import BenefitType, DictItem, DictKind

        url = reverse("care:dictionary")
        for kind in DictKind:
            out.append((kind.label, DictItem.objects.filter(kind=kind, is_active=True).count(), url))
        out.append(("待遇类型", BenefitType.objects.filter(is_active=True).count(), url))
    if apps.is_installed("laomo.outreach"):
        from laomo.core.models import DictItem

        out.append(("传播平台", DictItem.objects.filter(kind="platform", is_active=True).count(),
                    reverse("core:dictionary")))
    return out


def pending_steps(*, user) -> list[Step]:
    """The steps not done yet, for the dashboard's reminder: cached under the data version, since every
    step follows audited writes (units, users, dictionaries, imports), per the capabilities that shape it."""
    from laomo.core import aggregates
    from laomo.core.permissions import has_capability

    caps = tuple(c for c in ("manage_dictionary", "manage_users", "manage_orgs", "import_data")
                 if has_capability(user, c))
    if not caps:
        return []
    if not aggregates.enabled():
        return [s for s in checklist(user=user) if not s.done]
    return aggregates.cached(("golive", aggregates.data_version(), *caps),
                             lambda: [s for s in checklist(user=user) if not s.done])


def checklist_complete(*, user) -> bool:
    return all(step.done for step in checklist(user=user))
