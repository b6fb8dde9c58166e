import functools
import sys

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from laomo.core.scope import scope_root

from . import aggregates, golive, selectors
from .dashboard import cards_for
from .dbbusy import busy_response
from .models import AuditResult
from .permissions import capability_required
from .services import notifications_mark_read
from .web import hx_redirect
from .years import parse_year, selected_year


@login_required
def dashboard(request):
    year = selected_year(request)
    org = scope_root(request.user)
    version = functools.cache(aggregates.data_version)  # read once, by the first that needs it
    cards = cards_for(user=request.user, year=year, org=org, version=version) if org is not None else []
    return render(request, "core/dashboard.html", {
        "golive_pending": golive.pending_steps(user=request.user, version=version),
        "cards": [c for c in cards if "chart" not in c], "charts": [c for c in cards if "chart" in c],
        "year": year, "org": org, "recent_jobs": selectors.job_list(user=request.user, limit=5),
    })


@capability_required("manage_dictionary", "manage_users", "manage_orgs")
def golive_checklist(request):
    """The first-login checklist of a go-live start: units, users, dictionaries, imports."""
    steps = golive.checklist(user=request.user)
    return render(request, "core/golive_checklist.html", {
        "steps": steps, "complete": all(s.done or s.optional for s in steps)})


@require_POST
@login_required
def set_year(request):
    year = parse_year(request.POST.get("year"))
    if year is not None:
        request.session["year"] = year
    target = request.POST.get("next") or "/"
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")


@capability_required("read_audit")
def audit_list(request):
    g = request.GET
    entries = selectors.audit_list(
        user=request.user, actor=g.get("actor", "").strip(), action=g.get("action", "").strip(),
        obj=g.get("obj", "").strip(), result=g.get("result", ""),
        date_from=parse_date(g.get("date_from") or "") if g.get("date_from") else None,
        date_to=parse_date(g.get("date_to") or "") if g.get("date_to") else None,
    )
    page = Paginator(entries, 50).get_page(g.get("page"))
    ctx = {"page": page, "filters": g, "actions": selectors.audit_actions(), "results": AuditResult.choices}
    template = "core/partials/audit_rows.html" if request.htmx else "core/audit_list.html"
    return render(request, template, ctx)


@login_required
def job_detail(request, job_id):
    job = selectors.job_get(user=request.user, job_id=job_id)
    if job is None:
        raise Http404("任务不存在")
    next_url = job.result.get("next_url") if job.status == "done" and isinstance(job.result, dict) else None
    if next_url:  # an import's preview or commit: straight on to its result, no extra click
        return hx_redirect(request, next_url)
    template = "core/partials/job_status.html" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, job_id):
    job = selectors.job_get(user=request.user, job_id=job_id)
    if job is None or not job.result_file:
        raise Http404("文件不存在或已过期删除")
    try:
        handle = open(job.result_file, "rb")
    except FileNotFoundError:
        raise Http404("文件已过期删除") from None
    return FileResponse(handle, as_attachment=True, filename=job.result_filename)


@login_required
def notifications(request):
    """The bell: the user's notifications, newest first; POST marks them read."""
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        if request.htmx:
            return render(request, "core/partials/bell.html", {"unread": 0})
        return redirect("core:notifications")
    items = selectors.notification_list(user=request.user)
    return render(request, "core/notifications.html", {"items": items})


def error_403(request, exception=None):
    return render(request, "403.html", {"message": str(exception or "")}, status=403)


def csrf_failure(request, reason=""):
    """A failed CSRF check, in Chinese and within the CSP (Django's own page is English, inline-styled)."""
    return render(request, "403_csrf.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # An error outside a view (a middleware saving the session, say) reaches only this handler.
    busy = busy_response(request, sys.exc_info()[1])
    if busy is not None:
        return busy
    return render(request, "500.html", status=500)
