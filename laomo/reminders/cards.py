"""The dashboard card: open reminders in the unit shown (and the user's scope)."""

from django.urls import reverse

from laomo.core.dashboard import register_cards

from .selectors import open_count


@register_cards(order=5)
def reminder_cards(*, user, year: int, org) -> list[dict]:
    if not user.has_perm("core.view_business"):
        return []
    return [{"label": "待办提醒", "value": open_count(user=user, org=org), "url": reverse("reminders:index"),
             "note": "生日祝寿、高龄慰问、报告与截止日期等"}]
