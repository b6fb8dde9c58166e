"""Media platforms in the data dictionary, step 2 of 2: the media item's key to the dictionary entry takes the
name `platform`, and the Platform model goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("outreach", "0003_platform_dictitem")]

    operations = [
        migrations.RemoveField(model_name="mediaitem", name="platform"),
        migrations.RenameField(model_name="mediaitem", old_name="dict_platform", new_name="platform"),
        migrations.AlterField(
            model_name="mediaitem",
            name="platform",
            field=models.ForeignKey(limit_choices_to={"kind": "platform"}, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="outreach_media", to="core.dictitem", verbose_name="平台"),
        ),
        migrations.DeleteModel(name="Platform"),
    ]
