from django import template

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
    return form
