from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .actors import PUBLIC, SYSTEM
from .scope import ensure_org_in_scope


def has_capability(user, capability: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(f"core.{capability}"))


def _ensure_actor(actor) -> None:
    if actor is None:
        raise TypeError("actor is required: pass the user, or laomo.core.actors.SYSTEM / PUBLIC")


def require_capability(actor, capability: str, what: str = "此项业务") -> None:
    """The actor holds `capability` (SYSTEM always does, PUBLIC never), else a Chinese PermissionDenied."""
    _ensure_actor(actor)
    if actor is SYSTEM:
        return
    if actor is PUBLIC or not has_capability(actor, capability):
        raise PermissionDenied(f"您没有维护{what}的权限。")


def require_edit(actor, org, what: str = "此项业务", *, capability: str = "edit_business") -> None:
    """The one edit check of the business modules: the capability, then `org` within the actor's scope.

    `what` names the business in the refusal (您没有维护关爱慰问业务的权限。). SYSTEM passes; PUBLIC and
    users without the capability are refused; a unit outside the actor's data scope is refused by
    `ensure_org_in_scope` (audited by SessionPolicyMiddleware once the transaction has rolled back).
    """
    require_capability(actor, capability, what)
    if actor is SYSTEM:
        return
    ensure_org_in_scope(actor, org)


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
