"""Service teams and their members."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required, has_capability
from laomo.core.scope import scope_root
from laomo.core.selectors import get_in_scope
from laomo.core.web import run_action
from laomo.core.years import selected_year
from laomo.orgs.selectors import org_choices_for

from .. import exports, selectors, services
from .. import forms as f
from .common import EDIT, VIEW, list_or_export, submitted

TEAM_INITIAL = ("name", "team_type", "org", "parent", "base", "leader", "founded_on", "description")


def _team_filters(request):
    form = f.TeamFilterForm(request.GET or None, org_queryset=org_choices_for(user=request.user))
    filters = selectors.TeamFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.TeamFilters(q=d["q"] or "", team_type=d["team_type"] or "", org=d["org"],
                                        active=d["active"] or "1")
    return form, filters


@capability_required(*VIEW)
def team_list(request):
    form, filters = _team_filters(request)
    qs = selectors.team_list(user=request.user, filters=filters)
    return list_or_export(request, qs, name="team", sheet=exports.teams,
                          context={"form": form, "can_edit": has_capability(request.user, "edit_business")})


def _team_form(user, data=None, initial=None):
    return f.TeamForm(data, initial=initial, org_queryset=org_choices_for(user=user),
                      team_queryset=selectors.team_choices(user=user).filter(parent__isnull=True),
                      leader_queryset=selectors.leader_choices(user=user))


@capability_required("edit_business")
def team_create(request):
    initial = {"founded_on": timezone.localdate(), "org": scope_root(request.user)}
    form = _team_form(request.user, request.POST or None, initial)
    team = submitted(request, form, lambda d: services.team_create(actor=request.user, **d))
    if team is not None:
        messages.success(request, f"已建立服务队“{team.name}”。")
        return redirect("volunteering:team_detail", pk=team.pk)
    return render(request, "volunteering/team_form.html", {"form": form, "team": None})


@capability_required("edit_business")
def team_edit(request, pk):
    team = selectors.team_get(user=request.user, pk=pk)
    form = _team_form(request.user, request.POST or None, {k: getattr(team, k) for k in TEAM_INITIAL})
    form.fields["parent"].queryset = form.fields["parent"].queryset.exclude(pk=team.pk)
    if submitted(request, form, lambda d: services.team_update(actor=request.user, team=team, **d)):
        messages.success(request, "已保存服务队信息。")
        return redirect("volunteering:team_detail", pk=team.pk)
    return render(request, "volunteering/team_form.html", {"form": form, "team": team})


@capability_required(*VIEW)
def team_detail(request, pk):
    user = request.user
    team = selectors.team_get(user=user, pk=pk)
    year = selected_year(request)
    records = selectors.record_list(user=user, filters=selectors.RecordFilters(team=team))
    return render(request, "volunteering/team_detail.html", {
        "team": team, "members": selectors.team_members(team=team), "year": year,
        "can_manage": services.leads_team(user, team) or has_capability(user, "edit_business"),
        "can_edit": has_capability(user, "edit_business"),
        "children": selectors.team_base(user).filter(parent=team).order_by("name"),
        "records": records[:20], "year_person_times": sum(r.person_times for r in records.filter(date__year=year)),
        "requests": selectors.request_list(user=user, filters=selectors.RequestFilters(team=team, status="open")),
        "member_form": f.MemberForm(worker_queryset=_member_workers(user, team)),
        "dissolve_form": f.DissolveForm(initial={"dissolved_on": timezone.localdate()}),
    })


def _member_workers(user, team):
    if has_capability(user, "view_business"):
        return selectors.worker_choices(user=user).order_by("name_pinyin")
    # A team leader picks among the workers of the team's unit (the team was fetched in their scope).
    return selectors.workers_of_team_unit(team=team)


@require_POST
@capability_required(*EDIT)
def member_add(request, pk):
    team = selectors.team_get(user=request.user, pk=pk)
    form = f.MemberForm(request.POST, worker_queryset=_member_workers(request.user, team))
    run_action(request, lambda: services.member_add(actor=request.user, team=team, **form.cleaned_data),
               form=form, success=lambda member: f"已添加队员 {member.name}。")
    return redirect("volunteering:team_detail", pk=team.pk)


@require_POST
@capability_required(*EDIT)
def member_remove(request, pk, member_pk):
    team = selectors.team_get(user=request.user, pk=pk)
    member = get_in_scope(selectors.team_members(team=team), member_pk, "队员不存在")
    run_action(request, lambda: services.member_remove(actor=request.user, member=member,
                                                       reason=request.POST.get("reason", "")),
               success=f"{member.name} 已退出本队。")
    return redirect("volunteering:team_detail", pk=team.pk)


@require_POST
@capability_required("edit_business")
def team_dissolve(request, pk):
    team = selectors.team_get(user=request.user, pk=pk)
    form = f.DissolveForm(request.POST)
    run_action(request, lambda: services.team_dissolve(actor=request.user, team=team, **form.cleaned_data),
               form=form, invalid="请填写撤销日期和原因。", success=f"服务队“{team.name}”已撤销。")
    return redirect("volunteering:team_detail", pk=team.pk)
