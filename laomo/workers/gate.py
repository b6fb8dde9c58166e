"""The rule of 报送→审核: who must submit a change of the registry for review, and who reviews it.

A unit with `registry_review` on (the city) reviews the changes of the units below it: their staff's new
workers, changes, honors and imports become submissions (`workers.review`) and reach the registry only when a
user with the capability `review_registry` approves them. The registry's services refuse a direct write from
anyone else (`require_registry_write`), except while a submission is being checked (`validating`: the
service runs in a savepoint that is rolled back, so the county sees the same errors the approval would).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied

from laomo.core.actors import SYSTEM
from laomo.core.permissions import has_capability
from laomo.orgs.models import OrgUnit

_VALIDATING: ContextVar[bool] = ContextVar("laomo_registry_validating", default=False)

MUST_SUBMIT = "本单位的劳模信息变更须报送上级审核,请通过“报送审核”提交。"


def review_applies(org) -> bool:
    """True when a unit above `org` reviews its registry changes."""
    above = OrgUnit.ids_on_path(org.path)[:-1] if org is not None else []
    return bool(above) and OrgUnit.objects.filter(pk__in=above, registry_review=True).exists()


def is_reviewer(actor) -> bool:
    return actor is SYSTEM or has_capability(actor, "review_registry")


def needs_review(actor, org) -> bool:
    """True when `actor`'s change to `org`'s registry must go through a submission."""
    return not is_reviewer(actor) and review_applies(org)


def require_registry_write(actor, org) -> None:
    if _VALIDATING.get():
        return
    if needs_review(actor, org):
        raise PermissionDenied(MUST_SUBMIT)


@contextmanager
def validating():
    token = _VALIDATING.set(True)
    try:
        yield
    finally:
        _VALIDATING.reset(token)
