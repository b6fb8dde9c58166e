"""The declared list filters (`laomo.core.filtering`) that every module's list selector uses."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from laomo.core.filtering import apply_filters, in_subtree, in_year, is_empty, one_of
from laomo.orgs.models import OrgUnit


@dataclass
class Filters:
    q: str = ""
    flag: bool | None = None
    level: str = ""
    names: tuple = ()


def test_it_treats_none_blank_and_empty_lists_as_no_filter_but_keeps_false_and_zero():
    assert all(is_empty(v) for v in (None, "", "   ", [], (), set()))
    assert not any(is_empty(v) for v in (False, 0, "0", ["a"], date(2022, 1, 1)))


@pytest.mark.django_db
def test_it_narrows_only_by_the_filters_that_have_a_value_in_declared_order():
    OrgUnit.objects.create(code="T0", name="测试市", kind="city")
    child = OrgUnit.objects.create(code="T1", name="测试县", kind="county")
    OrgUnit.objects.create(code="T2", name="另一县", kind="county")
    base = OrgUnit.objects.filter(code__in=["T0", "T1", "T2"])
    seen = []

    def rule(value):
        seen.append(value)
        return Q(name__contains=value)

    rules = {"q": rule, "flag": lambda on: Q(pk=child.pk) if on else ~Q(pk=child.pk),
             "level": one_of({"county": Q(kind="county")}), "names": "name__in"}
    assert set(apply_filters(base, Filters(), rules)) == set(base)
    assert seen == []  # no value: the rule is not even asked
    assert list(apply_filters(base, Filters(q="  测试县 "), rules)) == [child] and seen == ["测试县"]  # stripped
    assert child not in apply_filters(base, Filters(flag=False), rules)  # False is a value
    assert set(apply_filters(base, Filters(level="county"), rules)) == {child, OrgUnit.objects.get(code="T2")}
    assert set(apply_filters(base, Filters(level="other"), rules)) == set(base)  # an unknown choice narrows nothing
    assert list(apply_filters(base, Filters(names=("测试县",)), rules)) == [child]


def test_it_builds_the_subtree_and_year_conditions_of_the_kit():
    root = OrgUnit(code="T0", name="测试市", kind="city", path="/1/")
    assert in_subtree()(root) == root.subtree_q("org")
    assert in_subtree("worker__org")(root) == root.subtree_q("worker__org")
    assert in_year("date")(2022) == Q(date__gte=date(2022, 1, 1), date__lte=date(2022, 12, 31))
    with pytest.raises(ValidationError):
        in_year("date")(99999999999)  # a year no date can be made from: the API's 422, not a 500
