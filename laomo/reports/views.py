from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from laomo.core.jobs import job_create
from laomo.core.permissions import capability_required
from laomo.core.web import paged
from laomo.core.years import parse_year, selected_year, year_choices
from laomo.orgs.selectors import org_choices_for

from . import workspace
from .drill import as_text, drill_for
from .labels import label
from .selectors import OrgNotFound, report_org

RECORDS_PER_PAGE = 100


@capability_required("view_business")
def summary_page(request):
    """The reports workspace: indicators × units, 同比, charts; every number links to its records."""
    year = selected_year(request)
    try:
        org = report_org(user=request.user, code=request.GET.get("org") or None)
    except OrgNotFound as exc:
        messages.error(request, str(exc))
        return redirect("reports:summary")
    page = workspace.page(user=request.user, year=year, org=org)
    return render(request, "reports/summary.html", {
        "year": year, "org": org, "table": page.table, "has_charts": page.has_charts, "ws": page.ws,
        "orgs": org_choices_for(user=request.user), "years": year_choices(),
    })


@capability_required("view_business")
def records(request):
    """The records behind one figure of the workspace, with the figure recomputed from them."""
    year = selected_year(request)
    metric = request.GET.get("metric", "")
    try:
        org = report_org(user=request.user, code=request.GET.get("org") or None)
    except OrgNotFound as exc:
        messages.error(request, str(exc))
        return redirect("reports:summary")
    drill = drill_for(metric, year=year, org=org)
    if drill is None:
        messages.error(request, "该指标没有可查看的明细记录。")
        return redirect(f"{reverse('reports:summary')}?year={year}&org={org.code}")
    page = paged(request, drill.qs, per_page=RECORDS_PER_PAGE)
    page["rows"] = [([(as_text(c.value(obj)), c.numeric) for c in drill.columns],
                     drill.link(obj) if drill.link else None) for obj in page["rows"]]
    return render(request, "reports/records.html", {
        "year": year, "org": org, "metric": metric, "drill": drill, "figure": as_text(drill.figure()),
        "count": drill.qs.count(), "title": " / ".join(label(k) for k in metric.split(".")), **page,
    })


def _report_job(request, *, kind: str, title: str, **params):
    """Queue a report job for the unit and year a report form posts (the unit checked against the user's scope)."""
    year = parse_year(request.POST.get("year")) or selected_year(request)
    try:
        org = report_org(user=request.user, code=request.POST.get("org") or None)
    except OrgNotFound as exc:
        raise PermissionDenied(str(exc)) from exc
    job = job_create(actor=request.user, kind=kind, title=f"{org.name}{year}年{title}",
                     params={"year": year, "org": org.code, **params})
    return redirect("core:job_detail", job_id=job.pk)


@require_POST
@capability_required("view_business")
def summary_export(request):
    return _report_job(request, kind="reports.summary_xlsx", title="统计报表")


@require_POST
@capability_required("view_business")
def annual_report(request):
    """Generate the annual report (年度工作总结) of a unit as a job: .docx (fmt=docx) or PDF (fmt=pdf)."""
    fmt = request.POST.get("fmt", "docx")
    if fmt not in ("docx", "pdf"):
        messages.error(request, "请选择 Word 或 PDF 格式。")
        return redirect("reports:summary")
    return _report_job(request, kind="reports.annual", title=f"劳模工作总结({fmt.upper()})", fmt=fmt)


@require_POST
@capability_required("view_business")
def provincial_return(request):
    """Generate the provincial return (上报报表, fixed layout .xlsx with 同比) of a unit as a job."""
    return _report_job(request, kind="reports.provincial", title="上报报表")
