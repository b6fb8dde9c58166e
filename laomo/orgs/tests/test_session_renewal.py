"""The session row is written at most once a renewal period, and the idle timeout still holds (issue 16)."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import login_client


def _session_writes(queries) -> int:
    return sum(1 for q in queries if "django_session" in q["sql"]
               and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")))


def _row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


@pytest.mark.django_db
def test_it_writes_the_session_once_for_two_views_within_a_minute(users):
    client = login_client(users["county_staff"])
    with CaptureQueriesContext(connection) as first:
        assert client.get("/").status_code == 200
    expiry = _row(client).expire_date
    with CaptureQueriesContext(connection) as second:
        assert client.get("/workers/").status_code == 200
        assert client.get("/").status_code == 200
    # The login itself set login_at and renewed_at (and saved the session): the first page writes nothing.
    assert _session_writes(first.captured_queries) == 0
    assert _session_writes(second.captured_queries) == 0
    assert _row(client).expire_date == expiry


@pytest.mark.django_db
def test_it_renews_the_session_after_a_minute(users, settings):
    client = login_client(users["county_staff"])
    assert client.get("/").status_code == 200
    session = client.session
    session["renewed_at"] = int(time.time()) - settings.LAOMO_SESSION_RENEW_SECONDS - 1
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() + timedelta(minutes=5))
    with CaptureQueriesContext(connection) as renewed:
        assert client.get("/").status_code == 200
    assert _session_writes(renewed.captured_queries) == 1
    # Pushed on by the full idle timeout again.
    assert _row(client).expire_date > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


@pytest.mark.django_db
def test_it_still_expires_an_idle_session(users):
    client = login_client(users["county_staff"])
    assert client.get("/").status_code == 200
    # Thirty minutes without a renewal: the row's expiry has passed.
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_it_sets_the_expiry_to_the_idle_timeout_when_renewing(users, settings):
    client = login_client(users["county_staff"])
    session = client.session
    session["renewed_at"] = int(time.time()) - settings.LAOMO_SESSION_RENEW_SECONDS - 1
    session.save()
    before = timezone.now()
    assert client.get("/").status_code == 200
    expiry = _row(client).expire_date
    assert before + timedelta(seconds=settings.SESSION_COOKIE_AGE) <= expiry
    assert expiry <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
