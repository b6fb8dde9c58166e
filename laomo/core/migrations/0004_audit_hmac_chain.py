"""The audit chain becomes an HMAC chain under LAOMO_AUDIT_KEY (issue 11).

Each entry names its signing key (`key_id`). An existing log, chained with plain SHA-256, is re-signed
once with the key; the legacy chain is checked first and the outcome recorded in one
`audit.chain.resigned` entry (see `laomo.core.audit.resign_legacy_chain`). Runs before the append-only
triggers of 0005 exist.
"""

from django.db import migrations, models


def resign(apps, schema_editor):
    from laomo.core.audit import resign_legacy_chain

    summary = resign_legacy_chain(apps.get_model("core", "AuditEntry"), apps.get_model("core", "AuditHead"),
                                  using=schema_editor.connection.alias)
    if summary and not summary["legacy_intact"]:
        print(f"\n  注意:重新签名前的审计日志已不完整(第一条异常记录 id={summary['legacy_first_bad_id']});"
              "已如实记入 audit.chain.resigned 条目。")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_counter_notification"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="签名密钥"),
        ),
        migrations.RunPython(resign, migrations.RunPython.noop, elidable=False),
    ]
