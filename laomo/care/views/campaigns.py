"""Pages of the care campaigns: overview, campaigns, their recipient lists, payment sheets and the ledger."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required
from laomo.core.scope import org_in_scope, scope_root
from laomo.core.web import errors_text, list_page, paged, query_string, run_action, wants_export, xlsx_response
from laomo.core.years import parse_year, selected_year
from laomo.orgs.roles import DataScope

from .. import export, selectors, services
from ..forms import (
    CampaignFilterForm,
    CampaignForm,
    LedgerFilterForm,
    RecipientAddForm,
    RecipientAdjustForm,
    RecipientFilterForm,
)
from ..models import CampaignStatus, RecipientStatus
from ..reports import care_section
from .common import can, chart_data, orgs, save_form, worker_or_error

# --- overview ---------------------------------------------------------------------------------------------


@capability_required("view_business")
def index(request):
    year = parse_year(request.GET.get("year")) or selected_year(request)
    campaigns = _with_figures(request, list(selectors.campaign_list(
        user=request.user, filters=selectors.CampaignFilters(year=year))))
    chart = selectors.money_by_county(user=request.user, year=year)
    root = selectors.report_root(request.user)
    section = care_section(year=year, org=root) if root is not None else None
    return render(request, "care/index.html", {
        "year": year, "campaigns": campaigns, "chart": chart_data(chart), "section": section, "root": root,
        "can_edit": can(request, "edit_business"),
    })


def _with_figures(request, campaigns: list) -> list:
    """Each campaign with its `figures` (list, planned, paid, visited) within the user's scope."""
    figures = selectors.campaign_figures(user=request.user, campaign_ids=[c.pk for c in campaigns])
    for c in campaigns:
        c.figures = figures[c.pk]
    return campaigns


# --- campaigns --------------------------------------------------------------------------------------------


def _campaign_filters(request):
    form = CampaignFilterForm(request.GET or None, org_queryset=orgs(request))
    f = selectors.CampaignFilters()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.CampaignFilters(q=d["q"] or "", year=d["year"], visit_type=d["visit_type"] or "", org=d["org"],
                                      status=d["status"] or "")
    return form, f


@capability_required("view_business")
def campaign_list(request):
    form, filters = _campaign_filters(request)
    qs = selectors.campaign_list(user=request.user, filters=filters)
    def sheet():
        campaigns = _with_figures(request, list(qs[:5000]))
        return xlsx_response(request, filename="慰问活动", action="care.campaign.export", what="慰问活动",
                             write=lambda f: export.write_campaigns(f, campaigns, {c.pk: c.figures for c in campaigns}))

    return list_page(request, qs, template="care/campaign_list.html", partial="care/partials/campaign_rows.html",
                     context={"form": form, "can_edit": can(request, "edit_business")}, export=sheet,
                     each_page=lambda rows: _with_figures(request, rows))


