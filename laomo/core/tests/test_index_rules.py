"""No index that no query can use (docs/architecture.md, "No index a query cannot use"; issue 16).

Every index is written on every insert: a 100k-row roster import maintained each of `workers_worker`'s
indexes 100k times. These rules hold over every model of laomo:

- `is_deleted` has no index of its own: live rows are read with `WHERE NOT is_deleted`, true of nearly every
  row (SQLite cannot use an index for `NOT x`; PostgreSQL's planner never picks one that selects everything);
  indexes over live rows are partial instead;
- no single-column index in `Meta.indexes` on a column that already leads another full index of the model.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection

from laomo.workers.models import Worker


def _laomo_models():
    return [m for m in apps.get_models() if m.__module__.startswith("laomo.") and m._meta.managed
            and not m._meta.proxy]


def _full_indexes(model) -> list[tuple[str, list[str]]]:
    """(name, field names) of the model's indexes and unique constraints that cover every row."""
    out = [(index.name, [f.lstrip("-") for f in index.fields]) for index in model._meta.indexes
           if index.fields and index.condition is None]
    out += [(c.name, list(c.fields)) for c in model._meta.constraints
            if getattr(c, "fields", None) and getattr(c, "condition", None) is None]
    return out


def test_it_gives_the_soft_delete_flag_no_index_of_its_own():
    offenders = []
    for model in _laomo_models():
        names = {f.name for f in model._meta.concrete_fields}
        if "is_deleted" not in names:
            continue
        if model._meta.get_field("is_deleted").db_index:
            offenders.append(f"{model._meta.label}.is_deleted (db_index)")
        offenders += [f"{model._meta.label}: {name}" for name, fields in _full_indexes(model)
                      if fields == ["is_deleted"]]
    assert offenders == []


def test_it_adds_no_single_column_index_on_a_column_another_index_leads():
    offenders = []
    for model in _laomo_models():
        indexes = _full_indexes(model)
        for name, fields in indexes:
            if len(fields) == 1 and any(other != name and more[0] == fields[0] and len(more) > 1
                                        for other, more in indexes):
                offenders.append(f"{model._meta.label}: {name} ({fields[0]})")
    assert offenders == []


def test_it_has_no_is_deleted_index_in_the_database(db):
    """What the migrations built matches: not one index of the registry's tables is on the flag alone."""
    with connection.cursor() as cursor:
        for model in (Worker, Worker.honors.rel.related_model):
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            assert ["is_deleted"] not in [c["columns"] for c in constraints.values() if c["index"]]
