"""The common tasks take no more clicks than today (issue 15): a county clerk, starting on the dashboard,
records a lecture in at most 5 clicks, a service record in at most 8, a care visit in at most 7.

Every click, check and pick from a dropdown counts one; typing into a field does not. Run with `-s` to see the
count of each flow."""

import pytest

from conftest import make_user
from laomo.care.models import CareVisit
from laomo.care.tests.factories import worker
from laomo.orgs.roles import Role
from laomo.outreach.models import Lecture
from laomo.volunteering.models import ServiceRecord
from laomo.volunteering.tests.factories import make_team
from laomo.workers.tests.factories import make_worker

from .e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from .e2e_fixtures import assert_nothing_from_outside, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Clicks:
    """Counts the clicks of a flow: every action that needs the mouse goes through here."""

    def __init__(self, page):
        self.page, self.count, self.path = page, 0, []

    def click(self, locator, what):
        locator.click()
        self._count(what)

    def select(self, locator, what, **option):
        locator.select_option(**option)
        self._count(what)

    def _count(self, what):
        self.count += 1
        self.path.append(what)

    def report(self, flow):
        print(f"\n[clicks] {flow}: {self.count} — {' → '.join(self.path)}")


def _start(page, live_server, username, orgs):
    make_user(username, Role.COUNTY_STAFF, orgs["331102"])
    page.set_default_timeout(30_000)
    login(page, live_server, username)
    assert page.url.rstrip("/") == live_server.url  # on the dashboard
    return Clicks(page)


def _nav(page, label):
    return page.locator("#lm-nav .nav-link", has_text=label)


def test_it_records_a_lecture_in_five_clicks(page, context, live_server, orgs):
    make_worker(orgs["331102"], "陈宣讲")
    c = _start(page, live_server, "e_clk_lecture", orgs)

    c.click(_nav(page, "宣讲活动"), "菜单「宣讲活动」")
    c.click(page.get_by_role("link", name="登记宣讲").first, "「登记宣讲」")
    page.get_by_label("宣讲题目").fill("劳模精神进校园")
    page.locator("#id_date").fill("2022-03-15")
    page.get_by_test_id("picker-speaker_workers").fill("陈宣讲")
    c.click(page.locator("#picker-results-speaker_workers").get_by_text("陈宣讲").first, "主讲劳模:点选「陈宣讲」")
    c.select(page.get_by_label("场所类型"), "场所类型:学校", label="学校")
    page.get_by_label("场所名称").fill("丽水市实验学校")
    page.get_by_label("受众人数").fill("120")
    c.click(page.locator("form button[type=submit]").last, "「保存」")
    page.wait_for_load_state()

    lecture = Lecture.objects.get(title="劳模精神进校园")
    assert lecture.audience == 120 and lecture.venue_type == "school"
    assert lecture.speakers.filter(worker__name="陈宣讲").exists()
    c.report("登记宣讲")
    assert c.count <= 5, c.path
    assert_nothing_from_outside(context)


def test_it_records_a_service_record_in_eight_clicks(page, context, live_server, orgs):
    volunteer = make_worker(orgs["331102"], "林志愿")
    make_team(orgs["331102"], "莲都医疗服务队", members=[volunteer])
    c = _start(page, live_server, "e_clk_record", orgs)

    c.click(_nav(page, "志愿服务"), "菜单「志愿服务」")
    c.click(page.locator("a.nav-link", has_text="服务记录").first, "标签「服务记录」")
    c.click(page.get_by_role("link", name="登记服务记录").first, "「登记服务记录」")
    # The team's change listener is bound by the page's script: a team chosen before the script has run loads
    # no rows (a busy CI machine got there first). A clerk's eye is slower than the load event.
    page.wait_for_load_state("load")
    c.select(page.get_by_label("服务队"), "服务队:莲都医疗服务队", label="莲都医疗服务队")
    page.locator("#id_date").fill("2022-04-20")
    page.get_by_label("服务地点").fill("碧湖镇")
    page.get_by_label("服务内容").fill("义诊、量血压")
    page.get_by_label("服务人次").fill("60")
    volunteer_select = page.locator("select[name=vol_id_0]")
    option = volunteer_select.locator("option", has_text="林志愿")
    option.wait_for(state="attached")  # the rows follow the chosen team
    c.select(volunteer_select, "志愿者:林志愿", value=option.get_attribute("value"))
    page.locator("input[name=vol_hours_0]").fill("3")
    c.click(page.get_by_test_id("save"), "「保存」")
    page.wait_for_load_state()

    record = ServiceRecord.objects.get(place="碧湖镇")
    assert record.person_times == 60
    c.report("登记服务记录")
    assert c.count <= 8, c.path
    assert_nothing_from_outside(context)


def test_it_records_a_care_visit_in_seven_clicks(page, context, live_server, orgs):
    worker(orgs["331102"], "吴关爱")
    c = _start(page, live_server, "e_clk_visit", orgs)

    c.click(_nav(page, "关爱慰问"), "菜单「关爱慰问」")
    c.click(page.get_by_role("link", name="登记慰问").first, "「登记慰问」")
    page.get_by_label("劳模", exact=True).fill("吴关爱")
    c.select(page.get_by_label("慰问类型"), "慰问类型:住院慰问", label="住院慰问")
    page.locator("#id_visit_date").fill("2022-05-10")
    page.get_by_label("慰问金(元)").fill("500")
    c.click(page.locator("form button[type=submit]").last, "「保存」")
    page.wait_for_load_state()

    visit = CareVisit.objects.get(worker__name="吴关爱")
    assert visit.amount == 500 and visit.visit_type == "illness"
    c.report("登记慰问")
    assert c.count <= 7, c.path
    assert_nothing_from_outside(context)
