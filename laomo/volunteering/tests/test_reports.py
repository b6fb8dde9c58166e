"""The volunteering figures on the dashboard."""

import pytest


@pytest.mark.django_db
def test_it_puts_the_person_times_chart_on_the_dashboard(clients):
    page = clients["city_staff"].get("/").content.decode()
    assert 'data-testid="dashboard-charts"' in page and "各类服务队服务人次(按月)" in page
    assert "vendor/echarts/echarts.min.js" in page
