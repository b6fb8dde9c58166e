from django.core.exceptions import PermissionDenied

from laomo.core import aggregates
from laomo.core.scope import org_in_scope, scope_root
from laomo.core.years import ensure_year
from laomo.orgs.models import OrgUnit
from laomo.orgs.roles import DataScope

from .registry import groups_by_unit, sections, years_of


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
    computes 同比 from one response (the keys of DESIGN.md §7 keep their names and meaning); both years are
    computed together (`summaries_for_years`).

    Sections are cached under the data version (`laomo.core.aggregates`); a read-only caller that asks
    for several summaries in one request passes the `version` it read once (never one read before a write)."""
    ensure_year(year)
    if previous:
        return with_previous(summaries_for_years(user=user, years=[year - 1, year], org=org, version=version), year)
    return summaries_for_years(user=user, years=[year], org=org, version=version)[year]


def with_previous(by_year: dict[int, dict], year: int) -> dict:
    """summary(year=year, previous=True) from the summaries of `year` and the year before."""
    before = {key: value for key, value in by_year[year - 1].items() if key != "org"}
    return {**by_year[year], "previous_year": before}


def summaries_for_years(*, user, years: list[int], org: OrgUnit, version: str | None = None) -> dict[int, dict]:
    """{year: summary(user=user, year=year, org=org, version=version)} for `years`: the same figures and cache
    entries, each section computed for all the years not cached at once, grouped by year where it can be
    (`register_years`; figures as of 31 December may take a query per year)."""
    version = _version(version)
    registered = sections()
    years = [ensure_year(y) for y in dict.fromkeys(years)]

    def compute(years_: list[int]) -> dict[int, dict]:
        out: dict[int, dict] = {y: {} for y in years_}
        for name, fn in registered:
            many = years_of(name) if len(years_) > 1 else None  # one year: the section's plain queries
            figures = many(years=years_, org=org) if many else {y: fn(year=y, org=org) for y in years_}
            for y in years_:
                out[y][name] = figures[y]
        return out

    if version is None:
        found = compute(years)
    else:
        found = aggregates.cached_many({y: _cache_parts(version, registered, org.pk, y) for y in years}, compute)
    return {y: {"year": y, "org": org.code, **found[y]} for y in years}


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
