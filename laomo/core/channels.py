"""Outbound channels: where a notification goes besides the bell (issue 17, item 5).

Each channel is off unless configured (docs/operations.md "Outbound channels"):

- `email`     Django's email backend, to the user's email address (`LAOMO_NOTIFY_EMAIL=1` and the EMAIL_* settings);
- `sms`       an SMS gateway (`SmsGateway.send(phone, text)`): the generic HTTP JSON gateway at
              `LAOMO_SMS_GATEWAY_URL`, or a class named by `LAOMO_SMS_GATEWAY_CLASS`; the phone is the linked
              worker record's, decrypted here and only here (a user account holds no phone);
- `wecom`     a 企业微信 group robot (`LAOMO_WECOM_WEBHOOK_URL`, the robot's URL with its key);
- `dingtalk`  a 钉钉 group robot (`LAOMO_DINGTALK_WEBHOOK_URL`, with `LAOMO_DINGTALK_SECRET` when 加签 is on);
- `webhook`   the generic JSON hook of earlier versions (`LAOMO_NOTIFY_WEBHOOK_URL`).

`email` and `sms` address one user each; the group robots and the webhook get one message per notification,
and the robots only for notifications to staff (a worker's own notices are not posted in a staff group).
Every text passes `scrub_pii` first: outbound messages carry a name at most, never an ID or mobile number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .models import DeliveryChannel

log = logging.getLogger("laomo.channels")

STAFF_ROLES = ("city_staff", "county_staff")
TIMEOUT_SECONDS = 10


class ChannelError(Exception):
    """A send that did not go through (the delivery is retried, then marked failed)."""


# --- the PII guard ------------------------------------------------------------------------------------------

ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
REDACTED = "[已隐去]"


def scrub_pii(text: str) -> str:
    """The text with 18-character ID numbers and 11-digit mobile numbers replaced by [已隐去]."""
    cleaned = MOBILE_RE.sub(REDACTED, ID_NUMBER_RE.sub(REDACTED, text or ""))
    if cleaned != text:
        log.warning("outbound text carried an ID or mobile number; it was removed")
    return cleaned


def has_pii(text: str) -> bool:
    return bool(ID_NUMBER_RE.search(text or "") or MOBILE_RE.search(text or ""))


# --- the transport (patched in tests; no network there) -----------------------------------------------------


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> dict:
        try:
            data = json.loads(self.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError) as exc:
            raise ChannelError(f"应答不是 JSON(HTTP {self.status})") from exc
        if not isinstance(data, dict):
            raise ChannelError(f"应答不是 JSON 对象(HTTP {self.status})")
        return data


def post_json(url: str, payload: dict, headers: dict | None = None) -> Reply:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (operator's URL)
            return Reply(response.status, response.read(65536))
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code}") from exc
    except (OSError, ValueError) as exc:
        raise ChannelError(str(exc) or exc.__class__.__name__) from exc


def _check_errcode(reply: Reply, who: str) -> None:
    """企业微信 and 钉钉 answer HTTP 200 with {"errcode": 0, "errmsg": "ok"} on success."""
    if not 200 <= reply.status < 300:
        raise ChannelError(f"{who} HTTP {reply.status}")
    data = reply.json()
    if data.get("errcode") != 0:
        raise ChannelError(f"{who} errcode {data.get('errcode')}: {str(data.get('errmsg', ''))[:120]}")


def absolute_url(url: str) -> str:
    base = getattr(settings, "LAOMO_SITE_URL", "").rstrip("/")
    return f"{base}{url}" if url and base and url.startswith("/") else url


def message_text(text: str, url: str = "") -> str:
    link = absolute_url(url)
    return f"{text}\n{link}" if link and link.startswith("http") else text


# --- channels ------------------------------------------------------------------------------------------------


class Channel:
    name = ""
    label = ""
    per_user = False  # one delivery per user (email, sms), or one per notification (robots, webhook)
    staff_only = False

    def enabled(self) -> bool:
        raise NotImplementedError

    def users(self, users) -> list:
        """The users of `users` this channel can reach (per-user channels)."""
        return list(users)

    def send(self, delivery) -> None:
        raise NotImplementedError


def _user(delivery):
    from laomo.orgs.models import User  # noqa: PLC0415  (orgs imports core.models; keep this module light)

    user_id = int(delivery.recipient.removeprefix("user:"))
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ChannelError("接收用户不存在或已停用")
    return user


class EmailChannel(Channel):
    name, label, per_user = "email", "电子邮件", True

    def enabled(self) -> bool:
        return bool(getattr(settings, "LAOMO_NOTIFY_EMAIL", False))

    def users(self, users) -> list:
        return [u for u in users if u.email]

    def send(self, delivery) -> None:
        user = _user(delivery)
        if not user.email:
            raise ChannelError("用户未填写电子邮箱")
        try:
            send_mail(subject=f"[{settings.LAOMO_NOTIFY_EMAIL_SUBJECT}] {delivery.text[:40]}",
                      message=message_text(delivery.text, delivery.url), from_email=None,
                      recipient_list=[user.email])
        except Exception as exc:  # noqa: BLE001  (SMTP errors come in many classes; all mean "retry later")
            raise ChannelError(f"邮件发送失败:{exc.__class__.__name__}") from exc


class SmsGateway:
    """The SMS gateway contract: `send(phone, text)` returns when the gateway accepted the message and raises
    `ChannelError` otherwise. A vendor's SDK is wrapped in a subclass named by `LAOMO_SMS_GATEWAY_CLASS`."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class HttpJsonSmsGateway(SmsGateway):
    """POST {"phone": ..., "text": ...} to `LAOMO_SMS_GATEWAY_URL` (Bearer `LAOMO_SMS_GATEWAY_TOKEN` if set);
    accepted on HTTP 2xx unless the JSON answer says otherwise (`ok: false`, or a non-zero `code`/`errcode`)."""

    def __init__(self, url: str | None = None, token: str | None = None):
        self.url = url or settings.LAOMO_SMS_GATEWAY_URL
        self.token = token if token is not None else settings.LAOMO_SMS_GATEWAY_TOKEN

    def send(self, phone: str, text: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        reply = post_json(self.url, {"phone": phone, "text": text}, headers)
        if not 200 <= reply.status < 300:
            raise ChannelError(f"短信网关 HTTP {reply.status}")
        data = reply.json() if reply.body.strip() else {}
        code = data.get("code", data.get("errcode", 0))
        if data.get("ok") is False or code not in (0, "0", None):
            raise ChannelError(f"短信网关拒绝:{str(data.get('message') or data.get('errmsg') or code)[:120]}")


def sms_gateway() -> SmsGateway:
    dotted = getattr(settings, "LAOMO_SMS_GATEWAY_CLASS", "")
    return import_string(dotted)() if dotted else HttpJsonSmsGateway()


class SmsChannel(Channel):
    name, label, per_user = "sms", "短信", True

    def enabled(self) -> bool:
        return bool(settings.LAOMO_SMS_GATEWAY_URL or getattr(settings, "LAOMO_SMS_GATEWAY_CLASS", ""))

    def users(self, users) -> list:
        from laomo.workers.models import Worker  # noqa: PLC0415  (workers imports core; avoid a cycle at import)

        ids = [u.pk for u in users]
        reachable = set(Worker.objects.filter(user_id__in=ids, is_deleted=False).exclude(phone_masked="")
                        .values_list("user_id", flat=True))
        return [u for u in users if u.pk in reachable]

    def send(self, delivery) -> None:
        from laomo.workers.models import Worker  # noqa: PLC0415  (as above)

        user = _user(delivery)
        worker = Worker.objects.filter(user=user, is_deleted=False).only("phone").first()
        phone = (worker.phone if worker else "").strip()  # decrypted here, never stored on the delivery
        if not phone:
            raise ChannelError("用户未关联劳模档案或档案中无联系电话")
        sms_gateway().send(phone, delivery.text)


class WeComChannel(Channel):
    name, label, staff_only = "wecom", "企业微信群机器人", True

    def enabled(self) -> bool:
        return bool(settings.LAOMO_WECOM_WEBHOOK_URL)

    @staticmethod
    def payload(text: str) -> dict:
        return {"msgtype": "text", "text": {"content": text}}

    def send(self, delivery) -> None:
        reply = post_json(settings.LAOMO_WECOM_WEBHOOK_URL, self.payload(message_text(delivery.text, delivery.url)))
        _check_errcode(reply, "企业微信")


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """钉钉 加签: sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


class DingTalkChannel(Channel):
    name, label, staff_only = "dingtalk", "钉钉群机器人", True

    def enabled(self) -> bool:
        return bool(settings.LAOMO_DINGTALK_WEBHOOK_URL)

    @staticmethod
    def payload(text: str) -> dict:
        return {"msgtype": "text", "text": {"content": text}}

    def send(self, delivery) -> None:
        url = settings.LAOMO_DINGTALK_WEBHOOK_URL
        if settings.LAOMO_DINGTALK_SECRET:
            url = dingtalk_signed_url(url, settings.LAOMO_DINGTALK_SECRET)
        reply = post_json(url, self.payload(message_text(delivery.text, delivery.url)))
        _check_errcode(reply, "钉钉")


class WebhookChannel(Channel):
    """The generic hook: POST {"recipients": [user ids], "text", "url"}; any 2xx is success."""

    name, label = "webhook", "通用 Webhook"

    def enabled(self) -> bool:
        return bool(settings.LAOMO_NOTIFY_WEBHOOK_URL)

    def send(self, delivery) -> None:
        reply = post_json(settings.LAOMO_NOTIFY_WEBHOOK_URL,
                          {"recipients": delivery.user_ids, "text": delivery.text, "url": delivery.url})
        if not 200 <= reply.status < 300:
            raise ChannelError(f"HTTP {reply.status}")


CHANNELS: dict[str, Channel] = {c.name: c for c in (EmailChannel(), SmsChannel(), WeComChannel(),
                                                     DingTalkChannel(), WebhookChannel())}
CHANNEL_CHOICES = DeliveryChannel.choices


def enabled_channels() -> list[Channel]:
    return [c for c in CHANNELS.values() if c.enabled()]
