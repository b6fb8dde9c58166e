"""Reads of the outreach module, always scoped by the user (the same functions serve pages, exports and the API)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, Greatest

from laomo.core import dictionary
from laomo.core.byunit import ByUnit
from laomo.core.byyear import ByYear
from laomo.core.filtering import apply_filters, in_subtree, in_year
from laomo.core.models import DictItem
from laomo.core.rows import display, number, pk_url, unit_name, ymd
from laomo.core.scope import scope_q, scope_queryset
from laomo.core.selectors import get_in_scope
from laomo.core.years import year_dates, years_dates
from laomo.workers.models import Worker
from laomo.workers.selectors import worker_base

from .models import (
    PLATFORM_KIND,
    Campaign,
    Lecture,
    LectureSpeaker,
    LectureStatus,
    MediaItem,
    MediaReading,
    Photo,
    Pickup,
    PreShiftSession,
    Showcase,
    VenueType,
)

VENUES = [v for v, _ in VenueType.choices]


# --- campaigns -------------------------------------------------------------------------------------------


def campaign_base(user) -> QuerySet[Campaign]:
    """Campaigns in the user's scope, plus those run by the units above the user's unit (a city campaign
    is joined by the counties: they may attach their lectures to it, but not edit it)."""
    qs = Campaign.objects.filter(is_deleted=False)
    q = scope_q(user, org_field="org")
    if q is None:
        return qs
    if user.org_id and user.scope_level in ("subtree", "unit"):
        q |= Q(org_id__in=user.org.ancestor_ids)
    return qs.filter(q)


@dataclass
class CampaignFilters:
    q: str = ""
    org: object = None
    year: int | None = None


def _campaign_in_year(year: int) -> Q:
    start, end = year_dates(year)
    return Q(start_date__lte=end, end_date__gte=start)


CAMPAIGN_RULES = {
    "q": lambda q: Q(name__contains=q) | Q(theme__contains=q),
    "org": in_subtree(),
    "year": _campaign_in_year,
}


def campaign_list(*, user, filters: CampaignFilters | None = None) -> QuerySet[Campaign]:
    f = filters or CampaignFilters()
    qs = apply_filters(campaign_base(user).select_related("org"), f, CAMPAIGN_RULES)
    lectures = Lecture.objects.filter(campaign=OuterRef("pk"), is_deleted=False, status=LectureStatus.HELD)
    lectures = scope_queryset(lectures, user, org_field="org")
    counted = lectures.values("campaign").annotate(n=Count("id")).values("n")
    return qs.annotate(lecture_count=Subquery(counted)).order_by("-start_date", "-id")


def campaign_get(*, user, pk) -> Campaign:
    return get_in_scope(campaign_base(user).select_related("org"), pk, "活动不存在或不在您的数据范围内")


def campaign_choices(*, user) -> QuerySet[Campaign]:
    return campaign_base(user).order_by("-start_date", "-id")


# --- lectures --------------------------------------------------------------------------------------------


def lecture_base(user) -> QuerySet[Lecture]:
    """Live lectures in the user's scope (a worker: the lectures they spoke at)."""
    return scope_queryset(Lecture.objects.filter(is_deleted=False), user, org_field="org",
                          self_field="speakers__worker__user")


@dataclass
class LectureFilters:
    q: str = ""
    org: object = None
    campaign: object = None
    venue_type: str = ""
    format: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None
    worker: object = None  # a Worker: lectures where they spoke
    year: int | None = None


def _speakers_prefetch() -> Prefetch:
    # A speaker is shown by name: the worker's encrypted fields are never read, so never decrypted (issue 16).
    return Prefetch("speakers", queryset=LectureSpeaker.objects.select_related("worker").defer(
        "worker__id_number", "worker__phone", "worker__address").order_by("position", "id"))


def _lecture_text(q: str) -> Q:
    speakers = LectureSpeaker.objects.filter(lecture=OuterRef("pk")).filter(
        Q(name__contains=q) | Q(worker__name__contains=q))
    return Q(title__contains=q) | Q(venue_name__contains=q) | Exists(speakers)


