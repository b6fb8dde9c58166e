"""TOTP second factor (django-otp): available to everyone, required for the three administrators."""

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice


def needs_second_factor(user) -> bool:
    if has_confirmed_device(user):
        return True
    return bool(user.role_codes.intersection(settings.LAOMO_2FA_REQUIRED_ROLES))


def has_confirmed_device(user) -> bool:
    cache = getattr(user, "_laomo_has_totp", None)
    if cache is None:
        cache = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        user._laomo_has_totp = cache
    return cache
