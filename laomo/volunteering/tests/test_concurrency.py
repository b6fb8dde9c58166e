"""Two clerks dispatch the same request at the same moment: exactly one dispatch happens.

Each clerk runs in its own thread with its own database connection; the service locks the request row
(SELECT … FOR UPDATE; on SQLite the IMMEDIATE transaction takes the write lock at BEGIN) and re-reads the
state, so the second clerk sees the request already dispatched and is refused with a Chinese message.
"""

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from conftest import make_user
from laomo.core.testing import concurrently
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

    def clerk(i):
        _with_busy_wait(lambda: services.request_dispatch(actor=clerks[i], request=ServiceRequest(pk=req.pk),
                                                          team=teams[i]))
        return "dispatched"

    outcomes = [o.messages[0] if isinstance(o, ValidationError) else repr(o) if isinstance(o, Exception) else o
                for o in concurrently(lambda: clerk(0), lambda: clerk(1), timeout=30)]
    assert sorted(o == "dispatched" for o in outcomes) == [False, True], outcomes
    refused = next(o for o in outcomes if o != "dispatched")
    assert "已派单" in refused, refused
    req.refresh_from_db()
    winner = outcomes.index("dispatched")
    assert req.status == "dispatched" and req.team_id == teams[winner].pk
    assert RequestEvent.objects.filter(request=req, action__in=["dispatch", "redispatch"]).count() == 1
    assert connection.vendor in ("sqlite", "postgresql")
