"""Requests (点单): the staff's list and phone-in form, the detail page with its dispatch recommendation, and
every step of the state machine (each a POST that answers with a redirect htmx follows)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required, has_capability
from laomo.core.scope import org_in_scope, scope_root
from laomo.core.web import errors_text, hx_redirect, list_page, run_action
from laomo.orgs.selectors import org_choices_for

from .. import exports, selectors, services
from .. import forms as f
from ..models import RequestStatus
from .common import VIEW, can_edit, submitted
from .records import _record_form_view

OPEN = (RequestStatus.PENDING, RequestStatus.DISPATCHED, RequestStatus.ACCEPTED)


def _request_filters(request):
    form = f.RequestFilterForm(request.GET or None, org_queryset=org_choices_for(user=request.user))
    filters = selectors.RequestFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.RequestFilters(q=d["q"] or "", status=d["status"] or "", category=d["category"] or "",
                                           org=d["org"], overdue=bool(d["overdue"]), channel=d["channel"] or "")
    return form, filters


@capability_required(*VIEW)
def request_list(request):
    form, filters = _request_filters(request)
    qs = selectors.request_list(user=request.user, filters=filters)
    return list_page(request, selectors.request_row_values(qs), template="volunteering/request_list.html",
                     partial="volunteering/partials/request_rows.jinja",
                     context={"form": form, "can_edit": has_capability(request.user, "edit_business")},
                     export=lambda: exports.requests(qs).response(request), each_page=selectors.request_rows)


@capability_required("edit_business")
def request_create(request):
    form = f.StaffRequestForm(request.POST or None, org_queryset=org_choices_for(user=request.user),
                              initial={"org": scope_root(request.user)})
    req = submitted(request, form, lambda d: services.request_submit(actor=request.user, **d))
    if req is not None:
        messages.success(request, f"已登记点单,查询码 {req.tracking_code}(请告知群众)。")
        return redirect("volunteering:request_detail", pk=req.pk)
    return render(request, "volunteering/request_form.html", {"form": form})


def _dispatch_form(user, data=None, initial=None):
    return f.DispatchForm(data, initial=initial, team_queryset=selectors.team_choices(user=user),
                          worker_queryset=selectors.worker_choices(user=user))


@capability_required("view_business", "lead_team", "self_service")
def request_detail(request, pk):
    user = request.user
    req = selectors.request_get(user=user, pk=pk)
    is_staff = can_edit(user, req.org)
    ctx = {
        "req": req, "events": selectors.request_events(req), "is_staff": is_staff,
        "may_serve": services.may_serve(user, req),
        "can_reveal": has_capability(user, "reveal_pii") and org_in_scope(user, req.org),
        "can": {a: services.can_transition(req.status, a) for a in services.TRANSITIONS},
        "is_overdue": selectors.request_base(user).filter(selectors.overdue_q(), pk=req.pk).exists(),
        "reason_form": f.ReasonForm(), "schedule_form": f.ScheduleForm(), "rate_form": f.RateForm(),
    }
    if is_staff and req.status in OPEN:
        ctx["recommendation"] = selectors.recommend(user=user, request=req)
        ctx["dispatch_form"] = _dispatch_form(user, initial={"promised_date": req.preferred_date,
                                                             "redispatch": req.status != RequestStatus.PENDING})
    return render(request, "volunteering/request_detail.html", ctx)


def _back(request, req):
    """Staff and team leaders go back to the request; a worker to their phone page."""
    if has_capability(request.user, "view_business") or has_capability(request.user, "lead_team"):
        return hx_redirect(request, reverse("volunteering:request_detail", args=[req.pk]))
    return hx_redirect(request, reverse("volunteering:me"))


def _step(request, pk, call, done):
    """One step of the state machine on the request `pk` in the user's scope: `call(req)`, then back."""
    req = selectors.request_get(user=request.user, pk=pk)
    run_action(request, lambda: call(req), success=done)
    return _back(request, req)


def _reason(request) -> str:
    return request.POST.get("reason", "")


@require_POST
@capability_required("edit_business")
def request_dispatch(request, pk):
    req = selectors.request_get(user=request.user, pk=pk)
    form = _dispatch_form(request.user, request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("volunteering:request_detail", pk=req.pk)
    run_action(request, lambda: services.request_dispatch(actor=request.user, request=req, **form.cleaned_data),
               success=lambda done: f"已派单给 {done.assignee_label}。")
    return _back(request, req)


@require_POST
@capability_required("edit_business")
def request_refuse(request, pk):
    return _step(request, pk, lambda req: services.request_refuse(actor=request.user, request=req,
                                                                  reason=_reason(request)), "已不予受理,并记录原因。")


@require_POST
@capability_required("edit_business")
def request_cancel(request, pk):
    return _step(request, pk, lambda req: services.request_cancel(actor=request.user, request=req,
                                                                  reason=_reason(request)), "点单已取消。")


@require_POST
@capability_required("edit_business")
def request_rate(request, pk):
    """Staff record a rating the requester gave by phone."""
    return _step(request, pk, lambda req: services.request_rate(
        actor=request.user, request=req, rating=request.POST.get("rating"), comment=request.POST.get("comment", "")),
        "已登记群众评价。")


@require_POST
@capability_required("reveal_pii")
def request_reveal(request, pk):
    req = selectors.request_get(user=request.user, pk=pk)
    data = services.request_reveal(actor=request.user, request=req)
    return render(request, "volunteering/partials/revealed_contact.html", data)


def _scheduled_at(request):
    form = f.ScheduleForm(request.POST)
    return form.cleaned_data.get("scheduled_at") if form.is_valid() else None


@require_POST
@login_required
def request_accept(request, pk):
    return _step(request, pk, lambda req: services.request_accept(actor=request.user, request=req,
                                                                  scheduled_at=_scheduled_at(request)),
                 "已接单,请按约定时间上门服务。")


@require_POST
@login_required
def request_decline(request, pk):
    return _step(request, pk, lambda req: services.request_decline(actor=request.user, request=req,
                                                                   reason=_reason(request)),
                 "已退单,点单已退回工会重新派单。")


@require_POST
@login_required
def request_schedule(request, pk):
    return _step(request, pk, lambda req: services.request_schedule(actor=request.user, request=req,
                                                                    scheduled_at=_scheduled_at(request)),
                 "已约定服务时间。")


@login_required
def request_complete(request, pk):
    req = selectors.request_get(user=request.user, pk=pk)
    if not services.may_serve(request.user, req):
        raise PermissionDenied("该点单未派给您或您所带领的服务队。")
    if not services.can_transition(req.status, "complete"):
        messages.error(request, "接单后才能登记完成服务。")
        return redirect("volunteering:me")
    return _record_form_view(request, req=req)
