"""技术服务 pages: the list, the form and the detail page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required
from laomo.core.web import list_page, run_action, xlsx_response
from laomo.orgs.selectors import org_choices_for

from .. import export, selectors, services
from ..forms import TechHelpFilterForm, TechHelpForm
from .common import can_edit, default_org, form_page, people, posted
from .mentorships import initial_from_studio


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
    return list_page(request, qs, template="studios/tech_help_list.html",
                     partial="studios/partials/tech_help_rows.html",
                     context={"form": form, "can_edit": can_edit(request)},
                     export=lambda: xlsx_response(request, filename="技术服务活动", action="studios.tech_help.export",
                                                  what="技术服务活动", headers=export.TECH_HELP_HEADERS,
                                                  rows=export.tech_help_rows(qs), text_columns=export.TECH_HELP_TEXT))


def _tech_help_initial(request, activity, studios) -> dict:
    if activity is None:
        return initial_from_studio(request, studios, {"org": default_org(request), "date": timezone.localdate()})
    initial = {f: getattr(activity, f) for f in services.TECH_HELP_FIELDS}
    initial.update({"org": activity.org,
                    "participants": "、".join(w.worker_no for w in activity.participants.all())})
    return initial


def _tech_help_call(request, form, activity):
    form.is_valid()
    data = dict(getattr(form, "cleaned_data", {}))
    data["participants"] = people(request, form, "participants", data.get("participants", ""))
    if activity is None:
        call, kwargs = services.tech_help_create, {"actor": request.user, **data}
    else:
        call, kwargs = services.tech_help_update, {"actor": request.user, "activity": activity, **data}
    return call, kwargs, ({"participants": data["participants"]} if data["participants"] else None)


def _tech_help_form_view(request, activity=None):
    studios = selectors.studio_choices(user=request.user)
    form = TechHelpForm(posted(request), initial=_tech_help_initial(request, activity, studios),
                        org_queryset=org_choices_for(user=request.user), studio_queryset=studios)

    def saved(a):
        messages.success(request, f"已保存技术服务活动“{a.topic}”。")
        return redirect("studios:tech_help_detail", pk=a.pk)

    return form_page(request, form, lambda f: _tech_help_call(request, f, activity),
                     template="studios/tech_help_form.html", context={"activity": activity}, on_saved=saved)


@capability_required("edit_business")
def tech_help_create(request):
    return _tech_help_form_view(request)


@capability_required("edit_business")
def tech_help_edit(request, pk):
    return _tech_help_form_view(request, selectors.tech_help_get(user=request.user, pk=pk))


@capability_required("view_business")
def tech_help_detail(request, pk):
    activity = selectors.tech_help_get(user=request.user, pk=pk)
    return render(request, "studios/tech_help_detail.html", {"a": activity, "can_edit": can_edit(request)})


@require_POST
@capability_required("edit_business")
def tech_help_delete(request, pk):
    activity = selectors.tech_help_get(user=request.user, pk=pk)

    def act():
        services.tech_help_delete(actor=request.user, activity=activity, reason=request.POST.get("reason", ""))

    return run_action(request, act, success=f"已删除活动“{activity.topic}”。",
                      redirect_to=reverse("studios:tech_help_detail", args=[activity.pk]),
                      done_to="studios:tech_help_list")
