"""The lectures chart on the dashboard."""

import pytest


@pytest.mark.django_db
def test_it_puts_the_lectures_by_venue_chart_on_the_dashboard(clients):
    page = clients["county_staff"].get("/").content.decode()
    assert "各月宣讲场次(按场所)" in page and 'data-testid="dashboard-charts"' in page
