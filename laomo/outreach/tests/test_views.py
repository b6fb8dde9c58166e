"""Pages of 宣讲与宣传: lists (htmx partials, filters, exports, query counts), forms (inline validation, nothing
lost), detail pages, photos served through the scope, the calendar, the leaderboard, quick 班前十分钟 entry."""

import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from django.utils import timezone

from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.outreach import services
from laomo.outreach.models import Lecture, MediaReading, PreShiftSession, Showcase
from laomo.workers.models import Worker

from .factories import jpeg_bytes, lecture, make_worker, media, photo_upload, session, upload

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def people(orgs):
    return {"ld": make_worker(orgs["331102"], "张三"), "ld2": make_worker(orgs["331102"], "李四"),
            "qy": make_worker(orgs["331126"], "叶长文")}


def xlsx(response):
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(r) for r in ws.iter_rows(values_only=True)], ws


# --- lists -----------------------------------------------------------------------------------------------


def test_it_lists_lectures_with_filters_and_an_htmx_partial(clients, orgs, people):
    lecture(orgs["331102"], speakers=[people["ld"]], title="进校园宣讲", venue_type="school")
    lecture(orgs["331102"], speakers=[people["ld2"]], title="进企业宣讲", venue_type="enterprise",
            day=date(2021, 3, 1))
    client = clients["county_staff"]
    full = client.get("/outreach/lectures/").content.decode()
    assert "<html" in full and "进校园宣讲" in full and "进企业宣讲" in full
    partial = client.get("/outreach/lectures/", {"venue_type": "school"}, **HX).content.decode()
    assert "<html" not in partial and "进校园宣讲" in partial and "进企业宣讲" not in partial
    assert "进企业宣讲" not in client.get("/outreach/lectures/", {"q": "张三"}).content.decode()  # speaker search
    assert "进校园宣讲" not in client.get("/outreach/lectures/", {"year": "2021"}).content.decode()
    assert "进校园宣讲" not in client.get("/outreach/lectures/", {"worker": people["ld2"].pk}).content.decode()
    bad = client.get("/outreach/lectures/", {"date_from": "2022-05-01", "date_to": "2022-01-01"}).content.decode()
    assert "结束日期不能早于开始日期" in bad


def test_it_shows_a_lectures_campaign_under_its_title_not_in_an_empty_column(clients, orgs, people):
    """Issue 15 item 6: the 活动 column was empty for most rows; the campaign now links under the title."""
    camp = services.campaign_create(actor=SYSTEM, org=orgs["331102"], name="五月主题宣传", start_date=date(2022, 5, 1),
                           end_date=date(2022, 5, 31))
    lecture(orgs["331102"], speakers=[people["ld"]], title="进校园宣讲", campaign=camp)
    lecture(orgs["331102"], speakers=[people["ld2"]], title="进企业宣讲", day=date(2022, 5, 6))
    page = clients["county_staff"].get("/outreach/lectures/").content.decode()
    assert "<th>活动</th>" not in page
    assert f'href="/outreach/campaigns/{camp.pk}/" data-testid="lecture-campaign">五月主题宣传</a>' in page
    assert page.count('data-testid="lecture-campaign"') == 1


def test_it_labels_the_lecture_filters_and_keeps_the_date_range_together(clients):
    """Issue 15 item 5: unlabelled filters; the two dates of the range wrapped onto lines of their own."""
    page = clients["county_staff"].get("/outreach/lectures/").content.decode()
    form = page.split('hx-target="#rows"')[1].split("</form>")[0]
    for name in ("q", "org", "year", "venue_type", "mode", "status", "campaign", "date_from", "date_to"):
        assert f'for="id_{name}"' in form, name
    date_range = form.split('data-testid="date-range"')[1].split("</div>")[0]
    assert 'id="id_date_from"' in date_range and 'id="id_date_to"' in date_range
    assert "col-md-1" not in form


