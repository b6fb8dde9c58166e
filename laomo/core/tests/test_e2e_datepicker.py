"""Date fields are Chinese date pickers (issue 15, item 5): typed dates still work, the calendar is in Chinese."""

import pytest

from conftest import make_user
from laomo.orgs.roles import Role

from .e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from .e2e_fixtures import assert_nothing_from_outside, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_picks_a_date_from_a_chinese_calendar_and_keeps_typed_dates(page, context, live_server, orgs):
    make_user("e_dates", Role.CITY_STAFF, orgs["331100"])
    login(page, live_server, "e_dates")
    page.goto(f"{live_server.url}/care/campaigns/new/")
    start = page.locator("#id_start_date")
    # the browser's own control (mm/dd/yyyy in an English locale) is gone: a text field with a hint
    assert start.get_attribute("type") == "text"
    assert start.get_attribute("placeholder") == "年-月-日"
    start.fill("2022-01-10")
    assert start.input_value() == "2022-01-10"

    # the calendar button opens a Chinese calendar on the typed month; picking a day writes an ISO date
    page.locator(".lm-date", has=page.locator("#id_end_date")).get_by_role("button", name="选择日期").click()
    calendar = page.locator(".flatpickr-calendar.open")
    calendar.wait_for()
    assert "星期" in calendar.inner_html() or "周" in calendar.inner_text()
    calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)", has_text="15").first.click()
    end = page.locator("#id_end_date").input_value()
    assert len(end) == 10 and end[4] == "-" and end.endswith("-15"), end
    assert start.input_value() == "2022-01-10"  # the other field keeps what was typed
    assert_nothing_from_outside(context)