LECTURE_RULES = {
    "q": _lecture_text,
    "org": in_subtree(),
    "campaign": "campaign",
    "venue_type": "venue_type",
    "format": "format",
    "status": "status",
    "date_from": "date__gte",
    "date_to": "date__lte",
    "year": in_year("date"),
    "worker": lambda w: Exists(LectureSpeaker.objects.filter(lecture=OuterRef("pk"), worker=w)),
}


def lecture_list(*, user, filters: LectureFilters | None = None) -> QuerySet[Lecture]:
    f = filters or LectureFilters()
    qs = apply_filters(lecture_base(user).select_related("org", "campaign"), f, LECTURE_RULES)
    photos = Photo.objects.filter(lecture=OuterRef("pk"), is_deleted=False).values("lecture")
    photos = photos.annotate(n=Count("pk")).values("n")
    return qs.prefetch_related(_speakers_prefetch()).annotate(photo_count=Subquery(photos)).order_by("-date", "-id")


LECTURE_ROW_FIELDS = ("id", "date", "title", "photo_count", "campaign_id", "campaign__name", "venue_type",
                      "venue_name", "format", "audience", "org__short_name", "org__name", "status")


def lecture_row_values(qs: QuerySet[Lecture]) -> QuerySet:
    """`lecture_list` as the dicts the list page shows (laomo.core.rows): no model instances, no prefetch."""
    return qs.prefetch_related(None).values(*LECTURE_ROW_FIELDS)


def speakers_of(lecture_ids) -> dict[int, list[dict]]:
    """{lecture id: [{worker_id, name}]} in the speakers' order, in one query: the name shown
    (`LectureSpeaker.display_name`), nothing else of the worker read (issue 16)."""
    speakers = defaultdict(list)
    found = LectureSpeaker.objects.filter(lecture_id__in=lecture_ids).order_by("position", "id")
    found = found.values_list("lecture_id", "worker_id", "name", "worker__name")
    for lecture_id, worker_id, name, worker_name in found:
        speakers[lecture_id].append({"worker_id": worker_id, "name": worker_name if worker_id else name})
    return speakers


def lecture_rows(rows: list[dict]) -> list[dict]:
    """A page of `lecture_row_values` with its speakers (`speakers_of`) and its cells' text."""
    speakers = speakers_of([r["id"] for r in rows])
    venue, form = display(Lecture, "venue_type"), display(Lecture, "format")
    url, campaign_url = pk_url("outreach:lecture_detail"), pk_url("outreach:campaign_detail")
    worker_url = pk_url("workers:detail")
    for r in rows:
        for s in speakers[r["id"]]:
            s["url"] = worker_url(s["worker_id"]) if s["worker_id"] else ""
        r.update(day=ymd(r["date"]), speakers=speakers[r["id"]], venue_label=venue(r["venue_type"]),
                 format_label=form(r["format"]), unit=unit_name(r["org__short_name"], r["org__name"]), url=url(r["id"]),
                 campaign_url=campaign_url(r["campaign_id"]) if r["campaign_id"] else "",
                 audience_text=number(r["audience"]), photos_text=number(r["photo_count"]))
    return rows


def lecture_get(*, user, pk) -> Lecture:
    return get_in_scope(lecture_base(user).select_related("org", "campaign").prefetch_related(_speakers_prefetch()), pk,
                        "宣讲不存在或不在您的数据范围内")


def photos_of(owner) -> QuerySet[Photo]:
    return owner.photos.filter(is_deleted=False).order_by("created_at")


def photo_get(*, user, pk) -> Photo:
    """A photo whose lecture or showcase the user may see (a guessed id elsewhere is a 404)."""
    visible = Photo.objects.filter(Q(lecture__in=lecture_base(user)) | Q(showcase__in=showcase_base(user)))
    return get_in_scope(visible.filter(is_deleted=False), pk, "照片不存在或不在您的数据范围内")


