"""Emergency and special mobilizations (应急/专项行动), their posts and duty rosters."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required, has_capability
from laomo.core.scope import scope_root
from laomo.core.selectors import get_in_scope
from laomo.core.web import run_action
from laomo.orgs.selectors import org_choices_for

from .. import exports, selectors, services
from .. import forms as f
from .common import can_edit, list_or_export, submitted


@capability_required("view_business")
def mobilization_list(request):
    g = request.GET
    orgs = org_choices_for(user=request.user)
    qs = selectors.mobilization_list(user=request.user, q=g.get("q", "")[:50], kind=g.get("kind", ""),
                                     org=orgs.filter(pk=g.get("org") or 0).first())
    return list_or_export(request, qs, name="mobilization", sheet=exports.mobilizations, context={
        "kinds": f.Mobilization.Kind.choices, "orgs": orgs, "filters": g,
        "can_edit": has_capability(request.user, "edit_business")})


def _create(user, data: dict):
    posts = [line.strip() for line in (data.pop("posts", "") or "").splitlines() if line.strip()]
    return services.mobilization_create(actor=user, posts=posts, **data)


@capability_required("edit_business")
def mobilization_create(request):
    form = f.MobilizationForm(request.POST or None, org_queryset=org_choices_for(user=request.user),
                              initial={"org": scope_root(request.user), "start_date": timezone.localdate()})
    m = submitted(request, form, lambda d: _create(request.user, dict(d)))
    if m is not None:
        messages.success(request, f"已建立行动“{m.name}”。")
        return redirect("volunteering:mobilization_detail", pk=m.pk)
    return render(request, "volunteering/mobilization_form.html", {"form": form, "mobilization": None})


@capability_required("edit_business")
def mobilization_edit(request, pk):
    m = selectors.mobilization_get(user=request.user, pk=pk)
    form = f.MobilizationForm(request.POST or None, initial={k: getattr(m, k) for k in services.MOBILIZATION_FIELDS},
                              editing=True, org_queryset=org_choices_for(user=request.user))
    if submitted(request, form, lambda d: services.mobilization_update(actor=request.user, mobilization=m, **d)):
        messages.success(request, "已保存。")
        return redirect("volunteering:mobilization_detail", pk=m.pk)
    return render(request, "volunteering/mobilization_form.html", {"form": form, "mobilization": m})


@capability_required("view_business", "self_service")
def mobilization_detail(request, pk):
    user = request.user
    m = selectors.mobilization_get(user=user, pk=pk)
    records = selectors.record_list(user=user, filters=selectors.RecordFilters(mobilization=m))
    return render(request, "volunteering/mobilization_detail.html", {
        "m": m, "posts": m.posts.all(), "roster": selectors.roster_of(m), "records": records[:50],
        "person_times": sum(r.person_times for r in records), "can_edit": can_edit(user, m.org),
        "post_form": f.PostForm(),
        "roster_form": f.RosterForm(worker_queryset=selectors.worker_choices(user=user).order_by("name_pinyin"),
                                    post_queryset=m.posts.all(),
                                    initial={"duty_from": m.start_date, "duty_to": m.end_date or m.start_date}),
    })


@require_POST
@capability_required("edit_business")
def post_add(request, pk):
    m = selectors.mobilization_get(user=request.user, pk=pk)
    form = f.PostForm(request.POST)
    run_action(request, lambda: services.post_add(actor=request.user, mobilization=m, **form.cleaned_data),
               form=form, invalid="请填写点位/任务名称。", success="已添加点位/任务。")
    return redirect("volunteering:mobilization_detail", pk=m.pk)


@require_POST
@capability_required("edit_business")
def roster_add(request, pk):
    m = selectors.mobilization_get(user=request.user, pk=pk)
    form = f.RosterForm(request.POST, worker_queryset=selectors.worker_choices(user=request.user),
                        post_queryset=m.posts.all())
    run_action(request, lambda: services.roster_add(actor=request.user, mobilization=m, **form.cleaned_data),
               form=form, success=lambda entry: f"已将 {entry.worker.name} 列入值守名单。")
    return redirect("volunteering:mobilization_detail", pk=m.pk)


@require_POST
@capability_required("edit_business")
def roster_remove(request, pk, entry_pk):
    m = selectors.mobilization_get(user=request.user, pk=pk)
    entry = get_in_scope(selectors.roster_of(m), entry_pk, "值守记录不存在")
    run_action(request, lambda: services.roster_remove(actor=request.user, entry=entry,
                                                       reason=request.POST.get("reason", "")),
               success=f"已将 {entry.worker.name} 移出值守名单。")
    return redirect("volunteering:mobilization_detail", pk=m.pk)
