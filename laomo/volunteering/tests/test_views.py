"""Pages: lists with filters, htmx partials, exports, forms with inline errors, the phone page, query counts."""

from datetime import date
from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone

from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.volunteering import services
from laomo.volunteering.models import ServiceRecord, ServiceRequest

from .factories import make_record, make_request, make_team, make_worker

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def page_data(orgs, users):
    qy = orgs["331126"]
    me = make_worker(qy, "叶长文", specialties="食用菌栽培、香菇")
    me.user = users["worker"]
    me.save(update_fields=["user"])
    team = make_team(qy, "食用菌技术指导服务队", "fungus", leader=users["team_leader"], members=[me])
    for i in range(12):
        make_record(team, date(2022, 1 + i % 12, 3), 5 + i, workers=[me])
    return {"qy": qy, "me": me, "team": team}


@pytest.mark.django_db
def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def test_it_lists_records_with_htmx_partial_filters_and_export(page_data, clients, django_assert_max_num_queries):
    c = clients["county_staff_qy"]
    with django_assert_max_num_queries(20):
        full = c.get("/volunteering/records/")
    assert full.status_code == 200 and "<html" in full.content.decode()
    partial = c.get("/volunteering/records/?team_type=fungus", **HX).content.decode()
    assert "<html" not in partial and partial.count('href="/volunteering/records/') == 12
    assert "没有符合条件" in c.get("/volunteering/records/?team_type=legal", **HX).content.decode()
    bad = c.get("/volunteering/records/?date_from=2022-05-01&date_to=2022-01-01").content.decode()
    assert "结束日期不能早于开始日期" in bad
    response = c.get("/volunteering/records/?format=xlsx&team_type=fungus")
    rows = list(openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(
        values_only=True))
    assert rows[0][0] == "服务日期" and len(rows) == 13 and "叶长文" in rows[1][8]
    assert AuditEntry.objects.filter(action="volunteering.list.export").exists()


@pytest.mark.django_db
def test_it_keeps_list_queries_flat(page_data, clients, django_assert_max_num_queries):
    """The same number of queries for a page of 2 rows and of 10 rows of each list (no N+1)."""
    c = clients["city_staff"]
    urls = ("/volunteering/requests/", "/volunteering/teams/", "/volunteering/hours/?year=2022",
            "/volunteering/mobilizations/", "/volunteering/certificates/", "/volunteering/records/")

    def add(n):
        for i in range(n):
            make_request(page_data["qy"], description=f"香菇烂棒第{i}批")
            t = make_team(page_data["qy"], f"服务队{ServiceRecord.objects.count()}-{i}", "power")
            make_record(t, date(2022, 2, 1), 3)
            m = services.mobilization_create(actor=SYSTEM, org=page_data["qy"], name=f"行动{t.pk}", kind="special",
                                             team_type="medical", start_date=date(2022, 1, 1), area="庆元")
            services.roster_add(actor=SYSTEM, mobilization=m, worker=page_data["me"], duty_from=date(2022, 1, 1),
                                duty_to=date(2022, 1, 2))
            services.certificate_issue(actor=SYSTEM, worker=page_data["me"], org=page_data["qy"],
                                       period_from=date(2022, 1, 1), period_to=date(2022, 12, 31))

    add(2)
    small = {url: _queries(c, url) for url in urls}
    add(8)
    large = {url: _queries(c, url) for url in urls}
    assert small == large
    assert max(large.values()) <= 20, large


@pytest.mark.django_db
def test_it_shows_the_index_with_figures_and_chart(page_data, clients):
    c = clients["county_staff_qy"]
    page = c.get("/volunteering/?year=2022").content.decode()
    assert 'data-testid="vol-chart"' in page and "vendor/echarts/echarts.min.js" in page
    import json
    import re

    chart = json.loads(re.search(r'<script id="vol-chart-data" type="application/json">(.*?)</script>', page).group(1))
    fungus = next(s for s in chart["series"] if s["name"] == "食用菌技术")
    assert sum(fungus["data"]) == 126 and len(fungus["data"]) == 12
    assert 'data-testid="person-times">126<' in page  # 5+6+…+16


