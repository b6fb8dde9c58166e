"""The `workers` section of the summary report and the registry's dashboard cards."""

from datetime import date

from django.db.models import Case, Count, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.urls import reverse

from laomo.core.dashboard import register_cards
from laomo.reports.registry import register_section

from .models import LEVEL_RANK, EmploymentStatus, Honor, Worker
from .selectors import worker_base


def honors_by_end_of(year: int) -> Q:
    """Honors awarded by 31 December of `year` (DESIGN.md §7): by their year, else their date; an honor with
    neither (an old record) counts as awarded before any year asked for."""
    return (Q(year__lte=year) | Q(year__isnull=True, award_date__lte=date(year, 12, 31))
            | Q(year__isnull=True, award_date__isnull=True))


def alive_at_end_of(year: int) -> Q:
    """Workers alive on 31 December of `year`: not deceased, or deceased after that day."""
    return ~Q(employment_status=EmploymentStatus.DECEASED) | Q(status_date__gt=date(year, 12, 31))


def _rank_case() -> Case:
    return Case(*(When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()),
                output_field=IntegerField())


def registry_as_of(workers, year: int):
    """`workers` as the registry stood on 31 December of `year`, annotated with `rank_asof`, the highest level
    of the honors awarded by then. A person is on it from the year of their first honor (whenever the record
    was typed in) while alive; someone with no honor recorded is not (yet) counted."""
    best = (Honor.objects.filter(worker=OuterRef("pk"), is_deleted=False).filter(honors_by_end_of(year))
            .values("worker").annotate(best=Max(_rank_case())).values("best")[:1])
    return (workers.filter(alive_at_end_of(year)).annotate(rank_asof=Subquery(best, output_field=IntegerField()))
            .filter(rank_asof__isnull=False))


@register_section("workers", order=10)
def workers_section(*, year: int, org) -> dict:
    base = Worker.objects.filter(is_deleted=False, org__path__startswith=org.path)
    qs = registry_as_of(base, year)
    figures = qs.aggregate(
        total=Count("id"),
        **{level: Count("id", filter=Q(rank_asof=rank)) for level, rank in LEVEL_RANK.items()},
    )
    result = {
        "total": figures["total"],
        "by_level": {level: figures[level] for level in ("national", "provincial", "municipal", "county")},
    }
    from django.apps import apps

    if apps.is_installed("laomo.care"):
        # Imported here so that the registry does not depend on the care module at import time.
        from laomo.care.reports import in_hardship_count

        result["in_hardship"] = in_hardship_count(workers=qs, year=year)
    return result


@register_cards(order=10)
def worker_cards(*, user, year: int, org) -> list[dict]:
    if not user.has_perm("core.view_business"):
        return []
    qs = worker_base(user).filter(org__path__startswith=org.path)
    figures = qs.aggregate(
        total=Count("id"),
        high=Count("id", filter=Q(highest_level_rank__gte=LEVEL_RANK["provincial"])),
        incomplete=Count("id", filter=Q(is_incomplete=True)),
    )
    honors = Honor.objects.filter(is_deleted=False, year=year, worker__in=qs).count()
    url = reverse("workers:list")
    return [
        {"label": "劳模总数", "value": figures["total"], "url": url},
        {"label": "省部级及以上劳模", "value": figures["high"], "url": f"{url}?min_level=provincial"},
        {"label": f"{year}年获评荣誉", "value": honors, "url": f"{url}?year_from={year}&year_to={year}"},
        {"label": "待补全身份证号", "value": figures["incomplete"], "url": f"{url}?incomplete=1"},
    ]
