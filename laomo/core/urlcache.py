"""URLs reversed once and reused (issue 16): `reverse()` costs about 0.1 ms, and list rows and the navigation
call it for the same names on every request.

`url_template(name, nargs, current_app)` reverses `name` once per (name, number of arguments, current app,
urlconf, script prefix) with a marker number in place of its one argument, and returns the escaped text
around it (the `{% url %}` builtin in laomo/core/templatetags/laomo_builtins.py assembles a primary key's URL
from it); `reverse_cached(name)` is `reverse(name)` for a URL without arguments.
"""

from __future__ import annotations

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils.html import escape

_MARKER = 918273645546372819  # stands for the argument while reversing; never a real primary key
NO_FAST_PATH = object()
_templates: dict[tuple, object] = {}


@receiver(setting_changed)
def _forget_urls(*, setting, **kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _templates.clear()


def url_template(view_name: str, nargs: int, current_app):
    """(escaped prefix, escaped suffix, prefix, suffix) of the URL of `view_name` around its one argument
    (prefix: the whole URL, for none), or NO_FAST_PATH."""
    key = (view_name, nargs, current_app, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    found = _templates.get(key)
    if found is None:
        try:
            url = reverse(view_name, args=[_MARKER] * nargs, current_app=current_app)
        except NoReverseMatch:
            found = NO_FAST_PATH
        else:
            parts = url.split(str(_MARKER))
            if len(parts) == nargs + 1:
                prefix, suffix = (url, "") if nargs == 0 else parts
                found = (escape(prefix), escape(suffix), prefix, suffix)
            else:
                found = NO_FAST_PATH
        _templates[key] = found
    return found


def reverse_cached(view_name: str) -> str:
    """`reverse(view_name)` for a URL without arguments (NoReverseMatch as reverse raises it)."""
    found = url_template(view_name, 0, None)
    if found is NO_FAST_PATH:
        return reverse(view_name)  # raises NoReverseMatch
    return found[2]