def _campaign_form_view(request, campaign=None):
    if campaign is not None:
        initial = {f: getattr(campaign, f) for f in services.CAMPAIGN_FIELDS}
        initial["org"] = campaign.org
    else:
        initial = {"org": scope_root(request.user), "year": selected_year(request), "min_level_rank": 2,
                   "visit_type": "spring_festival", "amount_national": "2000", "amount_provincial": "1000",
                   "amount_municipal": "500", "amount_county": "0", "hardship_extra": "0"}
    form = CampaignForm(request.POST or None, initial=initial, org_queryset=orgs(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if campaign is None:
            saved = save_form(request, form, lambda: services.campaign_create(actor=request.user, **data),
                              lambda c: f"已创建慰问活动“{c.name}”,可按条件生成慰问名单。")
        else:
            saved = save_form(request, form, lambda: services.campaign_update(
                actor=request.user, campaign=campaign, **data), "已保存活动信息。")
        if saved is not None:
            return redirect("care:campaign_detail", pk=saved.pk)
    return render(request, "care/campaign_form.html", {"form": form, "campaign": campaign})


@capability_required("edit_business")
def campaign_create(request):
    return _campaign_form_view(request)


@capability_required("edit_business")
def campaign_edit(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    if not org_in_scope(request.user, campaign.org):
        messages.error(request, "该活动由上级单位组织,您只能登记本单位的慰问。")
        return redirect("care:campaign_detail", pk=campaign.pk)
    return _campaign_form_view(request, campaign)


def _campaign_context(request, campaign, **extra) -> dict:
    figures = selectors.campaign_figures(user=request.user, campaign_ids=[campaign.pk])[campaign.pk]
    ledger = selectors.county_ledger(user=request.user, year=campaign.year, campaign=campaign)
    ctx = {
        "campaign": campaign, "figures": figures, "ledger": ledger, "ledger_totals": selectors.ledger_totals(ledger),
        "can_edit": can(request, "edit_business"),
        "can_manage": can(request, "edit_business") and org_in_scope(request.user, campaign.org),
        "add_form": extra.pop("add_form", None) or RecipientAddForm(),
        "scoped": request.user.scope_level != DataScope.ALL,
    }
    if ctx["can_edit"]:
        rform = RecipientFilterForm(request.GET or None, org_queryset=orgs(request))
        ctx.update(rform=rform, **_recipient_rows(request, campaign, rform))
    ctx.update(extra)
    return ctx


@capability_required("view_business")
def campaign_detail(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    return render(request, "care/campaign_detail.html", _campaign_context(request, campaign))


@require_POST
@capability_required("edit_business")
def campaign_status(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    status = request.POST.get("status", "")
    run_action(request, lambda: services.campaign_set_status(actor=request.user, campaign=campaign, status=status),
               success="活动已结束。" if status == CampaignStatus.CLOSED else "活动已重新开启。")
    return redirect("care:campaign_detail", pk=campaign.pk)


@require_POST
@capability_required("edit_business")
def recipients_generate(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    run_action(request, lambda: services.recipients_generate(actor=request.user, campaign=campaign),
               success=lambda r: f"已生成慰问名单:新增 {r.added} 人,更新 {r.updated} 人,"
                                 f"移出 {r.excluded} 人;名单共 {r.total} 人。")
    return redirect("care:campaign_detail", pk=campaign.pk)


def _recipient_rows(request, campaign, form) -> dict:
    f = selectors.RecipientFilters()
    if form.is_valid():
        d = form.cleaned_data
        status = d["status"] or RecipientStatus.INCLUDED
        f = selectors.RecipientFilters(q=d["q"] or "", org=d["org"], status="" if status == "all" else status,
                                       paid=d["paid"] or "", level=d["level"] or "", hardship=d["hardship"] or "")
    qs = selectors.recipient_list(user=request.user, campaign=campaign, filters=f)
    ctx = paged(request, qs)
    return {"recipients": ctx["rows"], "r_page": ctx["page"], "r_has_next": ctx["has_next"], "r_query": ctx["query"],
            "r_qs": qs}


@capability_required("edit_business")
def recipient_list(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    form = RecipientFilterForm(request.GET or None, org_queryset=orgs(request))
    rows = _recipient_rows(request, campaign, form)
    if wants_export(request):
        return xlsx_response(request, filename=f"{campaign.name}-慰问名单", action="care.recipient.export",
                             what="慰问名单", write=lambda f: export.write_recipients(f, rows["r_qs"]))
    if not request.htmx:
        return redirect(f"{reverse('care:campaign_detail', args=[campaign.pk])}?{query_string(request)}")
    return render(request, "care/partials/recipient_rows.html", {"campaign": campaign, **rows})


@require_POST
@capability_required("edit_business")
def recipient_add(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    form = RecipientAddForm(request.POST)
    if form.is_valid():
        worker = worker_or_error(request, form)
        added = worker is not None and save_form(request, form, lambda: services.recipient_add(
            actor=request.user, campaign=campaign, worker=worker, reason=form.cleaned_data["reason"],
            planned_amount=form.cleaned_data["planned_amount"] or None), f"已将 {worker.name} 加入慰问名单。")
        if added:
            return redirect("care:campaign_detail", pk=campaign.pk)
    return render(request, "care/campaign_detail.html", _campaign_context(request, campaign, add_form=form,
                                                                           show_add=True))


@require_POST
@capability_required("edit_business")
def recipient_adjust(request, pk, rid):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    recipient = selectors.recipient_get(user=request.user, campaign=campaign, pk=rid)
    form = RecipientAdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("care:campaign_detail", pk=campaign.pk)
    d = form.cleaned_data
    status = {"exclude": RecipientStatus.EXCLUDED, "include": RecipientStatus.INCLUDED}.get(d["action"])
    try:
        services.recipient_adjust(actor=request.user, recipient=recipient, reason=d["reason"], status=status,
                                  planned_amount=d["planned_amount"] if d["action"] == "amount" else None)
    except ValidationError as exc:
        messages.error(request, f"{recipient.worker.name}:" + errors_text(exc))
    else:
        messages.success(request, f"已调整 {recipient.worker.name} 的名单记录。")
    return redirect("care:campaign_detail", pk=campaign.pk)


@capability_required("edit_business")
def payment_sheet(request, pk):
    """发放表: xlsx for finance (masked accounts; full with export_pii, audited) and a print view."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    org = None
    code = request.GET.get("org")
    if code:
        org = orgs(request).filter(code=code).first()
    rows, extra = selectors.payment_sheet(user=request.user, campaign=campaign, org=org)
    full = request.GET.get("full") == "1"
    if full and not can(request, "export_pii"):
        raise PermissionDenied("您没有导出完整银行账号的权限。")
    if wants_export(request):
        return xlsx_response(request, filename=f"{campaign.name}-发放表{'(完整)' if full else ''}", what="发放表",
                             action="care.payment_sheet.export_full" if full else "care.payment_sheet.export",
                             write=lambda f: export.write_payment_sheet(f, campaign, rows, extra, full=full))
    body, totals = export.payment_sheet_rows(rows, extra, full=False)
    services.payment_sheet_printed(actor=request.user, campaign=campaign, rows=totals["count"], org_code=code or "")
    return render(request, "care/payment_sheet.html", {
        "campaign": campaign, "rows": [export.display_row(row) for row in body], "totals": totals, "org": org,
        "orgs": orgs(request),
        "headers": export.SHEET_HEADERS, "can_export_full": can(request, "export_pii"),
        "printed_on": timezone.localdate(),
    })


# --- ledger -----------------------------------------------------------------------------------------------


@capability_required("view_business")
def ledger(request):
    campaigns_qs = selectors.campaign_base(request.user).order_by("-year", "-id")
    form = LedgerFilterForm(request.GET or None, org_queryset=orgs(request), campaign_queryset=campaigns_qs)
    year, campaign, org = selected_year(request), None, None
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        campaign = form.cleaned_data["campaign"]
        org = form.cleaned_data["org"]
        if campaign is not None:
            year = campaign.year
    rows = selectors.county_ledger(user=request.user, year=year, campaign=campaign, org=org)
    totals = selectors.ledger_totals(rows)
    if wants_export(request):
        return xlsx_response(request, filename=f"{year}年慰问台账", action="care.ledger.export", what="慰问台账",
                             write=lambda f: export.write_ledger(f, rows, totals, year=year,
                                                                 campaign_name=campaign.name if campaign else ""))
    campaigns = _with_figures(request, [campaign] if campaign else list(
        campaigns_qs.filter(year=year).select_related("org")))
    chart = selectors.money_by_county(user=request.user, year=year, org=org)
    return render(request, "care/ledger.html", {
        "form": form, "year": year, "campaign": campaign, "rows": rows, "totals": totals, "campaigns": campaigns,
        "chart": chart_data(chart), "chart_total": sum((r["amount"] for r in chart), 0),
        "query": query_string(request)})


