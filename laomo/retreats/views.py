"""Pages of the retreats module: thin views over the selectors (reads) and services (writes)."""

from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.actors import PUBLIC
from laomo.core.permissions import capability_required, has_capability, public_view
from laomo.core.scope import org_in_scope
from laomo.core.web import (
    apply_errors,
    errors_text,
    is_inline_check,
    list_page,
    paged,
    query_string,
    run_action,
    save_form,
    validate_inline,
    wants_export,
    xlsx_response,
)
from laomo.orgs.selectors import org_children, org_choices_for
from laomo.workers.models import Worker
from laomo.workers.selectors import WorkerFilters, worker_for_user, worker_list

from . import export, rules, selectors, services
from .forms import (
    ApplicationFilterForm,
    ApplyForm,
    BatchFilterForm,
    BatchForm,
    CandidateFilterForm,
    ItineraryFormSet,
    NominateForm,
    OptionalReasonForm,
    QuotaForm,
    ReasonForm,
    StatusForm,
    SurveyForm,
    VendorFilterForm,
    VendorForm,
)
from .models import BATCH_TRANSITIONS, EDITABLE_STATUSES, HELD_STATUSES, RATING_FIELDS, ApplicationStatus, BatchStatus

BATCH_DEFAULTS = {"employment_statuses": ["active", "retired"], "not_attended_years": 3, "min_level_rank": 2,
                  "health_declaration_required": True}


def _back(request, batch_pk):
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("retreats:batch_detail", pk=batch_pk)


def _to_batch(batch):
    return redirect("retreats:batch_detail", pk=batch.pk)


def _may_reveal(request) -> bool:
    return has_capability(request.user, "reveal_pii")


def _organizer_batch(request, pk, refusal: str):
    """The batch, for the unit that runs it only (editing, itinerary, quotas, survey cards)."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    if not selectors.is_organizer(request.user, batch):
        raise PermissionDenied(refusal)
    return batch


# --- batches -----------------------------------------------------------------------------------------


def _batch_filters(form) -> selectors.BatchFilters:
    if not form.is_valid():
        return selectors.BatchFilters()
    d = form.cleaned_data
    return selectors.BatchFilters(q=d["q"] or "", year=d["year"], status=d["status"] or "",
                                  vendor=d["vendor"].pk if d["vendor"] else None)


@capability_required("view_business", "self_service")
def index(request):
    """The batch list for staff; a worker's own page for self-service users."""
    if not has_capability(request.user, "view_business"):
        return redirect("retreats:my")
    form = BatchFilterForm(request.GET or None, vendor_queryset=selectors.vendor_base(request.user))
    qs = selectors.batch_list(user=request.user, filters=_batch_filters(form))
    return list_page(request, selectors.batch_row_values(qs), template="retreats/batch_list.html",
                     partial="retreats/partials/batch_rows.jinja", each_page=selectors.batch_rows,
                     context={"form": form, "can_edit": has_capability(request.user, "edit_business")},
                     export=lambda: xlsx_response(request, filename="疗休养批次", action="retreats.batch.export",
                                                  what="疗休养批次", headers=export.BATCH_HEADERS,
                                                  rows=export.batch_rows(qs), object_type="retreats.retreatbatch"))


def _batch_form_for(request, batch):
    orgs = org_choices_for(user=request.user)
    if batch is not None:
        initial = {f: getattr(batch, f) for f in services.BATCH_FIELDS} | {"org": batch.org}
    else:
        initial = {**BATCH_DEFAULTS, "org": orgs.first()}
    form = BatchForm(request.POST or None, initial=initial, org_queryset=orgs,
                     vendor_queryset=selectors.vendor_choices(user=request.user))
    form.fields["org"].disabled = batch is not None
    return form


def _saved(request, form, save, detail: str):
    """Save a valid form through a service: `save(data)` returns (record, message). The redirect to the
    record's `detail` page, or None with the service's errors put on the form."""
    saved = save_form(request, form, lambda: save(dict(form.cleaned_data)), success=lambda saved: saved[1])
    return redirect(detail, pk=saved[0].pk) if saved is not None else None


