from django.utils.safestring import mark_safe

from laomo.orgs.twofactor import needs_second_factor

from .forms import template_text
from .navigation import nav_for, nav_html
from .selectors import unread_count
from .years import selected_year, year_choices


class _Lazy:
    """A context value worked out when a template first reads it, then kept: Django's templates call a
    callable they read. A page that does not extend base.html (an htmx partial) pays nothing for the shell."""

    __slots__ = ("_compute", "_value")

    def __init__(self, compute):
        self._compute = compute
        self._value = None

    def __call__(self):
        if self._compute is not None:
            self._value = self._compute()
            self._compute = None
        return self._value


def _year_options(years: list[int], selected: int) -> str:
    """base.html's <option> loop over `year_choices` (the same text)."""
    return mark_safe("".join(
        f'<option value="{template_text(y)}"{" selected" if y == selected else ""}>{template_text(y)}年</option>'
        for y in years))


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # no menu before the second factor
    pending = _Lazy(lambda: needs_second_factor(user) and not user.is_verified())
    nav_items = _Lazy(lambda: [] if pending() else nav_for(user, request.path))
    selected = _Lazy(lambda: selected_year(request))
    years = _Lazy(year_choices)
    return {
        "nav_items": nav_items,
        "nav_html": _Lazy(lambda: nav_html(nav_items())),
        "unread_notifications": _Lazy(lambda: 0 if pending() else unread_count(user=user)),
        "selected_year": selected,
        "year_choices": years,
        "year_options": _Lazy(lambda: _year_options(years(), selected())),
    }
