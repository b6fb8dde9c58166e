"""Every list of records that grow with the years is served by an index, for its order and each filter (issue 16).

A province keeps ten years of records (2M service records, 500k care visits, 200k lectures …). The first
page of a list must never sort the whole table nor read all of it: for the lists below, SQLite's plan of
the first page (`[:50]`, as the pages and the API take it)

- without a filter, walks an index in the list's order: no `USE TEMP B-TREE FOR ORDER BY`, no full scan;
- with each filter but the free text, searches an index or walks the order's index: never a full scan of
  the list's table (`SCAN <table>` without an index). A filter that searches its own index and then sorts
  its matches is fine: that sort is of the matches, not of the table.

The free-text filter (`q`, LIKE '%…%') cannot use a B-tree index anywhere and is left out. Lists whose
tables stay small at province scale (campaigns, showcases, studios, teams, retreat batches, vendors: a few
hundred to a few thousand rows over ten years) are ordered by the unit's place in the tree (a join) and
are not checked. SQLite without statistics plans the same whatever the rows, so an empty database shows
the plan a large one gets; PostgreSQL's planner follows its statistics and is not asserted here (the
workers list has its own check on both, laomo/workers/tests/test_views.py).
"""

import dataclasses
import re
from datetime import date

import pytest
from django.db import connection

from laomo.care.selectors import benefits as care_benefits
from laomo.care.selectors import campaigns as care_campaigns
from laomo.care.selectors import surveys as care_surveys
from laomo.orgs.models import Role
from laomo.outreach import selectors as outreach
from laomo.retreats import selectors as retreats
from laomo.studios import selectors as studios
from laomo.volunteering import selectors as volunteering
from laomo.workers import selectors as workers
from laomo.workers.models import Worker

LISTS = [
    (outreach.lecture_list, outreach.LectureFilters),
    (outreach.media_list, outreach.MediaFilters),
    (outreach.session_list, outreach.SessionFilters),
    (volunteering.record_list, volunteering.RecordFilters),
    (volunteering.request_list, volunteering.RequestFilters),
    (care_campaigns.visit_list, care_campaigns.VisitFilters),
    (care_surveys.survey_list, care_surveys.SurveyFilters),
    (care_benefits.grant_list, care_benefits.GrantFilters),
    (studios.achievement_list, studios.AchievementFilters),
    (studios.mentorship_list, studios.MentorshipFilters),
    (studios.tech_help_list, studios.TechHelpFilters),
    (retreats.application_list, retreats.ApplicationFilters),
    (workers.worker_list, workers.WorkerFilters),
]


def _sample(model, field: dataclasses.Field, orgs):
    """A value for one filter: its type decides (a saved-looking instance for a related object)."""
    name, kind = field.name, str(field.type)
    if name == "q":
        return None
    if name == "org":
        return orgs["331102"]
    if "date" in kind and "datetime" not in kind:
        return date(2022, 1, 1)
    if name == "year" or "int" in kind:
        return 2022
    if "bool" in kind:
        return True
    if "str" in kind:
        return "x"
    try:
        related = model._meta.get_field(name).related_model
    except Exception:  # a filter that is not a field of the model: the lists name only workers so
        related = Worker if name == "worker" else None
    return related(pk=1) if related else None


def _problems(plan: str, table: str, *, ordered: bool) -> list[str]:
    found = []
    if re.search(rf"^\W*\d*\s*\d*\s*\d*\s*SCAN {table}\s*$", plan, re.MULTILINE):
        found.append("full scan")
    if ordered and "TEMP B-TREE FOR ORDER BY" in plan:
        found.append("sorts the table")
    return found


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plans; see the docstring")
@pytest.mark.parametrize("role", [Role.CITY_STAFF, Role.COUNTY_STAFF])
def test_it_serves_every_list_order_and_filter_from_an_index(role, users, orgs):
    user, failures = users[role], []
    for list_fn, filters_cls in LISTS:
        model = list_fn(user=user).model
        table = model._meta.db_table
        cases = [("(none)", filters_cls())]
        for field in dataclasses.fields(filters_cls):
            value = _sample(model, field, orgs)
            if value is not None:
                cases.append((field.name, filters_cls(**{field.name: value})))
        for name, filters in cases:
            plan = list_fn(user=user, filters=filters)[:50].explain()
            for problem in _problems(plan, table, ordered=name == "(none)"):
                failures.append(f"{list_fn.__module__}.{list_fn.__name__} filter {name}: {problem}\n{plan}")
    assert not failures, "\n\n".join(failures)


def test_it_detects_a_full_scan_and_a_sort():
    """The plan reading above, on plans SQLite prints."""
    assert _problems("5 0 0 SCAN outreach_showcase\n20 0 0 USE TEMP B-TREE FOR ORDER BY", "outreach_showcase",
                     ordered=True) == ["full scan", "sorts the table"]
    assert _problems("7 0 0 SCAN outreach_lecture USING INDEX outreach_lecture_date_f21b2fab", "outreach_lecture",
                     ordered=True) == []
    assert _problems("8 0 0 SEARCH care_carevisit USING INDEX care_carevisit_visit_type (visit_type=?)\n"
                     "30 0 0 USE TEMP B-TREE FOR ORDER BY", "care_carevisit", ordered=False) == []
