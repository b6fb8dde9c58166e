from django.utils import timezone

FIRST_YEAR = 2019  # the association was founded in December 2019
MIN_YEAR = 1949  # the earliest year a record (an honor, a report) may carry
YEARS_AHEAD = 10  # plans (retreat batches, campaigns) are made some years ahead


def max_year() -> int:
    """The latest year a page or the API accepts."""
    return current_year() + YEARS_AHEAD


def year_in_range(year: int) -> bool:
    """The one valid range of years, for pages (`parse_year`) and the API (`laomo.api.common.Year`)."""
    return MIN_YEAR <= year <= max_year()


def current_year() -> int:
    return timezone.localdate().year


def year_choices() -> list[int]:
    return list(range(current_year(), FIRST_YEAR - 1, -1))


def parse_year(value, default: int | None = None) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if year_in_range(year) else default


def selected_year(request) -> int:
    """The year the user is looking at: ?year= wins, then the session, then this year."""
    year = parse_year(request.GET.get("year"))
    if year is not None:
        return year
    return parse_year(request.session.get("year"), current_year())
