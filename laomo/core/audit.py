"""Writing and verifying the HMAC-chained audit log (DESIGN.md §5, issue 11).

Services call `record(...)` inside their transaction; one entry per change, one per import batch
(an import's per-record entries go in together through `record_many`).
Each entry's hash is an HMAC-SHA256, under a key kept outside the database (`LAOMO_AUDIT_KEY`), of its
content and the previous entry's hash; `AuditHead` holds the newest hash and the count, locked while
appending so that the chain never forks. Without the key nobody can re-chain the log after deleting or
editing a row: `verify_chain` catches it. With the key (someone on the server) a rewrite is caught by
an anchor (`current_anchor`) an operator kept elsewhere. Triggers (`audit_triggers`) refuse UPDATE and
DELETE of entries in the database itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from . import actions
from .models import AuditEntry, AuditHead, AuditResult
from .request_context import current_ip

GENESIS = "0" * 64
RESIGNED_ACTION = "audit.chain.resigned"


def key_id(key: str) -> str:
    """The public name of a key stored on each entry: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def _keyring() -> tuple[str, bytes, dict[str, bytes]]:
    """(id of the signing key, signing key, {id: key} of every key that verifies)."""
    keys = [k for k in getattr(settings, "LAOMO_AUDIT_KEYS", []) if k]
    if not keys:
        raise ImproperlyConfigured("未配置审计日志签名密钥 LAOMO_AUDIT_KEY。")
    ring = {}
    for k in keys:
        ring.setdefault(key_id(k), k.encode("utf-8"))
    first = key_id(keys[0])
    return first, ring[first], ring


