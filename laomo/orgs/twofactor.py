"""TOTP second factor (django-otp): available to everyone, required for the three administrators."""

from django.conf import settings
from django.db import transaction
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


def has_confirmed_device(user) -> bool:
    cache = getattr(user, "_laomo_has_totp", None)
    if cache is None:
        cache = bool(_CONFIRMED_DEVICE.rows(user.pk))
        user._laomo_has_totp = cache
    return cache


@transaction.atomic
def device_confirm(*, user, device: TOTPDevice, token: str) -> bool:
    """Bind a new device by its first code: confirmed and audited, or False for a wrong code."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
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
