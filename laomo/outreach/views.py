"""Pages of 宣讲与宣传. Thin: forms in, selectors and services, templates out (partials for htmx)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required, has_capability
from laomo.core.scope import org_in_scope, scope_root
from laomo.core.web import (
    apply_errors,
    errors_text,
    is_inline_check,
    list_page,
    query_string,
    run_action,
    save_form,
    validate_inline,
    wants_export,
)
from laomo.core.years import selected_year, year_in_range
from laomo.orgs.selectors import org_choices_for
from laomo.workers.selectors import WorkerFilters, worker_base, worker_list

from . import export, selectors, services
from .forms import (
    CalendarFilterForm,
    CampaignFilterForm,
    CampaignForm,
    DeleteForm,
    LeaderboardForm,
    LectureFilterForm,
    LectureForm,
    LecturePhotosForm,
    MediaFilterForm,
    MediaForm,
    PhotoForm,
    PickupForm,
    ReadingForm,
    SessionBatchForm,
    SessionFilterForm,
    SessionRecordForm,
    ShowcaseFilterForm,
    ShowcaseForm,
    split_names,
)
from .models import LectureStatus, MediaReading, VenueType

# --- helpers ---------------------------------------------------------------------------------------------


def _orgs(request):
    return org_choices_for(user=request.user)


def _list(request, qs, name: str, form, sheet: Callable, each_page: Callable | None = None, partial: str = ""):
    """The list page `outreach/<name>_list.html` (its rows partial for htmx, by default `<name>_rows.html`),
    with whether the user may add, or its spreadsheet (`sheet()`) for `?format=xlsx`."""
    return list_page(request, qs, template=f"outreach/{name}_list.html",
                     partial=partial or f"outreach/partials/{name}_rows.html",
                     context={"form": form, "can_edit": has_capability(request.user, "edit_business")}, export=sheet,
                     each_page=each_page)


def _after_delete(request, form, obj, delete, *, label: str, back: str, detail: str):
    return run_action(request, lambda: delete(form.cleaned_data["reason"]), form=form, invalid="请填写删除原因。",
                      success=f"已删除{label}。", redirect_to=detail, done_to=back)


def _month(value: str | None, year: int) -> tuple[int, int]:
    try:
        y, m = (int(x) for x in (value or "").split("-"))
        if year_in_range(y) and 1 <= m <= 12:
            return y, m
    except ValueError:
        pass
    today = timezone.localdate()
    return (year, today.month) if year == today.year else (year, 1)


def _workers_or_existing(user, existing_ids):
    return selectors.pickable_workers(user=user, keep=existing_ids)


# --- overview: cards and the chart of lectures per month by venue ----------------------------------------


@capability_required("view_business")
def index(request):
    year = selected_year(request)
    orgs = _orgs(request)
    org = scope_root(request.user)
    code = request.GET.get("org")
    if code:
        org = orgs.filter(code=code).first()
        if org is None:
            raise Http404("单位不存在或不在您的数据范围内")
    by_month = selectors.lectures_by_month(user=request.user, year=year, org=org)
    chart = {
        "months": [f"{m}月" for m in range(1, 13)],
        "series": [{"key": v, "name": label, "data": by_month[v]} for v, label in VenueType.choices],
        "total": sum(sum(v) for v in by_month.values()),
    }
    figures = selectors.figures_for(user=request.user, year=year, org=org)
    media = selectors.media_list(user=request.user, filters=selectors.MediaFilters(org=org))
    ctx = {
        "year": year, "org": org, "orgs": orgs, "figures": figures, "chart": chart,
        "venues": [(v, label, figures["lectures_by_venue"][v]) for v, label in VenueType.choices],
        "recent": list(selectors.lecture_list(user=request.user,
                                              filters=selectors.LectureFilters(org=org, year=year))[:8]),
        "leaders": selectors.speaker_leaderboard(user=request.user, date_from=date(year, 1, 1),
                                                 date_to=date(year, 12, 31), org=org, limit=10),
        "top_media": list(media.filter(latest_views__isnull=False).order_by("-latest_views")[:5]),
        "can_edit": has_capability(request.user, "edit_business"),
    }
    return render(request, "outreach/partials/overview.html" if request.htmx else "outreach/index.html", ctx)


# --- lectures --------------------------------------------------------------------------------------------


def _lecture_filters(request):
    form = LectureFilterForm(request.GET or None, querysets={
        "org": _orgs(request), "campaign": selectors.campaign_choices(user=request.user)})
    f = selectors.LectureFilters()
    if form.is_valid():
        d = form.cleaned_data
        worker = worker_base(request.user).filter(pk=d["worker"]).first() if d.get("worker") else None
        f = selectors.LectureFilters(q=d["q"].strip(), org=d["org"], campaign=d["campaign"],
                                     venue_type=d["venue_type"], format=d["mode"], status=d["status"],
                                     date_from=d["date_from"], date_to=d["date_to"], year=d["year"], worker=worker)
    return form, f


@capability_required("view_business")
def lecture_list(request):
    form, filters = _lecture_filters(request)
    qs = selectors.lecture_list(user=request.user, filters=filters)
    return _list(request, selectors.lecture_row_values(qs), "lecture", form, lambda: export.respond(
        request, name="宣讲记录", headers=export.LECTURE_HEADERS, rows=export.lecture_rows(qs),
        action="outreach.lecture.export", object_type="outreach.lecture"), each_page=selectors.lecture_rows,
        partial="outreach/partials/lecture_rows.jinja")


LECTURE_ERROR_MAP = {"speakers": "speaker_workers"}


def _lecture_initial(request, lecture, querysets: dict, existing: list) -> dict:
    if lecture is not None:
        initial = {f: getattr(lecture, f) for f in services.LECTURE_FIELDS}
        initial["speaker_workers"] = existing
        initial["speaker_names"] = "、".join(s.name for s in lecture.speakers.all() if not s.worker_id)
        return initial
    initial = {"date": timezone.localdate(), "status": LectureStatus.HELD, "org": _initial_org(request)}
    if request.GET.get("campaign"):
        initial["campaign"] = querysets["campaign"].filter(pk=request.GET["campaign"]).first()
    return initial


def _lecture_check(user, lecture):
    """The services' rules as the lecture is typed; speakers once some are given."""

    def check(d):
        fields = {k: d.get(k) for k in services.LECTURE_FIELDS if k in d}
        speakers = None
        if d.get("speaker_workers") or (d.get("speaker_names") or "").strip():
            speakers = [services.Speaker(worker=w) for w in d.get("speaker_workers") or []]
            speakers += [services.Speaker(name=n) for n in split_names(d.get("speaker_names") or "")]
        services.lecture_check(actor=user, speakers=speakers, lecture=lecture, **fields)

    return check


