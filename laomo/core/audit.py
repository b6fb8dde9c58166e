"""Writing and verifying the hash-chained audit log (DESIGN.md §5).

Services call `record(...)` inside their transaction; one entry per change, one per import batch.
Each entry's hash covers its content and the previous entry's hash; `AuditHead` holds the newest
hash and the count, locked while appending so that the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, AuditHead, AuditResult
from .request_context import current_ip

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> str:
    payload = {
        "t": entry.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "u": entry.actor_username,
        "a": entry.actor_id,
        "o": entry.org_id,
        "act": entry.action,
        "ot": entry.object_type,
        "oid": entry.object_id,
        "or": entry.object_repr,
        "c": entry.changes,
        "ip": entry.ip,
        "r": entry.result,
        "p": entry.prev_hash,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry).encode("utf-8")).hexdigest()


def record(
    *,
    actor=None,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict | None = None,
    org=None,
    result: str = AuditResult.SUCCESS,
    ip: str | None = None,
    username: str = "",
) -> AuditEntry:
    """Append one audit entry. PII in `changes` must already be masked by the caller."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
        if org is None:
            org = getattr(obj, "org", None)
    if org is None and actor is not None and getattr(actor, "is_authenticated", False):
        org = getattr(actor, "org", None)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update(of=("self",)).get_or_create(id=1)
        entry = AuditEntry(
            created_at=timezone.now(),
            actor=actor if authenticated else None,
            actor_username=(actor.get_username() if authenticated else username)[:150],
            org=org,
            action=action,
            object_type=object_type,
            object_id=str(object_id or ""),
            object_repr=str(object_repr or "")[:200],
            changes=json.loads(json.dumps(changes or {}, ensure_ascii=False, default=str)),
            ip=ip if ip is not None else current_ip(),
            result=result,
            prev_hash=head.last_hash,
        )
        entry.hash = compute_hash(entry)
        entry.save(force_insert=True)
        head.last_hash = entry.hash
        head.last_id = entry.id
        head.count += 1
        head.save(update_fields=["last_hash", "last_id", "count"])
    return entry


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_id: int | None = None
    reason: str = ""


def verify_chain() -> VerifyResult:
    prev = GENESIS
    checked = 0
    last_id = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, entry.id, "上一条记录的哈希不符(有记录被删除或插入)")
        if compute_hash(entry) != entry.hash:
            return VerifyResult(False, checked, entry.id, "记录内容与哈希不符(记录被篡改)")
        prev = entry.hash
        last_id = entry.id
        checked += 1
    head = AuditHead.objects.filter(id=1).first()
    if head is None:
        if checked:
            return VerifyResult(False, checked, None, "链头记录缺失")
        return VerifyResult(True, 0)
    if head.count != checked or head.last_hash != prev or head.last_id != last_id:
        return VerifyResult(False, checked, head.last_id, "链尾与链头不符(最新记录被删除或篡改)")
    return VerifyResult(True, checked)