def test_it_exports_the_filtered_lectures(clients, orgs, people):
    lecture(orgs["331102"], speakers=[people["ld"], services.Speaker(name="王老师")],
            title="=HYPERLINK(\"http://x\")进校园宣讲", venue_type="school", audience=321)
    lecture(orgs["331102"], speakers=[people["ld2"]], title="进企业宣讲", venue_type="enterprise")
    response = clients["county_staff"].get("/outreach/lectures/", {"venue_type": "school", "format": "xlsx"})
    assert response["Content-Disposition"].startswith("attachment")
    rows, _ = xlsx(response)
    assert rows[0][:3] == ["日期", "宣讲题目", "状态"] and len(rows) == 2
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")进校园宣讲"  # no formula in the spreadsheet
    assert rows[1][8] == 321 and rows[1][7] == "张三、王老师"
    assert AuditEntry.objects.filter(action="outreach.lecture.export", actor_username="t_liandu").exists()


def test_it_lists_without_n_plus_one(clients, orgs, people, django_assert_max_num_queries):
    def build(n, start=0):
        for i in range(start, start + n):
            lec = lecture(orgs["331102"], speakers=[people["ld"], services.Speaker(name=f"嘉宾{i}")], title=f"宣讲{i}")
            item = media(orgs["331102"], title=f"视频{i}", lecture=lec)
            services.reading_add(actor=SYSTEM, item=item, date=date(2022, 9, 2), views=10 + i)
            services.pickup_add(actor=SYSTEM, item=item, outlet="学习强国", date=date(2022, 9, 3))
            session(orgs["331102"], day=date(2022, 6, 1) + timedelta(days=i), speaker=people["ld"])
            services.showcase_create(actor=SYSTEM, org=orgs["331102"], name=f"展示区{i}", host_type="other",
                                     host_place="文化宫", opened_date=date(2022, 1, 1),
                                     featured_workers=[people["ld"], people["ld2"]])

    client = clients["county_staff"]
    urls = ["/outreach/lectures/", "/outreach/media/", "/outreach/sessions/", "/outreach/showcases/",
            "/outreach/campaigns/", "/outreach/lectures/calendar/?month=2022-05", "/outreach/speakers/",
            "/outreach/?year=2022"]
    build(2)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url, **HX).status_code == 200
        counts[url] = len(captured)
    build(25, start=2)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url, **HX).status_code == 200, url


# --- lecture form ----------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {"title": "劳模工匠进校园", "date": "2022-05-04", "status": "held", "venue_type": "school",
            "venue_name": "莲都区实验小学", "format": "lecture", "audience": "300", "speaker_names": ""}
    data.update(overrides)
    return data


def test_it_creates_a_lecture_with_two_speakers_and_a_photo(clients, orgs, people):
    data = form_data(org=orgs["331102"].pk, speaker_workers=[people["ld"].pk, people["ld2"].pk],
                     speaker_names="王老师")
    data["photos"] = [upload(jpeg_bytes((800, 600)), name="现场.jpg")]
    response = clients["county_staff"].post("/outreach/lectures/new/", data)
    lec = Lecture.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/outreach/lectures/{lec.pk}/"
    assert [s.display_name for s in lec.speakers.all()] == ["张三", "李四", "王老师"]
    photo = lec.photos.get()
    detail = clients["county_staff"].get(response["Location"]).content.decode()
    assert f"/outreach/photos/{photo.pk}/thumb/" in detail and 'src="/media/' not in detail


def test_it_keeps_what_was_typed_when_the_form_is_refused(clients, orgs, people):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = form_data(org=orgs["331102"].pk, date=tomorrow, audience="-5",
                     speaker_workers=[people["ld"].pk], speaker_names="王老师")
    page = clients["county_staff"].post("/outreach/lectures/new/", data).content.decode()
    assert "已举办的宣讲日期不能晚于今天" in page and "受众人数不能小于 0" in page
    assert 'value="劳模工匠进校园"' in page and 'value="王老师"' in page and 'value="-5"' in page
    assert f'name="speaker_workers" value="{people["ld"].pk}"' in page and "张三" in page  # the chosen speaker stays
    assert not Lecture.objects.exists()


def test_it_refuses_a_speaker_outside_scope_in_the_form(clients, orgs, people):
    data = form_data(org=orgs["331102"].pk, speaker_workers=[people["qy"].pk])
    page = clients["county_staff"].post("/outreach/lectures/new/", data).content.decode()
    assert "选择一个有效的选项" in page or "不在您的数据范围内" in page
    assert not Lecture.objects.exists()


