"""laomo.core.prepared: a query compiled once gives what the queryset itself gives, read fresh every time."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from laomo.api.models import ApiToken
from laomo.api.services import api_token_create
from laomo.core.actors import SYSTEM
from laomo.core.prepared import PreparedQuery
from laomo.orgs.models import User

TOKENS = PreparedQuery(
    lambda key: ApiToken.objects.select_related("user", "user__org").filter(key_hash=key, revoked_at__isnull=True),
    "",
)
PERMISSIONS = PreparedQuery(
    lambda pk: Permission.objects.filter(Q(user=pk) | Q(group__user=pk))
    .values_list("content_type__app_label", "codename").order_by().distinct(),
    0,
)


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.django_db
def test_it_gives_the_objects_and_related_objects_the_queryset_gives(users):
    token, _ = api_token_create(actor=SYSTEM, user=users["county_staff"])
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.created_at)
    expected = ApiToken.objects.select_related("user", "user__org").get(pk=token.pk)
    with CaptureQueriesContext(connection) as queries:
        (found,) = TOKENS.objects(token.key_hash)
        user, org = found.user, found.user.org  # cached by the same query, as select_related does
    assert len(queries) == 1
    assert _fields(found) == _fields(expected) and found.last_used_at == token.created_at
    assert _fields(user) == _fields(expected.user) and _fields(org) == _fields(expected.user.org)
    assert not found._state.adding and found._state.db == "default"
    assert TOKENS.objects("no such hash") == []


@pytest.mark.django_db
def test_it_reads_the_database_on_every_call(users):
    token, _ = api_token_create(actor=SYSTEM, user=users["viewer"])
    assert TOKENS.objects(token.key_hash)[0].user.is_active
    User.objects.filter(pk=users["viewer"].pk).update(is_active=False)
    assert not TOKENS.objects(token.key_hash)[0].user.is_active
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.created_at)
    assert TOKENS.objects(token.key_hash) == []


@pytest.mark.django_db
def test_it_gives_the_rows_of_values_list_with_a_parameter_used_twice(users):
    user = users["city_staff"]
    user.user_permissions.add(Permission.objects.get(codename="view_business"))
    expected = set(Permission.objects.filter(Q(user=user) | Q(group__user=user))
                   .values_list("content_type__app_label", "codename").distinct())
    assert set(PERMISSIONS.rows(user.pk)) == expected and ("core", "view_business") in expected
    assert PERMISSIONS.rows(-1) == []


@pytest.mark.django_db
def test_it_refuses_a_parameter_it_cannot_place():
    contains = PreparedQuery(lambda name: Group.objects.filter(name__contains=name).values_list("name"), "")
    with pytest.raises(ValueError):
        contains.rows("x")
    models_only = PreparedQuery(lambda name: Group.objects.filter(name=name), "")
    with pytest.raises(TypeError):
        models_only.rows("x")


@pytest.mark.django_db
def test_it_loads_a_live_session_and_never_an_expired_one():
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from laomo.core.sessions import SessionStore

    store = SessionStore()
    store["k"] = "v"
    store.save()
    assert SessionStore(store.session_key).load() == {"k": "v"}
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("no-such-session-key").load() == {}


@pytest.mark.django_db
def test_it_counts_unread_notifications_as_count_does(users):
    from django.utils import timezone

    from laomo.core.models import Notification
    from laomo.core.selectors import unread_count

    user, other = users["city_staff"], users["viewer"]
    assert unread_count(user=user) == 0
    for i in range(3):
        Notification.objects.create(recipient=user, text=f"通知{i}")
    Notification.objects.create(recipient=other, text="别人的")
    Notification.objects.filter(recipient=user, text="通知0").update(read_at=timezone.now())
    assert unread_count(user=user) == 2 == Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@pytest.mark.django_db
def test_it_finds_no_session_user_for_an_id_no_row_can_have(users):
    from laomo.orgs.backends import ModelBackend

    backend = ModelBackend()
    assert backend.get_user(users["viewer"].pk) == users["viewer"]
    assert backend.get_user(str(users["viewer"].pk)).org == users["viewer"].org
    for user_id in (None, 2**63, -(2**70), "not a number"):
        assert backend.get_user(user_id) is None


@pytest.mark.django_db
def test_it_gives_every_user_the_permissions_djangos_backend_gives(users):
    """laomo's ModelBackend reads the user's own and their groups' permissions in one query: the same set."""
    from django.contrib.auth.backends import ModelBackend as DjangoBackend

    from laomo.orgs.backends import ModelBackend

    viewer = users["viewer"]
    viewer.user_permissions.add(Permission.objects.get(codename="export_pii"))  # one of their own too
    extra = Group.objects.create(name="临时组")
    extra.permissions.add(Permission.objects.get(codename="add_group"))
    users["worker"].groups.add(extra)
    for user in users.values():
        fresh = User.objects.get(pk=user.pk)
        mine = ModelBackend().get_all_permissions(fresh)
        assert mine == DjangoBackend().get_all_permissions(User.objects.get(pk=user.pk)), user.username
    assert "core.export_pii" in ModelBackend().get_all_permissions(User.objects.get(pk=viewer.pk))
    assert "auth.add_group" in ModelBackend().get_all_permissions(User.objects.get(pk=users["worker"].pk))


