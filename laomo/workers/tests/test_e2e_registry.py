"""Browser flow of the registry: upload → preview errors → commit → find by pinyin → reveal ID (audited)."""

import re

import pytest
from openpyxl import Workbook

from conftest import make_user
from laomo.core.tests.e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from laomo.core.tests.e2e_fixtures import assert_nothing_from_outside, login
from laomo.orgs.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _messy_roster(path):
    wb = Workbook()
    ws = wb.active
    ws.append(["莲都区劳动模范名册"])
    ws.merge_cells("A1:F1")
    ws.append(["填报单位:莲都区总工会"])
    ws.append(["序号", "姓名", "身份证号码", "所属地区", "荣誉称号", "获评时间"])
    ws.append([1, "张三丰", "331102196503120016", "莲都", "浙江省劳动模范", "2015年"])
    ws.append([2, "李四", "331102197001010013", "莲都区", "丽水市劳动模范", "2015.04"])  # wrong check digit
    ws.append([3, "王五", "", "丽水市莲都区", "优秀共产党员", "2016"])  # unknown honor
    ws.append(["合计", "3人"])
    wb.save(path)


def test_it_imports_finds_and_reveals(page, context, live_server, orgs, tmp_path):
    from laomo.core.models import AuditEntry
    from laomo.workers.models import Worker

    make_user("e_clerk", Role.COUNTY_STAFF, orgs["331102"])
    roster = tmp_path / "名册.xlsx"
    _messy_roster(roster)
    login(page, live_server, "e_clerk")

    page.goto(f"{live_server.url}/workers/import/")
    page.set_input_files("input[type=file]", str(roster))
    page.get_by_test_id("upload").click()
    page.locator("h1", has_text="预检结果").wait_for()  # the job page goes on to the result by itself

    errors = page.get_by_test_id("import-errors").inner_text()
    assert "第 5 行" in errors and "校验位错误" in errors
    assert "第 6 行" in errors and "优秀共产党员" in errors
    assert page.get_by_test_id("created-workers").inner_text() == "1"
    assert Worker.objects.count() == 0  # a preview writes nothing

    page.get_by_test_id("commit").click()
    page.locator("h1", has_text="导入完成").wait_for()
    assert Worker.objects.filter(name="张三丰").exists()

    page.goto(f"{live_server.url}/workers/")
    page.get_by_placeholder("姓名/拼音/首字母/身份证号/单位").fill("zsf")
    page.locator("[data-testid=worker-table] a", has_text="张三丰").click()
    page.wait_for_url(re.compile(r".*/workers/\d+/$"))
    assert "3311**********0016" in page.locator("main").inner_text()
    page.get_by_test_id("reveal-id_number").click()
    assert page.get_by_test_id("revealed-id_number").inner_text() == "331102196503120016"
    assert AuditEntry.objects.filter(action="core.pii.reveal", actor_username="e_clerk").exists()
    assert_nothing_from_outside(context)
