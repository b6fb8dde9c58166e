"""The module navigation of the shell; a module's entry appears when its app is installed."""

from django.apps import apps
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch
from django.utils.html import escape
from django.utils.safestring import mark_safe

from laomo.workers.models import Worker

from .permissions import has_capability
from .urlcache import reverse_cached

# (label, icon, url name, app label, capabilities — any of them shows the entry)
NAV = [
    ("工作台", "speedometer2", "dashboard", "core", None),
    ("我的档案", "person-vcard", "workers:me", "workers", ("self_service",)),
    ("我的服务", "heart", "volunteering:me", "volunteering", ("self_service",)),
    ("我的工作室", "lightbulb", "studios:me", "studios", ("self_service",)),
    ("劳模库", "person-badge", "workers:list", "workers", ("view_business",)),
    ("报送审核", "clipboard-check", "workers:submissions", "workers", ("review_registry", "edit_business")),
    ("宣讲活动", "megaphone", "outreach:index", "outreach", ("view_business",)),
    ("志愿服务", "heart-pulse", "volunteering:index", "volunteering", ("view_business", "lead_team")),
    ("创新工作室", "lightbulb", "studios:index", "studios", ("view_business",)),
    ("关爱慰问", "gift", "care:index", "care", ("view_business",)),
    ("疗休养", "airplane", "retreats:index", "retreats", ("view_business", "self_service")),
    ("文件下发", "envelope-paper", "notices:index", "notices", ("view_business",)),
    ("待办提醒", "alarm", "reminders:index", "reminders", ("view_business",)),
    ("统计报表", "bar-chart", "reports:summary", "reports", ("view_business",)),
    ("组织机构", "diagram-3", "orgs:org_list", "orgs", ("manage_orgs",)),
    ("用户管理", "people", "orgs:user_list", "orgs", ("manage_users", "manage_security")),
    ("安全管理", "shield-lock", "orgs:security", "orgs", ("manage_security",)),
    ("导入台账", "upload", "core:imports", "core", ("import_data",)),
    ("数据字典", "list-ul", "core:dictionary", "core", ("manage_dictionary",)),
    ("消息发送记录", "send", "core:deliveries", "core", ("manage_users",)),
    ("审计日志", "journal-text", "core:audit_list", "core", ("read_audit",)),
]


# Entries that only make sense for a login linked to a worker record: a team leader (or any
# self-service login) without one would otherwise be offered a page that answers 404.
NEEDS_OWN_RECORD = {"workers:me"}

# Every capability an entry asks for, in order of first mention: a user's menu depends on which of these
# they hold (and, for NEEDS_OWN_RECORD, on their worker record), nothing else.
NAV_CAPABILITIES = tuple(dict.fromkeys(c for *_, caps in NAV if caps for c in caps))

# The entries of the installed apps shown for a set of held capabilities, worked out once per set (issue 16:
# the menu was filtered entry by entry, capability by capability, on every page).
_entries: dict[frozenset, tuple] = {}


@receiver(setting_changed)
def _forget_entries(*, setting, **kwargs):
    if setting == "INSTALLED_APPS":
        _entries.clear()


def _has_own_record(user) -> bool:
    return Worker.objects.filter(user=user, is_deleted=False).exists()


def _entries_for(held: frozenset) -> tuple:
    found = _entries.get(held)
    if found is None:
        installed = {c.label for c in apps.get_app_configs()}
        found = _entries[held] = tuple(
            (label, icon, url_name) for label, icon, url_name, app_label, caps in NAV
            if (app_label == "core" or app_label in installed) and (not caps or any(c in held for c in caps)))
    return found


def nav_for(user, path: str) -> list[dict]:
    held = frozenset(c for c in NAV_CAPABILITIES if has_capability(user, c))
    items = []
    own_record = None
    for label, icon, url_name in _entries_for(held):
        if url_name in NEEDS_OWN_RECORD:
            if own_record is None:
                own_record = _has_own_record(user)
            if not own_record:
                continue
        try:
            url = reverse_cached(url_name)
        except NoReverseMatch:
            continue
        active = path == url if url == "/" else path.startswith(url)
        items.append({"label": label, "icon": icon, "url": url, "active": active})
    return items


def nav_html(items: list[dict]) -> str:
    """The menu's <li> elements as base.html's loop over `nav_items` wrote them (the same text)."""
    return mark_safe("".join(
        f'\n        <li class="nav-item"><a class="nav-link{" active" if item["active"] else ""}" '
        f'href="{escape(item["url"])}"><i class="bi bi-{escape(item["icon"])}"></i> {escape(item["label"])}</a></li>'
        "\n        " for item in items))