@pytest.mark.django_db
def test_it_sets_the_annotations_the_queryset_gives(users):
    from django.db.models import Value

    from laomo.orgs.models import role_names

    annotated = PreparedQuery(
        lambda pk: User.objects.annotate(role_names_json=role_names(), label=Value("甲")).filter(pk=pk), 0)
    (found,) = annotated.objects(users["county_staff"].pk)
    expected = User.objects.annotate(role_names_json=role_names(), label=Value("甲")).get(pk=users["county_staff"].pk)
    assert found.__dict__["label"] == expected.label == "甲"
    assert found.__dict__["role_names_json"] == expected.role_names_json


@pytest.mark.django_db
def test_it_gives_the_session_user_and_the_token_user_their_roles_without_a_query_of_their_own(users):
    """The roles' names come with the user's row (one JSON value): the same roles as the groups give, a group whose
    name holds quotes or commas cannot pass for a role, and the roles are read again once dropped."""
    from laomo.api.services import api_token_authenticate
    from laomo.orgs.backends import ModelBackend

    staff = users["county_staff"]
    staff.groups.add(Group.objects.create(name='x","city_staff'), Group.objects.create(name="city_staff,x"))
    nobody = User.objects.create_user(username="nobody", password="x")  # no group at all
    _, raw = api_token_create(actor=SYSTEM, user=staff)
    api_token_authenticate(raw)  # its first use is written; the next, within a minute, is not
    for load in (lambda: ModelBackend().get_user(staff.pk), lambda: api_token_authenticate(raw)):
        with CaptureQueriesContext(connection) as queries:
            user = load()
            roles = user.role_codes
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert roles == User.objects.get(pk=staff.pk).role_codes == frozenset({"county_staff"})
        assert "role_names_json" not in user.__dict__
        staff.groups.add(Group.objects.get(name="city_staff"))
        user.__dict__.pop("role_codes")  # what user_update does after changing the groups
        assert user.role_codes == frozenset({"county_staff", "city_staff"})
        staff.groups.remove(Group.objects.get(name="city_staff"))
    assert ModelBackend().get_user(nobody.pk).role_codes == frozenset()


@pytest.mark.django_db
def test_it_gives_the_session_and_token_user_djangos_permissions_without_a_query_of_their_own(users):
    """The permissions come with the user's row too: for every role, own and group permissions, the set Django's
    backend gives, with no query after the user's; a user with none has none."""
    from django.contrib.auth.backends import ModelBackend as DjangoBackend

    from laomo.api.services import api_token_authenticate
    from laomo.orgs.backends import ModelBackend

    users["viewer"].user_permissions.add(Permission.objects.get(codename="export_pii"))
    extra = Group.objects.create(name="临时组")
    extra.permissions.add(Permission.objects.get(codename="add_group"), Permission.objects.get(codename="export_pii"))
    users["viewer"].groups.add(extra)
    nobody = User.objects.create_user(username="nobody", password="x")
    for user in [*users.values(), nobody]:
        if user.is_superuser or not user.is_active:
            continue
        expected = DjangoBackend().get_all_permissions(User.objects.get(pk=user.pk))
        _, raw = api_token_create(actor=SYSTEM, user=user)
        api_token_authenticate(raw)  # its first use is written
        for load in (lambda pk=user.pk: ModelBackend().get_user(pk), lambda raw=raw: api_token_authenticate(raw)):
            with CaptureQueriesContext(connection) as queries:
                loaded = load()
                found = ModelBackend().get_all_permissions(loaded)
                checks = [loaded.has_perm(p) for p in sorted(expected)]
            assert len(queries) == 1, (user.username, [q["sql"] for q in queries])
            assert found == expected and all(checks), user.username
    assert "core.export_pii" in ModelBackend().get_all_permissions(ModelBackend().get_user(users["viewer"].pk))
    assert ModelBackend().get_all_permissions(ModelBackend().get_user(nobody.pk)) == set()


