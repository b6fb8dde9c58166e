"""Append-only audit table, enforced by the database (issue 11).

Triggers refuse UPDATE and DELETE of `core_auditentry` rows on SQLite and PostgreSQL, and TRUNCATE on
PostgreSQL; the application only ever INSERTs there (`audit.record`). `AuditHead` stays updatable (it is
the head pointer); rewriting the head does not help without the HMAC key (`audit.verify_chain`).

Installed by migration core.0005 and again after every `migrate` (post_migrate, see apps.py): on SQLite a
later migration that alters the table rebuilds it, and the rebuild drops its triggers. Someone who owns
the database can still drop them; the HMAC chain and the operators' anchors catch what they then do.
Changing the SQL here needs no new migration: the post_migrate hook re-installs the current version.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction

TABLE = "core_auditentry"
MESSAGE = "审计日志只允许追加,不能修改或删除 (core_auditentry is append-only)"

_SQLITE_TRIGGERS = {
    "core_auditentry_no_update": "UPDATE",
    "core_auditentry_no_delete": "DELETE",
}
_PG_FUNCTION = "core_auditentry_refuse_change"
_PG_TRIGGERS = {
    # name: (timing/event, level)
    "core_auditentry_no_update_delete": ("BEFORE UPDATE OR DELETE", "FOR EACH ROW"),
    "core_auditentry_no_truncate": ("BEFORE TRUNCATE", "FOR EACH STATEMENT"),
}


def _install_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for name, event in _SQLITE_TRIGGERS.items()
        ]
    if vendor == "postgresql":
        # SQLSTATE 23000 (integrity_constraint_violation): Django raises IntegrityError, as on SQLite.
        sql = [
            f"CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END "
            "$fn$"
        ]
        for name, (when, level) in _PG_TRIGGERS.items():
            sql.append(f"DROP TRIGGER IF EXISTS {name} ON {TABLE}")
            sql.append(f"CREATE TRIGGER {name} {when} ON {TABLE} {level} EXECUTE FUNCTION {_PG_FUNCTION}()")
        return sql
    return []


def _drop_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {TABLE}" for name in _PG_TRIGGERS]
    return []


def _run(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)  # no params: nothing is %-interpolated


def install(connection) -> None:
    _run(connection, _install_sql(connection.vendor))


def drop(connection) -> None:
    _run(connection, _drop_sql(connection.vendor))


def installed(connection) -> bool:
    """Whether every append-only trigger is there (vendors other than these two have none)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            return set(_SQLITE_TRIGGERS) <= {row[0] for row in cursor.fetchall()}
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
                           "AND tgenabled <> 'D'", [TABLE])
            return set(_PG_TRIGGERS) <= {row[0] for row in cursor.fetchall()}
    return True


@contextmanager
def lifted(connection):
    """The triggers dropped for the duration, in one transaction that puts them back.

    For tests only (the flush that ends a transactional test, a simulated DBA); nothing in laomo
    calls it. On both databases DDL is transactional: other connections never see the table unguarded.
    """
    with transaction.atomic(using=connection.alias):
        drop(connection)
        yield
        install(connection)
