from django.http import Http404
from ninja import Router, Schema

from laomo.core.years import current_year
from laomo.reports.selectors import OrgNotFound, report_org, summary

from .common import Year, any_user, requires

router = Router(tags=["基础"])


class OrgOut(Schema):
    code: str
    name: str
    kind: str


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[str]
    data_scope: str
    org: OrgOut | None


@router.get("/me", response=MeOut, summary="当前用户")
@any_user
def me(request):
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "roles": sorted(user.role_codes),
        "data_scope": user.scope_level,
        "org": user.org,
    }


@router.get("/reports/summary", summary="年度汇总数据(DESIGN.md §7)")
@requires("view_business")
def reports_summary(request, year: Year | None = None, org: str | None = None):
    """The year's figures for `org` (default: the caller's unit) and every unit below it.

    Sections appear as modules land. Counts are integers, money and hours decimal strings. A record
    counts in the year of its date, in its unit and every unit above it. studios: studios in being
    during the year (founded by 31 Dec, not revoked before 1 Jan); mentorships: pairings active in the
    year (started by 31 Dec, not ended before 1 Jan), grouped by the form derived from the mentor and
    apprentice counts. workers: the registry as of 31 December (honors awarded by then, the highest level from
    those, people alive then; a person counts from the year of their first honor). outreach.online_views: views
    gained in the year (latest reading by 31 Dec minus the latest before 1 Jan, never negative), with
    online_views_cumulative beside it. previous_year: the same sections for the year before (for 同比).
    """
    try:
        unit = report_org(user=request.user, code=org)
    except OrgNotFound as exc:
        raise Http404(str(exc)) from exc
    return summary(user=request.user, year=year or current_year(), org=unit, previous=True)