def _batch_saver(request, batch):
    def save(data):
        org = data.pop("org", None)
        if batch is None:
            created = services.batch_create(actor=request.user, org=org, **data)
            return created, f"已创建批次“{created.name}”。请填写行程并分配名额。"
        return services.batch_update(actor=request.user, batch=batch, **data), "已保存批次信息。"

    return save


def _batch_check(batch):
    """The batch rules on the form as typed (inline validation): the unit is the batch's when editing."""
    def check(data):
        org = data.pop("org", None)
        services.batch_validate(org=batch.org if batch is not None else org, **data)

    return check


@capability_required("edit_business")
def batch_form(request, pk=None):
    """A new batch, or the organizer's edit of one while it can still change."""
    batch = None if pk is None else _organizer_batch(request, pk, "只有组织单位可以修改本批次。")
    if batch is not None and batch.status not in EDITABLE_STATUSES:
        messages.error(request, f"批次“{batch.get_status_display()}”后不能再修改。")
        return _to_batch(batch)
    form = _batch_form_for(request, batch)
    if is_inline_check(request):
        return validate_inline(request, form, _batch_check(batch))
    if request.method == "POST" and form.is_valid():
        response = _saved(request, form, _batch_saver(request, batch), "retreats:batch_detail")
        if response is not None:
            return response
    return render(request, "retreats/batch_form.html", {"form": form, "batch": batch})


def _application_filters(request):
    form = ApplicationFilterForm(request.GET or None, org_queryset=org_choices_for(user=request.user))
    if not form.is_valid():
        return form, selectors.ApplicationFilters()
    d = form.cleaned_data
    return form, selectors.ApplicationFilters(q=d["q"] or "", status=d["status"] or "", org=d["org"],
                                              channel=d["channel"] or "", year=d["year"])


def _applications_xlsx(request, qs, name: str):
    return xlsx_response(request, filename=name, action="retreats.application.export", what=name,
                         headers=export.APPLICATION_HEADERS,
                         rows=export.application_rows(qs, may_reveal=_may_reveal(request)),
                         object_type="retreats.retreatapplication")


def _application_page(request, batch, qs) -> dict:
    """One page of a batch's applications, with waitlist places and the priority reasons the user may see."""
    ctx = paged(request, qs)
    positions, may_reveal = selectors.waitlist_positions(batch), _may_reveal(request)
    for app in ctx["rows"]:
        app.waitlist_position = positions.get(app.pk)
        app.shown_reasons = rules.shown_reasons(app.priority_reasons, may_reveal=may_reveal)
    return ctx


def _batch_panels(user, batch) -> dict:
    """The batch page around the applications: itinerary, quotas, status buttons, survey report, budget."""
    held = batch.status in HELD_STATUSES
    current = BATCH_TRANSITIONS[BatchStatus(batch.status)]
    return {
        "itinerary": selectors.itinerary_of(batch), "quotas": selectors.quotas_with_usage(user=user, batch=batch),
        "transitions": [BatchStatus(s) for s in BatchStatus.values if s in current],
        "editable": batch.status in EDITABLE_STATUSES, "priority_rule": rules.PRIORITY_RULE_TEXT,
        "report": selectors.survey_report(user=user, batch=batch) if held else None,
        "budget_used": batch.cost_per_person * (batch.attended if held else batch.seats),
    }


@capability_required("view_business")
def batch_detail(request, pk):
    user = request.user
    batch = selectors.batch_get(user=user, pk=pk)
    form, filters = _application_filters(request)
    qs = selectors.application_list(user=user, filters=filters, batch=batch)
    if wants_export(request):
        return _applications_xlsx(request, qs, f"{batch.name}报名名单")
    editor = has_capability(user, "edit_business")
    ctx = {"batch": batch, "form": form, **_application_page(request, batch, qs),
           "organizer": editor and selectors.is_organizer(user, batch),
           "can_nominate": editor and batch.status == BatchStatus.OPEN, "can_reveal": _may_reveal(request)}
    if request.htmx and request.GET.get("_part") != "page":
        return render(request, "retreats/partials/application_rows.html", ctx)
    return render(request, "retreats/batch_detail.html", {**ctx, **_batch_panels(user, batch)})


