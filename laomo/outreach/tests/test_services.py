"""Services of 宣讲与宣传: every rule and refusal, the audit entries, the scope checks on writes."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from laomo.core import dictionary
from laomo.core.models import AuditEntry
from laomo.outreach import services
from laomo.outreach.models import Lecture, LectureSpeaker, MediaReading, PreShiftSession
from laomo.workers.services import worker_set_status

from .factories import image_bytes, jpeg_bytes, lecture, make_worker, media, photo_upload, session, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(orgs):
    return {
        "ld": make_worker(orgs["331102"], "张三", honors=[("莲都区劳动模范", 2015)]),
        "ld2": make_worker(orgs["331102"], "李四"),
        "qy": make_worker(orgs["331126"], "叶长文", honors=[("庆元县劳动模范", 2018)]),
    }


def messages_of(exc) -> dict:
    return exc.value.message_dict


# --- lectures --------------------------------------------------------------------------------------------


def test_it_creates_a_lecture_with_a_worker_and_a_named_speaker(orgs, users, people):
    lec = services.lecture_create(actor=users["county_staff"], org=orgs["331102"], date=date(2022, 5, 4),
                                  title=" 劳模工匠进校园 ", venue_type="school", venue_name="莲都区实验小学",
                                  audience=320, speakers=[people["ld"], services.Speaker(name="王老师"),
                                                          people["ld"].pk])
    assert lec.title == "劳模工匠进校园" and lec.status == "held"
    speakers = list(LectureSpeaker.objects.filter(lecture=lec).order_by("position"))
    assert [(s.worker_id, s.name) for s in speakers] == [(people["ld"].pk, ""), (None, "王老师")]  # duplicate dropped
    entry = AuditEntry.objects.get(action="outreach.lecture.create")
    assert entry.actor_username == "t_liandu" and entry.org_id == orgs["331102"].pk
    assert entry.changes["speakers"][0].startswith("张三(劳模 LM") and entry.changes["audience"] == 320


def test_it_refuses_a_held_lecture_dated_in_the_future(orgs, people, users):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        lecture(orgs["331102"], day=tomorrow, speakers=[people["ld"]])
    assert "已举办的宣讲日期不能晚于今天" in messages_of(exc)["date"][0]
    planned = lecture(orgs["331102"], day=tomorrow, speakers=[people["ld"]], status="planned", audience=0)
    assert planned.status == "planned"
    with pytest.raises(ValidationError):  # held only once it happened
        services.lecture_update(actor=users["county_staff"], lecture=planned, status="held")
    assert lecture(orgs["331102"], day=timezone.localdate(), speakers=[people["ld"]]).pk  # today is fine


def test_it_refuses_an_audience_below_zero(orgs, people):
    with pytest.raises(ValidationError) as exc:
        lecture(orgs["331102"], speakers=[people["ld"]], audience=-1)
    assert messages_of(exc)["audience"] == ["受众人数不能小于 0。"]
    assert not Lecture.objects.exists()


def test_it_refuses_a_speaker_outside_the_users_scope(orgs, users, people):
    with pytest.raises(ValidationError) as exc:
        lecture(orgs["331102"], actor=users["county_staff"], speakers=[people["ld"], people["qy"]])
    message = messages_of(exc)["speakers"][0]
    assert f"ID {people['qy'].pk}" in message and "不在您的数据范围内" in message and "叶长文" not in message
    with pytest.raises(ValidationError) as guessed:  # an id that does not exist reads the same
        lecture(orgs["331102"], actor=users["county_staff"], speakers=[999999])
    assert "不存在或不在您的数据范围内" in messages_of(guessed)["speakers"][0]
    # The city staff may invite a speaker from any county.
    assert lecture(orgs["331102"], actor=users["city_staff"], speakers=[people["qy"]]).pk


def test_it_keeps_a_speaker_already_on_the_record_when_a_narrower_user_edits(orgs, users, people):
    lec = lecture(orgs["331102"], actor=users["city_staff"], speakers=[people["ld"], people["qy"]])
    services.lecture_update(actor=users["county_staff"], lecture=lec, audience=150,
                            speakers=[people["ld"], people["qy"]])
    assert set(lec.speakers.values_list("worker_id", flat=True)) == {people["ld"].pk, people["qy"].pk}
    with pytest.raises(ValidationError):  # but may not add one
        services.lecture_update(actor=users["county_staff"], lecture=lec,
                                speakers=[people["ld"], make_worker(orgs["331181"], "范世法")])


def test_it_needs_at_least_one_speaker(orgs, people):
    with pytest.raises(ValidationError) as exc:
        lecture(orgs["331102"], speakers=[services.Speaker(name="  ")])
    assert "请至少填写一位主讲人" in messages_of(exc)["speakers"][0]


def test_it_refuses_a_speaker_after_their_death(orgs, people, users):
    worker_set_status(actor=users["city_staff"], worker=people["ld2"], status="deceased", status_date=date(2022, 3, 1))
    with pytest.raises(ValidationError) as exc:
        lecture(orgs["331102"], day=date(2022, 5, 4), speakers=[people["ld2"]])
    assert "已于 2022-03-01 去世" in messages_of(exc)["speakers"][0]
    assert lecture(orgs["331102"], day=date(2022, 2, 1), speakers=[people["ld2"]]).pk


def test_it_refuses_writes_outside_scope_and_without_edit_rights(orgs, users, people):
    with pytest.raises(PermissionDenied):
        lecture(orgs["331126"], actor=users["county_staff"], speakers=[services.Speaker(name="王老师")])
    with pytest.raises(PermissionDenied):
        lecture(orgs["331102"], actor=users["viewer"], speakers=[people["ld"]])
    lec = lecture(orgs["331102"], actor=users["county_staff"], speakers=[people["ld"]])
    with pytest.raises(PermissionDenied):  # moving the record to another county
        services.lecture_update(actor=users["county_staff"], lecture=lec, org=orgs["331126"])
    with pytest.raises(PermissionDenied):  # nor to the unit above
        services.lecture_update(actor=users["county_staff"], lecture=lec, org=orgs["331100"])


def test_it_checks_the_campaign_of_a_lecture(orgs, users, people):
    city = services.campaign_create(actor=users["city_staff"], org=orgs["331100"], name="党的二十大精神劳模工匠宣讲",
                                    start_date=date(2022, 10, 24), end_date=date(2022, 12, 31))
    qy = services.campaign_create(actor=users["county_staff_qy"], org=orgs["331126"], name="庆元五月宣传",
                                  start_date=date(2022, 5, 1), end_date=date(2022, 5, 31))
    county = users["county_staff"]
    assert lecture(orgs["331102"], actor=county, day=date(2022, 11, 2), speakers=[people["ld"]], campaign=city).pk
    with pytest.raises(ValidationError) as outside:
        lecture(orgs["331102"], actor=county, day=date(2022, 9, 2), speakers=[people["ld"]], campaign=city)
    assert "2022-10-24 至 2022-12-31" in messages_of(outside)["date"][0]
    with pytest.raises(ValidationError) as other:
        lecture(orgs["331102"], actor=county, day=date(2022, 5, 4), speakers=[people["ld"]], campaign=qy)
    assert messages_of(other)["campaign"] == ["所选活动不存在或不在您的数据范围内。"]


def test_it_soft_deletes_a_lecture_with_a_reason(orgs, users, people):
    lec = lecture(orgs["331102"], speakers=[people["ld"]])
    with pytest.raises(ValidationError):
        services.lecture_delete(actor=users["county_staff"], lecture=lec, reason=" ")
    services.lecture_delete(actor=users["county_staff"], lecture=lec, reason="重复登记")
    lec.refresh_from_db()
    assert lec.is_deleted and Lecture.objects.filter(pk=lec.pk).exists()
    assert AuditEntry.objects.get(action="outreach.lecture.delete").changes == {"reason": "重复登记"}


def test_it_has_database_constraints_behind_the_checks(orgs, people):
    lec = lecture(orgs["331102"], speakers=[people["ld"]])
    with pytest.raises(IntegrityError), transaction.atomic():
        Lecture.objects.filter(pk=lec.pk).update(audience=-5)
    with pytest.raises(IntegrityError), transaction.atomic():
        LectureSpeaker.objects.create(lecture=lec, worker=None, name="")
    with pytest.raises(IntegrityError), transaction.atomic():
        LectureSpeaker.objects.create(lecture=lec, worker=people["ld"])


# --- campaigns -------------------------------------------------------------------------------------------


def test_it_validates_campaign_periods(orgs, users, people):
    with pytest.raises(ValidationError) as exc:
        services.campaign_create(actor=users["city_staff"], org=orgs["331100"], name="劳动教育开学第一课",
                                 start_date=date(2022, 9, 30), end_date=date(2022, 9, 1))
    assert messages_of(exc)["end_date"] == ["结束日期不能早于开始日期。"]
    c = services.campaign_create(actor=users["city_staff"], org=orgs["331100"], name="劳动教育开学第一课",
                                 start_date=date(2022, 8, 25), end_date=date(2022, 9, 30))
    lecture(orgs["331102"], day=date(2022, 9, 1), speakers=[people["ld"]], campaign=c)
    with pytest.raises(ValidationError) as shrink:
        services.campaign_update(actor=users["city_staff"], campaign=c, start_date=date(2022, 9, 5))
    assert "1 场宣讲不在新的期间内" in messages_of(shrink)["start_date"][0]
    with pytest.raises(ValidationError) as used:
        services.campaign_delete(actor=users["city_staff"], campaign=c, reason="误建")
    assert "还有 1 条" in messages_of(used)["reason"][0]
    with pytest.raises(PermissionDenied):  # a county cannot edit the city's campaign it may attach to
        services.campaign_update(actor=users["county_staff"], campaign=c, theme="改")


# --- photos ----------------------------------------------------------------------------------------------


def test_it_reencodes_a_photo_without_exif_and_makes_a_thumbnail(orgs, users, people, settings):
    from io import BytesIO

    from django.core.files.storage import default_storage
    from PIL import Image

    original = jpeg_bytes((3000, 2000))
    assert Image.open(BytesIO(original)).getexif().get(0x8825)  # the phone photo carries a GPS position
    lec = lecture(orgs["331102"], speakers=[people["ld"]])
    photo = services.photo_add(actor=users["county_staff"], lecture=lec, upload=upload(original), caption="宣讲现场")
    stored = default_storage.open(photo.file).read()
    img = Image.open(BytesIO(stored))
    assert img.format == "JPEG" and not img.getexif() and "exif" not in img.info
    assert max(img.size) == 2560 and (photo.width, photo.height) == img.size and photo.size == len(stored)
    thumb = Image.open(default_storage.open(photo.thumb))
    assert max(thumb.size) == 320
    parts = photo.file.split("/")
    assert parts[0:2] == ["outreach", "photos"] and len(parts[-2]) == 32 and parts[-1] == "photo.jpg"
    assert str(settings.MEDIA_ROOT) in default_storage.path(photo.file)
    assert AuditEntry.objects.filter(action="outreach.photo.add", object_id=str(photo.pk)).exists()


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"%PDF-1.4 not an image", "宣讲稿.jpg", "文件不是有效的图片"),
    (b"", "empty.jpg", "文件为空"),
    ("gif", "动图.gif", "不支持的图片格式(GIF)"),
])
def test_it_refuses_what_is_not_a_jpeg_png_or_webp(orgs, people, data, name, message, users):
    if data == "gif":
        data = image_bytes("GIF")
    lec = lecture(orgs["331102"], speakers=[people["ld"]])
    with pytest.raises(ValidationError) as exc:
        services.photo_add(actor=users["county_staff"], lecture=lec, upload=upload(data, name=name))
    assert message in messages_of(exc)["photo"][0]
    assert not lec.photos.exists()


def test_it_refuses_an_oversized_photo(orgs, people, settings, users):
    settings.LAOMO_PHOTO_MAX_BYTES = 20_000
    lec = lecture(orgs["331102"], speakers=[people["ld"]])
    big = jpeg_bytes((1600, 1200), color=(1, 2, 3))
    noisy = bytes(range(256)) * 200  # appended payload pushes the file over the limit
    with pytest.raises(ValidationError) as exc:
        services.photo_add(actor=users["county_staff"], lecture=lec, upload=upload(big + noisy))
    assert "照片过大" in messages_of(exc)["photo"][0] and "上限 19 KB" in messages_of(exc)["photo"][0]
    assert not lec.photos.exists()


def test_it_refuses_a_decompression_bomb(orgs, people, users):
    lec = lecture(orgs["331102"], speakers=[people["ld"]])
    bomb = image_bytes("PNG", size=(10000, 6000), mode="L")
    with pytest.raises(ValidationError) as exc:
        services.photo_add(actor=users["county_staff"], lecture=lec,
                           upload=upload(bomb, name="a.png", content_type="image/png"))
    assert "图片尺寸过大" in messages_of(exc)["photo"][0]


def test_it_keeps_png_and_webp_in_their_format(orgs, people, users):
    lec = lecture(orgs["331102"], speakers=[people["ld"]])
    staff = users["county_staff"]
    png = services.photo_add(actor=staff, lecture=lec, upload=upload(image_bytes("PNG", mode="RGBA"), name="a.png"))
    webp = services.photo_add(actor=staff, lecture=lec, upload=upload(image_bytes("WEBP"), name="b.webp"))
    assert (png.content_type, webp.content_type) == ("image/png", "image/webp")
    assert png.file.endswith("/photo.png") and webp.file.endswith("/photo.webp")


def test_it_saves_nothing_when_one_photo_of_a_new_lecture_is_bad(orgs, people):
    with pytest.raises(ValidationError) as exc:
        lecture(orgs["331102"], speakers=[people["ld"]], photos=[photo_upload(), upload(b"nope", name="坏.jpg")])
    assert exc.value.message_dict["photos"][0].startswith("坏.jpg:")
    assert not Lecture.objects.exists()
    lec = lecture(orgs["331102"], speakers=[people["ld"]], photos=[photo_upload(), photo_upload()])
    assert lec.photos.count() == 2


# --- media readings and pick-ups -------------------------------------------------------------------------


def test_it_records_readings_as_a_growing_count(orgs, users):
    city, item = users["city_staff"], media(orgs["331101"])
    services.reading_add(actor=city, item=item, date=date(2022, 9, 8), views=168_430)
    services.reading_add(actor=city, item=item, date=date(2022, 12, 31), views=312_480)
    with pytest.raises(ValidationError) as lower:
        services.reading_add(actor=city, item=item, date=date(2023, 1, 5), views=300_000)
    assert "不能少于 2022-12-31 的读数 312,480" in messages_of(lower)["views"][0]
    with pytest.raises(ValidationError) as higher:
        services.reading_add(actor=city, item=item, date=date(2022, 10, 1), views=400_000)
    assert "不能多于之后 2022-12-31 的读数" in messages_of(higher)["views"][0]
    with pytest.raises(ValidationError) as same_day:
        services.reading_add(actor=city, item=item, date=date(2022, 9, 8), views=170_000)
    assert "已有读数 168,430" in messages_of(same_day)["date"][0]
    with pytest.raises(ValidationError) as early:
        services.reading_add(actor=city, item=item, date=date(2022, 8, 31), views=1)
    assert "不能早于发布日期(2022-09-01)" in messages_of(early)["date"][0]
    with pytest.raises(ValidationError):
        services.reading_add(actor=city, item=item, date=timezone.localdate() + timedelta(days=1), views=999_999)
    with pytest.raises(ValidationError):
        services.reading_add(actor=city, item=item, date=date(2022, 11, 1), views=-3)
    with pytest.raises(PermissionDenied):
        services.reading_add(actor=users["county_staff"], item=item, date=date(2022, 11, 1), views=200_000)
    assert MediaReading.objects.filter(media_item=item).count() == 2


def test_it_records_a_pickup_after_publishing(orgs, users):
    city, item = users["city_staff"], media(orgs["331101"])
    pickup = services.pickup_add(actor=city, item=item, outlet="学习强国", column="爱·思政", date=date(2022, 9, 20))
    assert str(pickup) == "学习强国 爱·思政"
    with pytest.raises(ValidationError) as exc:
        services.pickup_add(actor=city, item=item, outlet="", date=date(2022, 8, 1), url="javascript:alert(1)")
    assert set(messages_of(exc)) == {"outlet", "date", "url"}


def test_it_validates_media_items(orgs, users):
    with pytest.raises(ValidationError) as exc:
        services.media_create(actor=users["city_staff"], org=orgs["331101"], title="", platform="不存在的平台",
                              publish_date=timezone.localdate() + timedelta(days=2), url="ftp://x")
    assert set(messages_of(exc)) >= {"title", "platform", "publish_date", "url"}
    assert "之江教育汇" in messages_of(exc)["platform"][0]  # lists the platforms one may pick


# --- 班前十分钟 ------------------------------------------------------------------------------------------


def test_it_records_a_session_and_refuses_the_same_shift_twice(orgs, users, people):
    s = session(orgs["331102"], actor=users["county_staff"], speaker=people["ld"], forms=["story", "video", "video"],
                workshop="总装车间")
    assert s.forms == ",story,video," and s.form_labels == ["讲故事", "看视频"]
    with pytest.raises(ValidationError) as exc:
        session(orgs["331102"], speaker=people["ld"], workshop="总装车间")
    assert "已有记录" in messages_of(exc)["date"][0]
    assert session(orgs["331102"], speaker=people["ld"], workshop="总装车间", shift="after").pk  # after the shift


def test_it_refuses_bad_sessions(orgs, users, people):
    with pytest.raises(ValidationError) as exc:
        services.session_create(actor=users["county_staff"], org=orgs["331102"], enterprise="", topic="",
                                date=timezone.localdate() + timedelta(days=1), participants=-1, minutes=0,
                                forms=["dance"])
    assert set(messages_of(exc)) >= {"enterprise", "topic", "date", "participants", "minutes", "forms", "speaker"}
    with pytest.raises(ValidationError) as scope:
        session(orgs["331102"], actor=users["county_staff"], speaker=people["qy"])
    assert "不在您的数据范围内" in messages_of(scope)["speaker"][0]


def test_it_repeats_the_last_session_on_the_next_day(orgs, users, people):
    s = session(orgs["331102"], day=date(2022, 6, 1), speaker=people["ld"], workshop="技术部")
    session(orgs["331102"], day=date(2022, 6, 2), speaker=people["ld"], workshop="技术部", topic="复盘")
    copy = services.session_repeat(actor=users["county_staff"], session=s)
    assert copy.date == date(2022, 6, 3) and copy.topic == s.topic and copy.speaker == people["ld"]
    today = timezone.localdate()
    latest = session(orgs["331102"], day=today, speaker=people["ld"], workshop="技术部")
    with pytest.raises(ValidationError) as exc:
        services.session_repeat(actor=users["county_staff"], session=latest)
    assert f"已登记到 {today:%Y-%m-%d}" in messages_of(exc)["date"][0]


def test_it_records_a_month_of_sessions_in_one_batch(orgs, users, people):
    session(orgs["331102"], day=date(2022, 6, 8), speaker=people["ld"], workshop="技术部", topic="已有",
            enterprise="丽水丽宝安防科技有限公司")
    result = services.session_batch(
        actor=users["county_staff"], org=orgs["331102"], enterprise="丽水丽宝安防科技有限公司", workshop="技术部",
        date_from=date(2022, 6, 1), date_to=date(2022, 6, 30), weekdays=[0, 1, 2, 3, 4],
        topics="学习理论\n实践活动\n\n提升感悟", speaker=people["ld"], stage="practice", forms=["sharing"],
        participants=12)
    assert len(result.created) == 21 and result.skipped == [date(2022, 6, 8)]  # 22 weekdays in June 2022
    created = PreShiftSession.objects.filter(enterprise="丽水丽宝安防科技有限公司").order_by("date")
    assert [s.topic for s in created[:4]] == ["学习理论", "实践活动", "提升感悟", "学习理论"]
    assert all(s.date.weekday() < 5 for s in created)
    entry = AuditEntry.objects.get(action="outreach.session.batch")
    assert entry.changes["created"] == 21 and entry.changes["skipped"] == ["2022-06-08"]
    again = services.session_batch(actor=users["county_staff"], org=orgs["331102"],
                                   enterprise="丽水丽宝安防科技有限公司", workshop="技术部", date_from=date(2022, 6, 1),
                                   date_to=date(2022, 6, 30), weekdays=[0, 1, 2, 3, 4], topics=["x"],
                                   speaker=people["ld"])
    assert again.created == [] and len(again.skipped) == 22  # the same batch twice adds nothing


def test_it_refuses_bad_batches(orgs, users, people):
    kwargs = {"actor": users["county_staff"], "org": orgs["331102"], "enterprise": "丽水万控科技有限公司",
              "speaker": people["ld"], "topics": ["安全"], "weekdays": [0]}
    with pytest.raises(ValidationError) as long:
        services.session_batch(date_from=date(2022, 1, 1), date_to=date(2022, 6, 30), **kwargs)
    assert "一次最多登记 92 天" in messages_of(long)["date_to"][0]
    with pytest.raises(ValidationError) as future:
        services.session_batch(date_from=timezone.localdate(), date_to=timezone.localdate() + timedelta(days=3),
                               **kwargs)
    assert "不能晚于今天" in messages_of(future)["date_to"][0]
    with pytest.raises(ValidationError) as none:
        services.session_batch(date_from=date(2022, 6, 7), date_to=date(2022, 6, 10), **kwargs)  # no Monday
    assert "没有所选星期" in messages_of(none)["weekdays"][0]
    with pytest.raises(ValidationError):
        services.session_batch(date_from=date(2022, 6, 1), date_to=date(2022, 6, 30),
                               **{**kwargs, "speaker": people["qy"]})
    assert not PreShiftSession.objects.exists()


# --- showcases and platforms -----------------------------------------------------------------------------


def test_it_validates_showcases(orgs, users, people):
    with pytest.raises(ValidationError) as exc:
        services.showcase_create(actor=users["county_staff"], org=orgs["331102"], name="风采展示区", host_type="x",
                                 host_place="", opened_date=date(2022, 5, 1), closed_date=date(2022, 4, 1))
    assert set(messages_of(exc)) == {"host_type", "host_place", "closed_date"}
    with pytest.raises(ValidationError) as scope:
        services.showcase_create(actor=users["county_staff"], org=orgs["331102"], name="风采展示区",
                                 host_type="cultural_palace", host_place="莲都区工人文化宫",
                                 opened_date=date(2022, 5, 1), featured_workers=[people["ld"], people["qy"]])
    assert "不在您的数据范围内" in messages_of(scope)["featured_workers"][0]
    s = services.showcase_create(actor=users["county_staff"], org=orgs["331102"], name="风采展示区",
                                 host_type="cultural_palace", host_place="莲都区工人文化宫",
                                 opened_date=date(2022, 5, 1), featured_workers=[people["ld"]])
    assert list(s.featured_workers.all()) == [people["ld"]]


def test_it_lets_only_dictionary_keepers_edit_platforms(users):
    """Platforms are entries of the data dictionary: city staff keep them; a switched-off one is not offered."""
    with pytest.raises(PermissionDenied):
        dictionary.item_save(actor=users["county_staff"], kind_code="platform", code="kuaishou", label="快手")
    platform = dictionary.item_save(actor=users["city_staff"], kind_code="platform", code="kuaishou", label="快手")
    with pytest.raises(ValidationError):
        dictionary.item_save(actor=users["city_staff"], kind_code="platform", code="kuaishou2", label="快手")
    platform = dictionary.item_save(actor=users["city_staff"], item=platform, is_active=False)
    with pytest.raises(ValidationError) as exc:
        media(users["city_staff"].org, platform=platform)
    assert "已停用" in exc.value.message_dict["platform"][0]
