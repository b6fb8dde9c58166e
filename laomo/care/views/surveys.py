"""Pages of the hardship survey: rounds, forms (checked as they are typed), review, the hardship database and
the workers not surveyed yet."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core import dictionary
from laomo.core.money import parse_money
from laomo.core.permissions import capability_required
from laomo.core.scope import org_in_scope, scope_root
from laomo.core.web import is_inline_check, list_page, run_action, xlsx_response
from laomo.core.years import selected_year

from .. import export, selectors, services
from ..forms import (
    HardshipFilterForm,
    NotSurveyedFilterForm,
    ReasonForm,
    ReviewForm,
    RoundForm,
    SurveyFilterForm,
    SurveyForm,
)
from ..models import INSURANCE_CHOICES, DictKind, HardshipLevel, RoundStatus, SurveyStatus
from .common import can, orgs, save_form, worker_or_error

# --- hardship survey --------------------------------------------------------------------------------------


@capability_required("edit_business")
def round_list(request):
    rounds = list(selectors.round_list(user=request.user))
    return render(request, "care/round_list.html", {"rounds": rounds,
                                                    "can_open": can(request, "edit_business")})


def _round_form_view(request, survey_round=None):
    initial = {"year": selected_year(request), "income_threshold": "1000", "marginal_factor": "1.50",
               "min_level_rank": 2}
    if survey_round is not None:
        initial = {f: getattr(survey_round, f) for f in services.ROUND_FIELDS}
    form = RoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if survey_round is None:
            saved = save_form(request, form, lambda: services.round_open(
                actor=request.user, org=scope_root(request.user), **data),
                lambda r: f"已开启“{r.name}”,各县(市、区)可开始填报。")
        else:
            saved = save_form(request, form, lambda: services.round_update(
                actor=request.user, survey_round=survey_round, **data), "已保存。")
        if saved is not None:
            return redirect("care:round_detail", pk=saved.pk)
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
        status = request.POST["status"]
        run_action(request, lambda: services.round_update(actor=request.user, survey_round=survey_round,
                                                          status=status),
                   success="调查已结束。" if status == RoundStatus.CLOSED else "调查已重新开启。")
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


def _survey_form(request, data=None, initial=None, editing=False):
    return SurveyForm(data, initial=initial, health_choices=dictionary.choices(DictKind.HEALTH_CATEGORY),
                      cause_choices=dictionary.choices(DictKind.HARDSHIP_CAUSE), editing=editing)


def _survey_payload(cleaned: dict) -> dict:
    data = {k: v for k, v in cleaned.items() if k not in ("worker_no",)}
    data["housing_area"] = cleaned.get("housing_area")
    return data


def _survey_preview(survey_round, cleaned) -> str:
    """The hardship level the form's incomes and causes give under the round's threshold."""
    try:
        per_capita = parse_money(cleaned.get("income_per_capita"), allow_none=True)
    except ValidationError:
        return ""
    if per_capita is None or survey_round is None:
        return ""
    causes = dictionary.by_code(DictKind.HARDSHIP_CAUSE, active_only=False)
    level = services.compute_hardship_level(
        per_capita=per_capita, threshold=survey_round.income_threshold, factor=survey_round.marginal_factor,
        causes=cleaned.get("causes") or [], severe_codes=services.severe_causes(causes))
    return HardshipLevel(level).label


def _save_survey(request, form, save, *, submitted: str, drafted: str):
    """Save the form (and submit it with 保存并提交审核): the detail page, or None with the refusal on the form."""
    submit = bool(request.POST.get("submit_now"))
    survey = save_form(request, form, save, submitted if submit else drafted)
    if survey is None:
        return None
    if submit:
        services.survey_submit(actor=request.user, survey=survey)
    return redirect("care:survey_detail", pk=survey.pk)


def _survey_page(request, form, ctx: dict):
    """The form page; as it is typed, only its fields (errors of untouched fields dropped) and the level preview."""
    if is_inline_check(request):
        for name in list(form.errors):
            if name in form.fields and not request.POST.get(name) and not request.POST.getlist(name):
                del form.errors[name]
        return render(request, "care/partials/survey_form_fields.html", ctx)
    return render(request, "care/survey_form.html", ctx)


def _open_round(request, rounds):
    wanted = request.GET.get("round") or request.POST.get("round") or 0
    return rounds.filter(pk=wanted if str(wanted).isdigit() else 0).first() or rounds.first()


@capability_required("edit_business")
def survey_create(request):
    rounds = selectors.round_list(user=request.user).filter(status=RoundStatus.OPEN)
    survey_round = _open_round(request, rounds)
    if survey_round is None:
        messages.error(request, "目前没有进行中的困难劳模调查,请等待市总工会开启。")
        return redirect("care:round_list")
    today = timezone.localdate()
    initial = {"survey_date": today if today.year == survey_round.year else None, "verification_method": "home",
               "household_size": 1}
    worker = selectors.worker_by_no(user=request.user, worker_no=request.GET.get("worker", ""))
    if worker is not None:
        initial.update(worker_no=worker.worker_no, employment=worker.employment_status)
    form = _survey_form(request, request.POST or None, initial=initial)
    preview, checking = "", bool(request.POST.get("_validate"))
    if request.method == "POST" and form.is_valid():
        preview = _survey_preview(survey_round, form.cleaned_data)
        worker = worker_or_error(request, form)
        if worker is not None and not checking:
            done = _save_survey(request, form, lambda: services.survey_create(
                actor=request.user, survey_round=survey_round, worker=worker, **_survey_payload(form.cleaned_data)),
                submitted=f"已提交 {worker.name} 的调查表,等待市总工会审核。",
                drafted=f"已保存 {worker.name} 的调查表(草稿)。")
            if done is not None:
                return done
    elif request.method == "POST" and checking:
        preview = _survey_preview(survey_round, {"income_per_capita": request.POST.get("income_per_capita"),
                                                 "causes": request.POST.getlist("causes")})
    return _survey_page(request, form, {"form": form, "round": survey_round, "rounds": rounds, "preview": preview,
                                        "survey": None})


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
            done = _save_survey(request, form, lambda: services.survey_update(
                actor=request.user, survey=survey, **_survey_payload(form.cleaned_data)),
                submitted="已保存并提交审核。", drafted="已保存调查表。")
            if done is not None:
                return done
    return _survey_page(request, form, {"form": form, "round": survey.round, "preview": preview, "survey": survey})


@capability_required("edit_business")
def survey_detail(request, pk):
    survey = selectors.survey_get(user=request.user, pk=pk)
    reveal = can(request, "reveal_pii")
    details = None
    if reveal:
        services.survey_reveal(actor=request.user, survey=survey, field="survey_details")
        d = survey.details
        health = dictionary.labels(DictKind.HEALTH_CATEGORY)
        causes = dictionary.labels(DictKind.HARDSHIP_CAUSE)
        details = {
            "income_own": d.get("income_own"), "income_per_capita": d.get("income_per_capita"),
            "health": health.get(d.get("health_category", ""), d.get("health_category", "")),
            "major_illness": d.get("major_illness"), "disability_grade": d.get("disability_grade"),
            "health_detail": d.get("health_detail"), "needs": d.get("needs"),
            "causes": [causes.get(c, c) for c in d.get("causes") or []],
        }
    insurance = dict(INSURANCE_CHOICES)
    return render(request, "care/survey_detail.html", {
        "survey": survey, "details": details, "review_form": ReviewForm(), "discard_form": ReasonForm(),
        "insurance": [insurance.get(i, i) for i in survey.insurance],
        "can_review": survey.status == SurveyStatus.SUBMITTED and org_in_scope(request.user, survey.round.org),
    })


def _survey_action(request, pk, fn, success: str, **kwargs):
    survey = selectors.survey_get(user=request.user, pk=pk)
    run_action(request, lambda: fn(actor=request.user, survey=survey, **kwargs), success=success)
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
    return run_action(request, lambda: services.survey_discard(
        actor=request.user, survey=survey, reason=request.POST.get("reason", "")), success="调查表已作废。",
        redirect_to=reverse("care:survey_detail", args=[survey.pk]), done_to="care:survey_list")


def _survey_filters(request):
    form = SurveyFilterForm(request.GET or None, org_queryset=orgs(request),
                            round_queryset=selectors.round_list(user=request.user))
    f = selectors.SurveyFilters()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.SurveyFilters(q=d["q"] or "", round=d["round"].pk if d["round"] else None,
                                    status=d["status"] or "", level=d["level"] or "", org=d["org"])
    if not can(request, "reveal_pii"):
        f.level = ""  # the hardship level is a hardship detail
    return form, f


@capability_required("edit_business")
def survey_list(request):
    form, filters = _survey_filters(request)
    qs = selectors.survey_list(user=request.user, filters=filters)
    reveal = can(request, "reveal_pii")
    return list_page(request, qs, template="care/survey_list.html", partial="care/partials/survey_rows.html",
                     context={"form": form, "reveal": reveal},
                     export=lambda: xlsx_response(request, filename="困难劳模调查表", action="care.survey.export",
                                                  what="困难劳模调查表",
                                                  write=lambda f: export.write_surveys(f, qs, details=reveal)))


@capability_required("edit_business")
def hardship(request):
    """困难劳模信息库: each worker's latest approved survey; who is in hardship now, since when, what help."""
    if not can(request, "reveal_pii"):
        raise PermissionDenied("困难劳模信息仅限有权查看个人敏感信息的人员。")
    form = HardshipFilterForm(request.GET or None, org_queryset=orgs(request))
    f = selectors.HardshipFilters()
    if form.is_valid():
        d = form.cleaned_data
        level = d["level"] or "in"
        f = selectors.HardshipFilters(q=d["q"] or "", level="" if level == "all" else level, org=d["org"])
    qs = selectors.hardship_database(user=request.user, filters=f)
    def sheet():
        rows = list(qs[:20000])
        selectors.hardship_extras(rows)
        return xlsx_response(request, filename="困难劳模信息库", action="care.hardship.export", what="困难劳模信息库",
                             write=lambda f: export.write_hardship(f, rows))

    return list_page(request, qs, template="care/hardship.html", partial="care/partials/hardship_rows.html",
                     context={"form": form}, export=sheet, each_page=selectors.hardship_extras)


@capability_required("edit_business")
def not_surveyed(request):
    form = NotSurveyedFilterForm(request.GET or None, org_queryset=orgs(request))
    year, org, q = timezone.localdate().year, None, ""
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        org, q = form.cleaned_data["org"], form.cleaned_data["q"] or ""
    qs = selectors.not_surveyed(user=request.user, year=year, org=org, q=q)
    return list_page(request, qs, template="care/not_surveyed.html", partial="care/partials/not_surveyed_rows.html",
                     context={"form": form, "year": year},
                     export=lambda: xlsx_response(request, filename=f"{year}年未调查劳模",
                                                  action="care.survey.export_not_surveyed", what="未调查劳模",
                                                  write=lambda f: export.write_not_surveyed(f, qs, year)))