@pytest.mark.django_db
def test_it_gives_the_session_user_their_device_and_unread_count_without_a_query_of_their_own(users):
    """Whether the user has a confirmed TOTP device and how many notifications they have not read come with the
    session's user row: the same answers as the queries, none of their own, and the count read again once the
    request has written notifications (a notice to the user, or marking them read)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from laomo.core.models import Notification
    from laomo.core.selectors import unread_count
    from laomo.core.services import notifications_mark_read, notify
    from laomo.orgs.backends import ModelBackend
    from laomo.orgs.twofactor import has_confirmed_device

    staff, viewer = users["county_staff"], users["viewer"]
    TOTPDevice.objects.create(user=staff, name="default", confirmed=True)
    TOTPDevice.objects.create(user=viewer, name="default", confirmed=False)  # not confirmed: no device
    notify(recipients=[staff, staff, viewer], text="通知")
    notifications_mark_read(user=viewer)
    for user, device, unread in ((staff, True, 2), (viewer, False, 0), (users["worker"], False, 0)):
        with CaptureQueriesContext(connection) as queries:
            loaded = ModelBackend().get_user(user.pk)
            answers = (has_confirmed_device(loaded), unread_count(user=loaded))
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert answers == (device, unread), user.username
        fresh = User.objects.get(pk=user.pk)
        assert (has_confirmed_device(fresh), unread_count(user=fresh)) == answers

    for write, expected in ((lambda u: notify(recipients=[u], text="又一条"), 3),
                            (lambda u: notifications_mark_read(user=u), 0)):
        loaded = ModelBackend().get_user(staff.pk)
        write(loaded)
        with CaptureQueriesContext(connection) as queries:
            assert unread_count(user=loaded) == expected
        assert len(queries) == 1  # read again: the count read with the user no longer stands
    assert Notification.objects.filter(recipient=staff, read_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_it_prepares_the_statement_on_postgresql_once_per_connection(users, settings):
    """On PostgreSQL the statement is prepared on the server (`EXECUTE`, no planning per call): the same objects,
    the PREPARE itself not counted as one of the caller's queries, prepared again on a new connection; a statement
    the server cannot prepare runs as plain SQL without breaking the caller's transaction; LAOMO_PG_PREPARE=0 sends
    plain SQL. On SQLite the SQL is always plain."""
    postgres = connection.vendor == "postgresql"
    sessions = PreparedQuery(lambda pk: User.objects.select_related("org").filter(pk=pk), 0)
    staff = users["county_staff"]
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            (found,) = sessions.objects(staff.pk)
        assert len(queries) == 1
        assert queries[0]["sql"].startswith("EXECUTE laomo_q") is postgres
        assert _fields(found) == _fields(staff) and found.org == staff.org
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'laomo_q%%'")
            assert cursor.fetchone()[0] >= 1
        # a parameter the server cannot give a type to: refused by PREPARE, run as plain SQL, transaction intact
        untyped = PreparedQuery(lambda pk, flag: User.objects.filter(pk=pk).extra(where=["%s IS NOT NULL"],
                                                                                  params=[flag]), 0, "")
        with CaptureQueriesContext(connection) as queries:
            assert [u.pk for u in untyped.objects(staff.pk, "是")] == [staff.pk]
        assert len(queries) == 1 and not queries[0]["sql"].startswith("EXECUTE")
        assert User.objects.filter(pk=staff.pk).exists()  # the test's transaction goes on
    settings.LAOMO_PG_PREPARE = False
    plain = PreparedQuery(lambda pk: User.objects.filter(pk=pk), 0)
    with CaptureQueriesContext(connection) as queries:
        assert [u.pk for u in plain.objects(staff.pk)] == [staff.pk]
    assert not queries[0]["sql"].startswith("EXECUTE")


@pytest.mark.django_db(transaction=True)
def test_it_prepares_again_on_a_new_connection(django_db_blocker):
    """A reconnection starts without the server's prepared statements: the next call prepares it again."""
    from laomo.orgs.models import OrgUnit

    root = OrgUnit.objects.create(code="339900", name="测试总工会", kind="city")
    by_code = PreparedQuery(lambda code: OrgUnit.objects.filter(code=code), "")
    assert [o.pk for o in by_code.objects("339900")] == [root.pk]
    connection.close()
    assert [o.pk for o in by_code.objects("339900")] == [root.pk]
    assert by_code.objects("000000") == []


def test_it_numbers_the_parameters_and_keeps_literal_percent_signs_for_the_server():
    from laomo.core.prepared import _server_statement

    name, prepare, execute = _server_statement("SELECT a FROM t WHERE b = %s AND c LIKE 'x%%' AND d = %s", 2, "t")
    assert name.startswith("laomo_q") and name.endswith("_t")
    assert prepare == f"PREPARE {name} AS SELECT a FROM t WHERE b = $1 AND c LIKE 'x%' AND d = $2"
    assert execute == f"EXECUTE {name}(%s, %s)"
    assert _server_statement("SELECT 1", 0, "t")[2].endswith("_t")
