import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from axes.models import AccessAttempt
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from laomo.api.models import ApiToken
from laomo.api.selectors import api_token_list
from laomo.api.services import api_token_revoke
from laomo.core.permissions import capability_required
from laomo.core.web import apply_errors, run_action

from . import selectors, services
from .forms import LoginForm, OrgUnitForm, OtpTokenForm, PasswordChangeForm, UserForm
from .models import OrgUnit, User
from .roles import Role
from .twofactor import device_confirm, device_verify, has_confirmed_device


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def _safe_next(request, default="dashboard"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_own_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect("dashboard")
    return render(request, "orgs/password_change.html", {"form": form, "forced": request.user.must_change_password})


def _qr_svg(data: str) -> str:
    img = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = BytesIO()
    img.save(buf)
    return base64.b64encode(buf.getvalue()).decode()


@login_required
def otp_setup(request):
    """Bind a TOTP authenticator: show the QR code of an unconfirmed device, confirm with a code.

    A user who already has a device must pass it first (else a stolen password could bind a new one).
    """
    if has_confirmed_device(request.user) and not request.user.is_verified():
        return redirect("otp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="default", confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("token", "验证尝试过于频繁,请稍等几秒后再试。")
        elif device_confirm(user=request.user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, "已绑定动态验证码,今后登录需要输入验证码。")
            return redirect(_safe_next(request))
        else:
            form.add_error("token", "验证码不正确,请确认手机时间准确后重试。")
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "orgs/otp_setup.html", {
        "form": form, "qr_svg": _qr_svg(device.config_url), "secret": secret_b32,
        "next": request.GET.get("next", ""),
    })


@login_required
def otp_verify(request):
    devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
    if not devices:
        return redirect("otp_setup")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not any(device.verify_is_allowed()[0] for device in devices):
            form.add_error("token", "验证尝试过于频繁,请稍等几秒后再试。")
            return render(request, "orgs/otp_verify.html", {"form": form, "next": request.GET.get("next", "")})
        device = device_verify(user=request.user, devices=devices, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", "验证码不正确。")
    return render(request, "orgs/otp_verify.html", {"form": form, "next": request.GET.get("next", "")})


# --- org units (sysadmin) -------------------------------------------------------------------------


@capability_required("manage_orgs")
def org_list(request):
    orgs = selectors.org_list(user=request.user, q=request.GET.get("q", "").strip())
    return render(request, "orgs/org_list.html", {"orgs": orgs, "q": request.GET.get("q", "")})


@capability_required("manage_orgs")
def org_form(request, pk=None):
    org = get_object_or_404(OrgUnit, pk=pk) if pk else None
    initial = {}
    if org:
        initial = {f: getattr(org, f) for f in ("code", "name", "short_name", "kind", "parent", "sort_order",
                                                "is_active", "registry_review")}
    elif request.GET.get("parent"):
        initial["parent"] = request.GET["parent"]
    form = OrgUnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data["sort_order"] = data.get("sort_order") or 0
        try:
            if org:
                org = services.org_update(actor=request.user, org=org, **data)
            else:
                later = {k: data.pop(k) for k in ("is_active", "registry_review")}
                org = services.org_create(actor=request.user, **data)
                if not later["is_active"] or later["registry_review"]:
                    services.org_update(actor=request.user, org=org, **later)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已保存组织:{org.name}")
            return redirect("orgs:org_list")
    return render(request, "orgs/org_form.html", {"form": form, "org": org})


# --- users (sysadmin; secadmin for locks and second factor) ----------------------------------------


@capability_required("manage_users", "manage_security")
def user_list(request):
    org = None
    if request.GET.get("org"):
        org = OrgUnit.objects.filter(pk=request.GET["org"]).first()
    users = selectors.user_list(actor=request.user, q=request.GET.get("q", "").strip(),
                                role=request.GET.get("role", ""), org=org, active=request.GET.get("active", ""))
    page = Paginator(users, 30).get_page(request.GET.get("page"))
    ctx = {"page": page, "roles": Role.choices, "orgs": OrgUnit.objects.order_by("path"), "filters": request.GET}
    template = "orgs/partials/user_rows.html" if request.htmx else "orgs/user_list.html"
    return render(request, template, ctx)


@capability_required("manage_users")
def user_form(request, pk=None):
    user = get_object_or_404(User, pk=pk) if pk else None
    initial = {}
    if user:
        initial = {"username": user.username, "full_name": user.full_name, "title": user.title, "email": user.email,
                   "org": user.org,
                   "roles": list(user.role_codes), "data_scope": user.data_scope}
    form = UserForm(request.POST or None, initial=initial, editing=user is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if user:
                services.user_update(actor=request.user, user=user, full_name=data["full_name"], org=data["org"],
                                     roles=data["roles"], data_scope=data["data_scope"], email=data["email"],
                                     title=data["title"])
                messages.success(request, f"已保存用户 {user.username}。")
                return redirect("orgs:user_list")
            user, password = services.user_create(
                actor=request.user, username=data["username"], full_name=data["full_name"], org=data["org"],
                roles=data["roles"], data_scope=data["data_scope"], email=data["email"], title=data["title"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(request, "orgs/user_password.html", {"target": user, "password": password, "created": True})
    return render(request, "orgs/user_form.html", {"form": form, "target": user})


@require_POST
@capability_required("manage_users")
def user_toggle_active(request, pk):
    target = get_object_or_404(User, pk=pk)
    return run_action(request, lambda: services.user_set_active(actor=request.user, user=target,
                                                                active=not target.is_active),
                      success=lambda _: f"已{'启用' if target.is_active else '停用'}用户 {target.username}。",
                      redirect_to="orgs:user_list")


@require_POST
@capability_required("manage_users")
def user_reset_password(request, pk):
    target = get_object_or_404(User, pk=pk)
    password = services.user_reset_password(actor=request.user, user=target)
    return render(request, "orgs/user_password.html", {"target": target, "password": password, "created": False})


@capability_required("manage_security")
def security(request):
    attempts = AccessAttempt.objects.order_by("-attempt_time")[:200]
    totp_users = TOTPDevice.objects.filter(confirmed=True).select_related("user").order_by("user__username")
    return render(request, "orgs/security.html", {"attempts": attempts, "totp_devices": totp_users,
                                                  "tokens": api_token_list()})


@require_POST
@capability_required("manage_security")
def security_revoke_token(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, revoked_at__isnull=True)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"已吊销 {token.user.username} 的接口令牌 {token.prefix}…。")
    return redirect("orgs:security")


@require_POST
@capability_required("manage_security")
def security_unlock(request):
    username = request.POST.get("username", "").strip()
    if username:
        services.user_unlock(actor=request.user, username=username)
        messages.success(request, f"已解除 {username} 的登录锁定。")
    return redirect("orgs:security")


@require_POST
@capability_required("manage_security")
def security_reset_2fa(request, pk):
    target = get_object_or_404(User, pk=pk)
    services.user_reset_second_factor(actor=request.user, user=target)
    messages.success(request, f"已重置 {target.username} 的动态验证码,下次登录需重新绑定。")
    return redirect("orgs:security")
