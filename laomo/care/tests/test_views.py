"""Pages: forms with inline Chinese errors that keep what was typed, htmx partials, exports, the print view,
who sees money and hardship details, and N+1-free lists."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from conftest import login_client
from laomo.care import services
from laomo.care.models import CareCampaign, CareRecipient, CareVisit, HardshipSurvey
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.workers.models import Worker

from .factories import campaign, pay, survey, survey_round, worker

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(orgs):
    lian = orgs["331102"]
    people = {"甲": worker(lian, "甲", "provincial"), "乙": worker(lian, "乙", "municipal", account=False)}
    c = campaign(orgs["331100"], budget="5000")
    services.recipients_generate(actor=SYSTEM, campaign=c)
    return {"campaign": c, **people}


@pytest.fixture
def city(users):
    return login_client(users["city_staff"])


@pytest.mark.django_db
def test_it_creates_a_campaign_keeping_typed_values_on_errors(city, orgs):
    form = {"name": "2022年春节慰问", "year": "2022", "visit_type": "spring_festival", "org": orgs["331100"].pk,
            "start_date": "2022-01-10", "end_date": "2022-01-01", "budget": "-3", "min_level_rank": "2",
            "amount_national": "2000", "amount_provincial": "1000", "amount_municipal": "500",
            "fund_source": "专项经费"}
    page = city.post("/care/campaigns/new/", form).content.decode()
    assert "结束日期不能早于开始日期。" in page and "预算不能为负数。" in page
    assert 'value="专项经费"' in page and 'value="2022年春节慰问"' in page
    assert not CareCampaign.objects.exists()
    response = city.post("/care/campaigns/new/", {**form, "end_date": "2022-02-15", "budget": "80000"})
    c = CareCampaign.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/care/campaigns/{c.pk}/"
    city.post(f"/care/campaigns/{c.pk}/generate/")
    assert c.recipients.count() == 0  # nobody registered yet: an empty list, no error


@pytest.mark.django_db
def test_it_generates_and_lists_recipients_with_htmx_partials(city, world):
    c = world["campaign"]
    detail = city.get(f"/care/campaigns/{c.pk}/").content.decode()
    assert 'data-testid="recipient-table"' in detail and "甲" in detail and "5,000.00" in detail
    partial = city.get(f"/care/campaigns/{c.pk}/recipients/", {"q": "jia"}, **HX).content.decode()
    assert "<html" not in partial and ">甲<" in partial and ">乙<" not in partial
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(city.get(
        f"/care/campaigns/{c.pk}/recipients/", {"format": "xlsx"}).streaming_content))).active.values)
    assert rows[0][:3] == ("劳模编号", "姓名", "所属单位") and {r[1] for r in rows[1:]} == {"甲", "乙"}


@pytest.mark.django_db
def test_it_adds_a_recipient_inline_with_a_clear_error(city, world, orgs):
    c = world["campaign"]
    extra = worker(orgs["331102"], "丙", "county")
    page = city.post(f"/care/campaigns/{c.pk}/recipients/add/", {"worker_no": extra.worker_no, "reason": ""})
    assert "这个字段是必填项" in page.content.decode() or "必填" in page.content.decode()
    page = city.post(f"/care/campaigns/{c.pk}/recipients/add/", {"worker_no": "LM9999999", "reason": "补录"})
    assert "未找到该劳模" in page.content.decode()
    response = city.post(f"/care/campaigns/{c.pk}/recipients/add/",
                         {"worker_no": extra.worker_no, "reason": "长期坚守一线", "planned_amount": "300"})
    assert response.status_code == 302
    assert CareRecipient.objects.get(campaign=c, worker=extra).planned_amount == 300


@pytest.mark.django_db
def test_it_validates_a_visit_inline_before_saving(city, world):
    c = world["campaign"]
    pay(c, world["甲"], amount="1000")
    form = {"campaign": c.pk, "worker_no": world["甲"].worker_no, "visit_date": "2022-01-25", "method": "home",
            "amount": "1000", "payment_method": "transfer", "_validate": "1"}
    partial = city.post("/care/visits/new/", form, **HX).content.decode()
    assert "<html" not in partial and "不能重复发放" in partial and 'value="1000"' in partial
    assert CareVisit.objects.count() == 1
    over = city.post("/care/visits/new/", {**form, "worker_no": world["乙"].worker_no, "amount": "4500.01",
                                           "payment_method": "cash"}, **HX).content.decode()
    assert "超出活动预算" in over and "现金发放须由劳模本人签收" in over
    page = city.post("/care/visits/new/", {**form, "_validate": "", "worker_no": world["乙"].worker_no,
                                           "amount": "-5"}).content.decode()
    assert "慰问金额不能为负数。" in page and 'value="-5"' in page and CareVisit.objects.count() == 1


@pytest.mark.django_db
def test_it_offers_按活动_only_when_a_campaign_is_chosen(city, world):
    """Issue 15 item 2: 慰问类型 defaulted to 按活动, which the service refuses when no campaign is chosen."""
    c = world["campaign"]
    bare = city.get("/care/visits/new/").content.decode()
    select = bare.split('name="visit_type"')[1].split("</select>")[0]
    assert "按活动" not in select and '<option value="" selected>请选择</option>' in select
    within = city.get("/care/visits/new/", {"campaign": c.pk}).content.decode()
    assert "按活动(春节慰问)" in within.split('name="visit_type"')[1].split("</select>")[0]
    # Switching to a campaign in the live re-check offers 按活动; leaving it asks for a type.
    form = {"worker_no": world["甲"].worker_no, "visit_date": "2022-01-25", "method": "home", "amount": "300",
            "payment_method": "transfer", "_validate": "1"}
    assert "按活动(春节慰问)" in city.post("/care/visits/new/", {**form, "campaign": c.pk}, **HX).content.decode()
    page = city.post("/care/visits/new/", {**form, "_validate": ""}).content.decode()
    assert "请选择慰问类型。" in page and not CareVisit.objects.exists()
    ok = city.post("/care/visits/new/", {**form, "_validate": "", "visit_type": "illness"})
    assert ok.status_code == 302 and CareVisit.objects.get().visit_type == "illness"


@pytest.mark.django_db
def test_it_takes_the_worker_by_name_pinyin_or_id_last_four(city, world, orgs):
    """Issue 15 item 2: the visit form took only a 劳模编号; a name, pinyin or ID last four with one match works."""
    person = worker(orgs["331102"], "范海菊", "municipal", birth="19700101")
    worker(orgs["331102"], "范海燕", "municipal")
    form = {"visit_type": "illness", "visit_date": "2022-01-25", "method": "home", "amount": "300",
            "payment_method": "cash", "receipt_signed": "on"}
    for typed in ("范海菊", "fanhaiju", person.id_number_masked[-4:]):
        partial = city.post("/care/visits/new/", {**form, "worker_no": typed, "_validate": "1"}, **HX).content.decode()
        assert f'value="{person.worker_no}"' in partial and 'data-testid="visit-worker"' in partial, typed
    several = city.post("/care/visits/new/", {**form, "worker_no": "范海"}).content.decode()
    assert "有多位劳模符合“范海”" in several and not CareVisit.objects.exists()
    saved = city.post("/care/visits/new/", {**form, "worker_no": "fanhaiju"})
    assert saved.status_code == 302 and CareVisit.objects.get().worker == person


@pytest.mark.django_db
def test_it_records_a_visit_from_the_list_and_registers_the_account(city, world):
    c = world["campaign"]
    start = city.get("/care/visits/new/", {"campaign": c.pk, "worker": world["乙"].worker_no}).content.decode()
    assert 'value="500.00"' in start and "未登记" in start
    response = city.post("/care/visits/new/", {
        "campaign": c.pk, "worker_no": world["乙"].worker_no, "visit_date": "2022-01-25", "method": "home",
        "amount": "500.00", "payment_method": "transfer", "bank_name": "丽水农商银行",
        "bank_account": "6214830123456789"})
    assert response.status_code == 302 and response["Location"] == f"/care/campaigns/{c.pk}/"
    v = CareVisit.objects.get(worker=world["乙"])
    assert v.bank_account_masked == "6214****6789"
    detail = city.get(f"/care/visits/{v.pk}/").content.decode()
    assert "6214****6789" in detail and "6214830123456789" not in detail
    revealed = city.post(f"/care/visits/{v.pk}/reveal/").content.decode()
    assert "6214830123456789" in revealed
    assert AuditEntry.objects.filter(action="core.pii.reveal", changes__field="bank_account").exists()


@pytest.mark.django_db
def test_it_records_a_batch_and_shows_refusals_by_name(city, world):
    c = world["campaign"]
    ids = [str(pk) for pk in CareRecipient.objects.filter(campaign=c).values_list("pk", flat=True)]
    form = {"visit_date": "2022-01-21", "method": "home", "payment_method": "transfer", "recipients": ids}
    page = city.post(f"/care/campaigns/{c.pk}/batch/", form).content.decode()
    assert "乙:尚未登记本人银行账户" in page and not CareVisit.objects.exists()
    response = city.post(f"/care/campaigns/{c.pk}/batch/", {**form, "payment_method": "cash", "receipt_signed": "on"})
    assert response.status_code == 302 and CareVisit.objects.count() == 2


@pytest.mark.django_db
def test_it_prints_the_payment_sheet_with_a_signature_column(city, world, users):
    c = world["campaign"]
    pay(c, world["甲"], amount="1000")
    page = city.get(f"/care/campaigns/{c.pk}/sheet/").content.decode()
    assert "本人签名" in page and "慰问金发放表" in page and 'data-testid="sheet-paid">1,000.00<' in page
    assert "经办人(签字)" in page and "data-print" in page
    assert AuditEntry.objects.filter(action="care.payment_sheet.print").exists()
    full = city.get(f"/care/campaigns/{c.pk}/sheet/", {"format": "xlsx", "full": "1"})
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(b"".join(full.streaming_content))).active.values
             for c in row]
    v = CareVisit.objects.get()
    assert v.bank_account in cells and AuditEntry.objects.filter(action="care.payment_sheet.export_full").exists()
    assert login_client(users["county_staff"]).get(f"/care/campaigns/{c.pk}/sheet/",
                                                   {"format": "xlsx", "full": "1"}).status_code == 403


@pytest.mark.django_db
def test_it_hides_hardship_and_health_details_from_the_viewer(world, users, orgs):
    rnd = survey_round(orgs["331100"])
    s = survey(rnd, world["甲"], per_capita="700", causes=["illness"])
    viewer = login_client(users["viewer"])
    for url in [f"/care/surveys/{s.pk}/", "/care/surveys/", "/care/hardship/", "/care/visits/"]:
        assert viewer.get(url).status_code == 403, url
    assert login_client(users["sysadmin"]).get(f"/care/surveys/{s.pk}/").status_code == 403
    services.visit_record(actor=SYSTEM, worker=world["甲"], visit_type="illness", visit_date=date(2022, 5, 1),
                          method="home", amount="800", payment_method="transfer", goods="营养品")
    page = viewer.get(f"/workers/{world['甲'].pk}/").content.decode()
    timeline = page.split('data-testid="timeline"')[1]
    assert "慰问 · 上门入户" in timeline
    for secret in ("800", "住院慰问", "特殊困难", "营养品"):
        assert secret not in timeline, secret
    staff = login_client(users["county_staff"]).get(f"/workers/{world['甲'].pk}/").content.decode()
    staff_timeline = staff.split('data-testid="timeline"')[1]
    assert "住院慰问" in staff_timeline and "¥800.00" in staff_timeline and "特殊困难" in staff_timeline
    detail = login_client(users["county_staff"]).get(f"/care/surveys/{s.pk}/").content.decode()
    assert "高血压" in detail and "特殊困难" in detail
    assert AuditEntry.objects.filter(action="core.pii.reveal", changes__field="survey_details").exists()


@pytest.mark.django_db
def test_it_shows_the_worker_their_own_money(world, users):
    Worker.objects.filter(pk=world["甲"].pk).update(user=users["worker"])
    pay(world["campaign"], world["甲"], amount="1000")
    page = login_client(users["worker"]).get("/workers/me/").content.decode()
    assert "慰问金 ¥1,000.00" in page


@pytest.mark.django_db
def test_it_runs_the_survey_review_on_pages(world, users, orgs):
    rnd = survey_round(orgs["331100"])
    county, city = login_client(users["county_staff"]), login_client(users["city_staff"])
    form = {"round": rnd.pk, "worker_no": world["乙"].worker_no, "survey_date": "2022-04-01",
            "verification_method": "phone", "household_size": "2", "income_own": "900", "income_per_capita": "650",
            "employment": "retired", "health_category": "cancer", "major_illness": "on", "causes": ["illness"],
            "housing_type": "own", "needs": "化疗费用"}
    preview = county.post("/care/surveys/new/", {**form, "_validate": "1"}, **HX).content.decode()
    assert 'data-testid="level-preview"' in preview and "特殊困难" in preview and not HardshipSurvey.objects.exists()
    response = county.post("/care/surveys/new/", {**form, "submit_now": "1"})
    s = HardshipSurvey.objects.get()
    assert response.status_code == 302 and s.status == "submitted" and s.details["major_illness"] is True
    county.post(f"/care/surveys/{s.pk}/approve/")
    s.refresh_from_db()
    assert s.status == "submitted"  # the county does not review
    city.post(f"/care/surveys/{s.pk}/return/", {"comment": ""})
    s.refresh_from_db()
    assert s.status == "submitted"
    city.post(f"/care/surveys/{s.pk}/approve/", {"comment": "属实"})
    s.refresh_from_db()
    assert s.status == "approved"
    hardship = city.get("/care/hardship/").content.decode()
    assert "乙" in hardship and "2022-04-01" in hardship
    partial = city.get("/care/hardship/", {"level": "in"}, **HX).content.decode()
    assert world["甲"].name not in partial.split("<tbody>")[1]


@pytest.mark.django_db
def test_it_lists_benefit_gaps_and_records_one(world, users):
    city = login_client(users["city_staff"])
    pay(world["campaign"], world["甲"], amount="1000")
    page = city.get("/care/benefits/report/", {"year": 2022}).content.decode()
    assert 'data-testid="missing-festival">1<' in page  # 乙 not paid
    assert 'data-testid="missing-honor_allowance">1<' in page  # 甲 is provincial
    response = city.post("/care/benefits/new/", {"worker_no": world["甲"].worker_no, "benefit_type": "honor_allowance",
                                                 "year": "2022", "grant_date": "2022-12-01", "amount": "600"})
    assert response.status_code == 302
    page = city.get("/care/benefits/report/", {"year": 2022}, **HX).content.decode()
    assert "<html" not in page and 'data-testid="missing-honor_allowance">0<' in page
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(city.get(
        "/care/benefits/report/", {"year": 2022, "format": "xlsx"}).streaming_content))).active.values)
    assert {r[1]: r[5] for r in rows[1:]} == {"甲": "健康体检", "乙": "健康体检、节日慰问"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/care/visits/", "/care/campaigns/", "/care/surveys/", "/care/benefits/",
                                 "/care/hardship/", "/care/hardship/not-surveyed/", "/care/benefits/report/",
                                 "campaign_detail"])
def test_it_lists_without_n_plus_one(url, orgs, users, django_assert_max_num_queries):
    rnd = survey_round(orgs["331100"], year=2022)
    c = campaign(orgs["331100"], budget="100000")
    people = [worker(orgs["331102"], f"工{i:02d}", "municipal", birth=f"1970{1 + i % 12:02d}{1 + i % 28:02d}")
              for i in range(20)]
    services.recipients_generate(actor=SYSTEM, campaign=c)
    for w in people[:15]:
        pay(c, w, amount="500")
        survey(rnd, w, per_capita="700")
        services.benefit_grant_add(actor=SYSTEM, worker=w, benefit_type_code="health_checkup", year=2022,
                                   grant_date=date(2022, 10, 1))
    campaign(orgs["331102"], name="莲都慰问")
    client = login_client(users["city_staff"])
    if url == "campaign_detail":
        url = f"/care/campaigns/{c.pk}/"
    client.get(url, {"year": 2022})  # warm the session and permission caches
    with django_assert_max_num_queries(24):  # 15 rows: one query per row would exceed it
        response = client.get(url, {"year": 2022})
    assert response.status_code == 200
