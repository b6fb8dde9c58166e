"""Pages of 文件下发: publish from the form, the inbox, open (read) and confirm, the receipt table, remind,
withdraw, the files served only to those who may see the notice, and the worker part on 我的档案."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login_client, make_user
from laomo.core.actors import SYSTEM
from laomo.notices import services
from laomo.notices.models import Notice, NoticeReceipt, NoticeStatus
from laomo.orgs.roles import Role
from laomo.workers.models import Worker
from laomo.workers.services import worker_create

from .conftest import pdf

pytestmark = pytest.mark.django_db


def test_it_publishes_to_all_counties_from_the_form(users, orgs):
    client = login_client(users["city_staff"])
    assert client.get(reverse("notices:create")).status_code == 200
    response = client.post(reverse("notices:create"), {
        "org": orgs["331100"].pk, "title": "慰问方案", "category": "campaign", "body": "正文", "all_counties": "on",
        "publish": "1", "attachments": [pdf()]})
    notice = Notice.objects.get(title="慰问方案")
    assert response.status_code == 302 and response["Location"] == reverse("notices:detail", args=[notice.pk])
    assert notice.status == NoticeStatus.PUBLISHED
    assert notice.receipts.count() == 9 and notice.attachments.count() == 1


def test_it_keeps_what_was_typed_when_a_file_is_refused(users, orgs):
    client = login_client(users["city_staff"])
    fake = pdf("假.pdf", b"MZ\x90\x00")
    response = client.post(reverse("notices:create"), {
        "org": orgs["331100"].pk, "title": "保留的标题", "category": "other", "body": "正文",
        "targets": [orgs["331102"].pk], "attachments": [fake]})
    assert response.status_code == 200
    assert "内容与扩展名 .pdf 不符" in response.content.decode() and "保留的标题" in response.content.decode()
    assert not Notice.objects.exists()


def test_it_runs_inbox_read_confirm_and_the_receipt_table(notice, users, staff):
    county = login_client(staff["331102"])
    inbox = county.get(reverse("notices:inbox")).content.decode()
    assert notice.title in inbox and "未读" in inbox
    page = county.get(reverse("notices:received", args=[notice.pk])).content.decode()
    assert "第一行<br>&lt;b&gt;第二行&lt;/b&gt;" in page  # line breaks kept, markup escaped
    receipt = NoticeReceipt.objects.get(notice=notice, unit__code="331102")
    assert receipt.read_at and not receipt.confirmed_at
    county.post(reverse("notices:confirm", args=[notice.pk]))
    receipt.refresh_from_db()
    assert receipt.confirmed_by == staff["331102"]
    city = login_client(users["city_staff"])
    page = city.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "3 个单位,已确认 1,未读 2" in page
    only = city.get(reverse("notices:detail", args=[notice.pk]) + "?filter=unconfirmed").content.decode()
    assert "receipt-331126" in only and "receipt-331102" not in only


def test_it_reminds_once_an_hour_with_a_clear_message(notice, users):
    city = login_client(users["city_staff"])
    first = city.post(reverse("notices:remind", args=[notice.pk]), follow=True).content.decode()
    assert "已提醒 3 个未确认单位" in first
    second = city.post(reverse("notices:remind", args=[notice.pk]), follow=True).content.decode()
    assert "每条通知每小时最多提醒一次" in second


def test_it_withdraws_with_a_reason(notice, users):
    city = login_client(users["city_staff"])
    refused = city.post(reverse("notices:withdraw", args=[notice.pk]), {"reason": ""}, follow=True)
    assert "请填写撤回原因" in refused.content.decode()
    city.post(reverse("notices:withdraw", args=[notice.pk]), {"reason": "重新下发"})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WITHDRAWN


def test_it_hides_notices_from_units_not_targeted(notice, orgs):
    other = login_client(make_user("t_jinyun", Role.COUNTY_STAFF, orgs["331122"]))
    assert other.get(reverse("notices:received", args=[notice.pk])).status_code == 404
    assert other.get(reverse("notices:detail", args=[notice.pk])).status_code == 404
    assert notice.title not in other.get(reverse("notices:inbox")).content.decode()


def test_it_serves_files_only_to_those_who_may_see_the_notice(notice, users, staff, orgs):
    office = notice.attachments.get(for_workers=False)
    url = reverse("notices:attachment", args=[office.pk])
    for user in (users["city_staff"], staff["331126"]):
        response = login_client(user).get(url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    outsider = login_client(make_user("t_jinyun", Role.COUNTY_STAFF, orgs["331122"]))
    assert outsider.get(url).status_code == 404
    assert login_client(users["worker"]).get(url).status_code == 404  # not marked for workers


def test_it_shows_the_worker_part_on_my_profile(notice, users, orgs):
    worker = worker_create(actor=SYSTEM, org=orgs["331126"], name="叶长文")
    Worker.objects.filter(pk=worker.pk).update(user=users["worker"])
    client = login_client(users["worker"])
    page = client.get(reverse("workers:me")).content.decode()
    assert "致劳模:请留意待遇落实" in page and "劳模须知.png" in page
    assert "第一行" not in page  # the body is for the units, not for workers
    for_workers = notice.attachments.get(for_workers=True)
    assert client.get(reverse("notices:attachment", args=[for_workers.pk])).status_code == 200
    far = worker_create(actor=SYSTEM, org=orgs["331122"], name="外县劳模")
    Worker.objects.filter(pk=far.pk).update(user=make_user("t_far", Role.WORKER, orgs["331122"]))
    far_client = login_client(far.__class__.objects.get(pk=far.pk).user)
    assert "致劳模" not in far_client.get(reverse("workers:me")).content.decode()
    assert far_client.get(reverse("notices:attachment", args=[for_workers.pk])).status_code == 404


def test_it_exports_the_receipt_table(notice, users, staff):
    services.notice_confirm(actor=staff["331126"], notice=notice)
    response = login_client(users["city_staff"]).get(reverse("notices:detail", args=[notice.pk]) + "?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "接收单位"
    assert any(row[0] == "庆元县总工会" and row[3] == "已确认" for row in values[1:])
