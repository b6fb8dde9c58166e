"""What the retreats services share: the edit check, the batch row lock, notifications and seat counts."""

from __future__ import annotations

from django.urls import reverse

from laomo.core.permissions import require_edit
from laomo.core.services import notify
from laomo.orgs.models import User

from ..models import SEAT_STATUSES, RetreatApplication, RetreatBatch

WHAT = "疗休养业务"


def check_edit(actor, org) -> None:
    """The actor may run retreats of `org` (capability and data scope); SYSTEM may."""
    require_edit(actor, org, WHAT)


def clean_value(value):
    return value.strip() if isinstance(value, str) else value


def lock_batch(batch: RetreatBatch) -> RetreatBatch:
    return RetreatBatch.objects.select_for_update(of=("self",)).select_related("org", "vendor").get(pk=batch.pk)


def notify_worker(application, text: str, url: str | None = None) -> None:
    user_id = application.worker.user_id
    if user_id:
        notify(recipients=User.objects.filter(pk=user_id, is_active=True), text=text,
               url=url or reverse("retreats:my"))


def seats_taken(batch: RetreatBatch) -> int:
    return RetreatApplication.objects.filter(batch=batch, status__in=SEAT_STATUSES).count()
