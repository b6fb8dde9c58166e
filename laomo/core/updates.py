"""The write sequences every business module repeats, written once.

`model_update` is the update of one record: lock the row, check the actor may edit its unit, snapshot,
apply the changes, clean, save, diff and audit — in the caller's transaction. `soft_delete` marks a
`SoftDeleteModel` record deleted with a reason, audited. Both take the audit action from the one
enumeration in `laomo.core.actions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from . import audit
from .permissions import require_edit


def plain(value):
    """A field value as the audit log and the diff keep it (dates as ISO text, money as 2-place text,
    a related record as its key)."""
    if isinstance(value, datetime):
        aware = timezone.is_aware(value)
        return timezone.localtime(value).isoformat(timespec="seconds") if aware else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance, fields: Iterable[str]) -> dict:
    """{field: plain value} of `instance` for the audit diff; a foreign key is read by its `<name>_id`."""
    out = {}
    for name in fields:
        field = instance._meta.get_field(name) if name in {f.name for f in instance._meta.fields} else None
        if field is not None and field.is_relation:
            out[name] = getattr(instance, field.attname)
        else:
            out[name] = plain(getattr(instance, name))
    return out


def lock(instance, *related: str):
    """The row of `instance` again, locked for the rest of the transaction (SELECT … FOR UPDATE on
    PostgreSQL; SQLite's IMMEDIATE transactions serialize writers)."""
    qs = type(instance)._default_manager.select_for_update(of=("self",))
    if related:
        qs = qs.select_related(*related)
    return qs.get(pk=instance.pk)


def model_update(
    instance,
    *,
    fields: Iterable[str],
    data: dict,
    actor,
    action: str,
    what: str = "此项业务",
    clean: Callable | None = None,
    snap: Callable | None = None,
    org_field: str = "org",
    capability: str = "edit_business",
    check: Callable | None = None,
):
    """Update `instance` with `data` (only keys in `fields`; another key is a programming error).

    Locks the row, checks `require_edit(actor, <unit>, what)` on the record's unit (and on the new unit
    when `org_field` is in `data`), applies, runs `clean(instance)` (raise ValidationError keyed by field)
    and saves, then audits `action` with the diff of `snap(instance)` (by default
    the snapshot of `fields`). `check(instance)` runs on the locked row before anything is applied (state
    rules: "a closed batch cannot be edited"). Returns the locked, saved instance; no entry when nothing
    changed.
    """
    fields = tuple(fields)
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(f"unknown fields for {type(instance).__name__}: {sorted(unknown)}")
    snap = snap or (lambda obj: snapshot(obj, fields))
    with transaction.atomic():
        related = (org_field,) if org_field else ()
        obj = lock(instance, *related)
        org = getattr(obj, org_field) if org_field else None
        require_edit(actor, org, what, capability=capability)
        if check is not None:
            check(obj)
        before = snap(obj)
        if org_field and org_field in data and data[org_field] is not None:
            new_org = data[org_field]
            if getattr(new_org, "pk", new_org) != getattr(obj, f"{org_field}_id"):
                require_edit(actor, new_org, what, capability=capability)
        for key, value in data.items():
            setattr(obj, key, value)
        if clean is not None:
            clean(obj)
        obj.save()
        changes = audit.diff(before, snap(obj))
        if changes:
            audit.record(actor=actor, action=action, obj=obj, org=getattr(obj, org_field) if org_field else None,
                         changes=changes)
    return obj


def soft_delete(instance, *, actor, action: str, reason: str, what: str = "此项业务", org_field: str = "org",
                check: Callable | None = None):
    """Mark a `SoftDeleteModel` record deleted (it stays for history and figures' audit), with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写删除原因。"})
    with transaction.atomic():
        obj = lock(instance, *((org_field,) if org_field else ()))
        require_edit(actor, getattr(obj, org_field) if org_field else None, what)
        if obj.is_deleted:
            return obj
        if check is not None:
            check(obj)
        obj.is_deleted = True
        obj.deleted_at = timezone.now()
        stamp = ["updated_at"] if any(f.name == "updated_at" for f in obj._meta.fields) else []
        obj.save(update_fields=["is_deleted", "deleted_at", *stamp])
        audit.record(actor=actor, action=action, obj=obj, org=getattr(obj, org_field) if org_field else None,
                     changes={"reason": reason})
    return obj
