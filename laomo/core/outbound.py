"""Compatibility: the single outbound hook of earlier versions is now the channels of `core.channels`.

`send_outbound` queues the same deliveries `notify` makes (every configured channel, the generic webhook of
`LAOMO_NOTIFY_WEBHOOK_URL` among them) for users given by id; prefer `core.services.notify`."""

from django.contrib.auth import get_user_model

from .deliveries import deliveries_create


def send_outbound(*, recipients: list[int], text: str, url: str = "") -> bool:
    users = list(get_user_model().objects.filter(pk__in=recipients, is_active=True))
    return bool(deliveries_create(users=users, text=text, url=url))
