"""Services of 文件下发: publish, scope, read and confirm once per unit, the remind throttle, withdraw, files."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from laomo.core.actors import SYSTEM
from laomo.core.clock import at, now
from laomo.core.models import AuditEntry, Notification
from laomo.notices import selectors, services
from laomo.notices.models import NoticeReceipt, NoticeStatus
from laomo.orgs.services import org_create

from .conftest import draft, pdf

pytestmark = pytest.mark.django_db


def test_it_publishes_a_draft_and_notifies_the_target_units_staff(users, orgs, city, staff):
    notice = draft(users["city_staff"], city, [orgs["331102"], orgs["331126"]])
    assert notice.status == NoticeStatus.DRAFT
    assert not selectors.inbox_list(user=staff["331102"]).exists()  # a draft is in no inbox
    services.notice_publish(actor=users["city_staff"], notice=notice)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED and notice.published_at
    assert Notification.objects.filter(recipient=staff["331102"], text__contains="草稿通知").exists()
    assert not Notification.objects.filter(recipient=staff["331181"]).exists()
    assert AuditEntry.objects.filter(action="notices.notice.publish").exists()
    with pytest.raises(ValidationError):
        services.notice_publish(actor=users["city_staff"], notice=notice)


def test_it_refuses_targets_outside_the_publishers_subtree(users, orgs, staff):
    with pytest.raises(ValidationError) as exc:
        draft(staff["331102"], orgs["331102"], [orgs["331126"]])
    assert "下级单位" in str(exc.value)
    with pytest.raises(ValidationError):
        draft(users["city_staff"], orgs["331100"], [])
    with pytest.raises(PermissionDenied):  # a county cannot publish for the city
        draft(staff["331102"], orgs["331100"], [orgs["331102"]])


def test_it_keeps_a_countys_notice_from_other_counties(users, orgs, staff):
    town = org_create(actor=SYSTEM, code="331102001", name="紫金街道", kind="township", parent=orgs["331102"])
    notice = draft(staff["331102"], orgs["331102"], [town], publish=True)
    assert selectors.notice_list(user=staff["331102"]).filter(pk=notice.pk).exists()
    assert selectors.notice_list(user=users["city_staff"]).filter(pk=notice.pk).exists()
    assert not selectors.notice_list(user=staff["331126"]).filter(pk=notice.pk).exists()
    assert not selectors.inbox_list(user=staff["331126"]).exists()
    with pytest.raises(Http404):
        selectors.notice_get(user=staff["331126"], pk=notice.pk)


def test_it_marks_read_on_opening_and_confirms_once_per_unit(notice, staff):
    services.notice_mark_read(actor=staff["331102"], notice=notice)
    receipt = NoticeReceipt.objects.get(notice=notice, unit=staff["331102"].org)
    assert receipt.read_at and receipt.read_by == staff["331102"] and receipt.confirmed_at is None
    services.notice_confirm(actor=staff["331102"], notice=notice)
    receipt.refresh_from_db()
    assert receipt.confirmed_by == staff["331102"]
    with pytest.raises(ValidationError) as exc:
        services.notice_confirm(actor=staff["331102"], notice=notice)
    assert "已于" in str(exc.value)
    rows, counts = selectors.receipts_of(notice)
    assert (counts.units, counts.confirmed, counts.unread) == (3, 1, 2)
    assert [r.unit.code for r in selectors.receipts_of(notice, unconfirmed=True)[0]] == ["331126", "331181"]


def test_it_refuses_a_confirmation_from_a_unit_not_targeted(notice, users):
    with pytest.raises(PermissionDenied):
        services.notice_confirm(actor=users["city_staff"], notice=notice)
    with pytest.raises(PermissionDenied):
        services.notice_confirm(actor=users["worker"], notice=notice)


def test_it_lists_the_inbox_unread_first(users, orgs, city, staff, notice):
    second = draft(users["city_staff"], city, [orgs["331102"]], title="第二条", publish=True)
    services.notice_mark_read(actor=staff["331102"], notice=second)
    rows = list(selectors.inbox_list(user=staff["331102"]))
    assert [r.notice_id for r in rows] == [notice.pk, second.pk]
    assert selectors.inbox_unread_count(user=staff["331102"]) == 1


def test_it_reminds_unconfirmed_units_at_most_once_an_hour(notice, users, staff):
    services.notice_confirm(actor=staff["331102"], notice=notice)
    Notification.objects.all().delete()
    assert services.notice_remind(actor=users["city_staff"], notice=notice) == 2
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"t_qingyuan", "t_longquan"}
    with pytest.raises(ValidationError) as exc:
        services.notice_remind(actor=users["city_staff"], notice=notice)
    assert "每小时最多提醒一次" in str(exc.value)
    with at(now() + timedelta(minutes=61)):
        assert services.notice_remind(actor=users["city_staff"], notice=notice) == 2
    assert AuditEntry.objects.filter(action="notices.notice.remind").count() == 2
    with pytest.raises(PermissionDenied):
        services.notice_remind(actor=staff["331126"], notice=notice)


def test_it_withdraws_with_a_reason_and_keeps_the_notice(notice, users, staff):
    with pytest.raises(ValidationError):
        services.notice_withdraw(actor=users["city_staff"], notice=notice, reason=" ")
    services.notice_withdraw(actor=users["city_staff"], notice=notice, reason="文件有误,另行下发")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WITHDRAWN and notice.withdraw_reason == "文件有误,另行下发"
    assert NoticeReceipt.objects.filter(notice=notice).count() == 3
    with pytest.raises(ValidationError):
        services.notice_confirm(actor=staff["331102"], notice=notice)
    with pytest.raises(ValidationError):
        services.notice_remind(actor=users["city_staff"], notice=notice)


@pytest.mark.parametrize("name,data", [
    ("办法.pdf", b"MZ\x90\x00 not a pdf"),
    ("图.png", b"%PDF-1.4 a pdf called png"),
    ("表.xlsx", b"PK\x03\x04 broken zip"),
    ("文.docx", b"PK\x03\x04 broken zip"),
    ("程序.exe", b"MZ\x90\x00"),
    ("空.pdf", b""),
])
def test_it_refuses_disguised_or_unknown_files(users, orgs, city, name, data):
    with pytest.raises(ValidationError) as exc:
        draft(users["city_staff"], city, [orgs["331102"]], attachments=[SimpleUploadedFile(name, data)])
    assert name in str(exc.value)
    assert not selectors.notice_list(user=users["city_staff"]).exists()  # nothing half-saved


def test_it_refuses_a_file_over_the_size_limit(users, orgs, city, settings):
    settings.LAOMO_NOTICE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        draft(users["city_staff"], city, [orgs["331102"]], attachments=[pdf(data=b"%PDF-" + b"x" * 200)])
    assert "过大" in str(exc.value)


def test_it_stores_files_under_random_names(notice):
    row = notice.attachments.get(for_workers=False)
    assert row.name == "办法.pdf" and "办法" not in row.file.name and row.file.name.startswith("notices/")
