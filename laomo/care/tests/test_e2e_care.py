"""Browser flow of 关爱劳模: create a campaign → generate recipients → record visits (inline refusal of paying
twice) → export the 发放表 → see the county chart. Nothing is requested from outside the server."""

from __future__ import annotations

import re

import openpyxl
import pytest
from django.utils import timezone

from conftest import make_user
from laomo.care import services
from laomo.care.models import CareVisit
from laomo.core.tests.e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from laomo.core.tests.e2e_fixtures import assert_nothing_from_outside, login
from laomo.orgs.roles import Role

from .factories import worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_runs_a_campaign_from_list_to_payment_sheet_and_chart(page, context, live_server, orgs, tmp_path):
    year = timezone.localdate().year
    make_user("e_city", Role.CITY_STAFF, orgs["331100"])
    a = worker(orgs["331102"], "叶长文", "provincial")
    b = worker(orgs["331126"], "范海菊", "municipal", account=False)
    worker(orgs["331181"], "范世法", "county")  # county level: not on a municipal-and-above list
    login(page, live_server, "e_city")

    page.goto(f"{live_server.url}/care/campaigns/new/")
    page.fill("#id_name", f"{year}年春节劳模走访慰问")
    page.select_option("#id_year", str(year))
    page.fill("#id_start_date", f"{year}-01-01")
    page.fill("#id_end_date", f"{year}-12-31")
    page.fill("#id_budget", "10000")
    page.fill("#id_fund_source", "市总工会劳模专项经费")
    page.get_by_test_id("save-campaign").click()
    page.wait_for_url(re.compile(r".*/care/campaigns/\d+/$"))

    page.get_by_test_id("generate").click()
    page.wait_for_load_state()
    assert "新增 2 人" in page.locator(".alert-success").inner_text()
    table = page.get_by_test_id("recipient-table")
    assert "叶长文" in table.inner_text() and "范海菊" in table.inner_text() and "范世法" not in table.inner_text()

    page.get_by_test_id(f"record-{a.worker_no}").click()
    page.wait_for_url("**/care/visits/new/**")
    assert page.input_value("#id_amount") == "1000.00"
    page.fill("#id_visitors", "市总工会 王敏")
    page.get_by_test_id("save-visit").click()
    page.wait_for_url(re.compile(r".*/care/campaigns/\d+/$"))
    assert "已发放 1,000.00" in page.get_by_test_id("recipient-table").inner_text()

    # Paying the same worker again is refused inline, before saving.
    campaign_id = CareVisit.objects.get().campaign_id
    page.goto(f"{live_server.url}/care/visits/new/?campaign={campaign_id}&worker={a.worker_no}")
    page.fill("#id_amount", "1000")
    page.locator("#id_amount").dispatch_event("change")
    page.get_by_text("不能重复发放").wait_for()
    assert CareVisit.objects.count() == 1

    # Cash for the worker without an account: the receipt must be signed.
    page.goto(f"{live_server.url}/care/visits/new/?campaign={campaign_id}&worker={b.worker_no}")
    assert page.input_value("#id_payment_method") == "cash"
    page.get_by_test_id("save-visit").click()
    page.get_by_text("现金发放须由劳模本人签收").first.wait_for()
    page.check("#id_receipt_signed")
    page.get_by_test_id("save-visit").click()
    page.wait_for_url(re.compile(r".*/care/campaigns/\d+/$"))
    assert services.campaign_paid_total(campaign_id) == 1500

    with page.expect_download() as download:
        page.get_by_test_id("export-sheet").click()
    path = tmp_path / "sheet.xlsx"
    download.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).active.values)
    assert rows[0][13] == "本人签名"
    assert {r[2]: r[7] for r in rows[1:-1]} == {"叶长文": 1000, "范海菊": 500}
    assert rows[-1][0] == "合计" and rows[-1][7] == 1500

    page.goto(f"{live_server.url}/care/ledger/?year={year}")
    page.locator("#county-chart[data-rendered='1'] canvas").wait_for()
    assert page.get_by_test_id("ledger-paid").inner_text() == "1,500.00"

    page.goto(f"{live_server.url}/")  # the dashboard's chart of money by county
    card = page.locator(".card", has_text=f"{year}年各单位慰问金(元)")
    card.locator("[data-chart][data-rendered='1'] canvas").wait_for()
    assert_nothing_from_outside(context)