def _lecture_save(request, form, photos_form, lecture):
    """Save the lecture (and its photos when new); None with the errors on the forms."""
    data = {k: form.cleaned_data[k] for k in services.LECTURE_FIELDS}
    try:
        if lecture is None:
            lecture = services.lecture_create(actor=request.user, speakers=form.speakers(),
                                              photos=photos_form.cleaned_data["photos"], **data)
            messages.success(request, f"已登记宣讲“{lecture.title}”。")
        else:
            lecture = services.lecture_update(actor=request.user, lecture=lecture, speakers=form.speakers(), **data)
            messages.success(request, "已保存宣讲信息。")
    except ValidationError as exc:
        apply_errors(form, exc, LECTURE_ERROR_MAP)
        if photos_form is not None and "photos" in getattr(exc, "error_dict", {}):
            for message in exc.message_dict["photos"]:
                photos_form.add_error("photos", message)
        return None
    return lecture


def _lecture_form(request, lecture=None):
    user = request.user
    existing = [s.worker_id for s in lecture.speakers.all()] if lecture else []
    querysets = {"org": _orgs(request), "campaign": selectors.campaign_choices(user=user),
                 "speaker_workers": _workers_or_existing(user, existing)}
    form = LectureForm(request.POST or None, initial=_lecture_initial(request, lecture, querysets, existing),
                       querysets=querysets)
    photos_form = LecturePhotosForm(request.POST or None, request.FILES or None) if lecture is None else None
    if is_inline_check(request):
        return validate_inline(request, form, _lecture_check(user, lecture), mapping=LECTURE_ERROR_MAP,
                               shown_when={"speaker_workers": ["speaker_workers", "speaker_names"]})
    if request.method == "POST" and form.is_valid() and (photos_form is None or photos_form.is_valid()):
        saved = _lecture_save(request, form, photos_form, lecture)
        if saved is not None:
            return redirect("outreach:lecture_detail", pk=saved.pk)
    if photos_form is not None and request.method == "POST" and request.FILES and form.errors:
        photos_form.add_error(None, "表单未保存,已选择的照片请重新选择。")
    return render(request, "outreach/lecture_form.html", {"lecture": lecture, "photos_form": photos_form,
                                                          "form": form})


