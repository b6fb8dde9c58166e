"""Pages of the visits: one visit (checked as it is typed), a batch after a bank transfer, the list, voids,
the workers' own bank accounts and the worker lookup box."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.money import money_display
from laomo.core.permissions import capability_required
from laomo.core.web import apply_errors, is_inline_check, list_page, run_action, xlsx_response
from laomo.workers.selectors import worker_get

from .. import export, selectors, services
from ..forms import BankAccountForm, ReasonForm, VisitBatchForm, VisitFilterForm, VisitForm
from ..models import CampaignStatus, PaymentMethod, VisitType
from .common import can, orgs, safe_next, save_form, worker_missing, worker_or_error

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
        errors["worker_no"] = [worker_missing(d["worker_no"], matches)]
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


def _visit_initial(request, campaigns) -> tuple[dict, object]:
    """The form's first values: from ?campaign= and ?worker= (the 登记慰问 link of a recipient row)."""
    initial = {"visit_date": timezone.localdate(), "method": "home", "payment_method": PaymentMethod.TRANSFER}
    campaign = campaigns.filter(pk=request.GET.get("campaign") or 0).first()
    worker = selectors.worker_by_no(user=request.user, worker_no=request.GET.get("worker", ""))
    if campaign is not None:
        initial["campaign"] = campaign
        if not campaign.start_date <= initial["visit_date"] <= campaign.end_date:
            initial["visit_date"] = campaign.end_date if initial["visit_date"] > campaign.end_date else None
    if request.GET.get("type") in VisitType.values:  # ?type=bereavement: the 吊唁 task of a death registered
        initial["visit_type"] = request.GET["type"]
    if worker is not None:
        initial["worker_no"] = worker.worker_no
        recipient = campaign.recipients.filter(worker=worker).first() if campaign is not None else None
        if recipient is not None:
            initial["amount"] = f"{recipient.planned_amount:.2f}"
        if selectors.bank_account_of(worker=worker) is None:
            initial["payment_method"] = PaymentMethod.CASH
    if initial.get("visit_type") == VisitType.BEREAVEMENT:
        initial["payment_method"] = PaymentMethod.NONE
    return initial, worker


def _money_note(visit) -> str:
    return f"(慰问金 {money_display(visit.amount)} 元)" if visit.amount else ""


def _record_visit(request, form, worker):
    """Save the visit; the page to go to, or None with the refusal on the form."""
    d = form.cleaned_data
    visit = save_form(request, form, lambda: services.visit_record(
        actor=request.user, worker=worker, campaign=d["campaign"], visit_type=d["visit_type"] or "",
        visit_date=d["visit_date"], method=d["method"], visitors=d["visitors"], amount=d["amount"] or "0",
        goods=d["goods"], payment_method=d["payment_method"], bank_name=d["bank_name"],
        bank_account=d["bank_account"], receipt_signed=d["receipt_signed"], receipt_no=d["receipt_no"],
        note=d["note"]), lambda v: f"已登记 {worker.name} 的慰问{_money_note(v)}。")
    if visit is None:
        return None
    if visit.campaign_id:
        return redirect("care:campaign_detail", pk=visit.campaign_id)
    return redirect("care:visit_detail", pk=visit.pk)


@capability_required("edit_business")
def visit_create(request):
    campaigns = _open_campaigns(request)
    initial, worker = _visit_initial(request, campaigns) if request.method == "GET" else ({}, None)
    form = VisitForm(request.POST or None, initial=initial, campaign_queryset=campaigns)
    if is_inline_check(request):
        return _visit_inline(request, form, campaigns)
    if request.method == "POST" and form.is_valid():
        worker = worker_or_error(request, form)
        done = _record_visit(request, form, worker) if worker is not None else None
        if done is not None:
            return done
    elif request.method == "POST":
        worker, _ = selectors.worker_resolve(user=request.user, text=request.POST.get("worker_no", ""))
    return render(request, "care/visit_form.html", _visit_ctx(request, form, worker))