@pytest.mark.django_db
def test_it_dispatches_from_the_recommendation_and_the_worker_serves_on_the_phone_page(page_data, clients, users):
    req = make_request(page_data["qy"], category="other", description="香菇 烂棒 很多")
    staff = clients["county_staff_qy"]
    detail = staff.get(f"/volunteering/requests/{req.pk}/").content.decode()
    assert 'data-testid="candidate-worker"' in detail and "叶长文" in detail and "同属食用菌技术" in detail
    assert "张**" in detail and "张大明" not in detail
    staff.post(f"/volunteering/requests/{req.pk}/dispatch/", {"worker": page_data["me"].pk,
                                                             "team": page_data["team"].pk})
    req.refresh_from_db()
    assert req.status == "dispatched" and req.worker == page_data["me"]
    worker = clients["worker"]
    me = worker.get("/volunteering/me/").content.decode()
    assert req.tracking_code in me and 'data-testid="me-bell-count"' in me
    assert worker.post(f"/volunteering/requests/{req.pk}/accept/").status_code == 302
    form = worker.get(f"/volunteering/requests/{req.pk}/complete/").content.decode()
    assert 'name="vol_id_0"' in form and f'value="w:{page_data["me"].pk}" selected' in form
    bad = worker.post(f"/volunteering/requests/{req.pk}/complete/", {
        "date": timezone.localdate().isoformat(), "place_kind": "village", "place": "", "content": "指导",
        "person_times": "3", "vol_id_0": f"w:{page_data['me'].pk}", "vol_hours_0": "2"}).content.decode()
    assert "必填" in bad or "请填写服务地点" in bad
    assert 'value="指导"' not in bad or "指导" in bad  # typed text is kept
    assert ServiceRequest.objects.get(pk=req.pk).status == "accepted"
    done = worker.post(f"/volunteering/requests/{req.pk}/complete/", {
        "date": timezone.localdate().isoformat(), "place_kind": "village", "place": "竹口镇黄坛村",
        "content": "指导烂棒防治", "person_times": "3", "vol_id_0": f"w:{page_data['me'].pk}", "vol_hours_0": "2"})
    assert done.status_code == 302 and done["Location"] == "/volunteering/me/"
    req.refresh_from_db()
    assert req.status == "completed" and req.record.person_times == 3


@pytest.mark.django_db
def test_it_refuses_and_reveals_with_an_audit(page_data, clients, users):
    req = make_request(page_data["qy"])
    staff = clients["county_staff_qy"]
    staff.post(f"/volunteering/requests/{req.pk}/accept/")
    assert ServiceRequest.objects.get(pk=req.pk).status == "pending"  # accept before dispatch is refused
    response = staff.post(f"/volunteering/requests/{req.pk}/refuse/", {"reason": ""}, follow=True)
    assert "请填写不予受理原因" in response.content.decode()
    staff.post(f"/volunteering/requests/{req.pk}/refuse/", {"reason": "不属于服务范围"})
    assert ServiceRequest.objects.get(pk=req.pk).status == "refused"
    revealed = staff.post(f"/volunteering/requests/{req.pk}/reveal/", **HX).content.decode()
    assert "张大明 13905781234" in revealed
    assert AuditEntry.objects.filter(action="core.pii.reveal", object_id=str(req.pk)).exists()
    assert clients["viewer"].post(f"/volunteering/requests/{req.pk}/reveal/").status_code == 403


