from django import template

from laomo.core.money import money_display

register = template.Library()


@register.filter
def yuan(value):
    """1234.5 → '1,234.50' (money on pages)."""
    if value is None or value == "":
        return ""
    return money_display(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