def lectures_calendar(*, user, year: int, month: int, filters: LectureFilters | None = None) -> list[list[dict]]:
    """Weeks (Monday first) of days {date, in_month, lectures} for a month."""
    f = filters or LectureFilters()
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    f.date_from, f.date_to, f.year = first, last, None
    by_day: dict[date, list] = defaultdict(list)
    for lecture in lecture_list(user=user, filters=f).order_by("date", "id"):
        by_day[lecture.date].append(lecture)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([{"date": d, "in_month": d.month == month, "lectures": by_day.get(d, [])} for d in week])
    return weeks


def lectures_by_month(*, user, year: int, org) -> dict[str, list[int]]:
    """Held lectures per month (1–12) by venue type, for the chart."""
    out = {v: [0] * 12 for v in VENUES}
    rows = (lecture_base(user).filter(org.subtree_q(), status=LectureStatus.HELD,
                                      date__range=year_dates(year))
            .annotate(m=ExtractMonth("date")).values("m", "venue_type").annotate(n=Count("id")))
    for row in rows:
        out[row["venue_type"]][row["m"] - 1] = row["n"]
    return out


@dataclass
class LeaderRow:
    worker_id: int | None
    name: str
    org_name: str
    lectures: int
    audience: int
    last_date: date | None
    sessions: int = 0


def speaker_leaderboard(*, user, date_from: date, date_to: date, org=None, limit: int | None = 100) -> list[LeaderRow]:
    """Who lectured most in a period: held lectures and their audience (each speaker is credited with the
    whole audience of a lecture they spoke at), with the 班前十分钟 they led."""
    lectures = lecture_base(user).filter(status=LectureStatus.HELD, date__range=(date_from, date_to))
    sessions = session_base(user).filter(date__range=(date_from, date_to))
    if org is not None:
        lectures = lectures.filter(org.subtree_q())
        sessions = sessions.filter(org.subtree_q())
    rows = (LectureSpeaker.objects.filter(lecture__in=lectures)
            .values("worker_id", "worker__name", "worker__org__name", "name")
            .annotate(n=Count("lecture_id", distinct=True), audience=Sum("lecture__audience"),
                      last=Max("lecture__date")))
    board = [LeaderRow(r["worker_id"], r["worker__name"] or r["name"], r["worker__org__name"] or "",
                       r["n"], r["audience"] or 0, r["last"]) for r in rows]
    session_counts = dict(sessions.filter(speaker__isnull=False).values_list("speaker_id")
                          .annotate(n=Count("id")).values_list("speaker_id", "n"))
    for row in board:
        if row.worker_id:
            row.sessions = session_counts.get(row.worker_id, 0)
    board.sort(key=lambda r: (-r.lectures, -r.audience, r.name))
    return board[:limit] if limit else board


# --- media -----------------------------------------------------------------------------------------------


def media_base(user) -> QuerySet[MediaItem]:
    return scope_queryset(MediaItem.objects.filter(is_deleted=False), user, org_field="org")


@dataclass
class MediaFilters:
    q: str = ""
    org: object = None
    platform: object = None
    campaign: object = None
    kind: str = ""
    year: int | None = None
    picked_up: bool | None = None


def _latest_reading(field: str):
    return Subquery(MediaReading.objects.filter(media_item=OuterRef("pk"), is_deleted=False)
                    .order_by("-date", "-id").values(field)[:1])


def _pickups():
    return Pickup.objects.filter(media_item=OuterRef("pk"), is_deleted=False)


MEDIA_RULES = {
    "q": lambda q: Q(title__contains=q) | Q(note__contains=q),
    "org": in_subtree(),
    "platform": "platform",
    "campaign": "campaign",
    "kind": "kind",
    "year": in_year("publish_date"),
    "picked_up": lambda picked: Exists(_pickups()) if picked else ~Exists(_pickups()),
}


def media_list(*, user, filters: MediaFilters | None = None) -> QuerySet[MediaItem]:
    f = filters or MediaFilters()
    qs = apply_filters(media_base(user).select_related("org", "platform", "campaign", "lecture"), f, MEDIA_RULES)
    pickups = _pickups()
    counted = pickups.values("media_item").annotate(n=Count("pk")).values("n")
    return qs.annotate(latest_views=_latest_reading("views"), latest_date=_latest_reading("date"),
                       pickup_count=Subquery(counted)).order_by("-publish_date", "-id")


