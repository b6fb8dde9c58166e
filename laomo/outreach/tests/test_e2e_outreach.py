"""Browser flow of 宣讲: create a lecture with two speakers and a photo → see it in the calendar and on a speaker's
timeline → see the chart of lectures per month by venue change."""

import re

import pytest
from django.utils import timezone

from conftest import make_user
from laomo.core.tests.e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from laomo.core.tests.e2e_fixtures import assert_nothing_from_outside, login
from laomo.orgs.roles import Role
from laomo.outreach.models import Lecture

from .factories import jpeg_bytes, make_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHART_VALUE = """([venue, month]) => {
  const el = document.querySelector('[data-testid=venue-chart]');
  const chart = echarts.getInstanceByDom(el);
  const series = chart.getOption().series.find(s => s.name === venue);
  return series.data[month - 1];
}"""


def chart_value(page, live_server, month: int) -> int:
    page.goto(f"{live_server.url}/outreach/")
    page.locator("[data-testid=venue-chart][data-rendered='1']").wait_for()
    return page.evaluate(CHART_VALUE, ["学校", month])


def test_it_creates_a_lecture_and_shows_it_everywhere(page, context, live_server, orgs, tmp_path):
    make_user("e_clerk", Role.COUNTY_STAFF, orgs["331102"])
    zhang = make_worker(orgs["331102"], "张三丰")
    make_worker(orgs["331102"], "李四")
    make_worker(orgs["331126"], "张三")  # 庆元: outside the clerk's scope, never offered
    photo = tmp_path / "宣讲现场.jpg"
    photo.write_bytes(jpeg_bytes((1600, 1200)))
    today = timezone.localdate()
    login(page, live_server, "e_clerk")

    before = chart_value(page, live_server, today.month)

    page.goto(f"{live_server.url}/outreach/lectures/new/")
    page.get_by_label("宣讲题目").fill("劳模工匠进校园:我的成长之路")
    page.get_by_label("场所类型").select_option("school")
    page.get_by_label("场所名称").fill("莲都区实验小学")
    page.get_by_label("受众人数").fill("-1")
    page.get_by_label("场所名称").focus()  # leaving the field validates it inline
    page.get_by_test_id("error-audience").wait_for()
    assert "受众人数不能小于 0" in page.get_by_test_id("error-audience").inner_text()
    page.get_by_label("受众人数").fill("320")
    picker = page.get_by_test_id("picker-speaker_workers")
    picker.fill("zsf")
    page.locator(".lm-pick", has_text="张三丰").click()
    picker.fill("李")
    options = page.locator(".lm-pick")
    options.first.wait_for()
    assert options.count() == 1  # only 李四 of 莲都; 庆元's workers are not offered
    options.first.click()
    chips = page.get_by_test_id("picked-speaker_workers")
    assert "张三丰" in chips.inner_text() and "李四" in chips.inner_text()
    page.set_input_files("input[name=photos]", str(photo))
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r".*/outreach/lectures/\d+/$"))

    lecture = Lecture.objects.get()
    assert [s.display_name for s in lecture.speakers.all()] == ["张三丰", "李四"]
    assert page.get_by_test_id("speakers").inner_text() == "张三丰、李四"
    thumb = page.get_by_test_id("photo-thumb")
    thumb.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", thumb.element_handle()) == 320
    assert "/outreach/photos/" in thumb.get_attribute("src")

    page.goto(f"{live_server.url}/outreach/lectures/calendar/")
    assert f"{today.year}年{today.month}月宣讲日历" in page.get_by_test_id("calendar-title").inner_text()
    assert page.get_by_test_id("calendar-lecture").filter(has_text="劳模工匠进校园").is_visible()

    page.goto(f"{live_server.url}/workers/{zhang.pk}/")
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "宣讲" in timeline and "劳模工匠进校园:我的成长之路" in timeline and "受众 320 人" in timeline

    assert chart_value(page, live_server, today.month) == before + 1
    assert page.get_by_test_id("figure-lectures").inner_text() == "1"
    assert_nothing_from_outside(context)
