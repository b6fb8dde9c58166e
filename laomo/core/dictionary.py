"""The data dictionary (数据字典): every configurable list in one model (`core.DictItem`), one page.

A module declares its lists once, in its `apps.py` `ready()` or at import of its models module:

    dictionary.register_kind("platform", "传播平台", module="宣传宣讲")
    dictionary.register_kind("hardship_cause", "致困原因", module="关爱慰问",
                             flags={"severe": "重大致困因素"})

and reads them with `items(kind)` / `labels(kind)` / `is_valid(kind, code)`. City staff (capability
`manage_dictionary`) edit every list at /core/dictionary/; `item_save` is the one write, audited as
`core.dictionary.save`. Entries are deactivated, never deleted: old records keep their label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from . import audit
from .models import DictItem
from .permissions import require_capability


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    module: str
    flags: dict[str, str] = field(default_factory=dict)  # flag name → its label on the form
    help: str = ""


_KINDS: dict[str, Kind] = {}
# Lists that carry rules of their own (care's benefit types) keep their model but are edited on the same
# page: a panel is (title, template, context(request) -> dict).
_PANELS: list[tuple[str, str, object]] = []
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def register_kind(code: str, label: str, *, module: str, flags: dict[str, str] | None = None, help: str = "") -> Kind:  # noqa: A002
    kind = Kind(code, label, module, dict(flags or {}), help)
    _KINDS[code] = kind
    return kind


def register_panel(title: str, template: str, context) -> None:
    _PANELS.append((title, template, context))


def panels() -> list[tuple[str, str, object]]:
    return list(_PANELS)


def kinds() -> list[Kind]:
    return list(_KINDS.values())


def kind(code: str) -> Kind:
    try:
        return _KINDS[code]
    except KeyError:
        raise ValidationError({"kind": "未知的字典。"}) from None


# --- reads ------------------------------------------------------------------------------------------------


def items(kind_code: str, *, active_only: bool = True):
    qs = DictItem.objects.filter(kind=kind_code)
    return qs.filter(is_active=True) if active_only else qs


def by_code(kind_code: str, *, active_only: bool = True) -> dict[str, DictItem]:
    return {i.code: i for i in items(kind_code, active_only=active_only)}


def choices(kind_code: str, *, active_only: bool = True) -> list[tuple[str, str]]:
    return [(i.code, i.label) for i in items(kind_code, active_only=active_only)]


def labels(kind_code: str) -> dict[str, str]:
    """{code: label} of every entry, inactive ones too (old records keep their label)."""
    return {i.code: i.label for i in items(kind_code, active_only=False)}


def is_valid(kind_code: str, code: str) -> bool:
    return items(kind_code).filter(code=code).exists()


# --- the one write ----------------------------------------------------------------------------------------

ITEM_FIELDS = ("code", "label", "sort_order", "is_active", "flags")


def _clean(item: DictItem) -> None:
    errors = {}
    item.code = (item.code or "").strip().lower()
    item.label = (item.label or "").strip()
    if not CODE_RE.match(item.code):
        errors["code"] = "代码只能用小写字母、数字、下划线或短横线,最多 32 个字符。"
    if not item.label:
        errors["label"] = "请填写名称。"
    elif len(item.label) > 50:
        errors["label"] = "名称最多 50 个字符。"
    allowed = kind(item.kind).flags
    item.flags = {k: bool(v) for k, v in (item.flags or {}).items() if k in allowed}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def item_save(*, actor, item: DictItem | None = None, kind_code: str | None = None, **fields) -> DictItem:
    """Create (`kind_code`) or change (`item`) a dictionary entry. The code of an existing entry is fixed:
    records store it."""
    require_capability(actor, "manage_dictionary", "数据字典")
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown dictionary fields {sorted(unknown)}")
    if item is None:
        item = DictItem(kind=kind(kind_code or "").code)
        before = {}
    else:
        item = DictItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
        fields.pop("code", None)
        before = {f: getattr(item, f) for f in ITEM_FIELDS}
    for name, value in fields.items():
        setattr(item, name, value)
    _clean(item)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError({"code": "该字典中已有相同的代码或名称。"}) from None
    changes = audit.diff(before, {f: getattr(item, f) for f in ITEM_FIELDS})
    if changes:
        audit.record(actor=actor, action="core.dictionary.save", obj=item,
                     object_repr=f"{kind(item.kind).label}:{item.label}",
                     changes={"kind": item.kind, **changes})
    return item