@require_POST
@capability_required("edit_business")
def batch_status(request, pk):
    batch = selectors.batch_get(user=request.user, pk=pk)
    form = StatusForm(request.POST)

    def act():
        status = form.cleaned_data["status"]
        services.batch_set_status(actor=request.user, batch=batch, status=status, reason=form.cleaned_data["reason"])
        return f"批次状态已改为“{BatchStatus(status).label}”。"

    run_action(request, act, form=form, invalid="请选择批次状态。", success=lambda text: text)  # act() gives the text
    return _to_batch(batch)


@capability_required("edit_business")
def batch_itinerary(request, pk):
    batch = _organizer_batch(request, pk, "只有组织单位可以修改行程。")
    initial = [{"title": d.title, "activities": d.activities, "accommodation": d.accommodation, "meals": d.meals}
               for d in selectors.itinerary_of(batch)]
    initial += [{} for _ in range(max(0, batch.days - len(initial)))]
    formset = ItineraryFormSet(request.POST or None, initial=initial, prefix="day")
    error = ""
    if request.method == "POST" and formset.is_valid():
        try:
            services.batch_set_itinerary(actor=request.user, batch=batch,
                                         days=[f.cleaned_data for f in formset.forms])
        except ValidationError as exc:
            error = errors_text(exc)
        else:
            messages.success(request, "行程已保存。")
            return _to_batch(batch)
    return render(request, "retreats/batch_itinerary.html", {"batch": batch, "formset": formset, "error": error})


@capability_required("edit_business")
def batch_quotas(request, pk):
    batch = _organizer_batch(request, pk, "只有组织单位可以分配名额。")
    current = {q["org"].pk: q["quota"] for q in selectors.quotas_with_usage(user=request.user, batch=batch)}
    form = QuotaForm(request.POST or None, orgs=org_children(batch.org), current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.batch_set_quotas(actor=request.user, batch=batch, quotas=form.quotas())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "名额分配已保存。")
            return _to_batch(batch)
    return render(request, "retreats/batch_quotas.html", {"batch": batch, "form": form})


@require_POST
@capability_required("edit_business")
def batch_confirm_all(request, pk):
    batch = selectors.batch_get(user=request.user, pk=pk)

    def act():
        counts = services.batch_confirm_by_priority(actor=request.user, batch=batch)
        text = f"按优先顺序确定:{counts['confirmed']} 人确定,{counts['waitlisted']} 人进入候补。"
        return text + (" 未能确定:" + ";".join(counts["refused"]) if counts["refused"] else "")

    run_action(request, act, success=lambda text: text)  # act() gives the text
    return _to_batch(batch)


# --- nomination --------------------------------------------------------------------------------------


def _candidate_page(request, batch) -> dict:
    """Workers in the user's scope under the batch's organizer (the eligible-looking ones filtered in SQL),
    one page of them with their checks."""
    form = CandidateFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {"q": "", "eligible": ""}
    qs = worker_list(user=request.user, filters=WorkerFilters(q=d["q"])).filter(batch.org.subtree_q())
    if d["eligible"] == "1":
        qs = qs.filter(highest_level_rank__gte=batch.min_level_rank)
        if batch.employment_statuses:
            qs = qs.filter(employment_status__in=batch.employment_statuses)
        if batch.max_age:
            qs = qs.filter(birth_date__gt=rules.years_before(batch.start_date, batch.max_age + 1))
    ctx = paged(request, qs, per_page=20)
    ctx["query"] = query_string(request, drop=("page", "worker", "format", "full"))
    verdicts = rules.evaluate(batch, ctx["rows"])
    for w in ctx["rows"]:
        w.verdict = verdicts[w.pk]
    return {"form": form, **ctx}


def _chosen_worker(request, raw):
    if not raw:
        return None
    try:
        return worker_list(user=request.user).select_related("org").get(pk=int(raw))
    except (ValueError, TypeError, Worker.DoesNotExist):
        raise Http404("劳模不存在或不在您的数据范围内")


