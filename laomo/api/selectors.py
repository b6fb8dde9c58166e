from django.db.models import QuerySet

from .models import ApiToken


def api_token_list() -> QuerySet[ApiToken]:
    """Active tokens, for the security administrator (who sees no business data)."""
    return ApiToken.objects.filter(revoked_at__isnull=True).select_related("user").order_by("-created_at")
