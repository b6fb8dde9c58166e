"""Jinja2, the second template backend, for the rows partials of list pages (issue 16).

A list page's rows partial outputs some 700 variables; Django's template engine spends most of a list
page's CPU on them (each variable a FilterExpression resolved through the context stack), Jinja compiles the
template to Python. The partials are `templates/<app>/partials/*.jinja` next to the Django templates,
rendered explicitly with `using="jinja2"` (`laomo.core.web.rows_response`); the page includes their HTML.

The environment gives the same text as Django's engine for what the partials do:

- `{{ value }}` as Django renders it (`finalize`): localized (numbers, dates; aware datetimes in local
  time) and escaped by Django's `escape` (`&quot;` and `&#x27;`, where markupsafe writes `&#34;` and
  `&#39;`); a safe string (Django's SafeString or Jinja's Markup: `__html__`) as it is. None is "None" in
  both.
- `row.key` on a dict reads the key first, as Django does (Jinja tries the attribute first: a key named
  like a dict method, `items`, `values`, would be the method), and without raising AttributeError first.
- a missing variable, or an attribute of one, is "" (Django's `string_if_invalid`), also with DEBUG
  (Django's backend would use DebugUndefined then); the trailing newline of a file is kept, as Django's.
- Django's filters behave differently under the same name: `{{ x|default:"—" }}` is
  `{{ x|default("—", true) }}` (Django's replaces any falsy value), `forloop.last` is `loop.last`,
  `{% empty %}` is the loop's `{% else %}`, `|add:'1'` is `+ 1` (on ints).

Only `.jinja` files are Jinja templates: the loader refuses any other name, so the Jinja engine never parses
a Django template (`templates/` are searched by both engines).
"""

from __future__ import annotations

import jinja2
from django.conf import settings
from django.template.utils import get_app_template_dirs
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import localize
from django.utils.timezone import template_localtime
from markupsafe import Markup, escape

from .templatetags.laomo import figure
from .templatetags.laomo_builtins import date as fast_date
from .urlcache import NO_FAST_PATH, url_template

SUFFIX = ".jinja"
ENGINE = "jinja2"  # TEMPLATES' NAME of the Jinja2 backend (settings.py)


class PartialLoader(jinja2.FileSystemLoader):
    """The project's and each app's `templates/` directories, for `.jinja` files only."""

    def get_source(self, environment, template):
        if not template.endswith(SUFFIX):
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)

    def list_templates(self):
        return [name for name in super().list_templates() if name.endswith(SUFFIX)]


class Environment(jinja2.Environment):
    def getattr(self, obj, attribute):
        """`obj.attribute`: a dict's key first, as Django's lookup (Jinja tries the attribute first)."""
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def django_value(value):
    """`{{ value }}` as Django's engine writes it (`render_value_in_context`): localized, escaped by Django's
    `escape`, a safe string as it is. (markupsafe's escape, in C, then its two entities for quotes as Django
    writes them: an escaped text holds "&#3" only where a quote was.)"""
    if type(value) is str:
        text = escape(value)
    elif hasattr(value, "__html__"):
        return value
    elif type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return Markup(value)  # its digits, as `localize` gives them
    else:
        text = escape(str(localize(template_localtime(value))))
    if "&#3" in text:
        return Markup(str.replace(str.replace(text, "&#34;", "&quot;"), "&#39;", "&#x27;"))
    return text


@jinja2.pass_context
def url(context, view_name: str, *args, **kwargs) -> str:
    """Django's `{% url %}` (laomo_builtins' fast path: one primary key or no argument, the URL reversed once)."""
    request = context.get("request")
    current_app = getattr(request, "current_app", None) or getattr(
        getattr(request, "resolver_match", None), "namespace", None)
    if not kwargs and len(args) <= 1 and (not args or (type(args[0]) is int and args[0] >= 0)):
        found = url_template(view_name, len(args), current_app)
        if found is not NO_FAST_PATH:
            return Markup(f"{found[0]}{args[0]}{found[1]}" if args else found[0])
    return reverse(view_name, args=args or None, kwargs=kwargs or None, current_app=current_app)


def date(value, arg=None):
    """Django's `date` filter (laomo_builtins' fast formats), on the value in local time as Django gives it."""
    return fast_date(template_localtime(value), arg)


def environment(**options) -> jinja2.Environment:
    """The Jinja2 environment of TEMPLATES["jinja2"] (the backend's DIRS, then each app's `templates/`)."""
    dirs = list(options.pop("loader").searchpath)
    options.update(
        loader=PartialLoader([*dirs, *(str(d) for d in get_app_template_dirs("templates"))]),
        autoescape=True, finalize=django_value, undefined=jinja2.ChainableUndefined, keep_trailing_newline=True,
    )
    env = Environment(**options)
    env.globals.update(url=url, static=static)
    env.filters.update(date=date, figure=figure)
    return env
