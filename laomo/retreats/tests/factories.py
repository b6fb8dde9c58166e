"""Factories of the retreats tests: vendors, batches and workers made through the services."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from laomo.core.actors import PUBLIC, SYSTEM
from laomo.orgs.models import OrgUnit, User
from laomo.orgs.roles import Role
from laomo.orgs.services import user_create
from laomo.retreats import services
from laomo.retreats.models import RetreatApplication
from laomo.workers.services import worker_grant_login
from laomo.workers.tests.factories import make_id, make_worker

_seq = itertools.count(300)


def vendor(org, name: str | None = None, **fields):
    fields.setdefault("contract_start", date(2020, 1, 1))
    fields.setdefault("contract_end", date(2035, 12, 31))
    return services.vendor_create(actor=SYSTEM, org=org, name=name or f"测试旅行社{next(_seq)}", **fields)


def batch(org, *, name: str | None = None, start: date = date(2030, 5, 6), days: int = 5, capacity: int = 3,
          status: str = "open", quotas: dict | None = None, with_vendor: bool = True, **fields):
    """A batch (default: open for applications, no quotas, municipal level, no other limits)."""
    fields.setdefault("destination", "千岛湖")
    fields.setdefault("cost_per_person", Decimal("2000.00"))
    fields.setdefault("budget", Decimal("2000.00") * capacity)
    fields.setdefault("leader_name", "王敏")
    fields.setdefault("not_attended_years", 0)
    fields.setdefault("health_declaration_required", False)
    if with_vendor and "vendor" not in fields:
        fields["vendor"] = vendor(OrgUnit.objects.get(code="331100"))
    b = services.batch_create(actor=SYSTEM, org=org, name=name or f"测试批次{next(_seq)}", start_date=start,
                              end_date=start + timedelta(days=days - 1), capacity=capacity, quotas=quotas, **fields)
    if status != "planned":
        services.batch_set_status(actor=SYSTEM, batch=b, status="open")
    b.refresh_from_db()
    return b


def worker(org, name: str, *, title: str = "丽水市劳动模范", year: int = 2015, birth: str = "19700101",
           male: bool = True, **fields):
    """A worker with a valid ID number (birth date and sex from it) and one honor."""
    fields.setdefault("id_number", make_id(org.code if org.code != "331100" else "331102", birth, male=male))
    honors = [(title, year)] if title else []
    return make_worker(org, name, honors=honors, **fields)


def apply(b, w, *, actor=SYSTEM, **kwargs):
    """An application (by default made by the system, i.e. a nomination without a person behind it)."""
    kwargs.setdefault("health_declared", True)
    return services.application_submit(actor=actor, batch=b, worker=w, **kwargs)


def run_to_ongoing(b):
    """Confirm every pending application and start the trip."""
    services.batch_confirm_by_priority(actor=SYSTEM, batch=b)
    for app in b.applications.filter(status="waitlisted"):
        services.application_withdraw(actor=SYSTEM, application=app, reason="名额已满")
    services.batch_set_status(actor=SYSTEM, batch=b, status="confirmed")
    services.batch_set_status(actor=SYSTEM, batch=b, status="ongoing")
    b.refresh_from_db()
    return b


def attended_batch(org, workers, *, start: date, name: str | None = None, survey=None, complete: bool = True,
                   actor=SYSTEM, **fields):
    """A batch held from `start` that `workers` attended (recorded by `actor`); `survey` maps worker → overall
    rating (or a dict), answered from the survey link."""
    b = batch(org, name=name, start=start, capacity=max(1, len(workers)), **fields)
    apps = [apply(b, w) for w in workers]
    run_to_ongoing(b)
    for app in apps:
        services.application_record_attendance(actor=actor, application=app, attended=True)
    if complete:
        services.batch_set_status(actor=SYSTEM, batch=b, status="completed")
    for w, rating in (survey or {}).items():
        app = RetreatApplication.objects.get(batch=b, worker=w)
        ratings = rating if isinstance(rating, dict) else {f: rating for f in
                                                            ("itinerary", "accommodation", "food", "guide", "overall")}
        services.survey_submit(application=app, actor=PUBLIC, **ratings)
    b.refresh_from_db()
    return b


def staff():
    """A city staff user, for setup through other modules' services (which check a person's rights)."""
    user = User.objects.filter(username="f_city").first()
    if user is None:
        user, _ = user_create(actor=SYSTEM, username="f_city", org=OrgUnit.objects.get(code="331100"),
                              roles=[Role.CITY_STAFF], password="Factory-pw-2030!", must_change_password=False)
    return user


def worker_login(worker, username: str):
    """A self-service login for `worker`, past the first-login password change."""
    user, _ = worker_grant_login(actor=staff(), worker=worker, username=username)
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.refresh_from_db()
    return user
