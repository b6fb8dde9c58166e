from django.db import migrations

PLATFORMS = ["之江教育汇", "学习强国", "微信视频号", "微信公众号", "抖音", "丽水电视台", "浙江工人日报"]


def seed(apps, schema_editor):
    Platform = apps.get_model("outreach", "Platform")
    for order, name in enumerate(PLATFORMS, start=1):
        Platform.objects.get_or_create(name=name, defaults={"sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