def _nominate(request, batch, chosen, form):
    """Submit the nomination: the redirect, or None when the form now shows the service's errors."""
    try:
        app = services.application_submit(actor=request.user, batch=batch, worker=chosen, **{
            k: form.cleaned_data[k] for k in ("front_line", "health_declared", "health_note", "dietary_note")})
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, f"已推荐 {chosen.name},优先分 {app.priority_score},待市总工会确定。")
    return _to_batch(batch)


@capability_required("edit_business")
def batch_nominate(request, pk):
    """County staff nominate a worker: find them, see the checks and the priority, then submit."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    raw = request.POST.get("worker") or request.GET.get("worker")
    if request.method == "POST" and not raw:
        messages.error(request, "请先在列表中选择要推荐的劳模。")
        return redirect("retreats:batch_nominate", pk=batch.pk)
    chosen = _chosen_worker(request, raw)
    form = NominateForm(request.POST or None, batch=batch, initial={"worker": chosen.pk if chosen else None})
    if request.method == "POST" and form.is_valid():
        response = _nominate(request, batch, chosen, form)
        if response is not None:
            return response
    verdict = None
    if chosen is not None:
        verdict = rules.evaluate_one(batch, chosen, front_line=form["front_line"].value() or False)
    ctx = {"batch": batch, "chosen": chosen, "verdict": verdict, "nominate_form": form,
           **_candidate_page(request, batch)}
    if request.htmx and request.method == "GET" and not request.GET.get("worker"):
        return render(request, "retreats/partials/candidate_rows.html", ctx)
    return render(request, "retreats/batch_nominate.html", ctx)


# --- application actions -----------------------------------------------------------------------------


def _application_action(request, pk, action):
    app = selectors.application_get(user=request.user, pk=pk)
    run_action(request, lambda: action(app), success=lambda text: text)  # action(app) gives the text
    return _back(request, app.batch_id)


@require_POST
@capability_required("edit_business")
def application_confirm(request, pk):
    def act(app):
        app = services.application_confirm(actor=request.user, application=app)
        if app.status == ApplicationStatus.CONFIRMED:
            return f"已确定 {app.worker.name} 参加。"
        return f"名额已满,{app.worker.name} 已列入候补。"

    return _application_action(request, pk, act)


def _reason(request, form_class=ReasonForm) -> str:
    form = form_class(request.POST)
    return form.cleaned_data["reason"] if form.is_valid() else ""


@require_POST
@capability_required("edit_business")
def application_reject(request, pk):
    def act(app):
        services.application_reject(actor=request.user, application=app, reason=_reason(request))
        return f"已退回 {app.worker.name} 的报名。"

    return _application_action(request, pk, act)


@require_POST
@capability_required("edit_business")
def application_withdraw(request, pk):
    def act(app):
        app, promoted = services.application_withdraw(actor=request.user, application=app, reason=_reason(request))
        text = f"{app.worker.name} 已退出。"
        if promoted is not None:
            text += f"候补第一位 {promoted.worker.name} 已递补确定。"
        return text

    return _application_action(request, pk, act)


@require_POST
@capability_required("edit_business")
def application_attendance(request, pk):
    attended = request.POST.get("attended") == "1"

    def act(app):
        app, benefit = services.application_record_attendance(actor=request.user, application=app, attended=attended)
        text = f"已登记 {app.worker.name}:{app.get_status_display()}。"
        if benefit == "recorded":
            text += "已记录疗休养待遇。"
        elif benefit.startswith("failed:"):
            text += "疗休养待遇未能记录:" + benefit.removeprefix("failed:")
        return text

    return _application_action(request, pk, act)


@capability_required("view_business")
def application_list(request):
    form, filters = _application_filters(request)
    qs = selectors.application_list(user=request.user, filters=filters)
    return list_page(request, qs, template="retreats/application_list.html",
                     partial="retreats/partials/all_application_rows.html", context={"form": form},
                     export=lambda: _applications_xlsx(request, qs, "疗休养报名"))


# --- exports for the agency and the insurer ----------------------------------------------------------


def _participants(request, batch):
    return (selectors.application_list(user=request.user, batch=batch)
            .filter(status__in=export.ROSTER_STATUSES).select_related("worker").order_by("org__path", "id"))


def _download(handle, name: str):
    return FileResponse(handle, as_attachment=True, filename=f"{name}{timezone.localdate():%Y%m%d}.xlsx")


@capability_required("view_business")
def batch_roster(request, pk):
    """名单 for the travel agency: phones and health/diet notes in full only for roles that may reveal PII."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    handle = services.roster_export(actor=request.user, batch=batch, participants=_participants(request, batch))
    return _download(handle, f"{batch.name}名单")


