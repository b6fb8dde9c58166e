"""/api/v1 endpoints of 宣讲与宣传: lectures, media items (+ readings, pick-ups), 班前十分钟, campaigns, showcases.

Scoped by the token's user through the same selectors and services as the pages; one module a sub-domain, all
on one router (`laomo.outreach.api.router`), registered in this order."""

from . import campaigns, lectures, media, sessions, showcases  # noqa: F401  (each registers its operations)
from .common import router

__all__ = ["router"]