@capability_required("edit_business")
def lecture_create(request):
    return _lecture_form(request)


@capability_required("edit_business")
def lecture_edit(request, pk):
    return _lecture_form(request, selectors.lecture_get(user=request.user, pk=pk))


@capability_required("view_business")
def lecture_detail(request, pk):
    lecture = selectors.lecture_get(user=request.user, pk=pk)
    return render(request, "outreach/lecture_detail.html", {
        "lecture": lecture, "photos": selectors.photos_of(lecture),
        "media_items": selectors.media_list(user=request.user).filter(lecture=lecture),
        "can_edit": has_capability(request.user, "edit_business"),
        "photo_form": PhotoForm(), "delete_form": DeleteForm(),
    })


@require_POST
@capability_required("edit_business")
def lecture_delete(request, pk):
    lecture = selectors.lecture_get(user=request.user, pk=pk)
    return _after_delete(request, DeleteForm(request.POST), lecture,
                         lambda reason: services.lecture_delete(actor=request.user, lecture=lecture, reason=reason),
                         label=f"宣讲“{lecture.title}”", back=reverse("outreach:lecture_list"),
                         detail=reverse("outreach:lecture_detail", args=[lecture.pk]))


def _photo_upload(request, owner, *, kind: str):
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.photo_add(actor=request.user, upload=form.cleaned_data["photo"],
                               caption=form.cleaned_data["caption"], **{kind: owner})
        except ValidationError as exc:
            apply_errors(form, exc)
    template = "outreach/partials/photos.html"
    ctx = {"owner": owner, "kind": kind, "photos": selectors.photos_of(owner), "can_edit": True,
           "photo_form": form if form.errors else PhotoForm()}
    if request.htmx:
        return render(request, template, ctx)  # htmx swaps 2xx only: errors come back as 200
    if form.errors:
        messages.error(request, errors_text(form))
    else:
        messages.success(request, "已上传照片。")
    return redirect(f"outreach:{kind}_detail", pk=owner.pk)


@require_POST
@capability_required("edit_business")
def lecture_photo_upload(request, pk):
    return _photo_upload(request, selectors.lecture_get(user=request.user, pk=pk), kind="lecture")


# --- photos (served through the scope, never from a public URL) ------------------------------------------


def _serve_photo(request, pk, *, thumb: bool):
    photo = selectors.photo_get(user=request.user, pk=pk)
    name = photo.thumb if thumb else photo.file
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("照片文件不存在") from exc
    response = FileResponse(handle, content_type="image/jpeg" if thumb else photo.content_type)
    response["Content-Disposition"] = "inline"
    return response


@capability_required("view_business")
def photo_file(request, pk):
    return _serve_photo(request, pk, thumb=False)


@capability_required("view_business")
def photo_thumb(request, pk):
    return _serve_photo(request, pk, thumb=True)


@require_POST
@capability_required("edit_business")
def photo_delete(request, pk):
    photo = selectors.photo_get(user=request.user, pk=pk)
    owner, kind = (photo.lecture, "lecture") if photo.lecture_id else (photo.showcase, "showcase")
    services.photo_remove(actor=request.user, photo=photo)
    if request.htmx:
        return render(request, "outreach/partials/photos.html", {
            "owner": owner, "kind": kind, "photos": selectors.photos_of(owner), "can_edit": True,
            "photo_form": PhotoForm()})
    messages.success(request, "已删除照片。")
    return redirect(f"outreach:{kind}_detail", pk=owner.pk)


# --- calendar and leaderboard ----------------------------------------------------------------------------


