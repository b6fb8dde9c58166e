from .navigation import nav_for
from .years import selected_year, year_choices


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": nav_for(user, request.path),
        "selected_year": selected_year(request),
        "year_choices": year_choices(),
    }
