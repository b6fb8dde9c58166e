"""Data scope: the one place that decides which business records a user may see or write.

Levels (RuoYi's, applied on the org tree): all / unit and below / unit only / self / none.
Selectors call `scope_queryset(qs, user, ...)`; services call `ensure_org_in_scope(user, org)`
before writing a record to a unit, so a record cannot be moved to a unit outside the user's scope.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import DataScope

from .actors import SYSTEM
from .prepared import PreparedQuery

# The top of the tree, asked for on most pages of staff who see every unit: compiled to SQL once (core/prepared.py).
_ROOT = PreparedQuery(lambda: OrgUnit.objects.filter(parent__isnull=True).order_by("id")[:1])


def scope_q(user, *, org_field: str = "org", self_field: str | None = None) -> Q | None:
    """A Q restricting a queryset to the user's scope, or None for no restriction.

    `org_field` is the path to the record's org unit; `self_field` the path from the record to the
    user it belongs to (for the `self` level, e.g. "worker__user"). An empty match is Q(pk__in=[]).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    level = user.scope_level
    if level == DataScope.ALL:
        return None
    if level == DataScope.SUBTREE and user.org_id:
        return Q(**{f"{org_field}__path__startswith": user.org.path})
    if level == DataScope.UNIT and user.org_id:
        return Q(**{f"{org_field}_id": user.org_id})
    if level == DataScope.SELF and self_field:
        return Q(**{self_field: user.pk})
    return Q(pk__in=[])


def scope_queryset(qs: QuerySet, user, *, org_field: str = "org", self_field: str | None = None) -> QuerySet:
    q = scope_q(user, org_field=org_field, self_field=self_field)
    return qs if q is None else qs.filter(q)


def org_in_scope(user, org) -> bool:
    """May `user` see or write records of `org`? (The `self` level writes through its own record.)"""
    if org is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    level = user.scope_level
    if level == DataScope.ALL:
        return True
    if not user.org_id:
        return False
    if level == DataScope.SUBTREE:
        return org.path.startswith(user.org.path)
    if level == DataScope.UNIT:
        return org.pk == user.org_id
    return False


def ensure_org_in_scope(user, org) -> None:
    # The refusal is audited by SessionPolicyMiddleware once the transaction has rolled back.
    if user is SYSTEM:
        return
    if not org_in_scope(user, org):
        raise PermissionDenied("该单位不在您的数据范围内。")


def scope_root(user):
    """The org unit at the top of what the user may see (None for no business access)."""
    level = user.scope_level
    if level == DataScope.ALL:
        found = _ROOT.objects()
        return found[0] if found else None
    if level in (DataScope.SUBTREE, DataScope.UNIT, DataScope.SELF):
        return user.org
    return None
