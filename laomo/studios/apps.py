import importlib

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _seed_achievement_kinds(sender, apps=None, using="default", **kwargs):
    # After every migrate and test flush: a flush empties the data dictionary that migration 0003 seeded
    # (care seeds its lists the same way). Idempotent; entries clerks changed are left alone.
    if using != "default":
        return
    apps = apps or global_apps  # a flush sends no `apps`: the models as they are now
    try:
        apps.get_model("core", "DictItem")
    except LookupError:  # a partial migrate before the dictionary exists
        return
    importlib.import_module("laomo.studios.migrations.0003_seed_achievement_kinds").seed(apps, None)


class StudiosConfig(AppConfig):
    name = "laomo.studios"
    verbose_name = "创新工作室与传帮带"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here, not at the top: models (the dictionary's DictItem, ours) load only once apps are ready.
        from laomo.core import dictionary

        from . import demo, importers, lifeevents, reports, timeline  # noqa: F401  (demo, imports, life events, summary, timeline)
        from .models import ACHIEVEMENT_KIND

        dictionary.register_kind(ACHIEVEMENT_KIND, "成果类型", module="创新工作室")
        post_migrate.connect(_seed_achievement_kinds, sender=self, dispatch_uid="laomo_studios_seed_kinds")
