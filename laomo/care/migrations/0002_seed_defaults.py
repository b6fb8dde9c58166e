from django.db import migrations


def seed(apps, schema_editor):
    from laomo.care.defaults import seed_defaults

    seed_defaults(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
