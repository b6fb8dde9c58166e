"""Browser flow of 文件下发: the city publishes a notice to three counties → two counties' staff open and confirm
it → the city's receipt table shows 已确认 2 and one unit 未确认 (and its 未确认 filter shows that unit alone)."""

import pytest

from conftest import make_user
from laomo.core.tests.browser import guard_outside_requests
from laomo.core.tests.e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from laomo.core.tests.e2e_fixtures import assert_nothing_from_outside, login
from laomo.orgs.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
COUNTIES = {"331102": ("e_liandu", "莲都区总工会"), "331126": ("e_qingyuan", "庆元县总工会"),
            "331181": ("e_longquan", "龙泉市总工会")}


def confirm_as(browser, live_server, username, title):
    ctx = browser.new_context(locale="zh-CN")
    ctx.set_default_timeout(10_000)
    ctx.outside_requests = guard_outside_requests(ctx, live_server.url)
    page = ctx.new_page()
    login(page, live_server, username)
    page.goto(f"{live_server.url}/notices/inbox/")
    assert page.get_by_test_id("inbox-unread").inner_text() == "1"
    page.get_by_role("link", name=title).click()
    page.wait_for_load_state()
    assert "第二段" in page.get_by_test_id("notice-body").inner_text()
    page.get_by_test_id("notice-confirm").click()
    page.wait_for_load_state()
    assert "确认收到" in page.get_by_test_id("receipt-state").inner_text()
    assert_nothing_from_outside(ctx)
    ctx.close()


def test_it_shows_one_unit_unconfirmed_after_two_confirm(page, context, browser, live_server, orgs):
    make_user("e_city", Role.CITY_STAFF, orgs["331100"], full_name="王敏")
    for code, (username, _name) in COUNTIES.items():
        make_user(username, Role.COUNTY_STAFF, orgs[code], full_name=f"{username}员")
    title = "关于进一步落实劳动模范待遇的通知"

    login(page, live_server, "e_city")
    page.goto(f"{live_server.url}/notices/")
    page.get_by_test_id("notice-new").click()
    page.get_by_label("标题").fill(title)
    page.get_by_label("文号").fill("丽劳协〔2022〕5号")
    page.get_by_label("类别").select_option("policy")
    page.get_by_label("正文").fill("第一段\n第二段")
    for _username, name in COUNTIES.values():
        page.get_by_label(name, exact=True).check()
    page.locator("#id_attachments").set_input_files(
        files=[{"name": "待遇落实办法.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
    page.get_by_test_id("notice-save-publish").click()
    page.wait_for_url("**/notices/*/")
    detail_url = page.url
    assert "3 个单位,已确认 0,未读 3" in page.get_by_test_id("receipt-counts").inner_text()
    assert "待遇落实办法.pdf" in page.get_by_test_id("attachments").inner_text()

    confirm_as(browser, live_server, "e_liandu", title)
    confirm_as(browser, live_server, "e_qingyuan", title)

    page.goto(detail_url)
    assert "3 个单位,已确认 2,未读 1" in page.get_by_test_id("receipt-counts").inner_text()
    assert "已确认" in page.get_by_test_id("receipt-331102").inner_text()
    assert "e_liandu员" in page.get_by_test_id("receipt-331102").inner_text()
    assert "未确认" in page.get_by_test_id("receipt-331181").inner_text()
    page.get_by_test_id("filter-unconfirmed").click()
    page.wait_for_load_state()
    rows = page.get_by_test_id("receipt-table").inner_text()
    assert "龙泉市总工会" in rows and "莲都区总工会" not in rows
    page.get_by_test_id("notice-remind").click()
    page.wait_for_load_state()
    assert "已提醒 1 个未确认单位" in page.locator("body").inner_text()
    assert_nothing_from_outside(context)
