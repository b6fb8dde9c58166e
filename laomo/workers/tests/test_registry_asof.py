"""The registry as of a year (issue 16): the semi-join / anti-join queries give the figures the correlated
definition gave — who is on it, each person's rank, the workers section for a unit and for the units below,
the drills — on varied data: deceased before, during and after the years asked for, deleted honors and
workers, honors after the year, honors dated only by their award date or not at all, several honors per
person (equal ranks too), surveys putting some of them in hardship.

Run on PostgreSQL as well: DATABASE_URL=postgres://…/<db> pytest laomo/workers/tests/test_registry_asof.py
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import IntegerField, Max, OuterRef, Q, Subquery

from laomo.care.models import IN_HARDSHIP, HardshipSurvey, SurveyRound
from laomo.care.reports import in_hardship
from laomo.care.selectors import level_asof_subquery
from laomo.core.actors import SYSTEM
from laomo.orgs import services as org_services
from laomo.workers.models import LEVEL_RANK, EmploymentStatus, Honor, HonorLevel, Worker
from laomo.workers.reports import drill_by_level, drill_total, workers_section
from laomo.workers.selectors import _rank_case, alive_at_end_of, honors_by_end_of, registry_as_of, registry_honors

from .factories import make_id, make_worker

YEARS = (1999, 2010, 2015, 2018, 2020, 2021, 2022, 2024)


def old_registry_as_of(workers, year: int):
    """The definition before issue 16, kept here as the reference: a correlated MAX per worker."""
    best = (Honor.objects.filter(worker=OuterRef("pk"), is_deleted=False).filter(honors_by_end_of(year))
            .values("worker").annotate(best=Max(_rank_case())).values("best")[:1])
    return (workers.filter(alive_at_end_of(year)).annotate(rank_asof=Subquery(best, output_field=IntegerField()))
            .filter(rank_asof__isnull=False))


@pytest.fixture
def varied(orgs):
    """~60 workers in 莲都, a township below it, 庆元 and 市本级 with random honors, statuses and surveys."""
    rng = random.Random(16)
    town = org_services.org_create(actor=SYSTEM, code="331102001", name="紫金街道总工会", kind="township",
                                   parent=orgs["331102"])
    units = [orgs["331102"], town, orgs["331126"], orgs["331101"], orgs["331121"]]
    levels = list(HonorLevel)
    rounds = [SurveyRound.objects.create(year=y, name=f"{y}年调查", org=orgs["331100"], start_date=date(y, 3, 1),
                                         end_date=date(y, 6, 30), income_threshold=Decimal("30000"))
              for y in (2015, 2020, 2022)]
    workers = []
    for i in range(60):
        worker = make_worker(rng.choice(units), f"劳模{i}", id_number=make_id("331102", f"19{50 + i % 40}0101"))
        workers.append(worker)
        for k in range(rng.choice((0, 1, 1, 1, 2, 2, 3, 4))):
            year = rng.choice((None, None, *range(1990, 2026)))
            award = None if year is not None or rng.random() < 0.4 else date(rng.randrange(1990, 2026), 6, 1)
            Honor.objects.create(worker=worker, level=rng.choice(levels), kind="model_worker",
                                 title=f"荣誉{k}", year=year, award_date=award, is_deleted=rng.random() < 0.15)
        fate = rng.random()
        if fate < 0.3:  # deceased (a date is required): before, during or after the years asked for
            day = date(rng.randrange(2005, 2026), rng.randrange(1, 13), 15)
            Worker.objects.filter(pk=worker.pk).update(employment_status=EmploymentStatus.DECEASED, status_date=day)
        elif fate < 0.4:
            Worker.objects.filter(pk=worker.pk).update(employment_status=EmploymentStatus.RETIRED,
                                                       status_date=date(2012, 1, 1))
        elif fate < 0.45:
            Worker.objects.filter(pk=worker.pk).update(is_deleted=True)
        for rnd in rounds:
            if rng.random() < 0.35:
                HardshipSurvey.objects.create(
                    round=rnd, worker=worker, org=worker.org, survey_date=date(rnd.year, 4, rng.randrange(1, 29)),
                    verification_method="home", household_size=2, employment="retired", housing_type="own",
                    hardship_level=rng.choice(("none", "hardship", "special")), status="approved")
    # equal best ranks twice over, and a higher one deleted: still counted once, at the rank left
    twice = workers[0]
    Worker.objects.filter(pk=twice.pk).update(employment_status=EmploymentStatus.ACTIVE, is_deleted=False)
    Honor.objects.filter(worker=twice).delete()
    Honor.objects.create(worker=twice, level="municipal", kind="model_worker", title="甲", year=2010)
    Honor.objects.create(worker=twice, level="municipal", kind="model_worker", title="乙", year=2012)
    Honor.objects.create(worker=twice, level="national", kind="model_worker", title="丙", year=2011, is_deleted=True)
    Honor.objects.create(worker=twice, level="provincial", kind="model_worker", title="丁", year=2023)
    # two approved surveys on one day: the later by id decides (in hardship, then not)
    HardshipSurvey.objects.filter(worker=twice).delete()
    for rnd, level in ((rounds[0], "special"), (rounds[1], "none")):
        HardshipSurvey.objects.create(round=rnd, worker=twice, org=twice.org, survey_date=date(2016, 5, 1),
                                      verification_method="home", household_size=2, employment="retired",
                                      housing_type="own", hardship_level=level, status="approved")
    return {"workers": workers, "town": town}


def old_in_hardship(*, workers, year: int):
    """The definition before issue 16: the latest approved survey's level looked up per worker."""
    return workers.annotate(care_level=level_asof_subquery(date(year, 12, 31))).filter(care_level__in=IN_HARDSHIP)


