"""Service records with their volunteers and photos, the hours per worker, and the form that also completes
a request (完成服务)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required, has_capability
from laomo.core.selectors import get_in_scope
from laomo.core.web import apply_errors, run_action
from laomo.core.years import selected_year
from laomo.orgs.selectors import org_choices_for

from .. import exports, selectors, services
from .. import forms as f
from .common import EDIT, VIEW, can_edit, list_or_export

RECORD_FIELDS = ("date", "place_kind", "place", "content", "person_times")


def _record_filters(request):
    user = request.user
    form = f.RecordFilterForm(request.GET or None, org_queryset=org_choices_for(user=user),
                              team_queryset=selectors.team_base(user).order_by("name"))
    filters = selectors.RecordFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.RecordFilters(q=d["q"] or "", team_type=d["team_type"] or "", team=d["team"],
                                          org=d["org"], date_from=d["date_from"], date_to=d["date_to"])
    return form, filters


@capability_required(*VIEW)
def record_list(request):
    form, filters = _record_filters(request)
    qs = selectors.record_list(user=request.user, filters=filters)
    can_add = has_capability(request.user, "edit_business") or bool(selectors.led_team_ids(request.user))
    return list_or_export(request, qs, name="record", sheet=exports.records, context={"form": form, "can_add": can_add},
                          shown=selectors.record_row_values(qs), each_page=selectors.record_rows,
                          partial="volunteering/partials/record_rows.jinja")


def _volunteer_options(user, team=None, mobilization=None):
    """Choices for the volunteer rows: the team's members (and parent's), a mobilization's roster, the workers."""
    options, workers, members = [], {}, {}
    if team is not None:
        for m in selectors.members_of_teams(team_ids=[team.pk] + ([team.parent_id] if team.parent_id else [])):
            if m.worker_id:
                workers[m.worker_id] = m.worker
                options.append((f"w:{m.worker_id}", f"{m.name}({m.worker.worker_no})"))
            else:
                members[m.pk] = m
                options.append((f"m:{m.pk}", f"{m.name}(队员)"))
    if mobilization is not None:
        for entry in selectors.roster_of(mobilization):
            if entry.worker_id not in workers:
                workers[entry.worker_id] = entry.worker
                options.append((f"w:{entry.worker_id}", f"{entry.worker.name}({entry.worker.worker_no})"))
    return options, workers, members


def _record_choices(request, *, record, team, mobilization, req):
    """The volunteers to choose from; a form with no fixed context posts its team or mobilization."""
    user = request.user
    chosen_team = team
    if request.method == "POST" and record is None and req is None and not team and not mobilization:
        chosen_team = selectors.team_choices(user=user).filter(pk=request.POST.get("team") or 0).first()
        mobilization = selectors.mobilization_base(user).filter(pk=request.POST.get("mobilization") or 0).first()
    options, workers, members = _volunteer_options(user, chosen_team, mobilization)
    if req is not None and req.worker_id and req.worker_id not in workers:
        workers[req.worker_id] = req.worker
        options.insert(0, (f"w:{req.worker_id}", f"{req.worker.name}({req.worker.worker_no})"))
    return mobilization, options, workers, members


def _record_form(request, *, record, team, mobilization, req):
    user = request.user
    fixed = record is not None or req is not None or team is not None or mobilization is not None
    initial = {"date": timezone.localdate(), "team": team, "mobilization": mobilization}
    if record is not None:
        initial.update({k: getattr(record, k) for k in RECORD_FIELDS})
    if req is not None:
        initial.update({"place": f"{req.town}{req.village}", "content": req.description[:200]})
    return f.RecordForm(request.POST or None, initial=initial, fixed_context=fixed,
                        team_queryset=selectors.team_choices(user=user),
                        mobilization_queryset=selectors.mobilization_base(user).order_by("-start_date"))


def _initial_rows(record, req) -> list[dict]:
    if record is not None:
        return [{"ref": f"w:{v.worker_id}" if v.worker_id else f"m:{v.member_id}", "hours": str(v.hours)}
                for v in record.volunteers.all()]
    if req is not None and req.worker_id:
        return [{"ref": f"w:{req.worker_id}", "hours": "2"}]
    return []


def _save_record(request, data: dict, *, record, team, mobilization, req):
    """Complete the request, update the record or log a new one; the page to go to next."""
    user = request.user
    if req is not None:
        services.request_complete(actor=user, request=req, **data)
        messages.success(request, "服务已完成,记录已登记。感谢您的志愿服务!")
        if has_capability(user, "edit_business"):
            return redirect("volunteering:request_detail", pk=req.pk)
        return redirect("volunteering:me")
    if record is not None:
        services.record_update(actor=user, record=record, **data)
        messages.success(request, "已保存服务记录。")
        return redirect("volunteering:record_detail", pk=record.pk)
    new = services.record_create(actor=user, team=team, mobilization=mobilization, **data)
    messages.success(request, f"已登记服务记录:{new.person_times} 人次。")
    return redirect("volunteering:record_detail", pk=new.pk)


