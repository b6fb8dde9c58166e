from laomo.orgs.twofactor import needs_second_factor

from .navigation import nav_for
from .selectors import unread_count
from .years import selected_year, year_choices


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    pending = needs_second_factor(user) and not user.is_verified()  # no menu before the second factor
    return {
        "nav_items": [] if pending else nav_for(user, request.path),
        "unread_notifications": 0 if pending else unread_count(user=user),
        "selected_year": selected_year(request),
        "year_choices": year_choices(),
    }
