from html import escape as _escape
from pathlib import Path
from types import SimpleNamespace

import django.forms
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import TemplatesSetting, get_default_renderer
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData, mark_safe


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


__all__ = ["apply_validation_error", "NON_FIELD_ERRORS", "FormRenderer", "FilterForm", "NamedChoiceField",
           "Select", "SelectMultiple"]


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
    """`{{ value }}` as a template renders it (autoescape on, the default localization)."""
    kind = type(value)
    if kind is str:  # a plain str (not a SafeString): localized as itself, escaped
        return _escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:  # numberformat.format's own short path: digits
        return str(value)
    return render_value_in_context(value, _CONTEXT)


template_text = _out


def _s(value) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" % value, kept safe when the value was (the filter is_safe)."""
    kind = type(value)
    if kind is str:
        return _escape(value)
    if kind is int:
        return str(value)  # "%s" % 5: digits, nothing to escape
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


# --- filter bars (issue 16) ---------------------------------------------------------------------------------
# The renderer above writes the select's HTML in Python, but Django still builds its context first: an option
# dict per choice (ChoiceWidget.optgroups, create_option) and, for a ModelChoiceField, a model instance per
# row (ModelChoiceIterator). The widgets below write the same HTML straight from the choices, and
# NamedChoiceField reads its choices as (pk, name) rows. FilterForm puts the widgets on a form's stock selects.
# laomo/core/tests/test_filter_widgets.py compares both with Django's.

_PYTHON_SELECT_METHODS = ("get_context", "optgroups", "create_option", "format_value", "build_attrs", "_render")


class _PythonSelect:
    """Django's Select (or SelectMultiple) writing laomo's select.html in Python, option by option, when the
    form renderer is laomo's with the stock templates; anything else renders as Django's widget does."""

    def render(self, name, value, attrs=None, renderer=None):
        renderer = renderer or get_default_renderer()
        if not self._python_renders(renderer):
            return super().render(name, value, attrs, renderer)
        # Widget.get_context, Select.get_context and ChoiceWidget.optgroups, in that order.
        attrs = self.build_attrs(self.attrs, attrs)
        multiple = self.allow_multiple_selected
        if multiple:
            attrs["multiple"] = True
        value = self.format_value(value)
        out = [f'<select name="{_out(name)}"{_attrs(attrs)}>']
        has_selected = False
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            if isinstance(option_label, list | tuple):
                group_name, choices = option_value, option_label
            else:
                group_name, choices = None, ((option_value, option_label),)
            if group_name:  # the template's {% if group_name %}
                out.append(f'\n  <optgroup label="{_out(group_name)}">')
            for subvalue, sublabel in choices:
                selected = (not has_selected or multiple) and str(subvalue) in value
                has_selected |= selected
                out.append(f'\n  <option value="{_s(subvalue)}"{" selected" if selected else ""}>'
                           f'{_out(sublabel)}</option>\n')
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))

    def _python_renders(self, renderer) -> bool:
        """Whether the HTML above is what the templates would give: laomo's renderer with the stock select and
        option templates, a widget class that changes none of the steps written above (the option's attrs
        are {} or {"selected": True}: Select's option_inherits_attrs and checked_attribute)."""
        cls = type(self)
        base = forms.SelectMultiple if self.allow_multiple_selected else forms.Select
        return (isinstance(renderer, FormRenderer) and self.template_name == _SELECT_TEMPLATE
                and self.option_template_name == _OPTION_TEMPLATE and not self.option_inherits_attrs
                and self.checked_attribute == {"selected": True} and isinstance(self, base)
                and all(getattr(cls, m) is getattr(base, m) for m in _PYTHON_SELECT_METHODS)
                and renderer._stock(_SELECT_TEMPLATE))


class Select(_PythonSelect, forms.Select):
    pass


class SelectMultiple(_PythonSelect, forms.SelectMultiple):
    pass


_PYTHON_WIDGETS = {forms.Select: Select, forms.SelectMultiple: SelectMultiple}


class FilterForm(forms.Form):
    """A filter bar's form (GET filters of a list page): its stock Select and SelectMultiple widgets render
    through the classes above: the same HTML without a context per option."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the form's own copies (BaseForm deep-copies base_fields)
            python = _PYTHON_WIDGETS.get(type(field.widget))
            if python is not None:
                field.widget.__class__ = python  # a subclass adding only `render`: the same state


class _NamedChoiceIterator(ModelChoiceIterator):
    """ModelChoiceIterator's choices as rows: (pk, name) instead of (ModelChoiceIteratorValue, str(instance))."""

    def __iter__(self):
        if type(self.field).label_from_instance is not forms.ModelChoiceField.label_from_instance:
            yield from super().__iter__()  # labels of its own: from the instances
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list(self.field.to_field_name or "pk", self.field.label_field)


class NamedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField of a model whose str() is its `name` (units, campaigns, teams, vendors) and whose
    label_from_instance is the default: the options are read as (pk, name) rows, not model instances (a
    filter bar lists every unit of the user's scope on every page). The cleaned value is the instance."""

    iterator = _NamedChoiceIterator
    label_field = "name"
