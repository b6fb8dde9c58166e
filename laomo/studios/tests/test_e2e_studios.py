"""Browser flow: create a studio, add an achievement and a 一带多 mentorship, see the form derived and the
figures change (dashboard cards and the summary report)."""

import io
import re

import pytest
from django.utils import timezone
from PIL import Image

from conftest import make_user
from laomo.core.tests.e2e_fixtures import *  # noqa: F403  (browser, context, page, the org-tree restore)
from laomo.core.tests.e2e_fixtures import assert_nothing_from_outside, login
from laomo.orgs.roles import Role
from laomo.studios.models import Mentorship, Studio, StudioAchievement
from laomo.workers.tests.factories import make_worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _card(page, label: str) -> str:
    return page.locator(".card", has_text=label).locator(".lm-figure").first.inner_text()


def _summary_value(page, metric: str) -> str:
    """The unit's total of one figure of the reports workspace (its row carries the summary key)."""
    return page.locator(f'[data-testid=summary-table] tr[data-metric="{metric}"] td').first.inner_text()


def test_it_creates_a_studio_an_achievement_and_a_mentorship(page, context, live_server, orgs, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_worker(orgs["331102"], "钱劳模", honors=[("浙江省劳动模范", 2016)], employer="丽水万控")
    make_worker(orgs["331102"], "孙徒弟")
    make_user("e_studios", Role.COUNTY_STAFF, orgs["331102"])
    year = timezone.localdate().year
    start = f"{year}-01-01"
    login(page, live_server, "e_studios")

    assert _card(page, f"{year}年创新工作室") == "0" and _card(page, f"{year}年传帮带结对") == "0"

    # 1. a studio, its lead picked with the “查找劳模” helper
    page.goto(f"{live_server.url}/studios/")
    page.get_by_test_id("studio-create").click()
    page.get_by_label("工作室名称").fill("钱劳模智能配电创新工作室")
    page.get_by_label("示范级别").select_option("municipal")
    page.get_by_placeholder("查找劳模:姓名、拼音或编号").fill("qian")
    page.locator("[data-testid=worker-candidates] button", has_text="钱劳模").click()
    assert page.get_by_label("领衔人").input_value().startswith("LM")
    page.get_by_label("依托企业(单位)").fill("丽水万控科技有限公司")
    page.get_by_label("创建日期").fill(start)
    page.get_by_label("创建日期").press("Tab")  # its change (and inline check) now, not on the save click
    # an inline check still in flight would share the live server's one in-memory SQLite connection with
    # the save: let it finish first (on a real server each request has its own connection). The check is
    # debounced, so it may not have started when the network first goes idle: wait past the debounce too.
    page.wait_for_timeout(1500)
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r".*/studios/\d+/$"))
    assert page.get_by_test_id("studio-name").inner_text().startswith("钱劳模智能配电创新工作室")
    assert page.get_by_test_id("lead-warning").count() == 0  # a provincial lead: no warning
    studio = Studio.objects.get()

    # 2. an achievement: a negative benefit is refused inline in Chinese, then saved with evidence
    page.get_by_test_id("achievement-add").click()
    page.get_by_label("成果类别").select_option("innovation")
    page.get_by_label("成果名称").fill("配电柜装配工装改进")
    page.get_by_label("取得日期").fill(start)
    page.get_by_label("经济效益(元)").fill("-500")
    page.get_by_label("经济效益(元)").dispatch_event("change")
    assert page.get_by_test_id("error-economic_benefit").inner_text() == "经济效益不能为负数。"
    page.get_by_label("经济效益(元)").fill("12000.50")
    page.get_by_label("钱劳模").check()
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (180, 20, 20)).save(png, format="PNG")
    page.set_input_files("input[type=file]", files=[{"name": "验收证明.png", "mimeType": "image/png",
                                                     "buffer": png.getvalue()}])
    # an inline check still in flight would share the live server's one in-memory SQLite connection with
    # the save: let it finish first (on a real server each request has its own connection), past its debounce
    page.wait_for_timeout(1500)
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("save").click()
    page.wait_for_url(f"**/studios/{studio.pk}/")
    table = page.get_by_test_id("achievement-table").inner_text()
    assert "配电柜装配工装改进" in table and "12000.50" in table and "钱劳模" in table
    achievement = StudioAchievement.objects.get()
    assert str(achievement.economic_benefit) == "12000.50" and achievement.evidence_name == "验收证明.png"
    assert page.get_by_test_id("evidence-link").count() == 1

    # 3. a mentorship hosted by the studio: one mentor, two apprentices → 一带多, derived, never typed
    page.get_by_test_id("mentorship-add").click()
    page.get_by_label("结对名称").fill("智能配电传帮带")
    page.get_by_label("师傅").fill("钱劳模")
    page.get_by_label("徒弟").fill("孙徒弟、王小明(丽水万控)")
    page.get_by_label("开始日期").fill(start)
    page.get_by_label("结束日期").fill(f"{year - 1}-12-31")
    page.get_by_label("结束日期").dispatch_event("change")
    assert page.get_by_test_id("error-end_date").inner_text() == "结束日期不能早于开始日期。"
    page.get_by_label("结束日期").fill("")
    page.get_by_label("培养目标").fill("一年内取得高级工证书")
    page.get_by_label("培养目标").press("Tab")  # its change (and inline check) now, not on the save click
    # an inline check still in flight would share the live server's one in-memory SQLite connection with
    # the save: let it finish first (on a real server each request has its own connection), past its debounce
    page.wait_for_timeout(1500)
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r".*/studios/mentorships/\d+/$"))
    badge = page.get_by_test_id("mentorship-form-label")
    assert badge.inner_text() == "一带多" and badge.get_attribute("data-form") == "one_to_many"
    assert Mentorship.objects.with_form().get().form_key == "one_to_many"
    main = page.locator("main").inner_text()
    assert "依托工作室" in main and "钱劳模智能配电创新工作室" in main

    # 4. the figures changed: dashboard cards and the summary report
    page.goto(f"{live_server.url}/?year={year}")
    assert _card(page, f"{year}年创新工作室") == "1"
    assert _card(page, f"{year}年工作室成果") == "1"
    assert _card(page, f"{year}年传帮带结对") == "1"
    assert "一带多1" in page.locator(".card", has_text=f"{year}年传帮带结对").inner_text()
    page.goto(f"{live_server.url}/reports/?year={year}&org=331102")
    assert _summary_value(page, "studios.studios") == "1"
    assert _summary_value(page, "studios.by_level.municipal") == "1"
    assert _summary_value(page, "studios.mentorships") == "1"
    assert _summary_value(page, "studios.mentorships_by_form.one_to_many") == "1"
    assert_nothing_from_outside(context)
