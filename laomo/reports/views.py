from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from laomo.core.jobs import job_create
from laomo.core.permissions import capability_required
from laomo.core.years import selected_year
from laomo.orgs.selectors import org_choices_for

from .labels import flatten_summary
from .selectors import OrgNotFound, report_org, summary


@capability_required("view_business")
def summary_page(request):
    year = selected_year(request)
    try:
        org = report_org(user=request.user, code=request.GET.get("org") or None)
    except OrgNotFound as exc:
        messages.error(request, str(exc))
        return redirect("reports:summary")
    data = summary(user=request.user, year=year, org=org)
    return render(request, "reports/summary.html", {
        "year": year, "org": org, "data": data, "rows": flatten_summary(data),
        "orgs": org_choices_for(user=request.user),
    })


@require_POST
@capability_required("view_business")
def summary_export(request):
    year = selected_year(request)
    try:
        org = report_org(user=request.user, code=request.POST.get("org") or None)
    except OrgNotFound as exc:
        raise PermissionDenied(str(exc)) from exc
    job = job_create(actor=request.user, kind="reports.summary_xlsx", title=f"{org.name}{year}年统计报表",
                     params={"year": year, "org": org.code})
    return redirect("core:job_detail", job_id=job.pk)
