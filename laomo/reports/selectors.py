from django.core.exceptions import PermissionDenied

from laomo.core import aggregates
from laomo.core.scope import org_in_scope, scope_root
from laomo.core.years import ensure_year
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import DataScope

from .registry import sections


def report_org(*, user, code: str | None) -> OrgUnit:
    """The unit a report is for: `code` if the user may see it, else their scope's top."""
    root = scope_root(user)
    if root is None or user.scope_level == DataScope.SELF:
        raise PermissionDenied("您没有查看统计报表的权限。")
    if not code:
        return user.org if user.org_id else root
    org = OrgUnit.objects.filter(code=code).first()
    if org is None:
        raise OrgNotFound(code)
    if not org_in_scope(user, org):
        raise PermissionDenied("该单位不在您的数据范围内。")
    return org


class OrgNotFound(LookupError):
    def __init__(self, code):
        super().__init__(f"组织代码 {code} 不存在。")


def summary(*, user, year: int, org: OrgUnit, previous: bool = False, version: str | None = None) -> dict:
    """The year's figures for `org` and every unit below it (the caller resolved `org` in scope).

    With `previous`, the same sections for the year before are added under `previous_year`, so that a reader
    computes 同比 from one response (the keys of DESIGN.md §7 keep their names and meaning).

    Sections are cached under the data version (`laomo.core.aggregates`); a read-only caller that asks
    for several summaries in one request passes the `version` it read once (never one read before a write)."""
    if not aggregates.enabled():
        version = None
    elif version is None:
        version = aggregates.data_version()

    registered = sections()

    def sections_of(y: int) -> dict:
        # Cached per (data version, sections registered, unit, year), every section in one entry (few
        # entries: a file cache culls at random when full); any audited write changes the version.
        def compute():
            return {name: fn(year=y, org=org) for name, fn in registered}

        if version is None:
            return compute()
        names = "-".join(name for name, _ in registered)
        return aggregates.cached(("summary", version, names, org.pk, y), compute)

    data = {"year": ensure_year(year), "org": org.code, **sections_of(year)}
    if previous:
        data["previous_year"] = {"year": year - 1, **sections_of(year - 1)}
    return data