def media_get(*, user, pk) -> MediaItem:
    return get_in_scope(media_base(user).select_related("org", "platform", "campaign", "lecture"), pk,
                        "传播作品不存在或不在您的数据范围内")


def reading_get(*, item: MediaItem, pk) -> MediaReading:
    return get_in_scope(item.readings.filter(is_deleted=False), pk, "读数不存在")


def pickup_get(*, item: MediaItem, pk) -> Pickup:
    return get_in_scope(item.pickups.filter(is_deleted=False), pk, "采用记录不存在")


def readings_of(item: MediaItem) -> QuerySet[MediaReading]:
    return item.readings.filter(is_deleted=False).order_by("-date", "-id")


def pickups_of(item: MediaItem) -> QuerySet[Pickup]:
    return item.pickups.filter(is_deleted=False).order_by("-date", "-id")


def platforms(*, keep=None) -> QuerySet[DictItem]:
    """The platforms of the data dictionary that may be chosen: the active ones (and the one a record already
    uses, even if since switched off); `keep="all"` every one (filters)."""
    qs = dictionary.items(PLATFORM_KIND, active_only=False)
    if keep == "all":
        return qs
    return qs.filter(Q(is_active=True) | Q(pk=keep)) if keep is not None else qs.filter(is_active=True)


def platform_by_name(name: str) -> DictItem | None:
    return platforms(keep="all").filter(label=name.strip()).first() if name else None


def _views_on(on_or_before: date):
    return Subquery(MediaReading.objects.filter(media_item=OuterRef("pk"), is_deleted=False, date__lte=on_or_before)
                    .order_by("-date", "-id").values("views")[:1])


def media_with_views(items: QuerySet[MediaItem], year: int) -> QuerySet[MediaItem]:
    """`items` annotated with `v_end` (latest reading by 31 December of `year`), `v_before` (latest before
    1 January) and `v_gained` (their difference, never negative)."""
    start, end = year_dates(year)
    return (items.annotate(v_end=Coalesce(_views_on(end), 0),
                           v_before=Coalesce(_views_on(start - timedelta(days=1)), 0))
            .annotate(v_gained=Greatest(F("v_end") - F("v_before"), Value(0))))


def views_of_year(items: QuerySet[MediaItem], year: int) -> dict:
    """Online views of `items` (DESIGN.md §7): `gained` in the year — per item, its latest reading by 31 December
    minus its latest reading before 1 January, never negative — and `cumulative`, the latest readings by
    31 December summed. Gains of successive years add up to the cumulative figure."""
    return _views_of_year(items, year, ByUnit(None))[None]


def _views_of_year(items: QuerySet[MediaItem], year: int, by: ByUnit) -> dict:
    """`views_of_year` for each key of `by`."""
    totals = by.aggregate(media_with_views(items, year), gained=Sum("v_gained"), cumulative=Sum("v_end"))
    return {k: {"gained": int(t["gained"] or 0), "cumulative": int(t["cumulative"] or 0)} for k, t in totals.items()}


def views_of_years(items: QuerySet[MediaItem], years: list[int]) -> dict[int, dict]:
    """{year: views_of_year(items, year)} in one query: each item's latest reading by every 31 December
    needed (the end of each year and of the year before it) taken once, the gains and totals summed per year."""
    ends = {d.year: d for y in years for d in (date(y - 1, 12, 31), date(y, 12, 31))}
    per_item = items.annotate(**{f"v_{y}": Coalesce(_views_on(d), 0) for y, d in ends.items()})
    sums = {}
    for y in years:
        sums[f"gained_{y}"] = Sum(Greatest(F(f"v_{y}") - F(f"v_{y - 1}"), Value(0)))
        sums[f"cumulative_{y}"] = Sum(f"v_{y}")
    totals = per_item.aggregate(**sums)
    return {y: {"gained": int(totals[f"gained_{y}"] or 0), "cumulative": int(totals[f"cumulative_{y}"] or 0)}
            for y in years}


