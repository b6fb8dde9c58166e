"""Delivery records of outbound channels: created with the business write, sent after it commits, retried.

`deliveries_create` runs inside `notify` (the business transaction): one `Delivery` row per channel and user
(email, sms) or per notification (group robots, webhook). After the commit each is handed to the job queue
(`send_delivery_task`). A failed attempt is retried after `LAOMO_DELIVERY_RETRY_MINUTES` (1, 5, 30 minutes by
default: four attempts in all) by the every-minute sweep `deliveries_send_due`, which also sends anything a
lost queue dropped; after the last failure the row is `failed` and shows on 消息发送记录 with a 重发 button.
The in-app notification never depends on any of this.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import audit
from .channels import CHANNELS, STAFF_ROLES, ChannelError, enabled_channels, scrub_pii
from .clock import now
from .models import Delivery, DeliveryStatus
from .permissions import require_capability

log = logging.getLogger("laomo.channels")

CLAIM_SECONDS = 120  # a sender holds a delivery this long; a crashed sender's claim then lapses


def retry_delays() -> list[timedelta]:
    return [timedelta(minutes=m) for m in settings.LAOMO_DELIVERY_RETRY_MINUTES]


def deliveries_create(*, users, text: str, url: str = "") -> list[Delivery]:
    """The deliveries of one notification to `users`, in the caller's transaction; sent after its commit."""
    channels = enabled_channels()
    if not channels or not users:
        return []
    text = scrub_pii(text)[:500]
    moment = now()
    user_ids = [u.pk for u in users]
    rows = []
    staff = None
    for channel in channels:
        if channel.per_user:
            rows += [Delivery(channel=channel.name, recipient=f"user:{u.pk}", user_ids=[u.pk], text=text, url=url,
                              next_attempt_at=moment, created_at=moment) for u in channel.users(users)]
            continue
        if channel.staff_only:
            staff = _has_staff(user_ids) if staff is None else staff
            if not staff:
                continue
        rows.append(Delivery(channel=channel.name, recipient=channel.name, user_ids=user_ids, text=text, url=url,
                             next_attempt_at=moment, created_at=moment))
    created = Delivery.objects.bulk_create(rows)  # SQLite and PostgreSQL both return the new keys
    ids = [d.pk for d in created]
    transaction.on_commit(lambda: deliveries_enqueue(ids))
    return created


def _has_staff(user_ids) -> bool:
    from laomo.orgs.models import User  # noqa: PLC0415  (orgs.models imports core.models)

    return User.objects.filter(pk__in=user_ids, is_active=True, groups__name__in=STAFF_ROLES).exists()


def deliveries_enqueue(ids) -> None:
    for pk in ids:
        try:
            send_delivery_task(pk)
        except Exception:  # noqa: BLE001  (a queue that cannot take it: the every-minute sweep sends it)
            log.exception("could not queue delivery %s", pk)


def delivery_attempt(pk: int, *, at=None) -> str | None:
    """One attempt at one delivery if it is due at `at` (default now): claimed first, so two senders (the queued
    task and the sweep) never both send it. Returns the new status, or None when it was not due."""
    at = at or now()
    claimed = Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=at).update(
        next_attempt_at=at + timedelta(seconds=CLAIM_SECONDS))
    if not claimed:
        return None
    delivery = Delivery.objects.get(pk=pk)
    channel = CHANNELS.get(delivery.channel)
    try:
        if channel is None:
            raise ChannelError("渠道未知")
        channel.send(delivery)
    except Exception as exc:  # noqa: BLE001  (any failure of a channel is recorded, never raised into the queue)
        return _failed(delivery, exc if isinstance(exc, ChannelError) else ChannelError(repr(exc)), at)
    Delivery.objects.filter(pk=pk).update(status=DeliveryStatus.SENT, attempts=delivery.attempts + 1,
                                          sent_at=at, next_attempt_at=None, last_error="")
    return DeliveryStatus.SENT


def _failed(delivery: Delivery, exc: ChannelError, at) -> str:
    attempts = delivery.attempts + 1
    delays = retry_delays()
    error = (str(exc) or exc.__class__.__name__)[:300]
    if attempts > len(delays):
        status, next_at = DeliveryStatus.FAILED, None
        log.warning("delivery %s via %s failed for good: %s", delivery.pk, delivery.channel, error)
    else:
        status, next_at = DeliveryStatus.PENDING, at + delays[attempts - 1]
    Delivery.objects.filter(pk=delivery.pk).update(status=status, attempts=attempts, last_error=error,
                                                   next_attempt_at=next_at)
    return status


def deliveries_send_due(*, at=None, limit: int = 500) -> dict:
    """Send every pending delivery due at `at`: the retries, and anything the queue lost."""
    at = at or now()
    ids = list(Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=at)
               .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
    counts = {"sent": 0, "pending": 0, "failed": 0}
    for pk in ids:
        status = delivery_attempt(pk, at=at)
        if status:
            counts[status] += 1
    return counts


@transaction.atomic
def delivery_resend(*, actor, delivery: Delivery) -> Delivery:
    """The system administrator sends a failed (or stuck) delivery again: a fresh round of attempts."""
    require_capability(actor, "manage_users", "重发消息")
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status == DeliveryStatus.SENT:
        raise ValidationError("该消息已发送成功,无需重发。")
    before = {"status": locked.status, "attempts": locked.attempts}
    Delivery.objects.filter(pk=locked.pk).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now())
    audit.record(actor=actor, action="core.delivery.resend", obj=locked, changes={
        "status": [before["status"], DeliveryStatus.PENDING], "attempts": [before["attempts"], 0]})
    transaction.on_commit(lambda: deliveries_enqueue([locked.pk]))
    locked.refresh_from_db()
    return locked


def delivery_filters_q(*, status: str = "", channel: str = "") -> Q:
    q = Q()
    if status in DeliveryStatus.values:
        q &= Q(status=status)
    if channel in CHANNELS:
        q &= Q(channel=channel)
    return q


@db_task(retries=0)
def send_delivery_task(pk: int) -> None:
    delivery_attempt(pk)


@db_periodic_task(crontab(minute="*"))
def send_due_deliveries_task() -> None:
    deliveries_send_due()