@pytest.mark.django_db
def test_it_creates_teams_records_and_certificates_through_the_forms(page_data, clients, users):
    staff = clients["county_staff_qy"]
    bad = staff.post("/volunteering/teams/new/", {"name": "", "team_type": "medical",
                                                  "org": page_data["qy"].pk, "founded_on": "2021-01-01",
                                                  "base": "庆工益之家"}).content.decode()
    assert "invalid-feedback" in bad and 'value="庆工益之家"' in bad
    ok = staff.post("/volunteering/teams/new/", {"name": "心理咨询服务队", "team_type": "counselling",
                                                 "org": page_data["qy"].pk, "founded_on": "2021-01-01"})
    assert ok.status_code == 302
    team = page_data["team"]
    rows = staff.get(f"/volunteering/records/new/?rows=1&team={team.pk}", **HX).content.decode()
    assert f"w:{page_data['me'].pk}" in rows
    response = staff.post("/volunteering/records/new/", {
        "team": team.pk, "date": "2022-06-01", "place_kind": "village", "place": "黄田镇", "content": "制棒指导",
        "person_times": "18", "vol_id_0": f"w:{page_data['me'].pk}", "vol_hours_0": "3"})
    assert response.status_code == 302
    assert ServiceRecord.objects.filter(place="黄田镇", person_times=18).exists()
    missing = staff.post("/volunteering/records/new/", {
        "team": team.pk, "date": "2022-06-01", "place_kind": "village", "place": "黄田镇", "content": "制棒指导",
        "person_times": "18"}).content.decode()
    assert "请至少登记一名到场志愿者" in missing and 'value="黄田镇"' in missing
    preview = staff.get(f"/volunteering/certificates/new/?worker={page_data['me'].pk}&org={page_data['qy'].pk}"
                        "&period_from=2022-01-01&period_to=2022-12-31").content.decode()
    assert "预览:13 次服务" in preview
    issued = staff.post("/volunteering/certificates/new/", {
        "worker": page_data["me"].pk, "org": page_data["qy"].pk, "period_from": "2022-01-01",
        "period_to": "2022-12-31"}, follow=True).content.decode()
    assert "志愿服务记录证明" in issued and page_data["me"].worker_no in issued
    assert 'data-testid="cert-hours">27.00<' in issued, issued[issued.find("alert"):][:300]
    assert "身份证" not in issued.split('data-testid="certificate"')[1]


@pytest.mark.django_db
def test_it_shows_the_worker_their_service_on_the_timeline(page_data, clients):
    page = clients["worker"].get("/workers/me/").content.decode()
    assert "志愿服务" in page and "食用菌技术指导服务队" in page


@pytest.mark.django_db
def test_it_lets_the_city_pick_a_unit_on_the_overview(orgs, clients):
    """Issue 15 item 6: the volunteer overview had no unit picker; the city saw only its whole subtree."""
    make_record(make_team(orgs["331126"], "庆元医疗服务队"), date(2022, 5, 3), 40)
    make_record(make_team(orgs["331102"], "莲都医疗服务队"), date(2022, 5, 4), 7)
    city = clients["city_staff"]
    whole = city.get("/volunteering/", {"year": 2022}).content.decode()
    assert 'data-testid="overview-org"' in whole
    assert 'data-testid="person-times">47<' in whole
    qy = city.get("/volunteering/", {"year": 2022, "org": "331126"}).content.decode()
    assert 'data-testid="person-times">40<' in qy and '<option value="331126" selected>' in qy
    # A county clerk cannot pick a unit outside their scope.
    assert clients["county_staff"].get("/volunteering/", {"year": 2022, "org": "331126"}).status_code == 404


@pytest.mark.django_db
def test_it_labels_removing_a_member_移出_with_a_confirm(page_data, clients):
    """Issue 15 item 7: removing a member read 退出, the word of the logout button."""
    page = clients["team_leader"].get(f"/volunteering/teams/{page_data['team'].pk}/").content.decode()
    button = page.split('data-testid="member-remove"')[1].split("</button>")[0]
    assert button == ">移出本队" and "确定将 叶长文 移出本队?" in page
    assert 'type="submit">退出</button>' not in page.split("<main")[-1]


@pytest.mark.django_db
def test_it_keeps_units_dates_and_headers_of_the_request_list_on_one_line(orgs, clients):
    """Issue 15 item 6: the 点单 list wrapped "庆元/县", the dates and the 评分 header."""
    make_request(orgs["331126"])
    page = clients["city_staff"].get("/volunteering/requests/").content.decode()
    table = page.split('data-testid="request-table"')[1].split("</table>")[0]
    assert '<thead class="text-nowrap">' in table
    assert '<td class="text-nowrap">庆元县</td>' in table
    assert table.count('class="small text-nowrap"') >= 3  # received, contact, promised date
