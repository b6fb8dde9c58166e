"""care.DictItem → core.DictItem: the hardship causes and health categories join the one data dictionary.

Every row is copied (kind, code, label, flags={"severe": severe}, sort_order, is_active), then the care model
is deleted. core.DictItem also keeps labels unique per list: a label used twice gets its code appended.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Old = apps.get_model("care", "DictItem")
    New = apps.get_model("core", "DictItem")
    taken = {(i.kind, i.code): i for i in New.objects.filter(kind__in=["hardship_cause", "health_category"])}
    labels = {(i.kind, i.label) for i in taken.values()}
    for old in Old.objects.order_by("kind", "sort_order", "id"):
        if (old.kind, old.code) in taken:
            item = taken[(old.kind, old.code)]
        else:
            item = New(kind=old.kind, code=old.code)
        label = old.label
        if (old.kind, label) in labels and item.label != label:
            label = f"{label}({old.code})"[:50]
        item.label = label
        item.flags = {"severe": bool(old.severe)}
        item.sort_order = old.sort_order
        item.is_active = old.is_active
        item.save()
        labels.add((old.kind, label))


def backwards(apps, schema_editor):
    Old = apps.get_model("care", "DictItem")
    New = apps.get_model("core", "DictItem")
    Old.objects.bulk_create([
        Old(kind=i.kind, code=i.code, label=i.label, severe=bool((i.flags or {}).get("severe")),
            sort_order=i.sort_order, is_active=i.is_active)
        for i in New.objects.filter(kind__in=["hardship_cause", "health_category"])
    ], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0003_visit_list_index"),
        ("core", "0007_dictitem"),
    ]
    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="DictItem"),
    ]
