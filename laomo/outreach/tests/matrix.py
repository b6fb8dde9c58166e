"""Role-matrix samples for the outreach URLs with path parameters (read by laomo/core/tests/test_role_matrix.py)."""

from datetime import date, timedelta

from django.utils import timezone

from laomo.core import dictionary
from laomo.core.actors import SYSTEM
from laomo.outreach import services
from laomo.outreach.models import Photo

SAMPLES = {
    "outreach:lecture_detail": lambda f: {"pk": f["outreach_lecture"].pk},
    "outreach:lecture_edit": lambda f: {"pk": f["outreach_lecture"].pk},
    "outreach:lecture_delete": lambda f: {"pk": f["outreach_lecture"].pk},
    "outreach:lecture_photo_upload": lambda f: {"pk": f["outreach_lecture"].pk},
    "outreach:photo": lambda f: {"pk": f["outreach_photo"].pk},
    "outreach:photo_thumb": lambda f: {"pk": f["outreach_photo"].pk},
    "outreach:photo_delete": lambda f: {"pk": f["outreach_photo"].pk},
    "outreach:campaign_detail": lambda f: {"pk": f["outreach_campaign"].pk},
    "outreach:campaign_edit": lambda f: {"pk": f["outreach_campaign"].pk},
    "outreach:campaign_delete": lambda f: {"pk": f["outreach_campaign"].pk},
    "outreach:media_detail": lambda f: {"pk": f["outreach_media"].pk},
    "outreach:media_edit": lambda f: {"pk": f["outreach_media"].pk},
    "outreach:media_delete": lambda f: {"pk": f["outreach_media"].pk},
    "outreach:reading_add": lambda f: {"pk": f["outreach_media"].pk},
    "outreach:reading_delete": lambda f: {"pk": f["outreach_media"].pk, "reading_pk": f["outreach_reading"].pk},
    "outreach:pickup_add": lambda f: {"pk": f["outreach_media"].pk},
    "outreach:pickup_delete": lambda f: {"pk": f["outreach_media"].pk, "pickup_pk": f["outreach_pickup"].pk},
    "outreach:session_detail": lambda f: {"pk": f["outreach_session"].pk},
    "outreach:session_edit": lambda f: {"pk": f["outreach_session"].pk},
    "outreach:session_repeat": lambda f: {"pk": f["outreach_session"].pk},
    "outreach:session_delete": lambda f: {"pk": f["outreach_session"].pk},
    "outreach:showcase_detail": lambda f: {"pk": f["outreach_showcase"].pk},
    "outreach:showcase_edit": lambda f: {"pk": f["outreach_showcase"].pk},
    "outreach:showcase_delete": lambda f: {"pk": f["outreach_showcase"].pk},
    "outreach:showcase_photo_upload": lambda f: {"pk": f["outreach_showcase"].pk},
}


def build(f) -> dict:
    """One record of each kind in 莲都区 (the county of the matrix's county_staff), made through the services.

    The photo row points at no file (the matrix must not write images under var/): serving it is a 404.
    """
    org = f["orgs"]["331102"]
    today = timezone.localdate()
    campaign = services.campaign_create(actor=SYSTEM, org=org, name="矩阵测试活动", start_date=date(2022, 1, 1),
                                        end_date=today)
    lecture = services.lecture_create(actor=SYSTEM, org=org, date=date(2022, 5, 4), title="矩阵测试宣讲",
                                      venue_type="school", speakers=[f["worker"]], audience=100, campaign=campaign)
    photo = Photo.objects.create(lecture=lecture, file="outreach/photos/none/photo.jpg",
                                 thumb="outreach/photos/none/thumb.jpg", content_type="image/jpeg", width=10,
                                 height=10, size=100)
    # The platforms migration 0003 seeds are gone after a transactional test's flush (the browser sweep).
    platform = services.platform_named("之江教育汇") or dictionary.item_save(
        actor=SYSTEM, kind_code="platform", code="zjjyh", label="之江教育汇")
    media = services.media_create(actor=SYSTEM, org=org, title="矩阵测试视频", platform=platform,
                                  publish_date=date(2022, 5, 5), lecture=lecture)
    reading = services.reading_add(actor=SYSTEM, item=media, date=date(2022, 5, 6), views=1000)
    pickup = services.pickup_add(actor=SYSTEM, item=media, outlet="学习强国", column="爱·思政", date=date(2022, 5, 7))
    session = services.session_create(actor=SYSTEM, org=org, enterprise="矩阵测试企业", date=today - timedelta(days=30),
                                      topic="安全生产", speaker=f["worker"], forms=["video"])
    showcase = services.showcase_create(actor=SYSTEM, org=org, name="矩阵测试展示区", host_type="cultural_palace",
                                        host_place="莲都区工人文化宫", opened_date=date(2022, 4, 28),
                                        featured_workers=[f["worker"]])
    return {"outreach_campaign": campaign, "outreach_lecture": lecture, "outreach_photo": photo,
            "outreach_media": media, "outreach_reading": reading,
            "outreach_pickup": pickup, "outreach_session": session, "outreach_showcase": showcase}
