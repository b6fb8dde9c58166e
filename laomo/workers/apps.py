from django.apps import AppConfig


class WorkersConfig(AppConfig):
    name = "laomo.workers"
    verbose_name = "劳模库"

    def ready(self):
        from . import demo, jobs, reports  # noqa: F401  (demo step, import jobs, summary section, cards)
