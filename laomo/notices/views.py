"""Pages of 文件下发: the publisher's list, form and receipt table; the unit inbox with confirm; the files."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from laomo.core.permissions import capability_required, has_capability
from laomo.core.web import hx_redirect, list_page, run_action, save_form, xlsx_response
from laomo.workers.selectors import worker_for_user

from . import selectors, services
from .forms import NoticeForm, WithdrawForm
from .models import NoticeStatus


def _tabs(request) -> dict:
    return {"inbox_unread": selectors.inbox_unread_count(user=request.user),
            "can_edit": has_capability(request.user, "edit_business")}


@capability_required("view_business")
def index(request):
    """已发通知: the notices of units in the user's scope, with their receipt counts."""
    qs = selectors.notice_list(user=request.user, status=request.GET.get("status", ""),
                               q=request.GET.get("q", "").strip())
    return list_page(request, qs, template="notices/notice_list.html", partial="notices/partials/notice_rows.html",
                     context={**_tabs(request), "statuses": NoticeStatus.choices,
                              "status": request.GET.get("status", ""), "q": request.GET.get("q", "")})


@capability_required("view_business")
def inbox(request):
    """本单位收到的通知: unread first."""
    qs = selectors.inbox_list(user=request.user, unconfirmed=request.GET.get("unconfirmed") == "1",
                              q=request.GET.get("q", "").strip())
    return list_page(request, qs, template="notices/inbox.html", partial="notices/partials/inbox_rows.html",
                     context={**_tabs(request), "unconfirmed": request.GET.get("unconfirmed") == "1",
                              "q": request.GET.get("q", "")})


def _form(request):
    orgs = selectors.publisher_units(request.user)
    root = orgs.first()
    targets = selectors.target_choices(request.user, root) if root else orgs.none()
    return NoticeForm(request.POST or None, request.FILES or None, org_queryset=orgs, target_queryset=targets,
                      initial={"org": root})


@capability_required("edit_business")
def create(request):
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        targets = list(data.pop("targets"))
        if data.pop("all_counties"):
            targets += list(selectors.county_units(data["org"]))
        publish = request.POST.get("publish") == "1"
        notice = save_form(request, form, lambda: services.notice_create(
            actor=request.user, targets=targets, publish=publish, **data),
            "通知已发布。" if publish else "已保存草稿。")
        if notice is not None:
            return hx_redirect(request, reverse("notices:detail", args=[notice.pk]))
    return render(request, "notices/notice_form.html", {"form": form})


RECEIPT_HEADERS = ["接收单位", "阅读时间", "阅读人", "确认状态", "确认时间", "确认人"]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _receipt_row(r) -> list:
    return [r.unit.name, _when(r.read_at), r.read_by.full_name if r.read_by else "",
            "已确认" if r.confirmed_at else "未确认", _when(r.confirmed_at),
            r.confirmed_by.full_name if r.confirmed_by else ""]


@capability_required("view_business")
def detail(request, pk):
    """The publisher's page: the notice and its receipt table (filter 未确认), publish/withdraw/remind."""
    notice = selectors.notice_get(user=request.user, pk=pk)
    unconfirmed = request.GET.get("filter") == "unconfirmed"
    receipts, counts = selectors.receipts_of(notice, unconfirmed=unconfirmed)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(request, filename=f"签收情况-{notice.title[:40]}", action="notices.notice.export",
                             what="通知签收情况", headers=RECEIPT_HEADERS, rows=[_receipt_row(r) for r in receipts])
    return render(request, "notices/notice_detail.html", {
        "notice": notice, "receipts": receipts, "counts": counts, "unconfirmed": unconfirmed,
        "attachments": notice.attachments.all(), "withdraw_form": WithdrawForm(), **_tabs(request)})


@require_POST
@capability_required("edit_business")
def publish(request, pk):
    notice = selectors.notice_get(user=request.user, pk=pk)
    return run_action(request, lambda: services.notice_publish(actor=request.user, notice=notice),
                      success="通知已发布,接收单位已收到提醒。", redirect_to=reverse("notices:detail", args=[pk]))


@require_POST
@capability_required("edit_business")
def withdraw(request, pk):
    notice = selectors.notice_get(user=request.user, pk=pk)
    form = WithdrawForm(request.POST)
    return run_action(request, lambda: services.notice_withdraw(
        actor=request.user, notice=notice, reason=form.cleaned_data["reason"]), form=form,
        invalid="请填写撤回原因。", success="通知已撤回。", redirect_to=reverse("notices:detail", args=[pk]))


@require_POST
@capability_required("edit_business")
def remind(request, pk):
    notice = selectors.notice_get(user=request.user, pk=pk)
    return run_action(request, lambda: services.notice_remind(actor=request.user, notice=notice),
                      success=lambda n: f"已提醒 {n} 个未确认单位。", redirect_to=reverse("notices:detail", args=[pk]))


@capability_required("view_business")
def received(request, pk):
    """A notice as a target unit's staff see it; opening it marks it read for the unit."""
    receipt = selectors.received_get(user=request.user, pk=pk)
    if receipt.read_at is None and receipt.notice.status == NoticeStatus.PUBLISHED:
        receipt = services.notice_mark_read(actor=request.user, notice=receipt.notice)
    notice = receipt.notice
    return render(request, "notices/received.html", {
        "notice": notice, "receipt": receipt, "attachments": notice.attachments.all(), **_tabs(request)})


@require_POST
@capability_required("view_business")
def confirm(request, pk):
    receipt = selectors.received_get(user=request.user, pk=pk)
    return run_action(request, lambda: services.notice_confirm(actor=request.user, notice=receipt.notice),
                      success="已确认收到。", redirect_to=reverse("notices:received", args=[pk]))


@capability_required("view_business", "self_service")
def attachment(request, pk):
    """An attachment, only through this view: to the publisher side, the target units, or workers it reaches."""
    worker = worker_for_user(request.user) if has_capability(request.user, "self_service") else None
    row = selectors.attachment_get(user=request.user, pk=pk, worker=worker)
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件缺失")
    response = FileResponse(handle, content_type=row.content_type or "application/octet-stream", filename=row.name,
                            as_attachment=request.GET.get("download") == "1" or not row.content_type.startswith(
                                ("image/", "application/pdf")))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


