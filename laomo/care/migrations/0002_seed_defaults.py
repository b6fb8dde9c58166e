from django.db import migrations

from laomo.care.defaults import BENEFIT_TYPES, HARDSHIP_CAUSES, HEALTH_CATEGORIES


def seed(apps, schema_editor):
    # The lists as this migration first seeded them (care.DictItem; 0004 moves them to core.DictItem).
    DictItem = apps.get_model("care", "DictItem")
    BenefitType = apps.get_model("care", "BenefitType")
    existing = set(DictItem.objects.values_list("kind", "code"))
    rows = [DictItem(kind="hardship_cause", code=code, label=label, severe=severe, sort_order=order)
            for order, (code, label, severe) in enumerate(HARDSHIP_CAUSES) if ("hardship_cause", code) not in existing]
    rows += [DictItem(kind="health_category", code=code, label=label, sort_order=order)
             for order, (code, label) in enumerate(HEALTH_CATEGORIES) if ("health_category", code) not in existing]
    DictItem.objects.bulk_create(rows)
    have = set(BenefitType.objects.values_list("code", flat=True))
    BenefitType.objects.bulk_create([
        BenefitType(code=code, name=name, min_level_rank=rank, statuses=statuses, hardship=hardship,
                    standard_amount=amount, visit_types=visit_types, yearly=yearly, sort_order=order, note=note)
        for order, (code, name, rank, statuses, hardship, amount, visit_types, yearly, note)
        in enumerate(BENEFIT_TYPES)
        if code not in have
    ])


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