def _canonical(entry, *, legacy: bool = False) -> str:
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
    if not legacy:
        payload["k"] = entry.key_id
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compute_hash(entry, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the entry's content (its previous hash and key id included) under `key`,
    by default the configured key the entry names. Nothing computes a valid hash without the key."""
    if key is None:
        ring = _keyring()[2]
        if entry.key_id not in ring:
            raise ImproperlyConfigured(f"审计日志签名密钥 {entry.key_id} 不在 LAOMO_AUDIT_KEY 中。")
        key = ring[entry.key_id]
    return hmac.new(key, _canonical(entry).encode("utf-8"), hashlib.sha256).hexdigest()


def _legacy_sha256(entry) -> str:
    # The chain before issue 11 (plain SHA-256, no key): read only by `resign_legacy_chain`.
    return hashlib.sha256(_canonical(entry, legacy=True).encode("utf-8")).hexdigest()


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
    """Append one audit entry. PII in `changes` must already be masked by the caller.

    `actor` is a user, `SYSTEM` or `PUBLIC` (laomo.core.actors; those two are recorded without a user).
    """
    entry = _entry(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
                   object_repr=object_repr, changes=changes, org=org, result=result, ip=ip, username=username)
    _append([entry])
    return entry


def record_many(*, actor=None, entries: Iterable[dict], username: str = "") -> int:
    """Append one entry per dict of `entries` (the keyword arguments of `record` but `actor` and `username`,
    shared by all), in their order, with one lock of the chain's head and inserts in batches: what an import
    records for each of thousands of changed records (one `record` each cost a lock, an insert and an update of
    the head: ~1 ms a record on SQLite, inside the import's write transaction; issue 16). Returns how many."""
    built = [_entry(actor=actor, username=username, **fields) for fields in entries]
    _append(built)
    return len(built)


def _entry(*, actor, action: str, obj=None, object_type: str = "", object_id: str | int = "", object_repr: str = "",
           changes: dict | None = None, org=None, result: str = AuditResult.SUCCESS, ip: str | None = None,
           username: str = "") -> AuditEntry:
    """An unsaved entry, not yet timed nor chained (`_append` does both under the head's lock)."""
    if getattr(settings, "LAOMO_STRICT_ACTIONS", False) and not actions.is_known(action):
        raise ValueError(f"audit action {action!r} is not in laomo.core.actions")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
        if org is None:
            org = getattr(obj, "org", None)
    if org is None and actor is not None and getattr(actor, "is_authenticated", False):
        org = getattr(actor, "org", None)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry(
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
    )


def _append(entries: list[AuditEntry]) -> None:
    """Chain `entries` after the head, in order, and store them: under the head's row lock, so the chain never
    forks (one insert for one entry, inserts of up to 1000 for more)."""
    if not entries:
        return
    signing_id, signing_key, _ = _keyring()
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update(of=("self",)).get_or_create(id=1)
        previous, now = head.last_hash, timezone.now()  # under the lock: times follow the chain's order
        for entry in entries:
            entry.created_at, entry.prev_hash, entry.key_id = now, previous, signing_id
            entry.hash = previous = compute_hash(entry, signing_key)
        if len(entries) == 1:
            entries[0].save(force_insert=True)
        else:
            AuditEntry.objects.bulk_create(entries, batch_size=1000)
        # bulk_create sets the ids where the database returns them (PostgreSQL, SQLite ≥ 3.35); under the
        # head's lock no other entry can have come after ours.
        last_id = entries[-1].id or AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        head.last_hash, head.last_id, head.count = previous, last_id, head.count + len(entries)
        head.save(update_fields=["last_hash", "last_id", "count"])


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    bad_id: int | None = None
    reason: str = ""


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def verify_chain(anchors: Iterable[dict] = ()) -> VerifyResult:
    """Check every entry's link and HMAC, the head, and that each kept anchor is still in the chain.

    An anchor ({"count", "hash", "id", "time"} from `current_anchor`) says: the count-th entry had this
    hash. A rewrite or truncation at or before that position changes it, even one made with the key.
    """
    ring = _keyring()[2]
    wanted: dict[int, list[dict]] = defaultdict(list)
    for anchor in anchors:
        if anchor["count"] > 0:
            wanted[anchor["count"]].append(anchor)
    prev = GENESIS
    checked = 0
    last_id = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, entry.id, "上一条记录的哈希不符(有记录被删除、插入或改写)")
        key = ring.get(entry.key_id)
        if key is None:
            return VerifyResult(False, checked, entry.id,
                                f"签名密钥 {entry.key_id or '(空)'} 不在 LAOMO_AUDIT_KEY 中"
                                "(缺少轮换前的旧密钥,或记录是伪造的)")
        if not _same(compute_hash(entry, key), entry.hash):
            return VerifyResult(False, checked, entry.id, "记录内容与签名不符(记录被篡改,或密钥不对)")
        prev = entry.hash
        last_id = entry.id
        checked += 1
        for anchor in wanted.pop(checked, ()):
            if not _same(anchor["hash"], entry.hash) or anchor.get("id", entry.id) != entry.id:
                return VerifyResult(False, checked - 1, entry.id,
                                    f"与保存的锚点不符(锚点时间 {anchor.get('time') or '未知'},第 {checked} 条):"
                                    "这条或之前的记录在锚点之后被改写或删除")
    head = AuditHead.objects.filter(id=1).first()
    if head is None:
        if checked:
            return VerifyResult(False, checked, None, "链头记录缺失")
    elif head.count != checked or head.last_hash != prev or head.last_id != last_id:
        return VerifyResult(False, checked, head.last_id, "链尾与链头不符(最新记录被删除或篡改)")
    if wanted:
        missing = min(wanted)
        return VerifyResult(False, checked, None,
                            f"日志只有 {checked} 条,少于保存的锚点记录的 {missing} 条(记录在锚点之后被删除)")
    return VerifyResult(True, checked)


def current_anchor() -> dict:
    """The head for operators to keep elsewhere: count, hash and id of the newest entry, and its time."""
    head = AuditHead.objects.filter(id=1).first()
    if head is None or head.count == 0:
        return {"count": 0, "hash": GENESIS, "id": 0, "time": None}
    last = AuditEntry.objects.filter(id=head.last_id).only("created_at").first()
    when = timezone.localtime(last.created_at).isoformat(timespec="seconds") if last else None
    return {"count": head.count, "hash": head.last_hash, "id": head.last_id, "time": when}


def _in_batches(queryset, size: int):
    last = 0
    while True:
        rows = list(queryset.filter(id__gt=last).order_by("id")[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].id


def resign_legacy_chain(entry_model=AuditEntry, head_model=AuditHead, *, using: str = "default",
                        batch: int = 2000) -> dict | None:
    """Re-sign a log chained with plain SHA-256 (before issue 11) with the HMAC key, once.

    Run by migration core.0004 before the append-only triggers exist. The legacy chain is checked
    first; what was found (count, legacy head hash, intact or the first bad id) goes into one
    `audit.chain.resigned` entry appended to the re-signed chain, so the re-signing is itself on the
    record and a broken legacy chain is not laundered silently. Returns that summary (None: empty log).
    """
    entries = entry_model._base_manager.using(using)
    heads = head_model._base_manager.using(using)
    if not entries.exists():
        return None
    signing_id, signing_key, _ = _keyring()
    prev, count, last_id, first_bad = GENESIS, 0, 0, None
    for rows in _in_batches(entries, batch):
        for entry in rows:
            if first_bad is None and (entry.prev_hash != prev or _legacy_sha256(entry) != entry.hash):
                first_bad = entry.id
            prev, last_id, count = entry.hash, entry.id, count + 1
    head = heads.filter(id=1).first()
    head_ok = head is not None and (head.count, head.last_hash, head.last_id) == (count, prev, last_id)
    summary = {"entries": count, "legacy_head": prev, "legacy_intact": first_bad is None and head_ok,
               "legacy_first_bad_id": first_bad, "key_id": signing_id}
    prev = GENESIS
    for rows in _in_batches(entries, batch):
        for entry in rows:
            entry.key_id, entry.prev_hash = signing_id, prev
            entry.hash = prev = compute_hash(entry, signing_key)
        entries.bulk_update(rows, ["key_id", "prev_hash", "hash"])
    note = entry_model(created_at=timezone.now(), actor_username="manage.py migrate", action=RESIGNED_ACTION,
                       object_type="audit", object_id="", object_repr="审计日志改用密钥签名(一次性重新签名)",
                       changes=summary, ip=None, result=AuditResult.SUCCESS, prev_hash=prev, key_id=signing_id)
    note.hash = compute_hash(note, signing_key)
    note.save(using=using, force_insert=True)
    heads.update_or_create(id=1, defaults={"last_hash": note.hash, "last_id": note.id, "count": count + 1})
    return summary