@capability_required("view_business")
def lecture_calendar(request):
    year = selected_year(request)
    y, m = _month(request.GET.get("month"), year)
    form = CalendarFilterForm(request.GET or None, querysets={"org": _orgs(request)})
    f = selectors.LectureFilters()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.LectureFilters(org=d["org"], venue_type=d["venue_type"], status=d["status"])
    weeks = selectors.lectures_calendar(user=request.user, year=y, month=m, filters=f)
    prev_month = (y - 1, 12) if m == 1 else (y, m - 1)
    next_month = (y + 1, 1) if m == 12 else (y, m + 1)
    params = request.GET.copy()
    params.pop("month", None)
    days = [d for week in weeks for d in week if d["in_month"] and d["lectures"]]
    ctx = {"form": form, "weeks": weeks, "year": y, "month": m, "query": params.urlencode(),
           "prev": f"{prev_month[0]}-{prev_month[1]:02d}", "next": f"{next_month[0]}-{next_month[1]:02d}",
           "days_with_lectures": days, "count": sum(len(d["lectures"]) for d in days),
           "weekdays": ["一", "二", "三", "四", "五", "六", "日"], "today": timezone.localdate()}
    template = "outreach/partials/calendar_grid.html" if request.htmx else "outreach/calendar.html"
    return render(request, template, ctx)


@capability_required("view_business")
def speaker_leaderboard(request):
    year = selected_year(request)
    form = LeaderboardForm(request.GET or None, querysets={"org": _orgs(request)},
                           initial={"date_from": date(year, 1, 1), "date_to": date(year, 12, 31)})
    date_from, date_to, org = date(year, 1, 1), date(year, 12, 31), None
    if form.is_valid():
        d = form.cleaned_data
        date_from, date_to, org = d["date_from"] or date_from, d["date_to"] or date_to, d["org"]
    board = selectors.speaker_leaderboard(user=request.user, date_from=date_from, date_to=date_to, org=org,
                                          limit=None if wants_export(request) else 100)
    if wants_export(request):
        return export.respond(request, name="宣讲主讲人排行", headers=export.LEADERBOARD_HEADERS,
                              rows=export.leaderboard_rows(board), action="outreach.leaderboard.export",
                              object_type="outreach.lecturespeaker")
    ctx = {"form": form, "board": board, "date_from": date_from, "date_to": date_to,
           "query": query_string(request)}
    template = "outreach/partials/leaderboard_rows.html" if request.htmx else "outreach/leaderboard.html"
    return render(request, template, ctx)


@capability_required("edit_business")
def worker_search(request):
    """Search results for the worker picker (name, pinyin, initials, employer, number), in the user's scope."""
    q = (request.GET.get("picker_q") or request.GET.get("q") or "").strip()
    field = request.GET.get("field", "")
    workers = []
    if q:
        workers = list(worker_list(user=request.user, filters=WorkerFilters(q=q))[:12])
    return render(request, "outreach/partials/worker_options.html", {"workers": workers, "q": q, "field": field})


# --- campaigns -------------------------------------------------------------------------------------------


@capability_required("view_business")
def campaign_list(request):
    form = CampaignFilterForm(request.GET or None, querysets={"org": _orgs(request)})
    f = selectors.CampaignFilters()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.CampaignFilters(q=d["q"].strip(), org=d["org"], year=d["year"])
    qs = selectors.campaign_list(user=request.user, filters=f)
    return _list(request, qs, "campaign", form, lambda: export.respond(
        request, name="主题宣传活动", headers=export.CAMPAIGN_HEADERS, rows=export.campaign_rows(qs),
        action="outreach.campaign.export", object_type="outreach.campaign"))


def _simple_form(request, *, form, check, save, template: str, partial: str, ctx: dict, success: str):
    """Create/edit pages of the simpler records: inline validation, service errors on the fields."""
    if is_inline_check(request):
        return validate_inline(request, form, check)
    if request.method == "POST" and form.is_valid():
        obj = save_form(request, form, lambda: save(form.cleaned_data), success)
        if obj is not None:
            return redirect(obj)
    return render(request, template, {**ctx, "form": form, "partial": partial})


def _initial_org(request):
    orgs = _orgs(request)
    return orgs.first() if orgs.count() == 1 else scope_root(request.user)


def _campaign_form(request, campaign=None):
    user = request.user
    initial = ({f: getattr(campaign, f) for f in services.CAMPAIGN_FIELDS} if campaign
               else {"org": _initial_org(request)})
    form = CampaignForm(request.POST or None, initial=initial, querysets={"org": _orgs(request)})

    def save(d):
        if campaign is None:
            return services.campaign_create(actor=user, **d)
        return services.campaign_update(actor=user, campaign=campaign, **d)

    return _simple_form(request, form=form, check=lambda d: services.campaign_check(actor=user, **d), save=save,
                        template="outreach/record_form.html", partial="outreach/partials/form_fields.html",
                        ctx={"object": campaign, "title": "主题宣传活动", "list_url": "outreach:campaign_list"},
                        success="已保存主题宣传活动。")


