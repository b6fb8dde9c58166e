from decimal import Decimal, InvalidOperation

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_INPUT_CLASSES = {
    "select": "form-select", "selectmultiple": "form-select", "checkbox": "form-check-input",
    "checkboxinput": "form-check-input", "checkboxselectmultiple": "form-check-input",
    "radioselect": "form-check-input",
}


@register.filter
def bootstrap(form):
    """Add Bootstrap classes (and is-invalid) to every widget of a form; returns the form."""
    for name, field in form.fields.items():
        widget_type = field.widget.__class__.__name__.lower()
        css = _INPUT_CLASSES.get(widget_type, "form-control")
        if name in form.errors:
            css += " is-invalid"
        existing = field.widget.attrs.get("class", "")
        if css.split()[0] not in existing:
            field.widget.attrs["class"] = f"{existing} {css}".strip()
        # Filter bars render a bare widget without a <label>: its field label names it for screen readers.
        if widget_type not in ("checkboxinput", "checkboxselectmultiple", "radioselect", "hiddeninput"):
            field.widget.attrs.setdefault("aria-label", str(field.label or name))
    return form


@register.filter
def figure(value):
    """A report figure as people read it: 14,147 · 1,234.50 · 4.5 · '-' for none."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = str(value)
    places = len(text.split(".", 1)[1]) if "." in text else 0
    return f"{number:,.{places}f}"


@register.filter
def code_groups(value, size: int = 4) -> list[str]:
    """'ABCDEFGHJKMN' → ['ABCD', 'EFGH', 'JKMN']: a code read out over the phone in groups."""
    text = str(value or "")
    return [text[i:i + size] for i in range(0, len(text), size)]


@register.filter
def pick(form, names: str):
    """The bound fields of `form` named in a comma-separated list (those that exist); all visible ones for ""."""
    if not names:
        return form.visible_fields()
    return [form[name.strip()] for name in names.split(",") if name.strip() in form.fields]


@register.filter
def names(value: str) -> list[str]:
    """"a, b" → ["a", "b"] (for `wide` in form_fields.html)."""
    return [n.strip() for n in (value or "").split(",") if n.strip()]


@register.filter
def dict_flag(item, name: str) -> bool:
    """Is a data-dictionary entry's switch `name` on?"""
    return item.flag(name)


class FragmentNode(template.Node):
    def __init__(self, nodelist, source):
        self.nodelist, self.source = nodelist, source

    def render(self, context):
        fragments = self.source.resolve(context, ignore_failures=True)
        if fragments is None:
            return self.nodelist.render(context)
        return mark_safe(fragments.get("page", lambda: self.nodelist.render(context)))  # noqa: S308 (rendered)


@register.tag
def fragment(parser, token):
    """`{% fragment page_fragment %}…{% endfragment %}`: a list page's part below the top bar, rendered once per
    data version (laomo.core.web.ListFragments, which the view passes as `page_fragment`); without it, rendered
    as it is."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% fragment %} takes the fragments' variable")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, parser.compile_filter(bits[1]))
