from django.core.exceptions import PermissionDenied

from laomo.core import aggregates
from laomo.core.scope import org_in_scope, scope_root
from laomo.core.years import ensure_year
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import DataScope

from .registry import groups_by_unit, sections


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


def _version(version: str | None) -> str | None:
    if not aggregates.enabled():
        return None
    return version if version is not None else aggregates.data_version()


def _cache_parts(version: str, registered, org_pk: int, year: int) -> tuple:
    # Cached per (data version, sections registered, unit, year), every section in one entry (few
    # entries: a file cache culls at random when full); any audited write changes the version.
    return ("summary", version, "-".join(name for name, _ in registered), org_pk, year)


def summary(*, user, year: int, org: OrgUnit, previous: bool = False, version: str | None = None) -> dict:
    """The year's figures for `org` and every unit below it (the caller resolved `org` in scope).

    With `previous`, the same sections for the year before are added under `previous_year`, so that a reader
    computes 同比 from one response (the keys of DESIGN.md §7 keep their names and meaning).

    Sections are cached under the data version (`laomo.core.aggregates`); a read-only caller that asks
    for several summaries in one request passes the `version` it read once (never one read before a write)."""
    version = _version(version)
    registered = sections()

    def sections_of(y: int) -> dict:
        def compute():
            return {name: fn(year=y, org=org) for name, fn in registered}

        if version is None:
            return compute()
        return aggregates.cached(_cache_parts(version, registered, org.pk, y), compute)

    data = {"year": ensure_year(year), "org": org.code, **sections_of(year)}
    if previous:
        data["previous_year"] = {"year": year - 1, **sections_of(year - 1)}
    return data


def summaries_below(*, user, year: int, org: OrgUnit, units: list[OrgUnit], previous: bool = False,
                    version: str | None = None) -> dict[int, dict]:
    """{unit pk: summary(user=user, year=year, org=unit, previous=previous, version=version)} for `units`, the
    units directly below `org`: the same figures and cache entries, each section computed for all the units
    at once, grouped by unit (a constant number of queries however many units there are)."""
    if any(u.parent_id != org.pk for u in units):
        raise ValueError("summaries_below: every unit must be directly below the unit")
    version = _version(version)
    registered = sections()
    by_pk = {u.pk: u for u in units}

    def compute(year_: int, pks: list[int]) -> dict[int, dict]:
        if not pks:
            return {}
        chosen = [by_pk[pk] for pk in pks]
        out: dict[int, dict] = {pk: {} for pk in pks}
        for name, fn in registered:
            if groups_by_unit(fn):
                figures = fn(year=year_, org=org, units=chosen)
            else:
                figures = {u.pk: fn(year=year_, org=u) for u in chosen}
            for pk in pks:
                out[pk][name] = figures[pk]
        return out

    def sections_of(y: int) -> dict[int, dict]:
        if version is None:
            return compute(y, list(by_pk))
        parts = {pk: _cache_parts(version, registered, pk, y) for pk in by_pk}
        return aggregates.cached_many(parts, lambda pks: compute(y, pks))

    now = sections_of(year)
    data = {u.pk: {"year": ensure_year(year), "org": u.code, **now[u.pk]} for u in units}
    if previous:
        before = sections_of(year - 1)
        for u in units:
            data[u.pk]["previous_year"] = {"year": year - 1, **before[u.pk]}
    return data
