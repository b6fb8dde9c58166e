"""A locked or read-only database answers 503 with a Chinese retry message, never a bare 500 (issue 11, 6 and 8).

The conditions are real where a test can make them on the shared test connection: a read-only database is
SQLite's `PRAGMA query_only` (SQLITE_READONLY, "attempt to write a readonly database", as for a read-only file)
or PostgreSQL's read-only transaction (SQLSTATE 25006, as on a standby). A lock that outlasted the busy
timeout is injected with an execute wrapper raising the error the driver raises then ("database is locked");
the real lock waits are in laomo/workers/tests/test_import_concurrency.py.
"""

from __future__ import annotations

from contextlib import contextmanager

import psycopg.errors as pg
import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test import Client

from conftest import PASSWORD
from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.dbbusy import BUSY_MESSAGE, busy_kind

pytestmark = pytest.mark.django_db


@contextmanager
def read_only_database():
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA query_only = ON")
        try:
            yield
        finally:  # on the raw connection: Django refuses queries after an error in an atomic block
            connection.connection.execute("PRAGMA query_only = OFF")
        return
    # PostgreSQL: a read-only savepoint (a transaction may turn read-only, never back), rolled back after.
    with transaction.atomic():
        connection.cursor().execute("SET TRANSACTION READ ONLY")
        try:
            yield
        finally:
            transaction.set_rollback(True)


@contextmanager
def failing_writes(error):
    def execute(run, sql, params, many, context):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise error
        return run(sql, params, many, context)

    with connection.execute_wrapper(execute):
        yield


def _login(client, user):
    return client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})


def _assert_busy_page(response):
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"].isdigit()
    page = response.content.decode()
    assert BUSY_MESSAGE in page and "<html" in page and "Traceback" not in page


def test_it_answers_a_login_on_a_read_only_database_with_a_chinese_503_page(users):
    client = Client(raise_request_exception=False)
    with read_only_database():
        response = _login(client, users["city_staff"])
    _assert_busy_page(response)
    assert "只读" in response.content.decode()


def test_it_answers_a_login_that_meets_a_locked_database_with_a_chinese_503_page(users):
    client = Client(raise_request_exception=False)
    with failing_writes(OperationalError("database is locked")):
        response = _login(client, users["city_staff"])
    _assert_busy_page(response)


def test_it_answers_a_lock_outside_a_view_with_the_503_page_too(users, monkeypatch):
    from django.contrib.sessions.backends.db import SessionStore

    from conftest import login_client

    client = login_client(users["city_staff"])
    client.raise_request_exception = False
    session = client.session
    session["renewed_at"] = 0  # due for renewal: the session middleware saves it after the view
    session.save()

    def locked(self, must_create=False):
        raise OperationalError("database is locked")

    monkeypatch.setattr(SessionStore, "save", locked)  # the session middleware saves after the view
    client.cookies["x"] = "y"
    response = client.get("/", HTTP_ACCEPT="text/html")
    _assert_busy_page(response)


def test_it_answers_the_api_with_503_in_its_json_error_shape(users):
    _, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    client = Client(raise_request_exception=False)
    with failing_writes(OperationalError("database is locked")):
        response = client.post("/api/v1/workers", {"name": "王五", "org": "331102"}, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 503 and response["Retry-After"].isdigit()
    body = response.json()
    assert body["message"] == BUSY_MESSAGE and body["extra"]["reason"] == "busy"


def test_it_answers_the_api_on_a_read_only_database_with_503_json(users):
    _, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    client = Client(raise_request_exception=False)
    with read_only_database():
        response = client.post("/api/v1/workers", {"name": "王五", "org": "331102"}, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 503 and response.json()["extra"]["reason"] == "readonly"


def test_it_leaves_other_database_errors_a_500(users):
    _, raw = api_token_create(actor=SYSTEM, user=users["city_staff"])
    client = Client(raise_request_exception=False)
    with failing_writes(OperationalError("no such table: workers_worker")):
        response = client.post("/api/v1/workers", {"name": "王五", "org": "331102"}, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 500


def _wrapped(driver_error):
    """The Django error as the database wrapper raises it: the driver's error as its cause."""
    try:
        try:
            raise driver_error
        except Exception as exc:
            raise OperationalError(str(exc)) from exc
    except OperationalError as exc:
        return exc


@pytest.mark.parametrize(("driver_error", "kind"), [
    (pg.LockNotAvailable("canceling statement due to lock timeout"), "busy"),
    (pg.SerializationFailure("could not serialize access"), "busy"),
    (pg.DeadlockDetected("deadlock detected"), "busy"),
    (pg.QueryCanceled("canceling statement due to statement timeout"), "busy"),
    (pg.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"), "readonly"),
    (pg.UniqueViolation("duplicate key value"), None),
])
def test_it_tells_a_passing_postgresql_condition_from_a_bug(driver_error, kind):
    assert busy_kind(_wrapped(driver_error)) == kind


def test_it_tells_sqlite_lock_and_read_only_errors_from_others():
    assert busy_kind(OperationalError("database is locked")) == "busy"
    assert busy_kind(OperationalError("attempt to write a readonly database")) == "readonly"
    assert busy_kind(OperationalError("no such table: x")) is None
    assert busy_kind(IntegrityError("UNIQUE constraint failed")) is None
    assert busy_kind(ValueError("database is locked")) is None


def test_it_waits_for_a_lock_before_giving_up_on_every_connection(settings):
    """SQLite: the busy timeout on the connection (BEGIN IMMEDIATE honours it); PostgreSQL: lock_timeout."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == settings.LAOMO_DB_LOCK_TIMEOUT_MS == 20000
            assert connection.transaction_mode == "IMMEDIATE"
        else:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "20s"
