"""Pages of 关爱劳模. Thin: forms in, services for writes, selectors for reads (all scoped)."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from laomo.core import audit
from laomo.core.forms import apply_validation_error
from laomo.core.money import money_display
from laomo.core.pagination import page_number
from laomo.core.permissions import capability_required, has_capability
from laomo.core.scope import org_in_scope, scope_root
from laomo.core.years import parse_year, selected_year
from laomo.orgs.roles import DataScope
from laomo.orgs.selectors import org_choices_for

from . import export, selectors, services
from .forms import (
    BankAccountForm,
    BenefitReportForm,
    BenefitTypeForm,
    CampaignFilterForm,
    CampaignForm,
    DictItemForm,
    GrantFilterForm,
    GrantForm,
    HardshipFilterForm,
    LedgerFilterForm,
    NotSurveyedFilterForm,
    ReasonForm,
    RecipientAddForm,
    RecipientAdjustForm,
    RecipientFilterForm,
    ReviewForm,
    RoundForm,
    SurveyFilterForm,
    SurveyForm,
    VisitBatchForm,
    VisitFilterForm,
    VisitForm,
)
from .models import (
    CampaignStatus,
    DictItem,
    DictKind,
    PaymentMethod,
    RecipientStatus,
    RoundStatus,
    SurveyStatus,
)

PER_PAGE = 50


def _query(request) -> str:
    params = request.GET.copy()
    for key in ("page", "format", "full"):
        params.pop(key, None)
    return params.urlencode()


def _paged(request, qs, per_page: int = PER_PAGE) -> dict:
    page = page_number(request)
    rows, has_next = selectors.page_of(qs, page=page, per_page=per_page)
    return {"rows": rows, "page": page, "has_next": has_next, "query": _query(request)}


def _xlsx(request, filename: str, action: str, write, *args, **kwargs):
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")
    count = write(tmp, *args, **kwargs)
    if isinstance(count, tuple):
        count = count[0]
    audit.record(actor=request.user, action=action, object_type="care", object_repr=f"{filename} {count} 条",
                 changes={"rows": count, "query": _query(request)[:500]})
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename)


def _orgs(request):
    return org_choices_for(user=request.user)


def _page_or_partial(request, full: str, partial: str, ctx: dict):
    return render(request, partial if request.htmx else full, ctx)


def _worker_missing(text: str, matches: int) -> str:
    if matches > 1:
        return f"有多位劳模符合“{text}”,请输入劳模编号,或在右侧查找后选择。"
    return "未找到该劳模(可填劳模编号、姓名、拼音或身份证后四位),或该劳模不在您的数据范围内。"


def _worker_or_error(request, form, field: str = "worker_no"):
    """The worker named in `field`: a worker number, or a name / pinyin / ID last four with one match."""
    text = form.cleaned_data.get(field, "")
    worker, matches = selectors.worker_resolve(user=request.user, text=text)
    if worker is None:
        form.add_error(field, _worker_missing(text, matches))
    return worker


def _can(request, capability: str) -> bool:
    return has_capability(request.user, capability)


# --- overview ---------------------------------------------------------------------------------------------


@capability_required("view_business")
def index(request):
    year = parse_year(request.GET.get("year")) or selected_year(request)
    campaigns = list(selectors.campaign_list(user=request.user, filters=selectors.CampaignFilters(year=year)))
    figures = selectors.campaign_figures(user=request.user, campaign_ids=[c.pk for c in campaigns])
    for c in campaigns:
        c.figures = figures[c.pk]
    chart = selectors.money_by_county(user=request.user, year=year)
    from .reports import care_section

    root = selectors.report_root(request.user)
    section = care_section(year=year, org=root) if root is not None else None
    return render(request, "care/index.html", {
        "year": year, "campaigns": campaigns, "chart": _chart_data(chart), "section": section, "root": root,
        "can_edit": _can(request, "edit_business"),
    })


def _chart_data(rows) -> dict:
    return {"units": [r["org"].short_name or r["org"].name for r in rows],
            "amounts": [str(r["amount"]) for r in rows], "visits": [r["visits"] for r in rows]}


# --- campaigns --------------------------------------------------------------------------------------------


def _campaign_filters(request):
    form = CampaignFilterForm(request.GET or None, org_queryset=_orgs(request))
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
    if request.GET.get("format") == "xlsx":
        campaigns = list(qs[:5000])
        figures = selectors.campaign_figures(user=request.user, campaign_ids=[c.pk for c in campaigns])
        return _xlsx(request, "慰问活动.xlsx", "care.campaign.export", export.write_campaigns, campaigns, figures)
    ctx = _paged(request, qs)
    figures = selectors.campaign_figures(user=request.user, campaign_ids=[c.pk for c in ctx["rows"]])
    for c in ctx["rows"]:
        c.figures = figures[c.pk]
    ctx.update(form=form, can_edit=_can(request, "edit_business"))
    return _page_or_partial(request, "care/campaign_list.html", "care/partials/campaign_rows.html", ctx)


def _campaign_form_view(request, campaign=None):
    orgs = _orgs(request)
    initial = {}
    if campaign is not None:
        initial = {f: getattr(campaign, f) for f in services.CAMPAIGN_FIELDS}
        initial["org"] = campaign.org
    else:
        initial = {"org": scope_root(request.user), "year": selected_year(request), "min_level_rank": 2,
                   "visit_type": "spring_festival", "amount_national": "2000", "amount_provincial": "1000",
                   "amount_municipal": "500", "amount_county": "0", "hardship_extra": "0"}
    form = CampaignForm(request.POST or None, initial=initial, org_queryset=orgs)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if campaign is None:
                campaign = services.campaign_create(actor=request.user, **data)
                messages.success(request, f"已创建慰问活动“{campaign.name}”,可按条件生成慰问名单。")
            else:
                campaign = services.campaign_update(actor=request.user, campaign=campaign, **data)
                messages.success(request, "已保存活动信息。")
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("care:campaign_detail", pk=campaign.pk)
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
        "can_edit": _can(request, "edit_business"),
        "can_manage": _can(request, "edit_business") and org_in_scope(request.user, campaign.org),
        "add_form": extra.pop("add_form", None) or RecipientAddForm(),
        "scoped": request.user.scope_level != DataScope.ALL,
    }
    if ctx["can_edit"]:
        rform = RecipientFilterForm(request.GET or None, org_queryset=_orgs(request))
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
    try:
        services.campaign_set_status(actor=request.user, campaign=campaign, status=status)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, "活动已结束。" if status == CampaignStatus.CLOSED else "活动已重新开启。")
    return redirect("care:campaign_detail", pk=campaign.pk)


@require_POST
@capability_required("edit_business")
def recipients_generate(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    try:
        result = services.recipients_generate(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, f"已生成慰问名单:新增 {result.added} 人,更新 {result.updated} 人,"
                                  f"移出 {result.excluded} 人;名单共 {result.total} 人。")
    return redirect("care:campaign_detail", pk=campaign.pk)


def _recipient_rows(request, campaign, form) -> dict:
    f = selectors.RecipientFilters()
    if form.is_valid():
        d = form.cleaned_data
        status = d["status"] or RecipientStatus.INCLUDED
        f = selectors.RecipientFilters(q=d["q"] or "", org=d["org"], status="" if status == "all" else status,
                                       paid=d["paid"] or "", level=d["level"] or "", hardship=d["hardship"] or "")
    qs = selectors.recipient_list(user=request.user, campaign=campaign, filters=f)
    ctx = _paged(request, qs)
    return {"recipients": ctx["rows"], "r_page": ctx["page"], "r_has_next": ctx["has_next"], "r_query": ctx["query"],
            "r_qs": qs}


@capability_required("edit_business")
def recipient_list(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    form = RecipientFilterForm(request.GET or None, org_queryset=_orgs(request))
    rows = _recipient_rows(request, campaign, form)
    if request.GET.get("format") == "xlsx":
        return _xlsx(request, f"{campaign.name}-慰问名单.xlsx", "care.recipient.export", export.write_recipients,
                     rows["r_qs"])
    if not request.htmx:
        return redirect(f"{reverse('care:campaign_detail', args=[campaign.pk])}?{_query(request)}")
    return render(request, "care/partials/recipient_rows.html", {"campaign": campaign, **rows})


@require_POST
@capability_required("edit_business")
def recipient_add(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    form = RecipientAddForm(request.POST)
    if form.is_valid():
        worker = _worker_or_error(request, form)
        if worker is not None:
            try:
                services.recipient_add(actor=request.user, campaign=campaign, worker=worker,
                                       reason=form.cleaned_data["reason"],
                                       planned_amount=form.cleaned_data["planned_amount"] or None)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"已将 {worker.name} 加入慰问名单。")
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
        messages.error(request, ";".join(e for errs in form.errors.values() for e in errs))
        return redirect("care:campaign_detail", pk=campaign.pk)
    d = form.cleaned_data
    status = {"exclude": RecipientStatus.EXCLUDED, "include": RecipientStatus.INCLUDED}.get(d["action"])
    try:
        services.recipient_adjust(actor=request.user, recipient=recipient, reason=d["reason"], status=status,
                                  planned_amount=d["planned_amount"] if d["action"] == "amount" else None)
    except ValidationError as exc:
        messages.error(request, f"{recipient.worker.name}:" + ";".join(exc.messages))
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
        org = _orgs(request).filter(code=code).first()
    rows, extra = selectors.payment_sheet(user=request.user, campaign=campaign, org=org)
    full = request.GET.get("full") == "1"
    if full and not _can(request, "export_pii"):
        raise PermissionDenied("您没有导出完整银行账号的权限。")
    if request.GET.get("format") == "xlsx":
        return _xlsx(request, f"{campaign.name}-发放表{'(完整)' if full else ''}.xlsx",
                     "care.payment_sheet.export_full" if full else "care.payment_sheet.export",
                     export.write_payment_sheet, campaign, rows, extra, full=full)
    body, totals = export.payment_sheet_rows(rows, extra, full=False)
    body = [export.display_row(row) for row in body]
    audit.record(actor=request.user, action="care.payment_sheet.print", obj=campaign, org=campaign.org,
                 changes={"rows": totals["count"], "org": code or ""})
    return render(request, "care/payment_sheet.html", {
        "campaign": campaign, "rows": body, "totals": totals, "org": org, "orgs": _orgs(request),
        "headers": export.SHEET_HEADERS, "can_export_full": _can(request, "export_pii"),
        "printed_on": services._today(),
    })


# --- visits -----------------------------------------------------------------------------------------------


def _open_campaigns(request):
    return selectors.campaign_base(request.user).filter(status=CampaignStatus.OPEN).order_by("-year", "-start_date")


def _visit_inline(request, form, campaigns):
    """Check a visit as it is typed: the money rules (twice, deceased, budget, account) before saving."""
    form.is_valid()
    d = getattr(form, "cleaned_data", {})
    errors = {}
    worker, matches = selectors.worker_resolve(user=request.user, text=d.get("worker_no", ""))
    if d.get("worker_no") and worker is None:
        errors["worker_no"] = [_worker_missing(d["worker_no"], matches)]
    if worker is not None:
        data = services.visit_check(services.VisitInput(
            worker=worker, visit_date=d.get("visit_date"), method=d.get("method") or "", campaign=d.get("campaign"),
            visit_type=d.get("visit_type") or "", amount=d.get("amount") or "0",
            payment_method=d.get("payment_method") or "", bank_name=d.get("bank_name") or "",
            bank_account=d.get("bank_account") or "", receipt_signed=bool(d.get("receipt_signed"))))
        for key, message in data.errors.items():
            errors.setdefault("worker_no" if key == "worker" else key, []).append(message)
    data = request.POST.copy()
    if worker is not None:
        data["worker_no"] = worker.worker_no  # a name or pinyin typed in the box becomes the number found
    shown = VisitForm(data, campaign_queryset=campaigns)
    shown.is_valid()
    for name in list(shown.errors):
        if not request.POST.get(name):
            del shown.errors[name]  # untouched fields are not errors yet
    for name, msgs in errors.items():
        for m in msgs:
            if name in shown.fields:
                shown.add_error(name, m)
            else:
                shown.add_error(None, m)
    return render(request, "care/partials/visit_form_fields.html", _visit_ctx(request, shown, worker))


def _visit_ctx(request, form, worker) -> dict:
    account = selectors.bank_account_of(worker=worker) if worker is not None else None
    return {"form": form, "worker": worker, "account": account}


@capability_required("edit_business")
def visit_create(request):
    campaigns = _open_campaigns(request)
    initial = {"visit_date": services._today(), "method": "home", "payment_method": PaymentMethod.TRANSFER}
    worker = None
    if request.method == "GET":
        campaign = campaigns.filter(pk=request.GET.get("campaign") or 0).first()
        worker = selectors.worker_by_no(user=request.user, worker_no=request.GET.get("worker", ""))
        if campaign is not None:
            initial["campaign"] = campaign
            if not campaign.start_date <= initial["visit_date"] <= campaign.end_date:
                initial["visit_date"] = campaign.end_date if initial["visit_date"] > campaign.end_date else None
        if worker is not None:
            initial["worker_no"] = worker.worker_no
            if campaign is not None:
                recipient = campaign.recipients.filter(worker=worker).first()
                if recipient is not None:
                    initial["amount"] = f"{recipient.planned_amount:.2f}"
            if selectors.bank_account_of(worker=worker) is None:
                initial["payment_method"] = PaymentMethod.CASH
    form = VisitForm(request.POST or None, initial=initial, campaign_queryset=campaigns)
    if request.htmx and request.POST.get("_validate"):
        return _visit_inline(request, form, campaigns)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        worker = _worker_or_error(request, form)
        if worker is not None:
            try:
                visit = services.visit_record(
                    actor=request.user, worker=worker, campaign=d["campaign"], visit_type=d["visit_type"] or "",
                    visit_date=d["visit_date"], method=d["method"], visitors=d["visitors"], amount=d["amount"] or "0",
                    goods=d["goods"], payment_method=d["payment_method"], bank_name=d["bank_name"],
                    bank_account=d["bank_account"], receipt_signed=d["receipt_signed"], receipt_no=d["receipt_no"],
                    note=d["note"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "worker" in exc.error_dict:
                    exc.error_dict["worker_no"] = exc.error_dict.pop("worker")
                apply_validation_error(form, exc)
            else:
                money = f"(慰问金 {money_display(visit.amount)} 元)" if visit.amount else ""
                messages.success(request, f"已登记 {worker.name} 的慰问{money}。")
                if visit.campaign_id:
                    return redirect("care:campaign_detail", pk=visit.campaign_id)
                return redirect("care:visit_detail", pk=visit.pk)
    elif request.method == "POST":
        worker, _ = selectors.worker_resolve(user=request.user, text=request.POST.get("worker_no", ""))
    return render(request, "care/visit_form.html", _visit_ctx(request, form, worker))


@capability_required("edit_business")
def visit_batch(request, pk):
    """Record the visits of several recipients at once (e.g. after a bank batch transfer)."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    org = None
    code = request.GET.get("org") or request.POST.get("org")
    if code:
        org = _orgs(request).filter(code=code).first()
    pending = list(selectors.recipient_list(user=request.user, campaign=campaign,
                                            filters=selectors.RecipientFilters(paid="0", org=org))[:1000])
    form = VisitBatchForm(request.POST or None, initial={"visit_date": min(services._today(), campaign.end_date),
                                                         "method": "home", "payment_method": PaymentMethod.TRANSFER})
    selected = {int(x) for x in request.POST.getlist("recipients") if x.isdigit()}
    batch_errors = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.visits_record_batch(
                actor=request.user, campaign=campaign, recipient_ids=selected, visit_date=d["visit_date"],
                method=d["method"], payment_method=d["payment_method"], visitors=d["visitors"], goods=d["goods"],
                receipt_signed=d["receipt_signed"], note=d["note"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                batch_errors = exc.message_dict.pop("recipients", [])
                for key, msgs in exc.message_dict.items():
                    for m in msgs:
                        form.add_error(key if key in form.fields else None, m)
            else:
                batch_errors = exc.messages
        else:
            messages.success(request, f"已登记 {result.created} 人的慰问,"
                                      f"发放慰问金 {money_display(result.amount)} 元。")
            return redirect("care:campaign_detail", pk=campaign.pk)
    accounts = set(selectors.bank_accounts_for([r.worker_id for r in pending]))
    return render(request, "care/visit_batch.html", {
        "campaign": campaign, "form": form, "pending": pending, "selected": selected, "batch_errors": batch_errors,
        "accounts": accounts, "org": org, "orgs": _orgs(request)})


def _visit_filters(request):
    form = VisitFilterForm(request.GET or None, org_queryset=_orgs(request),
                           campaign_queryset=selectors.campaign_base(request.user).order_by("-year", "-id"))
    f = selectors.VisitFilters()
    if form.is_valid():
        d = form.cleaned_data
        void = d["void"] or "0"
        f = selectors.VisitFilters(q=d["q"] or "", year=d["year"], campaign=d["campaign"].pk if d["campaign"] else None,
                                   visit_type=d["visit_type"] or "", method=d["method"] or "",
                                   payment_method=d["payment_method"] or "", org=d["org"],
                                   void="" if void == "all" else void)
    return form, f


@capability_required("edit_business")
def visit_list(request):
    form, filters = _visit_filters(request)
    qs = selectors.visit_list(user=request.user, filters=filters)
    if request.GET.get("format") == "xlsx":
        return _xlsx(request, "慰问记录.xlsx", "care.visit.export", export.write_visits, qs)
    ctx = _paged(request, qs)
    ctx["form"] = form
    return _page_or_partial(request, "care/visit_list.html", "care/partials/visit_rows.html", ctx)


@capability_required("edit_business")
def visit_detail(request, pk):
    visit = selectors.visit_get(user=request.user, pk=pk)
    return render(request, "care/visit_detail.html", {
        "visit": visit, "void_form": ReasonForm(), "can_reveal": _can(request, "reveal_pii")})


@require_POST
@capability_required("edit_business")
def visit_void(request, pk):
    visit = selectors.visit_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写作废原因。")
        return redirect("care:visit_detail", pk=visit.pk)
    try:
        services.visit_void(actor=request.user, visit=visit, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, "慰问记录已作废,慰问金已从活动已发放金额中扣除。")
    return redirect("care:visit_detail", pk=visit.pk)


@require_POST
@capability_required("reveal_pii")
def visit_reveal(request, pk):
    visit = selectors.visit_get(user=request.user, pk=pk)
    value = services.bank_account_reveal(actor=request.user, visit=visit)
    return HttpResponse(f'<span class="font-monospace" data-testid="revealed-account">{value or "(空)"}</span>')


@capability_required("edit_business")
def bank_account(request, worker_pk):
    from laomo.workers.selectors import worker_get

    worker = worker_get(user=request.user, pk=worker_pk)
    account = selectors.bank_account_of(worker=worker)
    form = BankAccountForm(request.POST or None, initial={"bank_name": account.bank_name if account else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_account_set(actor=request.user, worker=worker, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已登记 {worker.name} 的本人银行账户。")
            target = request.POST.get("next") or ""
            if target.startswith("/") and not target.startswith("//"):
                return redirect(target)
            return redirect("care:bank_account", worker_pk=worker.pk)
    return render(request, "care/bank_account.html", {"worker": worker, "account": account, "form": form,
                                                      "next": request.GET.get("next", "")})


@capability_required("edit_business")
def worker_search(request):
    workers = selectors.worker_lookup(user=request.user, q=request.GET.get("q", ""))
    return render(request, "care/partials/worker_search.html", {"workers": workers,
                                                                "target": request.GET.get("target", "id_worker_no")})


# --- ledger -----------------------------------------------------------------------------------------------


@capability_required("view_business")
def ledger(request):
    campaigns_qs = selectors.campaign_base(request.user).order_by("-year", "-id")
    form = LedgerFilterForm(request.GET or None, org_queryset=_orgs(request), campaign_queryset=campaigns_qs)
    year, campaign, org = selected_year(request), None, None
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        campaign = form.cleaned_data["campaign"]
        org = form.cleaned_data["org"]
        if campaign is not None:
            year = campaign.year
    rows = selectors.county_ledger(user=request.user, year=year, campaign=campaign, org=org)
    totals = selectors.ledger_totals(rows)
    if request.GET.get("format") == "xlsx":
        return _xlsx(request, f"{year}年慰问台账.xlsx", "care.ledger.export", export.write_ledger, rows, totals,
                     year=year, campaign_name=campaign.name if campaign else "")
    campaigns = [campaign] if campaign else list(campaigns_qs.filter(year=year).select_related("org"))
    figures = selectors.campaign_figures(user=request.user, campaign_ids=[c.pk for c in campaigns])
    for c in campaigns:
        c.figures = figures[c.pk]
    chart = selectors.money_by_county(user=request.user, year=year, org=org)
    return render(request, "care/ledger.html", {
        "form": form, "year": year, "campaign": campaign, "rows": rows, "totals": totals, "campaigns": campaigns,
        "chart": _chart_data(chart), "chart_total": sum((r["amount"] for r in chart), 0), "query": _query(request)})


# --- hardship survey --------------------------------------------------------------------------------------


@capability_required("edit_business")
def round_list(request):
    rounds = list(selectors.round_list(user=request.user))
    return render(request, "care/round_list.html", {"rounds": rounds,
                                                    "can_open": _can(request, "edit_business")})


def _round_form_view(request, survey_round=None):
    initial = {"year": selected_year(request), "income_threshold": "1000", "marginal_factor": "1.50",
               "min_level_rank": 2}
    if survey_round is not None:
        initial = {f: getattr(survey_round, f) for f in services.ROUND_FIELDS}
    form = RoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if survey_round is None:
                survey_round = services.round_open(actor=request.user, org=scope_root(request.user),
                                                   **form.cleaned_data)
                messages.success(request, f"已开启“{survey_round.name}”,各县(市、区)可开始填报。")
            else:
                survey_round = services.round_update(actor=request.user, survey_round=survey_round,
                                                     **form.cleaned_data)
                messages.success(request, "已保存。")
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return redirect("care:round_detail", pk=survey_round.pk)
    return render(request, "care/round_form.html", {"form": form, "round": survey_round})


@capability_required("edit_business")
def round_create(request):
    return _round_form_view(request)


@capability_required("edit_business")
def round_edit(request, pk):
    survey_round = selectors.round_get(user=request.user, pk=pk)
    if not org_in_scope(request.user, survey_round.org):
        messages.error(request, "年度调查由市总工会组织,您不能修改。")
        return redirect("care:round_detail", pk=survey_round.pk)
    if request.method == "POST" and request.POST.get("status") in RoundStatus.values:
        try:
            services.round_update(actor=request.user, survey_round=survey_round, status=request.POST["status"])
        except ValidationError as exc:
            messages.error(request, ";".join(exc.messages))
        else:
            closed = request.POST["status"] == RoundStatus.CLOSED
            messages.success(request, "调查已结束。" if closed else "调查已重新开启。")
        return redirect("care:round_detail", pk=survey_round.pk)
    return _round_form_view(request, survey_round)


@capability_required("edit_business")
def round_detail(request, pk):
    survey_round = selectors.round_get(user=request.user, pk=pk)
    progress = selectors.round_progress(user=request.user, survey_round=survey_round)
    keys = ("total", "draft", "submitted", "approved", "hardship")
    totals = {k: sum(r[k] for r in progress) for k in keys}
    return render(request, "care/round_detail.html", {
        "round": survey_round, "progress": progress, "totals": totals,
        "can_manage": org_in_scope(request.user, survey_round.org)})


def _survey_choices():
    health = [(i.code, i.label) for i in selectors.dict_items(DictKind.HEALTH_CATEGORY)]
    causes = [(i.code, i.label) for i in selectors.dict_items(DictKind.HARDSHIP_CAUSE)]
    return health, causes


def _survey_form(request, data=None, initial=None, editing=False):
    health, causes = _survey_choices()
    return SurveyForm(data, initial=initial, health_choices=health, cause_choices=causes, editing=editing)


def _survey_payload(cleaned: dict) -> dict:
    data = {k: v for k, v in cleaned.items() if k not in ("worker_no",)}
    data["housing_area"] = cleaned.get("housing_area")
    return data


def _survey_preview(survey_round, cleaned) -> str:
    """The hardship level the form's incomes and causes give under the round's threshold."""
    from laomo.core.money import parse_money

    from .models import HardshipLevel

    try:
        per_capita = parse_money(cleaned.get("income_per_capita"), allow_none=True)
    except ValidationError:
        return ""
    if per_capita is None or survey_round is None:
        return ""
    causes = services.dict_codes(DictKind.HARDSHIP_CAUSE, active_only=False)
    level = services.compute_hardship_level(
        per_capita=per_capita, threshold=survey_round.income_threshold, factor=survey_round.marginal_factor,
        causes=cleaned.get("causes") or [], severe_codes=[c for c, i in causes.items() if i.severe])
    return HardshipLevel(level).label


@capability_required("edit_business")
def survey_create(request):
    rounds = selectors.round_list(user=request.user).filter(status=RoundStatus.OPEN)
    wanted = request.GET.get("round") or request.POST.get("round") or 0
    survey_round = rounds.filter(pk=wanted if str(wanted).isdigit() else 0).first() or rounds.first()
    if survey_round is None:
        messages.error(request, "目前没有进行中的困难劳模调查,请等待市总工会开启。")
        return redirect("care:round_list")
    initial = {"survey_date": services._today() if services._today().year == survey_round.year else None,
               "verification_method": "home", "household_size": 1}
    worker = selectors.worker_by_no(user=request.user, worker_no=request.GET.get("worker", ""))
    if worker is not None:
        initial.update(worker_no=worker.worker_no, employment=worker.employment_status)
    form = _survey_form(request, request.POST or None, initial=initial)
    preview = ""
    if request.method == "POST" and form.is_valid():
        preview = _survey_preview(survey_round, form.cleaned_data)
        worker = _worker_or_error(request, form)
        if worker is not None and not request.POST.get("_validate"):
            try:
                survey = services.survey_create(actor=request.user, survey_round=survey_round, worker=worker,
                                                **_survey_payload(form.cleaned_data))
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "worker" in exc.error_dict:
                    exc.error_dict["worker_no"] = exc.error_dict.pop("worker")
                apply_validation_error(form, exc)
            else:
                if request.POST.get("submit_now"):
                    services.survey_submit(actor=request.user, survey=survey)
                    messages.success(request, f"已提交 {worker.name} 的调查表,等待市总工会审核。")
                else:
                    messages.success(request, f"已保存 {worker.name} 的调查表(草稿)。")
                return redirect("care:survey_detail", pk=survey.pk)
    elif request.method == "POST" and request.POST.get("_validate"):
        preview = _survey_preview(survey_round, {k: request.POST.get(k) for k in ("income_per_capita",)}
                                  | {"causes": request.POST.getlist("causes")})
    ctx = {"form": form, "round": survey_round, "rounds": rounds, "preview": preview, "survey": None}
    if request.htmx and request.POST.get("_validate"):
        _trim_untouched(form, request)
        return render(request, "care/partials/survey_form_fields.html", ctx)
    return render(request, "care/survey_form.html", ctx)


def _trim_untouched(form, request):
    for name in list(form.errors):
        if name in form.fields and not request.POST.get(name) and not request.POST.getlist(name):
            del form.errors[name]


@capability_required("edit_business")
def survey_edit(request, pk):
    survey = selectors.survey_get(user=request.user, pk=pk)
    if not survey.is_editable:
        messages.error(request, f"调查表{survey.get_status_display()},不能修改。")
        return redirect("care:survey_detail", pk=survey.pk)
    initial = {k: getattr(survey, k) for k in services.PLAIN_SURVEY_FIELDS}
    initial.update({k: survey.details.get(k) for k in services.SENSITIVE_SURVEY_FIELDS})
    if request.method == "GET" and not request.htmx:
        services.survey_reveal(actor=request.user, survey=survey, field="survey_edit_form")
    form = _survey_form(request, request.POST or None, initial=initial, editing=True)
    preview = ""
    if request.method == "POST" and form.is_valid():
        preview = _survey_preview(survey.round, form.cleaned_data)
        if not request.POST.get("_validate"):
            try:
                services.survey_update(actor=request.user, survey=survey, **_survey_payload(form.cleaned_data))
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                if request.POST.get("submit_now"):
                    services.survey_submit(actor=request.user, survey=survey)
                    messages.success(request, "已保存并提交审核。")
                else:
                    messages.success(request, "已保存调查表。")
                return redirect("care:survey_detail", pk=survey.pk)
    ctx = {"form": form, "round": survey.round, "preview": preview, "survey": survey}
    if request.htmx and request.POST.get("_validate"):
        _trim_untouched(form, request)
        return render(request, "care/partials/survey_form_fields.html", ctx)
    return render(request, "care/survey_form.html", ctx)


@capability_required("edit_business")
def survey_detail(request, pk):
    survey = selectors.survey_get(user=request.user, pk=pk)
    reveal = _can(request, "reveal_pii")
    details = None
    if reveal:
        services.survey_reveal(actor=request.user, survey=survey, field="survey_details")
        d = survey.details
        health = {i.code: i.label for i in selectors.dict_items(DictKind.HEALTH_CATEGORY, active_only=False)}
        causes = {i.code: i.label for i in selectors.dict_items(DictKind.HARDSHIP_CAUSE, active_only=False)}
        details = {
            "income_own": d.get("income_own"), "income_per_capita": d.get("income_per_capita"),
            "health": health.get(d.get("health_category", ""), d.get("health_category", "")),
            "major_illness": d.get("major_illness"), "disability_grade": d.get("disability_grade"),
            "health_detail": d.get("health_detail"), "needs": d.get("needs"),
            "causes": [causes.get(c, c) for c in d.get("causes") or []],
        }
    from .models import INSURANCE_CHOICES

    insurance = dict(INSURANCE_CHOICES)
    return render(request, "care/survey_detail.html", {
        "survey": survey, "details": details, "review_form": ReviewForm(), "discard_form": ReasonForm(),
        "insurance": [insurance.get(i, i) for i in survey.insurance],
        "can_review": survey.status == SurveyStatus.SUBMITTED and org_in_scope(request.user, survey.round.org),
    })


def _survey_action(request, pk, fn, success: str, **kwargs):
    survey = selectors.survey_get(user=request.user, pk=pk)
    try:
        fn(actor=request.user, survey=survey, **kwargs)
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("care:survey_detail", pk=survey.pk)


@require_POST
@capability_required("edit_business")
def survey_submit(request, pk):
    return _survey_action(request, pk, services.survey_submit, "已提交,等待市总工会审核。")


def _reviewer_only(request, pk):
    """Review is the city's (the unit that opened the round); others are told so and nothing changes."""
    survey = selectors.survey_get(user=request.user, pk=pk)
    if not org_in_scope(request.user, survey.round.org):
        messages.error(request, "调查表由市总工会审核,您不能审核。")
        return redirect("care:survey_detail", pk=survey.pk)
    return None


@require_POST
@capability_required("edit_business")
def survey_approve(request, pk):
    refused = _reviewer_only(request, pk)
    if refused:
        return refused
    return _survey_action(request, pk, services.survey_approve, "已审核通过,困难劳模信息库已更新。",
                          comment=request.POST.get("comment", ""))


@require_POST
@capability_required("edit_business")
def survey_return(request, pk):
    refused = _reviewer_only(request, pk)
    if refused:
        return refused
    return _survey_action(request, pk, services.survey_return, "已退回,填报单位将收到通知。",
                          comment=request.POST.get("comment", ""))


@require_POST
@capability_required("edit_business")
def survey_discard(request, pk):
    survey = selectors.survey_get(user=request.user, pk=pk)
    try:
        services.survey_discard(actor=request.user, survey=survey, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
        return redirect("care:survey_detail", pk=survey.pk)
    messages.success(request, "调查表已作废。")
    return redirect("care:survey_list")


def _survey_filters(request):
    form = SurveyFilterForm(request.GET or None, org_queryset=_orgs(request),
                            round_queryset=selectors.round_list(user=request.user))
    f = selectors.SurveyFilters()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.SurveyFilters(q=d["q"] or "", round=d["round"].pk if d["round"] else None,
                                    status=d["status"] or "", level=d["level"] or "", org=d["org"])
    if not _can(request, "reveal_pii"):
        f.level = ""  # the hardship level is a hardship detail
    return form, f


@capability_required("edit_business")
def survey_list(request):
    form, filters = _survey_filters(request)
    qs = selectors.survey_list(user=request.user, filters=filters)
    reveal = _can(request, "reveal_pii")
    if request.GET.get("format") == "xlsx":
        return _xlsx(request, "困难劳模调查表.xlsx", "care.survey.export", export.write_surveys, qs, details=reveal)
    ctx = _paged(request, qs)
    ctx.update(form=form, reveal=reveal)
    return _page_or_partial(request, "care/survey_list.html", "care/partials/survey_rows.html", ctx)


@capability_required("edit_business")
def hardship(request):
    """困难劳模信息库: each worker's latest approved survey; who is in hardship now, since when, what help."""
    if not _can(request, "reveal_pii"):
        raise PermissionDenied("困难劳模信息仅限有权查看个人敏感信息的人员。")
    form = HardshipFilterForm(request.GET or None, org_queryset=_orgs(request))
    f = selectors.HardshipFilters()
    if form.is_valid():
        d = form.cleaned_data
        level = d["level"] or "in"
        f = selectors.HardshipFilters(q=d["q"] or "", level="" if level == "all" else level, org=d["org"])
    qs = selectors.hardship_database(user=request.user, filters=f)
    if request.GET.get("format") == "xlsx":
        rows = list(qs[:20000])
        selectors.hardship_extras(rows)
        return _xlsx(request, "困难劳模信息库.xlsx", "care.hardship.export", export.write_hardship, rows)
    ctx = _paged(request, qs)
    selectors.hardship_extras(ctx["rows"])
    ctx["form"] = form
    return _page_or_partial(request, "care/hardship.html", "care/partials/hardship_rows.html", ctx)


@capability_required("edit_business")
def not_surveyed(request):
    form = NotSurveyedFilterForm(request.GET or None, org_queryset=_orgs(request))
    year, org, q = selectors.today().year, None, ""
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        org, q = form.cleaned_data["org"], form.cleaned_data["q"] or ""
    qs = selectors.not_surveyed(user=request.user, year=year, org=org, q=q)
    if request.GET.get("format") == "xlsx":
        return _xlsx(request, f"{year}年未调查劳模.xlsx", "care.survey.export_not_surveyed",
                     export.write_not_surveyed, qs,
                     year)
    ctx = _paged(request, qs)
    ctx.update(form=form, year=year)
    return _page_or_partial(request, "care/not_surveyed.html", "care/partials/not_surveyed_rows.html", ctx)


# --- benefits ---------------------------------------------------------------------------------------------


def _type_choices(active_only=True):
    return [(t.code, t.name) for t in selectors.benefit_types(active_only=active_only)]


@capability_required("edit_business")
def grant_list(request):
    form = GrantFilterForm(request.GET or None, org_queryset=_orgs(request), type_choices=_type_choices(False))
    f = selectors.GrantFilters()
    if form.is_valid():
        d = form.cleaned_data
        void = d["void"] or "0"
        f = selectors.GrantFilters(q=d["q"] or "", year=d["year"], benefit_type=d["benefit_type"] or "",
                                   source=d["source"] or "", org=d["org"], void="" if void == "all" else void)
    qs = selectors.grant_list(user=request.user, filters=f)
    if request.GET.get("format") == "xlsx":
        return _xlsx(request, "待遇落实记录.xlsx", "care.grant.export", export.write_grants, qs)
    ctx = _paged(request, qs)
    ctx.update(form=form, void_form=ReasonForm())
    return _page_or_partial(request, "care/grant_list.html", "care/partials/grant_rows.html", ctx)


@capability_required("edit_business")
def grant_create(request):
    initial = {"year": selected_year(request), "grant_date": services._today()}
    worker = selectors.worker_by_no(user=request.user, worker_no=request.GET.get("worker", ""))
    if worker is not None:
        initial["worker_no"] = worker.worker_no
    if request.GET.get("type"):
        initial["benefit_type"] = request.GET["type"]
    form = GrantForm(request.POST or None, initial=initial, type_choices=_type_choices())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        worker = _worker_or_error(request, form)
        if worker is not None:
            try:
                services.benefit_grant_add(actor=request.user, worker=worker, benefit_type_code=d["benefit_type"],
                                           year=d["year"], grant_date=d["grant_date"], amount=d["amount"] or None,
                                           note=d["note"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "worker" in exc.error_dict:
                    exc.error_dict["worker_no"] = exc.error_dict.pop("worker")
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"已登记 {worker.name} 的待遇落实。")
                target = request.POST.get("next") or ""
                if target.startswith("/") and not target.startswith("//"):
                    return redirect(target)
                return redirect("care:grant_list")
    return render(request, "care/grant_form.html", {"form": form, "worker": worker,
                                                    "next": request.GET.get("next", "")})


@require_POST
@capability_required("edit_business")
def grant_void(request, pk):
    grant = selectors.grant_get(user=request.user, pk=pk)
    try:
        services.benefit_grant_void(actor=request.user, grant=grant, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, "待遇记录已作废。")
    return redirect("care:grant_list")


@capability_required("edit_business")
def benefits_report(request):
    yearly = [(t.code, t.name) for t in selectors.benefit_types(yearly_only=True)]
    form = BenefitReportForm(request.GET or None, org_queryset=_orgs(request), type_choices=yearly)
    year, org, code, q = selected_year(request), None, "", ""
    if form.is_valid():
        d = form.cleaned_data
        year, org, code, q = d["year"] or year, d["org"], d["benefit_type"] or "", d["q"] or ""
    report = selectors.benefit_report(user=request.user, year=year, org=org, type_code=code, q=q)
    if request.GET.get("format") == "xlsx":
        return _xlsx(request, f"{year}年劳模待遇未落实名单.xlsx", "care.benefit.export_report",
                     export.write_benefit_report, report, year)
    ctx = _paged(request, report.missing)
    for w in ctx["rows"]:
        w.missing_list = selectors.missing_types(w, report.types)
    ctx.update(form=form, year=year, report=report)
    return _page_or_partial(request, "care/benefits_report.html", "care/partials/benefit_report.html", ctx)


# --- configurable lists -----------------------------------------------------------------------------------


@capability_required("manage_dictionary")
def dictionary(request):
    return render(request, "care/dictionary.html", {
        "types": selectors.benefit_types(active_only=False),
        "causes": selectors.dict_items(DictKind.HARDSHIP_CAUSE, active_only=False),
        "health": selectors.dict_items(DictKind.HEALTH_CATEGORY, active_only=False),
    })


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
        try:
            services.benefit_type_save(actor=request.user, benefit_type=benefit_type, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已保存待遇类型“{data['name']}”。")
            return redirect("care:dictionary")
    return render(request, "care/dict_form.html", {"form": form, "title": "待遇类型", "obj": benefit_type})


@capability_required("manage_dictionary")
def benefit_type_create(request):
    return _benefit_type_view(request)


@capability_required("manage_dictionary")
def benefit_type_edit(request, pk):
    from django.shortcuts import get_object_or_404

    from .models import BenefitType

    return _benefit_type_view(request, get_object_or_404(BenefitType, pk=pk))


def _dict_item_view(request, item=None):
    initial = {"kind": request.GET.get("kind") or DictKind.HARDSHIP_CAUSE, "sort_order": 0, "is_active": True}
    if item is not None:
        initial = {"kind": item.kind, "code": item.code, "label": item.label, "severe": item.severe,
                   "sort_order": item.sort_order, "is_active": item.is_active}
    form = DictItemForm(request.POST or None, initial=initial)
    if item is not None:
        form.fields["kind"].disabled = True
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        kind = data.pop("kind")
        try:
            services.dict_item_save(actor=request.user, item=item, kind=kind, **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已保存“{data['label']}”。")
            return redirect("care:dictionary")
    return render(request, "care/dict_form.html", {"form": form, "title": "字典项", "obj": item})


@capability_required("manage_dictionary")
def dict_item_create(request):
    return _dict_item_view(request)


@capability_required("manage_dictionary")
def dict_item_edit(request, pk):
    from django.shortcuts import get_object_or_404

    return _dict_item_view(request, get_object_or_404(DictItem, pk=pk))

