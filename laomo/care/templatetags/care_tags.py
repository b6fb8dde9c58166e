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


@register.filter
def pick(form, names: str):
    """The bound fields of `form` named in a comma-separated list (that exist)."""
    return [form[name.strip()] for name in names.split(",") if name.strip() in form.fields]
