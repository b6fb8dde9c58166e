"""传帮带 pages: the list, the form, the detail page with its people, check-ins and outcomes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required
from laomo.core.web import apply_errors, list_page, run_action, xlsx_response
from laomo.orgs.selectors import org_choices_for

from .. import export, selectors, services
from ..forms import (
    CheckinForm,
    MentorshipCreateForm,
    MentorshipEditForm,
    MentorshipFilterForm,
    OutcomeForm,
    ParticipantForm,
    ReasonForm,
)
from ..models import MentorshipParticipant, ParticipantRole
from .common import can_edit, default_org, done, form_page, one_worker, people, posted


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
    return list_page(request, qs, template="studios/mentorship_list.html",
                     partial="studios/partials/mentorship_rows.html",
                     context={"form": form, "today": timezone.localdate(), "can_edit": can_edit(request)},
                     export=lambda: xlsx_response(request, filename="传帮带结对", action="studios.mentorship.export",
                                                  what="传帮带结对", headers=export.MENTORSHIP_HEADERS,
                                                  rows=export.mentorship_rows(qs), text_columns=export.MENTORSHIP_TEXT))


def initial_from_studio(request, studios, initial: dict) -> dict:
    """A new record started from a studio's page (?studio=pk) belongs to that studio and its unit."""
    studio_pk = request.GET.get("studio", "")
    studio = studios.filter(pk=studio_pk).first() if studio_pk.isdigit() else None
    if studio is not None:
        initial.update({"studio": studio, "org": studio.org})
    return initial


def _mentorship_initial(request, mentorship, studios) -> dict:
    if mentorship is None:
        return initial_from_studio(request, studios, {"org": default_org(request), "start_date": timezone.localdate()})
    initial = {f: getattr(mentorship, f) for f in services.MENTORSHIP_FIELDS}
    initial["org"] = mentorship.org
    return initial


def _mentorship_call(request, form, mentorship):
    form.is_valid()
    data = dict(getattr(form, "cleaned_data", {}))
    if mentorship is not None:
        return services.mentorship_update, {"actor": request.user, "mentorship": mentorship, **data}, None
    data["mentors"] = people(request, form, "mentors", data.get("mentors", ""))
    data["apprentices"] = people(request, form, "apprentices", data.get("apprentices", ""), free_text=True)
    both = {"mentors": data["mentors"], "apprentices": data["apprentices"]}
    return services.mentorship_create, {"actor": request.user, **data}, (both if all(both.values()) else None)


def _mentorship_form_view(request, mentorship=None):
    studios = selectors.studio_choices(user=request.user)
    form_class = MentorshipEditForm if mentorship else MentorshipCreateForm
    form = form_class(posted(request), initial=_mentorship_initial(request, mentorship, studios),
                      org_queryset=org_choices_for(user=request.user), studio_queryset=studios)

    def saved(m):
        m = selectors.mentorship_get(user=request.user, pk=m.pk)
        messages.success(request, f"已保存传帮带结对“{m.title}”(形式:{m.form_label})。")
        return redirect("studios:mentorship_detail", pk=m.pk)

    return form_page(request, form, lambda f: _mentorship_call(request, f, mentorship),
                     template="studios/mentorship_form.html", context={"mentorship": mentorship}, on_saved=saved)


@capability_required("edit_business")
def mentorship_create(request):
    return _mentorship_form_view(request)


@capability_required("edit_business")
def mentorship_edit(request, pk):
    return _mentorship_form_view(request, selectors.mentorship_get(user=request.user, pk=pk))


def _mentorship_ctx(request, mentorship, **bound) -> dict:
    people_ = list(mentorship.participants.all())
    ctx = {
        "m": mentorship, "today": timezone.localdate(), "state": mentorship.state_on(timezone.localdate()),
        "mentors": [p for p in people_ if p.role == ParticipantRole.MENTOR],
        "apprentices": [p for p in people_ if p.role == ParticipantRole.APPRENTICE],
        "checkins": selectors.checkins_of(mentorship), "outcomes": selectors.outcomes_of(mentorship),
        "can_edit": can_edit(request),
        "participant_form": ParticipantForm(), "checkin_form": CheckinForm(initial={"date": timezone.localdate()}),
        "outcome_form": OutcomeForm(apprentices=selectors.apprentices_of(mentorship=mentorship)),
        "reason_form": ReasonForm(),
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
            apply_errors(form, exc)
        else:
            return done(request, reverse("studios:mentorship_detail", args=[mentorship.pk]), success)
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
        worker = one_worker(request, form, "worker", d["worker"]) if d["worker"] else None
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

    def act():
        services.participant_remove(actor=request.user, participant=participant, reason=request.POST.get("reason", ""))

    return run_action(request, act, success=f"已移除 {participant.name}。",
                      redirect_to=reverse("studios:mentorship_detail", args=[mentorship.pk]))


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
    form = OutcomeForm(request.POST, apprentices=selectors.apprentices_of(mentorship=mentorship))
    return _mentorship_post(
        request, pk, form=form, form_key="outcome_form", partial_id="outcome-form",
        action=lambda m, d: services.outcome_add(actor=request.user, mentorship=m, **d), success="已登记培养成果。")


@require_POST
@capability_required("edit_business")
def mentorship_delete(request, pk):
    mentorship = selectors.mentorship_get(user=request.user, pk=pk)

    def act():
        services.mentorship_delete(actor=request.user, mentorship=mentorship, reason=request.POST.get("reason", ""))

    return run_action(request, act, success=f"已删除结对“{mentorship.title}”。",
                      redirect_to=reverse("studios:mentorship_detail", args=[mentorship.pk]),
                      done_to="studios:mentorship_list")
