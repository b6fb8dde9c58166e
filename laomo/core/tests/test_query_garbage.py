"""Typed query parameters of every page (issue 11 item 8): `?page=` and `?year=` huge, negative or text
never make a server error. Pages are enumerated from the URL conf as in the role matrix, so a new page
is covered the day it is added."""

import pytest
from django.urls import reverse

from conftest import login_client
from laomo.core.pagination import MAX_PAGE, page_of, parse_page
from laomo.core.tests.test_role_matrix import EXEMPT, SAMPLE_KWARGS, fixtures, page_patterns  # noqa: F401
from laomo.core.years import max_year, parse_year

HUGE = "99999999999999999999999"


def _urls(f):
    for name, _pattern in page_patterns():
        if name not in EXEMPT:
            yield reverse(name, kwargs=SAMPLE_KWARGS[name](f) if name in SAMPLE_KWARGS else {})


def _server_errors(client, f, garbage: list[dict]) -> tuple[list[str], int]:
    client.raise_request_exception = False  # a 500 is an answer to record, not an exception to stop at
    failures, lists = [], 0
    for url in _urls(f):
        for params in garbage:
            response = client.get(url, params)
            if response.status_code >= 500:
                failures.append(f"GET {url} {params}: {response.status_code}")
            elif response.status_code == 200 and response.context is not None and "has_next" in response.context:
                lists += 1  # a list page: past its last page, so nothing further
                if response.context["has_next"]:
                    failures.append(f"GET {url} {params}: offers a page after page {response.context.get('page')}")
    return failures, lists


@pytest.mark.parametrize(("value", "page"), [
    ("1", 1), ("7", 7), (" 3 ", 3), ("０３", 3), ("0", 1), ("-3", 1), ("abc", 1), ("", 1), (None, 1), ("1e400", 1),
    ("2.5", 1), (HUGE, MAX_PAGE), ("9" * 5000, 1),
])
def test_it_parses_any_page_parameter_into_the_served_range(value, page):
    assert parse_page(value) == page


@pytest.mark.django_db
def test_it_answers_an_empty_page_past_the_deepest_page_without_asking_the_database(orgs):
    from laomo.orgs.models import OrgUnit

    qs = OrgUnit.objects.order_by("pk")
    assert page_of(qs, page=10**23) == ([], False)  # an OFFSET past 64 bits: OverflowError before
    assert page_of(qs, page=-5)[0][0] == qs.first()


@pytest.mark.parametrize("value", ["-1", "0", "1948", "99999999999", HUGE, "abc", "", None, str(max_year() + 1)])
def test_it_refuses_years_outside_the_bounds(value):
    assert parse_year(value) is None


@pytest.mark.django_db
def test_it_never_answers_a_server_error_to_a_huge_page_or_year_on_any_page(fixtures):  # noqa: F811
    client = login_client(fixtures["users"]["city_staff"])
    failures, lists = _server_errors(client, fixtures, [{"page": HUGE, "year": "99999999999"}])
    assert not failures, "\n".join(failures)
    assert lists >= 25  # the list pages of every module were reached (29 when written)


@pytest.mark.heavy
@pytest.mark.django_db
def test_it_never_answers_a_server_error_to_garbage_parameters_on_any_page(fixtures):  # noqa: F811
    garbage = [
        {"page": "9223372036854775808"}, {"page": "-3"}, {"page": "abc"}, {"page": "1e400"}, {"page": "0"},
        {"year": "-1"}, {"year": HUGE}, {"year": "abc"}, {"year": "0"},
        {"month": "13"}, {"month": HUGE}, {"quarter": "9"}, {"org": HUGE}, {"worker": HUGE},
        {"date_from": "99999-01-01"}, {"date_to": "0000-00-00"}, {"format": "xlsx", "page": HUGE},
    ]
    client = login_client(fixtures["users"]["city_staff"])
    failures, _ = _server_errors(client, fixtures, garbage)
    assert not failures, "\n".join(failures)