def test_it_validates_inline_only_what_was_typed(clients, orgs, people):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = clients["county_staff"].post("/outreach/lectures/new/", {"_validate": "1", "date": tomorrow,
                                                                    "status": "held"}, **HX).content.decode()
    assert "<html" not in page and "已举办的宣讲日期不能晚于今天" in page
    assert "请填写宣讲题目" not in page and "这个字段是必填项" not in page  # untouched fields stay quiet
    page = clients["county_staff"].post("/outreach/lectures/new/", {"_validate": "1", "date": tomorrow,
                                                                    "status": "planned"}, **HX).content.decode()
    assert "不能晚于今天" not in page
    page = clients["county_staff"].post("/outreach/lectures/new/", {"_validate": "1", "audience": "-1"},
                                        **HX).content.decode()
    assert "受众人数不能小于 0" in page
    assert not Lecture.objects.exists()


def test_it_refuses_a_bad_photo_upload_with_a_message(clients, orgs, people, settings):
    lec = lecture(orgs["331102"], speakers=[people["ld"]])
    client = clients["county_staff"]
    page = client.post(f"/outreach/lectures/{lec.pk}/photos/", {"photo": upload(b"GIF89a...", name="x.jpg")},
                       **HX).content.decode()
    assert "文件不是有效的图片" in page and not lec.photos.exists()
    settings.LAOMO_PHOTO_MAX_BYTES = 1024
    page = client.post(f"/outreach/lectures/{lec.pk}/photos/", {"photo": photo_upload()}, **HX).content.decode()
    assert "照片过大" in page
    settings.LAOMO_PHOTO_MAX_BYTES = 10 * 1024 * 1024
    page = client.post(f"/outreach/lectures/{lec.pk}/photos/", {"photo": photo_upload(), "caption": "合影"},
                       **HX).content.decode()
    assert 'data-testid="photo-thumb"' in page and "合影" in page


