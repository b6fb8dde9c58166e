from django.db import migrations


def seed(apps, schema_editor):
    from laomo.orgs.seed import LISHUI_CHILDREN, LISHUI_ROOT

    OrgUnit = apps.get_model("orgs", "OrgUnit")
    if OrgUnit.objects.exists():
        return
    code, name, short, kind = LISHUI_ROOT
    root = OrgUnit.objects.create(code=code, name=name, short_name=short, kind=kind, depth=0)
    root.path = f"/{root.pk:07d}/"
    root.save(update_fields=["path"])
    for i, (code, name, short, kind) in enumerate(LISHUI_CHILDREN):
        child = OrgUnit.objects.create(code=code, name=name, short_name=short, kind=kind, parent=root, depth=1,
                                       sort_order=i)
        child.path = f"{root.path}{child.pk:07d}/"
        child.save(update_fields=["path"])


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
