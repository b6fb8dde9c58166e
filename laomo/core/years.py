from datetime import date

from django.core.exceptions import ValidationError
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


# What a query may ask for at all (`ensure_year`): date(year - 1, 1, 1) and date(year + 1, 1, 1) exist.
QUERY_MIN_YEAR, QUERY_MAX_YEAR = 1900, 9998


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


def ensure_year(year: int) -> int:
    """`year` if dates can be made from it (1900..9999), else a ValidationError (Chinese).

    Selectors that turn a year into dates call this: a year from an API query (-1, 99999999999) is then
    a 422 with the API's error shape instead of a ValueError or OverflowError from `date()`. The range
    is wide on purpose: lists are filtered by planned future years too (a recuperation batch in 2030).
    """
    if not isinstance(year, int) or not QUERY_MIN_YEAR <= year <= QUERY_MAX_YEAR:
        raise ValidationError({"year": f"年份应在 {QUERY_MIN_YEAR} 至 {QUERY_MAX_YEAR} 之间。"})
    return year


def check_year(value, field: str = "year", *, label: str = "年度") -> int:
    """A year typed into a form or sent to a service, in the one valid range (MIN_YEAR..max_year()),
    or a ValidationError keyed by `field`. Services use this instead of bounds of their own."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: f"请填写{label}。"})
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{label}应为四位数字年份。"})
    if not year_in_range(year):
        raise ValidationError({field: f"{label}应在 {MIN_YEAR} 至 {max_year()} 之间。"})
    return year


def year_dates(year: int) -> tuple[date, date]:
    """The first and last day of `year` (a year no date can be made from is a ValidationError, `ensure_year`)."""
    ensure_year(year)
    return date(year, 1, 1), date(year, 12, 31)


def years_dates(first: int, last: int | None = None) -> tuple[date, date]:
    """The first day of `first` and the last day of `last` (`first` when None): a run of years."""
    return year_dates(first)[0], year_dates(first if last is None else last)[1]
