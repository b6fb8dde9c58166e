from django.utils import timezone

FIRST_YEAR = 2019  # the association was founded in December 2019
MIN_YEAR, MAX_YEAR = 1900, 9998  # what a query may ask for: date(year - 1, 1, 1) and date(year + 1, 1, 1) exist


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


def ensure_year(year: int) -> int:
    """`year` if dates can be made from it (1900..9999), else a ValidationError (Chinese).

    Selectors that turn a year into dates call this: a year from an API query (-1, 99999999999) is then
    a 422 with the API's error shape instead of a ValueError or OverflowError from `date()`. The range
    is wide on purpose: lists are filtered by planned future years too (a recuperation batch in 2030).
    """
    from django.core.exceptions import ValidationError

    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": f"年份应在 {MIN_YEAR} 至 {MAX_YEAR} 之间。"})
    return year
