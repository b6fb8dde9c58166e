"""Browser tests of the main flows (Playwright driving Debian chromium against live_server).

Every test guards the browser context: no page may request anything from outside the server.
"""

import pytest

from conftest import PASSWORD, make_user
from laomo.orgs.roles import Role

from .browser import guard_outside_requests, totp
from .e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from .e2e_fixtures import assert_nothing_from_outside, login

# transaction=True: the live server thread must see the test's data.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_logs_in_shows_dashboard_and_logs_out(page, context, live_server, orgs):
    make_user("e_liandu", Role.COUNTY_STAFF, orgs["331102"])
    login(page, live_server, "e_liandu")

    assert page.url.rstrip("/") == live_server.url
    assert page.get_by_role("heading", name="工作台").is_visible()
    assert "莲都区总工会" in page.locator(".lm-topbar").inner_text()
    page.screenshot(path="/tmp/laomo_dashboard.png", full_page=True)

    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    assert page.get_by_label("用户名", exact=True).is_visible()
    assert page.locator("[data-testid=logout]").count() == 0
    assert_nothing_from_outside(context)


def test_it_locks_out_after_five_wrong_passwords(page, context, live_server, orgs):
    from laomo.core.models import AuditEntry

    make_user("e_lock", Role.COUNTY_STAFF, orgs["331102"])
    for _ in range(5):
        login(page, live_server, "e_lock", "wrong-password-1")
    # the five wrong passwords are audited, and the fifth locks the account
    assert AuditEntry.objects.filter(action="auth.session.login_failed", actor_username="e_lock").count() == 5
    assert AuditEntry.objects.filter(action="auth.account.lock", actor_username="e_lock").exists()

    login(page, live_server, "e_lock", PASSWORD)  # the right password no longer helps
    locked = page.get_by_test_id("locked-out")
    assert locked.is_visible()
    assert "账号已临时锁定" in locked.inner_text()
    assert page.locator("[data-testid=logout]").count() == 0  # not logged in
    assert_nothing_from_outside(context)


def test_it_refuses_another_countys_report_and_system_pages(page, context, live_server, orgs):
    make_user("e_scope", Role.COUNTY_STAFF, orgs["331102"])
    login(page, live_server, "e_scope")

    response = page.goto(f"{live_server.url}/reports/?org=331126")
    assert response.status == 403
    assert page.get_by_role("heading", name="无权访问").is_visible()
    assert "庆元" not in page.locator("main").inner_text()

    response = page.goto(f"{live_server.url}/reports/?org=331102")
    assert response.status == 200
    assert "莲都区总工会" in page.locator("h1").inner_text()

    response = page.goto(f"{live_server.url}/system/users/")
    assert response.status == 403
    assert page.get_by_role("heading", name="无权访问").is_visible()
    assert_nothing_from_outside(context)


def test_it_makes_sysadmin_set_up_two_factor(page, context, live_server, orgs):
    make_user("e_admin", Role.SYSADMIN, orgs["331100"])
    login(page, live_server, "e_admin")
    assert page.url.startswith(f"{live_server.url}/accounts/2fa/setup/")

    # without the second factor the user list is out of reach: back to the set-up page
    page.goto(f"{live_server.url}/system/users/")
    assert page.url.startswith(f"{live_server.url}/accounts/2fa/setup/")
    secret = page.get_by_test_id("otp-secret").inner_text()
    page.get_by_label("动态验证码").fill(totp(secret))
    page.get_by_role("button", name="验证并绑定").click()
    page.wait_for_load_state()

    assert "/accounts/2fa/" not in page.url
    assert page.locator("#lm-nav .nav-link", has_text="用户管理").first.is_visible()
    assert page.get_by_role("heading", name="无权访问").count() == 0
    assert_nothing_from_outside(context)


def test_it_fits_the_dashboard_on_a_phone(browser, live_server, orgs):
    make_user("e_worker", Role.WORKER, orgs["331126"])
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    try:
        context.set_default_timeout(10_000)
        context.outside_requests = guard_outside_requests(context, live_server.url)
        page = context.new_page()
        login(page, live_server, "e_worker")

        assert page.get_by_role("heading", name="工作台").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375 + 1, f"horizontal scroll on a phone: scrollWidth={width}"
        assert_nothing_from_outside(context)
    finally:
        context.close()
