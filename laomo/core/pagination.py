"""List pagination without COUNT(*): fetch one row more than a page to know whether a next page exists."""

from django.db.models import QuerySet


def page_of(qs: QuerySet, *, page: int, per_page: int = 50) -> tuple[list, bool]:
    page = max(1, page)
    rows = list(qs[(page - 1) * per_page: page * per_page + 1])
    return rows[:per_page], len(rows) > per_page


def page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
