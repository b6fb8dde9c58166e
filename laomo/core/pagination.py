"""List pagination without COUNT(*): fetch one row more than a page to know whether a next page exists."""

from django.db.models import QuerySet

# The deepest page a list serves. `?page=` is typed by anyone: a huge number would make an OFFSET past
# the database's 64-bit integers (OverflowError on SQLite, "bigint out of range" on PostgreSQL), so a
# page past this is empty without asking the database. 1M pages of 50 is far beyond any real list.
MAX_PAGE = 1_000_000


def page_of(qs: QuerySet, *, page: int, per_page: int = 50) -> tuple[list, bool]:
    page = max(1, page)
    if page > MAX_PAGE:
        return [], False
    rows = list(qs[(page - 1) * per_page: page * per_page + 1])
    return rows[:per_page], len(rows) > per_page


def parse_page(value) -> int:
    """A `page` parameter as a page number in 1..MAX_PAGE; garbage (text, '1e400', '') is page 1."""
    try:
        page = int(str(value).strip())
    except (TypeError, ValueError):  # int() also refuses digit strings longer than 4300 characters
        return 1
    return min(max(1, page), MAX_PAGE)


def page_number(request) -> int:
    return parse_page(request.GET.get("page", "1"))
