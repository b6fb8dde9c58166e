"""Data quality checks of the registry, within the user's scope."""

from django.db.models import Count, F, Q
from django.utils import timezone

from .models import EmploymentStatus, Honor
from .selectors import worker_base

LIMIT = 200


def quality_report(*, user) -> dict:
    workers = worker_base(user)
    # Same name and birth date registered in different units: probably one person twice.
    dup_keys = (workers.exclude(birth_date=None).values("name", "birth_date")
                .annotate(units=Count("org", distinct=True), n=Count("id")).filter(units__gt=1)
                .order_by("name")[:LIMIT])
    dup_q = Q(pk__in=[])
    for key in dup_keys:
        dup_q |= Q(name=key["name"], birth_date=key["birth_date"])
    duplicates = list(workers.filter(dup_q).select_related("org").order_by("name", "birth_date", "org__path"))
    this_year = timezone.localdate().year
    impossible = list(
        Honor.objects.filter(is_deleted=False, worker__in=workers)
        .filter(Q(year__gt=this_year) | Q(year__lt=F("worker__birth_date__year") + 16))
        .select_related("worker", "worker__org").order_by("worker__name")[:LIMIT]
    )
    deceased_active = list(
        workers.filter(employment_status=EmploymentStatus.DECEASED)
        .filter(Q(user__is_active=True) | Q(showcase_consent=True))
        .select_related("org", "user")[:LIMIT]
    )
    without_id = workers.filter(is_incomplete=True).select_related("org").order_by("org__path", "name")
    return {
        "duplicates": duplicates,
        "without_id": list(without_id[:LIMIT]),
        "without_id_count": workers.filter(is_incomplete=True).count(),
        "impossible_honors": impossible,
        "deceased_active": deceased_active,
        "limit": LIMIT,
    }
