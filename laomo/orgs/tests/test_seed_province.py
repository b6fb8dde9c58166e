"""seed_province: the province's org tree, idempotent, and a city deployment joined to it intact (issue 16)."""

from io import StringIO

import pytest
from django.core.management import call_command

from laomo.core.scope import org_in_scope, scope_root
from laomo.orgs import selectors
from laomo.orgs.management.commands.seed_province import province_units
from laomo.orgs.models import OrgKind, OrgUnit, User
from laomo.orgs.roles import DataScope


def _seed() -> str:
    out = StringIO()
    call_command("seed_province", stdout=out)
    return out.getvalue()


def test_the_table_has_eleven_cities_and_ninety_counties_with_zhejiang_codes():
    units = province_units()
    codes = [u["code"] for u in units]
    assert len(codes) == len(set(codes)) == 1 + 11 * 2 + 90
    assert all(c.startswith("33") and len(c) == 6 for c in codes)
    assert sum(u["kind"] == OrgKind.CITY and u["parent"] == "330000" for u in units) == 11
    assert sum(u["kind"] == OrgKind.COUNTY for u in units) == 90
    by_code = {u["code"]: u for u in units}
    assert by_code["331102"]["short_name"] == "莲都区" and by_code["331102"]["parent"] == "331100"
    assert by_code["330113"]["name"] == "临平区总工会"
    # a county's code starts with its city's four digits
    assert all(u["code"][:4] == u["parent"][:4] for u in units if u["kind"] in (OrgKind.COUNTY, OrgKind.CITY_DIRECT))


@pytest.mark.django_db
def test_it_joins_the_city_tree_to_the_province_keeping_its_units_and_scopes(users):
    lishui = OrgUnit.objects.get(code="331100")
    liandu = OrgUnit.objects.get(code="331102")
    extra = OrgUnit.objects.create(code="33110201", name="莲都某街道工会", kind=OrgKind.TOWNSHIP, parent=liandu,
                                   depth=2, path="")
    extra.path = f"{liandu.path}{extra.pk:07d}/"
    extra.save(update_fields=["path"])
    ids_before = {o.code: o.pk for o in OrgUnit.objects.all()}

    assert "新建 102 个" in _seed()

    province = OrgUnit.objects.get(code="330000")
    assert province.parent_id is None and province.depth == 0 and selectors.org_root() == province
    lishui.refresh_from_db()
    liandu.refresh_from_db()
    extra.refresh_from_db()
    assert lishui.parent_id == province.pk and lishui.depth == 1 and lishui.path == f"{province.path}{lishui.pk:07d}/"
    assert liandu.depth == 2 and liandu.path == f"{lishui.path}{liandu.pk:07d}/"
    assert extra.depth == 3 and extra.path == f"{liandu.path}{extra.pk:07d}/"  # units it does not name move too
    assert {c: OrgUnit.objects.get(code=c).pk for c in ids_before} == ids_before  # same rows, same keys
    assert OrgUnit.objects.filter(parent__isnull=True).count() == 1
    # every unit's path and depth agree with its parent's
    for org in OrgUnit.objects.select_related("parent"):
        if org.parent_id:
            assert org.path == f"{org.parent.path}{org.pk:07d}/" and org.depth == org.parent.depth + 1
    hangzhou = OrgUnit.objects.get(code="330100")
    assert OrgUnit.objects.get(code="330102").is_within(hangzhou)
    assert OrgUnit.objects.get(code="330101").kind == OrgKind.CITY_DIRECT
    # the city's staff still see 丽水 and what is below it, and nothing of 杭州
    city_staff = User.objects.get(pk=users["city_staff"].pk)
    assert city_staff.data_scope == DataScope.SUBTREE and scope_root(city_staff) == lishui
    assert org_in_scope(city_staff, liandu) and not org_in_scope(city_staff, hangzhou)
    county_staff = User.objects.get(pk=users["county_staff"].pk)
    assert county_staff.data_scope == "" and org_in_scope(county_staff, liandu)
    assert not org_in_scope(county_staff, hangzhou)


@pytest.mark.django_db
def test_it_is_idempotent(orgs):
    _seed()
    before = list(OrgUnit.objects.order_by("pk").values_list("pk", "code", "name", "path", "depth", "parent_id"))
    assert "新建 0 个,更新 0 个,未变 113 个" in _seed()
    after = list(OrgUnit.objects.order_by("pk").values_list("pk", "code", "name", "path", "depth", "parent_id"))
    assert after == before


@pytest.mark.django_db
def test_it_brings_a_renamed_unit_back_to_the_table(orgs):
    _seed()
    OrgUnit.objects.filter(code="331121").update(name="青田县工会", short_name="青田")
    assert "更新 1 个" in _seed()
    assert OrgUnit.objects.get(code="331121").name == "青田县总工会"