@capability_required("view_business")
def batch_insurance(request, pk):
    """Insurance list: name, sex, age, ID number (full with export_pii), phone (full with reveal_pii)."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    handle = services.insurance_export(actor=request.user, batch=batch, participants=_participants(request, batch))
    return _download(handle, f"{batch.name}保险名单")


# --- survey report and QR codes ----------------------------------------------------------------------


@capability_required("view_business")
def batch_report(request, pk):
    batch = selectors.batch_get(user=request.user, pk=pk)
    report = selectors.survey_report(user=request.user, batch=batch)
    chart = {"labels": [report["labels"][f] for f in RATING_FIELDS],
             "values": [float(report["averages"][f]) if report["averages"][f] is not None else 0
                        for f in RATING_FIELDS]}
    return render(request, "retreats/batch_report.html", {"batch": batch, "report": report, "chart": chart,
                                                           "fields": RATING_FIELDS})


def _qr_svg(data: str) -> str:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=6)
    buf = BytesIO()
    img.save(buf)
    return base64.b64encode(buf.getvalue()).decode()


@capability_required("edit_business")
def batch_survey_qr(request, pk):
    """Printable cards: each participant's survey link as a QR code (rendered locally as SVG)."""
    batch = _organizer_batch(request, pk, "只有组织单位可以发放问卷二维码。")
    apps = list(selectors.application_list(user=request.user, batch=batch)
                .filter(status=ApplicationStatus.ATTENDED).select_related("survey").order_by("org__path", "id"))
    for app in apps:
        app.link = request.build_absolute_uri(reverse("retreats:survey", args=[app.survey_token]))
        app.qr = _qr_svg(app.link)
        app.answered = hasattr(app, "survey")
    services.survey_qr_issue(actor=request.user, batch=batch, cards=len(apps))
    return render(request, "retreats/batch_survey_qr.html", {"batch": batch, "apps": apps})


# --- vendors -----------------------------------------------------------------------------------------


@capability_required("view_business")
def vendor_list(request):
    form = VendorFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    qs = selectors.vendor_list(user=request.user, q=d.get("q") or "", kind=d.get("kind") or "",
                               active=d.get("active") or "")

    def ratings(rows):
        for v in rows:
            v.rating = selectors.average(v.overall_total, v.response_count)

    return list_page(request, qs, template="retreats/vendor_list.html", partial="retreats/partials/vendor_rows.html",
                     context={"form": form, "can_edit": has_capability(request.user, "edit_business")},
                     each_page=ratings,
                     export=lambda: xlsx_response(
                         request, filename="旅行社与疗休养基地", action="retreats.vendor.export",
                         what="旅行社与疗休养基地", headers=export.VENDOR_HEADERS, rows=export.vendor_rows(qs),
                         text_columns=export.VENDOR_TEXT, object_type="retreats.vendor"))


@capability_required("view_business")
def vendor_detail(request, pk):
    vendor = selectors.vendor_get(user=request.user, pk=pk)
    return render(request, "retreats/vendor_detail.html", {
        "vendor": vendor, "history": selectors.vendor_rating_history(vendor),
        "overall": selectors.vendor_overall(vendor), "fields": RATING_FIELDS,
        "can_edit": has_capability(request.user, "edit_business") and org_in_scope(request.user, vendor.org),
    })


def _vendor_saver(request, vendor):
    def save(data):
        org = data.pop("org")
        if vendor is None:
            created = services.vendor_create(actor=request.user, org=org, **data)
            return created, f"已登记“{created.name}”。"
        return services.vendor_update(actor=request.user, vendor=vendor, **data), "已保存。"

    return save


