"""Pages of 创新工作室与传帮带. Thin: forms in, services for writes, selectors for reads."""

from __future__ import annotations

import re
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core import audit
from laomo.core.excel import write_xlsx
from laomo.core.forms import apply_validation_error
from laomo.core.pagination import page_number
from laomo.core.permissions import capability_required, has_capability
from laomo.core.years import selected_year
from laomo.orgs.selectors import org_choices_for
from laomo.workers.selectors import worker_for_user

from . import export, selectors, services
from .forms import (
    AchievementFilterForm,
    AchievementForm,
    AssessmentForm,
    CheckinForm,
    EvidenceForm,
    MemberForm,
    MemberLeaveForm,
    MentorshipCreateForm,
    MentorshipEditForm,
    MentorshipFilterForm,
    OutcomeForm,
    ParticipantForm,
    ProjectCloseForm,
    ProjectForm,
    ReasonForm,
    ReportForm,
    StudioFilterForm,
    StudioForm,
    TechHelpFilterForm,
    TechHelpForm,
    TransitionForm,
)
from .models import MentorshipParticipant, ParticipantRole, StudioMember, StudioStatus

PER_PAGE = 50
_FREE_PERSON = re.compile(r"^(.+?)\s*[((](.*)[))]$")


# --- helpers ------------------------------------------------------------------------------------------


def _query(request) -> str:
    params = request.GET.copy()
    for key in ("page", "format"):
        params.pop(key, None)
    return params.urlencode()


def _done(request, url: str, message: str = ""):
    if message:
        messages.success(request, message)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _default_org(request):
    orgs = org_choices_for(user=request.user)
    return request.user.org if request.user.org_id and orgs.filter(pk=request.user.org_id).exists() else orgs.first()


def _export(request, *, filename: str, headers, rows, text_columns, action: str):
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")
    count = write_xlsx(tmp, headers, rows, text_columns=text_columns, sheet_name=filename[:28])
    audit.record(actor=request.user, action=action, object_type="studios", object_repr=f"{count} 条",
                 changes={"rows": count, "query": request.GET.urlencode()[:500]})
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=f"{filename}{timezone.localdate():%Y%m%d}.xlsx")


def _keep_filled_errors(form) -> None:
    """Inline validation while typing: show only the errors of fields that already hold a value."""
    for name in list(form.errors):
        if name == NON_FIELD_ERRORS or not form.data.get(name):
            del form.errors[name]


def _posted(request):
    """The form data of a POST (even an empty one, which must be refused, not taken for a GET)."""
    return request.POST if request.method == "POST" else None


def _validating(request) -> bool:
    return bool(request.htmx and request.POST.get("_validate"))


def _people(request, form, field: str, text: str, *, free_text: bool = False) -> list:
    """Resolve “编号或姓名” tokens to workers (and, where allowed, “姓名(单位)” to people not in the registry).

    Errors go onto `form.field`: an unknown name, a name shared by several workers (asks for the number).
    """
    tokens = selectors.split_names(text)
    free: dict[str, services.Person] = {}
    lookup = []
    for token in tokens:
        match = _FREE_PERSON.match(token)
        if free_text and match:
            free[token] = services.Person(name=match.group(1).strip(), employer=match.group(2).strip())
        else:
            lookup.append(token)
    resolved = selectors.resolve_workers(user=request.user, tokens=lookup)
    for token, workers in resolved.ambiguous.items():
        choices = "、".join(f"{w.worker_no}({w.org.short_name or w.org.name}{' ' + w.employer if w.employer else ''})"
                           for w in workers[:5])
        form.add_error(field, f"“{token}”对应多名劳模,请改填劳模编号:{choices}。")
    for token in resolved.unknown:
        if free_text and not selectors.is_worker_no(token):
            free[token] = services.Person(name=token)
        else:
            form.add_error(field, f"未找到劳模“{token}”(或不在您的数据范围内)。")
    out = []
    for token in tokens:
        if token in resolved.found:
            out.append(resolved.found[token])
        elif token in free:
            out.append(free[token])
    return out


def _save_or_check(request, form, call, kwargs: dict, *, validating: bool, people: dict | None = None):
    """Save through the service, or (inline validation) run its checks and roll back.

    While typing, the rest of the form may not be complete yet: then only the people checks run.
    Returns the saved object, or None (errors are on the form).
    """
    if validating and (form.errors or not form.is_valid()):
        if people and not any(name in form.errors for name in people):
            apply_validation_error(form, ValidationError(services.people_errors(request.user, **people) or {}))
        return None
    if form.errors:
        return None
    try:
        if validating:
            error = services.dry_run(call, **kwargs)
            if error is not None:
                raise error
            return None
        return call(**kwargs)
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None


