"""Media platforms move into the data dictionary (core.DictItem of kind "platform"), step 1 of 2.

Each Platform row becomes a dictionary entry (code "p<platform id>", or the entry already named so), and every
media item points at it through a new key. Step 2 (0004) drops the old key and the Platform model; the two run
in separate transactions because PostgreSQL refuses to alter a table with pending constraint checks.
"""

import django.db.models.deletion
from django.db import migrations, models

KIND = "platform"


def to_dictionary(apps, schema_editor):
    Platform = apps.get_model("outreach", "Platform")
    DictItem = apps.get_model("core", "DictItem")
    MediaItem = apps.get_model("outreach", "MediaItem")
    for platform in Platform.objects.order_by("id"):
        item = DictItem.objects.filter(kind=KIND, label=platform.name).first()
        if item is None:
            item = DictItem.objects.create(kind=KIND, code=f"p{platform.pk}", label=platform.name,
                                           sort_order=platform.sort_order, is_active=platform.is_active)
        MediaItem.objects.filter(platform_id=platform.pk).update(dict_platform=item)


def from_dictionary(apps, schema_editor):
    Platform = apps.get_model("outreach", "Platform")
    DictItem = apps.get_model("core", "DictItem")
    MediaItem = apps.get_model("outreach", "MediaItem")
    for item in DictItem.objects.filter(kind=KIND).order_by("sort_order", "id"):
        platform, _ = Platform.objects.get_or_create(
            name=item.label, defaults={"sort_order": item.sort_order, "is_active": item.is_active})
        MediaItem.objects.filter(dict_platform_id=item.pk).update(platform=platform)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_dictitem"),
        ("outreach", "0002_seed_platforms"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mediaitem",
            name="platform",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="items",
                                    to="outreach.platform", verbose_name="平台"),
        ),
        migrations.AddField(
            model_name="mediaitem",
            name="dict_platform",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="core.dictitem", verbose_name="平台"),
        ),
        migrations.RunPython(to_dictionary, from_dictionary),
    ]
