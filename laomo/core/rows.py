"""Rows of list pages as plain dicts (issue 16): what a list's template shows, read with `.values()`.

A list page of model instances costs, per cell, a model attribute or a chain of them resolved by Django's
template engine (it tries `obj[key]`, catches the TypeError, then `getattr`), `get_FOO_display` rebuilding
the field's choices dict on every call, and the instantiation of every row and prefetched object. A list
whose rows are dicts of the values it shows renders several times faster with the same template markup:
each variable is one dict lookup. The helpers here give the same text as Django's own paths (tested).
"""

from __future__ import annotations

import unicodedata
from functools import cache

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime

from .urlcache import NO_FAST_PATH, url_template


@cache
def choice_labels(model: type[models.Model], field_name: str) -> dict:
    """{value: label} of a field with fixed choices, built once (Django's `_get_FIELD_display` rebuilds it
    on every call)."""
    field = model._meta.get_field(field_name)
    assert isinstance(field.choices, (list, tuple)), f"{model.__name__}.{field_name}: no fixed choices"
    return dict(make_hashable(field.flatchoices))


def display(model: type[models.Model], field_name: str):
    """`get_<field>_display` for a value: `display(Lecture, "format")(row["format"])`, same text as Django's."""
    labels = choice_labels(model, field_name)

    def label(value):
        return force_str(labels.get(make_hashable(value), value), strings_only=True)

    return label


def pk_url(view_name: str):
    """`{% url view_name pk %}` for the rows' primary keys: `pk_url("workers:detail")(w["id"])`, the same text
    (the URL reversed once, laomo.core.urlcache, then assembled)."""
    found = url_template(view_name, 1, None)
    if found is NO_FAST_PATH:
        return lambda pk: reverse(view_name, args=[pk])
    prefix, suffix = found[:2]
    return lambda pk: mark_safe(f"{prefix}{pk}{suffix}")  # noqa: S308  (escaped by url_template)


def number(value) -> str:
    """`{{ value }}` of an int as the template shows it: localized, i.e. its digits while USE_THOUSAND_SEPARATOR
    is off (`formats.localize` asks the active language's formats each time, ~170 numbers on a page of records).
    Anything else as `formats.localize` gives it."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return str(formats.localize(value))


def ymd(value) -> str:
    """`{{ value|date:"Y-m-d" }}` of a date (or a local datetime); "" for None, as the filter."""
    if value in (None, ""):
        return ""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def md(value) -> str:
    """`{{ value|date:"m-d" }}` of a date; "" for None."""
    if value in (None, ""):
        return ""
    return f"{value.month:02d}-{value.day:02d}"


def ymd_hm(value) -> str:
    """`{{ value|date:"Y-m-d H:i" }}` of a datetime, in local time as the template shows it; "" for None."""
    if value in (None, ""):
        return ""
    value = template_localtime(value)
    return f"{ymd(value)} {value.hour:02d}:{value.minute:02d}"


def truncated(value, length: int) -> str:
    """`{{ value|truncatechars:length }}`. A text no longer than `length` is returned as Truncator returns it
    (NFC-normalized) without the translated ellipsis looked up for every row."""
    text = str(value)
    if 0 < length and len(text) <= length:  # combining characters only make the counted length shorter
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(length)


def unit_name(short_name: str, name: str) -> str:
    """`{{ org.short_name|default:org.name }}`."""
    return short_name or name
