"""Pages of 疗休养: lists with filters, htmx partials and exports; forms with inline Chinese errors; the
nomination page, confirmation, attendance, the agency roster and insurance list (PII by role, audited), the
survey from its link, the worker's phone page, vendors; query counts on the lists."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from conftest import login_client
from laomo.core.actors import PUBLIC, SYSTEM
from laomo.core.models import AuditEntry
from laomo.retreats import services
from laomo.retreats.models import RetreatApplication, RetreatBatch, SurveyResponse

from . import factories as F

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def xlsx(response):
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content)
    return [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def held(city, ld, orgs):
    """A 2022 batch held: two 莲都 workers went (with phone, diet and health notes), one answered the survey."""
    zhang = F.worker(ld, "张三", phone="13905781234", birth="19650312")
    li = F.worker(orgs["331126"], "李四", phone="13905785678", birth="19700101", male=False)
    b = F.batch(city, name="2022年第一批", start=date(2022, 5, 9), capacity=2)
    F.apply(b, zhang, dietary_note="清真", health_note="高血压")
    F.apply(b, li)
    F.run_to_ongoing(b)
    for app in b.applications.all():
        services.application_record_attendance(actor=SYSTEM, application=app, attended=True)
    services.batch_set_status(actor=SYSTEM, batch=b, status="completed")
    app = RetreatApplication.objects.get(batch=b, worker=zhang)
    services.survey_submit(application=app, actor=PUBLIC, itinerary=5, accommodation=4, food=3, guide=5, overall=4,
                           comment="住宿很好")
    return b


# --- batch list ------------------------------------------------------------------------------------------


def test_it_lists_batches_with_filters_search_and_an_htmx_partial(clients, city, ld):
    F.batch(city, name="千岛湖疗休养", destination="千岛湖", start=date(2022, 5, 9))
    F.batch(city, name="安吉疗休养", destination="安吉", start=date(2030, 5, 6), status="planned")
    client = clients["city_staff"]
    page = text(client.get("/retreats/"))
    assert "<html" in page and "千岛湖疗休养" in page and "安吉疗休养" in page and "新建批次" in page
    part = text(client.get("/retreats/", {"year": 2022}, **HX))
    assert "<html" not in part and "千岛湖疗休养" in part and "安吉疗休养" not in part
    assert "安吉疗休养" in text(client.get("/retreats/", {"status": "planned"}, **HX))
    assert "千岛湖疗休养" not in text(client.get("/retreats/", {"q": "安吉"}, **HX))


def test_it_exports_the_filtered_batch_list_and_audits_it(clients, city):
    F.batch(city, name="千岛湖疗休养", start=date(2022, 5, 9))
    F.batch(city, name="安吉疗休养", start=date(2030, 5, 6))
    rows = xlsx(clients["viewer"].get("/retreats/", {"year": 2022, "format": "xlsx"}))
    assert rows[0][:3] == ["批次名称", "组织单位", "目的地"]
    assert [r[0] for r in rows[1:]] == ["千岛湖疗休养"]
    assert AuditEntry.objects.filter(action="retreats.batch.export", actor_username="t_viewer").exists()


def test_it_lists_batches_without_n_plus_one(clients, city, django_assert_max_num_queries):
    for i in range(12):
        F.batch(city, name=f"批次{i}", start=date(2030, 1, 1 + i))
    client = clients["city_staff"]
    client.get("/retreats/", **HX)
    with django_assert_max_num_queries(12):
        assert "批次11" in text(client.get("/retreats/", **HX))


def test_it_sends_self_service_users_to_their_own_page(clients):
    response = clients["worker"].get("/retreats/")
    assert response.status_code == 302 and response["Location"] == "/retreats/my/"


# --- batch form ------------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {"org": "", "name": "2030年第一批", "destination": "千岛湖", "start_date": "2030-05-06",
            "end_date": "2030-05-10", "capacity": "10", "cost_per_person": "2500.00", "budget": "30000.00",
            "leader_name": "王敏", "min_level_rank": "2", "employment_statuses": ["active", "retired"],
            "not_attended_years": "3", "max_age": "", "health_declaration_required": "on"}
    data.update(overrides)
    return data


def test_it_creates_a_batch_from_the_form(clients, city):
    response = clients["city_staff"].post("/retreats/batches/new/", form_data(org=city.pk))
    batch = RetreatBatch.objects.get(name="2030年第一批")
    assert response.status_code == 302 and response["Location"] == f"/retreats/batches/{batch.pk}/"
    assert batch.cost_per_person == Decimal("2500.00") and batch.employment_statuses == ["active", "retired"]
    assert batch.status == "planned" and batch.org == city


def test_it_edits_a_batch_from_the_form(clients, city):
    b = F.batch(city, name="2030年第一批")
    response = clients["city_staff"].post(f"/retreats/batches/{b.pk}/edit/",
                                          form_data(org=city.pk, name="2030年第一批(改)", capacity="4",
                                                    cost_per_person="2000.00", budget="8000.00"))
    assert response.status_code == 302 and response["Location"] == f"/retreats/batches/{b.pk}/"
    b.refresh_from_db()
    assert (b.name, b.capacity, b.org) == ("2030年第一批(改)", 4, city)


def test_it_shows_the_services_errors_on_the_form_and_keeps_what_was_typed(clients, city):
    page = text(clients["city_staff"].post("/retreats/batches/new/", form_data(org=city.pk, budget="20000")))
    assert "预算不足:人均费用 × 名额 = 25000.00 元,超出预算 20000.00 元。" in page
    assert 'value="2030年第一批"' in page and 'value="千岛湖"' in page
    page = text(clients["city_staff"].post("/retreats/batches/new/", form_data(org=city.pk, capacity="0",
                                                                               cost_per_person="12.345")))
    assert "名额至少为 1 人。" in page and "金额最多两位小数。" in page
    assert not RetreatBatch.objects.exists()


def test_it_validates_inline_while_typing(clients, city):
    response = clients["city_staff"].post("/retreats/batches/new/",
                                          {"_validate": "1", "org": city.pk, "capacity": "10",
                                           "cost_per_person": "2500", "budget": "100", "start_date": "2030-05-06",
                                           "end_date": "2030-05-01"}, **HX)
    part = text(response)
    assert "<html" not in part and 'id="err-id_end_date" hx-swap-oob="true"' in part  # error boxes, out of band
    assert "返回日期不能早于出发日期。" in part
    assert "这个字段是必填项" not in part  # fields not typed yet show no error
    assert not RetreatBatch.objects.exists()


def test_it_saves_the_itinerary_day_by_day(clients, city):
    b = F.batch(city, days=3)
    page = text(clients["city_staff"].get(f"/retreats/batches/{b.pk}/itinerary/"))
    assert page.count("行程安排") >= 3
    data = {"day-TOTAL_FORMS": "3", "day-INITIAL_FORMS": "0", "day-0-title": "丽水—千岛湖", "day-0-meals": "午餐",
            "day-1-title": "游船", "day-2-title": ""}
    response = clients["city_staff"].post(f"/retreats/batches/{b.pk}/itinerary/", data)
    assert response.status_code == 302
    assert [d.title for d in b.itinerary.all()] == ["丽水—千岛湖", "游船"]
    data = {"day-TOTAL_FORMS": "2", "day-INITIAL_FORMS": "0", "day-0-title": "", "day-0-activities": "自由活动"}
    page = text(clients["city_staff"].post(f"/retreats/batches/{b.pk}/itinerary/", data))
    assert "第 1 天:请填写行程安排。" in page and "自由活动" in page  # what was typed is kept


def test_it_sets_county_quotas_and_refuses_one_below_what_is_used(clients, city, ld, orgs):
    b = F.batch(city, capacity=10)
    page = text(clients["city_staff"].get(f"/retreats/batches/{b.pk}/quotas/"))
    assert "莲都区" in page and "龙泉市" in page
    response = clients["city_staff"].post(f"/retreats/batches/{b.pk}/quotas/", {f"q_{ld.pk}": "1",
                                                                                f"q_{orgs['331126'].pk}": "2"})
    assert response.status_code == 302
    assert {q.org.code: q.quota for q in b.quotas.all()} == {"331102": 1, "331126": 2}
    F.apply(b, F.worker(ld, "张三"))
    page = text(clients["city_staff"].post(f"/retreats/batches/{b.pk}/quotas/", {f"q_{ld.pk}": "0"}))
    assert "莲都区总工会 已报名 1 人,名额不能少于已报名人数。" in page
    assert "名额不能为负数" in text(clients["city_staff"].post(f"/retreats/batches/{b.pk}/quotas/",
                                                          {f"q_{ld.pk}": "-1"}))


# --- batch detail, nomination, confirmation --------------------------------------------------------------


def test_it_shows_a_batch_with_its_rules_quotas_itinerary_and_priority(clients, city, ld):
    b = F.batch(city, name="千岛湖第一批", max_age=70, not_attended_years=3, quotas={ld: 2},
                itinerary=[{"title": "丽水—千岛湖"}, {"title": "游船观光"}])
    F.apply(b, F.worker(ld, "张三"), front_line=True)
    page = text(clients["county_staff"].get(f"/retreats/batches/{b.pk}/"))
    assert "市级及以上" in page and "近 3 年内未参加过疗休养" in page and "出发时 70 周岁及以下" in page
    assert "丽水—千岛湖" in page and "游船观光" in page
    assert "莲都区" in page and "一线/艰苦岗位 +10" in page and "从未参加疗休养 +30" in page
    assert "推荐劳模" in page and "变更状态" not in page  # the county nominates; the city runs the batch
    assert "变更状态" in text(clients["city_staff"].get(f"/retreats/batches/{b.pk}/"))


def test_it_lists_applications_without_n_plus_one(clients, city, ld, django_assert_max_num_queries):
    b = F.batch(city, capacity=30)
    for i in range(15):
        app = F.apply(b, F.worker(ld, f"劳模{i}"))
        if i % 3 == 0:
            services.application_confirm(actor=SYSTEM, application=app)
    client = clients["city_staff"]
    client.get(f"/retreats/batches/{b.pk}/", **HX)
    with django_assert_max_num_queries(14):
        assert "劳模14" in text(client.get(f"/retreats/batches/{b.pk}/", **HX))
    with django_assert_max_num_queries(14):
        assert "劳模14" in text(client.get("/retreats/applications/", **HX))


def test_it_lets_the_county_find_check_and_nominate_a_worker(clients, city, ld):
    b = F.batch(city, quotas={ld: 1})
    good = F.worker(ld, "张三丰")
    F.worker(ld, "李县劳", title="莲都区劳动模范")
    client = clients["county_staff"]
    part = text(client.get(f"/retreats/batches/{b.pk}/nominate/", {"q": "zsf"}, **HX))
    assert "张三丰" in part and "李县劳" not in part and "符合" in part
    part = text(client.get(f"/retreats/batches/{b.pk}/nominate/", {"q": "李县劳"}, **HX))
    assert "荣誉级别:要求市级及以上,本人最高为县级。" in part
    assert "李县劳" not in text(client.get(f"/retreats/batches/{b.pk}/nominate/", {"eligible": "1"}, **HX))
    page = text(client.get(f"/retreats/batches/{b.pk}/nominate/", {"worker": good.pk}))
    assert "莲都区名额 已用 0/1。" in page and "优先分" in page
    response = client.post(f"/retreats/batches/{b.pk}/nominate/", {"worker": good.pk, "front_line": "on"})
    assert response.status_code == 302
    app = RetreatApplication.objects.get(worker=good)
    assert app.channel == "nominated" and app.front_line
    other = F.worker(ld, "王五")
    page = text(client.post(f"/retreats/batches/{b.pk}/nominate/", {"worker": other.pk}))
    assert "莲都区名额已满(已用 1/1)。" in page
    response = client.post(f"/retreats/batches/{b.pk}/nominate/", {}, follow=True)
    assert "请先在列表中选择要推荐的劳模。" in text(response)


def test_it_confirms_waitlists_and_promotes_from_the_page(clients, city, ld):
    b = F.batch(city, capacity=1)
    first, second = F.apply(b, F.worker(ld, "一号")), F.apply(b, F.worker(ld, "二号"))
    client = clients["city_staff"]
    page = text(client.post(f"/retreats/applications/{first.pk}/confirm/", follow=True))
    assert "已确定 一号 参加。" in page
    page = text(client.post(f"/retreats/applications/{second.pk}/confirm/", follow=True))
    assert "名额已满,二号 已列入候补。" in page and "候补第1位" in page
    page = text(client.post(f"/retreats/applications/{first.pk}/withdraw/", {"reason": ""}, follow=True))
    assert "请填写原因" in page or "请填写退出原因" in page
    page = text(client.post(f"/retreats/applications/{first.pk}/withdraw/", {"reason": "生病"}, follow=True))
    assert "一号 已退出。候补第一位 二号 已递补确定。" in page
    assert RetreatApplication.objects.get(pk=second.pk).status == "confirmed"


def test_it_confirms_all_pending_in_priority_order_from_the_page(clients, city, ld):
    b = F.batch(city, capacity=1)
    F.apply(b, F.worker(ld, "一号"))
    F.apply(b, F.worker(ld, "二号"), front_line=True)
    page = text(clients["city_staff"].post(f"/retreats/batches/{b.pk}/confirm-all/", follow=True))
    assert "按优先顺序确定:1 人确定,1 人进入候补。" in page
    assert RetreatApplication.objects.get(worker__name="二号").status == "confirmed"


def test_it_shows_status_errors_in_chinese(clients, city, ld):
    b = F.batch(city)
    F.apply(b, F.worker(ld, "张三"))
    page = text(clients["city_staff"].post(f"/retreats/batches/{b.pk}/status/", {"status": "confirmed"},
                                           follow=True))
    assert "还有 1 份报名待审核,请先确定或退回。" in page
    page = text(clients["city_staff"].post(f"/retreats/batches/{b.pk}/status/", {"status": "cancelled"},
                                           follow=True))
    assert "请填写取消原因。" in page


def test_it_records_attendance_from_the_page(clients, city, ld):
    b = F.batch(city, start=date(2022, 5, 9))
    app = F.apply(b, F.worker(ld, "张三"))
    F.run_to_ongoing(b)
    page = text(clients["city_staff"].post(f"/retreats/applications/{app.pk}/attendance/", {"attended": "1"},
                                           follow=True))
    assert "已登记 张三:已参加。" in page
    assert RetreatApplication.objects.get(pk=app.pk).status == "attended"


# --- exports for the agency and the insurer --------------------------------------------------------------


def test_it_exports_the_agency_roster_with_pii_only_for_roles_that_may_reveal(clients, held):
    rows = xlsx(clients["city_staff"].get(f"/retreats/batches/{held.pk}/roster.xlsx"))
    assert rows[0] == ["序号", "姓名", "性别", "年龄", "联系电话", "所属单位", "饮食禁忌", "健康状况说明", "状态"]
    zhang = next(r for r in rows if r[1] == "张三")
    assert zhang[2:5] == ["男", 57, "13905781234"] and zhang[6:8] == ["清真", "高血压"]
    rows = xlsx(clients["viewer"].get(f"/retreats/batches/{held.pk}/roster.xlsx"))
    zhang = next(r for r in rows if r[1] == "张三")
    assert zhang[4] == "139****1234" and zhang[6] == "***(无权查看)" and zhang[7] == "***(无权查看)"
    entry = AuditEntry.objects.filter(action="retreats.batch.export_roster").order_by("id")
    assert [(e.actor_username, e.changes["full_phone"]) for e in entry] == [("t_city", True), ("t_viewer", False)]


def test_it_exports_the_insurance_list_with_full_ids_only_for_export_pii(clients, held):
    rows = xlsx(clients["city_staff"].get(f"/retreats/batches/{held.pk}/insurance.xlsx"))
    assert rows[0] == ["序号", "姓名", "性别", "出生日期", "年龄", "证件类型", "证件号码", "联系电话", "出行日期"]
    zhang = next(r for r in rows if r[1] == "张三")
    assert zhang[3] == "1965-03-12" and len(zhang[6]) == 18 and "*" not in zhang[6] and zhang[7] == "13905781234"
    assert zhang[8] == "2022-05-09至2022-05-13"
    county = xlsx(clients["county_staff"].get(f"/retreats/batches/{held.pk}/insurance.xlsx"))
    assert [r[1] for r in county[1:]] == ["张三"]  # the county's own people only
    assert "*" in county[1][6] and county[1][7] == "13905781234"  # reveal_pii: phone; no export_pii: ID masked
    assert AuditEntry.objects.filter(action="retreats.batch.export_insurance", actor_username="t_liandu").exists()


# --- survey ----------------------------------------------------------------------------------------------


def test_it_takes_the_survey_from_the_link_without_login(client, held, ld, orgs):
    app = RetreatApplication.objects.get(batch=held, worker__name="李四")
    url = f"/retreats/survey/{app.survey_token}/"
    page = text(client.get(url))
    assert "疗休养满意度问卷" in page and "李*" in page and "李四" not in page
    page = text(client.post(url, {"itinerary": "5", "accommodation": "9", "comment": "导游很好"}))
    assert "“住宿”的评分应为 1–5 分。" in page and "请为“餐饮”打分。" in page and "导游很好" in page
    assert not SurveyResponse.objects.filter(application=app).exists()
    page = text(client.post(url, {f: "4" for f in ("itinerary", "accommodation", "food", "guide", "overall")}))
    assert "问卷已提交,感谢您的评价!" in page
    assert "您已提交过问卷" in text(client.get(url))
    assert client.get("/retreats/survey/not-a-token/").status_code == 404


def test_it_shows_the_batch_report_with_rate_averages_and_comments(clients, held):
    page = text(clients["city_staff"].get(f"/retreats/batches/{held.pk}/report/"))
    assert re.search(r'data-testid="response-rate">50\.0%<', page)
    assert re.search(r'data-testid="overall">4\.00<', page) and "住宿很好" in page
    assert "vendor/echarts/echarts.min.js" in page
    assert "住宿很好" not in text(clients["county_staff"].get(f"/retreats/batches/{held.pk}/report/"))


def test_it_prints_survey_qr_codes_for_the_participants(clients, held):
    page = text(clients["city_staff"].get(f"/retreats/batches/{held.pk}/survey-qr/"))
    assert page.count("data:image/svg+xml;base64,") == 2
    app = RetreatApplication.objects.get(batch=held, worker__name="张三")
    assert f"/retreats/survey/{app.survey_token}/" in page and "已填写" in page


# --- the worker's own page (phone) -----------------------------------------------------------------------


def test_it_lets_a_worker_see_check_apply_and_withdraw_from_their_phone(city, ld):
    b = F.batch(city, name="千岛湖第二批", health_declaration_required=True)
    too_low = F.batch(city, name="省级专场", min_level_rank=3)
    me = F.worker(ld, "张三")
    client = login_client(F.worker_login(me, "zhangsan"))
    page = text(client.get("/retreats/my/"))
    assert "千岛湖第二批" in page and "您符合报名条件" in page
    assert "荣誉级别:要求省部级及以上,本人最高为市级。" in page
    assert f"/retreats/my/batches/{too_low.pk}/apply/" not in page
    page = text(client.post(f"/retreats/my/batches/{b.pk}/apply/", {"dietary_note": "不吃辣"}))
    assert "本批次须本人作健康声明" in page and 'value="不吃辣"' in page
    response = client.post(f"/retreats/my/batches/{b.pk}/apply/", {"health_declared": "on", "dietary_note": "不吃辣"})
    assert response.status_code == 302
    app = RetreatApplication.objects.get(worker=me)
    assert app.channel == "self" and app.dietary_note == "不吃辣"
    page = text(client.get("/retreats/my/"))
    assert "待审核" in page and "已报名" in page
    client.post(f"/retreats/my/applications/{app.pk}/withdraw/")
    app.refresh_from_db()
    assert app.status == "withdrawn" and app.reason == "本人退出"


def test_it_tells_a_login_without_a_worker_record(clients):
    assert "尚未关联劳模档案" in text(clients["worker"].get("/retreats/my/"))


# --- vendors ---------------------------------------------------------------------------------------------


def test_it_keeps_vendors_with_their_rating_history(clients, held, city):
    page = text(clients["city_staff"].get("/retreats/vendors/"))
    assert held.vendor.name in page
    page = text(clients["city_staff"].get(f"/retreats/vendors/{held.vendor.pk}/"))
    assert "2022年第一批" in page and "1/2" in page and 'data-testid="vendor-overall">4.00<' in page
    response = clients["city_staff"].post("/retreats/vendors/new/", {"org": city.pk, "name": held.vendor.name,
                                                                     "kind": "agency", "is_active": "on"})
    assert "同名的旅行社/基地已登记。" in text(response)
    rows = xlsx(clients["city_staff"].get("/retreats/vendors/", {"format": "xlsx"}))
    assert rows[1][0] == held.vendor.name and rows[1][-1] == "4.00"


def test_it_lists_vendors_without_n_plus_one(clients, city, django_assert_max_num_queries):
    for i in range(10):
        F.vendor(city, f"旅行社{i}")
    clients["city_staff"].get("/retreats/vendors/", **HX)
    with django_assert_max_num_queries(12):
        assert "旅行社9" in text(clients["city_staff"].get("/retreats/vendors/", **HX))


# --- dashboard and timeline ------------------------------------------------------------------------------


def test_it_adds_a_dashboard_card_and_timeline_entries(clients, held, users):
    page = text(clients["city_staff"].get("/?year=2022"))
    assert "2022年疗休养人数" in page and "1 批次 · 满意度 4.00" in page
    zhang = RetreatApplication.objects.get(batch=held, worker__name="张三").worker
    page = text(clients["city_staff"].get(f"/workers/{zhang.pk}/"))
    assert "2022年第一批(千岛湖,已参加)" in page
