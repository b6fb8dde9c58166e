"""Summary sections and dashboard cards kept in the shared cache, never stale after a write (issue 16).

The rule: a cached figure is stored under a key that holds the *data version*, and every business
write changes the data version in its own transaction. So the first read after a write's commit looks
for a key nobody has written yet and recomputes; entries of older versions are never read again and
expire (LAOMO_AGGREGATE_CACHE_SECONDS).

The data version is the audit chain's head hash (`AuditHead.last_hash`) plus an epoch kept in the cache:
- every service write calls `audit.record(...)` in its transaction (DESIGN.md), which updates the head
  in that transaction; readers see the new hash exactly when they can see the new data. The importer
  records one entry per batch (and one per updated worker), the demo writes through the services.
  The hash is unique to the chain's history, so two databases (or one restored from a backup) never
  share keys by accident, which a counter would allow. Audited reads (exports, PII reveals, logins)
  also move the head: they only cost a recomputation.
- `invalidate_all()` changes the epoch, for writes made outside the services (restore, a script).

Figures that change with the clock and not with data (overdue service requests) are at most
LAOMO_AGGREGATE_CACHE_SECONDS old.

Sections take (year, org) only and are keyed by those; cards depend on the user's capabilities and
scope, and are keyed by the capability set, scope level and unit of the user (never by a unit alone,
so a county user never reads a card computed for the city), and for a unit's staff by the user too. Cards
of users whose figures follow their own identity (self scope, team leaders, workers) are not cached.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from laomo.orgs.roles import CAPABILITIES, DataScope

from .audit import GENESIS
from .models import AuditHead
from .prepared import PreparedQuery

log = logging.getLogger(__name__)

PREFIX = "laomo:agg:v1"
_EPOCH_KEY = f"{PREFIX}:epoch"
_MISSING = object()
# Capabilities whose cards follow the user's own records (team led, own worker record): never shared.
_PERSONAL_CAPABILITIES = frozenset({"lead_team", "self_service"})
_SHARED_SCOPES = frozenset({DataScope.ALL, DataScope.SUBTREE, DataScope.UNIT})


def enabled() -> bool:
    return settings.LAOMO_AGGREGATE_CACHE_SECONDS > 0


# The audit head's hash, read on every view of a cached page: compiled to SQL once (core/prepared.py).
# Its one row has the id 1 (a constant in the SQL: a sentinel id would fall outside the small integer's
# range, which Django turns into an empty result on PostgreSQL).
_HEAD_HASH = PreparedQuery(lambda: AuditHead.objects.filter(id=1).values_list("last_hash"))


def data_version() -> str:
    """A token that changes with every audited write (and with `invalidate_all`)."""
    rows = _HEAD_HASH.rows()
    head = (rows[0][0] if rows else None) or GENESIS
    try:
        epoch = cache.get(_EPOCH_KEY) or "0"
    except Exception:  # a cache that does not answer: no caching this time (see `cached`)
        epoch = "0"
    return f"{head[:24]}.{epoch}"


def invalidate_all() -> None:
    """Make every cached figure unreachable (after writes that bypass the services)."""
    try:
        cache.set(_EPOCH_KEY, uuid.uuid4().hex[:12], None)
    except Exception:
        log.warning("aggregate cache: could not change the epoch", exc_info=True)


def cached(parts: tuple, compute: Callable):
    """compute() stored under the key made of `parts` (which must include the data version)."""
    if not enabled():
        return compute()
    key = ":".join([PREFIX, *(str(p) for p in parts)])
    try:
        value = cache.get(key, _MISSING)
    except Exception:
        log.warning("aggregate cache: read failed, computing", exc_info=True)
        return compute()
    if value is _MISSING:
        value = compute()
        try:
            cache.set(key, value, settings.LAOMO_AGGREGATE_CACHE_SECONDS)
        except Exception:
            log.warning("aggregate cache: write failed", exc_info=True)
    return value


def cached_many(parts: dict, compute: Callable[[list], dict]) -> dict:
    """{item: value} for every item of `parts` ({item: key parts, as for `cached`}): the values found in the cache,
    and compute(items missing) -> {item: value} for the others, stored under their keys. The same entries as
    `cached` with the same parts reads and writes."""
    if not enabled():
        return compute(list(parts))
    keys = {item: ":".join([PREFIX, *(str(p) for p in key_parts)]) for item, key_parts in parts.items()}
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:
        log.warning("aggregate cache: read failed, computing", exc_info=True)
        return compute(list(parts))
    out = {item: found[key] for item, key in keys.items() if key in found}
    missing = [item for item in parts if item not in out]
    if missing:
        computed = compute(missing)
        try:
            cache.set_many({keys[item]: computed[item] for item in missing}, settings.LAOMO_AGGREGATE_CACHE_SECONDS)
        except Exception:
            log.warning("aggregate cache: write failed", exc_info=True)
        out.update(computed)
    return {item: out[item] for item in parts}


def card_audience(user) -> str | None:
    """What a user's dashboard cards (and list pages, core.web.ListFragments) depend on besides (unit, year,
    data): their capability set, scope level and unit, and for a unit's staff the user themselves. None when
    the cards are personal and must not be cached.

    Staff who see every unit share their entries. A unit's staff do not: their volunteering scope adds the
    records and requests of their own worker record wherever they are (`volunteering.selectors.record_scope_q`),
    so two colleagues of one county may see different rows."""
    level = user.scope_level
    if level not in _SHARED_SCOPES:
        return None
    caps = [code for code, _ in CAPABILITIES if user.has_perm(f"core.{code}")]
    if _PERSONAL_CAPABILITIES.intersection(caps):
        return None
    own = "" if level == DataScope.ALL else f":u{user.pk}"
    return f"{level}:{user.org_id or '-'}:{','.join(caps)}{own}"
