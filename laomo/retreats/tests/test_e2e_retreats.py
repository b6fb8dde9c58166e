"""Browser flow of 疗休养: the city opens a batch → a worker applies on a phone → the county nominates another →
the city confirms → attendance → the survey from the link → the batch report and the summary change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import make_user
from laomo.core.tests.browser import guard_outside_requests
from laomo.core.tests.e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from laomo.core.tests.e2e_fixtures import assert_nothing_from_outside, login
from laomo.orgs.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


def phone_page(browser, live_server):
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(10_000)
    ctx.outside_requests = guard_outside_requests(ctx, live_server.url)
    return ctx, ctx.new_page()


def summary_value(page, live_server, year, metric):
    """The unit's total of one figure of the reports workspace (its row carries the summary key)."""
    page.goto(f"{live_server.url}/reports/?year={year}")
    return page.locator(f'[data-testid=summary-table] tr[data-metric="{metric}"] td').first.inner_text()


def test_it_runs_a_batch_from_application_to_survey(page, context, browser, live_server, orgs):
    from laomo.core.actors import SYSTEM
    from laomo.retreats import services
    from laomo.retreats.models import RetreatApplication
    from laomo.retreats.tests import factories as F
    from laomo.workers.models import Worker

    city, ld = orgs["331100"], orgs["331102"]
    make_user("e_city", Role.CITY_STAFF, city)
    make_user("e_liandu", Role.COUNTY_STAFF, ld)
    worker_user = make_user("e_zhang", Role.WORKER, ld)
    zhang = F.worker(ld, "张三丰", birth="19700101")
    Worker.objects.filter(pk=zhang.pk).update(user=worker_user)
    F.worker(ld, "李四光", birth="19650601")
    start = timezone.localdate() - timedelta(days=3)
    vendor = F.vendor(city, "丽水国旅")
    batch = services.batch_create(
        actor=SYSTEM, org=city, name="市级劳模疗休养第一批", destination="千岛湖", start_date=start,
        end_date=start + timedelta(days=2), vendor=vendor, capacity=5, cost_per_person=Decimal("2500.00"),
        budget=Decimal("12500.00"), leader_name="王敏", health_declaration_required=True,
        itinerary=[{"title": "丽水—千岛湖"}, {"title": "游船观光"}, {"title": "返程"}], quotas={ld: 3})
    year = start.year

    # The city opens the batch for applications.
    login(page, live_server, "e_city")
    assert summary_value(page, live_server, year, "retreats.participants") == "0"
    page.goto(f"{live_server.url}/retreats/batches/{batch.pk}/")
    page.get_by_test_id("to-open").click()
    page.wait_for_load_state()
    assert "报名中" in page.get_by_test_id("batch-status").inner_text()

    # A worker applies from a phone-sized screen.
    phone_ctx, phone = phone_page(browser, live_server)
    login(phone, live_server, "e_zhang")
    phone.goto(f"{live_server.url}/retreats/")
    phone.wait_for_url("**/retreats/my/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    phone.get_by_test_id(f"apply-{batch.pk}").click()
    assert "莲都区名额 已用 0/3" in phone.get_by_test_id("checks").inner_text()
    phone.get_by_test_id("submit-apply").click()  # without the health declaration first
    assert "本批次须本人作健康声明" in phone.get_by_test_id("apply-errors").inner_text()
    phone.locator("#id_health_declared").check()
    phone.get_by_label("饮食禁忌").fill("不吃辣")
    phone.get_by_test_id("submit-apply").click()
    phone.wait_for_url("**/retreats/my/")
    assert "待审核" in phone.locator("main").inner_text()

    # The county nominates another worker.
    county_ctx = browser.new_context(locale="zh-CN")
    county_ctx.set_default_timeout(10_000)
    county_ctx.outside_requests = guard_outside_requests(county_ctx, live_server.url)
    county = county_ctx.new_page()
    login(county, live_server, "e_liandu")
    county.goto(f"{live_server.url}/retreats/batches/{batch.pk}/")
    county.get_by_test_id("nominate").click()
    county.get_by_placeholder("姓名/拼音/首字母/单位").fill("lsg")
    county.get_by_test_id("choose-李四光").click()
    assert "荣誉级别符合" in county.get_by_test_id("checks").inner_text()
    county.get_by_label("一线/艰苦岗位").check()
    county.locator("#id_health_declared").check()
    county.get_by_test_id("submit-nomination").click()
    county.wait_for_url(f"**/retreats/batches/{batch.pk}/")
    assert "李四光" in county.get_by_test_id("application-table").inner_text()

    # The city confirms in priority order, fixes the list, the trip starts; attendance after it.
    page.goto(f"{live_server.url}/retreats/batches/{batch.pk}/")
    table = page.get_by_test_id("application-table").inner_text()
    assert table.index("李四光") < table.index("张三丰")  # the front-line nominee ranks first (+10)
    page.get_by_test_id("confirm-all").click()
    page.wait_for_load_state()
    assert "2 人确定" in page.locator("main").inner_text()
    page.get_by_test_id("to-confirmed").click()
    page.wait_for_load_state()
    page.get_by_test_id("to-ongoing").click()
    page.wait_for_load_state()
    for name in ("张三丰", "李四光"):
        page.get_by_test_id(f"attended-{name}").click()
        page.wait_for_load_state()
    assert RetreatApplication.objects.filter(batch=batch, status="attended").count() == 2

    # The survey: the worker from their phone, the nominee from the link on the QR card.
    phone.goto(f"{live_server.url}/retreats/my/")
    mine = RetreatApplication.objects.get(batch=batch, worker=zhang)
    phone.get_by_test_id(f"survey-{mine.pk}").click()
    for field, score in (("itinerary", "5"), ("accommodation", "4"), ("food", "4"), ("guide", "5"),
                         ("overall", "5")):
        phone.get_by_test_id(f"rate-{field}").locator("label", has_text=score).click()
    phone.get_by_label("意见建议").fill("行程安排得很好")
    phone.get_by_test_id("submit-survey").click()
    assert "问卷已提交" in phone.get_by_test_id("survey-done").inner_text()

    page.goto(f"{live_server.url}/retreats/batches/{batch.pk}/survey-qr/")
    link = page.get_by_test_id("survey-link-李四光").get_attribute("href")
    anon_ctx, anon = phone_page(browser, live_server)
    anon.goto(link)
    for field in ("itinerary", "accommodation", "food", "guide", "overall"):
        anon.get_by_test_id(f"rate-{field}").locator("label", has_text="4").click()
    anon.get_by_test_id("submit-survey").click()
    assert "问卷已提交" in anon.get_by_test_id("survey-done").inner_text()

    # The batch report and the year's summary change.
    page.goto(f"{live_server.url}/retreats/batches/{batch.pk}/")
    page.get_by_test_id("to-completed").click()
    page.wait_for_load_state()
    page.get_by_test_id("report-link").click()
    assert page.get_by_test_id("responses").inner_text() == "2"
    assert page.get_by_test_id("response-rate").inner_text() == "100.0%"
    assert page.get_by_test_id("overall").inner_text() == "4.50"
    assert "行程安排得很好" in page.get_by_test_id("comments").inner_text()
    page.screenshot(path="/tmp/laomo_retreat_report.png", full_page=True)
    assert summary_value(page, live_server, year, "retreats.participants") == "2"
    assert summary_value(page, live_server, year, "retreats.average_satisfaction") == "4.50"
    assert summary_value(page, live_server, year, "retreats.batches") == "1"
    for ctx in (context, phone_ctx, county_ctx, anon_ctx):
        assert_nothing_from_outside(ctx)
    for ctx in (phone_ctx, county_ctx, anon_ctx):
        ctx.close()
