"""`{% static %}` with each path's URL worked out once (issue 16): base.html asks for nine files on every page,
and the manifest storage's `url()` (hashed name, quoting, joining) costs about 15 µs a call.

The URL of a path is what Django's tag gives; it is kept per (path, DEBUG, script prefix) and forgotten when a
setting it depends on changes (the storage is rebuilt then). Templates load it as `{% load laomo_static %}`.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix

register = template.Library()
_urls: dict[tuple, str] = {}


@receiver(setting_changed)
def _forget_urls(*, setting, **kwargs):
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_STORAGE", "INSTALLED_APPS", "DEBUG"):
        _urls.clear()


def static_url(path: str) -> str:
    """Django's StaticNode.handle_simple(path), once per path (see the module docstring)."""
    if type(path) is not str:
        return StaticNode.handle_simple(path)
    key = (path, settings.DEBUG, get_script_prefix())
    url = _urls.get(key)
    if url is None:
        url = _urls[key] = StaticNode.handle_simple(path)
    return url


class CachedStaticNode(StaticNode):
    def url(self, context):
        return static_url(self.path.resolve(context))


@register.tag("static")
def do_static(parser, token):
    return CachedStaticNode.handle_token(parser, token)
