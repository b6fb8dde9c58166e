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


@pytest.mark.django_db
def test_it_shows_the_count_read_with_the_user_and_asks_no_query_of_its_own(users, clients):
    """The badge's count and the second-factor check come with the session's user row (issue 16): no query on
    the notifications or the TOTP devices besides it, the right number, and none once marked read by the bell."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = users["county_staff"]
    notify(recipients=[staff, staff], text="有新的群众点单待审核", url="/volunteering/")
    client = clients["county_staff"]
    client.get("/workers/")  # the session's renewal
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/workers/").content.decode()
    assert '<span class="position-absolute' in page and 'data-testid="bell-count">2</span>' in page
    # Any statement on either table but the user's own (plain SQL on SQLite; on PostgreSQL an EXECUTE whose
    # prepared statement's name carries its table's, laomo.core.prepared).
    own = [q["sql"] for q in ctx.captured_queries
           if ("otp_totp" in q["sql"] or "core_notification" in q["sql"]) and "orgs_user" not in q["sql"]]
    assert own == []
    assert any("orgs_user" in q["sql"] for q in ctx.captured_queries)
    bell = client.post("/core/notifications/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="bell-count"' not in bell
    assert 'data-testid="bell-count"' not in client.get("/workers/").content.decode()
