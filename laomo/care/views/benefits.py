"""Pages of the benefits follow-up (grants, the yearly report of what is missing) and of the benefit types."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required
from laomo.core.web import list_page, run_action, xlsx_response
from laomo.core.years import selected_year

from .. import export, selectors, services
from ..forms import BenefitReportForm, BenefitTypeForm, GrantFilterForm, GrantForm, ReasonForm
from ..models import BenefitType
from .common import orgs, safe_next, save_form, worker_or_error

# --- benefits ---------------------------------------------------------------------------------------------


def _type_choices(active_only=True):
    return [(t.code, t.name) for t in selectors.benefit_types(active_only=active_only)]


@capability_required("edit_business")
def grant_list(request):
    form = GrantFilterForm(request.GET or None, org_queryset=orgs(request), type_choices=_type_choices(False))
    f = selectors.GrantFilters()
    if form.is_valid():
        d = form.cleaned_data
        void = d["void"] or "0"
        f = selectors.GrantFilters(q=d["q"] or "", year=d["year"], benefit_type=d["benefit_type"] or "",
                                   source=d["source"] or "", org=d["org"], void="" if void == "all" else void)
    qs = selectors.grant_list(user=request.user, filters=f)
    return list_page(request, qs, template="care/grant_list.html", partial="care/partials/grant_rows.html",
                     context={"form": form, "void_form": ReasonForm()},
                     export=lambda: xlsx_response(request, filename="待遇落实记录", action="care.grant.export",
                                                  what="待遇落实记录", write=lambda f: export.write_grants(f, qs)))


@capability_required("edit_business")
def grant_create(request):
    initial = {"year": selected_year(request), "grant_date": timezone.localdate()}
    worker = selectors.worker_by_no(user=request.user, worker_no=request.GET.get("worker", ""))
    if worker is not None:
        initial["worker_no"] = worker.worker_no
    if request.GET.get("type"):
        initial["benefit_type"] = request.GET["type"]
    form = GrantForm(request.POST or None, initial=initial, type_choices=_type_choices())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        worker = worker_or_error(request, form)
        if worker is not None and save_form(request, form, lambda: services.benefit_grant_add(
                actor=request.user, worker=worker, benefit_type_code=d["benefit_type"], year=d["year"],
                grant_date=d["grant_date"], amount=d["amount"] or None, note=d["note"]),
                f"已登记 {worker.name} 的待遇落实。"):
            return redirect(safe_next(request, reverse("care:grant_list")))
    return render(request, "care/grant_form.html", {"form": form, "worker": worker,
                                                    "next": request.GET.get("next", "")})


@require_POST
@capability_required("edit_business")
def grant_void(request, pk):
    grant = selectors.grant_get(user=request.user, pk=pk)
    return run_action(request, lambda: services.benefit_grant_void(
        actor=request.user, grant=grant, reason=request.POST.get("reason", "")), success="待遇记录已作废。",
        redirect_to="care:grant_list")


@capability_required("edit_business")
def benefits_report(request):
    yearly = [(t.code, t.name) for t in selectors.benefit_types(yearly_only=True)]
    form = BenefitReportForm(request.GET or None, org_queryset=orgs(request), type_choices=yearly)
    year, org, code, q = selected_year(request), None, "", ""
    if form.is_valid():
        d = form.cleaned_data
        year, org, code, q = d["year"] or year, d["org"], d["benefit_type"] or "", d["q"] or ""
    report = selectors.benefit_report(user=request.user, year=year, org=org, type_code=code, q=q)
    def missing(rows):
        for w in rows:
            w.missing_list = selectors.missing_types(w, report.types)

    return list_page(request, report.missing, template="care/benefits_report.html",
                     partial="care/partials/benefit_report.html",
                     context={"form": form, "year": year, "report": report}, each_page=missing,
                     export=lambda: xlsx_response(request, filename=f"{year}年劳模待遇未落实名单",
                                                  action="care.benefit.export_report", what="劳模待遇未落实名单",
                                                  write=lambda f: export.write_benefit_report(f, report, year)))


# --- benefit types (a panel of the data dictionary page) -----------------------------------------------


def benefit_types_panel(request) -> dict:
    """The benefit types on /core/dictionary/ (registered in apps.py): they keep their own model and rules."""
    return {"types": selectors.benefit_types(active_only=False)}


@capability_required("manage_dictionary")
def dictionary(request):
    """The old 字典设置 page: the lists now live on the one data dictionary page."""
    return redirect("core:dictionary")


def _benefit_type_view(request, benefit_type=None):
    initial = {"sort_order": 0, "is_active": True, "min_level_rank": 2}
    if benefit_type is not None:
        initial = {f: getattr(benefit_type, f) for f in services.BENEFIT_TYPE_FIELDS}
    form = BenefitTypeForm(request.POST or None, initial=initial)
    if benefit_type is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["standard_amount"] = data["standard_amount"] or None
        if save_form(request, form, lambda: services.benefit_type_save(
                actor=request.user, benefit_type=benefit_type, **data), f"已保存待遇类型“{data['name']}”。"):
            return redirect("core:dictionary")
    # the dictionary's own form page, titled with the panel's name
    return render(request, "core/dictionary_form.html", {"form": form, "obj": benefit_type,
                                                         "kind": {"label": "劳模待遇类型"}})


@capability_required("manage_dictionary")
def benefit_type_create(request):
    return _benefit_type_view(request)


@capability_required("manage_dictionary")
def benefit_type_edit(request, pk):
    return _benefit_type_view(request, get_object_or_404(BenefitType, pk=pk))
