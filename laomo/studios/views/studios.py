"""Studio pages: the list, the form, the detail page and the small forms on it, reports and assessments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required
from laomo.core.web import apply_errors, list_page, run_action, xlsx_response
from laomo.core.years import selected_year
from laomo.orgs.selectors import org_choices_for

from .. import export, selectors, services
from ..forms import (
    AssessmentForm,
    MemberForm,
    MemberLeaveForm,
    ProjectCloseForm,
    ProjectForm,
    ReasonForm,
    ReportForm,
    StudioFilterForm,
    StudioForm,
    TransitionForm,
)
from ..models import StudioMember, StudioStatus
from .common import can_edit, default_org, done, form_page, one_worker, posted


def _studio_filters(request) -> tuple[StudioFilterForm, selectors.StudioFilters]:
    form = StudioFilterForm(request.GET or None, org_queryset=org_choices_for(user=request.user))
    year = selected_year(request)
    f = selectors.StudioFilters(year=year)
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.StudioFilters(q=d["q"], org=d["org"], level=d["level"], studio_type=d["studio_type"],
                                    status=d["status"], flag=d["flag"], year=year)
    return form, f


@capability_required("view_business")
def studio_list(request):
    form, filters = _studio_filters(request)
    qs = selectors.studio_list(user=request.user, filters=filters)
    return list_page(request, selectors.studio_row_values(qs), template="studios/studio_list.html",
                     partial="studios/partials/studio_rows.jinja",
                     context={"form": form, "year": filters.year, "can_edit": can_edit(request)},
                     each_page=lambda rows: selectors.studio_rows(rows, filters.year),
                     export=lambda: xlsx_response(request, filename="创新工作室", action="studios.studio.export",
                                                  what="创新工作室", headers=export.STUDIO_HEADERS,
                                                  rows=export.studio_rows(qs, filters.year),
                                                  text_columns=export.STUDIO_TEXT))


def _studio_initial(request, studio) -> dict:
    if studio is None:
        return {"org": default_org(request)}
    initial = {f: getattr(studio, f) for f in services.STUDIO_FIELDS}
    initial.update({"org": studio.org, "lead": studio.lead.worker_no})
    return initial


def _studio_call(request, form, studio):
    """The service call the posted form asks for, and the people in it (for checks while typing)."""
    form.is_valid()
    data = dict(getattr(form, "cleaned_data", {}))
    lead_text = data.pop("lead", "")
    lead = one_worker(request, form, "lead", lead_text) if lead_text else None
    if studio is None:
        call, kwargs = services.studio_create, {"actor": request.user, "lead": lead, **data}
    else:
        call, kwargs = services.studio_update, {"actor": request.user, "studio": studio, "lead": lead, **data}
    return call, kwargs, ({"lead": lead} if lead is not None else None)


def _studio_saved(request, saved):
    messages.success(request, f"已保存工作室“{saved.name}”。")
    if saved.lead_warning:
        messages.warning(request, saved.lead_warning)
    return redirect("studios:detail", pk=saved.pk)


def _studio_form_view(request, studio=None):
    form = StudioForm(posted(request), initial=_studio_initial(request, studio),
                      org_queryset=org_choices_for(user=request.user), editing=studio is not None)
    return form_page(request, form, lambda f: _studio_call(request, f, studio), template="studios/studio_form.html",
                     context={"studio": studio}, on_saved=lambda saved: _studio_saved(request, saved))


@capability_required("edit_business")
def studio_create(request):
    return _studio_form_view(request)


@capability_required("edit_business")
def studio_edit(request, pk):
    studio = selectors.studio_get(user=request.user, pk=pk)
    if studio.status == StudioStatus.REVOKED:
        messages.error(request, "已撤销的工作室不能再修改。")
        return redirect("studios:detail", pk=studio.pk)
    return _studio_form_view(request, studio)


def _studio_ctx(request, studio, **bound) -> dict:
    year = selected_year(request)
    ctx = {
        "studio": studio, "year": year, "flags": selectors.flags_of(studio, year),
        "members": selectors.members_of(studio), "projects": selectors.projects_of(studio),
        "achievements": selectors.with_kind_labels(selectors.achievements_of(studio)),
        "reports": selectors.reports_of(studio), "assessments": selectors.assessments_of(studio),
        "history": selectors.status_history(studio),
        "mentorships": selectors.mentorships_of_studio(studio, user=request.user),
        "tech_help": selectors.tech_help_of_studio(studio, user=request.user)[:20],
        "can_edit": can_edit(request),
        "transition_form": TransitionForm(choices=studio.allowed_transitions,
                                          initial={"date": timezone.localdate()}),
        "member_form": MemberForm(), "project_form": ProjectForm(), "close_form": ProjectCloseForm(),
        "leave_form": MemberLeaveForm(), "reason_form": ReasonForm(),
    }
    ctx.update(bound)
    return ctx


@capability_required("view_business")
def studio_detail(request, pk):
    studio = selectors.studio_get(user=request.user, pk=pk, year=selected_year(request))
    return render(request, "studios/studio_detail.html", _studio_ctx(request, studio))


def _studio_post(request, pk, *, form, form_key: str, partial_id: str, action, success: str):
    """Shared flow of the small forms on the studio page: validate, call the service, or show the errors."""
    studio = selectors.studio_get(user=request.user, pk=pk, year=selected_year(request))
    if form.is_valid():
        try:
            action(studio, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return done(request, reverse("studios:detail", args=[studio.pk]), success)
    if request.htmx:
        return render(request, "studios/partials/inline_form.html", {
            "form": form, "form_id": partial_id, "action": request.path, "studio": studio,
            "submit_label": "重新提交"})
    messages.error(request, "请修改标出的错误后重新提交。")
    return render(request, "studios/studio_detail.html", _studio_ctx(request, studio, **{form_key: form}))


@require_POST
@capability_required("edit_business")
def studio_status(request, pk):
    studio = selectors.studio_get(user=request.user, pk=pk)
    form = TransitionForm(request.POST, choices=studio.allowed_transitions)

    def act(s, d):
        services.studio_transition(actor=request.user, studio=s, to_status=d["to_status"], date=d["date"],
                                   reason=d["reason"])

    return _studio_post(request, pk, form=form, form_key="transition_form", partial_id="transition-form", action=act,
                        success="已更新工作室状态。")


@require_POST
@capability_required("edit_business")
def member_add(request, pk):
    form = MemberForm(request.POST)

    def act(studio, d):
        worker = one_worker(request, form, "worker", d["worker"]) if d["worker"] else None
        if form.errors:
            raise ValidationError({})
        services.member_add(actor=request.user, studio=studio, worker=worker, name=d["name"], title=d["title"],
                            role=d["role"], joined_date=d["joined_date"])

    return _studio_post(request, pk, form=form, form_key="member_form", partial_id="member-form", action=act,
                        success="已添加成员。")


@require_POST
@capability_required("edit_business")
def member_leave(request, pk, member_pk):
    studio = selectors.studio_get(user=request.user, pk=pk)
    member = get_object_or_404(StudioMember, pk=member_pk, studio=studio)
    form = MemberLeaveForm(request.POST)

    def act():
        if not form.is_valid():
            raise ValidationError({"left_date": "请填写退出日期。"})
        services.member_leave(actor=request.user, member=member, left_date=form.cleaned_data["left_date"])

    return run_action(request, act, success=f"{member.name} 已退出工作室。",
                      redirect_to=reverse("studios:detail", args=[studio.pk]))


@require_POST
@capability_required("edit_business")
def project_add(request, pk):
    form = ProjectForm(request.POST)

    def act(studio, d):
        services.project_add(actor=request.user, studio=studio, **d)

    return _studio_post(request, pk, form=form, form_key="project_form", partial_id="project-form", action=act,
                        success="已登记攻关项目。")


@require_POST
@capability_required("edit_business")
def project_close(request, pk, project_pk):
    studio = selectors.studio_get(user=request.user, pk=pk)
    project = get_object_or_404(selectors.projects_of(studio), pk=project_pk)
    form = ProjectCloseForm(request.POST)

    def act():
        if not form.is_valid():
            raise ValidationError({"end_date": "请选择结果并填写日期。"})
        services.project_close(actor=request.user, project=project, **form.cleaned_data)

    return run_action(request, act, success=lambda _: f"项目“{project.title}”已{project.get_status_display()}。",
                      redirect_to=reverse("studios:detail", args=[studio.pk]))


def _page_form(request, studio, form_class, template: str, action, success: str, **form_kwargs):
    """A form on its own page (report, assessment): keep everything typed on errors."""
    form = form_class(posted(request), **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("studios:detail", pk=studio.pk)
    return render(request, template, {"form": form, "studio": studio})


@capability_required("edit_business")
def report_add(request, pk):
    studio = selectors.studio_get(user=request.user, pk=pk)
    today = timezone.localdate()
    return _page_form(
        request, studio, ReportForm, "studios/report_form.html",
        lambda d: services.report_submit(actor=request.user, studio=studio, **d), "已报送季度报告。",
        initial={"year": today.year, "quarter": (today.month - 1) // 3 + 1})


@capability_required("edit_business")
def assessment_add(request, pk):
    studio = selectors.studio_get(user=request.user, pk=pk)
    today = timezone.localdate()
    return _page_form(
        request, studio, AssessmentForm, "studios/assessment_form.html",
        lambda d: services.assessment_record(actor=request.user, studio=studio, **d), "已登记年度考核。",
        initial={"year": today.year - 1, "assessed_date": today})
