from pathlib import Path
from types import SimpleNamespace

import django.forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import TemplatesSetting
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData


def apply_validation_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError onto a form: field errors on fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


__all__ = ["apply_validation_error", "NON_FIELD_ERRORS", "FormRenderer"]


# --- widgets written in Python (issue 16) -------------------------------------------------------------------
# A filter bar renders ~7 selects and ~50 options through Django's widget templates on every list page
# (~3 ms of a ~20 ms page). The renderer below writes the same HTML in Python for the stock templates of
# <input> widgets and of the select: Django's input.html, attrs.html and select_option.html, and laomo's
# select.html (Django's with the option inline). It is used only while those names resolve to those very
# files; a project or app template overriding one of them is rendered as a template again.
# laomo/core/tests/test_template_builtins.py compares the output with Django's renderer.

_DJANGO_WIDGETS = Path(django.forms.__file__).resolve().parent / "templates" / "django" / "forms" / "widgets"
_LAOMO_SELECT = Path(__file__).resolve().parent.parent / "templates" / "django" / "forms" / "widgets" / "select.html"
_INPUT_TEMPLATES = {f"django/forms/widgets/{name}.html" for name in (
    "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password", "search", "tel",
    "text", "time", "url")}
_SELECT_TEMPLATE = "django/forms/widgets/select.html"
_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# As `{{ value }}` renders in a template: localized, escaped unless safe (autoescape on, the defaults).
_CONTEXT = SimpleNamespace(autoescape=True, use_l10n=None, use_tz=None)


def _out(value) -> str:
    return render_value_in_context(value, _CONTEXT)


def _s(value) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" % value, kept safe when the value was (the filter is_safe)."""
    if isinstance(value, tuple):
        value = str(value)
    text = "%s" % value  # noqa: UP031 (the filter's own operation: "%" + "s")
    return text if isinstance(value, SafeData) else _out(text)


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(f" {_out(name)}" if value is True else f' {_out(name)}="{_s(value)}"')
    return "".join(out)


def _input(widget) -> str:
    """django/forms/widgets/input.html (what text.html, number.html, date.html… include)."""
    value = f' value="{_s(widget["value"])}"' if widget["value"] != None else ""  # noqa: E711 (the template's test)
    return f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _select(widget) -> str | None:
    """laomo's select.html, whose option is Django's select_option.html; None for another option template."""
    out = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION_TEMPLATE:
                return None
            out.append(f'\n  <option value="{_s(option["value"])}"{_attrs(option["attrs"])}>'
                       f'{_out(option["label"])}</option>\n')
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class FormRenderer(TemplatesSetting):
    """Django's renderer reading the project's templates, with the one field template of every form; the
    stock input and select widgets written in Python (same HTML, see above)."""

    field_template_name = "forms/field.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and self._stock(template_name):
            html = _input(widget) if template_name in _INPUT_TEMPLATES else _select(widget)
            if html is not None:
                return html.strip()  # as Django's renderer strips a template's output
        return super().render(template_name, context, request)

    def _stock(self, template_name) -> bool:
        stock = self.__dict__.setdefault("_stock_templates", {})
        if template_name not in stock:
            if template_name in _INPUT_TEMPLATES:
                names = {template_name: None, "django/forms/widgets/input.html": None,
                         "django/forms/widgets/attrs.html": None}
            elif template_name == _SELECT_TEMPLATE:
                names = {template_name: _LAOMO_SELECT, _OPTION_TEMPLATE: None,
                         "django/forms/widgets/attrs.html": None}
            else:
                names = None
            stock[template_name] = names is not None and all(
                self._origin(name) == (path or _DJANGO_WIDGETS / Path(name).name) for name, path in names.items())
        return stock[template_name]

    def _origin(self, template_name) -> Path | None:
        try:
            return Path(self.get_template(template_name).origin.name).resolve()
        except Exception:  # noqa: BLE001 (any failure: render through the templates, as before)
            return None
