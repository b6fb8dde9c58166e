"""TOTP second factor (django-otp): available to everyone, required for the three administrators."""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from laomo.core import audit
from laomo.core.prepared import PreparedQuery

# Asked on every page (the session policy and the menu): compiled once (laomo.core.prepared).
_CONFIRMED_DEVICE = PreparedQuery(
    lambda pk: TOTPDevice.objects.filter(user=pk, confirmed=True).values_list("pk")[:1], 0)


def needs_second_factor(user) -> bool:
    if has_confirmed_device(user):
        return True
    return bool(user.role_codes.intersection(settings.LAOMO_2FA_REQUIRED_ROLES))


def confirmed_device_with_user(user_ref: str = "pk") -> Exists:
    """Whether the user at `user_ref` (outer reference) has a confirmed device, to annotate as
    `confirmed_totp` on the session's user query: the session policy and the menu then need no query of
    their own (issue 16)."""
    return Exists(TOTPDevice.objects.filter(user=OuterRef(user_ref), confirmed=True))


def has_confirmed_device(user) -> bool:
    """Whether the user has a confirmed device: read with the user (`confirmed_device_with_user`) or by a
    query, then kept on the user for the request (`device_confirm` and the reset set it anew)."""
    cache = getattr(user, "_laomo_has_totp", None)  # getattr: request.user is a lazy object around the user
    if cache is None:
        loaded = getattr(user, "confirmed_totp", None)
        cache = bool(loaded) if loaded is not None else bool(_CONFIRMED_DEVICE.rows(user.pk))
        user._laomo_has_totp = cache
    return cache


@transaction.atomic
def device_confirm(*, user, device: TOTPDevice, token: str) -> bool:
    """Bind a new device by its first code: confirmed and audited, or False for a wrong code."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user._laomo_has_totp = True
    audit.record(actor=user, action="auth.otp.enroll", obj=user)
    return True


def device_verify(*, user, devices, token: str) -> TOTPDevice | None:
    """The device of `user` that accepts `token` (audited), or None (the failure audited)."""
    for device in devices:
        if device.verify_is_allowed()[0] and device.verify_token(token):
            audit.record(actor=user, action="auth.otp.verify", obj=user)
            return device
    audit.record(actor=user, action="auth.otp.fail", obj=user, result="failure")
    return None
