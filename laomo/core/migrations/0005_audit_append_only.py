"""Append-only audit table: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) (issue 11).

A migration of its own: on PostgreSQL a trigger cannot be created in the transaction that has just
rewritten the table's rows (0004). The post_migrate hook in apps.py re-installs them after every migrate.
"""

from django.db import migrations


def install(apps, schema_editor):
    from laomo.core import audit_triggers

    audit_triggers.install(schema_editor.connection)


def drop(apps, schema_editor):
    from laomo.core import audit_triggers

    audit_triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_audit_hmac_chain"),
    ]

    operations = [
        migrations.RunPython(install, drop, elidable=False),
    ]
