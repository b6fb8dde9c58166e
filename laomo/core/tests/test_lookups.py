"""Integer `__in` lookups with ids no column can hold (found by schemathesis: POST /api/v1/tech-help with
`participants: [7278703630411807556894720]` answered 500, OverflowError on SQLite)."""

import pytest

from laomo.orgs.models import OrgUnit


@pytest.mark.django_db
def test_it_matches_nothing_for_ids_out_of_the_column_range_and_keeps_the_others(orgs):
    first = OrgUnit.objects.order_by("pk").first()
    assert list(OrgUnit.objects.filter(pk__in=[2**70])) == []
    assert list(OrgUnit.objects.filter(pk__in=[-(2**70)])) == []
    assert list(OrgUnit.objects.filter(pk__in=[2**70, first.pk, -(2**64)])) == [first]
    assert OrgUnit.objects.exclude(pk__in=[2**70]).count() == OrgUnit.objects.count()
