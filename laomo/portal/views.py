"""The public portal (no login): the landing page, the service request form, tracking and rating by code.

Every page escapes what the public typed (Django's autoescape; nothing here is marked safe), every POST is
rate-limited per IP, the form has an offline captcha, length limits and a honeypot, and a refused
submission stores nothing. The services see the visitor as `PUBLIC`: only what the public may do."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from laomo.core.actors import PUBLIC
from laomo.core.permissions import public_view
from laomo.core.request_context import client_ip
from laomo.core.web import apply_errors, errors_text, run_action
from laomo.volunteering import services

from . import guard, selectors
from .forms import PortalRequestForm, RateForm, TrackForm

TOO_MANY = "提交过于频繁:同一网络每分钟最多提交 {limit} 次,请稍后再试。本次提交未保存。"
NOT_HUMAN = "提交未通过校验,请刷新页面后重试。"
CANCELLABLE = ("pending", "dispatched")


def _too_many(request, limit: int):
    return render(request, "portal/limited.html", {"message": TOO_MANY.format(limit=limit)}, status=429)


@public_view
def index(request):
    return render(request, "portal/index.html", {"track_form": TrackForm()})


def _submit(request, form):
    """A valid form from a person (captcha right, honeypot empty) through the service; None when refused."""
    d = dict(form.cleaned_data)
    problem = guard.check_captcha(d.pop("captcha_token"), d.pop("captcha_answer"))
    if d.pop("website"):
        problem = NOT_HUMAN  # a honeypot only robots fill in
    if problem:
        form.add_error("captcha_answer", problem)
        return None
    try:
        return services.request_submit(actor=PUBLIC, ip=client_ip(request), **d)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


def _form_page(request, form=None):
    """The request form with a new question; a refused form keeps what was typed (and answers 400)."""
    captcha = guard.new_captcha()
    if form is None:
        form = PortalRequestForm(initial={"captcha_token": captcha["token"]}, org_queryset=selectors.public_orgs())
        return render(request, "portal/request_form.html", {"form": form, "captcha": captcha})
    data = form.data.copy()
    data["captcha_token"], data["captcha_answer"] = captcha["token"], ""
    form.data = data
    return render(request, "portal/request_form.html", {"form": form, "captcha": captcha}, status=400)


@public_view
def request_form(request):
    if request.method != "POST":
        return _form_page(request)
    if not guard.allow(request, "submit", guard.SUBMIT_LIMIT):
        return _too_many(request, guard.SUBMIT_LIMIT)
    form = PortalRequestForm(request.POST, org_queryset=selectors.public_orgs())
    req = _submit(request, form) if form.is_valid() else None
    if req is None:
        return _form_page(request, form)
    messages.success(request, "点单已提交,工会将在2个工作日内审核派单。请记下查询码,凭码查询进度和评价。")
    return redirect("portal:track", code=req.tracking_code)


@public_view
def track_lookup(request):
    form = TrackForm(request.GET or None)
    if request.GET:
        if not guard.allow(request, "lookup", guard.LOOKUP_LIMIT):
            return _too_many(request, guard.LOOKUP_LIMIT)
        found = selectors.request_by_code(form.cleaned_data["code"]) if form.is_valid() else None
        if found is not None:
            return redirect("portal:track", code=found.tracking_code)
        form.add_error("code", "未找到该查询码,请核对后重新输入。")
    return render(request, "portal/track_lookup.html", {"form": form}, status=200 if not form.errors else 404)


def _get(request, code):
    if not guard.allow(request, "lookup", guard.LOOKUP_LIMIT):
        return None, _too_many(request, guard.LOOKUP_LIMIT)
    req = selectors.request_by_code(code)
    if req is None:
        raise Http404("未找到该查询码")
    return req, None


def _track_page(request, req, *, rate_form=None, status: int = 200):
    return render(request, "portal/track.html", {
        "req": req, "events": selectors.request_events(req), "rate_form": rate_form or RateForm(),
        "can_rate": services.can_transition(req.status, "rate"),
        "can_cancel": rate_form is None and req.status in CANCELLABLE,
    }, status=status)


@public_view
def track(request, code):
    req, refused = _get(request, code)
    return refused or _track_page(request, req)


def _rate(request, req, form) -> bool:
    return run_action(request, lambda: services.request_rate(
        actor=PUBLIC, request=req, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]))


@require_POST
@public_view
def rate(request, code):
    req, refused = _get(request, code)
    if refused:
        return refused
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
    elif _rate(request, req, form):
        messages.success(request, "感谢您的评价!")
        return redirect("portal:track", code=req.tracking_code)
    return _track_page(request, req, rate_form=form, status=400)


@require_POST
@public_view
def cancel(request, code):
    req, refused = _get(request, code)
    if refused:
        return refused
    return run_action(request, lambda: services.request_cancel(
        actor=PUBLIC, request=req, reason=(request.POST.get("reason") or "群众撤回")[:300], by_requester=True),
        success="点单已取消。", redirect_to=reverse("portal:track", args=[req.tracking_code]))
