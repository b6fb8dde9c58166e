"""The pages work under the Content-Security-Policy: charts, confirms, htmx, the API docs.

The shared browser guard (browser.guard_outside_requests) records every console message about the
policy, so each browser test of the suite fails on a page that needs inline code; these tests add the
pieces no flow test touches and prove the guard itself catches a violation.
"""

import pytest

from conftest import make_user
from laomo.core.actors import SYSTEM
from laomo.orgs.roles import Role

from .e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from .e2e_fixtures import assert_nothing_from_outside, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_catches_a_violation(page, context, live_server, orgs):
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("""() => {
        const style = document.createElement('style');
        style.textContent = 'body { color: red; }';
        document.head.appendChild(style);
    }""")
    page.wait_for_timeout(200)
    assert any("CSP violation" in entry for entry in context.outside_requests), context.outside_requests


def test_it_serves_the_api_docs_under_the_policy(page, context, live_server, orgs):
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() > 10
    page.locator(".swagger-ui .opblock-summary").first.click()
    page.locator(".swagger-ui .opblock-body").first.wait_for()
    assert_nothing_from_outside(context)


def test_it_draws_charts_with_tooltips_and_asks_before_acting(page, context, live_server, orgs):
    from laomo.workers.services import worker_create

    make_user("e_csp", Role.CITY_STAFF, orgs["331100"])
    worker_create(actor=SYSTEM, org=orgs["331102"], name="王五", id_number="331102196503120016")
    login(page, live_server, "e_csp")
    chart = page.locator(".lm-chart[data-rendered]").first
    chart.wait_for()
    # sweep the mouse over the plot: ECharts' HTML tooltips (style= markup) would be refused here
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    for step in range(1, 10):
        page.mouse.move(box["x"] + box["width"] * step / 10, box["y"] + box["height"] / 2)
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)

    # the year select submits itself (data-autosubmit)
    year = page.locator("select.lm-year")
    options = year.locator("option").all_inner_texts()
    if len(options) > 1:
        with page.expect_navigation():
            year.select_option(index=1 if year.input_value() != options[1][:4] else 0)

    # the full export asks first (data-confirm); declining stays on the page
    page.goto(f"{live_server.url}/workers/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("link", name="导出(完整)").click()
    page.wait_for_timeout(300)
    assert page.url.startswith(f"{live_server.url}/workers/") and "/core/jobs/" not in page.url
    assert_nothing_from_outside(context)