@capability_required("edit_business")
def campaign_create(request):
    return _campaign_form(request)


@capability_required("edit_business")
def campaign_edit(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    if not org_in_scope(request.user, campaign.org):
        raise PermissionDenied("该活动由上级单位主办,您不能修改。")
    return _campaign_form(request, campaign)


@capability_required("view_business")
def campaign_detail(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    stats = selectors.campaign_stats(user=request.user, campaign=campaign)
    return render(request, "outreach/campaign_detail.html", {
        "campaign": campaign, **stats, "lectures": stats["lectures"][:100],
        "can_edit": has_capability(request.user, "edit_business") and org_in_scope(request.user, campaign.org),
        "delete_form": DeleteForm(),
    })


@require_POST
@capability_required("edit_business")
def campaign_delete(request, pk):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    return _after_delete(request, DeleteForm(request.POST), campaign,
                         lambda reason: services.campaign_delete(actor=request.user, campaign=campaign, reason=reason),
                         label=f"活动“{campaign.name}”", back=reverse("outreach:campaign_list"),
                         detail=reverse("outreach:campaign_detail", args=[campaign.pk]))


# --- media items -----------------------------------------------------------------------------------------


@capability_required("view_business")
def media_list(request):
    form = MediaFilterForm(request.GET or None, querysets={
        "org": _orgs(request), "platform": selectors.platforms(keep="all"),
        "campaign": selectors.campaign_choices(user=request.user)})
    f = selectors.MediaFilters()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.MediaFilters(q=d["q"].strip(), org=d["org"], platform=d["platform"], kind=d["kind"],
                                   year=d["year"], campaign=d["campaign"],
                                   picked_up={"1": True, "0": False}.get(d["picked_up"] or ""))
    qs = selectors.media_list(user=request.user, filters=f)
    return _list(request, qs, "media", form, lambda: export.respond(
        request, name="传播作品", headers=export.MEDIA_HEADERS, rows=export.media_rows(qs),
        action="outreach.media.export", object_type="outreach.mediaitem"))


def _media_form(request, item=None):
    user = request.user
    lectures = selectors.lecture_base(user)
    querysets = {"org": _orgs(request), "platform": selectors.platforms(),
                 "campaign": selectors.campaign_choices(user=user), "lecture": lectures}
    if item is not None:
        querysets["platform"] = selectors.platforms(keep=item.platform_id)
        initial = {f: getattr(item, f) for f in services.MEDIA_FIELDS}
    else:
        initial = {"org": _initial_org(request)}
        lecture = lectures.filter(pk=request.GET.get("lecture")).first() if request.GET.get(
            "lecture", "").isdigit() else None
        if lecture is not None:
            initial.update({"lecture": lecture, "org": lecture.org, "campaign": lecture.campaign,
                            "title": lecture.title, "publish_date": lecture.date})
        if request.GET.get("campaign", "").isdigit():
            initial["campaign"] = querysets["campaign"].filter(pk=request.GET["campaign"]).first()
    form = MediaForm(request.POST or None, initial=initial, querysets=querysets)
    chosen = form["lecture"].value()
    chosen_lecture = lectures.filter(pk=chosen).first() if str(chosen or "").isdigit() else (
        chosen if hasattr(chosen, "pk") else None)

    def save(d):
        if item is None:
            return services.media_create(actor=user, **d)
        return services.media_update(actor=user, item=item, **d)

    return _simple_form(request, form=form, check=lambda d: services.media_check(actor=user, **d), save=save,
                        template="outreach/record_form.html", partial="outreach/partials/form_fields.html",
                        ctx={"object": item, "title": "传播作品", "list_url": "outreach:media_list",
                             "chosen_lecture": chosen_lecture}, success="已保存传播作品。")


@capability_required("edit_business")
def media_create(request):
    return _media_form(request)


@capability_required("edit_business")
def media_edit(request, pk):
    return _media_form(request, selectors.media_get(user=request.user, pk=pk))


@capability_required("view_business")
def media_detail(request, pk):
    item = selectors.media_get(user=request.user, pk=pk)
    return render(request, "outreach/media_detail.html", _media_ctx(request, item))


def _media_ctx(request, item, **extra):
    readings = list(selectors.readings_of(item))
    ctx = {"item": item, "readings": readings, "pickups": selectors.pickups_of(item),
           "chart": json.dumps({"dates": [r.date.isoformat() for r in reversed(readings)],
                                "views": [r.views for r in reversed(readings)]}),
           "by_year": _views_by_year(readings),
           "can_edit": has_capability(request.user, "edit_business"),
           "reading_form": ReadingForm(), "pickup_form": PickupForm(), "delete_form": DeleteForm()}
    ctx.update(extra)
    return ctx


def _views_by_year(readings) -> list[tuple[int, int]]:
    """The figure each year counts: the latest reading dated in that year."""
    latest: dict[int, MediaReading] = {}
    for r in readings:
        if r.date.year not in latest or r.date > latest[r.date.year].date:
            latest[r.date.year] = r
    return sorted(((y, r.views) for y, r in latest.items()), reverse=True)


@require_POST
@capability_required("edit_business")
def media_delete(request, pk):
    item = selectors.media_get(user=request.user, pk=pk)
    return _after_delete(request, DeleteForm(request.POST), item,
                         lambda reason: services.media_delete(actor=request.user, item=item, reason=reason),
                         label=f"传播作品“{item.title}”", back=reverse("outreach:media_list"),
                         detail=reverse("outreach:media_detail", args=[item.pk]))


def _entry_add(request, item, form_class, add, *, kind: str, success: str):
    """Add a reading or a pick-up from the media page: its partial for htmx (errors come back as 200, htmx swaps
    2xx only), else a message and the page again."""
    form = form_class(request.POST)
    if form.is_valid():
        try:
            add(**form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
    if request.htmx:
        ctx = _media_ctx(request, item, **{f"{kind}_form": form if form.errors else form_class()})
        return render(request, f"outreach/partials/{kind}s.html", ctx)
    if form.errors:
        messages.error(request, errors_text(form))
    else:
        messages.success(request, success)
    return redirect("outreach:media_detail", pk=item.pk)


def _entry_remove(request, item, remove, *, success: str):
    """Remove a reading or a pick-up (with the reason posted) and go back to the media page."""
    return run_action(request, lambda: remove(reason=request.POST.get("reason", "")), success=success,
                      redirect_to=reverse("outreach:media_detail", args=[item.pk]))


@require_POST
@capability_required("edit_business")
def reading_add(request, pk):
    item = selectors.media_get(user=request.user, pk=pk)
    return _entry_add(request, item, ReadingForm, partial(services.reading_add, actor=request.user, item=item),
                      kind="reading", success="已记录观看量读数。")


@require_POST
@capability_required("edit_business")
def reading_delete(request, pk, reading_pk):
    item = selectors.media_get(user=request.user, pk=pk)
    reading = selectors.reading_get(item=item, pk=reading_pk)
    return _entry_remove(request, item, partial(services.reading_remove, actor=request.user, reading=reading),
                         success=f"已删除 {reading.date:%Y-%m-%d} 的读数。")


@require_POST
@capability_required("edit_business")
def pickup_add(request, pk):
    item = selectors.media_get(user=request.user, pk=pk)
    return _entry_add(request, item, PickupForm, partial(services.pickup_add, actor=request.user, item=item),
                      kind="pickup", success="已记录采用/转载。")


@require_POST
@capability_required("edit_business")
def pickup_delete(request, pk, pickup_pk):
    item = selectors.media_get(user=request.user, pk=pk)
    pickup = selectors.pickup_get(item=item, pk=pickup_pk)
    return _entry_remove(request, item, partial(services.pickup_remove, actor=request.user, pickup=pickup),
                         success="已删除采用记录。")


# --- platforms: a list of the data dictionary now ---------------------------------------------------------


@capability_required("manage_dictionary")
def platform_list(request):
    """The platforms are edited with the other configurable lists on the data dictionary page."""
    return redirect("core:dictionary")


# --- 班前十分钟 ------------------------------------------------------------------------------------------


@capability_required("view_business")
def session_list(request):
    form = SessionFilterForm(request.GET or None, querysets={"org": _orgs(request)})
    f = selectors.SessionFilters()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.SessionFilters(q=d["q"].strip(), org=d["org"], stage=d["stage"], form=d["form"],
                                     shift=d["shift"], date_from=d["date_from"], date_to=d["date_to"])
    qs = selectors.session_list(user=request.user, filters=f)
    return _list(request, qs, "session", form, lambda: export.respond(
        request, name="班前十分钟", headers=export.SESSION_HEADERS, rows=export.session_rows(qs),
        action="outreach.session.export", object_type="outreach.preshiftsession"))


def _session_data(d: dict) -> dict:
    data = {k: d[k] for k in services.SESSION_FIELDS if k in d and k != "forms"}
    data["forms"] = d.get("forms_used") or []
    return data


def _session_form(request, session=None):
    user = request.user
    querysets = {"org": _orgs(request), "campaign": selectors.campaign_choices(user=user),
                 "speaker": _workers_or_existing(user, [session.speaker_id] if session else [])}
    if session is not None:
        initial = {f: getattr(session, f) for f in services.SESSION_FIELDS if f != "forms"}
        initial["forms_used"] = session.form_list
    else:
        initial = {"org": _initial_org(request), "date": timezone.localdate(), "minutes": 10}
        source = None
        if request.GET.get("from", "").isdigit():
            source = selectors.session_base(user).filter(pk=request.GET["from"]).first()
        if source is not None:  # 重复上一场: the same session on the next day, to adjust and save
            initial = {f: getattr(source, f) for f in services.SESSION_FIELDS if f != "forms"}
            initial["forms_used"] = source.form_list
            initial["date"] = min(services.next_session_date(source), timezone.localdate())
    form = SessionRecordForm(request.POST or None, initial=initial, querysets=querysets)

    def save(d):
        if session is None:
            return services.session_create(actor=user, **_session_data(d))
        return services.session_update(actor=user, session=session, **_session_data(d))

    ctx = {"object": session, "title": "班前十分钟", "list_url": "outreach:session_list",
           "enterprises": selectors.enterprise_suggestions(user=user)}
    return _simple_form(request, form=form,
                        check=lambda d: services.session_check(actor=user, session=session, **_session_data(d)),
                        save=save, template="outreach/record_form.html", partial="outreach/partials/form_fields.html",
                        ctx=ctx, success="已保存班前十分钟记录。")


@capability_required("edit_business")
def session_create(request):
    return _session_form(request)


@capability_required("edit_business")
def session_edit(request, pk):
    return _session_form(request, selectors.session_get(user=request.user, pk=pk))


@capability_required("view_business")
def session_detail(request, pk):
    session = selectors.session_get(user=request.user, pk=pk)
    return render(request, "outreach/session_detail.html", {
        "session": session, "next_date": services.next_session_date(session),
        "can_edit": has_capability(request.user, "edit_business"), "delete_form": DeleteForm(),
        "recent": selectors.session_list(user=request.user, filters=selectors.SessionFilters(q=session.enterprise))
        .filter(enterprise=session.enterprise, workshop=session.workshop)[:10],
    })


@require_POST
@capability_required("edit_business")
def session_repeat(request, pk):
    """一键重复: the same session on the day after the latest of its enterprise and workshop."""
    session = selectors.session_get(user=request.user, pk=pk)
    try:
        copy = services.session_repeat(actor=request.user, session=session)
    except ValidationError as exc:
        message = errors_text(exc)
        if request.htmx:
            return render(request, "outreach/partials/session_repeated.html", {"error": message})
        messages.error(request, message)
        return redirect("outreach:session_detail", pk=session.pk)
    if request.htmx:
        return render(request, "outreach/partials/session_repeated.html", {"copy": copy})
    messages.success(request, f"已登记 {copy.date:%Y-%m-%d} 的班前十分钟。")
    return redirect("outreach:session_detail", pk=copy.pk)


@require_POST
@capability_required("edit_business")
def session_delete(request, pk):
    session = selectors.session_get(user=request.user, pk=pk)
    return _after_delete(request, DeleteForm(request.POST), session,
                         lambda reason: services.session_delete(actor=request.user, session=session, reason=reason),
                         label="班前十分钟记录", back=reverse("outreach:session_list"),
                         detail=reverse("outreach:session_detail", args=[session.pk]))


@capability_required("edit_business")
def session_batch(request):
    user = request.user
    today = timezone.localdate()
    querysets = {"org": _orgs(request), "campaign": selectors.campaign_choices(user=user),
                 "speaker": worker_base(user)}
    initial = {"org": _initial_org(request), "date_from": today.replace(day=1), "date_to": today,
               "weekdays": [0, 1, 2, 3, 4], "minutes": 10}
    form = SessionBatchForm(request.POST or None, initial=initial, querysets=querysets)
    ctx = {"enterprises": selectors.enterprise_suggestions(user=user)}
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        d["forms"] = d.pop("forms_used") or []
        try:
            result = services.session_batch(actor=user, **d)
        except ValidationError as exc:
            apply_errors(form, exc, {"forms": "forms_used"})
        else:
            skipped = f",跳过已有记录的 {len(result.skipped)} 天" if result.skipped else ""
            messages.success(request, f"已登记 {len(result.created)} 场班前十分钟{skipped}。")
            return redirect(f"{reverse('outreach:session_list')}?q={d['enterprise']}")
    return render(request, "outreach/session_batch.html", {**ctx, "form": form})


# --- showcases -------------------------------------------------------------------------------------------


@capability_required("view_business")
def showcase_list(request):
    form = ShowcaseFilterForm(request.GET or None, querysets={"org": _orgs(request)})
    f = selectors.ShowcaseFilters()
    if form.is_valid():
        d = form.cleaned_data
        f = selectors.ShowcaseFilters(q=d["q"].strip(), org=d["org"], host_type=d["host_type"],
                                      open={"1": True, "0": False}.get(d["open"] or ""))
    qs = selectors.showcase_list(user=request.user, filters=f)
    return _list(request, qs, "showcase", form, lambda: export.respond(
        request, name="风采展示区", headers=export.SHOWCASE_HEADERS, rows=export.showcase_rows(qs),
        action="outreach.showcase.export", object_type="outreach.showcase"))


def _showcase_form(request, showcase=None):
    user = request.user
    existing = list(showcase.featured_workers.values_list("pk", flat=True)) if showcase else []
    querysets = {"org": _orgs(request), "featured_workers": _workers_or_existing(user, existing)}
    if showcase is not None:
        initial = {f: getattr(showcase, f) for f in services.SHOWCASE_FIELDS}
        initial["featured_workers"] = existing
    else:
        initial = {"org": _initial_org(request)}
    form = ShowcaseForm(request.POST or None, initial=initial, querysets=querysets)

    def save(d):
        d = dict(d)
        workers = list(d.pop("featured_workers") or [])
        if showcase is None:
            return services.showcase_create(actor=user, featured_workers=workers, **d)
        return services.showcase_update(actor=user, showcase=showcase, featured_workers=workers, **d)

    return _simple_form(request, form=form,
                        check=lambda d: services.showcase_check(actor=user, showcase=showcase, **d),
                        save=save, template="outreach/record_form.html", partial="outreach/partials/form_fields.html",
                        ctx={"object": showcase, "title": "风采展示区", "list_url": "outreach:showcase_list"},
                        success="已保存风采展示区。")


@capability_required("edit_business")
def showcase_create(request):
    return _showcase_form(request)


@capability_required("edit_business")
def showcase_edit(request, pk):
    return _showcase_form(request, selectors.showcase_get(user=request.user, pk=pk))


@capability_required("view_business")
def showcase_detail(request, pk):
    showcase = selectors.showcase_get(user=request.user, pk=pk)
    return render(request, "outreach/showcase_detail.html", {
        "showcase": showcase, "photos": selectors.photos_of(showcase),
        "workers": showcase.featured_workers.filter(
            pk__in=worker_base(request.user).values("pk")).select_related("org"),
        "hidden_workers": showcase.featured_workers.exclude(pk__in=worker_base(request.user).values("pk")).count(),
        "can_edit": has_capability(request.user, "edit_business"), "photo_form": PhotoForm(),
        "delete_form": DeleteForm(),
    })


@require_POST
@capability_required("edit_business")
def showcase_delete(request, pk):
    showcase = selectors.showcase_get(user=request.user, pk=pk)
    return _after_delete(request, DeleteForm(request.POST), showcase,
                         lambda reason: services.showcase_delete(actor=request.user, showcase=showcase, reason=reason),
                         label=f"风采展示区“{showcase.name}”", back=reverse("outreach:showcase_list"),
                         detail=reverse("outreach:showcase_detail", args=[showcase.pk]))


@require_POST
@capability_required("edit_business")
def showcase_photo_upload(request, pk):
    return _photo_upload(request, selectors.showcase_get(user=request.user, pk=pk), kind="showcase")