def _one_worker(request, form, field: str, text: str):
    workers = _people(request, form, field, text)
    if len(workers) > 1:
        form.add_error(field, "只能填写一名劳模。")
        return None
    return workers[0] if workers else None


# --- studios ------------------------------------------------------------------------------------------


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
    if request.GET.get("format") == "xlsx":
        return _export(request, filename="创新工作室", headers=export.STUDIO_HEADERS,
                       rows=export.studio_rows(qs, filters.year), text_columns=export.STUDIO_TEXT,
                       action="studios.studio.export")
    page = page_number(request)
    studios, has_next = selectors.page_of(qs, page=page, per_page=PER_PAGE)
    for studio in studios:
        studio.flag_list = selectors.flags_of(studio, filters.year)
    ctx = {"form": form, "studios": studios, "page": page, "has_next": has_next, "query": _query(request),
           "year": filters.year, "can_edit": has_capability(request.user, "edit_business")}
    template = "studios/partials/studio_rows.html" if request.htmx else "studios/studio_list.html"
    return render(request, template, ctx)


def _studio_form_view(request, studio=None):
    orgs = org_choices_for(user=request.user)
    if studio is None:
        initial = {"org": _default_org(request)}
    else:
        initial = {f: getattr(studio, f) for f in services.STUDIO_FIELDS}
        initial.update({"org": studio.org, "lead": studio.lead.worker_no})
    form = StudioForm(_posted(request), initial=initial, org_queryset=orgs, editing=studio is not None)
    validating = _validating(request)
    if request.method == "POST":
        form.is_valid()
        data = dict(getattr(form, "cleaned_data", {}))
        lead_text = data.pop("lead", "")
        lead = _one_worker(request, form, "lead", lead_text) if lead_text else None
        if studio is None:
            call, kwargs = services.studio_create, {"actor": request.user, "lead": lead, **data}
        else:
            call, kwargs = services.studio_update, {"actor": request.user, "studio": studio, "lead": lead, **data}
        saved = _save_or_check(request, form, call, kwargs, validating=validating,
                               people={"lead": lead} if lead is not None else None)
        if saved is not None:
            messages.success(request, f"已保存工作室“{saved.name}”。")
            if saved.lead_warning:
                messages.warning(request, saved.lead_warning)
            return redirect("studios:detail", pk=saved.pk)
    if validating:
        _keep_filled_errors(form)
        return render(request, "studios/partials/inline_errors.html", {"form": form, "studio": studio})
    return render(request, "studios/studio_form.html", {"form": form, "studio": studio})


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
    can_edit = has_capability(request.user, "edit_business")
    ctx = {
        "studio": studio, "year": year, "flags": selectors.flags_of(studio, year),
        "members": selectors.members_of(studio), "projects": selectors.projects_of(studio),
        "achievements": selectors.achievements_of(studio), "reports": selectors.reports_of(studio),
        "assessments": selectors.assessments_of(studio), "history": selectors.status_history(studio),
        "mentorships": selectors.mentorships_of_studio(studio, user=request.user),
        "tech_help": selectors.tech_help_of_studio(studio, user=request.user)[:20],
        "can_edit": can_edit,
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
            apply_validation_error(form, exc)
        else:
            return _done(request, reverse("studios:detail", args=[studio.pk]), success)
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
        worker = _one_worker(request, form, "worker", d["worker"]) if d["worker"] else None
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
    try:
        if not form.is_valid():
            raise ValidationError({"left_date": "请填写退出日期。"})
        services.member_leave(actor=request.user, member=member, left_date=form.cleaned_data["left_date"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"{member.name} 已退出工作室。")
    return redirect("studios:detail", pk=studio.pk)


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
    try:
        if not form.is_valid():
            raise ValidationError({"end_date": "请选择结果并填写日期。"})
        services.project_close(actor=request.user, project=project, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"项目“{project.title}”已{project.get_status_display()}。")
    return redirect("studios:detail", pk=studio.pk)


def _page_form(request, studio, form_class, template: str, action, success: str, **form_kwargs):
    """A form on its own page (report, assessment): keep everything typed on errors."""
    form = form_class(_posted(request), **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
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


# --- achievements ------------------------------------------------------------------------------------------


@capability_required("edit_business")
def achievement_add(request, pk):
    studio = selectors.studio_get(user=request.user, pk=pk)
    members = selectors.members_of(studio)
    files = request.FILES if request.method == "POST" else None
    form = AchievementForm(_posted(request), files, members=members)
    validating = _validating(request)
    if request.method == "POST":
        form.is_valid()
        kwargs = dict(getattr(form, "cleaned_data", {}))
        if validating:
            kwargs["evidence"] = None  # files are checked when the form is saved, not while typing
            if "economic_benefit" in kwargs:
                try:
                    services.money(kwargs["economic_benefit"], "economic_benefit", "经济效益")
                except ValidationError as exc:
                    apply_validation_error(form, exc)
        achievement = _save_or_check(request, form, services.achievement_add,
                                     {"actor": request.user, "studio": studio, **kwargs}, validating=validating)
        if achievement is not None:
            messages.success(request, f"已登记成果“{achievement.title}”。")
            return redirect("studios:detail", pk=studio.pk)
    if validating:
        _keep_filled_errors(form)
        return render(request, "studios/partials/inline_errors.html", {"form": form, "studio": studio})
    return render(request, "studios/achievement_form.html", {"form": form, "studio": studio})


def _achievement_filters(request):
    form = AchievementFilterForm(request.GET or None, org_queryset=org_choices_for(user=request.user))
    f = selectors.AchievementFilters()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.AchievementFilters(q=d["q"], org=d["org"], kind=d["kind"], year=d["year"],
                                         recognized={"1": True, "0": False}.get(d["recognized"]))
    return form, f


@capability_required("view_business")
def achievement_list(request):
    form, filters = _achievement_filters(request)
    qs = selectors.achievement_list(user=request.user, filters=filters)
    if request.GET.get("format") == "xlsx":
        return _export(request, filename="工作室成果", headers=export.ACHIEVEMENT_HEADERS,
                       rows=export.achievement_rows(qs), text_columns=export.ACHIEVEMENT_TEXT,
                       action="studios.achievement.export")
    page = page_number(request)
    rows, has_next = selectors.page_of(qs, page=page, per_page=PER_PAGE)
    ctx = {"form": form, "achievements": rows, "page": page, "has_next": has_next, "query": _query(request)}
    template = "studios/partials/achievement_rows.html" if request.htmx else "studios/achievement_list.html"
    return render(request, template, ctx)


@capability_required("view_business")
def achievement_evidence(request, pk):
    """The evidence file, only through this scoped view (never a public URL)."""
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    thumb = request.GET.get("thumb") == "1" and achievement.evidence_thumb
    stored = achievement.evidence_thumb if thumb else achievement.evidence
    if not stored:
        raise Http404("该成果没有佐证材料")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("佐证材料文件缺失")
    content_type = "image/jpeg" if thumb else (achievement.evidence_type or "application/octet-stream")
    response = FileResponse(handle, content_type=content_type, filename=achievement.evidence_name or "evidence",
                            as_attachment=request.GET.get("download") == "1")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@capability_required("edit_business")
def achievement_evidence_upload(request, pk):
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError({"evidence": "请选择要上传的佐证材料。"})
        services.achievement_attach_evidence(actor=request.user, achievement=achievement,
                                             evidence=form.cleaned_data["evidence"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已上传佐证材料。")
    return redirect("studios:detail", pk=achievement.studio_id)


@require_POST
@capability_required("edit_business")
def achievement_withdraw(request, pk):
    achievement = selectors.achievement_get(user=request.user, pk=pk)
    try:
        services.achievement_withdraw(actor=request.user, achievement=achievement,
                                      reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已撤回成果“{achievement.title}”。")
    return redirect("studios:detail", pk=achievement.studio_id)


# --- mentorships ------------------------------------------------------------------------------------------


def _mentorship_filters(request):
    form = MentorshipFilterForm(request.GET or None, org_queryset=org_choices_for(user=request.user))
    f = selectors.MentorshipFilters()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.MentorshipFilters(q=d["q"], org=d["org"], form=d["form"], state=d["state"], year=d["year"])
    return form, f


@capability_required("view_business")
def mentorship_list(request):
    form, filters = _mentorship_filters(request)
    qs = selectors.mentorship_list(user=request.user, filters=filters)
    if request.GET.get("format") == "xlsx":
        return _export(request, filename="传帮带结对", headers=export.MENTORSHIP_HEADERS,
                       rows=export.mentorship_rows(qs), text_columns=export.MENTORSHIP_TEXT,
                       action="studios.mentorship.export")
    page = page_number(request)
    rows, has_next = selectors.page_of(qs, page=page, per_page=PER_PAGE)
    ctx = {"form": form, "mentorships": rows, "page": page, "has_next": has_next, "query": _query(request),
           "today": timezone.localdate(), "can_edit": has_capability(request.user, "edit_business")}
    template = "studios/partials/mentorship_rows.html" if request.htmx else "studios/mentorship_list.html"
    return render(request, template, ctx)


def _mentorship_form_view(request, mentorship=None):
    orgs = org_choices_for(user=request.user)
    studios = selectors.studio_choices(user=request.user)
    form_class = MentorshipEditForm if mentorship else MentorshipCreateForm
    if mentorship is None:
        initial = {"org": _default_org(request), "start_date": timezone.localdate()}
        studio_pk = request.GET.get("studio", "")
        if studio_pk.isdigit():
            studio = studios.filter(pk=studio_pk).first()
            if studio is not None:
                initial.update({"studio": studio, "org": studio.org})
    else:
        initial = {f: getattr(mentorship, f) for f in services.MENTORSHIP_FIELDS}
        initial["org"] = mentorship.org
    form = form_class(_posted(request), initial=initial, org_queryset=orgs, studio_queryset=studios)
    validating = _validating(request)
    if request.method == "POST":
        form.is_valid()
        data = dict(getattr(form, "cleaned_data", {}))
        people = None
        if mentorship is None:
            data["mentors"] = _people(request, form, "mentors", data.get("mentors", ""))
            data["apprentices"] = _people(request, form, "apprentices", data.get("apprentices", ""), free_text=True)
            if data["mentors"] and data["apprentices"]:
                people = {"mentors": data["mentors"], "apprentices": data["apprentices"]}
            call, kwargs = services.mentorship_create, {"actor": request.user, **data}
        else:
            call, kwargs = services.mentorship_update, {"actor": request.user, "mentorship": mentorship, **data}
        saved = _save_or_check(request, form, call, kwargs, validating=validating, people=people)
        if saved is not None:
            saved = selectors.mentorship_get(user=request.user, pk=saved.pk)
            messages.success(request, f"已保存传帮带结对“{saved.title}”(形式:{saved.form_label})。")
            return redirect("studios:mentorship_detail", pk=saved.pk)
    if validating:
        _keep_filled_errors(form)
        return render(request, "studios/partials/inline_errors.html", {"form": form,
                                                                                "mentorship": mentorship})
    return render(request, "studios/mentorship_form.html", {"form": form, "mentorship": mentorship})


@capability_required("edit_business")
def mentorship_create(request):
    return _mentorship_form_view(request)


@capability_required("edit_business")
def mentorship_edit(request, pk):
    return _mentorship_form_view(request, selectors.mentorship_get(user=request.user, pk=pk))


def _apprentices(mentorship):
    return selectors.apprentices_of(mentorship=mentorship)


def _mentorship_ctx(request, mentorship, **bound) -> dict:
    ctx = {
        "m": mentorship, "today": timezone.localdate(), "state": mentorship.state_on(timezone.localdate()),
        "mentors": [p for p in mentorship.participants.all() if p.role == ParticipantRole.MENTOR],
        "apprentices": [p for p in mentorship.participants.all() if p.role == ParticipantRole.APPRENTICE],
        "checkins": selectors.checkins_of(mentorship), "outcomes": selectors.outcomes_of(mentorship),
        "can_edit": has_capability(request.user, "edit_business"),
        "participant_form": ParticipantForm(), "checkin_form": CheckinForm(initial={"date": timezone.localdate()}),
        "outcome_form": OutcomeForm(apprentices=_apprentices(mentorship)), "reason_form": ReasonForm(),
    }
    ctx.update(bound)
    return ctx


@capability_required("view_business")
def mentorship_detail(request, pk):
    mentorship = selectors.mentorship_get(user=request.user, pk=pk)
    return render(request, "studios/mentorship_detail.html", _mentorship_ctx(request, mentorship))


def _mentorship_post(request, pk, *, form, form_key: str, partial_id: str, action, success: str):
    mentorship = selectors.mentorship_get(user=request.user, pk=pk)
    if form.is_valid():
        try:
            action(mentorship, form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            return _done(request, reverse("studios:mentorship_detail", args=[mentorship.pk]), success)
    if request.htmx:
        return render(request, "studios/partials/inline_form.html", {
            "form": form, "form_id": partial_id, "action": request.path, "submit_label": "重新提交"})
    messages.error(request, "请修改标出的错误后重新提交。")
    return render(request, "studios/mentorship_detail.html", _mentorship_ctx(request, mentorship, **{form_key: form}))


@require_POST
@capability_required("edit_business")
def participant_add(request, pk):
    form = ParticipantForm(request.POST)

    def act(m, d):
        worker = _one_worker(request, form, "worker", d["worker"]) if d["worker"] else None
        if form.errors:
            raise ValidationError({})
        services.participant_add(actor=request.user, mentorship=m, role=d["role"], worker=worker, name=d["name"],
                                 employer=d["employer"], job=d["job"])

    return _mentorship_post(request, pk, form=form, form_key="participant_form", partial_id="participant-form",
                            action=act, success="已添加。")


@require_POST
@capability_required("edit_business")
def participant_remove(request, pk, participant_pk):
    mentorship = selectors.mentorship_get(user=request.user, pk=pk)
    participant = get_object_or_404(MentorshipParticipant, pk=participant_pk, mentorship=mentorship)
    try:
        services.participant_remove(actor=request.user, participant=participant, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已移除 {participant.name}。")
    return redirect("studios:mentorship_detail", pk=mentorship.pk)


@require_POST
@capability_required("edit_business")
def checkin_add(request, pk):
    form = CheckinForm(request.POST)
    return _mentorship_post(
        request, pk, form=form, form_key="checkin_form", partial_id="checkin-form",
        action=lambda m, d: services.checkin_add(actor=request.user, mentorship=m, **d), success="已记录带徒情况。")


@require_POST
@capability_required("edit_business")
def outcome_add(request, pk):
    mentorship = selectors.mentorship_get(user=request.user, pk=pk)
    form = OutcomeForm(request.POST, apprentices=_apprentices(mentorship))
    return _mentorship_post(
        request, pk, form=form, form_key="outcome_form", partial_id="outcome-form",
        action=lambda m, d: services.outcome_add(actor=request.user, mentorship=m, **d), success="已登记培养成果。")


@require_POST
@capability_required("edit_business")
def mentorship_delete(request, pk):
    mentorship = selectors.mentorship_get(user=request.user, pk=pk)
    try:
        services.mentorship_delete(actor=request.user, mentorship=mentorship, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("studios:mentorship_detail", pk=mentorship.pk)
    messages.success(request, f"已删除结对“{mentorship.title}”。")
    return redirect("studios:mentorship_list")


# --- technical help ---------------------------------------------------------------------------------------


def _tech_help_filters(request):
    form = TechHelpFilterForm(request.GET or None, org_queryset=org_choices_for(user=request.user))
    f = selectors.TechHelpFilters()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.TechHelpFilters(q=d["q"], org=d["org"], kind=d["kind"], target_type=d["target_type"],
                                      year=d["year"], date_from=d["date_from"], date_to=d["date_to"])
    return form, f


@capability_required("view_business")
def tech_help_list(request):
    form, filters = _tech_help_filters(request)
    qs = selectors.tech_help_list(user=request.user, filters=filters)
    if request.GET.get("format") == "xlsx":
        return _export(request, filename="技术服务活动", headers=export.TECH_HELP_HEADERS,
                       rows=export.tech_help_rows(qs), text_columns=export.TECH_HELP_TEXT,
                                                  action="studios.tech_help.export")
    page = page_number(request)
    rows, has_next = selectors.page_of(qs, page=page, per_page=PER_PAGE)
    ctx = {"form": form, "activities": rows, "page": page, "has_next": has_next, "query": _query(request),
           "can_edit": has_capability(request.user, "edit_business")}
    template = "studios/partials/tech_help_rows.html" if request.htmx else "studios/tech_help_list.html"
    return render(request, template, ctx)


def _tech_help_form_view(request, activity=None):
    orgs = org_choices_for(user=request.user)
    studios = selectors.studio_choices(user=request.user)
    if activity is None:
        initial = {"org": _default_org(request), "date": timezone.localdate()}
        studio_pk = request.GET.get("studio", "")
        if studio_pk.isdigit():
            studio = studios.filter(pk=studio_pk).first()
            if studio is not None:
                initial.update({"studio": studio, "org": studio.org})
    else:
        initial = {f: getattr(activity, f) for f in services.TECH_HELP_FIELDS}
        initial.update({"org": activity.org,
                        "participants": "、".join(w.worker_no for w in activity.participants.all())})
    form = TechHelpForm(_posted(request), initial=initial, org_queryset=orgs, studio_queryset=studios)
    validating = _validating(request)
    if request.method == "POST":
        form.is_valid()
        data = dict(getattr(form, "cleaned_data", {}))
        data["participants"] = _people(request, form, "participants", data.get("participants", ""))
        if activity is None:
            call, kwargs = services.tech_help_create, {"actor": request.user, **data}
        else:
            call, kwargs = services.tech_help_update, {"actor": request.user, "activity": activity, **data}
        saved = _save_or_check(request, form, call, kwargs, validating=validating,
                               people={"participants": data["participants"]} if data["participants"] else None)
        if saved is not None:
            messages.success(request, f"已保存技术服务活动“{saved.topic}”。")
            return redirect("studios:tech_help_detail", pk=saved.pk)
    if validating:
        _keep_filled_errors(form)
        return render(request, "studios/partials/inline_errors.html", {"form": form, "activity": activity})
    return render(request, "studios/tech_help_form.html", {"form": form, "activity": activity})


@capability_required("edit_business")
def tech_help_create(request):
    return _tech_help_form_view(request)


@capability_required("edit_business")
def tech_help_edit(request, pk):
    return _tech_help_form_view(request, selectors.tech_help_get(user=request.user, pk=pk))


@capability_required("view_business")
def tech_help_detail(request, pk):
    activity = selectors.tech_help_get(user=request.user, pk=pk)
    return render(request, "studios/tech_help_detail.html", {
        "a": activity, "can_edit": has_capability(request.user, "edit_business")})


@require_POST
@capability_required("edit_business")
def tech_help_delete(request, pk):
    activity = selectors.tech_help_get(user=request.user, pk=pk)
    try:
        services.tech_help_delete(actor=request.user, activity=activity, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("studios:tech_help_detail", pk=activity.pk)
    messages.success(request, f"已删除活动“{activity.topic}”。")
    return redirect("studios:tech_help_list")


# --- helpers for the forms and self-service -------------------------------------------------------------------


@capability_required("edit_business")
def worker_search(request):
    """The “查找劳模” helper: candidates by name, pinyin or number; a click puts the number into the field."""
    target = request.GET.get("target", "")
    if not re.fullmatch(r"id_[a-z_]+", target):
        target = ""
    workers = selectors.worker_search(user=request.user, q=request.GET.get("q", ""))
    return render(request, "studios/partials/worker_candidates.html", {
        "workers": workers, "target": target, "multi": request.GET.get("multi") == "1",
        "q": request.GET.get("q", "")})


@login_required
def my_studios(request):
    """A worker's own studios, pairings and technical help (phone-sized); mentors log their sessions here."""
    worker = worker_for_user(request.user)
    ctx = {"worker": worker}
    if worker is not None:
        mentorships = list(selectors.my_mentorships(worker))
        for m in mentorships:
            m.i_am_mentor = any(p.worker_id == worker.pk and p.role == ParticipantRole.MENTOR
                                for p in m.participants.all())
            today = timezone.localdate()
            m.can_log = m.i_am_mentor and m.start_date <= today and (m.end_date is None or m.end_date >= today)
            m.checkin_form = CheckinForm(auto_id=f"id_m{m.pk}_%s", initial={"date": today})
        ctx.update({"studios": selectors.my_studios(worker), "mentorships": mentorships,
                    "tech_help": selectors.my_tech_help(worker), "today": timezone.localdate()})
    return render(request, "studios/my_studios.html", ctx)


@require_POST
@login_required
def my_checkin(request, pk):
    worker = worker_for_user(request.user)
    mentorship = selectors.my_mentorships(worker).filter(pk=pk).first() if worker is not None else None
    if mentorship is None:
        raise Http404("结对不存在")
    form = CheckinForm(request.POST)
    if form.is_valid():
        try:
            services.checkin_add(actor=request.user, mentorship=mentorship, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
    if form.errors:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    else:
        messages.success(request, "已记录本次带徒情况。")
    return redirect("studios:me")
