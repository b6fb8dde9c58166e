"""The official fields (证书编号, 表彰文号/机关, 享受待遇类别, 证件照) and the 劳模登记表 (issue 17 item 2)."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.orgs.roles import Role
from laomo.workers import photos, services
from laomo.workers.export import write_roster
from laomo.workers.models import Worker

from .factories import make_id, make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def jpeg_with_exif(size=(1600, 2000)) -> bytes:
    img = Image.new("RGB", size, (180, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "TestCamera"  # Make
    exif[0x0131] = "secret-software"  # Software
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def worker(orgs):
    w = make_worker(orgs["331102"], "李明", id_number=make_id("331102", "19650312"), phone="13905781234",
                    address="丽水市莲都区某路1号", employer="丽水某厂", benefit_category="provincial")
    services.honor_add(actor=SYSTEM, worker=w, title="浙江省劳动模范", year=2015, awarding_body="浙江省人民政府",
                       document_no="浙政发〔2015〕12号", certificate_no="ZJ2015-0088")
    return Worker.objects.get(pk=w.pk)


def test_it_keeps_the_official_fields_on_the_worker_and_the_honor(worker):
    honor = worker.honors.get()
    assert (honor.awarding_body, honor.document_no, honor.certificate_no) == (
        "浙江省人民政府", "浙政发〔2015〕12号", "ZJ2015-0088")
    assert worker.get_benefit_category_display() == "享受省部级劳模待遇"
    # the benefit category may differ from the highest honor, and is validated
    services.worker_update(actor=SYSTEM, worker=worker, benefit_category="municipal")
    with pytest.raises(ValidationError):
        services.worker_update(actor=SYSTEM, worker=worker, benefit_category="emperor")


def test_it_reencodes_the_photo_without_exif_and_within_the_size(worker):
    assert b"secret-software" in jpeg_with_exif()
    w = photos.worker_set_photo(actor=SYSTEM, worker=worker, upload=upload(jpeg_with_exif()))
    data = photos.photo_bytes(w)
    assert b"secret-software" not in data and b"TestCamera" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG" and img.width <= 600 and img.height <= 800
        assert not img.getexif()
    assert AuditEntry.objects.filter(action="workers.worker.photo").exists()


def test_it_refuses_a_non_image_a_gif_and_a_too_large_file(worker):
    with pytest.raises(ValidationError, match="不是有效的图片"):
        photos.worker_set_photo(actor=SYSTEM, worker=worker, upload=upload(b"%PDF-1.4 not an image", "a.jpg"))
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    with pytest.raises(ValidationError, match="GIF"):
        photos.worker_set_photo(actor=SYSTEM, worker=worker, upload=upload(gif.getvalue(), "a.gif", "image/gif"))
    with pytest.raises(ValidationError, match="5 MB"):
        photos.worker_set_photo(actor=SYSTEM, worker=worker, upload=upload(b"\xff" * (5 * 1024 * 1024 + 1)))
    worker.refresh_from_db()
    assert worker.photo == ""


def test_it_saves_fields_and_photo_through_the_worker_form(worker, clients):
    client = clients[Role.COUNTY_STAFF]
    page = client.get(f"/workers/{worker.pk}/edit/")
    assert 'enctype="multipart/form-data"' in page.content.decode()
    data = {"name": worker.name, "org": worker.org_id, "id_number": worker.id_number, "benefit_category": "none",
            "photo": upload(jpeg_with_exif((300, 400)))}
    resp = client.post(f"/workers/{worker.pk}/edit/", data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    worker.refresh_from_db()
    assert worker.benefit_category == "none" and worker.photo
    detail = client.get(f"/workers/{worker.pk}/").content.decode()
    assert "证件照" in detail and "ZJ2015-0088" in detail and "无" in detail
    photo = client.get(f"/workers/{worker.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    # a non-image is refused on the form, nothing saved
    bad = client.post(f"/workers/{worker.pk}/edit/", {**data, "benefit_category": "national",
                                                      "photo": upload(b"not an image")})
    assert bad.status_code == 200 and "不是有效的图片" in bad.content.decode()
    worker.refresh_from_db()
    assert worker.benefit_category == "none"


def test_it_keeps_the_photo_and_the_card_inside_the_scope(worker, clients):
    photos.worker_set_photo(actor=SYSTEM, worker=worker, upload=upload(jpeg_with_exif((300, 400))))
    other = clients["county_staff_qy"]
    for url in (f"/workers/{worker.pk}/photo/", f"/workers/{worker.pk}/card/", f"/workers/{worker.pk}/card.pdf"):
        assert other.get(url).status_code == 404, url
        assert clients[Role.COUNTY_STAFF].get(url).status_code == 200, url


def test_it_prints_the_card_masked_or_revealed_and_audited(worker, clients, users):
    page = clients[Role.VIEWER].get(f"/workers/{worker.pk}/card/").content.decode()
    assert "劳动模范登记表" in page and worker.id_number_masked in page and worker.id_number not in page
    for text in ("浙政发〔2015〕12号", "ZJ2015-0088", "享受省部级劳模待遇", "填表单位(盖章)", "审核单位(盖章)"):
        assert text in page
    assert not AuditEntry.objects.filter(action="core.pii.reveal").exists()
    revealed = clients[Role.COUNTY_STAFF].get(f"/workers/{worker.pk}/card/").content.decode()
    assert worker.id_number in revealed
    entry = AuditEntry.objects.get(action="core.pii.reveal")
    assert entry.actor_id == users[Role.COUNTY_STAFF].pk and entry.changes.get("field") == "card"


def test_it_renders_the_card_as_an_a4_pdf(worker, clients):
    photos.worker_set_photo(actor=SYSTEM, worker=worker, upload=upload(jpeg_with_exif((300, 400))))
    resp = clients[Role.VIEWER].get(f"/workers/{worker.pk}/card.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=resp.content, capture_output=True,
                          check=True).stdout.decode()
    assert "劳动模范登记表" in text and "李明" in text and "ZJ2015-0088" in text
    assert worker.id_number not in text and worker.id_number_masked in text
    info = subprocess.run(["pdfinfo", "-"], input=resp.content, capture_output=True, check=True).stdout.decode()
    assert "595.28 x 841.89" in info or "A4" in info


def test_it_exports_the_official_fields_in_the_roster(worker, tmp_path):
    target = tmp_path / "roster.xlsx"
    write_roster(target, Worker.objects.filter(pk=worker.pk), full=False)
    sheet = load_workbook(target).active
    headers = [c.value for c in sheet[1]]
    row = dict(zip(headers, [c.value for c in sheet[2]], strict=False))
    assert row["享受待遇类别"] == "享受省部级劳模待遇"
    assert row["表彰文号"] == "浙政发〔2015〕12号" and row["证书编号"] == "ZJ2015-0088"
    assert row["表彰机关"] == "浙江省人民政府"


def test_it_reads_and_writes_the_fields_and_the_photo_through_the_api(worker, users, client):
    _, raw = api_token_create(actor=SYSTEM, user=users[Role.COUNTY_STAFF])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    got = client.get(f"/api/v1/workers/{worker.pk}", **auth).json()
    assert got["benefit_category"] == "provincial" and got["honors"][0]["certificate_no"] == "ZJ2015-0088"
    assert got["has_photo"] is False
    patched = client.patch(f"/api/v1/workers/{worker.pk}", data={"benefit_category": "national"},
                           content_type="application/json", **auth)
    assert patched.status_code == 200 and patched.json()["benefit_category"] == "national"
    honor = client.post(f"/api/v1/workers/{worker.pk}/honors", data={
        "title": "丽水市劳动模范", "year": 2010, "document_no": "丽政发〔2010〕5号", "certificate_no": "LS-10-01",
        "awarding_body": "丽水市人民政府"}, content_type="application/json", **auth)
    assert honor.status_code == 201 and honor.json()["certificate_no"] == "LS-10-01"
    up = client.post(f"/api/v1/workers/{worker.pk}/photo", {"photo": upload(jpeg_with_exif((300, 400)))}, **auth)
    assert up.status_code == 200 and up.json()["has_photo"] is True
    bad = client.post(f"/api/v1/workers/{worker.pk}/photo", {"photo": upload(b"nope")}, **auth)
    assert bad.status_code in (400, 422) and "图片" in bad.json()["message"] + str(bad.json().get("extra"))
    assert client.delete(f"/api/v1/workers/{worker.pk}/photo", **auth).status_code == 204


def test_it_imports_the_benefit_category_and_reimports_the_export_with_no_change(tmp_path, orgs):
    from .test_importer import _roster, run, write  # noqa: PLC0415  (the importer tests' file builders)

    header = ("姓名", "身份证号", "所属地区", "荣誉称号", "获评时间", "享受待遇类别")
    rows = _roster(["王小明", make_id("331126", "19700101"), "庆元", "丽水市劳动模范", "2010", "享受省部级劳模待遇"],
                   ["赵小红", make_id("331126", "19720101"), "庆元", "丽水市劳动模范", "2012", "无"],
                   ["钱小刚", make_id("331126", "19740101"), "庆元", "丽水市劳动模范", "2012", "皇家待遇"],
                   header=header)
    result = run(write(tmp_path, rows), orgs["331100"])
    assert result.summary()["created_workers"] == 2 and result.rejected_rows == 1
    assert "享受待遇类别" in " ".join(m for ms in result.errors_by_row.values() for m in ms)
    assert dict(Worker.objects.values_list("name", "benefit_category")) == {"王小明": "provincial", "赵小红": "none"}
    target = tmp_path / "export.xlsx"
    write_roster(target, Worker.objects.all(), full=True)
    again = run(target, orgs["331100"])
    assert again.summary()["updated_workers"] == 0 and again.summary()["created_workers"] == 0
