"""Reads of the public portal: nothing scoped, nothing personal beyond a masked phone."""

from laomo.orgs.models import OrgUnit
from laomo.volunteering.selectors import request_by_code, request_events  # noqa: F401


def public_orgs():
    """The units a member of the public can address a request to: the counties and the city level."""
    return (OrgUnit.objects.filter(kind__in=["county", "city_direct"], is_active=True)
            .select_related("parent").order_by("code"))
