"""Years outside 1949..next year in API queries (issue 11 item 8, found again by schemathesis): an error in
the API's JSON shape, never a 500 from `date()` (ValueError, OverflowError)."""

import pytest
from django.core.exceptions import ValidationError

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.tests.test_role_matrix import fixtures  # noqa: F401
from laomo.core.years import current_year, ensure_year

URLS = ["/api/v1/reports/summary", "/api/v1/lectures", "/api/v1/pre-shift-sessions", "/api/v1/media-items",
        "/api/v1/studios", "/api/v1/studios/figures", "/api/v1/mentorships", "/api/v1/tech-help",
        "/api/v1/retreat-batches", "/api/v1/retreat-applications", "/api/v1/retreat-surveys"]


def test_it_refuses_years_dates_cannot_be_made_from_in_chinese():
    assert ensure_year(2022) == 2022 and ensure_year(current_year() + 5) == current_year() + 5  # planned batches
    for year in (-1, 0, 1899, 9999, 99999999999):
        with pytest.raises(ValidationError) as exc:
            ensure_year(year)
        assert exc.value.message_dict["year"] == ["年份应在 1900 至 9998 之间。"]


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["-1", "99999999999", "-1077391831561"])
def test_it_answers_a_year_out_of_bounds_with_the_api_error_shape(client, fixtures, year):  # noqa: F811
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=SYSTEM, user=fixtures['users']['city_staff'])[1]}"}
    urls = [*URLS, f"/api/v1/studios/{fixtures['studio'].pk}"]
    client.raise_request_exception = False
    failures = []
    for url in urls:
        response = client.get(url, {"year": year}, **auth)
        if response.status_code >= 500 or (response.status_code >= 400 and set(response.json()) != {"message",
                                                                                                      "extra"}):
            failures.append(f"{url}?year={year}: {response.status_code}")
    assert not failures, failures
