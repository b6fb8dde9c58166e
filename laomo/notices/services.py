"""Writes of 文件下发: create (a draft with its targets and attachments), publish, withdraw, and per target unit
read, confirm and remind. Every write is audited; nothing is deleted (a published notice is withdrawn)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from laomo.core import audit
from laomo.core.actors import SYSTEM
from laomo.core.clock import now
from laomo.core.permissions import has_capability, require_edit
from laomo.core.services import notify

from .files import MAX_FILES, check_attachment
from .models import Notice, NoticeAttachment, NoticeCategory, NoticeReceipt, NoticeStatus

WHAT = "文件下发"
REMIND_INTERVAL = timedelta(hours=1)


def _clean_targets(org, targets) -> list:
    units = list({u.pk: u for u in targets or []}.values())
    if not units:
        raise ValidationError({"targets": "请至少选择一个接收单位。"})
    outside = [u.name for u in units if u.pk == org.pk or not u.path.startswith(org.path)]
    if outside:
        raise ValidationError({"targets": f"接收单位须是发文单位的下级单位:{'、'.join(outside)}不符合。"})
    return units


def _check_fields(title: str, body: str, category: str) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = "请填写标题。"
    if not (body or "").strip():
        errors["body"] = "请填写正文。"
    if category not in NoticeCategory.values:
        errors["category"] = "请选择通知类别。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def notice_create(*, actor, org, title: str, body: str, targets, category: str = NoticeCategory.OTHER,
                  doc_number: str = "", worker_text: str = "", deadline: date | None = None,
                  attachments=(), worker_attachments=(), publish: bool = False) -> Notice:
    """A draft notice of `org` to `targets` (units below it), with its files; `publish=True` publishes it too."""
    require_edit(actor, org, WHAT)
    _check_fields(title, body, category)
    units = _clean_targets(org, targets)
    files = [(f, False) for f in attachments or []] + [(f, True) for f in worker_attachments or []]
    if len(files) > MAX_FILES:
        raise ValidationError({"attachments": f"附件最多 {MAX_FILES} 个。"})
    checked = [(check_attachment(f), for_workers) for f, for_workers in files]
    notice = Notice(org=org, title=title.strip(), body=body.strip(), category=category,
                    doc_number=(doc_number or "").strip(), worker_text=(worker_text or "").strip(),
                    deadline=deadline, created_by=None if actor is SYSTEM else actor)
    notice.full_clean()
    notice.save()
    NoticeReceipt.objects.bulk_create([NoticeReceipt(notice=notice, unit=u) for u in units])
    for item, for_workers in checked:
        row = NoticeAttachment(notice=notice, name=item.name, content_type=item.content_type, size=len(item.data),
                               for_workers=for_workers)
        row.file.save(f"a.{item.ext}", ContentFile(item.data), save=False)
        row.save()
    audit.record(actor=actor, action="notices.notice.create", obj=notice, org=org, changes={
        "title": notice.title, "doc_number": notice.doc_number, "targets": [u.name for u in units],
        "attachments": [c.name for c, _ in checked]})
    if publish:
        notice = notice_publish(actor=actor, notice=notice)
    return notice


def _locked(notice: Notice) -> Notice:
    return Notice.objects.select_for_update(of=("self",)).select_related("org").get(pk=notice.pk)


@transaction.atomic
def notice_publish(*, actor, notice: Notice) -> Notice:
    """Draft → published: the target units' staff find it in their inbox and are notified."""
    notice = _locked(notice)
    require_edit(actor, notice.org, WHAT)
    if notice.status != NoticeStatus.DRAFT:
        raise ValidationError({"status": "只有草稿可以发布。"})
    notice.status, notice.published_at = NoticeStatus.PUBLISHED, now()
    notice.published_by = None if actor is SYSTEM else actor
    notice.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    units = [r.unit for r in notice.receipts.select_related("unit")]
    notify(recipients=unit_staff(units), text=f"{notice.org.name}下发通知:{notice.title}",
           url=reverse("notices:received", args=[notice.pk]))
    audit.record(actor=actor, action="notices.notice.publish", obj=notice, org=notice.org,
                 changes={"targets": [u.name for u in units]})
    return notice


