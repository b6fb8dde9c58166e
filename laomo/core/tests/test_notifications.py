import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from laomo.core.models import Notification
from laomo.core.services import notifications_mark_read, notify


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(settings):
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received = []
    settings.LAOMO_NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/sms"
    yield _Hook.received
    server.shutdown()


@pytest.mark.django_db
def test_it_notifies_in_app_and_shows_the_unread_count(users, clients):
    notify(recipients=[users["county_staff"]], text="有新的群众点单待审核", url="/volunteering/")
    page = clients["county_staff"].get("/").content.decode()
    assert 'data-testid="bell-count"' in page
    assert "有新的群众点单待审核" in clients["county_staff"].get("/core/notifications/").content.decode()
    notifications_mark_read(user=users["county_staff"])
    assert 'data-testid="bell-count"' not in clients["county_staff"].get("/").content.decode()


@pytest.mark.django_db
def test_it_hands_notifications_to_the_outbound_hook_when_configured(users, webhook,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[users["worker"]], text="您有一条派单", url="/volunteering/me/")
    assert webhook == [{"recipients": [users["worker"].pk], "text": "您有一条派单", "url": "/volunteering/me/"}]


@pytest.mark.django_db
def test_it_keeps_the_write_when_the_hook_fails(users, settings, django_capture_on_commit_callbacks):
    settings.LAOMO_NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/unreachable"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[users["worker"]], text="x")
    assert Notification.objects.filter(recipient=users["worker"]).count() == 1
