"""The current request's client IP, so services can audit it without taking the request."""

import contextvars

_ip = contextvars.ContextVar("laomo_client_ip", default=None)


def client_ip(request) -> str | None:
    # Behind a reverse proxy, the proxy must set REMOTE_ADDR correctly (e.g. via its PROXY protocol
    # or a trusted X-Forwarded-For handled by the proxy count setting); never trust the header blindly.
    return request.META.get("REMOTE_ADDR") or None


def current_ip() -> str | None:
    return _ip.get()


def set_current_ip(value):
    return _ip.set(value)


def reset_current_ip(token):
    _ip.reset(token)
