"""Outbound channels (issue 17, item 5): deliveries, retries, the robots' formats, the PII guard. No network:
the transport (`channels.post_json`) is patched, or a local HTTP server answers."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from laomo.core import channels
from laomo.core.actors import SYSTEM
from laomo.core.channels import Reply, dingtalk_signed_url, has_pii, scrub_pii
from laomo.core.deliveries import deliveries_send_due, delivery_resend
from laomo.core.models import AuditEntry, Delivery, Notification
from laomo.core.services import notify
from laomo.workers.services import worker_link_login
from laomo.workers.tests.factories import make_id, make_worker


class Transport:
    """Stands in for `channels.post_json`: records each call and answers from a script."""

    def __init__(self, answers=None):
        self.calls = []
        self.answers = list(answers or [])

    def __call__(self, url, payload, headers=None):
        self.calls.append({"url": url, "payload": payload, "headers": headers or {}})
        answer = self.answers.pop(0) if self.answers else Reply(200, b'{"errcode": 0, "errmsg": "ok"}')
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def transport(monkeypatch):
    t = Transport()
    monkeypatch.setattr(channels, "post_json", t)
    return t


def _notify(users, text="有新的群众点单待审核", url="/volunteering/requests/"):
    return notify(recipients=users, text=text, url=url)


@pytest.mark.django_db
def test_it_sends_nothing_outbound_when_no_channel_is_configured(users, transport,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify([users["county_staff"]])
    assert Delivery.objects.count() == 0 and transport.calls == []
    assert Notification.objects.filter(recipient=users["county_staff"]).count() == 1


@pytest.mark.django_db
def test_it_posts_the_wecom_text_format_and_records_the_delivery(users, settings, transport,
                                                                 django_capture_on_commit_callbacks):
    settings.LAOMO_WECOM_WEBHOOK_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test-key"
    settings.LAOMO_SITE_URL = "https://laomo.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        _notify([users["county_staff"]])
    assert transport.calls == [{
        "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test-key", "headers": {},
        "payload": {"msgtype": "text", "text": {
            "content": "有新的群众点单待审核\nhttps://laomo.example.cn/volunteering/requests/"}}}]
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.recipient, delivery.status, delivery.attempts) == ("wecom", "wecom", "sent", 1)


@pytest.mark.django_db
def test_it_treats_a_nonzero_errcode_as_a_failure(users, settings, transport, django_capture_on_commit_callbacks):
    settings.LAOMO_WECOM_WEBHOOK_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=bad"
    transport.answers = [Reply(200, b'{"errcode": 93000, "errmsg": "invalid webhook url"}')]
    with django_capture_on_commit_callbacks(execute=True):
        _notify([users["county_staff"]])
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1 and "93000" in delivery.last_error


@pytest.mark.django_db
def test_it_posts_to_dingtalk_with_the_signature(users, settings, transport, django_capture_on_commit_callbacks):
    settings.LAOMO_DINGTALK_WEBHOOK_URL = "https://oapi.dingtalk.com/robot/send?access_token=tok"
    settings.LAOMO_DINGTALK_SECRET = "SEC000secret"
    with django_capture_on_commit_callbacks(execute=True):
        _notify([users["city_staff"]], url="")
    call = transport.calls[0]
    assert call["payload"] == {"msgtype": "text", "text": {"content": "有新的群众点单待审核"}}
    parsed = urllib.parse.urlsplit(call["url"])
    query = urllib.parse.parse_qs(parsed.query)
    assert query["access_token"] == ["tok"]
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(b"SEC000secret", f"{timestamp}\nSEC000secret".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected]
    assert Delivery.objects.get().status == "sent"


def test_it_signs_dingtalk_urls_as_documented():
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", "SECabc", 1700000000000)
    digest = hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    assert url == ("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign="
                   + urllib.parse.quote_plus(base64.b64encode(digest)))


@pytest.mark.django_db
def test_it_posts_group_robots_only_for_staff_notifications(users, settings, transport,
                                                            django_capture_on_commit_callbacks):
    settings.LAOMO_WECOM_WEBHOOK_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    with django_capture_on_commit_callbacks(execute=True):
        _notify([users["worker"]], text="您已加入志愿服务队")
    assert transport.calls == [] and Delivery.objects.count() == 0


@pytest.mark.django_db
def test_it_retries_a_failing_channel_then_reports_it_failed_with_the_bell_delivered(
        users, settings, transport, django_capture_on_commit_callbacks):
    settings.LAOMO_DINGTALK_WEBHOOK_URL = "https://oapi.dingtalk.com/robot/send?access_token=tok"
    transport.answers = [channels.ChannelError("connection refused")] * 10
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _notify([users["county_staff"]])
    assert Notification.objects.filter(recipient=users["county_staff"], text="有新的群众点单待审核").count() == 1
    d = Delivery.objects.get()
    assert (d.status, d.attempts) == ("pending", 1)
    assert timedelta(seconds=50) < d.next_attempt_at - start < timedelta(seconds=70)
    # Not yet due: nothing is sent before the backoff.
    assert deliveries_send_due(at=start + timedelta(seconds=30))["pending"] == 0
    assert len(transport.calls) == 1
    for minutes, expected in ((2, 2), (8, 3), (40, 4)):
        deliveries_send_due(at=start + timedelta(minutes=minutes))
        d.refresh_from_db()
        assert d.attempts == expected
    assert d.status == "failed" and d.next_attempt_at is None and "connection refused" in d.last_error
    assert len(transport.calls) == 4
    deliveries_send_due(at=start + timedelta(days=1))
    assert len(transport.calls) == 4  # failed is final until a person resends

    # The system administrator sees it and resends it; the channel is back.
    client_page = _sysadmin_page(users, "/core/deliveries/?status=failed")
    assert "发送失败" in client_page and "connection refused" in client_page
    transport.answers = []
    with django_capture_on_commit_callbacks(execute=True):
        delivery_resend(actor=users["sysadmin"], delivery=d)
    d.refresh_from_db()
    assert d.status == "sent" and AuditEntry.objects.filter(action="core.delivery.resend").count() == 1


def _sysadmin_page(users, url):
    from conftest import login_client

    response = login_client(users["sysadmin"]).get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_it_resends_from_the_page(users, settings, transport, django_capture_on_commit_callbacks):
    from conftest import login_client

    settings.LAOMO_WECOM_WEBHOOK_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    settings.LAOMO_DELIVERY_RETRY_MINUTES = []
    transport.answers = [Reply(500, b"")]
    with django_capture_on_commit_callbacks(execute=True):
        _notify([users["county_staff"]])
    d = Delivery.objects.get()
    assert d.status == "failed"
    client = login_client(users["sysadmin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/core/deliveries/{d.pk}/resend/")
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == "sent"
    # County staff may not see or resend deliveries.
    staff = login_client(users["county_staff"])
    assert staff.get("/core/deliveries/").status_code == 403
    assert staff.post(f"/core/deliveries/{d.pk}/resend/").status_code == 403


@pytest.mark.django_db
def test_it_emails_users_with_an_address(users, settings, django_capture_on_commit_callbacks):
    settings.LAOMO_NOTIFY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    users["county_staff"].email = "staff@example.cn"
    users["county_staff"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        _notify([users["county_staff"], users["city_staff"]])
    assert [m.to for m in mail.outbox] == [["staff@example.cn"]]
    assert "有新的群众点单待审核" in mail.outbox[0].body
    assert Delivery.objects.get().recipient == f"user:{users['county_staff'].pk}"


class _Gateway(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        _Gateway.received.append((self.headers.get("Authorization"),
                                   json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
        body = b'{"code": 0}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.django_db
def test_it_texts_the_linked_workers_phone_through_the_http_gateway(orgs, users, settings,
                                                                   django_capture_on_commit_callbacks):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Gateway.received = []
    try:
        settings.LAOMO_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms"
        settings.LAOMO_SMS_GATEWAY_TOKEN = "gw-token"
        worker = make_worker(orgs["331126"], "李四", phone="13812345678", id_number=make_id("331126"))
        worker_link_login(actor=SYSTEM, worker=worker, username=users["worker"].username)
        with django_capture_on_commit_callbacks(execute=True):
            _notify([users["worker"], users["county_staff"]], text="您有一条派单 李四 13912345678", url="")
    finally:
        server.shutdown()
    assert _Gateway.received == [("Bearer gw-token", {"phone": "13812345678", "text": "您有一条派单 李四 [已隐去]"})]
    delivery = Delivery.objects.get()
    assert delivery.recipient == f"user:{users['worker'].pk}" and "138" not in delivery.text
    assert delivery.status == "sent"


@pytest.mark.parametrize("text, expected", [
    ("请联系 13812345678 处理", "请联系 [已隐去] 处理"),
    ("电话 138-1234-5678", "电话 [已隐去]"),
    ("+86 13812345678", "[已隐去]"),
    ("身份证 33110219650312001X 已登记", "身份证 [已隐去] 已登记"),
    ("身份证331102196503120018", "身份证[已隐去]"),
    ("张三 90岁生日", "张三 90岁生日"),
    ("点单 ABCD1234EFGH 超时", "点单 ABCD1234EFGH 超时"),
    ("2026年第1季度 金额 12345678901234", "2026年第1季度 金额 12345678901234"),
])
def test_it_strips_id_and_mobile_numbers_from_outbound_text(text, expected):
    assert scrub_pii(text) == expected
    assert not has_pii(scrub_pii(text))


@pytest.mark.django_db
def test_it_keeps_the_legacy_webhook_payload(users, settings, transport, django_capture_on_commit_callbacks):
    settings.LAOMO_NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    transport.answers = [Reply(204, b"")]
    with django_capture_on_commit_callbacks(execute=True):
        _notify([users["worker"]], text="您有一条派单", url="/volunteering/me/")
    assert transport.calls[0]["payload"] == {"recipients": [users["worker"].pk], "text": "您有一条派单",
                                             "url": "/volunteering/me/"}
