"""Shared fixtures: org units, one user per role, clients logged in as them (hc/test.py style)."""

import uuid

import pytest
from django.test import Client

from laomo.core.actors import SYSTEM
from laomo.orgs.roles import Role

PASSWORD = "Test-pass-2022!"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every audit action the suite records must be in laomo.core.actions (issue 12).
    settings.LAOMO_STRICT_ACTIONS = True
    # A cache per test process and test: rate-limit counters never leak between tests or workers.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"laomo-test-{uuid.uuid4()}"}}
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture(scope="session", autouse=True)
def _audit_triggers_lifted_for_flush():
    """The flush that ends a transactional test (DELETE on SQLite, TRUNCATE on PostgreSQL) empties the
    audit table too, which its append-only triggers refuse: lift them around the test flush only, in the
    flush's transaction. Production code never flushes; `manage.py flush` is refused there, as it should be.
    """
    from django.db.backends.base.operations import BaseDatabaseOperations

    from laomo.core import audit_triggers

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with audit_triggers.lifted(self.connection):
            original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture
def orgs(db):
    from laomo.orgs.models import OrgUnit

    if not OrgUnit.objects.exists():
        # A transactional test's flush empties every table, the org tree the migrations seed too: a
        # transactional test that runs after one in the same worker finds it empty. Put it back.
        import importlib

        from django.apps import apps as django_apps

        importlib.import_module("laomo.orgs.migrations.0002_seed_org_tree").seed(django_apps, None)
    return {o.code: o for o in OrgUnit.objects.all()}


def make_user(username, role, org, **extra):
    from laomo.orgs.services import user_create

    roles = role if isinstance(role, list) else [role]
    user, _ = user_create(actor=SYSTEM, username=username, org=org, roles=roles, password=PASSWORD,
                          must_change_password=False, full_name=extra.pop("full_name", username), **extra)
    return user


@pytest.fixture
def users(orgs):
    """One user per role; county staff of 莲都 and of 庆元 to test cross-county scope."""
    return {
        Role.CITY_STAFF: make_user("t_city", Role.CITY_STAFF, orgs["331100"]),
        Role.COUNTY_STAFF: make_user("t_liandu", Role.COUNTY_STAFF, orgs["331102"]),
        "county_staff_qy": make_user("t_qingyuan", Role.COUNTY_STAFF, orgs["331126"]),
        Role.TEAM_LEADER: make_user("t_leader", Role.TEAM_LEADER, orgs["331126"]),
        Role.WORKER: make_user("t_worker", Role.WORKER, orgs["331126"]),
        Role.VIEWER: make_user("t_viewer", Role.VIEWER, orgs["331100"]),
        Role.SYSADMIN: make_user("t_sysadmin", Role.SYSADMIN, orgs["331100"]),
        Role.SECADMIN: make_user("t_secadmin", Role.SECADMIN, orgs["331100"]),
        Role.AUDITOR: make_user("t_auditor", Role.AUDITOR, orgs["331100"]),
    }


def login_client(user) -> Client:
    """A client logged in as `user`, past the second factor for the roles that need one."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    if user.role_codes & {"sysadmin", "secadmin", "auditor"}:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def clients(users):
    return {key: login_client(user) for key, user in users.items()}
