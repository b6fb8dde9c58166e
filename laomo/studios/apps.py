from django.apps import AppConfig


class StudiosConfig(AppConfig):
    name = "laomo.studios"
    verbose_name = "创新工作室与传帮带"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import demo, reports, timeline  # noqa: F401  (demo step, summary section and cards, timeline entries)
