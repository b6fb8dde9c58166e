from django.utils import timezone

FIRST_YEAR = 2019  # the association was founded in December 2019


def current_year() -> int:
    return timezone.localdate().year


def year_choices() -> list[int]:
    return list(range(current_year(), FIRST_YEAR - 1, -1))


def parse_year(value, default: int | None = None) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 1949 <= year <= current_year() + 1 else default


def selected_year(request) -> int:
    """The year the user is looking at: ?year= wins, then the session, then this year."""
    year = parse_year(request.GET.get("year"))
    if year is not None:
        return year
    return parse_year(request.session.get("year"), current_year())