def _post_record(request, form, items, errors, **context):
    """The posted form through the services: the next page, or None with the errors on the form."""
    if form.is_valid() and not errors:
        d = form.cleaned_data
        data = {**{k: d[k] for k in RECORD_FIELDS}, "volunteers": items}
        context["team"] = d.get("team") or context["team"]
        context["mobilization"] = d.get("mobilization") or context["mobilization"]
        try:
            return _save_record(request, data, **context)
        except ValidationError as exc:
            apply_errors(form, exc)
            if hasattr(exc, "error_dict") and "volunteers" in exc.error_dict:
                errors.extend(e for err in exc.error_dict["volunteers"] for e in err.messages)
    for e in errors:
        form.add_error(None, e)
    return None


def _record_form_view(request, *, record=None, team=None, mobilization=None, req=None):
    team = team or (record.team if record else None)
    mobilization = mobilization or (record.mobilization if record else None)
    mobilization, options, workers, members = _record_choices(request, record=record, team=team,
                                                              mobilization=mobilization, req=req)
    form = _record_form(request, record=record, team=team, mobilization=mobilization, req=req)
    rows = _initial_rows(record, req) if request.method != "POST" else []
    if request.method == "POST":
        items, rows, errors = f.parse_volunteers(request.POST, worker_lookup=workers, member_lookup=members)
        done = _post_record(request, form, items, errors, record=record, team=team, mobilization=mobilization,
                            req=req)
        if done is not None:
            return done
    rows += [{"ref": "", "hours": ""}] * max(0, 3 - len(rows))
    ctx = {"form": form, "record": record, "team": team, "mobilization": mobilization, "req": req,
           "options": options, "rows": rows}
    if request.htmx and request.GET.get("rows"):
        return render(request, "volunteering/partials/volunteer_rows.html", ctx)
    return render(request, "volunteering/record_form.html", ctx)


@capability_required(*EDIT)
def record_create(request):
    user = request.user
    team = selectors.team_choices(user=user).filter(pk=request.GET.get("team") or 0).first()
    mobilization = selectors.mobilization_base(user).filter(pk=request.GET.get("mobilization") or 0).first()
    if request.htmx and request.GET.get("rows"):  # the volunteer rows for a team chosen in the form
        options, _, _ = _volunteer_options(user, team, mobilization)
        return render(request, "volunteering/partials/volunteer_rows.html",
                      {"options": options, "rows": [{"ref": "", "hours": ""}] * 3})
    return _record_form_view(request, team=team, mobilization=mobilization)


@capability_required(*EDIT)
def record_edit(request, pk):
    record = selectors.record_get(user=request.user, pk=pk)
    return _record_form_view(request, record=record)


@capability_required("view_business", "lead_team", "self_service")
def record_detail(request, pk):
    record = selectors.record_get(user=request.user, pk=pk)
    user = request.user
    volunteers = record.volunteers.all()
    return render(request, "volunteering/record_detail.html", {
        "record": record, "volunteers": volunteers,
        "can_edit": services.leads_team(user, record.team) or can_edit(user, record.org),
        "photos": record.photos.filter(is_deleted=False), "linked_request": getattr(record, "request", None),
        "total_hours": sum((v.hours for v in volunteers), start=0),
    })


@require_POST
@capability_required(*EDIT)
def record_delete(request, pk):
    record = selectors.record_get(user=request.user, pk=pk)
    return run_action(request, lambda: services.record_remove(actor=request.user, record=record,
                                                              reason=request.POST.get("reason", "")),
                      success="服务记录已删除(保留审计记录)。",
                      redirect_to=reverse("volunteering:record_detail", args=[record.pk]),
                      done_to="volunteering:record_list")


@require_POST
@capability_required(*EDIT)
def photo_add(request, pk):
    record = selectors.record_get(user=request.user, pk=pk)
    upload = request.FILES.get("image")
    if upload is None:
        messages.error(request, "请选择照片。")
    else:
        run_action(request, lambda: services.photo_add(actor=request.user, record=record, upload=upload,
                                                       caption=request.POST.get("caption", "")), success="已上传照片。")
    return redirect("volunteering:record_detail", pk=record.pk)


@capability_required("view_business", "lead_team", "self_service")
def photo(request, pk, photo_pk):
    """Photos are served only to users who may see the record (never from a public URL)."""
    record = selectors.record_get(user=request.user, pk=pk)
    item = get_in_scope(record.photos.filter(is_deleted=False), photo_pk, "照片不存在")
    source = item.thumbnail if request.GET.get("thumb") else item.image
    return FileResponse(source.open("rb"), content_type="image/jpeg")


@capability_required(*VIEW)
def hours(request):
    form = f.HoursFilterForm(request.GET or None, org_queryset=org_choices_for(user=request.user),
                             initial={"year": selected_year(request)})
    year, org, q = selected_year(request), None, ""
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        org, q = form.cleaned_data["org"], form.cleaned_data["q"] or ""
    qs = selectors.worker_hours(user=request.user, year=year, org=org, q=q)
    return list_or_export(request, qs, name="hours", template="volunteering/hours.html",
                          sheet=lambda rows: exports.hours(rows, year), context={"form": form, "year": year})
