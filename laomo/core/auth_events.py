"""Audit of authentication events (等保2.0 8.1.4.3, ASVS 16.3).

These are the one place the audit is written from signal receivers: logins happen inside Django's
and axes' authentication machinery, which exposes them only as signals.
"""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .request_context import client_ip


def _ip(request):
    return client_ip(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="laomo_audit_login")
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # The login writes the session anyway: it starts the absolute lifetime and counts as the first
        # renewal of the idle timeout (SessionPolicyMiddleware), so the first page after it writes nothing.
        request.session["login_at"] = request.session["renewed_at"] = int(time.time())
    audit.record(actor=user, action="auth.session.login", obj=user, org=user.org, ip=_ip(request))


@receiver(user_logged_out, dispatch_uid="laomo_audit_logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action="auth.session.logout", obj=user, org=user.org, ip=_ip(request))


def _already_locked(request, credentials) -> bool:
    """Was the account locked before this attempt? (Runs before axes counts the attempt.)"""
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, credentials)


@receiver(user_login_failed, dispatch_uid="laomo_audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    if request is not None and _already_locked(request, credentials):
        # An attempt while the lockout lasts: refused without checking the password.
        audit.record(action="auth.session.locked_attempt", username=username, object_type="orgs.user",
                     object_repr=username, result="denied", ip=_ip(request))
        return
    audit.record(action="auth.session.login_failed", username=username, object_type="orgs.user", object_repr=username,
                 result="failure", ip=_ip(request))


# Imported after the login-failure receiver is connected, so that receiver runs before axes' own
# (which marks the request locked out on the failure that reaches the limit).
from axes.signals import user_locked_out  # noqa: E402


@receiver(user_locked_out, dispatch_uid="laomo_audit_lockout")
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit.record(action="auth.account.lock", username=username or "", object_type="orgs.user",
                 object_repr=username or "", result="denied", ip=ip_address or _ip(request),
                 changes={"reason": "连续登录失败,账号已临时锁定"})
