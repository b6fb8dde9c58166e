"""The `workers` section of the summary report and the registry's dashboard cards."""

from datetime import date

from django.db.models import Count, Q
from django.urls import reverse

from laomo.core.dashboard import register_cards
from laomo.reports.registry import register_section

from .models import LEVEL_RANK, EmploymentStatus, Honor, Worker
from .selectors import worker_base


def _living_in_year(year: int) -> Q:
    """Workers on the registry during `year`: not deceased before it began."""
    return ~Q(employment_status=EmploymentStatus.DECEASED) | Q(status_date__gte=date(year, 1, 1))


@register_section("workers", order=10)
def workers_section(*, year: int, org) -> dict:
    qs = Worker.objects.filter(is_deleted=False, org__path__startswith=org.path).filter(_living_in_year(year))
    figures = qs.aggregate(
        total=Count("id"),
        **{level: Count("id", filter=Q(highest_level_rank=rank)) for level, rank in LEVEL_RANK.items()},
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
