"""Two clerks dispatch the same request at the same moment: exactly one dispatch happens.

Each clerk runs in its own thread with its own database connection; the service locks the request row
(SELECT … FOR UPDATE; on SQLite the IMMEDIATE transaction takes the write lock at BEGIN) and re-reads the
state, so the second clerk sees the request already dispatched and is refused with a Chinese message.
"""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections

from conftest import make_user
from laomo.volunteering import services
from laomo.volunteering.models import RequestEvent, ServiceRequest

from .factories import make_request, make_team

pytestmark = pytest.mark.django_db(transaction=True)


def _with_busy_wait(fn, timeout=20.0):
    """Retry while the database is locked by the other clerk.

    A file database waits by itself (the busy timeout of the settings); the shared-cache in-memory database
    of the test run answers SQLITE_LOCKED at once instead, so the wait is done here. Either way the second
    clerk only proceeds after the first one's transaction has committed.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def test_it_dispatches_once_when_two_clerks_race(orgs):
    qy = orgs["331126"]
    clerks = [make_user("clerk_a", "county_staff", qy), make_user("clerk_b", "county_staff", qy)]
    teams = [make_team(qy, "食用菌技术指导服务队", "fungus"), make_team(qy, "劳模技术服务队", "technical")]
    req = make_request(qy)
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def clerk(i):
        try:
            barrier.wait(timeout=5)
            _with_busy_wait(lambda: services.request_dispatch(actor=clerks[i], request=ServiceRequest(pk=req.pk),
                                                              team=teams[i]))
            outcomes[i] = "dispatched"
        except ValidationError as exc:
            outcomes[i] = exc.messages[0]
        except Exception as exc:  # noqa: BLE001 (reported in the assertion)
            outcomes[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(o == "dispatched" for o in outcomes) == [False, True], outcomes
    refused = next(o for o in outcomes if o != "dispatched")
    assert "已派单" in refused, refused
    req.refresh_from_db()
    winner = outcomes.index("dispatched")
    assert req.status == "dispatched" and req.team_id == teams[winner].pk
    assert RequestEvent.objects.filter(request=req, action__in=["dispatch", "redispatch"]).count() == 1
    assert connection.vendor in ("sqlite", "postgresql")
