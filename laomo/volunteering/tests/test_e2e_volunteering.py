"""The full loop in a browser: the public submits on the portal → county staff dispatch using a
recommendation → the worker accepts on a phone-sized screen and logs the service → the requester rates
it by tracking code → the figures change."""

import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from conftest import make_user
from laomo.core.tests.browser import guard_outside_requests
from laomo.core.tests.e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from laomo.core.tests.e2e_fixtures import assert_nothing_from_outside, login
from laomo.volunteering.models import ServiceRequest
from laomo.volunteering.tests.factories import make_team, make_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NUMERALS = "零一二三四五六七八九"


def _solve(question: str) -> str:
    a, op, b = re.match(r"(.)(加|减|乘)(.)", question).groups()
    a, b = NUMERALS.index(a), NUMERALS.index(b)
    return str({"加": a + b, "减": a - b, "乘": a * b}[op])


def _context(browser, live_server, **kwargs):
    ctx = browser.new_context(locale="zh-CN", **kwargs)
    ctx.set_default_timeout(10_000)
    ctx.outside_requests = guard_outside_requests(ctx, live_server.url)
    return ctx


def test_it_runs_the_whole_loop(page, context, browser, live_server, orgs):
    cache.clear()
    qy = orgs["331126"]
    make_user("e_qy", "county_staff", qy, full_name="庆元县总·吴芳")
    worker_user = make_user("e_worker", "worker", qy, full_name="叶长文")
    me = make_worker(qy, "叶长文", specialties="食用菌栽培、菌种")
    me.user = worker_user
    me.save(update_fields=["user"])
    make_worker(qy, "张电工", specialties="电力检修")
    make_team(qy, "食用菌技术指导服务队", "fungus", members=[me])

    # 1. A member of the public asks for help on the portal (no login).
    page.goto(f"{live_server.url}/portal/")
    page.get_by_test_id("start-request").click()
    page.get_by_label("所在县(市、区)").select_option(label="庆元县")  # a place, not a union
    page.get_by_label("乡镇(街道)").fill("竹口镇")
    page.get_by_label("村(社区)").fill("黄坛村")
    page.get_by_label("服务类别").select_option(label="其他")
    page.get_by_label("需求描述").fill("今年香菇 烂棒 很多,想请专家来看看<b>急</b>")
    page.get_by_label("联系人姓名").fill("张大明")
    page.get_by_label("联系电话").fill("13905781234")
    page.locator("#id_captcha_answer").fill(_solve(page.get_by_test_id("captcha-question").inner_text()))
    page.get_by_test_id("submit").click()
    code = page.get_by_test_id("tracking-code").inner_text()
    assert page.get_by_test_id("track-status").inner_text() == "待审核"
    assert "<b>急</b>" in page.get_by_test_id("track-description").inner_text()  # shown as text, not markup
    req = ServiceRequest.objects.get(tracking_code=code)

    # 2. County staff dispatch to the recommended fungus specialist.
    staff = _context(browser, live_server)
    sp = staff.new_page()
    login(sp, live_server, "e_qy")
    sp.goto(f"{live_server.url}/volunteering/requests/?status=pending")
    sp.get_by_role("link", name=code).click()
    first = sp.get_by_test_id("candidate-worker").first
    assert "叶长文" in first.inner_text() and "同属食用菌技术" in first.inner_text()
    first.get_by_role("button", name="派给此人").click()
    assert sp.get_by_test_id("request-status").inner_text() == "已派单"
    assert "叶长文" in sp.get_by_test_id("assignee").inner_text()

    # 3. The worker accepts on a phone-sized screen and logs the service.
    phone = _context(browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    wp = phone.new_page()
    login(wp, live_server, "e_worker")
    wp.goto(f"{live_server.url}/volunteering/me/")
    assert int(wp.get_by_test_id("me-bell-count").inner_text()) >= 1  # the dispatch notice (and team joining)
    card = wp.get_by_test_id(f"my-request-{code}")
    card.get_by_test_id("accept").click()
    wp.get_by_test_id(f"my-request-{code}").get_by_test_id("complete").click()
    wp.get_by_label("服务地点").fill("竹口镇黄坛村")
    wp.get_by_label("服务内容").fill("查看菌棒,指导烂棒防治")
    wp.get_by_label("服务人次").fill("4")
    wp.get_by_test_id("save").click()
    wp.wait_for_url("**/volunteering/me/")
    assert wp.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scrolling on a phone

    # 4. The requester rates it by the tracking code.
    page.goto(f"{live_server.url}/portal/track/{code}/")
    assert page.get_by_test_id("track-status").inner_text() == "已完成"
    page.get_by_label("5 星").check()
    page.get_by_label("评价内容").fill("专家很专业,谢谢!")
    page.get_by_test_id("rate").click()
    assert page.get_by_test_id("track-rating").inner_text() == "5"

    # 5. The figures change.
    sp.goto(f"{live_server.url}/volunteering/?year={timezone.localdate().year}")
    assert sp.get_by_test_id("person-times").inner_text() == "4"
    assert sp.get_by_test_id("requests-completed").inner_text() == "1"
    assert sp.get_by_test_id("average-rating").inner_text() == "5.0"
    sp.locator("[data-testid=vol-chart][data-ready='1']").wait_for()
    req.refresh_from_db()
    assert req.status == "rated" and req.record.volunteers.get().worker == me
    for ctx in (context, staff, phone):
        assert_nothing_from_outside(ctx)
    staff.close()
    phone.close()
