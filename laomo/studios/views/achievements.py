"""Achievement pages: the form (with its evidence file), the list across studios, the evidence and withdrawal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from laomo.core.money import parse_money
from laomo.core.permissions import capability_required
from laomo.core.web import list_page, run_action, xlsx_response
from laomo.orgs.selectors import org_choices_for

from .. import export, selectors, services
from ..forms import AchievementFilterForm, AchievementForm, EvidenceForm
from .common import form_page, posted, service_check


def _achievement_check(request, form, kwargs: dict):
    """While typing: the amount's own rules at once, the rest of the service's when the form is complete
    (the file is checked when the form is saved, not while typing)."""
    full = service_check(request, form, services.achievement_add, {**kwargs, "evidence": None})

    def check(data) -> None:
        if "economic_benefit" in data:
            parse_money(data["economic_benefit"], field="economic_benefit", label="经济效益", allow_none=True)
        full(data)

    return check


@capability_required("edit_business")
def achievement_add(request, pk):
    studio = selectors.studio_get(user=request.user, pk=pk)
    files = request.FILES if request.method == "POST" else None
    form = AchievementForm(posted(request), files, members=selectors.members_of(studio))

    def prepare(f):
        f.is_valid()
        kwargs = {"actor": request.user, "studio": studio, **getattr(f, "cleaned_data", {})}
        return services.achievement_add, kwargs, None

    def saved(achievement):
        messages.success(request, f"已登记成果“{achievement.title}”。")
        return redirect("studios:detail", pk=studio.pk)

    return form_page(request, form, prepare, template="studios/achievement_form.html", context={"studio": studio},
                     on_saved=saved, check=lambda f, kwargs: _achievement_check(request, f, kwargs))


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
    return list_page(request, qs, template="studios/achievement_list.html",
                     partial="studios/partials/achievement_rows.html", context={"form": form},
                     each_page=selectors.with_kind_labels,
                     export=lambda: xlsx_response(request, filename="工作室成果", action="studios.achievement.export",
                                                  what="工作室成果", headers=export.ACHIEVEMENT_HEADERS,
                                                  rows=export.achievement_rows(qs),
                                                  text_columns=export.ACHIEVEMENT_TEXT))


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

    def act():
        if not form.is_valid():
            raise ValidationError({"evidence": "请选择要上传的佐证材料。"})
        services.achievement_attach_evidence(actor=request.user, achievement=achievement,
                                             evidence=form.cleaned_data["evidence"])

    return run_action(request, act, success="已上传佐证材料。",
                      redirect_to=reverse("studios:detail", args=[achievement.studio_id]))


@require_POST
@capability_required("edit_business")
def achievement_withdraw(request, pk):
    achievement = selectors.achievement_get(user=request.user, pk=pk)

    def act():
        services.achievement_withdraw(actor=request.user, achievement=achievement,
                                      reason=request.POST.get("reason", ""))

    return run_action(request, act, success=f"已撤回成果“{achievement.title}”。",
                      redirect_to=reverse("studios:detail", args=[achievement.studio_id]))
