from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_audit_triggers(sender, using="default", **kwargs):
    # After every migrate (and test flush): put the append-only triggers back if a later migration
    # rebuilt the audit table (SQLite drops a table's triggers with it). Only once 0005 installed them.
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    # Imported when the signal fires: apps.py is loaded before the models it would pull in.
    from . import audit_triggers

    connection = connections[using]
    if ("core", "0005_audit_append_only") in MigrationRecorder(connection).applied_migrations():
        if not audit_triggers.installed(connection):
            audit_triggers.install(connection)


class CoreConfig(AppConfig):
    name = "laomo.core"
    verbose_name = "基础"

    def ready(self):
        # Modules that use models: importable only once the app registry is ready.
        from . import (
            auth_events,  # noqa: F401  (login/logout/lockout audit receivers)
            deliveries,  # noqa: F401  (the outbound channels' send and retry tasks)
            importing,  # noqa: F401  (the ledger import job kind)
            jobs,  # noqa: F401  (registers the huey tasks and the consumer's start-up hook)
            keycheck,  # registers the key check (a system check)
            lookups,  # noqa: F401  (integer __in ignores ids no column can hold)
        )

        post_migrate.connect(_ensure_audit_triggers, sender=self, dispatch_uid="laomo_core_audit_triggers")
        post_migrate.connect(keycheck.on_post_migrate, sender=self)
