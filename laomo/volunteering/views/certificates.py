"""Certificates of volunteer service (志愿服务记录证明): issued by the unit that kept the records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required, has_capability
from laomo.core.scope import scope_root
from laomo.core.web import run_action
from laomo.core.years import selected_year
from laomo.orgs.selectors import org_choices_for

from .. import exports, selectors, services
from .. import forms as f
from .common import can_edit, list_or_export, submitted


@capability_required("view_business", "self_service")
def certificate_list(request):
    g = request.GET
    orgs = org_choices_for(user=request.user)
    qs = selectors.certificate_list(user=request.user, q=g.get("q", "")[:50],
                                    org=orgs.filter(pk=g.get("org") or 0).first())
    return list_or_export(request, qs, name="certificate", sheet=exports.certificates, context={
        "filters": g, "orgs": orgs, "can_edit": has_capability(request.user, "edit_business")})


def _certificate_form(request):
    user, year = request.user, selected_year(request)
    return f.CertificateForm(request.POST or request.GET or None,
                             worker_queryset=selectors.worker_choices(user=user).order_by("name_pinyin"),
                             org_queryset=org_choices_for(user=user),
                             initial={"org": scope_root(user), "period_from": date(year, 1, 1),
                                      "period_to": min(date(year, 12, 31), timezone.localdate())})


@capability_required("edit_business")
def certificate_create(request):
    """The form; with a worker chosen (GET) the lines the certificate would list; POST issues it."""
    form = _certificate_form(request)
    cert = submitted(request, form, lambda d: services.certificate_issue(actor=request.user, **d))
    if cert is not None:
        messages.success(request, f"已出具证明 {cert.number}。")
        return redirect("volunteering:certificate_detail", pk=cert.pk)
    preview = None
    if request.method != "POST" and request.GET.get("worker") and form.is_valid():
        lines = services.certificate_lines(**form.cleaned_data)
        preview = {"lines": lines, "hours": sum((Decimal(x["hours"]) for x in lines), Decimal("0"))}
    return render(request, "volunteering/certificate_form.html", {"form": form, "preview": preview})


@capability_required("view_business", "self_service")
def certificate_detail(request, pk):
    cert = selectors.certificate_get(user=request.user, pk=pk)
    return render(request, "volunteering/certificate_detail.html", {
        "cert": cert, "can_edit": can_edit(request.user, cert.org)})


@require_POST
@capability_required("edit_business")
def certificate_void(request, pk):
    cert = selectors.certificate_get(user=request.user, pk=pk)
    run_action(request, lambda: services.certificate_void(actor=request.user, certificate=cert,
                                                          reason=request.POST.get("reason", "")),
               success="证明已作废。")
    return redirect("volunteering:certificate_detail", pk=cert.pk)
