"""Pages of the volunteering module. Thin: forms in, services for writes, selectors for reads."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core import audit
from laomo.core.excel import write_xlsx
from laomo.core.forms import apply_validation_error
from laomo.core.pagination import page_number
from laomo.core.permissions import capability_required, has_capability
from laomo.core.scope import scope_root
from laomo.core.years import selected_year
from laomo.orgs.selectors import org_choices_for

from . import forms as f
from . import selectors, services
from .models import CATEGORY_CHOICES, RequestStatus, ServiceRequest, TeamType
from .reports import volunteering_section

VIEW = ("view_business", "lead_team")
EDIT = ("edit_business", "lead_team")


def _messages_from(exc: ValidationError) -> str:
    return ";".join(exc.messages)


def _page(request, qs, per_page: int = 50):
    page = page_number(request)
    rows, has_next = selectors.page_of(qs, page=page, per_page=per_page)
    params = request.GET.copy()
    params.pop("page", None)
    return rows, {"page": page, "has_next": has_next, "query": params.urlencode()}


def _export(request, *, rows, headers, filename: str, text_columns=(), what: str):
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")
    count = write_xlsx(tmp, headers, rows, text_columns=text_columns, sheet_name=what[:31])
    audit.record(actor=request.user, action="volunteering.list.export", object_type=f"volunteering.{what}",
                 object_repr=f"{what} {count} 条", changes={"rows": count, "query": request.GET.urlencode()[:500]})
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=f"{filename}{timezone.localdate():%Y%m%d}.xlsx")


def _hx_redirect(request, url: str):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


# --- landing -------------------------------------------------------------------------------------


@capability_required(*VIEW)
def index(request):
    year = selected_year(request)
    user = request.user
    org = scope_root(user) if has_capability(user, "view_business") else None
    orgs = org_choices_for(user=user) if org is not None else None
    code = request.GET.get("org")
    if org is not None and code:
        org = orgs.filter(code=code).first()
        if org is None:
            raise Http404("单位不存在或不在您的数据范围内")
    figures = volunteering_section(year=year, org=org) if org is not None else None
    series = selectors.monthly_person_times(user=user, year=year, org=org)
    chart = {"months": [f"{m}月" for m in range(1, 13)],
             "series": [{"name": TeamType(t).label, "data": v} for t, v in series.items() if any(v)]}
    overdue = list(selectors.request_list(user=user, filters=selectors.RequestFilters(overdue=True, org=org))[:10])
    teams = list(selectors.team_list(user=user)[:12]) if not org else []
    return render(request, "volunteering/index.html", {
        "year": year, "org": org, "orgs": orgs, "figures": figures, "chart": chart,
        "team_types": TeamType.choices, "overdue": overdue, "my_teams": teams,
        "pending": selectors.request_list(user=user, filters=selectors.RequestFilters(status="pending", org=org))
        .count(),
    })


# --- teams ---------------------------------------------------------------------------------------


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
    if request.GET.get("format") == "xlsx":
        rows = ([t.name, t.get_team_type_display(), t.parent.name if t.parent_id else "", t.org.name, t.base,
                 str(t.leader) if t.leader_id else "", t.member_count, t.founded_on,
                 "在册" if t.is_active else f"已撤销({t.dissolved_on})"] for t in qs.iterator(chunk_size=500))
        return _export(request, rows=rows, what="服务队", filename="志愿服务队",
                       headers=["队伍名称", "服务类型", "上级服务队", "所属单位", "服务阵地", "队长", "在队人数",
                                "成立日期", "状态"])
    teams, ctx = _page(request, qs)
    ctx.update({"form": form, "teams": teams, "can_edit": has_capability(request.user, "edit_business")})
    template = "volunteering/partials/team_rows.html" if request.htmx else "volunteering/team_list.html"
    return render(request, template, ctx)


def _team_form(request, user, data=None, initial=None):
    return f.TeamForm(data, initial=initial, org_queryset=org_choices_for(user=user),
                      team_queryset=selectors.team_choices(user=user).filter(parent__isnull=True),
                      leader_queryset=selectors.leader_choices(user=user))


@capability_required("edit_business")
def team_create(request):
    initial = {"founded_on": timezone.localdate(), "org": scope_root(request.user)}
    form = _team_form(request, request.user, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已建立服务队“{team.name}”。")
            return redirect("volunteering:team_detail", pk=team.pk)
    return render(request, "volunteering/team_form.html", {"form": form, "team": None})


@capability_required("edit_business")
def team_edit(request, pk):
    team = selectors.team_get(user=request.user, pk=pk)
    initial = {k: getattr(team, k) for k in ("name", "team_type", "org", "parent", "base", "leader", "founded_on",
                                            "description")}
    form = _team_form(request, request.user, request.POST or None, initial)
    form.fields["parent"].queryset = form.fields["parent"].queryset.exclude(pk=team.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "已保存服务队信息。")
            return redirect("volunteering:team_detail", pk=team.pk)
    return render(request, "volunteering/team_form.html", {"form": form, "team": team})


@capability_required(*VIEW)
def team_detail(request, pk):
    team = selectors.team_get(user=request.user, pk=pk)
    user = request.user
    can_manage = services.leads_team(user, team) or (has_capability(user, "edit_business"))
    year = selected_year(request)
    records = selectors.record_list(user=user, filters=selectors.RecordFilters(team=team))
    return render(request, "volunteering/team_detail.html", {
        "team": team, "members": selectors.team_members(team=team), "can_manage": can_manage,
        "can_edit": has_capability(user, "edit_business"),
        "children": selectors.team_base(user).filter(parent=team).order_by("name"),
        "records": records[:20], "year": year,
        "year_person_times": sum(r.person_times for r in records.filter(date__year=year)),
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
    if form.is_valid():
        try:
            member = services.member_add(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _messages_from(exc))
        else:
            messages.success(request, f"已添加队员 {member.name}。")
    else:
        messages.error(request, ";".join(e for errs in form.errors.values() for e in errs))
    return redirect("volunteering:team_detail", pk=team.pk)


@require_POST
@capability_required(*EDIT)
def member_remove(request, pk, member_pk):
    team = selectors.team_get(user=request.user, pk=pk)
    member = selectors.team_members(team=team).filter(pk=member_pk).first()
    if member is None:
        raise Http404("队员不存在")
    try:
        services.member_remove(actor=request.user, member=member, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, _messages_from(exc))
    else:
        messages.success(request, f"{member.name} 已退出本队。")
    return redirect("volunteering:team_detail", pk=team.pk)


@require_POST
@capability_required("edit_business")
def team_dissolve(request, pk):
    team = selectors.team_get(user=request.user, pk=pk)
    form = f.DissolveForm(request.POST)
    if form.is_valid():
        try:
            services.team_dissolve(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _messages_from(exc))
        else:
            messages.success(request, f"服务队“{team.name}”已撤销。")
    else:
        messages.error(request, "请填写撤销日期和原因。")
    return redirect("volunteering:team_detail", pk=team.pk)


# --- records -------------------------------------------------------------------------------------


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
    if request.GET.get("format") == "xlsx":
        def rows():
            chunk = []
            for r in qs.iterator(chunk_size=1000):
                chunk.append(r)
                if len(chunk) == 1000:
                    yield from _record_rows(chunk)
                    chunk = []
            yield from _record_rows(chunk)

        return _export(request, rows=rows(), what="服务记录", filename="志愿服务记录",
                       headers=["服务日期", "服务队/行动", "服务类型", "记录单位", "场所类型", "服务地点", "服务内容",
                                "服务人次", "志愿者(劳模编号:时长)", "总时长(小时)"])
    records, ctx = _page(request, qs)
    ctx.update({"form": form, "records": records,
                "can_add": has_capability(request.user, "edit_business")
                or bool(selectors.led_team_ids(request.user))})
    template = "volunteering/partials/record_rows.html" if request.htmx else "volunteering/record_list.html"
    return render(request, template, ctx)


def _record_rows(records):
    volunteers = selectors.volunteers_for(records)
    for r in records:
        vols = volunteers[r.pk]
        yield [r.date, r.team.name if r.team_id else (r.mobilization.name if r.mobilization_id else ""),
               r.get_team_type_display(), r.org.name, r.get_place_kind_display(), r.place, r.content, r.person_times,
               "、".join(f"{v.name}{'(' + v.worker.worker_no + ')' if v.worker_id else ''}:{v.hours}" for v in vols),
               sum((v.hours for v in vols), start=0)]


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


def _record_form_view(request, *, record=None, team=None, mobilization=None, req=None):
    user = request.user
    team = team or (record.team if record else None)
    mobilization = mobilization or (record.mobilization if record else None)
    if req is not None and req.worker_id:
        worker_opts = {req.worker_id: req.worker}
    else:
        worker_opts = {}
    chosen_team = team
    if request.method == "POST" and record is None and req is None and not team and not mobilization:
        chosen_team = selectors.team_choices(user=user).filter(pk=request.POST.get("team") or 0).first()
        mobilization = selectors.mobilization_base(user).filter(pk=request.POST.get("mobilization") or 0).first()
    options, workers, members = _volunteer_options(user, chosen_team, mobilization)
    for pk, w in worker_opts.items():
        if pk not in workers:
            workers[pk] = w
            options.insert(0, (f"w:{pk}", f"{w.name}({w.worker_no})"))
    fixed = record is not None or req is not None or team is not None or mobilization is not None
    initial = {"date": timezone.localdate(), "team": team, "mobilization": mobilization}
    if record is not None:
        initial.update({k: getattr(record, k) for k in ("date", "place_kind", "place", "content", "person_times")})
    if req is not None:
        initial.update({"place": f"{req.town}{req.village}", "content": req.description[:200]})
    form = f.RecordForm(request.POST or None, initial=initial, fixed_context=fixed,
                        team_queryset=selectors.team_choices(user=user),
                        mobilization_queryset=selectors.mobilization_base(user).order_by("-start_date"))
    rows = []
    if record is not None and request.method != "POST":
        rows = [{"ref": f"w:{v.worker_id}" if v.worker_id else f"m:{v.member_id}", "hours": str(v.hours)}
                for v in record.volunteers.all()]
    elif req is not None and request.method != "POST" and req.worker_id:
        rows = [{"ref": f"w:{req.worker_id}", "hours": "2"}]
    if request.method == "POST":
        items, rows, errors = f.parse_volunteers(request.POST, worker_lookup=workers, member_lookup=members)
        if form.is_valid() and not errors:
            d = form.cleaned_data
            common = {"date": d["date"], "place_kind": d["place_kind"], "place": d["place"], "content": d["content"],
                      "person_times": d["person_times"], "volunteers": items}
            try:
                if req is not None:
                    services.request_complete(actor=user, request=req, **common)
                    messages.success(request, "服务已完成,记录已登记。感谢您的志愿服务!")
                    if has_capability(user, "edit_business"):
                        return redirect("volunteering:request_detail", pk=req.pk)
                    return redirect("volunteering:me")
                if record is not None:
                    services.record_update(actor=user, record=record, **common)
                    messages.success(request, "已保存服务记录。")
                    return redirect("volunteering:record_detail", pk=record.pk)
                new = services.record_create(actor=user, team=d.get("team") or team,
                                             mobilization=d.get("mobilization") or mobilization, **common)
                messages.success(request, f"已登记服务记录:{new.person_times} 人次。")
                return redirect("volunteering:record_detail", pk=new.pk)
            except ValidationError as exc:
                apply_validation_error(form, exc)
                if hasattr(exc, "error_dict") and "volunteers" in exc.error_dict:
                    errors.extend(e for err in exc.error_dict["volunteers"] for e in err.messages)
        for e in errors:
            form.add_error(None, e)
    while len(rows) < 3:
        rows.append({"ref": "", "hours": ""})
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
    can_edit = services.leads_team(user, record.team) or (
        has_capability(user, "edit_business") and services.org_in_scope(user, record.org))
    return render(request, "volunteering/record_detail.html", {
        "record": record, "volunteers": record.volunteers.all(), "can_edit": can_edit,
        "photos": record.photos.filter(is_deleted=False), "linked_request": getattr(record, "request", None),
        "total_hours": sum((v.hours for v in record.volunteers.all()), start=0),
    })


@require_POST
@capability_required(*EDIT)
def record_delete(request, pk):
    record = selectors.record_get(user=request.user, pk=pk)
    try:
        services.record_remove(actor=request.user, record=record, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, _messages_from(exc))
        return redirect("volunteering:record_detail", pk=record.pk)
    messages.success(request, "服务记录已删除(保留审计记录)。")
    return redirect("volunteering:record_list")


@require_POST
@capability_required(*EDIT)
def photo_add(request, pk):
    record = selectors.record_get(user=request.user, pk=pk)
    upload = request.FILES.get("image")
    if upload is None:
        messages.error(request, "请选择照片。")
    else:
        try:
            services.photo_add(actor=request.user, record=record, upload=upload,
                               caption=request.POST.get("caption", ""))
        except ValidationError as exc:
            messages.error(request, _messages_from(exc))
        else:
            messages.success(request, "已上传照片。")
    return redirect("volunteering:record_detail", pk=record.pk)


@capability_required("view_business", "lead_team", "self_service")
def photo(request, pk, photo_pk):
    """Photos are served only to users who may see the record (never from a public URL)."""
    record = selectors.record_get(user=request.user, pk=pk)
    item = record.photos.filter(pk=photo_pk, is_deleted=False).first()
    if item is None:
        raise Http404("照片不存在")
    source = item.thumbnail if request.GET.get("thumb") else item.image
    response = FileResponse(source.open("rb"), content_type="image/jpeg")
    return response


@capability_required(*VIEW)
def hours(request):
    user = request.user
    form = f.HoursFilterForm(request.GET or None, org_queryset=org_choices_for(user=user),
                             initial={"year": selected_year(request)})
    year, org, q = selected_year(request), None, ""
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        org, q = form.cleaned_data["org"], form.cleaned_data["q"] or ""
    qs = selectors.worker_hours(user=user, year=year, org=org, q=q)
    if request.GET.get("format") == "xlsx":
        rows = ([r["worker__worker_no"], r["worker__name"], r["worker__org__name"], r["records"], r["hours"]]
                for r in qs.iterator())
        return _export(request, rows=rows, what="志愿时长", filename=f"{year}年志愿服务时长",
                       headers=["劳模编号", "姓名", "管理单位", "服务次数", "志愿服务时长(小时)"],
                       text_columns=["劳模编号"])
    rows, ctx = _page(request, qs)
    ctx.update({"form": form, "rows": rows, "year": year})
    template = "volunteering/partials/hours_rows.html" if request.htmx else "volunteering/hours.html"
    return render(request, template, ctx)


# --- requests ------------------------------------------------------------------------------------


def _request_filters(request):
    form = f.RequestFilterForm(request.GET or None, org_queryset=org_choices_for(user=request.user))
    filters = selectors.RequestFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.RequestFilters(q=d["q"] or "", status=d["status"] or "", category=d["category"] or "",
                                           org=d["org"], overdue=bool(d["overdue"]), channel=d["channel"] or "")
    return form, filters


@capability_required(*VIEW)
def request_list(request):
    form, filters = _request_filters(request)
    qs = selectors.request_list(user=request.user, filters=filters)
    if request.GET.get("format") == "xlsx":
        cats = dict(CATEGORY_CHOICES)
        rows = ([r.tracking_code, timezone.localtime(r.received_at), r.get_channel_display(), r.org.name, r.town,
                 r.village, cats.get(r.category, r.category), r.description, r.contact_name_masked,
                 r.contact_phone_masked, r.get_status_display(), r.assignee_label, r.promised_date,
                 timezone.localtime(r.completed_at) if r.completed_at else None, r.rating, r.rating_comment]
                for r in qs.iterator(chunk_size=1000))
        return _export(request, rows=rows, what="群众点单", filename="群众点单",
                       headers=["查询码", "受理时间", "来源", "受理单位", "乡镇(街道)", "村(社区)", "服务类别",
                                "需求描述", "联系人", "联系电话", "状态", "派单对象", "承诺完成日期", "完成时间",
                                "评分", "评价"], text_columns=["查询码", "联系电话"])
    items, ctx = _page(request, qs)
    overdue_ids = set(selectors.request_base(request.user).filter(selectors.overdue_q(),
                                                                  pk__in=[r.pk for r in items])
                      .values_list("pk", flat=True))
    for r in items:
        r.is_overdue = r.pk in overdue_ids
    ctx.update({"form": form, "items": items, "can_edit": has_capability(request.user, "edit_business")})
    template = "volunteering/partials/request_rows.html" if request.htmx else "volunteering/request_list.html"
    return render(request, template, ctx)


@capability_required("edit_business")
def request_create(request):
    form = f.StaffRequestForm(request.POST or None, org_queryset=org_choices_for(user=request.user),
                              initial={"org": scope_root(request.user)})
    if request.method == "POST" and form.is_valid():
        try:
            req = services.request_submit(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已登记点单,查询码 {req.tracking_code}(请告知群众)。")
            return redirect("volunteering:request_detail", pk=req.pk)
    return render(request, "volunteering/request_form.html", {"form": form})


def _dispatch_form(user, data=None, initial=None):
    return f.DispatchForm(data, initial=initial, team_queryset=selectors.team_choices(user=user),
                          worker_queryset=selectors.worker_choices(user=user))


@capability_required("view_business", "lead_team", "self_service")
def request_detail(request, pk):
    user = request.user
    req = selectors.request_get(user=user, pk=pk)
    is_staff = has_capability(user, "edit_business") and services.org_in_scope(user, req.org)
    ctx = {
        "req": req, "events": selectors.request_events(req), "is_staff": is_staff,
        "may_serve": services.may_serve(user, req),
        "can_reveal": has_capability(user, "reveal_pii") and services.org_in_scope(user, req.org),
        "can": {a: services.can_transition(req.status, a) for a in services.TRANSITIONS},
        "is_overdue": selectors.request_base(user).filter(selectors.overdue_q(), pk=req.pk).exists(),
        "reason_form": f.ReasonForm(), "schedule_form": f.ScheduleForm(), "rate_form": f.RateForm(),
    }
    if is_staff and req.status in (RequestStatus.PENDING, RequestStatus.DISPATCHED, RequestStatus.ACCEPTED):
        ctx["recommendation"] = selectors.recommend(user=user, request=req)
        ctx["dispatch_form"] = _dispatch_form(user, initial={"promised_date": req.preferred_date,
                                                             "redispatch": req.status != RequestStatus.PENDING})
    return render(request, "volunteering/request_detail.html", ctx)


def _transition_response(request, req, done_message: str):
    messages.success(request, done_message)
    if has_capability(request.user, "view_business") or has_capability(request.user, "lead_team"):
        return _hx_redirect(request, reverse("volunteering:request_detail", args=[req.pk]))
    return _hx_redirect(request, reverse("volunteering:me"))


def _refused(request, req, exc):
    messages.error(request, _messages_from(exc))
    if has_capability(request.user, "view_business") or has_capability(request.user, "lead_team"):
        return _hx_redirect(request, reverse("volunteering:request_detail", args=[req.pk]))
    return _hx_redirect(request, reverse("volunteering:me"))


@require_POST
@capability_required("edit_business")
def request_dispatch(request, pk):
    req = selectors.request_get(user=request.user, pk=pk)
    form = _dispatch_form(request.user, request.POST)
    if not form.is_valid():
        messages.error(request, ";".join(e for errs in form.errors.values() for e in errs))
        return redirect("volunteering:request_detail", pk=req.pk)
    try:
        req = services.request_dispatch(actor=request.user, request=req, **form.cleaned_data)
    except ValidationError as exc:
        return _refused(request, req, exc)
    return _transition_response(request, req, f"已派单给 {req.assignee_label}。")


@require_POST
@capability_required("edit_business")
def request_refuse(request, pk):
    req = selectors.request_get(user=request.user, pk=pk)
    try:
        services.request_refuse(actor=request.user, request=req, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _refused(request, req, exc)
    return _transition_response(request, req, "已不予受理,并记录原因。")


@require_POST
@capability_required("edit_business")
def request_cancel(request, pk):
    req = selectors.request_get(user=request.user, pk=pk)
    try:
        services.request_cancel(actor=request.user, request=req, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _refused(request, req, exc)
    return _transition_response(request, req, "点单已取消。")


@require_POST
@capability_required("edit_business")
def request_rate(request, pk):
    """Staff record a rating the requester gave by phone."""
    req = selectors.request_get(user=request.user, pk=pk)
    try:
        services.request_rate(actor=request.user, request=req, rating=request.POST.get("rating"),
                              comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        return _refused(request, req, exc)
    return _transition_response(request, req, "已登记群众评价。")


@require_POST
@capability_required("reveal_pii")
def request_reveal(request, pk):
    req = selectors.request_get(user=request.user, pk=pk)
    data = services.request_reveal(actor=request.user, request=req)
    return render(request, "volunteering/partials/revealed_contact.html", data)


@require_POST
@login_required
def request_accept(request, pk):
    req = selectors.request_get(user=request.user, pk=pk)
    form = f.ScheduleForm(request.POST)
    scheduled = form.cleaned_data.get("scheduled_at") if form.is_valid() else None
    try:
        services.request_accept(actor=request.user, request=req, scheduled_at=scheduled)
    except ValidationError as exc:
        return _refused(request, req, exc)
    return _transition_response(request, req, "已接单,请按约定时间上门服务。")


@require_POST
@login_required
def request_decline(request, pk):
    req = selectors.request_get(user=request.user, pk=pk)
    try:
        services.request_decline(actor=request.user, request=req, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _refused(request, req, exc)
    return _transition_response(request, req, "已退单,点单已退回工会重新派单。")


@require_POST
@login_required
def request_schedule(request, pk):
    req = selectors.request_get(user=request.user, pk=pk)
    form = f.ScheduleForm(request.POST)
    try:
        services.request_schedule(actor=request.user, request=req,
                                  scheduled_at=form.cleaned_data.get("scheduled_at") if form.is_valid() else None)
    except ValidationError as exc:
        return _refused(request, req, exc)
    return _transition_response(request, req, "已约定服务时间。")


@login_required
def request_complete(request, pk):
    req = selectors.request_get(user=request.user, pk=pk)
    if not services.may_serve(request.user, req):
        raise PermissionDenied("该点单未派给您或您所带领的服务队。")
    if not services.can_transition(req.status, "complete"):
        messages.error(request, "接单后才能登记完成服务。")
        return redirect("volunteering:me")
    return _record_form_view(request, req=req)


# --- my service (phone-sized) --------------------------------------------------------------------


@login_required
def me(request):
    user = request.user
    worker = selectors.own_worker(user)
    year = selected_year(request)
    items = list(selectors.my_requests(user=user)[:100])
    open_items = [r for r in items if r.status in (RequestStatus.DISPATCHED, RequestStatus.ACCEPTED)]
    overdue_ids = set(ServiceRequest.objects.filter(selectors.overdue_q(), pk__in=[r.pk for r in open_items])
                      .values_list("pk", flat=True)) if open_items else set()
    for r in open_items:
        r.is_overdue = r.pk in overdue_ids
    done_items = [r for r in items if r not in open_items][:20]
    ctx = {"worker": worker, "open_items": open_items, "done_items": done_items, "year": year,
           "reason_form": f.ReasonForm(), "schedule_form": f.ScheduleForm(),
           "led_teams": selectors.team_base(user).filter(pk__in=selectors.led_team_ids(user))}
    if worker is not None:
        mine = selectors.hours_of_worker(worker=worker)
        ctx.update({
            "hours_year": selectors.hours_sum(mine.filter(record__date__year=year)),
            "records_year": mine.filter(record__date__year=year).count(),
            "recent": mine.select_related("record", "record__team", "record__mobilization")
            .order_by("-record__date")[:10],
            "duties": worker.mobilization_duties.filter(is_active=True).select_related("mobilization", "post")
            .order_by("-duty_from")[:5],
            "certificates": selectors.certificate_base(user).filter(worker=worker, is_void=False)[:5],
        })
    return render(request, "volunteering/me.html", ctx)


# --- mobilizations -------------------------------------------------------------------------------


@capability_required("view_business")
def mobilization_list(request):
    g = request.GET
    org = org_choices_for(user=request.user).filter(pk=g.get("org") or 0).first()
    qs = selectors.mobilization_list(user=request.user, q=g.get("q", "")[:50], kind=g.get("kind", ""), org=org)
    if g.get("format") == "xlsx":
        rows = ([m.name, m.get_kind_display(), m.org.name, m.get_team_type_display(), m.start_date, m.end_date,
                 m.area, m.roster_count, m.record_count] for m in qs.iterator())
        return _export(request, rows=rows, what="应急专项行动", filename="应急专项行动",
                       headers=["行动名称", "类型", "组织单位", "服务类型", "开始日期", "结束日期", "区域",
                                "值守人数", "服务记录数"])
    items, ctx = _page(request, qs)
    ctx.update({"items": items, "kinds": f.Mobilization.Kind.choices, "orgs": org_choices_for(user=request.user),
                "filters": g, "can_edit": has_capability(request.user, "edit_business")})
    template = "volunteering/partials/mobilization_rows.html" if request.htmx else "volunteering/mobilization_list.html"
    return render(request, template, ctx)


@capability_required("edit_business")
def mobilization_create(request):
    form = f.MobilizationForm(request.POST or None, org_queryset=org_choices_for(user=request.user),
                              initial={"org": scope_root(request.user), "start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d["posts"] = [line.strip() for line in (d.get("posts") or "").splitlines() if line.strip()]
        try:
            m = services.mobilization_create(actor=request.user, **d)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"已建立行动“{m.name}”。")
            return redirect("volunteering:mobilization_detail", pk=m.pk)
    return render(request, "volunteering/mobilization_form.html", {"form": form, "mobilization": None})


@capability_required("edit_business")
def mobilization_edit(request, pk):
    m = selectors.mobilization_get(user=request.user, pk=pk)
    initial = {k: getattr(m, k) for k in services.MOBILIZATION_FIELDS}
    form = f.MobilizationForm(request.POST or None, initial=initial, editing=True,
                              org_queryset=org_choices_for(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.mobilization_update(actor=request.user, mobilization=m, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("volunteering:mobilization_detail", pk=m.pk)
    return render(request, "volunteering/mobilization_form.html", {"form": form, "mobilization": m})


@capability_required("view_business", "self_service")
def mobilization_detail(request, pk):
    m = selectors.mobilization_get(user=request.user, pk=pk)
    user = request.user
    records = selectors.record_list(user=user, filters=selectors.RecordFilters(mobilization=m))
    return render(request, "volunteering/mobilization_detail.html", {
        "m": m, "posts": m.posts.all(), "roster": selectors.roster_of(m), "records": records[:50],
        "person_times": sum(r.person_times for r in records),
        "can_edit": has_capability(user, "edit_business") and services.org_in_scope(user, m.org),
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
    if form.is_valid():
        try:
            services.post_add(actor=request.user, mobilization=m, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _messages_from(exc))
        else:
            messages.success(request, "已添加点位/任务。")
    else:
        messages.error(request, "请填写点位/任务名称。")
    return redirect("volunteering:mobilization_detail", pk=m.pk)


@require_POST
@capability_required("edit_business")
def roster_add(request, pk):
    m = selectors.mobilization_get(user=request.user, pk=pk)
    form = f.RosterForm(request.POST, worker_queryset=selectors.worker_choices(user=request.user),
                        post_queryset=m.posts.all())
    if form.is_valid():
        try:
            entry = services.roster_add(actor=request.user, mobilization=m, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _messages_from(exc))
        else:
            messages.success(request, f"已将 {entry.worker.name} 列入值守名单。")
    else:
        messages.error(request, ";".join(e for errs in form.errors.values() for e in errs))
    return redirect("volunteering:mobilization_detail", pk=m.pk)


@require_POST
@capability_required("edit_business")
def roster_remove(request, pk, entry_pk):
    m = selectors.mobilization_get(user=request.user, pk=pk)
    entry = selectors.roster_of(m).filter(pk=entry_pk).first()
    if entry is None:
        raise Http404("值守记录不存在")
    try:
        services.roster_remove(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, _messages_from(exc))
    else:
        messages.success(request, f"已将 {entry.worker.name} 移出值守名单。")
    return redirect("volunteering:mobilization_detail", pk=m.pk)


# --- certificates --------------------------------------------------------------------------------


@capability_required("view_business", "self_service")
def certificate_list(request):
    g = request.GET
    org = org_choices_for(user=request.user).filter(pk=g.get("org") or 0).first()
    qs = selectors.certificate_list(user=request.user, q=g.get("q", "")[:50], org=org)
    if g.get("format") == "xlsx":
        rows = ([c.number, c.worker.worker_no, c.worker.name, c.org.name, c.period_from, c.period_to, c.record_count,
                 c.total_hours, c.issued_on, "已作废" if c.is_void else "有效"] for c in qs.iterator())
        return _export(request, rows=rows, what="志愿服务记录证明", filename="志愿服务记录证明",
                       headers=["证明编号", "劳模编号", "姓名", "出具单位", "起始日期", "截止日期", "服务次数",
                                "志愿服务时长(小时)", "出具日期", "状态"], text_columns=["证明编号", "劳模编号"])
    items, ctx = _page(request, qs)
    ctx.update({"items": items, "filters": g, "orgs": org_choices_for(user=request.user),
                "can_edit": has_capability(request.user, "edit_business")})
    template = "volunteering/partials/certificate_rows.html" if request.htmx else "volunteering/certificate_list.html"
    return render(request, template, ctx)


@capability_required("edit_business")
def certificate_create(request):
    user = request.user
    year = selected_year(request)
    form = f.CertificateForm(request.POST or request.GET or None,
                             worker_queryset=selectors.worker_choices(user=user).order_by("name_pinyin"),
                             org_queryset=org_choices_for(user=user),
                             initial={"org": scope_root(user), "period_from": date(year, 1, 1),
                                      "period_to": min(date(year, 12, 31), timezone.localdate())})
    preview = None
    if (request.method == "POST" or request.GET.get("worker")) and form.is_valid():
        d = form.cleaned_data
        if request.method == "POST":
            try:
                cert = services.certificate_issue(actor=user, **d)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"已出具证明 {cert.number}。")
                return redirect("volunteering:certificate_detail", pk=cert.pk)
        else:
            lines = services.certificate_lines(**d)
            preview = {"lines": lines, "hours": sum((Decimal(x["hours"]) for x in lines), Decimal("0"))}
    return render(request, "volunteering/certificate_form.html", {"form": form, "preview": preview})


@capability_required("view_business", "self_service")
def certificate_detail(request, pk):
    cert = selectors.certificate_get(user=request.user, pk=pk)
    return render(request, "volunteering/certificate_detail.html", {
        "cert": cert, "can_edit": has_capability(request.user, "edit_business")
        and services.org_in_scope(request.user, cert.org)})


@require_POST
@capability_required("edit_business")
def certificate_void(request, pk):
    cert = selectors.certificate_get(user=request.user, pk=pk)
    try:
        services.certificate_void(actor=request.user, certificate=cert, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, _messages_from(exc))
    else:
        messages.success(request, "证明已作废。")
    return redirect("volunteering:certificate_detail", pk=cert.pk)
