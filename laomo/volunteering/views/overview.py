"""The module's landing page (figures, chart, overdue requests) and a worker's phone-sized 我的服务."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from laomo.core.permissions import capability_required, has_capability
from laomo.core.scope import scope_root
from laomo.core.years import selected_year
from laomo.orgs.selectors import org_choices_for

from .. import forms as f
from .. import selectors
from ..models import RequestStatus, ServiceRequest, TeamType
from ..reports import volunteering_section
from .common import VIEW


def _unit(request):
    """The unit the staff look at (their scope's top, or the one picked), with the units to pick from."""
    user = request.user
    org = scope_root(user) if has_capability(user, "view_business") else None
    if org is None:
        return None, None
    orgs = org_choices_for(user=user)
    code = request.GET.get("org")
    if code:
        org = orgs.filter(code=code).first()
        if org is None:
            raise Http404("单位不存在或不在您的数据范围内")
    return org, orgs


@capability_required(*VIEW)
def index(request):
    year, user = selected_year(request), request.user
    org, orgs = _unit(request)
    series = selectors.monthly_person_times(user=user, year=year, org=org)
    chart = {"months": [f"{m}月" for m in range(1, 13)],
             "series": [{"name": TeamType(t).label, "data": v} for t, v in series.items() if any(v)]}
    requests = selectors.RequestFilters
    return render(request, "volunteering/index.html", {
        "year": year, "org": org, "orgs": orgs, "chart": chart, "team_types": TeamType.choices,
        "figures": volunteering_section(year=year, org=org) if org is not None else None,
        "overdue": list(selectors.request_list(user=user, filters=requests(overdue=True, org=org))[:10]),
        "my_teams": list(selectors.team_list(user=user)[:12]) if not org else [],
        "pending": selectors.request_list(user=user, filters=requests(status="pending", org=org)).count(),
    })


def _my_requests(user):
    items = list(selectors.my_requests(user=user)[:100])
    open_items = [r for r in items if r.status in (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED)]
    overdue_ids = set(ServiceRequest.objects.filter(selectors.overdue_q(), pk__in=[r.pk for r in open_items])
                      .values_list("pk", flat=True)) if open_items else set()
    for r in open_items:
        r.is_overdue = r.pk in overdue_ids
    return open_items, [r for r in items if r not in open_items][:20]


def _my_service(user, worker, year) -> dict:
    mine = selectors.hours_of_worker(worker=worker)
    return {
        "hours_year": selectors.hours_sum(mine.filter(record__date__year=year)),
        "records_year": mine.filter(record__date__year=year).count(),
        "recent": mine.select_related("record", "record__team", "record__mobilization").order_by("-record__date")[:10],
        "duties": worker.mobilization_duties.filter(is_active=True).select_related("mobilization", "post")
        .order_by("-duty_from")[:5],
        "certificates": selectors.certificate_base(user).filter(worker=worker, is_void=False)[:5],
    }


@login_required
def me(request):
    user, year = request.user, selected_year(request)
    worker = selectors.own_worker(user)
    open_items, done_items = _my_requests(user)
    ctx = {"worker": worker, "open_items": open_items, "done_items": done_items, "year": year,
           "reason_form": f.ReasonForm(), "schedule_form": f.ScheduleForm(),
           "led_teams": selectors.team_base(user).filter(pk__in=selectors.led_team_ids(user))}
    if worker is not None:
        ctx.update(_my_service(user, worker, year))
    return render(request, "volunteering/me.html", ctx)
