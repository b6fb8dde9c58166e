"""Browser flow of 报送→审核 (issue 17): a county submits a new worker with an honor → the city returns it →
the county fixes it → the city approves → the registration card prints (screen, print media and PDF)."""

import re

import pytest

from conftest import make_user
from laomo.core.tests.e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from laomo.core.tests.e2e_fixtures import assert_nothing_from_outside, login
from laomo.orgs.roles import Role

from .factories import make_id

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_goes_from_county_submission_to_printed_card(browser, page, context, live_server, orgs):
    from laomo.orgs.models import OrgUnit
    from laomo.workers.models import Submission, Worker

    OrgUnit.objects.filter(code="331100").update(registry_review=True)
    make_user("e_county", Role.COUNTY_STAFF, orgs["331102"], full_name="李强")
    make_user("e_city", Role.CITY_STAFF, orgs["331100"], full_name="王敏")
    id_number = make_id("331102", "19720305", "264")

    # The county clerk registers a new model worker with her honor: the form submits it for review.
    login(page, live_server, "e_county")
    page.goto(f"{live_server.url}/workers/new/")
    page.get_by_label("姓名", exact=True).fill("钟秀兰")
    page.get_by_label("身份证号", exact=True).fill(id_number)
    page.get_by_label("工作单位", exact=True).fill("莲都医院")
    page.get_by_label("荣誉称号", exact=True).fill("丽水市劳动模范")
    page.get_by_label("获评年份", exact=True).select_option("2015")
    page.get_by_label("表彰文号", exact=True).fill("丽委〔2015〕8号")
    page.get_by_label("证书编号", exact=True).press("Tab")  # let the inline check of the last field settle
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("save-worker").click()
    page.wait_for_url(re.compile(r".*/workers/submissions/\d+/$"))
    assert page.get_by_test_id("submission-status").inner_text() == "待审核"
    submission_url = page.url
    assert not Worker.objects.filter(name="钟秀兰").exists()

    # The city returns it with the reason.
    city_context = browser.new_context(locale="zh-CN")
    city_context.set_default_timeout(10_000)
    city = city_context.new_page()
    login(city, live_server, "e_city")
    city.goto(f"{live_server.url}/workers/submissions/")
    city.get_by_test_id("submission-table").get_by_role("link", name=re.compile("钟秀兰")).click()
    city.wait_for_url(submission_url)
    assert "莲都医院" in city.get_by_test_id("submission-diff").inner_text()
    city.get_by_label("退回意见(必填,写明需要修改的内容)").fill("工作单位请写全称:丽水市莲都区人民医院")
    city.get_by_test_id("return").click()
    city.wait_for_load_state()
    assert city.get_by_test_id("submission-status").inner_text() == "已退回"

    # The county sees the reason, corrects the kept draft and submits again.
    page.reload()
    assert "丽水市莲都区人民医院" in page.get_by_test_id("return-comment").inner_text()
    page.get_by_test_id("revise").click()
    employer = page.get_by_label("工作单位", exact=True)
    assert employer.input_value() == "莲都医院"  # the draft as it was
    employer.fill("丽水市莲都区人民医院")
    employer.press("Tab")
    page.get_by_test_id("resubmit").click()
    page.wait_for_url(submission_url)
    assert page.get_by_test_id("submission-status").inner_text() == "待审核"

    # The city approves; the worker is in the registry with the honor, and the card prints.
    city.reload()
    city.get_by_test_id("approve").click()
    city.wait_for_load_state()
    assert city.get_by_test_id("submission-status").inner_text() == "已通过"
    worker = Worker.objects.get(name="钟秀兰")
    assert worker.employer == "丽水市莲都区人民医院" and worker.highest_level_rank == 2
    assert Submission.objects.get().rounds == 2
    log = city.get_by_test_id("submission-log").inner_text()
    assert "退回" in log and "修改后重新报送" in log and "审核通过" in log

    city.get_by_test_id("approved-card").click()
    city.wait_for_url(re.compile(rf".*/workers/{worker.pk}/card/$"))
    sheet = city.get_by_test_id("card-sheet")
    assert "钟秀兰" in sheet.inner_text() and "丽水市劳动模范" in sheet.inner_text()
    assert "丽委〔2015〕8号" in sheet.inner_text()
    city.emulate_media(media="print")
    assert city.locator(".lm-topbar").first.is_hidden()  # the shell is not printed, the sheet is
    assert sheet.is_visible()
    assert city.pdf(format="A4")[:4] == b"%PDF"
    city.emulate_media(media="screen")
    pdf_url = city.get_by_role("link", name="下载 PDF").get_attribute("href")
    response = city_context.request.get(f"{live_server.url}{pdf_url}")  # with the reviewer's session
    assert response.ok and response.body()[:4] == b"%PDF"

    # The worker's history names the clerk and the reviewer.
    city.goto(f"{live_server.url}/workers/{worker.pk}/history/")
    history = city.locator("main").inner_text()
    assert "登记建档" in history and "李强" in history and "王敏" in history
    city_context.close()
    assert_nothing_from_outside(context)
