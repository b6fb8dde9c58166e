"""Factories of the outreach tests: records made through the services (as SYSTEM: setup data), and image files
for uploads."""

from __future__ import annotations

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from laomo.core.actors import SYSTEM
from laomo.outreach import services
from laomo.workers.tests.factories import make_worker  # noqa: F401  (re-exported)


def lecture(org, *, day=date(2022, 5, 4), speakers, actor=SYSTEM, title="劳模工匠进校园", venue_type="school",
            audience=100, status="held", **extra):
    return services.lecture_create(actor=actor, org=org, date=day, title=title, venue_type=venue_type,
                                   speakers=speakers, audience=audience, status=status, **extra)


def media(org, *, title="劳动教育开学第一课", platform="之江教育汇", publish=date(2022, 9, 1), actor=SYSTEM, **extra):
    return services.media_create(actor=actor, org=org, title=title, platform=platform, publish_date=publish, **extra)


def session(org, *, day=date(2022, 6, 1), enterprise="丽水万控科技有限公司", actor=SYSTEM, speaker=None,
            speaker_name="车间组长", topic="安全操作提醒", **extra):
    return services.session_create(actor=actor, org=org, enterprise=enterprise, date=day, topic=topic,
                                   speaker=speaker, speaker_name=speaker_name if speaker is None else "", **extra)


def jpeg_bytes(size=(1200, 800), *, exif_gps=True, color=(200, 30, 30)) -> bytes:
    """A JPEG with camera EXIF (make, GPS position, orientation) like a phone photo."""
    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0112] = 1  # Orientation
        gps = {1: "N", 2: (28.0, 27.0, 0.0), 3: "E", 4: (119.0, 55.0, 0.0)}
        exif[0x8825] = gps  # GPSInfo
        img.save(out, format="JPEG", exif=exif)
    else:
        img.save(out, format="JPEG")
    return out.getvalue()


def image_bytes(fmt: str, size=(400, 300), mode="RGB") -> bytes:
    color = {"RGBA": (10, 120, 200, 128), "L": 90}.get(mode, (10, 120, 200))
    img = Image.new(mode, size, color)
    out = io.BytesIO()
    img.save(out, format=fmt)
    return out.getvalue()


def upload(data: bytes, name="现场照片.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def photo_upload(**kwargs) -> SimpleUploadedFile:
    return upload(jpeg_bytes(**kwargs))
