import pytest
from django.core.exceptions import PermissionDenied

from conftest import make_user
from laomo.core.actors import SYSTEM
from laomo.core.scope import ensure_org_in_scope, org_in_scope, scope_queryset
from laomo.orgs.models import User
from laomo.orgs.roles import DataScope, Role


def _visible_orgs(user):
    qs = scope_queryset(User.objects.exclude(org=None), user, org_field="org", self_field="pk")
    return set(qs.values_list("org__code", flat=True))


@pytest.fixture
def township(orgs):
    from laomo.orgs.services import org_create

    return org_create(actor=SYSTEM, code="331102001", name="紫金街道", kind="township", parent=orgs["331102"])


@pytest.fixture
def spread(orgs, township):
    """One business user in the city, two counties and a township below 莲都."""
    make_user("p_city", Role.WORKER, orgs["331100"])
    make_user("p_liandu", Role.WORKER, orgs["331102"])
    make_user("p_qingyuan", Role.WORKER, orgs["331126"])
    make_user("p_town", Role.WORKER, township)


@pytest.mark.django_db
def test_it_gives_city_staff_everything(spread, users):
    assert {"331100", "331102", "331126", "331102001"} <= _visible_orgs(users[Role.CITY_STAFF])


@pytest.mark.django_db
def test_it_limits_county_staff_to_their_subtree(spread, users):
    seen = _visible_orgs(users[Role.COUNTY_STAFF])
    assert seen == {"331102", "331102001"}


@pytest.mark.django_db
def test_it_keeps_unit_scope_to_the_unit_only(spread, orgs):
    user = make_user("u_unit", Role.COUNTY_STAFF, orgs["331102"], data_scope=DataScope.UNIT)
    assert _visible_orgs(user) == {"331102"}
    township = orgs["331102"].children.get()
    assert org_in_scope(user, orgs["331102"]) and not org_in_scope(user, township)


@pytest.mark.django_db
def test_it_limits_workers_to_themselves(spread, users):
    user = users[Role.WORKER]
    qs = scope_queryset(User.objects.all(), user, self_field="pk")
    assert list(qs) == [user]


@pytest.mark.django_db
def test_it_gives_administrators_no_business_data(spread, users):
    for role in (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR):
        assert _visible_orgs(users[role]) == set()


@pytest.mark.django_db
def test_it_does_not_match_codes_by_prefix(orgs):
    """A unit whose id path is a string prefix of another's must not leak (LIKE-on-codes bug)."""
    from laomo.orgs.services import org_create

    a = org_create(actor=SYSTEM, code="X1", name="甲", kind="enterprise", parent=orgs["331102"])
    b = org_create(actor=SYSTEM, code="X10", name="乙", kind="enterprise", parent=orgs["331102"])
    user = make_user("u_a", Role.COUNTY_STAFF, a)
    assert org_in_scope(user, a)
    assert not org_in_scope(user, b)


@pytest.mark.django_db
def test_it_refuses_writing_to_a_unit_outside_scope(users, orgs):
    with pytest.raises(PermissionDenied):
        ensure_org_in_scope(users[Role.COUNTY_STAFF], orgs["331126"])
    with pytest.raises(PermissionDenied):  # nor up to the parent unit
        ensure_org_in_scope(users[Role.COUNTY_STAFF], orgs["331100"])
    ensure_org_in_scope(users[Role.COUNTY_STAFF], orgs["331102"])


@pytest.mark.django_db
def test_it_takes_the_widest_scope_of_several_roles(orgs):
    user = make_user("u_multi", [Role.WORKER, Role.COUNTY_STAFF], orgs["331102"])
    assert user.scope_level == DataScope.SUBTREE


@pytest.mark.django_db
def test_it_sees_nothing_when_disabled(users, spread):
    user = users[Role.CITY_STAFF]
    user.is_active = False
    assert _visible_orgs(user) == set()