def _old_ranks(org, year) -> dict[int, int]:
    qs = old_registry_as_of(Worker.objects.filter(org.subtree_q(), is_deleted=False), year)
    return dict(qs.values_list("pk", "rank_asof"))


def _scopes(orgs, varied):
    return [orgs["331100"], orgs["331102"], varied["town"], orgs["331126"], orgs["331101"]]


def test_the_data_covers_the_cases(orgs, varied):
    assert Honor.objects.filter(is_deleted=True).exists()
    assert Honor.objects.filter(year__isnull=True, award_date__isnull=False).exists()
    assert Honor.objects.filter(year__isnull=True, award_date__isnull=True).exists()
    assert Honor.objects.filter(year__gt=2022).exists()
    assert Worker.objects.filter(employment_status="deceased", status_date__year__lte=2021).exists()
    assert Worker.objects.filter(employment_status="deceased", status_date__year__gte=2023).exists()
    ranks = {_old_ranks(orgs["331100"], y).get(varied["workers"][0].pk) for y in (2009, 2010, 2022)}
    assert ranks == {None, 2}  # the municipal pair from 2010, the later provincial not yet, the national deleted


@pytest.mark.parametrize("year", YEARS)
def test_registry_as_of_lists_the_same_people_at_the_same_rank(orgs, varied, year):
    for org in _scopes(orgs, varied):
        old = _old_ranks(org, year)
        new = registry_as_of(Worker.objects.filter(org.subtree_q(), is_deleted=False), year)
        assert dict(new.values_list("pk", "rank_asof")) == old
        assert new.count() == len(old)


@pytest.mark.parametrize("year", YEARS)
def test_registry_honors_give_one_row_per_person_at_their_rank(orgs, varied, year):
    for org in _scopes(orgs, varied):
        people = Q(worker__is_deleted=False) & org.subtree_q("worker__org")
        rows = list(registry_honors(year, people).values_list("worker_id", "rank"))
        assert len(rows) == len({w for w, _ in rows})
        assert dict(rows) == _old_ranks(org, year)


def _old_section(org, year) -> dict:
    qs = old_registry_as_of(Worker.objects.filter(org.subtree_q(), is_deleted=False), year)
    ranks = list(qs.values_list("rank_asof", flat=True))
    return {"total": len(ranks),
            "by_level": {level: ranks.count(LEVEL_RANK[level]) for level in ("national", "provincial", "municipal",
                                                                             "county")},
            "in_hardship": old_in_hardship(workers=qs, year=year).count()}


@pytest.mark.parametrize("year", YEARS)
def test_the_workers_section_keeps_its_figures(orgs, varied, year):
    for org in _scopes(orgs, varied):
        assert workers_section(year=year, org=org) == _old_section(org, year)
    city = orgs["331100"]
    units = list(city.children.order_by("pk"))
    below = workers_section(year=year, org=city, units=units)
    assert below == {u.pk: _old_section(u, year) for u in units}
    assert any(v["total"] for v in below.values()) or year == 1999


@pytest.mark.parametrize("year", (2015, 2022))
def test_the_drills_list_the_same_people(orgs, varied, year):
    for org in _scopes(orgs, varied):
        old = _old_ranks(org, year)
        assert set(drill_total(year=year, org=org).qs.values_list("pk", flat=True)) == set(old)
        for level, rank in LEVEL_RANK.items():
            drilled = drill_by_level(year=year, org=org, key=level).qs
            assert set(drilled.values_list("pk", flat=True)) == {pk for pk, r in old.items() if r == rank}


@pytest.mark.parametrize("year", YEARS)
def test_in_hardship_finds_the_same_people(orgs, varied, year):
    workers = Worker.objects.filter(orgs["331100"].subtree_q())
    old = set(old_in_hardship(workers=workers, year=year).values_list("pk", flat=True))
    assert set(in_hardship(workers=workers, year=year).values_list("pk", flat=True)) == old
    assert old or year < 2015