def test_it_serves_photos_privately_and_only_through_the_view(clients, orgs, people, settings):
    lec = lecture(orgs["331102"], speakers=[people["ld"]])
    photo = services.photo_add(actor=SYSTEM, lecture=lec, upload=photo_upload(size=(640, 480)))
    response = clients["viewer"].get(f"/outreach/photos/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert clients["viewer"].get(f"/outreach/photos/{photo.pk}/thumb/")["Content-Type"] == "image/jpeg"
    assert clients["worker"].get(f"/outreach/photos/{photo.pk}/").status_code == 403
    from django.test import Client

    assert Client().get(f"/outreach/photos/{photo.pk}/")["Location"].startswith("/accounts/login/")
    assert clients["county_staff"].get(f"/media/{photo.file}").status_code == 404  # no public URL
    clients["county_staff"].post(f"/outreach/photos/{photo.pk}/delete/")
    assert clients["county_staff"].get(f"/outreach/photos/{photo.pk}/").status_code == 404


def test_it_edits_a_lecture(clients, orgs, people):
    lec = lecture(orgs["331102"], speakers=[people["ld"]])
    page = clients["county_staff"].get(f"/outreach/lectures/{lec.pk}/edit/").content.decode()
    assert 'value="劳模工匠进校园"' in page and f'value="{people["ld"].pk}"' in page
    data = form_data(org=orgs["331102"].pk, speaker_workers=[people["ld2"].pk], title="改后的题目")
    assert clients["county_staff"].post(f"/outreach/lectures/{lec.pk}/edit/", data).status_code == 302
    lec.refresh_from_db()
    assert lec.title == "改后的题目" and [s.worker for s in lec.speakers.all()] == [people["ld2"]]
    assert AuditEntry.objects.filter(action="outreach.lecture.update", object_id=str(lec.pk)).exists()


# --- calendar, leaderboard, overview ---------------------------------------------------------------------


def test_it_shows_lectures_in_the_calendar_month(clients, orgs, people):
    lecture(orgs["331102"], speakers=[people["ld"]], title="五月宣讲", day=date(2022, 5, 4))
    lecture(orgs["331102"], speakers=[people["ld"]], title="六月宣讲", day=date(2022, 6, 4))
    page = clients["county_staff"].get("/outreach/lectures/calendar/?month=2022-05").content.decode()
    assert "2022年5月宣讲日历" in page and "五月宣讲" in page and "六月宣讲" not in page and "本月 1 场" in page
    assert "month=2022-04" in page and "month=2022-06" in page
    partial = clients["county_staff"].get("/outreach/lectures/calendar/?month=2022-06&venue_type=school",
                                          **HX).content.decode()
    assert "<html" not in partial and "六月宣讲" in partial
    assert "六月宣讲" not in clients["county_staff"].get(
        "/outreach/lectures/calendar/?month=2022-06&venue_type=agency").content.decode()


def test_it_shows_the_overview_chart_data_for_the_year_and_unit(clients, orgs, people):
    lecture(orgs["331102"], speakers=[people["ld"]], day=date(2022, 5, 4), venue_type="school")
    lecture(orgs["331126"], speakers=[people["qy"]], day=date(2022, 5, 9), venue_type="village")
    client = clients["city_staff"]
    page = client.get("/outreach/?year=2022").content.decode()
    assert "echarts.min.js" in page and 'data-chart="venue-months"' in page
    data = re.search(r'<script id="venue-months-data" type="application/json">(.*?)</script>', page).group(1)
    assert '"total": 2' in data
    county = client.get("/outreach/?year=2022&org=331102", **HX).content.decode()
    assert "<html" not in county and '"total": 1' in county
    assert '"total": 0' in client.get("/outreach/?year=2021").content.decode()


def test_it_exports_the_leaderboard(clients, orgs, people):
    lecture(orgs["331102"], speakers=[people["ld"]], audience=50)
    lecture(orgs["331102"], speakers=[people["ld"], people["ld2"]], audience=70, day=date(2022, 6, 1))
    rows, _ = xlsx(clients["county_staff"].get("/outreach/speakers/", {"date_from": "2022-01-01",
                                                                       "date_to": "2022-12-31", "format": "xlsx"}))
    assert rows[1][:6] == [1, "张三", "劳模", "莲都区总工会", 2, 120]
    assert rows[2][1:6] == ["李四", "劳模", "莲都区总工会", 1, 70]


# --- media -----------------------------------------------------------------------------------------------


def test_it_creates_a_media_item_from_a_lecture_and_records_readings(clients, orgs, people):
    lec = lecture(orgs["331102"], speakers=[people["ld"]], title="开学第一课")
    client = clients["county_staff"]
    form = client.get(f"/outreach/media/new/?lecture={lec.pk}").content.decode()
    assert 'value="开学第一课"' in form and "对应宣讲" in form
    response = client.post(f"/outreach/media/new/?lecture={lec.pk}", {
        "title": "开学第一课视频", "kind": "video", "platform": services.platform_named("之江教育汇").pk,
        "publish_date": "2022-09-01", "org": orgs["331102"].pk, "lecture": lec.pk, "url": "https://example.cn/v"})
    item = lec.media_items.get()
    assert response["Location"] == f"/outreach/media/{item.pk}/"
    page = client.post(f"/outreach/media/{item.pk}/readings/", {"date": "2022-09-30", "views": "288650"},
                       **HX).content.decode()
    assert "288,650" in page and "2022年 288,650" in page
    page = client.post(f"/outreach/media/{item.pk}/readings/", {"date": "2022-10-30", "views": "1000"},
                       **HX).content.decode()
    assert "不能少于 2022-09-30 的读数 288,650" in page and MediaReading.objects.count() == 1
    page = client.post(f"/outreach/media/{item.pk}/pickups/", {"outlet": "学习强国", "column": "爱·思政",
                                                                "kind": "adopted", "date": "2022-09-20"},
                       **HX).content.decode()
    assert "学习强国“爱·思政”栏目" in page
    listed = client.get("/outreach/media/", {"picked_up": "1"}).content.decode()
    assert "开学第一课视频" in listed and "288,650" in listed


def test_it_lets_the_city_keep_the_platform_dictionary(clients):
    """The platforms are a list of the data dictionary: the old page leads there, a new one is offered at once."""
    assert clients["county_staff"].get("/outreach/platforms/").status_code == 403
    assert clients["city_staff"].get("/outreach/platforms/")["Location"] == "/core/dictionary/"
    response = clients["city_staff"].post("/core/dictionary/platform/new/", {"code": "kuaishou", "label": "快手",
                                                                            "sort_order": "80", "is_active": "on"})
    assert response.status_code == 302 and "快手" in clients["city_staff"].get("/core/dictionary/").content.decode()
    assert "快手" in clients["county_staff"].get("/outreach/media/new/").content.decode()


# --- 班前十分钟 ------------------------------------------------------------------------------------------


def test_it_records_a_month_of_sessions_from_the_batch_form(clients, orgs, people):
    response = clients["county_staff"].post("/outreach/sessions/batch/", {
        "enterprise": "丽水万控科技有限公司", "workshop": "总装车间", "org": orgs["331102"].pk, "shift": "before",
        "date_from": "2022-06-01", "date_to": "2022-06-30", "weekdays": ["0", "1", "2", "3", "4", "5"],
        "topics": "安全操作提醒\n劳模故事", "speaker": people["ld"].pk, "stage": "theory",
        "forms_used": ["video", "sharing"], "participants": "30", "minutes": "10"})
    assert response.status_code == 302
    assert PreShiftSession.objects.count() == 26  # Monday to Saturday in June 2022
    assert PreShiftSession.objects.filter(forms=",sharing,video,", speaker=people["ld"]).count() == 26
    page = clients["county_staff"].post("/outreach/sessions/batch/", {
        "enterprise": "丽水万控科技有限公司", "org": orgs["331102"].pk, "shift": "before", "date_from": "2022-06-01",
        "date_to": "2022-12-31", "weekdays": ["0"], "topics": "x", "stage": "theory", "participants": "1",
        "minutes": "10"}).content.decode()
    assert "一次最多登记 92 天" in page and 'value="丽水万控科技有限公司"' in page


def test_it_repeats_a_session_with_one_click(clients, orgs, people):
    s = session(orgs["331102"], day=date(2022, 6, 1), speaker=people["ld"], workshop="技术部")
    page = clients["county_staff"].post(f"/outreach/sessions/{s.pk}/repeat/", **HX).content.decode()
    assert "已登记" in page and "2022-06-02" in page
    form = clients["county_staff"].get(f"/outreach/sessions/new/?from={s.pk}").content.decode()
    assert 'value="2022-06-03"' in form and 'value="技术部"' in form and "张三" in form


def test_it_validates_the_session_form_inline(clients, orgs):
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    page = clients["county_staff"].post("/outreach/sessions/new/", {"_validate": "1", "date": future},
                                        **HX).content.decode()
    assert "日期不能晚于今天" in page and "请填写企业名称" not in page


# --- showcases and the worker timeline -------------------------------------------------------------------


def test_it_creates_a_showcase_with_featured_workers(clients, orgs, people):
    response = clients["county_staff"].post("/outreach/showcases/new/", {
        "name": "劳模工匠风采展示区", "host_type": "cultural_palace", "host_place": "莲都区工人文化宫",
        "org": orgs["331102"].pk, "opened_date": "2022-04-28", "featured_workers": [people["ld"].pk]})
    showcase = Showcase.objects.get()
    assert response["Location"] == f"/outreach/showcases/{showcase.pk}/"
    page = clients["county_staff"].get(response["Location"]).content.decode()
    assert "莲都区工人文化宫" in page and "张三" in page


def test_it_puts_lectures_and_sessions_on_the_workers_timeline(clients, users, orgs):
    worker = make_worker(orgs["331126"], "叶长文")
    Worker.objects.filter(pk=worker.pk).update(user=users["worker"])
    lecture(orgs["331126"], speakers=[worker], title="食用菌技术与乡村振兴", venue_type="village",
            venue_name="淤上村文化礼堂", audience=60)
    session(orgs["331126"], speaker=worker, enterprise="庆元县食用菌产业中心", topic="烂棒防治")
    staff = clients["county_staff_qy"].get(f"/workers/{worker.pk}/").content.decode()
    assert "食用菌技术与乡村振兴 · 淤上村文化礼堂,受众 60 人" in staff and "庆元县食用菌产业中心:烂棒防治" in staff
    assert "/outreach/lectures/" in staff
    mine = clients["worker"].get("/workers/me/").content.decode()  # the worker on their phone sees their own
    assert "食用菌技术与乡村振兴" in mine and "烂棒防治" in mine
