from django.db.models import Count, Q, QuerySet, Subquery

from laomo.core.scope import scope_root

from .models import OrgUnit, User
from .roles import DataScope


def org_list(*, user, q: str = "") -> QuerySet[OrgUnit]:
    """Org units for administration (sysadmin sees the whole tree)."""
    qs = OrgUnit.objects.select_related("parent").annotate(user_count=Count("users"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(short_name__icontains=q))
    return qs.order_by("path")


def org_choices_for(*, user) -> QuerySet[OrgUnit]:
    """Units a business user may pick (filters, record forms): their scope subtree."""
    if user.scope_level == DataScope.ALL:
        # scope_root's unit (the first without a parent) read within the same statement, not a query of its
        # own: every list page's filter bar asks for these (issue 16). No root: no units, as before.
        root_path = OrgUnit.objects.filter(parent__isnull=True).order_by("id").values("path")[:1]
        return OrgUnit.objects.filter(path__startswith=Subquery(root_path)).filter(is_active=True).order_by("path")
    root = scope_root(user)
    if root is None:
        return OrgUnit.objects.none()
    if user.scope_level == DataScope.UNIT or user.scope_level == DataScope.SELF:
        return OrgUnit.objects.filter(pk=root.pk)
    return root.subtree().filter(is_active=True).order_by("path")


def org_subtree(org: OrgUnit) -> QuerySet[OrgUnit]:
    return org.subtree()


def org_children(org: OrgUnit) -> QuerySet[OrgUnit]:
    """The active units directly below `org` (quotas, per-county tables)."""
    return OrgUnit.objects.filter(parent=org, is_active=True).order_by("sort_order", "code")


def org_get_by_code(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code).first()


def org_root() -> OrgUnit | None:
    return OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()


def user_list(*, actor, q: str = "", role: str = "", org: OrgUnit | None = None, active: str = "") -> QuerySet[User]:
    qs = User.objects.select_related("org").prefetch_related("groups")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role:
        qs = qs.filter(groups__name=role)
    if org is not None:
        qs = qs.filter(org.subtree_q())
    if active in ("1", "0"):
        qs = qs.filter(is_active=active == "1")
    return qs.order_by("username").distinct()


def staff_responsible_for(org: OrgUnit) -> list[User]:
    """Active county staff whose subtree holds `org` (nearest unit first); the city staff if none."""
    staff = list(User.objects.filter(is_active=True, groups__name="county_staff",
                                     org_id__in=OrgUnit.ids_on_path(org.path))
                 .select_related("org").distinct())
    if staff:
        deepest = max(u.org.depth for u in staff)
        return [u for u in staff if u.org.depth == deepest]
    return list(User.objects.filter(is_active=True, groups__name="city_staff").distinct())
