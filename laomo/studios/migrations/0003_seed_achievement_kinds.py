"""The achievement kinds that were a fixed list (AchievementKind) become the data-dictionary list
`achievement_kind`, with the same codes, labels and order; clerks may add more on /core/dictionary/."""

from django.db import migrations

KIND = "achievement_kind"
ACHIEVEMENT_KINDS = [
    ("patent", "专利"), ("innovation", "技术革新"), ("qc", "QC成果"), ("method", "工法"), ("standard", "标准"),
    ("award", "获奖"), ("paper", "论文"),
]


def seed(apps, schema_editor):
    """Idempotent: an entry already there (by code) is left as the clerks made it."""
    DictItem = apps.get_model("core", "DictItem")
    for order, (code, label) in enumerate(ACHIEVEMENT_KINDS, start=1):
        DictItem.objects.get_or_create(kind=KIND, code=code, defaults={"label": label, "sort_order": order * 10})


def unseed(apps, schema_editor):
    apps.get_model("core", "DictItem").objects.filter(kind=KIND).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_dictitem"),
        ("studios", "0002_achievement_kind_code"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
