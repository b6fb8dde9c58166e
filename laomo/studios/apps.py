from django.apps import AppConfig


class StudiosConfig(AppConfig):
    name = "laomo.studios"
    verbose_name = "创新工作室与传帮带"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here, not at the top: models (the dictionary's DictItem, ours) load only once apps are ready.
        from laomo.core import dictionary

        from . import demo, reports, timeline  # noqa: F401  (demo step, summary section and cards, timeline entries)
        from .models import ACHIEVEMENT_KIND

        dictionary.register_kind(ACHIEVEMENT_KIND, "成果类型", module="创新工作室")
