"""Role-matrix samples for the outreach URLs with path parameters (read by laomo/core/tests/test_role_matrix.py)."""

from datetime import date, timedelta

from django.utils import timezone

from laomo.core import dictionary
from laomo.core.actors import SYSTEM
from laomo.core.testing import pk_samples
from laomo.outreach import services
from laomo.outreach.models import Photo

SAMPLES = {
    **pk_samples("outreach_lecture",
                 "outreach:lecture_detail", "outreach:lecture_edit", "outreach:lecture_delete",
                 "outreach:lecture_photo_upload"),
    **pk_samples("outreach_photo", "outreach:photo", "outreach:photo_thumb", "outreach:photo_delete"),
    **pk_samples("outreach_campaign", "outreach:campaign_detail", "outreach:campaign_edit", "outreach:campaign_delete"),
    **pk_samples("outreach_media",
                 "outreach:media_detail", "outreach:media_edit", "outreach:media_delete", "outreach:reading_add",
                 "outreach:pickup_add"),
    "outreach:reading_delete": lambda f: {"pk": f["outreach_media"].pk, "reading_pk": f["outreach_reading"].pk},
    "outreach:pickup_delete": lambda f: {"pk": f["outreach_media"].pk, "pickup_pk": f["outreach_pickup"].pk},
    **pk_samples("outreach_session",
                 "outreach:session_detail", "outreach:session_edit", "outreach:session_repeat",
                 "outreach:session_delete"),
    **pk_samples("outreach_showcase",
                 "outreach:showcase_detail", "outreach:showcase_edit", "outreach:showcase_delete",
                 "outreach:showcase_photo_upload"),
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