def views_to_date(items: QuerySet[MediaItem]) -> int:
    """The reach of `items` so far: each item's latest reading, summed."""
    total = items.annotate(v=Coalesce(_views_on(date.max), 0)).aggregate(total=Sum("v"))["total"]
    return int(total or 0)


# --- 班前十分钟 ------------------------------------------------------------------------------------------


def session_base(user) -> QuerySet[PreShiftSession]:
    return scope_queryset(PreShiftSession.objects.filter(is_deleted=False), user, org_field="org",
                          self_field="speaker__user")


@dataclass
class SessionFilters:
    q: str = ""
    org: object = None
    stage: str = ""
    form: str = ""
    shift: str = ""
    date_from: date | None = None
    date_to: date | None = None
    worker: object = None
    campaign: object = None


SESSION_RULES = {
    "q": lambda q: (Q(enterprise__contains=q) | Q(workshop__contains=q) | Q(topic__contains=q)
                    | Q(speaker__name__contains=q) | Q(speaker_name__contains=q)),
    "org": in_subtree(),
    "stage": "stage",
    "form": lambda form: Q(forms__contains=f",{form},"),
    "shift": "shift",
    "date_from": "date__gte",
    "date_to": "date__lte",
    "worker": "speaker",
    "campaign": "campaign",
}


def session_list(*, user, filters: SessionFilters | None = None) -> QuerySet[PreShiftSession]:
    f = filters or SessionFilters()
    qs = apply_filters(session_base(user).select_related("org", "speaker", "campaign"), f, SESSION_RULES)
    return qs.order_by("-date", "-id")


def session_get(*, user, pk) -> PreShiftSession:
    return get_in_scope(session_base(user).select_related("org", "speaker", "campaign"), pk,
                        "班前十分钟记录不存在或不在您的数据范围内")


def enterprise_suggestions(*, user, limit: int = 200) -> list[str]:
    """Enterprises that already ran sessions in the user's scope (for quick entry)."""
    return list(session_base(user).values_list("enterprise", flat=True).distinct().order_by("enterprise")[:limit])


def last_session(*, user, enterprise: str, workshop: str, shift: str) -> PreShiftSession | None:
    return (session_base(user).filter(enterprise=enterprise, workshop=workshop, shift=shift)
            .order_by("-date", "-id").first())


# --- showcases -------------------------------------------------------------------------------------------


def showcase_base(user) -> QuerySet[Showcase]:
    return scope_queryset(Showcase.objects.filter(is_deleted=False), user, org_field="org",
                          self_field="featured_workers__user")


@dataclass
class ShowcaseFilters:
    q: str = ""
    org: object = None
    host_type: str = ""
    open: bool | None = None
    worker: object = None


SHOWCASE_RULES = {
    "q": lambda q: Q(name__contains=q) | Q(host_place__contains=q) | Q(address__contains=q),
    "org": in_subtree(),
    "host_type": "host_type",
    "open": "closed_date__isnull",
    "worker": "featured_workers",
}


def showcase_list(*, user, filters: ShowcaseFilters | None = None) -> QuerySet[Showcase]:
    f = filters or ShowcaseFilters()
    qs = apply_filters(showcase_base(user).select_related("org"), f, SHOWCASE_RULES)
    photos = Photo.objects.filter(showcase=OuterRef("pk"), is_deleted=False).values("showcase")
    photos = photos.annotate(n=Count("pk")).values("n")
    return (qs.prefetch_related("featured_workers").annotate(photo_count=Subquery(photos))
            .order_by("-opened_date", "-id"))


def showcase_get(*, user, pk) -> Showcase:
    return get_in_scope(showcase_base(user).select_related("org").prefetch_related("featured_workers"), pk,
                        "风采展示区不存在或不在您的数据范围内")


# --- workers to pick (speakers, featured workers) ----------------------------------------------------------


