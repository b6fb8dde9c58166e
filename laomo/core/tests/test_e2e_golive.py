"""Going live in the browser (issue 13): a clean start → the first-login checklist → import a lecture ledger
through the pages → the year's figures on the reports page."""

import pytest

from conftest import make_user
from laomo.orgs.roles import Role
from laomo.outreach.models import Lecture

from .e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from .e2e_fixtures import assert_nothing_from_outside, login
from .ledgers import PEOPLE, register_people, write_ledger

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = ["序号", "宣讲时间", "宣讲人", "宣讲主题", "宣讲地点", "宣讲对象", "县(市、区)", "受众(人)"]


def test_it_goes_live_imports_a_lecture_ledger_and_shows_the_years_figures(page, context, live_server, orgs,
                                                                             tmp_path):
    # A go-live start: the org tree only, a city clerk's account, the roster in the registry.
    make_user("e_city", Role.CITY_STAFF, orgs["331100"])
    register_people(orgs)
    zhang, li, chen = PEOPLE[0], PEOPLE[1], PEOPLE[2]
    ledger = write_ledger(tmp_path, "2023年宣讲台账", "2023年劳模宣讲台账", HEADER, [
        [1, "2023-03-05", zhang[0], "劳模精神进校园", "丽水中学", "学校", zhang[2], 300],
        [2, "2023年5月1日", f"{zhang[0]}、{li[0]}", "工匠故事分享", "某某村文化礼堂", "", "莲都", 80],
        [3, "2023.06.18", chen[0], "安全生产", "青田县人民医院", "医院", chen[2], 120],
        [4, "2023-02-30", zhang[0], "日期不存在", "市政府", "机关", zhang[2], 10],
        [5, "2023-07-01", "王芳", "同名两人", "青田中学", "学校", "青田县", 50],
    ])

    login(page, live_server, "e_city")
    page.get_by_test_id("golive-pending").get_by_role("link").first.click()
    steps = page.get_by_test_id("golive-steps")
    assert steps.locator("[data-step=imports]").get_attribute("data-done") == "1"
    ledgers = steps.locator("[data-step=ledgers]")
    assert ledgers.get_attribute("data-done") == "0" and "可选" in ledgers.inner_text()
    ledgers.get_by_role("link", name="前往").click()

    page.get_by_test_id("import-kind-lectures").get_by_role("link", name="导入", exact=True).click()
    page.set_input_files("input[type=file]", str(ledger))
    page.get_by_test_id("upload").click()
    page.locator("h1", has_text="预检结果").wait_for()  # the job page goes on to the result by itself
    assert "读取文件" in page.get_by_test_id("import-phases").inner_text()
    assert page.get_by_test_id("created").inner_text() == "3"
    errors = page.get_by_test_id("import-errors").inner_text()
    assert "第 8 行" in errors and "不存在" in errors
    assert "第 9 行" in errors and "王芳" in errors and "有多名" in errors
    assert not Lecture.objects.exists()  # a preview writes nothing

    page.get_by_test_id("commit").click()
    page.locator("h1", has_text="导入完成").wait_for()
    assert Lecture.objects.count() == 3

    page.goto(f"{live_server.url}/reports/?year=2023&org=331100")
    lectures = page.locator("tr[data-metric='outreach.lectures'] td").first
    assert lectures.inner_text().strip() == "3"
    audience = page.locator("tr[data-metric='outreach.audience'] td").first
    assert audience.inner_text().strip().replace(",", "") == "500"
    assert_nothing_from_outside(context)
