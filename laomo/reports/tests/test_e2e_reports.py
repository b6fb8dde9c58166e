"""Browser flow: the reports workspace → switch unit → click a figure → the records → download the annual report."""

from datetime import date

import pytest
from docx import Document

from conftest import make_user
from laomo.core.tests.e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from laomo.core.tests.e2e_fixtures import assert_nothing_from_outside, login
from laomo.orgs.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_goes_from_the_workspace_to_the_records_and_the_report(page, context, live_server, orgs, tmp_path):
    from laomo.outreach.tests.factories import lecture, make_worker

    make_user("e_city", Role.CITY_STAFF, orgs["331100"])
    ld, qy = orgs["331102"], orgs["331126"]
    speaker = make_worker(ld, "张宣讲")
    for day, venue, audience in ((date(2022, 3, 1), "school", 300), (date(2022, 5, 4), "agency", 120)):
        lecture(ld, day=day, speakers=[speaker], venue_type=venue, audience=audience, title=f"{venue}宣讲")
    lecture(qy, day=date(2022, 6, 1), speakers=[make_worker(qy, "叶长文")], venue_type="village", audience=60)

    login(page, live_server, "e_city")
    page.goto(f"{live_server.url}/reports/?year=2022")
    row = page.locator('[data-testid=summary-table] tr[data-metric="outreach.lectures"]')
    assert row.locator("td").first.inner_text() == "3"

    # switch to 莲都区: its total is its own lectures
    page.get_by_label("单位", exact=True).select_option("331102")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**/reports/?**org=331102**")
    row = page.locator('[data-testid=summary-table] tr[data-metric="outreach.lectures"]')
    assert row.locator("td").first.inner_text() == "2"

    # click the figure: the records behind it, the same count
    row.locator("td").first.get_by_role("link").click()
    page.wait_for_url("**/reports/records/**")
    assert page.get_by_test_id("records-count").inner_text() == "2"
    table = page.get_by_test_id("records-table").inner_text()
    assert "school宣讲" in table and "agency宣讲" in table and "村" not in table

    # back to the workspace and download the annual report (a job, then its file)
    page.go_back()
    page.get_by_role("button", name="年度工作总结(Word)").click()
    page.wait_for_url("**/core/jobs/**")
    page.locator("[data-testid=job-status][data-status=done]").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").click()
    path = tmp_path / "report.docx"
    download.value.save_as(path)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "莲都区总工会2022年劳模工作总结" in text and "全年开展宣讲2场,受众420人次" in text
    assert_nothing_from_outside(context)
