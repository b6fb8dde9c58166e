"""Django's ModelBackend with two fewer queries on every request (issue 16); the same users and permissions.

- `get_user` (AuthenticationMiddleware, on every request with a session) loads the user with their org unit,
  which the shell, the data scope and most pages read next (one query instead of two).
- `get_all_permissions` (behind `has_perm`, hence every capability check) reads the user's own and their
  groups' permissions in one query instead of two; a superuser still has every permission. Cached on the
  user object for the request, as Django's is.
"""

from django.contrib.auth import backends
from django.contrib.auth.models import Permission
from django.db.models import Q

from .models import User


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("org").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                return super().get_all_permissions(user_obj)
            rows = (Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
                    .values_list("content_type__app_label", "codename").order_by().distinct())
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
