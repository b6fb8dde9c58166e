from django.db import transaction
from django.utils import timezone

from laomo.core import audit
from laomo.core.prepared import PreparedQuery
from laomo.orgs.models import permission_names, role_names

from .models import ApiToken, hash_token

# The token's row with its user and the user's org, compiled once (laomo.core.prepared); key_hash is unique,
# so at most one row, fetched without first()'s ORDER BY. Run on every API request. Of the token, only what
# the check reads (its id, user and last use): the token object never leaves api_token_authenticate, and
# fewer columns are fewer values to convert (issue 16). The user and their org are whole: the user is
# request.user. The user's roles' and permissions' names come along (`role_names`, `permission_names`): every
# API call checks a role, most a capability.
_ACTIVE_TOKEN = PreparedQuery(
    lambda key_hash: ApiToken.objects.select_related("user", "user__org").annotate(
        role_names_json=role_names("user_id"), permission_names_json=permission_names("user_id")).filter(
        key_hash=key_hash, revoked_at__isnull=True).defer("name", "key_hash", "prefix", "created_at", "revoked_at"),
    "",
)


@transaction.atomic
def api_token_create(*, actor, user, name: str = "") -> tuple[ApiToken, str]:
    raw = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:10])
    audit.record(actor=actor, action="api.token.create", obj=token, org=user.org,
                 object_repr=f"{user.username} {token.prefix}…", changes={"user": user.username, "name": name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="api.token.revoke", obj=token, org=token.user.org,
                 object_repr=f"{token.user.username} {token.prefix}…")
    return token


def api_token_authenticate(raw: str):
    """The active user of a token, or None. Touches last_used_at at most once a minute."""
    # Read from the database on every request: a revoked token or a disabled user is refused at once.
    found = _ACTIVE_TOKEN.objects(hash_token(raw))
    token = found[0] if found else None
    if token is None or not token.user.is_active:
        return None
    token.user.role_names_json = token.role_names_json
    token.user.permission_names_json = token.permission_names_json
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
