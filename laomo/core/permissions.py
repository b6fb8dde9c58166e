from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def has_capability(user, capability: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(f"core.{capability}"))


def capability_required(*capabilities: str):
    """Login required, and at least one of the capabilities (a 403, audited, otherwise)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(has_capability(request.user, c) for c in capabilities):
                raise PermissionDenied("您没有访问此页面的权限。")
            return view(request, *args, **kwargs)

        wrapped.laomo_capabilities = capabilities
        return wrapped

    return decorator


def public_view(view):
    """Mark a view of the public portal (no login); the role matrix checks it never errors."""
    view.laomo_public = True
    return view