def _batch_errors(form, exc: ValidationError) -> list[str]:
    """The refused rows (listed above the table, by name); the rest of the refusal goes onto the form."""
    if not hasattr(exc, "error_dict"):
        return exc.messages
    rows = exc.message_dict.get("recipients", [])
    exc.error_dict.pop("recipients", None)
    apply_errors(form, exc)
    return rows


@capability_required("edit_business")
def visit_batch(request, pk):
    """Record the visits of several recipients at once (e.g. after a bank batch transfer)."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    org = None
    code = request.GET.get("org") or request.POST.get("org")
    if code:
        org = orgs(request).filter(code=code).first()
    pending = list(selectors.recipient_list(user=request.user, campaign=campaign,
                                            filters=selectors.RecipientFilters(paid="0", org=org))[:1000])
    form = VisitBatchForm(request.POST or None, initial={"visit_date": min(timezone.localdate(), campaign.end_date),
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
            batch_errors = _batch_errors(form, exc)
        else:
            messages.success(request, f"已登记 {result.created} 人的慰问,"
                                      f"发放慰问金 {money_display(result.amount)} 元。")
            return redirect("care:campaign_detail", pk=campaign.pk)
    accounts = set(selectors.bank_accounts_for([r.worker_id for r in pending]))
    return render(request, "care/visit_batch.html", {
        "campaign": campaign, "form": form, "pending": pending, "selected": selected, "batch_errors": batch_errors,
        "accounts": accounts, "org": org, "orgs": orgs(request)})


def _visit_filters(request):
    form = VisitFilterForm(request.GET or None, org_queryset=orgs(request),
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
    return list_page(request, selectors.visit_row_values(qs), template="care/visit_list.html",
                     partial="care/partials/visit_rows.jinja", context={"form": form}, each_page=selectors.visit_rows,
                     export=lambda: xlsx_response(request, filename="慰问记录", action="care.visit.export",
                                                  what="慰问记录", write=lambda f: export.write_visits(f, qs)))


@capability_required("edit_business")
def visit_detail(request, pk):
    visit = selectors.visit_get(user=request.user, pk=pk)
    return render(request, "care/visit_detail.html", {
        "visit": visit, "void_form": ReasonForm(), "can_reveal": can(request, "reveal_pii")})


@require_POST
@capability_required("edit_business")
def visit_void(request, pk):
    visit = selectors.visit_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    return run_action(request, lambda: services.visit_void(
        actor=request.user, visit=visit, reason=form.cleaned_data["reason"]),
        form=form, invalid="请填写作废原因。", success="慰问记录已作废,慰问金已从活动已发放金额中扣除。",
        redirect_to=reverse("care:visit_detail", args=[visit.pk]))


@require_POST
@capability_required("reveal_pii")
def visit_reveal(request, pk):
    visit = selectors.visit_get(user=request.user, pk=pk)
    value = services.bank_account_reveal(actor=request.user, visit=visit)
    return HttpResponse(f'<span class="font-monospace" data-testid="revealed-account">{value or "(空)"}</span>')


@capability_required("edit_business")
def bank_account(request, worker_pk):
    worker = worker_get(user=request.user, pk=worker_pk)
    account = selectors.bank_account_of(worker=worker)
    form = BankAccountForm(request.POST or None, initial={"bank_name": account.bank_name if account else ""})
    if request.method == "POST" and form.is_valid() and save_form(
            request, form, lambda: services.bank_account_set(actor=request.user, worker=worker, **form.cleaned_data),
            f"已登记 {worker.name} 的本人银行账户。"):
        return redirect(safe_next(request, reverse("care:bank_account", args=[worker.pk])))
    return render(request, "care/bank_account.html", {"worker": worker, "account": account, "form": form,
                                                      "next": request.GET.get("next", "")})


@capability_required("edit_business")
def worker_search(request):
    workers = selectors.worker_lookup(user=request.user, q=request.GET.get("q", ""))
    return render(request, "care/partials/worker_search.html", {"workers": workers,
                                                                "target": request.GET.get("target", "id_worker_no")})


