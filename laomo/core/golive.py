"""Demo or go-live: which kind of database this is, and the first-login checklist of a go-live start.

The demo marks its database with one row (a `core.Counter` named DEMO_MARKER, written in the demo's own
transaction), so that `populate_demo --if-empty` recognises its own database and refuses every other one
that holds business data, and the go-live start refuses a database that holds the demo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from laomo.care.models import BenefitType
from laomo.orgs.models import OrgUnit, User
from laomo.orgs.roles import Role
from laomo.orgs.seed import LISHUI_CHILDREN, LISHUI_ROOT
from laomo.workers.models import Worker

from . import aggregates, dictionary, importing
from .models import AuditEntry, Counter
from .permissions import has_capability

DEMO_MARKER = "demo_database"
# The city account of the demo before it marked its database (recognised as a demo database too).
LEGACY_DEMO_CITY = ("city", "市总工会·王敏")


def is_demo_database() -> bool:
    """True when the demo wrote this database (its marker, or the demo's city account of older versions)."""
    if Counter.objects.filter(name=DEMO_MARKER).exists():
        return True
    return User.objects.filter(username=LEGACY_DEMO_CITY[0], full_name=LEGACY_DEMO_CITY[1]).exists()


def foreign_business_data() -> list[str]:
    """What this database holds that the demo did not put there (empty: the demo may fill it)."""
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
    optional: bool = False  # shown, but going live does not wait for it


def checklist(*, user) -> list[Step]:
    """The go-live steps the user is concerned with, each done or not from what the database holds."""
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

    ledgers = sorted({e.split(".", 1)[1] for e in AuditEntry.objects.filter(object_type__startswith="import.")
                      .values_list("object_type", flat=True).distinct()})
    labels = [cls.label for cls in importing.kinds() if cls.kind in ledgers]
    steps.append(Step(
        key="ledgers", title="导入往年台账", done=bool(labels), optional=True,
        detail=(f"已导入:{'、'.join(labels)}。其他台账可随时继续导入。" if labels else
                "宣讲、班前十分钟、服务队和服务记录、群众点单、慰问发放表、困难摸底、疗休养名单、工作室、成果、"
                "师徒结对等往年 Excel 台账,可按模板整理后导入(先导入劳模名册)。"),
        url=reverse("core:imports") if has_capability(user, "import_data") else ""))
    return steps


def _dictionaries() -> list[tuple[str, int, str]]:
    """(label, active entries, page) of each configurable list: every data-dictionary kind, and the benefit
    types (a list with rules of its own, edited on the same page)."""
    url = reverse("core:dictionary")
    out = [(kind.label, dictionary.items(kind.code).count(), url) for kind in dictionary.kinds()]
    out.append(("待遇类型", BenefitType.objects.filter(is_active=True).count(), url))
    return out


def pending_steps(*, user, version: Callable[[], str] | None = None) -> list[Step]:
    """The steps not done yet, for the dashboard's reminder: cached under the data version, since every
    step follows audited writes (units, users, dictionaries, imports), per the capabilities that shape it.
    `version`: the page's reading of the data version (`dashboard.cards_for`'s)."""
    caps = tuple(c for c in ("manage_dictionary", "manage_users", "manage_orgs", "import_data")
                 if has_capability(user, c))
    if not caps:
        return []
    if not aggregates.enabled():
        return [s for s in checklist(user=user) if not s.done and not s.optional]
    return aggregates.cached(("golive", (version or aggregates.data_version)(), *caps),
                             lambda: [s for s in checklist(user=user) if not s.done and not s.optional])


def checklist_complete(*, user) -> bool:
    return all(step.done or step.optional for step in checklist(user=user))