def _vendor_form_for(request, vendor):
    orgs = org_choices_for(user=request.user)
    initial = {"is_active": True, "org": orgs.first()}
    if vendor is not None:
        initial = {f: getattr(vendor, f) for f in services.VENDOR_FIELDS} | {"org": vendor.org}
    form = VendorForm(request.POST or None, initial=initial, org_queryset=orgs)
    form.fields["org"].disabled = vendor is not None
    return form


@capability_required("edit_business")
def vendor_form(request, pk=None):
    """Register a vendor, or edit one (its contracting unit only)."""
    vendor = None if pk is None else selectors.vendor_get(user=request.user, pk=pk)
    if vendor is not None and not org_in_scope(request.user, vendor.org):
        raise PermissionDenied("只有签约单位可以修改。")
    form = _vendor_form_for(request, vendor)
    if request.method == "POST" and form.is_valid():
        response = _saved(request, form, _vendor_saver(request, vendor), "retreats:vendor_detail")
        if response is not None:
            return response
    return render(request, "retreats/vendor_form.html", {"form": form, "vendor": vendor})


# --- self-service (phone-sized) ----------------------------------------------------------------------


@capability_required("self_service")
def my_retreats(request):
    worker = worker_for_user(request.user)
    if worker is None:
        return render(request, "retreats/my.html", {"worker": None})
    batches = selectors.open_batches_for(worker)
    for batch in batches:
        batch.verdict = rules.evaluate_one(batch, worker)
    apps = selectors.my_applications(worker)
    positions = {}
    for app in apps:
        if app.status == ApplicationStatus.WAITLISTED:
            positions.setdefault(app.batch_id, selectors.waitlist_positions(app.batch))
            app.waitlist_position = positions[app.batch_id].get(app.pk)
        app.survey_closed = services.survey_open_for(app) if app.status == ApplicationStatus.ATTENDED else None
    applied = {a.batch_id for a in apps if a.status in ("pending", "confirmed", "waitlisted", "attended", "absent")}
    return render(request, "retreats/my.html", {"worker": worker, "batches": batches, "applications": apps,
                                                "applied": applied})


@capability_required("self_service")
def my_apply(request, pk):
    worker = worker_for_user(request.user)
    if worker is None:
        raise Http404("您的账号尚未关联劳模档案,请联系所在工会。")
    batch = selectors.batch_get(user=request.user, pk=pk)
    form = ApplyForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit(actor=request.user, batch=batch, worker=worker, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已报名“{batch.name}”,请等待工会审核确定。")
            return redirect("retreats:my")
    verdict = rules.evaluate_one(batch, worker, front_line=bool(form["front_line"].value()))
    return render(request, "retreats/my_apply.html", {"batch": batch, "form": form, "verdict": verdict,
                                                      "itinerary": selectors.itinerary_of(batch)})


@require_POST
@capability_required("self_service")
def my_withdraw(request, pk):
    worker = worker_for_user(request.user)
    app = selectors.application_get(user=request.user, pk=pk)
    if worker is None or app.worker_id != worker.pk:
        raise Http404("报名记录不存在")
    def act():
        services.application_withdraw(actor=request.user, application=app,
                                      reason=_reason(request, OptionalReasonForm))
        return f"已退出“{app.batch.name}”。"

    run_action(request, act, success=lambda text: text)  # act() gives the text
    return redirect("retreats:my")


@public_view
def survey(request, token):
    """The satisfaction survey from the link or QR code: the token is the participant's key (no login)."""
    app = selectors.application_by_token(token)
    closed = services.survey_open_for(app)
    form = SurveyForm(request.POST or None)
    done = False
    if request.method == "POST" and not closed and form.is_valid():
        d = form.cleaned_data
        try:
            services.survey_submit(application=app, actor=PUBLIC, comment=d["comment"],
                                   **{f: d[f] for f in RATING_FIELDS})
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done = True
    name = app.worker.name
    masked = name[0] + "*" * (len(name) - 2) + name[-1] if len(name) > 2 else name[0] + "*"
    return render(request, "retreats/survey.html", {"app": app, "batch": app.batch, "form": form, "closed": closed,
                                                    "done": done, "masked_name": masked})
