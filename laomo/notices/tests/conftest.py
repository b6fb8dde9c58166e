"""Fixtures of the notices tests: files in a temporary media root, staff of three counties, small files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import make_user
from laomo.notices import services
from laomo.orgs.roles import Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf(name="办法.pdf", data=PDF):
    return SimpleUploadedFile(name, data, "application/pdf")


def png(name="图.png"):
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


@pytest.fixture
def city(orgs):
    return orgs["331100"]


@pytest.fixture
def staff(users, orgs):
    """County staff of 莲都 and 庆元 (from the shared users) and of 龙泉."""
    return {"331102": users["county_staff"], "331126": users["county_staff_qy"],
            "331181": make_user("t_longquan", Role.COUNTY_STAFF, orgs["331181"])}


@pytest.fixture
def notice(users, orgs, city):
    """A city notice published to 莲都, 庆元 and 龙泉, with a worker part and a file for workers."""
    return services.notice_create(
        actor=users["city_staff"], org=city, title="关于落实劳模待遇的通知", body="第一行\n<b>第二行</b>",
        doc_number="丽劳协〔2022〕5号", worker_text="致劳模:请留意待遇落实", publish=True,
        targets=[orgs["331102"], orgs["331126"], orgs["331181"]], attachments=[pdf()],
        worker_attachments=[png("劳模须知.png")])


def draft(actor, org, targets, **extra):
    return services.notice_create(actor=actor, org=org, title=extra.pop("title", "草稿通知"), body="正文",
                                  targets=targets, **extra)

