"""GET /healthz: database, job-consumer heartbeat, disk; no login, no session, 503 when unhealthy."""

from collections import namedtuple
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import login_client
from laomo.core.jobs import heartbeat_beat
from laomo.core.models import Heartbeat
from laomo.orgs.roles import Role


@pytest.mark.django_db
def test_it_answers_ok_without_login_or_session_when_the_consumer_beats(client):
    heartbeat_beat()
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "jobs": "ok", "disk": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie


@pytest.mark.django_db
def test_it_fails_with_503_when_the_heartbeat_is_stale(client, settings):
    Heartbeat.objects.create(name="jobs", beat_at=timezone.now() - timedelta(
        seconds=settings.LAOMO_JOBS_HEARTBEAT_STALE_SECONDS + 5))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "fail"
    assert response.json()["checks"]["jobs"]["status"] == "stale"


@pytest.mark.django_db
def test_it_fails_when_no_consumer_ever_beat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["jobs"]["status"] == "stale"


@pytest.mark.django_db
def test_it_reports_a_full_disk(client, settings, monkeypatch):
    heartbeat_beat()
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr("laomo.core.health.shutil.disk_usage", lambda path: usage(10 << 30, 10 << 30, 1 << 20))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["disk"]["status"] == "low"


@pytest.mark.django_db
def test_it_reports_a_broken_database(client, monkeypatch):
    heartbeat_beat()

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("laomo.core.health.connection.cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"status": "fail"}


@pytest.mark.django_db
def test_it_is_not_held_by_the_second_factor_and_refuses_post(users):
    heartbeat_beat()
    from django.test import Client

    client = Client()
    client.force_login(users[Role.SYSADMIN])  # a role that must pass TOTP, which it has not
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert login_client(users[Role.CITY_STAFF]).post("/healthz").status_code == 405