@transaction.atomic
def notice_withdraw(*, actor, notice: Notice, reason: str) -> Notice:
    """Published → withdrawn, with a reason; the notice and its receipts stay (never deleted)."""
    notice = _locked(notice)
    require_edit(actor, notice.org, WHAT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤回原因。"})
    if notice.status != NoticeStatus.PUBLISHED:
        raise ValidationError({"reason": "只有已发布的通知可以撤回。"})
    notice.status, notice.withdrawn_at, notice.withdraw_reason = NoticeStatus.WITHDRAWN, now(), reason
    notice.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"])
    audit.record(actor=actor, action="notices.notice.withdraw", obj=notice, org=notice.org,
                 changes={"reason": reason})
    return notice


def unit_staff(units) -> list:
    """The active users of these units (the unit itself, not below) who may see business data."""
    users = get_user_model().objects.filter(org__in=units, is_active=True)
    return [u for u in users if has_capability(u, "view_business")]


def _receipt_of(actor, notice: Notice) -> NoticeReceipt:
    """The receipt of the actor's own unit, locked; refused unless the notice is published to that unit."""
    if actor is not SYSTEM and not has_capability(actor, "view_business"):
        raise PermissionDenied("您没有查看通知的权限。")
    receipt = (NoticeReceipt.objects.select_for_update(of=("self",))
               .filter(notice=notice, unit_id=getattr(actor, "org_id", None)).first())
    if receipt is None or notice.status == NoticeStatus.DRAFT:
        raise PermissionDenied("本单位不是该通知的接收单位。")
    return receipt


@transaction.atomic
def notice_mark_read(*, actor, notice: Notice) -> NoticeReceipt:
    """Opening the notice marks it read for the actor's unit (the first reader is kept)."""
    receipt = _receipt_of(actor, notice)
    if receipt.read_at is None:
        receipt.read_at, receipt.read_by = now(), actor
        receipt.save(update_fields=["read_at", "read_by", "updated_at"])
        audit.record(actor=actor, action="notices.receipt.read", obj=notice, org=receipt.unit,
                     changes={"unit": receipt.unit.name})
    return receipt


@transaction.atomic
def notice_confirm(*, actor, notice: Notice) -> NoticeReceipt:
    """确认收到, once per unit: who and when are kept; a second confirmation is refused."""
    receipt = _receipt_of(actor, notice)
    if notice.status != NoticeStatus.PUBLISHED:
        raise ValidationError({"notice": "该通知已撤回,无需确认。"})
    if receipt.confirmed_at is not None:
        who = receipt.confirmed_by.full_name if receipt.confirmed_by else ""
        when = timezone.localtime(receipt.confirmed_at)
        raise ValidationError({"notice": f"本单位已于 {when:%Y-%m-%d %H:%M} 由{who}确认收到,无需重复确认。"})
    at = now()
    if receipt.read_at is None:
        receipt.read_at, receipt.read_by = at, actor
    receipt.confirmed_at, receipt.confirmed_by = at, actor
    receipt.save(update_fields=["read_at", "read_by", "confirmed_at", "confirmed_by", "updated_at"])
    audit.record(actor=actor, action="notices.receipt.confirm", obj=notice, org=receipt.unit,
                 changes={"unit": receipt.unit.name})
    return receipt


@transaction.atomic
def notice_remind(*, actor, notice: Notice) -> int:
    """Notify the staff of every target unit that has not confirmed; at most once an hour per notice."""
    notice = _locked(notice)
    require_edit(actor, notice.org, WHAT)
    if notice.status != NoticeStatus.PUBLISHED:
        raise ValidationError({"notice": "只有已发布的通知可以提醒。"})
    at = now()
    if notice.reminded_at and at - notice.reminded_at < REMIND_INTERVAL:
        wait = int((notice.reminded_at + REMIND_INTERVAL - at).total_seconds() // 60) + 1
        last = timezone.localtime(notice.reminded_at)
        raise ValidationError({"notice": f"每条通知每小时最多提醒一次,上次提醒于 {last:%H:%M},"
                                         f"请 {wait} 分钟后再试。"})
    units = [r.unit for r in notice.receipts.filter(confirmed_at__isnull=True).select_related("unit")]
    if not units:
        raise ValidationError({"notice": "所有接收单位均已确认收到,无需提醒。"})
    sent = notify(recipients=unit_staff(units), text=f"请确认收到通知:{notice.title}",
                  url=reverse("notices:received", args=[notice.pk]))
    notice.reminded_at = at
    notice.save(update_fields=["reminded_at", "updated_at"])
    audit.record(actor=actor, action="notices.notice.remind", obj=notice, org=notice.org,
                 changes={"units": [u.name for u in units], "recipients": sent})
    return len(units)