def pickable_workers(*, user, keep=()) -> QuerySet:
    """Workers a user may pick, plus those already on the record (kept when someone narrower edits it)."""
    keep = [pk for pk in keep if pk]
    if not keep:
        return worker_base(user)
    return Worker.objects.filter(Q(pk__in=worker_base(user).values("pk")) | Q(pk__in=keep), is_deleted=False)


def campaign_stats(*, user, campaign: Campaign) -> dict:
    """What the user may see of a campaign: its lectures, held count and audience, the reach of its media."""
    lectures = lecture_list(user=user, filters=LectureFilters(campaign=campaign))
    held = lectures.filter(status=LectureStatus.HELD).aggregate(n=Count("id"), audience=Sum("audience"))
    return {
        "lectures": lectures, "lecture_total": lectures.count(), "held": held["n"],
        "audience": int(held["audience"] or 0),
        "online_views": views_to_date(media_base(user).filter(campaign=campaign)),
        "media_items": media_list(user=user, filters=MediaFilters(campaign=campaign)),
    }


# --- figures ---------------------------------------------------------------------------------------------


def _in_year(first: int, last: int | None = None) -> Q:
    """A lecture or a session counts in the year of its date (here: in a year from `first` to `last`)."""
    return Q(date__range=years_dates(first, last))


def _lecture_figures() -> dict:
    return {"lectures": Count("id"), "audience": Sum("audience"),
            **{f"v_{v}": Count("id", filter=Q(venue_type=v)) for v in VENUES}}


def _figures(lectures: dict, views: dict, sessions: int) -> dict:
    return {
        "lectures": lectures["lectures"],
        "audience": int(lectures["audience"] or 0),
        "online_views": views["gained"],
        "online_views_cumulative": views["cumulative"],
        "pre_shift_sessions": sessions,
        "lectures_by_venue": {v: lectures[f"v_{v}"] for v in VENUES},
    }


def figures(*, lectures: QuerySet[Lecture], media: QuerySet[MediaItem], sessions: QuerySet[PreShiftSession],
            year: int, by: ByUnit | None = None) -> dict:
    """The outreach figures of a year from base querysets already restricted to a unit (and a user); with `by`
    grouping the units below a unit, {unit pk: figures} in one query per family (`laomo.core.byunit`)."""
    by = by or ByUnit(None)
    held = lectures.filter(status=LectureStatus.HELD).filter(_in_year(year))
    agg = by.aggregate(held, **_lecture_figures())
    views = _views_of_year(media, year, by)
    sessions_held = by.count(sessions.filter(_in_year(year)))
    return by.each(lambda k: _figures(agg[k], views[k], sessions_held[k]))


def figures_of_years(*, lectures: QuerySet[Lecture], media: QuerySet[MediaItem],
                     sessions: QuerySet[PreShiftSession], years: list[int]) -> dict:
    """{year: figures(..., year=year)} for `years`: lectures and sessions grouped by year, the views of every
    year in one query (`views_of_years`)."""
    by = ByYear(years)
    agg = by.aggregate(lectures.filter(status=LectureStatus.HELD), _in_year, **_lecture_figures())
    views = views_of_years(media, by.years)
    sessions_held = by.count(sessions, _in_year)
    return by.each(lambda y: _figures(agg[y], views[y], sessions_held[y]))


def figures_for(*, user, year: int, org) -> dict:
    """The figures a user sees for a unit in their scope."""
    return figures(lectures=lecture_base(user).filter(org.subtree_q()),
                   media=media_base(user).filter(org.subtree_q()),
                   sessions=session_base(user).filter(org.subtree_q()), year=year)


# --- timeline --------------------------------------------------------------------------------------------


def lectures_of_worker(*, user, worker) -> QuerySet[Lecture]:
    return lecture_base(user).filter(Exists(LectureSpeaker.objects.filter(lecture=OuterRef("pk"), worker=worker)))


def sessions_of_worker(*, user, worker) -> QuerySet[PreShiftSession]:
    return session_base(user).filter(speaker=worker)


def showcases_of_worker(*, user, worker) -> QuerySet[Showcase]:
    return showcase_base(user).filter(featured_workers=worker)
