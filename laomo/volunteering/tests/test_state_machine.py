"""The request loop: every allowed transition and every refused one, with the audit, events and notices."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from laomo.core.actors import PUBLIC
from laomo.core.models import AuditEntry, Notification
from laomo.volunteering import services
from laomo.volunteering.models import RequestStatus, ServiceRequest
from laomo.volunteering.services import TRANSITIONS

from .factories import make_request, make_team, make_worker

S = RequestStatus


@pytest.fixture
def loop(orgs, users):
    qy = orgs["331126"]
    me = make_worker(qy, "叶长文", specialties="食用菌栽培、香菇")
    me.user = users["worker"]
    me.save(update_fields=["user"])
    team = make_team(qy, "食用菌技术指导服务队", "fungus", leader=users["team_leader"], members=[me])
    other = make_team(qy, "劳模技术服务队", "technical")
    return {"qy": qy, "me": me, "team": team, "other": other, "staff": users["county_staff_qy"], "users": users}


def _to(status, loop):
    """A request brought to `status` through the services."""
    req = make_request(loop["qy"])
    staff, team, me = loop["staff"], loop["team"], loop["me"]
    if status == S.PENDING:
        return req
    if status == S.REFUSED:
        return services.request_refuse(actor=staff, request=req, reason="不属于服务范围")
    if status == S.CANCELLED:
        return services.request_cancel(actor=staff, request=req, reason="已自行解决")
    services.request_dispatch(actor=staff, request=req, team=team, worker=me)
    if status == S.DISPATCHED:
        return ServiceRequest.objects.get(pk=req.pk)
    services.request_accept(actor=loop["users"]["worker"], request=req)
    if status == S.ACCEPTED:
        return ServiceRequest.objects.get(pk=req.pk)
    _complete(loop, req)
    if status == S.COMPLETED:
        return ServiceRequest.objects.get(pk=req.pk)
    return services.request_rate(actor=PUBLIC, request=req, rating=5)


def _complete(loop, req, actor=None):
    return services.request_complete(actor=actor or loop["users"]["worker"], request=req,
                                     date=timezone.localdate(), place_kind="village", place="竹口镇黄坛村",
                                     content="现场查看菌棒,指导烂棒防治", person_times=3,
                                     volunteers=[{"worker": loop["me"], "hours": Decimal("2.5")}])


def _do(action, req, loop):
    """Serve actions as the staff (who may act for a worker on the phone): the state decides, not the actor."""
    staff = worker_user = loop["staff"]
    calls = {
        "dispatch": lambda: services.request_dispatch(actor=staff, request=req, team=loop["team"]),
        "redispatch": lambda: services.request_dispatch(actor=staff, request=req, team=loop["other"],
                                                        redispatch=True),
        "refuse": lambda: services.request_refuse(actor=staff, request=req, reason="不属于服务范围"),
        "cancel": lambda: services.request_cancel(actor=staff, request=req, reason="群众撤回"),
        "accept": lambda: services.request_accept(actor=worker_user, request=req),
        "decline": lambda: services.request_decline(actor=worker_user, request=req, reason="外出学习"),
        "release": lambda: services.request_release(actor=staff, request=req, reason="受派劳模去世"),
        "schedule": lambda: services.request_schedule(actor=worker_user, request=req,
                                                      scheduled_at=timezone.now() + timedelta(days=1)),
        "complete": lambda: _complete(loop, req, actor=staff),
        "rate": lambda: services.request_rate(actor=PUBLIC, request=req, rating=4, comment="很好"),
    }
    return calls[action]()


CASES = [(action, status) for action in TRANSITIONS for status in S.values]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), CASES)
def test_it_allows_exactly_the_transitions_of_the_table(loop, action, status):
    req = _to(status, loop)
    allowed, target = TRANSITIONS[action]
    events_before = req.events.count()
    if status in allowed:
        result = _do(action, req, loop)
        result.refresh_from_db()
        assert result.status == target
        assert req.events.count() == events_before + 1
        assert AuditEntry.objects.filter(action=f"volunteering.request.{action}", object_id=str(req.pk)).exists()
    else:
        with pytest.raises(ValidationError) as exc:
            _do(action, req, loop)
        assert "不能" in exc.value.message_dict["status"][0]
        assert ServiceRequest.objects.get(pk=req.pk).status == status
        assert req.events.count() == events_before


@pytest.mark.django_db
def test_it_runs_the_full_loop_with_timing_and_notices(loop):
    users = loop["users"]
    req = make_request(loop["qy"])
    assert len(req.tracking_code) == 12 and req.status == S.PENDING
    assert Notification.objects.filter(recipient=loop["staff"], text__contains="新的群众点单").exists()
    services.request_dispatch(actor=loop["staff"], request=req, team=loop["team"], worker=loop["me"])
    assert Notification.objects.filter(recipient=users["worker"], text__contains="新派单").exists()
    assert Notification.objects.filter(recipient=users["team_leader"], text__contains="新派单").exists()
    services.request_accept(actor=users["worker"], request=req)
    _complete(loop, req)
    req = services.request_rate(actor=PUBLIC, request=req, rating=5, comment="专家很专业")
    assert req.status == S.RATED and req.rating == 5 and req.record.person_times == 3
    assert req.record.volunteers.get().hours == Decimal("2.50") and req.record.team == loop["team"]
    assert req.received_at <= req.dispatched_at <= req.accepted_at <= req.completed_at <= req.rated_at
    assert [e.action for e in req.events.all()] == ["submit", "dispatch", "accept", "complete", "rate"]
    audit = AuditEntry.objects.filter(object_id=str(req.pk), object_type="volunteering.servicerequest")
    assert audit.count() == 5
    assert "张大明" not in str(list(audit.values_list("changes", flat=True)))
    assert "13905781234" not in str(list(audit.values_list("changes", flat=True)))


@pytest.mark.django_db
def test_it_sends_a_declined_request_back_to_the_queue_with_the_reason(loop):
    req = _to(S.DISPATCHED, loop)
    req = services.request_decline(actor=loop["users"]["team_leader"], request=req, reason="队员都在外地")
    assert req.status == S.PENDING and req.team is None and req.worker is None
    assert req.decline_reason == "队员都在外地"
    assert Notification.objects.filter(recipient=loop["staff"], text__contains="被退回").exists()
    services.request_dispatch(actor=loop["staff"], request=req, team=loop["team"])  # dispatched again


@pytest.mark.django_db
def test_it_refuses_without_a_reason_and_rating_out_of_range(loop):
    req = make_request(loop["qy"])
    with pytest.raises(ValidationError) as exc:
        services.request_refuse(actor=loop["staff"], request=req, reason="  ")
    assert "原因" in exc.value.message_dict["reason"][0]
    done = _to(S.COMPLETED, loop)
    for bad in (0, 6, "五星"):
        with pytest.raises(ValidationError) as exc:
            services.request_rate(actor=PUBLIC, request=done, rating=bad)
        assert "1到5星" in exc.value.message_dict["rating"][0]
    with pytest.raises(ValidationError):
        services.request_rate(actor=PUBLIC, request=done, rating=5, comment="好" * 301)


@pytest.mark.django_db
def test_it_lets_only_the_assignee_the_leader_or_the_staff_serve(loop, orgs, users):
    req = _to(S.DISPATCHED, loop)
    for outsider in (users["county_staff"], users["viewer"], users["sysadmin"]):
        with pytest.raises(PermissionDenied):
            services.request_accept(actor=outsider, request=req)
    with pytest.raises(PermissionDenied):
        services.request_dispatch(actor=users["county_staff"], request=make_request(loop["qy"]), team=loop["team"])
    with pytest.raises(PermissionDenied):  # a worker cannot dispatch
        services.request_dispatch(actor=users["worker"], request=make_request(loop["qy"]), team=loop["team"])
    services.request_accept(actor=users["team_leader"], request=req)


@pytest.mark.django_db
def test_it_refuses_a_dispatch_without_assignee_and_a_redispatch_to_the_same(loop):
    req = make_request(loop["qy"])
    with pytest.raises(ValidationError):
        services.request_dispatch(actor=loop["staff"], request=req)
    services.request_dispatch(actor=loop["staff"], request=req, team=loop["team"])
    with pytest.raises(ValidationError) as exc:
        services.request_dispatch(actor=loop["staff"], request=req, team=loop["team"], redispatch=True)
    assert "不同" in exc.value.message_dict["team"][0]


@pytest.mark.django_db
def test_it_lets_the_requester_cancel_only_before_acceptance(loop):
    req = _to(S.DISPATCHED, loop)
    services.request_cancel(actor=PUBLIC, request=req, reason="不需要了", by_requester=True)
    accepted = _to(S.ACCEPTED, loop)
    with pytest.raises(ValidationError) as exc:
        services.request_cancel(actor=PUBLIC, request=accepted, reason="不需要了", by_requester=True)
    assert "致电" in exc.value.message_dict["status"][0]


@pytest.mark.django_db
def test_it_validates_the_request_input(loop):
    qy = loop["qy"]
    cases = [({"description": "短"}, "description"), ({"description": "长" * 1001}, "description"),
             ({"contact_phone": "12345"}, "contact_phone"), ({"contact_name": ""}, "contact_name"),
             ({"town": "镇" * 51}, "town"), ({"category": "magic"}, "category"),
             ({"preferred_date": date(2000, 1, 1)}, "preferred_date")]
    for extra, field in cases:
        with pytest.raises(ValidationError) as exc:
            make_request(qy, **extra)
        assert field in exc.value.message_dict, (extra, exc.value)
    assert ServiceRequest.objects.count() == 0
    req = make_request(qy, contact_phone="139-0578-1234")
    assert req.contact_phone == "13905781234" and req.contact_phone_masked == "139****1234"
    assert req.contact_name_masked == "张**"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_name, contact_phone FROM volunteering_servicerequest WHERE id = %s", [req.pk])
        raw = cursor.fetchone()
    assert "张大明" not in raw[0] and "13905781234" not in raw[1]  # encrypted at rest
